/**
 * Where the time of one rating goes (diagnostic, not part of `npm run bench`'s table): the same load (64 keep-alive
 * clients posting valid ratings to POST /api/v1/ratings, from a worker thread, as in bench/run.ts) against servers
 * that each add one layer, in interleaved blocks, with the main thread's CPU per rating read from /proc:
 *   put        the engine put alone: the app's PutItem of a prepared rating item, SDK client on the main thread
 *   node-http  bare node:http + JSON.parse + the rating item + that put, answering 201 {ratingId}
 *   hono       hono/tiny + @hono/node-server with one route doing the same (c.req.json(), c.json(…, 201))
 *   app        the whole app (startLocal, in memory), as `npm start` and the bench run it
 *   app@DIR    with --compare=DIR: the whole app from another checkout of this repository (e.g. `git archive` of
 *              main in /tmp/x with node_modules linked), in the same process, for old-vs-new CPU per rating under
 *              the same load and the same neighbours
 * Each server has its own in-memory dynalite on a worker thread (not counted in the main thread's CPU).
 *   npx tsx bench/ingest-ladder.ts [--rounds=3] [--block=6] [--warmup=2] [--concurrency=64] [--only=app,app@]
 *                                  [--compare=/tmp/old] [--cpu-prof]   (profiles the first `app` block)
 * The differences between neighbouring rows are what each layer adds. Throughput on a shared machine moves by ±30 %;
 * the CPU per rating moves far less, so read that column first.
 */
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { serve, type ServerType } from '@hono/node-server';
import { Hono } from 'hono/tiny';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { generateKeyringJson, parseKeyring, type TKeyring } from '../shared/domain/keyring.js';
import type { TRatingInput } from '../shared/domain/model.js';
import type { TLocalServer } from '../shared/local/server.js';
import { getHallCatalogue } from '../shared/storage/catalogue.js';
import { createDynamoClient } from '../shared/storage/client.js';
import { ratingToItem } from '../shared/storage/ratings.js';
import { DEFAULT_TABLE_NAME } from '../shared/storage/table.js';
import { ratingFor } from './answers.js';
import { freshEngine } from './engine.js';
import type { TLoadParams } from './loop.js';
import { startProfiling, writeProfile } from './profile.js';
import { runLoad, runLoadInline, type THooks, type TLoadRun } from './spawn.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const arg = (name: string) =>
  process.argv
    .find((a) => a.startsWith(`--${name}=`))
    ?.split('=')
    .slice(1)
    .join('=');
const num = (name: string, fallback: number) => Number(arg(name) ?? fallback);
const rounds = num('rounds', 3);
const blockMs = num('block', 6) * 1000;
const warmupMs = num('warmup', 2) * 1000;
const concurrency = num('concurrency', 64);
const compare = arg('compare');
const only = arg('only')?.split(',');
const cpuProf = process.argv.includes('--cpu-prof');
const say = (msg: string) => process.stderr.write(`[ladder] ${msg}\n`);
const TABLE = DEFAULT_TABLE_NAME;

type THall = TLoadParams['hall'];
interface TLayer {
  name: string;
  /** http: the origin the load posts to; undefined: the put-alone layer (loop.ts's engine mode on this thread). */
  origin?: string;
  endpoint?: string;
  close(): Promise<void>;
}

/** What the bare layers do per request: the stored item the app would write, and the app's conditional put. */
function putter(keyring: TKeyring, hall: THall, endpoint: string) {
  const client = createDynamoClient({ endpoint });
  return {
    client,
    async put(input: TRatingInput): Promise<string> {
      const [, , ticketId, , windowId, service] = input.ticket.split('.');
      const rating = ratingFor(keyring, input, {
        ticketId,
        hallId: hall.hallId,
        windowId,
        serviceId: service === '-' ? undefined : service,
        timezone: hall.timezone,
      });
      await client.send(
        new PutItemCommand({ TableName: TABLE, Item: ratingToItem(rating), ConditionExpression: 'attribute_not_exists(pk)' }),
      );
      return rating.ratingId;
    },
  };
}

const listening = (s: Server | ServerType) => `http://127.0.0.1:${(s.address() as { port: number }).port}`;

async function nodeHttpLayer(keyring: TKeyring, hall: THall): Promise<TLayer> {
  const engine = await freshEngine(TABLE);
  const p = putter(keyring, hall, engine.endpoint);
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      p.put(JSON.parse(Buffer.concat(chunks).toString('utf8')) as TRatingInput).then(
        (ratingId) => {
          const body = JSON.stringify({ ratingId });
          res.writeHead(201, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
          res.end(body);
        },
        (err: Error) => {
          res.writeHead(500);
          res.end(err.message);
        },
      );
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  return {
    name: 'node-http',
    origin: listening(server),
    async close() {
      server.closeAllConnections();
      await new Promise((ok) => server.close(ok));
      p.client.destroy();
      await engine.close();
    },
  };
}

async function honoLayer(keyring: TKeyring, hall: THall): Promise<TLayer> {
  const engine = await freshEngine(TABLE);
  const p = putter(keyring, hall, engine.endpoint);
  const app = new Hono();
  app.post('/api/v1/ratings', async (c) => c.json({ ratingId: await p.put(await c.req.json<TRatingInput>()) }, 201));
  const server: ServerType = await new Promise((ok) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => ok(s));
  });
  return {
    name: 'hono',
    origin: listening(server),
    async close() {
      if ('closeAllConnections' in server) server.closeAllConnections();
      await new Promise((ok) => server.close(ok));
      p.client.destroy();
      await engine.close();
    },
  };
}

async function appLayer(name: string, root: string, keyringJson: string): Promise<TLayer & { local: TLocalServer }> {
  const { startLocal } = (await import(join(root, 'shared/local/server.ts'))) as typeof import('../shared/local/server.js');
  const env: Record<string, string | undefined> = { ...process.env };
  delete env.PUBLIC_BASE_URL;
  const local = await startLocal(
    {
      ...env,
      DATA_DIR: ':memory:',
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'SILENT',
      RATE_LIMIT_PER_MINUTE: '100000000',
      KEYRING: keyringJson,
      SEED_DAYS: '3', // the seed only has to make a hall; ingest does not read history
      NOTIFY_EVERY_SECONDS: '0',
    },
    { info() {}, warn() {}, error: (msg, data) => say(`${name} error: ${msg} ${JSON.stringify(data ?? {})}`) },
  );
  return { name, local, origin: `http://127.0.0.1:${new URL(local.url).port}`, close: () => local.close() };
}

async function main() {
  const keyringJson = generateKeyringJson();
  const keyring = parseKeyring(keyringJson);
  say('starting the whole app (in memory)…');
  const app = await appLayer('app', resolve(import.meta.dirname, '..'), keyringJson);
  const cat = await getHallCatalogue(app.local.table, app.local.demo.hallId);
  if (!cat) throw new Error('ladder: the demo hall has no catalogue');
  const hall: THall = {
    hallId: cat.hall.id,
    timezone: cat.hall.timezone,
    windows: cat.windows.map((w) => w.id),
    services: cat.services.map((s) => s.id),
  };
  const putEngine = await freshEngine(TABLE);
  const layers: TLayer[] = [
    { name: 'put', endpoint: putEngine.endpoint, close: () => putEngine.close() },
    await nodeHttpLayer(keyring, hall),
    await honoLayer(keyring, hall),
    app,
  ];
  if (compare) {
    say(`starting the whole app from ${compare}…`);
    layers.push(await appLayer(`app@${compare}`, resolve(compare), keyringJson));
  }
  const chosen = layers.filter((l) => !only || only.some((o) => l.name === o || (o === 'app@' && l.name.startsWith('app@'))));

  const totals = new Map<string, { ok: number; ms: number; cpu: number; lat: number[]; failed: number; runs: number[] }>();
  const base = { concurrency, warmupMs, durationMs: blockMs, keyringJson, hall, presign: 20_000 };
  let profiled = false;
  for (let r = 0; r < rounds; r++) {
    const order = r % 2 === 0 ? chosen : [...chosen].reverse();
    for (const l of order) {
      say(`round ${r + 1}/${rounds}: ${l.name}…`);
      let hooks: THooks = {};
      if (cpuProf && l.name === 'app' && !profiled) {
        profiled = true;
        let stop: (() => ReturnType<Awaited<ReturnType<typeof startProfiling>>>) | undefined;
        hooks = {
          onWindowStart: async () => {
            stop = await startProfiling();
          },
          onWindowEnd: async () => {
            const path = join(tmpdir(), `st-ladder-app-${Date.now()}.cpuprofile`);
            writeProfile(path, await stop!());
            say(`profile of this block: ${path} (its CPU is not counted below)`);
          },
        };
      }
      const run: TLoadRun = l.origin
        ? await runLoad({ ...base, mode: 'http', origin: l.origin }, warmupMs + blockMs + 60_000, hooks)
        : await runLoadInline({ ...base, mode: 'engine', endpoint: l.endpoint, tableName: TABLE });
      const failed = Object.values(run.failures).reduce((a, b) => a + b, 0);
      if (failed) say(`${l.name}: ${failed} failed, first: ${run.sample}`);
      const t = totals.get(l.name) ?? { ok: 0, ms: 0, cpu: 0, lat: [], failed: 0, runs: [] };
      if (!(hooks.onWindowStart && l.name === 'app')) {
        t.ok += run.okInWindow;
        t.ms += run.windowMs;
        t.cpu += run.mainCpuMs;
        t.runs.push(run.mainCpuMs / run.okInWindow);
        for (const x of run.latencies) t.lat.push(x);
      }
      t.failed += failed;
      totals.set(l.name, t);
    }
  }
  for (const l of layers) await l.close();

  const f = (n: number, d = 3) => n.toFixed(d);
  console.log(`\n${concurrency} clients, ${rounds} rounds of ${blockMs / 1000} s (+${warmupMs / 1000} s warm-up) per layer`);
  console.log('layer                     rating/s   main CPU ms/rating (blocks)          p50 ms   failed');
  let prev: number | undefined;
  for (const l of chosen) {
    const t = totals.get(l.name)!;
    const cpu = t.cpu / t.ok;
    const lat = t.lat.sort((a, b) => a - b)[Math.floor(t.lat.length / 2)] ?? NaN;
    const step = prev === undefined || l.name.startsWith('app@') ? '' : ` (+${f(cpu - prev)})`;
    console.log(
      `${l.name.padEnd(24)} ${f(t.ok / (t.ms / 1000), 0).padStart(9)}   ${`${f(cpu)}${step}`.padEnd(18)}` +
        ` [${t.runs.map((x) => f(x)).join(' ')}]`.padEnd(22) +
        `${f(lat, 1).padStart(7)}   ${t.failed}`,
    );
    if (!l.name.startsWith('app@')) prev = cpu;
  }
  const other = chosen.find((l) => l.name.startsWith('app@'));
  if (other && chosen.some((l) => l.name === 'app')) {
    // Each round measured both apps back to back: the ratio per round is the least disturbed comparison.
    const a = totals.get('app')!.runs;
    const b = totals.get(other.name)!.runs;
    const ratios = a.map((x, i) => x / b[i]).sort((x, y) => x - y);
    console.log(
      `app ÷ ${other.name}, CPU per rating, round by round: [${ratios.map((r) => f(r)).join(' ')}], ` +
        `median ${f(ratios[Math.floor(ratios.length / 2)])}`,
    );
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
