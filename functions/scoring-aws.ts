/**
 * The nightly fan-out's AWS adapters (the protocol and the run state machine are in shared/scoring/fanout.ts):
 * the SQS worker with Powertools' partial-batch processor, `send` over SQS and `publish` over SNS. The Lambda
 * entry points (score-planner.ts, score-worker.ts) plug these into the shared planner and message handler.
 */
import type { TCaseEvent } from '../shared/domain/cases.js';
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { SendMessageBatchCommand, type SQSClient, type SendMessageBatchRequestEntry } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { quietLog } from '../shared/log.js';
import { createMessageHandler, type TPublish, type TScoringCore, type TSend } from '../shared/scoring/fanout.js';
import { parseScoreMessage, type TScoreMessage } from '../shared/scoring/messages.js';
import type { TAlert } from '../shared/storage/scores.js';

/**
 * The SQS handler: records are independent (each is one batch of one phase), so they run side by side; a failed
 * one is logged and reported in `batchItemFailures`, so only it is retried (a whole failed event too: no throw).
 */
export function createWorker(core: TScoringCore): (event: SQSEvent) => Promise<SQSBatchResponse> {
  const handle = createMessageHandler(core);
  const log = core.log ?? quietLog;
  const record = async (r: SQSRecord): Promise<void> => {
    try {
      await handle(parseScoreMessage(r.body));
    } catch (err) {
      const e = err as Error;
      log.error('scoring: message failed, will be retried', {
        messageId: r.messageId,
        receiveCount: r.attributes?.ApproximateReceiveCount,
        error: e?.message,
        stack: e?.stack,
      });
      throw err;
    }
  };
  // One processor per event: it holds the event's records and failures while it runs.
  return (event) => processPartialResponse(event, record, new BatchProcessor(EventType.SQS), { throwOnFullBatchFailure: false });
}

/** SendMessageBatch limits: 10 entries, and their bodies together under the payload limit (256 KiB, with room). */
const SQS_BATCH = 10;
const SQS_BATCH_BYTES = 200 * 1024;

/**
 * `send` over SQS: SendMessageBatch, 10 per call, a few calls in flight; entries the service reports as failed
 * are retried with backoff (a sender fault, e.g. an oversized message, is not retryable and throws).
 */
export function sqsSender(
  client: Pick<SQSClient, 'send'>,
  queueUrl: string,
  opts: { concurrency?: number; maxAttempts?: number; backoffMs?: number } = {},
): TSend {
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

/** One JSON message on the topic, with string attributes for subscription filter policies. */
function publishJson(client: Pick<SNSClient, 'send'>, topicArn: string, message: unknown, attrs: Record<string, string>) {
  const MessageAttributes = Object.fromEntries(Object.entries(attrs).map(([k, v]) => [k, { DataType: 'String', StringValue: v }]));
  return client.send(new PublishCommand({ TopicArn: topicArn, Message: JSON.stringify(message), MessageAttributes }));
}

/** `publish` over SNS: one JSON message per alert, with attributes for subscription filter policies. */
export function snsPublisher(client: Pick<SNSClient, 'send'>, topicArn: string): TPublish {
  return async (alerts) => {
    for (const a of alerts) {
      await publishJson(client, topicArn, a, { kind: a.kind, hallId: a.hallId, day: a.day, alertId: alertId(a) });
    }
  };
}

/** Case events (case.escalated, case.closed …) over SNS: ids only, never a phone or a comment. */
export function snsCaseEventPublisher(client: Pick<SNSClient, 'send'>, topicArn: string) {
  return async (events: readonly TCaseEvent[]): Promise<void> => {
    for (const e of events) await publishJson(client, topicArn, e, { kind: e.type, hallId: e.hallId, caseId: e.caseId });
  };
}
