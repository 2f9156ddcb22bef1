/**
 * AWS glue shared by the Lambda entry points, built once per cold start: configuration, the DynamoDB client,
 * the key ring from Secrets Manager, and Powertools' structured logger.
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { Logger } from '@aws-lambda-powertools/logger';
import { loadConfig } from '../shared/config.js';
import { parseKeyring } from '../shared/domain/keyring.js';
import type { TAppDeps } from '../shared/http/deps.js';
import { powertoolsLog } from '../shared/log.js';
import { createDynamoClient } from '../shared/storage/client.js';
import { openTable } from '../shared/storage/db.js';

export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'service-temperature' });

export async function loadRuntime(env: Record<string, string | undefined> = process.env): Promise<TAppDeps> {
  const config = loadConfig(env);
  let keyringJson = config.KEYRING;
  if (config.KEYRING_SECRET_ARN || config.OIDC_CLIENT_SECRET_ARN) {
    const sm = new SecretsManagerClient({});
    const secret = async (arn: string) => (await sm.send(new GetSecretValueCommand({ SecretId: arn }))).SecretString;
    if (config.KEYRING_SECRET_ARN) keyringJson = await secret(config.KEYRING_SECRET_ARN);
    // A confidential OIDC client's secret (another provider than the stack's Cognito, which uses PKCE alone).
    if (config.OIDC_CLIENT_SECRET_ARN) config.OIDC_CLIENT_SECRET = await secret(config.OIDC_CLIENT_SECRET_ARN);
    sm.destroy();
  }
  if (!keyringJson) throw new Error('No key ring: set KEYRING_SECRET_ARN (AWS) or KEYRING (local).');
  const client = createDynamoClient({ endpoint: config.DYNAMODB_ENDPOINT, region: config.AWS_REGION });
  return {
    config,
    table: openTable(client, config.TABLE_NAME),
    keyring: parseKeyring(keyringJson),
    engine: config.DYNAMODB_ENDPOINT ? 'dynamodb-compatible' : 'dynamodb',
    log: powertoolsLog(logger),
  };
}
