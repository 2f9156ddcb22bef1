/**
 * Issue 16's rows: the monthly report of a hall and of the city (its whole subtree) over a scored month of the
 * demo city — milliseconds (median of 7) and table items read per report (it reads stored figures and case items,
 * never the month's ratings, whose count is printed beside it) —, the /rate lookup of a registered matter, and the
 * survey page's gzip bytes with the largest survey definition the limits allow (budget 15 KB).
 * `tsx bench/monthly.ts` runs these rows alone.
 */
import { randomBytes } from 'node:crypto';
import { loadConfig } from '../shared/config.js';
import { generateKeyringJson, parseKeyring } from '../shared/domain/keyring.js';
import { hashApiKey } from '../shared/domain/privacy.js';
import { addDays } from '../shared/domain/time.js';
import { createApp } from '../shared/http/app.js';
import { linkRoutes } from '../shared/http/routes/link.js';
import { startDynalite } from '../shared/local/engine.js';
import { seedDemo } from '../shared/local/seed.js';
import { runRange } from '../shared/scoring/job.js';
import { monthlyReport } from '../shared/scoring/monthly.js';
import { createDynamoClient } from '../shared/storage/client.js';
import { openTable } from '../shared/storage/db.js';
import { ensureTable } from '../shared/storage/schema.js';
import { getApiKey } from '../shared/storage/api-keys.js';
import { printTable, type TRow } from './table.js';
import { gunzipSync } from 'node:zlib';
import { largestDefinition } from '../shared/domain/survey.js';
import { signTicket } from '../shared/domain/tokens.js';
import { publishSurveyVersion, saveSurveyVersion } from '../shared/storage/survey-writes.js';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

export async function benchMonthly(): Promise<TRow[]> {
  const engine = await startDynalite();
  try {
    const client = createDynamoClient({ endpoint: engine.endpoint });
    const name = `bench-month-${randomBytes(3).toString('hex')}`;
    await ensureTable(client, name);
    const table = openTable(client, name);
    const today = '2026-11-02';
    const apiKey = 'st_bench_monthly_key_000001';
    await seedDemo(table, { today, apiKey, days: 33 });
    await runRange({ table }, addDays(today, -33), addDays(today, -1));
    const now = () => Date.parse(`${today}T04:00:00Z`);
    const rows: TRow[] = [];
    for (const [label, scope] of [
      ['hall', { hallId: 'h-xs-qingshi' }],
      ['city', { regionId: 'r-city' }],
    ] as const) {
      const times: number[] = [];
      let items = 0;
      let ratings = 0;
      for (let i = 0; i < 7; i++) {
        const before = table.itemsRead;
        const t0 = performance.now();
        const r = await monthlyReport({ table, now }, scope, '2026-10');
        times.push(performance.now() - t0);
        items = table.itemsRead - before;
        ratings = r?.ratings.total ?? 0;
      }
      rows.push({ metric: `monthly_report_${label}_ms`, value: Math.round(median(times)), unit: 'ms (median of 7)', target: null });
      rows.push({ metric: `monthly_report_${label}_items_read`, value: items, unit: `items (month's ratings: ${ratings})`, target: null });
    }

    // /rate: register a matter, then find it (one client per lookup), the time from the form post to the survey's redirect.
    const hall = (await getApiKey(table, hashApiKey(apiKey)))!.hallId;
    const deps = {
      config: loadConfig({ APP_ENV: 'test', TABLE_NAME: name, RATE_LIMIT_PER_MINUTE: '100000000' }),
      table,
      keyring: parseKeyring(generateKeyringJson()),
      engine: 'dynalite' as const,
      log: { info() {}, warn() {}, error() {} },
    };
    const app = createApp(deps, { mount: (a) => a.route('/rate', linkRoutes(deps)) });
    const auth = { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' };
    const lookups: number[] = [];
    for (let i = 0; i < 50; i++) {
      const matterNo = `BENCH-${i}`;
      const reg = await app.request('/api/v1/matters', {
        method: 'POST',
        headers: auth,
        body: JSON.stringify({ matterNo, serviceId: 's1' }),
      });
      if (reg.status !== 201) throw new Error(`bench: matter registration answered ${reg.status}`);
      const t0 = performance.now();
      const res = await app.request('/rate', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': `bench-${i}` },
        body: new URLSearchParams({ hall, no: matterNo }).toString(),
      });
      lookups.push(performance.now() - t0);
      if (res.status !== 303) throw new Error(`bench: /rate answered ${res.status}`);
    }
    rows.push({ metric: 'rate_lookup_ms', value: Math.round(median(lookups) * 10) / 10, unit: 'ms (median of 50)', target: null });

    // The survey page with the largest definition the limits allow, published for the whole deployment: gzip bytes.
    const saved = await saveSurveyVersion(table, 'ALL', largestDefinition(), 'bench', new Date(now()).toISOString());
    await publishSurveyVersion(table, 'ALL', saved.n, new Date(now()).toISOString());
    const token = signTicket(deps.keyring, { ticketId: 'benchlargest1', hallId: hall, windowId: 'w1', issuedAt: Date.now() });
    const res = await app.request(`/r/${token}`, { headers: { 'accept-encoding': 'gzip' } });
    const html = Buffer.from(await res.arrayBuffer());
    if (res.status !== 200 || res.headers.get('content-encoding') !== 'gzip' || !gunzipSync(html).includes('q_2'))
      throw new Error('bench: the survey page with the largest definition did not render');
    rows.push({ metric: 'survey_page_largest_definition_gzip_bytes', value: html.length, unit: 'B', target: { op: '<=', value: 15_360 } });
    return rows;
  } finally {
    await engine.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) printTable(await benchMonthly());
