/** What the HTTP app needs from its runtime (Lambda or the local server). Built once per process. */
import type { Context } from 'hono';
import type { TConfig } from '../config.js';
import type { TKeyring } from '../domain/keyring.js';
import type { Repository, THallCatalogue } from '../storage/repository.js';
import type { ScoreStore } from '../storage/score-store.js';
import type { TLog } from '../log.js';

/** The log type lives in shared/log.ts (shared with the scoring job); re-exported for the app's modules. */
export type { TLog };

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

export const consoleLog = (level: TConfig['LOG_LEVEL']): TLog => {
  const order = ['DEBUG', 'INFO', 'WARN', 'ERROR', 'SILENT'];
  const on = (l: string) => order.indexOf(l) >= order.indexOf(level);
  const line = (l: string, msg: string, data?: Record<string, unknown>) =>
    JSON.stringify({ level: l, time: new Date().toISOString(), msg, ...data });
  return {
    info: (m, d) => on('INFO') && console.log(line('INFO', m, d)),
    warn: (m, d) => on('WARN') && console.warn(line('WARN', m, d)),
    error: (m, d) => on('ERROR') && console.error(line('ERROR', m, d)),
  };
};

/**
 * Caches each hall's catalogue briefly: it is read on every rating and changes rarely. A change made in this
 * process (an administrator's edit, on the local server) is seen at once; one made elsewhere within the TTL.
 */
export function cachedCatalogue(repo: Repository, ttlMs = 60_000, now = () => Date.now()) {
  const cache = new Map<string, { at: number; version: number; value: THallCatalogue | undefined }>();
  return async (hallId: string): Promise<THallCatalogue | undefined> => {
    const hit = cache.get(hallId);
    if (hit && now() - hit.at < ttlMs && hit.version === repo.catalogueVersion) return hit.value;
    const version = repo.catalogueVersion; // read before the query: a write landing during it is not masked
    const value = await repo.getHallCatalogue(hallId);
    if (cache.size > 10_000) cache.clear();
    cache.set(hallId, { at: now(), version, value });
    return value;
  };
}

/**
 * The client's address, only to tell devices apart for the placard limit (hashed at once, never stored).
 * Works on both runtimes without importing either: API Gateway's event, or the Node socket.
 */
export function clientAddress(c: Context): string {
  const env = c.env as { requestContext?: { http?: { sourceIp?: string } }; incoming?: { socket?: { remoteAddress?: string } } } | undefined;
  return env?.requestContext?.http?.sourceIp ?? env?.incoming?.socket?.remoteAddress ?? '';
}

export function baseUrl(c: Context, config: TConfig): string {
  return config.PUBLIC_BASE_URL?.replace(/\/$/, '') ?? new URL(c.req.url).origin;
}
