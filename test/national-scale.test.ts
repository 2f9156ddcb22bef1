/**
 * National scale on the staff side (issue 15), as access counts rather than times: in a 2,000-hall, 125-region,
 * 5,000-user catalogue, a sign-in reads a few items, a cold scope check reads the unit and its ancestors only, a
 * region's data is its subtree only, and an address is unique by the write's own condition. Counted through the
 * table handle's itemsRead, against a real engine, so the design cannot regress silently.
 */
import { randomBytes } from 'node:crypto';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TUser } from '../shared/domain/access.js';
import type { THall, TRegion } from '../shared/domain/model.js';
import { createApp } from '../shared/http/app.js';
import type { TAppDeps } from '../shared/http/deps.js';
import { dashboardRoutes } from '../shared/http/routes/dashboard.js';
import { staffKit } from '../shared/http/routes/staff/gate.js';
import { bulkPutHalls, descendantHalls, pageHalls, putRegion, regionChildren } from '../shared/storage/catalogue.js';
import { createDynamoClient } from '../shared/storage/client.js';
import { batchPut, openTable, type TTable } from '../shared/storage/db.js';
import { openCaseAttributes } from '../shared/storage/cases.js';
import { ratingToItem } from '../shared/storage/ratings.js';
import type { TRating } from '../shared/domain/model.js';
import { ensureTable } from '../shared/storage/schema.js';
import { bindOidcSub, bulkPutUsers, createUser, findStaffIdentity, getUser, pageUsers, updateUser } from '../shared/storage/users.js';
import { appDepsOver, demoSignIn, engine, nationalTree, stopEngines } from './support/harness.js';

const PROVINCES = 4;
const CITIES = 5; // per province
const DISTRICTS = 5; // per city
const HALLS = 20; // per district: 4 × 5 × 5 × 20 = 2,000 halls
const USERS = 5_000;

let table: TTable;
let deps: TAppDeps;
const regions: TRegion[] = [];
const halls: THall[] = [];

beforeAll(async () => {
  const e = await engine('dynalite');
  const client = createDynamoClient({ endpoint: e.endpoint });
  const name = `national-${randomBytes(4).toString('hex')}`;
  await ensureTable(client, name);
  table = openTable(client, name);
  const tree = nationalTree({ provinces: PROVINCES, cities: CITIES, districts: DISTRICTS, halls: HALLS });
  regions.push(...tree.regions);
  halls.push(...tree.halls);
  for (let i = 0; i < regions.length; i += 25) await Promise.all(regions.slice(i, i + 25).map((r) => putRegion(table, r)));
  await bulkPutHalls(table, halls);
  const users: TUser[] = [{ id: 'u-admin', name: '管理员', role: 'admin', scope: '*', email: 'admin@example.gov.cn' }];
  for (let i = 1; i < USERS; i++) {
    const district = regions[2 + (i % 100)]; // not the top two: cities and districts mixed
    const hall = halls[i % halls.length];
    users.push(
      i % 10 === 0
        ? { id: `u${String(i).padStart(5, '0')}`, name: `督导${i}`, role: 'supervisor', scope: district.id, email: `s${i}@example.gov.cn` }
        : { id: `u${String(i).padStart(5, '0')}`, name: `负责人${i}`, role: 'manager', scope: hall.id, email: `m${i}@example.gov.cn` },
    );
  }
  users[7] = { ...users[7], oidcSub: 'idp|bound-7' };
  await bulkPutUsers(table, users);
  deps = appDepsOver(table);
}, 180_000);
afterAll(stopEngines);

/** Items read by `run`. */
async function reads<T>(run: () => Promise<T>): Promise<{ n: number; value: T }> {
  const before = table.itemsRead;
  const value = await run();
  return { n: table.itemsRead - before, value };
}

describe('sign-in at national size', () => {
  it('finds a bound user by subject and an unbound one by verified email, reading a few items of 5,000 users', async () => {
    const bound = await reads(() => findStaffIdentity(table, { sub: 'idp|bound-7', email: 'changed@elsewhere.cn', email_verified: true }));
    expect(bound.value).toMatchObject({ kind: 'bound', user: { id: 'u00007' } });
    expect(bound.n).toBeLessThanOrEqual(2);
    const first = await reads(() => findStaffIdentity(table, { sub: 'idp|new', email: ' M11@Example.gov.cn', email_verified: 'true' }));
    expect(first.value).toMatchObject({ kind: 'bind', user: { id: 'u00011' } });
    expect(first.n).toBeLessThanOrEqual(4);
    const none = await reads(() => findStaffIdentity(table, { sub: 'idp|x', email: 'nobody@example.gov.cn', email_verified: true }));
    expect(none.value).toEqual({ kind: 'refused', reason: 'no-account' });
    expect(none.n).toBeLessThanOrEqual(2);
    // The user bound to a subject is refused to another subject's email match.
    expect((await findStaffIdentity(table, { sub: 'idp|other', email: 'm7@example.gov.cn', email_verified: true })).kind).toBe('refused');
  });

  it('binds a subject once: the second subject for the same user is refused, and the bound one then signs in by it', async () => {
    expect(await bindOidcSub(table, 'u00013', 'idp|13')).toBe(true);
    expect(await bindOidcSub(table, 'u00013', 'idp|13-again')).toBe(false);
    expect(await bindOidcSub(table, 'u00014', 'idp|13')).toBe(false); // a subject belongs to one user
    expect((await findStaffIdentity(table, { sub: 'idp|13' })).kind).toBe('bound');
    expect((await findStaffIdentity(table, { sub: 'idp|13-again' })).kind).toBe('refused');
  });
});

describe('email uniqueness by a conditional write', () => {
  it('refuses a taken address on create and on edit, and of two racing creations with one address exactly one wins', async () => {
    expect(await createUser(table, { id: 'u-new', name: '新人', role: 'admin', scope: '*', email: 'S10@example.gov.cn' })).toBe('email');
    expect(await getUser(table, 'u-new')).toBeUndefined();
    const race = await Promise.all(
      ['u-r1', 'u-r2', 'u-r3'].map((id) => createUser(table, { id, name: id, role: 'admin', scope: '*', email: 'race@example.gov.cn' })),
    );
    expect(race.filter((x) => x === true)).toHaveLength(1);
    expect(race.filter((x) => x === 'email')).toHaveLength(2);
    const winner = ['u-r1', 'u-r2', 'u-r3'][race.indexOf(true)];
    const loser = ['u-r1', 'u-r2', 'u-r3'].find((id) => id !== winner)!;
    expect(await updateUser(table, { id: 'u00020', name: 'x', role: 'admin', scope: '*', email: 'race@example.gov.cn' })).toBe('email');
    expect((await getUser(table, 'u00020'))?.email).toBe('s20@example.gov.cn');
    // The winner changes address: the old one is free at once, and the new one is theirs.
    expect(await updateUser(table, { id: winner, name: winner, role: 'admin', scope: '*', email: 'moved@example.gov.cn' })).toBe(true);
    expect(await createUser(table, { id: loser, name: loser, role: 'admin', scope: '*', email: 'race@example.gov.cn' })).toBe(true);
    expect((await findStaffIdentity(table, { sub: 'idp|m', email: 'moved@example.gov.cn', email_verified: true })).kind).toBe('bind');
  });
});

describe('scope checks and regions read their part of the tree', () => {
  const probe = (kit: ReturnType<typeof staffKit>) =>
    new Hono()
      .get('/h/:hallId', kit.gate({ unit: 'hall', answer: 'json' }), (c) => c.text(c.var.unit.hall.name))
      .get('/r/:regionId', kit.gate({ unit: 'region', answer: 'json' }), (c) => c.text(c.var.unit.region.name));

  it('a cold gate reads the user, the unit and its ancestors only; a warm one the user only', async () => {
    const app = createApp(deps, { mount: (a) => a.route('/', dashboardRoutes(deps)) });
    const supervisor = await demoSignIn(app, 'u00010'); // scope: a city or district (regions[12])
    const admin = await demoSignIn(app, 'u-admin');
    const scope = (await getUser(table, 'u00010'))!.scope;
    const inside = halls.find((h) => h.regionId.startsWith(scope))!;
    const outside = halls.find((h) => !h.regionId.startsWith(scope))!;
    const depth = (regionId: string) => regionId.replace(/h\d+$/, '').match(/[pcd]\d+/g)!.length + 1; // + the nation
    const cold = probe(staffKit(deps)); // a fresh function instance: nothing cached
    const ask = (path: string, cookie: string) =>
      reads(() => Promise.resolve(cold.request(path, { headers: { cookie: `st_session=${cookie}` } })));
    const seen = await ask(`/h/${inside.id}`, supervisor);
    expect(seen.value.status).toBe(200);
    expect(seen.n).toBe(1 + 1 + depth(inside.regionId)); // user + hall + district, city, province, nation
    const refused = await ask(`/h/${outside.id}`, supervisor);
    expect(refused.value.status).toBe(404);
    expect(refused.n).toBeLessThanOrEqual(1 + 1 + depth(outside.regionId));
    const warm = await ask(`/h/${inside.id}`, supervisor);
    expect(warm.value.status).toBe(200);
    expect(warm.n).toBe(1); // the user (sessions may be ended at any moment); the tree is cached
    const region = await ask('/r/p3c4d4', admin);
    expect(region.value.status).toBe(200);
    expect(region.n).toBeLessThanOrEqual(1 + 3); // user + the district (its ancestors were not cached: p3 ≠ the supervisor's)
    expect((await ask('/r/no-such-region', admin)).value.status).toBe(404);
  });

  it("a region's children are one Query of its own children, its subtree its own items, never the country", async () => {
    const kit = staffKit(deps);
    const top = await reads(() => regionChildren(table, 'cn'));
    expect(top.value.regions.map((r) => r.id)).toEqual(['p0', 'p1', 'p2', 'p3']);
    expect(top.n).toBe(PROVINCES);
    const province = await reads(() => kit.subtree('p1'));
    expect(province.value.halls).toHaveLength(CITIES * DISTRICTS * HALLS);
    expect(province.value.regions).toHaveLength(CITIES + CITIES * DISTRICTS);
    expect(province.n).toBe(CITIES + CITIES * DISTRICTS + CITIES * DISTRICTS * HALLS); // of 2,125 catalogue records
    expect((await reads(() => kit.subtree('p1'))).n).toBe(0); // warm
    const district = await reads(() => descendantHalls(table, 'p2c0d3'));
    expect(district.value.map((h) => h.id).sort()).toEqual(
      halls
        .filter((h) => h.regionId === 'p2c0d3')
        .map((h) => h.id)
        .sort(),
    );
    expect(district.n).toBe(HALLS);
    expect(await kit.rootRegion()).toBe('cn');
  });

  it('pages halls and users (by id, by name) reading one page at a time', async () => {
    const first = await reads(() => pageHalls(table, { limit: 50 }));
    expect(first.value.halls).toHaveLength(50);
    expect(first.n).toBe(50);
    const second = await pageHalls(table, { limit: 50, after: first.value.next });
    expect(second.halls[0].id > first.value.halls[49].id).toBe(true);
    const byId = await reads(() => pageHalls(table, { idPrefix: 'p3c4d4h1', limit: 50 }));
    expect(byId.value.halls.map((h) => h.id).sort()).toEqual(['p3c4d4h1', ...[...Array(10).keys()].map((i) => `p3c4d4h1${i}`)].sort());
    expect(byId.value.next).toBeUndefined();
    const named = await reads(() => pageUsers(table, { namePrefix: '督导12', limit: 5 }));
    expect(named.value.users.map((u) => u.name).every((n) => n.startsWith('督导12'))).toBe(true);
    expect(named.value.users.length).toBe(5);
    expect(named.n).toBe(5);
    const rest = await pageUsers(table, { namePrefix: '督导12', limit: 100, after: named.value.next });
    expect(rest.users.every((u) => u.name.startsWith('督导12'))).toBe(true);
    expect(rest.next).toBeUndefined();
    // 督导120 and 督导1200…1290: the supervisors (every tenth user) whose number starts with 12
    const all = [...named.value.users, ...rest.users].map((u) => u.name);
    expect(new Set(all).size).toBe(all.length);
    expect(all.length).toBe([...Array(USERS).keys()].filter((i) => i > 0 && i % 10 === 0 && `${i}`.startsWith('12')).length);
  });
});

describe('administration at national size', () => {
  let app: ReturnType<typeof createApp>;
  let cookie: string;
  const get = async (path: string) => {
    const res = await app.request(path, { headers: { cookie: `st_session=${cookie}` } });
    expect(res.status).toBe(200);
    return res.text();
  };
  beforeAll(async () => {
    app = createApp(deps, { mount: (a) => a.route('/', dashboardRoutes(deps)) });
    cookie = await demoSignIn(app, 'u-admin');
  });

  it('opens the region tree only as deep as fits one page; deeper regions link to their own page', async () => {
    const { n, value: page } = await reads(() => get('/admin/regions'));
    const hallRows = page.match(/class="hall-item"/g) ?? [];
    expect(hallRows.length).toBeLessThanOrEqual(400);
    expect(page).toContain('href="/admin/regions/p0?lang=zh"');
    expect(page).toContain('href="/admin/regions/p3c4d4?lang=zh#below"'); // a district: closed, opened on its page
    expect(n).toBeLessThan(halls.length); // the regions (for the forms' choices) and few halls, never all 2,000
    const district = await get('/admin/regions/p3c4d4');
    for (const h of halls.filter((x) => x.regionId === 'p3c4d4')) expect(district).toContain(`href="/admin/halls/${h.id}?lang=zh"`);
    expect(district).not.toContain('href="/admin/halls/p3c4d3h0?lang=zh"');
  });

  it('lists users 50 to a page with a next link, and finds them by id, name or email', async () => {
    const { n, value: first } = await reads(() => get('/admin/users'));
    expect(first.match(/href="\/admin\/users\/[^"?]+\?lang=zh"/g)).toHaveLength(50);
    expect(n).toBeLessThan(1_000); // a page of users, their scopes and the regions: not 5,000 users
    const next = /href="\/admin\/users\?lang=zh&amp;after=([^"]+)"/.exec(first)![1];
    const second = await get(`/admin/users?lang=zh&after=${next}`);
    const links = (page: string) => page.match(/href="\/admin\/users\/[^"?]+\?lang=zh"/g) ?? [];
    expect(links(second)).toHaveLength(50);
    for (const link of links(first)) expect(links(second)).not.toContain(link); // the next 50, none repeated
    const byEmail = await get(`/admin/users?q=${encodeURIComponent('M11@example.gov.cn')}`);
    expect(byEmail.match(/href="\/admin\/users\/[^"?]+\?lang=zh"/g)).toEqual(['href="/admin/users/u00011?lang=zh"']);
    const byName = await get(`/admin/users?q=${encodeURIComponent('督导12')}`);
    expect(byName).toContain('href="/admin/users/u01290?lang=zh"');
    expect(byName).not.toContain('href="/admin/users/u00011?lang=zh"');
    const byId = await get('/admin/users?q=u0499');
    expect(byId.match(/href="\/admin\/users\/[^"?]+\?lang=zh"/g)).toHaveLength(10);
  });
});

describe('a region page at province size reads its subtree only, cases included', () => {
  const bad = (hallId: string, n: number): TRating => ({
    ratingId: `bad-${hallId}-${n}`,
    channel: 'ticket',
    hallId,
    windowId: 'w1',
    ticketId: `bad-${hallId}-${n}`,
    createdAt: '2026-11-20T02:00:00.000Z',
    day: '2026-11-20',
    overall: 1,
    reasons: ['wait_long'],
  });
  beforeAll(async () => {
    // 3 overdue cases in province p1 (one hall each), 600 in province p2: p1's page must never read p2's.
    const p1 = halls.filter((h) => h.regionId.startsWith('p1')).slice(0, 3);
    const p2 = halls.filter((h) => h.regionId.startsWith('p2'));
    const regionOf = new Map(halls.map((h) => [h.id, h.regionId]));
    const item = (r: TRating, due: string) =>
      ratingToItem(r, openCaseAttributes({ hallId: r.hallId, contactDue: due, rectifyDue: due }, regionOf.get(r.hallId)!));
    const past = '2026-11-21T02:00:00.000Z';
    await batchPut(table, [...p1.map((h) => item(bad(h.id, 0), past)), ...p2.slice(0, 600).map((h) => item(bad(h.id, 1), past))], 4);
  });

  it('a cold page reads the subtree, its chain and its own cases; a warm one its own cases only', async () => {
    const app = createApp(deps, { mount: (a) => a.route('/', dashboardRoutes(deps)) });
    const cookie = await demoSignIn(app, 'u-admin');
    const get = async (path: string) => {
      const res = await app.request(path, { headers: { cookie: `st_session=${cookie}` } });
      expect(res.status).toBe(200);
      return res.text();
    };
    const subtree = CITIES + CITIES * DISTRICTS + CITIES * DISTRICTS * HALLS; // 530 records of p1
    const cold = await reads(() => get('/regions/p1'));
    // the gate's chain (2), the page's subtree and the case service's scope (its subtree again and the chain), the
    // user, p1's 3 cases: never p2's 600 (nor the other 1,500 halls)
    expect(cold.n).toBeLessThanOrEqual(2 * subtree + 2 * 2 + 1 + 3);
    expect(cold.value).toContain(halls.find((h) => h.regionId.startsWith('p1'))!.name);
    const warm = await reads(() => get('/regions/p1'));
    expect(warm.n).toBeLessThanOrEqual(1 + 3); // the user (sessions can end any moment) and the 3 cases
    expect(warm.value).not.toContain(halls.find((h) => h.regionId.startsWith('p2'))!.name);
  });

  it("above 64 regions holding halls the page links to the region's case page instead of reading their cases", async () => {
    const app = createApp(deps, { mount: (a) => a.route('/', dashboardRoutes(deps)) });
    const cookie = await demoSignIn(app, 'u-admin');
    const get = (path: string) =>
      reads(() => Promise.resolve(app.request(path, { headers: { cookie: `st_session=${cookie}` } })).then((r) => r.text()));
    const nation = await get('/regions/cn'); // 2,000 halls below
    expect(nation.value).toContain('href="/regions/cn/cases?lang=zh"');
    expect(nation.n).toBeLessThanOrEqual(1 + 1 + regions.length - 1 + halls.length); // user, itself, its subtree: no case
    const cases = await get('/regions/cn/cases');
    expect(cases.value).toContain(halls.find((h) => h.regionId.startsWith('p2'))!.name); // p2's overdue cases listed
    expect(cases.n).toBeGreaterThanOrEqual(603); // every case below: 3 in p1, 600 in p2
  });
});

describe('the administration forms offer regions one level at a time, and find others by id', () => {
  let app: ReturnType<typeof createApp>;
  let cookie: string;
  const get = async (path: string) => {
    const res = await app.request(path, { headers: { cookie: `st_session=${cookie}` } });
    expect(res.status).toBe(200);
    return res.text();
  };
  beforeAll(async () => {
    app = createApp(deps, { mount: (a) => a.route('/', dashboardRoutes(deps)) });
    cookie = await demoSignIn(app, 'u-admin');
  });

  it("a hall's page offers its region's chain and each link's children, never all 125 regions", async () => {
    const { n, value: page } = await reads(() => get('/admin/halls/p3c4d4h1'));
    expect(page).toContain('<option value="p3c4d4" selected>');
    for (const id of ['cn', 'p0', 'p3', 'p3c0', 'p3c4', 'p3c4d0']) expect(page).toContain(`<option value="${id}"`);
    expect(page).not.toContain('<option value="p2c0"'); // another province's cities: found by search only
    // user, hall + its windows, the top level, cn's, p3's, p3c4's and p3c4d4's children (20 halls), the chain
    expect(n).toBeLessThanOrEqual(2 + 1 + PROVINCES + CITIES + DISTRICTS + HALLS + 4 + 2);
    const found = await get('/admin/halls/p3c4d4h1?rq=p2c0d');
    for (let d = 0; d < DISTRICTS; d++) expect(found).toContain(`<option value="p2c0d${d}"`);
    expect(found).toContain('<code>p2c0d3</code>'); // listed visibly too, with its name
  });

  it('the users page and a user page read a few regions, not the tree; a supervisor sees their own region offered', async () => {
    const list = await reads(() => get('/admin/users'));
    expect(list.value).toContain('<option value="p0">');
    expect(list.value).not.toContain('<option value="p1c1d1">');
    const sup = await reads(() => get('/admin/users/u00010'));
    const scope = (await getUser(table, 'u00010'))!.scope;
    expect(sup.value).toContain(`<option value="${scope}">`);
    expect(sup.n).toBeLessThanOrEqual(2 + 1 + PROVINCES + 4 * (CITIES + DISTRICTS) + HALLS + 4);
    const tree = await reads(() => get('/admin/regions'));
    // the tree's budget (400) and at most one more batch of 8 nodes' children read before it stops: not 2,125 records
    expect(tree.n).toBeLessThanOrEqual(400 + 8 * HALLS + 10);
  });

  it('the calendar walks the tree a level at a time and the webhook form offers two levels and what is found by id', async () => {
    const cal = await reads(() => get('/admin/calendar?region=p3c4'));
    expect(cal.value).toMatch(/href="\/admin\/calendar\?region=p3&(amp;)?lang=zh"/); // up the chain
    expect(cal.value).toMatch(/href="\/admin\/calendar\?region=p3c4d0&(amp;)?lang=zh"/); // its districts
    expect(cal.value).not.toContain('region=p2c0'); // another province: not listed
    // the user, the chain (3), its children (districts + halls), the calendar items (none here)
    expect(cal.n).toBeLessThanOrEqual(1 + 3 + DISTRICTS + 1 + 2);
    const hooks = await reads(() => get('/admin/webhooks?rq=p2c1d'));
    for (const id of ['cn', 'p0', 'p3']) expect(hooks.value).toContain(`<option value="${id}"`);
    expect(hooks.value).toContain('<option value="p2c1d3"'); // found by id
    expect(hooks.value).not.toContain('<option value="p1c1"');
    expect(hooks.n).toBeLessThanOrEqual(1 + 1 + PROVINCES + DISTRICTS + 10);
  });
});
