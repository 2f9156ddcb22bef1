/**
 * Survey definitions' versions (domain/survey.ts). Each save of a scope's definition is a new item with the next
 * number (a conditional put, so two administrators saving at once get two versions, never one overwritten); an item
 * is never changed afterwards except for being marked published. A scope's versions are one small partition: one
 * Query lists them. What a hall answers under is resolved along its region chain; the caller caches it.
 */
import { UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { ZSurveyDefinition, parseVersionId, versionId, type TSurveyDefinition } from '../domain/survey.js';
import * as z from 'zod/mini';
import { getItem, ifCondition, putIf, queryAll, type TTable } from './db.js';
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
    // Stored only after validation; parsed again so a damaged item can never reach a page.
    definition: z.parse(ZSurveyDefinition, JSON.parse(String(i.def))),
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

/** Saves a definition as the scope's next version (unpublished). Returns it. */
export async function saveSurveyVersion(
  t: TTable,
  scope: string,
  definition: TSurveyDefinition,
  by: string,
  at: string,
): Promise<TSurveyVersion> {
  const def = JSON.stringify(z.parse(ZSurveyDefinition, definition));
  for (let attempt = 0; attempt < 5; attempt++) {
    const n = ((await listSurveyVersions(t, scope)).at(-1)?.n ?? 0) + 1;
    if (await putIf(t, 'absent', { ...keys.survey(scope, n), def, by, at }))
      return { scope, n, version: versionId(scope, n), definition, savedBy: by, savedAt: at };
  }
  throw new Error(`survey ${scope}: could not save a new version (too many concurrent saves)`);
}

/** Marks a saved version published (it is then in force for its scope, if it is the newest published). */
export function publishSurveyVersion(t: TTable, scope: string, n: number, at: string): Promise<boolean> {
  return ifCondition(() =>
    t.db.send(
      new UpdateItemCommand({
        TableName: t.name,
        Key: marshall(keys.survey(scope, n)),
        UpdateExpression: 'SET pub = if_not_exists(pub, :at)',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: marshall({ ':at': at }),
      }),
    ),
  );
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
