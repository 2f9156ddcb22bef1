/** The signed case link and the any-age ticket check: round trips, every alteration refused, keys rotate. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { signCaseLink, ticketClaimsAnyAge, verifyCaseLink } from './case-link.js';
import { generateKeyringJson, parseKeyring } from './keyring.js';
import { TICKET_TTL_MS, signPlacard, signTicket, verifyToken } from './tokens.js';

const ring = parseKeyring(generateKeyringJson('k1'));
const id = fc.stringMatching(/^[A-Za-z0-9_-]{1,40}$/);

describe('case links', () => {
  it('round-trip any rating id (property)', () => {
    fc.assert(
      fc.property(id, (ratingId) => verifyCaseLink(ring, signCaseLink(ring, ratingId)) === ratingId),
      { seed: 9, numRuns: 300 },
    );
  });

  it('refuse every single-character alteration, another ring, a ticket or placard token, and junk', () => {
    const link = signCaseLink(ring, 'pAbC123_-xyzXYZ0123456');
    for (let i = 0; i < link.length; i++)
      for (const ch of 'abcxyzABCXYZ0189_-.') {
        if (link[i] === ch) continue;
        expect(verifyCaseLink(ring, link.slice(0, i) + ch + link.slice(i + 1)), `${i}:${ch}`).toBeUndefined();
      }
    expect(verifyCaseLink(parseKeyring(generateKeyringJson('k1')), link)).toBeUndefined();
    const ticket = signTicket(ring, { ticketId: 't1', hallId: 'h', windowId: 'w', issuedAt: Date.parse('2026-11-20T02:00:00Z') });
    for (const other of [ticket, signPlacard(ring, { hallId: 'h', windowId: 'w' }), '', 'C.k1.x', `${link}.x`, 'C'.repeat(500)])
      expect(verifyCaseLink(ring, other)).toBeUndefined();
    expect(() => signCaseLink(ring, 'no dots.or spaces')).toThrow();
  });

  it('keep verifying after the key rotates', () => {
    const old = JSON.parse(generateKeyringJson('k1'));
    const link = signCaseLink(parseKeyring(JSON.stringify(old)), 'r1');
    const rotated = parseKeyring(JSON.stringify({ ...old, active: 'k2', k2: 'x'.repeat(40) }));
    expect(verifyCaseLink(rotated, link)).toBe('r1');
    expect(signCaseLink(rotated, 'r1')).toMatch(/^C\.k2\.r1\./);
  });
});

describe('ticketClaimsAnyAge', () => {
  it('reads a genuine ticket past its 7 rating days, and nothing altered or not a ticket', () => {
    const issuedAt = Date.parse('2026-11-20T02:00:00Z');
    const ticket = signTicket(ring, { ticketId: 't1', hallId: 'h', windowId: 'w', issuedAt });
    expect(verifyToken(ring, ticket, issuedAt + 30 * TICKET_TTL_MS).ok).toBe(false); // too old to rate
    expect(ticketClaimsAnyAge(ring, ticket)).toMatchObject({ kind: 'ticket', ticketId: 't1', hallId: 'h', issuedAt });
    expect(ticketClaimsAnyAge(ring, `${ticket.slice(0, -1)}${ticket.endsWith('A') ? 'B' : 'A'}`)).toBeUndefined();
    expect(ticketClaimsAnyAge(ring, signPlacard(ring, { hallId: 'h', windowId: 'w' }))).toBeUndefined();
    expect(ticketClaimsAnyAge(ring, 'T.k1.a.b.c.d.zzzzzzzzzzzzzzzz.sig')).toBeUndefined();
  });
});
