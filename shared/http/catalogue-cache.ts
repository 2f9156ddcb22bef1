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
  const cache = new Map<string, { at: number; version: number; value: Promise<THallCatalogue | undefined> }>();
  // Not an async function: a hit hands back the cached promise itself (no wrapping promise per rating), and the
  // requests that come while a hall's first read runs share that one read.
  return (hallId: string): Promise<THallCatalogue | undefined> => {
    const hit = cache.get(hallId);
    if (hit && now() - hit.at < ttlMs && hit.version === table.catalogueVersion) return hit.value;
    const version = table.catalogueVersion; // read before the query: a write landing during it is not masked
    const value = getHallCatalogue(table, hallId);
    if (cache.size > 10_000) cache.clear();
    const entry = { at: now(), version, value };
    cache.set(hallId, entry);
    value.catch(() => cache.get(hallId) === entry && cache.delete(hallId)); // a failed read is not remembered
    return value;
  };
}
