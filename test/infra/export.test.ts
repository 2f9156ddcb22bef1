/** The export function (issue 15): Lambda response streaming behind a function URL, read-only, told to the dashboard. */
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/build.js';

const SKIP_BUNDLING = { 'aws:cdk:bundling-stacks': [] as string[] };
type TFn = { Properties: { Timeout: number; MemorySize: number; Environment: { Variables: Record<string, unknown> }; Role: unknown } };

let t: Template;
const fn = (prefix: string): [string, TFn] =>
  Object.entries(t.findResources('AWS::Lambda::Function')).find(([id]) => id.startsWith(prefix)) as [string, TFn];

beforeAll(() => {
  t = Template.fromStack(buildApp({ context: SKIP_BUNDLING, nag: false }).stack);
});

describe('export function (infra/constructs/export-function.ts)', () => {
  it('answers through a function URL in RESPONSE_STREAM mode (no 6 MB cap), with 5 minutes to stream', () => {
    const [id, f] = fn('ExportFunction');
    expect(f.Properties.Timeout).toBe(300);
    t.hasResourceProperties('AWS::Lambda::Url', {
      InvokeMode: 'RESPONSE_STREAM',
      AuthType: 'NONE',
      TargetFunctionArn: { 'Fn::GetAtt': [id, 'Arn'] },
    });
  });

  it("the dashboard redirects exports to that URL (EXPORT_STREAM_URL is the URL's own attribute)", () => {
    const urlId = Object.keys(t.findResources('AWS::Lambda::Url'))[0];
    expect(fn('DashboardFunction')[1].Properties.Environment.Variables.EXPORT_STREAM_URL).toEqual({ 'Fn::GetAtt': [urlId, 'FunctionUrl'] });
  });

  it('may only read the table (GetItem, BatchGetItem, Query; Query on gsi1/gsi2/gsi3/gsi4), never write', () => {
    const policies = Object.entries(t.findResources('AWS::IAM::Policy')).filter(([id]) => id.startsWith('ExportRoleDefaultPolicy'));
    expect(policies).toHaveLength(1);
    const statements = (policies[0][1] as { Properties: { PolicyDocument: { Statement: { Action: string | string[] }[] } } }).Properties
      .PolicyDocument.Statement;
    const dynamo = statements.flatMap((s) => [s.Action].flat()).filter((a) => a.startsWith('dynamodb:'));
    expect([...new Set(dynamo)].sort()).toEqual(['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:Query']);
  });
});
