/**
 * Lambda entry for the notification tick (issue 14), invoked every minute by EventBridge Scheduler: derives events,
 * dispatches the outbox, sends e-mail (SES) and digests, and queues due webhook attempts on SQS. Wiring only: the
 * logic is shared/services/notify.ts, the adapters notify-aws.ts.
 */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { SQSClient } from '@aws-sdk/client-sqs';
import { notifyTick } from '../shared/services/notify.js';
import { envCredentials, sesMailer, sqsEnqueue } from './notify-aws.js';
import { loadRuntime, logger } from './runtime.js';

const rt = await loadRuntime();
const { config } = rt;
const deps = {
  ...rt,
  baseUrl: config.PUBLIC_BASE_URL ?? '',
  timeZone: config.SCORING_TIMEZONE,
  // staff e-mail only when the stack names a sending identity (context mailFrom)
  ...(process.env.MAIL_FROM
    ? { mailer: sesMailer({ region: config.AWS_REGION, from: config.MAIL_FROM, credentials: envCredentials() }) }
    : {}),
  enqueue: sqsEnqueue(new SQSClient({ region: config.AWS_REGION }), process.env.NOTIFY_QUEUE_URL ?? ''),
};

export const handler = middy(async () => {
  const r = await notifyTick(deps);
  logger.info('notify tick', { ...r });
  return r;
}).use(injectLambdaContext(logger, { resetKeys: true }));
