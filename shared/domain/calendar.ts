/**
 * Working days of a hall's calendar (SPEC §5): case deadlines count working days, not calendar days.
 * National schedule: the official 国务院办公厅 notices as published by `chinese-days` (pinned 1.5.7). We read its
 * per-year data files rather than calling its functions: its functions parse dates in the machine's local zone
 * (off by one day west of UTC) and silently answer "weekends only" for a year they do not know. Years it does not
 * carry fall back to weekends-only, and `calendarCoverage` says so, so admin pages can ask for closures by hand.
 * Regions add closures / extra working days and deadline settings, inherited down the tree (nearest wins).
 */
import * as z from 'zod/mini';
import y2025 from 'chinese-days/dist/years/2025.json' with { type: 'json' };
import y2026 from 'chinese-days/dist/years/2026.json' with { type: 'json' };
import { ZId, type THall } from './model.js';
import { isDay, localDay } from './time.js';

/** A year's official schedule: `holidays` are days off, `workdays` are 调休 make-up working days (often Saturdays). */
interface TYearData {
  holidays: Record<string, string>;
  workdays: Record<string, string>;
}
/** The years imported from the package. When it publishes a new year, add its import line (a test fails until then). */
export const NATIONAL_YEARS: Readonly<Record<number, TYearData>> = { 2025: y2025, 2026: y2026 };
export const NATIONAL_SOURCE = 'chinese-days 1.5.7';

export const ZDay = z.string().check(z.refine(isDay, 'must be a day YYYY-MM-DD'));

/** One administrator's entry: a closure (extra day off) or an extra working day for a region and all below it. */
export const ZCalendarOverride = z.object({
  regionId: ZId,
  day: ZDay,
  kind: z.enum(['closed', 'open']),
  note: z.string().check(z.maxLength(200)),
});
export type TCalendarOverride = z.infer<typeof ZCalendarOverride>;

const ZDays = (max: number) => z.int().check(z.gte(1), z.lte(max));
export const ZDeadlineSettings = z.object({
  contactDays: ZDays(10),
  rectifyDays: ZDays(60),
  escalateDays: ZDays(30),
  appealDays: ZDays(30),
});
export type TDeadlineSettings = z.infer<typeof ZDeadlineSettings>;
export const DEFAULT_DEADLINES: TDeadlineSettings = { contactDays: 1, rectifyDays: 15, escalateDays: 5, appealDays: 5 };

/** A region's own deadline settings: only the fields it sets; the rest come from its ancestors, then the defaults. */
export const ZRegionDeadlines = z.object({ regionId: ZId, ...z.partial(ZDeadlineSettings).shape });
export type TRegionDeadlines = z.infer<typeof ZRegionDeadlines>;

export interface TCalendar {
  /** day → the nearest region's override */
  overrides: ReadonlyMap<string, { kind: 'closed' | 'open'; regionId: string; note: string }>;
  deadlines: TDeadlineSettings;
}

/** The calendar of a hall whose region chain is `regionPath` (its own region first, the root last). */
export function effectiveCalendar(
  regionPath: readonly string[],
  overrides: readonly TCalendarOverride[] = [],
  settings: readonly TRegionDeadlines[] = [],
): TCalendar {
  const map = new Map<string, { kind: 'closed' | 'open'; regionId: string; note: string }>();
  let deadlines = { ...DEFAULT_DEADLINES };
  for (const regionId of [...regionPath].reverse()) {
    // root first, so nearer regions overwrite
    for (const o of overrides) if (o.regionId === regionId) map.set(o.day, { kind: o.kind, regionId, note: o.note });
    for (const s of settings) {
      if (s.regionId !== regionId) continue;
      const { regionId: _r, ...own } = s;
      deadlines = { ...deadlines, ...Object.fromEntries(Object.entries(own).filter(([, v]) => v !== undefined)) };
    }
  }
  return { overrides: map, deadlines };
}

/** Whether the package carries the official schedule for a year; otherwise weekends only (plus overrides). */
export function calendarCoverage(year: number): { year: number; official: boolean; source: string; zh: string; en: string } {
  const official = year in NATIONAL_YEARS;
  return official
    ? {
        year,
        official,
        source: NATIONAL_SOURCE,
        zh: `已载入 ${year} 年国务院节假日安排。`,
        en: `The official ${year} holiday schedule is loaded.`,
      }
    : {
        year,
        official,
        source: 'weekends only',
        zh: `尚未载入 ${year} 年国务院节假日安排，目前只按周末计算；请手动添加放假和调休日。`,
        en: `No official schedule loaded for ${year} yet; only weekends count as days off. Add closures and make-up days by hand.`,
      };
}

const DAY_MS = 86_400_000;
const dayMs = (day: string) => Date.parse(`${day}T00:00:00Z`);
export const addDays = (day: string, n: number): string => new Date(dayMs(day) + n * DAY_MS).toISOString().slice(0, 10);

/** The national answer alone: official schedule if the year is covered, else Monday–Friday. */
export function isNationalWorkingDay(day: string): boolean {
  const year = NATIONAL_YEARS[Number(day.slice(0, 4))];
  if (year?.workdays[day]) return true;
  if (year?.holidays[day]) return false;
  const weekday = new Date(dayMs(day)).getUTCDay();
  return weekday >= 1 && weekday <= 5;
}

export function isWorkingDay(day: string, cal: TCalendar): boolean {
  const o = cal.overrides.get(day);
  return o ? o.kind === 'open' : isNationalWorkingDay(day);
}

/** No real calendar has a year without a working day; an override typo that closes everything must not hang a job. */
const MAX_SCAN_DAYS = 3660;

/** The n-th working day strictly after `day` (n ≥ 1). */
export function nthWorkingDayAfter(day: string, n: number, cal: TCalendar): string {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`working days: need a whole number ≥ 1, got ${n}`);
  let d = day;
  for (let seen = 0, scanned = 0; seen < n; ) {
    d = addDays(d, 1);
    if (isWorkingDay(d, cal)) seen++;
    if (++scanned > MAX_SCAN_DAYS) throw new RangeError('working days: no working day in ten years (check the closures)');
  }
  return d;
}

/** One formatter per zone: building an Intl.DateTimeFormat costs ~0.7 ms, using one a few µs (a bad rating makes two deadlines). */
const zoneFormats = new Map<string, Intl.DateTimeFormat>();
function zoneFormat(timeZone: string): Intl.DateTimeFormat {
  let f = zoneFormats.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    zoneFormats.set(timeZone, f);
  }
  return f;
}

/** Offset of a zone from UTC at an instant, in ms (east positive). */
function zoneOffset(ms: number, timeZone: string): number {
  const parts = zoneFormat(timeZone).formatToParts(ms);
  const p = (t: string) => Number(parts.find((x) => x.type === t)?.value);
  return Date.UTC(p('year'), p('month') - 1, p('day'), p('hour'), p('minute'), p('second')) - Math.floor(ms / 1000) * 1000;
}

/** The instant a wall-clock time "HH:MM" on a hall-local day happens in `timeZone`. */
export function localInstant(day: string, clock: string, timeZone: string): Date {
  const [h, m] = clock.split(':').map(Number);
  const wall = dayMs(day) + (h * 60 + m) * 60_000;
  let t = wall - zoneOffset(wall, timeZone);
  t = wall - zoneOffset(t, timeZone); // second pass settles a daylight-saving change between the guess and the answer
  return new Date(t);
}

/** A hall without opening hours closes, for deadlines, at 17:00 (the usual end of a government office's day). */
export const DEFAULT_CLOSE = '17:00';
export type THallClock = Pick<THall, 'timezone' | 'openingHours'>;
export const closingOf = (day: string, hall: THallClock): Date =>
  localInstant(day, hall.openingHours?.close ?? DEFAULT_CLOSE, hall.timezone);

/**
 * The deadline n working days after an instant: the hall's closing time on the n-th working day after the
 * hall-local day of `from` (the day itself never counts, however early the rating came).
 */
export function addWorkingDays(from: Date | string | number, n: number, hall: THallClock, cal: TCalendar): string {
  const start = localDay(new Date(from), hall.timezone);
  return closingOf(nthWorkingDayAfter(start, n, cal), hall).toISOString();
}

/** Working days d with a < d ≤ b (hall-local days); 0 when b ≤ a. Opening day → closing day gives "days to close". */
export function workingDaysBetween(a: string, b: string, cal: TCalendar): number {
  let n = 0;
  for (let d = addDays(a, 1); d <= b; d = addDays(d, 1)) if (isWorkingDay(d, cal)) n++;
  return n;
}

/**
 * A deadline moved later by `ms` (an appeal's pause), landing on a working day: if the shifted instant falls on a
 * day off, it moves to the closing time of the next working day.
 */
export function pushDeadline(due: string, ms: number, hall: THallClock, cal: TCalendar): string {
  const shifted = new Date(Date.parse(due) + ms);
  const day = localDay(shifted, hall.timezone);
  return isWorkingDay(day, cal) ? shifted.toISOString() : addWorkingDays(shifted, 1, hall, cal);
}

/** The years between two days whose national schedule is missing (for a "check the calendar" warning). */
export function uncoveredYears(fromDay: string, toDay: string): number[] {
  const out: number[] = [];
  for (let y = Number(fromDay.slice(0, 4)); y <= Number(toDay.slice(0, 4)); y++) if (!calendarCoverage(y).official) out.push(y);
  return out;
}
