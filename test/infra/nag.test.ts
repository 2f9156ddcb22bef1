import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Validations, type App, type PolicyViolation } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { AttributeType, Table } from 'aws-cdk-lib/aws-dynamodb';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import { buildApp, type BuiltApp } from '../../infra/build.js';
import { ROUTE_THROTTLES } from '../../infra/constructs/http-api.js';
import { DASHBOARD_PATHS } from '../../shared/http/dashboard-paths.js';

/**
 * cdk-nag 3 runs as a CDK policy-validation plugin (Validations.of(app).addPlugins). A pack reports success only
 * when it has no unacknowledged finding at all, so with aws-cdk-lib 2.276 an in-memory app.synth() throws on
 * errors and warnings alike, and CDK writes every finding to <outdir>/validation-report.json. "No findings" is
 * checked three ways so that a change in that behaviour cannot hide one: synth does not throw, the report lists no
 * violation of any plugin or severity, and a direct AwsSolutions pass over the tree is empty. The probes at the
 * bottom show each check fails when something unacknowledged is present.
 */

const SKIP_BUNDLING = { 'aws:cdk:bundling-stacks': [] as string[] };

/** The acknowledged findings, and only these. Adding one means adding it here, with a reason in the code. */
const EXPECTED_ACKNOWLEDGEMENTS = [
  'ServiceTemperature/Api/Function AwsSolutions-L1',
  'ServiceTemperature/Api/Role/DefaultPolicy AwsSolutions-IAM5[Resource::*]',
  'ServiceTemperature/Dashboard/Function AwsSolutions-L1',
  'ServiceTemperature/Dashboard/Role/DefaultPolicy AwsSolutions-IAM5[Resource::*]',
  'ServiceTemperature/Export/Function AwsSolutions-L1',
  'ServiceTemperature/Export/Role/DefaultPolicy AwsSolutions-IAM5[Resource::*]',
  // The staff paths go to the dashboard function; the app checks the session cookie and scope (no authorizer).
  // (one per entry of the dashboard's path list: '/api/v1/me' → 'api--v1--me')
  ...DASHBOARD_PATHS.map((p) => p.slice(1).replaceAll('/', '--')).map(
    (p) => `ServiceTemperature/Http/HttpApi/ANY--${p} AwsSolutions-APIG4`,
  ),
  'ServiceTemperature/Http/HttpApi/DefaultRoute AwsSolutions-APIG4',
  // The API function's throttled routes (issue 11 item 5): the app authorizes them like $default.
  ...Object.keys(ROUTE_THROTTLES).map(
    (k) => `ServiceTemperature/Http/HttpApi/${k.replace(' ', '').replaceAll('/', '--')} AwsSolutions-APIG4`,
  ),
  'ServiceTemperature/Keyring/Secret AwsSolutions-SMG4',
  // CloudFront (issue 12): public by design, its WAF made in us-east-1, the default certificate, the log bucket itself.
  'ServiceTemperature/Edge/Logs AwsSolutions-S1',
  'ServiceTemperature/Edge/Distribution AwsSolutions-CFR1',
  'ServiceTemperature/Edge/Distribution AwsSolutions-CFR2',
  'ServiceTemperature/Edge/Distribution AwsSolutions-CFR4',
  'ServiceTemperature/Scoring/Planner/Function AwsSolutions-L1',
  'ServiceTemperature/Scoring/Planner/Role/DefaultPolicy AwsSolutions-IAM5[Resource::*]',
  'ServiceTemperature/Scoring/Worker/Function AwsSolutions-L1',
  'ServiceTemperature/Scoring/Worker/Role/DefaultPolicy AwsSolutions-IAM5[Resource::*]',
  // issue 14: the notification tick and the webhook deliverer are AppFunctions like the rest
  'ServiceTemperature/Notify/Tick/Function AwsSolutions-L1',
  'ServiceTemperature/Notify/Tick/Role/DefaultPolicy AwsSolutions-IAM5[Resource::*]',
  'ServiceTemperature/Notify/Deliver/Function AwsSolutions-L1',
  'ServiceTemperature/Notify/Deliver/Role/DefaultPolicy AwsSolutions-IAM5[Resource::*]',
].sort();

const outdirs: string[] = [];
function build(): BuiltApp & { outdir: string } {
  const outdir = mkdtempSync(join(tmpdir(), 'st-nag-'));
  outdirs.push(outdir);
  return { ...buildApp({ context: SKIP_BUNDLING, outdir }), outdir };
}
afterAll(() => {
  for (const dir of outdirs) rmSync(dir, { recursive: true, force: true });
});

interface ReportViolation {
  plugin: string;
  ruleName: string;
  severity?: string;
  paths: string[];
}

/** Every violation (any plugin, any severity) in the validation report CDK writes into the cloud assembly. */
function reportedViolations(outdir: string): ReportViolation[] {
  const report = JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8')) as {
    pluginReports: {
      pluginName: string;
      violations: { ruleName: string; severity?: string; violatingConstructs?: { constructPath: string }[] }[];
    }[];
  };
  return report.pluginReports.flatMap((r) =>
    r.violations.map((v) => ({
      plugin: r.pluginName,
      ruleName: v.ruleName,
      severity: v.severity,
      paths: (v.violatingConstructs ?? []).map((c) => c.constructPath),
    })),
  );
}

/** A fresh AwsSolutions pass over the synthesized tree: what is not acknowledged. */
function unacknowledged(app: App): PolicyViolation[] {
  return new AwsSolutionsChecks().validateScope(app).violations;
}

/** The same pass with acknowledgements ignored: everything AwsSolutions finds. */
function allFindings(app: App): { rule: string; path: string }[] {
  const checks = new AwsSolutionsChecks();
  // Test-only: switch off cdk-nag's acknowledgement lookup. If cdk-nag renames this private method, this becomes a
  // no-op and the "every acknowledgement matches a finding" test fails loudly instead of passing vacuously.
  (checks as unknown as { isAcknowledged: () => boolean }).isAcknowledged = () => false;
  return checks
    .validateScope(app)
    .violations.flatMap((v) => v.violatingResources.map((r) => ({ rule: v.ruleName, path: r.constructPath ?? '' })));
}

interface Ack {
  path: string;
  id: string;
  reason: string;
}

function acknowledgements(app: App): Ack[] {
  const acks: Ack[] = [];
  const visit = (c: App['node']['children'][number]): void => {
    for (const m of c.node.metadata) {
      if (m.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
      for (const [id, reason] of Object.entries(m.data as Record<string, string>)) {
        acks.push({ path: c.node.path, id: id.replace(/^annotation::/i, ''), reason });
      }
    }
    c.node.children.forEach(visit);
  };
  visit(app);
  return acks;
}

const summary = (vs: PolicyViolation[]): string[] =>
  vs.flatMap((v) => v.violatingResources.map((r) => `${v.severity} ${v.ruleName} @ ${r.constructPath}`));

describe('cdk-nag AwsSolutions', () => {
  let built: ReturnType<typeof build>;
  let synthError: unknown;
  beforeAll(() => {
    built = build();
    try {
      built.app.synth(); // throws on any unacknowledged finding
    } catch (e) {
      synthError = e;
    }
  });

  it('synthesizes with the AwsSolutions checks registered', () => {
    expect(synthError).toBeUndefined();
  });

  it('leaves no unacknowledged error or warning in the validation report', () => {
    expect(reportedViolations(built.outdir)).toEqual([]);
  });

  it('finds nothing unacknowledged when run directly over the tree (errors and warnings)', () => {
    expect(summary(unacknowledged(built.app))).toEqual([]);
  });

  it('leaves no CDK warnings or errors (deprecated APIs, misconfiguration)', () => {
    const annotations = Annotations.fromStack(built.stack);
    expect(annotations.findError('*', Match.anyValue())).toEqual([]);
    expect(annotations.findWarning('*', Match.anyValue())).toEqual([]);
  });

  it('acknowledges exactly the expected findings, each with a specific reason', () => {
    const acks = acknowledgements(built.app);
    expect(acks.map((a) => `${a.path} ${a.id}`).sort()).toEqual(EXPECTED_ACKNOWLEDGEMENTS);
    for (const ack of acks) {
      expect(ack.reason.length, `reason for ${ack.id} at ${ack.path}`).toBeGreaterThanOrEqual(80);
    }
  });

  it('has no stale acknowledgement: each one matches a finding on that construct', () => {
    const findings = allFindings(built.app);
    for (const ack of acknowledgements(built.app)) {
      const matched = findings.some((f) => f.rule === ack.id && (f.path === ack.path || f.path.startsWith(`${ack.path}/`)));
      expect(matched, `${ack.id} acknowledged at ${ack.path} but not found there`).toBe(true);
    }
    expect(findings.length).toBe(EXPECTED_ACKNOWLEDGEMENTS.length);
  });
});

describe('the nag checks can fail (probes)', () => {
  it('an unacknowledged error-level finding fails synth and is reported', () => {
    const probe = build();
    new Bucket(probe.stack, 'UnacknowledgedBucket'); // AwsSolutions-S1 / S10 (errors)
    expect(() => probe.app.synth()).toThrow(/AwsSolutions-S1/);
    expect(reportedViolations(probe.outdir).map((v) => v.ruleName)).toContain('AwsSolutions-S1');
    expect(summary(unacknowledged(probe.app)).join('\n')).toContain('AwsSolutions-S1');
  });

  it('an unacknowledged warning-level finding fails synth too and is reported as a warning', () => {
    const probe = build();
    // A table without point-in-time recovery: AwsSolutions-DDB3, a warning-level rule.
    new Table(probe.stack, 'UnacknowledgedTable', { partitionKey: { name: 'pk', type: AttributeType.STRING } });
    expect(() => probe.app.synth()).toThrow(/AwsSolutions-DDB3/);
    expect(reportedViolations(probe.outdir)).toContainEqual(
      expect.objectContaining({ ruleName: 'AwsSolutions-DDB3', severity: 'warning' }),
    );
    expect(summary(unacknowledged(probe.app))).toContainEqual(expect.stringContaining('warning AwsSolutions-DDB3'));
  });

  it('an acknowledged finding is still detected, just not reported', () => {
    const probe = build();
    const findings = allFindings(probe.app);
    expect(findings).toContainEqual({ rule: 'AwsSolutions-SMG4', path: 'ServiceTemperature/Keyring/Secret/Resource' });
    expect(summary(unacknowledged(probe.app)).join('\n')).not.toContain('SMG4');
  });
});
