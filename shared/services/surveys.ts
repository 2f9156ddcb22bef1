/**
 * Which survey definition a hall's residents answer (issue 16): the newest published version nearest the hall along
 * hall → its regions → the whole deployment, else the national default. Resolved at most once per hall per minute
 * per process (like the catalogue), so the rating path adds no read per request.
 */
import { regionChain } from '../domain/access.js';
import type { THall } from '../domain/model.js';
import { effectiveDefinition, type TSurveyDefinition } from '../domain/survey.js';
import { listRegions } from '../storage/catalogue.js';
import type { TTable } from '../storage/db.js';
import { publishedAlong } from '../storage/surveys.js';

export interface TEffectiveSurvey {
  version: string;
  definition: TSurveyDefinition;
}

/** The scopes a hall inherits from, nearest first. */
export const surveyChain = (hallId: string, regions: readonly string[]): string[] => [
  `H#${hallId}`,
  ...regions.map((r) => `R#${r}`),
  'ALL',
];

export function surveyResolver(table: TTable, now: () => number = Date.now, ttlMs = 60_000) {
  const cache = new Map<string, { at: number; value: Promise<TEffectiveSurvey> }>();
  let tree: { at: number; parent: Promise<Map<string, string | undefined>> } | undefined;
  const parents = () => {
    if (!tree || now() - tree.at >= ttlMs)
      tree = { at: now(), parent: listRegions(table).then((rs) => new Map(rs.map((r) => [r.id, r.parentId]))) };
    return tree.parent;
  };
  // Not an async function: a hit hands back the cached promise itself (no wrapping promise per rating), and every
  // request that comes while the first load runs shares that one load.
  return (hall: Pick<THall, 'id' | 'regionId'>): Promise<TEffectiveSurvey> => {
    const hit = cache.get(hall.id);
    if (hit && now() - hit.at < ttlMs) return hit.value;
    const value = load(hall);
    if (cache.size > 10_000) cache.clear();
    const entry = { at: now(), value };
    cache.set(hall.id, entry);
    value.catch(() => cache.get(hall.id) === entry && cache.delete(hall.id)); // a failed load is not remembered
    return value;
  };
  async function load(hall: Pick<THall, 'id' | 'regionId'>): Promise<TEffectiveSurvey> {
    const chain = regionChain({ regionParent: await parents(), hallRegion: new Map() }, hall.regionId);
    const scopes = surveyChain(hall.id, chain);
    const { version, definition } = effectiveDefinition(scopes, await publishedAlong(table, scopes));
    return { version, definition };
  }
}

const resolvers = new WeakMap<TTable, ReturnType<typeof surveyResolver>>();
/** The process's one resolver per table handle, shared by the survey page and the rating path. */
export function surveyOf(table: TTable, now: () => number = Date.now): ReturnType<typeof surveyResolver> {
  const hit = resolvers.get(table);
  if (hit) return hit;
  const r = surveyResolver(table, now);
  resolvers.set(table, r);
  return r;
}
