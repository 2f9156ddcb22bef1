import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { alertEpisodes, type TAlertLike } from './episodes.js';

const cusum = (hallId: string, day: string, bad = 3, ratings = 10, base = 0.1): TAlertLike => ({
  hallId,
  day,
  kind: 'cusum',
  figures: { bad, ratings, baselineBadShare: base, temperature: 60 },
});
const day = (i: number) => new Date(Date.UTC(2026, 10, 1 + i)).toISOString().slice(0, 10);

describe('alert episodes', () => {
  it('turns 16 nightly alerts of one hall into one episode with since when, how long and the bad share against baseline', () => {
    const alerts = [...Array(16).keys()].map((i) => cusum('h1', day(i), 4, 10, 0.1 + i * 0.001));
    const [e, ...rest] = alertEpisodes(alerts);
    expect(rest).toEqual([]);
    expect(e).toMatchObject({ hallId: 'h1', kind: 'cusum', from: '2026-11-01', to: '2026-11-16', days: 16, alerts: 16 });
    expect(e).toMatchObject({ bad: 64, ratings: 160, badShare: 0.4, baseline: 0.1075, temperature: 60 });
  });

  it('starts a new episode after a quiet gap, keeps halls and kinds apart, newest first', () => {
    const alerts = [
      cusum('h1', day(0)),
      cusum('h1', day(2)), // 2 days later: same episode
      cusum('h1', day(10)), // a week of quiet: a new one
      cusum('h2', day(1)),
      { hallId: 'h1', day: day(2), kind: 'turned-cold', figures: { temperature: 50 } } as TAlertLike,
    ];
    const eps = alertEpisodes(alerts);
    expect(eps.map((e) => [e.hallId, e.kind, e.from, e.to, e.days])).toEqual([
      ['h1', 'cusum', day(10), day(10), 1],
      ['h1', 'cusum', day(0), day(2), 3],
      ['h1', 'turned-cold', day(2), day(2), 1],
      ['h2', 'cusum', day(1), day(1), 1],
    ]);
    expect(eps[2]).toMatchObject({ badShare: null, baseline: null, temperature: 50 });
  });

  it('counts a night stored twice once; every alert falls in exactly one episode of its hall and kind', () => {
    expect(alertEpisodes([cusum('h', day(3)), cusum('h', day(3))])[0]).toMatchObject({ alerts: 1, bad: 3 });
    const arb = fc.array(fc.record({ h: fc.constantFrom('a', 'b'), d: fc.integer({ min: 0, max: 60 }) }), { maxLength: 40 });
    fc.assert(
      fc.property(arb, (xs) => {
        const alerts = xs.map((x) => cusum(x.h, day(x.d)));
        const eps = alertEpisodes(alerts);
        const distinct = new Set(xs.map((x) => `${x.h}${x.d}`)).size;
        if (eps.reduce((s, e) => s + e.alerts, 0) !== distinct) return false;
        return alerts.every((a) => eps.filter((e) => e.hallId === a.hallId && e.from <= a.day && a.day <= e.to).length === 1);
      }),
    );
  });
});
