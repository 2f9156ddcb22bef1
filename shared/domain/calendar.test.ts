import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import cd from 'chinese-days';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  NATIONAL_YEARS,
  addDays,
  addWorkingDays,
  calendarCoverage,
  effectiveCalendar,
  isNationalWorkingDay,
  isWorkingDay,
  localInstant,
  nthWorkingDayAfter,
  pushDeadline,
  uncoveredYears,
  workingDaysBetween,
  type TCalendarOverride,
} from './calendar.js';
import { localDay } from './time.js';

const hall = { timezone: 'Asia/Shanghai', openingHours: { open: '08:30', close: '17:30' } };
const national = effectiveCalendar(['street', 'district', 'city']);
const require = createRequire(import.meta.url);

describe('national calendar (2026 notice, 国办发明电)', () => {
  it('pins the published dates', () => {
    for (const d of [
      '2026-02-15',
      '2026-02-16',
      '2026-02-20',
      '2026-02-23',
      '2026-10-01',
      '2026-10-05',
      '2026-10-07',
      '2026-01-01',
      '2026-05-05',
    ])
      expect(isWorkingDay(d, national), d).toBe(false);
    // 调休: Saturdays and a Sunday that are working days
    for (const d of ['2026-02-14', '2026-02-28', '2026-09-20', '2026-10-10', '2026-01-04', '2026-05-09'])
      expect(isWorkingDay(d, national), d).toBe(true);
    expect(isWorkingDay('2026-02-24', national)).toBe(true); // first day back after 春节
    expect(isWorkingDay('2026-10-08', national)).toBe(true);
    expect(isWorkingDay('2026-12-05', national)).toBe(false); // an ordinary Saturday
  });

  it("agrees with the package's own isWorkday on every day of the covered years", () => {
    for (const year of Object.keys(NATIONAL_YEARS)) {
      for (let d = `${year}-01-01`; d <= `${year}-12-31`; d = addDays(d, 1)) expect(isNationalWorkingDay(d), d).toBe(cd.isWorkday(d));
    }
  });

  it('imports every recent year the package carries (fails after an upgrade until the new year is imported)', () => {
    const all = JSON.parse(readFileSync(require.resolve('chinese-days/dist/chinese-days.json'), 'utf8')) as {
      holidays: Record<string, string>;
    };
    const years = new Set(
      Object.keys(all.holidays)
        .map((d) => Number(d.slice(0, 4)))
        .filter((y) => y >= 2025),
    );
    expect([...years].sort()).toEqual(Object.keys(NATIONAL_YEARS).map(Number));
  });

  it('falls back to weekends only for 2027 and says so', () => {
    expect(calendarCoverage(2026).official).toBe(true);
    const c = calendarCoverage(2027);
    expect(c.official).toBe(false);
    expect(c.en).toMatch(/No official schedule loaded for 2027/);
    expect(isWorkingDay('2027-01-01', national)).toBe(true); // a Friday: no official 元旦 yet — hence the warning
    expect(isWorkingDay('2027-01-02', national)).toBe(false);
    expect(uncoveredYears('2026-12-01', '2027-01-31')).toEqual([2027]);
  });
});

describe('region overrides', () => {
  const overrides: TCalendarOverride[] = [
    { regionId: 'city', day: '2026-12-07', kind: 'closed', note: 'city closure' },
    { regionId: 'district', day: '2026-12-07', kind: 'open', note: 'district opens anyway' },
    { regionId: 'city', day: '2026-12-08', kind: 'closed', note: 'city only' },
    { regionId: 'other', day: '2026-12-09', kind: 'closed', note: 'elsewhere' },
  ];
  it('inherits down the tree, nearest wins', () => {
    const cal = effectiveCalendar(['street', 'district', 'city'], overrides);
    expect(isWorkingDay('2026-12-07', cal)).toBe(true);
    expect(isWorkingDay('2026-12-08', cal)).toBe(false);
    expect(isWorkingDay('2026-12-09', cal)).toBe(true);
    expect(isWorkingDay('2026-12-07', effectiveCalendar(['city'], overrides))).toBe(false);
  });
  it('inherits deadline settings field by field', () => {
    const cal = effectiveCalendar(
      ['street', 'district', 'city'],
      [],
      [
        { regionId: 'city', rectifyDays: 10, escalateDays: 3 },
        { regionId: 'district', rectifyDays: 12 },
        { regionId: 'x', contactDays: 5 },
      ],
    );
    expect(cal.deadlines).toEqual({ contactDays: 1, rectifyDays: 12, escalateDays: 3, appealDays: 5 });
  });
});

describe('deadlines', () => {
  it("end at the hall's closing time in its zone, or 17:00 without hours", () => {
    // Friday 2026-02-13 10:00 Beijing → 1 working day = Saturday 02-14 (调休) 17:30 Beijing = 09:30Z
    expect(addWorkingDays('2026-02-13T02:00:00Z', 1, hall, national)).toBe('2026-02-14T09:30:00.000Z');
    // 2 working days: 02-14 (调休 Saturday), then over 春节 (02-15..23) to Tuesday 02-24
    expect(addWorkingDays('2026-02-13T02:00:00Z', 2, hall, national)).toBe('2026-02-24T09:30:00.000Z');
    expect(addWorkingDays('2026-09-30T02:00:00Z', 1, { timezone: 'Asia/Shanghai' }, national)).toBe('2026-10-08T09:00:00.000Z');
    // a rating at 23:30 Beijing on Monday is Monday there (15:30Z), whatever UTC says
    expect(addWorkingDays('2026-11-30T15:30:00Z', 1, hall, national)).toBe('2026-12-01T09:30:00.000Z');
    expect(() => addWorkingDays('2026-11-30T00:00:00Z', 0, hall, national)).toThrow(RangeError);
  });

  it('handles a zone with daylight saving', () => {
    expect(localInstant('2026-07-01', '17:00', 'Europe/Berlin').toISOString()).toBe('2026-07-01T15:00:00.000Z');
    expect(localInstant('2026-12-01', '17:00', 'Europe/Berlin').toISOString()).toBe('2026-12-01T16:00:00.000Z');
  });

  it('pushes a paused deadline onto a working day', () => {
    // Friday 12-04 17:30 + 1 day → Saturday → Monday 12-07 17:30
    expect(pushDeadline('2026-12-04T09:30:00.000Z', 86_400_000, hall, national)).toBe('2026-12-07T09:30:00.000Z');
    expect(pushDeadline('2026-12-01T09:30:00.000Z', 3_600_000, hall, national)).toBe('2026-12-01T10:30:00.000Z');
  });
});

const dayArb = fc.integer({ min: 0, max: 900 }).map((n) => addDays('2025-01-01', n));
const instantArb = fc.integer({ min: Date.parse('2025-01-01T00:00:00Z'), max: Date.parse('2027-06-30T00:00:00Z') });
const overridesArb = fc.array(
  fc.record({
    regionId: fc.constantFrom('street', 'district', 'city'),
    day: dayArb,
    kind: fc.constantFrom('closed' as const, 'open' as const),
    note: fc.constant(''),
  }),
  { maxLength: 12 },
);

describe('working-day properties', () => {
  it('a deadline never lands on a non-working day and is n working days on', () => {
    fc.assert(
      fc.property(instantArb, fc.integer({ min: 1, max: 20 }), overridesArb, (t, n, o) => {
        const cal = effectiveCalendar(['street', 'district', 'city'], o);
        const due = addWorkingDays(t, n, hall, cal);
        const dueDay = localDay(new Date(due), hall.timezone);
        expect(isWorkingDay(dueDay, cal)).toBe(true);
        expect(Date.parse(due)).toBeGreaterThan(t);
        expect(workingDaysBetween(localDay(t, hall.timezone), dueDay, cal)).toBe(n);
      }),
    );
  });

  it('adding n then m equals adding n + m', () => {
    fc.assert(
      fc.property(instantArb, fc.integer({ min: 1, max: 15 }), fc.integer({ min: 1, max: 15 }), overridesArb, (t, n, m, o) => {
        const cal = effectiveCalendar(
          ['street'],
          o.map((x) => ({ ...x, regionId: 'street' })),
        );
        expect(addWorkingDays(addWorkingDays(t, n, hall, cal), m, hall, cal)).toBe(addWorkingDays(t, n + m, hall, cal));
      }),
    );
  });

  it('an extra closure never moves a deadline earlier, and moves one that spans it by exactly a working day', () => {
    fc.assert(
      fc.property(instantArb, fc.integer({ min: 1, max: 15 }), dayArb, overridesArb, (t, n, closed, o) => {
        const base = effectiveCalendar(['street', 'district', 'city'], o);
        const more = effectiveCalendar(
          ['street', 'district', 'city'],
          [...o, { regionId: 'street', day: closed, kind: 'closed', note: '' }],
        );
        const before = addWorkingDays(t, n, hall, base);
        const after = addWorkingDays(t, n, hall, more);
        expect(Date.parse(after)).toBeGreaterThanOrEqual(Date.parse(before));
        const start = localDay(t, hall.timezone);
        const spans = isWorkingDay(closed, base) && closed > start && closed <= localDay(new Date(before), hall.timezone);
        expect(after).toBe(spans ? addWorkingDays(before, 1, hall, more) : before);
      }),
    );
  });

  it('deadlines are monotone in the start time', () => {
    fc.assert(
      fc.property(instantArb, instantArb, fc.integer({ min: 1, max: 15 }), overridesArb, (a, b, n, o) => {
        const cal = effectiveCalendar(
          ['city'],
          o.map((x) => ({ ...x, regionId: 'city' })),
        );
        const [lo, hi] = a <= b ? [a, b] : [b, a];
        expect(Date.parse(addWorkingDays(lo, n, hall, cal))).toBeLessThanOrEqual(Date.parse(addWorkingDays(hi, n, hall, cal)));
      }),
    );
  });

  it('调休 Saturdays count as working days', () => {
    for (const sat of ['2026-02-14', '2026-02-28', '2026-10-10']) {
      expect(nthWorkingDayAfter(addDays(sat, -1), 1, national)).toBe(sat);
    }
  });
});
