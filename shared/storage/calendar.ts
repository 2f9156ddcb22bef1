/**
 * Region calendar overrides (closures, extra working days) and deadline settings, in one small partition read
 * whole and cached per process (like the catalogue): a hall's calendar is the domain's effectiveCalendar over its
 * region chain. Writes replace or delete one item; the caller appends the audit entry.
 */
import { DeleteItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type { TCalendarOverride, TRegionDeadlines } from '../domain/calendar.js';
import { put, queryAll, type TTable } from './db.js';
import * as keys from './keys.js';

export interface TCalendarItems {
  overrides: TCalendarOverride[];
  settings: TRegionDeadlines[];
}

export async function putOverride(t: TTable, o: TCalendarOverride): Promise<void> {
  await put(t, { ...keys.calendarOverride(o.regionId, o.day), type: 'override', ...o });
}

export async function deleteOverride(t: TTable, regionId: string, day: string): Promise<void> {
  await t.db.send(new DeleteItemCommand({ TableName: t.name, Key: marshall(keys.calendarOverride(regionId, day)) }));
}

export async function putDeadlines(t: TTable, s: TRegionDeadlines): Promise<void> {
  await put(t, { ...keys.calendarDeadlines(s.regionId), type: 'deadlines', ...s });
}

export async function loadCalendarItems(t: TTable): Promise<TCalendarItems> {
  const out: TCalendarItems = { overrides: [], settings: [] };
  for (const raw of (await queryAll(t, { pk: keys.calendarPartition })).map((i) => unmarshall(i))) {
    const { pk: _p, sk: _s, type, ...rest } = raw;
    if (type === 'override') out.overrides.push(rest as TCalendarOverride);
    else if (type === 'deadlines') out.settings.push(rest as TRegionDeadlines);
  }
  return out;
}

/** The calendar items, cached per process for `ttlMs`; a write through this process's cache clears it. */
export function cachedCalendarItems(t: TTable, ttlMs = 60_000, now = () => Date.now()) {
  let hit: { at: number; value: Promise<TCalendarItems> } | undefined;
  const get = (): Promise<TCalendarItems> => {
    if (hit && now() - hit.at < ttlMs) return hit.value;
    const value = loadCalendarItems(t);
    hit = { at: now(), value };
    value.catch(() => {
      hit = undefined;
    });
    return value;
  };
  get.clear = () => {
    hit = undefined;
  };
  return get;
}
