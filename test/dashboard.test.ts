/** The staff dashboard through app.request(): demo sign-in, and every route walked by every role. */
import { createEndpoint, listEndpoints } from '../shared/storage/notify.js';
import { caseFiguresReport } from '../shared/scoring/case-report.js';
import { randomBytes } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canSeeHall, canSeeRegion, type TTree } from '../shared/domain/access.js';
import { addDays } from '../shared/domain/time.js';
import { generateKeyringJson, parseKeyring } from '../shared/domain/keyring.js';
import { loadConfig } from '../shared/config.js';
import { createApp } from '../shared/http/app.js';
import { dashboardRoutes } from '../shared/http/routes/dashboard.js';
import { seedDemo } from '../shared/local/seed.js';
import { runRange } from '../shared/scoring/job.js';
import { createDynamoClient } from '../shared/storage/client.js';
import { openTable, type TTable } from '../shared/storage/db.js';
import { ensureTable } from '../shared/storage/schema.js';
import { engine, quietLog, stopEngines, demoSignIn } from './support/harness.js';
import type { TDemoData } from '../shared/local/demo-data.js';
import { listApiKeys } from '../shared/storage/api-keys.js';
import { putRegion } from '../shared/storage/catalogue.js';
import { listUsers } from '../shared/storage/users.js';
import { deleteRegion, getHallCatalogue, listHalls, listRegions } from '../shared/storage/catalogue.js';
import { loadCalendarItems } from '../shared/storage/calendar.js';
import { putAlerts } from '../shared/storage/scores.js';
import { NATIONAL_DEFAULT } from '../shared/domain/survey.js';
import { listSurveyVersions } from '../shared/storage/surveys.js';

let app: ReturnType<typeof createApp>;
let data: TDemoData;
let table: TTable;
let deps: Parameters<typeof dashboardRoutes>[0];
const cookies = new Map<string, string>();
const today = '2026-11-22';

const signIn = (userId: string) => demoSignIn(app, userId);

beforeAll(async () => {
  const e = await engine('dynalite');
  const client = createDynamoClient({ endpoint: e.endpoint });
  const tableName = `dash-${randomBytes(4).toString('hex')}`;
  await ensureTable(client, tableName);
  table = openTable(client, tableName);
  ({ data } = await seedDemo(table, { today, apiKey: 'st_dashboard_test_key_01', days: 8 }));
  await runRange({ table }, addDays(today, -8), addDays(today, -1));
  deps = {
    config: loadConfig({ APP_ENV: 'test', TABLE_NAME: tableName }),
    table,
    keyring: parseKeyring(generateKeyringJson()),
    engine: 'dynalite',
    log: quietLog,
  };
  app = createApp(deps, { mount: (a) => a.route('/', dashboardRoutes(deps)) });
  for (const u of data.users) cookies.set(u.id, await signIn(u.id));
}, 120_000);
afterAll(stopEngines);

describe('dashboard sign-in', () => {
  it('offers sign-in when signed out and sends each role home after', async () => {
    const root = await app.request('/');
    expect(await root.text()).toContain('登录');
    expect((await app.request('/halls/h-xs-qingshi')).status).toBe(303); // to /signin
    const home = await app.request('/', { headers: { cookie: `st_session=${cookies.get('u-mgr-qingshi')}` } });
    expect(home.headers.get('location')).toBe('/halls/h-xs-qingshi?lang=zh');
    const sup = await app.request('/', { headers: { cookie: `st_session=${cookies.get('u-sup-west')}` } });
    expect(sup.headers.get('location')).toBe('/regions/r-west?lang=zh');
  });

  it("refuses a sign-in without the form's token, and a forged session", async () => {
    const res = await app.request('/signin/dev', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'userId=u-admin',
    });
    expect(res.status).toBe(403);
    const forged = await app.request('/halls/h-xs-qingshi', {
      headers: { cookie: 'st_session=k1.eyJ1aWQiOiJ1LWFkbWluIiwiZXhwIjo5OTk5OTk5OTk5OTk5LCJjc3JmIjoieCJ9.AAAA' },
    });
    expect(forged.status).toBe(303);
  });

  it("signs out only with the session's token", async () => {
    const session = await signIn('u-admin');
    const bad = await app.request('/signout', {
      method: 'POST',
      headers: { cookie: `st_session=${session}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: '_csrf=nope',
    });
    expect(bad.status).toBe(403);
  });
});

describe('every route, every role: nothing leaks', () => {
  it('shows each user exactly the halls and regions in scope, and 404 with no data elsewhere', async () => {
    const tree: TTree = {
      regionParent: new Map(data.regions.map((r) => [r.id, r.parentId])),
      hallRegion: new Map(data.halls.map((h) => [h.id, h.regionId])),
    };
    let allowed = 0;
    let refused = 0;
    for (const user of data.users) {
      const cookie = { headers: { cookie: `st_session=${cookies.get(user.id)}` } };
      for (const hall of data.halls) {
        const res = await app.request(`/halls/${hall.id}`, cookie);
        const body = await res.text();
        if (canSeeHall(user, tree, hall.id)) {
          allowed++;
          expect(res.status, `${user.id} → ${hall.id}`).toBe(200);
          expect(body).toContain(hall.name);
          expect(body).toMatch(/服务温度/);
        } else {
          refused++;
          expect(res.status, `${user.id} → ${hall.id}`).toBe(404);
          expect(body).not.toContain(hall.name);
        }
      }
      for (const region of data.regions) {
        const res = await app.request(`/regions/${region.id}`, cookie);
        const body = await res.text();
        if (canSeeRegion(user, tree, region.id)) {
          allowed++;
          expect(res.status, `${user.id} → ${region.id}`).toBe(200);
          expect(body).toContain(region.name);
        } else {
          refused++;
          expect(res.status, `${user.id} → ${region.id}`).toBe(404);
          expect(body).not.toContain(region.name);
          for (const h of data.halls) expect(body).not.toContain(h.name);
        }
      }
      for (const path of ['/halls/h-nope', '/regions/r-nope']) expect((await app.request(path, cookie)).status).toBe(404);
    }
    expect(allowed).toBeGreaterThan(10);
    expect(refused).toBeGreaterThan(10);
  });

  it('walks the JSON API the same way: 401 without a session, 404 problem outside scope, the report inside', async () => {
    const tree: TTree = {
      regionParent: new Map(data.regions.map((r) => [r.id, r.parentId])),
      hallRegion: new Map(data.halls.map((h) => [h.id, h.regionId])),
    };
    for (const path of ['/api/v1/me', '/api/v1/halls/h-xs-qingshi/report', '/api/v1/regions/r-city/report']) {
      const res = await app.request(path);
      expect(res.status, path).toBe(401);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
    }
    for (const user of data.users) {
      const cookie = { headers: { cookie: `st_session=${cookies.get(user.id)}` } };
      expect(await (await app.request('/api/v1/me', cookie)).json()).toMatchObject({ id: user.id, role: user.role });
      for (const hall of data.halls) {
        const res = await app.request(`/api/v1/halls/${hall.id}/report`, cookie);
        const body = await res.text();
        if (canSeeHall(user, tree, hall.id)) {
          expect(res.status, `${user.id} → ${hall.id}`).toBe(200);
          expect(JSON.parse(body)).toMatchObject({ hallId: hall.id, band: expect.any(String) });
        } else {
          expect(res.status, `${user.id} → ${hall.id}`).toBe(404);
          expect(body).not.toContain('temperature');
        }
      }
      for (const region of data.regions) {
        const res = await app.request(`/api/v1/regions/${region.id}/report`, cookie);
        expect(res.status, `${user.id} → ${region.id}`).toBe(canSeeRegion(user, tree, region.id) ? 200 : 404);
      }
    }
    const { hallReport } = await import('../shared/scoring/report.js');
    const cookie = { headers: { cookie: `st_session=${cookies.get('u-admin')}` } };
    const { cases, ...figures } = await (await app.request('/api/v1/halls/h-dh-center/report', cookie)).json();
    expect(figures).toEqual(await hallReport(table, 'h-dh-center'));
    // and the hall's handling of its bad ratings over 30 days (issue 9), as npm run report gives it
    expect(cases).toEqual(await caseFiguresReport({ table }, { hallId: 'h-dh-center' }, figures.date));
  });

  it('shows a hall the same temperature as `npm run report` computes, with windows, services and the trend', async () => {
    const { hallReport } = await import('../shared/scoring/report.js');
    const cookie = { headers: { cookie: `st_session=${cookies.get('u-mgr-qingshi')}` } };
    const page = await (await app.request('/halls/h-xs-qingshi', cookie)).text();
    const report = (await hallReport(table, 'h-xs-qingshi'))!;
    expect(page).toContain(`<div class="big">${report.temperature.toFixed(1)}</div>`);
    expect(page).toContain(`${report.low.toFixed(1)}–${report.high.toFixed(1)}`);
    expect(page).toContain('窗口');
    expect(page).toContain('近90天趋势');
    expect(page).toMatch(/冰冷/);
    const en = await (await app.request('/halls/h-xs-qingshi?lang=en', cookie)).text();
    expect(en).toContain('Temperature');
  });

  it('exports ratings and scores as CSV that Excel reads (BOM), scoped like the pages', async () => {
    const cookie = { headers: { cookie: `st_session=${cookies.get('u-mgr-qingshi')}` } };
    const day = addDays(today, -1);
    const res = await app.request(`/halls/h-xs-qingshi/export/ratings?from=${addDays(today, -8)}&to=${day}`, cookie);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = new TextDecoder().decode(bytes.slice(3)).trim().split('\n');
    expect(lines[0]).toBe(
      'id,time,day,window,service,channel,overall,attitude,efficiency,competence,trips,done,reasons,flagged,survey_version,extra',
    );
    expect(lines.length - 1).toBe(data.ratings.filter((r) => r.hallId === 'h-xs-qingshi').length);
    const scoresCsv = await (await app.request(`/halls/h-xs-qingshi/export/scores?from=${addDays(today, -8)}&to=${day}`, cookie)).text();
    expect(scoresCsv.trim().split('\n')).toHaveLength(1 + 8);
    // Compressed for clients that take gzip (browsers do; a Lambda response is capped at 6 MB): same rows, fewer bytes.
    const gz = await app.request(`/halls/h-xs-qingshi/export/ratings?from=${addDays(today, -8)}&to=${day}`, {
      headers: { ...cookie.headers, 'accept-encoding': 'gzip' },
    });
    expect(gz.headers.get('content-encoding')).toBe('gzip');
    const packed = Buffer.from(await gz.arrayBuffer());
    expect(new Uint8Array(gunzipSync(packed))).toEqual(bytes);
    expect(packed.length).toBeLessThan(bytes.length / 3);
    expect((await app.request('/halls/h-dh-center/export/ratings', cookie)).status).toBe(404);
    expect((await app.request('/halls/h-xs-qingshi/export/ratings?from=bad', cookie)).status).toBe(400);
  });

  it("prints every window's placard of a hall on one page", async () => {
    const cookie = { headers: { cookie: `st_session=${cookies.get('u-mgr-qingshi')}` } };
    const page = await (await app.request('/halls/h-xs-qingshi/placards', cookie)).text();
    const windows = data.windows.filter((w) => w.hallId === 'h-xs-qingshi');
    expect(page.match(/<section class="placard">/g)).toHaveLength(windows.length);
    expect(page.match(/<svg/g)?.length).toBe(windows.length);
    expect(page).toContain('@page{size:A6');
    expect((await app.request('/halls/h-dh-center/placards', cookie)).status).toBe(404);
  });

  it('lets an administrator create a machine key (shown once, stored hashed) and revoke one; nobody else may', async () => {
    const admin = `st_session=${cookies.get('u-admin')}`;
    const form = await (await app.request('/admin/halls/h-xs-center/keys', { headers: { cookie: admin } })).text();
    const csrf = /name="_csrf" value="([^"]+)"/.exec(form)![1];
    const post = (path: string, body: Record<string, string>) =>
      app.request(path, {
        method: 'POST',
        headers: { cookie: admin, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(body).toString(),
      });
    const created = await (await post('/admin/halls/h-xs-center/keys', { _csrf: csrf, label: '二号取号机' })).text();
    const keyA = /<code>(st_[\w-]+)<\/code>/.exec(created)![1];
    const keyB = /<code>(st_[\w-]+)<\/code>/.exec(
      await (await post('/admin/halls/h-xs-center/keys', { _csrf: csrf, label: '三号取号机' })).text(),
    )![1];
    expect((await app.request('/api/v1/hall', { headers: { authorization: `Bearer ${keyA}` } })).status).toBe(200);
    const listed = await (await app.request('/admin/halls/h-xs-center/keys', { headers: { cookie: admin } })).text();
    expect(listed).toContain('二号取号机');
    expect(listed).not.toContain(keyA); // never shown again
    const idB = [...listed.matchAll(/keys\/([0-9a-f]{12})\/revoke/g)].map((m) => m[1]);
    expect(idB).toHaveLength(2);
    for (const id of idB) expect((await post(`/admin/halls/h-xs-center/keys/${id}/revoke`, { _csrf: csrf })).status).toBe(303);
    // revoked before first use
    expect((await app.request('/api/v1/hall', { headers: { authorization: `Bearer ${keyB}` } })).status).toBe(401);
    expect((await post('/admin/halls/h-xs-center/keys', { _csrf: 'wrong', label: 'x' })).status).toBe(403);
    for (const u of data.users.filter((x) => x.role !== 'admin')) {
      expect(
        (await app.request('/admin/halls/h-xs-center/keys', { headers: { cookie: `st_session=${cookies.get(u.id)}` } })).status,
        u.id,
      ).toBe(404);
    }
  });

  const adminOnlyTitle =
    'keeps every administration route (GET and POST) to administrators: 404 to other staff, sign-in to strangers, nothing written';
  it(adminOnlyTitle, async () => {
    const hall = 'h-xs-qingshi';
    const win = data.windows.find((w) => w.hallId === hall)!.id;
    const svc = data.services.find((x) => x.hallId === hall)!.id;
    await putRegion(table, { id: 'r-empty', name: '待删街道', parentId: 'r-west', level: 'street' }); // a region a leak could delete
    const [keyHash] = (await listApiKeys(table, 'h-dh-center')).map((k) => k.keyId);
    // Each body would succeed for an administrator, so a missing gate would show as a write.
    const requests: [string, string, Record<string, string>?][] = [
      ['GET', '/admin/regions'],
      ['GET', '/admin/regions/r-west'],
      ['GET', `/admin/halls/${hall}`],
      ['GET', `/admin/halls/${hall}/keys`],
      ['GET', '/admin/users'],
      ['GET', '/admin/users/u-sup-west'],
      ['GET', '/admin/audit'], // issue 9: the audit trail and its CSV
      ['GET', '/admin/audit.csv'],
      ['POST', '/admin/regions', { id: 'r-sneak', name: '潜入街道', parentId: 'r-west', level: 'street' }],
      ['POST', '/admin/regions/r-west', { name: '被改名区', parentId: 'r-city', level: 'district' }],
      ['POST', '/admin/regions/r-empty/delete', {}],
      ['POST', '/admin/halls', { id: 'h-sneak', name: '潜入大厅', regionId: 'r-west', timezone: 'Asia/Shanghai' }],
      ['POST', `/admin/halls/${hall}`, { name: '被改名大厅', regionId: 'r-west', timezone: 'Asia/Shanghai' }],
      ['POST', `/admin/halls/${hall}/windows`, { id: 'w-sneak', name: '潜入窗口' }],
      ['POST', `/admin/halls/${hall}/windows/${win}`, { name: '被改名窗口' }],
      ['POST', `/admin/halls/${hall}/windows/${win}/retire`, {}],
      ['POST', `/admin/halls/${hall}/services`, { id: 's-sneak', name: '潜入事项' }],
      ['POST', `/admin/halls/${hall}/services/${svc}`, { name: '被改名事项' }],
      ['POST', `/admin/halls/${hall}/services/${svc}/retire`, {}],
      ['POST', `/admin/halls/h-dh-center/services/${data.services.find((x) => x.hallId === 'h-dh-center')!.id}/restore`, {}],
      ['POST', '/admin/users', { id: 'u-sneak', name: '潜入者', role: 'admin', scope: '*' }],
      ['POST', '/admin/users/u-mgr-gangkou', { name: '潜入者', role: 'admin', scope: '*' }],
      ['POST', '/admin/users/u-sup-west/unbind', {}],
      ['POST', '/admin/users/u-sup-west/sessions/end', {}],
      ['POST', '/admin/users/u-mgr-gangkou/remove', {}],
      ['POST', `/admin/halls/${hall}/keys`, { label: '潜入' }],
      ['POST', `/admin/halls/${hall}/public`, { public: 'off' }], // issue 12: off the public pages
      ['POST', `/admin/halls/h-dh-center/keys/${keyHash}/revoke`, {}],
      ['GET', '/admin/calendar'], // issue 9: the calendar's administration
      ['POST', '/admin/calendar/overrides', { regionId: 'r-west', day: '2026-12-01', kind: 'closed', note: '潜入' }],
      ['POST', '/admin/calendar/overrides/remove', { regionId: 'r-west', day: '2026-12-01' }],
      ['POST', '/admin/calendar/deadlines', { regionId: 'r-west', contactDays: '9' }],
      ['GET', '/admin/webhooks'], // issue 14: webhook endpoints, their delivery log, redelivery, removal
      ['GET', '/admin/webhooks/wh-leak'],
      [
        'POST',
        '/admin/webhooks',
        { label: '潜入', regionId: 'r-west', url: 'https://sneak.example/h', format: 'standard', 'kind-case.opened': '1' },
      ],
      ['POST', '/admin/webhooks/wh-leak/redeliver', { eventId: 'evt_000000000000000000000000' }],
      ['POST', '/admin/webhooks/wh-leak/remove', {}],
      ['GET', '/admin/surveys'], // issue 16: survey definitions, their preview and publishing
      ['GET', '/admin/surveys/preview'],
      ['POST', '/admin/surveys', { scope: `H#${hall}`, definition: JSON.stringify(NATIONAL_DEFAULT) }],
      ['POST', '/admin/surveys/publish', { scope: 'ALL', n: '1' }],
    ];
    await createEndpoint(table, {
      ...{ id: 'wh-leak', regionId: 'r-west', url: 'https://x.example/h', kinds: ['case.opened'], format: 'standard' as const },
      ...{ secretSealed: 'k.x.y.z', label: 'leak', createdAt: '2026-11-01T00:00:00.000Z', createdBy: 'u-admin' },
    });
    // Every administration route the app has is in the list above (a new one cannot be forgotten here).
    const routes = dashboardRoutes(deps).routes.filter((x) => x.path.startsWith('/admin') && x.method !== 'ALL');
    expect(routes.length).toBeGreaterThan(15);
    for (const route of routes) {
      const pattern = new RegExp(`^${route.path.replace(/:\w+\{([^}]+)\}/g, '($1)').replace(/:\w+/g, '[^/]+')}$`);
      expect(
        requests.some(([m, p]) => m === route.method && pattern.test(p)),
        `${route.method} ${route.path} is walked`,
      ).toBe(true);
    }
    const snapshot = async () => ({
      regions: await listRegions(table),
      halls: await listHalls(table),
      users: await listUsers(table),
      catalogues: await Promise.all(data.halls.map((h) => getHallCatalogue(table, h.id))),
      keys: [await listApiKeys(table, hall), await listApiKeys(table, 'h-dh-center')],
      calendar: await loadCalendarItems(table),
      webhooks: await listEndpoints(table),
      surveys: [await listSurveyVersions(table, `H#${hall}`), await listSurveyVersions(table, 'ALL')],
    });
    const before = await snapshot();
    const send = (method: string, path: string, body: Record<string, string> | undefined, cookie?: string, csrf?: string) =>
      app.request(
        path,
        method === 'GET'
          ? { headers: cookie ? { cookie } : {} }
          : {
              method,
              headers: { ...(cookie ? { cookie } : {}), 'content-type': 'application/x-www-form-urlencoded' },
              body: new URLSearchParams({ ...(csrf ? { _csrf: csrf } : {}), ...body }).toString(),
            },
      );
    for (const [method, path, body] of requests) {
      const res = await send(method, path, body);
      expect(res.status, `anonymous ${method} ${path}`).toBe(303);
      expect(res.headers.get('location')).toMatch(/^\/signin\?lang=zh&next=%2Fadmin%2F/);
    }
    for (const user of data.users.filter((u) => u.role !== 'admin')) {
      const cookie = `st_session=${cookies.get(user.id)}`;
      const csrf = /name="_csrf" value="([^"]+)"/.exec(await (await app.request('/admin/regions', { headers: { cookie } })).text())![1];
      for (const [method, path, body] of requests) {
        const res = await send(method, path, body, cookie, csrf);
        const page = await res.text();
        expect(res.status, `${user.id} ${method} ${path}`).toBe(404);
        expect(page).toContain('找不到这个单位，或您无权查看。');
        expect(page).not.toContain('区域与大厅');
      }
    }
    expect(await snapshot()).toEqual(before);
    const admin = `st_session=${cookies.get('u-admin')}`;
    for (const [method, path] of requests.filter(([m]) => m === 'GET'))
      expect((await send(method, path, undefined, admin)).status, path).toBe(200);
    await deleteRegion(table, 'r-empty');
  });

  it('lists a district\'s halls in a league table, cold ones under "needs attention"', async () => {
    const page = await (await app.request('/regions/r-west', { headers: { cookie: `st_session=${cookies.get('u-sup-west')}` } })).text();
    expect(page).toContain('需要关注');
    expect(page.indexOf('西山区青石镇便民服务中心')).toBeLessThan(page.indexOf('排名'));
  });

  it("lists the alerts of a region's halls (30 days, newest first), and none from outside it", async () => {
    const day = addDays(today, -1);
    const gangkouDay = addDays(day, -12);
    await putAlerts(table, [
      { hallId: 'h-xs-qingshi', day, kind: 'turned-cold', figures: { temperature: 38.2 } },
      // issue 13: alerts are grouped into episodes; a night inside the demo's own gangkou episode would join it, so this
      // one lies before the seeded history and stays an episode of its own (one line).
      { hallId: 'h-dh-gangkou', day: gangkouDay, kind: 'cusum', figures: { temperature: 61 } },
      { hallId: 'h-xs-qingshi', day: addDays(day, -40), kind: 'cusum', figures: {} }, // too old
    ]);
    const west = await (await app.request('/regions/r-west', { headers: { cookie: `st_session=${cookies.get('u-sup-west')}` } })).text();
    const list = west.slice(west.indexOf('近30天预警'));
    expect(list).toContain(`${day} · <a href="/halls/h-xs-qingshi?lang=zh">西山区青石镇便民服务中心</a> — 转为冰冷`);
    expect(list).not.toContain('h-dh-gangkou');
    expect(list).not.toContain(addDays(day, -40));
    const city = await (await app.request('/regions/r-city', { headers: { cookie: `st_session=${cookies.get('u-sup-city')}` } })).text();
    const all = city.slice(city.indexOf('近30天预警'));
    expect(all).toContain(`${gangkouDay} · <a href="/halls/h-dh-gangkou?lang=zh">`);
    // one line per episode: the demo's run of nightly gangkou alerts is one line, the old lone alert another
    expect([...all.matchAll(/<li>[^<]*<a href="\/halls\/h-dh-gangkou/g)]).toHaveLength(2);
    const days = [...all.matchAll(/<li>(\d{4}-\d\d-\d\d) · /g)].map((m) => m[1]);
    expect(days).toEqual([...days].sort().reverse()); // newest first
  });
});

describe('issue 13: what each user sees first', () => {
  const as = (user: string) => ({ headers: { cookie: `st_session=${cookies.get(user)}` } });

  it('says the figures are being computed and how far along while the first start scores the history', async () => {
    deps.scoring = () => ({ done: 12, total: 90 });
    try {
      const hall = await (await app.request('/halls/h-xs-qingshi', as('u-mgr-qingshi'))).text();
      expect(hall).toContain('正在计算服务温度：12 / 90 夜');
      const region = await (await app.request('/regions/r-west?lang=en', as('u-sup-west'))).text();
      expect(region).toContain('Computing the temperatures: 12 / 90 nights');
    } finally {
      delete deps.scoring;
    }
    expect(await (await app.request('/halls/h-xs-qingshi', as('u-mgr-qingshi'))).text()).not.toContain('正在计算');
  });

  it('gives people a CSV with Chinese headers, window names and reason labels beside the machine CSV', async () => {
    const day = addDays(today, -1);
    const res = await app.request(`/halls/h-xs-qingshi/export/people?from=${addDays(today, -8)}&to=${day}`, as('u-mgr-qingshi'));
    expect(res.status).toBe(200);
    const lines = (await res.text())
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    expect(lines[0]).toBe(
      '评价编号,时间,日期,窗口,事项,渠道,总体评价,服务态度,服务效率,服务水平,跑了几次,办成了吗,不满意原因,留言,可疑标记,问卷版本,附加问题',
    );
    const windows = data.windows.filter((w) => w.hallId === 'h-xs-qingshi');
    const body = lines.slice(1).join('\n');
    expect(windows.some((w) => body.includes(`,${w.name},`))).toBe(true); // names, not ids
    expect(body).not.toMatch(/,w\d+,/);
    expect(body).not.toMatch(/wait_long|rude|more_documents/); // reason labels, not codes
    expect((await app.request(`/halls/h-dh-center/export/people`, as('u-mgr-qingshi'))).status).toBe(404); // scoped like the rest
  });

  it('shows the hall and its windows by their English names on English pages', async () => {
    const en = await (await app.request('/halls/h-xs-qingshi?lang=en', as('u-mgr-qingshi'))).text();
    const hall = data.halls.find((h) => h.id === 'h-xs-qingshi')!;
    expect(hall.nameEn).toBeTruthy();
    expect(en).toContain(`<h1>${hall.nameEn}</h1>`);
    const win = data.windows.find((w) => w.hallId === 'h-xs-qingshi' && w.nameEn)!;
    expect(en).toContain(win.nameEn);
  });

  it('gives a dimension figures in the report JSON only with enough answers of its own', async () => {
    const report = await (await app.request('/api/v1/halls/h-xs-qingshi/report', as('u-mgr-qingshi'))).json();
    for (const d of Object.values(report.dimensions) as { temperature: number | null; n: number }[])
      expect(d.temperature === null ? d.n < 5 : d.n >= 5).toBe(true);
  });
});
