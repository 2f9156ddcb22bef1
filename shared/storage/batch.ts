/**
 * DynamoDB's batch calls with their limits (100 keys a get, 25 items a write) and their unprocessed remainders
 * retried with backoff — written once, for db.ts's batchGet and batchPut.
 */
import { BatchGetItemCommand, BatchWriteItemCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';

export type Item = Record<string, AttributeValue>;

const backoff = (attempt: number, what: string) => {
  if (attempt > 10) throw new Error(`${what}: still unprocessed after 10 retries`);
  return attempt ? new Promise((r) => setTimeout(r, 20 * 2 ** attempt)) : undefined;
};

/** Reads many items by key (duplicates read once); `consistent` for reads that must see the latest write. */
export async function batchGetItems(
  db: DynamoDBClient,
  table: string,
  keys: { pk: string; sk: string }[],
  opts: { consistent?: boolean } = {},
): Promise<Item[]> {
  const unique = [...new Map(keys.map((k) => [`${k.pk}|${k.sk}`, k])).values()];
  const out: Item[] = [];
  for (let i = 0; i < unique.length; i += 100) {
    let pending: Item[] = unique.slice(i, i + 100).map((k) => marshall(k));
    for (let attempt = 0; pending.length; attempt++) {
      await backoff(attempt, 'batch get');
      const res = await db.send(new BatchGetItemCommand({ RequestItems: { [table]: { Keys: pending, ConsistentRead: opts.consistent } } }));
      out.push(...(res.Responses?.[table] ?? []));
      pending = res.UnprocessedKeys?.[table]?.Keys ?? [];
    }
  }
  return out;
}

/** Puts many items, `concurrency` batches at a time. */
export async function batchPutItems(db: DynamoDBClient, table: string, items: Item[], concurrency = 1): Promise<void> {
  const chunks: Item[][] = [];
  for (let i = 0; i < items.length; i += 25) chunks.push(items.slice(i, i + 25));
  let next = 0;
  const worker = async () => {
    while (next < chunks.length) {
      let pending = chunks[next++];
      for (let attempt = 0; pending.length; attempt++) {
        await backoff(attempt, 'batch write');
        const res = await db.send(
          new BatchWriteItemCommand({ RequestItems: { [table]: pending.map((Item) => ({ PutRequest: { Item } })) } }),
        );
        pending = (res.UnprocessedItems?.[table] ?? []).map((r) => r.PutRequest!.Item!);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, chunks.length) }, worker));
}
