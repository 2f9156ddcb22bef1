/**
 * The single DynamoDB table's shape, shared by the CDK stack (infra/) and by the local runtime that
 * creates the table in the embedded engine, so the two can never drift apart. Every key below is built in
 * keys.ts only; the module named on the right reads and writes the item.
 *
 * Item (pk / sk, GSI1)                                    Access pattern it serves                          Module
 *  HALL#<hall> / CAT#META  (GSI1 CATALOG#HALL / <hall>)   a hall; every hall (the nightly planner)          catalogue.ts
 *  HALL#<hall> / CAT#WINDOW#<id> | CAT#SERVICE#<id>       hall + windows + services in one Query (CAT#)     catalogue.ts
 *  REGION#<region> / META  (GSI1 CATALOG#REGION)          the region tree                                   catalogue.ts
 *  USER#<user> / META  (GSI1 CATALOG#USER)                staff user: role, scope, bound OIDC subject       users.ts
 *  APIKEY#<sha256 of key> / META  (GSI1 KEYS#<hall>)      machine key → hall (by hash); a hall's keys       api-keys.ts
 *  HALL#<hall> / ISSUED#<day>                             tickets issued that day, per window/service (ADD) tickets.ts
 *  HALL#<hall> / VISIT#<day>#<keyed hash of visitRef>     a machine's visit already ticketed (ttl)          tickets.ts
 *  THROTTLE#<hmac of device+window> / PLACARD             one placard rating per device per window (ttl)    tickets.ts
 *  RATING#<rating> / RATING  (GSI1 HALLDAY#<hall>#<day>   one rating, short attribute names; ratingId =     ratings.ts
 *     / <iso time>#<rating>)                              ticketId makes "one visit, one rating" a
 *                                                         conditional put; a hall's ratings of a day in
 *                                                         time order; fl = the job's flags, dc = people's
 *                                                         decisions (never written by the job)
 *     + its case (bad ratings): cv version, cd/rd     the case lives in its rating's item: one put     cases.ts
 *     contact/rectify due, cs case JSON once it       opens both, so neither exists without the other;
 *     moves; GSI2 CS#<hall's region> / A|P|C#<instant>  a region's cases (one Query per region holding
 *     GSI3 (sparse) h=<hall> / gsi2sk                 halls) by next deadline (A), closed with a phone by
 *                                                     deletion instant (P), closed (C); GSI3: one hall's
 *                                                     cases (its `h` + gsi2sk: no extra bytes)
 *     GSI4 (sparse) q=<hall's shard 0..f> / gsi1sk    cases by the instant they opened (the rating's
 *                                                     time, late ones too): the sweep's case.opened, 16
 *                                                     Queries a tick; `q` written where a case opens, kept
 *  AUDIT#<day> / <at>#<entry>  (GSI1 AUDITU#<type>#<unit> / <at>#<entry>)  append-only audit trail; by unit    audit.ts
 *  CALENDAR / OVR#<region>#<day> | DL#<region>        closures, extra working days, deadline settings   calendar.ts
 *  DIRTY#<shard 0..15> / <hall>#<day>                     late-rating marks: the job re-scores those days   late-marks.ts
 *  SNAP#H#<hall> / <day>                                  a hall's day (its windows' and services' inside): scores.ts
 *                                                         counts, decayed counts, figures; trend = 1 Query;
 *                                                         `i`: the day's insight summary (heat, themes,
 *                                                         comments, drivers; scoring/insight-days.ts), so
 *                                                         a hall page reads 30 of these, not 30 days of ratings
 *  SNAP#R#<region> | SNAP#ALL / <day>                     a region's (the deployment's) day: the roll-up    scores.ts
 *  PART#<day>#<region> / <run>#<batch>                    one batch's partial region sum (roll-up input)    scores.ts
 *  PLAN#<day>#<run> / <batch>                             a run's batches, so later phases fan out again    scores.ts
 *  RUN / <day>                                            a run of a day: status, batches done per phase    scores.ts
 *  ALERT#<hall> / <day>#<kind>  (GSI1 ALERTS#<day>)       a hall's alerts; a day's alerts                   scores.ts
 *  META#<name> / META                                     named markers (e.g. last scored night locally;    meta.ts
 *                                                         the monthly report's walk: cursor, version v)
 *  region and hall records also carry GSI2 KIDS#<parent> / R#<region> | H#<hall>: a region's children in one
 *     Query, so the tree is read one level or one subtree at a time, never whole (national scale)  catalogue.ts
 *  USEREMAIL#<sha256 of address> / META → userId         sign-in by verified email; an address is unique   users.ts
 *                                                         (its conditional put)
 *  USERSUB#<subject> / META → userId                      sign-in by the bound identity-provider subject    users.ts
 *  user records also carry GSI2 USERNAME / <name>#<user>  the administrator's search by name                users.ts
 *  USCOPE#<hall|region|*> / <user> → userId               a scope's users: an event's recipients by unit   users.ts
 *                                                         (checked against the user item: may be stale)
 *  DEVDAY#<keyed hash of cookie> / <day>                  halls one browser rated that day (ADD to a set)   devices.ts
 *  REVIEW#<hall> / <day>#<rule>:<group>                   a flagged group: evidence (the job's), decisions  reviews.ts
 *                                                         per rating / group (people's, kept on re-score)
 *  EVT#<event> / EVT  (GSI1 OUTBOX#<shard> / <at>#<event> until dispatched)  one event (issue 14), kept 30 d (ttl) notify.ts
 *     the monthly report's (bulk) / B#<at>#<event>        after every urgent event of its shard: a tick's
 *                                                         bounded read of the outbox takes the urgent first
 *  USER#<user> / NOTIFY                                   a staff user's notification choices and language   notify.ts
 *  WEBHOOK#<id> / META  (GSI1 CATALOG#WEBHOOK / <id>)     a webhook endpoint: region, kinds, sealed secret   notify.ts
 *  WHD#<endpoint> / <event>  (GSI1 WHDUE#<shard> / <next attempt>#… while waiting)  delivery log (ttl 30 d)   notify.ts
 *  MAIL#<user> / EVT#<event>  (GSI1 MAILQ#<shard> | DIGEST#<user> until sent)  a staff e-mail (ttl 30 d)    notify.ts
 *  MAIL#<user> / DIGEST#<day>                             that day's digest was sent                         notify.ts
 *  MAIL#<user> / DUE  (GSI1 DIGESTDUE#<shard> / <due>#<user> while a digest waits)  noted mails, claim   notify.ts
 *                                                         (heldBy): the digests due, each sent once
 *  MATTER#<hall>#<keyed hash of matterNo> / MATTER        a matter registered for the link channel (ttl)    matters.ts
 *  GUESS#<c|h>#<keyed client hash or hall> / <bucket>      /rate attempts per client, failures per hall      matters.ts
 *  SURVEY#<ALL|R#region|H#hall> / V#<000001…>             a survey definition's versions (immutable; pub    surveys.ts
 *                                                         marks the published ones)
 *
 * AGG (per-unit per-day count vectors) no longer has items of its own: a day's count vector lives inside its
 * SNAP item (`today`), so a night writes one item per hall.
 */
export const TABLE_KEYS = {
  partitionKey: 'pk',
  sortKey: 'sk',
  gsi1: { name: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
  /** sparse: rating items carrying a case; the catalogue's tree (KIDS#) and users by name (USERNAME) */
  gsi2: { name: 'gsi2', partitionKey: 'gsi2pk', sortKey: 'gsi2sk' },
  /**
   * sparse: one hall's cases. Its keys are the rating's own hall attribute (`h`, a string) and the case's gsi2sk,
   * so only rating items carrying a case appear (an item lacking either key is not indexed) and it costs no byte.
   */
  gsi3: { name: 'gsi3', partitionKey: 'h', sortKey: 'gsi2sk' },
  /**
   * sparse: newly opened cases by the instant they were rated, nationally sharded (the notification sweep's
   * case.opened: 16 Queries a tick, not one per hall-day). Its partition `q` (one hex digit, the hall's shard) is
   * written only where a case opens; its sort key is the rating's own gsi1sk (<createdAt>#<rating>): 2 bytes a case.
   */
  gsi4: { name: 'gsi4', partitionKey: 'q', sortKey: 'gsi1sk' },
} as const;

/** Every secondary index, in the order the CDK stack and the local engine declare them. */
export const TABLE_INDEXES = [TABLE_KEYS.gsi1, TABLE_KEYS.gsi2, TABLE_KEYS.gsi3, TABLE_KEYS.gsi4] as const;
export type TIndexName = (typeof TABLE_INDEXES)[number]['name'];
/** The key attributes of the table and its indexes, each once (all strings: type S). */
export const KEY_ATTRIBUTES: readonly string[] = [
  ...new Set([TABLE_KEYS.partitionKey, TABLE_KEYS.sortKey, ...TABLE_INDEXES.flatMap((g) => [g.partitionKey, g.sortKey])]),
];

export const DEFAULT_TABLE_NAME = 'service-temperature';
