/**
 * Notification storage (issue 14): the events (an outbox: each written once under its deterministic id, listed by a
 * sparse GSI1 index until dispatched, kept 30 days so a replay is still recognised), staff preferences, webhook
 * endpoints with their sealed secrets, the per-endpoint delivery log (indexed by its next attempt while waiting) and
 * staff e-mails (indexed while queued or waiting for the digest). Every create is a put-if-absent: a retried step
 * writes nothing twice, and a delivery's attempt is conditioned on its attempt count, so two workers cannot both
 * record the same attempt. A user's waiting digest has one item (MAIL#<user>/DUE) indexed by the instant it is due, so
 * the tick reads the digests due, never every user; a sender claims it by a conditional write (two ticks never both
 * send it) and holds it for a lease, after which another tick may take it over (a crash sends twice, never never).
 */
import { PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { isBulkKind, type TEvent, type TEventKind, type TNotifyPrefs, type TWebhookFormat, ZEvent } from '../domain/events.js';
import { deleteIfPresent } from './catalogue.js';
import { batchGet, getItem, ifCondition, put, putIf, queryAll, queryPage, strip, type TTable } from './db.js';
import * as keys from './keys.js';

const KEEP_S = 30 * 86_400;
const ttlOf = (nowMs: number) => Math.ceil(nowMs / 1000) + KEEP_S;
const shards = Array.from({ length: keys.NOTIFY_SHARDS }, (_, i) => i);

async function update(t: TTable, key: keys.TKey, expr: string, values: Record<string, unknown>, cond = 'attribute_exists(pk)') {
  return ifCondition(() =>
    t.db.send(
      new UpdateItemCommand({
        TableName: t.name,
        Key: marshall(key),
        UpdateExpression: expr,
        ...(cond ? { ConditionExpression: cond } : {}),
        ...(Object.keys(values).length ? { ExpressionAttributeValues: marshall(values, { removeUndefinedValues: true }) } : {}),
      }),
    ),
  );
}

/* ---------- events (the outbox) ---------- */

/** Writes an event once (false: it exists already, a replay). The request path's one extra write per transition. */
export function putEvent(t: TTable, e: TEvent, nowMs: number): Promise<boolean> {
  const index = keys.outboxIndex(e.id, e.at, isBulkKind(e.kind));
  return putIf(t, 'absent', { ...keys.event(e.id), ...index, ev: JSON.stringify(e), ttl: ttlOf(nowMs) });
}

export async function getEvent(t: TTable, eventId: string): Promise<TEvent | undefined> {
  const item = await getItem(t, keys.event(eventId));
  return item && typeof item.ev === 'string' ? ZEvent.parse(JSON.parse(item.ev)) : undefined;
}

/**
 * Events not yet dispatched: the urgent ones oldest first, then the bulk ones (the monthly report's) oldest first.
 * With a limit, one page of at most limit ÷ shards items per shard (a shard lists its urgent lane before its bulk
 * lane), so a tick reads about `limit` items however long the outbox is, and a flood of bulk events never hides an
 * urgent one. Counted.
 */
export async function listPendingEvents(t: TTable, limit?: number): Promise<TEvent[]> {
  const perShard = limit === undefined ? undefined : Math.max(1, Math.ceil(limit / keys.NOTIFY_SHARDS));
  const pages = await Promise.all(
    shards.map((s) =>
      perShard === undefined
        ? queryAll(t, { pk: keys.outboxPartition(s), index: true })
        : queryPage(t, { pk: keys.outboxPartition(s), index: true, limit: perShard }).then((p) => p.items),
    ),
  );
  const lane = (e: TEvent) => (isBulkKind(e.kind) ? 1 : 0);
  return pages
    .flat()
    .map((i) => ZEvent.parse(JSON.parse(String(unmarshall(i).ev))))
    .sort((a, b) => lane(a) - lane(b) || a.at.localeCompare(b.at) || a.id.localeCompare(b.id));
}

/** Takes a dispatched event off the outbox index (the event itself stays for redelivery and replay checks). */
export function markDispatched(t: TTable, eventId: string, at: string): Promise<boolean> {
  return update(t, keys.event(eventId), 'SET dispatchedAt = :at REMOVE gsi1pk, gsi1sk', { ':at': at });
}

/* ---------- staff preferences ---------- */

const toPrefs = (item: Record<string, unknown>): TNotifyPrefs => ({
  lang: item.lang === 'en' ? 'en' : 'zh',
  modes: (item.modes ?? {}) as TNotifyPrefs['modes'],
});

export async function getPrefs(t: TTable, userId: string): Promise<TNotifyPrefs | undefined> {
  const item = await getItem(t, keys.notifyPrefs(userId));
  return item ? toPrefs(item) : undefined;
}

/** Many users' choices in batches (a user without an item has none: their role's defaults). Counted. */
export async function getPrefsMany(t: TTable, userIds: readonly string[]): Promise<Map<string, TNotifyPrefs | undefined>> {
  const out = new Map<string, TNotifyPrefs | undefined>(userIds.map((id) => [id, undefined]));
  if (!userIds.length) return out;
  for (const raw of await batchGet(t, userIds.map(keys.notifyPrefs))) {
    const item = unmarshall(raw);
    out.set(String(item.pk).slice(keys.notifyPrefs('').pk.length), toPrefs(item));
  }
  return out;
}

export async function putPrefs(t: TTable, userId: string, p: TNotifyPrefs): Promise<void> {
  await put(t, { ...keys.notifyPrefs(userId), lang: p.lang, modes: p.modes });
}

/* ---------- webhook endpoints ---------- */

export interface TEndpoint {
  id: string;
  regionId: string;
  url: string;
  kinds: TEventKind[];
  format: TWebhookFormat;
  /** the signing secret sealed under the key ring (never shown again, never logged) */
  secretSealed: string;
  label: string;
  createdAt: string;
  createdBy: string;
}

export function createEndpoint(t: TTable, ep: TEndpoint): Promise<boolean> {
  return putIf(t, 'absent', { ...keys.webhook(ep.id), ...keys.webhookIndex(ep.id), ...ep });
}

export async function getEndpoint(t: TTable, id: string): Promise<TEndpoint | undefined> {
  const item = await getItem(t, keys.webhook(id));
  return item ? strip<TEndpoint>(item) : undefined;
}

export async function listEndpoints(t: TTable): Promise<TEndpoint[]> {
  return (await queryAll(t, { pk: keys.webhooksIndex, index: true })).map((i) => strip<TEndpoint>(unmarshall(i)));
}

export function removeEndpoint(t: TTable, id: string): Promise<boolean> {
  return deleteIfPresent(t, keys.webhook(id));
}

/* ---------- deliveries ---------- */

export type TDeliveryStatus = 'pending' | 'delivered' | 'parked';
export interface TDelivery {
  endpointId: string;
  eventId: string;
  kind: TEventKind;
  /** the event's time */
  at: string;
  status: TDeliveryStatus;
  attempts: number;
  nextAt?: string;
  lastAttemptAt?: string;
  lastStatus?: number;
  lastError?: string;
  deliveredAt?: string;
  /** redelivered by hand (by whom) */
  redeliveredBy?: string;
}

const deliveryItem = (d: TDelivery, nowMs: number) => ({
  ...keys.delivery(d.endpointId, d.eventId),
  ...(d.status === 'pending' && d.nextAt ? keys.deliveryDue(d.endpointId, d.eventId, d.nextAt) : {}),
  ...d,
  ttl: ttlOf(nowMs),
});

/** A new delivery of an event to an endpoint, due now (false: it exists already). */
export function createDelivery(t: TTable, endpointId: string, e: TEvent, nowMs: number): Promise<boolean> {
  const d: TDelivery = {
    endpointId,
    eventId: e.id,
    kind: e.kind,
    at: e.at,
    status: 'pending',
    attempts: 0,
    nextAt: new Date(nowMs).toISOString(),
  };
  return putIf(t, 'absent', deliveryItem(d, nowMs));
}

export async function getDelivery(t: TTable, endpointId: string, eventId: string): Promise<TDelivery | undefined> {
  const item = await getItem(t, keys.delivery(endpointId, eventId), { consistent: true });
  return item ? strip<TDelivery>(item) : undefined;
}

/** Deliveries whose next attempt is due at `now`, oldest first. Counted. */
export async function listDueDeliveries(t: TTable, now: string, limit = 500): Promise<TDelivery[]> {
  const pages = await Promise.all(
    shards.map((s) => queryAll(t, { pk: keys.deliveryDuePartition(s), index: true, between: ['', `${now}#\uffff`] })),
  );
  return pages
    .flat()
    .map((i) => strip<TDelivery>(unmarshall(i)))
    .sort((a, b) => (a.nextAt ?? '').localeCompare(b.nextAt ?? ''))
    .slice(0, limit);
}

/** An endpoint's delivery log, newest event first. Counted. */
export async function listDeliveries(t: TTable, endpointId: string): Promise<TDelivery[]> {
  const items = await queryAll(t, { pk: keys.deliveriesOf(endpointId) });
  const nowS = Date.now() / 1000;
  return items
    .map((i) => unmarshall(i))
    .filter((i) => typeof i.ttl !== 'number' || i.ttl > nowS) // expired items are filtered on read (dynalite has no TTL)
    .map((i) => strip<TDelivery>(i))
    .sort((a, b) => b.at.localeCompare(a.at) || b.eventId.localeCompare(a.eventId));
}

/**
 * Records one attempt on a delivery read with `attempts` (false: another worker recorded it first): delivered,
 * waiting for `next` (re-indexed), or parked.
 */
export function recordAttempt(
  t: TTable,
  d: TDelivery,
  r: { at: string; status?: number; error?: string; outcome: 'delivered' | 'retry' | 'parked'; nextAt?: string },
): Promise<boolean> {
  const next: TDelivery = {
    ...d,
    attempts: d.attempts + 1,
    lastAttemptAt: r.at,
    status: r.outcome === 'retry' ? 'pending' : r.outcome,
    ...(r.status !== undefined ? { lastStatus: r.status } : {}),
    ...(r.error ? { lastError: r.error.slice(0, 300) } : {}),
    ...(r.outcome === 'delivered' ? { deliveredAt: r.at } : {}),
  };
  if (r.outcome === 'retry') next.nextAt = r.nextAt;
  else delete next.nextAt;
  if (r.outcome === 'delivered') delete next.lastError;
  const item = marshall(deliveryItem(next, Date.parse(r.at)), { removeUndefinedValues: true });
  // a put conditioned on the attempt count read: the whole item is rewritten, its due index with it
  return ifCondition(() =>
    t.db.send(
      new PutItemCommand({
        TableName: t.name,
        Item: item,
        ConditionExpression: 'attempts = :n',
        ExpressionAttributeValues: marshall({ ':n': d.attempts }),
      }),
    ),
  );
}

/** Sends one event to an endpoint again, at once (by hand); a parked or delivered delivery starts a fresh schedule. */
export async function redeliver(t: TTable, endpointId: string, e: TEvent, by: string, nowMs: number): Promise<void> {
  const old = await getDelivery(t, endpointId, e.id);
  const nextAt = new Date(nowMs).toISOString();
  const d: TDelivery = { endpointId, eventId: e.id, kind: e.kind, at: e.at, status: 'pending', attempts: 0, nextAt, redeliveredBy: by };
  if (old?.lastError) d.lastError = old.lastError;
  await put(t, deliveryItem(d, nowMs));
}

/* ---------- staff e-mail ---------- */

export interface TMailItem {
  userId: string;
  eventId: string;
  mode: 'now' | 'digest';
  at: string;
  sentAt?: string;
}

/** One e-mail of an event to a user, queued to send at once or waiting for their digest (false: exists already). */
export function createMail(t: TTable, m: TMailItem, nowMs: number): Promise<boolean> {
  const index = m.mode === 'now' ? keys.mailQueued(m.userId, m.eventId, m.at) : keys.digestWaiting(m.userId, m.eventId, m.at);
  return putIf(t, 'absent', { ...keys.mail(m.userId, m.eventId), ...index, ...m, ttl: ttlOf(nowMs) });
}

/** Mails to send at once. Counted. */
export async function listQueuedMails(t: TTable): Promise<TMailItem[]> {
  const pages = await Promise.all(shards.map((s) => queryAll(t, { pk: keys.mailQueuePartition(s), index: true })));
  return pages.flat().map((i) => strip<TMailItem>(unmarshall(i)));
}

/** A user's mails waiting for the digest, oldest first. Counted. */
export async function listDigestWaiting(t: TTable, userId: string): Promise<TMailItem[]> {
  return (await queryAll(t, { pk: keys.digestOf(userId), index: true })).map((i) => strip<TMailItem>(unmarshall(i)));
}

export function markMailSent(t: TTable, userId: string, eventId: string, at: string): Promise<boolean> {
  return update(t, keys.mail(userId, eventId), 'SET sentAt = :at REMOVE gsi1pk, gsi1sk', { ':at': at });
}

/** Marks a user's digest of a day as sent (false: it was already). */
export function claimDigest(t: TTable, userId: string, day: string, nowMs: number): Promise<boolean> {
  return putIf(t, 'absent', { ...keys.digestSent(userId, day), at: new Date(nowMs).toISOString(), ttl: ttlOf(nowMs) });
}

export async function digestClaimed(t: TTable, userId: string, day: string): Promise<boolean> {
  return Boolean(await getItem(t, keys.digestSent(userId, day)));
}

/* ---------- digests due ---------- */

/**
 * Notes that a digest mail waits for a user: counts it (noted) and indexes the user's digest at `dueAt` unless it is
 * indexed already (an earlier instant, or a sender holding it: the sender sees noted move and indexes it again).
 */
export function noteDigestWaiting(t: TTable, userId: string, dueAt: string): Promise<boolean> {
  const index = keys.digestDueIndex(userId, dueAt);
  return update(
    t,
    keys.digestDue(userId),
    'SET gsi1pk = if_not_exists(gsi1pk, :p), gsi1sk = if_not_exists(gsi1sk, :s) ADD noted :one',
    { ':p': index.gsi1pk, ':s': index.gsi1sk, ':one': 1 },
    '', // unconditional: the first mail creates the item
  );
}

export interface TDueDigest {
  userId: string;
  /** the index sort key read: the claim is conditioned on it */
  sk: string;
}

/**
 * The digests due at `now` (index instant ≤ now), oldest first; with a limit, one page of at most limit ÷ shards a
 * shard (the rest are still due next tick). Counted.
 */
export async function listDueDigests(t: TTable, now: string, limit?: number): Promise<TDueDigest[]> {
  const perShard = limit === undefined ? undefined : Math.max(1, Math.ceil(limit / keys.NOTIFY_SHARDS));
  const pages = await Promise.all(
    shards.map((s) =>
      perShard === undefined
        ? queryAll(t, { pk: keys.digestDuePartition(s), index: true, between: ['', `${now}#\uffff`] })
        : queryPage(t, { pk: keys.digestDuePartition(s), index: true, between: ['', `${now}#\uffff`], limit: perShard }).then(
            (p) => p.items,
          ),
    ),
  );
  return pages
    .flat()
    .map((i) => unmarshall(i))
    .map((i) => ({ userId: String(i.pk).slice('MAIL#'.length), sk: String(i.gsi1sk) }))
    .sort((a, b) => a.sk.localeCompare(b.sk));
}

/**
 * Takes a due digest for a sender: re-indexed at the lease's end under the sender's token, only if still indexed as
 * read (false: another tick took it). Returns the count of mails noted so far, to compare when finishing.
 */
export async function claimDueDigest(t: TTable, d: TDueDigest, token: string, leaseUntil: string): Promise<number | undefined> {
  let n: number | undefined;
  const ok = await ifCondition(async () => {
    const out = await t.db.send(
      new UpdateItemCommand({
        TableName: t.name,
        Key: marshall(keys.digestDue(d.userId)),
        UpdateExpression: 'SET gsi1sk = :lease, heldBy = :tok',
        ConditionExpression: 'gsi1sk = :sk',
        ExpressionAttributeValues: marshall({ ':lease': keys.digestDueIndex(d.userId, leaseUntil).gsi1sk, ':tok': token, ':sk': d.sk }),
        ReturnValues: 'ALL_NEW',
      }),
    );
    n = Number(out.Attributes?.noted?.N ?? 0);
  });
  return ok ? n : undefined;
}

/** A held digest due again at `dueAt` (not sent: retry; or the day's went already: tomorrow's). False: not held. */
export function postponeDigest(t: TTable, userId: string, token: string, dueAt: string): Promise<boolean> {
  const index = keys.digestDueIndex(userId, dueAt);
  return update(
    t,
    keys.digestDue(userId),
    'SET gsi1pk = :p, gsi1sk = :s REMOVE heldBy',
    { ':p': index.gsi1pk, ':s': index.gsi1sk, ':tok': token },
    'heldBy = :tok',
  );
}

/**
 * A held digest done: off the index, unless mails were noted since the claim (noted moved): then due again at `nextDueAt`.
 */
export async function finishDigest(t: TTable, userId: string, token: string, n: number, nextDueAt: string): Promise<void> {
  const done = await update(
    t,
    keys.digestDue(userId),
    'REMOVE gsi1pk, gsi1sk, heldBy',
    { ':tok': token, ':n': n },
    'heldBy = :tok AND noted = :n',
  );
  if (!done) await postponeDigest(t, userId, token, nextDueAt);
}
