/**
 * Cases read by region, not hall by hall (issue 15): in a 2,000-hall province of 40 districts, a region's queue and
 * case panel cost one Query (two for the panel) per district holding halls, counted on the client; a hall's own
 * page reads GSI3; a queue over halls of different time zones keeps each hall's "due today"; a hall moved by an
 * administrator takes its cases along (audited); the migration moves cases stored under their hall, resuming after
 * an interruption; and a local table made before GSI3 is rebuilt with its items, on both local engines.
 */
import { randomBytes } from 'node:crypto';
import { CreateTableCommand, DescribeTableCommand, type DynamoDBClient, type QueryCommandInput } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TUser } from '../shared/domain/access.js';
import type { THall, TRating, TRegion } from '../shared/domain/model.js';
import { createApp } from '../shared/http/app.js';
import type { TAppDeps } from '../shared/http/deps.js';
import { dashboardRoutes } from '../shared/http/routes/dashboard.js';
import { listCaseQueue, scopeCasePanel } from '../shared/services/cases.js';
import { listAudit } from '../shared/storage/audit.js';
import { listAllCases, listOpenedBetween, openCaseAttributes } from '../shared/storage/cases.js';
import { bulkPutHalls, getHallCatalogue, putRegion } from '../shared/storage/catalogue.js';
import { createDynamoClient } from '../shared/storage/client.js';
import { batchPut, getItem, openTable, queryAll, type TTable } from '../shared/storage/db.js';
import * as keys from '../shared/storage/keys.js';
import { getMarker, setMarker } from '../shared/storage/meta.js';
import { CASES_MIGRATION, migrateCases, migrateOpenedCases, OPENED_CASES_MIGRATION } from '../shared/storage/migrate.js';
import { ratingToItem } from '../shared/storage/ratings.js';
import { ensureTable, RESHAPE_SUFFIX, rebuildTableOf } from '../shared/storage/schema.js';
import { TABLE_KEYS } from '../shared/storage/table.js';
import { bulkPutUsers } from '../shared/storage/users.js';
import { appDepsOver, engine, staffSession, stopEngines, type TEngineName } from './support/harness.js';

const CITIES = 8;
const DISTRICTS = 5; // per city: 40 districts
const HALLS = 50; // per district: 2,000 halls

/** Every Query the client sends: its index and the value of its partition key. */
const sent: { index?: string; pk: string }[] = [];
function countedClient(endpoint: string): DynamoDBClient {
  const client = createDynamoClient({ endpoint });
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === 'QueryCommand') {
        const input = args.input as QueryCommandInput;
        const name = /= (:\w+)/.exec(input.KeyConditionExpression ?? '')?.[1] ?? '';
        sent.push({ index: input.IndexName, pk: input.ExpressionAttributeValues?.[name]?.S ?? '' });
      }
      return next(args);
    },
    { step: 'initialize', name: 'countQueries' },
  );
  return client;
}
async function queriesOf<T>(run: () => Promise<T>): Promise<{ value: T; queries: { index?: string; pk: string }[] }> {
  const from = sent.length;
  const value = await run();
  return { value, queries: sent.slice(from) };
}
const caseQueries = (qs: { index?: string; pk: string }[]) =>
  qs.filter((q) => (q.index === 'gsi2' && q.pk.startsWith('CS#')) || q.index === 'gsi3');

const NOW = Date.now();
const iso = (ms: number) => new Date(ms).toISOString();
const badRating = (hallId: string, n: number, createdAt: string): TRating => ({
  ratingId: `bad-${hallId}-${n}`,
  channel: 'ticket',
  hallId,
  windowId: 'w1',
  ticketId: `bad-${hallId}-${n}`,
  createdAt,
  day: createdAt.slice(0, 10),
  overall: 1,
  reasons: ['wait_long'],
});
/** A bad rating's item with its case opened under `regionId` (or under the old hall partition: `legacy`). */
function caseItem(hall: THall, n: number, due: string, legacy = false) {
  const r = badRating(hall.id, n, iso(Date.parse(due) - 86_400_000));
  const attrs = openCaseAttributes({ hallId: hall.id, contactDue: due, rectifyDue: iso(Date.parse(due) + 10 * 86_400_000) }, hall.regionId);
  return ratingToItem(r, legacy ? { ...attrs, gsi2pk: keys.legacyCasesOfHall(hall.id) } : attrs);
}

let table: TTable;
let deps: TAppDeps;
const regions: TRegion[] = [];
const halls: THall[] = [];
const districts: string[] = [];
const past = iso(NOW - 3 * 86_400_000);
const later = iso(NOW + 5 * 86_400_000);

beforeAll(async () => {
  const e = await engine('dynalite');
  const name = `caseidx-${randomBytes(4).toString('hex')}`;
  await ensureTable(createDynamoClient({ endpoint: e.endpoint }), name);
  table = openTable(countedClient(e.endpoint), name);
  regions.push({ id: 'cn', name: '全国', level: 'province' }, { id: 'p0', name: '省0', level: 'province', parentId: 'cn' });
  for (let c = 0; c < CITIES; c++) {
    regions.push({ id: `p0c${c}`, name: `市${c}`, level: 'city', parentId: 'p0' });
    for (let d = 0; d < DISTRICTS; d++) {
      const district = `p0c${c}d${d}`;
      districts.push(district);
      regions.push({ id: district, name: `区${c}-${d}`, level: 'district', parentId: `p0c${c}` });
      for (let h = 0; h < HALLS; h++)
        halls.push({ id: `${district}h${h}`, name: `大厅${district}-${h}`, regionId: district, timezone: 'Asia/Shanghai' });
    }
  }
  // another province whose cases the first one's pages must never read
  regions.push({ id: 'p1', name: '省1', level: 'province', parentId: 'cn' }, { id: 'p1d', name: '区', level: 'district', parentId: 'p1' });
  const others = Array.from({ length: 10 }, (_, i) => ({ id: `p1h${i}`, name: `外省${i}`, regionId: 'p1d', timezone: 'Asia/Shanghai' }));
  for (const r of regions) await putRegion(table, r);
  await bulkPutHalls(table, [...halls, ...others]);
  const users: TUser[] = [{ id: 'u-admin', name: '管理员', role: 'admin', scope: '*', email: 'admin@example.gov.cn' }];
  await bulkPutUsers(table, users);
  // every 5th hall of p0 has one case (400), half of them overdue; each of p1's halls has one
  const items = halls.flatMap((h, i) => (i % 5 === 0 ? [caseItem(h, 0, i % 10 === 0 ? past : later)] : []));
  await batchPut(table, [...items, ...others.map((h) => caseItem(h, 0, past))], 4);
  deps = appDepsOver(table);
}, 180_000);
afterAll(stopEngines);

describe('a province of 2,000 halls in 40 districts', () => {
  it('its queue is exactly 40 Queries, one per district partition, and holds its 400 cases, not the other province’s', async () => {
    const cdeps = { table };
    await listCaseQueue(cdeps, { regionId: 'p0' }); // the scope's catalogue, cached per process
    const { value, queries } = await queriesOf(() => listCaseQueue(cdeps, { regionId: 'p0' }));
    expect(caseQueries(queries)).toHaveLength(40);
    expect(new Set(caseQueries(queries).map((q) => q.pk))).toEqual(new Set(districts.map(keys.casesOfRegion)));
    expect(queries).toHaveLength(40); // nothing else: no per-hall Query
    expect(value.total).toBe(400);
    expect(value.counts.overdue).toBe(200);
    expect(value.cases.every((c) => c.hallId.startsWith('p0'))).toBe(true);
  });

  it('a page of the queue is five Queries per district (three counts, two filtered reads): its counts equal the full read', async () => {
    const cdeps = { table };
    const full = await listCaseQueue(cdeps, { regionId: 'p0' });
    const { value, queries } = await queriesOf(() => listCaseQueue(cdeps, { regionId: 'p0' }, { page: { offset: 0, limit: 50 } }));
    expect(caseQueries(queries)).toHaveLength(5 * 40);
    expect(queries.every((q) => q.index === 'gsi2' && q.pk.startsWith('CS#p0c'))).toBe(true);
    expect(value.total).toBe(400);
    expect(value.counts).toMatchObject({ active: 400, overdue: full.counts.overdue, dueToday: full.counts.dueToday });
    expect(value.cases.map((c) => c.caseId)).toEqual(full.cases.slice(0, 50).map((c) => c.caseId));
  });

  it('the region case page (panel) through the app: two Queries per district, 80 in all, the overdue ones listed', async () => {
    const app = createApp(deps, { mount: (a) => a.route('/', dashboardRoutes(deps)) });
    const { cookie } = await staffSession(app, 'u-admin');
    const get = async () => {
      const res = await app.request('/regions/p0/cases', { headers: { cookie } });
      expect(res.status).toBe(200);
      return res.text();
    };
    await get(); // warm: the subtree and the case world, cached per process
    const { value: page, queries } = await queriesOf(get);
    expect(caseQueries(queries)).toHaveLength(2 * 40);
    expect(new Set(caseQueries(queries).map((q) => q.pk))).toEqual(new Set(districts.map(keys.casesOfRegion)));
    expect(page).toContain('/cases/bad-p0c0d0h0-0'); // an overdue case of the first district
    const panel = await scopeCasePanel(
      { table },
      { regionId: 'p0' },
      { from: iso(NOW - 30 * 86_400_000).slice(0, 10), to: iso(NOW).slice(0, 10) },
    );
    expect(panel.urgent).toHaveLength(200);
  });

  it('a hall’s queue reads its own list on GSI3: one Query, keyed by the bare hall id', async () => {
    const cdeps = { table };
    await listCaseQueue(cdeps, { hallId: 'p0c0d0h5' });
    const { value, queries } = await queriesOf(() => listCaseQueue(cdeps, { hallId: 'p0c0d0h5' }));
    expect(caseQueries(queries)).toEqual([{ index: TABLE_KEYS.gsi3.name, pk: 'p0c0d0h5' }]);
    expect(value.cases.map((c) => c.caseId)).toEqual(['bad-p0c0d0h5-0']);
    // its key is the rating's own `h`, written as a string (the index's attribute type S)
    expect(caseItem(halls[5], 0, past).h).toEqual({ S: halls[5].id });
    // GSI3 is sparse: a hall's good ratings (no gsi2sk) never appear in it
    await batchPut(table, [ratingToItem({ ...badRating('p0c0d0h5', 9, iso(NOW)), overall: 5, reasons: undefined })]);
    expect((await queryAll(table, { pk: 'p0c0d0h5', index: 'gsi3' })).map((i) => i.pk.S)).toEqual(['RATING#bad-p0c0d0h5-0']);
  });

  it('a hall moved to another district takes its cases along, audited once; saving again moves nothing', async () => {
    const app = createApp(deps, { mount: (a) => a.route('/', dashboardRoutes(deps)) });
    const s = await staffSession(app, 'u-admin');
    const save = () =>
      app.request('/admin/halls/p0c0d0h0', {
        method: 'POST',
        headers: { cookie: s.cookie, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ _csrf: s.csrf, name: '搬家的大厅', regionId: 'p0c7d4', timezone: 'Asia/Shanghai' }).toString(),
      });
    expect((await save()).status).toBe(303);
    expect((await getHallCatalogue(table, 'p0c0d0h0'))?.hall.regionId).toBe('p0c7d4');
    const inRegion = async (r: string) => (await listAllCases(table, { regionId: r })).map((x) => x.case.caseId);
    expect(await inRegion('p0c7d4')).toContain('bad-p0c0d0h0-0');
    expect(await inRegion('p0c0d0')).not.toContain('bad-p0c0d0h0-0');
    expect((await getItem(table, keys.rating('bad-p0c0d0h0-0')))?.gsi2pk).toBe('CS#p0c7d4');
    expect((await save()).status).toBe(303);
    const day = iso(NOW).slice(0, 10);
    const moved = await listAudit(table, { from: day, to: day, units: [{ type: 'hall', id: 'p0c0d0h0' }] });
    expect(moved.filter((e) => e.kind === 'catalogue.hall_cases_moved')).toMatchObject([
      { from: 'p0c0d0', to: 'p0c7d4', note: 'cases moved: 1' },
    ]);
    expect(moved.filter((e) => e.kind === 'catalogue.hall_moved')).toHaveLength(1);
  });
});

describe('a region whose halls keep different time zones', () => {
  it("judges each case by its own hall's day: the paged queue's counts and order equal the full read", async () => {
    await putRegion(table, { id: 'mx', name: '跨时区', level: 'district', parentId: 'p1' });
    const sh: THall = { id: 'mx-sh', name: '上海时间', regionId: 'mx', timezone: 'Asia/Shanghai' };
    const ld: THall = { id: 'mx-ld', name: '伦敦时间', regionId: 'mx', timezone: 'Europe/London' };
    await bulkPutHalls(table, [sh, ld]);
    // 10:00Z: Shanghai's day ends at 16:00Z, London's at midnight
    const now = Date.parse('2030-06-10T10:00:00Z');
    const at = (h: number) => iso(Date.parse('2030-06-10T00:00:00Z') + h * 3_600_000);
    await batchPut(table, [
      caseItem(sh, 1, at(8)), // overdue
      caseItem(sh, 2, at(15)), // due today (Shanghai)
      caseItem(sh, 3, at(18)), // tomorrow in Shanghai: ok
      caseItem(ld, 4, at(20)), // due today (London)
      caseItem(ld, 5, at(36)), // ok
      caseItem(ld, 6, at(9)), // overdue
    ]);
    const cdeps = { table, now: () => now };
    const full = await listCaseQueue(cdeps, { regionId: 'mx' });
    expect(full.counts).toMatchObject({ active: 6, overdue: 2, dueToday: 2 });
    expect(full.cases.filter((c) => c.dueState === 'due_today').map((c) => c.caseId)).toEqual(['bad-mx-sh-2', 'bad-mx-ld-4']);
    const pages = [];
    for (let offset = 0; offset < 6; offset += 2) {
      const p = await listCaseQueue(cdeps, { regionId: 'mx' }, { page: { offset, limit: 2 } });
      expect(p.counts).toMatchObject({ active: 6, overdue: 2, dueToday: 2 });
      pages.push(...p.cases.map((c) => c.caseId));
    }
    expect(pages).toEqual(full.cases.map((c) => c.caseId));
  });
});

describe('migrateCases (case-region-index-v1): cases stored under their hall move to their region', () => {
  it('moves every case, resumes after an interruption at its page, and a second run writes nothing', async () => {
    const e = await engine('dynalite');
    const name = `caseidx-mig-${randomBytes(4).toString('hex')}`;
    await ensureTable(createDynamoClient({ endpoint: e.endpoint }), name);
    const t = openTable(createDynamoClient({ endpoint: e.endpoint }), name);
    await putRegion(t, { id: 'r', name: '市', level: 'city' });
    const some = Array.from({ length: 30 }, (_, i) => ({
      id: `m${String(i).padStart(2, '0')}`,
      name: `大厅${i}`,
      regionId: `r${i % 3}`,
      timezone: 'Asia/Shanghai',
    }));
    for (const r of ['r0', 'r1', 'r2']) await putRegion(t, { id: r, name: r, level: 'district', parentId: 'r' });
    await bulkPutHalls(t, some);
    // the old shape: two cases a hall under CS#<hall>; one hall's second case already written by the app (moved)
    await batchPut(t, [...some.flatMap((h) => [caseItem(h, 0, past, true), caseItem(h, 1, later, h.id !== 'm29')])]);
    const inOld = async () => (await Promise.all(some.map((h) => queryAll(t, { pk: keys.legacyCasesOfHall(h.id), index: 'gsi2' })))).flat();
    expect(await inOld()).toHaveLength(59);
    const first = await migrateCases(t, { pageSize: 10, maxPages: 1 });
    expect(first).toMatchObject({ done: false, visited: 10, written: 20 });
    expect(await getMarker(t, CASES_MIGRATION)).toMatchObject({ after: 'm09' });
    const rest = await migrateCases(t, { pageSize: 10 });
    expect(rest).toMatchObject({ done: true, visited: 20, written: 39 }); // resumed at m10, not restarted
    expect(await inOld()).toEqual([]);
    for (const r of ['r0', 'r1', 'r2']) expect(await listAllCases(t, { regionId: r })).toHaveLength(20);
    expect(await migrateCases(t)).toEqual({ done: true, visited: 0, written: 0, already: true });
    await setMarker(t, CASES_MIGRATION, {}); // as if it had never finished
    expect(await migrateCases(t)).toMatchObject({ done: true, visited: 30, written: 0 });
  });
});

describe('migrateOpenedCases (case-open-index-v1): cases opened in the last 3 days by code from before GSI4 get its shard', () => {
  it('marks the recent ones only, resumes at its page, and a second run writes nothing', async () => {
    const e = await engine('dynalite');
    const name = `caseidx-open-${randomBytes(4).toString('hex')}`;
    await ensureTable(createDynamoClient({ endpoint: e.endpoint }), name);
    const t = openTable(createDynamoClient({ endpoint: e.endpoint }), name);
    const some = Array.from({ length: 12 }, (_, i) => ({
      id: `o${String(i).padStart(2, '0')}`,
      name: `大厅${i}`,
      regionId: 'ro',
      timezone: 'Asia/Shanghai',
    }));
    await bulkPutHalls(t, some);
    const oldCode = (hall: THall, n: number, ratedAt: number) => {
      const item = caseItem(hall, n, iso(ratedAt + 86_400_000)); // rated a day before its deadline
      delete item.q; // opened before GSI4
      return item;
    };
    // per hall: one rated a day ago and one six days ago by old code; one rated an hour ago by new code
    await batchPut(t, [
      ...some.flatMap((h) => [
        oldCode(h, 0, NOW - 86_400_000),
        oldCode(h, 1, NOW - 6 * 86_400_000),
        caseItem(h, 2, iso(NOW - 3_600_000 + 86_400_000)),
      ]),
    ]);
    const everOpened = async () => (await listOpenedBetween(t, iso(0), iso(NOW + 86_400_000))).map((s) => s.case.caseId);
    expect(await everOpened()).toHaveLength(12);
    const first = await migrateOpenedCases(t, { now: NOW, pageSize: 5, maxPages: 1 });
    expect(first).toMatchObject({ done: false, visited: 5, written: 5 });
    expect(await getMarker(t, OPENED_CASES_MIGRATION)).toMatchObject({ after: 'o04' });
    const rest = await migrateOpenedCases(t, { now: NOW, pageSize: 5 });
    expect(rest).toMatchObject({ done: true, visited: 7, written: 7 }); // resumed at o05
    const listed = await everOpened();
    expect(listed).toHaveLength(24);
    expect(listed.filter((id) => id.endsWith('-1'))).toEqual([]); // six days ago: beyond the sweep's window
    expect(listed.filter((id) => id.endsWith('-0')).sort()).toEqual(some.map((h) => `bad-${h.id}-0`));
    // the shard given is the one the app writes
    expect((await getItem(t, keys.rating('bad-o03-0')))?.q).toBe(keys.newCaseIndex('o03').q);
    expect(await migrateOpenedCases(t, { now: NOW })).toEqual({ done: true, visited: 0, written: 0, already: true });
    await setMarker(t, OPENED_CASES_MIGRATION, {}); // as if it had never finished
    expect(await migrateOpenedCases(t, { now: NOW })).toMatchObject({ done: true, visited: 12, written: 0 });
  });
});

describe.each<TEngineName>(['dynalite', 'dynamodb-local'])('a local table made before GSI3 (%s)', (engineName) => {
  const oldShape = (
    client: DynamoDBClient,
    name: string,
    indexes: readonly { name: string; partitionKey: string; sortKey: string }[] = [TABLE_KEYS.gsi1, TABLE_KEYS.gsi2],
  ) =>
    client.send(
      new CreateTableCommand({
        TableName: name,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [...new Set(['pk', 'sk', ...indexes.flatMap((g) => [g.partitionKey, g.sortKey])])].map((n) => ({
          AttributeName: n,
          AttributeType: 'S',
        })),
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: indexes.map((g) => ({
          IndexName: g.name,
          KeySchema: [
            { AttributeName: g.partitionKey, KeyType: 'HASH' },
            { AttributeName: g.sortKey, KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        })),
      }),
    );
  const indexesOf = async (client: DynamoDBClient, name: string) =>
    ((await client.send(new DescribeTableCommand({ TableName: name }))).Table?.GlobalSecondaryIndexes ?? []).map((g) => g.IndexName).sort();

  it('is rebuilt once at start with every item; an interrupted rebuild is finished by the next start', async () => {
    const e = await engine(engineName);
    const client = createDynamoClient({ endpoint: e.endpoint });
    const name = `caseidx-old-${randomBytes(4).toString('hex')}`;
    await oldShape(client, name);
    while ((await client.send(new DescribeTableCommand({ TableName: name }))).Table?.TableStatus !== 'ACTIVE')
      await new Promise((r) => setTimeout(r, 50));
    const t = openTable(client, name);
    const hall: THall = { id: 'hz', name: '大厅', regionId: 'rz', timezone: 'Asia/Shanghai' };
    await bulkPutHalls(t, [hall]);
    await batchPut(t, [caseItem(hall, 0, past), caseItem(hall, 1, later), marshall({ pk: 'X', sk: 'Y', n: 1 })]);
    await ensureTable(client, name);
    expect(await indexesOf(client, name)).toEqual(['gsi1', 'gsi2', 'gsi3', 'gsi4']);
    expect((await listAllCases(t, { hallId: 'hz' })).map((s) => s.case.caseId)).toEqual(['bad-hz-0', 'bad-hz-1']);
    expect(await getHallCatalogue(t, 'hz')).toBeDefined();
    expect(await getItem(t, { pk: 'X', sk: 'Y' })).toEqual({ pk: 'X', sk: 'Y', n: 1 });
    expect(await rebuildTableOf(client, name)).toBe(0); // in shape: nothing to do
    // a rebuild killed after the table was deleted: only the copy is left; the next start makes the table again
    const second = `caseidx-half-${randomBytes(4).toString('hex')}`;
    await ensureTable(client, `${second}${RESHAPE_SUFFIX}`);
    await batchPut(openTable(client, `${second}${RESHAPE_SUFFIX}`), [caseItem(hall, 2, past)]);
    await ensureTable(client, second);
    expect((await listAllCases(openTable(client, second), { hallId: 'hz' })).map((s) => s.case.caseId)).toEqual(['bad-hz-2']);
    await expect(client.send(new DescribeTableCommand({ TableName: `${second}${RESHAPE_SUFFIX}` }))).rejects.toThrow();
    // a table made before GSI4 (gsi1 to gsi3) is rebuilt too, and its cases carrying `q` are then listed on GSI4
    const third = `caseidx-gsi3-${randomBytes(4).toString('hex')}`;
    await oldShape(client, third, [TABLE_KEYS.gsi1, TABLE_KEYS.gsi2, TABLE_KEYS.gsi3]);
    while ((await client.send(new DescribeTableCommand({ TableName: third }))).Table?.TableStatus !== 'ACTIVE')
      await new Promise((r) => setTimeout(r, 50));
    await batchPut(openTable(client, third), [caseItem(hall, 3, past)]);
    await ensureTable(client, third);
    expect(await indexesOf(client, third)).toEqual(['gsi1', 'gsi2', 'gsi3', 'gsi4']);
    const opened = await listOpenedBetween(openTable(client, third), '2000-01-01T00:00:00.000Z', '2100-01-01T00:00:00.000Z');
    expect(opened.map((s) => s.case.caseId)).toEqual(['bad-hz-3']);
  }, 120_000);
});
