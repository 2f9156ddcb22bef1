import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fitRange } from './range.js';

describe('trend y-axis', () => {
  it('fits a 13-point fall and its band instead of 0–100', () => {
    expect(fitRange({ lo: [79.5, 70, 66.1], hi: [85.7, 78, 73.1] })).toEqual([60, 90]);
  });

  it('always holds every low and high, stays within 0–100 and is at least 20 points tall', () => {
    const pt = fc.tuple(fc.double({ min: 0, max: 100, noNaN: true }), fc.double({ min: 0, max: 30, noNaN: true }));
    fc.assert(
      fc.property(fc.array(pt, { minLength: 1, maxLength: 30 }), (xs) => {
        const lo = xs.map(([t, h]) => Math.max(0, t - h));
        const hi = xs.map(([t, h]) => Math.min(100, t + h));
        const [min, max] = fitRange({ lo, hi });
        return min >= 0 && max <= 100 && max - min >= 20 && lo.every((x) => x >= min) && hi.every((x) => x <= max);
      }),
    );
    expect(fitRange({ lo: [], hi: [] })).toEqual([0, 100]);
  });
});
