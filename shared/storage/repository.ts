/**
 * TRANSITIONAL: what the resident/machine path (shared/http app, services/ratings.ts) and the job's rating list
 * still call as methods, over the per-item-type modules. Every other caller already calls the module functions
 * (catalogue.ts, users.ts, api-keys.ts, tickets.ts, ratings.ts, late-marks.ts, meta.ts) with `repo.table`; the
 * rest move once shared/http's restructuring lands. Nothing may be added here: a class bundles every method into
 * every Lambda that touches it, which defeats tree-shaking.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { TRating } from '../domain/model.js';
import * as apiKeys from './api-keys.js';
import * as catalogue from './catalogue.js';
import { openTable, type TTable } from './db.js';
import * as lateMarks from './late-marks.js';
import * as meta from './meta.js';
import * as ratings from './ratings.js';
import * as tickets from './tickets.js';

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

  listRegions = () => catalogue.listRegions(this.table);
  listHalls = () => catalogue.listHalls(this.table);
  getHallCatalogue = (hallId: string) => catalogue.getHallCatalogue(this.table, hallId);
  getApiKey = (keyHash: string) => apiKeys.getApiKey(this.table, keyHash);

  countIssuedTicket = (hallId: string, day: string, windowId?: string, serviceId?: string) =>
    tickets.countIssuedTicket(this.table, hallId, day, windowId, serviceId);
  recordVisit = (hallId: string, day: string, visitKey: string, expiresAt: number) =>
    tickets.recordVisit(this.table, hallId, day, visitKey, expiresAt);
  claimPlacardSlot = (throttleKey: string, submissionId: string, now: number, windowMs: number) =>
    tickets.claimPlacardSlot(this.table, throttleKey, submissionId, now, windowMs);

  putRating = (r: TRating) => ratings.putRating(this.table, r);
  getRating = (ratingId: string) => ratings.getRating(this.table, ratingId);
  listRatingsForHallDay = (hallId: string, day: string) => ratings.listRatingsForHallDay(this.table, hallId, day);

  markDirty = (hallId: string, day: string, now: number) => lateMarks.markDirty(this.table, hallId, day, now);

  describe = () => meta.describeTable(this.table);
}
