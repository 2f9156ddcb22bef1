/** What the HTTP app needs from its runtime (Lambda or the local server). Built once per process. */
import type { TConfig } from '../config.js';
import type { TKeyring } from '../domain/keyring.js';
import type { TTable } from '../storage/db.js';
import type { TLog } from '../log.js';

export interface TAppDeps {
  config: TConfig;
  /** The one table handle every storage module function takes (catalogue.ts, ratings.ts, scores.ts …). */
  table: TTable;
  keyring: TKeyring;
  /** Storage engine name for /health: dynalite, dynamodb-local or dynamodb. */
  engine: string;
  log: TLog;
  now?: () => number;
  /**
   * The scoring of nights not yet scored while it runs (the local server's first start scores 90 nights of demo
   * history): pages say how far along it is instead of showing nothing. Absent on AWS and when nothing runs.
   */
  scoring?: () => { done: number; total: number } | undefined;
}
