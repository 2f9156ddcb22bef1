/**
 * The halls one browser rated on a day (SPEC §6 "one device across many halls"): the rating path adds its hall to
 * a set (one idempotent ADD, so a retried submission changes nothing), the nightly job reads the sets of the
 * browsers in a hall's day (a batched get, cost ∝ that day's ratings). Only the keyed hash of the browser's cookie
 * is a key here, never an address: carrier NAT shares one between a city's phones.
 */
import { UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { batchGet, type TTable } from './db.js';
import * as keys from './keys.js';

export async function noteDeviceHall(t: TTable, deviceHash: string, day: string, hallId: string): Promise<void> {
  await t.db.send(
    new UpdateItemCommand({
      TableName: t.name,
      Key: marshall(keys.deviceDay(deviceHash, day)),
      UpdateExpression: 'ADD hs :h',
      ExpressionAttributeValues: { ':h': { SS: [hallId] } },
    }),
  );
}

/** How many halls each browser rated on the day (browsers without an item are left out). */
export async function deviceHallCounts(t: TTable, day: string, deviceHashes: string[]): Promise<Map<string, number>> {
  const unique = [...new Set(deviceHashes)];
  const out = new Map<string, number>();
  if (!unique.length) return out;
  for (const item of await batchGet(
    t,
    unique.map((d) => keys.deviceDay(d, day)),
  )) {
    const raw = unmarshall(item) as { pk: string; hs?: Set<string> };
    out.set(keys.deviceOfDay(raw.pk), raw.hs?.size ?? 0);
  }
  return out;
}
