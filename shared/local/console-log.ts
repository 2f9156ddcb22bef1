/** The one-machine runtime's log: JSON lines on the console, filtered by LOG_LEVEL (Lambda uses Powertools instead). */
import type { TConfig } from '../config.js';
import type { TLog } from '../log.js';

export const consoleLog = (level: TConfig['LOG_LEVEL']): TLog => {
  const order = ['DEBUG', 'INFO', 'WARN', 'ERROR', 'SILENT'];
  const on = (l: string) => order.indexOf(l) >= order.indexOf(level);
  // The line's own keys come first and win: a field of the data named `level`, `time` or `msg` (a case event's
  // escalation level) never passes for the line's level.
  const line = (l: string, msg: string, data?: Record<string, unknown>) => {
    const own = { level: l, time: new Date().toISOString(), msg };
    return JSON.stringify(Object.assign({ ...own }, data, own));
  };
  return {
    info: (m, d) => on('INFO') && console.log(line('INFO', m, d)),
    warn: (m, d) => on('WARN') && console.warn(line('WARN', m, d)),
    error: (m, d) => on('ERROR') && console.error(line('ERROR', m, d)),
  };
};
