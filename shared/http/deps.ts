/** What the HTTP app needs from its runtime (Lambda or the local server). Built once per process. */
import type { TConfig } from '../config.js';
import type { TKeyring } from '../domain/keyring.js';
import type { Repository } from '../storage/repository.js';
import type { ScoreStore } from '../storage/score-store.js';
import type { TLog } from '../log.js';

export interface TAppDeps {
  config: TConfig;
  repo: Repository;
  /** The nightly job's figures (read by the score routes). */
  scores: ScoreStore;
  keyring: TKeyring;
  /** Storage engine name for /health: dynalite, dynamodb-local or dynamodb. */
  engine: string;
  log: TLog;
  now?: () => number;
}
