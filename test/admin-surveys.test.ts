/**
 * Administering survey definitions through the dashboard: save (validated; a refusal names the field and writes
 * nothing), preview of the resident's page, publish; audited; administrators only.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../shared/config.js';
import { generateKeyringJson, parseKeyring } from '../shared/domain/keyring.js';
import { NATIONAL_DEFAULT } from '../shared/domain/survey.js';
import { createApp } from '../shared/http/app.js';
import { dashboardRoutes } from '../shared/http/routes/dashboard.js';
import { seedDemo } from '../shared/local/seed.js';
import { listAudit } from '../shared/storage/audit.js';
import { createDynamoClient } from '../shared/storage/client.js';
import { openTable, type TTable } from '../shared/storage/db.js';
import { ensureTable } from '../shared/storage/schema.js';
import { listSurveyVersions } from '../shared/storage/surveys.js';
import { demoSignIn, engine, quietLog, stopEngines } from './support/harness.js';

let app: ReturnType<typeof createApp>;
let table: TTable;
const cookies = new Map<string, string>();

beforeAll(async () => {
  const e = await engine('dynalite');
  const client = createDynamoClient({ endpoint: e.endpoint });
  const name = `surv-${randomBytes(4).toString('hex')}`;
  await ensureTable(client, name);
  table = openTable(client, name);
  await seedDemo(table, { today: '2026-11-22', apiKey: 'st_admin_survey_key_0001', days: 1 });
  const deps = {
    config: loadConfig({ APP_ENV: 'test', TABLE_NAME: name }),
    table,
    keyring: parseKeyring(generateKeyringJson()),
    engine: 'dynalite' as const,
    log: quietLog,
  };
  app = createApp(deps, { mount: (a) => a.route('/', dashboardRoutes(deps)) });
  for (const id of ['u-admin', 'u-sup-city']) cookies.set(id, await demoSignIn(app, id));
}, 120_000);
afterAll(stopEngines);

const get = (user: string, path: string) => app.request(path, { headers: { cookie: `st_session=${cookies.get(user)}` } });
async function post(user: string, path: string, fields: Record<string, string>) {
  const form = await (await get(user, '/admin/surveys?scope=H%23h-xs-qingshi')).text();
  const csrf = /name="_csrf" value="([^"]+)"/.exec(form)![1];
  return app.request(path, {
    method: 'POST',
    headers: { cookie: `st_session=${cookies.get(user)}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ _csrf: csrf, ...fields }).toString(),
  });
}

describe('survey definitions administration', () => {
  it('saves a version, previews it, publishes it; each step audited', async () => {
    const page = await get('u-admin', '/admin/surveys?scope=H%23h-xs-qingshi');
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('wait_long'); // starts from the national default
    const def = {
      ...NATIONAL_DEFAULT,
      tags: { ...NATIONAL_DEFAULT.tags, bad: [{ code: 'c_queue', zh: '取号难', en: 'Hard to get a number' }] },
    };
    const saved = await post('u-admin', '/admin/surveys', { scope: 'H#h-xs-qingshi', definition: JSON.stringify(def) });
    expect(saved.status).toBe(303);
    const versions = await listSurveyVersions(table, 'H#h-xs-qingshi');
    expect(versions.map((v) => [v.n, v.publishedAt])).toEqual([[1, undefined]]);
    const preview = await get('u-admin', '/admin/surveys/preview?scope=H%23h-xs-qingshi&n=1');
    expect(preview.status).toBe(200);
    const html = await preview.text();
    expect(html).toContain('取号难');
    expect(html).not.toContain('态度生硬');
    expect((await post('u-admin', '/admin/surveys/publish', { scope: 'H#h-xs-qingshi', n: '1' })).status).toBe(303);
    expect((await listSurveyVersions(table, 'H#h-xs-qingshi'))[0].publishedAt).toBeTruthy();
    const audit = await listAudit(table, { from: '2000-01-01', to: '2100-01-01', units: [{ type: 'hall', id: 'h-xs-qingshi' }] });
    const kinds = audit.map((e) => e.kind);
    expect(kinds).toEqual(expect.arrayContaining(['survey.saved', 'survey.published']));
  });

  it('refuses an invalid definition, naming the field, and writes nothing', async () => {
    const bad = { ...NATIONAL_DEFAULT, tags: { ...NATIONAL_DEFAULT.tags, bad: [] } };
    for (const definition of ['{not json', JSON.stringify(bad)]) {
      const res = await post('u-admin', '/admin/surveys', { scope: 'R#r-west', definition });
      expect(res.status).toBe(400);
      expect(await res.text()).toMatch(/未保存 Not saved|not valid JSON/);
    }
    expect(await listSurveyVersions(table, 'R#r-west')).toEqual([]);
  });

  it('is for administrators only', async () => {
    expect((await get('u-sup-city', '/admin/surveys?scope=ALL')).status).toBe(404);
    expect((await get('u-sup-city', '/admin/surveys/preview?scope=H%23h-xs-qingshi&n=1')).status).toBe(404);
  });
});
