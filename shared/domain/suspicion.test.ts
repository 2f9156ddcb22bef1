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
