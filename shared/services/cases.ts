/**
 * Cases (SPEC §5, issue 9): the one service every case route, page and the nightly job call. The state machine is
 * the pure domain's transition(); this module reads the case (it lives in its rating's item), checks who may act,
 * writes the new state under an optimistic version check and appends the audit entry.
 *
 * Functions (all take `TCaseDeps`; staff scope is checked here when a viewer is given: outside scope = not found):
 *  - listCaseQueue(deps, scope, filter)      → { cases: TCaseRow[], counts: TQueueCounts } — a hall's or a region's
 *                                              active cases, overdue and due today first, then by nearest deadline
 *  - getCaseView(deps, caseId, viewer?)      → TCaseView | undefined — the case, its rating (phone masked only),
 *                                              its hall, due state and version (for the next command)
 *  - commandCase(deps, caseId, cmd, actor, { version? }) → TCommandResult — a staff/resident/system command:
 *                                              ok with the new case, or a refusal { status 404|403|409|410|422, code, zh, en }
 *  - revealPhone(deps, caseId, user)         → { ok, phone, masked } | refusal — the hall's manager only; exactly one
 *                                              history entry and one audit entry per reveal
 *  - residentCase(deps, caseId, lang)        → TResidentCaseView | undefined — for /r/<ticket> (caseId = ticketId)
 *                                              and /c/<token> (the link's caseId): state in words, reply, canFollowUp
 *  - residentFollowUp(deps, caseId, answer)  → TCommandResult — the one 追评 (satisfied/basic/dissatisfied + comment)
 *  - caseFiguresFor(deps, scope, period)     → TCaseFigures — reply/rectify rates, 追评 satisfaction, overdue, median
 *  - casesCsv(deps, scope, period)           → string (CSV, UTF-8 BOM) — the cases opened in a period
 *  - listAuditFor(deps, viewer, query)       → TStoredAudit[] — administrators everything, supervisors their scope,
 *                                              managers their hall
 *  - setCalendarOverride / setRegionDeadlines (administrators) → the write plus its audit entry
 *  - caseDepsOf(appDeps)                      → TCaseDeps from the HTTP app's deps
 */
import { type TUser, canSeeHall, canSeeRegion, regionChain, type TTree } from '../domain/access.js';
import { auditEntry, auditOfCaseTransition, type TAuditEntry } from '../domain/audit.js';
import { effectiveCalendar, type TCalendar, type TCalendarOverride, type TRegionDeadlines } from '../domain/calendar.js';
import { type TCaseFigures, caseFigures, type TPeriod } from '../domain/case-figures.js';
import { actorId, mayCommand, type TCaseActor } from '../domain/case-roles.js';
import { residentStatus, type TLang, type TResidentStatus } from '../domain/case-wording.js';
import {
  activeDue,
  CASE_ERRORS,
  type TCase,
  type TCaseCommand,
  type TCaseError,
  type TCaseEvent,
  type TCaseState,
  type TDueState,
  dueState,
  transition,
} from '../domain/cases.js';
import type { TKeyring } from '../domain/keyring.js';
import type { THall, TRating, TRegion } from '../domain/model.js';
import { decryptPhone } from '../domain/privacy.js';
import { localDay } from '../domain/time.js';
import { quietLog, type TLog } from '../log.js';
import { randomBytes } from 'node:crypto';
import { forgetHallCalendars } from './case-calendar.js';
import { emitCaseStep } from './emit.js';
import { appendAudit, caseAuditId, listAudit, type TAuditQuery, type TStoredAudit } from '../storage/audit.js';
import { deleteOverride, loadCalendarItems, putDeadlines, putOverride, type TCalendarItems } from '../storage/calendar.js';
import {
  caseSlot,
  countActiveCases,
  firstActiveCases,
  getCase,
  listAllCases,
  listCases,
  listCasesSince,
  type TCasePartition,
  type TStoredCase,
  writeCase,
} from '../storage/cases.js';
import { getHall, listHalls, listRegions, regionAncestors, regionSubtree } from '../storage/catalogue.js';
import type { TTable } from '../storage/db.js';
import { markDirty } from '../storage/late-marks.js';
import { setRatingDecision } from '../storage/ratings.js';

export interface TCaseDeps {
  table: TTable;
  /** needed only to reveal a phone */
  keyring?: TKeyring;
  now?: () => number;
  log?: TLog;
  /** where case events go (ids only): the alerts topic on AWS; default: the log */
  publish?: (events: readonly TCaseEvent[]) => Promise<void>;
}

export const caseDepsOf = (d: { table: TTable; keyring: TKeyring; now?: () => number; log?: TLog }): TCaseDeps => ({
  table: d.table,
  keyring: d.keyring,
  now: d.now,
  log: d.log,
});

/* ---------- context: region tree, halls, calendars (cached per table handle) ---------- */

export interface TCaseWorld {
  tree: TTree;
  regions: TRegion[];
  halls: Map<string, THall>;
  cal: TCalendarItems;
  /** the hall's region chain, its own region first */
  regionPath(hallId: string): string[];
  calendar(hallId: string): TCalendar;
}

const worlds = new WeakMap<TTable, { at: number; version: number; world: Promise<TCaseWorld> }>();
const WORLD_TTL_MS = 30_000;

/** Drops the cached tree and calendars (after a calendar write in this process). */
export const forgetCaseWorld = (t: TTable): void => {
  worlds.delete(t);
};

/** A world over these regions and halls (the whole tree, or one scope's part of it with its ancestors). */
function worldOf(regions: TRegion[], halls: THall[], cal: TCalendarItems): TCaseWorld {
  const tree: TTree = {
    regionParent: new Map(regions.map((r) => [r.id, r.parentId])),
    hallRegion: new Map(halls.map((h) => [h.id, h.regionId])),
  };
  const regionPath = (hallId: string) => {
    const r = tree.hallRegion.get(hallId);
    return r ? regionChain(tree, r) : [];
  };
  const cals = new Map<string, TCalendar>();
  return {
    tree,
    regions,
    halls: new Map(halls.map((h) => [h.id, h])),
    cal,
    regionPath,
    calendar(hallId) {
      const hit = cals.get(hallId);
      if (hit) return hit;
      const c = effectiveCalendar(regionPath(hallId), cal.overrides, cal.settings);
      cals.set(hallId, c);
      return c;
    },
  };
}

/** The whole tree: the nightly job, the notification sweep and the public pages (never a staff page). */
export function loadCaseWorld(t: TTable, now = Date.now()): Promise<TCaseWorld> {
  const hit = worlds.get(t);
  if (hit && now - hit.at < WORLD_TTL_MS && hit.version === t.catalogueVersion) return hit.world;
  const world = (async (): Promise<TCaseWorld> => {
    const [regions, halls, cal] = await Promise.all([listRegions(t), listHalls(t), loadCalendarItems(t)]);
    return worldOf(regions, halls, cal);
  })();
  worlds.set(t, { at: now, version: t.catalogueVersion, world });
  world.catch(() => worlds.delete(t));
  return world;
}

const scoped = new WeakMap<TTable, Map<string, { at: number; version: number; world: Promise<TCaseWorld> }>>();

/**
 * The part of the tree one scope needs, never the country: a hall (its record and its region's chain up to the top)
 * or a region (its subtree, one Query per region of it on the children index, and its chain). Cached like the whole
 * tree, per scope. An unknown unit gives a world without halls (so every check in it fails).
 */
export function loadScopeWorld(t: TTable, scope: TCaseScope, now = Date.now()): Promise<TCaseWorld> {
  const whole = worlds.get(t);
  if (whole && now - whole.at < WORLD_TTL_MS && whole.version === t.catalogueVersion) return whole.world; // loaded anyway
  const cache = scoped.get(t) ?? new Map();
  scoped.set(t, cache);
  const key = 'hallId' in scope ? `H#${scope.hallId}` : `R#${scope.regionId}`;
  const hit = cache.get(key);
  if (hit && now - hit.at < WORLD_TTL_MS && hit.version === t.catalogueVersion) return hit.world;
  if (cache.size >= 500) cache.clear();
  const world = (async (): Promise<TCaseWorld> => {
    const cal = loadCalendarItems(t);
    if ('hallId' in scope) {
      const hall = await getHall(t, scope.hallId);
      const chain = hall ? await regionAncestors(t, hall.regionId) : [];
      return worldOf(chain, hall ? [hall] : [], await cal);
    }
    const [chain, below] = await Promise.all([regionAncestors(t, scope.regionId), regionSubtree(t, scope.regionId)]);
    return chain.length ? worldOf([...chain, ...below.regions], below.halls, await cal) : worldOf([], [], await cal);
  })();
  cache.set(key, { at: now, version: t.catalogueVersion, world });
  world.catch(() => cache.delete(key));
  return world;
}

/**
 * At most this many per-hall (or per-partition) Queries of one request in flight (a province's 3,000 halls are not
 * 3,000 at once; its cases are one Query per region partition anyway).
 */
export const HALL_FANOUT = 32;

/** `fn` over `items`, at most `limit` at a time, results in order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (x: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

const nowOf = (deps: TCaseDeps) => (deps.now ?? Date.now)();
const isoNow = (deps: TCaseDeps) => new Date(nowOf(deps)).toISOString();
const UTC_HALL: Pick<THall, 'timezone'> = { timezone: 'Asia/Shanghai' };

/* ---------- the queue ---------- */

export type TCaseScope = { hallId: string } | { regionId: string };

export interface TCaseRow {
  caseId: string;
  ratingId: string;
  hallId: string;
  windowId?: string;
  serviceId?: string;
  state: TCaseState;
  openedAt: string;
  contactDue: string;
  rectifyDue: string;
  escalationLevel: number;
  escalatedTo?: string;
  closedAt?: string;
  /** the deadline the hall is working against now, if any */
  due?: string;
  /** a pending appeal's decision deadline (the supervisor's, not the hall's) */
  appealDue?: string;
  dueState: TDueState;
  hasPhone: boolean;
  overall: number;
  reasons?: string[];
  version: number;
}

export interface TQueueFilter {
  state?: TCaseState;
  windowId?: string;
  overdue?: boolean;
  escalated?: boolean;
  /** also list closed cases (newest first after the active ones) */
  includeClosed?: boolean;
  /**
   * Only this slice of the ordered queue (`total` then says how many there are). Without other filters the queue
   * reads just the slice's items (per hall: the first offset + limit in index order, plus the escalated, rectified
   * and appealed ones) and counts with COUNT queries; with filters it reads every active case.
   */
  page?: { offset: number; limit: number };
}

export interface TQueueCounts {
  active: number;
  dueToday: number;
  overdue: number;
  escalated: number;
  /** exact on a full read; on a paged read (`filter.page`, no other filter) the states of the rows read only */
  byState: Record<TCaseState, number>;
}

/** The halls a scope covers (only existing ones). */
export function hallsOfScope(world: TCaseWorld, scope: TCaseScope): string[] {
  if ('hallId' in scope) return world.halls.has(scope.hallId) ? [scope.hallId] : [];
  return [...world.halls.values()].filter((h) => world.regionPath(h.id).includes(scope.regionId)).map((h) => h.id);
}

/**
 * The case partitions some halls' cases are in: one hall's own list (GSI3), or for several halls the partitions of
 * the regions they hang off (GSI2, one Query each, shared by the region's halls). A reader keeps only the cases of
 * the halls it asked for (a region partition may hold halls it did not: a public page's unpublished ones).
 */
export function partsOfHalls(halls: readonly Pick<THall, 'id' | 'regionId'>[]): TCasePartition[] {
  if (halls.length === 1) return [{ hallId: halls[0].id }];
  return [...new Set(halls.map((h) => h.regionId))].map((regionId) => ({ regionId }));
}

/** The partitions a scope reads: a hall scope its hall's list; a region scope the regions of its subtree holding halls. */
export function partsOfScope(world: TCaseWorld, scope: TCaseScope): TCasePartition[] {
  if ('hallId' in scope) return world.halls.has(scope.hallId) ? [{ hallId: scope.hallId }] : [];
  return [...new Set(hallsOfScope(world, scope).map((h) => world.halls.get(h)!.regionId))].map((regionId) => ({ regionId }));
}

/** The halls of a partition in the world (a hall's: itself; a region's: the halls hanging off it). */
function hallsOfPart(world: TCaseWorld, part: TCasePartition, keep: ReadonlySet<string>): THall[] {
  if ('hallId' in part) return world.halls.has(part.hallId) ? [world.halls.get(part.hallId)!] : [];
  return [...world.halls.values()].filter((h) => h.regionId === part.regionId && keep.has(h.id));
}

/** Whether a staff user may see a scope (routes behind the gate have checked already; this is the service's own check). */
export function maySeeScope(user: TUser, world: TCaseWorld, scope: TCaseScope): boolean {
  return 'hallId' in scope ? canSeeHall(user, world.tree, scope.hallId) : canSeeRegion(user, world.tree, scope.regionId);
}

export function toRow(s: TStoredCase, now: string, timeZone: string): TCaseRow {
  const c = s.case;
  const due = activeDue(c);
  return {
    caseId: c.caseId,
    ratingId: c.ratingId,
    hallId: c.hallId,
    ...(c.windowId ? { windowId: c.windowId } : {}),
    ...(c.serviceId ? { serviceId: c.serviceId } : {}),
    state: c.state,
    openedAt: c.openedAt,
    contactDue: c.contactDue,
    rectifyDue: c.rectifyDue,
    escalationLevel: c.escalationLevel,
    ...(c.escalatedTo ? { escalatedTo: c.escalatedTo } : {}),
    ...(c.closedAt ? { closedAt: c.closedAt } : {}),
    ...(due ? { due } : {}),
    ...(c.state === 'appealed' && c.appeal?.due ? { appealDue: c.appeal.due } : {}),
    dueState: dueState(c, now, timeZone),
    hasPhone: c.hasPhone,
    overall: s.rating.overall,
    ...(s.rating.reasons?.length ? { reasons: s.rating.reasons } : {}),
    version: s.version,
  };
}

const DUE_ORDER: Record<TDueState, number> = { overdue: 0, due_today: 1, ok: 2, none: 3 };
export const queueOrder = (a: TCaseRow, b: TCaseRow): number =>
  DUE_ORDER[a.dueState] - DUE_ORDER[b.dueState] ||
  (a.state === 'closed' || b.state === 'closed' ? (b.closedAt ?? '').localeCompare(a.closedAt ?? '') : 0) ||
  (a.due ?? a.rectifyDue).localeCompare(b.due ?? b.rectifyDue) ||
  a.caseId.localeCompare(b.caseId);

/**
 * A hall's or region's case queue: the active cases (one Query per partition: the hall's on GSI3, or each region of
 * the scope holding halls on GSI2), counts over all of them, the rows
 * filtered. `viewer`: a staff user whose scope must cover the scope (else an empty queue, like an unknown unit).
 */
export async function listCaseQueue(
  deps: TCaseDeps,
  scope: TCaseScope,
  filter: TQueueFilter = {},
  viewer?: TUser,
): Promise<{ cases: TCaseRow[]; counts: TQueueCounts; total: number }> {
  const world = await loadScopeWorld(deps.table, scope, nowOf(deps));
  const counts: TQueueCounts = {
    active: 0,
    dueToday: 0,
    overdue: 0,
    escalated: 0,
    byState: { open: 0, contacted: 0, rectified: 0, appealed: 0, closed: 0 },
  };
  if (viewer && !maySeeScope(viewer, world, scope)) return { cases: [], counts, total: 0 };
  const now = isoNow(deps);
  const keep = new Set(hallsOfScope(world, scope));
  const parts = partsOfScope(world, scope);
  const { page, ...rest } = filter;
  if (page && !Object.values(rest).some(Boolean)) return pagedQueue(deps, world, parts, keep, page, counts);
  const lists = await mapLimit(parts, HALL_FANOUT, async (part) => {
    const active = await listCases(deps.table, part, 'A');
    const closed = filter.includeClosed || filter.state === 'closed' ? await listClosed(deps.table, part) : [];
    return [...active, ...closed]
      .filter((s) => keep.has(s.case.hallId))
      .map((s) => toRow(s, now, (world.halls.get(s.case.hallId) ?? UTC_HALL).timezone));
  });
  const rows = lists.flat();
  for (const r of rows) {
    counts.byState[r.state]++;
    if (r.state === 'closed') continue;
    counts.active++;
    if (r.dueState === 'overdue') counts.overdue++;
    if (r.dueState === 'due_today') counts.dueToday++;
    if (r.escalationLevel > 0) counts.escalated++;
  }
  const cases = rows
    .filter(
      (r) =>
        (!filter.state || r.state === filter.state) &&
        (!filter.windowId || r.windowId === filter.windowId) &&
        (!filter.overdue || r.dueState === 'overdue') &&
        (!filter.escalated || r.escalationLevel > 0),
    )
    .sort(queueOrder);
  return { cases: page ? cases.slice(page.offset, page.offset + page.limit) : cases, counts, total: cases.length };
}

/** The first instant of the hall-local day after `now`'s (the end of "due today"). */
export function nextLocalMidnight(now: number, timeZone: string): number {
  const today = localDay(now, timeZone);
  let t = now;
  while (localDay(t + 3_600_000, timeZone) === today) t += 3_600_000;
  while (localDay(t + 60_000, timeZone) === today) t += 60_000;
  return Math.floor((t + 60_000) / 60_000) * 60_000;
}

/**
 * The unfiltered queue, one slice of it. The active bucket's sort key is each case's next-action instant, which is
 * its deadline for open and contacted cases that were never escalated ("plain"): for them index order is the queue
 * order (overdue, then due today, then the rest, each by nearest deadline), so per partition (a region's halls, or
 * one hall) the first offset + limit plain ones in index order are all the slice can need. The others ("irregular":
 * escalated, whose key is the next escalation, and rectified/appealed, which have no deadline) are read apart,
 * whole: few, and needed for the counts. Counts: a plain case is overdue when its key is before now and due today
 * when its key falls in the rest of the hall-local day, so COUNT queries over those key ranges (instants compared as
 * strings; no item comes back) minus the irregular cases in them, plus the irregular ones' own due states.
 * A region partition whose halls keep different time zones has no one end of "today": its cases up to the latest
 * hall-local midnight are read and each is judged by its own hall's day (and, being read, they join the plain
 * candidates, so a case due today in a later time zone is never cut off by an earlier key). In DynamoDB the COUNT
 * and filtered queries still consume read units for the items they pass over; here nothing goes over the wire.
 */
async function pagedQueue(
  deps: TCaseDeps,
  world: TCaseWorld,
  parts: TCasePartition[],
  keep: ReadonlySet<string>,
  page: { offset: number; limit: number },
  counts: TQueueCounts,
): Promise<{ cases: TCaseRow[]; counts: TQueueCounts; total: number }> {
  const t = deps.table;
  const nowMs = nowOf(deps);
  const now = new Date(nowMs).toISOString();
  const before = new Date(nowMs - 1).toISOString();
  const want = page.offset + page.limit;
  const ends = new Map<string, string>();
  const endOf = (tz: string) => {
    const hit = ends.get(tz) ?? new Date(nextLocalMidnight(nowMs, tz) - 1).toISOString();
    ends.set(tz, hit);
    return hit;
  };
  const tzOf = (hallId: string) => (world.halls.get(hallId) ?? UTC_HALL).timezone;
  const lists = await mapLimit(parts, HALL_FANOUT, async (part) => {
    const zones = [...new Set(hallsOfPart(world, part, keep).map((h) => h.timezone))];
    const mixed = zones.length > 1;
    const end = zones.map(endOf).sort().at(-1) ?? endOf(UTC_HALL.timezone);
    const [past, future, today, irregular, plain] = await Promise.all([
      countActiveCases(t, { part, to: before }),
      countActiveCases(t, { part, from: now }),
      mixed ? firstActiveCases(t, { part, from: now, to: end }) : countActiveCases(t, { part, from: now, to: end }),
      firstActiveCases(t, { part, filter: 'irregular' }),
      firstActiveCases(t, { part, filter: 'plain' }, want),
    ]);
    const odd = irregular.map((s) => ({ row: toRow(s, now, tzOf(s.case.hallId)), key: caseSlot(s.case, false).instant }));
    const isOdd = new Set(irregular.map((s) => s.case.caseId));
    const dueToday = (hallId: string, key: string) => key >= now && key <= endOf(tzOf(hallId));
    counts.active += past + future;
    counts.overdue += past - odd.filter((x) => x.key < now).length;
    if (typeof today === 'number') counts.dueToday += today - odd.filter((x) => x.key >= now && x.key <= end).length;
    else
      counts.dueToday += today.filter((s) => !isOdd.has(s.case.caseId) && dueToday(s.case.hallId, caseSlot(s.case, false).instant)).length;
    for (const { row } of odd) {
      if (row.dueState === 'overdue') counts.overdue++;
      if (row.dueState === 'due_today') counts.dueToday++;
      if (row.escalationLevel > 0) counts.escalated++;
    }
    const seen = new Set(plain.map((s) => s.case.caseId));
    const near = typeof today === 'number' ? [] : today.filter((s) => !isOdd.has(s.case.caseId) && !seen.has(s.case.caseId));
    return [...plain, ...near].map((s) => toRow(s, now, tzOf(s.case.hallId))).concat(odd.map((x) => x.row));
  });
  const rows = lists
    .flat()
    .filter((r) => keep.has(r.hallId))
    .sort(queueOrder);
  for (const r of rows) counts.byState[r.state]++;
  return { cases: rows.slice(page.offset, want), counts, total: counts.active };
}

async function listClosed(t: TTable, part: TCasePartition): Promise<TStoredCase[]> {
  const [p, c] = await Promise.all([listCases(t, part, 'P'), listCases(t, part, 'C')]);
  return [...p, ...c];
}

/* ---------- one case ---------- */

export interface TCaseView {
  case: TCase;
  /** the rating without its phone ciphertext */
  rating: Omit<TRating, 'phoneEnc' | 'deviceHash' | 'netHash' | 'submissionId'>;
  /** 138****1234 while the phone is kept; absent without a phone or after its deletion */
  phoneMasked?: string;
  /** whether the number can still be revealed (the ciphertext is kept) */
  phoneKept: boolean;
  hall?: THall;
  regionPath: string[];
  dueState: TDueState;
  version: number;
}

function viewOf(s: TStoredCase, world: TCaseWorld, now: string): TCaseView {
  const { phoneEnc, deviceHash: _d, netHash: _n, submissionId: _s, ...rating } = s.rating;
  const hall = world.halls.get(s.case.hallId);
  return {
    case: s.case,
    rating,
    ...(s.rating.phoneMasked ? { phoneMasked: s.rating.phoneMasked } : {}),
    phoneKept: Boolean(phoneEnc),
    ...(hall ? { hall } : {}),
    regionPath: world.regionPath(s.case.hallId),
    dueState: dueState(s.case, now, (hall ?? UTC_HALL).timezone),
    version: s.version,
  };
}

/** One case; undefined if there is none or (with a viewer) it is outside the viewer's scope. */
export async function getCaseView(deps: TCaseDeps, caseId: string, viewer?: TUser): Promise<TCaseView | undefined> {
  const stored = await getCase(deps.table, caseId);
  if (!stored) return undefined;
  const world = await loadScopeWorld(deps.table, { hallId: stored.case.hallId }, nowOf(deps));
  if (viewer && !canSeeHall(viewer, world.tree, stored.case.hallId)) return undefined;
  return viewOf(stored, world, isoNow(deps));
}

/* ---------- commands ---------- */

export type TRefusalCode = TCaseError | 'not_found' | 'forbidden' | 'conflict' | 'phone_deleted';
export type TCommandRefusal = { ok: false; status: 404 | 403 | 409 | 410 | 422; code: TRefusalCode; zh: string; en: string };
export type TCommandResult = { ok: true; case: TCase; version: number; events: TCaseEvent[] } | TCommandRefusal;

export const REFUSALS = {
  not_found: { status: 404, zh: '没有找到这个案件。', en: 'There is no such case.' },
  forbidden: { status: 403, zh: '您不能对这个案件做这个操作。', en: 'You may not do this on this case.' },
  conflict: {
    status: 409,
    zh: '案件刚被别人更新过，请刷新页面后再操作。',
    en: 'Someone else changed the case a moment ago; reload the page and try again.',
  },
  phone_deleted: {
    status: 410,
    zh: '结案满 90 天，电话号码已按规定删除。',
    en: 'The phone number was deleted 90 days after the case closed.',
  },
} as const;
const refusal = (code: keyof typeof REFUSALS): TCommandRefusal => ({ ok: false, code, ...REFUSALS[code] });

const roleOf = (actor: TCaseActor): TAuditEntry['actorRole'] => (actor.kind === 'staff' ? actor.user.role : actor.kind);

async function publish(deps: TCaseDeps, events: readonly TCaseEvent[]): Promise<void> {
  if (!events.length) return;
  if (deps.publish) return deps.publish(events);
  for (const e of events) (deps.log ?? quietLog).info('case event', { event: e });
}

/**
 * Applies one command: scope and role (404 outside scope, 403 not this role's), the version the page was built on
 * (409 if the case moved since), the state machine (422 with its bilingual message), then a write conditioned on
 * the version (409 on a lost race: nothing written), then the audit entry under a deterministic id. A crash after
 * the write and before the audit entry leaves the entry missing until the case's next command (or the nightly job
 * touching it) writes it from the history: see auditHistory.
 */
export async function commandCase(
  deps: TCaseDeps,
  caseId: string,
  command: TCaseCommand,
  actor: TCaseActor,
  opts: { version?: number; stored?: TStoredCase; world?: TCaseWorld } = {},
): Promise<TCommandResult> {
  const stored = opts.stored ?? (await getCase(deps.table, caseId));
  if (!stored) return refusal('not_found');
  const world = opts.world ?? (await loadScopeWorld(deps.table, { hallId: stored.case.hallId }, nowOf(deps)));
  const c = stored.case;
  if (actor.kind === 'staff' && !canSeeHall(actor.user, world.tree, c.hallId)) return refusal('not_found');
  if (!mayCommand(actor, command?.type, c, world.tree)) return refusal('forbidden');
  if (opts.version !== undefined && opts.version !== stored.version) return refusal('conflict');
  const hall = world.halls.get(c.hallId);
  if (!hall) return refusal('not_found');
  const r = transition(c, command, {
    now: isoNow(deps),
    actor: actorId(actor),
    hall,
    cal: world.calendar(c.hallId),
    regionPath: world.regionPath(c.hallId),
  });
  if (!r.ok) return { ok: false, status: 422, code: r.code, zh: r.zh, en: r.en };
  const written = await writeCase(deps.table, r.case, stored.version, {
    phoneKept: Boolean(stored.rating.phoneEnc),
    regionId: hall.regionId,
  });
  if (!written) return refusal('conflict');
  // An upheld appeal excludes the rating from every score from its day on (SPEC §5): the person's decision goes in
  // the rating's `dc` (the job never touches it), and its day is marked so the next night re-scores it.
  for (const e of r.events) {
    if (e.type !== 'rating.excluded') continue;
    const day = e.ratingDay ?? stored.rating.day;
    await markDirty(deps.table, c.hallId, day, nowOf(deps));
    const reason = command.type === 'decideAppeal' ? command.reason : undefined;
    await setRatingDecision(deps.table, c.ratingId, { appeal: 'upheld', by: actorId(actor), at: e.at, reason });
  }
  await emitCaseStep(deps.table, r.case, nowOf(deps)); // issue 14: its event, before the audit entry (see cases-night)
  await auditHistory(deps.table, r.case, c.history.length - 1, roleOf(actor), r.events);
  await publish(deps, r.events);
  return { ok: true, case: r.case, version: stored.version + 1, events: r.events };
}

/** The audit role of a history entry's actor when only the id is known (repairing a missing entry). */
function roleOfHistory(action: string, actor: string): TAuditEntry['actorRole'] {
  if (actor === 'system' || actor === 'resident') return actor;
  return action === 'decideAppeal' ? 'supervisor' : 'manager';
}

/**
 * Appends the audit entries of a case's history from index `from` on (each under its deterministic id, so an entry
 * already there is left alone): the newest entry with the actor's role and events, older ones (a crash's gap)
 * rebuilt from the history. Returns how many were missing and written.
 */
export async function auditHistory(
  t: TTable,
  c: TCase,
  from: number,
  role?: TAuditEntry['actorRole'],
  events: readonly TCaseEvent[] = [],
): Promise<number> {
  const last = c.history.length - 1;
  let written = 0;
  for (let i = Math.max(1, from); i <= last; i++) {
    const h = c.history[i];
    const upTo = { ...c, history: c.history.slice(0, i + 1), state: h.to };
    const entry = auditOfCaseTransition(upTo, i === last ? events : [], i === last && role ? role : roleOfHistory(h.action, h.actor));
    if (await appendAudit(t, entry, caseAuditId(c.caseId, i))) written++;
  }
  return written;
}

/** Reveals the resident's phone to the hall's manager: exactly one history entry and one audit entry per reveal. */
export async function revealPhone(
  deps: TCaseDeps,
  caseId: string,
  user: TUser,
  opts: { version?: number } = {},
): Promise<{ ok: true; phone: string; masked: string } | TCommandRefusal> {
  const stored = await getCase(deps.table, caseId);
  if (!stored) return refusal('not_found');
  const world = await loadScopeWorld(deps.table, { hallId: stored.case.hallId }, nowOf(deps));
  if (!canSeeHall(user, world.tree, stored.case.hallId)) return refusal('not_found');
  if (!mayCommand({ kind: 'staff', user }, 'revealPhone', stored.case, world.tree)) return refusal('forbidden');
  if (!stored.case.hasPhone) return { ok: false, status: 422, code: 'no_phone_reveal', ...CASE_ERRORS.no_phone_reveal };
  if (!stored.rating.phoneEnc) return refusal('phone_deleted');
  if (!deps.keyring) throw new Error('revealPhone: no key ring in the case service deps');
  const phone = decryptPhone(deps.keyring, stored.rating.phoneEnc); // before the entry: a failure writes nothing
  const r = await commandCase(deps, caseId, { type: 'revealPhone' }, { kind: 'staff', user }, { ...opts, stored, world });
  if (!r.ok) return r;
  return { ok: true, phone, masked: stored.rating.phoneMasked ?? '****' };
}

/* ---------- the resident ---------- */

export interface TResidentCaseView {
  caseId: string;
  state: TCaseState;
  status: TResidentStatus;
  hallName?: string;
  hallNameEn?: string;
  timeZone: string;
  contactDue: string;
  rectifyDue: string;
  hasPhone: boolean;
  /** the 追评 already given, if any */
  followUp?: TCase['followUp'];
  version: number;
}

/** What the resident's case page shows (never the internal fix, an appeal's evidence or the phone). */
export async function residentCase(deps: TCaseDeps, caseId: string, lang: TLang = 'zh'): Promise<TResidentCaseView | undefined> {
  const stored = await getCase(deps.table, caseId);
  if (!stored) return undefined;
  const c = stored.case;
  const world = await loadScopeWorld(deps.table, { hallId: c.hallId }, nowOf(deps));
  const hall = world.halls.get(c.hallId);
  const timeZone = (hall ?? UTC_HALL).timezone;
  return {
    caseId: c.caseId,
    state: c.state,
    status: residentStatus(c, timeZone, lang),
    ...(hall ? { hallName: hall.name, ...(hall.nameEn ? { hallNameEn: hall.nameEn } : {}) } : {}),
    timeZone,
    contactDue: c.contactDue,
    rectifyDue: c.rectifyDue,
    hasPhone: c.hasPhone,
    ...(c.followUp ? { followUp: c.followUp } : {}),
    version: stored.version,
  };
}

/** The resident's one 追评 (the route has checked the ticket or case link). */
export function residentFollowUp(
  deps: TCaseDeps,
  caseId: string,
  answer: { grade: 'satisfied' | 'basic' | 'dissatisfied'; comment?: string },
): Promise<TCommandResult> {
  const command: TCaseCommand = { type: 'followUp', grade: answer.grade, ...(answer.comment?.trim() ? { comment: answer.comment } : {}) };
  return commandCase(deps, caseId, command, { kind: 'resident' });
}

/* ---------- figures and exports ---------- */

/**
 * The cases of the scope's halls, one Query (two with `since`) per partition of the scope (partsOfScope: a region's
 * halls share one; HALL_FANOUT at once): every one, or with `since` (an instant) only the active ones and those
 * closed since then (what figures over a period starting then can use).
 */
export async function casesOfScope(deps: TCaseDeps, world: TCaseWorld, scope: TCaseScope, since?: string): Promise<TStoredCase[]> {
  const keep = new Set(hallsOfScope(world, scope));
  const read = (p: TCasePartition) => (since ? listCasesSince(deps.table, p, since) : listAllCases(deps.table, p));
  return (await mapLimit(partsOfScope(world, scope), HALL_FANOUT, read)).flat().filter((s) => keep.has(s.case.hallId));
}

/**
 * The earliest closing that can still count in a period's figures: a case closed before its deadlines counts in the
 * period holding them, so closings up to 60 days before the period's first day are read (deadlines are days apart).
 */
const sinceFor = (period: TPeriod) => new Date(Date.parse(`${period.from}T00:00:00Z`) - 61 * 86_400_000).toISOString();

const figureContext = (deps: TCaseDeps, world: TCaseWorld) => ({
  now: isoNow(deps),
  timeZone: (h: string) => (world.halls.get(h) ?? UTC_HALL).timezone,
  calendar: (h: string) => world.calendar(h),
});

/** The handling figures of a hall or region over a period of hall-local days (SPEC §5). */
export async function caseFiguresFor(deps: TCaseDeps, scope: TCaseScope, period: TPeriod, viewer?: TUser): Promise<TCaseFigures> {
  const world = await loadScopeWorld(deps.table, scope, nowOf(deps));
  const visible = !viewer || maySeeScope(viewer, world, scope);
  const cases = visible ? (await casesOfScope(deps, world, scope, sinceFor(period))).map((s) => s.case) : [];
  return caseFigures(cases, period, figureContext(deps, world));
}

/**
 * A region page's case panel in one pass over its partitions (two Queries a region holding halls): the urgent
 * cases (overdue or escalated), queue order, and the handling figures over the period.
 */
export async function scopeCasePanel(
  deps: TCaseDeps,
  scope: TCaseScope,
  period: TPeriod,
): Promise<{ urgent: TCaseRow[]; figures: TCaseFigures; world: TCaseWorld }> {
  const world = await loadScopeWorld(deps.table, scope, nowOf(deps));
  const all = await casesOfScope(deps, world, scope, sinceFor(period));
  const now = isoNow(deps);
  const urgent = all
    .filter((s) => s.case.state !== 'closed')
    .map((s) => toRow(s, now, (world.halls.get(s.case.hallId) ?? UTC_HALL).timezone))
    .filter((r) => r.dueState === 'overdue' || r.escalationLevel > 0)
    .sort(queueOrder);
  return {
    urgent,
    figures: caseFigures(
      all.map((s) => s.case),
      period,
      figureContext(deps, world),
    ),
    world,
  };
}

const CSV_COLUMNS = [
  'caseId',
  'ratingId',
  'hallId',
  'windowId',
  'serviceId',
  'state',
  'openedAt',
  'contactDue',
  'contactedAt',
  'contactHow',
  'rectifyDue',
  'rectifiedAt',
  'fixCategory',
  'escalationLevel',
  'reworkCount',
  'followUp',
  'closedAt',
  'closeReason',
] as const;
const csvCell = (v: unknown) => {
  const s = v === undefined || v === null ? '' : String(v);
  return /[",\n\r]/.test(s) || /^[=+\-@\t]/.test(s) ? `"${(/^[=+\-@\t]/.test(s) ? `'${s}` : s).replace(/"/g, '""')}"` : s;
};

/** The cases opened in a period (hall-local days) as CSV with a UTF-8 BOM: no phone, no comment, no free text. */
export async function casesCsv(deps: TCaseDeps, scope: TCaseScope, period: TPeriod, viewer?: TUser): Promise<string> {
  const world = await loadScopeWorld(deps.table, scope, nowOf(deps));
  const visible = !viewer || maySeeScope(viewer, world, scope);
  const all = visible ? await casesOfScope(deps, world, scope, sinceFor(period)) : [];
  const lines = [CSV_COLUMNS.join(',')];
  const inPeriod = (c: TCase) => {
    const tz = (world.halls.get(c.hallId) ?? UTC_HALL).timezone;
    const day = new Intl.DateTimeFormat('en-CA', { timeZone: tz }).format(new Date(c.openedAt));
    return day >= period.from && day <= period.to;
  };
  for (const { case: c } of all.filter((s) => inPeriod(s.case)).sort((a, b) => a.case.openedAt.localeCompare(b.case.openedAt))) {
    const row: Record<(typeof CSV_COLUMNS)[number], unknown> = {
      caseId: c.caseId,
      ratingId: c.ratingId,
      hallId: c.hallId,
      windowId: c.windowId,
      serviceId: c.serviceId,
      state: c.state,
      openedAt: c.openedAt,
      contactDue: c.contactDue,
      contactedAt: c.contact?.at,
      contactHow: c.contact?.how,
      rectifyDue: c.rectifyDue,
      rectifiedAt: c.rectification?.at,
      fixCategory: c.rectification?.category,
      escalationLevel: c.escalationLevel,
      reworkCount: c.reworkCount,
      followUp: c.followUp?.grade,
      closedAt: c.closedAt,
      closeReason: c.closeReason,
    };
    lines.push(CSV_COLUMNS.map((k) => csvCell(row[k])).join(','));
  }
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}

/* ---------- the audit trail ---------- */

/**
 * Audit entries a staff user may read: administrators every unit; supervisors the regions and halls of their
 * subtree; managers their hall. `query.units` (a filter) is narrowed to what the viewer may see.
 */
export async function listAuditFor(deps: TCaseDeps, viewer: TUser, query: TAuditQuery): Promise<TStoredAudit[]> {
  if (viewer.role === 'admin') return listAudit(deps.table, query);
  const own: TCaseScope = viewer.role === 'manager' ? { hallId: viewer.scope } : { regionId: viewer.scope };
  const world = await loadScopeWorld(deps.table, own, nowOf(deps));
  const units: { type: 'hall' | 'region'; id: string }[] = [];
  if (viewer.role === 'manager') {
    if (canSeeHall(viewer, world.tree, viewer.scope)) units.push({ type: 'hall', id: viewer.scope });
  } else {
    for (const r of world.regions) if (canSeeRegion(viewer, world.tree, r.id)) units.push({ type: 'region', id: r.id });
    for (const h of world.halls.keys()) if (canSeeHall(viewer, world.tree, h)) units.push({ type: 'hall', id: h });
  }
  const wanted = query.units ? units.filter((u) => query.units!.some((q) => q.type === u.type && q.id === u.id)) : units;
  return wanted.length ? listAudit(deps.table, { ...query, units: wanted }) : [];
}

/* ---------- calendar settings (administrators) ---------- */

/** Adds or removes (`kind: 'none'`) a region's closure or extra working day, with its audit entry. */
export async function setCalendarOverride(
  deps: TCaseDeps,
  user: TUser,
  o: Omit<TCalendarOverride, 'kind'> & { kind: TCalendarOverride['kind'] | 'none' },
): Promise<boolean> {
  if (user.role !== 'admin') return false;
  const at = isoNow(deps);
  if (o.kind === 'none') await deleteOverride(deps.table, o.regionId, o.day);
  else await putOverride(deps.table, { regionId: o.regionId, day: o.day, kind: o.kind, note: o.note });
  const entry = auditEntry({
    at,
    actor: user.id,
    actorRole: user.role,
    kind: 'calendar.override',
    unit: { type: 'region', id: o.regionId },
    targetId: o.day,
    to: o.kind,
    ...(o.note ? { note: o.note.slice(0, 200) } : {}),
  });
  await appendAudit(deps.table, entry, `calendar.${o.regionId}.${o.day}.${o.kind}.${at}.${randomBytes(4).toString('hex')}`);
  forgetCaseWorld(deps.table);
  forgetHallCalendars(deps.table);
  return true;
}

/** Sets a region's own deadline settings (working days), with its audit entry. */
export async function setRegionDeadlines(deps: TCaseDeps, user: TUser, s: TRegionDeadlines): Promise<boolean> {
  if (user.role !== 'admin') return false;
  const at = isoNow(deps);
  await putDeadlines(deps.table, s);
  const { regionId, ...days } = s;
  const entry = auditEntry({
    at,
    actor: user.id,
    actorRole: user.role,
    kind: 'calendar.deadlines',
    unit: { type: 'region', id: regionId },
    targetId: regionId,
    to: JSON.stringify(days).slice(0, 120),
  });
  await appendAudit(deps.table, entry, `deadlines.${regionId}.${at}.${randomBytes(4).toString('hex')}`);
  forgetCaseWorld(deps.table);
  forgetHallCalendars(deps.table);
  return true;
}
