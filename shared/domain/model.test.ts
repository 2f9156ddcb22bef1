import * as z from 'zod/mini';
import { describe, expect, it } from 'vitest';
import { REASON_TAGS, reasonsForGrade } from './grades.js';
import { ZRatingInput } from './model.js';
import { NATIONAL_DEFAULT, answerProblems } from './survey.js';
import { localDay } from './time.js';

/** Accepted: the schema, then the survey definition it answers (which tags fit which grade is the definition's). */
const ok = (v: unknown) => {
  const r = z.safeParse(ZRatingInput, v);
  return r.success && answerProblems(NATIONAL_DEFAULT, r.data).length === 0;
};
const ticket = 'T.k1.abcdefgh.h.w.-.1.sig';

describe('rating input', () => {
  it('needs a reason for grades 1–2 only', () => {
    expect(ok({ ticket, overall: 2 })).toBe(false);
    expect(ok({ ticket, overall: 2, reasons: ['rude'] })).toBe(true);
    expect(ok({ ticket, overall: 3 })).toBe(true);
    expect(ok({ ticket, overall: 5 })).toBe(true);
  });
  it('only accepts reasons that fit the grade', () => {
    for (const g of [1, 2, 3, 4, 5])
      for (const tag of REASON_TAGS)
        expect(ok({ ticket, overall: g, reasons: [tag] }), `${g} ${tag}`).toBe(reasonsForGrade(g).includes(tag));
  });
  it('bounds every field', () => {
    expect(ok({ ticket, overall: 0 })).toBe(false);
    expect(ok({ ticket, overall: 4.5 })).toBe(false);
    expect(ok({ ticket, overall: 4, attitude: 6 })).toBe(false);
    expect(ok({ ticket, overall: 4, done: 'maybe' })).toBe(false);
    expect(ok({ ticket, overall: 4, comment: '好'.repeat(500) })).toBe(true);
    expect(ok({ ticket, overall: 4, comment: '好'.repeat(501) })).toBe(false);
    expect(ok({ ticket, overall: 4, submissionId: 'short' })).toBe(false);
  });
});

describe('hall-local day', () => {
  it("uses the hall's calendar, not UTC", () => {
    expect(localDay(Date.parse('2026-11-20T15:59:59Z'), 'Asia/Shanghai')).toBe('2026-11-20');
    expect(localDay(Date.parse('2026-11-20T16:00:00Z'), 'Asia/Shanghai')).toBe('2026-11-21');
  });
});
