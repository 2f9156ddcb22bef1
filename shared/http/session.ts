/**
 * Staff sessions: a signed cookie (HMAC under the key ring's "session" key) holding the user id, an expiry and the
 * session's CSRF token. Stateless, so it works the same on Lambda and locally; HttpOnly, SameSite=Lax, Secure on
 * HTTPS. Every state-changing form carries the CSRF token, checked against the session's.
 */
import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { TKeyring } from '../domain/keyring.js';

export const SESSION_COOKIE = 'st_session';
export const SESSION_HOURS = 8;

export interface TSession {
  uid: string;
  exp: number; // epoch ms
  csrf: string;
}

const mac = (keyring: TKeyring, kid: string, body: string) => createHmac('sha256', keyring.key('session', kid)!).update(body).digest('base64url');

export function sealSession(keyring: TKeyring, s: TSession): string {
  const body = Buffer.from(JSON.stringify(s)).toString('base64url');
  return `${keyring.activeKid}.${body}.${mac(keyring, keyring.activeKid, body)}`;
}

export function openSession(keyring: TKeyring, token: string | undefined, now: number): TSession | undefined {
  const [kid, body, sig] = (token ?? '').split('.');
  if (!kid || !body || !sig || !keyring.key('session', kid)) return undefined;
  const want = Buffer.from(mac(keyring, kid, body));
  const got = Buffer.from(sig);
  if (want.length !== got.length || !timingSafeEqual(want, got)) return undefined;
  try {
    const s = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as TSession;
    return typeof s.uid === 'string' && typeof s.csrf === 'string' && s.exp > now ? s : undefined;
  } catch {
    return undefined;
  }
}

export function startSession(c: Context, keyring: TKeyring, uid: string, now: number): TSession {
  const s: TSession = { uid, exp: now + SESSION_HOURS * 3600_000, csrf: randomBytes(18).toString('base64url') };
  setCookie(c, SESSION_COOKIE, sealSession(keyring, s), {
    path: '/', httpOnly: true, sameSite: 'Lax', secure: new URL(c.req.url).protocol === 'https:', maxAge: SESSION_HOURS * 3600,
  });
  return s;
}

export const endSession = (c: Context) => deleteCookie(c, SESSION_COOKIE, { path: '/' });
export const readSession = (c: Context, keyring: TKeyring, now: number) => openSession(keyring, getCookie(c, SESSION_COOKIE), now);

/** Constant-time comparison of a submitted CSRF token with the expected one. */
export function csrfMatches(expected: string | undefined, given: unknown): boolean {
  if (!expected || typeof given !== 'string') return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}
