/**
 * The nightly job's items, on the same table: a snapshot per hall (windows and services inside) or region per day
 * (SNAP: that day's counts, decayed counts and the published figures, so a 90-day trend is one Query), partial
 * region sums (PART), a run's batches (PLAN), run records (RUN) and alerts (ALERT); late marks are late-marks.ts's.
 * Plain functions over the table handle, so a Lambda bundles only those it calls (the API reads snapshots and the
 * last completed run, never writes). Every write is a plain put of a value computed from inputs, so re-running a
 * day rewrites identical items (idempotent). Reads are counted on the handle, for the cost tests.
 */
import { QueryCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type { TVector } from '../domain/aggregate.js';
import { unitFigures } from '../domain/figures.js';
import type { TRun, TRunFinish, TRunStart } from '../scoring/run.js';
import { batchGet, batchPut, queryAll, type TTable } from './db.js';
import * as keys from './keys.js';

export interface TSnapshot {
  unit: string;
  day: string;
  /** that day's own count vector (halls, windows, services) */
  today?: TVector;
  /** decayed count vector Σ δ^(T−d)·c(d) over the last 366 days */
  decayed: TVector;
  /** CUSUM statistic after this day (halls only) */
  cusum?: number;
  /** the published figures (absent until the unit's scores are computed) */
  figures?: Record<string, unknown>;
  band?: string;
  /** hall / region name and parent, so reports need no second read */
  name?: string;
  parent?: string;
}

export interface TAlert {
  hallId: string;
  day: string;
  kind: 'cusum' | 'turned-cold';
  figures: Record<string, unknown>;
}

/*
 * Items are per hall, not per unit: a hall's snapshot, its windows' and its services' (each with that day's
 * count vector and the decayed counts) share one SNAP item, so a night writes one item per hall whatever its
 * size, the day leaving the 366-day window is read back from the same item, and a window's trend is the same
 * one Query as its hall's. Payloads are JSON text: compact, and cheap to (de)serialise at 50,000 halls.
 * Regions and ALL have an item each.
 */

/* ---------- snapshots ---------- */

/**
 * A hall's day as stored: its snapshot with its windows' and services', and the day's insight summary (`i`, JSON
 * text: scoring/insight-days.ts's, absent when too large or written before summaries existed).
 */
export interface THallDay {
  hall: TSnapshot;
  units: TSnapshot[];
  insight?: string;
}

/** A hall's snapshot with its windows' and services' and the day's insight summary (written together). */
export async function putHallSnapshots(t: TTable, day: string, bundles: THallDay[]): Promise<void> {
  await batchPut(
    t,
    bundles.map((b) =>
      marshall(
        { ...keys.snap(b.hall.unit, day), j: JSON.stringify({ hall: dayless(b.hall), units: b.units.map(packUnit) }), i: b.insight },
        { removeUndefinedValues: true },
      ),
    ),
  );
}

/** Halls' snapshot items as stored (windows' and services' figures not derived: the job does not need them). */
export async function getHallSnapshots(t: TTable, day: string, hallIds: string[]): Promise<Map<string, THallDay>> {
  const items = await read(
    t,
    hallIds.map((h) => keys.snap(`H#${h}`, day)),
  );
  return new Map(items.map((i) => [keys.hallIdOfSnap(String(i.pk)), unbundle(i)]));
}

/** Region and ALL snapshots (one item each). */
export async function putSnapshots(t: TTable, snaps: TSnapshot[]): Promise<void> {
  for (const s of snaps)
    if (!/^(R#|ALL$)/.test(s.unit)) throw new Error(`putSnapshots takes regions only, got ${s.unit}; halls use putHallSnapshots`);
  await batchPut(
    t,
    snaps.map((s) => marshall({ ...keys.snap(s.unit, s.day), j: JSON.stringify(dayless(s)) })),
  );
}

/** Snapshots of any units (halls, windows, services, regions) on a day, read with one item per hall. */
export async function getSnapshots(t: TTable, day: string, units: string[]): Promise<Map<string, TSnapshot>> {
  const items = await read(
    t,
    [...new Set(units.map(itemUnit))].map((u) => keys.snap(u, day)),
  );
  return unitsOf(items, units);
}

/**
 * The asked units' snapshots out of items already read, windows' and services' figures derived for those only (a
 * region page asks for its halls, not for each hall's every window and service).
 */
function unitsOf(items: Record<string, unknown>[], units: string[]): Map<string, TSnapshot> {
  const asked = new Map<string, Set<string>>();
  for (const u of units) {
    const pk = keys.snapPartition(itemUnit(u));
    (asked.get(pk) ?? asked.set(pk, new Set()).get(pk)!).add(u);
  }
  const found = new Map<string, TSnapshot>();
  for (const i of items) {
    const mine = asked.get(String(i.pk)) ?? new Set<string>();
    if (String(i.pk).startsWith(keys.hallSnapPrefix)) for (const [u, s] of hallDayUnits(unbundle(i), [...mine])) found.set(u, s);
    else for (const s of unpack(i)) if (mine.has(s.unit)) found.set(s.unit, s);
  }
  return new Map(units.filter((u) => found.has(u)).map((u) => [u, found.get(u)!]));
}

/** A hall's units (the hall, windows, services) on the day of an item hallDays read, as getSnapshots gives them. */
export function hallDayUnits(d: THallDay, units: string[]): Map<string, TSnapshot> {
  const byUnit = new Map([d.hall, ...d.units].map((s) => [s.unit, s]));
  const out = new Map<string, TSnapshot>();
  for (const u of units) {
    const s = byUnit.get(u);
    if (!s) continue;
    if (s === d.hall) out.set(u, s);
    else {
      const figures = unitFigures(s.decayed, d.hall.decayed);
      out.set(u, { ...s, figures: figures as unknown as Record<string, unknown>, band: figures.band });
    }
  }
  return out;
}

/** A unit's snapshots between two days, oldest first: a 90-day trend in one Query. */
export async function snapshotRange(t: TTable, unit: string, from: string, to: string): Promise<TSnapshot[]> {
  const items = await query(t, { pk: keys.snapPartition(itemUnit(unit)), between: [from, to] });
  return items.map((i) => unpackOne(i, unit)).filter((s): s is TSnapshot => !!s);
}

/**
 * A hall's days between two days, oldest first, each with its insight summary: the hall page's 90-day trend and
 * its last 30 days' insights in one Query.
 */
export async function hallDays(t: TTable, hallId: string, from: string, to: string): Promise<THallDay[]> {
  return (await query(t, { pk: keys.snapPartition(`H#${hallId}`), between: [from, to] })).map(unbundle);
}

/* ---------- alerts ---------- */

export async function putAlerts(t: TTable, alerts: TAlert[]): Promise<void> {
  await batchPut(
    t,
    alerts.map((a) =>
      marshall(
        { ...keys.alert(a.hallId, a.day, a.kind), ...keys.alertIndex(a.hallId, a.day, a.kind), ...a },
        { removeUndefinedValues: true },
      ),
    ),
  );
}

const toAlert = (i: Record<string, unknown>) => ({ hallId: i.hallId, day: i.day, kind: i.kind, figures: i.figures }) as TAlert;

export async function alertsForHall(t: TTable, hallId: string, from: string, to: string): Promise<TAlert[]> {
  return (await query(t, { pk: keys.alertsOfHall(hallId), between: [from, `${to}#~`] })).map(toAlert);
}

export async function alertsOfDay(t: TTable, day: string): Promise<TAlert[]> {
  return (await query(t, { pk: keys.alertsOfDay(day), index: true })).map(toAlert);
}

/* ---------- partial region sums (one per batch of halls, so the roll-up never reads every hall) ---------- */

export async function putPartial(
  t: TTable,
  day: string,
  regionId: string,
  runId: string,
  batchKey: string,
  vector: TVector,
): Promise<void> {
  await batchPut(t, [marshall({ ...keys.part(day, regionId, runId, batchKey), v: vector })]);
}

export async function partials(t: TTable, day: string, regionId: string, runId: string): Promise<TVector[]> {
  return (await query(t, { pk: keys.partPartition(day, regionId), prefix: `${runId}#` })).map((i) => i.v as TVector);
}

/* ---------- a run's batches (so later phases can fan out the same batches again) ---------- */

export async function putPlanBatches(t: TTable, day: string, runId: string, batches: { key: string }[]): Promise<void> {
  await batchPut(
    t,
    batches.map((b) => marshall({ ...keys.plan(day, runId, b.key), batch: b })),
  );
}

export async function planBatches<T>(t: TTable, day: string, runId: string): Promise<T[]> {
  return (await query(t, { pk: keys.planPartition(day, runId) })).map((i) => i.batch as T);
}

/* ---------- runs ---------- */

/**
 * A new run of a day: replaces any earlier run record (and its finished-batch sets). The planner passes on the
 * earlier record's `completedAt`, so reports keep showing the day's completed figures while it re-runs.
 */
export async function startRun(t: TTable, day: string, run: TRunStart): Promise<void> {
  await batchPut(t, [marshall({ ...keys.run(day), status: 'running', ...run })]);
}

/** Marks the run done with its counts; with `completedAt` (= finishedAt) the day's figures are complete. */
export async function finishRun(t: TTable, day: string, fields: TRunFinish): Promise<void> {
  const names = Object.keys(fields) as (keyof TRunFinish)[];
  await t.db.send(
    new UpdateItemCommand({
      TableName: t.name,
      Key: marshall(keys.run(day)),
      UpdateExpression: `SET #status = :done, ${names.map((_, i) => `#f${i} = :f${i}`).join(', ')}`,
      ExpressionAttributeNames: { '#status': 'status', ...Object.fromEntries(names.map((n, i) => [`#f${i}`, n])) },
      ExpressionAttributeValues: marshall(
        { ':done': 'done', ...Object.fromEntries(names.map((n, i) => [`:f${i}`, fields[n]])) },
        { removeUndefinedValues: true },
      ),
    }),
  );
}

/**
 * Records that a batch finished a phase of the run; true when it was the last one. A string-set ADD is
 * idempotent, so a batch retried by SQS cannot be counted twice.
 */
export async function completeBatch(
  t: TTable,
  day: string,
  batchKey: string,
  phase: 'processed' | 'finalized' = 'processed',
): Promise<boolean> {
  const out = await t.db.send(
    new UpdateItemCommand({
      TableName: t.name,
      Key: marshall(keys.run(day)),
      UpdateExpression: 'ADD #set :b',
      ExpressionAttributeNames: { '#set': phase },
      ExpressionAttributeValues: { ':b': { SS: [batchKey] } },
      ReturnValues: 'ALL_NEW',
    }),
  );
  const run = unmarshall(out.Attributes ?? {});
  return (run[phase] as Set<string> | undefined)?.size === Number(run.batches);
}

/**
 * The latest day whose figures are complete: its run is done, or it completed once and is being re-run (a
 * re-run pending or killed halfway). What reports and the dashboard show as "latest".
 * With `finished`: the latest day whose current run is done (none pending), where the job's catch-up continues
 * from, since the next night starts from this one's snapshots (see lastFinishedRun).
 */
export async function lastCompletedRun(t: TTable, finished?: boolean): Promise<string | undefined> {
  const out = await t.db.send(
    new QueryCommand({
      TableName: t.name,
      KeyConditionExpression: 'pk = :pk',
      FilterExpression: finished ? '#s = :done' : '#s = :done OR attribute_exists(completedAt)',
      ExpressionAttributeNames: { '#s': 'status' },
      ExpressionAttributeValues: marshall({ ':pk': keys.runPartition, ':done': 'done' }),
      ScanIndexForward: false,
    }),
  );
  t.itemsRead += out.ScannedCount ?? 0;
  return out.Items?.[0] ? String(unmarshall(out.Items[0]).sk) : undefined;
}

/** The latest day whose current run is done (none pending): the job's, not the reports' "latest". */
export function lastFinishedRun(t: TTable): Promise<string | undefined> {
  return lastCompletedRun(t, true);
}

/**
 * The day's run record (with its pk and sk), or undefined before the day was ever planned. Its shape is ZRun's:
 * only startRun, finishRun and completeBatch write it, from typed arguments (the fan-out test checks it against
 * ZRun). Not parsed here, so the API function, which reads scores from this module, carries no schema for it.
 */
export async function getRun(t: TTable, day: string): Promise<TRun | undefined> {
  const [item] = await read(t, [keys.run(day)]);
  return item as TRun | undefined;
}

/* ---------- plumbing ---------- */

/** Consistent batch get, unmarshalled; counted on the handle. */
async function read(t: TTable, keyList: keys.TKey[]): Promise<Record<string, unknown>[]> {
  return (await batchGet(t, keyList, { consistent: true })).map((i) => unmarshall(i));
}

/** Every page of a Query, unmarshalled; counted on the handle. */
async function query(t: TTable, q: Parameters<typeof queryAll>[1]): Promise<Record<string, unknown>[]> {
  return (await queryAll(t, q)).map((i) => unmarshall(i));
}

/** The item a unit's snapshot lives in: its hall's for windows and services, its own otherwise. */
const itemUnit = (unit: string) => (unit.startsWith('W#') || unit.startsWith('S#') ? `H#${unit.split('#')[1]}` : unit);

/** Drops the day (it is the item's sort key) to keep items small. */
const dayless = ({ day: _day, ...rest }: TSnapshot) => rest;

/**
 * A window or service inside its hall's item, as [kind and id, that day's vector or 0, decayed counts]: the hall,
 * the day and the parent are the item's, and figures are derived on read. Small items are what keep a night of
 * 50,000 halls cheap for the database.
 */
type TPackedUnit = [string, TVector | 0, TVector];
const packUnit = (u: TSnapshot): TPackedUnit => [`${u.unit[0]}#${u.unit.slice(u.unit.indexOf('#', 2) + 1)}`, u.today ?? 0, u.decayed];

function unbundle(i: Record<string, unknown>): THallDay {
  const day = String(i.sk);
  const b = JSON.parse(String(i.j)) as { hall: Omit<TSnapshot, 'day'>; units: TPackedUnit[] };
  const hallId = b.hall.unit.slice(2);
  return {
    hall: { ...b.hall, day },
    units: b.units.map(([id, today, decayed]) => ({
      unit: `${id[0]}#${hallId}#${id.slice(2)}`,
      day,
      today: today || undefined,
      decayed,
      parent: b.hall.unit,
    })),
    ...(typeof i.i === 'string' ? { insight: i.i } : {}),
  };
}

/** Every snapshot in an item, windows' and services' with their figures derived (prior = the hall). */
/** One unit of an item: a hall's trend needs neither its windows' nor its services' figures (90 days × each). */
function unpackOne(i: Record<string, unknown>, unit: string): TSnapshot | undefined {
  if (!String(i.pk).startsWith(keys.hallSnapPrefix)) return unpack(i).find((s) => s.unit === unit);
  const b = unbundle(i);
  if (b.hall.unit === unit) return b.hall;
  const u = b.units.find((x) => x.unit === unit);
  if (!u) return undefined;
  const figures = unitFigures(u.decayed, b.hall.decayed);
  return { ...u, figures: figures as unknown as Record<string, unknown>, band: figures.band };
}

function unpack(i: Record<string, unknown>): TSnapshot[] {
  if (String(i.pk).startsWith(keys.hallSnapPrefix)) {
    const b = unbundle(i);
    return [
      b.hall,
      ...b.units.map((u) => {
        const figures = unitFigures(u.decayed, b.hall.decayed);
        return { ...u, figures: figures as unknown as Record<string, unknown>, band: figures.band };
      }),
    ];
  }
  return [{ ...(JSON.parse(String(i.j)) as Omit<TSnapshot, 'day'>), day: String(i.sk) }];
}
