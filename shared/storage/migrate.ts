/**
 * Deployed data brought up to the current indexes (issue 15): the tree index (GSI2 KIDS#<parent>) on every region
 * and hall record, the users' name index and their address and subject claims (USEREMAIL#, USERSUB#). The deploy
 * runs it (`npm run deploy` = cdk deploy, then `npm run migrate -- --aws`; the local server at start).
 * Idempotent: a record already in shape is read, never written, so a second run writes nothing but its marker.
 * Resumable: it walks regions, halls, then users a page at a time, and after each page keeps the step and the page's
 * last key in a marker, so a run killed halfway picks up at that page (the pages before it are not read again).
 * migrateCases (marker case-region-index-v1) then moves the cases stored under their hall's GSI2 partition
 * (CS#<hall>, before a region's panel read one partition per region) to their hall's region's, a page of halls at a
 * time, the same way.
 */
import { QueryCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { ifCondition, indexOf, type Item, queryPage, updateIfPresent, type TTable } from './db.js';
import * as keys from './keys.js';
import { getMarker, setMarker } from './meta.js';
import { reindexUser } from './users.js';

/** The marker's name: the local server used it before this module (its { at } means done). */
export const MIGRATION = 'national-index-v1';
const STEPS = ['regions', 'halls', 'users'] as const;
type TStep = (typeof STEPS)[number];
const LISTS: Record<TStep, string> = { regions: keys.regionsIndex, halls: keys.hallsIndex, users: keys.usersIndex };

export interface TMigrateResult {
  /** false when stopped early (`maxPages`): run again to go on */
  done: boolean;
  visited: number;
  written: number;
  /** true if the marker said it was done before this run (nothing read) */
  already?: boolean;
}

/** A catalogue record's tree index, written only if it is missing or stale. */
async function reindexRecord(t: TTable, step: 'regions' | 'halls', raw: Record<string, unknown>): Promise<number> {
  const id = String(raw.id);
  const want =
    step === 'regions'
      ? keys.childIndex((raw.parentId as string | undefined) || undefined, 'R', id)
      : keys.childIndex(String(raw.regionId), 'H', id);
  if (raw.gsi2pk === want.gsi2pk && raw.gsi2sk === want.gsi2sk) return 0;
  const key = step === 'regions' ? keys.region(id) : keys.hall(id);
  await updateIfPresent(t, key, 'SET gsi2pk = :p, gsi2sk = :s', undefined, { ':p': want.gsi2pk, ':s': want.gsi2sk });
  t.catalogueVersion++;
  return 1;
}

export async function migrate(
  t: TTable,
  opts: { pageSize?: number; maxPages?: number; progress?: (line: string) => void } = {},
): Promise<TMigrateResult> {
  const marker = await getMarker(t, MIGRATION);
  if (marker?.at && !marker.step) return { done: true, visited: 0, written: 0, already: true };
  const pageSize = opts.pageSize ?? 100;
  let step: TStep = STEPS.includes(marker?.step as TStep) ? (marker!.step as TStep) : 'regions';
  let after = typeof marker?.after === 'string' ? marker.after : undefined;
  const out: TMigrateResult = { done: false, visited: 0, written: 0 };
  for (let pages = 0; ; ) {
    if (opts.maxPages !== undefined && pages >= opts.maxPages) return out;
    const page = await queryPage(t, { pk: LISTS[step], index: true, after, limit: pageSize });
    pages++;
    for (const item of page.items) {
      const raw = unmarshall(item);
      out.written += step === 'users' ? await reindexUser(t, raw) : await reindexRecord(t, step, raw);
      out.visited++;
    }
    after = page.next;
    if (!after) {
      const i = STEPS.indexOf(step);
      opts.progress?.(`${step}: done (${out.visited} records visited so far, ${out.written} writes)`);
      if (i === STEPS.length - 1) break;
      step = STEPS[i + 1];
    }
    await setMarker(t, MIGRATION, { step, ...(after ? { after } : {}) });
  }
  await setMarker(t, MIGRATION, { at: new Date().toISOString() });
  out.done = true;
  return out;
}

/** The cases migration's marker: { at } when done, { after } (the last hall of the last page done) while under way. */
export const CASES_MIGRATION = 'case-region-index-v1';

/**
 * One hall's cases still under its own GSI2 partition (CS#<hall>) moved to its region's (CS#<region>): each an
 * UpdateItem of gsi2pk alone, only while the item is still that hall's case under the old partition (a case the app
 * wrote meanwhile is already in place). Only items whose `h` is the hall are touched, so a region sharing the hall's
 * id keeps its own cases. Returns [read, written].
 */
async function moveHallCases(t: TTable, hallId: string, regionId: string): Promise<[number, number]> {
  const from = keys.legacyCasesOfHall(hallId);
  const to = keys.casesOfRegion(regionId);
  if (from === to) return [0, 0];
  const { indexName, pkName } = indexOf('gsi2');
  let read = 0;
  let written = 0;
  let start: Item | undefined;
  do {
    const page = await t.db.send(
      new QueryCommand({
        TableName: t.name,
        IndexName: indexName,
        KeyConditionExpression: `${pkName} = :p`,
        ProjectionExpression: 'pk, sk, h',
        ExpressionAttributeValues: marshall({ ':p': from }),
        ExclusiveStartKey: start,
      }),
    );
    start = page.LastEvaluatedKey;
    read += page.Items?.length ?? 0;
    t.itemsRead += page.Items?.length ?? 0;
    for (const i of page.Items ?? []) {
      if (i.h?.S !== hallId) continue;
      const moved = await ifCondition(() =>
        t.db.send(
          new UpdateItemCommand({
            TableName: t.name,
            Key: { pk: i.pk, sk: i.sk },
            UpdateExpression: `SET ${pkName} = :to`,
            ConditionExpression: `${pkName} = :from AND h = :h AND attribute_exists(cv)`,
            ExpressionAttributeValues: marshall({ ':to': to, ':from': from, ':h': hallId }),
          }),
        ),
      );
      if (moved) written++;
    }
  } while (start);
  return [read, written];
}

/**
 * Moves every case from its hall's GSI2 partition to its region's: the halls a page at a time (GSI1 CATALOG#HALL),
 * one Query of each hall's old partition (empty once moved, so a re-run reads little and writes nothing), the page's
 * last hall kept in the marker. On AWS run it once the deploy's GSI3 is ACTIVE (scripts/migrate.ts waits for it):
 * a hall's own pages read GSI3 from then on.
 */
export async function migrateCases(
  t: TTable,
  opts: { pageSize?: number; maxPages?: number; progress?: (line: string) => void } = {},
): Promise<TMigrateResult> {
  const marker = await getMarker(t, CASES_MIGRATION);
  if (marker?.at) return { done: true, visited: 0, written: 0, already: true };
  let after = typeof marker?.after === 'string' ? marker.after : undefined;
  const out: TMigrateResult = { done: false, visited: 0, written: 0 };
  let cases = 0;
  for (let pages = 0; ; pages++) {
    if (opts.maxPages !== undefined && pages >= opts.maxPages) return out;
    const page = await queryPage(t, { pk: keys.hallsIndex, index: true, after, limit: opts.pageSize ?? 100 });
    for (const item of page.items) {
      const hall = unmarshall(item);
      const [read, written] = await moveHallCases(t, String(hall.id), String(hall.regionId));
      cases += read;
      out.written += written;
      out.visited++;
    }
    after = page.next;
    if (!after) break;
    await setMarker(t, CASES_MIGRATION, { after });
  }
  opts.progress?.(`cases: done (${out.visited} halls, ${cases} cases read, ${out.written} moved)`);
  await setMarker(t, CASES_MIGRATION, { at: new Date().toISOString() });
  out.done = true;
  return out;
}
