/**
 * The one log interface of the app and the nightly job (message + one structured object), so the HTTP app, the
 * local runtime and the scoring fan-out log through the same shape, and Powertools' Logger plugs into all of them.
 */
import type { Logger } from '@aws-lambda-powertools/logger';

export interface TLog {
  info(msg: string, data?: Record<string, unknown>): void;
  warn(msg: string, data?: Record<string, unknown>): void;
  error(msg: string, data?: Record<string, unknown>): void;
}

/** Logs nothing (the default where a log is optional). */
export const quietLog: TLog = { info() {}, warn() {}, error() {} };

/** Adapts Powertools' Logger (its second argument must be an object) to TLog. */
export function powertoolsLog(logger: Pick<Logger, 'info' | 'warn' | 'error'>): TLog {
  return {
    info: (msg, data) => logger.info(msg, data ?? {}),
    warn: (msg, data) => logger.warn(msg, data ?? {}),
    error: (msg, data) => logger.error(msg, data ?? {}),
  };
}
