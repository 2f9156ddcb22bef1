/**
 * The resident's case pages in real Chromium on a cheap phone (360×740): the thank-you page after a bad rating (ticket
 * and placard), the case page in each state, the 追评 with JavaScript off; screenshots under test/.tmp/, axe-core clean.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TUser } from '../../shared/domain/access.js';
import type { TKeyring } from '../../shared/domain/keyring.js';
import type { TLocalServer } from '../../shared/local/server.js';
import { commandCase, type TCaseDeps } from '../../shared/services/cases.js';
import { axeViolations, localWithChromium, PHONE, SHOTS } from '../support/browser.js';

let local: TLocalServer;
let browser: Browser;

let close: () => Promise<void>;

beforeAll(async () => {
  ({ local, browser, close } = await localWithChromium({ SEED_DAYS: '3', RATE_LIMIT_PER_MINUTE: '100000' }));
}, 60_000);
afterAll(() => close?.());

/** Staff steps go through the case service (the staff pages have their own browser suite); no phone reveal here. */
const caseDeps = (): TCaseDeps => ({ table: local.table, keyring: undefined as unknown as TKeyring });
const manager = (): TUser => ({ id: 'u-browser-mgr', name: '测试经理', role: 'manager', scope: local.demo.hallId });
async function staff(caseId: string, cmd: Parameters<typeof commandCase>[2]) {
  const r = await commandCase(caseDeps(), caseId, cmd, { kind: 'staff', user: manager() });
  expect(r.ok).toBe(true);
}

async function mintTicket(): Promise<{ ticketId: string; url: string }> {
  const res = await fetch(`${local.url}/api/v1/tickets`, {
    method: 'POST',
    headers: { authorization: `Bearer ${local.demo.apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ windowId: 'w1' }),
  });
  expect(res.status).toBe(201);
  return res.json();
}

async function rateBad(page: Page, url: string, phone?: string) {
  await page.goto(url);
  await page.locator('label[for=g2]').click(); // 不满意
  await page.getByText('态度生硬').click();
  if (phone) {
    await page.getByLabel('手机号码').fill(phone);
    await page.getByText('我同意工作人员用这个号码联系我').click();
  }
  await page.getByRole('button', { name: '提交评价' }).click();
  await page.waitForURL(/thanks=1$/);
}

const shot = (page: Page, name: string) => page.screenshot({ path: `${SHOTS}${name}.png`, fullPage: true });

describe('resident case pages in Chromium (phone)', () => {
  it('ticket: thank-you with the real deadline, then the case page in each state, the 追评 with JavaScript off', async () => {
    const t = await mintTicket();
    const ctx = await browser.newContext(PHONE);
    const page = await ctx.newPage();
    const errors: string[] = [];
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    page.on('pageerror', (e) => errors.push(e.message));
    await rateBad(page, t.url, '13912345678');
    expect(new URL(page.url()).pathname).toMatch(/^\/c\/C\./); // the rating's case link
    expect(await page.textContent('h1')).toContain('感谢您的评价');
    expect(await page.textContent('.status')).toMatch(/^工作人员将在 \d+月\d+日 前联系您。$/);
    expect(await axeViolations(page)).toEqual([]);
    await shot(page, 'case-thanks-ticket');

    await page.goto(t.url); // the ticket's own code leads to the case
    expect(await page.textContent('h1')).toContain('您的评价处理进展');
    expect(await page.getAttribute('[aria-current=step]', 'class')).toBe('on');
    await shot(page, 'case-open');

    await staff(t.ticketId, { type: 'contact', how: 'phone', note: '已电话联系群众' });
    await page.reload();
    expect(await page.textContent('.status')).toContain('大厅正在处理');
    await shot(page, 'case-contacted');

    await staff(t.ticketId, {
      type: 'rectify',
      publicReply: '您好！已对窗口工作人员进行批评教育，并在窗口增加了材料清单，今后一次告知到位。感谢您的监督。',
      fix: '内部：约谈当事人',
      category: 'staff_coached',
    });
    await page.reload();
    expect(await page.textContent('blockquote')).toContain('材料清单');
    expect(await page.textContent('main')).not.toContain('约谈');
    expect(await axeViolations(page)).toEqual([]);
    await shot(page, 'case-rectified');
    await page.goto(`${t.url}?lang=en`);
    expect(await page.textContent('h1')).toContain('Your complaint');
    expect(await axeViolations(page)).toEqual([]);
    await shot(page, 'case-rectified-en');
    expect(errors).toEqual([]);
    await ctx.close();

    // The 追评 with JavaScript off: a plain form post
    const off = await browser.newContext({ ...PHONE, javaScriptEnabled: false });
    const p2 = await off.newPage();
    await p2.goto(t.url);
    const before = p2.url();
    await p2.getByRole('button', { name: '提交追评' }).click(); // nothing chosen: the browser's own "required" stops it
    expect(p2.url()).toBe(before);
    await p2.locator('label[for=f-satisfied]').click();
    await p2.getByLabel('还想说点什么？').fill('处理得很及时，谢谢');
    await p2.getByRole('button', { name: '提交追评' }).click();
    await p2.waitForURL(/done=closed$/);
    expect(await p2.textContent('[role=status]')).toContain('谢谢您的追评');
    expect(await p2.textContent('.status')).toContain('本案已办结');
    expect(await p2.locator('form').count()).toBe(0);
    await shot(p2, 'case-closed');
    await off.close();
    const on = await browser.newContext(PHONE); // axe-core runs as a script: the closed page checked with JavaScript on
    const p3 = await on.newPage();
    await p3.goto(`${t.url}?lang=zh&done=closed`);
    expect(await axeViolations(p3)).toEqual([]);
    await on.close();
  }, 90_000);

  it('placard: the thank-you page shows the case link with its QR code; a dissatisfied 追评 goes back for rework', async () => {
    const ctx = await browser.newContext(PHONE);
    const page = await ctx.newPage();
    await rateBad(page, local.demo.placardUrl.replace(/\/placard$/, '')); // the code on the placard, not its print page
    expect(new URL(page.url()).pathname).toMatch(/^\/c\/C\./);
    expect(await page.textContent('.status')).toMatch(/^大厅将在 \d+月\d+日 前在此页回复您。$/);
    const svg = page.locator('.qr svg');
    expect((await svg.boundingBox())!.width).toBeGreaterThanOrEqual(200); // large enough to photograph
    expect(await page.textContent('main')).toContain(new URL(page.url()).pathname);
    expect(await axeViolations(page)).toEqual([]);
    await shot(page, 'case-thanks-placard');

    const path = new URL(page.url()).pathname;
    const link = `${local.url}${path}`;
    const caseId = path.split('.')[2]; // /c/C.<kid>.<ratingId>.<sig>: the case id is the rating id
    await staff(caseId, { type: 'contact', how: 'written_reply', note: '您好，收到您的意见，我们正在核实。' });
    await page.goto(link);
    expect(await page.textContent('blockquote')).toContain('正在核实');
    await staff(caseId, { type: 'rectify', publicReply: '已调整排队叫号规则。', fix: '', category: 'process_changed' });
    await page.goto(link);
    await page.locator('label[for=f-dissatisfied]').click();
    await page.getByRole('button', { name: '提交追评' }).click();
    await page.waitForURL(/done=rework$/);
    expect(await page.textContent('[role=status]')).toContain('大厅会重新办理一次');
    expect(await page.textContent('.status')).toContain('重新办理');
    expect(await axeViolations(page)).toEqual([]);
    await shot(page, 'case-rework');

    await page.goto(`${link.slice(0, -2)}xx`); // the signature altered
    expect(await page.textContent('h1')).toContain('无法识别这个链接');
    expect(await axeViolations(page)).toEqual([]);
    await shot(page, 'case-link-refused');
    await ctx.close();
  }, 90_000);
});
