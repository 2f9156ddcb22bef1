/**
 * The notification pages through app.request() on dynalite (issue 14): a staff user's settings (role defaults shown,
 * a choice saved with an audit entry, CSRF refused without writing), and the administrators' webhooks: register
 * (secret shown once, stored sealed), refusals name the field and write nothing, the delivery log, redelivery and
 * removal; anyone else gets the unknown-unit 404.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../shared/config.js';
import { caseOpened } from '../shared/domain/events.js';
import { generateKeyringJson, parseKeyring, type TKeyring } from '../shared/domain/keyring.js';
import { createApp } from '../shared/http/app.js';
import { dashboardRoutes } from '../shared/http/routes/dashboard.js';
import { WEBHOOK_ERRORS } from '../shared/http/routes/staff/notifications.js';
import { seedDemo } from '../shared/local/seed.js';
import { openSecret } from '../shared/services/notify.js';
import { listAudit } from '../shared/storage/audit.js';
import { createDynamoClient } from '../shared/storage/client.js';
import { openTable, type TTable } from '../shared/storage/db.js';
import { createDelivery, getPrefs, listDeliveries, listEndpoints, putEvent } from '../shared/storage/notify.js';
import { ensureTable } from '../shared/storage/schema.js';
import { demoSignIn, engine, quietLog, stopEngines } from './support/harness.js';

const today = '2026-11-22';
let app: ReturnType<typeof createApp>;
let table: TTable;
let keyring: TKeyring;
const clock = { now: Date.parse(`${today}T02:00:00Z`) };
const sessions = new Map<string, { cookie: string; csrf: string }>();
const get = (path: string, as = 'u-admin') => app.request(path, { headers: { cookie: sessions.get(as)!.cookie } });
const post = (path: string, body: Record<string, string>, as = 'u-admin', csrf = sessions.get(as)!.csrf) =>
  app.request(path, {
    method: 'POST',
    headers: { cookie: sessions.get(as)!.cookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ _csrf: csrf, ...body }).toString(),
  });
const auditKinds = async () => (await listAudit(table, { from: today, to: today })).map((e) => e.kind);

beforeAll(async () => {
  const e = await engine('dynalite');
  const client = createDynamoClient({ endpoint: e.endpoint });
  const tableName = `notify-http-${randomBytes(4).toString('hex')}`;
  await ensureTable(client, tableName);
  table = openTable(client, tableName);
  await seedDemo(table, { today, apiKey: 'st_notify_http_key_0001', days: 1 });
  keyring = parseKeyring(generateKeyringJson());
  const deps = {
    config: loadConfig({ APP_ENV: 'test', TABLE_NAME: tableName, PUBLIC_BASE_URL: 'https://rate.example.test' }),
    table,
    keyring,
    engine: 'dynalite',
    log: quietLog,
    now: () => clock.now,
  };
  app = createApp(deps, { mount: (a) => a.route('/', dashboardRoutes(deps)) });
  for (const id of ['u-admin', 'u-mgr-gangkou']) {
    const cookie = `st_session=${await demoSignIn(app, id)}`;
    const page = await (await app.request('/notifications', { headers: { cookie } })).text();
    sessions.set(id, { cookie, csrf: /name="_csrf" value="([^"]+)"/.exec(page)![1] });
  }
}, 120_000);
afterAll(stopEngines);

describe('/notifications', () => {
  it("shows every kind with the role's default checked, saves a choice with an audit entry, refuses a forged post", async () => {
    const page = await (await get('/notifications', 'u-mgr-gangkou')).text();
    expect(page).toContain('通知设置');
    expect(page).toMatch(/<select id="m-case.opened" name="case.opened"><option value="now" selected>/);
    expect(page).toMatch(/name="review.waiting">.*<option value="never" selected>/);
    // the monthly report: a choice like the others, in the digest by default, saying when it comes
    expect(page).toMatch(/name="report.monthly" aria-describedby="h-report.monthly">.*<option value="digest" selected>/);
    expect(page).toContain('每月第一个工作日 08:00 起');
    const forged = await post('/notifications', { 'case.opened': 'never' }, 'u-mgr-gangkou', 'forged-token');
    expect(forged.status).toBe(403);
    expect(await getPrefs(table, 'u-mgr-gangkou')).toBeUndefined();
    const bad = await post('/notifications', { 'case.opened': 'sometimes' }, 'u-mgr-gangkou');
    expect(bad.status).toBe(400);
    expect(await getPrefs(table, 'u-mgr-gangkou')).toBeUndefined();
    const ok = await post('/notifications', { 'case.opened': 'digest', 'case.overdue': 'now', lang: 'en' }, 'u-mgr-gangkou');
    expect(ok.status).toBe(303);
    expect(await getPrefs(table, 'u-mgr-gangkou')).toEqual({ lang: 'en', modes: { 'case.opened': 'digest' } });
    expect(await auditKinds()).toContain('notify.preferences');
    const again = await (await get('/notifications?lang=en', 'u-mgr-gangkou')).text();
    expect(again).toMatch(/name="case.opened">.*<option value="digest" selected>/);
    expect(again).toContain('<option value="en" selected>');
  });
});

describe('/admin/webhooks', () => {
  it('is for administrators only', async () => {
    expect((await get('/admin/webhooks', 'u-mgr-gangkou')).status).toBe(404);
    expect((await post('/admin/webhooks', { url: 'https://x.cn/h', regionId: 'r-city' }, 'u-mgr-gangkou')).status).toBe(404);
  });

  it('refuses a bad endpoint naming the field, and writes nothing', async () => {
    const base = { label: '12345', regionId: 'r-city', format: 'standard', 'kind-case.opened': '1' };
    for (const [body, error] of [
      [{ ...base, url: 'ftp://x.cn/h' }, 'badUrl'],
      [{ ...base, url: 'http://intranet.example/h' }, 'badUrl'],
      [{ ...base, url: 'https://x.cn/h', regionId: 'r-nowhere' }, 'unknownRegion'],
      [{ label: 'x', regionId: 'r-city', format: 'standard', url: 'https://x.cn/h' }, 'noKinds'],
      [{ ...base, url: 'https://x.cn/h', format: 'fax' }, 'badFormat'],
    ] as const) {
      const res = await post('/admin/webhooks', body);
      expect(res.status).toBe(400);
      expect(await res.text()).toContain(WEBHOOK_ERRORS[error].zh);
    }
    expect(await listEndpoints(table)).toEqual([]);
  });

  it('registers an endpoint, shows its secret once, lists its deliveries, redelivers and removes, all audited', async () => {
    const res = await post('/admin/webhooks', {
      label: '东湖区 12345',
      regionId: 'r-east',
      url: 'https://hooks.example.cn/12345',
      format: 'dingtalk',
      'kind-case.opened': '1',
      'kind-case.escalated': '1',
    });
    expect(res.status).toBe(200);
    const page = await res.text();
    const secret = /<code>(whsec_[^<]+)<\/code>/.exec(page)![1];
    const [ep] = await listEndpoints(table);
    expect(ep).toMatchObject({ regionId: 'r-east', format: 'dingtalk', kinds: ['case.opened', 'case.escalated'] });
    expect(JSON.stringify(ep)).not.toContain(secret.slice(6));
    expect(openSecret(keyring, ep.secretSealed)).toBe(secret);
    const list = await (await get('/admin/webhooks')).text();
    expect(list).toContain('东湖区 12345');
    expect(list).not.toContain(secret);

    const e = caseOpened({
      caseId: 'c-1',
      hallId: 'h-dh-center',
      openedAt: '2026-11-22T01:00:00.000Z',
      contactDue: '2026-11-23T09:00:00.000Z',
    });
    await putEvent(table, e, clock.now);
    await createDelivery(table, ep.id, e, clock.now);
    const log = await (await get(`/admin/webhooks/${ep.id}`)).text();
    expect(log).toContain('投递记录');
    expect(log).toContain('新差评案件');
    expect((await post(`/admin/webhooks/${ep.id}/redeliver`, { eventId: e.id })).status).toBe(303);
    expect((await listDeliveries(table, ep.id))[0]).toMatchObject({ status: 'pending', attempts: 0, redeliveredBy: 'u-admin' });
    expect((await post(`/admin/webhooks/${ep.id}/redeliver`, { eventId: 'evt_000000000000000000000000' })).status).toBe(404);
    expect((await post(`/admin/webhooks/${ep.id}/remove`, {})).status).toBe(303);
    expect(await listEndpoints(table)).toEqual([]);
    expect(await auditKinds()).toEqual(expect.arrayContaining(['webhook.registered', 'webhook.redelivered', 'webhook.removed']));
    expect(JSON.stringify(await listAudit(table, { from: today, to: today }))).not.toContain(secret.slice(6));
  });
});
