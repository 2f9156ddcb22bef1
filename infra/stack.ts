import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { ApiFunction } from './constructs/api-function.js';
import { DataTable } from './constructs/data-table.js';
import { PublicHttpApi } from './constructs/http-api.js';
import { KeyringSecret } from './constructs/keyring-secret.js';
import { ScoringJob } from './constructs/scoring.js';
import { Notifications } from './constructs/notify.js';
import { DashboardFunction } from './constructs/dashboard-function.js';
import { ExportFunction } from './constructs/export-function.js';
import { join } from 'node:path';
import { StaffSignIn } from './constructs/staff-sign-in.js';
import { PublicEdge } from './constructs/public-edge.js';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { DASHBOARD_PATHS } from '../shared/http/dashboard-paths.js';

/** The dashboard function's paths (staff routes and the API's documents); everything else goes to the API function. */
export { DASHBOARD_PATHS };

export interface ServiceTemperatureStackProps extends StackProps {
  /** Absolute path of functions/api.ts. */
  readonly apiEntry: string;
  /** Repository root (package.json, package-lock.json). */
  readonly projectRoot: string;
  readonly publicBaseUrl?: string;
  readonly throttleRateLimit: number;
  readonly throttleBurstLimit: number;
  readonly logRetention?: RetentionDays;
  /** Absolute path of functions/dashboard.ts. */
  readonly dashboardEntry: string;
  /** Absolute path of functions/export-stream.ts (default: beside the dashboard's entry). */
  readonly exportEntry?: string;
  /**
   * Staff sign-in. Default: a Cognito user pool made here (hosted domain `<domainPrefix>.auth.<region>…`). With
   * `external`, the app is pointed at that OIDC provider instead and no user pool is made.
   */
  readonly staffSignIn: {
    readonly domainPrefix: string;
    readonly requireMfa: boolean;
    readonly external?: { readonly issuer: string; readonly clientId: string; readonly clientSecretArn?: string };
  };
  /** A CloudFront web ACL (us-east-1) for the distribution; context `webAclArn`. */
  readonly webAclArn?: string;
  /** How many of the table's indexes to declare (context `tableIndexes`; scripts/deploy.ts adds them one per deploy). */
  readonly tableIndexes?: number;
  /** Serve the dashboard's assets from S3 (context `assetsOnS3=true`; see PublicEdgeProps). */
  readonly assetsOnS3?: boolean;
  /** The nightly scoring job: its two handler modules and the time zone of its 02:00 schedule. */
  readonly scoring: {
    /** Absolute path of functions/score-planner.ts. */
    readonly plannerEntry: string;
    /** Absolute path of functions/score-worker.ts. */
    readonly workerEntry: string;
    /** IANA time zone, e.g. Asia/Shanghai. */
    readonly timeZone: string;
  };
  /** Staff e-mail and webhooks (issue 14): the tick and deliverer modules, and the sender (context mailFrom). */
  readonly notify?: { readonly tickEntry: string; readonly deliverEntry: string; readonly mailFrom?: string };
}

export class ServiceTemperatureStack extends Stack {
  readonly data: DataTable;
  readonly keyring: KeyringSecret;
  readonly apiFunction: ApiFunction;
  readonly httpApi: PublicHttpApi;
  readonly scoring: ScoringJob;
  readonly dashboard: DashboardFunction;
  /** Year-long exports, streamed (a function URL in RESPONSE_STREAM mode). */
  readonly exports: ExportFunction;
  readonly staffSignIn?: StaffSignIn;
  readonly notify?: Notifications;
  readonly edge: PublicEdge;

  constructor(scope: Construct, id: string, props: ServiceTemperatureStackProps) {
    super(scope, id, props);

    this.data = new DataTable(this, 'Data', { indexes: props.tableIndexes });
    this.keyring = new KeyringSecret(this, 'Keyring');

    this.apiFunction = new ApiFunction(this, 'Api', {
      entry: props.apiEntry,
      projectRoot: props.projectRoot,
      table: this.data.table,
      keyringSecret: this.keyring.secret,
      publicBaseUrl: props.publicBaseUrl,
      logRetention: props.logRetention,
    });

    // Least privilege: item read/write on the table and its one index, read on the key ring. Nothing else.
    this.data.grantReadWriteData(this.apiFunction.role);
    this.keyring.secret.grantRead(this.apiFunction.role);

    this.httpApi = new PublicHttpApi(this, 'Http', {
      handler: this.apiFunction.function,
      throttleRateLimit: props.throttleRateLimit,
      throttleBurstLimit: props.throttleBurstLimit,
      accessLogRetention: props.logRetention,
    });

    // The staff dashboard: its own function, reached through the same API on the staff paths.
    const dashboardOrigin = props.publicBaseUrl ?? this.httpApi.api.apiEndpoint;
    // Printed codes never take their host from a request: both functions always know the public origin.
    if (!props.publicBaseUrl) this.apiFunction.function.addEnvironment('PUBLIC_BASE_URL', dashboardOrigin);
    let signInEnv: Record<string, string>;
    const external = props.staffSignIn.external;
    if (external) {
      signInEnv = {
        OIDC_ISSUER: external.issuer,
        OIDC_CLIENT_ID: external.clientId,
        OIDC_REDIRECT_URI: `${dashboardOrigin}/auth/callback`,
      };
      if (external.clientSecretArn) signInEnv.OIDC_CLIENT_SECRET_ARN = external.clientSecretArn;
    } else {
      this.staffSignIn = new StaffSignIn(this, 'StaffSignIn', {
        dashboardOrigin,
        domainPrefix: props.staffSignIn.domainPrefix,
        requireMfa: props.staffSignIn.requireMfa,
      });
      signInEnv = this.staffSignIn.environment;
    }
    this.exports = new ExportFunction(this, 'Export', {
      entry: props.exportEntry ?? join(props.projectRoot, 'functions', 'export-stream.ts'),
      projectRoot: props.projectRoot,
      data: this.data,
      keyringSecret: this.keyring.secret,
      logRetention: props.logRetention,
    });
    this.dashboard = new DashboardFunction(this, 'Dashboard', {
      entry: props.dashboardEntry,
      projectRoot: props.projectRoot,
      table: this.data.table,
      keyringSecret: this.keyring.secret,
      environment: { ...signInEnv, PUBLIC_BASE_URL: dashboardOrigin, EXPORT_STREAM_URL: this.exports.url.url },
      logRetention: props.logRetention,
    });
    this.data.grantReadWriteData(this.dashboard.role);
    this.keyring.secret.grantRead(this.dashboard.role);
    if (external?.clientSecretArn)
      Secret.fromSecretCompleteArn(this, 'OidcClientSecret', external.clientSecretArn).grantRead(this.dashboard.role);
    this.httpApi.routeTo('Dashboard', this.dashboard.function, DASHBOARD_PATHS);

    // CloudFront in front of the API: public pages cached, the dashboard's script from S3 (issue 12, SPEC §8).
    this.edge = new PublicEdge(this, 'Edge', {
      apiId: this.httpApi.api.apiId,
      projectRoot: props.projectRoot,
      webAclArn: props.webAclArn,
      assetsOnS3: props.assetsOnS3,
    });

    this.scoring = new ScoringJob(this, 'Scoring', {
      plannerEntry: props.scoring.plannerEntry,
      workerEntry: props.scoring.workerEntry,
      projectRoot: props.projectRoot,
      data: this.data,
      timeZone: props.scoring.timeZone,
      logRetention: props.logRetention,
    });

    if (props.notify) {
      this.notify = new Notifications(this, 'Notify', {
        ...props.notify,
        projectRoot: props.projectRoot,
        data: this.data,
        keyringSecret: this.keyring.secret,
        publicBaseUrl: dashboardOrigin,
        timeZone: props.scoring.timeZone,
        logRetention: props.logRetention,
      });
      new CfnOutput(this, 'WebhookQueueUrl', { value: this.notify.queue.queueUrl, description: 'Webhook attempts (its DLQ is alarmed)' });
    }

    new CfnOutput(this, 'DashboardUrl', { value: `${dashboardOrigin}/`, description: 'Staff dashboard (sign in here)' });
    if (this.staffSignIn) {
      new CfnOutput(this, 'StaffUserPoolId', {
        value: this.staffSignIn.userPool.userPoolId,
        description: "Invite staff here (email = the staff user's email in the app)",
      });
    }
    new CfnOutput(this, 'PublicUrl', {
      value: `https://${this.edge.distribution.distributionDomainName}/`,
      description: 'CloudFront: public pages at /p/<hallId>, open data at /api/v1/public/…; point publicBaseUrl here',
    });
    new CfnOutput(this, 'ApiUrl', { value: this.httpApi.url, description: 'Base URL of the HTTP API' });
    new CfnOutput(this, 'TableName', { value: this.data.table.tableName, description: 'DynamoDB table' });
    new CfnOutput(this, 'KeyringSecretArn', { value: this.keyring.secret.secretArn, description: 'Key-ring secret' });
    new CfnOutput(this, 'ScoreQueueUrl', { value: this.scoring.queue.queueUrl, description: 'Nightly scoring queue (its DLQ is alarmed)' });
    new CfnOutput(this, 'AlertsTopicArn', {
      value: this.scoring.alertsTopic.topicArn,
      description: 'SNS topic of hall alerts (CUSUM, turned cold)',
    });
    new CfnOutput(this, 'ScoringPlannerName', {
      value: this.scoring.planner.function.functionName,
      description: 'Invoke with {"day":"YYYY-MM-DD"} (and optionally "through") to re-run or backfill scoring',
    });
  }
}
