/**
 * Year-long exports on AWS (issue 15): the dashboard hands a signed one-minute ticket to the export function, whose
 * Lambda entry (functions/export-stream.ts, hono/aws-lambda streamHandle) streams the CSV through Lambda response
 * streaming, gzip-encoded. Driven through the real handler with a function URL (payload v2) event against dynalite,
 * with the runtime's `awslambda` streaming globals stood in by a recording stream. EXPORT_ROWS sets the size
 * (default 20,000 here; `EXPORT_ROWS=1000000` for the full-size run, which takes minutes to load).
 */
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { Writable } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../shared/config.js';
import { addDays } from '../shared/domain/time.js';
import { generateKeyringJson, parseKeyring } from '../shared/domain/keyring.js';
import type { TRating } from '../shared/domain/model.js';
import { createApp } from '../shared/http/app.js';
import { dashboardRoutes } from '../shared/http/routes/dashboard.js';
import { seal } from '../shared/http/session.js';
import { putHall, putRegion } from '../shared/storage/catalogue.js';
import { createDynamoClient } from '../shared/storage/client.js';
import { openTable, type TTable } from '../shared/storage/db.js';
import { bulkPutRatings } from '../shared/storage/ratings.js';
import { ensureTable } from '../shared/storage/schema.js';
import { putUser, removeUser } from '../shared/storage/users.js';
import { demoSignIn, engine, quietLog, stopEngines } from './support/harness.js';

const ROWS = Number(process.env.EXPORT_ROWS ?? 20_000);
const DAYS = 365;
const FROM = '2025-11-01';
const TO = addDays(FROM, DAYS - 1);
const keyringJson = generateKeyringJson();
const keyring = parseKeyring(keyringJson);
let table: TTable;

type TMeta = { statusCode: number; headers: Record<string, string>; cookies: string[] };
type TStreamHandler = (e: APIGatewayProxyEventV2, out: Writable, c: Context) => Promise<void>;
let handler: TStreamHandler;

/** The Lambda runtime's response-streaming globals, as the handler uses them: the metadata, then the body. */
class Recorder extends Writable {
  meta?: TMeta;
  chunks: Buffer[] = [];
  bytes = 0;
  _write(chunk: Buffer, _enc: string, done: () => void) {
    this.chunks.push(Buffer.from(chunk));
    this.bytes += chunk.length;
    done();
  }
}
Object.assign(globalThis, {
  awslambda: {
    streamifyResponse: (fn: TStreamHandler) => fn,
    HttpResponseStream: { from: (stream: Recorder, meta: TMeta) => Object.assign(stream, { meta }) },
  },
});

function urlEvent(path: string, query: string, headers: Record<string, string> = {}): APIGatewayProxyEventV2 {
  const host = 'abcdefghij.lambda-url.ap-east-1.on.aws';
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: path,
    rawQueryString: query,
    headers: { host, 'x-forwarded-proto': 'https', ...headers },
    requestContext: {
      accountId: 'anonymous',
      apiId: 'abcdefghij',
      domainName: host,
      domainPrefix: 'abcdefghij',
      http: { method: 'GET', path, protocol: 'HTTP/1.1', sourceIp: '203.0.113.7', userAgent: 'vitest' },
      requestId: 'req-1',
      routeKey: '$default',
      stage: '$default',
      time: '20/Nov/2026:02:00:00 +0000',
      timeEpoch: 1_795_000_000_000,
    },
    isBase64Encoded: false,
  };
}
const context = { functionName: 'export', awsRequestId: 'req-1', getRemainingTimeInMillis: () => 300_000 } as unknown as Context;

async function invoke(query: string, headers?: Record<string, string>): Promise<Recorder> {
  const out = new Recorder();
  await handler(urlEvent('/export', query, headers), out, context);
  return out;
}

beforeAll(async () => {
  const e = await engine('dynalite');
  const client = createDynamoClient({ endpoint: e.endpoint });
  await ensureTable(client, 'export-table');
  table = openTable(client, 'export-table');
  await putRegion(table, { id: 'r', name: '测试区', level: 'district' });
  await putHall(table, { id: 'h-busy', name: '繁忙大厅', regionId: 'r', timezone: 'Asia/Shanghai' });
  await putUser(table, { id: 'u-mgr', name: '负责人', role: 'manager', scope: 'h-busy' });
  await putUser(table, { id: 'u-gone', name: '已离职', role: 'manager', scope: 'h-busy' });
  const ratings: TRating[] = [];
  for (let i = 0; i < ROWS; i++) {
    const day = addDays(FROM, i % DAYS);
    const at = new Date(Date.parse(`${day}T01:00:00Z`) + (i % 28_000) * 1000).toISOString();
    ratings.push({
      ratingId: `r${String(i).padStart(7, '0')}`,
      channel: 'ticket',
      hallId: 'h-busy',
      windowId: 'w1',
      createdAt: at,
      day,
      overall: 1 + (i % 5),
    });
    if (ratings.length === 20_000) await bulkPutRatings(table, ratings.splice(0));
  }
  await bulkPutRatings(table, ratings);
  Object.assign(process.env, {
    TABLE_NAME: 'export-table',
    DYNAMODB_ENDPOINT: e.endpoint,
    KEYRING: keyringJson,
    APP_ENV: 'aws',
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    LOG_LEVEL: 'ERROR',
  });
  ({ handler } = (await import('../functions/export-stream.js')) as unknown as { handler: TStreamHandler });
}, 1_800_000);
afterAll(stopEngines);

const ticket = (over: Record<string, unknown> = {}) =>
  seal(keyring, { p: 'export', hallId: 'h-busy', what: 'ratings', from: FROM, to: TO, uid: 'u-mgr', exp: Date.now() + 60_000, ...over });

describe('year-long export through Lambda response streaming', () => {
  it("the dashboard's gated export answers with a 303 to the export function, carrying a one-minute ticket", async () => {
    const deps = {
      config: loadConfig({
        APP_ENV: 'test',
        TABLE_NAME: 'export-table',
        EXPORT_STREAM_URL: 'https://abcdefghij.lambda-url.ap-east-1.on.aws/',
      }),
      table,
      keyring,
      engine: 'dynalite',
      log: quietLog,
    };
    const app = createApp(deps, { mount: (a) => a.route('/', dashboardRoutes(deps)) });
    const cookie = await demoSignIn(app, 'u-mgr');
    const res = await app.request(`/halls/h-busy/export/ratings?from=${FROM}&to=${TO}`, { headers: { cookie: `st_session=${cookie}` } });
    expect(res.status).toBe(303);
    const to = new URL(res.headers.get('location')!);
    expect(to.origin + to.pathname).toBe('https://abcdefghij.lambda-url.ap-east-1.on.aws/export');
    const out = await invoke(`t=${encodeURIComponent(to.searchParams.get('t')!)}`, { 'accept-encoding': 'gzip, br' });
    expect(out.meta?.statusCode).toBe(200);
    // Another hall's export is refused by the gate before any ticket is signed.
    expect((await app.request('/halls/h-other/export/ratings', { headers: { cookie: `st_session=${cookie}` } })).status).toBe(404);
  });

  it(`streams a year of ${ROWS.toLocaleString('en')} ratings gzip-encoded: every row, in order, BOM first`, async () => {
    const started = performance.now();
    const out = await invoke(`t=${encodeURIComponent(ticket())}`, { 'accept-encoding': 'gzip' });
    const seconds = (performance.now() - started) / 1000;
    expect(out.meta?.statusCode).toBe(200);
    expect(out.meta?.headers['content-encoding']).toBe('gzip');
    expect(out.meta?.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(out.chunks.length).toBeGreaterThan(1); // streamed in pieces, not one buffered answer
    const csv = gunzipSync(Buffer.concat(out.chunks));
    expect([...csv.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = csv.toString('utf8').slice(1).trimEnd().split('\n');
    expect(lines).toHaveLength(ROWS + 1);
    const days = lines.slice(1).map((l) => l.split(',').find((x) => /^\d{4}-\d{2}-\d{2}$/.test(x)));
    expect(days.every((d, i) => i === 0 || d! >= days[i - 1]!)).toBe(true);
    console.info(`export: ${ROWS} rows, ${out.bytes} bytes gzip (${csv.length} raw) in ${seconds.toFixed(1)} s`);
  }, 1_800_000);

  it('refuses an expired, altered or foreign ticket, and one of a removed user: 403, nothing streamed', async () => {
    for (const t of [
      ticket({ exp: Date.now() - 1 }),
      `${ticket()}x`,
      ticket().replace(
        /\.[^.]+\./,
        `.${Buffer.from(JSON.stringify({ p: 'export', hallId: 'h-other', exp: Date.now() + 60_000 })).toString('base64url')}.`,
      ),
      seal(keyring, { p: 'flow', exp: Date.now() + 60_000 }),
      '',
    ]) {
      const out = await invoke(`t=${encodeURIComponent(t)}`);
      expect(out.meta?.statusCode, t).toBe(403);
      expect(Buffer.concat(out.chunks).toString('utf8')).toContain('expired');
    }
    await removeUser(table, 'u-gone');
    expect((await invoke(`t=${encodeURIComponent(ticket({ uid: 'u-gone' }))}`)).meta?.statusCode).toBe(403);
  });
});
