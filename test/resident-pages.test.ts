/** The resident's pages through the real app: server-rendered survey, the no-JavaScript form path, kind refusals. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signCaseLink } from '../shared/domain/case-link.js';
import { signPlacard } from '../shared/domain/tokens.js';
import { json, stopEngines, world, type TWorld } from './support/harness.js';
import { getRating } from '../shared/storage/ratings.js';

let w: TWorld;
beforeAll(async () => {
  w = await world();
});
afterAll(stopEngines);

async function mint() {
  const res = await w.app.request('/api/v1/tickets', json({ windowId: 'w2', serviceId: 's2' }, { authorization: `Bearer ${w.apiKey}` }));
  return (await res.json()) as { ticketId: string; ticket: string };
}
const form = (fields: [string, string][], headers: Record<string, string> = {}) => ({
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
  body: new URLSearchParams(fields).toString(),
});

describe('survey page', () => {
  it('renders in Chinese with a strict CSP whose nonce covers the inline style and script', async () => {
    const t = await mint();
    const res = await w.app.request(`/r/${t.ticket}`);
    expect(res.status).toBe(200);
    const csp = res.headers.get('content-security-policy')!;
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toContain('unsafe-inline');
    const nonce = /'nonce-([^']+)'/.exec(csp)![1];
    const page = await res.text();
    expect(page).toContain('<html lang="zh-CN">');
    expect(page).toContain(`<style nonce="${nonce}">`);
    expect(page).toContain(`<script nonce="${nonce}">`);
    expect(page).toContain('测试政务服务中心 · 2号窗口 社保医保');
    expect(page).toContain('非常不满意');
    expect(page).not.toMatch(/<script[^>]+src=|<link[^>]+href="(?!data:)|https?:\/\/(?!rate\.example\.test)/); // no third-party requests
    expect(page).not.toMatch(/name="overall"[^>]*checked/); // never a suggested grade
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    expect(res.headers.get('set-cookie')).toMatch(/^st_dev=[\w-]{22}; .*HttpOnly.*SameSite=Lax/);
  });

  it('switches to English', async () => {
    const t = await mint();
    const page = await (await w.app.request(`/r/${t.ticket}?lang=en`)).text();
    expect(page).toContain('<html lang="en">');
    expect(page).toContain('Very dissatisfied');
    expect(page).toContain('Test Service Centre');
  });

  it('accepts a plain form post (JavaScript off) and redirects to the thank-you page', async () => {
    const t = await mint();
    const res = await w.app.request(
      `/r/${t.ticket}`,
      form([
        ['overall', '1'],
        ['reasons', 'rude'],
        ['reasons', 'patient'],
        ['trips', '3'],
        ['done', 'no'],
        ['comment', '态度很差'],
        ['phone', '139 1234 5678'],
        ['consent', '1'],
        ['submissionId', 'form-sub-0001'],
        ['lang', 'zh'],
      ]),
    );
    expect(res.status).toBe(303);
    // issue 9: a bad rating's thank-you page is its case page at its signed case link (was /r/thanks?lang=zh&bad=1)
    const casePath = `/c/${signCaseLink(w.keyring, t.ticketId)}`;
    expect(res.headers.get('location')).toBe(`${casePath}?lang=zh&thanks=1`);
    const stored = await getRating(w.table, t.ticketId);
    // 'patient' sat in a tag group hidden for grade 1, so it was not the resident's answer.
    expect(stored).toMatchObject({
      overall: 1,
      reasons: ['rude'],
      trips: 3,
      done: 'no',
      comment: '态度很差',
      phoneMasked: '139****5678',
      channel: 'ticket',
    });
    // issue 9: that page (its real deadline, "工作人员将在 11月23日 前联系您") is tested in resident-cases.test.ts;
    // the resident opens the code again: it leads to the case (was the "already rated" page)
    const again = await w.app.request(`/r/${t.ticket}`);
    expect(again.status).toBe(303);
    expect(again.headers.get('location')).toBe(`${casePath}?lang=zh`);
    // and posting again is refused kindly, changing nothing
    const twice = await w.app.request(
      `/r/${t.ticket}`,
      form([
        ['overall', '5'],
        ['submissionId', 'form-sub-0002'],
      ]),
    );
    expect(twice.status).toBe(409);
    expect(await twice.text()).toContain('这次办事已经评价过了');
    expect((await getRating(w.table, t.ticketId))?.overall).toBe(1);
  });

  it('a resubmitted form (same submissionId) lands on the thank-you page, not an error', async () => {
    const t = await mint();
    const fields: [string, string][] = [
      ['overall', '4'],
      ['submissionId', 'form-sub-0003'],
    ];
    expect((await w.app.request(`/r/${t.ticket}`, form(fields))).status).toBe(303);
    expect((await w.app.request(`/r/${t.ticket}`, form(fields))).status).toBe(303);
  });

  it('shows the form again with a kind message when a bad rating has no reason, and stores nothing', async () => {
    const t = await mint();
    const res = await w.app.request(
      `/r/${t.ticket}`,
      form([
        ['overall', '2'],
        ['comment', '等太久'],
        ['submissionId', 'form-sub-0004'],
      ]),
    );
    expect(res.status).toBe(422);
    const page = await res.text();
    expect(page).toContain('role="alert"');
    expect(page).toContain('请选择至少一个不满意的原因');
    expect(page).toMatch(/id="g2" name="overall" value="2" required checked/); // their choice is kept
    expect(page).toContain('等太久');
    expect(page).toContain('value="form-sub-0004"'); // same submission id, so a fixed resubmission is idempotent
    expect(await getRating(w.table, t.ticketId)).toBeUndefined();
  });

  it('asks for consent before keeping a phone number', async () => {
    const t = await mint();
    const res = await w.app.request(
      `/r/${t.ticket}`,
      form([
        ['overall', '1'],
        ['reasons', 'rude'],
        ['phone', '13912345678'],
      ]),
    );
    expect(res.status).toBe(422);
    expect(await res.text()).toContain('请勾选同意联系');
    expect(await getRating(w.table, t.ticketId)).toBeUndefined();
  });

  it('explains expired and unreadable codes kindly', async () => {
    const t = await mint();
    const saved = w.clock.now;
    w.clock.now += 8 * 24 * 3600 * 1000;
    const expired = await w.app.request(`/r/${t.ticket}`);
    w.clock.now = saved;
    expect(expired.status).toBe(410);
    expect(expired.headers.get('content-type')).toContain('text/html');
    expect(await expired.text()).toContain('评价链接已过期');
    const bad = await w.app.request(`/r/${t.ticket.slice(0, -2)}xx`);
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('无法识别这个二维码');
  });
});

describe('placards', () => {
  it('renders a printable placard with the QR code, hall, window and instructions', async () => {
    const token = signPlacard(w.keyring, { hallId: 'h-test', windowId: 'w1' });
    const res = await w.app.request(`/r/${token}/placard`);
    expect(res.status).toBe(200);
    const page = await res.text();
    expect(page).toContain('<svg');
    expect(page).toContain('1号窗口 综合受理');
    expect(page).toContain('办完事，扫一扫');
    expect(page).toContain('Scan after your visit');
    expect(page).toContain('@page{size:A6');
  });

  it('limits a device to one placard rating per window per 2 hours, kindly', async () => {
    const token = signPlacard(w.keyring, { hallId: 'h-test', windowId: 'w1' });
    const cookie = { cookie: 'st_dev=placard-device-000001' };
    expect(
      (
        await w.app.request(
          `/r/${token}`,
          form(
            [
              ['overall', '5'],
              ['submissionId', 'plac-form-0001'],
            ],
            cookie,
          ),
        )
      ).status,
    ).toBe(303);
    const second = await w.app.request(
      `/r/${token}`,
      form(
        [
          ['overall', '4'],
          ['submissionId', 'plac-form-0002'],
        ],
        cookie,
      ),
    );
    expect(second.status).toBe(429);
    expect(await second.text()).toContain('您刚刚已经评价过这个窗口');
  });

  it('does not render a placard for a ticket token', async () => {
    const t = await mint();
    expect((await w.app.request(`/r/${t.ticket}/placard`)).status).toBe(400);
  });
});

describe('wrong links', () => {
  it('a person gets a kind page in their language with the secure headers; a machine on /api/ gets problem+json', async () => {
    for (const [path, lang, title] of [
      ['/no-such-page', 'zh-CN', '没有这个页面'],
      ['/r/', 'zh-CN', '没有这个页面'],
      ['/p/whatever/else/deeper?lang=en', 'en', 'Page not found'],
    ] as const) {
      const res = await w.app.request(path);
      expect(res.status, path).toBe(404);
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      expect(res.headers.get('content-security-policy')).toMatch(/script-src 'nonce-/);
      const body = await res.text();
      expect(body).toContain(`<html lang="${lang}"`);
      expect(body).toContain(title);
    }
    const api = await w.app.request('/api/v1/nothing-here');
    expect(api.status).toBe(404);
    expect(api.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  });
});
