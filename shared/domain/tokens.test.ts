import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { generateKeyringJson, parseKeyring } from './keyring.js';
import { TICKET_TTL_MS, newTicketId, sameText, signPlacard, signTicket, verifyToken } from './tokens.js';

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

describe('sameText (the signature comparison)', () => {
  it('is string equality, for any strings and for one-character changes anywhere', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 40 }), fc.string({ maxLength: 40 }), (a, b) => sameText(a, b) === (a === b)),
    );
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 40 }), fc.nat(), fc.integer({ min: 1, max: 0xffff }), (a, at, delta) => {
        const i = at % a.length;
        const b = a.slice(0, i) + String.fromCharCode((a.charCodeAt(i) + delta) % 0x10000) + a.slice(i + 1);
        return sameText(a, a) && !sameText(a, b) && !sameText(b, a);
      }),
    );
  });

  it('takes as long when the first character differs as when the last does (no early exit)', () => {
    const a = 'x'.repeat(200_000);
    const first = `y${a.slice(1)}`;
    const last = `${a.slice(1)}y`;
    const time = (b: string) => {
      const t = performance.now();
      for (let i = 0; i < 5; i++) sameText(a, b);
      return performance.now() - t;
    };
    const runs = { first: [] as number[], last: [] as number[] };
    for (let r = 0; r < 21; r++) {
      runs.first.push(time(first)); // interleaved, so a busy neighbour slows both alike
      runs.last.push(time(last));
    }
    const median = (xs: number[]) => xs.sort((x, y) => x - y)[10];
    // An early exit would make the first case thousands of times faster; the same loop leaves them alike.
    expect(median(runs.first) / median(runs.last)).toBeGreaterThan(0.2);
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
