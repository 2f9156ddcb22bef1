/**
 * The table handle and the few calls every storage module makes (put, conditional put and update, get, query-all on
 * the table or its index, batch get and put), written once. Reads are counted on the handle: the nightly job's cost,
 * measured by the cost tests in DynamoDB's own unit.
 */
import {
  ConditionalCheckFailedException,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  type QueryCommandInput,
  UpdateItemCommand,
  type AttributeValue,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { batchGetItems, batchPutItems } from './batch.js';
import type { TKey } from './keys.js';
import { TABLE_KEYS } from './table.js';

export type Item = Record<string, AttributeValue>;

export interface TTable {
  readonly db: DynamoDBClient;
  readonly name: string;
  /** Items read through this handle: the job's cost, for the cost tests. */
  itemsRead: number;
  /**
   * Bumped by every catalogue write made through this handle, so the process's caches (the resident path's hall
   * catalogues, the dashboard's region tree) drop what they hold at once; other processes' caches expire by time.
   */
  catalogueVersion: number;
}

/**
 * `marshall(obj, { removeUndefinedValues: true })` for the plain values our items hold (strings, numbers, booleans,
 * null, arrays, plain objects), without the SDK's generic type probing: the rating put calls it on every rating
 * and the generic one cost about a tenth of the request's CPU. Anything else goes to the SDK's marshall.
 */
export function marshallPlain(obj: Record<string, unknown>): Item {
  const out: Item = {};
  for (const k in obj) {
    const v = obj[k];
    if (v !== undefined) out[k] = attr(v);
  }
  return out;
}
/** One value as marshallPlain writes it (for a codec that builds its item in one pass: ratings.ts). */
export function attr(v: unknown): AttributeValue {
  switch (typeof v) {
    case 'string':
      return { S: v };
    case 'number':
      if (!Number.isFinite(v)) break;
      return { N: String(v) };
    case 'boolean':
      return { BOOL: v };
    case 'object':
      if (v === null) return { NULL: true };
      if (Array.isArray(v)) return { L: v.filter((x) => x !== undefined).map(attr) };
      if (Object.getPrototypeOf(v) === Object.prototype) return { M: marshallPlain(v as Record<string, unknown>) };
  }
  return marshall({ v }, { removeUndefinedValues: true }).v;
}

/** `unmarshall(item)` for the same plain values (numbers as numbers); other types go to the SDK's unmarshall. */
export function unmarshallPlain(item: Item): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k in item) out[k] = native(item[k]);
  return out;
}
function native(a: AttributeValue): unknown {
  if (a.S !== undefined) return a.S;
  if (a.N !== undefined) return Number(a.N);
  if (a.BOOL !== undefined) return a.BOOL;
  if (a.NULL !== undefined) return null;
  if (a.L !== undefined) return a.L.map(native);
  if (a.M !== undefined) return unmarshallPlain(a.M);
  return unmarshall({ v: a }).v;
}

export const openTable = (db: DynamoDBClient, name: string): TTable => ({ db, name, itemsRead: 0, catalogueVersion: 0 });

export const isConditionFailure = (err: unknown): boolean =>
  err instanceof ConditionalCheckFailedException || (err as Error)?.name === 'ConditionalCheckFailedException';

/** Runs a conditional write; false when its condition did not hold (nothing was written). */
export async function ifCondition(write: () => Promise<unknown>): Promise<boolean> {
  try {
    await write();
    return true;
  } catch (err) {
    if (isConditionFailure(err)) return false;
    throw err;
  }
}

export async function put(t: TTable, obj: Record<string, unknown>): Promise<void> {
  await t.db.send(new PutItemCommand({ TableName: t.name, Item: marshall(obj, { removeUndefinedValues: true }) }));
}

/** A conditional put: 'absent' creates only, 'present' replaces only. False when the condition did not hold. */
export function putIf(t: TTable, when: 'absent' | 'present', obj: Record<string, unknown>): Promise<boolean> {
  return ifCondition(() =>
    t.db.send(
      new PutItemCommand({
        TableName: t.name,
        Item: marshall(obj, { removeUndefinedValues: true }),
        ConditionExpression: when === 'absent' ? 'attribute_not_exists(pk)' : 'attribute_exists(pk)',
      }),
    ),
  );
}

/** An update of an existing item; false if there is none. Names the expression does not use are dropped. */
export function updateIfPresent(
  t: TTable,
  key: TKey,
  update: string,
  names?: Record<string, string>,
  values?: Record<string, unknown>,
): Promise<boolean> {
  // DynamoDB refuses names the expression does not use.
  const used = names && Object.fromEntries(Object.entries(names).filter(([n]) => update.includes(n)));
  return ifCondition(() =>
    t.db.send(
      new UpdateItemCommand({
        TableName: t.name,
        Key: marshall(key),
        UpdateExpression: update,
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: used && Object.keys(used).length ? used : undefined,
        ExpressionAttributeValues: values && Object.keys(values).length ? marshall(values, { removeUndefinedValues: true }) : undefined,
      }),
    ),
  );
}

/** One item, read consistently unless told otherwise; not counted (the job's reads go through batches and queries). */
export async function getItem(t: TTable, key: TKey, opts: { consistent?: boolean } = {}): Promise<Record<string, unknown> | undefined> {
  const out = await t.db.send(new GetItemCommand({ TableName: t.name, Key: marshall(key), ConsistentRead: opts.consistent }));
  return out.Item ? unmarshall(out.Item) : undefined;
}

/** The table (false), GSI1 (true), or GSI2/GSI3/GSI4 by name. */
export type TIndexChoice = boolean | 'gsi2' | 'gsi3' | 'gsi4';

/** Which index a query reads and its key names. */
export function indexOf(index: TIndexChoice | undefined) {
  const gsi =
    index === 'gsi2'
      ? TABLE_KEYS.gsi2
      : index === 'gsi3'
        ? TABLE_KEYS.gsi3
        : index === 'gsi4'
          ? TABLE_KEYS.gsi4
          : index
            ? TABLE_KEYS.gsi1
            : undefined;
  const [pkName, skName] = gsi ? [gsi.partitionKey, gsi.sortKey] : [TABLE_KEYS.partitionKey, TABLE_KEYS.sortKey];
  return { indexName: gsi?.name, pkName, skName };
}

/** A Query's key condition: the partition, and the sort key in a range, after a key, or starting with a prefix. */
function keyCondition(
  q: { pk: string; index?: TIndexChoice; between?: [string, string]; after?: string; prefix?: string },
  skName: string,
): Pick<QueryCommandInput, 'KeyConditionExpression' | 'ExpressionAttributeValues'> {
  const [cond, values] = q.between
    ? [` AND ${skName} BETWEEN :a AND :b`, { ':a': q.between[0], ':b': q.between[1] }]
    : q.after
      ? [` AND ${skName} > :a`, { ':a': q.after }]
      : q.prefix
        ? [` AND begins_with(${skName}, :p)`, { ':p': q.prefix }]
        : ['', {}];
  const pkName = indexOf(q.index).pkName;
  return { KeyConditionExpression: `${pkName} = :pk${cond}`, ExpressionAttributeValues: marshall({ ':pk': q.pk, ...values }) };
}

/** Every page of a Query on the table (pk), on GSI1 (index: true), GSI2, GSI3 or GSI4, optionally narrowed by sort key. Counted. */
export async function queryAll(
  t: TTable,
  q: { pk: string; index?: TIndexChoice; between?: [string, string]; prefix?: string },
): Promise<Item[]> {
  const out: Item[] = [];
  let start: Item | undefined;
  const { indexName, skName } = indexOf(q.index);
  const condition = keyCondition(q, skName);
  do {
    const page = await t.db.send(new QueryCommand({ TableName: t.name, IndexName: indexName, ...condition, ExclusiveStartKey: start }));
    out.push(...(page.Items ?? []));
    t.itemsRead += page.Items?.length ?? 0;
    start = page.LastEvaluatedKey;
  } while (start);
  return out;
}

/** One item, counted (sign-in's, the gate's and the catalogue tree's reads: what the access-count tests assert). */
export async function getCounted(t: TTable, key: TKey): Promise<Record<string, unknown> | undefined> {
  const item = await getItem(t, key);
  t.itemsRead++;
  return item;
}

/**
 * One page of a Query (table, GSI1 or GSI2), sort keys starting with `prefix`, after the sort key `after` (the
 * previous page's `next`) or in a range (`between`), at most `limit` items; optionally filtered, reading at most
 * `limit` items to find them. Counted. `next` is undefined on the last page.
 */
export async function queryPage(
  t: TTable,
  q: { pk: string; index?: TIndexChoice; prefix?: string; after?: string; between?: [string, string]; limit: number },
): Promise<{ items: Item[]; next?: string }> {
  const { indexName, skName } = indexOf(q.index);
  // After a cursor the key condition is `> after`, and the prefix is checked here: keys are sorted, so the first
  // key past the prefix ends the listing.
  const page = await t.db.send(new QueryCommand({ TableName: t.name, IndexName: indexName, ...keyCondition(q, skName), Limit: q.limit }));
  const read = page.Items ?? [];
  t.itemsRead += read.length;
  const inPrefix = (i: Item) => String(i[skName]?.S ?? '').startsWith(q.prefix ?? '');
  const items = read.filter(inPrefix);
  const last = page.LastEvaluatedKey?.[skName]?.S;
  return { items, next: items.length === read.length ? last : undefined };
}

/**
 * Every page of a raw Query (projections, filters, any index: what queryAll does not cover), each handed to `visit`
 * before the next is read. Counted. Returns the items read.
 */
export async function forEachQueryPage(
  t: TTable,
  input: Omit<QueryCommandInput, 'TableName' | 'ExclusiveStartKey'>,
  visit: (items: Item[]) => Promise<void>,
): Promise<number> {
  let read = 0;
  let start: Item | undefined;
  do {
    const page = await t.db.send(new QueryCommand({ ...input, TableName: t.name, ExclusiveStartKey: start }));
    start = page.LastEvaluatedKey;
    read += page.Items?.length ?? 0;
    t.itemsRead += page.Items?.length ?? 0;
    await visit(page.Items ?? []);
  } while (start);
  return read;
}

/** Many items by key, in batches; counted. */
export async function batchGet(t: TTable, keyList: TKey[], opts: { consistent?: boolean } = {}): Promise<Item[]> {
  const items = await batchGetItems(t.db, t.name, keyList, opts);
  t.itemsRead += items.length;
  return items;
}

export function batchPut(t: TTable, items: Item[], concurrency = 1): Promise<void> {
  return batchPutItems(t.db, t.name, items, concurrency);
}

/** Drops the storage keys from an item, leaving the entity. */
export function strip<T>(item: Record<string, unknown>): T {
  const { pk: _pk, sk: _sk, gsi1pk: _g1, gsi1sk: _g2, gsi2pk: _h1, gsi2sk: _h2, ttl: _ttl, ...rest } = item;
  return rest as T;
}
