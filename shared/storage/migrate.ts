/**
 * Deployed data brought up to the current indexes (issue 15), one named migration at a time:
 *  - `national-index-v1` (migrate): the tree index (GSI2 KIDS#<parent>) on every region and hall record, the users'
 *    name index and their address and subject claims (USEREMAIL#, USERSUB#);
 *  - `notify-index-v1` (migrateNotify): each user's scope item (USCOPE#<scope>/<user>, the notifications find an
 *    event's recipients by it) and, for a user with digest mails waiting from before, their digest's due item
 *    (MAIL#<user>/DUE), so nothing stored before the change waits for ever.
 * The deploy runs all three (`npm run deploy` = cdk deploy, then `npm run migrate -- --aws`; the local server at start).
 * Idempotent: a record already in shape is read, never written, so a second run writes nothing but its marker.
 * Resumable (walk): each goes through its lists a page at a time, and after each page keeps the step and the page's
 * last key in its marker, so a run killed halfway picks up at that page (the pages before it are not read again).
 *  - `case-region-index-v1` (migrateCases): the cases stored under their hall's GSI2 partition (CS#<hall>, when a
 *    region's panel read one partition per hall) moved to their hall's region's (CS#<region>), a page of halls at a
 *    time, the same way.
 *  - `case-open-index-v1` (migrateOpenedCases): the cases opened in the last 3 days (the sweep's longest window) by
 *    code from before GSI4 get its shard `q`, so the first sweeps after the deploy see them; a page of halls at a time.
 */
import { UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { digestDueAt } from '../domain/events.js';
import { repointHallCases } from './cases.js';
import { forEachQueryPage, getItem, ifCondition, indexOf, queryPage, updateIfPresent, type TTable } from './db.js';
import * as keys from './keys.js';
import { getMarker, setMarker } from './meta.js';
import { listDigestWaiting, noteDigestWaiting } from './notify.js';
import { reindexUser, reindexUserScope } from './users.js';

/** The marker's name: the local server used it before this module (its { at } means done). */
export const MIGRATION = 'national-index-v1';
/** The notifications' indexes (scope items, digests due). */
export const NOTIFY_MIGRATION = 'notify-index-v1';

export interface TMigrateResult {
  /** false when stopped early (`maxPages`): run again to go on */
  done: boolean;
  visited: number;
  written: number;
  /** true if the marker said it was done before this run (nothing read) */
  already?: boolean;
}

export interface TMigrateOptions {
  pageSize?: number;
  maxPages?: number;
  progress?: (line: string) => void;
}

/** One list a migration walks: the GSI1 listing's partition, and what to do with each record (returns writes made). */
export interface TWalkStep {
  name: string;
  list: string;
  visit: (raw: Record<string, unknown>) => Promise<number>;
}

/**
 * Walks the steps' lists a page at a time under the marker `name`: after each page the marker keeps the step and the
 * page's last key, so a run stopped (maxPages, or killed) resumes at that page; once done the marker holds { at }
 * and a later run reads it alone.
 */
export async function walk(t: TTable, name: string, steps: readonly TWalkStep[], opts: TMigrateOptions = {}): Promise<TMigrateResult> {
  const marker = await getMarker(t, name);
  if (marker?.at && !marker.step) return { done: true, visited: 0, written: 0, already: true };
  const pageSize = opts.pageSize ?? 100;
  let i = Math.max(
    0,
    steps.findIndex((s) => s.name === marker?.step),
  );
  let after = typeof marker?.after === 'string' && marker.step === steps[i].name ? marker.after : undefined;
  const out: TMigrateResult = { done: false, visited: 0, written: 0 };
  for (let pages = 0; ; ) {
    if (opts.maxPages !== undefined && pages >= opts.maxPages) return out;
    const step = steps[i];
    const page = await queryPage(t, { pk: step.list, index: true, after, limit: pageSize });
    pages++;
    for (const item of page.items) {
      out.written += await step.visit(unmarshall(item));
      out.visited++;
    }
    after = page.next;
    if (!after) {
      opts.progress?.(`${step.name}: done (${out.visited} records visited so far, ${out.written} writes)`);
      if (i === steps.length - 1) break;
      i++;
    }
    await setMarker(t, name, { step: steps[i].name, ...(after ? { after } : {}) });
  }
  await setMarker(t, name, { at: new Date().toISOString() });
  out.done = true;
  return out;
}

/** A catalogue record's tree index, written only if it is missing or stale. */
async function reindexRecord(t: TTable, kind: 'regions' | 'halls', raw: Record<string, unknown>): Promise<number> {
  const id = String(raw.id);
  const want =
    kind === 'regions'
      ? keys.childIndex((raw.parentId as string | undefined) || undefined, 'R', id)
      : keys.childIndex(String(raw.regionId), 'H', id);
  if (raw.gsi2pk === want.gsi2pk && raw.gsi2sk === want.gsi2sk) return 0;
  const key = kind === 'regions' ? keys.region(id) : keys.hall(id);
  await updateIfPresent(t, key, 'SET gsi2pk = :p, gsi2sk = :s', undefined, { ':p': want.gsi2pk, ':s': want.gsi2sk });
  t.catalogueVersion++;
  return 1;
}

/** The national indexes: regions, halls, then users. */
export function migrate(t: TTable, opts: TMigrateOptions = {}): Promise<TMigrateResult> {
  return walk(
    t,
    MIGRATION,
    [
      { name: 'regions', list: keys.regionsIndex, visit: (raw) => reindexRecord(t, 'regions', raw) },
      { name: 'halls', list: keys.hallsIndex, visit: (raw) => reindexRecord(t, 'halls', raw) },
      { name: 'users', list: keys.usersIndex, visit: (raw) => reindexUser(t, raw) },
    ],
    opts,
  );
}

/**
 * A user's digest mails waiting from before the due index get their due item (due at the next 08:30 in `timeZone`,
 * or at once after it), unless the user has one already. One Query per user (their waiting mails, usually none).
 */
async function reindexDigest(t: TTable, userId: string, nowMs: number, timeZone: string): Promise<number> {
  if (!(await listDigestWaiting(t, userId)).length) return 0;
  if ((await getItem(t, keys.digestDue(userId), { consistent: true }))?.gsi1sk) return 0;
  await noteDigestWaiting(t, userId, new Date(digestDueAt(nowMs, timeZone)).toISOString());
  return 1;
}

/** The notifications' indexes: every user's scope item and their waiting digest's due item. */
export function migrateNotify(t: TTable, opts: TMigrateOptions & { now?: number; timeZone?: string } = {}): Promise<TMigrateResult> {
  const nowMs = opts.now ?? Date.now();
  const tz = opts.timeZone ?? 'Asia/Shanghai';
  const visit = async (raw: Record<string, unknown>) =>
    (await reindexUserScope(t, raw)) + (await reindexDigest(t, String(raw.id), nowMs, tz));
  return walk(t, NOTIFY_MIGRATION, [{ name: 'users', list: keys.usersIndex, visit }], opts);
}

/** The cases migration's marker: { at } when done, { after } (the last hall of the last page done) while under way. */
export const CASES_MIGRATION = 'case-region-index-v1';

/**
 * Moves every case from its hall's GSI2 partition to its region's: the halls a page at a time (GSI1 CATALOG#HALL),
 * one Query of each hall's old partition (empty once moved, so a re-run reads little and writes nothing), the page's
 * last hall kept in the marker. On AWS run it once the deploy's GSI3 is ACTIVE (scripts/migrate.ts waits for it):
 * a hall's own pages read GSI3 from then on.
 */
export function migrateCases(t: TTable, opts: TMigrateOptions = {}): Promise<TMigrateResult> {
  const visit = async (hall: Record<string, unknown>) =>
    (await repointHallCases(t, String(hall.id), String(hall.regionId), 'legacy')).moved;
  return walk(t, CASES_MIGRATION, [{ name: 'halls', list: keys.hallsIndex, visit }], opts);
}

/** The opened-cases migration's marker (GSI4's `q` on the cases opened by code from before it). */
export const OPENED_CASES_MIGRATION = 'case-open-index-v1';
/** How far back the migration looks: the notification sweep's longest window (MAX_WINDOW_MS in services/notify.ts). */
export const OPENED_CASES_WINDOW_MS = 3 * 86_400_000;

/**
 * One hall's cases opened (rated) since `since` that lack GSI4's `q` get it: found on GSI3 (its active cases, and
 * those closed since `since`: a case opened since then cannot have closed before; keys, `q` and gsi1sk projected,
 * the rest filtered out by DynamoDB), each an UpdateItem of `q` alone, only while it is still a case without one.
 * Returns [read, written].
 */
async function markOpenedCases(t: TTable, hallId: string, since: string): Promise<[number, number]> {
  const { indexName, pkName, skName } = indexOf('gsi3');
  const want = keys.newCaseIndex(hallId).q;
  let read = 0;
  let written = 0;
  for (const [a, b] of [
    ['A#', 'A$'],
    [`C#${since}`, 'P$'],
  ]) {
    const query = {
      IndexName: indexName,
      KeyConditionExpression: `#h = :h AND ${skName} BETWEEN :a AND :b`,
      FilterExpression: 'attribute_not_exists(q) AND gsi1sk >= :since',
      ProjectionExpression: 'pk, sk',
      ExpressionAttributeNames: { '#h': pkName },
      ExpressionAttributeValues: marshall({ ':h': keys.casesOfHall(hallId), ':a': a, ':b': b, ':since': since }),
    };
    read += await forEachQueryPage(t, query, async (items) => {
      for (const i of items) {
        const marked = await ifCondition(() =>
          t.db.send(
            new UpdateItemCommand({
              TableName: t.name,
              Key: { pk: i.pk, sk: i.sk },
              UpdateExpression: 'SET q = :q',
              ConditionExpression: 'attribute_exists(cv) AND attribute_not_exists(q) AND #h = :h',
              ExpressionAttributeNames: { '#h': pkName },
              ExpressionAttributeValues: marshall({ ':q': want, ':h': hallId }),
            }),
          ),
        );
        if (marked) written++;
      }
    });
  }
  return [read, written];
}

/**
 * Gives GSI4's `q` to every case opened in the last 3 days (before `now`) that lacks it: the halls a page at a time
 * (GSI1 CATALOG#HALL), two Queries of each hall's cases on GSI3, the page's last hall kept in the marker (resumable;
 * a re-run writes nothing). Until it has run, the sweep would not see those cases: run it with the deploy that adds
 * GSI4 (a sweep that fails while the index back-fills keeps its cursor and catches up, up to 3 days).
 */
export function migrateOpenedCases(t: TTable, opts: TMigrateOptions & { now?: number } = {}): Promise<TMigrateResult> {
  const since = new Date((opts.now ?? Date.now()) - OPENED_CASES_WINDOW_MS).toISOString();
  const visit = async (hall: Record<string, unknown>) => (await markOpenedCases(t, String(hall.id), since))[1];
  return walk(t, OPENED_CASES_MIGRATION, [{ name: 'halls', list: keys.hallsIndex, visit }], opts);
}
