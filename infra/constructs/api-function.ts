import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, LayerVersion, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
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
 * logger code out of our bundle, which has a 150 KB budget. Version 44 matches the 2.x packages we build against.
 */
export const POWERTOOLS_LAYER_VERSION = 44;

/** Lets ESM output load CommonJS dependencies that call require(). */
const ESM_REQUIRE_BANNER = "import { createRequire } from 'module'; const require = createRequire(import.meta.url);";

/**
 * The Lambda behind the HTTP API: the Hono app (functions/api.ts), bundled locally with esbuild as one ESM file.
 * It gets its own role instead of AWSLambdaBasicExecutionRole, so it may write only to its own log group; the stack
 * adds read/write on the application table (and its index) and read on the key-ring secret, nothing else.
 */
export class ApiFunction extends Construct {
  readonly function: NodejsFunction;
  readonly role: Role;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: ApiFunctionProps) {
    super(scope, id);

    this.logGroup = new LogGroup(this, 'LogGroup', {
      retention: props.logRetention ?? RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: 'Service Temperature API function: own log group, app table, key-ring secret, X-Ray.',
    });
    this.logGroup.grantWrite(this.role);

    const environment: Record<string, string> = {
      TABLE_NAME: props.table.tableName,
      KEYRING_SECRET_ARN: props.keyringSecret.secretArn,
      APP_ENV: 'aws',
      POWERTOOLS_SERVICE_NAME: 'service-temperature',
      LOG_LEVEL: 'INFO',
      NODE_OPTIONS: '--enable-source-maps',
    };
    if (props.publicBaseUrl) environment.PUBLIC_BASE_URL = props.publicBaseUrl;

    this.function = new NodejsFunction(this, 'Function', {
      entry: props.entry,
      handler: 'handler',
      projectRoot: props.projectRoot,
      depsLockFilePath: `${props.projectRoot}/package-lock.json`,
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: 512,
      timeout: Duration.seconds(10),
      tracing: Tracing.ACTIVE,
      role: this.role,
      logGroup: this.logGroup,
      environment,
      layers: [
        LayerVersion.fromLayerVersionArn(
          this,
          'Powertools',
          `arn:aws:lambda:${Stack.of(this).region}:094274105915:layer:AWSLambdaPowertoolsTypeScriptV2:${POWERTOOLS_LAYER_VERSION}`,
        ),
      ],
      description: 'Service Temperature HTTP API (Hono)',
      bundling: {
        format: OutputFormat.ESM,
        minify: true,
        sourceMap: true,
        target: 'node22',
        // The runtime ships the AWS SDK v3; the Powertools layer ships @aws-lambda-powertools/*.
        externalModules: ['@aws-sdk/*', '@aws-lambda-powertools/*'],
        // Chinese page text stays UTF-8 instead of \uXXXX escapes (half the bytes).
        esbuildArgs: { '--charset': 'utf8' },
        mainFields: ['module', 'main'],
        banner: ESM_REQUIRE_BANNER,
      },
    });

    this.acknowledgeFindings();
  }

  private acknowledgeFindings(): void {
    const policy = this.role.node.tryFindChild('DefaultPolicy');
    if (!policy) throw new Error('ApiFunction: expected the role to have a DefaultPolicy');
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
