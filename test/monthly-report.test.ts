/**
 * The monthly report over a scored demo city: its figures are the dashboard's for the same month (the hall and
 * region JSON reports on the month's last day, the handling figures of the month's days), it reads stored figures
 * only (far fewer items than the month's ratings), and staff see their scope only.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../shared/config.js';
import { generateKeyringJson, parseKeyring } from '../shared/domain/keyring.js';
import { LINK_WINDOW } from '../shared/domain/matters.js';
import { addDays } from '../shared/domain/time.js';
import { createApp } from '../shared/http/app.js';
import { dashboardRoutes } from '../shared/http/routes/dashboard.js';
import { seedDemo } from '../shared/local/seed.js';
import { caseFiguresReport } from '../shared/scoring/case-report.js';
import { runRange } from '../shared/scoring/job.js';
import { monthDays, monthlyReport } from '../shared/scoring/monthly.js';
import { createDynamoClient } from '../shared/storage/client.js';
import { openTable, type TTable } from '../shared/storage/db.js';
import { putRating } from '../shared/storage/ratings.js';
import { ensureTable } from '../shared/storage/schema.js';
import { demoSignIn, engine, quietLog, stopEngines } from './support/harness.js';

let app: ReturnType<typeof createApp>;
let table: TTable;
const today = '2026-11-02';
const now = () => Date.parse('2026-11-02T04:00:00Z');
const cookies = new Map<string, string>();
const as = (userId: string, path: string) => app.request(path, { headers: { cookie: `st_session=${cookies.get(userId)}` } });

beforeAll(async () => {
  const e = await engine('dynalite');
  const client = createDynamoClient({ endpoint: e.endpoint });
  const tableName = `month-${randomBytes(4).toString('hex')}`;
  await ensureTable(client, tableName);
  table = openTable(client, tableName);
  await seedDemo(table, { today, apiKey: 'st_monthly_test_key_0001', days: 33 });
  // matters done online or by phone (issue 16's link channel): rated under the hall's pseudo window `_online`
  for (let i = 0; i < 62; i++) {
    const day = addDays('2026-10-01', i % 31);
    await putRating(table, {
      ratingId: `mlink${String(i).padStart(4, '0')}`,
      channel: 'link',
      hallId: 'h-xs-qingshi',
      windowId: LINK_WINDOW,
      createdAt: `${day}T02:${String(10 + (i % 40)).padStart(2, '0')}:00.000Z`,
      day,
      overall: i % 3 ? 5 : 4,
    });
  }
  await runRange({ table }, addDays(today, -33), addDays(today, -1));
  const deps = {
    config: loadConfig({ APP_ENV: 'test', TABLE_NAME: tableName }),
    table,
    keyring: parseKeyring(generateKeyringJson()),
    engine: 'dynalite' as const,
    log: quietLog,
    now,
  };
  app = createApp(deps, { mount: (a) => a.route('/', dashboardRoutes(deps)) });
  for (const id of ['u-admin', 'u-sup-west', 'u-mgr-qingshi', 'u-sup-city']) cookies.set(id, await demoSignIn(app, id));
}, 240_000);
afterAll(stopEngines);

describe('monthly report', () => {
  it('months: first and last day, leap years', () => {
    expect(monthDays('2026-10')).toEqual({ first: '2026-10-01', last: '2026-10-31' });
    expect(monthDays('2028-02')).toEqual({ first: '2028-02-01', last: '2028-02-29' });
    expect(monthDays('2026-12')).toEqual({ first: '2026-12-01', last: '2026-12-31' });
  });

  it("a hall's month: the dashboard's figures on the month's last day and its handling figures of the month", async () => {
    const res = await as('u-mgr-qingshi', '/reports/h-xs-qingshi/2026-10');
    expect(res.status).toBe(200);
    const page = await res.text();
    const dash = await (await as('u-mgr-qingshi', '/api/v1/halls/h-xs-qingshi/report?date=2026-10-31')).json();
    const before = table.itemsRead;
    const report = (await monthlyReport({ table, now }, { hallId: 'h-xs-qingshi' }, '2026-10'))!;
    const read = table.itemsRead - before;
    expect(report.to).toBe('2026-10-31');
    expect(report.complete).toBe(true);
    const { hallId: _h, cases: _c, ...figures } = dash;
    expect(report.figures).toEqual(figures); // temperature, interval, band, N, rates, dimensions: the same object
    const cases = await caseFiguresReport({ table, now }, { hallId: 'h-xs-qingshi' }, '2026-10-31', 31);
    const { from: _f, to: _t, ...handling } = cases;
    expect(report.cases).toEqual(handling);
    expect(report.ratings.total).toBeGreaterThan(100);
    expect(read).toBeLessThan(report.ratings.total); // stored figures and cases only: no scan of the month's ratings
    expect(report.daily.map((d) => d.day)).toEqual([...Array(31).keys()].map((i) => addDays('2026-10-01', i)));
    // the page shows those same numbers
    expect(page).toContain('2026年10月 服务温度月报');
    expect(page).toContain(`<div class="big">${dash.temperature.toFixed(1)}</div>`);
    expect(page).toContain(`${dash.low.toFixed(1)}–${dash.high.toFixed(1)}`);
    expect(page).toContain(`<td class="num">${report.ratings.total}</td>`);
    expect(page).toMatch(/<svg class="chart"[^>]*aria-label="本月每日服务温度/);
    expect(page).toContain('@page{size:A4 portrait');
    // best and worst windows are ranked ones only, never the same window twice
    for (const bw of [report.windows!, report.services!]) {
      expect([...bw.best, ...bw.worst].every((x) => x.r.ranked && x.r.n >= 20)).toBe(true);
      expect(new Set([...bw.best, ...bw.worst].map((x) => x.id)).size).toBe(bw.best.length + bw.worst.length);
    }
  });

  it('matters done online or by phone read 线上/电话办理, never the raw `_online`: hall page, monthly report, CSV', async () => {
    const report = (await monthlyReport({ table, now }, { hallId: 'h-xs-qingshi' }, '2026-10'))!;
    const online = [...report.windows!.best, ...report.windows!.worst].find((x) => x.id === LINK_WINDOW);
    expect(online?.name).toBe('线上/电话办理'); // 62 good ratings: ranked, and among the best
    const month = await (await as('u-mgr-qingshi', '/reports/h-xs-qingshi/2026-10')).text();
    expect(month).toContain('线上/电话办理');
    expect(await (await as('u-mgr-qingshi', '/reports/h-xs-qingshi/2026-10?lang=en')).text()).toContain('Online / by phone');
    const hall = await (await as('u-mgr-qingshi', '/halls/h-xs-qingshi')).text();
    expect(hall).toMatch(/<td>线上\/电话办理<\/td>/);
    const csv = await (await as('u-mgr-qingshi', '/halls/h-xs-qingshi/export/people?from=2026-10-01&to=2026-10-31')).text();
    expect(csv.split('\r\n').find((l) => l.startsWith('mlink0001,'))).toContain(',线上/电话办理,');
    for (const page of [month, hall, csv]) expect(page).not.toContain('_online');
  });

  it("a region's month: its figures equal the region report's, its units side by side", async () => {
    const res = await as('u-sup-west', '/reports/r-west/2026-10');
    expect(res.status).toBe(200);
    const page = await res.text();
    const dash = await (await as('u-sup-west', '/api/v1/regions/r-west/report?date=2026-10-31')).json();
    const report = (await monthlyReport({ table, now }, { regionId: 'r-west' }, '2026-10'))!;
    expect(report.figures).toEqual(dash.region);
    expect(report.units!.map((u) => u.r).sort((a, b) => a.unit.localeCompare(b.unit))).toEqual(
      [...dash.children].sort((a: { unit: string }, b: { unit: string }) => a.unit.localeCompare(b.unit)),
    );
    const cases = await caseFiguresReport({ table, now }, { regionId: 'r-west' }, '2026-10-31', 31);
    const { from: _f, to: _t, ...handling } = cases;
    expect(report.cases).toEqual(handling);
    for (const u of report.units!) expect(page).toContain(u.name);
    expect(page).not.toContain('东湖区');
  });

  it('a running month shows its last scored day; a month with nothing scored is a kind 404; a bad month a 400', async () => {
    const running = (await monthlyReport({ table, now }, { hallId: 'h-xs-qingshi' }, '2026-11'))!;
    expect(running).toMatchObject({ to: '2026-11-01', complete: false });
    expect(await (await as('u-mgr-qingshi', '/reports/h-xs-qingshi/2026-11')).text()).toContain('本月尚未结束');
    const none = await as('u-mgr-qingshi', '/reports/h-xs-qingshi/2026-12');
    expect(none.status).toBe(404);
    expect(await none.text()).toContain('这个月还没有评分结果');
    expect((await as('u-mgr-qingshi', '/reports/h-xs-qingshi/2025-01')).status).toBe(404);
    for (const bad of ['2026-13', '2026-1', 'latest']) expect((await as('u-mgr-qingshi', `/reports/h-xs-qingshi/${bad}`)).status).toBe(400);
  });

  it('scope: the same 404 outside it as for a unit that does not exist; sign-in first', async () => {
    expect((await as('u-mgr-qingshi', '/reports/h-dh-center/2026-10')).status).toBe(404); // another hall
    expect((await as('u-mgr-qingshi', '/reports/r-west/2026-10')).status).toBe(404); // its own region: not a supervisor's view
    expect((await as('u-sup-west', '/reports/r-east/2026-10')).status).toBe(404);
    expect((await as('u-sup-west', '/reports/h-dh-center/2026-10')).status).toBe(404);
    expect((await as('u-sup-west', '/reports/nowhere/2026-10')).status).toBe(404);
    expect((await as('u-sup-city', '/reports/r-east/2026-10')).status).toBe(200);
    expect((await as('u-admin', '/reports/h-dh-center/2026-10')).status).toBe(200);
    const out = await app.request('/reports/h-xs-qingshi/2026-10');
    expect(out.status).toBe(303);
    expect(out.headers.get('location')).toContain('/signin');
  });
});
