/**
 * The data layer: every read and write the product makes, over one DynamoDB table (see table.ts for the
 * access patterns). Only single-item conditional writes — no transactions — so it runs the same on
 * DynamoDB, DynamoDB Local and dynalite. Expiring items carry `ttl` and are also filtered on read,
 * because local engines do not expire them.
 */
import {
  ConditionalCheckFailedException,
  DescribeTableCommand,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand,
  type AttributeValue,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type { TUser } from '../domain/access.js';
import type { THall, TRating, TRatingDecision, TRegion, TService, TWindow } from '../domain/model.js';
import { batchGetItems, batchPutItems } from './batch.js';
import { TABLE_KEYS } from './table.js';

type Item = Record<string, AttributeValue>;

const isConditionFailure = (err: unknown): boolean =>
  err instanceof ConditionalCheckFailedException || (err as Error)?.name === 'ConditionalCheckFailedException';

/* Short attribute names keep a rating item small: under 1 KB (one write unit) unless it carries a long comment. */
const RATING_FIELDS = {
  channel: 'ch', hallId: 'h', windowId: 'w', serviceId: 's', ticketId: 't', createdAt: 'at', day: 'd',
  overall: 'o', attitude: 'ga', efficiency: 'ge', competence: 'gc', trips: 'tr', done: 'dn', reasons: 'rs',
  comment: 'cm', phoneEnc: 'pe', phoneMasked: 'pm', lang: 'lg', submissionId: 'sub', deviceHash: 'dev', flags: 'fl',
  decision: 'dc',
} as const satisfies Record<Exclude<keyof TRating, 'ratingId'>, string>;

export function ratingToItem(r: TRating): Item {
  const body: Record<string, unknown> = {
    pk: `RATING#${r.ratingId}`,
    sk: 'RATING',
    [TABLE_KEYS.gsi1.partitionKey]: `HALLDAY#${r.hallId}#${r.day}`,
    [TABLE_KEYS.gsi1.sortKey]: `${r.createdAt}#${r.ratingId}`,
  };
  for (const [field, attr] of Object.entries(RATING_FIELDS)) {
    const v = r[field as keyof TRating];
    if (v !== undefined && !(Array.isArray(v) && v.length === 0) && v !== '') body[attr] = v;
  }
  return marshall(body, { removeUndefinedValues: true });
}

export function itemToRating(item: Item): TRating {
  const raw = unmarshall(item);
  const r: Record<string, unknown> = { ratingId: String(raw.pk).slice('RATING#'.length) };
  for (const [field, attr] of Object.entries(RATING_FIELDS)) if (raw[attr] !== undefined) r[field] = raw[attr];
  return r as unknown as TRating;
}

/** Bytes DynamoDB bills for an item: attribute names plus values (a close approximation of the documented rule). */
export function itemSize(item: Item): number {
  const size = (v: AttributeValue): number => {
    if (v.S !== undefined) return Buffer.byteLength(v.S);
    if (v.N !== undefined) return Math.ceil(v.N.replace(/^-|\.|^0+/g, '').length / 2) + 1;
    if (v.B !== undefined) return v.B.length;
    if (v.BOOL !== undefined || v.NULL !== undefined) return 1;
    if (v.SS) return v.SS.reduce((n, s) => n + Buffer.byteLength(s), 0);
    if (v.L) return 3 + v.L.reduce((n, x) => n + 1 + size(x), 0);
    if (v.M) return 3 + Object.entries(v.M).reduce((n, [k, x]) => n + 1 + Buffer.byteLength(k) + size(x), 0);
    return 0;
  };
  return Object.entries(item).reduce((n, [k, v]) => n + Buffer.byteLength(k) + size(v), 0);
}

/** Late-rating marks are spread over a few partitions so a burst of late ratings never makes one hot key. */
export const DIRTY_SHARDS = 16;
export const dirtyShard = (hallId: string): number => [...hallId].reduce((h, ch) => (h * 31 + ch.charCodeAt(0)) >>> 0, 7) % DIRTY_SHARDS;

export interface TIssued {
  total: number;
  windows: Record<string, number>;
  services: Record<string, number>;
}

export type TPutRatingResult = { status: 'created' } | { status: 'exists'; existing: TRating };

export interface THallCatalogue {
  hall: THall;
  windows: TWindow[];
  services: TService[];
}

export interface TApiKeyRecord {
  hallId: string;
  label: string;
  createdAt: string;
  revokedAt?: string;
}

export class Repository {
  /** Items read by the catalogue, rating and issued-count reads below: the nightly job's cost, measured. */
  itemsRead = 0;

  constructor(
    /** Also used by AdminRepository (admin-repository.ts), which writes through the same client and table. */
    readonly db: DynamoDBClient,
    readonly tableName: string,
  ) {}

  /* ---------- catalogue: regions, halls, windows, services ---------- */

  async putRegion(region: TRegion): Promise<void> {
    await this.put({ pk: `REGION#${region.id}`, sk: 'META', gsi1pk: 'CATALOG#REGION', gsi1sk: region.id, ...region });
    this.catalogueVersion++;
  }

  async putHall(hall: THall): Promise<void> {
    await this.put({ pk: `HALL#${hall.id}`, sk: 'CAT#META', gsi1pk: 'CATALOG#HALL', gsi1sk: hall.id, ...hall });
    this.catalogueVersion++;
  }

  async putWindow(w: TWindow): Promise<void> {
    await this.put({ pk: `HALL#${w.hallId}`, sk: `CAT#WINDOW#${w.id}`, ...w });
    this.catalogueVersion++;
  }

  async putService(s: TService): Promise<void> {
    await this.put({ pk: `HALL#${s.hallId}`, sk: `CAT#SERVICE#${s.id}`, ...s });
    this.catalogueVersion++;
  }

  async listRegions(): Promise<TRegion[]> {
    return (await this.queryIndexAll('CATALOG#REGION')).map((i) => strip<TRegion>(unmarshall(i)));
  }

  async listHalls(): Promise<THall[]> {
    return (await this.queryIndexAll('CATALOG#HALL')).map((i) => strip<THall>(unmarshall(i)));
  }

  /** A hall with its windows and services in one Query (they share the partition). */
  async getHallCatalogue(hallId: string): Promise<THallCatalogue | undefined> {
    const items: Record<string, unknown>[] = [];
    let start: Item | undefined;
    do {
      const out = await this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :cat)',
          ExpressionAttributeValues: marshall({ ':pk': `HALL#${hallId}`, ':cat': 'CAT#' }),
          ExclusiveStartKey: start,
        }),
      );
      items.push(...(out.Items ?? []).map((i) => unmarshall(i)));
      this.itemsRead += out.Items?.length ?? 0;
      start = out.LastEvaluatedKey;
    } while (start);
    const meta = items.find((i) => i.sk === 'CAT#META');
    if (!meta) return undefined;
    const byName = (a: { id: string }, b: { id: string }) => a.id.localeCompare(b.id, 'en', { numeric: true });
    return {
      hall: strip<THall>(meta),
      windows: items.filter((i) => String(i.sk).startsWith('CAT#WINDOW#')).map((i) => strip<TWindow>(i)).sort(byName),
      services: items.filter((i) => String(i.sk).startsWith('CAT#SERVICE#')).map((i) => strip<TService>(i)).sort(byName),
    };
  }

  /** Several halls' records in batched reads (the nightly job's workers get ids, not catalogues). */
  async getHalls(hallIds: string[]): Promise<THall[]> {
    const items = await this.batchGet(hallIds.map((id) => ({ pk: `HALL#${id}`, sk: 'CAT#META' })));
    const byId = new Map(items.map((i) => strip<THall>(unmarshall(i))).map((h) => [h.id, h]));
    return hallIds.map((id) => byId.get(id)).filter((h): h is THall => !!h);
  }

  /**
   * Bumped by every catalogue write made in this process (here and in admin-repository.ts), so the process's caches
   * (the resident path's hall catalogues, the dashboard's region tree) drop what they hold at once; other processes'
   * caches expire by time.
   */
  catalogueVersion = 0;

  /* ---------- staff users ---------- */

  async putUser(u: TUser): Promise<void> {
    await this.put({ pk: `USER#${u.id}`, sk: 'META', gsi1pk: 'CATALOG#USER', gsi1sk: u.id, ...u });
  }

  async getUser(id: string): Promise<TUser | undefined> {
    const out = await this.db.send(new GetItemCommand({ TableName: this.tableName, Key: marshall({ pk: `USER#${id}`, sk: 'META' }) }));
    return out.Item ? strip<TUser>(unmarshall(out.Item)) : undefined;
  }

  /**
   * Binds an identity provider's subject to a staff user on their first sign-in. Conditional, so two first
   * sign-ins racing cannot both bind, and a bound account is never rebound here. False: it was not bound.
   */
  async bindOidcSub(userId: string, sub: string): Promise<boolean> {
    try {
      await this.db.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: marshall({ pk: `USER#${userId}`, sk: 'META' }),
          UpdateExpression: 'SET oidcSub = :sub',
          ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(oidcSub)',
          ExpressionAttributeValues: marshall({ ':sub': sub }),
        }),
      );
      return true;
    } catch (err) {
      if (isConditionFailure(err)) return false;
      throw err;
    }
  }

  async listUsers(): Promise<TUser[]> {
    return (await this.queryIndexAll('CATALOG#USER')).map((i) => strip<TUser>(unmarshall(i)));
  }

  /* ---------- machine API keys (stored by hash only) ---------- */

  async putApiKey(keyHash: string, rec: TApiKeyRecord): Promise<void> {
    // Listed per hall by a short, non-secret id (the hash's first 12 characters), never by the key itself.
    await this.put({ pk: `APIKEY#${keyHash}`, sk: 'META', gsi1pk: `KEYS#${rec.hallId}`, gsi1sk: `${rec.createdAt}#${keyHash.slice(0, 12)}`, ...rec });
  }

  async listApiKeys(hallId: string): Promise<(TApiKeyRecord & { keyId: string })[]> {
    return (await this.queryIndexAll(`KEYS#${hallId}`)).map((i) => {
      const raw = unmarshall(i);
      return { ...strip<TApiKeyRecord>(raw), keyId: String(raw.pk).slice('APIKEY#'.length, 'APIKEY#'.length + 12) };
    });
  }

  /** Revokes a hall's key by its short id; false if there is no such key of that hall. */
  async revokeApiKey(hallId: string, keyId: string, at: string): Promise<boolean> {
    const key = (await this.queryIndexAll(`KEYS#${hallId}`)).map((i) => unmarshall(i)).find((k) => String(k.pk).startsWith(`APIKEY#${keyId}`));
    if (!key || !/^[0-9a-f]{12}$/.test(keyId)) return false;
    await this.db.send(
      new UpdateItemCommand({
        TableName: this.tableName,
        Key: marshall({ pk: key.pk, sk: 'META' }),
        UpdateExpression: 'SET revokedAt = if_not_exists(revokedAt, :at)',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: marshall({ ':at': at }),
      }),
    );
    return true;
  }

  async getApiKey(keyHash: string): Promise<TApiKeyRecord | undefined> {
    const out = await this.db.send(new GetItemCommand({ TableName: this.tableName, Key: marshall({ pk: `APIKEY#${keyHash}`, sk: 'META' }) }));
    return out.Item ? strip<TApiKeyRecord>(unmarshall(out.Item)) : undefined;
  }

  /* ---------- tickets issued (the denominator of the active-rating rate) ---------- */

  /** One write per ticket: the hall's, the window's and the service's counters live on one item per day. */
  async countIssuedTicket(hallId: string, day: string, windowId?: string, serviceId?: string): Promise<void> {
    const names: Record<string, string> = {};
    const parts = ['issued :n'];
    if (windowId) (names['#w'] = `w_${windowId}`), parts.push('#w :n');
    if (serviceId) (names['#s'] = `s_${serviceId}`), parts.push('#s :n');
    await this.db.send(
      new UpdateItemCommand({
        TableName: this.tableName,
        Key: marshall({ pk: `HALL#${hallId}`, sk: `ISSUED#${day}` }),
        UpdateExpression: `ADD ${parts.join(', ')}`,
        ExpressionAttributeNames: windowId || serviceId ? names : undefined,
        ExpressionAttributeValues: marshall({ ':n': 1 }),
      }),
    );
  }

  /** Tickets issued on a day: the hall's total and per window / per service. */
  async getIssued(hallId: string, day: string): Promise<TIssued> {
    const out = await this.db.send(
      new GetItemCommand({ TableName: this.tableName, Key: marshall({ pk: `HALL#${hallId}`, sk: `ISSUED#${day}` }), ConsistentRead: true }),
    );
    if (out.Item) this.itemsRead++;
    const item = out.Item ? unmarshall(out.Item) : {};
    const issued: TIssued = { total: Number(item.issued ?? 0), windows: {}, services: {} };
    for (const [k, v] of Object.entries(item)) {
      if (k.startsWith('w_')) issued.windows[k.slice(2)] = Number(v);
      if (k.startsWith('s_')) issued.services[k.slice(2)] = Number(v);
    }
    return issued;
  }

  /**
   * Records that a queue machine's visit got a ticket today. True the first time; false on a retry for the same
   * visit, so retries neither count twice nor mint a second ratable ticket id. Expires after the rating window.
   */
  async recordVisit(hallId: string, day: string, visitKey: string, expiresAt: number): Promise<boolean> {
    try {
      await this.db.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: marshall({ pk: `HALL#${hallId}`, sk: `VISIT#${day}#${visitKey}`, ttl: Math.ceil(expiresAt / 1000) }),
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return true;
    } catch (err) {
      if (isConditionFailure(err)) return false;
      throw err;
    }
  }

  /** Tickets issued on a day for several halls, in batched reads. */
  async getIssuedMany(hallIds: string[], day: string): Promise<Map<string, TIssued>> {
    const items = await this.batchGet(hallIds.map((id) => ({ pk: `HALL#${id}`, sk: `ISSUED#${day}` })));
    const out = new Map<string, TIssued>(hallIds.map((id) => [id, { total: 0, windows: {}, services: {} }]));
    for (const raw of items) {
      const item = unmarshall(raw);
      const issued: TIssued = { total: Number(item.issued ?? 0), windows: {}, services: {} };
      for (const [k, v] of Object.entries(item)) {
        if (k.startsWith('w_')) issued.windows[k.slice(2)] = Number(v);
        if (k.startsWith('s_')) issued.services[k.slice(2)] = Number(v);
      }
      out.set(String(item.pk).slice(5), issued);
    }
    return out;
  }

  async getIssuedCount(hallId: string, day: string): Promise<number> {
    return (await this.getIssued(hallId, day)).total;
  }


  /* ---------- ratings ---------- */

  /**
   * "One visit, one rating" is this conditional put: the item's key is the rating id, which for a ticket is
   * the ticket id. On a clash the stored rating is returned so the caller can tell a retry of the same
   * submission (same submissionId: answer as before) from a second rating of the visit (refuse).
   */
  async putRating(r: TRating): Promise<TPutRatingResult> {
    try {
      await this.db.send(
        new PutItemCommand({ TableName: this.tableName, Item: ratingToItem(r), ConditionExpression: 'attribute_not_exists(pk)' }),
      );
      return { status: 'created' };
    } catch (err) {
      if (!isConditionFailure(err)) throw err;
      const existing = await this.getRating(r.ratingId);
      if (!existing) throw err; // cannot happen: nothing deletes ratings
      return { status: 'exists', existing };
    }
  }

  async getRating(ratingId: string): Promise<TRating | undefined> {
    const out = await this.db.send(
      new GetItemCommand({ TableName: this.tableName, Key: marshall({ pk: `RATING#${ratingId}`, sk: 'RATING' }), ConsistentRead: true }),
    );
    return out.Item ? itemToRating(out.Item) : undefined;
  }

  /**
   * The nightly job's suspicion flags, never its answers nor a person's decision. Clearing writes an empty list
   * rather than removing the attribute, so a run killed between an engine's index write and its item write leaves
   * a trace in the index (fl present) that tells the re-run to write again: see scoreHallsDay.
   */
  async setRatingFlags(ratingId: string, flags: string[]): Promise<void> {
    await this.db.send(
      new UpdateItemCommand({
        TableName: this.tableName,
        Key: marshall({ pk: `RATING#${ratingId}`, sk: 'RATING' }),
        UpdateExpression: 'SET fl = :f',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: marshall({ ':f': flags }),
      }),
    );
  }

  /**
   * Records a person's decision on a rating (a review of its flags, an appeal's outcome): merged into the
   * rating's decision, never touching its answers or the job's flags. False if there is no such rating.
   */
  async setRatingDecision(ratingId: string, decision: TRatingDecision): Promise<boolean> {
    const current = (await this.getRating(ratingId))?.decision;
    try {
      await this.db.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: marshall({ pk: `RATING#${ratingId}`, sk: 'RATING' }),
          UpdateExpression: 'SET dc = :d',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: marshall({ ':d': { ...current, ...decision } }, { removeUndefinedValues: true }),
        }),
      );
      return true;
    } catch (err) {
      if (isConditionFailure(err)) return false;
      throw err;
    }
  }

  /** A hall's ratings of one hall-local day, in time order (GSI1). */
  async listRatingsForHallDay(hallId: string, day: string): Promise<TRating[]> {
    return (await this.queryIndexAll(`HALLDAY#${hallId}#${day}`)).map(itemToRating);
  }

  /**
   * Claims the placard slot for one device at one window: allowed when there is no live claim, or the live
   * claim is this same submission (a retry). The claim is a conditional put, so two racing posts cannot both pass.
   */
  async claimPlacardSlot(throttleKey: string, submissionId: string, now: number, windowMs: number): Promise<boolean> {
    const until = now + windowMs;
    try {
      await this.db.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: marshall({ pk: `THROTTLE#${throttleKey}`, sk: 'PLACARD', until, sub: submissionId, ttl: Math.ceil(until / 1000) }),
          ConditionExpression: 'attribute_not_exists(pk) OR #until < :now',
          ExpressionAttributeNames: { '#until': 'until' },
          ExpressionAttributeValues: marshall({ ':now': now }),
        }),
      );
      return true;
    } catch (err) {
      if (!isConditionFailure(err)) throw err;
      // A live claim: allowed only if it is this very submission being retried (its window is not extended).
      const out = await this.db.send(
        new GetItemCommand({ TableName: this.tableName, Key: marshall({ pk: `THROTTLE#${throttleKey}`, sk: 'PLACARD' }), ConsistentRead: true }),
      );
      return out.Item !== undefined && unmarshall(out.Item).sub === submissionId;
    }
  }

  /**
   * Marks a hall's past day as changed, so the nightly job re-scores it. Written *before* the late rating is
   * stored: a stored rating can then never be missing its mark (a mark without a rating only costs a re-run).
   */
  async markDirty(hallId: string, day: string, now: number): Promise<void> {
    await this.db.send(
      new PutItemCommand({ TableName: this.tableName, Item: marshall({ pk: `DIRTY#${dirtyShard(hallId)}`, sk: `${hallId}#${day}`, hallId, day, at: now }) }),
    );
  }

  /* ---------- misc ---------- */

  async getMarker(name: string): Promise<Record<string, unknown> | undefined> {
    const out = await this.db.send(new GetItemCommand({ TableName: this.tableName, Key: marshall({ pk: `META#${name}`, sk: 'META' }), ConsistentRead: true }));
    return out.Item ? unmarshall(out.Item) : undefined;
  }

  async setMarker(name: string, value: Record<string, unknown>): Promise<void> {
    await this.put({ pk: `META#${name}`, sk: 'META', ...value });
  }

  async describe(): Promise<{ status: string; items?: number }> {
    const { Table } = await this.db.send(new DescribeTableCommand({ TableName: this.tableName }));
    return { status: Table?.TableStatus ?? 'UNKNOWN', items: Table?.ItemCount };
  }

  /**
   * Bulk load for the demo seeder and benchmarks: plain batch puts of ratings whose ids are unique by
   * construction (never used for residents' ratings, which need the conditional put above).
   */
  async bulkPutRatings(ratings: TRating[]): Promise<void> {
    await this.batchPut(ratings.map(ratingToItem));
  }

  /** Bulk load of hall records (benchmarks, imports). */
  async bulkPutHalls(halls: THall[]): Promise<void> {
    await this.batchPut(halls.map((h) => marshall({ pk: `HALL#${h.id}`, sk: 'CAT#META', gsi1pk: 'CATALOG#HALL', gsi1sk: h.id, ...h }, { removeUndefinedValues: true })));
  }

  async bulkPutIssuedCounts(counts: { hallId: string; day: string; count: number; windows?: Record<string, number>; services?: Record<string, number> }[]): Promise<void> {
    await this.batchPut(
      counts.map((c) =>
        marshall({
          pk: `HALL#${c.hallId}`,
          sk: `ISSUED#${c.day}`,
          issued: c.count,
          ...Object.fromEntries(Object.entries(c.windows ?? {}).map(([id, n]) => [`w_${id}`, n])),
          ...Object.fromEntries(Object.entries(c.services ?? {}).map(([id, n]) => [`s_${id}`, n])),
        }),
      ),
    );
  }

  private batchPut(items: Item[]): Promise<void> {
    return batchPutItems(this.db, this.tableName, items, 8);
  }

  private async batchGet(keys: { pk: string; sk: string }[]): Promise<Item[]> {
    const items = await batchGetItems(this.db, this.tableName, keys);
    this.itemsRead += items.length;
    return items;
  }

  private async put(obj: Record<string, unknown>): Promise<void> {
    await this.db.send(new PutItemCommand({ TableName: this.tableName, Item: marshall(obj, { removeUndefinedValues: true }) }));
  }

  private async queryIndexAll(gsi1pk: string): Promise<Item[]> {
    const out: Item[] = [];
    let start: Item | undefined;
    do {
      const page = await this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: TABLE_KEYS.gsi1.name,
          KeyConditionExpression: 'gsi1pk = :pk',
          ExpressionAttributeValues: marshall({ ':pk': gsi1pk }),
          ExclusiveStartKey: start,
        }),
      );
      out.push(...(page.Items ?? []));
      this.itemsRead += page.Items?.length ?? 0;
      start = page.LastEvaluatedKey;
    } while (start);
    return out;
  }
}

/** Drops the storage keys from an item, leaving the entity. */
function strip<T>(item: Record<string, unknown>): T {
  const { pk: _pk, sk: _sk, gsi1pk: _g1, gsi1sk: _g2, ttl: _ttl, ...rest } = item;
  return rest as T;
}
