/**
 * Issue 15's export rows: a year of one busy hall's ratings (1,000,000 by default) downloaded through the Lambda
 * handler path, functions/export-stream.ts (hono/aws-lambda streamHandle, Lambda response streaming, gzip), invoked
 * as the test does (a function URL event, the runtime's `awslambda` streaming globals stood in by a counting stream).
 * The rows are batch-written into a fresh in-process dynalite first (BatchWriteItem, 8 in flight; timed apart).
 * Peak memory: the most this thread's heap (and array buffers) gained while streaming; the engine's own memory, on
 * its thread, holds the million rows and is not the export's.
 */
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { Writable } from 'node:stream';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { addDays } from '../shared/domain/time.js';
import { generateKeyringJson, parseKeyring } from '../shared/domain/keyring.js';
import type { TRating } from '../shared/domain/model.js';
import { seal } from '../shared/http/session.js';
import { startDynalite } from '../shared/local/engine.js';
import { putHall, putRegion } from '../shared/storage/catalogue.js';
import { createDynamoClient } from '../shared/storage/client.js';
import { openTable } from '../shared/storage/db.js';
import { bulkPutRatings } from '../shared/storage/ratings.js';
import { ensureTable } from '../shared/storage/schema.js';
import { putUser } from '../shared/storage/users.js';
import type { TRow } from './table.js';

type TMeta = { statusCode: number; headers: Record<string, string> };

/** A full collection before the baseline, so the loader's garbage is not counted (or credited) to the export. */
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
type TStreamHandler = (e: APIGatewayProxyEventV2, out: Writable, c: Context) => Promise<void>;

/** What the Lambda runtime's stream receives: counted, sampled for memory, never kept. */
class Counter extends Writable {
  meta?: TMeta;
  bytes = 0;
  chunks = 0;
  peak = 0;
  constructor(private readonly base: number) {
    super();
  }
  _write(chunk: Buffer, _enc: string, done: () => void) {
    this.bytes += chunk.length;
    if (++this.chunks % 4 === 0) this.sample();
    done();
  }
  sample() {
    const m = process.memoryUsage();
    this.peak = Math.max(this.peak, m.heapUsed + m.arrayBuffers - this.base);
  }
}

export async function benchExportYear(opts: { rows: number }): Promise<TRow[]> {
  const ROWS = opts.rows;
  const FROM = '2025-11-01';
  const TO = addDays(FROM, 364);
  const engine = await startDynalite();
  const client = createDynamoClient({ endpoint: engine.endpoint });
  const round = (n: number, d = 1) => Math.round(n * 10 ** d) / 10 ** d;
  const saved: Record<string, string | undefined> = {};
  try {
    await ensureTable(client, 'bench-export-year');
    const table = openTable(client, 'bench-export-year');
    await putRegion(table, { id: 'r', name: '测试区', level: 'district' });
    await putHall(table, { id: 'h-busy', name: '繁忙大厅', regionId: 'r', timezone: 'Asia/Shanghai' });
    await putUser(table, { id: 'u-mgr', name: '负责人', role: 'manager', scope: 'h-busy' });
    let started = performance.now();
    const batch: TRating[] = [];
    for (let i = 0; i < ROWS; i++) {
      const day = addDays(FROM, i % 365);
      batch.push({
        ratingId: `r${String(i).padStart(7, '0')}`,
        channel: 'ticket',
        hallId: 'h-busy',
        windowId: `w${1 + (i % 12)}`,
        createdAt: new Date(Date.parse(`${day}T01:00:00Z`) + (i % 28_000) * 1000).toISOString(),
        day,
        overall: 1 + (i % 5),
      });
      if (batch.length === 20_000) await bulkPutRatings(table, batch.splice(0));
    }
    await bulkPutRatings(table, batch);
    const loadS = (performance.now() - started) / 1000;

    const keyringJson = generateKeyringJson();
    for (const k of ENV_KEYS) saved[k] = process.env[k];
    Object.assign(process.env, {
      TABLE_NAME: 'bench-export-year',
      DYNAMODB_ENDPOINT: engine.endpoint,
      KEYRING: keyringJson,
      APP_ENV: 'aws',
      POWERTOOLS_LOG_LEVEL: 'SILENT',
      LOG_LEVEL: 'ERROR',
    });
    Object.assign(globalThis, {
      awslambda: {
        streamifyResponse: (fn: TStreamHandler) => fn,
        HttpResponseStream: { from: (stream: Counter, meta: TMeta) => Object.assign(stream, { meta }) },
      },
    });
    const { handler } = (await import('../functions/export-stream.js')) as unknown as { handler: TStreamHandler };
    const t = seal(parseKeyring(keyringJson), {
      p: 'export',
      hallId: 'h-busy',
      what: 'ratings',
      from: FROM,
      to: TO,
      uid: 'u-mgr',
      exp: Date.now() + 60_000,
    });
    const host = 'abcdefghij.lambda-url.ap-east-1.on.aws';
    const event = {
      version: '2.0',
      routeKey: '$default',
      rawPath: '/export',
      rawQueryString: `t=${encodeURIComponent(t)}`,
      headers: { host, 'x-forwarded-proto': 'https', 'accept-encoding': 'gzip' },
      requestContext: {
        domainName: host,
        http: { method: 'GET', path: '/export', protocol: 'HTTP/1.1', sourceIp: '203.0.113.7', userAgent: 'bench' },
        requestId: 'bench-1',
        stage: '$default',
        timeEpoch: Date.now(),
      },
      isBase64Encoded: false,
    } as unknown as APIGatewayProxyEventV2;
    const context = { functionName: 'export', awsRequestId: 'bench-1', getRemainingTimeInMillis: () => 900_000 } as unknown as Context;
    gc();
    const m0 = process.memoryUsage();
    const out = new Counter(m0.heapUsed + m0.arrayBuffers);
    const cpu0 = process.cpuUsage();
    started = performance.now();
    await handler(event, out, context);
    const seconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpu0);
    out.sample();
    if (out.meta?.statusCode !== 200) throw new Error(`export answered ${out.meta?.statusCode}`);
    const size = `${ROWS.toLocaleString('en')} rows, ${round(out.bytes / 2 ** 20)} MB gzip in ${out.chunks} chunks`;
    return [
      {
        metric: 'export_year_load_s',
        value: round(loadS),
        unit: `s: ${ROWS.toLocaleString('en')} ratings batch-written (setup)`,
        target: null,
      },
      { metric: 'export_year_s', value: round(seconds), unit: `s through the Lambda handler (${size}; engine in-process)`, target: null },
      {
        metric: 'export_year_peak_mb',
        value: round(out.peak / 2 ** 20),
        unit: 'MB: most heap + buffers gained while streaming',
        target: null,
      },
      { metric: 'export_year_cpu_s', value: round((cpu.user + cpu.system) / 1e6), unit: 's CPU (process, engine included)', target: null },
    ];
  } finally {
    // The handler's environment goes back as it was (the bench's later sections run in this process).
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    client.destroy();
    await engine.close();
  }
}

const ENV_KEYS = ['TABLE_NAME', 'DYNAMODB_ENDPOINT', 'KEYRING', 'APP_ENV', 'POWERTOOLS_LOG_LEVEL', 'LOG_LEVEL'] as const;

/** `npx tsx bench/export-year.ts [rows]`: only these rows. */
if (process.argv[1]?.endsWith('export-year.ts')) {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const { printTable } = await import('./table.js');
  printTable(await benchExportYear({ rows: Number(process.argv[2] ?? 1_000_000) }));
  process.exit(0);
}
