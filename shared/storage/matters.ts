/**
 * Matters registered for the link channel (SPEC §3) and the counters that throttle guessing their numbers at /rate.
 * A matter lives for the rating window (7 days; expired items are filtered on read, ttl only tidies up). Counters
 * are one item per scope and time bucket, raised by an atomic ADD; a conditional ADD refuses past the limit.
 */
import { UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { getItem, ifCondition, putIf, type TTable } from './db.js';
import * as keys from './keys.js';

export interface TMatter {
  hallId: string;
  key: string; // keyed hash of the normalized matterNo (domain/matters.ts)
  serviceId: string;
  windowId?: string;
  /** keyed hash of the phone's last four digits, when the business system gave them */
  p4?: string;
  registeredAt: number; // epoch ms, second precision
  expiresAt: number;
}

const toMatter = (item: Record<string, unknown>): TMatter => ({
  hallId: String(item.hallId),
  key: String(item.key),
  serviceId: String(item.serviceId),
  windowId: item.windowId === undefined ? undefined : String(item.windowId),
  p4: item.p4 === undefined ? undefined : String(item.p4),
  registeredAt: Number(item.reg),
  expiresAt: Number(item.exp),
});

/** The live matter, or undefined (never registered, or past its rating window). */
export async function getMatter(t: TTable, hallId: string, key: string, now: number): Promise<TMatter | undefined> {
  const item = await getItem(t, keys.matter(hallId, key), { consistent: true });
  return item && Number(item.exp) > now ? toMatter(item) : undefined;
}

/** Registers a matter once: `created` false returns the live one already registered under that number. */
export async function registerMatter(
  t: TTable,
  m: TMatter,
  now: number,
): Promise<{ created: true } | { created: false; existing: TMatter }> {
  const item = { ...keys.matter(m.hallId, m.key), ...m, reg: m.registeredAt, exp: m.expiresAt, ttl: Math.ceil(m.expiresAt / 1000) };
  delete (item as Record<string, unknown>).registeredAt;
  delete (item as Record<string, unknown>).expiresAt;
  if (await putIf(t, 'absent', item)) return { created: true };
  const existing = await getMatter(t, m.hallId, m.key, now);
  if (existing) return { created: false, existing };
  // The one under this number has expired: a new registration replaces it (its rating id stays the same).
  await putIf(t, 'present', item);
  return { created: true };
}

const bucketOf = (now: number, windowMs: number) => Math.floor(now / windowMs);

/** Counts one attempt in the scope's current bucket; false (nothing counted) when the limit is already reached. */
export function takeAttempt(t: TTable, scope: string, now: number, windowMs: number, limit: number): Promise<boolean> {
  const bucket = bucketOf(now, windowMs);
  return ifCondition(() =>
    t.db.send(
      new UpdateItemCommand({
        TableName: t.name,
        Key: marshall(keys.guess(scope, bucket)),
        UpdateExpression: 'ADD n :one SET #ttl = :ttl',
        ConditionExpression: 'attribute_not_exists(n) OR n < :limit',
        ExpressionAttributeNames: { '#ttl': 'ttl' },
        ExpressionAttributeValues: marshall({ ':one': 1, ':limit': limit, ':ttl': Math.ceil(((bucket + 2) * windowMs) / 1000) }),
      }),
    ),
  );
}

/** The attempts counted in the scope's current bucket. */
export async function attemptsNow(t: TTable, scope: string, now: number, windowMs: number): Promise<number> {
  return Number((await getItem(t, keys.guess(scope, bucketOf(now, windowMs))))?.n ?? 0);
}
