/**
 * The catalogue: regions, halls and their windows and services. A hall shares its partition with its windows and
 * services, so one Query configures a queue machine. The administrator's writes are conditional: creating never
 * overwrites and editing never creates (a refused write returns false, nothing changed). Every catalogue write
 * bumps the handle's catalogueVersion so this process's caches drop what they hold at once.
 */
import { DeleteItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type { THall, TRegion, TService, TWindow } from '../domain/model.js';
import { batchGet, batchPut, ifCondition, put, putIf, queryAll, strip, updateIfPresent, type TTable } from './db.js';
import * as keys from './keys.js';
import type { TKey } from './keys.js';

export interface THallCatalogue {
  hall: THall;
  windows: TWindow[];
  services: TService[];
}

const regionItem = (r: TRegion) => ({ ...keys.region(r.id), ...keys.regionIndex(r.id), ...r });
const hallItem = (h: THall) => ({ ...keys.hall(h.id), ...keys.hallIndex(h.id), ...h });
const bumped = (t: TTable, ok: boolean) => (ok && t.catalogueVersion++, ok);

export async function putRegion(t: TTable, region: TRegion): Promise<void> {
  await put(t, regionItem(region));
  t.catalogueVersion++;
}

export async function putHall(t: TTable, hall: THall): Promise<void> {
  await put(t, hallItem(hall));
  t.catalogueVersion++;
}

export async function putWindow(t: TTable, w: TWindow): Promise<void> {
  await put(t, { ...keys.window(w.hallId, w.id), ...w });
  t.catalogueVersion++;
}

export async function putService(t: TTable, s: TService): Promise<void> {
  await put(t, { ...keys.service(s.hallId, s.id), ...s });
  t.catalogueVersion++;
}

export async function listRegions(t: TTable): Promise<TRegion[]> {
  return (await queryAll(t, { pk: keys.regionsIndex, index: true })).map((i) => strip<TRegion>(unmarshall(i)));
}

export async function listHalls(t: TTable): Promise<THall[]> {
  return (await queryAll(t, { pk: keys.hallsIndex, index: true })).map((i) => strip<THall>(unmarshall(i)));
}

/** A hall with its windows and services in one Query (they share the partition). */
export async function getHallCatalogue(t: TTable, hallId: string): Promise<THallCatalogue | undefined> {
  const items = (await queryAll(t, { pk: keys.hallPartition(hallId), prefix: keys.catalogPrefix })).map((i) => unmarshall(i));
  const meta = items.find((i) => i.sk === keys.hallMetaSk);
  if (!meta) return undefined;
  const byName = (a: { id: string }, b: { id: string }) => a.id.localeCompare(b.id, 'en', { numeric: true });
  const of = <T>(prefix: string) => items.filter((i) => String(i.sk).startsWith(prefix)).map((i) => strip<T>(i));
  return {
    hall: strip<THall>(meta),
    windows: of<TWindow>(keys.windowSkPrefix).sort(byName),
    services: of<TService>(keys.serviceSkPrefix).sort(byName),
  };
}

/** Several halls' records in batched reads (the nightly job's workers get ids, not catalogues). */
export async function getHalls(t: TTable, hallIds: string[]): Promise<THall[]> {
  const items = await batchGet(
    t,
    hallIds.map((id) => keys.hall(id)),
  );
  const byId = new Map(items.map((i) => strip<THall>(unmarshall(i))).map((h) => [h.id, h]));
  return hallIds.map((id) => byId.get(id)).filter((h): h is THall => !!h);
}

/** Bulk load of hall records (benchmarks, imports). */
export async function bulkPutHalls(t: TTable, halls: THall[]): Promise<void> {
  await batchPut(
    t,
    halls.map((h) => marshall(hallItem(h), { removeUndefinedValues: true })),
    8,
  );
}

/* ---------- the administrator's writes ---------- */

/** Adds a region; false (nothing written) if a region with its id exists. */
export async function createRegion(t: TTable, region: TRegion): Promise<boolean> {
  return bumped(t, await putIf(t, 'absent', regionItem(region)));
}

/** Replaces a region's record (names, level, parent); false if there is no such region. */
export async function updateRegion(t: TTable, region: TRegion): Promise<boolean> {
  return bumped(t, await putIf(t, 'present', regionItem(region)));
}

/** Deletes a region record; the caller has checked it holds nothing (no sub-regions, halls or staff scoped to it). */
export async function deleteRegion(t: TTable, id: string): Promise<boolean> {
  return bumped(t, await deleteIfPresent(t, keys.region(id)));
}

/** Adds a hall; false if a hall with its id exists (hall ids are inside printed codes: never reused or overwritten). */
export async function createHall(t: TTable, hall: THall): Promise<boolean> {
  return bumped(t, await putIf(t, 'absent', hallItem(hall)));
}

/** Replaces a hall's record (names, region, time zone, hours); false if there is no such hall. */
export async function updateHall(t: TTable, hall: THall): Promise<boolean> {
  return bumped(t, await putIf(t, 'present', hallItem(hall)));
}

/** Adds a window or a service to a hall; false if the hall already has one with that id (retired ones included). */
export async function createUnit(t: TTable, kind: 'window' | 'service', unit: TWindow | TService): Promise<boolean> {
  return bumped(t, await putIf(t, 'absent', { ...keys.unit(kind, unit.hallId, unit.id), ...unit }));
}

/** Renames a window or service; false if the hall has no such one. Its retirement, if any, stays as it is. */
export async function renameUnit(
  t: TTable,
  kind: 'window' | 'service',
  hallId: string,
  id: string,
  name: string,
  nameEn?: string,
): Promise<boolean> {
  const update = nameEn ? 'SET #name = :name, #nameEn = :nameEn' : 'SET #name = :name REMOVE #nameEn';
  const values = { ':name': name, ...(nameEn ? { ':nameEn': nameEn } : {}) };
  return bumped(t, await updateIfPresent(t, keys.unit(kind, hallId, id), update, { '#name': 'name', '#nameEn': 'nameEn' }, values));
}

/** Retires (at an instant) or restores (undefined) a window or service; false if the hall has no such one. */
export async function setUnitRetired(
  t: TTable,
  kind: 'window' | 'service',
  hallId: string,
  id: string,
  retiredAt: string | undefined,
): Promise<boolean> {
  const key = keys.unit(kind, hallId, id);
  const ok = retiredAt
    ? await updateIfPresent(t, key, 'SET #r = if_not_exists(#r, :at)', { '#r': 'retiredAt' }, { ':at': retiredAt })
    : await updateIfPresent(t, key, 'REMOVE #r', { '#r': 'retiredAt' });
  return bumped(t, ok);
}

export function deleteIfPresent(t: TTable, key: TKey): Promise<boolean> {
  return ifCondition(() =>
    t.db.send(new DeleteItemCommand({ TableName: t.name, Key: marshall(key), ConditionExpression: 'attribute_exists(pk)' })),
  );
}

/** Takes a hall off the public pages (false) or puts it back (true: the default, stored as no attribute). */
export async function setHallPublic(t: TTable, hallId: string, isPublic: boolean): Promise<boolean> {
  const key = keys.hall(hallId);
  const ok = isPublic
    ? await updateIfPresent(t, key, 'REMOVE #p', { '#p': 'public' })
    : await updateIfPresent(t, key, 'SET #p = :f', { '#p': 'public' }, { ':f': false });
  return bumped(t, ok);
}

/** Whether the public pages may show a hall: every hall is public unless an administrator said otherwise. */
export const isPublicHall = (h: Pick<THall, 'public'>): boolean => h.public !== false;
