import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, LayerVersion, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat, type ICommandHooks } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';

export interface ApiFunctionProps {
  /** Absolute path of the handler module (exports `handler`). */
  readonly entry: string;
  /** Directory containing package.json / package-lock.json (esbuild's working directory). */
  readonly projectRoot: string;
  /** Only its name is passed to the function; access is granted by the owner of the table (see DataTable). */
  readonly table: ITable;
  /** Only its ARN is passed to the function; access is granted by the stack (grantRead). */
  readonly keyringSecret: ISecret;
  /** Public origin used in QR codes and links, e.g. https://wendu.example.gov.cn. Omitted → the app derives it. */
  readonly publicBaseUrl?: string;
  /** @default one year */
  readonly logRetention?: RetentionDays;
}

/**
 * Powertools for AWS Lambda (TypeScript) ships as AWS's public layer (works with ESM); using it keeps ~21 KB of
 * logger code out of our bundle, which has a 135 KB budget (test/infra/bundle.test.ts). Version 44 matches the 2.x
 * packages we build against.
 */
export const POWERTOOLS_LAYER_VERSION = 44;

/** Lets ESM output load CommonJS dependencies that call require(). */
const ESM_REQUIRE_BANNER = "import { createRequire } from 'module'; const require = createRequire(import.meta.url);";

export interface AppFunctionProps {
  /** Absolute path of the handler module (exports `handler`). */
  readonly entry: string;
  /** Directory containing package.json / package-lock.json (esbuild's working directory). */
  readonly projectRoot: string;
  /** The function's description in the console. */
  readonly description: string;
  /** Its role's description: what it may touch. */
  readonly roleDescription: string;
  /** Added to the common settings (APP_ENV, POWERTOOLS_SERVICE_NAME, LOG_LEVEL, NODE_OPTIONS). */
  readonly environment: Record<string, string>;
  /** @default 512 */
  readonly memorySize?: number;
  /** @default 10 seconds */
  readonly timeout?: Duration;
  /** @default one year */
  readonly logRetention?: RetentionDays;
  /** More modules left out of the bundle (shipped beside it by `commandHooks`). */
  readonly extraExternalModules?: string[];
  /** Commands run on the build machine around bundling (e.g. to put assets beside the bundle). */
  readonly commandHooks?: ICommandHooks;
}

/**
 * One of the app's Lambda functions, all built alike: a handler module bundled locally with esbuild as one ESM file
 * (AWS SDK and Powertools left to the runtime and the Powertools layer), nodejs22.x on arm64, active tracing, and
 * its own role instead of AWSLambdaBasicExecutionRole, so it may write only to its own log group. Whoever creates
 * it grants the rest (table, secret, queue, topic), nothing else.
 */
export class AppFunction extends Construct {
  readonly function: NodejsFunction;
  readonly role: Role;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: AppFunctionProps) {
    super(scope, id);

    this.logGroup = new LogGroup(this, 'LogGroup', {
      retention: props.logRetention ?? RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: props.roleDescription,
    });
    this.logGroup.grantWrite(this.role);

    this.function = new NodejsFunction(this, 'Function', {
      entry: props.entry,
      handler: 'handler',
      projectRoot: props.projectRoot,
      depsLockFilePath: `${props.projectRoot}/package-lock.json`,
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(10),
      tracing: Tracing.ACTIVE,
      role: this.role,
      logGroup: this.logGroup,
      environment: {
        APP_ENV: 'aws',
        POWERTOOLS_SERVICE_NAME: 'service-temperature',
        LOG_LEVEL: 'INFO',
        NODE_OPTIONS: '--enable-source-maps',
        ...props.environment,
      },
      layers: [
        LayerVersion.fromLayerVersionArn(
          this,
          'Powertools',
          `arn:aws:lambda:${Stack.of(this).region}:094274105915:layer:AWSLambdaPowertoolsTypeScriptV2:${POWERTOOLS_LAYER_VERSION}`,
        ),
      ],
      description: props.description,
      bundling: {
        format: OutputFormat.ESM,
        minify: true,
        sourceMap: true,
        target: 'node22',
        // The runtime ships the AWS SDK v3; the Powertools layer ships @aws-lambda-powertools/*.
        externalModules: ['@aws-sdk/*', '@aws-lambda-powertools/*', ...(props.extraExternalModules ?? [])],
        // Chinese page text stays UTF-8 instead of \uXXXX escapes (half the bytes).
        esbuildArgs: { '--charset': 'utf8' },
        mainFields: ['module', 'main'],
        banner: ESM_REQUIRE_BANNER,
        ...(props.commandHooks ? { commandHooks: props.commandHooks } : {}),
      },
    });

    this.acknowledgeFindings();
  }

  private acknowledgeFindings(): void {
    const policy = this.role.node.tryFindChild('DefaultPolicy');
    if (!policy) throw new Error(`${this.node.path}: expected the role to have a DefaultPolicy`);
    const policies = Validations.of(policy);

    policies.acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Only the X-Ray actions xray:PutTraceSegments and xray:PutTelemetryRecords (added by tracing: ACTIVE) use ' +
        'Resource "*"; X-Ray does not support resource-level permissions for them.',
    });

    Validations.of(this.function).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        'Pinned to nodejs22.x deliberately: it is the runtime the app and its bundle (target node22) are built and ' +
        'tested for; moving to a newer runtime is a tested change, not an automatic one.',
    });
  }
}

/**
 * The Lambda behind the HTTP API: the Hono app (functions/api.ts). The stack adds read/write on the application
 * table (and its index) and read on the key-ring secret, nothing else.
 */
export class ApiFunction extends AppFunction {
  constructor(scope: Construct, id: string, props: ApiFunctionProps) {
    const environment: Record<string, string> = {
      TABLE_NAME: props.table.tableName,
      KEYRING_SECRET_ARN: props.keyringSecret.secretArn,
    };
    if (props.publicBaseUrl) environment.PUBLIC_BASE_URL = props.publicBaseUrl;
    super(scope, id, {
      entry: props.entry,
      projectRoot: props.projectRoot,
      description: 'Service Temperature HTTP API (Hono)',
      roleDescription: 'Service Temperature API function: own log group, app table, key-ring secret, X-Ray.',
      environment,
      memorySize: 512,
      timeout: Duration.seconds(10),
      logRetention: props.logRetention,
    });
  }
}
