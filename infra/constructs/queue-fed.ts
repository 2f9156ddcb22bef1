/**
 * Why: the nightly scoring fan-out and the webhook deliverer are both "a function fed by an SQS queue, its failures
 * parked in an alarmed dead-letter queue, and a function started by EventBridge Scheduler with a role that may invoke
 * it and nothing else". The pattern lives here once. These are functions, not constructs, on purpose: they create
 * their resources under the caller's scope with the ids the caller always used, so a deployed stack keeps its
 * logical ids (a replaced queue would drop the messages in it).
 */
import { Duration, Stack } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import {
  Schedule,
  type ScheduleExpression,
  type ScheduleTargetInput,
  TimeWindow,
  type ISchedule,
  type IScheduleTarget,
  type ScheduleTargetConfig,
} from 'aws-cdk-lib/aws-scheduler';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';

export interface WorkQueueProps {
  /** The consuming function's timeout: the queue hides a message six times as long (AWS's guidance for Lambda). */
  readonly consumerTimeout: Duration;
  /** Receives before a message is parked in the dead-letter queue. */
  readonly maxReceiveCount: number;
  /** What a parked message means and what the operator does about it. */
  readonly deadLetterAlarmDescription: string;
}

export interface WorkQueue {
  readonly queue: Queue;
  readonly deadLetterQueue: Queue;
  readonly deadLetterAlarm: Alarm;
}

/** An encrypted, TLS-only queue with a 14-day dead-letter queue whose depth above zero raises an alarm. */
export function workQueue(scope: Construct, props: WorkQueueProps): WorkQueue {
  const deadLetterQueue = new Queue(scope, 'DeadLetterQueue', {
    encryption: QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
  });
  const queue = new Queue(scope, 'Queue', {
    encryption: QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    // At least six times the function timeout, so a message is not handed to a second consumer while the first
    // (with its retries) still works on it.
    visibilityTimeout: Duration.seconds(props.consumerTimeout.toSeconds() * 6),
    deadLetterQueue: { queue: deadLetterQueue, maxReceiveCount: props.maxReceiveCount },
  });
  const deadLetterAlarm = new Alarm(scope, 'DeadLetterAlarm', {
    alarmDescription: props.deadLetterAlarmDescription,
    metric: deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: 'Maximum' }),
    threshold: 0,
    comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
    evaluationPeriods: 1,
    treatMissingData: TreatMissingData.NOT_BREACHING,
  });
  return { queue, deadLetterQueue, deadLetterAlarm };
}

/** The consumer reports partial batch failures, so one bad message does not retry its neighbours. */
export function consume(fn: IFunction, queue: Queue, batchSize: number, maxConcurrency: number): void {
  fn.addEventSource(new SqsEventSource(queue, { batchSize, reportBatchItemFailures: true, maxConcurrency }));
}

export interface ScheduledInvokeProps {
  /** The construct id of the schedule (kept from before the extraction: 'Nightly', 'EveryMinute'). */
  readonly id: string;
  readonly description: string;
  /** What the scheduler's role is for, in its IAM description. */
  readonly roleDescription: string;
  readonly schedule: ScheduleExpression;
  readonly input?: ScheduleTargetInput;
  readonly retryPolicy?: ScheduleTargetConfig['retryPolicy'];
}

/**
 * EventBridge Scheduler invoking one function. The scheduler's own role may invoke that function's ARN and nothing
 * else (no version or alias wildcard, unlike aws-scheduler-targets' LambdaInvoke, which grants `<arn>` and `<arn>:*`),
 * and only on behalf of this account's default schedule group.
 */
export function scheduledInvoke(scope: Construct, fn: IFunction, props: ScheduledInvokeProps): { schedule: Schedule; role: Role } {
  const stack = Stack.of(scope);
  const role = new Role(scope, 'SchedulerRole', {
    description: props.roleDescription,
    assumedBy: new ServicePrincipal('scheduler.amazonaws.com', {
      conditions: {
        StringEquals: {
          'aws:SourceAccount': stack.account,
          'aws:SourceArn': stack.formatArn({ service: 'scheduler', resource: 'schedule-group', resourceName: 'default' }),
        },
      },
    }),
  });
  role.addToPolicy(new PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [fn.functionArn] }));
  const schedule = new Schedule(scope, props.id, {
    description: props.description,
    schedule: props.schedule,
    target: new InvokeOnly(fn, role, props.input, props.retryPolicy),
    timeWindow: TimeWindow.off(),
  });
  return { schedule, role };
}

/** Errors of `fn` summed per `period`, alarmed when they reach one in `evaluationPeriods` periods in a row. */
export function errorsAlarm(scope: Construct, id: string, fn: IFunction, description: string, period: Duration, evaluationPeriods: number) {
  return new Alarm(scope, id, {
    alarmDescription: description,
    metric: fn.metricErrors({ period, statistic: 'Sum' }),
    threshold: 1,
    comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    evaluationPeriods,
    treatMissingData: TreatMissingData.NOT_BREACHING,
  });
}

/** A scheduler target that grants nothing itself: the role handed in is already scoped to the function. */
class InvokeOnly implements IScheduleTarget {
  constructor(
    private readonly fn: IFunction,
    private readonly role: Role,
    private readonly input?: ScheduleTargetInput,
    private readonly retryPolicy?: ScheduleTargetConfig['retryPolicy'],
  ) {}

  bind(_schedule: ISchedule): ScheduleTargetConfig {
    return {
      arn: this.fn.functionArn,
      role: this.role,
      ...(this.input ? { input: this.input } : {}),
      ...(this.retryPolicy ? { retryPolicy: this.retryPolicy } : {}),
    };
  }
}
