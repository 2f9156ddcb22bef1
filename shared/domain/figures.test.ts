import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DIMENSION_MIN_N, shownDimension, temperatureChange } from './figures.js';

describe('dimension display rule', () => {
  it('shows a dimension only with enough answers of its own; otherwise only how few', () => {
    expect(shownDimension({ temperature: 80, low: 66, high: 93.9, n: 0 })).toEqual({ temperature: null, low: null, high: null, n: 0 });
    expect(shownDimension({ temperature: 80, low: 66, high: 93.9, n: 4.9 }).temperature).toBeNull();
    expect(shownDimension({ temperature: 72, low: 65, high: 79, n: DIMENSION_MIN_N })).toEqual({
      temperature: 72,
      low: 65,
      high: 79,
      n: 5,
    });
  });
});

describe('temperature change over 30 days', () => {
  it('calls a 13-point fall with tight intervals real, and a 2-point wobble with wide ones noise', () => {
    expect(
      temperatureChange({ temperature: 69.6, low: 66.1, high: 73.1, n: 300 }, { temperature: 82.6, low: 79.5, high: 85.7, n: 300 }),
    ).toEqual({ change: -13, beyondNoise: true });
    expect(
      temperatureChange({ temperature: 70, low: 60, high: 80, n: 20 }, { temperature: 72, low: 62, high: 82, n: 20 }).beyondNoise,
    ).toBe(false);
  });

  it('is symmetric: swapping the days flips the sign and keeps the verdict', () => {
    const fig = fc.record({ t: fc.double({ min: 0, max: 100, noNaN: true }), h: fc.double({ min: 0.1, max: 20, noNaN: true }) });
    const f = (x: { t: number; h: number }) => ({ temperature: x.t, low: x.t - x.h, high: x.t + x.h, n: 50 });
    fc.assert(
      fc.property(fig, fig, (a, b) => {
        const ab = temperatureChange(f(a), f(b));
        const ba = temperatureChange(f(b), f(a));
        return Math.abs(ab.change + ba.change) <= 0.011 && ab.beyondNoise === ba.beyondNoise;
      }),
    );
  });
});
