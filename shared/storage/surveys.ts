/**
 * Survey definitions' versions (domain/survey.ts). Each save of a scope's definition is a new item with the next
 * number (a conditional put, so two administrators saving at once get two versions, never one overwritten); an item
 * is never changed afterwards except for being marked published. A scope's versions are one small partition: one
 * Query lists them. What a hall answers under is resolved along its region chain; the caller caches it. Reads here;
 * the writes (and the schema they validate with) are survey-writes.ts, so the resident Lambda bundles no schema.
 */
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { parseVersionId, versionId, type TSurveyDefinition } from '../domain/survey.js';
import { getItem, queryAll, type TTable } from './db.js';
import * as keys from './keys.js';

export interface TSurveyVersion {
  scope: string;
  n: number;
  version: string;
  definition: TSurveyDefinition;
  savedBy: string;
  savedAt: string;
  publishedAt?: string;
}

const toVersion = (i: Record<string, unknown>): TSurveyVersion => {
  const scope = String(i.pk).slice('SURVEY#'.length);
  const n = Number(String(i.sk).slice(2));
  return {
    scope,
    n,
    version: versionId(scope, n),
    // Validated when saved (survey-writes.ts); the resident Lambda reads it without bundling the schema.
    definition: JSON.parse(String(i.def)) as TSurveyDefinition,
    savedBy: String(i.by),
    savedAt: String(i.at),
    publishedAt: i.pub === undefined ? undefined : String(i.pub),
  };
};

/** Every version of a scope, oldest first. */
export async function listSurveyVersions(t: TTable, scope: string): Promise<TSurveyVersion[]> {
  return (await queryAll(t, { pk: keys.surveyPartition(scope) })).map((i) => toVersion(unmarshall(i)));
}

/** One version by its id (what a rating stores), or undefined. */
export async function getSurveyVersion(t: TTable, id: string): Promise<TSurveyVersion | undefined> {
  const p = parseVersionId(id);
  if (!p || p.scope === 'national') return undefined;
  const item = await getItem(t, keys.survey(p.scope, p.n));
  return item && toVersion(item);
}

/** The newest published version of each scope of a chain (one Query per scope). */
export async function publishedAlong(t: TTable, chain: readonly string[]): Promise<Map<string, TSurveyVersion>> {
  const lists = await Promise.all(chain.map((scope) => listSurveyVersions(t, scope)));
  const out = new Map<string, TSurveyVersion>();
  chain.forEach((scope, i) => {
    const newest = lists[i].filter((v) => v.publishedAt).at(-1);
    if (newest) out.set(scope, newest);
  });
  return out;
}
