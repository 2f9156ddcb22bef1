/**
 * The review of suspicious ratings (SPEC §6): one item per flagged group of a hall-day. The nightly job owns the
 * group (rule, ratings, evidence) and rewrites it on every re-score; people own `gd` (dec), the decisions per rating
 * ('*' = the whole group), which the job never touches. The decisions that count for scores are on the ratings
 * themselves (dc, see domain/exclusion.ts); `dec` is the page's summary, so a list never reads every rating.
 */
import { DeleteItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type { TFlag, TFlagGroup } from '../domain/suspicion.js';
import { queryAll, updateIfPresent, type TTable } from './db.js';
import * as keys from './keys.js';

export interface TGroupDecision {
  d: 'confirmed' | 'cleared';
  by: string;
  at: string;
}

export interface TReviewGroup extends TFlagGroup {
  hallId: string;
  day: string;
  /** per rating id, '*' for the whole group: the latest decision */
  dec: Record<string, TGroupDecision>;
}

const toGroup = (raw: Record<string, unknown>): TReviewGroup => {
  const sk = String(raw.sk);
  return {
    hallId: String(raw.pk).slice('REVIEW#'.length),
    day: sk.slice(0, 10),
    key: sk.slice(11),
    rule: raw.r as TFlag,
    ...(raw.w ? { windowId: String(raw.w) } : {}),
    from: String(raw.fr),
    to: String(raw.to),
    ratingIds: raw.ids as string[],
    evidence: (raw.ev ?? {}) as Record<string, number>,
    dec: (raw.gd ?? {}) as Record<string, TGroupDecision>,
  };
};

/** A hall's groups, newest day first; `since` (a day) bounds the read. */
export async function listReviewGroups(t: TTable, hallId: string, since?: string): Promise<TReviewGroup[]> {
  const items = await queryAll(t, { pk: keys.reviewsOfHall(hallId), ...(since ? { between: [since, '9999'] as [string, string] } : {}) });
  return items.map((i) => toGroup(unmarshall(i))).reverse();
}

/**
 * The job's side: make the hall-day's groups exactly `groups`, leaving people's decisions on the ones that stay.
 * Unchanged groups cost no write, so a re-run of a quiet day writes nothing.
 */
export async function syncReviewGroups(t: TTable, hallId: string, day: string, groups: TFlagGroup[]): Promise<void> {
  const existing = new Map(
    (await queryAll(t, { pk: keys.reviewsOfHall(hallId), prefix: `${day}#` })).map((i) => {
      const g = toGroup(unmarshall(i));
      return [g.key, g] as const;
    }),
  );
  const same = (a: TFlagGroup, b: TFlagGroup) =>
    a.rule === b.rule &&
    a.from === b.from &&
    a.to === b.to &&
    a.ratingIds.join() === b.ratingIds.join() &&
    JSON.stringify(a.evidence) === JSON.stringify(b.evidence);
  for (const g of groups) {
    const old = existing.get(g.key);
    existing.delete(g.key);
    if (old && same(old, g)) continue;
    await t.db.send(
      new UpdateItemCommand({
        TableName: t.name,
        Key: marshall(keys.reviewGroup(hallId, day, g.key)),
        UpdateExpression: 'SET r = :r, fr = :fr, #to = :to, ids = :ids, ev = :ev, w = :w, gd = if_not_exists(gd, :e)',
        ExpressionAttributeNames: { '#to': 'to' },
        ExpressionAttributeValues: marshall({
          ':r': g.rule,
          ':fr': g.from,
          ':to': g.to,
          ':ids': g.ratingIds,
          ':ev': g.evidence,
          ':w': g.windowId ?? '',
          ':e': {},
        }),
      }),
    );
  }
  for (const gone of existing.keys())
    await t.db.send(new DeleteItemCommand({ TableName: t.name, Key: marshall(keys.reviewGroup(hallId, day, gone)) }));
}

/** One group, or undefined. */
export async function getReviewGroup(t: TTable, hallId: string, day: string, key: string): Promise<TReviewGroup | undefined> {
  const items = await queryAll(t, { pk: keys.reviewsOfHall(hallId), between: [`${day}#${key}`, `${day}#${key}`] });
  return items.length ? toGroup(unmarshall(items[0])) : undefined;
}

/** Records a decision in the group's summary ('*' for the whole group, which also drops older per-rating ones). */
export function setGroupDecision(t: TTable, hallId: string, day: string, key: string, target: string, d: TGroupDecision): Promise<boolean> {
  const k = keys.reviewGroup(hallId, day, key);
  if (target === '*') return updateIfPresent(t, k, 'SET gd = :d', undefined, { ':d': { '*': d } });
  return updateIfPresent(t, k, 'SET gd.#id = :d', { '#id': target }, { ':d': d });
}
