/**
 * The catalogue: regions, halls and their windows and services. A hall shares its partition with its windows and
 * services, so one Query configures a queue machine. The administrator's writes are conditional: creating never
 * overwrites and editing never creates (a refused write returns false, nothing changed). Every catalogue write
 * bumps the handle's catalogueVersion so this process's caches drop what they hold at once.
 */
import { DeleteItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type { THall, TRegion, TService, TWindow } from '../domain/model.js';
import { batchGet, batchPut, getCounted, ifCondition, put, putIf, queryAll, queryPage, strip, updateIfPresent, type TTable } from './db.js';
import * as keys from './keys.js';
import type { TKey } from './keys.js';

export interface THallCatalogue {
  hall: THall;
  windows: TWindow[];
  services: TService[];
}

// Each record carries its place in the tree (GSI2 KIDS#<parent>), so a move is one write and a region's children are
// one Query: no separate children item to keep in step without transactions.
const regionItem = (r: TRegion) => ({ ...keys.region(r.id), ...keys.regionIndex(r.id), ...keys.childIndex(r.parentId, 'R', r.id), ...r });
const hallItem = (h: THall) => ({ ...keys.hall(h.id), ...keys.hallIndex(h.id), ...keys.childIndex(h.regionId, 'H', h.id), ...h });
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

/* ---------- the tree at national size: one unit, its ancestors, one level, one subtree; never the country ---------- */

/** One region's record (one read), or undefined. */
export async function getRegion(t: TTable, id: string): Promise<TRegion | undefined> {
  const item = await getCounted(t, keys.region(id));
  return item && strip<TRegion>(item);
}

/** One hall's record (one read, without its windows and services), or undefined. */
export async function getHall(t: TTable, id: string): Promise<THall | undefined> {
  const item = await getCounted(t, keys.hall(id));
  return item && strip<THall>(item);
}

/**
 * A region and the regions above it, itself first, up to the top: one read per level (`known` answers first, e.g.
 * a process's cache). Stops at a missing parent or a cycle.
 */
export async function regionAncestors(
  t: TTable,
  id: string,
  known: (id: string) => Promise<TRegion | undefined> = (x) => getRegion(t, x),
): Promise<TRegion[]> {
  const chain: TRegion[] = [];
  for (let at: string | undefined = id; at !== undefined && !chain.some((r) => r.id === at); ) {
    const region = await known(at);
    if (!region) break;
    chain.push(region);
    at = region.parentId || undefined;
  }
  return chain;
}

export interface TChildren {
  regions: TRegion[];
  halls: THall[];
}

/** A region's direct sub-regions and halls (one Query on GSI2, its children only); the top regions for undefined. */
export async function regionChildren(t: TTable, parentId: string | undefined): Promise<TChildren> {
  const items = (await queryAll(t, { pk: keys.childrenOf(parentId), index: 'gsi2' })).map((i) => unmarshall(i));
  return {
    regions: items.filter((i) => String(i.gsi2sk).startsWith('R#')).map((i) => strip<TRegion>(i)),
    halls: items.filter((i) => String(i.gsi2sk).startsWith('H#')).map((i) => strip<THall>(i)),
  };
}

/**
 * Everything below a region at any depth: its descendant regions and halls, one Query per region of the subtree
 * (a level at a time, in parallel), so a county reads a county and a province a province, never the country.
 */
export async function regionSubtree(t: TTable, regionId: string): Promise<TChildren> {
  const out: TChildren = { regions: [], halls: [] };
  const seen = new Set([regionId]);
  for (let level = [regionId]; level.length; ) {
    const kids = await Promise.all(level.map((id) => regionChildren(t, id)));
    level = [];
    for (const k of kids) {
      out.halls.push(...k.halls);
      for (const r of k.regions)
        if (!seen.has(r.id)) {
          seen.add(r.id);
          out.regions.push(r);
          level.push(r.id);
        }
    }
  }
  return out;
}

/** The halls below a region at any depth (a region page's "needs attention", its alerts' filter). */
export async function descendantHalls(t: TTable, regionId: string): Promise<THall[]> {
  return (await regionSubtree(t, regionId)).halls;
}

/** One page of halls by id (those whose id starts with `idPrefix`), `limit` at a time; `after` is the last page's `next`. */
export async function pageHalls(
  t: TTable,
  q: { idPrefix?: string; after?: string; limit: number },
): Promise<{ halls: THall[]; next?: string }> {
  const page = await queryPage(t, { pk: keys.hallsIndex, index: true, prefix: q.idPrefix, after: q.after, limit: q.limit });
  return { halls: page.items.map((i) => strip<THall>(unmarshall(i))), next: page.next };
}

/** Regions whose id starts with `idPrefix`, at most `limit` (an administrator's region search). */
export async function pageRegions(t: TTable, q: { idPrefix: string; limit: number }): Promise<TRegion[]> {
  const page = await queryPage(t, { pk: keys.regionsIndex, index: true, prefix: q.idPrefix, limit: q.limit });
  return page.items.map((i) => strip<TRegion>(unmarshall(i)));
}

/** Every region: small deployments, tools and the nightly planner; pages read one level or one subtree. */
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

/** Bulk load of region records with their tree index (benchmarks, imports). */
export async function bulkPutRegions(t: TTable, regions: TRegion[]): Promise<void> {
  await batchPut(
    t,
    regions.map((r) => marshall(regionItem(r), { removeUndefinedValues: true })),
    8,
  );
  t.catalogueVersion++;
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
