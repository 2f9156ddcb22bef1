/** The data layer on both engines: dynalite (the local default) and the official DynamoDB Local. Same tests. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TRating } from '../shared/domain/model.js';
import { itemSize, ratingToItem } from '../shared/storage/ratings.js';
import {
  createHall,
  createRegion,
  createUnit,
  deleteRegion,
  renameUnit,
  setUnitRetired,
  updateRegion,
} from '../shared/storage/catalogue.js';
import { createUser, removeUser, unbindUser, updateUser } from '../shared/storage/users.js';
import { stopEngines, world, type TEngineName, type TWorld } from './support/harness.js';
import { bulkPutRatings } from '../shared/storage/ratings.js';
import { getIssuedOfHall } from '../shared/storage/tickets.js';
import { getUser, putUser } from '../shared/storage/users.js';
import { getHallCatalogue, listHalls, listRegions } from '../shared/storage/catalogue.js';
import { getRating, listRatingsForHallDay, putRating } from '../shared/storage/ratings.js';
import { claimPlacardSlot, countIssuedTicket } from '../shared/storage/tickets.js';

const rating = (over: Partial<TRating> = {}): TRating => ({
  ratingId: `r${Math.random().toString(36).slice(2, 12)}`,
  channel: 'ticket',
  hallId: 'h-test',
  windowId: 'w1',
  serviceId: 's1',
  createdAt: '2026-11-20T02:00:00.000Z',
  day: '2026-11-20',
  overall: 4,
  submissionId: 'sub-00000001',
  ...over,
});

afterAll(stopEngines, 30_000);

describe.each<TEngineName>(['dynalite', 'dynamodb-local'])('repository on %s', (engineName) => {
  let w: TWorld;
  beforeAll(async () => {
    w = await world(engineName);
  }, 60_000);

  it('reads a hall with its windows and services in one query', async () => {
    const cat = await getHallCatalogue(w.table, 'h-test');
    expect(cat?.hall.name).toBe('测试政务服务中心');
    expect(cat?.windows.map((x) => x.id)).toEqual(['w1', 'w2']);
    expect(cat?.services.map((x) => x.id)).toEqual(['s1', 's2']);
    expect(await getHallCatalogue(w.table, 'h-none')).toBeUndefined();
    expect((await listHalls(w.table)).map((h) => h.id)).toEqual(['h-test']);
  });

  it('puts a rating once; a second put returns the stored one untouched', async () => {
    const r = rating({ comment: '窗口工作人员很耐心', reasons: ['patient'] });
    expect(await putRating(w.table, r)).toEqual({ status: 'created' });
    const clash = await putRating(w.table, { ...r, overall: 1, submissionId: 'sub-other-01' });
    expect(clash.status).toBe('exists');
    expect(clash.status === 'exists' && clash.existing).toEqual(r);
    expect(await getRating(w.table, r.ratingId)).toEqual(r);
  });

  it('lets exactly one of many racing puts of the same ticket win', async () => {
    const id = 'race-ticket-1';
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        putRating(w.table, rating({ ratingId: id, overall: (i % 5) + 1, submissionId: `sub-race-${i}0000` })),
      ),
    );
    expect(results.filter((r) => r.status === 'created')).toHaveLength(1);
  });

  it("lists a hall's ratings of one day in time order", async () => {
    const day = '2026-10-01';
    const rs = [3, 1, 2].map((h) => rating({ day, createdAt: `2026-10-01T0${h}:00:00.000Z` }));
    for (const r of rs) await putRating(w.table, r);
    await putRating(w.table, rating({ day: '2026-10-02', createdAt: '2026-10-02T01:00:00.000Z' }));
    const listed = await listRatingsForHallDay(w.table, 'h-test', day);
    expect(listed.map((r) => r.createdAt)).toEqual(['2026-10-01T01:00:00.000Z', '2026-10-01T02:00:00.000Z', '2026-10-01T03:00:00.000Z']);
  });

  it('bulk-loads more than one batch', async () => {
    const rs = Array.from({ length: 60 }, (_, i) =>
      rating({ day: '2026-09-01', createdAt: `2026-09-01T01:00:${String(i).padStart(2, '0')}.000Z` }),
    );
    await bulkPutRatings(w.table, rs);
    expect(await listRatingsForHallDay(w.table, 'h-test', '2026-09-01')).toHaveLength(60);
  });

  it('counts issued tickets atomically', async () => {
    await Promise.all(
      Array.from({ length: 25 }, (_, i) =>
        countIssuedTicket(w.table, 'h-test', '2026-08-01', i % 5 ? 'w1' : 'w2', i % 2 ? 's1' : undefined),
      ),
    );
    expect(await getIssuedOfHall(w.table, 'h-test', '2026-08-01')).toEqual({
      total: 25,
      windows: { w1: 20, w2: 5 },
      services: { s1: 12 },
    });
  });

  it('claims a placard slot once per window of time, re-entrant for the same submission', async () => {
    const t = Date.parse('2026-11-20T02:00:00Z');
    const win = 2 * 3600_000;
    expect(await claimPlacardSlot(w.table, 'dev-a', 'sub-1', t, win)).toBe(true);
    expect(await claimPlacardSlot(w.table, 'dev-a', 'sub-1', t + 1000, win)).toBe(true);
    expect(await claimPlacardSlot(w.table, 'dev-a', 'sub-2', t + 1000, win)).toBe(false);
    expect(await claimPlacardSlot(w.table, 'dev-b', 'sub-3', t + 1000, win)).toBe(true);
    expect(await claimPlacardSlot(w.table, 'dev-a', 'sub-4', t + win + 1, win)).toBe(true);
  });

  it('administers the catalogue with conditional writes: create never overwrites, update never creates', async () => {
    const v0 = w.table.catalogueVersion;
    expect(await createRegion(w.table, { id: 'r-test', name: '测试区', level: 'district' })).toBe(true);
    expect(await createRegion(w.table, { id: 'r-test', name: '冒名区', level: 'street' })).toBe(false);
    expect(await updateRegion(w.table, { id: 'r-none', name: '无', level: 'street' })).toBe(false);
    expect((await listRegions(w.table)).find((r) => r.id === 'r-test')?.name).toBe('测试区');
    expect(await createHall(w.table, { ...w.hall, name: '冒名大厅' })).toBe(false);
    expect(await createUnit(w.table, 'window', { hallId: 'h-test', id: 'w1', name: '冒名窗口' })).toBe(false);
    expect(await createUnit(w.table, 'window', { hallId: 'h-test', id: 'w9', name: '9号窗口' })).toBe(true);
    expect(await setUnitRetired(w.table, 'window', 'h-test', 'w9', '2026-11-20T02:00:00.000Z')).toBe(true);
    expect(await renameUnit(w.table, 'window', 'h-test', 'w9', '9号窗口 综合', 'Window 9')).toBe(true);
    expect((await getHallCatalogue(w.table, 'h-test'))?.windows.find((x) => x.id === 'w9')).toEqual({
      hallId: 'h-test',
      id: 'w9',
      name: '9号窗口 综合',
      nameEn: 'Window 9',
      retiredAt: '2026-11-20T02:00:00.000Z',
    });
    expect(await setUnitRetired(w.table, 'window', 'h-test', 'w9', undefined)).toBe(true);
    expect(await renameUnit(w.table, 'service', 'h-test', 's-none', 'x')).toBe(false);
    expect((await getHallCatalogue(w.table, 'h-test'))?.windows.find((x) => x.id === 'w9')?.retiredAt).toBeUndefined();
    expect(await deleteRegion(w.table, 'r-test')).toBe(true);
    expect(await deleteRegion(w.table, 'r-test')).toBe(false);
    expect(w.table.catalogueVersion).toBeGreaterThan(v0);
  });

  it('edits a staff user without touching the identity bound at sign-in; removes and unbinds only existing users', async () => {
    await putUser(w.table, {
      id: 'u-x',
      name: '张三',
      role: 'manager',
      scope: 'h-test',
      email: 'zhang@example.test',
      oidcSub: 'sub-123',
    });
    expect(await createUser(w.table, { id: 'u-x', name: '冒名', role: 'admin', scope: '*' })).toBe(false);
    expect(await updateUser(w.table, { id: 'u-x', name: '张三丰', role: 'supervisor', scope: 'r-test' })).toBe(true);
    expect(await getUser(w.table, 'u-x')).toEqual({
      id: 'u-x',
      name: '张三丰',
      role: 'supervisor',
      scope: 'r-test',
      oidcSub: 'sub-123',
    });
    expect(await unbindUser(w.table, 'u-x')).toBe(true);
    expect((await getUser(w.table, 'u-x'))?.oidcSub).toBeUndefined();
    expect(await updateUser(w.table, { id: 'u-none', name: 'x', role: 'admin', scope: '*' })).toBe(false);
    expect(await getUser(w.table, 'u-none')).toBeUndefined();
    expect(await removeUser(w.table, 'u-x')).toBe(true);
    expect(await removeUser(w.table, 'u-x')).toBe(false);
    expect(await unbindUser(w.table, 'u-x')).toBe(false);
    expect(await getUser(w.table, 'u-x')).toBeUndefined();
  });
});

describe('rating item size', () => {
  it('stays under 1 KB (one write unit) with every field and a 150-character Chinese comment', () => {
    const full = rating({
      ratingId: 'AbCdEfGhIjKlMnOp',
      ticketId: 'AbCdEfGhIjKlMnOp',
      hallId: 'h-a-rather-long-hall-id-0001',
      attitude: 1,
      efficiency: 1,
      competence: 1,
      trips: 3,
      done: 'no',
      overall: 1,
      reasons: ['wait_long', 'more_documents', 'rude', 'sent_elsewhere', 'not_done'],
      comment: '排队等了一个多小时'.repeat(17).slice(0, 150),
      phoneEnc: 'k1.AAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAA',
      phoneMasked: '138****1234',
      lang: 'zh',
      submissionId: 'x'.repeat(24),
      deviceHash: 'y'.repeat(22),
    });
    expect(itemSize(ratingToItem(full))).toBeLessThan(1024);
  });
});
