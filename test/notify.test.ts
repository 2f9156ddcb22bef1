/**
 * Notifications end to end on dynalite (issue 14): events written exactly once per change (none on a refusal or a
 * replay, one extra write per transition, counted), case.opened derived by the sweep, e-mails at once and in the
 * 08:30 digest on a test clock, and webhooks to real loopback receivers: one that fails twice then accepts (three
 * attempts, one delivery logged, each request verified by the standardwebhooks package), one outside the region
 * (never called), redelivery by hand, and parking after the last attempt.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TUser } from '../shared/domain/access.js';
import { alertRaised, EVENT_KINDS } from '../shared/domain/events.js';
import { runCaseNight } from '../shared/scoring/cases-night.js';
import { commandCase, forgetCaseWorld, type TCaseDeps } from '../shared/services/cases.js';
import {
  deliverDue,
  emitEvents,
  notifyTick,
  registerEndpoint,
  redeliverEvent,
  type TMail,
  type TNotifyDeps,
} from '../shared/services/notify.js';
import { listAudit } from '../shared/storage/audit.js';
import { getCase } from '../shared/storage/cases.js';
import { putHall, putRegion } from '../shared/storage/catalogue.js';
import { getEvent, listDeliveries, listPendingEvents, putPrefs } from '../shared/storage/notify.js';
import { putUser } from '../shared/storage/users.js';
import { json, stopEngines, world, type TWorld } from './support/harness.js';

let w: TWorld;
let caseDeps: TCaseDeps;
let deps: TNotifyDeps;
const mails: TMail[] = [];
const manager: TUser = { id: 'u-mgr', name: '经理', role: 'manager', scope: 'h-test', email: 'mgr@hall.test' };
const other: TUser = { id: 'u-mgr2', name: '别的经理', role: 'manager', scope: 'h-other', email: 'mgr2@hall.test' };
const district: TUser = { id: 'u-dist', name: '区督导', role: 'supervisor', scope: 'r-test', email: 'dist@hall.test' };
const admin: TUser = { id: 'u-admin', name: '管理员', role: 'admin', scope: '*', email: 'admin@hall.test' };

beforeAll(async () => {
  w = await world();
  await putRegion(w.table, { id: 'r-city', name: '青川市', level: 'city' });
  await putRegion(w.table, { id: 'r-test', name: '测试区', level: 'district', parentId: 'r-city' });
  await putRegion(w.table, { id: 'r-other', name: '别区', level: 'district', parentId: 'r-city' });
  await putHall(w.table, { id: 'h-other', name: '别的大厅', regionId: 'r-other', timezone: 'Asia/Shanghai' });
  for (const u of [manager, other, district, admin]) await putUser(w.table, u);
  w.table.catalogueVersion++;
  caseDeps = { table: w.table, keyring: w.keyring, now: () => w.clock.now };
  deps = {
    table: w.table,
    keyring: w.keyring,
    baseUrl: 'https://rate.example.test',
    mailer: { send: async (m) => void mails.push(m) },
    now: () => w.clock.now,
    timeZone: 'Asia/Shanghai',
  };
});
afterAll(stopEngines);

async function rateBad(windowId = 'w1') {
  const mint = await w.app.request('/api/v1/tickets', json({ windowId, serviceId: 's1' }, { authorization: `Bearer ${w.apiKey}` }));
  const t = (await mint.json()) as { ticketId: string; ticket: string };
  const res = await w.app.request(
    '/api/v1/ratings',
    json({ ticket: t.ticket, overall: 1, reasons: ['rude'], comment: '态度差 13812341234' }),
  );
  expect(res.status).toBe(201);
  return t.ticketId;
}

/** Counts the writes (puts and updates) the table's client sends while `fn` runs, and those of event items. */
async function writesDuring<T>(fn: () => Promise<T>): Promise<{ result: T; writes: number; eventWrites: number }> {
  const client = w.table.db;
  const send = client.send.bind(client);
  let writes = 0;
  let eventWrites = 0;
  client.send = ((cmd: { constructor: { name: string }; input: { Item?: { pk?: { S?: string } } } }, ...rest: unknown[]) => {
    if (/^(Put|Update|Delete)ItemCommand$/.test(cmd.constructor.name)) writes++;
    if (cmd.input.Item?.pk?.S?.startsWith('EVT#')) eventWrites++;
    return (send as (...a: unknown[]) => unknown)(cmd, ...rest);
  }) as typeof client.send;
  try {
    return { result: await fn(), writes, eventWrites };
  } finally {
    client.send = send;
  }
}

const pendingKinds = async () => (await listPendingEvents(w.table)).map((e) => e.kind);

describe('events: exactly once per change', () => {
  it('a transition that tells someone adds one write; a refusal or a replay adds none', async () => {
    w.clock.now = Date.parse('2026-11-20T02:00:00Z'); // Friday 10:00 in Shanghai
    await notifyTick(deps); // the first sweep sets its cursor
    const caseId = await rateBad();
    const late = await rateBad('w2'); // left open: overdue on Monday evening, escalated by the night
    const v1 = (await getCase(w.table, caseId))!.version;

    const contact = await writesDuring(() =>
      commandCase(caseDeps, caseId, { type: 'contact', how: 'written_reply', note: '' }, { kind: 'staff', user: manager }, { version: v1 }),
    );
    expect(contact.result.ok).toBe(true);
    expect(contact.writes).toBe(2); // the case and its audit entry: nobody is told of a contact
    expect(contact.eventWrites).toBe(0);
    const replay = await writesDuring(() =>
      commandCase(caseDeps, caseId, { type: 'contact', how: 'written_reply', note: '' }, { kind: 'staff', user: manager }, { version: v1 }),
    );
    expect(replay.result).toMatchObject({ ok: false, status: 409 });
    expect(replay.writes).toBe(0);
    const refused = await commandCase(caseDeps, caseId, { type: 'followUp', grade: 'satisfied' }, { kind: 'resident' });
    expect(refused.ok).toBe(false);
    expect(await pendingKinds()).toEqual([]);

    const appeal = await writesDuring(() =>
      commandCase(
        caseDeps,
        caseId,
        { type: 'fileAppeal', kind: 'mistaken', evidence: '监控显示当时无人办理' },
        { kind: 'staff', user: manager },
      ),
    );
    expect(appeal.result.ok).toBe(true);
    expect(appeal.eventWrites).toBe(1);
    expect(await pendingKinds()).toEqual(['appeal.filed']);
    const decided = await commandCase(
      caseDeps,
      caseId,
      { type: 'decideAppeal', decision: 'rejected', reason: '证据不足' },
      { kind: 'staff', user: district },
    );
    expect(decided.ok).toBe(true);
    expect((await pendingKinds()).sort()).toEqual(['appeal.decided', 'appeal.filed']);
    const second = await rateBad();
    await commandCase(caseDeps, second, { type: 'contact', how: 'written_reply', note: '' }, { kind: 'staff', user: manager });
    const rectify = await writesDuring(() =>
      commandCase(
        caseDeps,
        second,
        { type: 'rectify', publicReply: '已整改', fix: '培训', category: 'staff_coached' },
        { kind: 'staff', user: manager },
      ),
    );
    expect(rectify).toMatchObject({ result: { ok: true }, eventWrites: 0 });
    // the case, its audit entry (and the previous step's, put-if-absent), and its event: one write more than a rectify
    expect(appeal.writes).toBe(rectify.writes + 1);

    // the night escalates the overdue case once; a re-run at the same instant escalates and emits nothing more
    w.clock.now = Date.parse('2026-11-25T18:00:00Z');
    forgetCaseWorld(w.table);
    await runCaseNight(caseDeps, ['h-test']);
    await runCaseNight(caseDeps, ['h-test']);
    const kinds = await pendingKinds();
    expect(kinds.filter((k) => k === 'case.escalated')).toHaveLength(1);
    const escalated = (await listPendingEvents(w.table)).find((e) => e.kind === 'case.escalated')!;
    expect(escalated).toMatchObject({ caseId: late, hallId: 'h-test', level: 1, regionId: 'r-test', path: `/cases/${late}` });
    expect(JSON.stringify(escalated)).not.toContain('13812341234');
    expect(JSON.stringify(escalated)).not.toContain('态度');
  });

  it('dispatch takes each event off the outbox once: mails to the people in scope, per their choice', async () => {
    mails.length = 0;
    const r = await notifyTick(deps);
    expect(r.events).toBeGreaterThanOrEqual(3);
    expect(await listPendingEvents(w.table)).toEqual([]);
    const to = (addr: string) => mails.filter((m) => m.to === addr);
    // escalation: the manager and the district supervisor at once; appeal decided: the manager at once
    expect(to('mgr@hall.test').map((m) => m.subject)).toEqual(
      expect.arrayContaining([expect.stringContaining('案件已升级'), expect.stringContaining('申诉已裁定')]),
    );
    expect(to('dist@hall.test').map((m) => m.subject)).toEqual([expect.stringContaining('案件已升级')]);
    expect(to('mgr2@hall.test')).toEqual([]); // another hall's manager hears nothing
    const esc = to('mgr@hall.test').find((m) => m.subject.includes('案件已升级'))!;
    expect(esc.text).toMatch(/https:\/\/rate\.example\.test\/cases\/[\w-]+\?lang=zh/);
    expect(esc.text).toContain('测试区');
    const again = await notifyTick(deps);
    expect(again).toMatchObject({ events: 0, mails: 0, sent: 0 });
  });
});

describe('the sweep and the digest on a test clock', () => {
  it('announces a new case once; the digest goes at 08:30 hall-local listing everything, once', async () => {
    await putPrefs(w.table, district.id, { lang: 'en', modes: {} });
    // Thursday 26 Nov, 10:00 Shanghai (clocks only move forward here: the webhook tests run at the real time)
    w.clock.now = Date.parse('2026-11-26T02:00:00Z');
    await notifyTick(deps);
    mails.length = 0;
    const a = await rateBad();
    const b = await rateBad('w2');
    w.clock.now += 30_000;
    const first = await notifyTick(deps);
    expect(first.derived).toBe(2);
    expect(mails.filter((m) => m.to === 'mgr@hall.test').map((m) => m.subject)).toEqual([
      expect.stringContaining('新差评案件'),
      expect.stringContaining('新差评案件'),
    ]);
    expect(mails.filter((m) => m.to === 'dist@hall.test')).toEqual([]); // a supervisor: in the digest
    w.clock.now += 30_000;
    expect((await notifyTick(deps)).derived).toBe(0);

    // the next morning: 08:00 brings the day's deadlines (due soon); nothing goes before 08:30
    mails.length = 0;
    w.clock.now = Date.parse('2026-11-27T00:29:00Z'); // Friday 08:29 Shanghai
    await notifyTick(deps);
    expect(mails.filter((m) => m.to === 'dist@hall.test')).toEqual([]);
    w.clock.now = Date.parse('2026-11-27T00:30:00Z'); // 08:30
    await notifyTick(deps);
    const digest = mails.filter((m) => m.to === 'dist@hall.test');
    expect(digest).toHaveLength(1);
    expect(digest[0].subject).toContain('Digest for 2026-11-27');
    expect(digest[0].text).toContain(`/cases/${a}?lang=en`);
    expect(digest[0].text).toContain(`/cases/${b}?lang=en`);
    expect(digest[0].text).toMatch(/New case \(2\)/);
    expect(digest[0].text).toMatch(/Case due today \(2\)/);
    w.clock.now += 60_000;
    await notifyTick(deps);
    expect(mails.filter((m) => m.to === 'dist@hall.test')).toHaveLength(1);
  });
});

interface TReceiver {
  server: Server;
  url: string;
  requests: { headers: Record<string, string>; body: string }[];
}
async function receiver(answer: (n: number) => number): Promise<TReceiver> {
  const requests: TReceiver['requests'] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      requests.push({ headers: req.headers as Record<string, string>, body });
      res.writeHead(answer(requests.length)).end();
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, requests };
}

describe('webhooks to loopback receivers', () => {
  it('fails twice then accepts: three attempts, one delivery logged; outside the region never called', async () => {
    // near the real time: the standardwebhooks package refuses timestamps more than 5 minutes off
    w.clock.now = Date.now() - 4 * 60_000;
    await notifyTick(deps);
    const flaky = await receiver((n) => (n <= 2 ? 500 : 204));
    const outside = await receiver(() => 200);
    const mine = await registerEndpoint(deps, admin, {
      regionId: 'r-city',
      url: flaky.url,
      kinds: ['case.opened'],
      format: 'standard',
      label: '12345',
    });
    const theirs = await registerEndpoint(deps, admin, {
      regionId: 'r-other',
      url: outside.url,
      kinds: [...EVENT_KINDS],
      format: 'dingtalk',
      label: '别区钉钉',
    });
    expect(mine.secret).toMatch(/^whsec_/);
    expect(JSON.stringify(mine.endpoint)).not.toContain(mine.secret.slice(6));
    const caseId = await rateBad();
    w.clock.now += 20_000;
    await notifyTick(deps); // attempt 1: 500
    expect(flaky.requests).toHaveLength(1);
    w.clock.now += 5_000;
    await notifyTick(deps); // attempt 2 (after 5 s): 500
    w.clock.now += 60_000;
    await notifyTick(deps); // not due yet (5 min)
    expect(flaky.requests).toHaveLength(2);
    w.clock.now += 240_000;
    await notifyTick(deps); // attempt 3: 204
    await notifyTick(deps);
    expect(flaky.requests).toHaveLength(3);
    const hook = new Webhook(mine.secret);
    for (const r of flaky.requests) expect(hook.verify(r.body, r.headers)).toMatchObject({ type: 'case.opened', data: { caseId } });
    expect(new Set(flaky.requests.map((r) => r.headers['webhook-id'])).size).toBe(1);
    const log = await listDeliveries(w.table, mine.endpoint.id);
    expect(log).toHaveLength(1);
    expect(log[0]).toMatchObject({ status: 'delivered', attempts: 3, lastStatus: 204 });
    expect(outside.requests).toEqual([]);
    expect(await listDeliveries(w.table, theirs.endpoint.id)).toEqual([]);

    // by hand: the same event once more, same id, audited
    expect(await redeliverEvent(deps, admin, mine.endpoint.id, log[0].eventId)).toBe(true);
    await notifyTick(deps);
    expect(flaky.requests).toHaveLength(4);
    expect(flaky.requests[3].headers['webhook-id']).toBe(log[0].eventId);
    expect((await listDeliveries(w.table, mine.endpoint.id))[0]).toMatchObject({
      status: 'delivered',
      attempts: 1,
      redeliveredBy: 'u-admin',
    });
    const audit = await listAudit(w.table, { from: '2026-11-01', to: '2027-12-31' });
    expect(audit.map((e) => e.kind)).toEqual(expect.arrayContaining(['webhook.registered', 'webhook.redelivered']));
    expect(JSON.stringify(audit)).not.toContain(mine.secret.slice(6));
    expect(await getEvent(w.table, log[0].eventId)).toMatchObject({ kind: 'case.opened', caseId });
    flaky.server.close();
    outside.server.close();
  }, 60_000);

  it('a receiver that never accepts is parked after the last attempt, about a day later, with the failure visible', async () => {
    const down = await receiver(() => 503);
    const ep = await registerEndpoint(deps, admin, {
      regionId: 'r-test',
      url: down.url,
      kinds: ['case.opened'],
      format: 'wecom',
      label: '企业微信',
    });
    await rateBad();
    const start = w.clock.now;
    w.clock.now = start + 20_000;
    await notifyTick(deps); // dispatched; attempt 1
    // the schedule: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h; due attempts every hour for 40 hours
    for (let i = 0; i < 40; i++) {
      w.clock.now += 3_600_000;
      await deliverDue(deps);
    }
    expect(down.requests).toHaveLength(8);
    expect(JSON.parse(down.requests[0].body)).toMatchObject({ msgtype: 'text' });
    const [d] = await listDeliveries(w.table, ep.endpoint.id);
    expect(d).toMatchObject({ status: 'parked', attempts: 8, lastStatus: 503, lastError: 'HTTP 503' });
    expect(Date.parse(d.lastAttemptAt!) - start).toBeGreaterThan(20 * 3_600_000);
    down.server.close();
  }, 120_000);
});

describe('a mail server that is down', () => {
  it('leaves the mail queued without stopping the tick; the next tick sends it once', async () => {
    await emitEvents(
      w.table,
      [alertRaised({ hallId: 'h-test', day: '2026-11-29', kind: 'turned-cold' }, new Date(w.clock.now).toISOString())],
      w.clock.now,
    );
    const down = { ...deps, mailer: { send: async () => Promise.reject(new Error('SMTP 421')) } };
    const first = await notifyTick(down);
    expect(first.sent).toBe(0);
    expect(first.events).toBeGreaterThanOrEqual(1);
    mails.length = 0;
    await notifyTick(deps);
    await notifyTick(deps);
    expect(mails.filter((m) => m.to === 'mgr@hall.test' && m.subject.includes('服务温度预警'))).toHaveLength(1);
  });
});
