/**
 * The nightly scoring job fanned out on AWS (SPEC §4, §7): the same phases as the local `runNight`
 * (shared/scoring/job.ts), chained through one SQS queue instead of one process.
 *
 *   EventBridge Scheduler, 02:00 ─▶ planner: planNight (pages through halls), one `batch` message per batch
 *   batch     ─▶ processBatch; the batch that completes the `processed` set sends one `rollup`
 *   rollup    ─▶ rollUpNight; one `finalize` message per planned batch
 *   finalize  ─▶ finalizeBatch (alerts → SNS), clearAnswered; the batch that completes `finalized` finishes the run
 *              and, when catching up missed nights, sends `plan` for the next day
 *   plan      ─▶ the planner's work for one day, from inside the queue (catch-up chains only)
 *
 * Delivery is at least once, so every handler is safe to run twice: the phases write values computed from inputs,
 * the completion sets are string-set ADDs, a phase already recorded for a batch is not redone, and a message of
 * a superseded run (a newer plan of the same day exists) is dropped with a log line. Alerts are published at
 * least once; each SNS message carries a stable `alertId` attribute so that subscribers can drop repeats.
 *
 * Nothing here touches AWS by itself: `createPlanner` / `createWorker` take the job's storage, a `send` that
 * enqueues messages and a `publish` for alerts, so tests run the whole chain against dynalite and an in-memory
 * queue. The SQS and SNS adapters below are what the Lambda entry points (score-planner.ts, score-worker.ts)
 * plug in.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { SQSBatchItemFailure, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { SendMessageBatchCommand, type SQSClient, type SendMessageBatchRequestEntry } from '@aws-sdk/client-sqs';
import { isDay, localDay, addDays } from '../shared/domain/time.js';
import { clearAnswered, finalizeBatch, planNight, processBatch, rollUpNight, type TBatch, type TJobDeps } from '../shared/scoring/job.js';
import type { TAlert } from '../shared/storage/score-store.js';

/* ---------------------------------------------------------------- messages */

/** Identifies one run of one scored day. `through` is set while catching up: the last day of the chain. */
export interface TRunRef {
  day: string;
  runId: string;
  /** earliest day the run recomputes (see TNightPlan.from) */
  from: string;
  through?: string;
}

export type TScoreMessage =
  | ({ kind: 'batch'; batch: TBatch } & TRunRef)
  | ({ kind: 'rollup' } & TRunRef)
  | ({ kind: 'finalize'; batch: TBatch } & TRunRef)
  /** plan `day` unless it was planned at or after `after` (the previous day's finish time) */
  | { kind: 'plan'; day: string; through: string; after: string };

export type TSend = (messages: TScoreMessage[]) => Promise<void>;
export type TPublish = (alerts: TAlert[]) => Promise<void>;

export interface TScoringLog {
  info(message: string, data?: Record<string, unknown>): void;
  warn(message: string, data?: Record<string, unknown>): void;
  error(message: string, data?: Record<string, unknown>): void;
}

export interface TScoringCore {
  /** The job's storage. Its `publish`, if any, is ignored: alerts go through `publish` below. */
  deps: Pick<TJobDeps, 'repo' | 'store'>;
  /** Enqueues messages for the worker (SQS on AWS, an array in tests). */
  send: TSend;
  /** Receives the alerts of each finalized batch's scored day (SNS on AWS). */
  publish?: TPublish;
  log?: TScoringLog;
  now?: () => number;
  /** Halls per batch message (planNight's default: 50). */
  batchSize?: number;
}

const KINDS = new Set(['batch', 'rollup', 'finalize', 'plan']);

/** Parses and checks a message body; a malformed one throws, so it is retried and ends in the dead-letter queue. */
export function parseScoreMessage(body: string): TScoreMessage {
  const m = JSON.parse(body) as Partial<Record<string, unknown>>;
  const fail = (why: string): never => {
    throw new Error(`malformed scoring message (${why}): ${body.slice(0, 200)}`);
  };
  if (!m || typeof m !== 'object' || !KINDS.has(String(m.kind))) fail('kind');
  if (typeof m.day !== 'string' || !isDay(m.day)) fail('day');
  if (m.kind === 'plan') {
    if (typeof m.through !== 'string' || !isDay(m.through)) fail('through');
    if (typeof m.after !== 'string' || Number.isNaN(Date.parse(m.after))) fail('after');
    return m as TScoreMessage;
  }
  if (typeof m.runId !== 'string' || !m.runId) fail('runId');
  if (typeof m.from !== 'string' || !isDay(m.from)) fail('from');
  if (m.through !== undefined && (typeof m.through !== 'string' || !isDay(m.through))) fail('through');
  if (m.kind === 'batch' || m.kind === 'finalize') {
    const b = m.batch as Partial<TBatch> | undefined;
    if (!b || typeof b.key !== 'string' || typeof b.regionId !== 'string' || !Array.isArray(b.hallIds) || typeof b.from !== 'string' || !isDay(b.from)) fail('batch');
  }
  return m as TScoreMessage;
}

/* ---------------------------------------------------------------- planning */

export interface TPlannerEvent {
  /** Re-run or backfill exactly this day (scoring-zone calendar day). */
  day?: string;
  /** With `day`: also score every following day through this one, one night after the other. */
  through?: string;
  /** Set by the schedule (<aws.scheduler.scheduled-time>): "yesterday" is taken relative to it, not to now. */
  scheduledTime?: string;
}

export interface TPlanResult {
  day: string;
  through: string;
  /** absent when nothing was planned */
  runId?: string;
  batches?: number;
  skipped?: 'already-scored' | 'already-planned';
}

const quiet: TScoringLog = { info() {}, warn() {}, error() {} };
const iso = (ms: number) => new Date(ms).toISOString();

/**
 * Plans one night and enqueues its batches. With `plannedSince`, a day already planned at or after that instant
 * is left alone: a repeated schedule delivery or a repeated `plan` message must not supersede the run it started.
 */
export async function planDay(core: TScoringCore, day: string, through: string, plannedSince?: string): Promise<TPlanResult> {
  const { deps, send, log = quiet, now = Date.now } = core;
  if (plannedSince) {
    const run = await deps.store.getRun(day);
    if (run && Date.parse(String(run.plannedAt)) >= Date.parse(plannedSince)) {
      log.info('scoring: day already planned, not planning again', { day, runId: run.runId, plannedSince });
      return { day, through, runId: String(run.runId), skipped: 'already-planned' };
    }
  }
  const plan = await planNight(deps, day, { batchSize: core.batchSize, now: now() });
  const ref: TRunRef = { day, runId: plan.runId, from: plan.from, ...(through > day ? { through } : {}) };
  // A deployment without halls still gets its regions rolled up and its run finished.
  await send(plan.batches.length ? plan.batches.map((batch) => ({ kind: 'batch' as const, ...ref, batch })) : [{ kind: 'rollup', ...ref }]);
  log.info('scoring: night planned', { day, through, runId: plan.runId, from: plan.from, batches: plan.batches.length });
  return { day, through, runId: plan.runId, batches: plan.batches.length };
}

/**
 * The scheduled entry: scores yesterday in `timeZone`, first catching up any nights missed since the last
 * completed run (each night's figures start from the night before; a gap would restart the decayed counts).
 * `{ day }` re-runs exactly that day; `{ day, through }` re-runs a range.
 */
export function createPlanner(core: TScoringCore, opts: { timeZone: string }): (event?: TPlannerEvent | null) => Promise<TPlanResult> {
  localDay(0, opts.timeZone); // throws RangeError on an unknown zone, at start-up
  const { now = Date.now, log = quiet } = core;
  return async (event) => {
    const e = event ?? {};
    if (e.day !== undefined) {
      if (typeof e.day !== 'string' || !isDay(e.day)) throw new Error(`planner: "day" must be YYYY-MM-DD, got ${JSON.stringify(e.day)}`);
      const through = e.through ?? e.day;
      if (typeof through !== 'string' || !isDay(through) || through < e.day) throw new Error(`planner: "through" must be a day on or after "day", got ${JSON.stringify(e.through)}`);
      return planDay(core, e.day, through);
    }
    const at = e.scheduledTime ? Date.parse(e.scheduledTime) : now();
    if (Number.isNaN(at)) throw new Error(`planner: unreadable scheduledTime ${JSON.stringify(e.scheduledTime)}`);
    const target = addDays(localDay(at, opts.timeZone), -1);
    const last = await core.deps.store.lastCompletedRun();
    if (last && last >= target) {
      log.info('scoring: nothing to do, already scored', { target, lastCompletedRun: last });
      return { day: target, through: target, skipped: 'already-scored' };
    }
    const day = last ? addDays(last, 1) : target;
    if (day < target) log.warn('scoring: catching up missed nights', { from: day, through: target, lastCompletedRun: last });
    return planDay(core, day, target, e.scheduledTime ? iso(at) : undefined);
  };
}

/* ---------------------------------------------------------------- the worker */

type TRun = Record<string, unknown> & { runId?: string; status?: string; processed?: Set<string>; finalized?: Set<string>; finishedAt?: string };

export function createWorker(core: TScoringCore): (event: SQSEvent) => Promise<SQSBatchResponse> {
  const handle = createMessageHandler(core);
  const log = core.log ?? quiet;
  return async (event) => {
    const records: SQSRecord[] = event.Records ?? [];
    // Records are independent (each is one batch of one phase), so they run side by side.
    const results = await Promise.allSettled(records.map(async (r) => handle(parseScoreMessage(r.body))));
    const batchItemFailures: SQSBatchItemFailure[] = [];
    results.forEach((res, i) => {
      if (res.status === 'fulfilled') return;
      const err = res.reason as Error;
      log.error('scoring: message failed, will be retried', { messageId: records[i].messageId, receiveCount: records[i].attributes?.ApproximateReceiveCount, error: err?.message, stack: err?.stack });
      batchItemFailures.push({ itemIdentifier: records[i].messageId });
    });
    return { batchItemFailures };
  };
}

/** One message's work. Exported for tests and tools; the SQS handler above wraps it. */
export function createMessageHandler(core: TScoringCore): (msg: TScoreMessage) => Promise<void> {
  const { deps, send, log = quiet, now = Date.now } = core;
  const { store } = deps;
  const jobDeps: TJobDeps = { ...deps, publish: core.publish };

  /** The day's run record if `msg` still belongs to it; otherwise logs and returns undefined (drop the message). */
  async function current(msg: TRunRef & { kind: string }): Promise<TRun | undefined> {
    const run = (await store.getRun(msg.day)) as TRun | undefined;
    if (run?.runId === msg.runId) return run;
    log.warn('scoring: dropping a message of a superseded run', { kind: msg.kind, day: msg.day, runId: msg.runId, currentRunId: run?.runId ?? null });
    return undefined;
  }

  /**
   * Records a phase done for a batch; true when the run's set is complete. The run is re-read just before, so a
   * message whose run was superseded while it worked does not count itself into the newer run's set.
   */
  async function complete(msg: TRunRef & { kind: 'batch' | 'finalize'; batch: TBatch }, phase: 'processed' | 'finalized'): Promise<boolean> {
    if (!(await current(msg))) return false;
    return store.completeBatch(msg.day, msg.batch.key, phase);
  }

  async function finish(msg: TRunRef & { kind: string }, run: TRun): Promise<void> {
    let finishedAt = run.status === 'done' ? run.finishedAt : undefined;
    if (!finishedAt) {
      const [batches, alerts] = await Promise.all([store.planBatches<TBatch>(msg.day, msg.runId), store.alertsOfDay(msg.day)]);
      if (!(await current(msg))) return;
      finishedAt = iso(now());
      const halls = batches.reduce((n, b) => n + b.hallIds.length, 0);
      await store.finishRun(msg.day, { finishedAt, halls, batches: batches.length, alerts: alerts.length, mode: 'fan-out' });
      log.info('scoring: night finished', { day: msg.day, runId: msg.runId, halls, batches: batches.length, alerts: alerts.length });
    }
    // Catching up: the next night starts from this one's snapshots. `after` is this night's finish time, the same on
    // every redelivery, so a repeated `plan` message finds the next day already planned and stops there. A
    // redelivery after the finish sends it again only if the next night was not planned since (its first send failed).
    if (!msg.through || msg.day >= msg.through) return;
    const next = addDays(msg.day, 1);
    if (run.status === 'done') {
      const nextRun = await store.getRun(next);
      if (nextRun && Date.parse(String(nextRun.plannedAt)) >= Date.parse(finishedAt)) return;
    }
    await send([{ kind: 'plan', day: next, through: msg.through, after: finishedAt }]);
  }

  return async (msg) => {
    switch (msg.kind) {
      case 'plan': {
        await planDay(core, msg.day, msg.through, msg.after);
        return;
      }
      case 'batch': {
        const run = await current(msg);
        if (!run) return;
        // Already processed (a redelivery): processing again after finalize would overwrite scored hall snapshots.
        if (!run.processed?.has(msg.batch.key)) await processBatch(jobDeps, msg, msg.batch);
        const last = await complete(msg, 'processed');
        // The roll-up is sent by the batch that completed the set, and again by a redelivery of any batch before
        // finalizing has begun (its first send may have failed); a roll-up twice writes the same region figures.
        if (last && run.status !== 'done' && !run.finalized?.size) await send([{ kind: 'rollup', day: msg.day, runId: msg.runId, from: msg.from, ...(msg.through ? { through: msg.through } : {}) }]);
        return;
      }
      case 'rollup': {
        const run = await current(msg);
        if (!run) return;
        if (run.status === 'done') {
          log.info('scoring: roll-up of a finished run, nothing to do', { day: msg.day, runId: msg.runId });
          return;
        }
        const planned = Number(run.batches);
        if ((run.processed?.size ?? 0) < planned) throw new Error(`roll-up of ${msg.day} before all ${planned} batches were processed (${run.processed?.size ?? 0})`);
        await rollUpNight(jobDeps, msg);
        const batches = await store.planBatches<TBatch>(msg.day, msg.runId);
        if (!batches.length) return finish(msg, run);
        const ref: TRunRef = { day: msg.day, runId: msg.runId, from: msg.from, ...(msg.through ? { through: msg.through } : {}) };
        await send(batches.filter((b) => !run.finalized?.has(b.key)).map((batch) => ({ kind: 'finalize' as const, ...ref, batch })));
        return;
      }
      case 'finalize': {
        const run = await current(msg);
        if (!run) return;
        // Not redone once recorded: that would publish its alerts again.
        if (!run.finalized?.has(msg.batch.key)) {
          await finalizeBatch(jobDeps, msg, msg.batch);
          await clearAnswered(jobDeps, msg.batch);
        }
        if (!(await complete(msg, 'finalized'))) return;
        const fresh = await current(msg); // its status and finish time as of now, not as of the start
        if (fresh) await finish(msg, fresh);
        return;
      }
    }
  };
}

/* ---------------------------------------------------------------- AWS adapters */

/** SendMessageBatch limits: 10 entries, and their bodies together under the payload limit (256 KiB, with room). */
const SQS_BATCH = 10;
const SQS_BATCH_BYTES = 200 * 1024;

/**
 * `send` over SQS: SendMessageBatch, 10 per call, a few calls in flight; entries the service reports as failed
 * are retried with backoff (a sender fault, e.g. an oversized message, is not retryable and throws).
 */
export function sqsSender(client: Pick<SQSClient, 'send'>, queueUrl: string, opts: { concurrency?: number; maxAttempts?: number; backoffMs?: number } = {}): TSend {
  const maxAttempts = opts.maxAttempts ?? 8;
  const backoff = opts.backoffMs ?? 50;
  const sendChunk = async (chunk: TScoreMessage[]): Promise<void> => {
    let pending: SendMessageBatchRequestEntry[] = chunk.map((m, i) => ({ Id: String(i), MessageBody: JSON.stringify(m) }));
    for (let attempt = 1; pending.length; attempt++) {
      if (attempt > maxAttempts) throw new Error(`SQS: ${pending.length} message(s) still not sent after ${maxAttempts} attempts`);
      if (attempt > 1) await new Promise((r) => setTimeout(r, backoff * 2 ** (attempt - 2)));
      const out = await client.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: pending }));
      const failed = out.Failed ?? [];
      const fatal = failed.find((f) => f.SenderFault);
      if (fatal) throw new Error(`SQS refused a message: ${fatal.Code} ${fatal.Message ?? ''}`.trim());
      const retry = new Set(failed.map((f) => f.Id));
      pending = pending.filter((e) => retry.has(e.Id));
    }
  };
  return async (messages) => {
    const chunks: TScoreMessage[][] = [];
    let chunk: TScoreMessage[] = [];
    let bytes = 0;
    for (const m of messages) {
      const size = Buffer.byteLength(JSON.stringify(m));
      if (chunk.length && (chunk.length === SQS_BATCH || bytes + size > SQS_BATCH_BYTES)) {
        chunks.push(chunk);
        chunk = [];
        bytes = 0;
      }
      chunk.push(m);
      bytes += size;
    }
    if (chunk.length) chunks.push(chunk);
    let next = 0;
    const lanes = Math.min(opts.concurrency ?? 8, chunks.length);
    await Promise.all(
      Array.from({ length: lanes }, async () => {
        while (next < chunks.length) await sendChunk(chunks[next++]);
      }),
    );
  };
}

/** A stable identity per alert (hall, day, kind): the same alert published twice carries the same id. */
export const alertId = (a: TAlert): string => `${a.hallId}#${a.day}#${a.kind}`;

/** `publish` over SNS: one JSON message per alert, with attributes for subscription filter policies. */
export function snsPublisher(client: Pick<SNSClient, 'send'>, topicArn: string): TPublish {
  return async (alerts) => {
    for (const a of alerts) {
      await client.send(
        new PublishCommand({
          TopicArn: topicArn,
          Message: JSON.stringify(a),
          MessageAttributes: {
            kind: { DataType: 'String', StringValue: a.kind },
            hallId: { DataType: 'String', StringValue: a.hallId },
            day: { DataType: 'String', StringValue: a.day },
            alertId: { DataType: 'String', StringValue: alertId(a) },
          },
        }),
      );
    }
  };
}

/* ---------------------------------------------------------------- configuration */

export interface TScoringEnv {
  tableName: string;
  queueUrl: string;
  alertsTopicArn?: string;
  timeZone: string;
  dynamoEndpoint?: string;
  region?: string;
}

export const DEFAULT_SCORING_TIMEZONE = 'Asia/Shanghai';

/** Reads and checks the scoring functions' environment; a missing or bad value fails the cold start loudly. */
export function loadScoringEnv(env: Record<string, string | undefined>, needs: { alertsTopic?: boolean } = {}): TScoringEnv {
  const get = (k: string) => (env[k] === '' ? undefined : env[k]);
  const missing = ['TABLE_NAME', 'SCORE_QUEUE_URL', ...(needs.alertsTopic ? ['ALERTS_TOPIC_ARN'] : [])].filter((k) => !get(k));
  if (missing.length) throw new Error(`Invalid configuration: missing ${missing.join(', ')}`);
  const timeZone = get('SCORING_TIMEZONE') ?? DEFAULT_SCORING_TIMEZONE;
  try {
    localDay(0, timeZone);
  } catch {
    throw new Error(`Invalid configuration: SCORING_TIMEZONE ${JSON.stringify(timeZone)} is not an IANA time zone`);
  }
  return {
    tableName: get('TABLE_NAME')!,
    queueUrl: get('SCORE_QUEUE_URL')!,
    alertsTopicArn: get('ALERTS_TOPIC_ARN'),
    timeZone,
    dynamoEndpoint: get('DYNAMODB_ENDPOINT'),
    region: get('AWS_REGION'),
  };
}

/** Adapts a Powertools-style logger (message + one structured object) to TScoringLog. */
export function structuredLog(logger: Pick<Logger, 'info' | 'warn' | 'error'>): TScoringLog {
  return {
    info: (m, d) => logger.info(m, d ?? {}),
    warn: (m, d) => logger.warn(m, d ?? {}),
    error: (m, d) => logger.error(m, d ?? {}),
  };
}
