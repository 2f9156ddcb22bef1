/**
 * The nightly scoring job (SPEC §4). One code path serves the local run and the AWS fan-out:
 *
 *   plan      → the day's batches: halls grouped by their region (a street's halls together), each batch knowing
 *               from which day it must recompute (a late rating dirties its visit day; see foldFrom below).
 *   batch     → per hall: read the day's ratings once, write each hall/window/service day vector, roll the
 *               decayed counts forward one day (yesterday + today − the day leaving the 366-day window); then
 *               one partial sum per region for the batch. (Window and service figures, whose prior is the
 *               hall, are derived from these counts when read.)
 *   roll-up   → regions bottom-up from the partial sums (never every hall), then region scores.
 *   finalize  → per batch: hall scores (prior = region, now known), the CUSUM and "turned cold" alerts. A batch
 *               that is a whole region without sub-regions (the usual street) does this in its first pass.
 *
 * A night reads that day's ratings plus a bounded number of items per unit, never history. Every write is a
 * put of values computed from inputs, so re-running a day, or finishing a run killed halfway, writes the same.
 */
import { V, addInto, addRating, padVector, unitId, zeroVector, type TVector } from '../domain/aggregate.js';
import { addDays, daysBetween } from '../domain/time.js';
import { badAndAll, unitFigures } from '../domain/figures.js';
import type { THall, TRating, TRegion } from '../domain/model.js';
import { cusumStep, decayVector, shrunkBadShare } from '../domain/scoring.js';
import { isExcluded } from '../domain/exclusion.js';
import { detect } from '../domain/suspicion.js';
import { DAILY_FROM_DECAYED } from '../domain/detection-thresholds.js';
import { completedAtOf } from './run.js';
import { getHalls, listHalls, listRegions } from '../storage/catalogue.js';
import type { TTable } from '../storage/db.js';
import { clearDirty, listDirty, type TDirtyMark } from '../storage/late-marks.js';
import { listRatingsForHallDay, setRatingFlags } from '../storage/ratings.js';
import {
  finishRun,
  getHallSnapshots,
  getRun,
  getSnapshots,
  lastFinishedRun,
  partials,
  putAlerts,
  putHallSnapshots,
  putPartial,
  putPlanBatches,
  putSnapshots,
  startRun,
  type TAlert,
  type THallDay,
  type TSnapshot,
} from '../storage/scores.js';
import { daySummary, storedInsight } from './insight-days.js';
import type { TCaseDeps } from '../services/cases.js';
import { runCaseNight } from './cases-night.js';
import { getIssued } from '../storage/tickets.js';
import { deviceHallCounts } from '../storage/devices.js';
import { syncReviewGroups } from '../storage/reviews.js';
import { alertRaised, reviewWaiting } from '../domain/events.js';
import { emitEvents } from '../services/emit.js';

/** Days older than this are history (a backfill, a first start's catch-up): nobody is told of them again. */
const recent = (day: string) => day >= new Date(Date.now() - 3 * 86_400_000).toISOString().slice(0, 10);
/** The scored day's alerts as events for staff and webhooks (issue 14): each once, whatever the re-runs. */
const announce = (t: TTable, alerts: readonly TAlert[]) => {
  const news = alerts.filter((a) => recent(a.day));
  return news.length
    ? emitEvents(
        t,
        news.map((a) => alertRaised(a, new Date().toISOString())),
        Date.now(),
      )
    : Promise.resolve(0);
};

export interface TJobDeps {
  /** The table every storage function reads and writes; its `itemsRead` is the job's cost. */
  table: TTable;
  /**
   * How the job lists a hall's ratings of a day (default: the HALLDAY index, listRatingsForHallDay). A seam for the
   * convergence test, which shows the job an index view a killed run can leave behind.
   */
  listRatings?: (hallId: string, day: string) => Promise<TRating[]>;
  /** Receives the alerts of the scored day (locally: logged; on AWS: published to SNS). */
  publish?: (alerts: TAlert[]) => Promise<void>;
  /** The case step (escalation, auto-close, phone deletion) for each batch's halls; absent: cases are left alone. */
  cases?: Omit<TCaseDeps, 'table'>;
}

export interface TBatch {
  /** stable name, e.g. "r-east" or "r-east:2" when a region's halls fill several batches */
  key: string;
  regionId: string;
  hallIds: string[];
  /** the halls' records as planned (name, region, time zone, opening hours), so workers need not read them */
  halls: THall[];
  /** first day this batch recomputes: the scored day, or the earliest dirty day of its region's halls */
  from: string;
  /** the late-rating marks of its halls this run answers (cleared once the batch is finalized) */
  marks: TDirtyMark[];
  /**
   * The batch holds every hall of its region and the region has no sub-regions (a street's centres, the common
   * case): the region's counts are then the batch's own sum, so its halls are scored in the same pass and the
   * finalize step has nothing left to do.
   */
  selfContained?: boolean;
}

export interface TNightPlan {
  day: string;
  runId: string;
  /** earliest `from` of all batches: regions are re-summed from this day on */
  from: string;
  batches: TBatch[];
}

/** Late ratings older than this are not folded back in (they fall out of the 366-day window anyway). */
export const MAX_FOLD_DAYS = 366;

/* ---------------------------------------------------------------- plan */

export async function planNight(deps: TJobDeps, day: string, opts: { batchSize?: number; now?: number } = {}): Promise<TNightPlan> {
  const batchSize = opts.batchSize ?? 50;
  const now = opts.now ?? Date.now();
  const [halls, regions] = await Promise.all([
    listHalls(deps.table).then((h) => h.sort((a, b) => a.id.localeCompare(b.id))),
    listRegions(deps.table),
  ]);
  const hasSubRegions = new Set(regions.map((r) => r.parentId).filter((p): p is string => !!p));
  const knownRegions = new Set(regions.map((r) => r.id));
  const marks = (await listDirty(deps.table)).filter((m) => m.day <= day);
  const dirty = marks.filter((m) => m.day < day && daysBetween(m.day, day) <= MAX_FOLD_DAYS);
  const earliestDirty = new Map<string, string>();
  for (const m of dirty) {
    const regionId = halls.find((h) => h.id === m.hallId)?.regionId;
    if (regionId && (!earliestDirty.has(regionId) || m.day < earliestDirty.get(regionId)!)) earliestDirty.set(regionId, m.day);
  }
  const byRegion = new Map<string, string[]>();
  for (const h of halls) byRegion.set(h.regionId, [...(byRegion.get(h.regionId) ?? []), h.id]);
  const batches: TBatch[] = [];
  for (const [regionId, ids] of [...byRegion].sort(([a], [b]) => a.localeCompare(b))) {
    const chunks = Math.ceil(ids.length / batchSize);
    for (let c = 0; c < chunks; c++) {
      const hallIds = ids.slice(c * batchSize, (c + 1) * batchSize);
      const mine = new Set(hallIds);
      batches.push({
        key: chunks > 1 ? `${regionId}:${c}` : regionId,
        regionId,
        hallIds,
        halls: halls.filter((h) => mine.has(h.id)),
        from: earliestDirty.get(regionId) ?? day,
        marks: marks.filter((m) => mine.has(m.hallId)),
        selfContained: chunks === 1 && knownRegions.has(regionId) && !hasSubRegions.has(regionId),
      });
    }
  }
  // biome-ignore lint/complexity/useMathMinMax: these are YYYY-MM-DD strings, not numbers
  const from = batches.reduce((m, b) => (b.from < m ? b.from : m), day);
  const plan: TNightPlan = { day, runId: new Date(now).toISOString(), from, batches };
  // A re-run keeps the day's last completion, so reports show its completed figures until this run completes.
  // (Read, then put: a run of the same day finishing in between would leave the mark unset until this one ends.)
  const completedAt = completedAtOf(await getRun(deps.table, day));
  const carried = completedAt ? { completedAt } : {};
  await startRun(deps.table, day, { runId: plan.runId, from, batches: batches.length, plannedAt: plan.runId, ...carried });
  await putPlanBatches(deps.table, day, plan.runId, batches);
  return plan;
}

/* ---------------------------------------------------------------- batch: halls, windows, services */

export async function processBatch(
  deps: TJobDeps,
  plan: Pick<TNightPlan, 'day' | 'runId' | 'from'>,
  batch: TBatch,
): Promise<{ ratings: number; alerts: TAlert[] }> {
  const halls = batch.halls ?? (await getHalls(deps.table, batch.hallIds));
  let ratings = 0;
  const alerts: TAlert[] = [];
  for (let t = plan.from; t <= plan.day; t = addDays(t, 1)) {
    // Recompute the days this batch needs; on earlier days (late ratings elsewhere) only re-read its halls.
    const result =
      t >= batch.from
        ? await scoreHallsDay(deps, halls, t, { selfContained: !!batch.selfContained })
        : { ratings: 0, alerts: [], snapshots: await getHallSnapshots(deps.table, t, batch.hallIds) };
    if (t === plan.day) ratings = result.ratings;
    alerts.push(...result.alerts);
    // The region's partial sum for this batch, for every day the roll-up re-sums.
    await putPartial(deps.table, t, batch.regionId, plan.runId, batch.key, sumHalls(result.snapshots));
  }
  await putAlerts(deps.table, alerts);
  const fresh = alerts.filter((a) => a.day === plan.day);
  if (fresh.length && deps.publish) await deps.publish(fresh);
  await announce(deps.table, fresh);
  if (deps.cases) await runCaseNight({ ...deps.cases, table: deps.table }, batch.hallIds);
  return { ratings, alerts };
}

/** A window's usual ratings a day from its decayed counts (steady state: N·(1 − δ)), by window id. */
function usualDailyOf(units: TSnapshot[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const u of units)
    if (u.unit.startsWith('W#'))
      out.set(u.unit.split('#')[2], u.decayed.slice(V.grades, V.grades + 5).reduce((a, b) => a + b, 0) * DAILY_FROM_DECAYED);
  return out;
}

/** Halls' decayed counts summed in a fixed order (by id), so every path adds the same numbers the same way. */
function sumHalls(bundles: Map<string, { hall: TSnapshot }>): TVector {
  const sum = zeroVector();
  for (const id of [...bundles.keys()].sort()) addInto(sum, bundles.get(id)!.hall.decayed);
  return sum;
}

type THallBundle = THallDay;

/**
 * One day of some halls: reads each hall's ratings once (a Query per hall) and, for all of them together,
 * tickets issued, yesterday's snapshots and the one of the day leaving the window (batched gets); writes one
 * snapshot item per hall. The units of a hall are those with history or with ratings or tickets today, so no
 * catalogue is read.
 */
export async function scoreHallsDay(
  deps: TJobDeps,
  halls: THall[],
  day: string,
  opts: { selfContained?: boolean } = {},
): Promise<{ ratings: number; snapshots: Map<string, THallBundle>; alerts: TAlert[] }> {
  const { table } = deps;
  const listRatings = deps.listRatings ?? ((hallId: string, d: string) => listRatingsForHallDay(table, hallId, d));
  const hallIds = halls.map((h) => h.id);
  const [ratingsByHall, issuedByHall, prevByHall, droppedByHall, shownByHall] = await Promise.all([
    mapLimit(halls, 8, (h) => listRatings(h.id, day)),
    getIssued(table, hallIds, day),
    getHallSnapshots(table, addDays(day, -1), hallIds),
    getHallSnapshots(table, addDays(day, -366), hallIds),
    // A re-run of a scored day: the halls' figures wait for finalize, so the ones shown keep them until then.
    opts.selfContained ? undefined : getHallSnapshots(table, day, hallIds),
  ]);
  let counted = 0;
  const snapshots = new Map<string, THallBundle>();
  for (let h = 0; h < halls.length; h++) {
    const hall = halls[h];
    const hallId = hall.id;
    const hallUnit = unitId.hall(hallId);
    const ratings = ratingsByHall[h];
    const issued = issuedByHall.get(hallId)!;
    const prev = prevByHall.get(hallId);

    // Suspicious ratings are flagged (kept, listed for the supervisor) and left out of every figure unless a person
    // cleared them. The job owns `flags` only; `decision` is people's and never written here. The flags come from
    // the index's copy of the item, which a run killed mid-write can leave ahead of the item itself, so every
    // rating flagged now or flagged at all in the index (fl present, even empty) is written again: a re-run
    // brings every item to the state an uninterrupted run leaves, whatever it finds. Ratings never flagged cost nothing.
    // Context for the rules, each read ∝ the day's ratings: the windows' usual rates (yesterday's decayed counts,
    // already read), tickets issued (read), how many halls each browser of the day rated (one batched get).
    const devices = ratings.flatMap((r) => (r.deviceHash ? [r.deviceHash] : []));
    const found = detect(ratings, hall, {
      usualDaily: usualDailyOf(prev?.units ?? []),
      issued: issued.windows,
      deviceHalls: devices.length ? await deviceHallCounts(table, day, devices) : undefined,
    });
    const hadFlags = ratings.some((r) => r.flags !== undefined);
    for (const r of ratings) {
      const flags = found.flags.get(r.ratingId) ?? [];
      if (flags.length || r.flags !== undefined) {
        await setRatingFlags(table, r.ratingId, flags);
        r.flags = flags;
      }
    }
    // The groups supervisors review (/reviews): rewritten with the flags, people's decisions kept.
    if (found.groups.length || hadFlags) await syncReviewGroups(table, hallId, day, found.groups);
    if (found.flags.size && recent(day)) {
      await emitEvents(table, [reviewWaiting(hallId, day, found.flags.size, new Date().toISOString())], Date.now());
    }

    const today = new Map<string, TVector>();
    const vec = (unit: string) => today.get(unit) ?? today.set(unit, zeroVector()).get(unit)!;
    vec(hallUnit);
    for (const u of prev?.units ?? []) vec(u.unit);
    const kept: TRating[] = [];
    for (const r of ratings) {
      if (isExcluded(r)) continue;
      kept.push(r);
      counted++;
      addRating(vec(hallUnit), r);
      addRating(vec(unitId.window(hallId, r.windowId)), r);
      if (r.serviceId) addRating(vec(unitId.service(hallId, r.serviceId)), r);
    }
    vec(hallUnit)[V.issued] = issued.total;
    for (const [id, n] of Object.entries(issued.windows)) vec(unitId.window(hallId, id))[V.issued] = n;
    for (const [id, n] of Object.entries(issued.services)) vec(unitId.service(hallId, id))[V.issued] = n;

    const prevOf = new Map<string, TSnapshot>(prev ? [[hallUnit, prev.hall], ...prev.units.map((u) => [u.unit, u] as const)] : []);
    const old = droppedByHall.get(hallId);
    const dropped = new Map<string, TVector | undefined>(
      old ? [[hallUnit, old.hall.today], ...old.units.map((u) => [u.unit, u.today] as const)] : [],
    );
    // Kept to a millionth of a rating: far below any published precision, shorter to store, identical on re-runs.
    const decayed = (u: string) =>
      decayVector(padVector(prevOf.get(u)?.decayed ?? zeroVector()), today.get(u)!, padVector(dropped.get(u) ?? zeroVector())).map(toMicro);
    const hallDecayed = decayed(hallUnit);

    const nonZero = (u: string) => (today.get(u)!.some((x) => x !== 0) ? today.get(u) : undefined);
    const shown = shownByHall?.get(hallId)?.hall.figures;
    snapshots.set(hallId, {
      // The hall's figures and alerts wait for finalize, once its region's counts (its prior) are known; until then
      // a re-scored day keeps showing the figures of its last complete run (finalize replaces them).
      hall: {
        unit: hallUnit,
        day,
        today: nonZero(hallUnit),
        decayed: hallDecayed,
        name: hall.name,
        parent: unitId.region(hall.regionId),
        ...(shown ? { figures: shown } : {}),
      },
      // Windows' and services' figures are a pure function of their counts and the hall's (their prior), so they are
      // derived when read (storage/scores.ts) rather than stored: the nightly item stays small at 50,000 halls.
      units: [...today.keys()]
        .filter((u) => u !== hallUnit)
        .map((u) => ({ unit: u, day, today: nonZero(u), decayed: decayed(u), parent: hallUnit })),
      // What the hall page's insights and episode drivers need of the day, from the ratings in hand (no extra write).
      insight: storedInsight(daySummary(kept, hall.timezone, day)),
    });
  }
  let alerts: TAlert[] = [];
  if (opts.selfContained) {
    // The region is exactly these halls: its counts today and yesterday are their sums, so score them now.
    const regionToday = sumHalls(snapshots);
    const regionBefore = sumHalls(prevByHall);
    for (const [hallId, bundle] of snapshots) {
      const scored = scoreHall(hallId, bundle.hall, prevByHall.get(hallId)?.hall, regionToday, regionBefore);
      bundle.hall = scored.hall;
      alerts = alerts.concat(scored.alerts);
    }
  }
  await putHallSnapshots(table, day, [...snapshots.values()]);
  return { ratings: counted, snapshots, alerts };
}

/**
 * A hall's figures (prior = its region's counts that day) and its alerts: the binomial CUSUM of the day's bad
 * share against the hall's own baseline from before that day, shrunk toward its region's; and "turned cold".
 */
function scoreHall(
  hallId: string,
  hall: TSnapshot,
  prev: TSnapshot | undefined,
  regionToday: TVector | undefined,
  regionBefore: TVector | undefined,
): { hall: TSnapshot; alerts: TAlert[] } {
  const scored = withFigures(hall, regionToday);
  const alerts: TAlert[] = [];
  const parentBase = badAndAll(regionBefore ?? zeroVector());
  const base = badAndAll(prev?.decayed ?? zeroVector());
  const p0 = shrunkBadShare(base.bad, base.all, parentBase.all > 0 ? parentBase.bad / parentBase.all : 0.4);
  const todayCounts = badAndAll(hall.today ?? zeroVector());
  const step = cusumStep(prev?.cusum ?? 0, todayCounts.bad, todayCounts.all, p0);
  scored.cusum = step.s;
  const f = scored.figures as { temperature: number; low: number; high: number; band: string };
  if (step.alarm) {
    alerts.push({
      hallId,
      day: hall.day,
      kind: 'cusum',
      figures: {
        bad: todayCounts.bad,
        ratings: todayCounts.all,
        baselineBadShare: Math.round(p0 * 1e4) / 1e4,
        temperature: f.temperature,
        band: f.band,
      },
    });
  }
  if (f.band === 'cold' && prev?.band && prev.band !== 'cold') {
    alerts.push({
      hallId,
      day: hall.day,
      kind: 'turned-cold',
      figures: { temperature: f.temperature, low: f.low, high: f.high, previousBand: prev.band },
    });
  }
  return { hall: scored, alerts };
}

function withFigures(s: TSnapshot, parentDecayed: TVector | undefined): TSnapshot {
  const figures = unitFigures(s.decayed, parentDecayed);
  return { ...s, figures: figures as unknown as Record<string, unknown>, band: figures.band };
}

/* ---------------------------------------------------------------- roll-up: regions */

export interface TRegionIndex {
  byId: Map<string, TRegion>;
  childRegions: Map<string, string[]>;
  depth: Map<string, number>;
  roots: string[];
}

export function indexRegions(regions: TRegion[]): TRegionIndex {
  const byId = new Map(regions.map((r) => [r.id, r]));
  const childRegions = new Map<string, string[]>();
  const roots: string[] = [];
  for (const r of regions) {
    if (r.parentId && byId.has(r.parentId)) childRegions.set(r.parentId, [...(childRegions.get(r.parentId) ?? []), r.id]);
    else roots.push(r.id);
  }
  const depth = new Map<string, number>();
  const walk = (id: string, d: number) => {
    depth.set(id, d);
    for (const c of childRegions.get(id) ?? []) walk(c, d + 1);
  };
  for (const r of roots) walk(r, 0);
  return { byId, childRegions, depth, roots };
}

const regionParentUnit = (index: TRegionIndex, r: TRegion) =>
  r.parentId && index.byId.has(r.parentId) ? unitId.region(r.parentId) : unitId.all;

/**
 * For each day from `plan.from` to `plan.day`: region counts = the batches' partial sums + the child regions',
 * deepest first, then the whole deployment (ALL, the root's prior), then every region's scores.
 * Reads: the partial sums (one per batch) and nothing per hall.
 */
export async function rollUpNight(deps: TJobDeps, plan: Pick<TNightPlan, 'day' | 'runId' | 'from'>): Promise<void> {
  const regions = await listRegions(deps.table);
  const index = indexRegions(regions);
  const deepestFirst = [...index.byId.keys()].sort((a, b) => index.depth.get(b)! - index.depth.get(a)!);
  for (let t = plan.from; t <= plan.day; t = addDays(t, 1)) {
    // Partial sums of all regions fetched in parallel (tens of thousands of regions nationally), then added up.
    const parts = await mapLimit(deepestFirst, 16, (id) => partials(deps.table, t, id, plan.runId));
    const partsOf = new Map(deepestFirst.map((id, i) => [id, parts[i]]));
    const sums = new Map<string, TVector>();
    for (const id of deepestFirst) {
      const sum = zeroVector();
      for (const part of partsOf.get(id)!) addInto(sum, part);
      for (const child of index.childRegions.get(id) ?? []) addInto(sum, sums.get(child)!);
      sums.set(id, sum);
    }
    const all = zeroVector();
    for (const id of index.roots) addInto(all, sums.get(id)!);
    const snaps: TSnapshot[] = [withFigures({ unit: unitId.all, day: t, decayed: all, name: '全部 All' }, undefined)];
    for (const [id, sum] of sums) {
      const r = index.byId.get(id)!;
      const parentUnit = regionParentUnit(index, r);
      const parentSum = parentUnit === unitId.all ? all : sums.get(r.parentId!)!;
      snaps.push(withFigures({ unit: unitId.region(id), day: t, decayed: sum, name: r.name, parent: parentUnit }, parentSum));
    }
    await putSnapshots(deps.table, snaps);
  }
}

/* ---------------------------------------------------------------- finalize: halls and alerts */

/**
 * Scores the batch's halls for each day it recomputed (prior = their region), and runs the alerts on each:
 * the binomial CUSUM of the day's bad share against the hall's shrunk baseline from before that day, and
 * "turned cold". Reads per hall and day: snapshots today and yesterday, the day vector; plus its region's.
 */
export async function finalizeBatch(deps: TJobDeps, plan: Pick<TNightPlan, 'day'>, batch: TBatch): Promise<TAlert[]> {
  if (batch.selfContained) return []; // scored in the batch pass already
  const { table } = deps;
  const regionUnit = unitId.region(batch.regionId);
  const alerts: TAlert[] = [];
  // Days are finalized in order, so each day's "before" is the day just finalized (read once for the first).
  let before = new Map([...(await getHallSnapshots(table, addDays(batch.from, -1), batch.hallIds))].map(([id, b]) => [id, b.hall]));
  let regionBefore = (await getSnapshots(table, addDays(batch.from, -1), [regionUnit])).get(regionUnit)?.decayed;
  for (let t = batch.from; t <= plan.day; t = addDays(t, 1)) {
    const [today, region] = await Promise.all([getHallSnapshots(table, t, batch.hallIds), getSnapshots(table, t, [regionUnit])]);
    const regionToday = region.get(regionUnit)?.decayed;
    const out: THallBundle[] = [];
    const scoredToday = new Map<string, TSnapshot>();
    for (const hallId of batch.hallIds) {
      const bundle = today.get(hallId);
      if (!bundle) continue;
      const scored = scoreHall(hallId, bundle.hall, before.get(hallId), regionToday, regionBefore);
      alerts.push(...scored.alerts);
      scoredToday.set(hallId, scored.hall);
      out.push({ hall: scored.hall, units: bundle.units, insight: bundle.insight });
    }
    await putHallSnapshots(table, t, out);
    before = scoredToday;
    regionBefore = regionToday;
  }
  await putAlerts(table, alerts);
  const fresh = alerts.filter((a) => a.day === plan.day);
  if (fresh.length && deps.publish) await deps.publish(fresh);
  await announce(table, fresh);
  return alerts;
}

/**
 * After a batch is finalized, the late-rating marks it answered are cleared; a mark re-written by a newer late
 * rating since planning stays for the next night.
 */
export async function clearAnswered(deps: TJobDeps, batch: TBatch): Promise<void> {
  for (const m of batch.marks) await clearDirty(deps.table, m);
}

/* ---------------------------------------------------------------- a whole night, locally */

export interface TNightResult {
  day: string;
  halls: number;
  ratings: number;
  alerts: TAlert[];
  /** first day recomputed (earlier than `day` when late ratings were folded in) */
  from: string;
  itemsRead: number;
}

/**
 * Batches a one-process night (the local runtime, the CLI) works on at once. Each batch alternates between its Queries
 * (8 halls in flight) and computing and writing; with 4 batches the engine idled through the second half, so a night
 * took 1.7× the bare Query of its ratings; with 8 it takes about 1.6× (bench: score_night_vs_query_ratio; 2 and 4 measured
 * no better on 12-01, and the engine was busy through the whole night either way). On AWS
 * the fan-out's workers are the concurrency (infra/constructs/scoring.ts).
 */
const NIGHT_BATCHES_AT_ONCE = 8;

export async function runNight(
  deps: TJobDeps,
  day: string,
  opts: { concurrency?: number; batchSize?: number } = {},
): Promise<TNightResult> {
  const readsBefore = deps.table.itemsRead;
  const plan = await planNight(deps, day, { batchSize: opts.batchSize });
  const results = await mapLimit(plan.batches, opts.concurrency ?? NIGHT_BATCHES_AT_ONCE, (b) => processBatch(deps, plan, b));
  await rollUpNight(deps, plan);
  const alerts = [
    ...results.flatMap((r) => r.alerts),
    ...(await mapLimit(plan.batches, opts.concurrency ?? NIGHT_BATCHES_AT_ONCE, (b) => finalizeBatch(deps, plan, b))).flat(),
  ];
  for (const b of plan.batches) await clearAnswered(deps, b);
  const ratings = results.reduce((n, r) => n + r.ratings, 0);
  const halls = plan.batches.reduce((n, b) => n + b.hallIds.length, 0);
  const finishedAt = new Date().toISOString();
  await finishRun(deps.table, day, {
    finishedAt,
    completedAt: finishedAt,
    halls,
    ratings,
    alerts: alerts.filter((a) => a.day === day).length,
  });
  return { day, halls, ratings, alerts, from: plan.from, itemsRead: deps.table.itemsRead - readsBefore };
}

/** Runs [from, to] day by day (a backfill). Each day is a complete, idempotent night. */
export async function runRange(
  deps: TJobDeps,
  from: string,
  to: string,
  onDay?: (r: TNightResult, done: number, total: number) => void,
): Promise<TNightResult[]> {
  const total = daysBetween(from, to) + 1;
  if (total < 1) throw new Error(`--from ${from} is after --to ${to}`);
  const out: TNightResult[] = [];
  for (let i = 0, d = from; i < total; i++, d = addDays(d, 1)) {
    const r = await runNight(deps, d);
    out.push(r);
    onDay?.(r, i + 1, total);
  }
  return out;
}

/**
 * Scores every night after the last completed run up to and including `day` (the recurrence needs yesterday's
 * state, so missed nights are caught up, oldest first). With no run ever, history starts at `firstDay`.
 */
export async function scoreThrough(
  deps: TJobDeps,
  day: string,
  opts: { firstDay?: string; onDay?: (r: TNightResult, done: number, total: number) => void } = {},
): Promise<TNightResult[]> {
  const last = await lastFinishedRun(deps.table);
  if (last && last >= day) return [];
  const from = last ? addDays(last, 1) : (opts.firstDay ?? day);
  return runRange(deps, from, day, opts.onDay);
}

const toMicro = (x: number) => Math.round(x * 1e6) / 1e6;

async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]);
      }
    }),
  );
  return out;
}
