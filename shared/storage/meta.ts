/** Small named markers (META items: e.g. the local runtime's last scored night) and the table's own status. */
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { getItem, put, type TTable } from './db.js';
import * as keys from './keys.js';

export function getMarker(t: TTable, name: string): Promise<Record<string, unknown> | undefined> {
  return getItem(t, keys.marker(name), { consistent: true });
}

export async function setMarker(t: TTable, name: string, value: Record<string, unknown>): Promise<void> {
  await put(t, { ...keys.marker(name), ...value });
}

export async function describeTable(t: TTable): Promise<{ status: string; items?: number }> {
  const { Table } = await t.db.send(new DescribeTableCommand({ TableName: t.name }));
  return { status: Table?.TableStatus ?? 'UNKNOWN', items: Table?.ItemCount };
}
