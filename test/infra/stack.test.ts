import { ROUTE_THROTTLES } from '../../infra/constructs/http-api.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { buildApp, indexDeploySteps } from '../../infra/build.js';
import { DASHBOARD_PATHS } from '../../infra/stack.js';
import { TABLE_KEYS } from '../../shared/storage/table.js';

/** Skip esbuild: these tests look at the template only (bundle.test.ts bundles for real). */
const SKIP_BUNDLING = { 'aws:cdk:bundling-stacks': [] as string[] };

function template(context: Record<string, unknown> = {}): Template {
  const { stack } = buildApp({ context: { ...SKIP_BUNDLING, ...context }, nag: false });
  return Template.fromStack(stack);
}

type Statement = { Action: string | string[]; Resource: unknown; Effect: string };

function statementsOf(t: Template): Statement[] {
  return Object.values(t.findResources('AWS::IAM::Policy')).flatMap(
    (p) => (p as { Properties: { PolicyDocument: { Statement: Statement[] } } }).Properties.PolicyDocument.Statement,
  );
}

const asList = <T>(x: T | T[]): T[] => (Array.isArray(x) ? x : [x]);

/** The API function among the stack's Lambda functions (the scoring job's are covered by scoring.test.ts). */
function apiFunction<T>(t: Template): { id: string; resource: T } {
  const fns = Object.entries(t.findResources('AWS::Lambda::Function')).filter(([id]) => id.startsWith('ApiFunction'));
  expect(fns, 'exactly one API function').toHaveLength(1);
  return { id: fns[0][0], resource: fns[0][1] as T };
}

function onlyResource<T>(t: Template, type: string): { id: string; resource: T } {
  const all = t.findResources(type);
  const ids = Object.keys(all);
  expect(ids, `exactly one ${type}`).toHaveLength(1);
  return { id: ids[0], resource: all[ids[0]] as T };
}

describe('ServiceTemperature stack', () => {
  let t: Template;
  beforeAll(() => {
    t = template();
  });

  describe('DynamoDB table', () => {
    it('is on-demand with PITR, TTL on "ttl", AWS-managed encryption and the shared key schema', () => {
      t.resourceCountIs('AWS::DynamoDB::Table', 1);
      t.hasResourceProperties('AWS::DynamoDB::Table', {
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
        SSESpecification: { SSEEnabled: true },
        KeySchema: [
          { AttributeName: TABLE_KEYS.partitionKey, KeyType: 'HASH' },
          { AttributeName: TABLE_KEYS.sortKey, KeyType: 'RANGE' },
        ],
        AttributeDefinitions: Match.arrayWith([
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'S' },
          { AttributeName: 'gsi1pk', AttributeType: 'S' },
          { AttributeName: 'gsi1sk', AttributeType: 'S' },
          { AttributeName: 'gsi2pk', AttributeType: 'S' },
          { AttributeName: 'gsi2sk', AttributeType: 'S' },
          { AttributeName: 'h', AttributeType: 'S' }, // GSI3: the rating's own hall attribute, a string
        ]),
        GlobalSecondaryIndexes: [
          {
            IndexName: 'gsi1',
            KeySchema: [
              { AttributeName: TABLE_KEYS.gsi1.partitionKey, KeyType: 'HASH' },
              { AttributeName: TABLE_KEYS.gsi1.sortKey, KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'ALL' },
          },
          {
            IndexName: 'gsi2',
            KeySchema: [
              { AttributeName: TABLE_KEYS.gsi2.partitionKey, KeyType: 'HASH' },
              { AttributeName: TABLE_KEYS.gsi2.sortKey, KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'ALL' },
          },
          {
            IndexName: 'gsi3',
            KeySchema: [
              { AttributeName: 'h', KeyType: 'HASH' },
              { AttributeName: 'gsi2sk', KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'ALL' },
          },
          {
            IndexName: 'gsi4',
            KeySchema: [
              { AttributeName: 'q', KeyType: 'HASH' },
              { AttributeName: 'gsi1sk', KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'ALL' },
          },
        ],
      });
      // AWS-managed key (alias/aws/dynamodb): no customer key is referenced.
      const { resource } = onlyResource<{ Properties: { SSESpecification: Record<string, unknown> } }>(t, 'AWS::DynamoDB::Table');
      expect(resource.Properties.SSESpecification.KMSMasterKeyId).toBeUndefined();
      expect(resource.Properties).not.toHaveProperty('ProvisionedThroughput');
    });

    it('declares only the first n indexes with -c tableIndexes=n (a stepwise upgrade), and says which steps a table needs', () => {
      const { resource } = onlyResource<{ Properties: { GlobalSecondaryIndexes: { IndexName: string }[] } }>(
        template({ tableIndexes: '3' }),
        'AWS::DynamoDB::Table',
      );
      expect(resource.Properties.GlobalSecondaryIndexes.map((g) => g.IndexName)).toEqual(['gsi1', 'gsi2', 'gsi3']);
      expect(() => template({ tableIndexes: '5' })).toThrow(/at most 4/);
      // CloudFormation adds one index per update: a table with 2 gets gsi3 alone, then the full deploy adds gsi4
      expect(indexDeploySteps(2, 4)).toEqual([3]);
      expect(indexDeploySteps(1, 4)).toEqual([2, 3]);
      expect(indexDeploySteps(3, 4)).toEqual([]);
      expect(indexDeploySteps(4, 4)).toEqual([]);
      expect(indexDeploySteps(undefined, 4)).toEqual([]); // a new table is created with all of them
    });

    it('is retained when the stack is deleted or the table replaced', () => {
      t.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    });
  });

  describe('key-ring secret', () => {
    it('is generated as {"active":"k1","k1":<64 chars>} and retained', () => {
      t.resourceCountIs('AWS::SecretsManager::Secret', 1);
      t.hasResource('AWS::SecretsManager::Secret', {
        DeletionPolicy: 'Retain',
        Properties: Match.objectLike({
          GenerateSecretString: {
            SecretStringTemplate: JSON.stringify({ active: 'k1' }),
            GenerateStringKey: 'k1',
            PasswordLength: 64,
            ExcludePunctuation: true,
          },
        }),
      });
    });
  });

  describe('API function', () => {
    it('runs nodejs22.x on arm64 with 512 MB, 10 s, active tracing and no reserved concurrency', () => {
      // The API function, the dashboard, the export stream, the scoring planner and worker, the notification tick and
      // webhook deliverer.
      t.resourceCountIs('AWS::Lambda::Function', 7);
      t.hasResourceProperties('AWS::Lambda::Function', {
        Description: 'Service Temperature HTTP API (Hono)',
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        MemorySize: 512,
        Timeout: 10,
        Handler: 'index.handler',
        TracingConfig: { Mode: 'Active' },
        ReservedConcurrentExecutions: Match.absent(),
      });
    });

    it('gets the table, the secret and the runtime settings through its environment', () => {
      const tableId = onlyResource(t, 'AWS::DynamoDB::Table').id;
      const secretId = onlyResource(t, 'AWS::SecretsManager::Secret').id;
      t.hasResourceProperties('AWS::Lambda::Function', {
        Environment: {
          Variables: {
            TABLE_NAME: { Ref: tableId },
            KEYRING_SECRET_ARN: { Ref: secretId },
            APP_ENV: 'aws',
            POWERTOOLS_SERVICE_NAME: 'service-temperature',
            LOG_LEVEL: 'INFO',
            NODE_OPTIONS: '--enable-source-maps',
            // Always set (issue 11 item 8): without the context, the HTTP API's own endpoint.
            PUBLIC_BASE_URL: { 'Fn::GetAtt': [Match.anyValue(), 'ApiEndpoint'] },
          },
        },
      });
    });

    it('sets PUBLIC_BASE_URL to the publicBaseUrl context when it is given', () => {
      const withUrl = template({ publicBaseUrl: 'https://wendu.example.gov.cn/' });
      withUrl.hasResourceProperties('AWS::Lambda::Function', {
        Environment: { Variables: Match.objectLike({ PUBLIC_BASE_URL: 'https://wendu.example.gov.cn' }) },
      });
    });

    it('refuses a publicBaseUrl that is not an absolute https URL', () => {
      expect(() => template({ publicBaseUrl: 'wendu.example.gov.cn' })).toThrow(/publicBaseUrl/);
      expect(() => template({ publicBaseUrl: 'http://wendu.example.gov.cn' })).toThrow(/https/);
    });

    it('logs to its own log group with a retention, not to an unbounded default group', () => {
      const { id: fnId, resource: fn } = apiFunction<{ Properties: { LoggingConfig: { LogGroup: { Ref: string } } } }>(t);
      const logGroupId = fn.Properties.LoggingConfig.LogGroup.Ref;
      expect(logGroupId, `${fnId} LoggingConfig.LogGroup`).toBeTruthy();
      const logGroup = t.toJSON().Resources[logGroupId];
      expect(logGroup.Type).toBe('AWS::Logs::LogGroup');
      expect(logGroup.Properties.RetentionInDays).toBe(365);
    });

    it('has a role without managed policies (no AWSLambdaBasicExecutionRole)', () => {
      t.hasResourceProperties('AWS::IAM::Role', {
        Description: Match.stringLikeRegexp('^Service Temperature API function'),
        AssumeRolePolicyDocument: Match.objectLike({
          Statement: [Match.objectLike({ Principal: { Service: 'lambda.amazonaws.com' } })],
        }),
        ManagedPolicyArns: Match.absent(),
      });
      // No role of the stack (API, scoring planner, worker, scheduler) carries a managed policy.
      for (const role of Object.values(t.findResources('AWS::IAM::Role'))) expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    });
  });

  describe('least privilege', () => {
    it('grants DynamoDB item actions on the table and its gsi1, gsi2, gsi3 and gsi4 indexes only — no wildcard action or resource', () => {
      const tableId = onlyResource(t, 'AWS::DynamoDB::Table').id;
      const tableArn = { 'Fn::GetAtt': [tableId, 'Arn'] };
      const dynamo = statementsOf(t).filter((s) => asList(s.Action).some((a) => a.startsWith('dynamodb:')));
      expect(dynamo.length).toBeGreaterThan(0);

      for (const s of dynamo) {
        expect(s.Effect).toBe('Allow');
        for (const action of asList(s.Action)) {
          expect(action).toMatch(/^dynamodb:[A-Za-z]+$/); // no dynamodb:* / dynamodb:Get*
        }
        for (const resource of asList(s.Resource)) {
          expect(resource).not.toBe('*');
          expect(JSON.stringify(resource)).not.toContain('*');
        }
      }

      const actions = new Set(dynamo.flatMap((s) => asList(s.Action)));
      for (const needed of [
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'dynamodb:UpdateItem',
        'dynamodb:Query',
        'dynamodb:ConditionCheckItem',
      ]) {
        expect(actions).toContain(needed);
      }
      for (const forbidden of [
        'dynamodb:CreateTable',
        'dynamodb:DeleteTable',
        'dynamodb:UpdateTable',
        'dynamodb:RestoreTableToPointInTime',
      ]) {
        expect(actions).not.toContain(forbidden);
      }

      const resources = dynamo.flatMap((s) => asList(s.Resource));
      expect(resources).toContainEqual(tableArn);
      expect(resources).toContainEqual({ 'Fn::Join': ['', [tableArn, '/index/gsi1']] });
      // Every function that touches the table (API, scoring planner and worker) names exactly these five.
      expect(new Set(resources.map((r) => JSON.stringify(r)))).toEqual(
        new Set([
          JSON.stringify(tableArn),
          JSON.stringify({ 'Fn::Join': ['', [tableArn, '/index/gsi1']] }),
          JSON.stringify({ 'Fn::Join': ['', [tableArn, '/index/gsi2']] }),
          JSON.stringify({ 'Fn::Join': ['', [tableArn, '/index/gsi3']] }),
          JSON.stringify({ 'Fn::Join': ['', [tableArn, '/index/gsi4']] }),
        ]),
      );
    });

    it('grants read on the key-ring secret only, to the API, dashboard, export and notification functions', () => {
      const secretId = onlyResource(t, 'AWS::SecretsManager::Secret').id;
      const secrets = Object.entries(t.findResources('AWS::IAM::Policy')).flatMap(([id, p]) =>
        (p as { Properties: { PolicyDocument: { Statement: Statement[] } } }).Properties.PolicyDocument.Statement.filter((s) =>
          asList(s.Action).some((a) => a.startsWith('secretsmanager:')),
        ).map((s) => ({ id, s })),
      );
      expect(secrets.map((x) => x.id.replace(/[0-9A-F]{8}$/, '')).sort()).toEqual([
        'ApiRoleDefaultPolicy',
        'DashboardRoleDefaultPolicy',
        'ExportRoleDefaultPolicy', // verifies the dashboard's export tickets
        'NotifyDeliverRoleDefaultPolicy', // issue 14: webhook secrets are sealed under the key ring
        'NotifyTickRoleDefaultPolicy',
      ]);
      for (const { s } of secrets) {
        expect(asList(s.Action).sort()).toEqual(['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue']);
        expect(s.Resource).toEqual({ Ref: secretId });
      }
    });

    it('uses Resource "*" only for the two X-Ray actions that cannot be scoped', () => {
      const star = statementsOf(t).filter((s) => asList(s.Resource).includes('*'));
      expect([...new Set(star.flatMap((s) => asList(s.Action)))].sort()).toEqual(['xray:PutTelemetryRecords', 'xray:PutTraceSegments']);
    });

    it('lets the function write only to its own log group', () => {
      const apiPolicy = Object.entries(t.findResources('AWS::IAM::Policy')).find(([id]) => id.startsWith('ApiRoleDefaultPolicy'))![1] as {
        Properties: { PolicyDocument: { Statement: Statement[] } };
      };
      const logs = apiPolicy.Properties.PolicyDocument.Statement.filter((s) => asList(s.Action).some((a) => a.startsWith('logs:')));
      expect(logs).toHaveLength(1);
      expect(asList(logs[0].Action).sort()).toEqual(['logs:CreateLogStream', 'logs:PutLogEvents']);
      expect(logs[0].Resource).toMatchObject({ 'Fn::GetAtt': [expect.stringMatching(/^ApiLogGroup/), 'Arn'] });
    });
  });

  describe('HTTP API', () => {
    it('routes everything ($default) to the function through a Lambda proxy integration, the staff paths to the dashboard', () => {
      t.resourceCountIs('AWS::ApiGatewayV2::Api', 1);
      t.hasResourceProperties('AWS::ApiGatewayV2::Api', { ProtocolType: 'HTTP' });
      t.resourceCountIs('AWS::ApiGatewayV2::Route', 1 + DASHBOARD_PATHS.length + Object.keys(ROUTE_THROTTLES).length);
      t.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: '$default', AuthorizationType: 'NONE' });
      const integrations = t.findResources('AWS::ApiGatewayV2::Integration');
      const dashboardFn = Object.keys(t.findResources('AWS::Lambda::Function')).find((id) => id.startsWith('DashboardFunction'))!;
      const toDashboard = Object.entries(integrations).find(([, i]) =>
        JSON.stringify(i.Properties.IntegrationUri).includes(dashboardFn),
      )![0];
      for (const path of DASHBOARD_PATHS) {
        t.hasResourceProperties('AWS::ApiGatewayV2::Route', {
          RouteKey: `ANY ${path}`,
          Target: { 'Fn::Join': ['', ['integrations/', { Ref: toDashboard }]] },
        });
      }
      const fnId = apiFunction(t).id;
      t.hasResourceProperties('AWS::ApiGatewayV2::Integration', {
        IntegrationType: 'AWS_PROXY',
        PayloadFormatVersion: '2.0',
        IntegrationUri: { 'Fn::GetAtt': [fnId, 'Arn'] },
      });
    });

    it('has one auto-deployed $default stage with stage-wide throttling', () => {
      t.resourceCountIs('AWS::ApiGatewayV2::Stage', 1);
      t.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
        StageName: '$default',
        AutoDeploy: true,
        DefaultRouteSettings: { ThrottlingRateLimit: 1000, ThrottlingBurstLimit: 2000 },
      });
    });

    it('throttles each kind of call on its own route, to the API function, whatever the number of Lambda instances', () => {
      const { id: stageId, resource: stage } = onlyResource<{
        Properties: { RouteSettings: Record<string, { ThrottlingRateLimit: number; ThrottlingBurstLimit: number }> };
        DependsOn?: string[];
      }>(t, 'AWS::ApiGatewayV2::Stage');
      expect(stageId).toBeTruthy();
      const keys = Object.keys(ROUTE_THROTTLES);
      expect(keys).toEqual(expect.arrayContaining(['POST /api/v1/ratings', 'POST /api/v1/tickets', 'GET /api/v1/hall']));
      for (const [key, want] of Object.entries(ROUTE_THROTTLES)) {
        expect(stage.Properties.RouteSettings[key], key).toEqual({
          ThrottlingRateLimit: want.rateLimit,
          ThrottlingBurstLimit: want.burstLimit,
        });
        expect(want.rateLimit).toBeLessThan(1000); // below the stage-wide default: each route is bounded on its own
      }
      // Reads and minting never share a bucket: a machine polling GET /hall cannot starve POST /tickets.
      expect(stage.Properties.RouteSettings['GET /api/v1/hall']).not.toBe(stage.Properties.RouteSettings['POST /api/v1/tickets']);
      // Every throttled key is a real route of the API function, created before the stage.
      const routes = t.findResources('AWS::ApiGatewayV2::Route');
      const apiIntegration = Object.entries(t.findResources('AWS::ApiGatewayV2::Integration')).find(([, i]) =>
        JSON.stringify(i.Properties.IntegrationUri).includes(apiFunction(t).id),
      )![0];
      for (const key of keys) {
        const found = Object.entries(routes).find(([, r]) => r.Properties.RouteKey === key);
        expect(found, key).toBeTruthy();
        expect(found![1].Properties.Target['Fn::Join'][1][1].Ref).toBe(apiIntegration);
        expect(stage.DependsOn ?? []).toContain(found![0]);
      }
    });

    it('takes throttling from context (CLI context values arrive as strings)', () => {
      const custom = template({ apiThrottleRateLimit: '50', apiThrottleBurstLimit: 100 });
      custom.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
        DefaultRouteSettings: { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 },
      });
      expect(() => template({ apiThrottleRateLimit: '-5' })).toThrow(/apiThrottleRateLimit/);
    });

    it('writes JSON access logs to a retained log group, without IP address or user agent', () => {
      const { resource: stage } = onlyResource<{
        Properties: { AccessLogSettings: { DestinationArn: { 'Fn::GetAtt': [string, string] }; Format: string } };
      }>(t, 'AWS::ApiGatewayV2::Stage');
      const { DestinationArn, Format } = stage.Properties.AccessLogSettings;

      const destination = t.toJSON().Resources[DestinationArn['Fn::GetAtt'][0]];
      expect(destination.Type).toBe('AWS::Logs::LogGroup');
      expect(destination.Properties.RetentionInDays).toBe(365);

      // Privacy (SPEC §6): IP addresses are never stored raw.
      expect(Format).not.toMatch(/sourceIp/i);
      expect(Format).not.toMatch(/userAgent/i);
      expect(Format).not.toContain('$context.identity');

      const fields = JSON.parse(Format) as Record<string, string>;
      expect(fields).toMatchObject({
        requestId: '$context.requestId',
        time: '$context.requestTime',
        routeKey: '$context.routeKey',
        status: '$context.status',
        protocol: '$context.protocol',
        responseLength: '$context.responseLength',
        integrationLatency: '$context.integrationLatency',
        errorMessage: '$context.error.message',
      });
      for (const value of Object.values(fields)) expect(value).toMatch(/^\$context\.[A-Za-z.]+$/);
    });
  });

  it('outputs the API URL, the table name and the secret ARN', () => {
    const outputs = t.toJSON().Outputs as Record<string, unknown>;
    expect(Object.keys(outputs)).toEqual(expect.arrayContaining(['ApiUrl', 'TableName', 'KeyringSecretArn']));
    t.hasOutput('TableName', { Value: { Ref: onlyResource(t, 'AWS::DynamoDB::Table').id } });
    t.hasOutput('KeyringSecretArn', { Value: { Ref: onlyResource(t, 'AWS::SecretsManager::Secret').id } });
    expect(JSON.stringify(outputs.ApiUrl)).toContain('execute-api');
  });
});
