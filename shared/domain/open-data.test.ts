import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isExcluded } from './exclusion.js';
import type { TRating } from './model.js';
import {
  PUBLIC_RATING_COLUMNS,
  PUBLIC_RATINGS_HEADER,
  RATING_FIELD_PUBLICITY,
  exclusionReason,
  localHour,
  publicRatingRow,
} from './open-data.js';

/** A rating with every field set, the private ones to values that must never appear in a public row. */
const full: Required<TRating> = {
  ratingId: 'r-1',
  channel: 'ticket',
  hallId: 'h-1',
  windowId: 'w1',
  serviceId: 's1',
  ticketId: 'SECRET-ticket',
  createdAt: '2026-11-20T02:34:56.789Z',
  day: '2026-11-20',
  overall: 2,
  attitude: 1,
  efficiency: 2,
  competence: 3,
  trips: 2,
  done: 'no',
  reasons: ['rude', 'wait_long'],
  comment: 'SECRET-comment 13812345678',
  phoneEnc: 'SECRET-enc',
  phoneMasked: 'SECRET-138****5678',
  lang: 'en',
  submissionId: 'SECRET-submission',
  deviceHash: 'SECRET-device',
  netHash: 'SECRET-net',
  lag: 987654321,
  surveyVersion: 'v3',
  extra: { SECRET_q: 'SECRET-a' },
  flags: ['identical-run'],
  decision: { review: 'cleared', by: 'SECRET-user', at: '2026-11-21T00:00:00.000Z', reason: 'SECRET-reason' },
};
const ctx = { hourOf: (r: TRating) => localHour(r.createdAt, 'Asia/Shanghai') };

describe('open data: the declared public rating fields', () => {
  it('every column reads only fields declared public or derived (a proxy records every field a row touches)', () => {
    const declared = new Set(PUBLIC_RATING_COLUMNS.flatMap((c) => c.from));
    for (const f of declared) expect(RATING_FIELD_PUBLICITY[f]).not.toBe('private');
    for (const column of PUBLIC_RATING_COLUMNS) {
      const touched = new Set<string>();
      const spy = new Proxy(full, { get: (t, k) => (touched.add(String(k)), t[k as keyof TRating]) });
      column.get(spy, { hourOf: (r) => ctx.hourOf(r) });
      expect(
        [...touched].filter((k) => !(column.from as readonly string[]).includes(k)),
        column.name,
      ).toEqual([]);
    }
  });

  it('a row carries no private value, and the header is the declared list', () => {
    const row = publicRatingRow(full, ctx);
    expect(row).not.toMatch(/SECRET|1381234|34:56|987654321/);
    expect(row.split(',')).toHaveLength(PUBLIC_RATING_COLUMNS.length);
    expect(PUBLIC_RATINGS_HEADER).toBe(
      'rating_id,hall,day,hour,window,service,channel,overall,attitude,efficiency,competence,' +
        'trips,done,reasons,excluded,survey_version',
    );
    expect(row).toBe('r-1,h-1,2026-11-20,10,w1,s1,ticket,2,1,2,3,2,no,rude|wait_long,,v3');
  });

  it('every private field is one a resident or staff typed, a device gave, or that would narrow down who rated when', () => {
    const priv = Object.entries(RATING_FIELD_PUBLICITY)
      .filter(([, v]) => v === 'private')
      .map(([k]) => k);
    const expected = ['comment', 'deviceHash', 'extra', 'lag', 'lang', 'netHash', 'phoneEnc', 'phoneMasked', 'submissionId', 'ticketId'];
    expect(priv.sort()).toEqual(expected);
  });

  it('the published reason for leaving a rating out is exactly the exclusion rule', () => {
    const by = { by: 'u', at: '2026-01-01T00:00:00.000Z' };
    const review = fc.constantFrom(undefined, 'confirmed' as const, 'cleared' as const);
    const appeal = fc.constantFrom(undefined, 'upheld' as const);
    fc.assert(
      fc.property(fc.boolean(), review, appeal, (flagged, rv, ap) => {
        const r = { flags: flagged ? ['device-burst'] : [], decision: rv || ap ? { review: rv, appeal: ap, ...by } : undefined };
        expect(exclusionReason(r) !== '').toBe(isExcluded(r));
      }),
    );
    expect(exclusionReason({ flags: ['x'], decision: { appeal: 'upheld', ...by } })).toBe('upheld_appeal');
  });

  it('the hour is hall-local', () => {
    expect(localHour('2026-11-20T16:30:00.000Z', 'Asia/Shanghai')).toBe(0);
    expect(localHour('2026-11-20T15:59:59.000Z', 'Asia/Shanghai')).toBe(23);
    expect(localHour('2026-11-20T15:59:59.000Z', 'UTC')).toBe(15);
  });
});
