/**
 * The monthly report's e-mail (issue 16): a step of the notify tick. The tick was chosen over the nightly planner
 * because it already runs every few minutes with the tree and the hall-local clocks at hand, and it dispatches what
 * it emits; the 02:00 planner runs before the month's last day is scored and would need a second schedule for 08:00.
 * On the first working day of a month (or the first tick after it that month) it writes one `report.monthly` event
 * per unit a subscriber answers for, for the previous month. The subscribers are found by scope (each unit's scope
 * items, issue 15), never by listing the users.
 *
 * At national size that is ~53,500 scope Queries, too many for one tick (a 2-minute function), so the walk is
 * resumable and bounded (domain/report-notice.ts `passStep`): each tick asks at most `MONTHLY_SCOPES_PER_TICK`
 * scopes after the month marker's cursor, writes their events and moves the cursor by a write conditioned on the
 * marker's version; the month is marked done when the walk ends with no unit waiting. Exactly once: each event is a
 * put-if-absent under an id made of unit and month, so a tick that dies mid-slice (the next one redoes the slice) or
 * two ticks at once write nothing twice. A unit waiting for its own calendar is judged again an hour later by a pass
 * that walks only the scopes newly due, not the country again.
 */
import { regionChain } from '../domain/access.js';
import { effectiveCalendar, isNationalWorkingDay, isWorkingDay } from '../domain/calendar.js';
import { ADMIN_SCOPE, localClock, modeFor, reportMonthly, type TEvent } from '../domain/events.js';
import {
  ownReportUnits,
  passStep,
  reportDueAt,
  reportDueDay,
  reportMonthDue,
  reportPath,
  type TPassScope,
  type TReportUnit,
  ZReportPass,
} from '../domain/report-notice.js';
import type { TTable } from '../storage/db.js';
import { getMarker, setMarkerIf } from '../storage/meta.js';
import { getPrefsMany, putEvent } from '../storage/notify.js';
import { usersOfScopes } from '../storage/users.js';
import { HALL_FANOUT, mapLimit, type TCaseWorld } from './cases.js';

/** The month marker's name: its walk's cursor, then "done" (later ticks of the month read it and stop). */
const monthMarker = (month: string) => `report-monthly#${month}`;
/** A unit not yet due by its own calendar: the next pass starts this much later, not every tick. */
const LOOK_AGAIN_MS = 3_600_000;
/**
 * Scopes asked per tick at most: a national walk (~53,500) in about eleven ticks, each well inside the tick
 * function's 2 minutes with the dispatch after it (bench: monthly_tick_national_ms, monthly_ticks_national).
 */
export const MONTHLY_SCOPES_PER_TICK = 5_000;
/** Scopes looked up per batch (one Query each, then one batch read of their users and one of their choices). */
const SCOPES_PER_BATCH = 100;
/** Events written at once (each a put-if-absent). */
const PUTS_AT_ONCE = 16;

export interface TReportNoticeInput {
  table: TTable;
  world: TCaseWorld;
  nowMs: number;
  /** the deployment's zone (supervisors and administrators have no hall of their own) */
  timeZone: string;
  /** scopes asked this tick at most (MONTHLY_SCOPES_PER_TICK) */
  scopesPerTick?: number;
}

const unitKey = (unit: TReportUnit) => ('hallId' in unit ? `H#${unit.hallId}` : `R#${unit.regionId}`);

interface TMonthPlan {
  /** every scope (the administrators', each region, each hall) sorted by key, with its units' due instants */
  scopes: TPassScope[];
  /** a unit's due instant by unitKey */
  dueAt: Map<string, number>;
}

/** Per loaded world (re-read by the tick every half minute) and month: the scopes' order and due instants. */
const plans = new WeakMap<TCaseWorld, Map<string, TMonthPlan>>();

/** The scopes of the walk and when each unit's report is due (its own calendar and clock). No read. */
function monthPlan(world: TCaseWorld, month: string, timeZone: string): TMonthPlan {
  const key = `${month}|${timeZone}`;
  const cached = plans.get(world)?.get(key);
  if (cached) return cached;
  const instants = new Map<string, number>(); // one per due day and zone
  const dueOf = (isWorking: (d: string) => boolean, tz: string) => {
    const day = reportDueDay(month, isWorking);
    const hit = instants.get(`${day}|${tz}`);
    if (hit !== undefined) return hit;
    const at = reportDueAt(day, tz);
    instants.set(`${day}|${tz}`, at);
    return at;
  };
  const dueAt = new Map<string, number>();
  const scopes: TPassScope[] = [];
  const roots: number[] = [];
  // the administrators' first, then the regions, then the halls: the supervisors' reports are out first (they are
  // the ones whose 08:30 digest most often carries something else; a report dispatched after it waits a day)
  for (const r of world.regions) {
    const cal = effectiveCalendar(regionChain(world.tree, r.id), world.cal.overrides, world.cal.settings);
    const at = dueOf((d) => isWorkingDay(d, cal), timeZone);
    dueAt.set(unitKey({ regionId: r.id }), at);
    scopes.push({ key: `1${r.id}`, scope: r.id, dueAt: [at] });
    if (world.tree.regionParent.get(r.id) === undefined) roots.push(at);
  }
  for (const hall of world.halls.values()) {
    const cal = world.calendar(hall.id);
    const at = dueOf((d) => isWorkingDay(d, cal), hall.timezone);
    dueAt.set(unitKey({ hallId: hall.id }), at);
    scopes.push({ key: `2${hall.id}`, scope: hall.id, dueAt: [at] });
  }
  scopes.push({ key: `0${ADMIN_SCOPE}`, scope: ADMIN_SCOPE, dueAt: roots });
  scopes.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const plan = { scopes, dueAt };
  const byMonth = plans.get(world) ?? new Map<string, TMonthPlan>();
  byMonth.set(key, plan);
  plans.set(world, byMonth);
  return plan;
}

/**
 * The subscribers of these scopes: their users (usersOfScopes: a Query per scope, never the user list) with an
 * address who did not choose "never", in batches.
 */
async function subscribers(t: TTable, scopes: readonly string[]) {
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

/** This tick's slice of the month's `report.monthly` events (those due); returns how many were new. */
export async function emitMonthlyReports(input: TReportNoticeInput): Promise<number> {
  const { table, world, nowMs, timeZone } = input;
  // the national calendar decides whether to look at all: before its first working day no read is made
  const month = reportMonthDue(localClock(nowMs, timeZone), isNationalWorkingDay);
  if (!month) return 0;
  const stored = await getMarker(table, monthMarker(month));
  const marker = stored ? ZReportPass.parse(stored) : undefined;
  if (marker?.at) return 0;
  const plan = monthPlan(world, month, timeZone);
  const step = passStep(marker, plan.scopes, nowMs, input.scopesPerTick ?? MONTHLY_SCOPES_PER_TICK, LOOK_AGAIN_MS);
  if (!step) return 0;
  const events = new Map<string, TEvent>();
  const at = new Date(nowMs).toISOString();
  if (step.slice.length)
    for (const user of await subscribers(
      table,
      step.slice.map((s) => s.scope),
    ))
      for (const unit of ownReportUnits(user, world.tree)) {
        // announced if due by the pass's instant; a unit due later is the next pass's
        if (!((plan.dueAt.get(unitKey(unit)) ?? Number.POSITIVE_INFINITY) <= step.passAt)) continue;
        const e = reportMonthly(unit, month, reportPath(unit, month), at);
        events.set(e.id, e);
      }
  const written = await mapLimit([...events.values()], PUTS_AT_ONCE, (e) => putEvent(table, e, nowMs));
  // the cursor moves only once the slice is written; another tick that moved it first wins (its slice was this one)
  await setMarkerIf(table, monthMarker(month), step.next, step.next.v!);
  return written.filter(Boolean).length;
}
