/**
 * Every key and index value of the one table, built here and nowhere else (the ElectroDB idea: a key is declared
 * once), so two modules can never spell the same item differently. table.ts lists what each item is for.
 */

/** Late-rating marks are spread over a few partitions so a burst of late ratings never makes one hot key. */
export const DIRTY_SHARDS = 16;
export const dirtyShard = (hallId: string): number => [...hallId].reduce((h, ch) => (h * 31 + ch.charCodeAt(0)) >>> 0, 7) % DIRTY_SHARDS;

export type TKey = { pk: string; sk: string };
export type TIndexKey = { gsi1pk: string; gsi1sk: string };

const unitSk = { window: 'CAT#WINDOW#', service: 'CAT#SERVICE#' } as const;

/* catalogue */
export const region = (id: string): TKey => ({ pk: `REGION#${id}`, sk: 'META' });
export const regionIndex = (id: string): TIndexKey => ({ gsi1pk: 'CATALOG#REGION', gsi1sk: id });
export const regionsIndex = 'CATALOG#REGION';
export const hall = (id: string): TKey => ({ pk: `HALL#${id}`, sk: 'CAT#META' });
export const hallIndex = (id: string): TIndexKey => ({ gsi1pk: 'CATALOG#HALL', gsi1sk: id });
export const hallsIndex = 'CATALOG#HALL';
/** The partition holding a hall and its windows and services (one Query, begins_with CAT#). */
export const hallPartition = (id: string): string => `HALL#${id}`;
export const catalogPrefix = 'CAT#';
export const hallMetaSk = 'CAT#META';
export const window = (hallId: string, id: string): TKey => ({ pk: `HALL#${hallId}`, sk: `${unitSk.window}${id}` });
export const service = (hallId: string, id: string): TKey => ({ pk: `HALL#${hallId}`, sk: `${unitSk.service}${id}` });
export const unit = (kind: 'window' | 'service', hallId: string, id: string): TKey => ({
  pk: `HALL#${hallId}`,
  sk: `${unitSk[kind]}${id}`,
});
export const windowSkPrefix = unitSk.window;
export const serviceSkPrefix = unitSk.service;
export const isCatalogue = (pk: string): boolean => pk.startsWith('HALL#') || pk.startsWith('REGION#');
/** The hall id of a HALL#… partition key. */
export const hallIdOf = (pk: string): string => pk.slice('HALL#'.length);

/* staff users and machine keys */
export const user = (id: string): TKey => ({ pk: `USER#${id}`, sk: 'META' });
export const userIndex = (id: string): TIndexKey => ({ gsi1pk: 'CATALOG#USER', gsi1sk: id });
export const usersIndex = 'CATALOG#USER';
export const apiKey = (keyHash: string): TKey => ({ pk: `APIKEY#${keyHash}`, sk: 'META' });
/** Listed per hall by a short, non-secret id (the hash's first 12 characters), never by the key itself. */
export const apiKeyIndex = (hallId: string, createdAt: string, keyHash: string): TIndexKey => ({
  gsi1pk: `KEYS#${hallId}`,
  gsi1sk: `${createdAt}#${keyHash.slice(0, 12)}`,
});
export const apiKeysOfHall = (hallId: string): string => `KEYS#${hallId}`;
export const apiKeyIdOf = (pk: string): string => pk.slice('APIKEY#'.length, 'APIKEY#'.length + 12);
export const apiKeyPkPrefix = (keyId: string): string => `APIKEY#${keyId}`;

/* tickets */
export const issued = (hallId: string, day: string): TKey => ({ pk: `HALL#${hallId}`, sk: `ISSUED#${day}` });
export const visit = (hallId: string, day: string, visitKey: string): TKey => ({ pk: `HALL#${hallId}`, sk: `VISIT#${day}#${visitKey}` });
export const throttle = (throttleKey: string): TKey => ({ pk: `THROTTLE#${throttleKey}`, sk: 'PLACARD' });

/* ratings */
export const rating = (ratingId: string): TKey => ({ pk: `RATING#${ratingId}`, sk: 'RATING' });
export const ratingIdOf = (pk: string): string => pk.slice('RATING#'.length);
export const hallDay = (hallId: string, day: string): string => `HALLDAY#${hallId}#${day}`;
export const hallDayIndex = (hallId: string, day: string, createdAt: string, ratingId: string): TIndexKey => ({
  gsi1pk: `HALLDAY#${hallId}#${day}`,
  gsi1sk: `${createdAt}#${ratingId}`,
});
export const dirty = (hallId: string, day: string): TKey => ({ pk: `DIRTY#${dirtyShard(hallId)}`, sk: `${hallId}#${day}` });
export const dirtyPartition = (shard: number): string => `DIRTY#${shard}`;
export const dirtyOfShard = (shard: number, hallId: string, day: string): TKey => ({ pk: `DIRTY#${shard}`, sk: `${hallId}#${day}` });

/* the nightly job */
/** unit: H#<hall> (with its windows and services inside), R#<region> or ALL */
export const snap = (unit: string, day: string): TKey => ({ pk: `SNAP#${unit}`, sk: day });
export const snapPartition = (unit: string): string => `SNAP#${unit}`;
export const hallSnapPrefix = 'SNAP#H#';
export const hallIdOfSnap = (pk: string): string => pk.slice('SNAP#H#'.length);
export const part = (day: string, regionId: string, runId: string, batchKey: string): TKey => ({
  pk: `PART#${day}#${regionId}`,
  sk: `${runId}#${batchKey}`,
});
export const partPartition = (day: string, regionId: string): string => `PART#${day}#${regionId}`;
export const plan = (day: string, runId: string, batchKey: string): TKey => ({ pk: `PLAN#${day}#${runId}`, sk: batchKey });
export const planPartition = (day: string, runId: string): string => `PLAN#${day}#${runId}`;
export const run = (day: string): TKey => ({ pk: 'RUN', sk: day });
export const runPartition = 'RUN';
export const alert = (hallId: string, day: string, kind: string): TKey => ({ pk: `ALERT#${hallId}`, sk: `${day}#${kind}` });
export const alertIndex = (hallId: string, day: string, kind: string): TIndexKey => ({
  gsi1pk: `ALERTS#${day}`,
  gsi1sk: `${hallId}#${kind}`,
});
export const alertsOfHall = (hallId: string): string => `ALERT#${hallId}`;
export const alertsOfDay = (day: string): string => `ALERTS#${day}`;

/*
 * cases: the case lives in its rating's item (RATING#<id> / RATING). GSI2 lists the cases of a hall's region (the
 * region the hall hangs off) by bucket and instant, so a region's panel is one Query per region, not one per hall;
 * GSI3 (sparse: the rating's own hall attribute `h` and gsi2sk, present on case items only) lists one hall's.
 */
export type TCaseBucket = 'A' | 'P' | 'C';
export type TIndex2Key = { gsi2pk: string; gsi2sk: string };
/** A: active (sorted by the next instant the job must act), P: closed with a phone (by its deletion instant), C: closed */
export const caseIndex = (regionId: string, bucket: TCaseBucket, instant: string): TIndex2Key => ({
  gsi2pk: `CS#${regionId}`,
  gsi2sk: `${bucket}#${instant}`,
});
export const casesOfRegion = (regionId: string): string => `CS#${regionId}`;
/** GSI3's partition of a hall's cases: the bare hall id, the value of the rating item's `h` (no extra bytes). */
export const casesOfHall = (hallId: string): string => hallId;
/**
 * GSI4 (sparse): a newly opened case's place in the national list of cases by opening instant. `q`, one hex digit of
 * the hall's shard (the late marks' hash): one byte of value, so the largest bad rating stays within 2 write units.
 * Written only where a case opens (never removed by its later writes); its sort key is the rating's gsi1sk.
 */
export const NEW_CASE_SHARDS = DIRTY_SHARDS;
export const newCaseShard = (shard: number): string => shard.toString(16);
export const newCaseIndex = (hallId: string): { q: string } => ({ q: newCaseShard(dirtyShard(hallId)) });
/** Before case-region-index-v1 a case's GSI2 partition was its hall's (CS#<hall>): what the migration moves. */
export const legacyCasesOfHall = (hallId: string): string => `CS#${hallId}`;

/* the audit trail: one item per entry, by day; GSI1 by unit for scoped reads */
export const audit = (day: string, at: string, entryId: string): TKey => ({ pk: `AUDIT#${day}`, sk: `${at}#${entryId}` });
export const auditPartition = (day: string): string => `AUDIT#${day}`;
export const auditIndex = (unitType: string, unitId: string, at: string, entryId: string): TIndexKey => ({
  gsi1pk: `AUDITU#${unitType}#${unitId}`,
  gsi1sk: `${at}#${entryId}`,
});
export const auditOfUnit = (unitType: string, unitId: string): string => `AUDITU#${unitType}#${unitId}`;

/* calendar: region overrides and deadline settings, all in one small partition (read whole, cached per process) */
export const calendarPartition = 'CALENDAR';
export const calendarOverride = (regionId: string, day: string): TKey => ({ pk: 'CALENDAR', sk: `OVR#${regionId}#${day}` });
export const calendarDeadlines = (regionId: string): TKey => ({ pk: 'CALENDAR', sk: `DL#${regionId}` });

/* detection: the halls one browser (keyed hash of its cookie) rated on a day, for the cross-hall rule */
export const deviceDay = (deviceHash: string, day: string): TKey => ({ pk: `DEVDAY#${deviceHash}`, sk: day });
export const deviceOfDay = (pk: string): string => pk.slice('DEVDAY#'.length);

/* the review of suspicious ratings: one item per flagged group of a hall-day, written by the job */
export const reviewGroup = (hallId: string, day: string, groupKey: string): TKey => ({ pk: `REVIEW#${hallId}`, sk: `${day}#${groupKey}` });
export const reviewsOfHall = (hallId: string): string => `REVIEW#${hallId}`;

/* misc */
export const marker = (name: string): TKey => ({ pk: `META#${name}`, sk: 'META' });

/* national scale (issue 15): staff found by index, never by listing; the region tree read one level at a time */
/** Email uniqueness and sign-in by verified email: one item per address (its sha256, normalised), naming its user. */
export const userEmail = (emailHash: string): TKey => ({ pk: `USEREMAIL#${emailHash}`, sk: 'META' });
/** Sign-in by the identity provider's subject bound at first sign-in: one item per subject, naming its user. */
export const userSub = (sub: string): TKey => ({ pk: `USERSUB#${sub}`, sk: 'META' });
/** Staff users by name (lower-cased) for the administrator's search, on GSI2. */
export const userNameIndex = (name: string, id: string): TIndex2Key => ({
  gsi2pk: 'USERNAME',
  gsi2sk: `${name.trim().toLowerCase()}#${id}`,
});
export const usersByName = 'USERNAME';
/**
 * A user's place in the tree for the notifications (issue 15): one item per user under their scope (a hall, a region,
 * or '*' for administrators), so an event's recipients are a Query per unit of its chain, never the user list. Kept
 * by every user write; a reader checks each hit against the user item (a crash between two writes can leave a stale one).
 */
export const userScope = (scope: string, userId: string): TKey => ({ pk: `USCOPE#${scope}`, sk: userId });
export const usersOfScope = (scope: string): string => `USCOPE#${scope}`;
/** A region's direct children on GSI2: sub-regions (R#) and halls (H#); the top regions are the children of ''. */
export const childIndex = (parentId: string | undefined, kind: 'R' | 'H', id: string): TIndex2Key => ({
  gsi2pk: `KIDS#${parentId ?? ''}`,
  gsi2sk: `${kind}#${id}`,
});
export const childrenOf = (parentId: string | undefined): string => `KIDS#${parentId ?? ''}`;
/* notifications and webhooks (issue 14): events, the outbox index, preferences, endpoints, deliveries, mail */
export const NOTIFY_SHARDS = 8;
const notifyShard = (id: string): number => dirtyShard(id) % NOTIFY_SHARDS;
export const event = (eventId: string): TKey => ({ pk: `EVT#${eventId}`, sk: 'EVT' });
/**
 * sparse: only an event not yet dispatched has it. A bulk event (the monthly report's) is in its shard's bulk lane,
 * `B#<at>#<event>`, which sorts after every urgent `<at>#<event>` (an instant starts with a digit), so a bounded read
 * of a shard takes its urgent events first.
 */
export const outboxIndex = (eventId: string, at: string, bulk = false): TIndexKey => ({
  gsi1pk: `OUTBOX#${notifyShard(eventId)}`,
  gsi1sk: `${bulk ? OUTBOX_BULK_LANE : ''}${at}#${eventId}`,
});
export const OUTBOX_BULK_LANE = 'B#';
export const outboxPartition = (shard: number): string => `OUTBOX#${shard}`;
export const notifyPrefs = (userId: string): TKey => ({ pk: `USER#${userId}`, sk: 'NOTIFY' });
export const webhook = (endpointId: string): TKey => ({ pk: `WEBHOOK#${endpointId}`, sk: 'META' });
export const webhookIndex = (endpointId: string): TIndexKey => ({ gsi1pk: 'CATALOG#WEBHOOK', gsi1sk: endpointId });
export const webhooksIndex = 'CATALOG#WEBHOOK';
export const delivery = (endpointId: string, eventId: string): TKey => ({ pk: `WHD#${endpointId}`, sk: eventId });
export const deliveriesOf = (endpointId: string): string => `WHD#${endpointId}`;
/** sparse: only a delivery waiting for its next attempt has it */
export const deliveryDue = (endpointId: string, eventId: string, nextAt: string): TIndexKey => ({
  gsi1pk: `WHDUE#${notifyShard(eventId)}`,
  gsi1sk: `${nextAt}#${endpointId}#${eventId}`,
});
export const deliveryDuePartition = (shard: number): string => `WHDUE#${shard}`;
export const mail = (userId: string, eventId: string): TKey => ({ pk: `MAIL#${userId}`, sk: `EVT#${eventId}` });
/** sparse: a mail to send at once (MAILQ#<shard>) or waiting for the user's digest (DIGEST#<user>) */
export const mailQueued = (userId: string, eventId: string, at: string): TIndexKey => ({
  gsi1pk: `MAILQ#${notifyShard(eventId)}`,
  gsi1sk: `${at}#${userId}#${eventId}`,
});
export const mailQueuePartition = (shard: number): string => `MAILQ#${shard}`;
export const digestWaiting = (userId: string, eventId: string, at: string): TIndexKey => ({
  gsi1pk: `DIGEST#${userId}`,
  gsi1sk: `${at}#${eventId}`,
});
export const digestOf = (userId: string): string => `DIGEST#${userId}`;
export const digestSent = (userId: string, day: string): TKey => ({ pk: `MAIL#${userId}`, sk: `DIGEST#${day}` });
/** A user's waiting digest, one item per user: indexed by the instant it is due while a digest waits (sparse). */
export const digestDue = (userId: string): TKey => ({ pk: `MAIL#${userId}`, sk: 'DUE' });
export const digestDueIndex = (userId: string, dueAt: string): TIndexKey => ({
  gsi1pk: `DIGESTDUE#${notifyShard(userId)}`,
  gsi1sk: `${dueAt}#${userId}`,
});
export const digestDuePartition = (shard: number): string => `DIGESTDUE#${shard}`;
/* the link channel: registered matters (ttl: the rating window) and the guessing counters of /rate */
export const matter = (hallId: string, key: string): TKey => ({ pk: `MATTER#${hallId}#${key}`, sk: 'MATTER' });
export const guess = (scope: string, bucket: number): TKey => ({ pk: `GUESS#${scope}`, sk: String(bucket) });

/* survey definitions: one immutable item per version of a scope (ALL, R#<region>, H#<hall>), numbered from 1 */
export const survey = (scope: string, n: number): TKey => ({ pk: `SURVEY#${scope}`, sk: `V#${String(n).padStart(6, '0')}` });
export const surveyPartition = (scope: string): string => `SURVEY#${scope}`;
