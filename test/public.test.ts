/**
 * The public pages and open data (issue 12) through the real app and a real DynamoDB-compatible engine: published
 * figures equal `npm run report`, `npm run verify` (its own SPEC §4 code, over a loopback socket) agrees to 0.01 for
 * every demo hall, the CSVs carry only declared fields, a hidden hall is a 404 everywhere, caching and CSP headers.
 */
import { createHash, randomBytes } from 'node:crypto';
import { serve } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../shared/config.js';
import { generateKeyringJson, parseKeyring } from '../shared/domain/keyring.js';
import { PUBLIC_RATINGS_HEADER } from '../shared/domain/open-data.js';
import { addDays } from '../shared/domain/time.js';
import { createApp } from '../shared/http/app.js';
import { dashboardRoutes } from '../shared/http/routes/dashboard.js';
import type { TDemoData } from '../shared/local/demo-data.js';
import { seedDemo } from '../shared/local/seed.js';
import { caseFiguresReport } from '../shared/scoring/case-report.js';
import { runRange } from '../shared/scoring/job.js';
import { hallReport } from '../shared/scoring/report.js';
import { listAudit } from '../shared/storage/audit.js';
import { createDynamoClient } from '../shared/storage/client.js';
import { openTable, type TTable } from '../shared/storage/db.js';
import { listRatingsForHallDay } from '../shared/storage/ratings.js';
import { ensureTable } from '../shared/storage/schema.js';
import { verifyHall } from '../scripts/verify.js';
import { demoSignIn, engine, quietLog, stopEngines } from './support/harness.js';

const today = '2026-11-22';
const DAYS = 30;
const clock = { now: Date.parse(`${today}T02:00:00Z`) }; // 10:00 in the halls' time zone
let app: ReturnType<typeof createApp>;
let table: TTable;
let data: TDemoData;
let server: ReturnType<typeof serve>;
let base = '';
const HIDDEN = 'h-xs-binjiang';

function makeApp(tableName: string, env: Record<string, string> = {}) {
  const d = {
    config: loadConfig({ APP_ENV: 'test', TABLE_NAME: tableName, ...env }),
    table,
    keyring: parseKeyring(generateKeyringJson()),
    engine: 'dynalite',
    log: quietLog,
    now: () => clock.now,
  };
  return { d, app: createApp(d, { mount: (a) => a.route('/', dashboardRoutes(d)) }) };
}

beforeAll(async () => {
  const e = await engine('dynalite');
  const client = createDynamoClient({ endpoint: e.endpoint });
  const tableName = `pub-${randomBytes(4).toString('hex')}`;
  await ensureTable(client, tableName);
  table = openTable(client, tableName);
  ({ data } = await seedDemo(table, { today, apiKey: 'st_public_test_key_0001', days: DAYS }));
  await runRange({ table }, addDays(today, -DAYS), addDays(today, -1));
  ({ app } = makeApp(tableName));
  await new Promise<void>((ok) => {
    server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => {
      base = `http://127.0.0.1:${info.port}`;
      ok();
    });
  });
}, 240_000);
afterAll(async () => {
  server?.close();
  await stopEngines();
});

const get = (path: string, headers: Record<string, string> = {}) => app.request(path, { headers });

describe('published figures', () => {
  it('equal `npm run report` (the job\u2019s figures and the 30-day handling) for every demo hall', async () => {
    for (const hall of data.halls) {
      const res = await get(`/api/v1/public/halls/${hall.id}`);
      expect(res.status, hall.id).toBe(200);
      const pub = await res.json();
      const report = (await hallReport(table, hall.id))!;
      const { unit: _u, name: _n, ...figures } = report;
      expect(pub).toMatchObject(figures);
      const cases = await caseFiguresReport({ table, now: () => clock.now }, { hallId: hall.id }, report.date);
      expect(pub.handling).toEqual({
        from: cases.from,
        to: cases.to,
        received: cases.appealRate.opened,
        replyRate: cases.replyRate,
        rectifyRate: cases.rectifyRate,
        followUpSatisfaction: cases.followUpSatisfaction,
        overdueNow: cases.overdueNow,
      });
    }
  });

  it('the hall page shows the temperature and interval, or says there are too few ratings', async () => {
    for (const hall of data.halls) {
      const report = (await hallReport(table, hall.id))!;
      const page = await (await get(`/p/${hall.id}`)).text();
      expect(page).toContain(hall.name);
      if (report.ranked) {
        expect(page).toContain(report.temperature.toFixed(1));
        expect(page).toContain(`${report.low.toFixed(1)}–${report.high.toFixed(1)}`);
        expect(page).toMatch(/<svg viewBox="0 0 720 240" role="img"/);
      } else expect(page).toContain('评价不足20条，暂不显示');
    }
  });

  it('`npm run verify` (its own SPEC §4, over a loopback socket) agrees to 0.01 with every demo hall', async () => {
    for (const hall of data.halls) {
      const v = await verifyHall({ base, hall: hall.id });
      expect(v.difference, `${hall.id}: ${JSON.stringify(v)}`).toBeLessThanOrEqual(0.01);
      expect(v.recomputed.n).toBeCloseTo((await hallReport(table, hall.id))!.n, 1);
    }
    const earlier = await verifyHall({ base, hall: 'h-dh-center', date: addDays(today, -5) });
    expect(earlier.date).toBe(addDays(today, -5));
    expect(earlier.difference).toBeLessThanOrEqual(0.01);
  }, 120_000);

  it('the region page ranks only halls with N ≥ 20 and shows the region’s handling', async () => {
    const page = await (await get('/p/regions/r-city')).text();
    for (const h of data.halls) expect(page).toContain(h.name);
    expect(page).toContain('差评处理');
    const ranked = [...page.matchAll(/<tr><td class="n">(\d+)<\/td><td><a href="\/p\/([\w-]+)">/g)].map((m) => m[2]);
    for (const id of ranked) expect((await hallReport(table, id))!.ranked).toBe(true);
  });
});

describe('open data', () => {
  it('the ratings CSV is the declared columns only: no comment, phone, device or exact time', async () => {
    const from = addDays(today, -DAYS);
    const to = addDays(today, -1);
    const res = await get(`/api/v1/public/regions/r-city/ratings.csv?from=${from}&to=${to}`);
    expect(res.status).toBe(200);
    const text = await res.text();
    const [head, ...rows] = text.trim().split('\n');
    expect(head).toBe(PUBLIC_RATINGS_HEADER);
    const stored = (await Promise.all(data.halls.map((h) => listRatingsForHallDay(table, h.id, addDays(today, -2))))).flat();
    expect(stored.some((r) => r.comment)).toBe(true);
    for (const r of stored) {
      if (r.comment) expect(text).not.toContain(r.comment.slice(0, 6));
      if (r.phoneMasked) expect(text).not.toContain(r.phoneMasked);
      if (r.deviceHash) expect(text).not.toContain(r.deviceHash);
      expect(text).not.toContain(r.createdAt);
    }
    const cols = head.split(',').length;
    for (const row of rows) expect(row.split(',')).toHaveLength(cols);
    expect(rows.length).toBeGreaterThan(100);
  });

  it('issued.csv gives tickets issued per hall and day', async () => {
    const text = await (
      await get(`/api/v1/public/halls/h-dh-center/issued.csv?from=${addDays(today, -7)}&to=${addDays(today, -1)}`)
    ).text();
    const [head, ...rows] = text.trim().split('\n');
    expect(head).toBe('hall,day,issued');
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) expect(row).toMatch(/^h-dh-center,2026-11-\d\d,\d+$/);
  });

  it('refuses a bad range with a specific problem and a bad date on the JSON', async () => {
    const bad = await get('/api/v1/public/halls/h-dh-center/ratings.csv?from=2026-11-20&to=2026-11-01');
    expect(bad.status).toBe(422);
    expect((await bad.json()).detail).toBe('from is after to.');
    const long = await get('/api/v1/public/halls/h-dh-center/ratings.csv?from=2024-01-01&to=2026-11-01');
    expect((await long.json()).detail).toContain('at most 400 days');
    expect((await get('/api/v1/public/halls/h-dh-center?date=yesterday')).status).toBe(422);
    expect((await get('/api/v1/public/halls/h-dh-center?date=2020-01-01')).status).toBe(404);
  });
});

describe('serving', () => {
  const inline = (page: string, tag: string) => [...page.matchAll(new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`, 'g'))].map((m) => m[1]);
  const sha = (s: string) => `'sha256-${createHash('sha256').update(s).digest('base64')}'`;

  it('pages are cacheable, set no cookie, answer 304 to their ETag, and name their inline blocks by hash in the CSP', async () => {
    for (const path of ['/p/h-dh-center', '/p/h-dh-center/board', '/p/regions/r-east']) {
      const res = await get(path);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('cache-control')).toBe('public, max-age=60');
      expect(res.headers.get('set-cookie')).toBeNull();
      const policy = res.headers.get('content-security-policy')!;
      expect(policy).toContain("default-src 'none'");
      expect(policy).not.toContain('unsafe-inline');
      expect(policy).not.toContain('nonce-');
      const page = await res.text();
      for (const block of inline(page, 'style')) expect(policy).toContain(`style-src ${sha(block)}`);
      for (const block of inline(page, 'script')) expect(policy).toContain(`script-src ${sha(block)}`);
      expect(page).not.toMatch(/(src|href)="https?:/); // no third-party requests
      const again = await get(path, { 'if-none-match': res.headers.get('etag')! });
      expect(again.status).toBe(304);
      expect(await again.text()).toBe('');
    }
  });

  it('the board refresh is small JSON with the same text the page shows', async () => {
    const res = await get('/p/h-dh-center/board.json');
    const body = await res.json();
    expect(Object.keys(body.text).sort()).toEqual(['bad', 'bandText', 'good', 'interval', 'onTime', 'temp', 'today', 'upd']);
    expect(body.text.upd).toBe('更新于 10:00');
    const page = await (await get('/p/h-dh-center/board')).text();
    for (const [id, text] of Object.entries(body.text)) expect(page).toContain(`id="${id}">${text}`);
  });

  it('limits each client, with a 429 that says so', async () => {
    const { app: tight } = makeApp(table.name, { RATE_LIMIT_PER_MINUTE: '1' });
    const answers = [];
    for (let i = 0; i < 6; i++) answers.push((await tight.request('/api/v1/public/halls/h-dh-center')).status);
    expect(answers).toEqual([200, 200, 200, 200, 200, 429]);
  });
});

describe('a hall taken off the public pages', () => {
  let cookie = '';
  let csrf = '';
  const toggle = (value: 'on' | 'off') =>
    app.request(`/admin/halls/${HIDDEN}/public`, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: csrf, public: value }).toString(),
    });

  beforeAll(async () => {
    cookie = `st_session=${await demoSignIn(app, 'u-admin')}`;
    const page = await (await app.request(`/admin/halls/${HIDDEN}`, { headers: { cookie } })).text();
    csrf = /name="_csrf" value="([^"]+)"/.exec(page)![1];
    expect(page).toContain('从公开页面撤下');
  });

  it('is a 404 on every public route, exactly like an unknown hall, and leaves the region’s lists; audited', async () => {
    expect((await toggle('off')).status).toBe(303);
    const paths = (id: string) => [
      `/p/${id}`,
      `/p/${id}/board`,
      `/p/${id}/board.json`,
      `/api/v1/public/halls/${id}`,
      `/api/v1/public/halls/${id}/ratings.csv`,
      `/api/v1/public/halls/${id}/issued.csv`,
    ];
    const hidden = paths(HIDDEN);
    const unknown = paths('h-nowhere');
    for (let i = 0; i < hidden.length; i++) {
      const [a, b] = [await get(hidden[i]), await get(unknown[i])];
      expect(a.status, hidden[i]).toBe(404);
      const body = async (r: Response) => (await r.text()).replace(/nonce="[^"]*"/g, ''); // a fresh nonce per page
      expect(await body(a)).toBe(await body(b));
    }
    expect(await (await get('/p/regions/r-west')).text()).not.toContain(HIDDEN);
    const csv = await (await get(`/api/v1/public/regions/r-west/ratings.csv?from=${addDays(today, -7)}&to=${addDays(today, -1)}`)).text();
    expect(csv).not.toContain(HIDDEN);
    expect(csv.split('\n').length).toBeGreaterThan(10);
    const audit = await listAudit(table, { from: today, to: today, units: [{ type: 'hall', id: HIDDEN }] });
    expect(JSON.stringify(audit)).toContain('catalogue.hall_unpublished');
    // an edit of the hall's details keeps it off the public pages
    const edit = await app.request(`/admin/halls/${HIDDEN}`, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        _csrf: csrf,
        name: '西山区滨江街道便民服务中心',
        regionId: 'r-west',
        timezone: 'Asia/Shanghai',
      }).toString(),
    });
    expect(edit.status).toBe(303);
    expect((await get(`/p/${HIDDEN}`)).status).toBe(404);
  });

  it('comes back when made public again', async () => {
    expect((await toggle('on')).status).toBe(303);
    expect((await get(`/p/${HIDDEN}`)).status).toBe(200);
    expect((await toggle('maybe' as 'on')).status).toBe(400);
  });
});
