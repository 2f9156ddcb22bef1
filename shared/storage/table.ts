/**
 * The single DynamoDB table's shape, shared by the CDK stack (infra/) and by the local runtime that
 * creates the table in the embedded engine, so the two can never drift apart.
 *
 * Access patterns (see README "Storage"):
 *  - pk=HALL#<hallId>            sk=CAT#META | CAT#WINDOW#<windowId> | CAT#SERVICE#<id>  hall + catalogue (one Query, begins_with CAT#)
 *  - pk=HALL#<hallId>            sk=ISSUED#<day>                                       tickets issued that hall-local day (counter)
 *  - pk=HALL#<hallId>            sk=VISIT#<day>#<keyed hash of visitRef>               a machine's visit already ticketed (ttl)
 *  - pk=REGION#<regionId>        sk=META                                               region node
 *  - pk=APIKEY#<sha256 of key>   sk=META    (GSI1 KEYS#<hallId>)                       machine API key → hall; a hall's keys
 *  - pk=USER#<userId>            sk=META    (GSI1 CATALOG#USER)                        staff user: role and scope
 *  - pk=RATING#<ratingId>        sk=RATING                                             one rating; for tickets ratingId = ticketId,
 *                                                                                      so "one visit, one rating" is a conditional put
 *  - pk=THROTTLE#<hmac>          sk=PLACARD                                            placard limit per device per window
 *  - GSI1: gsi1pk=HALLDAY#<hallId>#<day> gsi1sk=<iso time>#<ratingId>                  a hall's ratings of one day, in time order
 *  - GSI1: gsi1pk=CATALOG#HALL    gsi1sk=<hallId>                                      every hall (paged by the nightly planner)
 */
export const TABLE_KEYS = {
  partitionKey: 'pk',
  sortKey: 'sk',
  gsi1: { name: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
} as const;

export const DEFAULT_TABLE_NAME = 'service-temperature';
