/**
 * What the ticket path records: tickets issued per hall per day (the active-rating rate's denominator, one atomic
 * ADD per ticket), a machine's visits already ticketed, and the placard limit per device per window.
 */
import { PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { batchGet, batchPut, getItem, ifCondition, type TTable } from './db.js';
import * as keys from './keys.js';

export interface TIssued {
  total: number;
  windows: Record<string, number>;
  services: Record<string, number>;
}

/** One write per ticket: the hall's, the window's and the service's counters live on one item per day. */
export async function countIssuedTicket(t: TTable, hallId: string, day: string, windowId?: string, serviceId?: string): Promise<void> {
  const names: Record<string, string> = {};
  const parts = ['issued :n'];
  if (windowId) (names['#w'] = `w_${windowId}`), parts.push('#w :n');
  if (serviceId) (names['#s'] = `s_${serviceId}`), parts.push('#s :n');
  await t.db.send(
    new UpdateItemCommand({
      TableName: t.name,
      Key: marshall(keys.issued(hallId, day)),
      UpdateExpression: `ADD ${parts.join(', ')}`,
      ExpressionAttributeNames: windowId || serviceId ? names : undefined,
      ExpressionAttributeValues: marshall({ ':n': 1 }),
    }),
  );
}

const toIssued = (item: Record<string, unknown>): TIssued => {
  const issued: TIssued = { total: Number(item.issued ?? 0), windows: {}, services: {} };
  for (const [k, v] of Object.entries(item)) {
    if (k.startsWith('w_')) issued.windows[k.slice(2)] = Number(v);
    if (k.startsWith('s_')) issued.services[k.slice(2)] = Number(v);
  }
  return issued;
};

/** Tickets issued on a day for one hall or several (batched reads): each hall's total and per window / service. */
export async function getIssued(
  t: TTable,
  hallIds: string[],
  day: string,
  opts: { consistent?: boolean } = {},
): Promise<Map<string, TIssued>> {
  const items = await batchGet(
    t,
    hallIds.map((id) => keys.issued(id, day)),
    opts,
  );
  const out = new Map<string, TIssued>(hallIds.map((id) => [id, toIssued({})]));
  for (const raw of items) {
    const item = unmarshall(raw);
    out.set(keys.hallIdOf(String(item.pk)), toIssued(item));
  }
  return out;
}

/** One hall's tickets issued on a day, read consistently. */
export async function getIssuedOfHall(t: TTable, hallId: string, day: string): Promise<TIssued> {
  return (await getIssued(t, [hallId], day, { consistent: true })).get(hallId)!;
}

export async function bulkPutIssuedCounts(
  t: TTable,
  counts: { hallId: string; day: string; count: number; windows?: Record<string, number>; services?: Record<string, number> }[],
): Promise<void> {
  const item = (c: (typeof counts)[number]) => ({
    ...keys.issued(c.hallId, c.day),
    issued: c.count,
    ...Object.fromEntries(Object.entries(c.windows ?? {}).map(([id, n]) => [`w_${id}`, n])),
    ...Object.fromEntries(Object.entries(c.services ?? {}).map(([id, n]) => [`s_${id}`, n])),
  });
  await batchPut(
    t,
    counts.map((c) => marshall(item(c))),
    8,
  );
}

/**
 * Records that a queue machine's visit got a ticket today. True the first time; false on a retry for the same
 * visit, so retries neither count twice nor mint a second ratable ticket id. Expires after the rating window.
 */
export function recordVisit(t: TTable, hallId: string, day: string, visitKey: string, expiresAt: number): Promise<boolean> {
  return ifCondition(() =>
    t.db.send(
      new PutItemCommand({
        TableName: t.name,
        Item: marshall({ ...keys.visit(hallId, day, visitKey), ttl: Math.ceil(expiresAt / 1000) }),
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    ),
  );
}

/**
 * Claims the placard slot for one device at one window: allowed when there is no live claim, or the live
 * claim is this same submission (a retry). The claim is a conditional put, so two racing posts cannot both pass.
 */
export async function claimPlacardSlot(
  t: TTable,
  throttleKey: string,
  submissionId: string,
  now: number,
  windowMs: number,
): Promise<boolean> {
  const until = now + windowMs;
  const claimed = await ifCondition(() =>
    t.db.send(
      new PutItemCommand({
        TableName: t.name,
        Item: marshall({ ...keys.throttle(throttleKey), until, sub: submissionId, ttl: Math.ceil(until / 1000) }),
        ConditionExpression: 'attribute_not_exists(pk) OR #until < :now',
        ExpressionAttributeNames: { '#until': 'until' },
        ExpressionAttributeValues: marshall({ ':now': now }),
      }),
    ),
  );
  if (claimed) return true;
  // A live claim: allowed only if it is this very submission being retried (its window is not extended).
  return (await getItem(t, keys.throttle(throttleKey), { consistent: true }))?.sub === submissionId;
}

/** One hall's total tickets issued on a day. */
export async function getIssuedCount(t: TTable, hallId: string, day: string): Promise<number> {
  return (await getIssuedOfHall(t, hallId, day)).total;
}
