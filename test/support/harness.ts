/**
 * Test harness: a real DynamoDB-compatible engine (dynalite in-process, or the official DynamoDB Local jar),
 * a fresh table per suite, and the real Hono app over it. No SDK mocks.
 */
import { randomBytes } from 'node:crypto';
import { loadConfig } from '../../shared/config.js';
import { parseKeyring, generateKeyringJson, type TKeyring } from '../../shared/domain/keyring.js';
import type { THall, TRegion, TService, TWindow } from '../../shared/domain/model.js';
import type { TAppDeps } from '../../shared/http/deps.js';
import { hashApiKey, newApiKey } from '../../shared/domain/privacy.js';
import { createApp } from '../../shared/http/app.js';
import { docsRoutes } from '../../shared/http/routes/docs.js';
import { printingRoutes } from '../../shared/http/routes/printing.js';
import { linkRoutes } from '../../shared/http/routes/link.js';
import type { TLog } from '../../shared/log.js';
import { startDynalite, startDynamoDbLocal, type TEngine } from '../../shared/local/engine.js';
import { createDynamoClient } from '../../shared/storage/client.js';
import { openTable, type TTable } from '../../shared/storage/db.js';
import { ensureTable } from '../../shared/storage/schema.js';
import { putApiKey } from '../../shared/storage/api-keys.js';
import { putHall, putService, putWindow } from '../../shared/storage/catalogue.js';
import { serve, type ServerType } from '@hono/node-server';
import { dashboardRoutes } from '../../shared/http/routes/dashboard.js';
import type { TDashboardAssets } from '../../shared/http/assets.js';
import { seedDemo } from '../../shared/local/seed.js';

export type TEngineName = 'dynalite' | 'dynamodb-local';

const engines = new Map<TEngineName, Promise<TEngine>>();
/** One engine per test file and kind, started lazily. */
export function engine(name: TEngineName = 'dynalite'): Promise<TEngine> {
  let e = engines.get(name);
  if (!e) {
    e = name === 'dynalite' ? startDynalite() : startDynamoDbLocal();
    engines.set(name, e);
  }
  return e;
}
export async function stopEngines(): Promise<void> {
  await Promise.all([...engines.values()].map(async (e) => (await e).close()));
  engines.clear();
}

export const quietLog: TLog = { info() {}, warn() {}, error() {} };

export interface TWorld {
  /** The table handle the storage module functions take. */
  table: TTable;
  keyring: TKeyring;
  apiKey: string;
  hall: THall;
  windows: TWindow[];
  services: TService[];
  clock: { now: number };
  app: ReturnType<typeof createApp>;
  engineName: TEngineName;
}

/** A fresh table with one hall (two windows, two services) and its API key. */
export async function world(engineName: TEngineName = 'dynalite', overrides: { rateLimit?: number } = {}): Promise<TWorld> {
  const e = await engine(engineName);
  const tableName = `t-${randomBytes(6).toString('hex')}`;
  const client = createDynamoClient({ endpoint: e.endpoint });
  await ensureTable(client, tableName);
  const table = openTable(client, tableName);
  const keyring = parseKeyring(generateKeyringJson());
  const hall: THall = {
    id: 'h-test',
    name: '测试政务服务中心',
    nameEn: 'Test Service Centre',
    regionId: 'r-test',
    timezone: 'Asia/Shanghai',
  };
  const windows: TWindow[] = [
    { hallId: hall.id, id: 'w1', name: '1号窗口 综合受理' },
    { hallId: hall.id, id: 'w2', name: '2号窗口 社保医保' },
  ];
  const services: TService[] = [
    { hallId: hall.id, id: 's1', name: '居民身份证换领' },
    { hallId: hall.id, id: 's2', name: '医保异地就医备案' },
  ];
  await putHall(table, hall);
  for (const w of windows) await putWindow(table, w);
  for (const s of services) await putService(table, s);
  const apiKey = newApiKey();
  await putApiKey(table, hashApiKey(apiKey), { hallId: hall.id, label: 'test', createdAt: new Date().toISOString() });
  const clock = { now: Date.parse('2026-11-20T02:00:00Z') };
  const config = loadConfig({
    APP_ENV: 'test',
    TABLE_NAME: tableName,
    PUBLIC_BASE_URL: 'https://rate.example.test',
    RATE_LIMIT_PER_MINUTE: String(overrides.rateLimit ?? 100000),
  });
  // The resident pages and machine API, plus the API's documents and the printed codes (the dashboard function's on AWS).
  const deps = { config, table, keyring, engine: e.name, log: quietLog, now: () => clock.now };
  const app = createApp(deps, {
    mount: (a) => {
      a.route('/', docsRoutes({ config }));
      a.route('/r', printingRoutes(deps));
      a.route('/rate', linkRoutes(deps));
    },
  });
  return { table, keyring, apiKey, hall, windows, services, clock, app, engineName };
}

export const json = (body: unknown, headers: Record<string, string> = {}) => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', ...headers },
  body: JSON.stringify(body),
});

/** Signs a staff user in through the local demo sign-in form (its double-submit token included); the session cookie's value. */
export async function demoSignIn(
  app: { request: (path: string, init?: RequestInit) => Response | Promise<Response> },
  userId: string,
): Promise<string> {
  const form = await app.request('/signin');
  const pre = /st_session=([^;]+)/.exec(form.headers.get('set-cookie') ?? '')![1];
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await form.text())![1];
  const res = await app.request('/signin/dev', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: `st_session=${pre}` },
    body: new URLSearchParams({ _csrf: csrf, userId }).toString(),
  });
  if (res.status !== 303) throw new Error(`demo sign-in of ${userId} answered ${res.status}`);
  return /st_session=([^;]+)/.exec(res.headers.get('set-cookie') ?? '')![1];
}

export interface TDemoWorld {
  table: TTable;
  keyring: TKeyring;
  /** The staff side (dashboard routes) over the seeded demo catalogue, on the test clock. */
  app: ReturnType<typeof createApp>;
}

/**
 * A demo user's signed-in session: the cookie, and the CSRF token every staff page (the 404 too) carries in its
 * sign-out form, read from `page` (a page the user may open).
 */
export async function staffSession(
  app: { request: (path: string, init?: RequestInit) => Response | Promise<Response> },
  userId: string,
  page = '/admin/regions',
): Promise<{ cookie: string; csrf: string }> {
  const cookie = `st_session=${await demoSignIn(app, userId)}`;
  const html = await (await app.request(page, { headers: { cookie } })).text();
  return { cookie, csrf: /name="_csrf" value="([^"]+)"/.exec(html)![1] };
}

/**
 * A fresh table seeded with the demo catalogue, users and `days` of ratings up to `today`, and the staff app on a
 * test clock (the dashboard function's routes; the resident routes come with createApp). `prefix` names the table.
 */
export async function demoWorld(opts: {
  prefix: string;
  today: string;
  apiKey: string;
  clock: { now: number };
  days?: number;
  assets?: TDashboardAssets;
  env?: Record<string, string>;
}): Promise<TDemoWorld> {
  const e = await engine('dynalite');
  const client = createDynamoClient({ endpoint: e.endpoint });
  const name = `${opts.prefix}-${randomBytes(4).toString('hex')}`;
  await ensureTable(client, name);
  const table = openTable(client, name);
  await seedDemo(table, { today: opts.today, apiKey: opts.apiKey, days: opts.days ?? 3 });
  const keyring = parseKeyring(generateKeyringJson());
  const config = loadConfig({ APP_ENV: 'test', TABLE_NAME: name, ...opts.env });
  const deps = { config, table, keyring, engine: 'dynalite' as const, log: quietLog, now: () => opts.clock.now };
  const app = createApp(deps, { mount: (a) => a.route('/', dashboardRoutes(deps, opts.assets)) });
  return { table, keyring, app };
}

/** Serves an app on a loopback port (for a real browser); its origin and how to close it. */
export async function serveOnLoopback(app: { fetch: (req: Request) => Response | Promise<Response> }) {
  const server = await new Promise<ServerType>((ok) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => ok(s));
  });
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    close: () => new Promise<void>((ok) => server.close(() => ok())),
  };
}

/**
 * A national-shaped catalogue for the scale tests: 全国 (cn) → provinces p<i> → cities p<i>c<j> → districts
 * p<i>c<j>d<k> → halls p<i>c<j>d<k>h<l>, in that order (regions[0] is cn, regions[1] the first province).
 */
export function nationalTree(shape: { provinces: number; cities: number; districts: number; halls: number }): {
  regions: TRegion[];
  halls: THall[];
} {
  const regions: TRegion[] = [{ id: 'cn', name: '全国', level: 'province' }];
  const halls: THall[] = [];
  for (let p = 0; p < shape.provinces; p++) {
    regions.push({ id: `p${p}`, name: `省${p}`, level: 'province', parentId: 'cn' });
    for (let c = 0; c < shape.cities; c++) {
      regions.push({ id: `p${p}c${c}`, name: `市${p}-${c}`, level: 'city', parentId: `p${p}` });
      for (let d = 0; d < shape.districts; d++) {
        const district = `p${p}c${c}d${d}`;
        regions.push({ id: district, name: `区${p}-${c}-${d}`, level: 'district', parentId: `p${p}c${c}` });
        for (let h = 0; h < shape.halls; h++)
          halls.push({ id: `${district}h${h}`, name: `大厅 ${district}-${h}`, regionId: district, timezone: 'Asia/Shanghai' });
      }
    }
  }
  return { regions, halls };
}

/** The app's dependencies over a table a suite built itself: test config, a fresh key ring, a quiet log. */
export function appDepsOver(table: TTable, engineName: TEngineName = 'dynalite'): TAppDeps {
  return {
    config: loadConfig({ APP_ENV: 'test', TABLE_NAME: table.name }),
    table,
    keyring: parseKeyring(generateKeyringJson()),
    engine: engineName,
    log: quietLog,
  };
}
