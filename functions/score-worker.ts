/**
 * Lambda entry for the nightly job's worker: SQS-triggered (ReportBatchItemFailures), it runs one phase of one
 * batch per message — process, roll up, finalize — and enqueues what comes next; alerts go to SNS. Wiring only:
 * the run state machine is shared/scoring/fanout.ts, the SQS/SNS adapters scoring-aws.ts.
 */
import middy from '@middy/core';
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';
import { loadScoringConfig } from '../shared/config.js';
import { powertoolsLog } from '../shared/log.js';
import { createDynamoClient } from '../shared/storage/client.js';
import { openTable } from '../shared/storage/db.js';
import { createWorker, snsCaseEventPublisher, snsPublisher, sqsSender } from './scoring-aws.js';

const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'service-temperature' });
const env = loadScoringConfig(process.env, { alertsTopic: true });
const db = createDynamoClient({ endpoint: env.dynamoEndpoint, region: env.region });

const sns = new SNSClient({ region: env.region });
const work = createWorker({
  deps: {
    table: openTable(db, env.tableName),
    cases: { publish: snsCaseEventPublisher(sns, env.alertsTopicArn!), log: powertoolsLog(logger) },
  },
  send: sqsSender(new SQSClient({ region: env.region }), env.queueUrl),
  publish: snsPublisher(sns, env.alertsTopicArn!),
  log: powertoolsLog(logger),
});

export const handler = middy((event: SQSEvent) => work(event)).use(injectLambdaContext(logger, { resetKeys: true }));
