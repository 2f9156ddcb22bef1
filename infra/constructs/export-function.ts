import { Duration } from 'aws-cdk-lib';
import { FunctionUrlAuthType, InvokeMode, type FunctionUrl } from 'aws-cdk-lib/aws-lambda';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { AppFunction } from './api-function.js';
import type { DataTable } from './data-table.js';

export interface ExportFunctionProps {
  /** Absolute path of functions/export-stream.ts. */
  readonly entry: string;
  readonly projectRoot: string;
  readonly data: DataTable;
  readonly keyringSecret: ISecret;
  readonly logRetention?: RetentionDays;
}

/**
 * Year-long exports (issue 15): a buffered Lambda answer behind API Gateway is capped at 6 MB and 30 s, a busy hall's
 * year of ratings is tens of MB. This function streams (Lambda response streaming through a function URL in
 * RESPONSE_STREAM mode). The URL has no IAM auth because a browser follows the dashboard's redirect to it: the
 * one-minute ticket the dashboard signs with the key ring is the authority, checked by the function. It only reads.
 */
export class ExportFunction extends AppFunction {
  readonly url: FunctionUrl;

  constructor(scope: Construct, id: string, props: ExportFunctionProps) {
    super(scope, id, {
      entry: props.entry,
      projectRoot: props.projectRoot,
      description: 'Service Temperature export stream (a hall CSV, Lambda response streaming)',
      roleDescription: 'Service Temperature export function: own log group, reads the app table, key-ring secret, X-Ray.',
      environment: { TABLE_NAME: props.data.table.tableName, KEYRING_SECRET_ARN: props.keyringSecret.secretArn },
      memorySize: 1024,
      // Not behind API Gateway: a year of a busy hall (≥ 400,000 rows) streams for well under this.
      timeout: Duration.minutes(5),
      logRetention: props.logRetention,
    });
    props.data.grantReadItems(this.role);
    props.keyringSecret.grantRead(this.role);
    this.url = this.function.addFunctionUrl({ authType: FunctionUrlAuthType.NONE, invokeMode: InvokeMode.RESPONSE_STREAM });
  }
}
