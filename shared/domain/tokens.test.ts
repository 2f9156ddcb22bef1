import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { generateKeyringJson, parseKeyring } from './keyring.js';
import { TICKET_TTL_MS, newTicketId, signPlacard, signTicket, verifyToken } from './tokens.js';

const ring = parseKeyring(generateKeyringJson('k1'));
const t0 = Date.parse('2026-11-20T02:00:00Z');
const claims = { ticketId: 'abcDEF123_-x', hallId: 'h-1', windowId: 'w1', serviceId: 's1', issuedAt: t0 };

describe('ticket tokens', () => {
  it('round-trips ticket and placard claims', () => {
    expect(verifyToken(ring, signTicket(ring, claims), t0)).toEqual({ ok: true, kid: 'k1', claims: { kind: 'ticket', ...claims } });
    const p = verifyToken(ring, signPlacard(ring, { hallId: 'h-1', windowId: 'w2' }), t0 + 10 * TICKET_TTL_MS);
    expect(p).toEqual({ ok: true, kid: 'k1', claims: { kind: 'placard', hallId: 'h-1', windowId: 'w2' } }); // placards do not expire
  });

  it('expires tickets after 7 days, not before', () => {
    const token = signTicket(ring, claims);
    expect(verifyToken(ring, token, t0 + TICKET_TTL_MS).ok).toBe(true);
    expect(verifyToken(ring, token, t0 + TICKET_TTL_MS + 1000)).toEqual({ ok: false, reason: 'expired' });
    expect(verifyToken(ring, token, t0 - 3600_000)).toEqual({ ok: false, reason: 'not-yet-valid' });
  });

  it("refuses every single-character alteration (including the signature's spare base64 bits)", () => {
    for (const token of [signTicket(ring, claims), signPlacard(ring, { hallId: 'h-1', windowId: 'w1' })]) {
      for (let i = 0; i < token.length; i++) {
        for (const ch of 'abcdefghijklmnopqrstuvwxyzABCXYZ0189_-.') {
          if (token[i] === ch) continue;
          expect(verifyToken(ring, token.slice(0, i) + ch + token.slice(i + 1), t0).ok, `${i}:${ch}`).toBe(false);
        }
      }
    }
  });

  it('refuses arbitrary strings', () => {
    fc.assert(fc.property(fc.string({ maxLength: 120 }), (s) => !verifyToken(ring, s, t0).ok));
  });

  it('refuses tokens signed with another key ring, and keeps verifying after rotation', () => {
    const other = parseKeyring(generateKeyringJson('k1'));
    expect(verifyToken(other, signTicket(ring, claims), t0)).toEqual({ ok: false, reason: 'bad-signature' });
    const old = JSON.parse(generateKeyringJson('k1'));
    const before = parseKeyring(JSON.stringify(old));
    const rotated = parseKeyring(JSON.stringify({ ...old, active: 'k2', k2: 'n'.repeat(48) }));
    const printed = signPlacard(before, { hallId: 'h-1', windowId: 'w1' });
    expect(verifyToken(rotated, printed, t0).ok).toBe(true);
    expect(signPlacard(rotated, { hallId: 'h-1', windowId: 'w1' }).split('.')[1]).toBe('k2');
    expect(verifyToken(parseKeyring(JSON.stringify({ active: 'k2', k2: 'n'.repeat(48) })), printed, t0)).toEqual({
      ok: false,
      reason: 'unknown-key',
    });
  });

  it('refuses junk', () => {
    for (const junk of ['', 'T', 'T.k1', 'P.k1.h.w', 'X.k1.a.b.c', 'T.k1.a.b.c.d.e.f.g', 'x'.repeat(500)])
      expect(verifyToken(ring, junk, t0).ok).toBe(false);
  });

  it('makes unguessable ticket ids', () => {
    const ids = new Set(Array.from({ length: 1000 }, newTicketId));
    expect(ids.size).toBe(1000);
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_-]{16}$/);
  });
});

describe('key ring', () => {
  it('refuses a ring whose active key is missing or too short', () => {
    expect(() => parseKeyring(`{"active":"k2","k1":"${'a'.repeat(40)}"}`)).toThrow(/active/);
    expect(() => parseKeyring('{"active":"k1","k1":"short"}')).toThrow(/32/);
    expect(() => parseKeyring('nope')).toThrow(/JSON/);
  });
  it('derives a distinct key per purpose', () => {
    expect(ring.key('ticket')!.equals(ring.key('phone')!)).toBe(false);
    expect(ring.key('ticket', 'nope')).toBeUndefined();
  });
});
