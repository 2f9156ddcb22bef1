/**
 * Dashboard benchmarks:
 *  - dashboard_hall_ms: median server time to render a hall page for a hall with a year of data (in-process
 *    app.request, signed in as the hall's manager), target ≤ 150 ms;
 *  - dashboard_js_gzip_bytes: the dashboard's JavaScript as shipped (gzip);
 *  - export_rows_per_s and export_peak_heap_mb: streaming 1,000,000 ratings of one hall as CSV, and the most heap
 *    the exporting thread gained meanwhile (it must stay flat: the export streams day by day).
 */
import { gzipSync } from 'node:zlib';
import { addDays } from '../shared/domain/time.js';
import { generateKeyringJson, parseKeyring } from '../shared/domain/keyring.js';
import type { TRating } from '../shared/domain/model.js';
import { loadConfig } from '../shared/config.js';
import { createApp } from '../shared/http/app.js';
import { dashboardRoutes } from '../shared/http/routes/dashboard.js';
import { sealSession } from '../shared/http/session.js';
import { buildDashboardAssets } from '../shared/local/assets.js';
import { startDynalite } from '../shared/local/engine.js';
import { runRange } from '../shared/scoring/job.js';
import { ratingsCsv } from '../shared/scoring/report.js';
import { createDynamoClient } from '../shared/storage/client.js';
import { openTable } from '../shared/storage/db.js';
import { ensureTable } from '../shared/storage/schema.js';
import { putHall, putRegion, putService, putWindow } from '../shared/storage/catalogue.js';
import { bulkPutRatings } from '../shared/storage/ratings.js';
import { putUser } from '../shared/storage/users.js';

export interface TDashRow {
  metric: string;
  value: number;
  unit: string;
  target?: { op: '<=' | '>='; value: number };
}

function ratingsFor(hallId: string, day: string, n: number, seed: number): TRating[] {
  let a = seed >>> 0;
  const rnd = () => {
    a = (a * 1664525 + 1013904223) >>> 0;
    return a / 4294967296;
  };
  return Array.from({ length: n }, (_, i) => {
    const overall = rnd() < 0.1 ? 1 + Math.floor(rnd() * 2) : 3 + Math.floor(rnd() * 3);
    const id = `${hallId}-${day}-${i}`;
    return {
      ratingId: id,
      ticketId: id,
      channel: 'ticket' as const,
      hallId,
      windowId: `w${1 + (i % 4)}`,
      serviceId: `s${1 + (i % 5)}`,
      day,
      createdAt: new Date(Date.parse(`${day}T00:30:00Z`) + Math.floor(rnd() * 9 * 3600_000)).toISOString(),
      overall,
      reasons: overall <= 2 ? ['wait_long'] : undefined,
      comment: overall <= 2 && rnd() < 0.3 ? '排队等了一个多小时，窗口只开了两个' : undefined,
      trips: 1 as const,
      done: 'yes' as const,
    };
  });
}

export async function benchDashboard(opts: { exportRows?: number } = {}): Promise<TDashRow[]> {
  const exportRows = opts.exportRows ?? 1_000_000;
  const engine = await startDynalite();
  const client = createDynamoClient({ endpoint: engine.endpoint });
  try {
    await ensureTable(client, 'bench-dash');
    const table = openTable(client, 'bench-dash');
    await putRegion(table, { id: 'city', name: '市', level: 'city' });
    await putHall(table, {
      id: 'busy',
      name: '一年数据的大厅',
      regionId: 'city',
      timezone: 'Asia/Shanghai',
      openingHours: { open: '08:30', close: '17:30' },
    });
    await putHall(table, { id: 'big', name: '导出测试大厅', regionId: 'city', timezone: 'Asia/Shanghai' });
    for (let w = 1; w <= 4; w++) await putWindow(table, { hallId: 'busy', id: `w${w}`, name: `${w}号窗口` });
    for (let s = 1; s <= 5; s++) await putService(table, { hallId: 'busy', id: `s${s}`, name: `事项${s}` });
    await putUser(table, { id: 'mgr', name: '经理', role: 'manager', scope: 'busy' });

    // A year of a busy hall: 100 ratings a day, scored every night.
    const last = '2026-11-20';
    const first = addDays(last, -364);
    for (let d = first; d <= last; d = addDays(d, 1)) await bulkPutRatings(table, ratingsFor('busy', d, 100, Date.parse(d)));
    await runRange({ table }, first, last);

    const keyring = parseKeyring(generateKeyringJson());
    const deps = {
      config: loadConfig({ APP_ENV: 'test', TABLE_NAME: 'bench-dash' }),
      table,
      keyring,
      engine: 'dynalite',
      log: { info() {}, warn() {}, error() {} },
    };
    const assets = await buildDashboardAssets();
    const app = createApp(deps, { mount: (a) => a.route('/', dashboardRoutes(deps, assets)) });
    const cookie = `st_session=${sealSession(keyring, { uid: 'mgr', exp: Date.now() + 3600_000, csrf: 'x' })}`;
    const times: number[] = [];
    for (let i = 0; i < 25; i++) {
      const t = performance.now();
      const res = await app.request('/halls/busy', { headers: { cookie } });
      await res.text();
      if (res.status !== 200) throw new Error(`hall page answered ${res.status}`);
      if (i >= 5) times.push(performance.now() - t); // the first renders warm caches up
    }
    times.sort((a, b) => a - b);

    // Export: one hall with `exportRows` ratings over a year, streamed as CSV.
    const perDay = Math.ceil(exportRows / 365);
    let loaded = 0;
    for (let d = first; d <= last && loaded < exportRows; d = addDays(d, 1)) {
      const n = Math.min(perDay, exportRows - loaded);
      await bulkPutRatings(table, ratingsFor('big', d, n, loaded));
      loaded += n;
    }
    // Heap of this thread only: the engine runs on its own thread and keeps the million rows in its memory, so the
    // process's RSS would measure the database, not the export.
    global.gc?.();
    const heapBefore = process.memoryUsage().heapUsed;
    let peak = heapBefore;
    let rows = -1; // the header
    const started = performance.now();
    for await (const chunk of ratingsCsv(table, 'big', first, last)) {
      for (let i = 0; i < chunk.length; i++) if (chunk.charCodeAt(i) === 10) rows++;
      peak = Math.max(peak, process.memoryUsage().heapUsed);
    }
    const seconds = (performance.now() - started) / 1000;
    if (rows !== exportRows) throw new Error(`exported ${rows} of ${exportRows} rows`);
    return [
      {
        metric: 'dashboard_hall_ms',
        value: Math.round(times[Math.floor(times.length / 2)] * 10) / 10,
        unit: 'ms',
        target: { op: '<=', value: 150 },
      },
      { metric: 'dashboard_js_gzip_bytes', value: gzipSync(assets.script.body).length, unit: 'B' },
      { metric: 'export_rows_per_s', value: Math.round(rows / seconds), unit: 'rows/s' },
      { metric: 'export_peak_heap_mb', value: Math.round((peak - heapBefore) / 2 ** 20), unit: 'MB above start' },
    ];
  } finally {
    client.destroy();
    await engine.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  for (const r of await benchDashboard({ exportRows: Number(process.argv[2] ?? 1_000_000) }))
    console.log(`${r.metric.padEnd(28)} ${String(r.value).padStart(12)} ${r.unit}`);
}
