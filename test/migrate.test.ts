/**
 * The deploy's migration (issue 15) against a real engine: data stored before the national-scale indexes (region
 * and hall records without the tree index, users without the name index or their address and subject claims) goes
 * in; the indexes come out; an interrupted run resumes at its page; a second run writes nothing. Then the
 * notifications' migration: users without scope items and a digest mail waiting from before get them.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TUser } from '../shared/domain/access.js';
import type { THall, TRegion } from '../shared/domain/model.js';
import { regionChildren, regionSubtree } from '../shared/storage/catalogue.js';
import { createDynamoClient } from '../shared/storage/client.js';
import { batchPut, getItem, openTable, type TTable } from '../shared/storage/db.js';
import * as keys from '../shared/storage/keys.js';
import { getMarker, setMarker } from '../shared/storage/meta.js';
import { MIGRATION, migrate, migrateNotify, NOTIFY_MIGRATION } from '../shared/storage/migrate.js';
import { createMail, listDueDigests } from '../shared/storage/notify.js';
import { ensureTable } from '../shared/storage/schema.js';
import { findStaffIdentity, pageUsers, usersOfScope } from '../shared/storage/users.js';
import { marshall } from '@aws-sdk/util-dynamodb';
import { engine, stopEngines } from './support/harness.js';

let table: TTable;
const regions: TRegion[] = [{ id: 'cn', name: '全国', level: 'province' }];
const halls: THall[] = [];
const users: TUser[] = [];

beforeAll(async () => {
  const e = await engine('dynalite');
  const client = createDynamoClient({ endpoint: e.endpoint });
  const name = `migrate-${randomBytes(4).toString('hex')}`;
  await ensureTable(client, name);
  table = openTable(client, name);
  for (let p = 0; p < 3; p++) {
    regions.push({ id: `p${p}`, name: `省${p}`, level: 'province', parentId: 'cn' });
    for (let c = 0; c < 4; c++) {
      regions.push({ id: `p${p}c${c}`, name: `市${p}-${c}`, level: 'city', parentId: `p${p}` });
      for (let h = 0; h < 5; h++)
        halls.push({ id: `p${p}c${c}h${h}`, name: `大厅${p}-${c}-${h}`, regionId: `p${p}c${c}`, timezone: 'Asia/Shanghai' });
    }
  }
  for (let i = 0; i < 40; i++)
    users.push({
      id: `u${String(i).padStart(3, '0')}`,
      name: `负责人${i}`,
      role: 'manager',
      scope: halls[i % 60].id,
      email: `m${i}@x.gov.cn`,
    });
  users[3] = { ...users[3], oidcSub: 'idp|three' };
  // The old shape: each record with its own key and the GSI1 listing only (as stored before issue 15).
  const old = [
    ...regions.map((r) => ({ ...keys.region(r.id), ...keys.regionIndex(r.id), ...r })),
    ...halls.map((h) => ({ ...keys.hall(h.id), ...keys.hallIndex(h.id), ...h })),
    ...users.map((u) => ({ ...keys.user(u.id), ...keys.userIndex(u.id), ...u })),
  ];
  await batchPut(
    table,
    old.map((x) => marshall(x, { removeUndefinedValues: true })),
    4,
  );
}, 120_000);
afterAll(stopEngines);

describe('npm run migrate: old-shape data in, the national indexes out', () => {
  it('has nothing indexed before: no children, no sign-in by address', async () => {
    expect((await regionChildren(table, 'cn')).regions).toEqual([]);
    expect((await findStaffIdentity(table, { sub: 'idp|new', email: 'm5@x.gov.cn', email_verified: true })).kind).toBe('refused');
  });

  it('an interrupted run keeps its place; the next run goes on from there and completes', async () => {
    const first = await migrate(table, { pageSize: 10, maxPages: 3 });
    expect(first.done).toBe(false);
    expect(first.visited).toBe(26); // the 16 regions (two pages), then a page of halls
    expect(await getMarker(table, MIGRATION)).toMatchObject({ step: 'halls', after: 'p0c1h4' });
    const rest = await migrate(table, { pageSize: 10 });
    expect(rest.done).toBe(true);
    expect(rest.visited).toBe(regions.length + halls.length + users.length - 26); // resumed, not restarted
    expect(first.written + rest.written).toBe(regions.length + halls.length + users.length * 2 + 1); // + names, claims, 1 sub
  });

  it('the indexes work: a region is one Query of its children, a user signs in by address or subject, names search', async () => {
    expect((await regionChildren(table, 'cn')).regions.map((r) => r.id)).toEqual(['p0', 'p1', 'p2']);
    expect((await regionSubtree(table, 'p1')).halls).toHaveLength(20);
    expect(await findStaffIdentity(table, { sub: 'idp|new', email: 'M5@x.gov.cn', email_verified: true })).toMatchObject({
      kind: 'bind',
      user: { id: 'u005' },
    });
    expect(await findStaffIdentity(table, { sub: 'idp|three' })).toMatchObject({ kind: 'bound', user: { id: 'u003' } });
    expect((await pageUsers(table, { namePrefix: '负责人1', limit: 50 })).users).toHaveLength(11);
  });

  it('a second run reads one marker; run afresh over migrated data it writes nothing', async () => {
    const before = table.itemsRead;
    expect(await migrate(table)).toEqual({ done: true, visited: 0, written: 0, already: true });
    expect(table.itemsRead - before).toBeLessThanOrEqual(1);
    await setMarker(table, MIGRATION, { step: 'regions' }); // as if it had never finished
    const again = await migrate(table);
    expect(again).toMatchObject({ done: true, written: 0, visited: regions.length + halls.length + users.length });
    expect(await getItem(table, keys.marker(MIGRATION))).toHaveProperty('at');
  });
});

describe("npm run migrate: the notifications' indexes (notify-index-v1)", () => {
  const now = Date.parse('2026-12-01T02:00:00Z'); // 10:00 in Shanghai: a digest waiting from before is due at once

  it('users stored before have no scope items; an interrupted run keeps its place and the next completes', async () => {
    expect(await usersOfScope(table, users[5].scope)).toEqual([]);
    // a digest mail written before the due index: nothing would ever send it
    await createMail(
      table,
      { userId: 'u007', eventId: 'evt_000000000000000000000007', mode: 'digest', at: '2026-11-30T01:00:00.000Z' },
      now,
    );
    expect(await listDueDigests(table, new Date(now).toISOString())).toEqual([]);
    const first = await migrateNotify(table, { pageSize: 10, maxPages: 2, now });
    expect(first).toMatchObject({ done: false, visited: 20 });
    expect(await getMarker(table, NOTIFY_MIGRATION)).toMatchObject({ step: 'users', after: 'u019' });
    const rest = await migrateNotify(table, { pageSize: 10, now });
    expect(rest).toMatchObject({ done: true, visited: users.length - 20 }); // resumed, not restarted
    expect(first.written + rest.written).toBe(users.length + 1); // a scope item each, one digest due
  });

  it('the indexes work: a hall lists its users, the old digest is due; a second run writes nothing', async () => {
    const scope = users[5].scope;
    expect((await usersOfScope(table, scope)).map((u) => u.id)).toEqual(users.filter((u) => u.scope === scope).map((u) => u.id));
    expect((await listDueDigests(table, new Date(now).toISOString())).map((d) => d.userId)).toEqual(['u007']);
    expect(await migrateNotify(table, { now })).toEqual({ done: true, visited: 0, written: 0, already: true });
    await setMarker(table, NOTIFY_MIGRATION, { step: 'users' });
    expect(await migrateNotify(table, { now })).toMatchObject({ done: true, written: 0, visited: users.length });
  });
});
