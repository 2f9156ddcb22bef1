/**
 * Signed QR tokens. Compact and dot-separated so the QR code stays small enough for cheap phone cameras:
 *   ticket:  T.<kid>.<ticketId>.<hallId>.<windowId>.<serviceId|->.<issuedAt base36 seconds>.<sig>
 *   placard: P.<kid>.<hallId>.<windowId>.<sig>
 *   link:    L.<kid>.<ratingId>.<hallId>.<windowId>.<serviceId|->.<registeredAt base36 seconds>.<sig>  (a registered
 *            matter, SPEC §3 channel `link`: it is rated exactly like a ticket, so its claims are a ticket's + `link`)
 * sig = HMAC-SHA256 under the ring's "ticket" key for <kid>, truncated to 128 bits, base64url.
 * The key id inside lets keys rotate while printed placards and live tickets keep verifying.
 */
import { createHmac, randomBytes } from 'node:crypto';
import type { TKeyring } from './keyring.js';

export const TICKET_TTL_MS = 7 * 24 * 3600 * 1000;
const ID = /^[A-Za-z0-9_-]{1,40}$/;

export interface TTicketClaims {
  kind: 'ticket';
  ticketId: string;
  hallId: string;
  windowId: string;
  serviceId?: string;
  issuedAt: number; // epoch ms (second precision)
  /** A matter handled online or by phone (routes/link.ts): the rating's channel is `link`. */
  link?: true;
}
export interface TPlacardClaims {
  kind: 'placard';
  hallId: string;
  windowId: string;
}
export type TTokenClaims = TTicketClaims | TPlacardClaims;

export type TTokenResult =
  | { ok: true; claims: TTokenClaims; kid: string }
  | { ok: false; reason: 'malformed' | 'unknown-key' | 'bad-signature' | 'expired' | 'not-yet-valid' };

export const newTicketId = (): string => randomBytes(12).toString('base64url');

function sign(keyring: TKeyring, kid: string, body: string): string | undefined {
  const key = keyring.key('ticket', kid);
  return key && createHmac('sha256', key).update(body).digest().subarray(0, 16).toString('base64url');
}

function assertIds(...ids: (string | undefined)[]) {
  for (const id of ids) if (id !== undefined && !ID.test(id)) throw new Error(`token: invalid id "${id}"`);
}

export function signTicket(keyring: TKeyring, c: Omit<TTicketClaims, 'kind'>): string {
  assertIds(c.ticketId, c.hallId, c.windowId, c.serviceId);
  const kid = keyring.activeKid;
  const body = [
    c.link ? 'L' : 'T',
    kid,
    c.ticketId,
    c.hallId,
    c.windowId,
    c.serviceId ?? '-',
    Math.floor(c.issuedAt / 1000).toString(36),
  ].join('.');
  return `${body}.${sign(keyring, kid, body)}`;
}

export function signPlacard(keyring: TKeyring, c: Omit<TPlacardClaims, 'kind'>): string {
  assertIds(c.hallId, c.windowId);
  const kid = keyring.activeKid;
  const body = ['P', kid, c.hallId, c.windowId].join('.');
  return `${body}.${sign(keyring, kid, body)}`;
}

/**
 * Whether two strings are the same, in time that depends on their lengths only, never on where they differ: every
 * UTF-16 unit is compared (OR of XORs, no early exit). A signature's length is public (22 characters); its content
 * is what an attacker must not learn a character at a time. No Buffers are made for the comparison.
 */
export function sameText(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

/** Verifies signature, shape and age. `now` is injected so tests and the nightly job are reproducible. */
export function verifyToken(keyring: TKeyring, token: string, now: number): TTokenResult {
  if (typeof token !== 'string' || token.length > 400) return { ok: false, reason: 'malformed' };
  const parts = token.split('.');
  const kind = parts[0];
  if (!(((kind === 'T' || kind === 'L') && parts.length === 8) || (kind === 'P' && parts.length === 5)))
    return { ok: false, reason: 'malformed' };
  const kid = parts[1];
  const cut = token.lastIndexOf('.');
  const expected = sign(keyring, kid, token.slice(0, cut));
  if (expected === undefined) return { ok: false, reason: 'unknown-key' };
  // Compare the text, not decoded bytes: base64url's last character has spare bits, so decoding would
  // accept several spellings of one signature (an altered token must never verify).
  if (!sameText(token.slice(cut + 1), expected)) return { ok: false, reason: 'bad-signature' };
  if (kind === 'P') {
    const [, , hallId, windowId] = parts;
    if (!ID.test(hallId) || !ID.test(windowId)) return { ok: false, reason: 'malformed' };
    return { ok: true, kid, claims: { kind: 'placard', hallId, windowId } };
  }
  const [, , ticketId, hallId, windowId, service, iat36] = parts;
  const issuedAt = parseInt(iat36, 36) * 1000;
  if (![ticketId, hallId, windowId].every((id) => ID.test(id)) || !Number.isFinite(issuedAt)) return { ok: false, reason: 'malformed' };
  if (issuedAt > now + 5 * 60 * 1000) return { ok: false, reason: 'not-yet-valid' }; // tolerate small clock skew
  if (now - issuedAt > TICKET_TTL_MS) return { ok: false, reason: 'expired' };
  const serviceId = service === '-' ? undefined : service;
  const claims: TTicketClaims = { kind: 'ticket', ticketId, hallId, windowId, serviceId, issuedAt };
  return { ok: true, kid, claims: kind === 'L' ? { ...claims, link: true } : claims };
}
