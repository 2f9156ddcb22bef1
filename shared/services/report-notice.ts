/**
 * The monthly report's e-mail (issue 16): a step of the notify tick. The tick was chosen over the nightly planner
 * because it already runs every few minutes with the users, their choices and the hall-local clocks at hand, and it
 * dispatches what it emits in the same run; the 02:00 planner runs before the month's last day is scored and would
 * need a second schedule for 08:00. On the first working day of a month (or the first tick after it that month) it
 * writes one `report.monthly` event per unit a subscriber answers for, for the previous month. Exactly once: each
 * event is a put-if-absent under an id made of unit and month (two ticks at once, or a re-run, write nothing new),
 * and a month marker, put once every subscriber's unit is done, keeps later ticks of the month to one read.
 */
import { regionChain, type TUser } from '../domain/access.js';
import { effectiveCalendar, isNationalWorkingDay, isWorkingDay } from '../domain/calendar.js';
import { localClock, modeFor, reportMonthly, type TEvent, type TNotifyPrefs } from '../domain/events.js';
import { ownReportUnits, reportMonthDue, reportPath } from '../domain/report-notice.js';
import { getItem, put, type TTable } from '../storage/db.js';
import * as keys from '../storage/keys.js';
import type { TCaseWorld } from './cases.js';
import { emitEvents } from './emit.js';

/** Put once a month's events are all written: later ticks of the month read this and stop. */
const monthMarker = (month: string) => keys.marker(`report-monthly#${month}`);

export interface TReportNoticeInput {
  table: TTable;
  world: TCaseWorld;
  users: readonly TUser[];
  prefsOf: (userId: string) => Promise<TNotifyPrefs | undefined>;
  nowMs: number;
  /** the deployment's zone (supervisors and administrators have no hall of their own) */
  timeZone: string;
}

/** Writes the month's `report.monthly` events that are due; returns how many were new. */
export async function emitMonthlyReports(input: TReportNoticeInput): Promise<number> {
  const { table, world, nowMs, timeZone } = input;
  // the national calendar decides whether to look at all: before its first working day no read is made
  const month = reportMonthDue(localClock(nowMs, timeZone), isNationalWorkingDay);
  if (!month || (await getItem(table, monthMarker(month), { consistent: true }))) return 0;
  const events = new Map<string, TEvent>();
  let waiting = false;
  const at = new Date(nowMs).toISOString();
  for (const user of input.users) {
    if (!user.email || modeFor(user.role, await input.prefsOf(user.id), 'report.monthly') === 'never') continue;
    for (const unit of ownReportUnits(user, world.tree)) {
      const hall = 'hallId' in unit ? world.halls.get(unit.hallId) : undefined;
      const cal = hall
        ? world.calendar(hall.id)
        : effectiveCalendar(regionChain(world.tree, (unit as { regionId: string }).regionId), world.cal.overrides, world.cal.settings);
      // the unit's own calendar and clock: a region that closed the national first working day waits for its own
      const due = reportMonthDue(localClock(nowMs, hall?.timezone ?? timeZone), (d) => isWorkingDay(d, cal));
      if (due !== month) {
        waiting = true;
        continue;
      }
      const e = reportMonthly(unit, month, reportPath(unit, month), at);
      events.set(e.id, e);
    }
  }
  const written = await emitEvents(table, [...events.values()], nowMs);
  if (!waiting) await put(table, { ...monthMarker(month), at });
  return written;
}
