/**
 * TRANSITIONAL: the old class API over the per-item-type modules (catalogue.ts, users.ts, api-keys.ts, tickets.ts,
 * ratings.ts, late-marks.ts, meta.ts), kept only until every importer calls those modules' functions directly
 * with a table handle (db.ts). New code: import the module functions, not this class — a class bundles every
 * method into every Lambda that touches it, which defeats tree-shaking.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { TUser } from '../domain/access.js';
import type { THall, TRating, TRatingDecision, TRegion, TService, TWindow } from '../domain/model.js';
import * as apiKeys from './api-keys.js';
import * as catalogue from './catalogue.js';
import { openTable, type TTable } from './db.js';
import * as lateMarks from './late-marks.js';
import * as meta from './meta.js';
import * as ratings from './ratings.js';
import * as tickets from './tickets.js';
import * as users from './users.js';

export { DIRTY_SHARDS, dirtyShard } from './keys.js';
export { itemSize, itemToRating, ratingToItem, type TPutRatingResult } from './ratings.js';
export type { TIssued } from './tickets.js';
export type { THallCatalogue } from './catalogue.js';
export type { TApiKeyRecord } from './api-keys.js';

export class Repository {
  /** The table handle every module function takes. */
  readonly table: TTable;

  constructor(
    readonly db: DynamoDBClient,
    readonly tableName: string,
  ) {
    this.table = openTable(db, tableName);
  }

  /** Items read by the catalogue, rating and issued-count reads: the nightly job's cost, measured. */
  get itemsRead(): number {
    return this.table.itemsRead;
  }
  set itemsRead(n: number) {
    this.table.itemsRead = n;
  }
  /** Bumped by every catalogue write made in this process: see TTable.catalogueVersion. */
  get catalogueVersion(): number {
    return this.table.catalogueVersion;
  }
  set catalogueVersion(n: number) {
    this.table.catalogueVersion = n;
  }

  putRegion = (region: TRegion) => catalogue.putRegion(this.table, region);
  putHall = (hall: THall) => catalogue.putHall(this.table, hall);
  putWindow = (w: TWindow) => catalogue.putWindow(this.table, w);
  putService = (s: TService) => catalogue.putService(this.table, s);
  listRegions = () => catalogue.listRegions(this.table);
  listHalls = () => catalogue.listHalls(this.table);
  getHallCatalogue = (hallId: string) => catalogue.getHallCatalogue(this.table, hallId);
  getHalls = (hallIds: string[]) => catalogue.getHalls(this.table, hallIds);
  bulkPutHalls = (halls: THall[]) => catalogue.bulkPutHalls(this.table, halls);

  putUser = (u: TUser) => users.putUser(this.table, u);
  getUser = (id: string) => users.getUser(this.table, id);
  bindOidcSub = (userId: string, sub: string) => users.bindOidcSub(this.table, userId, sub);
  listUsers = () => users.listUsers(this.table);

  putApiKey = (keyHash: string, rec: apiKeys.TApiKeyRecord) => apiKeys.putApiKey(this.table, keyHash, rec);
  listApiKeys = (hallId: string) => apiKeys.listApiKeys(this.table, hallId);
  revokeApiKey = (hallId: string, keyId: string, at: string) => apiKeys.revokeApiKey(this.table, hallId, keyId, at);
  getApiKey = (keyHash: string) => apiKeys.getApiKey(this.table, keyHash);

  countIssuedTicket = (hallId: string, day: string, windowId?: string, serviceId?: string) =>
    tickets.countIssuedTicket(this.table, hallId, day, windowId, serviceId);
  getIssued = (hallId: string, day: string) => tickets.getIssuedOfHall(this.table, hallId, day);
  getIssuedMany = (hallIds: string[], day: string) => tickets.getIssued(this.table, hallIds, day);
  getIssuedCount = async (hallId: string, day: string) => (await tickets.getIssuedOfHall(this.table, hallId, day)).total;
  recordVisit = (hallId: string, day: string, visitKey: string, expiresAt: number) =>
    tickets.recordVisit(this.table, hallId, day, visitKey, expiresAt);
  claimPlacardSlot = (throttleKey: string, submissionId: string, now: number, windowMs: number) =>
    tickets.claimPlacardSlot(this.table, throttleKey, submissionId, now, windowMs);
  bulkPutIssuedCounts = (counts: Parameters<typeof tickets.bulkPutIssuedCounts>[1]) => tickets.bulkPutIssuedCounts(this.table, counts);

  putRating = (r: TRating) => ratings.putRating(this.table, r);
  getRating = (ratingId: string) => ratings.getRating(this.table, ratingId);
  setRatingFlags = (ratingId: string, flags: string[]) => ratings.setRatingFlags(this.table, ratingId, flags);
  setRatingDecision = (ratingId: string, decision: TRatingDecision) => ratings.setRatingDecision(this.table, ratingId, decision);
  listRatingsForHallDay = (hallId: string, day: string) => ratings.listRatingsForHallDay(this.table, hallId, day);
  bulkPutRatings = (list: TRating[]) => ratings.bulkPutRatings(this.table, list);

  markDirty = (hallId: string, day: string, now: number) => lateMarks.markDirty(this.table, hallId, day, now);

  getMarker = (name: string) => meta.getMarker(this.table, name);
  setMarker = (name: string, value: Record<string, unknown>) => meta.setMarker(this.table, name, value);
  describe = () => meta.describeTable(this.table);
}
