/**
 * Lambda entry for webhook attempts (issue 14): SQS-triggered (ReportBatchItemFailures), one Standard Webhooks
 * signed POST per message, recorded in the endpoint's delivery log. Wiring only (notify-aws.ts, services/notify.ts).
 */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { SQSEvent } from 'aws-lambda';
import { createDeliverer } from './notify-aws.js';
import { loadRuntime, logger } from './runtime.js';

const rt = await loadRuntime();
const deliver = createDeliverer({ ...rt, baseUrl: rt.config.PUBLIC_BASE_URL ?? '' });

export const handler = middy((event: SQSEvent) => deliver(event)).use(injectLambdaContext(logger, { resetKeys: true }));
