/**
 * Late-rating marks (DIRTY items): written before a late rating is stored, read and cleared by the nightly job,
 * which re-scores the marked days. Written and read here only, so the two sides cannot disagree on the shape.
 */
import { DeleteItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { ifCondition, queryAll, type TTable } from './db.js';
import * as keys from './keys.js';
import { DIRTY_SHARDS, dirtyShard } from './keys.js';

export interface TDirtyMark {
  hallId: string;
  day: string;
  at: number;
  shard: number;
}

/**
 * Marks a hall's past day as changed, so the nightly job re-scores it. Written *before* the late rating is
 * stored: a stored rating can then never be missing its mark (a mark without a rating only costs a re-run).
 */
export async function markDirty(t: TTable, hallId: string, day: string, now: number): Promise<void> {
  await t.db.send(new PutItemCommand({ TableName: t.name, Item: marshall({ ...keys.dirty(hallId, day), hallId, day, at: now }) }));
}

export async function listDirty(t: TTable): Promise<TDirtyMark[]> {
  const out: TDirtyMark[] = [];
  for (let shard = 0; shard < DIRTY_SHARDS; shard++) {
    for (const i of await queryAll(t, { pk: keys.dirtyPartition(shard) })) {
      const m = unmarshall(i);
      out.push({ hallId: String(m.hallId), day: String(m.day), at: Number(m.at), shard });
    }
  }
  return out;
}

/** Clears a mark unless a newer late rating re-marked it meanwhile. */
export async function clearDirty(t: TTable, mark: TDirtyMark): Promise<void> {
  await ifCondition(() =>
    t.db.send(
      new DeleteItemCommand({
        TableName: t.name,
        Key: marshall(keys.dirtyOfShard(mark.shard, mark.hallId, mark.day)),
        ConditionExpression: '#at = :at',
        ExpressionAttributeNames: { '#at': 'at' },
        ExpressionAttributeValues: marshall({ ':at': mark.at }),
      }),
    ),
  );
}

export { dirtyShard };
