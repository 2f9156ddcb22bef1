/** The rating put's one-pass item builder must write exactly the item the generic marshaller would. */
import { marshall } from '@aws-sdk/util-dynamodb';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { TRating } from '../domain/model.js';
import { openCaseAttributes } from './cases.js';
import * as keys from './keys.js';
import { itemToRating, RATING_FIELDS, ratingToItem } from './ratings.js';

const id = fc.stringMatching(/^[A-Za-z0-9_-]{1,20}$/);
const maybe = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined });
const grade = fc.integer({ min: 1, max: 5 });
const rating = fc.record({
  ratingId: id,
  channel: fc.constantFrom('ticket', 'placard', 'link'),
  hallId: id,
  windowId: id,
  serviceId: maybe(id),
  ticketId: maybe(id),
  createdAt: fc.integer({ min: 1.6e12, max: 1.9e12 }).map((t) => new Date(t).toISOString()),
  day: fc.constantFrom('2026-11-30', '2026-12-01'),
  overall: grade,
  attitude: maybe(grade),
  efficiency: maybe(grade),
  competence: maybe(grade),
  trips: maybe(fc.constantFrom(1, 2, 3)),
  done: maybe(fc.constantFrom('yes', 'partly', 'no')),
  reasons: maybe(fc.array(fc.constantFrom('wait_long', 'rude', 'fast'), { maxLength: 3 })),
  comment: maybe(fc.string({ maxLength: 20 })),
  phoneEnc: maybe(fc.string({ minLength: 1, maxLength: 30 })),
  phoneMasked: maybe(fc.constant('138****0000')),
  lang: maybe(fc.constantFrom('zh', 'en')),
  submissionId: maybe(id),
  deviceHash: maybe(id),
  netHash: maybe(id),
  lag: maybe(fc.integer({ min: 0, max: 600_000 })),
  surveyVersion: maybe(id),
  extra: maybe(fc.dictionary(fc.constantFrom('q1', 'q2'), fc.constantFrom('a', 'b'))),
}) as unknown as fc.Arbitrary<TRating>;

/** The item as it was built before: one object of the case, the keys and every kept field, then the SDK's marshall. */
function reference(r: TRating, extra?: Record<string, unknown>) {
  const body: Record<string, unknown> = {
    ...extra,
    ...keys.rating(r.ratingId),
    ...keys.hallDayIndex(r.hallId, r.day, r.createdAt, r.ratingId),
  };
  for (const [field, attr] of Object.entries(RATING_FIELDS)) {
    const v = r[field as keyof typeof RATING_FIELDS];
    if (v !== undefined && !(Array.isArray(v) && v.length === 0) && v !== '') body[attr] = v;
  }
  return marshall(body, { removeUndefinedValues: true });
}

describe('ratingToItem', () => {
  it('writes the item the SDK would marshal from the rating, its keys and a case, in the same order', () => {
    fc.assert(
      fc.property(rating, fc.boolean(), (r, bad) => {
        const extra = bad
          ? openCaseAttributes({ hallId: r.hallId, contactDue: r.createdAt, rectifyDue: r.createdAt }, `r-${r.hallId}`)
          : undefined;
        const item = ratingToItem(r, extra);
        const want = reference(r, extra);
        expect(item).toEqual(want);
        expect(Object.keys(item)).toEqual(Object.keys(want));
        expect(itemToRating(item).ratingId).toBe(r.ratingId);
      }),
      { numRuns: 300 },
    );
  });
});
