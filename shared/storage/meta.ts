/**
 * Small named markers (META items: e.g. the local runtime's last scored night, the monthly report's walk) and the
 * table's own status. A marker several ticks move on (a cursor) carries a version `v` each write checks and bumps.
 */
import { DescribeTableCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { getItem, ifCondition, put, type TTable } from './db.js';
import * as keys from './keys.js';

export function getMarker(t: TTable, name: string): Promise<Record<string, unknown> | undefined> {
  return getItem(t, keys.marker(name), { consistent: true });
}

export async function setMarker(t: TTable, name: string, value: Record<string, unknown>): Promise<void> {
  await put(t, { ...keys.marker(name), ...value });
}

/**
 * Replaces a marker with `value` at version `v` if the stored one is at `v - 1` (a marker without a version, or none
 * at all, is at 0). False when another writer moved it first: nothing is written.
 */
export function setMarkerIf(t: TTable, name: string, value: Record<string, unknown>, v: number): Promise<boolean> {
  return ifCondition(() =>
    t.db.send(
      new PutItemCommand({
        TableName: t.name,
        Item: marshall({ ...value, ...keys.marker(name), v }, { removeUndefinedValues: true }),
        ...(v === 1
          ? { ConditionExpression: 'attribute_not_exists(v)' }
          : { ConditionExpression: 'v = :was', ExpressionAttributeValues: marshall({ ':was': v - 1 }) }),
      }),
    ),
  );
}

export async function describeTable(t: TTable): Promise<{ status: string; items?: number }> {
  const { Table } = await t.db.send(new DescribeTableCommand({ TableName: t.name }));
  return { status: Table?.TableStatus ?? 'UNKNOWN', items: Table?.ItemCount };
}
