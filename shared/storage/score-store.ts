/**
 * Storage for the nightly job, on the same table: a snapshot per hall (windows and services inside) or region per
 * day (SNAP: that day's counts, decayed counts and the published figures, so a 90-day trend is one Query), partial
 * region sums (PART), a run's batches (PLAN), run records (RUN) and alerts (ALERT); late marks are late-marks.ts's.
 * Every write is a plain put of a value computed from inputs, so re-running a day rewrites identical items
 * (idempotent). Counts the items it reads, for the cost tests.
 */
import { UpdateItemCommand, QueryCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type { TVector } from '../domain/aggregate.js';
import { batchGetItems, batchPutItems } from './batch.js';
import { openTable, type TTable } from './db.js';
import * as lateMarks from './late-marks.js';
import type { TDirtyMark } from './late-marks.js';

export type { TDirtyMark } from './late-marks.js';
import { unitFigures } from '../domain/figures.js';

type Item = Record<string, AttributeValue>;

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

import type { TRun, TRunFinish, TRunStart } from '../scoring/run.js';

export class ScoreStore {
  /** The table handle (the late-mark functions take it); its reads are this store's. */
  readonly table: TTable;

  constructor(
    private readonly db: DynamoDBClient,
    readonly tableName: string,
  ) {
    this.table = openTable(db, tableName);
  }

  /** Items read since construction (or the last reset): the job's cost, in DynamoDB's own unit. */
  get itemsRead(): number {
    return this.table.itemsRead;
  }
  set itemsRead(n: number) {
    this.table.itemsRead = n;
  }

  /*
   * Items are per hall, not per unit: a hall's snapshot, its windows' and its services' (each with that day's
   * count vector and the decayed counts) share one SNAP item, so a night writes one item per hall whatever its
   * size, the day leaving the 366-day window is read back from the same item, and a window's trend is the same
   * one Query as its hall's. Payloads are JSON text: compact, and cheap to (de)serialise at 50,000 halls.
   * Regions and ALL have an item each.
   */

  /* ---------- snapshots ---------- */

  /** A hall's snapshot with its windows' and services' (written together). */
  async putHallSnapshots(day: string, bundles: { hall: TSnapshot; units: TSnapshot[] }[]): Promise<void> {
    await this.batchPut(
      bundles.map((b) =>
        marshall({ pk: `SNAP#${b.hall.unit}`, sk: day, j: JSON.stringify({ hall: strip(b.hall), units: b.units.map(packUnit) }) }),
      ),
    );
  }

  /** Halls' snapshot items as stored (windows' and services' figures not derived: the job does not need them). */
  async getHallSnapshots(day: string, hallIds: string[]): Promise<Map<string, { hall: TSnapshot; units: TSnapshot[] }>> {
    const items = await this.batchGet(hallIds.map((h) => ({ pk: `SNAP#H#${h}`, sk: day })));
    return new Map(items.map((i) => [String(i.pk).slice(7), unbundle(i)]));
  }

  /** Region and ALL snapshots (one item each). */
  async putSnapshots(snaps: TSnapshot[]): Promise<void> {
    for (const s of snaps)
      if (!/^(R#|ALL$)/.test(s.unit)) throw new Error(`putSnapshots takes regions only, got ${s.unit}; halls use putHallSnapshots`);
    await this.batchPut(snaps.map((s) => marshall({ pk: `SNAP#${s.unit}`, sk: s.day, j: JSON.stringify(strip(s)) })));
  }

  /** Snapshots of any units (halls, windows, services, regions) on a day, read with one item per hall. */
  async getSnapshots(day: string, units: string[]): Promise<Map<string, TSnapshot>> {
    const items = await this.batchGet([...new Set(units.map(itemUnit))].map((u) => ({ pk: `SNAP#${u}`, sk: day })));
    const all = new Map<string, TSnapshot>();
    for (const i of items) for (const s of unpack(i)) all.set(s.unit, s);
    return new Map(units.filter((u) => all.has(u)).map((u) => [u, all.get(u)!]));
  }

  /** A unit's snapshots between two days, oldest first: a 90-day trend in one Query. */
  async snapshotRange(unit: string, from: string, to: string): Promise<TSnapshot[]> {
    const items = await this.query({ pk: `SNAP#${itemUnit(unit)}`, between: [from, to] });
    return items.map((i) => unpack(i).find((s) => s.unit === unit)).filter((s): s is TSnapshot => !!s);
  }

  /* ---------- alerts ---------- */

  async putAlerts(alerts: TAlert[]): Promise<void> {
    await this.batchPut(
      alerts.map((a) =>
        marshall(
          { pk: `ALERT#${a.hallId}`, sk: `${a.day}#${a.kind}`, gsi1pk: `ALERTS#${a.day}`, gsi1sk: `${a.hallId}#${a.kind}`, ...a },
          { removeUndefinedValues: true },
        ),
      ),
    );
  }

  async alertsForHall(hallId: string, from: string, to: string): Promise<TAlert[]> {
    return (await this.query({ pk: `ALERT#${hallId}`, between: [from, `${to}#~`] })).map(
      (i) => ({ hallId: i.hallId, day: i.day, kind: i.kind, figures: i.figures }) as TAlert,
    );
  }

  async alertsOfDay(day: string): Promise<TAlert[]> {
    return (await this.query({ pk: `ALERTS#${day}`, index: true })).map(
      (i) => ({ hallId: i.hallId, day: i.day, kind: i.kind, figures: i.figures }) as TAlert,
    );
  }

  /* ---------- partial region sums (one per batch of halls, so the roll-up never reads every hall) ---------- */

  async putPartial(day: string, regionId: string, runId: string, batchKey: string, vector: TVector): Promise<void> {
    await this.batchPut([marshall({ pk: `PART#${day}#${regionId}`, sk: `${runId}#${batchKey}`, v: vector })]);
  }

  async partials(day: string, regionId: string, runId: string): Promise<TVector[]> {
    return (await this.query({ pk: `PART#${day}#${regionId}`, prefix: `${runId}#` })).map((i) => i.v as TVector);
  }

  /* ---------- a run's batches (so later phases can fan out the same batches again) ---------- */

  async putPlanBatches(day: string, runId: string, batches: { key: string }[]): Promise<void> {
    await this.batchPut(batches.map((b) => marshall({ pk: `PLAN#${day}#${runId}`, sk: b.key, batch: b })));
  }

  async planBatches<T>(day: string, runId: string): Promise<T[]> {
    return (await this.query({ pk: `PLAN#${day}#${runId}` })).map((i) => i.batch as T);
  }

  /* ---------- runs ---------- */

  /**
   * A new run of a day: replaces any earlier run record (and its finished-batch sets). The planner passes on the
   * earlier record's `completedAt`, so reports keep showing the day's completed figures while it re-runs.
   */
  async startRun(day: string, run: TRunStart): Promise<void> {
    await this.batchPut([marshall({ pk: 'RUN', sk: day, status: 'running', ...run })]);
  }

  /** Marks the run done with its counts; with `completedAt` (= finishedAt) the day's figures are complete. */
  async finishRun(day: string, fields: TRunFinish): Promise<void> {
    const names = Object.keys(fields) as (keyof TRunFinish)[];
    await this.db.send(
      new UpdateItemCommand({
        TableName: this.tableName,
        Key: marshall({ pk: 'RUN', sk: day }),
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
  async completeBatch(day: string, batchKey: string, phase: 'processed' | 'finalized' = 'processed'): Promise<boolean> {
    const out = await this.db.send(
      new UpdateItemCommand({
        TableName: this.tableName,
        Key: marshall({ pk: 'RUN', sk: day }),
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
  async lastCompletedRun(finished?: boolean): Promise<string | undefined> {
    const out = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk',
        FilterExpression: finished ? '#s = :done' : '#s = :done OR attribute_exists(completedAt)',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: marshall({ ':pk': 'RUN', ':done': 'done' }),
        ScanIndexForward: false,
      }),
    );
    this.itemsRead += out.ScannedCount ?? 0;
    return out.Items?.[0] ? String(unmarshall(out.Items[0]).sk) : undefined;
  }

  /** The latest day whose current run is done (none pending): the job's, not the reports' "latest". */
  lastFinishedRun(): Promise<string | undefined> {
    return this.lastCompletedRun(true);
  }

  /**
   * The day's run record (with its pk and sk), or undefined before the day was ever planned. Its shape is ZRun's:
   * only startRun, finishRun and completeBatch write it, from typed arguments (the fan-out test checks it against
   * ZRun). Not parsed here, so the API function, which reads scores through this class, carries no schema for it.
   */
  async getRun(day: string): Promise<TRun | undefined> {
    const [item] = await this.batchGet([{ pk: 'RUN', sk: day }]);
    return item as TRun | undefined;
  }

  /* ---------- dirty days (late ratings): late-marks.ts owns the DIRTY items ---------- */

  async listDirty(): Promise<TDirtyMark[]> {
    return lateMarks.listDirty(this.table);
  }

  /** Clears a mark unless a newer late rating re-marked it meanwhile. */
  async clearDirty(mark: TDirtyMark): Promise<void> {
    await lateMarks.clearDirty(this.table, mark);
  }

  /* ---------- plumbing ---------- */

  private async query(q: { pk: string; between?: [string, string]; prefix?: string; index?: boolean }): Promise<Record<string, unknown>[]> {
    const out: Record<string, unknown>[] = [];
    let start: Item | undefined;
    const [pkName, skName] = q.index ? ['gsi1pk', 'gsi1sk'] : ['pk', 'sk'];
    do {
      const page = await this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: q.index ? 'gsi1' : undefined,
          KeyConditionExpression: q.between
            ? `${pkName} = :pk AND ${skName} BETWEEN :a AND :b`
            : q.prefix
              ? `${pkName} = :pk AND begins_with(${skName}, :p)`
              : `${pkName} = :pk`,
          ExpressionAttributeValues: marshall(
            q.between
              ? { ':pk': q.pk, ':a': q.between[0], ':b': q.between[1] }
              : q.prefix
                ? { ':pk': q.pk, ':p': q.prefix }
                : { ':pk': q.pk },
          ),
          ExclusiveStartKey: start,
        }),
      );
      this.itemsRead += page.Items?.length ?? 0;
      out.push(...(page.Items ?? []).map((i) => unmarshall(i)));
      start = page.LastEvaluatedKey;
    } while (start);
    return out;
  }

  private async batchGet(keys: { pk: string; sk: string }[]): Promise<Record<string, unknown>[]> {
    const items = await batchGetItems(this.db, this.tableName, keys, { consistent: true });
    this.itemsRead += items.length;
    return items.map((it) => unmarshall(it));
  }

  private batchPut(items: Item[]): Promise<void> {
    return batchPutItems(this.db, this.tableName, items);
  }
}

/** The item a unit's snapshot lives in: its hall's for windows and services, its own otherwise. */
const itemUnit = (unit: string) => (unit.startsWith('W#') || unit.startsWith('S#') ? `H#${unit.split('#')[1]}` : unit);

/** Drops the day (it is the item's sort key) to keep items small. */
const strip = ({ day: _day, ...rest }: TSnapshot) => rest;

/**
 * A window or service inside its hall's item, as [kind and id, that day's vector or 0, decayed counts]: the hall,
 * the day and the parent are the item's, and figures are derived on read. Small items are what keep a night of
 * 50,000 halls cheap for the database.
 */
type TPackedUnit = [string, TVector | 0, TVector];
const packUnit = (u: TSnapshot): TPackedUnit => [`${u.unit[0]}#${u.unit.slice(u.unit.indexOf('#', 2) + 1)}`, u.today ?? 0, u.decayed];

function unbundle(i: Record<string, unknown>): { hall: TSnapshot; units: TSnapshot[] } {
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
  };
}

/** Every snapshot in an item, windows' and services' with their figures derived (prior = the hall). */
function unpack(i: Record<string, unknown>): TSnapshot[] {
  if (String(i.pk).startsWith('SNAP#H#')) {
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
