/**
 * Public-page benchmarks (issue 12), against a running local server on loopback:
 *  - public_page_gzip_bytes: a hall's public page, first view on the wire (gzip body; it has no sub-resources:
 *    CSS inline, trend drawn as inline SVG, no script), target ≤ 20 KB;
 *  - public_page_ms: median server time to answer it warm (in-process app.request, 30 runs; the app keeps a rendered
 *    page for its 60 s max-age), target ≤ 50 ms; public_page_first_ms: the first view (rendered from the table);
 *  - board_refresh_bytes: one lobby-board refresh on the wire (board.json, status line + headers + gzip body).
 * `npx tsx bench/public.ts` runs these rows alone on a fresh in-memory demo (90 days).
 */
import { pathToFileURL } from 'node:url';
import { startLocal } from '../shared/local/server.js';
import { get } from './page.js';

export interface TPublicRow {
  metric: string;
  value: number;
  unit: string;
  target: { op: '<=' | '>='; value: number } | null;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export async function benchPublic(
  origin: string,
  app: { request: (path: string) => Response | Promise<Response> },
  hallId: string,
): Promise<TPublicRow[]> {
  const first = performance.now();
  const page = await get(origin, `/p/${hallId}`, { 'accept-encoding': 'gzip' }); // the first view: nothing kept yet
  const cold = performance.now() - first;
  if (page.status !== 200) throw new Error(`bench: /p/${hallId} answered ${page.status}`);
  if (/<(script|link|img)[^>]+(src|href)="\//.test(page.body.toString())) throw new Error('bench: the public page has a sub-resource');
  const times: number[] = [];
  for (let i = 0; i < 35; i++) {
    const t0 = performance.now();
    const res = await app.request(`/p/${hallId}`);
    await res.text();
    if (i >= 5) times.push(performance.now() - t0); // the first five warm it up
  }
  const board = await get(origin, `/p/${hallId}/board.json?t=1`, { 'accept-encoding': 'gzip' });
  return [
    { metric: 'public_page_gzip_bytes', value: page.wireBytes, unit: 'B', target: { op: '<=', value: 20_480 } },
    { metric: 'public_page_raw_bytes', value: page.body.length, unit: 'B', target: null },
    { metric: 'public_page_ms', value: Math.round(median(times) * 10) / 10, unit: 'ms', target: { op: '<=', value: 50 } },
    { metric: 'public_page_first_ms', value: Math.round(cold * 10) / 10, unit: 'ms', target: null },
    { metric: 'board_refresh_bytes', value: board.headerBytes + board.wireBytes, unit: 'B', target: null },
  ];
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const env: Record<string, string | undefined> = { ...process.env, DATA_DIR: ':memory:', PORT: '0', LOG_LEVEL: 'SILENT' };
  Object.assign(env, { HOST: '127.0.0.1', RATE_LIMIT_PER_MINUTE: '100000', PUBLIC_BASE_URL: undefined });
  const local = await startLocal(env);
  await local.scoreNow();
  const origin = `http://127.0.0.1:${new URL(local.url).port}`;
  const rows = await benchPublic(origin, local.app, local.demo.hallId);
  for (const r of rows) {
    const target = r.target ? `${r.target.op} ${r.target.value}` : '';
    const ok = r.target ? (r.target.op === '<=' ? r.value <= r.target.value : r.value >= r.target.value) : true;
    console.log(`${r.metric.padEnd(26)} ${String(r.value).padStart(9)} ${r.unit.padEnd(3)} ${target.padEnd(10)} ${ok ? '' : 'MISSED'}`);
  }
  await local.close();
  process.exit(0);
}
