/**
 * The nightly job's AWS fan-out (shared/scoring/fanout.ts, functions/scoring-aws.ts) end to end against dynalite: the planner and the
 * SQS worker with an in-memory queue in place of SQS and a recorder in place of SNS. Its figures must equal the
 * local `runNight` on an identically seeded table, and every message must be safe to deliver again.
 */
import { randomBytes } from 'node:crypto';
import { ScanCommand, UpdateItemCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unitId } from '../shared/domain/aggregate.js';
import type { TRating } from '../shared/domain/model.js';
import { seedDemo } from '../shared/local/seed.js';
import { runNight, type TJobDeps } from '../shared/scoring/job.js';
import { hallReport, toUnitReport } from '../shared/scoring/report.js';
import { ZRun } from '../shared/scoring/run.js';
import { createDynamoClient } from '../shared/storage/client.js';
import { openTable } from '../shared/storage/db.js';
import { ensureTable } from '../shared/storage/schema.js';
import type { TAlert } from '../shared/storage/scores.js';
import { loadScoringConfig as loadScoringEnv } from '../shared/config.js';
import type { TLog as TScoringLog } from '../shared/log.js';
import { createPlanner, type TScoringCore } from '../shared/scoring/fanout.js';
import { parseScoreMessage, type TScoreMessage } from '../shared/scoring/messages.js';
import { createWorker, snsPublisher, sqsSender } from '../functions/scoring-aws.js';
import { engine, stopEngines } from './support/harness.js';
import { getRun, getSnapshots, lastCompletedRun, lastFinishedRun } from '../shared/storage/scores.js';
import { listDirty, markDirty } from '../shared/storage/late-marks.js';
import { putRating } from '../shared/storage/ratings.js';

const TODAY = '2026-11-20';
const FIRST = '2026-11-10'; // the seed's first day of ratings (days: 10)
const BATCH_SIZE = 2; // 6 demo halls in 2 regions → 4 batches a night, two per region
const TZ = 'Asia/Shanghai';

afterAll(stopEngines, 30_000);

/* ---------------------------------------------------------------- world */

interface TTable {
  client: DynamoDBClient;
  tableName: string;
  deps: TJobDeps;
  seeded: Awaited<ReturnType<typeof seedDemo>>;
}

async function seededTable(): Promise<TTable> {
  const e = await engine();
  const client = createDynamoClient({ endpoint: e.endpoint });
  const tableName = `fan-${randomBytes(5).toString('hex')}`;
  await ensureTable(client, tableName);
  const table = openTable(client, tableName);
  const seeded = await seedDemo(table, { today: TODAY, apiKey: 'demo-api-key-0123456789', days: 10 });
  return { client, tableName, deps: { table }, seeded };
}

async function scanAll(t: TTable): Promise<Record<string, unknown>[]> {
  const out: Record<string, AttributeValue>[] = [];
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await t.client.send(new ScanCommand({ TableName: t.tableName, ExclusiveStartKey: start, ConsistentRead: true }));
    out.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return out
    .map((i) => JSON.parse(JSON.stringify(i)) as Record<string, unknown>)
    .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
}

/** Every scored unit of the demo: halls, their windows and services, regions, and the whole deployment. */
function allUnits(t: TTable): string[] {
  const d = t.seeded.data;
  return [
    unitId.all,
    ...d.regions.map((r) => unitId.region(r.id)),
    ...d.halls.map((h) => unitId.hall(h.id)),
    ...d.windows.map((w) => unitId.window(w.hallId, w.id)),
    ...d.services.map((s) => unitId.service(s.hallId, s.id)),
  ];
}

async function snapshotsOf(t: TTable, day: string) {
  const snaps = await getSnapshots(t.deps.table, day, allUnits(t));
  return Object.fromEntries([...snaps].sort(([a], [b]) => a.localeCompare(b)));
}

/* ---------------------------------------------------------------- an in-memory SQS */

interface TQueued {
  messageId: string;
  body: string;
  receiveCount: number;
}

class MemoryQueue {
  items: TQueued[] = [];
  sent: TScoreMessage[] = [];
  private n = 0;
  send = async (messages: TScoreMessage[]): Promise<void> => {
    for (const m of messages) {
      this.sent.push(m);
      this.items.push({ messageId: `m-${++this.n}`, body: JSON.stringify(m), receiveCount: 0 });
    }
  };
}

function sqsRecord(q: TQueued): SQSRecord {
  return {
    messageId: q.messageId,
    receiptHandle: `rh-${q.messageId}-${q.receiveCount}`,
    body: q.body,
    attributes: {
      ApproximateReceiveCount: String(q.receiveCount),
      SentTimestamp: '0',
      SenderId: 'test',
      ApproximateFirstReceiveTimestamp: '0',
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:score',
    awsRegion: 'us-east-1',
  };
}

const sqsEvent = (items: TQueued[]): SQSEvent => ({ Records: items.map(sqsRecord) });

/**
 * Delivers the queue to the worker, `batch` records per event, until it is empty. A record reported in
 * batchItemFailures goes back on the queue, as SQS does after the visibility timeout. Bounded.
 */
async function drain(worker: ReturnType<typeof createWorker>, q: MemoryQueue, opts: { batch?: number; maxEvents?: number } = {}) {
  const failures: string[] = [];
  let events = 0;
  while (q.items.length) {
    if (++events > (opts.maxEvents ?? 1000)) throw new Error('queue did not drain');
    const take = q.items.splice(0, opts.batch ?? 3);
    for (const t of take) t.receiveCount++;
    const res = await worker(sqsEvent(take));
    for (const f of res.batchItemFailures) {
      failures.push(f.itemIdentifier);
      q.items.push(take.find((t) => t.messageId === f.itemIdentifier)!);
    }
  }
  return { failures, events };
}

function recordingLog(): TScoringLog & { lines: { level: string; message: string; data?: Record<string, unknown> }[] } {
  const lines: { level: string; message: string; data?: Record<string, unknown> }[] = [];
  return {
    lines,
    info: (message, data) => lines.push({ level: 'info', message, data }),
    warn: (message, data) => lines.push({ level: 'warn', message, data }),
    error: (message, data) => lines.push({ level: 'error', message, data }),
  };
}

/** Strictly increasing, close to real time (dirty marks are compared with the plan time). */
function clock(): () => number {
  let t = Date.now();
  return () => (t = Math.max(t + 1, Date.now()));
}

/* ---------------------------------------------------------------- the tests */

describe('nightly scoring fan-out (planner → SQS → worker) against dynalite', () => {
  let fan: TTable;
  let local: TTable;
  let q: MemoryQueue;
  let published: TAlert[];
  let log: ReturnType<typeof recordingLog>;
  let core: TScoringCore;
  let worker: ReturnType<typeof createWorker>;
  let planner: ReturnType<typeof createPlanner>;
  let injectedFailures = 0;
  let firstDrain: Awaited<ReturnType<typeof drain>>;
  const localAlerts: TAlert[] = [];

  beforeAll(async () => {
    [fan, local] = await Promise.all([seededTable(), seededTable()]);
    q = new MemoryQueue();
    published = [];
    log = recordingLog();
    // One injected fault: the first `processed` completion of batch "r-west:1" throws after its work was done. The
    // fault is in the client (DynamoDB refusing that one update); every other call reaches the real engine.
    const faulty = Object.create(fan.client) as DynamoDBClient;
    faulty.send = ((cmd: unknown) => {
      const input = cmd instanceof UpdateItemCommand ? cmd.input : undefined;
      const completes = input?.ExpressionAttributeNames?.['#set'] === 'processed' && input.UpdateExpression === 'ADD #set :b';
      if (completes && input.ExpressionAttributeValues?.[':b']?.SS?.[0] === 'r-west:1' && injectedFailures === 0) {
        injectedFailures++;
        return Promise.reject(new Error('injected: DynamoDB unavailable'));
      }
      return fan.client.send(cmd as UpdateItemCommand);
    }) as DynamoDBClient['send'];
    core = {
      deps: { table: openTable(faulty, fan.tableName) },
      send: q.send,
      publish: async (a) => void published.push(...a),
      log,
      now: clock(),
      batchSize: BATCH_SIZE,
    };
    worker = createWorker(core);
    planner = createPlanner(core, { timeZone: TZ });

    // Fan-out: one backfill event for the seed's first nine days, chained night after night through the queue.
    await planner({ day: FIRST, through: '2026-11-18' });
    firstDrain = await drain(worker, q);

    // Local reference, same batches.
    for (let d = FIRST; d <= '2026-11-18'; d = nextDay(d))
      localAlerts.push(...(await runNight(local.deps, d, { batchSize: BATCH_SIZE })).alerts);
  }, 240_000);

  it('finishes every night of the chain (RUN status done) through the queue alone', async () => {
    for (let d = FIRST; d <= '2026-11-18'; d = nextDay(d)) {
      const run = await getRun(fan.deps.table, d);
      expect(run, d).toMatchObject({ status: 'done', batches: 4, halls: 6, mode: 'fan-out' });
      expect([...(run!.processed as Set<string>)].sort()).toEqual(['r-east:0', 'r-east:1', 'r-west:0', 'r-west:1']);
      expect([...(run!.finalized as Set<string>)].sort()).toEqual(['r-east:0', 'r-east:1', 'r-west:0', 'r-west:1']);
    }
    expect(await lastCompletedRun(fan.deps.table)).toBe('2026-11-18');
    // 9 nights × (4 batch + 1 rollup + 4 finalize) + 8 plan messages
    const kinds: Record<string, number> = {};
    for (const s of q.sent) kinds[s.kind] = (kinds[s.kind] ?? 0) + 1;
    expect(kinds).toEqual({ batch: 36, rollup: 9, finalize: 36, plan: 8 });
  });

  it('writes exactly the figures of the local runNight for every hall, window, service, region and ALL', async () => {
    for (let d = FIRST; d <= '2026-11-18'; d = nextDay(d)) {
      const [a, b] = await Promise.all([snapshotsOf(fan, d), snapshotsOf(local, d)]);
      expect(Object.keys(a).length, d).toBe(allUnits(fan).length);
      expect(a, d).toEqual(b);
      for (const h of fan.seeded.data.halls) expect(a[unitId.hall(h.id)].figures, `${h.id} ${d} scored`).toBeDefined();
    }
  });

  it('publishes the alerts of each scored day through the injected publish, as the local run finds them', () => {
    const key = (a: TAlert) => `${a.hallId}|${a.day}|${a.kind}`;
    expect(published.map(key).sort()).toEqual(localAlerts.map(key).sort());
    expect(published.length, 'the demo city raises at least one alert in nine nights').toBeGreaterThan(0);
  });

  it('reports a failed record in batchItemFailures and lets the others of the same event succeed', () => {
    expect(injectedFailures).toBe(1);
    expect(firstDrain.failures).toHaveLength(1);
    const failed = log.lines.filter((l) => l.level === 'error' && l.message.includes('message failed'));
    expect(failed).toHaveLength(1);
    expect(failed[0].data?.messageId).toBe(firstDrain.failures[0]);
    expect(failed[0].data?.error).toMatch(/injected/);
  });

  it('reports only the bad record of a mixed event: malformed, superseded and valid messages side by side', async () => {
    const before = await scanAll(fan);
    const rollup = q.sent.find((m) => m.kind === 'rollup' && m.day === '2026-11-18')!;
    const items: TQueued[] = [
      { messageId: 'bad-json', body: '{"kind":"batch",', receiveCount: 1 },
      { messageId: 'bad-kind', body: JSON.stringify({ kind: 'explode', day: '2026-11-18' }), receiveCount: 1 },
      { messageId: 'stale', body: JSON.stringify({ ...rollup, runId: '2000-01-01T00:00:00.000Z' }), receiveCount: 1 },
      { messageId: 'ok', body: JSON.stringify(rollup), receiveCount: 2 },
    ];
    const sentBefore = q.sent.length;
    const res = await worker(sqsEvent(items));
    expect(res.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(['bad-json', 'bad-kind']);
    expect(q.sent.length, 'a roll-up of a finished run sends nothing').toBe(sentBefore);
    expect(log.lines).toContainEqual(expect.objectContaining({ level: 'warn', message: expect.stringContaining('superseded run') }));
    expect(await scanAll(fan)).toEqual(before);
  });

  it('changes nothing when a batch, roll-up or finalize message of a finished night is delivered again', async () => {
    const before = await scanAll(fan);
    const publishedBefore = published.length;
    const sentBefore = q.sent.length;
    const again = (['batch', 'rollup', 'finalize'] as const).flatMap((kind) =>
      q.sent.filter((m) => m.kind === kind && m.day === '2026-11-15'),
    );
    expect(again.map((m) => m.kind)).toEqual([
      'batch',
      'batch',
      'batch',
      'batch',
      'rollup',
      'finalize',
      'finalize',
      'finalize',
      'finalize',
    ]);
    const items = again.map((m, i) => ({ messageId: `again-${i}`, body: JSON.stringify(m), receiveCount: 2 }));
    for (let i = 0; i < items.length; i += 3) expect((await worker(sqsEvent(items.slice(i, i + 3)))).batchItemFailures).toEqual([]);
    expect(await scanAll(fan)).toEqual(before);
    expect(published.length).toBe(publishedBefore);
    expect(q.sent.length).toBe(sentBefore);
  });

  it('survives every message being delivered twice, side by side, mid-run: same figures, every alert published', async () => {
    const twice = await seededTable();
    const q2 = new MemoryQueue();
    const got: TAlert[] = [];
    const c: TScoringCore = {
      deps: twice.deps,
      send: q2.send,
      publish: async (a) => void got.push(...a),
      now: clock(),
      batchSize: BATCH_SIZE,
    };
    const w = createWorker(c);
    await createPlanner(c, { timeZone: TZ })({ day: FIRST, through: '2026-11-13' });
    // Each event carries a message and its own duplicate, handled concurrently, as SQS may deliver it.
    let events = 0;
    while (q2.items.length) {
      if (++events > 2000) throw new Error('queue did not drain');
      const item = q2.items.shift()!;
      expect((await w(sqsEvent([item, { ...item, messageId: `${item.messageId}-dup` }]))).batchItemFailures).toEqual([]);
    }
    for (let d = FIRST; d <= '2026-11-13'; d = nextDay(d)) {
      expect(await getRun(twice.deps.table, d), d).toMatchObject({ status: 'done' });
      expect(await snapshotsOf(twice, d), d).toEqual(await snapshotsOf(local, d));
    }
    // At least once: a duplicate handled at the same instant may publish an alert twice (same alertId).
    const key = (a: TAlert) => `${a.hallId}|${a.day}|${a.kind}`;
    expect([...new Set(got.map(key))].sort()).toEqual(
      published
        .filter((a) => a.day <= '2026-11-13')
        .map(key)
        .sort(),
    );
  }, 180_000);

  it('scores "yesterday" in the scoring zone from the schedule, folding a late rating into its past day', async () => {
    // A late bad rating for 11-15 arrives on both tables after the first nine nights were scored.
    const ofDay = fan.seeded.data.ratings.filter((r) => r.day === '2026-11-15');
    expect(ofDay.length).toBeGreaterThan(0);
    const src = ofDay.find((r) => r.overall <= 2) ?? ofDay[0];
    const late = { ...src, ratingId: 'late-rating-000001' } as TRating;
    for (const t of [fan, local]) {
      await markDirty(t.deps.table, late.hallId, late.day, Date.now());
      await putRating(t.deps.table, late);
    }
    // 02:00 on 11-20 in Shanghai is 18:00 on 11-19 UTC: the night to score is 11-19.
    const res = await planner({ scheduledTime: '2026-11-19T18:00:00Z' });
    expect(res).toMatchObject({ day: '2026-11-19', through: '2026-11-19', batches: 4 });
    const batch = q.sent.at(-1) as Extract<TScoreMessage, { kind: 'batch' }>;
    expect(batch.from).toBe('2026-11-15');
    expect((await drain(worker, q)).failures).toEqual([]);
    await runNight(local.deps, '2026-11-19', { batchSize: BATCH_SIZE });
    for (const d of ['2026-11-15', '2026-11-16', '2026-11-17', '2026-11-18', '2026-11-19']) {
      expect(await snapshotsOf(fan, d), d).toEqual(await snapshotsOf(local, d));
    }
    expect(await listDirty(fan.deps.table)).toEqual([]);
    // The same schedule delivered again: the night is done, nothing is planned.
    const sent = q.sent.length;
    expect(await planner({ scheduledTime: '2026-11-19T18:00:00Z' })).toMatchObject({ skipped: 'already-scored' });
    expect(q.sent.length).toBe(sent);
  }, 120_000);

  it('drops the messages of a superseded run with a log line', async () => {
    const old = q.sent.filter((m) => m.kind === 'batch' && m.day === '2026-11-19');
    const before = await getRun(fan.deps.table, '2026-11-19');
    // A re-run of 11-19 is planned (not delivered yet): the old run's messages are now stale.
    const res = await planner({ day: '2026-11-19' });
    expect(res.runId).not.toBe(before!.runId);
    const pending = q.items.splice(0);
    const lines = log.lines.length;
    const out = await worker(
      sqsEvent(old.slice(0, 3).map((m, i) => ({ messageId: `old-${i}`, body: JSON.stringify(m), receiveCount: 2 }))),
    );
    expect(out.batchItemFailures).toEqual([]);
    const warned = log.lines.slice(lines).filter((l) => l.message.includes('superseded run'));
    expect(warned).toHaveLength(3);
    expect(warned[0].data).toMatchObject({ day: '2026-11-19', runId: before!.runId, currentRunId: res.runId });
    const run = await getRun(fan.deps.table, '2026-11-19');
    expect(run).toMatchObject({ runId: res.runId, status: 'running' });
    expect(run!.processed).toBeUndefined();
    // The re-run itself completes and writes the same figures.
    q.items.push(...pending);
    expect((await drain(worker, q)).failures).toEqual([]);
    expect(await getRun(fan.deps.table, '2026-11-19')).toMatchObject({ runId: res.runId, status: 'done' });
    expect(await snapshotsOf(fan, '2026-11-19')).toEqual(await snapshotsOf(local, '2026-11-19'));
  }, 120_000);

  it('catches up missed nights from the schedule, one night after the other', async () => {
    const gap = await seededTable();
    const q3 = new MemoryQueue();
    let t = Date.parse('2026-11-20T00:00:00Z'); // after every scheduled time below, whatever the real date
    const c: TScoringCore = { deps: gap.deps, send: q3.send, now: () => (t += 1000), batchSize: BATCH_SIZE };
    const p = createPlanner(c, { timeZone: TZ });
    // Never run: the schedule starts the history at yesterday.
    expect(await p({ scheduledTime: '2026-11-12T18:00:00Z' })).toMatchObject({ day: '2026-11-12', through: '2026-11-12' });
    await drain(createWorker(c), q3);
    // Three nights later (two missed): it plans 11-13 and chains through 11-15.
    expect(await p({ scheduledTime: '2026-11-15T18:00:00Z' })).toMatchObject({ day: '2026-11-13', through: '2026-11-15' });
    // The same schedule delivered twice while the chain runs does not supersede it.
    expect(await p({ scheduledTime: '2026-11-15T18:00:00Z' })).toMatchObject({ day: '2026-11-13', skipped: 'already-planned' });
    await drain(createWorker(c), q3);
    expect(q3.sent.filter((m) => m.kind === 'plan').map((m) => m.day)).toEqual(['2026-11-14', '2026-11-15']);
    for (const d of ['2026-11-12', '2026-11-13', '2026-11-14', '2026-11-15'])
      expect(await getRun(gap.deps.table, d), d).toMatchObject({ status: 'done' });
  }, 120_000);
});

describe('a re-run of a completed day', () => {
  /** What people see for the latest day: every hall's report and every region's and ALL's figures. */
  async function shown(t: TTable) {
    const day = await lastCompletedRun(t.deps.table);
    const halls = await Promise.all(t.seeded.data.halls.map((h) => hallReport(t.deps.table, h.id)));
    const units = [unitId.all, ...t.seeded.data.regions.map((r) => unitId.region(r.id))];
    const regions = day ? [...(await getSnapshots(t.deps.table, day, units)).values()].map(toUnitReport) : [];
    return { day, halls, regions };
  }

  it("keeps showing that day's completed figures while a re-run is pending or was killed halfway", async () => {
    const t = await seededTable();
    const q4 = new MemoryQueue();
    const c: TScoringCore = { deps: t.deps, send: q4.send, now: clock(), batchSize: BATCH_SIZE };
    const p = createPlanner(c, { timeZone: TZ });
    const w = createWorker(c);
    await p({ day: FIRST, through: '2026-11-12' });
    await drain(w, q4);
    const completed = await shown(t);
    expect(completed.day).toBe('2026-11-12');
    expect(
      completed.halls.every((r) => r?.date === '2026-11-12'),
      'every hall has figures',
    ).toBe(true);
    expect(
      completed.regions.every((r) => r?.date === '2026-11-12'),
      'every region has figures',
    ).toBe(true);

    // Re-run the day by hand; a worker dies after two of its four batches (their hall items are rewritten).
    await p({ day: '2026-11-12' });
    expect(q4.items).toHaveLength(4);
    expect((await w(sqsEvent(q4.items.splice(0, 2)))).batchItemFailures).toEqual([]);
    expect(await getRun(t.deps.table, '2026-11-12')).toMatchObject({ status: 'running' });
    expect(await shown(t), 'pending: the completed figures of the same day').toEqual(completed);

    // The rest is processed and rolled up, one batch of four finalized, then the run is killed.
    expect((await w(sqsEvent(q4.items.splice(0)))).batchItemFailures).toEqual([]);
    expect(q4.items.map((i) => JSON.parse(i.body).kind)).toEqual(['rollup']);
    expect((await w(sqsEvent(q4.items.splice(0)))).batchItemFailures).toEqual([]);
    expect(q4.items.map((i) => JSON.parse(i.body).kind)).toEqual(['finalize', 'finalize', 'finalize', 'finalize']);
    expect((await w(sqsEvent(q4.items.splice(0, 1)))).batchItemFailures).toEqual([]);
    q4.items.length = 0;
    expect(await getRun(t.deps.table, '2026-11-12')).toMatchObject({ status: 'running' });
    expect(await shown(t), 'killed halfway: still the completed figures, no half-written mix').toEqual(completed);
    // The job itself does not take the unfinished day as done: the schedule re-plans it.
    expect(await lastFinishedRun(t.deps.table)).toBe('2026-11-11');

    // Re-run again to the end: done, the same figures.
    await p({ day: '2026-11-12' });
    expect((await drain(w, q4)).failures).toEqual([]);
    const run = await getRun(t.deps.table, '2026-11-12');
    expect(run).toMatchObject({ status: 'done' });
    expect(ZRun.safeParse(run).error, 'the stored run record is a ZRun').toBeUndefined();
    expect(await shown(t)).toEqual(completed);
  }, 120_000);
});

describe('planner and worker input checks', () => {
  const noStore = { deps: {} as TScoringCore['deps'], send: async () => {} };

  it('refuses a bad day, range, scheduled time or time zone', async () => {
    const p = createPlanner(noStore, { timeZone: TZ });
    await expect(p({ day: '2026-13-01' })).rejects.toThrow(/day/);
    await expect(p({ day: '2026-11-10', through: '2026-11-09' })).rejects.toThrow(/through/);
    await expect(p({ scheduledTime: 'soon' })).rejects.toThrow(/scheduledTime/);
    expect(() => createPlanner(noStore, { timeZone: 'Mars/Olympus' })).toThrow(RangeError);
  });

  it('refuses by hand a day that has not ended in the scoring time zone (today or later), with the reason', async () => {
    const p = createPlanner({ ...noStore, now: () => Date.parse('2026-11-20T17:00:00Z') }, { timeZone: 'Asia/Shanghai' }); // 01:00 on 11-21
    await expect(p({ day: '2026-11-21' })).rejects.toThrow('2026-11-21 has not ended yet in Asia/Shanghai');
    await expect(p({ day: '2026-12-05' })).rejects.toThrow(/not ended yet/);
    await expect(p({ day: '2026-11-19', through: '2026-11-21' })).rejects.toThrow(/cannot score 2026-11-21/);
  });

  it('parses the four message kinds and rejects malformed ones', () => {
    const batch = { key: 'r:0', regionId: 'r', hallIds: ['h'], from: '2026-11-10' };
    const ref = { day: '2026-11-10', runId: '2026-11-11T02:00:00.000Z', from: '2026-11-10' };
    for (const m of [
      { kind: 'batch', ...ref, batch },
      { kind: 'rollup', ...ref },
      { kind: 'finalize', ...ref, batch, through: '2026-11-12' },
      { kind: 'plan', day: '2026-11-11', through: '2026-11-12', after: '2026-11-11T02:10:00.000Z' },
    ]) {
      expect(parseScoreMessage(JSON.stringify(m))).toEqual(m);
    }
    expect(() => parseScoreMessage(JSON.stringify({ kind: 'batch', ...ref }))).toThrow(/batch/);
    expect(() => parseScoreMessage(JSON.stringify({ kind: 'rollup', ...ref, runId: '' }))).toThrow(/runId/);
    expect(() => parseScoreMessage(JSON.stringify({ kind: 'rollup', ...ref, day: '11/10/2026' }))).toThrow(/day/);
  });

  it('reads its environment and fails loudly on what is missing or wrong', () => {
    const base = { TABLE_NAME: 't-main', SCORE_QUEUE_URL: 'https://sqs.example/q' };
    expect(loadScoringEnv(base)).toMatchObject({ tableName: 't-main', queueUrl: 'https://sqs.example/q', timeZone: 'Asia/Shanghai' });
    expect(loadScoringEnv({ ...base, SCORING_TIMEZONE: 'Asia/Urumqi' }).timeZone).toBe('Asia/Urumqi');
    expect(() => loadScoringEnv({ TABLE_NAME: 't-main' })).toThrow(/SCORE_QUEUE_URL/);
    expect(() => loadScoringEnv(base, { alertsTopic: true })).toThrow(/ALERTS_TOPIC_ARN/);
    expect(() => loadScoringEnv({ ...base, SCORING_TIMEZONE: 'Nowhere/Else' })).toThrow(/SCORING_TIMEZONE/);
  });
});

describe('SQS and SNS adapters', () => {
  const msg = (i: number): TScoreMessage => ({ kind: 'rollup', day: '2026-11-10', runId: `run-${i}`, from: '2026-11-10' });

  it('sends 10 messages per SendMessageBatch call and retries only the entries that failed', async () => {
    const calls: { QueueUrl?: string; Entries: { Id: string; MessageBody: string }[] }[] = [];
    let failOnce = true;
    const client = {
      send: async (cmd: { input: unknown }) => {
        const input = cmd.input as (typeof calls)[number];
        calls.push(input);
        if (failOnce && input.Entries.length === 10) {
          failOnce = false;
          return { Successful: [], Failed: [{ Id: input.Entries[3].Id, SenderFault: false, Code: 'InternalError' }] };
        }
        return { Successful: input.Entries.map((e) => ({ Id: e.Id })), Failed: [] };
      },
    };
    await sqsSender(client as never, 'https://sqs.example/q', { backoffMs: 1, concurrency: 1 })(
      Array.from({ length: 23 }, (_, i) => msg(i)),
    );
    expect(calls.map((c) => c.Entries.length)).toEqual([10, 1, 10, 3]);
    expect(calls.every((c) => c.QueueUrl === 'https://sqs.example/q')).toBe(true);
    expect(JSON.parse(calls[1].Entries[0].MessageBody)).toEqual(msg(3));
    const bodies = calls.flatMap((c) => c.Entries.map((e) => JSON.parse(e.MessageBody).runId as string));
    expect(new Set(bodies).size).toBe(23);
  });

  it('keeps each SendMessageBatch call under the payload limit', async () => {
    const sizes: number[][] = [];
    const client = {
      send: async (cmd: { input: unknown }) => {
        const entries = (cmd.input as { Entries: { Id: string; MessageBody: string }[] }).Entries;
        sizes.push(entries.map((e) => e.MessageBody.length));
        return { Successful: entries.map((e) => ({ Id: e.Id })), Failed: [] };
      },
    };
    const big = (i: number): TScoreMessage => ({
      kind: 'rollup',
      day: '2026-11-10',
      from: '2026-11-10',
      runId: `run-${i}-${'x'.repeat(60_000)}`,
    });
    await sqsSender(client as never, 'q', { concurrency: 1 })(Array.from({ length: 7 }, (_, i) => big(i)));
    expect(sizes.map((c) => c.length)).toEqual([3, 3, 1]);
    for (const c of sizes) expect(c.reduce((a, b) => a + b, 0)).toBeLessThan(256 * 1024);
  });

  it('gives up on a sender fault and after too many attempts', async () => {
    const fault = {
      send: async (cmd: { input: unknown }) => ({
        Failed: [{ Id: (cmd.input as { Entries: { Id: string }[] }).Entries[0].Id, SenderFault: true, Code: 'InvalidMessageContents' }],
      }),
    };
    await expect(sqsSender(fault as never, 'q', { backoffMs: 1 })([msg(1)])).rejects.toThrow(/InvalidMessageContents/);
    const flaky = {
      send: async (cmd: { input: unknown }) => ({
        Failed: [{ Id: (cmd.input as { Entries: { Id: string }[] }).Entries[0].Id, SenderFault: false, Code: 'InternalError' }],
      }),
    };
    await expect(sqsSender(flaky as never, 'q', { backoffMs: 1, maxAttempts: 3 })([msg(1)])).rejects.toThrow(/after 3 attempts/);
  });

  it('publishes each alert as JSON with kind, hallId, day and a stable alertId as message attributes', async () => {
    const inputs: Record<string, unknown>[] = [];
    const client = { send: async (cmd: { input: unknown }) => void inputs.push(cmd.input as Record<string, unknown>) };
    const alert: TAlert = { hallId: 'h-1', day: '2026-11-10', kind: 'turned-cold', figures: { temperature: 52.1 } };
    await snsPublisher(client as never, 'arn:aws:sns:cn-north-1:000000000000:alerts')([alert]);
    expect(inputs).toEqual([
      {
        TopicArn: 'arn:aws:sns:cn-north-1:000000000000:alerts',
        Message: JSON.stringify(alert),
        MessageAttributes: {
          kind: { DataType: 'String', StringValue: 'turned-cold' },
          hallId: { DataType: 'String', StringValue: 'h-1' },
          day: { DataType: 'String', StringValue: '2026-11-10' },
          alertId: { DataType: 'String', StringValue: 'h-1#2026-11-10#turned-cold' },
        },
      },
    ]);
  });
});

function nextDay(d: string): string {
  return new Date(Date.parse(`${d}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
}
