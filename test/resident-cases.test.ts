/**
 * The resident's side of a case (issue 9) through the real app on dynalite: the thank-you page's real deadline, the
 * ticket URL and the signed case link, the one-time 追评 as a plain form post (JavaScript off), and kind refusals.
 * The app is put together as the local server does it: the resident pages and API, plus the case link's routes that
 * the dashboard function answers on AWS.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TUser } from '../shared/domain/access.js';
import { signCaseLink, verifyCaseLink } from '../shared/domain/case-link.js';
import { signPlacard } from '../shared/domain/tokens.js';
import { loadConfig } from '../shared/config.js';
import { createApp } from '../shared/http/app.js';
import { reachesDashboard } from '../shared/http/dashboard-paths.js';
import { caseLinkRoutes } from '../shared/http/routes/case-link.js';
import { caseDepsOf, commandCase, getCaseView } from '../shared/services/cases.js';
import { putRegion } from '../shared/storage/catalogue.js';
import { json, quietLog, stopEngines, world, type TWorld } from './support/harness.js';

let w: TWorld;
let app: TWorld['app'];
const manager: TUser = { id: 'u-wang', name: '王经理', role: 'manager', scope: 'h-test' };
const deps = () => caseDepsOf({ table: w.table, keyring: w.keyring, now: () => w.clock.now });

beforeAll(async () => {
  w = await world();
  await putRegion(w.table, { id: 'r-test', name: '测试区', level: 'district' });
  const config = loadConfig({ APP_ENV: 'test', TABLE_NAME: w.table.name, PUBLIC_BASE_URL: 'https://rate.example.test' });
  const deps = { config, table: w.table, keyring: w.keyring, engine: 'dynalite', log: quietLog, now: () => w.clock.now };
  app = createApp(deps, { mount: (a) => a.route('/c', caseLinkRoutes(deps)) });
});
afterAll(stopEngines);

const form = (fields: [string, string][], headers: Record<string, string> = {}) => ({
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
  body: new URLSearchParams(fields).toString(),
});
const device = () => ({ cookie: `st_dev=${randomBytes(16).toString('base64url')}` });

async function mint() {
  const res = await app.request('/api/v1/tickets', json({ windowId: 'w1' }, { authorization: `Bearer ${w.apiKey}` }));
  return (await res.json()) as { ticketId: string; ticket: string };
}

/** A bad rating by plain form post; returns the ticket and where the thank-you redirect went. */
async function rateBad(opts: { phone?: boolean; lang?: 'zh' | 'en' } = {}) {
  const t = await mint();
  const fields: [string, string][] = [
    ['overall', '2'],
    ['reasons', 'rude'],
    ['submissionId', `sub-${randomBytes(6).toString('hex')}`],
    ['lang', opts.lang ?? 'zh'],
  ];
  if (opts.phone) fields.push(['phone', '13912345678'], ['consent', '1']);
  const res = await app.request(`/r/${t.ticket}`, form(fields));
  expect(res.status).toBe(303);
  return { ...t, location: res.headers.get('location')!, casePath: `/c/${signCaseLink(w.keyring, t.ticketId)}` };
}

/** The page (after at most one redirect) with its text tags removed (a date sits in its own no-wrap span). */
const page = async (path: string) => {
  let res = await app.request(path);
  if (res.status === 303) res = await app.request(res.headers.get('location')!);
  return { res, text: (await res.text()).replace(/<(?!\/?(style|form|input|svg|script|link|img|html)\b)[^>]+>/g, '') };
};

async function contactAndRectify(caseId: string, hasPhone: boolean) {
  const contact = await commandCase(
    deps(),
    caseId,
    { type: 'contact', how: hasPhone ? 'phone' : 'written_reply', note: hasPhone ? '已电话联系' : '您好，我们已经核实，正在整改。' },
    { kind: 'staff', user: manager },
  );
  expect(contact.ok).toBe(true);
  const rectify = await commandCase(
    deps(),
    caseId,
    { type: 'rectify', publicReply: '已对窗口人员进行批评教育，今后改进。', fix: 'INTERNAL-FIX: 扣绩效', category: 'staff_coached' },
    { kind: 'staff', user: manager },
  );
  expect(rectify.ok).toBe(true);
}

describe('thank-you page after a bad rating', () => {
  it('with a phone: "工作人员将在 <date> 前联系您", the ticket URL to come back to, strict CSP and no cookies needed', async () => {
    const t = await rateBad({ phone: true });
    expect(t.location).toBe(`${t.casePath}?lang=zh&thanks=1`);
    const { res, text } = await page(t.location);
    expect(res.status).toBe(200);
    expect(text).toContain('感谢您的评价');
    // rated Fri 20 Nov 10:00 Shanghai; contact within 1 working day → Mon 23 Nov
    expect(text).toContain('工作人员将在 11月23日 前联系您');
    expect(text).toContain('请拍下这个二维码');
    expect(text).toContain(`https://rate.example.test${t.casePath}`);
    expect(text).not.toContain('1个工作日内');
    const csp = res.headers.get('content-security-policy')!;
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toContain('unsafe-inline');
    const nonce = /'nonce-([^']+)'/.exec(csp)![1];
    expect(text).toContain(`<style nonce="${nonce}">`);
    expect(text).not.toMatch(/<script|\son\w+=/); // no script at all, no inline handlers
    // no third-party requests (the QR code's SVG namespace is a name, not a request)
    expect(text).not.toMatch(/<link[^>]+href="(?!data:)|<img|https?:\/\/(?!rate\.example\.test|www\.w3\.org\/2000\/svg")/);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('set-cookie')).toBeNull();
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('without a phone: "大厅将在 <date> 前在此页回复您"; in English too', async () => {
    const t = await rateBad();
    expect((await page(t.location)).text).toContain('大厅将在 11月23日 前在此页回复您');
    const en = await rateBad({ lang: 'en' });
    expect(en.location).toBe(`${en.casePath}?lang=en&thanks=1`);
    const { text } = await page(en.location);
    expect(text).toContain('<html lang="en">');
    expect(text).toContain('The hall will reply to you on this page by 23 Nov');
  });

  it('a good rating still thanks plainly, and its ticket URL says "already rated" (no case)', async () => {
    const t = await mint();
    const res = await app.request(`/r/${t.ticket}`, form([['overall', '5']]));
    expect(res.headers.get('location')).toBe('/r/thanks?lang=zh');
    expect((await page(`/r/${t.ticket}`)).text).toContain('这次办事已经评价过了');
  });
});

describe('following the case', () => {
  it('the ticket URL leads to its case; the case pages live off the resident/machine Lambda (the dashboard function)', async () => {
    const t = await rateBad();
    const res = await app.request(`/r/${t.ticket}?lang=en`);
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`${t.casePath}?lang=en`);
    expect(reachesDashboard(t.casePath)).toBe(true);
    expect(reachesDashboard(`${t.casePath}/follow-up`)).toBe(true);
    expect(reachesDashboard(`/r/${t.ticket}`)).toBe(false);
    expect((await w.app.request(t.casePath)).status).toBe(404); // the resident/machine app alone has no case page
  });

  it('the ticket URL shows the case once rated, also after its 7 rating days; an unrated old ticket is still "expired"', async () => {
    const t = await rateBad({ phone: true });
    const now = await page(`/r/${t.ticket}`);
    expect(now.text).toContain('您的评价处理进展');
    expect(now.text).toContain('工作人员将在 11月23日 前联系您');
    expect(now.text).not.toContain('name="overall"'); // never the survey again
    const unrated = await mint();
    const saved = w.clock.now;
    w.clock.now += 9 * 86_400_000;
    try {
      const later = await page(`/r/${t.ticket}`);
      expect(later.res.status).toBe(200);
      expect(later.text).toContain('您的评价处理进展');
      const old = await page(`/r/${unrated.ticket}`);
      expect(old.res.status).toBe(410);
      expect(old.text).toContain('评价链接已过期');
    } finally {
      w.clock.now = saved;
    }
  });

  it('a placard rating gets a signed case link with its QR code; forged or altered links are refused kindly', async () => {
    const placard = signPlacard(w.keyring, { hallId: 'h-test', windowId: 'w2' });
    const res = await app.request(
      `/r/${placard}`,
      form(
        [
          ['overall', '1'],
          ['reasons', 'rude'],
          ['submissionId', 'placard-sub-0001'],
        ],
        device(),
      ),
    );
    expect(res.status).toBe(303);
    const location = res.headers.get('location')!;
    const link = /^\/c\/(C\.[\w.-]+)\?lang=zh&thanks=1$/.exec(location)![1];
    const thanks = await page(location);
    expect(thanks.res.status).toBe(200);
    expect(thanks.text).toContain('大厅将在 11月23日 前在此页回复您');
    expect(thanks.text).toContain('请拍下这个二维码');
    expect(thanks.text).toMatch(/<svg[^>]*>/); // the QR code, inline
    expect(thanks.text).toContain(`https://rate.example.test/c/${link}`);
    expect((await page(`/c/${link}`)).text).toContain('您的评价处理进展');

    const sig = link.split('.')[3];
    const altered = [
      `${link.slice(0, -1)}${sig.endsWith('A') ? 'B' : 'A'}`, // signature changed
      link.replace(/^C\.(\w+)\.p/, 'C.$1.q'), // another rating id under the same signature
      `C.k1.${link.split('.')[2]}.${'A'.repeat(22)}`, // forged
      placard, // a placard token is not a case link
      'C.k1.x', // malformed
    ];
    for (const bad of altered) {
      const r = await page(`/c/${bad}`);
      expect(r.res.status).toBe(404);
      expect(r.text).toContain('无法识别这个链接');
      expect(r.text).not.toContain('您的评价处理进展');
      const post = await app.request(`/c/${bad}/follow-up`, form([['grade', 'satisfied']]));
      expect(post.status).toBe(404);
    }
    // a genuinely signed link to a rating without a case: a kind "nothing yet" page
    expect((await page(`/c/${signCaseLink(w.keyring, 'no-such-rating')}`)).text).toContain('暂时查不到处理记录');
  });

  it('the page script’s path (JSON rating, then /r/<token>/case?sub=) finds a placard rating’s case', async () => {
    const placard = signPlacard(w.keyring, { hallId: 'h-test', windowId: 'w1' });
    const sub = `js-sub-${randomBytes(6).toString('hex')}`;
    const rated = await app.request(
      '/api/v1/ratings',
      json({ ticket: placard, overall: 2, reasons: ['wait_long'], lang: 'zh', submissionId: sub }, device()),
    );
    expect(rated.status).toBe(201);
    const { ratingId } = (await rated.json()) as { ratingId: string };
    const res = await app.request(`/r/${placard}/case?lang=zh&sub=${sub}`);
    expect(res.status).toBe(303);
    const location = res.headers.get('location')!;
    expect(location).toBe(`/c/${signCaseLink(w.keyring, ratingId)}?lang=zh&thanks=1`); // derived as the rating was stored
    expect((await page(location)).text).toContain('大厅将在 11月23日 前在此页回复您');
    // and for a ticket: its own URL
    const t = await mint();
    const tr = await app.request(`/r/${t.ticket}/case?lang=en&sub=whatever1`);
    expect(tr.headers.get('location')).toBe(`/c/${signCaseLink(w.keyring, t.ticketId)}?lang=en&thanks=1`);
  });
});

describe('the case page and the one-time 追评 (plain form posts, JavaScript off)', () => {
  it('refuses a 追评 before the hall has answered, kindly, changing nothing', async () => {
    const t = await rateBad();
    const before = await getCaseView(deps(), t.ticketId);
    const res = await app.request(`${t.casePath}/follow-up`, form([['grade', 'satisfied']]));
    expect(res.status).toBe(409);
    const text = await res.text();
    expect(text).toContain('现在还不能追评');
    expect(text).toContain(`href="${t.casePath}?lang=zh"`); // the way back to the case
    expect((await getCaseView(deps(), t.ticketId))?.version).toBe(before?.version);
    expect((await page(`/r/${t.ticket}`)).text).not.toContain('name="grade"'); // no form yet
  });

  it('shows the written reply, then the public reply and the form once rectified — never the fix or staff names', async () => {
    const t = await rateBad();
    await commandCase(
      deps(),
      t.ticketId,
      { type: 'contact', how: 'written_reply', note: '您好，我们已经核实，正在整改。' },
      { kind: 'staff', user: manager },
    );
    const contacted = (await page(`/r/${t.ticket}`)).text;
    expect(contacted).toContain('您好，我们已经核实，正在整改。');
    expect(contacted).toContain('大厅正在处理');
    expect(contacted).not.toContain('name="grade"');
    await commandCase(
      deps(),
      t.ticketId,
      { type: 'rectify', publicReply: '已对窗口人员进行批评教育，今后改进。', fix: 'INTERNAL-FIX: 扣绩效', category: 'staff_coached' },
      { kind: 'staff', user: manager },
    );
    const text = (await page(`/r/${t.ticket}`)).text;
    expect(text).toContain('已对窗口人员进行批评教育，今后改进。');
    expect(text).toContain('大厅已答复');
    expect(text).toMatch(/<form method="post" action="\/c\/[^"]+\/follow-up"/);
    for (const g of ['satisfied', 'basic', 'dissatisfied']) expect(text).toContain(`value="${g}"`);
    for (const secret of ['INTERNAL-FIX', '扣绩效', 'staff_coached', '王经理', 'u-wang', '139', 'rude']) expect(text).not.toContain(secret);
  });

  it('takes one 追评 (with a kind error first), closes the case, and refuses a second', async () => {
    const t = await rateBad({ phone: true });
    await contactAndRectify(t.ticketId, true);
    const path = `${t.casePath}/follow-up`;
    // no grade chosen: the form again with a kind message, nothing written
    const missing = await app.request(path, form([['comment', '还行吧']]));
    expect(missing.status).toBe(422);
    const missingText = await missing.text();
    expect(missingText).toContain('请选择您对处理结果的评价');
    expect(missingText).toContain('还行吧'); // the words kept
    const long = await app.request(
      path,
      form([
        ['grade', 'satisfied'],
        ['comment', '好'.repeat(501)],
      ]),
    );
    expect(long.status).toBe(422);
    expect(await long.text()).toContain('不要超过500字');
    expect((await getCaseView(deps(), t.ticketId))?.case.state).toBe('rectified');

    const ok = await app.request(
      path,
      form([
        ['grade', 'basic'],
        ['comment', '态度好多了'],
      ]),
    );
    expect(ok.status).toBe(303);
    expect(ok.headers.get('location')).toBe(`${t.casePath}?lang=zh&done=closed`);
    const closed = (await page(ok.headers.get('location')!)).text;
    expect(closed).toContain('谢谢您的追评');
    expect(closed).toContain('本案已办结');
    expect(closed).not.toContain('name="grade"');
    const view = await getCaseView(deps(), t.ticketId);
    expect(view?.case).toMatchObject({ state: 'closed', closeReason: 'followed_up', followUp: { grade: 'basic', comment: '态度好多了' } });

    const again = await app.request(path, form([['grade', 'dissatisfied']]));
    expect(again.status).toBe(409);
    expect(await again.text()).toContain('您已经追评过了');
    expect((await getCaseView(deps(), t.ticketId))?.version).toBe(view?.version);
  });

  it('a dissatisfied 追评 on a case link reopens the case once for rework, said kindly; in English', async () => {
    const placard = signPlacard(w.keyring, { hallId: 'h-test', windowId: 'w2' });
    const res = await app.request(
      `/r/${placard}?lang=en`,
      form(
        [
          ['overall', '2'],
          ['reasons', 'wait_long'],
          ['lang', 'en'],
        ],
        device(),
      ),
    );
    const location = res.headers.get('location')!;
    const link = /^\/c\/([^?]+)\?lang=en&thanks=1$/.exec(location)![1];
    const caseId = verifyCaseLink(w.keyring, link)!;
    expect((await getCaseView(deps(), caseId))?.case.state).toBe('open');
    await contactAndRectify(caseId, false);
    const en = (await page(`/c/${link}?lang=en`)).text;
    expect(en).toContain('How well was your complaint handled?');
    expect(en).toContain('Send follow-up');
    const post = await app.request(
      `/c/${link}/follow-up?lang=en`,
      form([
        ['grade', 'dissatisfied'],
        ['lang', 'en'],
      ]),
    );
    expect(post.status).toBe(303);
    expect(post.headers.get('location')).toBe(`/c/${link}?lang=en&done=rework`);
    const after = (await page(post.headers.get('location')!)).text;
    expect(after).toContain('We are sorry you are still not satisfied. The hall will handle it once more');
    expect(after).toContain('The hall is handling it again and will answer by');
    expect((await getCaseView(deps(), caseId))?.case).toMatchObject({ state: 'contacted', reworkCount: 1 });
    const again = await app.request(`/c/${link}/follow-up`, form([['grade', 'satisfied']]));
    expect(again.status).toBe(409);
    expect(await again.text()).toContain('现在还不能追评');
  });
});
