import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DECAY,
  DROP_WEIGHT,
  HALF_LIFE_DAYS,
  MAX_AGE_DAYS,
  POINTS,
  type TGradeCounts,
  addCounts,
  bandOf,
  countGrades,
  cusumStep,
  dayWeight,
  decayStep,
  decayVector,
  decayedSum,
  isRankable,
  meanPoints,
  oddsDoubled,
  priorFrom,
  scaleCounts,
  shrunkBadShare,
  sumCounts,
  temperature,
  wilson,
} from './scoring.js';

const UNIFORM = priorFrom(undefined);
const priorMean = (pi: TGradeCounts) => pi.reduce((a, p, k) => a + POINTS[k] * p, 0);
const unit = (grade: number): TGradeCounts => countGrades([grade]);

// Arbitraries: decayed counts are fractional and often zero.
const count = fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 50 }), fc.double({ min: 0, max: 1000, noNaN: true }));
const counts = fc.tuple(count, count, count, count, count) as fc.Arbitrary<TGradeCounts>;
const prior = counts.map((c) => priorFrom(c)); // includes the uniform fallback when c is all zeros

describe('constants', () => {
  it('match SPEC §4', () => {
    expect(POINTS).toEqual([0, 25, 50, 75, 100]);
    expect(DECAY ** HALF_LIFE_DAYS).toBeCloseTo(0.5, 14);
    expect(DROP_WEIGHT).toBeCloseTo(DECAY ** 366, 15);
    expect(UNIFORM).toEqual([0.2, 0.2, 0.2, 0.2, 0.2]);
  });
  it('bands: 85 is warm, 70 is mild, 55 is cool', () => {
    expect(bandOf(100)).toBe('warm');
    expect(bandOf(85)).toBe('warm');
    expect(bandOf(84.999)).toBe('mild');
    expect(bandOf(70)).toBe('mild');
    expect(bandOf(69.999)).toBe('cool');
    expect(bandOf(55)).toBe('cool');
    expect(bandOf(54.999)).toBe('cold');
    expect(bandOf(0)).toBe('cold');
  });
  it('ranks only units with N ≥ 20', () => {
    expect(isRankable(19.99)).toBe(false);
    expect(isRankable(20)).toBe(true);
  });
});

describe('temperature — golden cases worked by hand', () => {
  it('ten 4s and ten 5s, uniform prior → 75.0 [66.47, 83.53] mild', () => {
    // M·π_k = 10·0.2 = 2; N + M = 30.  q = (2, 2, 2, 12, 12)/30.
    // T = (0·2 + 25·2 + 50·2 + 75·12 + 100·12)/30 = (0 + 50 + 100 + 900 + 1200)/30 = 2250/30 = 75
    // E[s²] = (0 + 625·2 + 2500·2 + 5625·12 + 10000·12)/30 = (1250 + 5000 + 67500 + 120000)/30 = 6458.333…
    // var = 6458.333 − 75² = 833.333; half = 1.645·sqrt(833.333/31) = 1.645·5.18476 = 8.52893
    const r = temperature([0, 0, 0, 10, 10], UNIFORM);
    expect(r.temperature).toBeCloseTo(75, 12);
    expect(r.low).toBeCloseTo(66.47107, 4);
    expect(r.high).toBeCloseTo(83.52893, 4);
    expect(r.n).toBe(20);
    expect(r.band).toBe('mild');
  });

  it('an empty unit equals the prior mean exactly; uniform → 50 [32.46, 67.54] cold', () => {
    // q = π, T = (0 + 25 + 50 + 75 + 100)/5 = 50.  E[s²] = (0 + 625 + 2500 + 5625 + 10000)/5 = 3750.
    // var = 3750 − 2500 = 1250; half = 1.645·sqrt(1250/11) = 1.645·10.66004 = 17.53576
    const r = temperature([0, 0, 0, 0, 0], UNIFORM);
    expect(r.temperature).toBe(50);
    expect(r.low).toBeCloseTo(32.46424, 4);
    expect(r.high).toBeCloseTo(67.53576, 4);
    expect(r.n).toBe(0);
    expect(r.band).toBe('cold');
    // With a parent prior the empty unit reads the parent's mean: π = [1,1,2,6,10]/20 → 78.75 (see next case).
    expect(temperature([0, 0, 0, 0, 0], priorFrom([1, 1, 2, 6, 10])).temperature).toBeCloseTo(78.75, 12);
  });

  it('a unit shrunk toward its parent → 74.375 [62.25, 86.50] mild', () => {
    // Parent [1,1,2,6,10] (20 ratings) → π = (0.05, 0.05, 0.10, 0.30, 0.50), parent mean
    //   = 25·0.05 + 50·0.10 + 75·0.30 + 100·0.50 = 1.25 + 5 + 22.5 + 50 = 78.75.
    // Unit n = (2, 0, 1, 2, 5), N = 10; M·π = (0.5, 0.5, 1, 3, 5); q = (2.5, 0.5, 2, 5, 10)/20.
    // T = (0·2.5 + 25·0.5 + 50·2 + 75·5 + 100·10)/20 = (12.5 + 100 + 375 + 1000)/20 = 1487.5/20 = 74.375
    //   (its own sample mean is (0·2 + 50 + 150 + 500)/10 = 70; the parent pulls it up).
    // E[s²] = (625·0.5 + 2500·2 + 5625·5 + 10000·10)/20 = (312.5 + 5000 + 28125 + 100000)/20 = 6671.875
    // var = 6671.875 − 74.375² = 6671.875 − 5531.640625 = 1140.234375; /21 = 54.296875
    // half = 1.645·sqrt(54.296875) = 1.645·7.368641 = 12.121415
    const r = temperature([2, 0, 1, 2, 5], priorFrom([1, 1, 2, 6, 10]));
    expect(meanPoints([2, 0, 1, 2, 5])).toBe(70);
    expect(r.temperature).toBeCloseTo(74.375, 12);
    expect(r.low).toBeCloseTo(62.253585, 5);
    expect(r.high).toBeCloseTo(86.496415, 5);
    expect(r.band).toBe('mild');
  });

  it('clamps the interval at 100: one grade-1 rating under an all-5 parent → 90.91 [77.26, 100] warm', () => {
    // π = (0,0,0,0,1); n = (1,0,0,0,0); q = (1, 0, 0, 0, 10)/11.
    // T = 1000/11 = 90.9091; E[s²] = 100000/11 = 9090.909; var = 9090.909 − 8264.463 = 826.446
    // half = 1.645·sqrt(826.446/12) = 1.645·8.29885 = 13.65161 → high 104.56, clamped to 100.
    const r = temperature([1, 0, 0, 0, 0], priorFrom([0, 0, 0, 0, 1]));
    expect(r.temperature).toBeCloseTo(1000 / 11, 12);
    expect(r.low).toBeCloseTo(77.257521, 5);
    expect(r.high).toBe(100);
    expect(r.band).toBe('warm');
  });

  it('refuses corrupted input instead of publishing a number', () => {
    expect(() => temperature([-1, 0, 0, 0, 0], UNIFORM)).toThrow(RangeError);
    expect(() => temperature([NaN, 0, 0, 0, 0], UNIFORM)).toThrow(RangeError);
    expect(() => temperature([1, 0, 0, 0, 0], UNIFORM, 0)).toThrow(RangeError);
  });
});

describe('temperature — properties', () => {
  it('lies in [0, 100] with low ≤ temperature ≤ high inside [0, 100]', () => {
    fc.assert(
      fc.property(counts, prior, (c, pi) => {
        const r = temperature(c, pi);
        expect(r.temperature).toBeGreaterThanOrEqual(0);
        expect(r.temperature).toBeLessThanOrEqual(100);
        expect(r.low).toBeGreaterThanOrEqual(0);
        expect(r.high).toBeLessThanOrEqual(100);
        expect(r.low).toBeLessThanOrEqual(r.temperature);
        expect(r.temperature).toBeLessThanOrEqual(r.high);
        expect(r.n).toBeCloseTo(sumCounts(c), 9);
        expect(r.band).toBe(bandOf(r.temperature));
      }),
    );
  });

  it('with no ratings equals the prior mean Σ s_k π_k', () => {
    fc.assert(
      fc.property(prior, (pi) => {
        expect(temperature([0, 0, 0, 0, 0], pi).temperature).toBeCloseTo(priorMean(pi), 10);
      }),
    );
  });

  it('with many ratings approaches the sample mean (within 0.01)', () => {
    const someRatings = fc
      .tuple(...Array.from({ length: 5 }, () => fc.integer({ min: 0, max: 50 })))
      .filter((c) => sumCounts(c) > 0) as fc.Arbitrary<TGradeCounts>;
    fc.assert(
      fc.property(someRatings, prior, (c, pi) => {
        const many = scaleCounts(c, 1e6);
        expect(Math.abs(temperature(many, pi).temperature - meanPoints(many)!)).toBeLessThan(0.01);
      }),
    );
  });

  it('one better rating never scores lower than one worse rating', () => {
    const twoGrades = fc.tuple(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 5 })).filter(([i, j]) => i < j);
    fc.assert(
      fc.property(counts, prior, twoGrades, (c, pi, [worse, better]) => {
        const tBetter = temperature(addCounts(c, unit(better)), pi).temperature;
        const tWorse = temperature(addCounts(c, unit(worse)), pi).temperature;
        expect(tBetter).toBeGreaterThan(tWorse); // strictly: the difference is (s_j − s_i)/(N + M + 1) > 0
      }),
    );
  });

  it('adding a grade-5 rating never lowers the temperature', () => {
    fc.assert(
      fc.property(counts, prior, (c, pi) => {
        expect(temperature(addCounts(c, unit(5)), pi).temperature).toBeGreaterThanOrEqual(temperature(c, pi).temperature - 1e-9);
      }),
    );
  });
});

describe('decay', () => {
  it("halves a day's weight every 30 days and drops days beyond 365", () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: MAX_AGE_DAYS - 30, noNaN: true }), (a) => {
        expect(Math.abs(dayWeight(a + 30) - dayWeight(a) / 2)).toBeLessThan(1e-12);
      }),
    );
    expect(dayWeight(0)).toBe(1);
    expect(dayWeight(30)).toBeCloseTo(0.5, 14);
    expect(dayWeight(365)).toBeGreaterThan(0);
    expect(dayWeight(365.5)).toBe(0);
    expect(dayWeight(366)).toBe(0);
    expect(dayWeight(-1)).toBe(0);
    expect(dayWeight(Infinity)).toBe(0);
  });

  it('the nightly recurrence equals the direct 365-day sum over 500 random days (1e-9 relative)', () => {
    const day = fc.tuple(
      ...Array.from({ length: 5 }, () => fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 200 }))),
    ) as fc.Arbitrary<TGradeCounts>;
    fc.assert(
      fc.property(fc.array(day, { minLength: 500, maxLength: 500 }), (days) => {
        let v: TGradeCounts = [0, 0, 0, 0, 0];
        for (let t = 0; t < days.length; t++) {
          v = decayStep(v, days[t], days[t - 366] ?? [0, 0, 0, 0, 0]);
          if (t % 50 === 49 || t === days.length - 1) {
            const byAge = days.slice(0, t + 1).reverse(); // byAge[a] = day t − a
            const direct = decayedSum(byAge, 5);
            for (let k = 0; k < 5; k++) expect(Math.abs(v[k] - direct[k])).toBeLessThanOrEqual(1e-9 * Math.max(1, direct[k]));
          }
        }
      }),
      { numRuns: 20 },
    );
  });

  it('decays any vector the same way and never goes negative', () => {
    // A single rating on day 0, followed across its whole life: weight δ^t, then exactly 0 once it leaves.
    let v = [0, 0];
    const history: number[][] = [[1, 3]];
    for (let t = 0; t <= 400; t++) {
      v = decayVector(v, history[t] ?? [0, 0], history[t - 366] ?? [0, 0]);
      if (t <= MAX_AGE_DAYS) expect(v[0]).toBeCloseTo(dayWeight(t), 12);
      else expect(v).toEqual([0, 0]);
      expect(v.every((x) => x >= 0)).toBe(true);
    }
    expect(() => decayVector([0], [0, 0], [0])).toThrow(RangeError);
  });
});

describe('prior', () => {
  it('normalises the parent, falls back to uniform when missing or empty', () => {
    expect(priorFrom([1, 1, 2, 6, 10])).toEqual([0.05, 0.05, 0.1, 0.3, 0.5]);
    expect(priorFrom([0, 0, 0, 0, 0])).toEqual([0.2, 0.2, 0.2, 0.2, 0.2]);
    expect(priorFrom(undefined)).toEqual([0.2, 0.2, 0.2, 0.2, 0.2]);
    fc.assert(
      fc.property(counts, (c) => {
        expect(sumCounts(priorFrom(c))).toBeCloseTo(1, 12);
      }),
    );
  });
});

describe('Wilson interval', () => {
  it('golden: 80/100 at z = 1.645 → [0.72669, 0.85750]', () => {
    // z² = 2.706025; z²/n = 0.02706025; denominator = 1 + 0.02706025 = 1.02706025
    // centre = (0.8 + 0.02706025/2)/1.02706025 = 0.813530125/1.02706025 = 0.792096
    // half = 1.645·sqrt(0.8·0.2/100 + 2.706025/(4·100²))/1.02706025
    //      = 1.645·sqrt(0.0016 + 0.0000676506)/1.02706025 = 1.645·0.0408369/1.02706025 = 0.0654067
    const r = wilson(80, 100);
    expect(r.rate).toBe(0.8);
    expect(r.low).toBeCloseTo(0.726689, 5);
    expect(r.high).toBeCloseTo(0.857503, 5);
  });

  it('says "no data" with nulls, never 0%', () => {
    expect(wilson(0, 0)).toEqual({ rate: null, low: null, high: null });
  });

  it('handles the edges 0/n and n/n', () => {
    // 0/10: centre = (z²/2n)/(1 + z²/n) = half, so low = 0; high = 2·0.135303/1.270603 = 0.212972
    expect(wilson(0, 10)).toEqual({ rate: 0, low: 0, high: expect.closeTo(0.212972, 5) });
    expect(wilson(10, 10)).toEqual({ rate: 1, low: expect.closeTo(0.787028, 5), high: 1 });
  });

  it('contains the rate and lies in [0, 1], for fractional (decayed) totals too', () => {
    const pair = fc
      .tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 1e-6, max: 1e7, noNaN: true }))
      .map(([f, total]) => [f * total, total] as const);
    fc.assert(
      fc.property(pair, ([s, total]) => {
        const r = wilson(s, total);
        expect(r.low!).toBeGreaterThanOrEqual(0);
        expect(r.high!).toBeLessThanOrEqual(1);
        expect(r.low!).toBeLessThanOrEqual(r.rate! + 1e-12);
        expect(r.rate!).toBeLessThanOrEqual(r.high! + 1e-12);
      }),
    );
  });
});

describe('CUSUM alerts', () => {
  it('p1 doubles the odds of p0', () => {
    fc.assert(
      fc.property(fc.double({ min: 0.001, max: 0.999, noNaN: true }), (p0) => {
        const p1 = oddsDoubled(p0);
        expect(p1 / (1 - p1)).toBeCloseTo((2 * p0) / (1 - p0), 6);
      }),
    );
  });

  it('golden sequence at p0 = 0.05: alarms on the fifth day, then restarts', () => {
    // p1 = 0.1/1.05 = 0.0952381; ln(p1/p0) = ln(1.9047619) = 0.6443570
    // ln((1 − p1)/(1 − p0)) = ln(0.9047619/0.95) = ln(0.9523810) = −0.0487902
    const up = 0.644357016;
    const down = -0.048790164;
    const days: [number, number, number, boolean][] = [
      // x, n, expected S, alarm
      [3, 20, 3 * up + 17 * down, false], //  1.933071 − 0.829433 = 1.103638
      [0, 20, 1.103638 + 20 * down, false], // 1.103638 − 0.975803 = 0.127835
      [0, 20, 0, false], //                    0.127835 − 0.975803 < 0 → 0
      [5, 20, 5 * up + 15 * down, false], //   3.221785 − 0.731852 = 2.489933
      [4, 10, 0, true], //                     2.489933 + (2.577428 − 0.292741) = 4.774620 > 4 → alarm, reset
      [0, 0, 0, false], //                     no ratings: S unchanged
    ];
    let s = 0;
    for (const [x, n, expected, alarm] of days) {
      const r = cusumStep(s, x, n, 0.05);
      expect(r.alarm).toBe(alarm);
      expect(r.s).toBeCloseTo(expected, 5);
      s = r.s;
    }
  });

  it('S is never negative and never above the threshold after a step', () => {
    const day = fc.integer({ min: 0, max: 60 }).chain((n) => fc.tuple(fc.integer({ min: 0, max: n }), fc.constant(n)));
    fc.assert(
      fc.property(fc.double({ min: 0, max: 1, noNaN: true }), fc.array(day, { maxLength: 60 }), (p0, days) => {
        let s = 0;
        for (const [x, n] of days) {
          const r = cusumStep(s, x, n, p0);
          expect(r.s).toBeGreaterThanOrEqual(0);
          expect(r.s).toBeLessThanOrEqual(4);
          s = r.s;
        }
      }),
    );
  });

  it('shrinks the baseline toward the parent and guards it into [0.001, 0.999]', () => {
    // (2 + 10·0.10)/(20 + 10) = 3/30 = 0.1
    expect(shrunkBadShare(2, 20, 0.1)).toBeCloseTo(0.1, 12);
    // no history → the parent's share
    expect(shrunkBadShare(0, 0, 0.04)).toBeCloseTo(0.04, 12);
    expect(shrunkBadShare(0, 1e6, 0)).toBe(0.001);
    expect(shrunkBadShare(1e6, 1e6, 1)).toBe(0.999);
    expect(() => cusumStep(0, 3, 2, 0.05)).toThrow(RangeError);
  });
});
