/**
 * The staff case routes through app.request() on dynalite: the queue, one case and every action walked by every
 * role (404 outside scope and nothing written; 403 without the form's token), the phone reveal (exactly one audit
 * entry), refusals with the domain's bilingual message (409/400, nothing written), the JSON API (401/404, phone
 * masked), the hall and region panels, and the audit trail pages with their CSV.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TKeyring } from '../shared/domain/keyring.js';
import { signTicket } from '../shared/domain/tokens.js';
import type { createApp } from '../shared/http/app.js';
import { DASHBOARD_PATHS, reachesDashboard } from '../shared/http/dashboard-paths.js';
import { listAudit } from '../shared/storage/audit.js';
import { getCase } from '../shared/storage/cases.js';
import { getHallCatalogue } from '../shared/storage/catalogue.js';
import type { TTable } from '../shared/storage/db.js';
import { demoSignIn, demoWorld, json, stopEngines } from './support/harness.js';

let app: ReturnType<typeof createApp>;
let repo: TTable;
let keyring: TKeyring;
const clock = { now: Date.parse('2026-11-30T02:00:00Z') }; // Monday 10:00 in Shanghai
const cookies = new Map<string, string>();
const today = '2026-11-30';
const PHONE = '13912345678';

const USERS = ['u-admin', 'u-sup-city', 'u-sup-west', 'u-mgr-qingshi', 'u-mgr-gangkou'] as const;

beforeAll(async () => {
  ({
    app,
    table: repo,
    keyring,
  } = await demoWorld({
    prefix: 'cases',
    today,
    apiKey: 'st_cases_test_key_01',
    clock,
    env: { PUBLIC_BASE_URL: 'https://rate.example.test' },
  }));
  for (const u of USERS) cookies.set(u, await demoSignIn(app, u));
}, 120_000);
afterAll(stopEngines);

const as = (user: string, init: RequestInit = {}) => ({
  ...init,
  headers: { ...(init.headers as Record<string, string>), cookie: `st_session=${cookies.get(user)}` },
});

/** A bad rating by ticket at a hall's first window, with or without a phone; its case id. */
async function badRating(hallId: string, windowId: string, phone?: string): Promise<string> {
  const ticketId = `t${randomBytes(8).toString('hex')}`;
  const ticket = signTicket(keyring, { ticketId, hallId, windowId, issuedAt: Math.floor(clock.now / 1000) * 1000 });
  const body = { ticket, overall: 1, reasons: ['rude'], comment: '态度很差', ...(phone ? { contact: { phone, consent: true } } : {}) };
  const res = await app.request('/api/v1/ratings', json(body));
  expect(res.status, await res.clone().text()).toBe(201);
  return ticketId;
}

async function csrfOf(user: string, path = '/cases'): Promise<string> {
  const html = await (await app.request(path, as(user))).text();
  return /name="_csrf" value="([^"]+)"/.exec(html)![1];
}

async function post(user: string, path: string, fields: Record<string, string>, csrf?: string) {
  const token = csrf ?? (await csrfOf(user));
  return app.request(
    path,
    as(user, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: token, ...fields }).toString(),
    }),
  );
}

/** What a write would change: the case's version and history, and the number of audit entries of the day. */
async function snapshot(caseId: string) {
  const s = await getCase(repo, caseId);
  const audit = await listAudit(repo, { from: '2026-11-01', to: '2026-12-31' });
  return { version: s?.version, history: s?.case.history.length, state: s?.case.state, audit: audit.length };
}

let qingshiCase: string;
let qingshiWindow: string;

describe('cases: the queue and one case', () => {
  it("lists a new bad rating in its hall manager's queue with the header counts, and to the district supervisor", async () => {
    const cat = await getHallCatalogue(repo, 'h-xs-qingshi');
    qingshiWindow = cat!.windows[0].id;
    qingshiCase = await badRating('h-xs-qingshi', qingshiWindow, PHONE);
    const page = await app.request('/cases', as('u-mgr-qingshi'));
    expect(page.status).toBe(200);
    expect(page.headers.get('cache-control')).toBe('no-store');
    const html = await page.text();
    expect(html).toContain(qingshiCase);
    expect(html).toMatch(/今日到期 \d+ 件/);
    expect(html).toMatch(/已逾期 \d+ 件/);
    expect(await (await app.request('/cases?hallId=h-xs-qingshi', as('u-sup-west'))).text()).toContain(qingshiCase);
    expect(await (await app.request('/cases', as('u-mgr-gangkou'))).text()).not.toContain(qingshiCase);
  });

  it('shows the rating and the phone masked, never the number, until the manager reveals it', async () => {
    const res = await app.request(`/cases/${qingshiCase}`, as('u-mgr-qingshi'));
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('139****5678');
    expect(html).not.toContain(PHONE);
    expect(html).toContain('态度生硬'); // the reason in words
    expect(html).toContain('态度很差'); // the comment
    expect(html).toContain('显示号码 Show number');
    // a supervisor in scope sees the case but has no reveal button
    const sup = await (await app.request(`/cases/${qingshiCase}`, as('u-sup-west'))).text();
    expect(sup).toContain('139****5678');
    expect(sup).not.toContain('显示号码 Show number');
  });

  it('refuses every case page and API read outside the scope with the same 404 as an unknown case', async () => {
    for (const path of [`/cases/${qingshiCase}`, '/cases/nope', '/cases?hallId=h-xs-qingshi', '/cases?hallId=h-nope']) {
      const res = await app.request(path, as('u-mgr-gangkou'));
      expect(res.status, path).toBe(404);
      const text = await res.text();
      for (const secret of ['态度很差', '139****5678', '已逾期']) expect(text, path).not.toContain(secret);
    }
    for (const path of [`/api/v1/cases/${qingshiCase}`, '/api/v1/cases?hallId=h-xs-qingshi', '/api/v1/cases?regionId=r-west']) {
      const res = await app.request(path, as('u-mgr-gangkou'));
      expect(res.status, path).toBe(404);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
    }
    expect((await app.request('/api/v1/cases?regionId=r-east', as('u-sup-west'))).status).toBe(404);
    // signed out: the page goes to sign-in, the API answers 401
    expect((await app.request(`/cases/${qingshiCase}`)).status).toBe(303);
    expect((await app.request('/cases')).status).toBe(303);
    expect((await app.request('/api/v1/cases')).status).toBe(401);
    expect((await app.request(`/api/v1/cases/${qingshiCase}`)).status).toBe(401);
  });

  it('walks every action as every role: outside scope 404, wrong role 403, no token 403 — and nothing written', async () => {
    const actions: [string, Record<string, string>][] = [
      ['reveal', {}],
      ['contact', { how: 'phone', note: '已电话联系' }],
      ['rectify', { publicReply: '已批评教育', fix: '', category: 'staff_coached' }],
      ['appeal', { kind: 'malicious', evidence: '监控显示无此事' }],
      ['decide', { decision: 'upheld', reason: '证据充分' }],
    ];
    for (const [action, fields] of actions) {
      const path = `/cases/${qingshiCase}/${action}`;
      const before = await snapshot(qingshiCase);
      const outside = await post('u-mgr-gangkou', path, fields);
      expect(outside.status, `gangkou ${action}`).toBe(404);
      expect(await outside.text()).not.toContain(PHONE);
      const noToken = await app.request(
        path,
        as('u-mgr-qingshi', {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams(fields).toString(),
        }),
      );
      expect(noToken.status, `no token ${action}`).toBe(403);
      const wrongToken = await post('u-mgr-qingshi', path, fields, 'forged-token');
      expect(wrongToken.status, `forged token ${action}`).toBe(403);
      // an administrator configures, a supervisor decides appeals only: neither works a case
      if (action !== 'decide') expect((await post('u-admin', path, fields)).status, `admin ${action}`).toBe(403);
      if (action !== 'decide') expect((await post('u-sup-west', path, fields)).status, `supervisor ${action}`).toBe(403);
      if (action === 'decide') expect((await post('u-mgr-qingshi', path, fields)).status, 'manager decides').toBe(403);
      expect(await snapshot(qingshiCase), action).toEqual(before);
    }
  });

  it('reveals the number to the hall manager only, with exactly one audit entry per reveal', async () => {
    const before = await snapshot(qingshiCase);
    const res = await post('u-mgr-qingshi', `/cases/${qingshiCase}/reveal`, {});
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(await res.text()).toContain(PHONE);
    const after = await snapshot(qingshiCase);
    expect(after.audit).toBe(before.audit + 1);
    expect(after.history).toBe(before.history! + 1);
    const entries = await listAudit(repo, { from: today, to: today, kind: 'case.phone_revealed' });
    const mine = entries.filter((e) => e.targetId === qingshiCase);
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ actor: 'u-mgr-qingshi', actorRole: 'manager', unit: { type: 'hall', id: 'h-xs-qingshi' } });
    expect(JSON.stringify(entries)).not.toContain(PHONE);
    // the page read afterwards shows the mask again
    expect(await (await app.request(`/cases/${qingshiCase}`, as('u-mgr-qingshi'))).text()).not.toContain(PHONE);
  });

  it('marks contacted and rectified in two posts; refusals carry the domain message with 400/409 and write nothing', async () => {
    // phone number typed into a note: 400, nothing written
    let before = await snapshot(qingshiCase);
    const leak = await post('u-mgr-qingshi', `/cases/${qingshiCase}/contact`, { how: 'phone', note: '回电 139 1234 5678' });
    expect(leak.status).toBe(400);
    expect(await leak.text()).toContain('请不要在文字里写电话号码');
    expect(await snapshot(qingshiCase)).toEqual(before);
    // rectify before contact: the state refuses it (409)
    const early = await post('u-mgr-qingshi', `/cases/${qingshiCase}/rectify`, { publicReply: '已整改', category: 'staff_coached' });
    expect(early.status).toBe(409);
    const earlyText = await early.text();
    expect(earlyText).toContain('案件尚未联系群众，不能提交整改答复');
    expect(earlyText).toContain('The resident has not been contacted yet');
    expect(await snapshot(qingshiCase)).toEqual(before);

    // a page older than the case (someone acted since): 409, nothing written
    const stale = await post('u-mgr-qingshi', `/cases/${qingshiCase}/contact`, { how: 'phone', note: '', version: '1' });
    expect(stale.status).toBe(409);
    expect(await stale.text()).toContain('案件刚被别人更新过');
    expect(await snapshot(qingshiCase)).toEqual(before);
    const page = await (await app.request(`/cases/${qingshiCase}`, as('u-mgr-qingshi'))).text();
    const version = /name="version" value="(\d+)"/.exec(page)![1];
    expect(version).toBe(String(before.version));
    const contact = await post('u-mgr-qingshi', `/cases/${qingshiCase}/contact`, { how: 'phone', note: '已致电道歉', version });
    expect(contact.status).toBe(303);
    expect(contact.headers.get('location')).toBe(`/cases/${qingshiCase}?lang=zh&saved=1`);
    expect((await snapshot(qingshiCase)).state).toBe('contacted');

    before = await snapshot(qingshiCase);
    const empty = await post('u-mgr-qingshi', `/cases/${qingshiCase}/rectify`, { publicReply: '  ', category: 'staff_coached' });
    expect(empty.status).toBe(400);
    expect(await snapshot(qingshiCase)).toEqual(before);
    const badCategory = await post('u-mgr-qingshi', `/cases/${qingshiCase}/rectify`, { publicReply: '已整改', category: 'nonsense' });
    expect(badCategory.status).toBe(400);
    expect(await snapshot(qingshiCase)).toEqual(before);

    const rectify = await post('u-mgr-qingshi', `/cases/${qingshiCase}/rectify`, {
      publicReply: '已对窗口人员批评教育，欢迎再来办事。',
      fix: '周例会通报',
      category: 'staff_coached',
    });
    expect(rectify.status).toBe(303);
    const after = await snapshot(qingshiCase);
    expect(after.state).toBe('rectified');
    expect(after.audit).toBe(before.audit + 1);
    const again = await post('u-mgr-qingshi', `/cases/${qingshiCase}/contact`, { how: 'phone', note: '' });
    expect(again.status).toBe(409);
    expect(await again.text()).toContain('案件已整改，正等待群众追评');
    expect(await snapshot(qingshiCase)).toEqual(after);
    const done = await (await app.request(`/cases/${qingshiCase}`, as('u-mgr-qingshi'))).text();
    expect(done).toContain('已对窗口人员批评教育');
    expect(done).not.toContain(`/cases/${qingshiCase}/contact`);
    expect(done).not.toContain(`/cases/${qingshiCase}/rectify`);
    expect(done).toContain(`/cases/${qingshiCase}/appeal`); // a rectified case may still be appealed (the domain's rule)
  });

  it("lets a resident without a phone be answered in writing only (the domain's rule), one click", async () => {
    const cat = await getHallCatalogue(repo, 'h-xs-qingshi');
    const id = await badRating('h-xs-qingshi', cat!.windows[0].id);
    const page = await (await app.request(`/cases/${id}`, as('u-mgr-qingshi'))).text();
    expect(page).toContain('群众没有留电话');
    expect(page).not.toContain('显示号码 Show number');
    const before = await snapshot(id);
    const byPhone = await post('u-mgr-qingshi', `/cases/${id}/contact`, { how: 'phone', note: '' });
    expect(byPhone.status).toBe(409);
    expect(await snapshot(id)).toEqual(before);
    const reveal = await post('u-mgr-qingshi', `/cases/${id}/reveal`, {});
    expect(reveal.status).toBe(409);
    expect(await snapshot(id)).toEqual(before);
    const written = await post('u-mgr-qingshi', `/cases/${id}/contact`, { how: 'written_reply', note: '您好，我们已核实情况，正在整改。' });
    expect(written.status).toBe(303);
    expect((await snapshot(id)).state).toBe('contacted');
  });
});

describe('cases: the JSON API', () => {
  it("lists cases in the issue's shape, filtered, the phone never in it", async () => {
    const res = await app.request('/api/v1/cases?hallId=h-xs-qingshi&state=rectified', as('u-mgr-qingshi'));
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const body = await res.json();
    const mine = body.cases.find((x: { caseId: string }) => x.caseId === qingshiCase);
    expect(mine).toMatchObject({ caseId: qingshiCase, ratingId: qingshiCase, hallId: 'h-xs-qingshi', windowId: qingshiWindow });
    expect(Object.keys(mine).sort()).toEqual(
      ['caseId', 'ratingId', 'hallId', 'windowId', 'state', 'openedAt', 'contactDue', 'rectifyDue', 'escalationLevel', 'dueState'].sort(),
    );
    expect(body.cases.every((x: { state: string }) => x.state === 'rectified')).toBe(true);
    expect(body).toMatchObject({ page: 1, pages: 1 });
    const own = await (await app.request('/api/v1/cases', as('u-sup-west'))).json();
    expect(own.cases.every((x: { hallId: string }) => x.hallId.startsWith('h-xs-'))).toBe(true);
    const detail = await app.request(`/api/v1/cases/${qingshiCase}`, as('u-sup-west'));
    expect(detail.status).toBe(200);
    const text = await detail.text();
    expect(text).not.toContain(PHONE);
    const d = JSON.parse(text);
    expect(d).toMatchObject({ caseId: qingshiCase, state: 'rectified', phoneMasked: '139****5678', hasPhone: true });
    expect(d.history.map((h: { action: string }) => h.action)).toEqual(['open', 'revealPhone', 'contact', 'rectify']);
    for (const bad of ['?state=bogus', '?overdue=maybe', '?page=0']) {
      const r = await app.request(`/api/v1/cases${bad}`, as('u-sup-west'));
      expect(r.status, bad).toBe(422);
    }
  });

  it('is in the one path list, so it reaches the dashboard function', () => {
    for (const p of [
      '/cases',
      '/cases/abc',
      '/cases/abc/contact',
      '/api/v1/cases',
      '/api/v1/cases/abc',
      '/admin/audit',
      '/regions/r/audit',
    ])
      expect(reachesDashboard(p), p).toBe(true);
    expect(DASHBOARD_PATHS).toContain('/api/v1/cases/{caseId}');
  });
});

describe('cases: overdue at the supervisor, panels, the audit trail', () => {
  it('an untouched case is overdue after its deadline: in the queue first, on the region page and in the API filter', async () => {
    const cat = await getHallCatalogue(repo, 'h-xs-qingshi');
    const late = await badRating('h-xs-qingshi', cat!.windows[0].id, PHONE);
    clock.now += 3 * 86_400_000; // past the 1-working-day contact deadline
    for (const u of USERS) cookies.set(u, await demoSignIn(app, u));
    const api = await (await app.request('/api/v1/cases?regionId=r-west&overdue=true', as('u-sup-west'))).json();
    expect(api.cases.map((x: { caseId: string }) => x.caseId)).toContain(late);
    expect(api.cases.every((x: { dueState: string }) => x.dueState === 'overdue')).toBe(true);
    expect(api.counts.overdue).toBeGreaterThanOrEqual(1);
    const queue = await (await app.request('/cases?overdue=true', as('u-sup-west'))).text();
    expect(queue).toContain(late);
    const region = await app.request('/regions/r-west', as('u-sup-west'));
    expect(region.status).toBe(200);
    const html = await region.text();
    expect(html).toContain('逾期与督办案件');
    expect(html).toContain(late);
    expect(html).toContain('差评回复率');
    expect(html).toContain('回访整改满意率');
    const hall = await (await app.request('/halls/h-xs-qingshi', as('u-mgr-qingshi'))).text();
    expect(hall).toContain('差评处理（近30天）');
    expect(hall).toContain('结案中位数（工作日）');
  });

  it('pages the queue: never more than 50 rows at once', async () => {
    const html = await (await app.request('/cases?state=open', as('u-admin'))).text();
    expect((html.match(/<tr><td><a href="\/cases\//g) ?? []).length).toBeLessThanOrEqual(50);
  });

  it('shows administrators the whole trail at /admin/audit with filters and CSV; nobody else', async () => {
    const res = await app.request(`/admin/audit?kind=case&from=2026-11-01&to=2026-12-31`, as('u-admin'));
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain(qingshiCase);
    expect(html).toContain('case.phone_revealed');
    expect(html).not.toContain(PHONE);
    const byActor = await (
      await app.request('/admin/audit?actor=u-mgr-qingshi&kind=case.phone_revealed&from=2026-11-01', as('u-admin'))
    ).text();
    expect(byActor).toContain(qingshiCase);
    const csv = await app.request('/admin/audit.csv?from=2026-11-01&to=2026-12-31&unit=hall:h-xs-qingshi', as('u-admin'));
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toContain('text/csv');
    const bytes = new Uint8Array(await csv.arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = new TextDecoder().decode(bytes.slice(3)).trim().split('\n');
    expect(lines[0]).toBe('at,actor,actor_role,kind,unit_type,unit_id,target_id,from,to,note');
    expect(lines.filter((l) => l.includes(`,${qingshiCase},`)).length).toBeGreaterThanOrEqual(3);
    expect(lines.slice(1).every((l) => l.includes(',hall,h-xs-qingshi,'))).toBe(true);
    expect((await app.request('/admin/audit?from=2026-13-01', as('u-admin'))).status).toBe(400);
    for (const u of ['u-sup-west', 'u-mgr-qingshi']) {
      expect((await app.request('/admin/audit', as(u))).status, u).toBe(404);
      expect((await app.request('/admin/audit.csv', as(u))).status, u).toBe(404);
    }
    expect((await app.request('/admin/audit')).status).toBe(303);
  });

  it('shows a supervisor the entries of their scope only', async () => {
    const west = await app.request('/regions/r-west/audit?from=2026-11-01&to=2026-12-31', as('u-sup-west'));
    expect(west.status).toBe(200);
    expect(await west.text()).toContain(qingshiCase);
    expect((await app.request('/regions/r-east/audit', as('u-sup-west'))).status).toBe(404);
    expect((await app.request('/regions/r-west/audit', as('u-mgr-qingshi'))).status).toBe(404);
    // a unit filter outside the page's region gives nothing, not the other region's entries
    const sneaky = await (await app.request('/regions/r-west/audit?unit=hall:h-dh-gangkou&from=2026-11-01', as('u-sup-west'))).text();
    expect(sneaky).toContain('没有符合条件的记录');
    const csv = await (await app.request('/regions/r-west/audit.csv?from=2026-11-01&to=2026-12-31', as('u-sup-west'))).text();
    expect(csv).toContain(qingshiCase);
    expect(csv).not.toContain('h-dh-');
  });
});
