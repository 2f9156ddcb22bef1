/**
 * The fan-out's protocol: the messages the planner and the worker pass through the queue (SQS on AWS), as zod
 * schemas. A malformed body throws, so it is retried and ends in the dead-letter queue.
 */
import * as z from 'zod/mini';
import type { TBatch } from './job.js';
import { ZDay } from './run.js';

/**
 * A batch as planned. The worker relies on these fields; the rest (the halls' records, the late-rating marks)
 * was written by the planner and passes through as is.
 */
const ZBatch = z.pipe(
  z.looseObject({ key: z.string(), regionId: z.string(), hallIds: z.array(z.string()), from: ZDay }),
  z.transform((b) => b as unknown as TBatch),
);

/** Identifies one run of one scored day. `through` is set while catching up: the last day of the chain. */
export const ZRunRef = z.object({
  day: ZDay,
  runId: z.string().check(z.minLength(1)),
  /** earliest day the run recomputes (see TNightPlan.from) */
  from: ZDay,
  through: z.optional(ZDay),
});
export type TRunRef = z.infer<typeof ZRunRef>;

export const ZScoreMessage = z.discriminatedUnion('kind', [
  z.extend(ZRunRef, { kind: z.literal('batch'), batch: ZBatch }),
  z.extend(ZRunRef, { kind: z.literal('rollup') }),
  z.extend(ZRunRef, { kind: z.literal('finalize'), batch: ZBatch }),
  /** plan `day` unless it was planned at or after `after` (the previous day's finish time) */
  z.object({
    kind: z.literal('plan'),
    day: ZDay,
    through: ZDay,
    after: z.string().check(z.refine((s) => !Number.isNaN(Date.parse(s)), 'expected a time')),
  }),
]);
export type TScoreMessage = z.output<typeof ZScoreMessage>;

/** Parses and checks a message body; a malformed one throws, naming the fields that are wrong. */
export function parseScoreMessage(body: string): TScoreMessage {
  const parsed = ZScoreMessage.safeParse(JSON.parse(body));
  if (parsed.success) return parsed.data;
  const fields = [...new Set(parsed.error.issues.map((i) => i.path.join('.') || 'kind'))].join(', ');
  throw new Error(`malformed scoring message (${fields}): ${body.slice(0, 200)}`);
}
