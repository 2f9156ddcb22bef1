/** Small helpers shared by the command-line tools: arguments, errors in plain words, the local data. */
import { parseArgs } from 'node:util';
import { isDay } from '../shared/domain/time.js';
import { openLocalData, type TLocalData } from '../shared/local/data.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

export function args<T extends Record<string, { type: 'string' | 'boolean' }>>(options: T, usage: string) {
  try {
    return parseArgs({ options, allowPositionals: false }).values as { [K in keyof T]?: T[K]['type'] extends 'string' ? string : boolean };
  } catch (err) {
    fail(`${(err as Error).message}\nusage: ${usage}`);
  }
}

export function day(value: string | undefined, name: string): string | undefined {
  if (value !== undefined && !isDay(value)) fail(`--${name} must be a date like 2026-11-21, got "${value}"`);
  return value;
}

export function fail(message: string): never {
  process.stderr.write(`error: ${message}\n`);
  process.exit(2);
}

/** Opens the local data, runs `fn`, and always closes it (releasing the data folder). */
export async function withLocalData<T>(fn: (data: TLocalData) => Promise<T>): Promise<T> {
  let data: TLocalData;
  try {
    data = await openLocalData();
  } catch (err) {
    fail((err as Error).message);
  }
  try {
    return await fn(data);
  } finally {
    await data.close();
  }
}
