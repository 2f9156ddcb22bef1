import { Duration, TimeZone } from 'aws-cdk-lib';
import type { Alarm } from 'aws-cdk-lib/aws-cloudwatch';
import type { Role } from 'aws-cdk-lib/aws-iam';
import { Alias } from 'aws-cdk-lib/aws-kms';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { ContextAttribute, type Schedule, ScheduleExpression, ScheduleTargetInput } from 'aws-cdk-lib/aws-scheduler';
import { Topic } from 'aws-cdk-lib/aws-sns';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { AppFunction } from './api-function.js';
import type { DataTable } from './data-table.js';
import { consume, errorsAlarm, scheduledInvoke, workQueue } from './queue-fed.js';

export interface ScoringJobProps {
  /** Absolute paths of functions/score-planner.ts and functions/score-worker.ts. */
  readonly plannerEntry: string;
  readonly workerEntry: string;
  /** Repository root (package.json, package-lock.json). */
  readonly projectRoot: string;
  /** The application table; both functions get item read/write on it through its grant helper. */
  readonly data: DataTable;
  /** IANA zone of the 02:00 schedule and of "yesterday", e.g. Asia/Shanghai. */
  readonly timeZone: string;
  /** Records per worker invocation. @default 5 */
  readonly workerBatchSize?: number;
  /** Most worker instances the queue may keep busy at once (protects the table's burst). @default 50 */
  readonly workerMaxConcurrency?: number;
  /** @default one year */
  readonly logRetention?: RetentionDays;
}

/** Longest single step: a batch of halls, or the roll-up of every region, including days a late rating re-opened. */
export const WORKER_TIMEOUT = Duration.minutes(10);
/** Paging through every hall, writing the plan and enqueueing one message per batch. */
export const PLANNER_TIMEOUT = Duration.minutes(5);
/** Receives before a message is parked in the dead-letter queue. */
export const MAX_RECEIVE_COUNT = 5;

/**
 * The nightly scoring job on AWS (SPEC §4, §7): EventBridge Scheduler invokes the planner at 02:00 in the scoring
 * time zone; the planner enqueues one message per batch of halls; the SQS-triggered worker runs each phase and
 * enqueues the next (see shared/scoring/fanout.ts). Alerts go to an SNS topic. A message that keeps failing
 * lands in the dead-letter queue, whose depth is alarmed.
 */
export class ScoringJob extends Construct {
  readonly planner: AppFunction;
  readonly worker: AppFunction;
  readonly queue: Queue;
  readonly deadLetterQueue: Queue;
  readonly alertsTopic: Topic;
  readonly schedule: Schedule;
  readonly schedulerRole: Role;
  readonly deadLetterAlarm: Alarm;
  readonly plannerErrorsAlarm: Alarm;

  constructor(scope: Construct, id: string, props: ScoringJobProps) {
    super(scope, id);

    ({
      queue: this.queue,
      deadLetterQueue: this.deadLetterQueue,
      deadLetterAlarm: this.deadLetterAlarm,
    } = workQueue(this, {
      consumerTimeout: WORKER_TIMEOUT,
      maxReceiveCount: MAX_RECEIVE_COUNT,
      deadLetterAlarmDescription:
        'Scoring messages failed 5 times and were parked in the dead-letter queue: a night is incomplete. Fix the ' +
        'cause, then redrive the DLQ to the scoring queue (every step is idempotent) or re-run the day.',
    }));

    // Alerts name halls and their figures: encrypted at rest with the AWS-managed SNS key, publishers on TLS only.
    // (An AWS-managed key needs no key grant for an in-account publisher; CloudWatch alarms cannot use it, which is
    // why the operational alarms below are not wired to this topic.)
    this.alertsTopic = new Topic(this, 'Alerts', {
      displayName: 'Service Temperature alerts',
      masterKey: Alias.fromAliasName(this, 'AwsManagedSnsKey', 'alias/aws/sns'),
      enforceSSL: true,
    });

    const environment = {
      TABLE_NAME: props.data.table.tableName,
      SCORE_QUEUE_URL: this.queue.queueUrl,
      SCORING_TIMEZONE: props.timeZone,
    };

    this.planner = new AppFunction(this, 'Planner', {
      entry: props.plannerEntry,
      projectRoot: props.projectRoot,
      description: 'Service Temperature nightly scoring: plans the night, one SQS message per batch of halls',
      roleDescription: 'Service Temperature scoring planner: own log group, app table, send to the scoring queue, X-Ray.',
      environment,
      memorySize: 1024,
      timeout: PLANNER_TIMEOUT,
      logRetention: props.logRetention,
    });

    this.worker = new AppFunction(this, 'Worker', {
      entry: props.workerEntry,
      projectRoot: props.projectRoot,
      description: 'Service Temperature nightly scoring: one phase of one batch per SQS message',
      roleDescription:
        'Service Temperature scoring worker: own log group, app table, consume and send on the scoring queue, publish alerts, X-Ray.',
      environment: { ...environment, ALERTS_TOPIC_ARN: this.alertsTopic.topicArn },
      memorySize: 1024,
      timeout: WORKER_TIMEOUT,
      logRetention: props.logRetention,
    });

    props.data.grantReadWriteData(this.planner.role);
    props.data.grantReadWriteData(this.worker.role);
    this.queue.grantSendMessages(this.planner.role);
    this.queue.grantSendMessages(this.worker.role);
    this.alertsTopic.grantPublish(this.worker.role);

    consume(this.worker.function, this.queue, props.workerBatchSize ?? 5, props.workerMaxConcurrency ?? 50);

    // The payload carries the scheduled time, so "yesterday" does not shift on a late retry.
    ({ schedule: this.schedule, role: this.schedulerRole } = scheduledInvoke(this, this.planner.function, {
      id: 'Nightly',
      description: 'Service Temperature: score yesterday at 02:00 in the scoring time zone (SPEC section 4)',
      roleDescription: 'EventBridge Scheduler: invoke the Service Temperature scoring planner, nothing else.',
      schedule: ScheduleExpression.cron({ minute: '0', hour: '2', timeZone: TimeZone.of(props.timeZone) }),
      input: ScheduleTargetInput.fromObject({ scheduledTime: ContextAttribute.scheduledTime }),
      retryPolicy: { maximumEventAgeInSeconds: 3600, maximumRetryAttempts: 3 },
    }));

    this.plannerErrorsAlarm = errorsAlarm(
      this,
      'PlannerErrorsAlarm',
      this.planner.function,
      'The nightly scoring planner failed (after its retries the night is not planned). The next night catches up ' +
        'missed days by itself; to score now, invoke the planner with {"day":"YYYY-MM-DD"}.',
      Duration.minutes(5),
      1,
    );
  }
}
