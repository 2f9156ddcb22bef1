/**
 * Issue 11's kept measurements, shared by the tests (test/hardening-suite.test.ts) and `npm run bench`:
 *  - a crash under load: a local server in its own process is SIGKILLed while residents post ratings; after a
 *    restart on the same data every acknowledged (201) rating must be stored;
 *  - big bodies: 50 posts of 10 MB to the ratings route, and how much the server's resident memory grew.
 * Loopback only, bounded loops.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { createInterface } from 'node:readline';
import { startLocal } from '../shared/local/server.js';
import { quietLog } from '../shared/log.js';
import { getRating } from '../shared/storage/ratings.js';

export interface TChild {
  url: string;
  apiKey: string;
  proc: ChildProcess;
}

const childEnv = (dataDir: string) => ({
  ...process.env,
  DATA_DIR: dataDir,
  PORT: '0',
  HOST: '127.0.0.1',
  SEED_DAYS: '1',
  LOG_LEVEL: 'SILENT',
  RATE_LIMIT_PER_MINUTE: '1000000',
  PUBLIC_BASE_URL: '',
});

/** Starts bench/local-child.ts under tsx and waits for its first line. */
export function startChild(dataDir: string, timeoutMs = 120_000): Promise<TChild> {
  const entry = new URL('./local-child.ts', import.meta.url).pathname;
  const proc = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', entry], {
    env: childEnv(dataDir),
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error('the local server did not start in time'));
    }, timeoutMs);
    proc.once('exit', (code) => reject(new Error(`the local server exited (${code}) before listening`)));
    createInterface({ input: proc.stdout! }).once('line', (line) => {
      clearTimeout(timer);
      const { url, apiKey } = JSON.parse(line) as { url: string; apiKey: string };
      resolve({ url, apiKey, proc });
    });
  });
}

const killed = (proc: ChildProcess) =>
  new Promise<void>((ok) => {
    if (proc.exitCode !== null || proc.signalCode !== null) return ok();
    proc.once('exit', () => ok());
    proc.kill('SIGKILL');
  });

async function postJson(url: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json().catch(() => ({}))) as Record<string, unknown> };
}

/**
 * Residents post ratings with `concurrency` clients; once `killAfterAcks` are acknowledged the server is SIGKILLed
 * mid-load. Restarted in this process on the same data, every acknowledged rating id must be readable.
 */
export async function crashUnderLoad(opts: { dataDir: string; concurrency?: number; killAfterAcks?: number }) {
  const { dataDir, concurrency = 8, killAfterAcks = 150 } = opts;
  const child = await startChild(dataDir);
  const auth = { authorization: `Bearer ${child.apiKey}` };
  const hall = (await (await fetch(`${child.url}/api/v1/hall`, { headers: auth })).json()) as { windows: { id: string }[] };
  const acked: string[] = [];
  let down = false;
  let n = 0;
  const client = async () => {
    for (let i = 0; i < 10_000 && !down; i++) {
      try {
        const t = await postJson(`${child.url}/api/v1/tickets`, { windowId: hall.windows[0].id }, auth);
        if (t.status !== 201) continue;
        const overall = 1 + (n++ % 5);
        const r = await postJson(`${child.url}/api/v1/ratings`, {
          ticket: t.body.ticket,
          overall,
          ...(overall <= 2 ? { reasons: ['wait_long'] } : {}),
          submissionId: `crash-${n}-${i}`,
        });
        if (r.status === 201) acked.push(String(r.body.ratingId));
        if (acked.length >= killAfterAcks && !down) {
          down = true;
          child.proc.kill('SIGKILL');
        }
      } catch {
        down = true; // the server is gone: what was acknowledged before is what counts
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, client));
  await killed(child.proc);
  const again = await startLocal(childEnv(dataDir), quietLog);
  try {
    let lost = 0;
    for (const id of acked) if (!(await getRating(again.table, id))) lost++;
    return { acked: acked.length, lost };
  } finally {
    await again.close();
  }
}

/** The child's resident memory after a full collection (SIGUSR2, see local-child.ts). */
const rssOf = async (pid: number): Promise<number> => {
  process.kill(pid, 'SIGUSR2');
  await new Promise((r) => setTimeout(r, 300));
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : NaN;
};

/** `posts` bodies of `mb` MB each to POST /api/v1/ratings (sequential, keep-alive off): statuses and the RSS growth. */
export async function bigBodies(opts: { dataDir: string; posts?: number; mb?: number }) {
  const { dataDir, posts = 50, mb = 10 } = opts;
  const child = await startChild(dataDir);
  try {
    const url = new URL(`${child.url}/api/v1/ratings`);
    const chunk = Buffer.alloc(1024 * 1024, 'a');
    const send = (withLength: boolean) =>
      new Promise<number>((ok) => {
        const req = request(
          {
            host: url.hostname,
            port: url.port,
            path: url.pathname,
            method: 'POST',
            agent: false,
            headers: { 'content-type': 'application/json', ...(withLength ? { 'content-length': String(mb * chunk.length) } : {}) },
          },
          (res) => {
            res.resume();
            res.on('end', () => ok(res.statusCode ?? 0));
          },
        );
        req.on('error', () => ok(0)); // the server may close the socket after its 413, before the client finished
        let i = 0;
        const write = () => {
          while (i < mb) {
            i++;
            if (!req.write(chunk)) return req.once('drain', write);
          }
          req.end();
        };
        write();
      });
    for (let i = 0; i < 4; i++) await send(i % 2 === 0); // warm-up: both kinds, so first-use allocations are in the baseline
    const before = await rssOf(child.proc.pid!);
    const statuses: number[] = [];
    for (let i = 0; i < posts; i++) statuses.push(await send(i % 2 === 0)); // half with Content-Length, half chunked
    const after = await rssOf(child.proc.pid!);
    return { statuses, growthMb: (after - before) / (1024 * 1024) };
  } finally {
    await killed(child.proc);
  }
}

/** The bench rows: fuzz_requests, fuzz_5xx, fuzz_refused_stored, crash_acked_lost, big_body_rss_growth_mb. */
export async function benchHardening(opts: { fuzzRuns: number; tmp: string }) {
  const { fuzzRoutes } = await import('./fuzz.js');
  const { json, stopEngines, world } = await import('../test/support/harness.js');
  const { signPlacard } = await import('../shared/domain/tokens.js');
  const { mkdtempSync, rmSync } = await import('node:fs');
  const { join } = await import('node:path');
  const rows: { metric: string; value: number; unit: string; target?: { op: '<=' | '>='; value: number } }[] = [];
  const w = await world();
  try {
    const tokens = async () => {
      const res = await w.app.request('/api/v1/tickets', json({ windowId: 'w1' }, { authorization: `Bearer ${w.apiKey}` }));
      const { ticket } = (await res.json()) as { ticket: string };
      return { ticket, placard: signPlacard(w.keyring, { hallId: 'h-test', windowId: 'w2' }) };
    };
    const f = await fuzzRoutes({ app: w.app, table: w.table, apiKey: w.apiKey, tokens }, opts.fuzzRuns, Date.now() % 100_000);
    rows.push({ metric: 'fuzz_requests', value: f.requests, unit: 'req' });
    rows.push({ metric: 'fuzz_5xx', value: f.fiveXx, unit: 'req', target: { op: '<=', value: 0 } });
    rows.push({ metric: 'fuzz_refused_stored', value: f.refusedButStored, unit: 'req', target: { op: '<=', value: 0 } });
  } finally {
    await stopEngines();
  }
  const crashDir = mkdtempSync(join(opts.tmp, 'st-bench-crash-'));
  const bigDir = mkdtempSync(join(opts.tmp, 'st-bench-big-'));
  try {
    const c = await crashUnderLoad({ dataDir: crashDir, concurrency: 16, killAfterAcks: 500 });
    rows.push({ metric: 'crash_acked', value: c.acked, unit: 'ratings' });
    rows.push({ metric: 'crash_acked_lost', value: c.lost, unit: 'ratings', target: { op: '<=', value: 0 } });
    const b = await bigBodies({ dataDir: bigDir, posts: 50, mb: 10 });
    rows.push({ metric: 'big_body_rss_growth_mb', value: Math.round(b.growthMb * 10) / 10, unit: 'MB', target: { op: '<=', value: 20 } });
  } finally {
    rmSync(crashDir, { recursive: true, force: true });
    rmSync(bigDir, { recursive: true, force: true });
  }
  return rows;
}
