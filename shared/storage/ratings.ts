/**
 * Ratings: the item codec with short attribute names (under 1 KB, one write unit, unless the comment is long), the
 * conditional put that is "one visit, one rating", a hall's ratings of a day (GSI1), and the two changes ever
 * made to a stored rating, neither touching its answers: the job's flags (fl) and people's decisions (dc).
 */
import { PutItemCommand, UpdateItemCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { TRating, TRatingDecision } from '../domain/model.js';
import {
  attr,
  batchPut,
  getItem,
  isConditionFailure,
  marshallPlain,
  queryAll,
  unmarshallPlain,
  updateIfPresent,
  type Item,
  type TTable,
} from './db.js';
import * as keys from './keys.js';

export const RATING_FIELDS = {
  channel: 'ch',
  hallId: 'h',
  windowId: 'w',
  serviceId: 's',
  ticketId: 't',
  createdAt: 'at',
  day: 'd',
  overall: 'o',
  attitude: 'ga',
  efficiency: 'ge',
  competence: 'gc',
  trips: 'tr',
  done: 'dn',
  reasons: 'rs',
  comment: 'cm',
  phoneEnc: 'pe',
  phoneMasked: 'pm',
  lang: 'lg',
  submissionId: 'sub',
  deviceHash: 'dev',
  netHash: 'nh',
  lag: 'lag',
  flags: 'fl',
  decision: 'dc',
  surveyVersion: 'sv',
  extra: 'x',
} as const satisfies Record<Exclude<keyof TRating, 'ratingId'>, string>;

const FIELD_PAIRS = Object.entries(RATING_FIELDS) as [Exclude<keyof TRating, 'ratingId'>, string][];

/** `case`: the deadlines of the case the existing rating opened, if it is a bad one (its cd/rd attributes). */
export type TPutRatingResult =
  | { status: 'created' }
  | { status: 'exists'; existing: TRating; case?: { contactDue: string; rectifyDue: string } };

/**
 * `extra`: attributes stored beside the rating in the same item (a bad rating's case: see cases.ts). Built in one
 * pass straight into attribute values (no intermediate object to marshal): it runs on every rating.
 */
export function ratingToItem(r: TRating, extra?: Record<string, unknown>): Item {
  const item: Item = extra ? marshallPlain(extra) : {};
  const key = keys.rating(r.ratingId);
  const index = keys.hallDayIndex(r.hallId, r.day, r.createdAt, r.ratingId);
  item.pk = { S: key.pk };
  item.sk = { S: key.sk };
  item.gsi1pk = { S: index.gsi1pk };
  item.gsi1sk = { S: index.gsi1sk };
  for (let i = 0; i < FIELD_PAIRS.length; i++) {
    const [field, name] = FIELD_PAIRS[i];
    const v = r[field];
    if (v === undefined || v === '' || (Array.isArray(v) && v.length === 0)) continue;
    item[name] = attr(v);
  }
  return item;
}

export function itemToRating(item: Item): TRating {
  return rawToRating(unmarshallPlain(item));
}

export function rawToRating(raw: Record<string, unknown>): TRating {
  const r: Record<string, unknown> = { ratingId: keys.ratingIdOf(String(raw.pk)) };
  for (const [field, attr] of FIELD_PAIRS) if (raw[attr] !== undefined) r[field] = raw[attr];
  return r as unknown as TRating;
}

/** Bytes DynamoDB bills for an item: attribute names plus values (a close approximation of the documented rule). */
export function itemSize(item: Item): number {
  const size = (v: AttributeValue): number => {
    if (v.S !== undefined) return Buffer.byteLength(v.S);
    if (v.N !== undefined) return Math.ceil(v.N.replace(/^-|\.|^0+/g, '').length / 2) + 1;
    if (v.B !== undefined) return v.B.length;
    if (v.BOOL !== undefined || v.NULL !== undefined) return 1;
    if (v.SS) return v.SS.reduce((n, s) => n + Buffer.byteLength(s), 0);
    if (v.L) return 3 + v.L.reduce((n, x) => n + 1 + size(x), 0);
    if (v.M) return 3 + Object.entries(v.M).reduce((n, [k, x]) => n + 1 + Buffer.byteLength(k) + size(x), 0);
    return 0;
  };
  return Object.entries(item).reduce((n, [k, v]) => n + Buffer.byteLength(k) + size(v), 0);
}

/**
 * "One visit, one rating" is this conditional put: the item's key is the rating id, which for a ticket is
 * the ticket id. A bad rating's case rides in the same put (`extra`), so the two exist together or not at all.
 * On a clash the stored rating is returned so the caller can tell a retry of the same
 * submission (same submissionId: answer as before) from a second rating of the visit (refuse).
 */
export async function putRating(t: TTable, r: TRating, extra?: Record<string, unknown>): Promise<TPutRatingResult> {
  try {
    const Item = ratingToItem(r, extra);
    await t.db.send(new PutItemCommand({ TableName: t.name, Item, ConditionExpression: 'attribute_not_exists(pk)' }));
    return { status: 'created' };
  } catch (err) {
    if (!isConditionFailure(err)) throw err;
    const raw = await getItem(t, keys.rating(r.ratingId), { consistent: true });
    if (!raw) throw err; // cannot happen: nothing deletes ratings
    const existing = rawToRating(raw);
    // an open case's contact deadline is in its GSI2 sort key (A#<instant>); once the case moved, in cd
    const contactDue = typeof raw.cd === 'string' ? raw.cd : typeof raw.gsi2sk === 'string' ? raw.gsi2sk.slice(2) : undefined;
    const opened = contactDue && typeof raw.rd === 'string' ? { contactDue, rectifyDue: raw.rd } : undefined;
    return { status: 'exists', existing, ...(opened ? { case: opened } : {}) };
  }
}

export async function getRating(t: TTable, ratingId: string): Promise<TRating | undefined> {
  const item = await getItem(t, keys.rating(ratingId), { consistent: true });
  return item ? rawToRating(item) : undefined;
}

/** A hall's ratings of one hall-local day, in time order (GSI1). */
export async function listRatingsForHallDay(t: TTable, hallId: string, day: string): Promise<TRating[]> {
  return (await queryAll(t, { pk: keys.hallDay(hallId, day), index: true })).map(itemToRating);
}

/**
 * Bulk load for the demo seeder and benchmarks: plain batch puts of ratings whose ids are unique by
 * construction (never used for residents' ratings, which need the conditional put above).
 */
export async function bulkPutRatings(
  t: TTable,
  ratings: TRating[],
  extra?: (r: TRating) => Record<string, unknown> | undefined,
): Promise<void> {
  await batchPut(
    t,
    ratings.map((r) => ratingToItem(r, extra?.(r))),
    8,
  );
}

/**
 * The nightly job's suspicion flags, never its answers nor a person's decision. Clearing writes an empty list
 * rather than removing the attribute, so a run killed between an engine's index write and its item write leaves
 * a trace in the index (fl present) that tells the re-run to write again: see scoreHallsDay.
 */
export async function setRatingFlags(t: TTable, ratingId: string, flags: string[]): Promise<void> {
  await t.db.send(
    new UpdateItemCommand({
      TableName: t.name,
      Key: marshall(keys.rating(ratingId)),
      UpdateExpression: 'SET fl = :f',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeValues: marshall({ ':f': flags }),
    }),
  );
}

/**
 * Records a person's decision on a rating (a review of its flags, an appeal's outcome): merged into the
 * rating's decision, never touching its answers or the job's flags. False if there is no such rating.
 */
export async function setRatingDecision(t: TTable, ratingId: string, decision: TRatingDecision): Promise<boolean> {
  const current = (await getRating(t, ratingId))?.decision;
  return updateIfPresent(t, keys.rating(ratingId), 'SET dc = :d', undefined, { ':d': { ...current, ...decision } });
}
