/**
 * Runs one load phase (loop.ts) either in a worker thread — the normal way, so the load generator does not share
 * the server's event loop — or inline on the main thread. tsx's loader is not inherited by workers, so a worker is
 * booted with a one-line ESM shim that registers tsx and then imports the TypeScript entry (load.ts).
 * While the measured window is open it samples the main thread's event-loop utilisation and the process's CPU.
 */
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { machineBusyMs, threadCpuMs } from './cpu.js';
import { runLoop, type TLoadParams, type TLoadResult } from './loop.js';

export interface TLoadRun extends TLoadResult {
  /** Event-loop utilisation of the main thread (server and/or engine) during the window, 0..1. */
  mainElu: number;
  /** CPU the whole process used during the window, in cores (user+system seconds per wall second). */
  processCores: number;
  /** CPU time of the main thread alone during the window, ms (Linux /proc; NaN elsewhere). */
  mainCpuMs: number;
  /** CPU other processes on the machine used during the window, in cores (Linux; NaN elsewhere). */
  neighbourCores: number;
}

export interface THooks {
  onWindowStart?: () => void | Promise<void>;
  onWindowEnd?: () => void | Promise<void>;
}

function windowMeter(hooks: THooks) {
  let elu0: ReturnType<typeof performance.eventLoopUtilization> | undefined;
  let cpu0: NodeJS.CpuUsage | undefined;
  let t0 = 0;
  let thread0 = NaN;
  let machine0 = NaN;
  const m = { mainElu: NaN, processCores: NaN, mainCpuMs: NaN, neighbourCores: NaN, pending: [] as Promise<void>[] };
  return {
    m,
    edge(at: 'window-start' | 'window-end') {
      if (at === 'window-start') {
        elu0 = performance.eventLoopUtilization();
        cpu0 = process.cpuUsage();
        t0 = performance.now();
        thread0 = threadCpuMs();
        machine0 = machineBusyMs();
        if (hooks.onWindowStart) m.pending.push(Promise.resolve(hooks.onWindowStart()));
      } else if (elu0 && cpu0) {
        m.mainElu = performance.eventLoopUtilization(elu0).utilization;
        const cpu = process.cpuUsage(cpu0);
        const wall = performance.now() - t0;
        m.processCores = (cpu.user + cpu.system) / 1000 / wall;
        m.mainCpuMs = threadCpuMs() - thread0;
        m.neighbourCores = Math.max(0, (machineBusyMs() - machine0) / wall - m.processCores);
        if (hooks.onWindowEnd) m.pending.push(Promise.resolve(hooks.onWindowEnd()));
      }
    },
  };
}

export function runLoad(params: TLoadParams, timeoutMs: number, hooks: THooks = {}): Promise<TLoadRun> {
  const entry = new URL('./load.ts', import.meta.url).href;
  const boot = `import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(entry)}); });`;
  const meter = windowMeter(hooks);
  return new Promise((resolve, reject) => {
    const worker = new Worker(boot, { eval: true, workerData: params });
    const timer = setTimeout(() => {
      void worker.terminate();
      reject(new Error(`load (${params.mode}) did not finish within ${timeoutMs} ms`));
    }, timeoutMs);
    worker.on('message', (msg: { type: string; result?: TLoadResult; error?: string }) => {
      if (msg.type === 'window-start' || msg.type === 'window-end') meter.edge(msg.type);
      else if (msg.type === 'done') {
        clearTimeout(timer);
        void worker.terminate();
        Promise.all(meter.m.pending).then(
          () =>
            resolve({
              ...msg.result!,
              mainElu: meter.m.mainElu,
              processCores: meter.m.processCores,
              mainCpuMs: meter.m.mainCpuMs,
              neighbourCores: meter.m.neighbourCores,
            }),
          reject,
        );
      } else if (msg.type === 'failed') {
        clearTimeout(timer);
        void worker.terminate();
        reject(new Error(`load (${params.mode}) failed: ${msg.error}`));
      }
    });
    worker.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

/** The same loop on the main thread (used to put the SDK client on the engine's event loop, as in the server). */
export async function runLoadInline(params: TLoadParams, hooks: THooks = {}): Promise<TLoadRun> {
  const meter = windowMeter(hooks);
  const result = await runLoop(params, (at) => meter.edge(at));
  await Promise.all(meter.m.pending);
  return {
    ...result,
    mainElu: meter.m.mainElu,
    processCores: meter.m.processCores,
    mainCpuMs: meter.m.mainCpuMs,
    neighbourCores: meter.m.neighbourCores,
  };
}
