/**
 * Staff sessions: a signed cookie (HMAC under the key ring's "session" key) holding the user id, an expiry, the
 * session's CSRF token and the user's session generation. The gate reads the user on every request anyway, so
 * comparing the cookie's generation with the stored one ends sessions on the server (sign-out, an administrator's
 * "end sessions", demotion) at no extra read; the price is that sign-out ends the user's sessions on every device.
 * HttpOnly, SameSite=Lax, Secure whenever the public URL is https (behind a TLS proxy too) and always on AWS.
 * Every state-changing form carries the CSRF token, checked against the session's.
 */
import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { TConfig } from '../config.js';
import type { TKeyring } from '../domain/keyring.js';

export const SESSION_COOKIE = 'st_session';
export const SESSION_HOURS = 8;

export interface TSession {
  uid: string;
  exp: number; // epoch ms
  csrf: string;
  /** How the user signed in: the provider's sign-out page is only offered after a provider sign-in. */
  via?: 'oidc' | 'dev';
  /** The user's session generation when the session began (storage/users.ts); absent on the pre-sign-in session. */
  gen?: string;
}

/** Whether cookies get Secure: on AWS, when the public URL is https, or when the request came over https (or a TLS proxy says so). */
export function secureCookies(c: Context, config: Pick<TConfig, 'APP_ENV' | 'PUBLIC_BASE_URL'>): boolean {
  return (
    config.APP_ENV === 'aws' ||
    config.PUBLIC_BASE_URL?.startsWith('https:') === true ||
    new URL(c.req.url).protocol === 'https:' ||
    c.req.header('x-forwarded-proto')?.split(',')[0].trim() === 'https'
  );
}

const mac = (keyring: TKeyring, kid: string, body: string) =>
  createHmac('sha256', keyring.key('session', kid)!).update(body).digest('base64url');

/** A signed, tamper-evident cookie value: `kid.body.mac`, the body base64url JSON. */
export function seal(keyring: TKeyring, value: object): string {
  const body = Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${keyring.activeKid}.${body}.${mac(keyring, keyring.activeKid, body)}`;
}

/** The value of a sealed cookie, if its MAC is right under a known key and it has not expired (`exp`, epoch ms). */
export function unseal<T extends { exp: number }>(keyring: TKeyring, token: string | undefined, now: number): T | undefined {
  const [kid, body, sig, extra] = (token ?? '').split('.');
  if (!kid || !body || !sig || extra !== undefined || !keyring.key('session', kid)) return undefined;
  const want = Buffer.from(mac(keyring, kid, body));
  const got = Buffer.from(sig);
  if (want.length !== got.length || !timingSafeEqual(want, got)) return undefined;
  try {
    const v = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as T;
    return typeof v === 'object' && v !== null && typeof v.exp === 'number' && v.exp > now ? v : undefined;
  } catch {
    return undefined;
  }
}

export const sealSession = (keyring: TKeyring, s: TSession): string => seal(keyring, s);

export function openSession(keyring: TKeyring, token: string | undefined, now: number): TSession | undefined {
  const s = unseal<TSession>(keyring, token, now);
  return s && typeof s.uid === 'string' && typeof s.csrf === 'string' ? s : undefined;
}

export function startSession(
  c: Context,
  keyring: TKeyring,
  uid: string,
  now: number,
  opts: { secure: boolean; via?: TSession['via']; gen?: string },
): TSession {
  const { via, gen } = opts;
  const csrf = randomBytes(18).toString('base64url');
  const s: TSession = { uid, exp: now + SESSION_HOURS * 3600_000, csrf, ...(via ? { via } : {}), ...(gen ? { gen } : {}) };
  setCookie(c, SESSION_COOKIE, sealSession(keyring, s), {
    path: '/',
    httpOnly: true,
    sameSite: 'Lax',
    secure: opts.secure,
    maxAge: SESSION_HOURS * 3600,
  });
  return s;
}

export const endSession = (c: Context, secure: boolean) => deleteCookie(c, SESSION_COOKIE, { path: '/', secure });

/** Is this session of the user's current generation? (A cookie without one predates generations: only while the user has none.) */
export const sameGeneration = (s: Pick<TSession, 'gen'>, current: string | undefined): boolean => (current ? s.gen === current : !s.gen);
export const readSession = (c: Context, keyring: TKeyring, now: number) => openSession(keyring, getCookie(c, SESSION_COOKIE), now);

/** Constant-time comparison of a submitted CSRF token with the expected one. */
export function csrfMatches(expected: string | undefined, given: unknown): boolean {
  if (!expected || typeof given !== 'string') return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}
