import { Duration, Stack } from 'aws-cdk-lib';
import type { Alarm } from 'aws-cdk-lib/aws-cloudwatch';
import { PolicyStatement, type Role } from 'aws-cdk-lib/aws-iam';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { type Schedule, ScheduleExpression } from 'aws-cdk-lib/aws-scheduler';
import { EmailIdentity, Identity } from 'aws-cdk-lib/aws-ses';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { AppFunction } from './api-function.js';
import type { DataTable } from './data-table.js';
import { consume, errorsAlarm, scheduledInvoke, workQueue } from './queue-fed.js';

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

    ({
      queue: this.queue,
      deadLetterQueue: this.deadLetterQueue,
      deadLetterAlarm: this.deadLetterAlarm,
    } = workQueue(this, {
      consumerTimeout: DELIVER_TIMEOUT,
      maxReceiveCount: DELIVER_MAX_RECEIVE_COUNT,
      deadLetterAlarmDescription:
        'Webhook attempts could not be recorded 5 times and were parked in the dead-letter queue (the table or the key ' +
        'ring failed, not a receiver). Fix the cause, then redrive the DLQ to the webhook queue (a duplicate records nothing).',
    }));

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
    consume(this.deliver.function, this.queue, 10, 10);

    if (props.mailFrom) {
      this.identity = new EmailIdentity(this, 'MailIdentity', { identity: Identity.email(props.mailFrom) });
      this.tick.role.addToPolicy(
        new PolicyStatement({
          actions: ['ses:SendEmail'],
          resources: [stack.formatArn({ service: 'ses', resource: 'identity', resourceName: this.identity.emailIdentityName })],
        }),
      );
    }

    ({ schedule: this.schedule, role: this.schedulerRole } = scheduledInvoke(this, this.tick.function, {
      id: 'EveryMinute',
      description: 'Service Temperature: notification tick (staff e-mail, 08:30 digests, webhook attempts)',
      roleDescription: 'EventBridge Scheduler: invoke the Service Temperature notify tick, nothing else.',
      schedule: ScheduleExpression.rate(Duration.minutes(1)),
    }));

    this.tickErrorsAlarm = errorsAlarm(
      this,
      'TickErrorsAlarm',
      this.tick.function,
      'The notification tick failed for 5 minutes: staff e-mail and webhooks are waiting (nothing is lost: the next ' +
        'tick takes up the outbox where it stopped).',
      Duration.minutes(1),
      5,
    );
  }
}
