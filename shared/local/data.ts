/**
 * How the command-line tools reach the local data. The embedded engine keeps its files locked while it runs, so
 * when `npm start` is running the tools talk to its engine (found through DATA_DIR/engine.json); otherwise they
 * open the data folder themselves. Either way there is one engine per folder: nothing is corrupted or raced.
 */
import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadConfig, type TConfig } from '../config.js';
import { createDynamoClient } from '../storage/client.js';
import { openTable, type TTable } from '../storage/db.js';
import { ensureTable } from '../storage/schema.js';
import { startDynalite } from './engine.js';

const ENGINE_FILE = 'engine.json';

export interface TRunningEngine {
  endpoint: string;
  pid: number;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The engine a running `npm start` serves for this data folder, if any. */
export async function runningEngine(dataDir: string): Promise<TRunningEngine | undefined> {
  const file = join(dataDir, ENGINE_FILE);
  if (!existsSync(file)) return undefined;
  const info = JSON.parse(readFileSync(file, 'utf8')) as TRunningEngine;
  if (info.pid === process.pid || !alive(info.pid)) return undefined;
  const client = createDynamoClient({ endpoint: info.endpoint });
  try {
    await client.send(new ListTablesCommand({ Limit: 1 }));
    return info;
  } catch {
    return undefined;
  } finally {
    client.destroy();
  }
}

export const announceEngine = (dataDir: string, endpoint: string) =>
  writeFileSync(join(dataDir, ENGINE_FILE), JSON.stringify({ endpoint, pid: process.pid } satisfies TRunningEngine));
export const withdrawEngine = (dataDir: string) => rmSync(join(dataDir, ENGINE_FILE), { force: true });

export interface TLocalData {
  config: TConfig;
  /** The table handle the storage module functions take. */
  table: TTable;
  via: 'running server' | 'data folder';
  close(): Promise<void>;
}

export async function openLocalData(env: Record<string, string | undefined> = process.env): Promise<TLocalData> {
  const config = loadConfig({ APP_ENV: 'local', ...env });
  if (config.DATA_DIR === ':memory:')
    throw new Error('DATA_DIR=:memory: keeps data inside the server process; the tools need an on-disk DATA_DIR.');
  const dataDir = resolve(config.DATA_DIR);
  if (!existsSync(dataDir)) throw new Error(`No data in ${dataDir}: run \`npm start\` once first.`);
  const running = await runningEngine(dataDir);
  const engine = running ? undefined : await startDynalite({ path: join(dataDir, 'dynalite') });
  const client = createDynamoClient({ endpoint: running?.endpoint ?? engine!.endpoint });
  await ensureTable(client, config.TABLE_NAME);
  return {
    config,
    table: openTable(client, config.TABLE_NAME),
    via: running ? 'running server' : 'data folder',
    async close() {
      client.destroy();
      await engine?.close();
    },
  };
}
