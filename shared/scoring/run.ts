/**
 * The run record of one scored day (the RUN item): its one typed owner. The planner writes it, the fan-out's
 * phases count batches into it, the finish marks it done; storage reads and writes exactly this shape.
 *
 * `completedAt` outlives a re-plan: it is when the day's figures were last complete. A re-run of the day (after a
 * late rating, or by hand after a killed run) replaces the run's own fields but the planner carries it over, so the dashboard keeps
 * showing that day's completed figures while the re-run is pending instead of falling back to the day before.
 */
import * as z from 'zod/mini';
import { isDay } from '../domain/time.js';

export const ZDay = z.string().check(z.refine(isDay, 'expected a day YYYY-MM-DD'));

export const ZRun = z.object({
  runId: z.string(),
  /** earliest day the run recomputes (late ratings fold back) */
  from: ZDay,
  /** batches planned */
  batches: z.number(),
  plannedAt: z.string(),
  status: z.enum(['running', 'done']),
  /** batch keys that finished a phase (DynamoDB string sets) */
  processed: z.optional(z.set(z.string())),
  finalized: z.optional(z.set(z.string())),
  finishedAt: z.optional(z.string()),
  halls: z.optional(z.number()),
  ratings: z.optional(z.number()),
  alerts: z.optional(z.number()),
  mode: z.optional(z.literal('fan-out')),
  /** when this day's figures were last complete (kept across re-plans of the day) */
  completedAt: z.optional(z.string()),
});
export type TRun = z.infer<typeof ZRun>;

/** What a new run of a day writes (the earlier run's fields are gone; its `completedAt` is passed on). */
export type TRunStart = Pick<TRun, 'runId' | 'from' | 'batches' | 'plannedAt' | 'completedAt'>;

/** When the day's figures were last complete, as a new run of the day must keep it (older records: finishedAt). */
export const completedAtOf = (run: TRun | undefined): string | undefined =>
  run?.completedAt ?? (run?.status === 'done' ? run.finishedAt : undefined);
/** What finishing a run records beside `status: 'done'`; `completedAt` is its `finishedAt`. */
export type TRunFinish = Required<Pick<TRun, 'finishedAt' | 'completedAt' | 'halls' | 'alerts'>> &
  Partial<Pick<TRun, 'batches' | 'ratings' | 'mode'>>;
