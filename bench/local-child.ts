/** A local server in its own process (for the crash test and the big-body row): prints one JSON line once it listens. */
import { startLocal } from '../shared/local/server.js';
import { quietLog } from '../shared/log.js';

// The big-body row asks for a full collection before each memory sample (run with --expose-gc), so it measures what
// is retained, not garbage not yet collected.
process.on('SIGUSR2', () => (globalThis as { gc?: () => void }).gc?.());
const s = await startLocal(process.env, quietLog);
process.stdout.write(`${JSON.stringify({ url: s.url, apiKey: s.demo.apiKey, pid: process.pid })}\n`);
