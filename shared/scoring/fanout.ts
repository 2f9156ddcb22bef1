/**
 * The nightly scoring job fanned out through a queue (SPEC §4, §7): the same phases as the local `runNight`
 * (job.ts), chained through one queue instead of one process.
 *
 *   schedule, 02:00 ─▶ planner: planNight (pages through halls), one `batch` message per batch
 *   batch     ─▶ processBatch; the batch that completes the `processed` set sends one `rollup`
 *   rollup    ─▶ rollUpNight; one `finalize` message per planned batch
 *   finalize  ─▶ finalizeBatch (alerts → publish), clearAnswered; the batch that completes `finalized` finishes the
 *              run and, when catching up missed nights, sends `plan` for the next day
 *   plan      ─▶ the planner's work for one day, from inside the queue (catch-up chains only)
 *
 * Delivery is at least once, so every handler is safe to run twice: the phases write values computed from inputs,
 * the completion sets are string-set ADDs, a phase already recorded for a batch is not redone, and a message of
 * a superseded run (a newer plan of the same day exists) is dropped with a log line. Alerts are published at
 * least once; subscribers drop repeats by their stable id.
 *
 * Nothing here touches AWS: the planner and the handler take the job's storage, a `send` that enqueues messages
 * and a `publish` for alerts, so tests run the whole chain against dynalite and an in-memory queue. The SQS and
 * SNS adapters are in functions/scoring-aws.ts.
 */
import { addDays } from '../domain/time.js';
import { isDay, localDay, unendedDayError } from '../domain/time.js';
import { quietLog, type TLog } from '../log.js';
import type { TAlert } from '../storage/score-store.js';
import { clearAnswered, finalizeBatch, planNight, processBatch, rollUpNight, type TBatch, type TJobDeps } from './job.js';
import type { TRunRef, TScoreMessage } from './messages.js';
import type { TRun } from './run.js';

export type TSend = (messages: TScoreMessage[]) => Promise<void>;
export type TPublish = (alerts: TAlert[]) => Promise<void>;

export interface TScoringCore {
  /** The job's storage. Its `publish`, if any, is ignored: alerts go through `publish` below. */
  deps: Pick<TJobDeps, 'repo' | 'store' | 'cases'>;
  /** Enqueues messages for the worker (SQS on AWS, an array in tests). */
  send: TSend;
  /** Receives the alerts of each finalized batch's scored day (SNS on AWS). */
  publish?: TPublish;
  log?: TLog;
  now?: () => number;
  /** Halls per batch message (planNight's default: 50). */
  batchSize?: number;
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

const iso = (ms: number) => new Date(ms).toISOString();
const refOf = (m: TRunRef): TRunRef => ({ day: m.day, runId: m.runId, from: m.from, ...(m.through ? { through: m.through } : {}) });

/**
 * Plans one night and enqueues its batches. With `plannedSince`, a day already planned at or after that instant
 * is left alone: a repeated schedule delivery or a repeated `plan` message must not supersede the run it started.
 */
export async function planDay(core: TScoringCore, day: string, through: string, plannedSince?: string): Promise<TPlanResult> {
  const { deps, send, log = quietLog, now = Date.now } = core;
  if (plannedSince) {
    const run = await deps.store.getRun(day);
    if (run && Date.parse(run.plannedAt) >= Date.parse(plannedSince)) {
      log.info('scoring: day already planned, not planning again', { day, runId: run.runId, plannedSince });
      return { day, through, runId: run.runId, skipped: 'already-planned' };
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
 * finished run (each night's figures start from the night before; a gap would restart the decayed counts).
 * `{ day }` re-runs exactly that day; `{ day, through }` re-runs a range.
 */
export function createPlanner(core: TScoringCore, opts: { timeZone: string }): (event?: TPlannerEvent | null) => Promise<TPlanResult> {
  localDay(0, opts.timeZone); // throws RangeError on an unknown zone, at start-up
  const { now = Date.now, log = quietLog } = core;
  return async (event) => {
    const e = event ?? {};
    if (e.day !== undefined) {
      if (typeof e.day !== 'string' || !isDay(e.day)) throw new Error(`planner: "day" must be YYYY-MM-DD, got ${JSON.stringify(e.day)}`);
      const through = e.through ?? e.day;
      if (typeof through !== 'string' || !isDay(through) || through < e.day) {
        throw new Error(`planner: "through" must be a day on or after "day", got ${JSON.stringify(e.through)}`);
      }
      const unended = unendedDayError(through, opts.timeZone, now());
      if (unended) throw new Error(`planner: cannot score ${through}: ${unended}`);
      return planDay(core, e.day, through);
    }
    const at = e.scheduledTime ? Date.parse(e.scheduledTime) : now();
    if (Number.isNaN(at)) throw new Error(`planner: unreadable scheduledTime ${JSON.stringify(e.scheduledTime)}`);
    const target = addDays(localDay(at, opts.timeZone), -1);
    const last = await core.deps.store.lastFinishedRun();
    if (last && last >= target) {
      log.info('scoring: nothing to do, already scored', { target, lastCompletedRun: last });
      return { day: target, through: target, skipped: 'already-scored' };
    }
    const day = last ? addDays(last, 1) : target;
    if (day < target) log.warn('scoring: catching up missed nights', { from: day, through: target, lastCompletedRun: last });
    return planDay(core, day, target, e.scheduledTime ? iso(at) : undefined);
  };
}

/* ---------------------------------------------------------------- the run state machine */

/** One message's work: the phase it names, if its run is still the day's current one. */
export function createMessageHandler(core: TScoringCore): (msg: TScoreMessage) => Promise<void> {
  const { deps, send, log = quietLog, now = Date.now } = core;
  const { store } = deps;
  const jobDeps: TJobDeps = { ...deps, publish: core.publish };

  /** The day's run record if `msg` still belongs to it; otherwise logs and returns undefined (drop the message). */
  async function current(msg: TRunRef & { kind: string }): Promise<TRun | undefined> {
    const run = await store.getRun(msg.day);
    if (run?.runId === msg.runId) return run;
    log.warn('scoring: dropping a message of a superseded run', {
      kind: msg.kind,
      day: msg.day,
      runId: msg.runId,
      currentRunId: run?.runId ?? null,
    });
    return undefined;
  }

  /**
   * Records a phase done for a batch; true when the run's set is complete. The run is re-read just before, so a
   * message whose run was superseded while it worked does not count itself into the newer run's set.
   */
  type TBatchMsg = TRunRef & { kind: 'batch' | 'finalize'; batch: TBatch };
  async function complete(msg: TBatchMsg, phase: 'processed' | 'finalized'): Promise<boolean> {
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
      await store.finishRun(msg.day, {
        finishedAt,
        completedAt: finishedAt,
        halls,
        batches: batches.length,
        alerts: alerts.length,
        mode: 'fan-out',
      });
      log.info('scoring: night finished', { day: msg.day, runId: msg.runId, halls, batches: batches.length, alerts: alerts.length });
    }
    // Catching up: the next night starts from this one's snapshots. `after` is this night's finish time, the same on
    // every redelivery, so a repeated `plan` message finds the next day already planned and stops there. A
    // redelivery after the finish sends it again only if the next night was not planned since (its first send failed).
    if (!msg.through || msg.day >= msg.through) return;
    const next = addDays(msg.day, 1);
    if (run.status === 'done') {
      const nextRun = await store.getRun(next);
      if (nextRun && Date.parse(nextRun.plannedAt) >= Date.parse(finishedAt)) return;
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
        if (last && run.status !== 'done' && !run.finalized?.size) await send([{ kind: 'rollup', ...refOf(msg) }]);
        return;
      }
      case 'rollup': {
        const run = await current(msg);
        if (!run) return;
        if (run.status === 'done') {
          log.info('scoring: roll-up of a finished run, nothing to do', { day: msg.day, runId: msg.runId });
          return;
        }
        const planned = run.batches;
        const processed = run.processed?.size ?? 0;
        if (processed < planned) throw new Error(`roll-up of ${msg.day} before all ${planned} batches were processed (${processed})`);
        await rollUpNight(jobDeps, msg);
        const batches = await store.planBatches<TBatch>(msg.day, msg.runId);
        if (!batches.length) return finish(msg, run);
        const ref = refOf(msg);
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
