/**
 * Cases live in their rating's own item (RATING#<id> / RATING): the put that stores a bad rating also opens its
 * case, so a crash can never leave one without the other. At opening the case costs a few short attributes (version
 * cv, contact and rectify deadlines cd/rd, the GSI2 keys): everything else of an open case follows from the rating,
 * which keeps a bad rating within 2 write units. Once the case moves, its full state is kept as JSON in `cs`.
 * Every change is an UpdateItem conditioned on the version (optimistic concurrency) that never touches the answers.
 * GSI2 (sparse) lists the cases of a region's halls (the region a hall hangs off: one Query per region, not per
 * hall): A#<next instant the job must act> for active cases, P#<phone deletion instant> for closed cases still
 * holding a phone, C#<closedAt> for the rest. GSI3 lists one hall's cases in the same order, keyed by the rating's
 * own hall attribute `h`: a partition (TCasePartition) is a region's (GSI2) or a hall's (GSI3).
 */
import { QueryCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type { TCase } from '../domain/cases.js';
import type { TRating } from '../domain/model.js';
import { forEachQueryPage, getItem, ifCondition, indexOf, type Item, queryAll, type TTable } from './db.js';
import * as keys from './keys.js';
import { rawToRating } from './ratings.js';

/** The resident's phone ciphertext is deleted this long after the case closes (SPEC §6). */
export const PHONE_KEEP_MS = 90 * 86_400_000;
/** Cases close automatically this long after rectification without a 追评 (same as the domain's AUTO_CLOSE_MS). */
const AUTO_CLOSE_MS = 7 * 86_400_000;

export interface TStoredCase {
  case: TCase;
  rating: TRating;
  /** the optimistic-concurrency version the next write must match */
  version: number;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** Where a case sits in its partition's list (GSI2 and GSI3 share the sort key). */
export function caseSlot(c: TCase, phoneKept: boolean): { bucket: keys.TCaseBucket; instant: string } {
  if (c.state === 'closed') {
    const closed = c.closedAt ?? c.openedAt;
    return phoneKept ? { bucket: 'P', instant: iso(Date.parse(closed) + PHONE_KEEP_MS) } : { bucket: 'C', instant: closed };
  }
  if (c.state === 'rectified') return { bucket: 'A', instant: iso(Date.parse(c.rectification?.at ?? c.openedAt) + AUTO_CLOSE_MS) };
  if (c.state === 'appealed') return { bucket: 'A', instant: c.appeal?.due ?? c.rectifyDue };
  const due = c.state === 'open' ? c.contactDue : c.rectifyDue;
  const next = c.nextEscalationAt && c.nextEscalationAt > due ? c.nextEscalationAt : due;
  return { bucket: 'A', instant: next };
}

/**
 * The attributes a bad rating's put adds to open its case (the domain's openCase, or its two deadlines and hall):
 * version, rectify deadline, the GSI2 keys, whose sort key holds the contact deadline (an open case's next instant),
 * and GSI4's shard `q` (the case listed by the instant it opened, for the notification sweep).
 */
export function openCaseAttributes(c: Pick<TCase, 'hallId' | 'contactDue' | 'rectifyDue'>, regionId: string): Record<string, unknown> {
  return { cv: 1, rd: c.rectifyDue, ...keys.caseIndex(regionId, 'A', c.contactDue), ...keys.newCaseIndex(c.hallId) };
}

/** An open case's contact deadline, from its GSI2 sort key (A#<contactDue>) when no `cd` was written. */
const contactDueOf = (raw: Record<string, unknown>) => (typeof raw.cd === 'string' ? raw.cd : String(raw.gsi2sk).slice(2));

/**
 * A case's full attributes at `version` (the seeder writes them with the rating, GSI4's `q` included; writeCase
 * updates cs, cv, cd, rd and the GSI2 keys only, so `q` stays); `regionId`: the region the case's hall hangs off
 * (its GSI2 partition).
 */
export function caseAttributes(c: TCase, version: number, phoneKept: boolean, regionId: string) {
  const { caseId: _c, ratingId: _r, hallId: _h, windowId: _w, serviceId: _s, ratingDay: _d, openedAt: _o, ...rest } = c;
  const slot = caseSlot(c, phoneKept);
  return {
    cs: JSON.stringify(rest),
    cv: version,
    cd: c.contactDue,
    rd: c.rectifyDue,
    ...keys.caseIndex(regionId, slot.bucket, slot.instant),
    ...keys.newCaseIndex(c.hallId),
  };
}

/** Fields of a case that its rating already holds: not repeated in `cs`. */
type TDerived = 'caseId' | 'ratingId' | 'hallId' | 'windowId' | 'serviceId' | 'ratingDay' | 'openedAt';

export function caseFromRaw(raw: Record<string, unknown>): TStoredCase | undefined {
  if (raw.cv === undefined) return undefined;
  const rating = rawToRating(raw);
  const base = {
    caseId: rating.ratingId,
    ratingId: rating.ratingId,
    hallId: rating.hallId,
    windowId: rating.windowId,
    ...(rating.serviceId ? { serviceId: rating.serviceId } : {}),
    ratingDay: rating.day,
    openedAt: rating.createdAt,
  };
  const rest: Omit<TCase, TDerived> =
    typeof raw.cs === 'string'
      ? JSON.parse(raw.cs)
      : {
          state: 'open',
          contactDue: contactDueOf(raw),
          rectifyDue: String(raw.rd),
          escalationLevel: 0,
          reworkCount: 0,
          hasPhone: Boolean(rating.phoneMasked),
          history: [{ at: rating.createdAt, actor: 'system', action: 'open', to: 'open' }],
        };
  return { case: { ...base, ...rest } as TCase, rating, version: Number(raw.cv) };
}

export async function getCase(t: TTable, caseId: string): Promise<TStoredCase | undefined> {
  const item = await getItem(t, keys.rating(caseId), { consistent: true });
  return item ? caseFromRaw(item) : undefined;
}

/**
 * Writes a case's new state if nobody wrote it since `version` was read; false (nothing written) on a lost race.
 * `dropPhone` removes the phone ciphertext and its mask (90 days after closing). `regionId`: the region the hall
 * hangs off now (the caller's catalogue), so a case stored under an older partition is put right by its next write;
 * undefined (a hall the caller does not know) leaves the partition as it is.
 */
export function writeCase(
  t: TTable,
  c: TCase,
  version: number,
  opts: { dropPhone?: boolean; phoneKept: boolean; regionId: string | undefined },
): Promise<boolean> {
  const { cs, gsi2pk, gsi2sk } = caseAttributes(c, version + 1, opts.phoneKept && !opts.dropPhone, opts.regionId ?? '');
  const repoint = opts.regionId ? ', gsi2pk = :pk' : '';
  return ifCondition(() =>
    t.db.send(
      new UpdateItemCommand({
        TableName: t.name,
        Key: marshall(keys.rating(c.caseId)),
        UpdateExpression: `SET cs = :cs, cv = :n, cd = :cd, rd = :rd${repoint}, gsi2sk = :sk${opts.dropPhone ? ' REMOVE pe, pm' : ''}`,
        ConditionExpression: 'cv = :v',
        ExpressionAttributeValues: marshall({
          ':cs': cs,
          ':n': version + 1,
          ':v': version,
          ':cd': c.contactDue,
          ':rd': c.rectifyDue,
          ...(opts.regionId ? { ':pk': gsi2pk } : {}),
          ':sk': gsi2sk,
        }),
      }),
    ),
  );
}

/** Where cases are listed: a region's halls' (GSI2 CS#<region>) or one hall's (GSI3, the rating's `h`). */
export type TCasePartition = { regionId: string } | { hallId: string };

/** The Query target of a partition: its index and partition-key value. */
export const partitionQuery = (p: TCasePartition): { pk: string; index: 'gsi2' | 'gsi3' } =>
  'regionId' in p ? { pk: keys.casesOfRegion(p.regionId), index: 'gsi2' } : { pk: keys.casesOfHall(p.hallId), index: 'gsi3' };

const toStored = (items: Item[]) => items.map((i) => caseFromRaw(unmarshall(i))).filter((x): x is TStoredCase => Boolean(x));

/** A partition's cases of one bucket, optionally only those whose instant is before `until` (the job's due cases). Counted. */
export async function listCases(t: TTable, part: TCasePartition, bucket: keys.TCaseBucket, until?: string): Promise<TStoredCase[]> {
  const items = await queryAll(t, {
    ...partitionQuery(part),
    ...(until ? { between: [`${bucket}#`, `${bucket}#${until}`] as [string, string] } : { prefix: `${bucket}#` }),
  });
  return toStored(items);
}

/** Every case of a partition: active ones, then closed ones (for figures over a period and exports). */
export async function listAllCases(t: TTable, part: TCasePartition): Promise<TStoredCase[]> {
  return toStored(await queryAll(t, partitionQuery(part)));
}

/**
 * A partition's cases that can count in figures over a period starting at `since` (an instant): every active case
 * and every closed one closed since then. GSI2 and GSI3 sort A# < C# < P#, and a P# (phone kept) case closed at
 * most 90 days ago, so two Queries: the active bucket, and from C#<since> to the end. History before `since` is
 * never read.
 */
export async function listCasesSince(t: TTable, part: TCasePartition, since: string): Promise<TStoredCase[]> {
  const q = partitionQuery(part);
  const [active, closed] = await Promise.all([queryAll(t, { ...q, prefix: 'A#' }), queryAll(t, { ...q, between: [`C#${since}`, 'P$'] })]);
  return toStored([...active, ...closed]);
}

/** A partition's active cases whose next instant is in [from, to] (the notification sweep's deadlines). Counted. */
export async function listActiveBetween(t: TTable, part: TCasePartition, from: string, to: string): Promise<TStoredCase[]> {
  return toStored(await queryAll(t, { ...partitionQuery(part), between: [`A#${from}`, `A#${to}`] }));
}

/**
 * The cases opened in (from, to] (instants), found on GSI4 by the rating's time, late ratings at the moment they were
 * rated: one Query per shard (NEW_CASE_SHARDS), whatever the number of halls. Counted.
 */
export async function listOpenedBetween(t: TTable, from: string, to: string): Promise<TStoredCase[]> {
  const shards = Array.from({ length: keys.NEW_CASE_SHARDS }, (_, i) => keys.newCaseShard(i));
  const pages = await Promise.all(shards.map((pk) => queryAll(t, { pk, index: 'gsi4', between: [`${from}#\uffff`, `${to}#\uffff`] })));
  return toStored(pages.flat());
}

/**
 * Points a hall's cases at the region it hangs off now: each whose GSI2 partition is another region's is rewritten
 * (an UpdateItem of gsi2pk alone, only while the item is still a case of that hall). Idempotent: a second run writes
 * nothing. Returns how many were read and how many rewritten.
 *  - `from: 'gsi3'` (after an administrator moved the hall): its cases found on GSI3 (keys and partition projected);
 *  - `from: 'legacy'` (migrateCases): the cases still under the hall's own old partition (CS#<hall>), each moved only
 *    while it is still there (a case the app wrote meanwhile is already in place); only items whose `h` is the
 *    hall are touched, so a region sharing the hall's id keeps its own cases.
 */
export async function repointHallCases(
  t: TTable,
  hallId: string,
  regionId: string,
  from: 'gsi3' | 'legacy' = 'gsi3',
): Promise<{ read: number; moved: number }> {
  const want = keys.casesOfRegion(regionId);
  const legacy = keys.legacyCasesOfHall(hallId);
  if (from === 'legacy' && legacy === want) return { read: 0, moved: 0 };
  const { indexName, pkName } = indexOf(from === 'gsi3' ? 'gsi3' : 'gsi2');
  const hallAttr = indexOf('gsi3').pkName;
  const out = { read: 0, moved: 0 };
  const query = {
    IndexName: indexName,
    KeyConditionExpression: '#k = :k',
    ProjectionExpression: 'pk, sk, gsi2pk, #h',
    ExpressionAttributeNames: { '#k': pkName, '#h': hallAttr },
    ExpressionAttributeValues: marshall({ ':k': from === 'gsi3' ? keys.casesOfHall(hallId) : legacy }),
  };
  out.read = await forEachQueryPage(t, query, async (items) => {
    for (const i of items) {
      if (i.gsi2pk?.S === want || i[hallAttr]?.S !== hallId) continue;
      const moved = await ifCondition(() =>
        t.db.send(
          new UpdateItemCommand({
            TableName: t.name,
            Key: { pk: i.pk, sk: i.sk },
            UpdateExpression: 'SET gsi2pk = :p',
            ConditionExpression: `attribute_exists(cv) AND #h = :h${from === 'legacy' ? ' AND gsi2pk = :from' : ''}`,
            ExpressionAttributeNames: { '#h': hallAttr },
            ExpressionAttributeValues: marshall({ ':p': want, ':h': hallId, ...(from === 'legacy' ? { ':from': legacy } : {}) }),
          }),
        ),
      );
      if (moved) out.moved++;
    }
  });
  return out;
}

/* ---------- the paged queue: counts without reading items, and one page in index order ---------- */

/**
 * Filters over a case's attributes (no key attributes: those go in the range). The state and escalation level are
 * tested as JSON fragments of `cs` (quotes inside strings are escaped, so user text can never contain them);
 * a case without `cs` was never moved: open, level 0, its contact deadline in its sort key.
 */
export const CASE_FILTERS = {
  /** open or contacted, not escalated: their sort key is their deadline, so index order is queue order */
  plain: 'attribute_not_exists(cs) OR ((contains(cs, :open) OR contains(cs, :contacted)) AND contains(cs, :lvl0))',
  /** the rest: escalated (key: the next escalation) or rectified/appealed (key: the job's next step, no deadline) */
  irregular: 'attribute_exists(cs) AND (NOT contains(cs, :lvl0) OR contains(cs, :rectified) OR contains(cs, :appealed))',
} as const;
export type TCaseFilter = keyof typeof CASE_FILTERS;

const FILTER_VALUES: Record<string, string> = {
  ':open': '"state":"open"',
  ':contacted': '"state":"contacted"',
  ':rectified': '"state":"rectified"',
  ':appealed': '"state":"appealed"',
  ':lvl0': '"escalationLevel":0',
};

interface TActiveQuery {
  part: TCasePartition;
  /** sort-key instants (inclusive); default: the whole active bucket */
  from?: string;
  to?: string;
  filter?: TCaseFilter;
  /** instants the filter compares with */
  now?: string;
  end?: string;
}

function activeQueryInput(t: TTable, q: TActiveQuery) {
  const target = partitionQuery(q.part);
  const { indexName, pkName, skName } = indexOf(target.index);
  const expr = q.filter ? CASE_FILTERS[q.filter] : undefined;
  const values: Record<string, string> = { ':pk': target.pk, ':a': `A#${q.from ?? ''}`, ':b': q.to ? `A#${q.to}` : 'A$' };
  if (expr)
    for (const [k, v] of Object.entries({ ...FILTER_VALUES, ':now': q.now ?? '', ':end': q.end ?? '' }))
      if (expr.includes(k)) values[k] = v;
  return {
    TableName: t.name,
    IndexName: indexName,
    KeyConditionExpression: `${pkName} = :pk AND ${skName} BETWEEN :a AND :b`,
    ...(expr ? { FilterExpression: expr } : {}),
    ExpressionAttributeValues: marshall(values),
  };
}

/** How many active cases of a partition match (Select COUNT: no item comes back; not counted in itemsRead). */
export async function countActiveCases(t: TTable, q: TActiveQuery): Promise<number> {
  let n = 0;
  let start: Item | undefined;
  do {
    const out = await t.db.send(new QueryCommand({ ...activeQueryInput(t, q), Select: 'COUNT', ExclusiveStartKey: start }));
    n += out.Count ?? 0;
    start = out.LastEvaluatedKey;
  } while (start);
  return n;
}

/** The first `want` active cases of a partition in index order (nearest next instant first) that match; counted. */
export async function firstActiveCases(t: TTable, q: TActiveQuery, want?: number): Promise<TStoredCase[]> {
  const out: TStoredCase[] = [];
  let start: Item | undefined;
  do {
    const limit = want === undefined ? undefined : Math.max(want - out.length, 10);
    const page = await t.db.send(new QueryCommand({ ...activeQueryInput(t, q), Limit: limit, ExclusiveStartKey: start }));
    t.itemsRead += page.Items?.length ?? 0;
    for (const i of page.Items ?? []) {
      const s = caseFromRaw(unmarshall(i));
      if (s) out.push(s);
    }
    start = page.LastEvaluatedKey;
  } while (start && (want === undefined || out.length < want));
  return want === undefined ? out : out.slice(0, want);
}
