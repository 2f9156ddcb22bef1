/**
 * When the monthly report's link goes out (issue 16, SPEC §9): on the first working day of a month (the unit's
 * calendar: China's official schedule with its holidays and 调休 working weekends, plus the region's overrides), from
 * 08:00 hall-local (after the 02:00 job has scored the month's last day, before the 08:30 digest), one
 * `report.monthly` event per unit a subscriber answers for: a manager's hall, a supervisor's region, an
 * administrator's root region. A tick that missed the day catches up on any later day of the month. Pure.
 *
 * At national size (issue 15: ~53,500 scopes to ask for their subscribers) the month's walk is spread over ticks:
 * a pass judges every unit at its own instant (`passAt`) and walks, in a fixed order, the scopes with a unit due
 * then and not yet due at the previous pass (which covered it), at most a budget of scopes a tick; its cursor (the
 * last scope walked) is the month marker's, so a tick that dies mid-slice is redone by the next one and a pass
 * never starts over. A pass that leaves units waiting for their own calendar (a region whose first working day is
 * later, a zone whose 08:00 is later) is followed, an hour later, by one that walks only the scopes newly due.
 */
import * as z from 'zod/mini';
import type { TTree, TUser } from './access.js';
import { localInstant } from './calendar.js';
import { addDays } from './time.js';

/** The minute of the hall-local day from which the month's report may be announced. */
export const REPORT_AT_MINUTES = 8 * 60;

/** The month (YYYY-MM) before the month of a day (YYYY-MM-DD). */
export function previousMonth(day: string): string {
  const y = Number(day.slice(0, 4));
  const m = Number(day.slice(5, 7));
  return m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, '0')}`;
}

/** The month (YYYY-MM) after a month. */
export function nextMonth(month: string): string {
  const y = Number(month.slice(0, 4));
  const m = Number(month.slice(5, 7));
  return m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`;
}

/** The first working day of the month of `day`; undefined if the calendar closes the whole month. */
export function firstWorkingDay(day: string, isWorking: (d: string) => boolean): string | undefined {
  const month = day.slice(0, 7);
  for (let d = `${month}-01`; d.startsWith(month); d = addDays(d, 1)) if (isWorking(d)) return d;
  return undefined;
}

/**
 * The month whose report is due at this hall-local moment, if any: the previous month, once the first working day
 * of this month has reached 08:00 (and on every later day of the month, so a missed tick catches up).
 */
export function reportMonthDue(clock: { day: string; minutes: number }, isWorking: (d: string) => boolean): string | undefined {
  const first = firstWorkingDay(clock.day, isWorking);
  if (!first || clock.day < first || (clock.day === first && clock.minutes < REPORT_AT_MINUTES)) return undefined;
  return previousMonth(clock.day);
}

export type TReportUnit = { hallId: string } | { regionId: string };

/** The units whose report a user receives: their own (a manager's hall, a supervisor's region, the root for admins). */
export function ownReportUnits(user: TUser, tree: TTree): TReportUnit[] {
  if (user.role === 'manager') return tree.hallRegion.has(user.scope) ? [{ hallId: user.scope }] : [];
  if (user.role === 'supervisor') return tree.regionParent.has(user.scope) ? [{ regionId: user.scope }] : [];
  return [...tree.regionParent].filter(([, parent]) => parent === undefined).map(([regionId]) => ({ regionId }));
}

/** Whether a unit is one of the user's own (a supervisor does not get every hall's report below them). */
export const isOwnReportUnit = (user: TUser, tree: TTree, unit: { hallId?: string; regionId?: string }): boolean =>
  ownReportUnits(user, tree).some((u) => ('hallId' in u ? u.hallId === unit.hallId : u.regionId === unit.regionId && !unit.hallId));

export const reportPath = (unit: TReportUnit, month: string): string =>
  `/reports/${'hallId' in unit ? unit.hallId : unit.regionId}/${month}`;

const REPORT_AT_CLOCK = `${String(Math.floor(REPORT_AT_MINUTES / 60)).padStart(2, '0')}:${String(REPORT_AT_MINUTES % 60).padStart(2, '0')}`;

/** The day a unit's report of `month` is first due: the first working day of the month after (undefined: none). */
export const reportDueDay = (month: string, isWorking: (d: string) => boolean): string | undefined =>
  firstWorkingDay(`${nextMonth(month)}-01`, isWorking);

/**
 * The instant from which a unit's report is due, its due day (reportDueDay) in its zone: 08:00 unit-local on the
 * first working day of the month after (reportMonthDue's answer through that month, as one instant: due from it on);
 * Infinity when the unit's calendar closes that whole month.
 */
export const reportDueAt = (dueDay: string | undefined, timeZone: string): number =>
  dueDay ? localInstant(dueDay, REPORT_AT_CLOCK, timeZone).getTime() : Number.POSITIVE_INFINITY;

/* ---------- the month's walk, a slice a tick ---------- */

/**
 * The month marker (`META#report-monthly#<month>`): done (`at`), a pass under way (`passAt`, its cursor `after`), or
 * between passes (`lookAgainAt`); `prevPassAt` is the last finished pass's instant, `v` the version every write
 * checks and bumps (two ticks never both advance the cursor). A marker of the older code (`at` or `lookAgainAt`
 * only) reads as version 0.
 */
export const ZReportPass = z.object({
  at: z.optional(z.string()),
  passAt: z.optional(z.number()),
  after: z.optional(z.string()),
  prevPassAt: z.optional(z.number()),
  lookAgainAt: z.optional(z.number()),
  v: z.optional(z.int()),
});
export type TReportPass = z.infer<typeof ZReportPass>;

/** A scope whose users are asked (a hall, a region, the administrators'), with the instants its units are due. */
export interface TPassScope {
  /** the walk's order and cursor (passStep takes the scopes sorted by it) */
  key: string;
  /** the scope asked (USCOPE#) */
  scope: string;
  /** a hall's or a region's own unit; the administrators' scope: each root region */
  dueAt: readonly number[];
}

/** A unit of a pass at `passAt` is covered by it when due then and not already at the previous pass. */
const newlyDue = (d: number, passAt: number, prevPassAt: number | undefined) =>
  d <= passAt && !(prevPassAt !== undefined && d <= prevPassAt);

export interface TPassStep {
  /** the pass's instant: a unit of the slice is announced if due by then */
  passAt: number;
  /** the scopes to ask this tick (at most the budget), in key order */
  slice: TPassScope[];
  /** the marker once the slice is written (conditioned on `v` as read) */
  next: TReportPass;
}

/**
 * This tick's share of the month's walk, from the marker as read (undefined: none yet) over the scopes sorted by key:
 * nothing when the month is done or waits for `lookAgainAt`; else the pass under way (or a new one at `nowMs`), its
 * next slice of at most `budget` scopes to walk after the cursor, and the marker after it: the cursor moved on, or,
 * the walk ended, done (no unit waits) or a look again `lookAgainMs` later.
 */
export function passStep(
  marker: TReportPass | undefined,
  scopes: readonly TPassScope[],
  nowMs: number,
  budget: number,
  lookAgainMs: number,
): TPassStep | undefined {
  if (!(budget >= 1)) throw new RangeError(`the monthly pass needs a budget of at least one scope, got ${budget}`);
  if (marker?.at) return undefined;
  const running = marker?.passAt !== undefined;
  if (!running && marker?.lookAgainAt !== undefined && nowMs < marker.lookAgainAt) return undefined;
  const passAt = running ? marker.passAt! : nowMs;
  const prevPassAt = marker?.prevPassAt;
  const after = running ? marker.after : undefined;
  const v = (marker?.v ?? 0) + 1;
  const slice: TPassScope[] = [];
  let more = false;
  for (const s of scopes) {
    if (after !== undefined && s.key <= after) continue;
    if (!s.dueAt.some((d) => newlyDue(d, passAt, prevPassAt))) continue;
    if (slice.length === budget) {
      more = true;
      break;
    }
    slice.push(s);
  }
  if (more) return { passAt, slice, next: { passAt, after: slice.at(-1)!.key, prevPassAt, v } };
  const waiting = scopes.some((s) => s.dueAt.some((d) => d > passAt));
  return {
    passAt,
    slice,
    next: waiting ? { prevPassAt: passAt, lookAgainAt: nowMs + lookAgainMs, v } : { at: new Date(nowMs).toISOString(), v },
  };
}
