/**
 * The monthly report's e-mail (issue 16): a step of the notify tick. The tick was chosen over the nightly planner
 * because it already runs every few minutes with the tree and the hall-local clocks at hand, and it dispatches what
 * it emits in the same run; the 02:00 planner runs before the month's last day is scored and would
 * need a second schedule for 08:00. On the first working day of a month (or the first tick after it that month) it
 * writes one `report.monthly` event per unit a subscriber answers for, for the previous month. Exactly once: each
 * event is a put-if-absent under an id made of unit and month (two ticks at once, or a re-run, write nothing new),
 * and a month marker, put once every subscriber's unit is done, keeps later ticks of the month to one read. The
 * subscribers are found by scope (each unit's scope items, issue 15), never by listing the users; while a unit waits
 * for its own calendar the marker holds them off for an hour, so a national walk is not repeated every tick.
 */
import { regionChain, type TUser } from '../domain/access.js';
import { effectiveCalendar, isNationalWorkingDay, isWorkingDay } from '../domain/calendar.js';
import { ADMIN_SCOPE, localClock, modeFor, reportMonthly, type TEvent } from '../domain/events.js';
import { ownReportUnits, reportMonthDue, reportPath, type TReportUnit } from '../domain/report-notice.js';
import { getItem, put, type TTable } from '../storage/db.js';
import * as keys from '../storage/keys.js';
import { getPrefsMany } from '../storage/notify.js';
import { usersOfScopes } from '../storage/users.js';
import { HALL_FANOUT, mapLimit, type TCaseWorld } from './cases.js';
import { emitEvents } from './emit.js';

/** Put once a month's events are all written: later ticks of the month read this and stop. */
const monthMarker = (month: string) => keys.marker(`report-monthly#${month}`);
/** A unit not yet due by its own calendar: the subscribers are looked up again this much later, not every tick. */
const LOOK_AGAIN_MS = 3_600_000;
/** Scopes looked up per batch (one Query each, then one batch read of their users and one of their choices). */
const SCOPES_PER_BATCH = 100;

export interface TReportNoticeInput {
  table: TTable;
  world: TCaseWorld;
  nowMs: number;
  /** the deployment's zone (supervisors and administrators have no hall of their own) */
  timeZone: string;
}

/**
 * The subscribers of the report: the users of every unit's scope (usersOfScopes: a Query per unit, never the user
 * list) with an address who did not choose "never". A national deployment reads its units' scope items once a month.
 */
async function subscribers(t: TTable, world: TCaseWorld): Promise<TUser[]> {
  const scopes = [ADMIN_SCOPE, ...world.regions.map((r) => r.id), ...world.halls.keys()];
  const batches: string[][] = [];
  for (let i = 0; i < scopes.length; i += SCOPES_PER_BATCH) batches.push(scopes.slice(i, i + SCOPES_PER_BATCH));
  const found = await mapLimit(batches, Math.max(1, Math.floor(HALL_FANOUT / 8)), async (batch) => {
    const users = (await usersOfScopes(t, batch)).filter((u) => u.email);
    const prefs = await getPrefsMany(
      t,
      users.map((u) => u.id),
    );
    return users.filter((u) => modeFor(u.role, prefs.get(u.id), 'report.monthly') !== 'never');
  });
  return found.flat();
}

/** Writes the month's `report.monthly` events that are due; returns how many were new. */
export async function emitMonthlyReports(input: TReportNoticeInput): Promise<number> {
  const { table, world, nowMs, timeZone } = input;
  // the national calendar decides whether to look at all: before its first working day no read is made
  const month = reportMonthDue(localClock(nowMs, timeZone), isNationalWorkingDay);
  if (!month) return 0;
  const marker = await getItem(table, monthMarker(month), { consistent: true });
  if (marker?.at || (typeof marker?.lookAgainAt === 'number' && nowMs < marker.lookAgainAt)) return 0;
  const events = new Map<string, TEvent>();
  let waiting = false;
  const at = new Date(nowMs).toISOString();
  const units = new Map<string, TReportUnit>();
  for (const user of await subscribers(table, world))
    for (const unit of ownReportUnits(user, world.tree)) units.set('hallId' in unit ? `H#${unit.hallId}` : `R#${unit.regionId}`, unit);
  for (const unit of units.values()) {
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
  const written = await emitEvents(table, [...events.values()], nowMs);
  await put(table, { ...monthMarker(month), ...(waiting ? { lookAgainAt: nowMs + LOOK_AGAIN_MS } : { at }) });
  return written;
}
