/**
 * Every administration change leaves exactly one audit entry in the audit store (SPEC §3) with the right kind, unit
 * and actor, written after the change succeeded; a refused change leaves none. Through app.request() on dynalite.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { createApp } from '../shared/http/app.js';
import { listAudit } from '../shared/storage/audit.js';
import { listApiKeys } from '../shared/storage/api-keys.js';
import type { TTable } from '../shared/storage/db.js';
import { demoWorld, staffSession, stopEngines } from './support/harness.js';

const today = '2026-11-22';
const HALL = 'h-dh-center';
let app: ReturnType<typeof createApp>;
let table: TTable;
const clock = { now: Date.parse(`${today}T02:00:00Z`) };
let session: { cookie: string; csrf: string };

const post = (path: string, body: Record<string, string>) =>
  app.request(path, {
    method: 'POST',
    headers: { cookie: session.cookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ _csrf: session.csrf, ...body }).toString(),
  });

const entries = () => listAudit(table, { from: today, to: today });

/** Posts a change and returns the audit entries it added (each change is one tick of the clock later). */
async function change(path: string, body: Record<string, string>, status = 303) {
  clock.now += 1000;
  const before = new Set((await entries()).map((e) => e.entryId));
  const res = await post(path, body);
  expect(res.status, path).toBe(status);
  return (await entries()).filter((e) => !before.has(e.entryId));
}

async function one(path: string, body: Record<string, string>, kind: string, unit: { type: string; id: string }, targetId: string) {
  const added = await change(path, body);
  expect(added, `${path} → ${kind}`).toHaveLength(1);
  expect(added[0]).toMatchObject({ kind, unit, targetId, actor: 'u-admin', actorRole: 'admin', at: new Date(clock.now).toISOString() });
  return added[0];
}

beforeAll(async () => {
  ({ table, app } = await demoWorld({
    prefix: 'admin-audit',
    today,
    apiKey: 'st_admin_audit_key_0001',
    clock,
    days: 1,
    env: { PUBLIC_BASE_URL: 'https://rate.example.test' },
  }));
  session = await staffSession(app, 'u-admin');
}, 120_000);
afterAll(stopEngines);

const R = (id: string) => ({ type: 'region', id });
const H = (id: string) => ({ type: 'hall', id });
const G = { type: 'global', id: '*' };

describe('administration changes in the audit trail', () => {
  it('catalogue: region and hall create, edit, move, delete; window and service add, rename, retire, restore', async () => {
    const region = { id: 'r-aud', name: '审计街道', nameEn: 'Audit Street', parentId: 'r-east', level: 'street' };
    expect((await one('/admin/regions', region, 'catalogue.region_created', R('r-aud'), 'r-aud')).to).toBe('r-east');
    await one('/admin/regions/r-aud', { ...region, name: '审计街道二' }, 'catalogue.region_edited', R('r-aud'), 'r-aud');
    const moved = await one('/admin/regions/r-aud', { ...region, parentId: 'r-west' }, 'catalogue.region_moved', R('r-aud'), 'r-aud');
    expect([moved.from, moved.to]).toEqual(['r-east', 'r-west']);
    const hall = { id: 'h-aud', name: '审计大厅', nameEn: 'Audit Hall', regionId: 'r-aud', timezone: 'Asia/Shanghai' };
    const h = { ...hall, open: '09:00', close: '17:00' };
    await one('/admin/halls', h, 'catalogue.hall_created', H('h-aud'), 'h-aud');
    await one('/admin/halls/h-aud', { ...h, name: '审计大厅二' }, 'catalogue.hall_edited', H('h-aud'), 'h-aud');
    const hm = await one('/admin/halls/h-aud', { ...h, regionId: 'r-east' }, 'catalogue.hall_moved', H('h-aud'), 'h-aud');
    expect([hm.from, hm.to]).toEqual(['r-aud', 'r-east']);
    for (const kind of ['window', 'service']) {
      const base = `/admin/halls/h-aud/${kind}s`;
      const t = `${kind}:x-1`;
      await one(base, { id: 'x-1', name: '一号', nameEn: 'One' }, `catalogue.${kind}_added`, H('h-aud'), t);
      await one(`${base}/x-1`, { name: '一号二', nameEn: 'One b' }, `catalogue.${kind}_renamed`, H('h-aud'), t);
      await one(`${base}/x-1/retire`, {}, `catalogue.${kind}_retired`, H('h-aud'), t);
      await one(`${base}/x-1/restore`, {}, `catalogue.${kind}_restored`, H('h-aud'), t);
    }
    const empty = { id: 'r-aud2', name: '空街道', nameEn: 'Empty', parentId: 'r-east', level: 'street' };
    await one('/admin/regions', empty, 'catalogue.region_created', R('r-aud2'), 'r-aud2');
    await one('/admin/regions/r-aud2/delete', {}, 'catalogue.region_deleted', R('r-aud2'), 'r-aud2');
  });

  it('users: create, edit, end sessions, unbind, remove', async () => {
    const u = { id: 'u-aud', name: '审计员', email: 'aud@example.test', role: 'manager', scope: HALL };
    expect((await one('/admin/users', u, 'user.created', G, 'u-aud')).to).toBe(`manager:${HALL}`);
    await one('/admin/users/u-aud', { ...u, name: '审计员二' }, 'user.edited', G, 'u-aud');
    // A new scope also ends the user's sessions: two changes, two entries.
    const both = await change('/admin/users/u-aud', { ...u, scope: 'h-dh-gangkou' });
    expect(both.map((e) => e.kind).sort()).toEqual(['user.edited', 'user.sessions_ended']);
    await one('/admin/users/u-aud/sessions/end', {}, 'user.sessions_ended', G, 'u-aud');
    await one('/admin/users/u-aud/unbind', {}, 'user.unbound', G, 'u-aud');
    await one('/admin/users/u-aud/remove', {}, 'user.removed', G, 'u-aud');
  });

  it('API keys: create and revoke, by the short key id only (never the key or its hash)', async () => {
    clock.now += 1000;
    const res = await post(`/admin/halls/${HALL}/keys`, { label: 'kiosk' });
    expect(res.status).toBe(200);
    const key = /<code>(st_[^<]+)<\/code>/.exec(await res.text())?.[1] ?? '';
    const mine = (await listApiKeys(table, HALL)).find((k) => k.createdAt === new Date(clock.now).toISOString())!;
    const created = (await entries()).filter((e) => e.kind === 'apikey.created');
    expect(created).toHaveLength(1);
    expect(created[0]).toMatchObject({ unit: H(HALL), targetId: mine.keyId, actor: 'u-admin' });
    expect(JSON.stringify(created[0])).not.toMatch(key ? new RegExp(key) : /st_/);
    expect(created[0].targetId).toMatch(/^[0-9a-f]{12}$/);
    await one(`/admin/halls/${HALL}/keys/${mine.keyId}/revoke`, {}, 'apikey.revoked', H(HALL), mine.keyId);
  });

  it('a refused change leaves no entry', async () => {
    const refusals: [string, Record<string, string>, number][] = [
      ['/admin/regions', { id: 'r-east', name: '重复', nameEn: 'Dup', parentId: 'r-city', level: 'district' }, 400],
      ['/admin/regions/r-city/delete', {}, 400],
      ['/admin/halls', { id: 'h-x', name: 'x', nameEn: 'x', regionId: 'r-nope', timezone: 'Asia/Shanghai' }, 400],
      [`/admin/halls/${HALL}/windows/w-nope/retire`, {}, 404],
      ['/admin/users/u-admin/remove', {}, 400],
      ['/admin/users/u-nobody/sessions/end', {}, 404],
      ['/admin/users/u-nobody/unbind', {}, 404],
      [`/admin/halls/${HALL}/keys`, { label: ' ' }, 400],
      [`/admin/halls/${HALL}/keys/000000000000/revoke`, {}, 404],
    ];
    for (const [path, body, status] of refusals) expect(await change(path, body, status), path).toEqual([]);
  });
});
