/**
 * Every key and index value of the one table, built here and nowhere else (the ElectroDB idea: a key is declared
 * once), so two modules can never spell the same item differently. table.ts lists what each item is for.
 */

/** Late-rating marks are spread over a few partitions so a burst of late ratings never makes one hot key. */
export const DIRTY_SHARDS = 16;
export const dirtyShard = (hallId: string): number =>
  [...hallId].reduce((h, ch) => (h * 31 + ch.charCodeAt(0)) >>> 0, 7) % DIRTY_SHARDS;

export type TKey = { pk: string; sk: string };
export type TIndexKey = { gsi1pk: string; gsi1sk: string };

const unitSk = { window: 'CAT#WINDOW#', service: 'CAT#SERVICE#' } as const;

export const keys = {
  /* catalogue */
  region: (id: string): TKey => ({ pk: `REGION#${id}`, sk: 'META' }),
  regionIndex: (id: string): TIndexKey => ({ gsi1pk: 'CATALOG#REGION', gsi1sk: id }),
  regionsIndex: 'CATALOG#REGION',
  hall: (id: string): TKey => ({ pk: `HALL#${id}`, sk: 'CAT#META' }),
  hallIndex: (id: string): TIndexKey => ({ gsi1pk: 'CATALOG#HALL', gsi1sk: id }),
  hallsIndex: 'CATALOG#HALL',
  /** The partition holding a hall and its windows and services (one Query, begins_with CAT#). */
  hallPartition: (id: string): string => `HALL#${id}`,
  catalogPrefix: 'CAT#',
  hallMetaSk: 'CAT#META',
  window: (hallId: string, id: string): TKey => ({ pk: `HALL#${hallId}`, sk: `${unitSk.window}${id}` }),
  service: (hallId: string, id: string): TKey => ({ pk: `HALL#${hallId}`, sk: `${unitSk.service}${id}` }),
  unit: (kind: 'window' | 'service', hallId: string, id: string): TKey => ({ pk: `HALL#${hallId}`, sk: `${unitSk[kind]}${id}` }),
  windowSkPrefix: unitSk.window,
  serviceSkPrefix: unitSk.service,
  isCatalogue: (pk: string): boolean => pk.startsWith('HALL#') || pk.startsWith('REGION#'),
  /** The hall id of a HALL#… partition key. */
  hallIdOf: (pk: string): string => pk.slice('HALL#'.length),

  /* staff users and machine keys */
  user: (id: string): TKey => ({ pk: `USER#${id}`, sk: 'META' }),
  userIndex: (id: string): TIndexKey => ({ gsi1pk: 'CATALOG#USER', gsi1sk: id }),
  usersIndex: 'CATALOG#USER',
  apiKey: (keyHash: string): TKey => ({ pk: `APIKEY#${keyHash}`, sk: 'META' }),
  /** Listed per hall by a short, non-secret id (the hash's first 12 characters), never by the key itself. */
  apiKeyIndex: (hallId: string, createdAt: string, keyHash: string): TIndexKey => ({
    gsi1pk: `KEYS#${hallId}`,
    gsi1sk: `${createdAt}#${keyHash.slice(0, 12)}`,
  }),
  apiKeysOfHall: (hallId: string): string => `KEYS#${hallId}`,
  apiKeyIdOf: (pk: string): string => pk.slice('APIKEY#'.length, 'APIKEY#'.length + 12),
  apiKeyPkPrefix: (keyId: string): string => `APIKEY#${keyId}`,

  /* tickets */
  issued: (hallId: string, day: string): TKey => ({ pk: `HALL#${hallId}`, sk: `ISSUED#${day}` }),
  visit: (hallId: string, day: string, visitKey: string): TKey => ({ pk: `HALL#${hallId}`, sk: `VISIT#${day}#${visitKey}` }),
  throttle: (throttleKey: string): TKey => ({ pk: `THROTTLE#${throttleKey}`, sk: 'PLACARD' }),

  /* ratings */
  rating: (ratingId: string): TKey => ({ pk: `RATING#${ratingId}`, sk: 'RATING' }),
  ratingIdOf: (pk: string): string => pk.slice('RATING#'.length),
  hallDay: (hallId: string, day: string): string => `HALLDAY#${hallId}#${day}`,
  hallDayIndex: (hallId: string, day: string, createdAt: string, ratingId: string): TIndexKey => ({
    gsi1pk: `HALLDAY#${hallId}#${day}`,
    gsi1sk: `${createdAt}#${ratingId}`,
  }),
  dirty: (hallId: string, day: string): TKey => ({ pk: `DIRTY#${dirtyShard(hallId)}`, sk: `${hallId}#${day}` }),
  dirtyShard: (shard: number): string => `DIRTY#${shard}`,
  dirtyOfShard: (shard: number, hallId: string, day: string): TKey => ({ pk: `DIRTY#${shard}`, sk: `${hallId}#${day}` }),

  /* the nightly job */
  /** unit: H#<hall> (with its windows and services inside), R#<region> or ALL */
  snap: (unit: string, day: string): TKey => ({ pk: `SNAP#${unit}`, sk: day }),
  snapPartition: (unit: string): string => `SNAP#${unit}`,
  hallSnapPrefix: 'SNAP#H#',
  hallIdOfSnap: (pk: string): string => pk.slice('SNAP#H#'.length),
  part: (day: string, regionId: string, runId: string, batchKey: string): TKey => ({ pk: `PART#${day}#${regionId}`, sk: `${runId}#${batchKey}` }),
  partPartition: (day: string, regionId: string): string => `PART#${day}#${regionId}`,
  plan: (day: string, runId: string, batchKey: string): TKey => ({ pk: `PLAN#${day}#${runId}`, sk: batchKey }),
  planPartition: (day: string, runId: string): string => `PLAN#${day}#${runId}`,
  run: (day: string): TKey => ({ pk: 'RUN', sk: day }),
  runPartition: 'RUN',
  alert: (hallId: string, day: string, kind: string): TKey => ({ pk: `ALERT#${hallId}`, sk: `${day}#${kind}` }),
  alertIndex: (hallId: string, day: string, kind: string): TIndexKey => ({ gsi1pk: `ALERTS#${day}`, gsi1sk: `${hallId}#${kind}` }),
  alertsOfHall: (hallId: string): string => `ALERT#${hallId}`,
  alertsOfDay: (day: string): string => `ALERTS#${day}`,

  /* misc */
  marker: (name: string): TKey => ({ pk: `META#${name}`, sk: 'META' }),
} as const;
