/** Worker-thread entry of the load generator (started by spawn.ts): runs one phase of loop.ts and posts the result. */
import { parentPort, workerData } from 'node:worker_threads';
import { runLoop, type TLoadParams } from './loop.js';

runLoop(workerData as TLoadParams, (edge) => parentPort!.postMessage({ type: edge })).then(
  (result) => parentPort!.postMessage({ type: 'done', result }, [result.latencies.buffer as ArrayBuffer]),
  (err: Error) => parentPort!.postMessage({ type: 'failed', error: `${err.stack ?? err}` }),
);
