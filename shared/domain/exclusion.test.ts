import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isExcluded } from './exclusion.js';

const by = { by: 'u-sup', at: '2026-07-02T09:00:00.000Z' };

describe('isExcluded', () => {
  it('counts an unflagged rating and leaves out a flagged one', () => {
    expect(isExcluded({})).toBe(false);
    expect(isExcluded({ flags: [] })).toBe(false);
    expect(isExcluded({ flags: ['identical-run'] })).toBe(true);
  });
  it('a cleared flag counts; a confirmed or appealed-and-upheld rating is left out, flagged or not', () => {
    expect(isExcluded({ flags: ['device-burst'], decision: { review: 'cleared', ...by } })).toBe(false);
    expect(isExcluded({ decision: { review: 'confirmed', ...by } })).toBe(true);
    expect(isExcluded({ decision: { appeal: 'upheld', ...by } })).toBe(true);
    expect(isExcluded({ flags: ['outside-hours'], decision: { review: 'cleared', appeal: 'upheld', ...by } })).toBe(true);
  });
  it('is the rule for every combination', () => {
    const review = fc.constantFrom(undefined, 'confirmed' as const, 'cleared' as const);
    const appeal = fc.constantFrom(undefined, 'upheld' as const);
    fc.assert(
      fc.property(fc.boolean(), review, appeal, (flagged, rv, ap) => {
        const decision = rv || ap ? { review: rv, appeal: ap, ...by } : undefined;
        const expected = (flagged && rv !== 'cleared') || rv === 'confirmed' || ap === 'upheld';
        expect(isExcluded({ flags: flagged ? ['identical-run'] : undefined, decision })).toBe(expected);
      }),
    );
  });
});
