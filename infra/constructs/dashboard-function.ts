import { Duration } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { AppFunction } from './api-function.js';

export interface DashboardFunctionProps {
  /** Absolute path of functions/dashboard.ts. */
  readonly entry: string;
  readonly projectRoot: string;
  readonly table: ITable;
  readonly keyringSecret: ISecret;
  /** OIDC_* settings (issuer, client id, redirect and logout URLs) and PUBLIC_BASE_URL if known. */
  readonly environment: Record<string, string>;
  readonly logRetention?: RetentionDays;
}

/**
 * The staff dashboard's Lambda (functions/dashboard.ts). Apart from the resident/machine function, whose bundle has
 * a size budget. Its bundling step builds the browser assets beside the handler and adds @node-rs/jieba (Chinese
 * word segmentation, a native module) with its linux-arm64 binary, which esbuild cannot bundle.
 */
export class DashboardFunction extends AppFunction {
  constructor(scope: Construct, id: string, props: DashboardFunctionProps) {
    const tsx = (root: string) => `"${root}/node_modules/.bin/tsx"`;
    super(scope, id, {
      entry: props.entry,
      projectRoot: props.projectRoot,
      description: 'Service Temperature staff dashboard (Hono pages, sign-in, exports)',
      roleDescription: 'Service Temperature dashboard function: own log group, app table, key-ring secret, X-Ray.',
      environment: { TABLE_NAME: props.table.tableName, KEYRING_SECRET_ARN: props.keyringSecret.secretArn, ...props.environment },
      // The jieba dictionaries take ~150 MB once loaded; more memory also means more CPU for rendering.
      memorySize: 1024,
      // API Gateway waits at most 30 s; a year's export must finish inside that.
      timeout: Duration.seconds(29),
      logRetention: props.logRetention,
      extraExternalModules: ['@node-rs/jieba'],
      commandHooks: {
        beforeBundling: () => [],
        beforeInstall: () => [],
        afterBundling: (inputDir: string, outputDir: string) => [
          `${tsx(inputDir)} "${inputDir}/shared/local/assets.ts" "${outputDir}/assets"`,
          `${tsx(inputDir)} "${inputDir}/infra/package-jieba.ts" "${inputDir}" "${outputDir}"`,
        ],
      },
    });
  }
}
