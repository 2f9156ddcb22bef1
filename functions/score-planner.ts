/**
 * Lambda entry for the nightly job's planner, invoked by EventBridge Scheduler at 02:00 in the scoring time zone
 * (payload `{ "scheduledTime": "<aws.scheduler.scheduled-time>" }`), or by hand with `{ "day": "YYYY-MM-DD" }`
 * (optionally `"through"`) to re-run or backfill. Wiring only: the planner is shared/scoring/fanout.ts.
 */
import middy from '@middy/core';
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { SQSClient } from '@aws-sdk/client-sqs';
import { loadScoringConfig } from '../shared/config.js';
import { powertoolsLog } from '../shared/log.js';
import { createPlanner, type TPlannerEvent } from '../shared/scoring/fanout.js';
import { createDynamoClient } from '../shared/storage/client.js';
import { openTable } from '../shared/storage/db.js';
import { sqsSender } from './scoring-aws.js';

const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'service-temperature' });
const env = loadScoringConfig(process.env);
const db = createDynamoClient({ endpoint: env.dynamoEndpoint, region: env.region });

const plan = createPlanner(
  {
    deps: { table: openTable(db, env.tableName) },
    send: sqsSender(new SQSClient({ region: env.region }), env.queueUrl),
    log: powertoolsLog(logger),
  },
  { timeZone: env.timeZone },
);

export const handler = middy((event: TPlannerEvent | null) => plan(event)).use(injectLambdaContext(logger, { resetKeys: true }));
