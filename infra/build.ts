import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App, Aws, Token, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { TABLE_INDEXES } from '../shared/storage/table.js';
import { ServiceTemperatureStack } from './stack.js';

export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const STACK_NAME = 'ServiceTemperature';

export const DEFAULT_THROTTLE_RATE_LIMIT = 1000;
export const DEFAULT_THROTTLE_BURST_LIMIT = 2000;
/** Time zone of the nightly scoring schedule (02:00) and of the day it scores; context `scoringTimezone`. */
export const DEFAULT_SCORING_TIMEZONE = 'Asia/Shanghai';

export interface BuildAppOptions {
  /**
   * Extra context (e.g. `{ 'aws:cdk:bundling-stacks': [] }` to skip bundling, `publicBaseUrl`,
   * `apiThrottleRateLimit`, `apiThrottleBurstLimit`, `scoringTimezone`). Context passed by the CDK CLI still wins.
   */
  readonly context?: Record<string, unknown>;
  /** Cloud assembly directory. @default the CLI's CDK_OUTDIR, else a temporary directory */
  readonly outdir?: string;
  /** Register the cdk-nag AwsSolutions checks. @default true */
  readonly nag?: boolean;
}

export interface BuiltApp {
  readonly app: App;
  readonly stack: ServiceTemperatureStack;
}

/** cdk.json's context, so that `tsx infra/app.ts` (no CLI) synthesizes exactly what `cdk synth` does. */
function cdkJsonContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(readFileSync(join(PROJECT_ROOT, 'cdk.json'), 'utf8')) as { context?: Record<string, unknown> };
  return cdkJson.context ?? {};
}

function positiveInt(app: App, key: string, fallback: number): number {
  const raw: unknown = app.node.tryGetContext(key);
  if (raw === undefined || raw === null || raw === '') return fallback;
  const n = typeof raw === 'number' ? raw : Number(raw);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`context ${key} must be a positive integer, got ${JSON.stringify(raw)}`);
  return n;
}

function optionalString(app: App, key: string): string | undefined {
  const raw: unknown = app.node.tryGetContext(key);
  if (raw === undefined || raw === null || raw === '') return undefined;
  if (typeof raw !== 'string') throw new Error(`context ${key} must be a string`);
  return raw;
}

/**
 * The `tableIndexes` values of the deploys that must come before the full one: CloudFormation creates at most one
 * index per update, so a deployed table with `existing` of `total` indexes gets the missing ones one deploy each.
 * A new table (`existing` undefined or 0) is created with all of them at once.
 */
export function indexDeploySteps(existing: number | undefined, total: number = TABLE_INDEXES.length): number[] {
  if (!existing) return [];
  const steps: number[] = [];
  for (let n = existing + 1; n < total; n++) steps.push(n);
  return steps;
}

/** Context `tableIndexes` (1 … all): declare only the first n of the table's indexes (a stepwise upgrade). */
function tableIndexes(app: App): number {
  const n = positiveInt(app, 'tableIndexes', TABLE_INDEXES.length);
  if (n > TABLE_INDEXES.length) throw new Error(`context tableIndexes must be at most ${TABLE_INDEXES.length}, got ${n}`);
  return n;
}

/** The public origin printed into QR codes; must be an absolute https URL (http only for localhost). */
function publicBaseUrl(app: App): string | undefined {
  const raw = optionalString(app, 'publicBaseUrl');
  if (raw === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(`context publicBaseUrl must be an absolute URL, got ${JSON.stringify(raw)}`);
  }
  const local = url.hostname === 'localhost' || url.hostname === '127.0.0.1';
  if (url.protocol !== 'https:' && !(local && url.protocol === 'http:')) {
    throw new Error(`context publicBaseUrl must use https, got ${JSON.stringify(raw)}`);
  }
  return raw.replace(/\/+$/, '');
}

/** An IANA time zone name that this Node (and so the Lambda runtime and EventBridge Scheduler) knows. */
function scoringTimezone(app: App): string {
  const zone = optionalString(app, 'scoringTimezone') ?? DEFAULT_SCORING_TIMEZONE;
  try {
    new Intl.DateTimeFormat('en-CA', { timeZone: zone });
  } catch {
    throw new Error(`context scoringTimezone must be an IANA time zone such as Asia/Shanghai, got ${JSON.stringify(zone)}`);
  }
  return zone;
}

/**
 * Staff sign-in: a Cognito user pool by default (context `authDomainPrefix`, `requireStaffMfa`), or any OIDC
 * provider with context `oidcIssuer` + `oidcClientId` (+ `oidcClientSecretArn` for a confidential client).
 */
function staffSignIn(app: App) {
  const issuer = optionalString(app, 'oidcIssuer');
  const clientId = optionalString(app, 'oidcClientId');
  if ((issuer === undefined) !== (clientId === undefined)) throw new Error('context oidcIssuer and oidcClientId go together');
  if (issuer !== undefined && !/^https:\/\/[^/]/.test(issuer))
    throw new Error(`context oidcIssuer must be an https URL, got ${JSON.stringify(issuer)}`);
  const prefix = optionalString(app, 'authDomainPrefix') ?? `service-temperature-${Aws.ACCOUNT_ID}`;
  if (!Token.isUnresolved(prefix) && !/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/.test(prefix)) {
    throw new Error(`context authDomainPrefix must be lower-case letters, digits and hyphens, got ${JSON.stringify(prefix)}`);
  }
  const mfa: unknown = app.node.tryGetContext('requireStaffMfa');
  return {
    domainPrefix: prefix,
    requireMfa: !(mfa === false || mfa === 'false'),
    ...(issuer && clientId ? { external: { issuer, clientId, clientSecretArn: optionalString(app, 'oidcClientSecretArn') } } : {}),
  };
}

/** The sender of staff e-mail (context `mailFrom`, an address SES verifies); absent: staff e-mail is off. */
function mailFrom(app: App): string | undefined {
  const raw = optionalString(app, 'mailFrom');
  if (raw !== undefined && !/^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/.test(raw))
    throw new Error(`context mailFrom must be an e-mail address, got ${JSON.stringify(raw)}`);
  return raw;
}

export function buildApp(options: BuildAppOptions = {}): BuiltApp {
  const app = new App({
    context: { ...cdkJsonContext(), ...options.context },
    ...(options.outdir ? { outdir: options.outdir } : {}),
  });

  const account = process.env.CDK_DEFAULT_ACCOUNT;
  const region = process.env.CDK_DEFAULT_REGION;

  const stack = new ServiceTemperatureStack(app, STACK_NAME, {
    description: 'Service Temperature (服务温度): QR ratings of government service halls',
    ...(account || region ? { env: { account, region } } : {}),
    apiEntry: join(PROJECT_ROOT, 'functions', 'api.ts'),
    projectRoot: PROJECT_ROOT,
    publicBaseUrl: publicBaseUrl(app),
    throttleRateLimit: positiveInt(app, 'apiThrottleRateLimit', DEFAULT_THROTTLE_RATE_LIMIT),
    throttleBurstLimit: positiveInt(app, 'apiThrottleBurstLimit', DEFAULT_THROTTLE_BURST_LIMIT),
    dashboardEntry: join(PROJECT_ROOT, 'functions', 'dashboard.ts'),
    staffSignIn: staffSignIn(app),
    webAclArn: optionalString(app, 'webAclArn'),
    tableIndexes: tableIndexes(app),
    assetsOnS3: [true, 'true'].includes(app.node.tryGetContext('assetsOnS3')),
    scoring: {
      plannerEntry: join(PROJECT_ROOT, 'functions', 'score-planner.ts'),
      workerEntry: join(PROJECT_ROOT, 'functions', 'score-worker.ts'),
      timeZone: scoringTimezone(app),
    },
    notify: {
      tickEntry: join(PROJECT_ROOT, 'functions', 'notify-tick.ts'),
      deliverEntry: join(PROJECT_ROOT, 'functions', 'notify-deliver.ts'),
      mailFrom: mailFrom(app),
    },
  });

  if (options.nag ?? true) {
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  }

  return { app, stack };
}
