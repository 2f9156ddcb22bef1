/**
 * When the monthly report's link goes out (issue 16, SPEC §9): on the first working day of a month (the unit's
 * calendar: China's official schedule with its holidays and 调休 working weekends, plus the region's overrides), from
 * 08:00 hall-local (after the 02:00 job has scored the month's last day, before the 08:30 digest), one
 * `report.monthly` event per unit a subscriber answers for: a manager's hall, a supervisor's region, an
 * administrator's root region. A tick that missed the day catches up on any later day of the month. Pure.
 */
import type { TTree, TUser } from './access.js';
import { addDays } from './time.js';

/** The minute of the hall-local day from which the month's report may be announced. */
export const REPORT_AT_MINUTES = 8 * 60;

/** The month (YYYY-MM) before the month of a day (YYYY-MM-DD). */
export function previousMonth(day: string): string {
  const y = Number(day.slice(0, 4));
  const m = Number(day.slice(5, 7));
  return m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, '0')}`;
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
