import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { buildApp, STACK_NAME } from '../../infra/build.js';
import { MAX_RECEIVE_COUNT } from '../../infra/constructs/scoring.js';

/** Skip esbuild: template assertions only (the last test bundles for real). */
const SKIP_BUNDLING = { 'aws:cdk:bundling-stacks': [] as string[] };
const MAX_BUNDLE_BYTES = 150 * 1024;

function template(context: Record<string, unknown> = {}): Template {
  const { stack } = buildApp({ context: { ...SKIP_BUNDLING, ...context }, nag: false });
  return Template.fromStack(stack);
}

type Statement = { Action: string | string[]; Resource: unknown; Effect: string; Condition?: unknown };
// biome-ignore lint/suspicious/noExplicitAny: CloudFormation properties are untyped JSON, read ad hoc by the assertions
type Resource = { Type: string; Properties: Record<string, any> };
const asList = <T>(x: T | T[]): T[] => (Array.isArray(x) ? x : [x]);

/** The one resource of `type` whose logical id starts with `prefix`. */
function byPrefix(t: Template, type: string, prefix: string): { id: string; resource: Resource } {
  const found = Object.entries(t.findResources(type)).filter(([id]) => id.startsWith(prefix));
  expect(
    found.map(([id]) => id),
    `one ${type} named ${prefix}…`,
  ).toHaveLength(1);
  return { id: found[0][0], resource: found[0][1] as Resource };
}

function policyOf(t: Template, rolePrefix: string): Statement[] {
  return byPrefix(t, 'AWS::IAM::Policy', `${rolePrefix}RoleDefaultPolicy`).resource.Properties.PolicyDocument.Statement as Statement[];
}

const arnOf = (id: string) => ({ 'Fn::GetAtt': [id, 'Arn'] });

describe('nightly scoring fan-out (infra/constructs/scoring.ts)', () => {
  let t: Template;
  let ids: Record<'planner' | 'worker' | 'queue' | 'dlq' | 'topic' | 'table' | 'schedulerRole', string>;
  beforeAll(() => {
    t = template();
    ids = {
      planner: byPrefix(t, 'AWS::Lambda::Function', 'ScoringPlannerFunction').id,
      worker: byPrefix(t, 'AWS::Lambda::Function', 'ScoringWorkerFunction').id,
      queue: byPrefix(t, 'AWS::SQS::Queue', 'ScoringQueue').id,
      dlq: byPrefix(t, 'AWS::SQS::Queue', 'ScoringDeadLetterQueue').id,
      topic: byPrefix(t, 'AWS::SNS::Topic', 'ScoringAlerts').id,
      table: byPrefix(t, 'AWS::DynamoDB::Table', 'Data').id,
      schedulerRole: byPrefix(t, 'AWS::IAM::Role', 'ScoringSchedulerRole').id,
    };
  });

  describe('schedule', () => {
    it('invokes the planner at 02:00 every day in Asia/Shanghai, passing the scheduled time, with its own role', () => {
      // the scoring job's one schedule (the notification tick has its own: test/infra/notify.test.ts)
      expect(Object.keys(t.findResources('AWS::Scheduler::Schedule')).filter((id) => id.startsWith('Scoring'))).toHaveLength(1);
      t.hasResourceProperties('AWS::Scheduler::Schedule', {
        ScheduleExpression: 'cron(0 2 * * ? *)',
        ScheduleExpressionTimezone: 'Asia/Shanghai',
        FlexibleTimeWindow: { Mode: 'OFF' },
        State: 'ENABLED',
        Target: {
          Arn: arnOf(ids.planner),
          RoleArn: arnOf(ids.schedulerRole),
          Input: JSON.stringify({ scheduledTime: '<aws.scheduler.scheduled-time>' }),
          RetryPolicy: { MaximumEventAgeInSeconds: 3600, MaximumRetryAttempts: 3 },
        },
      });
    });

    it('takes the time zone from context scoringTimezone, for the schedule and both functions', () => {
      const urumqi = template({ scoringTimezone: 'Asia/Urumqi' });
      urumqi.hasResourceProperties('AWS::Scheduler::Schedule', { ScheduleExpressionTimezone: 'Asia/Urumqi' });
      for (const prefix of ['ScoringPlannerFunction', 'ScoringWorkerFunction']) {
        expect(byPrefix(urumqi, 'AWS::Lambda::Function', prefix).resource.Properties.Environment.Variables.SCORING_TIMEZONE).toBe(
          'Asia/Urumqi',
        );
      }
      expect(() => template({ scoringTimezone: 'Beijing' })).toThrow(/scoringTimezone/);
    });

    it('has a role that may only invoke the planner (no version wildcard), assumed by the scheduler for this account', () => {
      const role = t.toJSON().Resources[ids.schedulerRole] as Resource;
      expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([
        {
          Action: 'sts:AssumeRole',
          Effect: 'Allow',
          Principal: { Service: 'scheduler.amazonaws.com' },
          Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' }, 'aws:SourceArn': expect.anything() } },
        },
      ]);
      expect(role.Properties.ManagedPolicyArns).toBeUndefined();
      expect(policyOf(t, 'ScoringScheduler')).toEqual([{ Action: 'lambda:InvokeFunction', Effect: 'Allow', Resource: arnOf(ids.planner) }]);
    });
  });

  describe('queue and dead-letter queue', () => {
    it('redrives to the DLQ after 5 receives; visibility is at least six times the worker timeout', () => {
      const queue = t.toJSON().Resources[ids.queue] as Resource;
      const worker = t.toJSON().Resources[ids.worker] as Resource;
      expect(queue.Properties.RedrivePolicy).toEqual({ deadLetterTargetArn: arnOf(ids.dlq), maxReceiveCount: MAX_RECEIVE_COUNT });
      expect(MAX_RECEIVE_COUNT).toBe(5);
      expect(queue.Properties.VisibilityTimeout).toBeGreaterThanOrEqual(6 * worker.Properties.Timeout);
    });

    it('keeps dead letters 14 days', () => {
      expect((t.toJSON().Resources[ids.dlq] as Resource).Properties.MessageRetentionPeriod).toBe(14 * 24 * 3600);
    });

    it('encrypts both with SQS-managed SSE and refuses requests without TLS', () => {
      for (const id of [ids.queue, ids.dlq]) {
        const q = t.toJSON().Resources[id] as Resource;
        expect(q.Properties.SqsManagedSseEnabled, id).toBe(true);
        const policies = Object.values(t.findResources('AWS::SQS::QueuePolicy')).filter(
          (p) => JSON.stringify(p.Properties.Queues) === JSON.stringify([{ Ref: id }]),
        );
        expect(policies, `${id} queue policy`).toHaveLength(1);
        expect(policies[0].Properties.PolicyDocument.Statement).toContainEqual({
          Action: 'sqs:*',
          Effect: 'Deny',
          Principal: { AWS: '*' },
          Resource: arnOf(id),
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        });
      }
    });

    it('alarms as soon as anything is in the DLQ', () => {
      t.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [ids.dlq, 'QueueName'] } }],
        ComparisonOperator: 'GreaterThanThreshold',
        Threshold: 0,
        EvaluationPeriods: 1,
        TreatMissingData: 'notBreaching',
      });
    });

    it('alarms when the planner fails', () => {
      t.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/Lambda',
        MetricName: 'Errors',
        Dimensions: [{ Name: 'FunctionName', Value: { Ref: ids.planner } }],
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        Threshold: 1,
      });
    });
  });

  describe('worker', () => {
    it('consumes the queue in small batches with partial-batch failure reporting and bounded concurrency', () => {
      // the scoring queue's one consumer (the webhook queue's is in test/infra/notify.test.ts)
      expect(Object.keys(t.findResources('AWS::Lambda::EventSourceMapping')).filter((id) => id.startsWith('ScoringWorker'))).toHaveLength(
        1,
      );
      t.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        EventSourceArn: arnOf(ids.queue),
        FunctionName: { Ref: ids.worker },
        BatchSize: 5,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        ScalingConfig: { MaximumConcurrency: 50 },
      });
    });
  });

  describe('alerts topic', () => {
    it('is encrypted with the AWS-managed SNS key and accepts publishing over TLS only', () => {
      const topic = t.toJSON().Resources[ids.topic] as Resource;
      expect(JSON.stringify(topic.Properties.KmsMasterKeyId)).toContain(':alias/aws/sns');
      t.hasResourceProperties('AWS::SNS::TopicPolicy', {
        Topics: [{ Ref: ids.topic }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Action: 'sns:Publish',
              Effect: 'Deny',
              Principal: '*',
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            }),
          ]),
        },
      });
    });
  });

  describe('functions', () => {
    it('run like the API function: nodejs22.x, arm64, active tracing, own log group with retention', () => {
      for (const id of [ids.planner, ids.worker]) {
        const fn = t.toJSON().Resources[id] as Resource;
        expect(fn.Properties, id).toMatchObject({
          Runtime: 'nodejs22.x',
          Architectures: ['arm64'],
          TracingConfig: { Mode: 'Active' },
          Handler: 'index.handler',
        });
        expect(fn.Properties.Layers[0]).toEqual({
          'Fn::Join': [
            '',
            [
              expect.stringContaining('arn:aws:lambda:'),
              { Ref: 'AWS::Region' },
              expect.stringContaining('AWSLambdaPowertoolsTypeScriptV2:44'),
            ],
          ],
        });
        const logGroup = t.toJSON().Resources[fn.Properties.LoggingConfig.LogGroup.Ref] as Resource;
        expect(logGroup.Type).toBe('AWS::Logs::LogGroup');
        expect(logGroup.Properties.RetentionInDays).toBe(365);
      }
    });

    it('get the table, queue, topic and time zone through their environment', () => {
      const env = (id: string) => (t.toJSON().Resources[id] as Resource).Properties.Environment.Variables;
      const common = {
        TABLE_NAME: { Ref: ids.table },
        SCORE_QUEUE_URL: { Ref: ids.queue },
        SCORING_TIMEZONE: 'Asia/Shanghai',
        POWERTOOLS_SERVICE_NAME: 'service-temperature',
        LOG_LEVEL: 'INFO',
        APP_ENV: 'aws',
      };
      expect(env(ids.planner)).toMatchObject(common);
      expect(env(ids.planner).ALERTS_TOPIC_ARN).toBeUndefined();
      expect(env(ids.worker)).toMatchObject({ ...common, ALERTS_TOPIC_ARN: { Ref: ids.topic } });
      expect(env(ids.worker).KEYRING_SECRET_ARN).toBeUndefined();
    });
  });

  describe('least privilege', () => {
    const actionsOn = (stmts: Statement[], prefix: string) => stmts.filter((s) => asList(s.Action).some((a) => a.startsWith(prefix)));

    it('planner: table, send to the scoring queue, its logs, X-Ray; no SNS, no receive, no secret', () => {
      const stmts = policyOf(t, 'ScoringPlanner');
      expect(actionsOn(stmts, 'sns:')).toEqual([]);
      expect(actionsOn(stmts, 'secretsmanager:')).toEqual([]);
      const sqs = actionsOn(stmts, 'sqs:');
      expect(sqs).toHaveLength(1);
      expect(asList(sqs[0].Action).sort()).toEqual(['sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage']);
      expect(sqs[0].Resource).toEqual(arnOf(ids.queue));
      expect(actionsOn(stmts, 'dynamodb:').flatMap((s) => asList(s.Resource))).toEqual([
        arnOf(ids.table),
        { 'Fn::Join': ['', [arnOf(ids.table), '/index/gsi1']] },
        { 'Fn::Join': ['', [arnOf(ids.table), '/index/gsi2']] },
        { 'Fn::Join': ['', [arnOf(ids.table), '/index/gsi3']] },
        { 'Fn::Join': ['', [arnOf(ids.table), '/index/gsi4']] },
      ]);
    });

    it('worker: sns:Publish on the alerts topic only; consume and send on the scoring queue only; nothing on the DLQ', () => {
      const stmts = policyOf(t, 'ScoringWorker');
      const sns = actionsOn(stmts, 'sns:');
      expect(sns).toEqual([{ Action: 'sns:Publish', Effect: 'Allow', Resource: { Ref: ids.topic } }]);
      expect(actionsOn(stmts, 'kms:')).toEqual([]);
      const sqs = actionsOn(stmts, 'sqs:');
      expect(sqs.flatMap((s) => asList(s.Resource))).toEqual([arnOf(ids.queue)]);
      expect(sqs.flatMap((s) => asList(s.Action)).sort()).toEqual([
        'sqs:ChangeMessageVisibility',
        'sqs:DeleteMessage',
        'sqs:GetQueueAttributes',
        'sqs:GetQueueUrl',
        'sqs:ReceiveMessage',
        'sqs:SendMessage',
      ]);
      expect(JSON.stringify(stmts)).not.toContain(ids.dlq);
    });

    it('every function writes only to its own log group', () => {
      for (const prefix of ['ScoringPlanner', 'ScoringWorker']) {
        const logs = actionsOn(policyOf(t, prefix), 'logs:');
        expect(logs).toHaveLength(1);
        expect(logs[0].Resource).toEqual(arnOf(byPrefix(t, 'AWS::Logs::LogGroup', `${prefix}LogGroup`).id));
      }
    });

    it('no wildcard action anywhere, and Resource "*" only for the two X-Ray actions', () => {
      const all = Object.values(t.findResources('AWS::IAM::Policy')).flatMap((p) => p.Properties.PolicyDocument.Statement as Statement[]);
      for (const s of all) for (const a of asList(s.Action)) expect(a).toMatch(/^[a-z0-9-]+:[A-Za-z]+$/);
      const star = all.filter((s) => asList(s.Resource).some((r) => JSON.stringify(r).includes('*')));
      expect([...new Set(star.flatMap((s) => asList(s.Action)))].sort()).toEqual(['xray:PutTelemetryRecords', 'xray:PutTraceSegments']);
    });
  });

  it('outputs the queue URL, the alerts topic ARN and the planner name', () => {
    t.hasOutput('ScoreQueueUrl', { Value: { Ref: ids.queue } });
    t.hasOutput('AlertsTopicArn', { Value: { Ref: ids.topic } });
    t.hasOutput('ScoringPlannerName', { Value: { Ref: ids.planner } });
  });
});

describe('scoring function bundles', () => {
  const outdir = mkdtempSync(join(tmpdir(), 'st-scoring-bundle-'));
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  it('bundle score-planner.ts and score-worker.ts into single ESM files under 150 KB, SDK and Powertools left out', () => {
    const { app } = buildApp({ outdir, nag: false });
    app.synth();
    const resources = (
      JSON.parse(readFileSync(join(outdir, `${STACK_NAME}.template.json`), 'utf8')) as { Resources: Record<string, Resource> }
    ).Resources;
    const sizes: Record<string, number> = {};
    for (const prefix of ['ScoringPlannerFunction', 'ScoringWorkerFunction']) {
      const [, fn] = Object.entries(resources).find(([id, r]) => id.startsWith(prefix) && r.Type === 'AWS::Lambda::Function')!;
      const s3Key = fn.Properties.Code.S3Key as string;
      expect(s3Key).toMatch(/^[0-9a-f]{64}\.zip$/);
      const bundle = join(outdir, `asset.${s3Key.replace(/\.zip$/, '')}`, 'index.mjs');
      expect(existsSync(bundle), bundle).toBe(true);
      sizes[prefix] = statSync(bundle).size;
      expect(sizes[prefix], `${prefix} index.mjs is ${sizes[prefix]} bytes`).toBeLessThan(MAX_BUNDLE_BYTES);
      const code = readFileSync(bundle, 'utf8');
      expect(code.startsWith("import { createRequire } from 'module'; const require = createRequire(import.meta.url);")).toBe(true);
      expect(code).toMatch(/export\s*\{[^}]*\bhandler\b[^}]*\}/);
      const sdkReferences = code.match(/"@aws-sdk\/[^"]+"/g) ?? [];
      const sdkImports = code.match(/(?:from\s*|import\s*\(\s*)"@aws-sdk\/[^"]+"/g) ?? [];
      expect(sdkImports.length).toBe(sdkReferences.length);
      expect(code).toMatch(/from\s*"@aws-sdk\/client-sqs"/);
      expect(code).toMatch(/from\s*"@aws-lambda-powertools\/logger"/);
      // The scoring functions carry no HTTP app or key ring.
      expect(code).not.toContain('非常满意');
      expect(code).not.toContain('client-secrets-manager');
    }
    console.log(`scoring bundles: planner ${sizes.ScoringPlannerFunction} B, worker ${sizes.ScoringWorkerFunction} B`);
  }, 180_000);
});
