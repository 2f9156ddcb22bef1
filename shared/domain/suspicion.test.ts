import { describe, expect, it } from 'vitest';
import type { TRating } from './model.js';
import { findSuspicious } from './suspicion.js';

const hall = { timezone: 'Asia/Shanghai', openingHours: { open: '08:30', close: '17:30' } };
let n = 0;
const r = (over: Partial<TRating>): TRating => ({
  ratingId: `r${++n}`,
  channel: 'ticket',
  hallId: 'h',
  windowId: 'w1',
  createdAt: '2026-03-02T02:00:00.000Z',
  day: '2026-03-02',
  overall: 5,
  ...over,
});

describe('suspicious ratings', () => {
  it('flags placard ratings far outside opening hours, not tickets rated at home in the evening', () => {
    const night = '2026-03-02T14:00:00.000Z'; // 22:00 in Shanghai
    const out = findSuspicious(
      [
        r({ ratingId: 'p', channel: 'placard', createdAt: night }),
        r({ ratingId: 't', createdAt: night }),
        r({ ratingId: 'ok', channel: 'placard', createdAt: '2026-03-02T09:50:00.000Z' }),
      ],
      hall,
    );
    expect([...out.keys()]).toEqual(['p']);
    expect(out.get('p')).toEqual(['outside-hours']);
  });

  it('flags a fast run of identical bare ratings at one window, not a busy honest morning', () => {
    const run = Array.from({ length: 8 }, (_, i) =>
      r({ ratingId: `run${i}`, overall: 1, createdAt: `2026-03-02T02:00:${String(i * 7).padStart(2, '0')}.000Z` }),
    );
    expect(findSuspicious(run, hall).size).toBe(8);
    const honest = run.map((x, i) => ({ ...x, overall: i % 2 ? 5 : 4 }));
    expect(findSuspicious(honest, hall).size).toBe(0);
    // one every 3 minutes: a fast window, not a script
    const slow = run.map((x, i) => ({ ...x, createdAt: `2026-03-02T02:${String(i * 3).padStart(2, '0')}:00.000Z` }));
    expect(findSuspicious(slow, hall).size).toBe(0);
    const withReasons = run.map((x) => ({ ...x, reasons: ['rude'] }));
    expect(findSuspicious(withReasons, hall).size).toBe(0);
  });

  it('flags a device beyond three ratings in a hall on one day', () => {
    const many = Array.from({ length: 5 }, (_, i) =>
      r({
        ratingId: `d${i}`,
        deviceHash: 'dev',
        createdAt: `2026-03-02T0${2 + i}:00:00.000Z`,
        overall: (i % 5) + 1,
        reasons: i < 2 ? ['rude'] : undefined,
      }),
    );
    expect([...findSuspicious(many, hall).keys()].sort()).toEqual(['d3', 'd4']);
  });

  it('is deterministic whatever the input order', () => {
    const rs = Array.from({ length: 10 }, (_, i) => r({ ratingId: `x${i}`, overall: 2, createdAt: `2026-03-02T02:00:0${i}.000Z` }));
    expect(findSuspicious([...rs].reverse(), hall)).toEqual(findSuspicious(rs, hall));
  });
});

/* ---------- the four SPEC §6 patterns, and properties ---------- */
import fc from 'fast-check';
import { detect } from './suspicion.js';
import { THRESHOLDS } from './detection-thresholds.js';

const DAY = '2026-03-02';
const at = (minute: number) => new Date(Date.parse(`${DAY}T00:30:00.000Z`) + minute * 60_000).toISOString(); // 08:30 local + minute

describe('detection holds against one determined person', () => {
  it('a placard flood with a fresh cookie each and varied grades and tags is one burst group', () => {
    const flood = Array.from({ length: 200 }, (_, i) =>
      r({
        ratingId: `f${i}`,
        channel: 'placard',
        overall: (i % 3) + 1,
        reasons: i % 2 ? ['rude'] : undefined,
        deviceHash: `fresh${i}`,
        netHash: 'n1',
        createdAt: new Date(Date.parse(at(60)) + i * 20).toISOString(),
      }),
    );
    const { flags, groups } = detect(flood, hall, { usualDaily: new Map([['w1', 40]]) });
    expect(flags.size).toBe(200);
    expect(groups.map((g) => [g.rule, g.ratingIds.length])).toEqual([['burst', 200]]);
    expect(groups[0].evidence.timesUsual).toBeGreaterThan(10);
  });

  it('a slow drip all day at one window (one every 10 minutes, fresh cookies) is a surge; honest ones beside it are not', () => {
    const drip = Array.from({ length: 54 }, (_, i) =>
      r({
        ratingId: `d${i}`,
        channel: 'placard',
        overall: 1 + (i % 2),
        reasons: ['rude'],
        deviceHash: `c${i}`,
        netHash: 'att',
        createdAt: at(i * 10),
      }),
    );
    const honest = Array.from({ length: 6 }, (_, i) =>
      r({ ratingId: `h${i}`, channel: 'placard', netHash: `hn${i}`, createdAt: at(i * 61 + 3) }),
    );
    const { flags, groups } = detect([...drip, ...honest], hall, { usualDaily: new Map([['w1', 8]]) });
    expect([...flags.keys()].sort()).toEqual(drip.map((x) => x.ratingId).sort());
    expect(groups.map((g) => g.rule)).toEqual(['surge']);
  });

  it('one browser across four halls in a day is flagged by its cookie, never by a shared address', () => {
    const mine = r({ ratingId: 'x', deviceHash: 'phone', netHash: 'nat' });
    const other = r({ ratingId: 'y', deviceHash: 'other', netHash: 'nat' });
    const ctx = {
      deviceHalls: new Map([
        ['phone', THRESHOLDS.crossHallMin],
        ['other', 1],
      ]),
    };
    expect([...detect([mine, other], hall, ctx).flags.keys()]).toEqual(['x']);
  });

  it('ten residents on hall Wi-Fi with the same phone and no cookie at one window are not flagged', () => {
    const ten = Array.from({ length: 10 }, (_, i) => r({ ratingId: `t${i}`, channel: 'placard', netHash: 'wifi', createdAt: at(i * 12) }));
    expect(detect(ten, hall, {}).flags.size).toBe(0);
  });
});

/** Honest traffic as the rules assume it: in opening hours, at most 2 minutes apart at a window… see below. */
const honestDay = (seed: string) =>
  fc
    .array(
      fc.record({
        w: fc.constantFrom('w1', 'w2', 'w3'),
        slot: fc.integer({ min: 0, max: 239 }), // 2-minute slots of an 08:30–16:30 day, one rating a slot a window
        channel: fc.constantFrom('ticket', 'placard') as fc.Arbitrary<'ticket' | 'placard'>,
        overall: fc.integer({ min: 1, max: 5 }),
        reasons: fc.option(fc.constantFrom<string[]>(['rude'], ['waited-too-long']), { nil: undefined }),
        cookie: fc.option(fc.integer({ min: 0, max: 10_000 }), { nil: undefined }),
        net: fc.constantFrom('wifi', 'nat-a', 'nat-b', 'nat-c'), // shared addresses: hall Wi-Fi, carrier NAT
      }),
      { maxLength: 60 },
    )
    .map((xs) => {
      const seen = new Set<string>();
      const perWindowPlacard = new Map<string, number>();
      const out: TRating[] = [];
      for (const [i, x] of xs.entries()) {
        const k = `${x.w}:${x.slot}`;
        const placards = perWindowPlacard.get(x.w) ?? 0;
        if (seen.has(k) || (x.channel === 'placard' && placards >= 20)) continue; // honest envelope: ≤ 20 placard a window a day
        seen.add(k);
        if (x.channel === 'placard') perWindowPlacard.set(x.w, placards + 1);
        out.push(
          r({
            ratingId: `${seed}${i}`,
            windowId: x.w,
            channel: x.channel,
            overall: x.overall,
            reasons: x.reasons,
            deviceHash: x.cookie === undefined ? undefined : `${seed}c${x.cookie}`,
            netHash: x.net,
            createdAt: at(x.slot * 2),
          }),
        );
      }
      return out;
    });

describe('properties', () => {
  it('adding honest ratings never flags an earlier honest one', () => {
    fc.assert(
      fc.property(honestDay('a'), honestDay('b'), (first, more) => {
        const taken = new Set(first.map((x) => `${x.windowId}:${x.createdAt}`));
        const added = more.filter((x) => !taken.has(`${x.windowId}:${x.createdAt}`));
        const before = detect(first, hall).flags;
        const after = detect([...first, ...added], hall).flags;
        for (const x of first) if (!before.has(x.ratingId)) expect(after.has(x.ratingId)).toBe(false);
        expect(before.size).toBe(0); // and honest traffic alone is never flagged
      }),
      { numRuns: 150 },
    );
  });

  it('a flood is flagged whatever the cookies, grades and tags', () => {
    const scheme = fc.constantFrom('fresh', 'same', 'none', 'few');
    fc.assert(
      fc.property(
        honestDay('h'),
        scheme,
        fc.integer({ min: 50, max: 300 }),
        fc.integer({ min: 0, max: 400 }),
        fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 5 }),
        (honest, how, n, startMin, grades) => {
          const flood = Array.from({ length: n }, (_, i) =>
            r({
              ratingId: `f${i}`,
              windowId: 'w1',
              channel: 'placard',
              overall: grades[i % grades.length],
              reasons: grades[i % grades.length] <= 2 ? ['rude'] : undefined,
              netHash: `n${i % 3}`,
              deviceHash: how === 'fresh' ? `x${i}` : how === 'same' ? 'x' : how === 'few' ? `x${i % 4}` : undefined,
              createdAt: new Date(Date.parse(at(startMin)) + i * 1500).toISOString(),
            }),
          );
          const flags = detect([...honest, ...flood], hall).flags;
          for (const f of flood) expect(flags.has(f.ratingId)).toBe(true);
        },
      ),
      { numRuns: 100 },
    );
  });
});

/* ---------- pressure at the window (诱导好评) ---------- */
import { V as VV, addRating, zeroVector } from './aggregate.js';
import { pressureNeedsAttention, pressureOf } from './pressure.js';

describe('pressure at the window', () => {
  const vec = (early: [number, number], late: [number, number]) => {
    const v = zeroVector();
    const add = (n: number, good: number, lag: number) => {
      for (let i = 0; i < n; i++) addRating(v, { overall: i < good ? 5 : 2, channel: 'ticket', lag });
    };
    add(early[0], early[1], 60);
    add(late[0], late[1], 3600);
    return v;
  };
  it('counts ticket ratings within 10 minutes apart from later ones, and only tickets', () => {
    const v = vec([10, 9], [5, 2]);
    addRating(v, { overall: 5, channel: 'placard' });
    expect([v[VV.early], v[VV.earlyGood], v[VV.late], v[VV.lateGood]]).toEqual([10, 9, 5, 2]);
  });
  it('lists a hall whose early ratings are far better than its later ones, beyond the region, and not a small one', () => {
    const region = pressureOf(vec([400, 360], [400, 330]));
    expect(pressureNeedsAttention(pressureOf(vec([60, 59], [40, 24])), region)).toBe(true);
    expect(pressureNeedsAttention(pressureOf(vec([60, 55], [40, 33])), region)).toBe(false); // like the region
    expect(pressureNeedsAttention(pressureOf(vec([10, 10], [10, 5])), region)).toBe(false); // too few to tell
  });
  it('never lists a hall whose early and later ratings are alike (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 300 }),
        fc.integer({ min: 0, max: 300 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (e, l, p) => {
          const v = vec([e, Math.round(e * p)], [l, Math.round(l * p)]);
          expect(pressureNeedsAttention(pressureOf(v), pressureOf(zeroVector()))).toBe(false);
        },
      ),
    );
  });
});
