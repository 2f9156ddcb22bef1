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
import { editorFields } from '../shared/http/pages/survey-editor.js';
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
    const saved = await post('u-admin', '/admin/surveys', { scope: 'H#h-xs-qingshi', ...editorFields(def) });
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
    const badCode = editorFields({
      ...NATIONAL_DEFAULT,
      tags: { ...NATIONAL_DEFAULT.tags, bad: [{ code: 'Bad Code', zh: '慢', en: 'Slow' }] },
    });
    for (const fields of [badCode, editorFields(bad)]) {
      const res = await post('u-admin', '/admin/surveys', { scope: 'R#r-west', ...fields });
      expect(res.status).toBe(400);
      expect(await res.text()).toMatch(/未保存 Not saved|not valid JSON/);
    }
    expect(await listSurveyVersions(table, 'R#r-west')).toEqual([]);
  });

  it('the editor is a form: checkboxes, tag rows with add and remove, extra questions, intro; no JSON', async () => {
    const page = await (await get('u-admin', '/admin/surveys?scope=R%23r-west')).text();
    expect(page).not.toContain('<textarea id="def"');
    expect(page).toContain('<input type="checkbox" name="q-attitude" checked>');
    expect(page).toContain('name="tag-bad-0-code" id="tag-bad-0-code" value="wait_long"');
    expect(page).toContain('name="tag-bad-0-del"');
    expect(page).toContain('name="x-0-opt-2-en"'); // a blank question with three blank options
    // remove the first bad tag, add one in a blank row, untick a question, add an extra question with two options
    const fields: Record<string, string> = { ...editorFields(NATIONAL_DEFAULT), 'tag-bad-0-del': '1' };
    delete fields['q-competence'];
    const n = NATIONAL_DEFAULT.tags.bad.length;
    Object.assign(fields, { [`tag-bad-${n}-code`]: 'c_invoice', [`tag-bad-${n}-zh`]: '发票开不出', [`tag-bad-${n}-en`]: 'No invoice' });
    Object.assign(fields, { 'x-0-code': 'purpose', 'x-0-zh': '办理目的', 'x-0-en': 'Purpose' });
    Object.assign(fields, { 'x-0-opt-0-code': 'tax', 'x-0-opt-0-zh': '报税', 'x-0-opt-0-en': 'Tax' });
    Object.assign(fields, { 'x-0-opt-1-code': 'other', 'x-0-opt-1-zh': '其他', 'x-0-opt-1-en': 'Other' });
    expect((await post('u-admin', '/admin/surveys', { scope: 'R#r-west', ...fields })).status).toBe(303);
    const [v] = await listSurveyVersions(table, 'R#r-west');
    expect(v.definition.questions.competence).toBe(false);
    expect(v.definition.tags.bad.map((t) => t.code)).toEqual([...NATIONAL_DEFAULT.tags.bad.slice(1).map((t) => t.code), 'c_invoice']);
    expect(v.definition.extra).toEqual([
      {
        code: 'purpose',
        zh: '办理目的',
        en: 'Purpose',
        options: [
          { code: 'tax', zh: '报税', en: 'Tax' },
          { code: 'other', zh: '其他', en: 'Other' },
        ],
      },
    ]);
    // the next page starts from the saved version
    expect(await (await get('u-admin', '/admin/surveys?scope=R%23r-west')).text()).toContain('value="c_invoice"');
  });

  it('a refusal stands next to its field, Chinese first, with the form as posted; nothing is written', async () => {
    const fields = { ...editorFields(NATIONAL_DEFAULT), 'tag-good-0-code': 'Patient!', 'intro-zh': '', 'x-0-code': 'one' };
    Object.assign(fields, {
      'x-0-zh': '一个选项的问题',
      'x-0-en': 'One option',
      'x-0-opt-0-code': 'a',
      'x-0-opt-0-zh': '甲',
      'x-0-opt-0-en': 'A',
    });
    const res = await post('u-admin', '/admin/surveys', { scope: 'H#h-xs-qingshi', ...fields });
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).toMatch(/name="tag-good-0-code" id="tag-good-0-code" value="Patient!" maxlength="24" aria-invalid="true"/);
    expect(html).toMatch(/<span class="err" id="e-tag-good-0-code">原因代码须为/);
    expect(html).toMatch(/<span class="err" id="e-intro-zh">请填写中文/);
    expect(html).toMatch(/<p class="err" id="e-x-0-options" role="alert">每个附加问题至少要有 2 个选项/);
    expect(html).toContain('value="一个选项的问题"'); // kept as posted
    expect(html).toContain('<a href="#tag-good-0-code">');
    expect((await listSurveyVersions(table, 'H#h-xs-qingshi')).length).toBe(1); // only the first test's version
  });

  it('is for administrators only', async () => {
    expect((await get('u-sup-city', '/admin/surveys?scope=ALL')).status).toBe(404);
    expect((await get('u-sup-city', '/admin/surveys/preview?scope=H%23h-xs-qingshi&n=1')).status).toBe(404);
  });
});
