/**
 * The resident's link to follow a case (SPEC §2, §6). A placard rating has no ticket URL to come back to, so the
 * thank-you page hands out an unguessable signed link instead:  C.<kid>.<ratingId>.<sig>, sig = HMAC-SHA256 under
 * the ring's "ticket" key for <kid>, 128 bits, base64url. The leading "C" keeps it apart from ticket ("T") and
 * placard ("P") signatures made with the same key. It never expires: a case may run for weeks.
 * Also: a ticket's own URL stays the way back to its case after the 7 rating days, so its signature is checked
 * without the age limit here (rating still refuses an old ticket).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { TKeyring } from './keyring.js';
import { verifyToken, type TTicketClaims } from './tokens.js';

const ID = /^[A-Za-z0-9_-]{1,40}$/;

function sign(keyring: TKeyring, kid: string, body: string): string | undefined {
  const key = keyring.key('ticket', kid);
  return key && createHmac('sha256', key).update(body).digest().subarray(0, 16).toString('base64url');
}

export function signCaseLink(keyring: TKeyring, ratingId: string): string {
  if (!ID.test(ratingId)) throw new Error(`case link: invalid rating id "${ratingId}"`);
  const body = `C.${keyring.activeKid}.${ratingId}`;
  return `${body}.${sign(keyring, keyring.activeKid, body)}`;
}

/** The rating id a case link is bound to, or undefined for anything forged, altered or signed by an unknown key. */
export function verifyCaseLink(keyring: TKeyring, token: string): string | undefined {
  if (typeof token !== 'string' || token.length > 120) return undefined;
  const parts = token.split('.');
  if (parts.length !== 4 || parts[0] !== 'C' || !ID.test(parts[2])) return undefined;
  const body = parts.slice(0, 3).join('.');
  const want = sign(keyring, parts[1], body);
  if (!want) return undefined;
  // Compare the text (not decoded bytes): base64url's last character has spare bits.
  const given = Buffer.from(parts[3], 'utf8');
  const expected = Buffer.from(want, 'utf8');
  return given.length === expected.length && timingSafeEqual(given, expected) ? parts[2] : undefined;
}

/** A genuine ticket's claims whatever its age (its signature and shape still checked), for finding its case. */
export function ticketClaimsAnyAge(keyring: TKeyring, token: string): TTicketClaims | undefined {
  const parts = typeof token === 'string' ? token.split('.') : [];
  if ((parts[0] !== 'T' && parts[0] !== 'L') || parts.length !== 8) return undefined;
  const issuedAt = parseInt(parts[6], 36) * 1000;
  if (!Number.isFinite(issuedAt)) return undefined;
  const v = verifyToken(keyring, token, issuedAt);
  return v.ok && v.claims.kind === 'ticket' ? v.claims : undefined;
}
