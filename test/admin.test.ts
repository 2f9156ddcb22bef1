/**
 * Administration through app.request() on dynalite: every change shows up where it matters (tree, scope, placards,
 * the machine API), every refusal is a 400 with its own message and leaves the table exactly as it was.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_ERRORS, type TAdminError } from '../shared/domain/admin.js';
import { unitId } from '../shared/domain/aggregate.js';
import { localDay } from '../shared/domain/time.js';
import type { createApp } from '../shared/http/app.js';
import { runRange } from '../shared/scoring/job.js';
import type { TTable } from '../shared/storage/db.js';
import { demoWorld, json, staffSession, stopEngines } from './support/harness.js';
import { getUser, listUsers, putUser } from '../shared/storage/users.js';
import { getHallCatalogue, listHalls, listRegions } from '../shared/storage/catalogue.js';
import { listRatingsForHallDay } from '../shared/storage/ratings.js';
import { getSnapshots } from '../shared/storage/scores.js';

const today = '2026-11-22';
const API_KEY = 'st_admin_test_key_0001';
const HALL = 'h-dh-center'; // the demo hall the API key belongs to
let app: ReturnType<typeof createApp>;
let table: TTable;
const clock = { now: Date.parse(`${today}T02:00:00Z`) }; // 10:00 in the halls' time zone
const sessions = new Map<string, { cookie: string; csrf: string }>();

async function signIn(userId: string) {
  sessions.set(userId, await staffSession(app, userId));
}

const get = (path: string, as = 'u-admin') => app.request(path, { headers: { cookie: sessions.get(as)!.cookie } });
const post = (path: string, body: Record<string, string>, as = 'u-admin', csrf: string | null = sessions.get(as)!.csrf) =>
  app.request(path, {
    method: 'POST',
    headers: { cookie: sessions.get(as)!.cookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(csrf === null ? body : { _csrf: csrf, ...body }).toString(),
  });
const machine = async (path: string, init: RequestInit = {}): Promise<Response> =>
  app.request(`/api/v1${path}`, { ...init, headers: { authorization: `Bearer ${API_KEY}`, ...(init.headers as Record<string, string>) } });

/** Everything the administration pages can change, in a stable order. */
async function snapshot() {
  const byId = <T extends { id: string }>(xs: T[]) => [...xs].sort((a, b) => a.id.localeCompare(b.id));
  const halls = byId(await listHalls(table));
  return {
    regions: byId(await listRegions(table)),
    halls,
    catalogues: await Promise.all(halls.map((h) => getHallCatalogue(table, h.id))),
    users: byId(await listUsers(table)),
  };
}

/** A refusal: 400, the field's message in the page (zh), the typed values kept, nothing written. */
async function refused(path: string, body: Record<string, string>, error: TAdminError, as = 'u-admin') {
  const before = await snapshot();
  const res = await post(path, body, as);
  const page = await res.text();
  expect(res.status, `${path} ${JSON.stringify(body)}`).toBe(400);
  expect(page, error).toContain(htmlEscape(ADMIN_ERRORS[error].zh));
  // What was typed comes back (choices from lists cannot hold an unknown value, so only the typed fields are checked).
  for (const [k, v] of Object.entries(body))
    if (TYPED.has(k) && v.trim()) expect(page, `${k} kept`).toContain(`value="${htmlEscape(v.trim())}"`);
  expect(await snapshot()).toEqual(before);
  return page;
}
const TYPED = new Set(['id', 'name', 'nameEn', 'timezone', 'open', 'close', 'email']);
const htmlEscape = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

beforeAll(async () => {
  ({ table, app } = await demoWorld({
    prefix: 'admin',
    today: today,
    apiKey: API_KEY,
    clock,
    days: 2,
    env: { PUBLIC_BASE_URL: 'https://rate.example.test' },
  }));
  for (const id of ['u-admin', 'u-sup-city', 'u-sup-west', 'u-mgr-qingshi', 'u-mgr-gangkou']) await signIn(id);
}, 120_000);
afterAll(stopEngines);

describe('the region tree', () => {
  const title =
    "shows every region, sub-region and hall, linked to the hall's admin page, placards and keys; the header links administrators here";
  it(title, async () => {
    const home = await (await get('/regions/r-city')).text();
    expect(home).toContain('href="/admin/regions?lang=zh">管理</a>');
    expect(await (await get('/regions/r-city', 'u-sup-city')).text()).not.toContain('/admin/regions');
    const res = await get('/admin/regions');
    expect(res.status).toBe(200);
    const page = await res.text();
    for (const r of await listRegions(table)) expect(page).toContain(`href="/admin/regions/${r.id}?lang=zh">${r.name}</a>`);
    for (const h of await listHalls(table)) {
      for (const link of [`/admin/halls/${h.id}?lang=zh`, `/halls/${h.id}/placards?lang=zh`, `/admin/halls/${h.id}/keys?lang=zh`])
        expect(page).toContain(`href="${link}"`);
    }
    // nested: 青川市 › 西山区 › its halls
    expect(page.indexOf('青川市')).toBeLessThan(page.indexOf('西山区'));
    expect(page.indexOf('西山区')).toBeLessThan(page.indexOf('西山区青石镇便民服务中心'));
    expect(await (await get('/admin/regions?lang=en')).text()).toContain('Regions and halls');
  });

  it('adds a street under a district, and its supervisor sees it at once (no stale cached tree)', async () => {
    expect((await get('/regions/r-hubin', 'u-sup-city')).status).toBe(404); // also primes the dashboard's tree cache
    const res = await post('/admin/regions', {
      id: 'r-hubin',
      name: '湖滨街道',
      nameEn: 'Hubin Street',
      parentId: 'r-east',
      level: 'street',
    });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/admin/regions/r-hubin?lang=zh&saved=1');
    expect((await listRegions(table)).find((r) => r.id === 'r-hubin')).toEqual({
      id: 'r-hubin',
      name: '湖滨街道',
      nameEn: 'Hubin Street',
      parentId: 'r-east',
      level: 'street',
    });
    expect((await get('/regions/r-hubin', 'u-sup-city')).status).toBe(200);
    expect((await get('/regions/r-hubin', 'u-sup-west')).status).toBe(404);
    expect(await (await get('/admin/regions')).text()).toContain('href="/admin/regions/r-hubin?lang=zh">湖滨街道</a>');
  });

  it("edits a region's names and level, and moves it under another parent", async () => {
    expect(
      (await post('/admin/regions/r-hubin', { name: '湖滨新区', nameEn: 'Hubin New Area', parentId: 'r-west', level: 'district' })).status,
    ).toBe(303);
    expect((await listRegions(table)).find((r) => r.id === 'r-hubin')).toEqual({
      id: 'r-hubin',
      name: '湖滨新区',
      nameEn: 'Hubin New Area',
      parentId: 'r-west',
      level: 'district',
    });
    expect((await get('/regions/r-hubin', 'u-sup-west')).status).toBe(200); // moved into 西山区's scope at once
    expect((await post('/admin/regions/r-hubin', { name: '湖滨街道', parentId: 'r-east', level: 'street' })).status).toBe(303);
    const region = (await listRegions(table)).find((r) => r.id === 'r-hubin')!;
    expect(region.nameEn).toBeUndefined(); // cleared when left blank
    const page = await (await get('/admin/regions/r-hubin?saved=1')).text();
    expect(page).toContain('已保存');
    expect(page).toContain('value="湖滨街道"');
  });

  it('refuses a cycle, a second top region, an unknown parent, a taken id and malformed fields — writing nothing', async () => {
    await refused('/admin/regions/r-city', { name: '青川市', parentId: 'r-hubin', level: 'city' }, 'cycle');
    await refused('/admin/regions/r-east', { name: '东湖区', parentId: 'r-east', level: 'district' }, 'cycle');
    await refused('/admin/regions/r-east', { name: '东湖区', level: 'district' }, 'oneRoot');
    await refused('/admin/regions', { id: 'r-top2', name: '另一个市', level: 'city' }, 'oneRoot');
    await refused('/admin/regions', { id: 'r-x', name: '某街道', parentId: 'r-nowhere', level: 'street' }, 'parentUnknown');
    await refused('/admin/regions', { id: 'r-east', name: '冒名区', parentId: 'r-city', level: 'district' }, 'regionExists');
    await refused('/admin/regions', { id: 'r x!', name: '某街道', parentId: 'r-east', level: 'street' }, 'id');
    await refused('/admin/regions', { id: 'r-y', name: ' ', parentId: 'r-east', level: 'street' }, 'name');
    await refused('/admin/regions', { id: 'r-y', name: '某村', parentId: 'r-east', level: 'village' }, 'level');
    await refused('/admin/regions', { id: 'r-y', name: '某街道', nameEn: 'x'.repeat(121), parentId: 'r-east', level: 'street' }, 'nameEn');
    const en = await post('/admin/regions/r-east?lang=en', { name: '东湖区', parentId: 'r-hubin', level: 'district' });
    expect(en.status).toBe(400);
    expect(await en.text()).toContain(htmlEscape(ADMIN_ERRORS.cycle.en));
  });

  it('deletes only an empty region: not one with sub-regions, halls or a supervisor scoped to it', async () => {
    await refused('/admin/regions/r-west/delete', {}, 'regionNotEmpty');
    await refused('/admin/regions/r-city/delete', {}, 'regionNotEmpty');
    expect((await post('/admin/users', { id: 'u-sup-hubin', name: '周洁', role: 'supervisor', scope: 'r-hubin' })).status).toBe(303);
    await refused('/admin/regions/r-hubin/delete', {}, 'regionHasUsers');
    expect((await post('/admin/users/u-sup-hubin/remove', {})).status).toBe(303);
    expect((await post('/admin/regions/r-hubin/delete', {})).status).toBe(303);
    expect((await listRegions(table)).some((r) => r.id === 'r-hubin')).toBe(false);
    expect((await get('/regions/r-hubin', 'u-sup-city')).status).toBe(404);
    expect((await post('/admin/regions/r-hubin/delete', {})).status).toBe(404);
    expect((await get('/admin/regions/r-hubin')).status).toBe(404);
  });
});

describe('halls', () => {
  it('adds a hall under a region with its time zone and hours; its supervisor sees it at once', async () => {
    expect((await post('/admin/regions', { id: 'r-lake', name: '湖滨街道', parentId: 'r-east', level: 'street' })).status).toBe(303);
    const res = await post('/admin/halls', {
      id: 'h-lake',
      name: '湖滨街道便民服务中心',
      nameEn: 'Hubin Service Centre',
      regionId: 'r-lake',
      timezone: 'asia/shanghai',
      open: '08:30',
      close: '17:30',
    });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/admin/halls/h-lake?lang=zh&saved=1');
    expect((await getHallCatalogue(table, 'h-lake'))?.hall).toEqual({
      id: 'h-lake',
      name: '湖滨街道便民服务中心',
      nameEn: 'Hubin Service Centre',
      regionId: 'r-lake',
      timezone: 'Asia/Shanghai',
      openingHours: { open: '08:30', close: '17:30' },
    });
    expect((await get('/halls/h-lake', 'u-sup-city')).status).toBe(200);
    expect((await get('/halls/h-lake', 'u-sup-west')).status).toBe(404);
    const page = await (await get('/admin/regions')).text();
    expect(page).toContain('href="/admin/halls/h-lake?lang=zh">湖滨街道便民服务中心</a>');
  });

  it("edits a hall's names, region, time zone and hours, never its id", async () => {
    const res = await post('/admin/halls/h-lake', {
      id: 'h-renamed',
      name: '湖滨便民服务中心',
      regionId: 'r-west',
      timezone: 'Asia/Urumqi',
    });
    expect(res.status).toBe(303);
    expect((await getHallCatalogue(table, 'h-lake'))?.hall).toEqual({
      id: 'h-lake',
      name: '湖滨便民服务中心',
      regionId: 'r-west',
      timezone: 'Asia/Urumqi',
    });
    expect(await getHallCatalogue(table, 'h-renamed')).toBeUndefined();
    expect((await get('/halls/h-lake', 'u-sup-west')).status).toBe(200);
    const page = await (await get('/admin/halls/h-lake')).text();
    expect(page).toContain('value="Asia/Urumqi"');
    expect(page).toContain('<option value="r-west" selected>');
  });

  it('refuses a bad time zone, half or backwards hours, an unknown region and a taken id — writing nothing', async () => {
    const base = { id: 'h-new', name: '新大厅', regionId: 'r-lake', timezone: 'Asia/Shanghai' };
    await refused('/admin/halls', { ...base, timezone: 'Mars/Olympus' }, 'timezone');
    await refused('/admin/halls', { ...base, timezone: '+08:00' }, 'timezone');
    await refused('/admin/halls', { ...base, open: '08:30' }, 'hoursBoth');
    await refused('/admin/halls', { ...base, open: '17:30', close: '08:30' }, 'hoursOrder');
    await refused('/admin/halls', { ...base, open: '8:30', close: '17:30' }, 'open');
    await refused('/admin/halls', { ...base, open: '08:30', close: '25:00' }, 'close');
    await refused('/admin/halls', { ...base, regionId: 'r-nowhere' }, 'regionUnknown');
    await refused('/admin/halls', { ...base, id: 'h-dh-center' }, 'hallExists');
    await refused('/admin/halls', { ...base, id: '新大厅' }, 'id');
    const { id: _id, ...edit } = base;
    await refused('/admin/halls/h-lake', { ...edit, timezone: 'Asia/Nowhere' }, 'timezone');
    await refused('/admin/halls/h-lake', { ...edit, regionId: 'r-nowhere' }, 'regionUnknown');
    await refused('/admin/halls/h-lake', { ...edit, name: '' }, 'name');
    expect((await post('/admin/halls/h-nope', base)).status).toBe(404);
    expect((await get('/admin/halls/h-nope')).status).toBe(404);
  });
});

describe('windows and services', () => {
  const day = localDay(clock.now, 'Asia/Shanghai');
  let ticket = '';

  it("adds a window: on the placards page, in the machine's hall view, and it issues tickets", async () => {
    expect((await machine('/tickets', json({ windowId: 'w-new' }))).status).toBe(422); // primes the machine path's catalogue cache
    const res = await post(`/admin/halls/${HALL}/windows`, { id: 'w-new', name: '9号窗口 综合受理', nameEn: 'Window 9' });
    expect(res.status).toBe(303);
    expect((await machine('/hall').then((r) => r.json())).windows.map((w: { id: string }) => w.id)).toContain('w-new');
    expect(await (await get(`/halls/${HALL}/placards`)).text()).toContain('9号窗口 综合受理');
    const issued = await machine('/tickets', json({ windowId: 'w-new', serviceId: 's-new-x' }));
    expect(issued.status).toBe(422); // no such service yet
    expect((await post(`/admin/halls/${HALL}/services`, { id: 's-new-x', name: '新事项' })).status).toBe(303);
    const ok = await machine('/tickets', json({ windowId: 'w-new', serviceId: 's-new-x' }));
    expect(ok.status).toBe(201);
    ticket = (await ok.json()).ticket;
  });

  it('renames a window (the new name is what the machine and placards show)', async () => {
    expect((await post(`/admin/halls/${HALL}/windows/w-new`, { name: '9号窗口 社保医保', nameEn: '' })).status).toBe(303);
    const view = await machine('/hall').then((r) => r.json());
    expect(view.windows.find((w: { id: string }) => w.id === 'w-new').name).toBe('9号窗口 社保医保');
    expect((await getHallCatalogue(table, HALL))?.windows.find((w) => w.id === 'w-new')?.nameEn).toBeUndefined();
  });

  it("retires a window: off the placards and the machine's view, no new tickets — but its history and scoring stay", async () => {
    expect((await post(`/admin/halls/${HALL}/windows/w-new/retire`, {})).status).toBe(303);
    expect((await getHallCatalogue(table, HALL))?.windows.find((w) => w.id === 'w-new')?.retiredAt).toBe(new Date(clock.now).toISOString());
    expect((await machine('/hall').then((r) => r.json())).windows.map((w: { id: string }) => w.id)).not.toContain('w-new');
    expect(await (await get(`/halls/${HALL}/placards`)).text()).not.toContain('9号窗口 社保医保');
    const refusedTicket = await machine('/tickets', json({ windowId: 'w-new' }));
    expect(refusedTicket.status).toBe(422);
    expect(refusedTicket.headers.get('content-type')).toContain('application/problem+json');
    expect((await refusedTicket.json()).type).toBe('/problems/window-retired');
    // The visit before retirement can still be rated, and is scored under the window.
    const rated = await app.request('/api/v1/ratings', json({ ticket, overall: 5 }));
    expect(rated.status).toBe(201);
    expect((await listRatingsForHallDay(table, HALL, day)).filter((r) => r.windowId === 'w-new')).toHaveLength(1);
    await runRange({ table }, day, day);
    const snaps = await getSnapshots(table, day, [unitId.window(HALL, 'w-new'), unitId.service(HALL, 's-new-x')]);
    expect(snaps.get(unitId.window(HALL, 'w-new'))?.today).toBeDefined();
    expect(snaps.get(unitId.service(HALL, 's-new-x'))?.today).toBeDefined();
    const admin = await (await get(`/admin/halls/${HALL}`)).text();
    expect(admin).toMatch(/已停用 \d{4}-\d{2}-\d{2}/);
    expect(admin).toContain(`action="/admin/halls/${HALL}/windows/w-new/restore?lang=zh"`);
  });

  it('retires a service: no new tickets for it; restores both', async () => {
    expect((await post(`/admin/halls/${HALL}/services/s-new-x/retire`, {})).status).toBe(303);
    const cat = (await getHallCatalogue(table, HALL))!;
    const win = cat.windows.find((w) => !w.retiredAt)!.id;
    expect((await machine('/tickets', json({ windowId: win, serviceId: 's-new-x' })).then((r) => r.json())).type).toBe(
      '/problems/service-retired',
    );
    expect((await machine('/hall').then((r) => r.json())).services.map((s: { id: string }) => s.id)).not.toContain('s-new-x');
    for (const path of [`/admin/halls/${HALL}/services/s-new-x/restore`, `/admin/halls/${HALL}/windows/w-new/restore`])
      expect((await post(path, {})).status).toBe(303);
    expect((await machine('/tickets', json({ windowId: 'w-new', serviceId: 's-new-x' }))).status).toBe(201);
    expect(await (await get(`/halls/${HALL}/placards`)).text()).toContain('9号窗口 社保医保');
    expect((await getHallCatalogue(table, HALL))?.windows.find((w) => w.id === 'w-new')?.retiredAt).toBeUndefined();
  });

  it('refuses a taken id, a bad id or a missing name — writing nothing; unknown units are 404', async () => {
    await refused(`/admin/halls/${HALL}/windows`, { id: 'w-new', name: '冒名窗口' }, 'windowExists');
    await refused(`/admin/halls/${HALL}/services`, { id: 's-new-x', name: '冒名事项' }, 'serviceExists');
    await refused(`/admin/halls/${HALL}/windows`, { id: 'w 10', name: '10号窗口' }, 'id');
    await refused(`/admin/halls/${HALL}/windows`, { id: 'w-10', name: '' }, 'name');
    await refused(`/admin/halls/${HALL}/windows/w-new`, { name: '', nameEn: 'Window 9' }, 'name');
    for (const path of [
      `/admin/halls/${HALL}/windows/w-nope`,
      `/admin/halls/${HALL}/windows/w-nope/retire`,
      `/admin/halls/${HALL}/services/s-nope/restore`,
      '/admin/halls/h-nope/windows',
    ]) {
      const before = await snapshot();
      expect((await post(path, { id: 'w-x', name: 'x' })).status, path).toBe(404);
      expect(await snapshot()).toEqual(before);
    }
  });
});

describe('staff users', () => {
  it('adds a user with a lower-cased email; lists and edits them; keeps the bound identity on edit; unbinds it', async () => {
    const res = await post('/admin/users', {
      id: 'u-mgr-lake',
      name: '孙丽',
      email: ' Sun.Li@Qingchuan.Example ',
      role: 'manager',
      scope: 'h-lake',
    });
    expect(res.status).toBe(303);
    expect(await getUser(table, 'u-mgr-lake')).toEqual({
      id: 'u-mgr-lake',
      name: '孙丽',
      email: 'sun.li@qingchuan.example',
      role: 'manager',
      scope: 'h-lake',
    });
    expect(await (await get('/admin/users')).text()).toContain('sun.li@qingchuan.example');
    await putUser(table, { ...(await getUser(table, 'u-mgr-lake'))!, oidcSub: 'idp|12345' }); // as the first OIDC sign-in would
    expect(
      (
        await post('/admin/users/u-mgr-lake', {
          name: '孙丽华',
          email: 'sunlihua@qingchuan.example',
          role: 'supervisor',
          scope: 'r-lake',
          oidcSub: 'forged',
        })
      ).status,
    ).toBe(303);
    expect(await getUser(table, 'u-mgr-lake')).toEqual({
      id: 'u-mgr-lake',
      name: '孙丽华',
      email: 'sunlihua@qingchuan.example',
      role: 'supervisor',
      scope: 'r-lake',
      oidcSub: 'idp|12345',
    });
    expect(await (await get('/admin/users/u-mgr-lake')).text()).toContain('解除身份绑定');
    expect((await post('/admin/users/u-mgr-lake/unbind', {})).status).toBe(303);
    expect((await getUser(table, 'u-mgr-lake'))?.oidcSub).toBeUndefined();
    expect((await post('/admin/users/u-mgr-lake', { name: '孙丽华', email: '', role: 'admin', scope: '*' })).status).toBe(303);
    expect(await getUser(table, 'u-mgr-lake')).toEqual({ id: 'u-mgr-lake', name: '孙丽华', role: 'admin', scope: '*' });
  });

  it('refuses a taken id or email, a scope that does not fit the role or the catalogue — writing nothing', async () => {
    const base = { id: 'u-new', name: '钱多', role: 'manager', scope: 'h-xs-qingshi' };
    await refused('/admin/users', { ...base, id: 'u-sup-west' }, 'userExists');
    await refused('/admin/users', { ...base, email: 'Chen.Jing@QINGCHUAN.example' }, 'emailTaken');
    await refused(
      '/admin/users/u-mgr-gangkou',
      { name: '赵敏', email: 'chen.jing@qingchuan.example', role: 'manager', scope: 'h-dh-gangkou' },
      'emailTaken',
    );
    await refused('/admin/users', { ...base, email: 'not-an-address' }, 'email');
    await refused('/admin/users', { ...base, role: 'supervisor', scope: 'h-xs-qingshi' }, 'scopeSupervisor');
    await refused('/admin/users', { ...base, scope: 'h-nowhere' }, 'scopeManager');
    await refused('/admin/users', { ...base, scope: 'r-west' }, 'scopeManager');
    await refused('/admin/users', { ...base, role: 'admin', scope: 'r-west' }, 'scopeAdmin');
    await refused('/admin/users', { ...base, role: 'supervisor', scope: '*' }, 'scopeSupervisor');
    await refused('/admin/users', { ...base, role: 'boss' }, 'role');
    await refused('/admin/users', { ...base, name: '' }, 'userName');
    await refused('/admin/users', { ...base, id: '钱多' }, 'id');
    // editing keeps one's own email: not "taken" by oneself
    expect(
      (await post('/admin/users/u-sup-west', { name: '陈静', email: 'CHEN.JING@qingchuan.example', role: 'supervisor', scope: 'r-west' }))
        .status,
    ).toBe(303);
  });

  it('never lets an administrator demote or remove themselves', async () => {
    await refused(
      '/admin/users/u-admin',
      { name: '系统管理员', email: 'admin@qingchuan.example', role: 'supervisor', scope: 'r-city' },
      'selfDemote',
    );
    await refused('/admin/users/u-admin/remove', {}, 'selfRemove');
    expect((await get('/admin/regions')).status).toBe(200);
  });

  it('removes another user: their session stops at the next request', async () => {
    expect((await get('/halls/h-dh-gangkou', 'u-mgr-gangkou')).status).toBe(200);
    expect((await post('/admin/users/u-mgr-gangkou/remove', {})).status).toBe(303);
    expect(await getUser(table, 'u-mgr-gangkou')).toBeUndefined();
    expect((await get('/halls/h-dh-gangkou', 'u-mgr-gangkou')).headers.get('location')).toBe(
      '/signin?lang=zh&next=%2Fhalls%2Fh-dh-gangkou',
    );
    expect((await post('/admin/users/u-mgr-gangkou/remove', {})).status).toBe(404);
    expect((await get('/admin/users/u-mgr-gangkou')).status).toBe(404);
  });
});

describe("forms without the session's token", () => {
  it('answers 403 to every administration post without or with a wrong CSRF token, and writes nothing', async () => {
    const posts: [string, Record<string, string>][] = [
      ['/admin/regions', { id: 'r-csrf', name: '伪造', parentId: 'r-east', level: 'street' }],
      ['/admin/regions/r-lake', { name: '伪造', parentId: 'r-east', level: 'street' }],
      ['/admin/regions/r-lake/delete', {}],
      ['/admin/halls', { id: 'h-csrf', name: '伪造', regionId: 'r-lake', timezone: 'Asia/Shanghai' }],
      ['/admin/halls/h-lake', { name: '伪造', regionId: 'r-lake', timezone: 'Asia/Shanghai' }],
      [`/admin/halls/${HALL}/windows`, { id: 'w-csrf', name: '伪造' }],
      [`/admin/halls/${HALL}/windows/w-new`, { name: '伪造' }],
      [`/admin/halls/${HALL}/windows/w-new/retire`, {}],
      [`/admin/halls/${HALL}/services/s-new-x/retire`, {}],
      ['/admin/users', { id: 'u-csrf', name: '伪造', role: 'admin', scope: '*' }],
      ['/admin/users/u-sup-west', { name: '伪造', role: 'admin', scope: '*' }],
      ['/admin/users/u-sup-west/unbind', {}],
      ['/admin/users/u-sup-west/remove', {}],
    ];
    const before = await snapshot();
    for (const [path, body] of posts) {
      for (const csrf of [null, 'wrong-token', sessions.get('u-sup-west')!.csrf]) {
        const res = await post(path, body, 'u-admin', csrf);
        expect(res.status, `${path} csrf=${csrf}`).toBe(403);
      }
    }
    expect(await snapshot()).toEqual(before);
  });
});
