/**
 * Creates the table in a local engine (dynalite or DynamoDB Local) with the same keys and indexes the CDK stack
 * declares, and brings a local table made before an index existed up to the current shape (rebuildTableOf: the
 * engines cannot add an index to a table with items, so the items are copied out to `<name>-reshape` and back).
 * On AWS, CloudFormation adds the index and waitForIndexes waits until DynamoDB has back-filled it.
 */
import {
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  ResourceInUseException,
  ResourceNotFoundException,
  ScanCommand,
  type TableDescription,
} from '@aws-sdk/client-dynamodb';
import { batchPutItems, type Item } from './batch.js';
import { KEY_ATTRIBUTES, TABLE_INDEXES, TABLE_KEYS } from './table.js';

/** The suffix of the table a rebuild copies the items to while the table is made again. */
export const RESHAPE_SUFFIX = '-reshape';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function describe(client: DynamoDBClient, tableName: string): Promise<TableDescription | undefined> {
  try {
    return (await client.send(new DescribeTableCommand({ TableName: tableName }))).Table;
  } catch (err) {
    if (err instanceof ResourceNotFoundException || (err as Error).name === 'ResourceNotFoundException') return undefined;
    throw err;
  }
}

/** Whether a table has every index of TABLE_INDEXES. */
const hasEveryIndex = (t: TableDescription): boolean =>
  TABLE_INDEXES.every((g) => (t.GlobalSecondaryIndexes ?? []).some((x) => x.IndexName === g.name));

async function create(client: DynamoDBClient, tableName: string): Promise<void> {
  const { partitionKey, sortKey } = TABLE_KEYS;
  try {
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: KEY_ATTRIBUTES.map((n) => ({ AttributeName: n, AttributeType: 'S' })),
        KeySchema: [
          { AttributeName: partitionKey, KeyType: 'HASH' },
          { AttributeName: sortKey, KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: TABLE_INDEXES.map((g) => ({
          IndexName: g.name,
          KeySchema: [
            { AttributeName: g.partitionKey, KeyType: 'HASH' as const },
            { AttributeName: g.sortKey, KeyType: 'RANGE' as const },
          ],
          Projection: { ProjectionType: 'ALL' as const },
        })),
      }),
    );
  } catch (err) {
    if (!(err instanceof ResourceInUseException) && (err as Error).name !== 'ResourceInUseException') throw err;
  }
  await waitActive(client, tableName);
}

async function waitActive(client: DynamoDBClient, tableName: string, tries = 100, everyMs = 50): Promise<void> {
  for (let i = 0; i < tries; i++) {
    const t = await describe(client, tableName);
    const indexesReady = (t?.GlobalSecondaryIndexes ?? []).every((g) => g.IndexStatus === 'ACTIVE');
    if (t?.TableStatus === 'ACTIVE' && indexesReady) return;
    await sleep(everyMs);
  }
  throw new Error(`table ${tableName} did not become ACTIVE`);
}

async function drop(client: DynamoDBClient, tableName: string): Promise<void> {
  try {
    await client.send(new DeleteTableCommand({ TableName: tableName }));
  } catch (err) {
    if (!(err instanceof ResourceNotFoundException) && (err as Error).name !== 'ResourceNotFoundException') throw err;
  }
  for (let i = 0; i < 200 && (await describe(client, tableName)); i++) await sleep(50);
}

/** Every item of `from` put into `to` (a page of the scan at a time); returns how many. */
async function copyItems(client: DynamoDBClient, from: string, to: string): Promise<number> {
  let n = 0;
  let start: Item | undefined;
  do {
    const page = await client.send(new ScanCommand({ TableName: from, ExclusiveStartKey: start }));
    await batchPutItems(client, to, page.Items ?? [], 4);
    n += page.Items?.length ?? 0;
    start = page.LastEvaluatedKey;
  } while (start);
  return n;
}

/**
 * Brings a local table made before one of TABLE_INDEXES existed to the current shape: its items are copied to
 * `<name>-reshape` (made with the current shape), the table is deleted and made again, the items copied back and
 * the copy deleted. Safe to interrupt: the table is deleted only once the copy is whole, the copy only once the
 * table holds every item again, and a run finding `<name>-reshape` finishes what the last one began (puts are
 * idempotent). Returns the items copied back (0: nothing to do). Local engines only: on AWS the stack adds indexes.
 */
export async function rebuildTableOf(client: DynamoDBClient, tableName: string): Promise<number> {
  const reshape = `${tableName}${RESHAPE_SUFFIX}`;
  const table = await describe(client, tableName);
  const pending = await describe(client, reshape);
  if (table && hasEveryIndex(table) && !pending) return 0;
  if (table && !hasEveryIndex(table)) {
    await create(client, reshape);
    await copyItems(client, tableName, reshape);
    await drop(client, tableName);
  }
  await create(client, tableName);
  const n = await copyItems(client, reshape, tableName);
  await drop(client, reshape);
  return n;
}

export async function ensureTable(client: DynamoDBClient, tableName: string): Promise<void> {
  const [table, pending] = await Promise.all([describe(client, tableName), describe(client, `${tableName}${RESHAPE_SUFFIX}`)]);
  if (pending || (table && !hasEveryIndex(table))) await rebuildTableOf(client, tableName);
  else await create(client, tableName);
}

/**
 * Waits until every index of TABLE_INDEXES is on the table and ACTIVE (on AWS a new index is back-filled for a
 * while after the deploy that adds it; nothing may rely on it before). Throws after `timeoutMs`.
 */
export async function waitForIndexes(client: DynamoDBClient, tableName: string, timeoutMs = 3_600_000, everyMs = 15_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const t = await describe(client, tableName);
    const all = TABLE_INDEXES.map((g) => t?.GlobalSecondaryIndexes?.find((x) => x.IndexName === g.name));
    const missing = TABLE_INDEXES.filter((_, i) => all[i]?.IndexStatus !== 'ACTIVE').map((g) => g.name);
    if (t && !missing.length) return;
    if (Date.now() > until) throw new Error(`table ${tableName}: index ${missing.join(', ')} not ACTIVE after ${timeoutMs} ms`);
    await sleep(everyMs);
  }
}
