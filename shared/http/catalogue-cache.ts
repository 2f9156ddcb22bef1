/**
 * Each hall's catalogue, cached briefly: it is read on every ticket and rating and changes rarely. One cache per
 * app (createApp builds it once and hands it to the API and the resident pages). A change made in this process (an
 * administrator's edit, on the local server) is seen at once; one made elsewhere within the TTL.
 */
import type { THallCatalogue } from '../storage/catalogue.js';
import type { TTable } from '../storage/db.js';
import { getHallCatalogue } from '../storage/catalogue.js';

export type TCatalogueLookup = (hallId: string) => Promise<THallCatalogue | undefined>;

export function cachedCatalogue(table: TTable, ttlMs = 60_000, now = () => Date.now()): TCatalogueLookup {
  const cache = new Map<string, { at: number; version: number; value: THallCatalogue | undefined }>();
  return async (hallId: string): Promise<THallCatalogue | undefined> => {
    const hit = cache.get(hallId);
    if (hit && now() - hit.at < ttlMs && hit.version === table.catalogueVersion) return hit.value;
    const version = table.catalogueVersion; // read before the query: a write landing during it is not masked
    const value = await getHallCatalogue(table, hallId);
    if (cache.size > 10_000) cache.clear();
    cache.set(hallId, { at: now(), version, value });
    return value;
  };
}
