/**
 * Issue 15's rows: the staff side at national size, on a catalogue generated into a fresh dynalite (by default
 * 50,000 halls in ~3,400 regions, 100,000 staff users; `--national-halls` / `--national-users` scale it down on a
 * loaded machine, and the rows say the size), plus the modelled cost and time of a night at 50,000 halls / 2M ratings
 * and of a million ratings ingested on AWS, from work measured here (a sample night) and in the ingest rows.
 * Prices and their date: bench/README.md ("National scale").
 */
import { randomBytes } from 'node:crypto';
import { loadConfig } from '../shared/config.js';
import { generateKeyringJson, parseKeyring } from '../shared/domain/keyring.js';
import type { TUser } from '../shared/domain/access.js';
import type { THall, TRegion } from '../shared/domain/model.js';
import { createApp } from '../shared/http/app.js';
import { dashboardRoutes } from '../shared/http/routes/dashboard.js';
import type { TLog } from '../shared/log.js';
import { startDynalite } from '../shared/local/engine.js';
import { runNight } from '../shared/scoring/job.js';
import { bulkPutHalls, bulkPutRegions, putRegion } from '../shared/storage/catalogue.js';
import { createDynamoClient } from '../shared/storage/client.js';
import { openCaseAttributes } from '../shared/storage/cases.js';
import { batchPut, openTable } from '../shared/storage/db.js';
import { bulkPutRatings, ratingToItem } from '../shared/storage/ratings.js';
import { ensureTable } from '../shared/storage/schema.js';
import { bulkPutIssuedCounts } from '../shared/storage/tickets.js';
import { bulkPutUsers, findStaffIdentity, sessionGenFor } from '../shared/storage/users.js';
import { benchMonthlyNational, benchNotifyNational, benchSweepNational } from './notify.js';
import { synthetic } from './score.js';
import type { TRow } from './table.js';

const quiet: TLog = { info() {}, warn() {}, error: (m, f) => console.error(m, JSON.stringify(f).slice(0, 200)) };
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const round = (n: number, d = 1) => Math.round(n * 10 ** d) / 10 ** d;

/** AWS list prices, us-east-1 (see bench/README.md for the date and the pages). */
export const PRICES = {
  lambdaArmGbSecond: 0.0000133334,
  lambdaRequest: 0.2 / 1e6,
  dynamoWriteUnit: 0.625 / 1e6,
  dynamoReadUnit: 0.125 / 1e6,
  sqsRequest: 0.4 / 1e6,
  httpApiRequest: 1.0 / 1e6,
};
/** The deployed night (infra/constructs/scoring.ts): worker memory, SQS batch, max concurrency; halls per message. */
const WORKER_GB = 1;
const WORKER_CONCURRENCY = 50;
const HALLS_PER_MESSAGE = 100;

async function timed(run: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await run();
  return performance.now() - t;
}

export async function benchNational(opts: { halls: number; users: number; serverCpuMsPerRating?: number }): Promise<TRow[]> {
  const { halls: H, users: U } = opts;
  const engine = await startDynalite();
  const client = createDynamoClient({ endpoint: engine.endpoint });
  const rows: TRow[] = [];
  const row = (metric: string, value: number, unit: string, target: TRow['target'] = null) => rows.push({ metric, value, unit, target });
  try {
    await ensureTable(client, 'bench-national');
    const table = openTable(client, 'bench-national');
    // ~3,400 regions: a nation, 31 provinces, 11 cities each, 9 districts each. Province p0 holds 3,000 halls
    // (a real province's streets and counties); the others share the rest.
    const regions: TRegion[] = [{ id: 'cn', name: '全国', level: 'province' }];
    const districts: string[][] = [];
    for (let p = 0; p < 31; p++) {
      regions.push({ id: `p${p}`, name: `省${p}`, level: 'province', parentId: 'cn' });
      districts.push([]);
      for (let c = 0; c < 11; c++) {
        regions.push({ id: `p${p}c${c}`, name: `市${p}-${c}`, level: 'city', parentId: `p${p}` });
        for (let d = 0; d < 9; d++) {
          regions.push({ id: `p${p}c${c}d${d}`, name: `区${p}-${c}-${d}`, level: 'district', parentId: `p${p}c${c}` });
          districts[p].push(`p${p}c${c}d${d}`);
        }
      }
    }
    const inP0 = Math.min(3_000, H);
    const halls: THall[] = Array.from({ length: H }, (_, i) => {
      const regionId = i < inP0 ? districts[0][i % 99] : districts[1 + (i % 30)][Math.floor(i / 30) % 99];
      return { id: `h${String(i).padStart(5, '0')}`, name: `大厅${i}`, regionId, timezone: 'Asia/Shanghai' };
    });
    const users: TUser[] = Array.from({ length: U }, (_, i) => {
      const id = `u${String(i).padStart(6, '0')}`;
      if (i === 0) return { id, name: '管理员', role: 'admin', scope: '*', email: 'admin@example.gov.cn' };
      if (i % 20 === 0) return { id, name: `督导${i}`, role: 'supervisor', scope: regions[1 + (i % 3_000)].id, email: `s${i}@x.gov.cn` };
      return { id, name: `负责人${i}`, role: 'manager', scope: halls[i % H].id, email: `m${i}@x.gov.cn` };
    });
    // A bulk load: BatchWriteItem (25 items a call) for regions, halls and users with their claims, the three at once,
    // without per-item audit entries (an import, not an administrator's changes).
    let started = performance.now();
    await Promise.all([bulkPutRegions(table, regions), bulkPutHalls(table, halls), bulkPutUsers(table, users)]);
    const items = regions.length + H + U * 2; // a user and the claim of their address
    const loadS = (performance.now() - started) / 1000;
    row(
      'national_catalogue_load_s',
      round(loadS),
      `s: ${H} halls, ${regions.length} regions, ${U} users (${Math.round(items / loadS)} items/s)`,
    );

    const keyring = parseKeyring(generateKeyringJson());
    const deps = { config: loadConfig({ APP_ENV: 'test', TABLE_NAME: 'bench-national' }), table, keyring, engine: 'dynalite', log: quiet };
    const newApp = () => createApp(deps, { mount: (a) => a.route('/', dashboardRoutes(deps)) });
    const app = newApp();
    const signIn = async (userId: string) => {
      const form = await app.request('/signin');
      const pre = /st_session=([^;]+)/.exec(form.headers.get('set-cookie') ?? '')![1];
      const csrf = /name="_csrf" value="([^"]+)"/.exec(await form.text())![1];
      const res = await app.request('/signin/dev', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: `st_session=${pre}` },
        body: new URLSearchParams({ _csrf: csrf, userId }).toString(),
      });
      return `st_session=${/st_session=([^;]+)/.exec(res.headers.get('set-cookie') ?? '')![1]}`;
    };
    const get = async (a: ReturnType<typeof newApp>, path: string, cookie: string) => {
      const res = await a.request(path, { headers: { cookie } });
      if (res.status !== 200) throw new Error(`${path} answered ${res.status}`);
      await res.text();
    };

    // Identity → session: the provider's claims to the staff user by index, then the session generation.
    const signins: number[] = [];
    for (let i = 0; i < 40; i++) {
      const n = 1 + Math.floor(Math.random() * (U - 1));
      const email = n % 20 === 0 ? `s${n}@x.gov.cn` : `m${n}@x.gov.cn`;
      signins.push(
        await timed(async () => {
          const m = await findStaffIdentity(table, { sub: `idp|${randomBytes(6).toString('hex')}`, email, email_verified: true });
          if (m.kind === 'refused') throw new Error(`sign-in of ${email} refused`);
          await sessionGenFor(table, m.user.id);
        }),
      );
    }
    row('signin_ms', round(median(signins)), 'ms', { op: '<=', value: 100 });

    const admin = await signIn('u000000');
    const manager = await signIn('u000001');
    try {
      await get(app, '/regions/p0', admin); // warms this instance's caches
      const province: number[] = [];
      for (let i = 0; i < 7; i++) province.push(await timed(() => get(app, '/regions/p0', admin)));
      row('region_page_province_ms', round(median(province)), `ms (warm, ${inP0} halls below, catalogue only)`, { op: '<=', value: 300 });
    } catch (err) {
      row('region_page_province_ms', Number.NaN, `ms: FAILED (${(err as Error).message}; ${inP0} halls below)`, { op: '<=', value: 300 });
    }

    const cold: number[] = [];
    for (let i = 0; i < 5; i++) {
      const fresh = newApp(); // a new function instance: nothing cached
      cold.push(await timed(() => get(fresh, `/halls/${halls[1 % H].id}`, manager)));
    }
    row('dashboard_cold_first_page_ms', round(median(cold)), 'ms (fresh app, first hall page)', { op: '<=', value: 1_500 });

    const tree: number[] = [];
    for (let i = 0; i < 5; i++) tree.push(await timed(() => get(app, '/admin/regions', admin)));
    row('admin_tree_ms', round(median(tree)), 'ms', { op: '<=', value: 200 });
    const usersPage: number[] = [];
    for (const q of ['', '?q=u0123', `?q=${encodeURIComponent('督导12')}`, '?q=m77%40x.gov.cn', '?after=u050000'])
      usersPage.push(await timed(() => get(app, `/admin/users${q}`, admin)));
    row('admin_users_page_ms', round(median(usersPage)), 'ms (page, id, name, email, deep page)', { op: '<=', value: 200 });

    // Notifications among these users (issue 15): an event's recipients by scope, digests by their due index.
    rows.push(...(await benchNotifyNational(table, halls)));
    // The notification sweep's tick over every hall: new cases on GSI4 (16 Queries), deadlines one Query per region.
    rows.push(...(await benchSweepNational(table, halls)));
    // Report day: the month's walk a slice a tick, then its events dispatched in bounded ticks, the whole tick timed.
    rows.push(...(await benchMonthlyNational(table, halls)));

    // The province's case panel (/regions/p0/cases: urgent cases and handling figures), one bad rating with its case
    // per hall of p0 (half overdue): its Queries are one per district partition and bucket range, never one per hall.
    const inP0Halls = halls.slice(0, inP0);
    const caseAt = (i: number) => new Date(Date.now() + (i % 2 ? 5 : -3) * 86_400_000).toISOString();
    await batchPut(
      table,
      inP0Halls.map((h, i) => {
        const createdAt = new Date(Date.now() - 4 * 86_400_000).toISOString();
        const r = {
          ratingId: `bad-${h.id}`,
          channel: 'ticket' as const,
          hallId: h.id,
          windowId: 'w1',
          createdAt,
          day: createdAt.slice(0, 10),
          overall: 1,
        };
        return ratingToItem(r, openCaseAttributes({ hallId: h.id, contactDue: caseAt(i), rectifyDue: caseAt(i) }, h.regionId));
      }),
      8,
    );
    // Counted on a client of its own, its middleware added before its first command (the SDK resolves a command's
    // middleware once per client and command class).
    let queries = 0;
    const counted = createDynamoClient({ endpoint: engine.endpoint });
    counted.middlewareStack.add(
      (next, context) => async (args) => {
        const input = args.input as { IndexName?: string; ExpressionAttributeValues?: Record<string, { S?: string }> };
        const pk = input.ExpressionAttributeValues?.[':pk']?.S ?? '';
        if (context.commandName === 'QueryCommand' && ((input.IndexName === 'gsi2' && pk.startsWith('CS#')) || input.IndexName === 'gsi3'))
          queries++;
        return next(args);
      },
      { step: 'initialize', name: 'benchCaseQueries' },
    );
    const countedDeps = { ...deps, table: openTable(counted, 'bench-national') };
    const countedApp = createApp(countedDeps, { mount: (a) => a.route('/', dashboardRoutes(countedDeps)) });
    await get(countedApp, '/regions/p0/cases', admin); // warm: the subtree and the case world
    const panel: number[] = [];
    let perPanel = 0;
    for (let i = 0; i < 7; i++) {
      const before = queries;
      panel.push(await timed(() => get(countedApp, '/regions/p0/cases', admin)));
      perPanel = queries - before;
    }
    const partitions = new Set(inP0Halls.map((h) => h.regionId)).size;
    row(
      'region_cases_province_ms',
      round(median(panel)),
      `ms (warm case panel: urgent cases and 30-day figures over ${inP0} cases of ${inP0} halls in ${partitions} districts)`,
    );
    row('region_cases_province_queries', perPanel, `Queries (2 per district partition; per hall it was ${2 * inP0})`, {
      op: '<=',
      value: 2 * partitions,
    });

    // A sample night with the national day's shape (40 ratings a hall), for the per-hall work of the model.
    const sampleHalls = 1_000;
    const day = '2026-11-20';
    await ensureTable(client, 'bench-night-sample');
    const night = openTable(client, 'bench-night-sample');
    await putRegion(night, { id: 'city', name: '市', level: 'city' });
    const sample = Array.from({ length: sampleHalls }, (_, i) => ({
      id: `h${i}`,
      name: `大厅${i}`,
      regionId: 'city',
      timezone: 'Asia/Shanghai',
    }));
    await bulkPutHalls(night, sample);
    await bulkPutRatings(night, synthetic(sampleHalls, sampleHalls * 40, day));
    await bulkPutIssuedCounts(
      night,
      sample.map((h) => ({ hallId: h.id, day, count: 60 })),
    );
    const cpu0 = process.cpuUsage();
    started = performance.now();
    const result = await runNight({ table: night }, day, { batchSize: HALLS_PER_MESSAGE });
    const wallMsPerHall = (performance.now() - started) / sampleHalls;
    const cpu = process.cpuUsage(cpu0);
    const cpuMsPerHall = (cpu.user + cpu.system) / 1000 / sampleHalls;
    const readsPerHall = result.itemsRead / sampleHalls;
    row('night_sample_ms_per_hall', round(wallMsPerHall, 2), `ms wall (${sampleHalls} halls × 40 ratings, engine in-process)`);
    row('night_sample_items_read_per_hall', round(readsPerHall, 1), 'items');

    // The model at 50,000 halls / 2,000,000 ratings. Lambda bills wall time: the sample's wall per hall (it includes
    // the in-process engine's CPU, which on AWS is DynamoDB's, so it is an upper bound for compute).
    const N = 50_000;
    const gbSeconds = (N * wallMsPerHall * WORKER_GB) / 1000;
    const messages = Math.ceil(N / HALLS_PER_MESSAGE);
    // Reads: each item as its own eventually consistent ≤ 4 KB read (0.5 RRU) — an upper bound (a Query packs items).
    const rru = N * readsPerHall * 0.5;
    // Writes: the hall's day snapshot (≤ 4 KB: 4 WRU) + its GSI-free run bookkeeping; per message a partial sum,
    // a batch mark and the run record (3 × 1 WRU); the region roll-up (~3,500 snapshots × 2 WRU).
    const wru = N * 4 + messages * 3 + 3_500 * 2;
    const usd =
      gbSeconds * PRICES.lambdaArmGbSecond +
      (messages + 2) * PRICES.lambdaRequest +
      messages * 3 * PRICES.sqsRequest +
      rru * PRICES.dynamoReadUnit +
      wru * PRICES.dynamoWriteUnit;
    row('night_cost_usd_50k', round(usd, 3), 'USD (modelled: Lambda GB-s + requests, SQS, DynamoDB RRU/WRU)');
    const wallMin = (N * wallMsPerHall) / WORKER_CONCURRENCY / 60_000;
    row('night_wall_min_50k', round(wallMin, 1), `min (modelled, ${WORKER_CONCURRENCY} workers; window 120)`, { op: '<=', value: 120 });

    // A million ratings ingested: HTTP API + Lambda (512 MB) + DynamoDB (the rating item and its GSI1 entry, the
    // ticket's visit mark: 3 WRU; the cached hall catalogue: ~0 RRU). Lambda time per rating: the measured server CPU
    // per rating scaled to a 512 MB function's CPU share (1,769 MB = one vCPU), plus 3 DynamoDB round trips of ~5 ms.
    const cpuMs = opts.serverCpuMsPerRating ?? 1.161;
    const billedMs = cpuMs * (1769 / 512) + 15;
    const perMillion =
      1e6 *
      (PRICES.httpApiRequest + PRICES.lambdaRequest + (billedMs / 1000) * 0.5 * PRICES.lambdaArmGbSecond + 3 * PRICES.dynamoWriteUnit);
    row('aws_usd_per_million_ratings', round(perMillion, 2), `USD (modelled; ${round(cpuMs, 3)} ms CPU/rating measured)`);
    row('night_sample_cpu_ms_per_hall', round(cpuMsPerHall, 2), 'ms CPU (process, engine included)');
  } finally {
    await engine.close();
  }
  return rows;
}

/** `npx tsx bench/national.ts [--national-halls=N] [--national-users=N]`: only these rows. */
if (process.argv[1]?.endsWith('national.ts')) {
  const arg = (name: string, fallback: number) => Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback);
  const { printTable } = await import('./table.js');
  const out = await benchNational({ halls: arg('national-halls', 50_000), users: arg('national-users', 100_000) });
  printTable(out);
  process.exit(0);
}
