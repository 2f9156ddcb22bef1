import { Duration, Stack } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import {
  Schedule,
  ScheduleExpression,
  TimeWindow,
  type ISchedule,
  type IScheduleTarget,
  type ScheduleTargetConfig,
} from 'aws-cdk-lib/aws-scheduler';
import { EmailIdentity, Identity } from 'aws-cdk-lib/aws-ses';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { AppFunction } from './api-function.js';
import type { DataTable } from './data-table.js';

export interface NotificationsProps {
  /** Absolute paths of functions/notify-tick.ts and functions/notify-deliver.ts. */
  readonly tickEntry: string;
  readonly deliverEntry: string;
  readonly projectRoot: string;
  readonly data: DataTable;
  readonly keyringSecret: ISecret;
  /** Links in messages and webhook payloads. */
  readonly publicBaseUrl: string;
  /** The zone of supervisors' and administrators' 08:30 digest. */
  readonly timeZone: string;
  /** The sender of staff e-mail: an SES email identity is made for it. Absent: staff e-mail is off. */
  readonly mailFrom?: string;
  /** @default one year */
  readonly logRetention?: RetentionDays;
}

/** One webhook attempt: a receiver has 15 s, a batch of 10 runs one after another. */
export const DELIVER_TIMEOUT = Duration.minutes(3);
export const TICK_TIMEOUT = Duration.minutes(2);
export const DELIVER_MAX_RECEIVE_COUNT = 5;

/**
 * Staff e-mail and webhooks on AWS (issue 14). EventBridge Scheduler invokes the tick every minute (sweep, dispatch,
 * e-mail through SES, 08:30 digests, due webhook attempts onto SQS); the SQS-triggered deliverer makes one signed
 * POST per message and records it. The receivers' own failures are attempts in the delivery log (retried on the
 * Standard Webhooks schedule, then parked); a message the deliverer cannot even record lands in the dead-letter
 * queue, whose depth is alarmed, and so are tick errors.
 */
export class Notifications extends Construct {
  readonly tick: AppFunction;
  readonly deliver: AppFunction;
  readonly queue: Queue;
  readonly deadLetterQueue: Queue;
  readonly schedule: Schedule;
  readonly schedulerRole: Role;
  readonly identity?: EmailIdentity;
  readonly deadLetterAlarm: Alarm;
  readonly tickErrorsAlarm: Alarm;

  constructor(scope: Construct, id: string, props: NotificationsProps) {
    super(scope, id);
    const stack = Stack.of(this);

    this.deadLetterQueue = new Queue(this, 'DeadLetterQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    this.queue = new Queue(this, 'Queue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: Duration.seconds(DELIVER_TIMEOUT.toSeconds() * 6),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: DELIVER_MAX_RECEIVE_COUNT },
    });

    const environment: Record<string, string> = {
      TABLE_NAME: props.data.table.tableName,
      KEYRING_SECRET_ARN: props.keyringSecret.secretArn,
      PUBLIC_BASE_URL: props.publicBaseUrl,
      SCORING_TIMEZONE: props.timeZone,
    };
    this.tick = new AppFunction(this, 'Tick', {
      entry: props.tickEntry,
      projectRoot: props.projectRoot,
      description: 'Service Temperature notifications: events to staff e-mail, digests, webhook attempts onto SQS',
      roleDescription: 'Service Temperature notify tick: own log group, app table, key ring, send on the webhook queue, SES send, X-Ray.',
      environment: { ...environment, NOTIFY_QUEUE_URL: this.queue.queueUrl, ...(props.mailFrom ? { MAIL_FROM: props.mailFrom } : {}) },
      memorySize: 512,
      timeout: TICK_TIMEOUT,
      logRetention: props.logRetention,
    });
    this.deliver = new AppFunction(this, 'Deliver', {
      entry: props.deliverEntry,
      projectRoot: props.projectRoot,
      description: 'Service Temperature webhooks: one Standard Webhooks signed POST per SQS message',
      roleDescription: 'Service Temperature webhook deliverer: own log group, app table, key ring, consume the webhook queue, X-Ray.',
      environment,
      memorySize: 256,
      timeout: DELIVER_TIMEOUT,
      logRetention: props.logRetention,
    });
    for (const fn of [this.tick, this.deliver]) {
      props.data.grantReadWriteData(fn.role);
      props.keyringSecret.grantRead(fn.role);
    }
    this.queue.grantSendMessages(this.tick.role);
    this.deliver.function.addEventSource(
      new SqsEventSource(this.queue, { batchSize: 10, reportBatchItemFailures: true, maxConcurrency: 10 }),
    );

    if (props.mailFrom) {
      this.identity = new EmailIdentity(this, 'MailIdentity', { identity: Identity.email(props.mailFrom) });
      this.tick.role.addToPolicy(
        new PolicyStatement({
          actions: ['ses:SendEmail'],
          resources: [stack.formatArn({ service: 'ses', resource: 'identity', resourceName: this.identity.emailIdentityName })],
        }),
      );
    }

    this.schedulerRole = new Role(this, 'SchedulerRole', {
      description: 'EventBridge Scheduler: invoke the Service Temperature notify tick, nothing else.',
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com', {
        conditions: {
          StringEquals: {
            'aws:SourceAccount': stack.account,
            'aws:SourceArn': stack.formatArn({ service: 'scheduler', resource: 'schedule-group', resourceName: 'default' }),
          },
        },
      }),
    });
    this.schedulerRole.addToPolicy(
      new PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [this.tick.function.functionArn] }),
    );
    this.schedule = new Schedule(this, 'EveryMinute', {
      description: 'Service Temperature: notification tick (staff e-mail, 08:30 digests, webhook attempts)',
      schedule: ScheduleExpression.rate(Duration.minutes(1)),
      target: new InvokeOnly(this.tick.function, this.schedulerRole),
      timeWindow: TimeWindow.off(),
    });

    this.deadLetterAlarm = new Alarm(this, 'DeadLetterAlarm', {
      alarmDescription:
        'Webhook attempts could not be recorded 5 times and were parked in the dead-letter queue (the table or the key ' +
        'ring failed, not a receiver). Fix the cause, then redrive the DLQ to the webhook queue (a duplicate records nothing).',
      metric: this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: 'Maximum' }),
      threshold: 0,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    this.tickErrorsAlarm = new Alarm(this, 'TickErrorsAlarm', {
      alarmDescription:
        'The notification tick failed for 5 minutes: staff e-mail and webhooks are waiting (nothing is lost: the next ' +
        'tick takes up the outbox where it stopped).',
      metric: this.tick.function.metricErrors({ period: Duration.minutes(1), statistic: 'Sum' }),
      threshold: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 5,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
  }
}

/** Scheduler target granting nothing itself: the role above may invoke the tick function's ARN and no more. */
class InvokeOnly implements IScheduleTarget {
  constructor(
    private readonly fn: IFunction,
    private readonly role: Role,
  ) {}

  bind(_schedule: ISchedule): ScheduleTargetConfig {
    return { arn: this.fn.functionArn, role: this.role };
  }
}
