import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { TRating } from '../domain/model.js';
import { addDays } from '../domain/time.js';
import { daySummary, storedInsight } from './insight-days.js';
import { episodeDrivers, mergeDrivers, mergeInsights, readInsight, summarise, type TDayInsight } from './insights.js';

const FIRST = '2026-11-14';
const DAYS = 5;
const COMMENTS = ['排队等了一个多小时，窗口只开了两个', '材料要求前后说法不一样，跑了三趟', '工作人员态度很差', 'slow queue again', ''];
const REASONS = ['wait_long', 'rude', 'more_documents', 'patient', 'c_queue_ticket', 'not_a_tag'];

/** A rating of one of DAYS days, at an instant from a small set (so ties in time happen), in index order later. */
const arbRating = fc.record({
  day: fc.integer({ min: 0, max: DAYS - 1 }),
  minute: fc.constantFrom(0, 30, 555, 556, 900, 1439, 1500),
  overall: fc.integer({ min: 1, max: 5 }),
  windowId: fc.constantFrom('w1', 'w2', 'w3', 'w10'),
  reasons: fc.option(fc.subarray(REASONS), { nil: undefined }),
  comment: fc.option(fc.constantFrom(...COMMENTS), { nil: undefined }),
});

type TRow = typeof arbRating extends fc.Arbitrary<infer T> ? T : never;

function ratingsOf(rows: TRow[]): TRating[] {
  const out = rows.map((x, i) => {
    const day = addDays(FIRST, x.day);
    return {
      ratingId: `r${String(i).padStart(3, '0')}`,
      channel: 'ticket' as const,
      hallId: 'h',
      windowId: x.windowId,
      day,
      // the local day's instants and a few just past its end (a visit late in the evening, UTC)
      createdAt: new Date(Date.parse(`${day}T00:00:00Z`) + x.minute * 60_000).toISOString(),
      overall: x.overall,
      reasons: x.reasons,
      comment: x.comment,
    };
  });
  // the order a hall's ratings come back in: day by day, each day by the index's sort key (time, then id)
  return out.sort((a, b) => a.day.localeCompare(b.day) || `${a.createdAt}#${a.ratingId}`.localeCompare(`${b.createdAt}#${b.ratingId}`));
}

const summariesOf = (ratings: TRating[], tz: string): TDayInsight[] =>
  Array.from({ length: DAYS }, (_, i) => addDays(FIRST, i)).map(
    (d) =>
      readInsight(
        storedInsight(
          daySummary(
            ratings.filter((r) => r.day === d),
            tz,
            d,
          ),
        ),
        d,
      )!,
  );

describe('a hall page from nightly day summaries', () => {
  it('gives exactly the insights and episode drivers that recomputing them from the ratings gives', () => {
    const last = addDays(FIRST, DAYS - 1);
    fc.assert(
      fc.property(
        fc.array(arbRating, { maxLength: 60 }),
        fc.constantFrom('Asia/Shanghai', 'Asia/Kathmandu', 'America/St_Johns'),
        fc.integer({ min: 0, max: DAYS - 1 }),
        fc.integer({ min: 0, max: DAYS + 2 }),
        (rows, tz, start, length) => {
          const ratings = ratingsOf(rows);
          const days = summariesOf(ratings, tz); // each stored and read back as the page reads it
          expect(mergeInsights(days, FIRST, last)).toEqual(summarise(ratings, tz, FIRST, last));
          const from = addDays(FIRST, start - 1);
          const to = addDays(from, length);
          expect(mergeDrivers(days, from, to)).toEqual(episodeDrivers(ratings, tz, from, to));
        },
      ),
      { numRuns: 150 },
    );
  });

  it('keeps 20 comments at most per day and stores nothing too large to keep (that day is read from ratings)', () => {
    const many: TRating[] = Array.from({ length: 30 }, (_, i) => ({
      ratingId: `m${i}`,
      channel: 'ticket',
      hallId: 'h',
      windowId: 'w1',
      day: FIRST,
      createdAt: `${FIRST}T0${i % 10}:00:00.000Z`,
      overall: 1,
      reasons: ['wait_long'],
      comment: `排队${i}`.repeat(i === 29 ? 20_000 : 1),
    }));
    const s = daySummary(many, 'Asia/Shanghai', FIRST);
    expect(s.comments).toHaveLength(20);
    expect(s.themes).toEqual([['wait_long', 30, Array.from({ length: 30 }, (_, i) => i)]]);
    expect(storedInsight(s)).toBeUndefined();
    expect(storedInsight(daySummary(many.slice(0, 29), 'Asia/Shanghai', FIRST))).toBeDefined();
    expect(readInsight('{"day":"2026-11-14"}', FIRST)).toBeUndefined(); // not a summary: recomputed, never shown half
    const small = storedInsight(daySummary(many.slice(0, 3), 'Asia/Shanghai', FIRST));
    expect(readInsight(small, FIRST)?.grades).toEqual([3, 0, 0, 0, 0]);
    expect(readInsight(small, addDays(FIRST, 1))).toBeUndefined(); // another day's summary is never taken for this one
  });
});
