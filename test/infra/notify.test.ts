/**
 * Staff e-mail and webhooks on AWS (infra/constructs/notify.ts, issue 14): the tick on a one-minute schedule through
 * a role that may invoke it alone; the webhook queue encrypted, TLS-only, with its dead-letter queue and alarm; the
 * deliverer consuming it with partial-batch failures; SES: an identity for the sender and ses:SendEmail on it only,
 * nothing without `mailFrom`. cdk-nag runs over the whole app in nag.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { buildApp } from '../../infra/build.js';
import { DELIVER_MAX_RECEIVE_COUNT } from '../../infra/constructs/notify.js';

const SKIP_BUNDLING = { 'aws:cdk:bundling-stacks': [] as string[] };
const template = (context: Record<string, unknown> = {}) =>
  Template.fromStack(buildApp({ context: { ...SKIP_BUNDLING, ...context }, nag: false }).stack);

// biome-ignore lint/suspicious/noExplicitAny: CloudFormation properties are untyped JSON
type Resource = { Type: string; Properties: Record<string, any> };
const one = (t: Template, type: string, prefix: string): [string, Resource] => {
  const found = Object.entries(t.findResources(type)).filter(([id]) => id.startsWith(prefix));
  expect(found.map(([id]) => id)).toHaveLength(1);
  return found[0] as [string, Resource];
};
const statementsOf = (t: Template, prefix: string) =>
  one(t, 'AWS::IAM::Policy', `${prefix}RoleDefaultPolicy`)[1].Properties.PolicyDocument.Statement as {
    Action: string | string[];
    Resource: unknown;
  }[];
const actions = (s: { Action: string | string[] }) => (Array.isArray(s.Action) ? s.Action : [s.Action]);

describe('notifications on AWS', () => {
  const t = template({ mailFrom: 'notify@rate.example.gov.cn', publicBaseUrl: 'https://rate.example.gov.cn' });

  it('queues webhook attempts on an encrypted, TLS-only queue with a dead-letter queue whose depth is alarmed', () => {
    const [dlq] = one(t, 'AWS::SQS::Queue', 'NotifyDeadLetterQueue');
    const [, queue] = one(t, 'AWS::SQS::Queue', 'NotifyQueue');
    expect(queue.Properties).toMatchObject({
      SqsManagedSseEnabled: true,
      RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [dlq, 'Arn'] }, maxReceiveCount: DELIVER_MAX_RECEIVE_COUNT },
    });
    t.hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]),
      },
    });
    const [, alarm] = one(t, 'AWS::CloudWatch::Alarm', 'NotifyDeadLetterAlarm');
    expect(alarm.Properties).toMatchObject({
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [dlq, 'QueueName'] } }],
      Threshold: 0,
    });
    one(t, 'AWS::CloudWatch::Alarm', 'NotifyTickErrorsAlarm');
  });

  it('the deliverer consumes the queue with partial-batch failures; the tick runs every minute, invoked by its own role only', () => {
    const [deliver] = one(t, 'AWS::Lambda::Function', 'NotifyDeliverFunction');
    const [tick, tickFn] = one(t, 'AWS::Lambda::Function', 'NotifyTickFunction');
    const [queue] = one(t, 'AWS::SQS::Queue', 'NotifyQueue');
    t.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: deliver },
      EventSourceArn: { 'Fn::GetAtt': [queue, 'Arn'] },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    expect(tickFn.Properties.Environment.Variables).toMatchObject({
      MAIL_FROM: 'notify@rate.example.gov.cn',
      PUBLIC_BASE_URL: 'https://rate.example.gov.cn',
      NOTIFY_QUEUE_URL: { Ref: queue },
    });
    const [, schedule] = one(t, 'AWS::Scheduler::Schedule', 'NotifyEveryMinute');
    expect(schedule.Properties.ScheduleExpression).toBe('rate(1 minute)');
    expect(schedule.Properties.Target.Arn).toEqual({ 'Fn::GetAtt': [tick, 'Arn'] });
    const invoke = statementsOf(t, 'NotifyScheduler').find((s) => actions(s).includes('lambda:InvokeFunction'))!;
    expect(invoke.Resource).toEqual({ 'Fn::GetAtt': [tick, 'Arn'] });
  });

  it('makes an SES identity for the sender and lets the tick send from it alone; the deliverer sends no e-mail', () => {
    const [, identity] = one(t, 'AWS::SES::EmailIdentity', 'NotifyMailIdentity');
    expect(identity.Properties.EmailIdentity).toBe('notify@rate.example.gov.cn');
    const ses = statementsOf(t, 'NotifyTick').filter((s) => actions(s).some((a) => a.startsWith('ses:')));
    expect(ses).toHaveLength(1);
    expect(actions(ses[0])).toEqual(['ses:SendEmail']);
    expect(JSON.stringify(ses[0].Resource)).toContain(':identity/');
    expect(JSON.stringify(ses[0].Resource)).not.toContain('*');
    expect(statementsOf(t, 'NotifyDeliver').some((s) => actions(s).some((a) => a.startsWith('ses:')))).toBe(false);
    expect(statementsOf(t, 'NotifyDeliver').some((s) => actions(s).includes('sqs:SendMessage'))).toBe(false);
  });

  it('without mailFrom: no identity, no SES permission, no sender in the environment', () => {
    const bare = template();
    expect(Object.keys(bare.findResources('AWS::SES::EmailIdentity'))).toEqual([]);
    expect(statementsOf(bare, 'NotifyTick').some((s) => actions(s).some((a) => a.startsWith('ses:')))).toBe(false);
    expect(one(bare, 'AWS::Lambda::Function', 'NotifyTickFunction')[1].Properties.Environment.Variables.MAIL_FROM).toBeUndefined();
    expect(() => template({ mailFrom: 'not an address' })).toThrow(/mailFrom/);
  });
});
