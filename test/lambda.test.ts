/** The Lambda entry point, driven with a real API Gateway HTTP API (payload v2) event, against dynalite. */
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2, Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyringJson } from '../shared/domain/keyring.js';
import { hashApiKey, newApiKey } from '../shared/domain/privacy.js';
import { createDynamoClient } from '../shared/storage/client.js';
import { openTable } from '../shared/storage/db.js';
import { ensureTable } from '../shared/storage/schema.js';
import { engine, stopEngines } from './support/harness.js';
import { putApiKey } from '../shared/storage/api-keys.js';
import { putHall, putWindow } from '../shared/storage/catalogue.js';

type THandler = (
  e: APIGatewayProxyEventV2,
  c: Context,
) => Promise<APIGatewayProxyResultV2 & { statusCode: number; body: string; headers: Record<string, string>; isBase64Encoded?: boolean }>;
let handler: THandler;
const apiKey = newApiKey();

function event(
  method: string,
  path: string,
  opts: { body?: unknown; headers?: Record<string, string>; cookies?: string[] } = {},
): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: path,
    rawQueryString: '',
    cookies: opts.cookies,
    headers: {
      host: 'abc123.execute-api.ap-east-1.amazonaws.com',
      'x-forwarded-proto': 'https',
      'content-type': 'application/json',
      ...opts.headers,
    },
    requestContext: {
      accountId: '123456789012',
      apiId: 'abc123',
      domainName: 'abc123.execute-api.ap-east-1.amazonaws.com',
      domainPrefix: 'abc123',
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '203.0.113.7', userAgent: 'vitest' },
      requestId: 'req-1',
      routeKey: '$default',
      stage: '$default',
      time: '20/Nov/2026:02:00:00 +0000',
      timeEpoch: 1_795_000_000_000,
    },
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
    isBase64Encoded: false,
  };
}

const context = {
  functionName: 'api',
  awsRequestId: 'req-1',
  invokedFunctionArn: 'arn:aws:lambda:ap-east-1:123456789012:function:api',
  memoryLimitInMB: '512',
  functionVersion: '$LATEST',
  getRemainingTimeInMillis: () => 10_000,
} as unknown as Context;

const decode = (r: { body: string; isBase64Encoded?: boolean }) =>
  r.isBase64Encoded ? Buffer.from(r.body, 'base64').toString('utf8') : r.body;

beforeAll(async () => {
  const e = await engine('dynalite');
  const client = createDynamoClient({ endpoint: e.endpoint });
  await ensureTable(client, 'lambda-table');
  const table = openTable(client, 'lambda-table');
  await putHall(table, { id: 'h-l', name: '云端测试大厅', regionId: 'r', timezone: 'Asia/Shanghai' });
  await putWindow(table, { hallId: 'h-l', id: 'w1', name: '1号窗口' });
  await putApiKey(table, hashApiKey(apiKey), { hallId: 'h-l', label: 'lambda', createdAt: new Date().toISOString() });
  Object.assign(process.env, {
    TABLE_NAME: 'lambda-table',
    DYNAMODB_ENDPOINT: e.endpoint,
    KEYRING: generateKeyringJson(),
    APP_ENV: 'aws',
    PUBLIC_BASE_URL: 'https://abc123.execute-api.ap-east-1.amazonaws.com', // the stack always sets it (its API's endpoint)
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    LOG_LEVEL: 'ERROR',
  });
  ({ handler } = (await import('../functions/api.js')) as unknown as { handler: THandler });
});
afterAll(stopEngines);

describe('Lambda entry (functions/api.ts)', () => {
  it('mints a ticket and accepts its rating through API Gateway v2 events', async () => {
    const minted = await handler(
      event('POST', '/api/v1/tickets', { body: { windowId: 'w1' }, headers: { authorization: `Bearer ${apiKey}` } }),
      context,
    );
    expect(minted.statusCode).toBe(201);
    const t = JSON.parse(decode(minted));
    expect(t.url).toMatch(/^https:\/\/abc123\.execute-api\.ap-east-1\.amazonaws\.com\/r\/T\./);

    const page = await handler(event('GET', `/r/${t.ticket}`, { headers: { 'accept-encoding': 'identity' } }), context);
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-security-policy']).toContain("default-src 'none'");
    expect(decode(page)).toContain('云端测试大厅');

    const rated = await handler(
      event('POST', '/api/v1/ratings', { body: { ticket: t.ticket, overall: 2, reasons: ['wait_long'], submissionId: 'lambda-sub-01' } }),
      context,
    );
    expect(rated.statusCode).toBe(201);
    const again = await handler(
      event('POST', '/api/v1/ratings', { body: { ticket: t.ticket, overall: 5, submissionId: 'lambda-sub-02' } }),
      context,
    );
    expect(again.statusCode).toBe(409);
    expect(again.headers['content-type']).toContain('application/problem+json');
  });

  it('refuses a machine route without a key', async () => {
    const res = await handler(event('GET', '/api/v1/hall'), context);
    expect(res.statusCode).toBe(401);
  });
});
