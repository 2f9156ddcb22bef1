/**
 * The load loop. Normally run in a worker thread (load.ts, started by spawn.ts) so it does not share the server's
 * event loop; runLoadInline (spawn.ts) runs it on the main thread instead, next to dynalite, as the server's own
 * DynamoDB client runs.
 *  - mode 'http':   N keep-alive clients POST /api/v1/ratings to the local server (node:http Agent, loopback only).
 *  - mode 'engine': N in-flight PutItem calls, with the app's own DynamoDB client settings, of the same rating items
 *                   and the same condition the app writes (ratings.ts putRating), straight to a dynalite endpoint.
 * Both: a warm-up (not counted), then a measured window; clients stop starting requests at its end and drain.
 */
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';
import { parseKeyring } from '../shared/domain/keyring.js';
import { newTicketId, signTicket } from '../shared/domain/tokens.js';
import { createDynamoClient } from '../shared/storage/client.js';
import { ratingToItem } from '../shared/storage/ratings.js';
import { randomAnswer, ratingFor } from './answers.js';
import { threadCpuMs } from './cpu.js';

export interface TLoadParams {
  mode: 'http' | 'engine';
  concurrency: number;
  warmupMs: number;
  durationMs: number;
  keyringJson: string;
  hall: { hallId: string; timezone: string; windows: string[]; services: string[] };
  /** http: the server's loopback origin, e.g. http://127.0.0.1:41234 */
  origin?: string;
  /** engine: the dynalite endpoint and table */
  endpoint?: string;
  tableName?: string;
  /** Tickets (http) or items (engine) to prepare before the clock starts; more are made on demand if they run out. */
  presign?: number;
}

export interface TLoadResult {
  mode: 'http' | 'engine';
  /** Successful writes (201 / PutItem ok) that completed inside the measured window. */
  okInWindow: number;
  windowMs: number;
  /** Latencies (ms) of those requests (send to last response byte). */
  latencies: Float64Array;
  /** http: everything acknowledged during the run (warm-up, window and drain): [ratingId, overall] for the storage check. */
  acknowledged: [string, number][];
  failures: Record<string, number>;
  sample?: string;
  /** Event-loop utilisation of this (client) thread during the window, 0..1. */
  clientElu: number;
  /** CPU time of this (client) thread during the window, ms (NaN off Linux). */
  clientCpuMs: number;
  presignMs: number;
}

type TTicket = { ticket: string; ticketId: string; windowId: string; serviceId?: string };

/** Runs one load phase; `edge` is called when the measured window starts and ends. */
export async function runLoop(p: TLoadParams, edge: (at: 'window-start' | 'window-end') => void): Promise<TLoadResult> {
  const keyring = parseKeyring(p.keyringJson);
  const newTicket = (): TTicket => {
    const ticketId = newTicketId();
    const windowId = p.hall.windows[Math.floor(Math.random() * p.hall.windows.length)];
    const serviceId = p.hall.services.length ? p.hall.services[Math.floor(Math.random() * p.hall.services.length)] : undefined;
    const ticket = signTicket(keyring, {
      ticketId,
      hallId: p.hall.hallId,
      windowId,
      serviceId,
      issuedAt: Math.floor(Date.now() / 1000) * 1000,
    });
    return { ticket, ticketId, windowId, serviceId };
  };

  // http: tickets exactly as POST /api/v1/tickets signs them (same key ring); engine: the stored items the app would
  // write for such answers. Either way prepared before the clock starts, so the timed loop only sends.
  const t0 = performance.now();
  type TItem = { item: ReturnType<typeof ratingToItem>; id: string; overall: number };
  const newItem = (): TItem => {
    const t = newTicket();
    const rating = ratingFor(keyring, randomAnswer(t.ticket), { ...t, hallId: p.hall.hallId, timezone: p.hall.timezone });
    return { item: ratingToItem(rating), id: rating.ratingId, overall: rating.overall };
  };
  const tickets: TTicket[] = [];
  const items: TItem[] = [];
  for (let i = 0; i < (p.presign ?? 0); i++) {
    if (p.mode === 'http') tickets.push(newTicket());
    else items.push(newItem());
  }
  const presignMs = performance.now() - t0;
  const nextTicket = () => tickets.pop() ?? newTicket();
  const nextItem = () => items.pop() ?? newItem();

  let send: () => Promise<{ ok: boolean; id?: string; overall?: number; why?: string; body?: string }>;
  let close = () => {};
  if (p.mode === 'http') {
    const url = new URL(p.origin!);
    if (url.hostname !== '127.0.0.1') throw new Error(`load: loopback only, got ${url.hostname}`);
    const agent = new Agent({ keepAlive: true, maxSockets: p.concurrency, maxFreeSockets: p.concurrency });
    close = () => agent.destroy();
    const post = (payload: string) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = request(
          {
            host: '127.0.0.1',
            port: Number(url.port),
            path: '/api/v1/ratings',
            method: 'POST',
            agent,
            headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), 'user-agent': 'st-bench/1' },
          },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
            res.on('error', reject);
          },
        );
        req.on('error', reject);
        req.end(payload);
      });
    send = async () => {
      const t = nextTicket();
      const answer = randomAnswer(t.ticket);
      const res = await post(JSON.stringify(answer));
      if (res.status !== 201) return { ok: false, why: `http ${res.status}`, body: res.body };
      const { ratingId } = JSON.parse(res.body) as { ratingId: string };
      if (ratingId !== t.ticketId) return { ok: false, why: 'unexpected ratingId', body: res.body };
      return { ok: true, id: ratingId, overall: answer.overall };
    };
  } else {
    const client = createDynamoClient({ endpoint: p.endpoint });
    close = () => client.destroy();
    send = async () => {
      const { item, id, overall } = nextItem();
      // The very command putRating (shared/storage/ratings.ts) sends.
      await client.send(new PutItemCommand({ TableName: p.tableName, Item: item, ConditionExpression: 'attribute_not_exists(pk)' }));
      return { ok: true, id, overall };
    };
  }

  const acknowledged: [string, number][] = [];
  const latencies: number[] = [];
  const failures: Record<string, number> = {};
  let sample: string | undefined;
  let okInWindow = 0;
  const start = performance.now();
  const windowStart = start + p.warmupMs;
  const windowEnd = windowStart + p.durationMs;
  let eluStart: ReturnType<typeof performance.eventLoopUtilization> | undefined;
  let eluEnd: ReturnType<typeof performance.eventLoopUtilization> | undefined;
  let cpuStart = NaN;
  let clientCpuMs = NaN;
  const startTimer = setTimeout(() => {
    cpuStart = threadCpuMs();
    eluStart = performance.eventLoopUtilization();
    edge('window-start');
  }, p.warmupMs);
  const endTimer = setTimeout(() => {
    eluEnd = performance.eventLoopUtilization(eluStart);
    clientCpuMs = threadCpuMs() - cpuStart;
    edge('window-end');
  }, p.warmupMs + p.durationMs);

  const client = async () => {
    while (performance.now() < windowEnd) {
      const began = performance.now();
      let r: Awaited<ReturnType<typeof send>>;
      try {
        r = await send();
      } catch (err) {
        r = { ok: false, why: (err as Error).name || 'error', body: (err as Error).message };
      }
      const done = performance.now();
      if (r.ok) {
        if (p.mode === 'http') acknowledged.push([r.id!, r.overall!]);
        if (done >= windowStart && done <= windowEnd) {
          okInWindow++;
          latencies.push(done - began);
        }
      } else {
        failures[r.why!] = (failures[r.why!] ?? 0) + 1;
        sample ??= `${r.why}: ${r.body?.slice(0, 300)}`;
      }
    }
  };
  await Promise.all(Array.from({ length: p.concurrency }, client));
  clearTimeout(startTimer);
  clearTimeout(endTimer);
  close();
  return {
    mode: p.mode,
    okInWindow,
    windowMs: p.durationMs,
    latencies: Float64Array.from(latencies),
    acknowledged,
    failures,
    sample,
    clientElu: eluEnd?.utilization ?? NaN,
    clientCpuMs,
    presignMs,
  };
}
