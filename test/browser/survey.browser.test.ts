/** The resident's journey in real Chromium on a phone viewport, against the real local server. */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TLocalServer } from '../../shared/local/server.js';
import { axeViolations, localWithChromium, PHONE, SHOTS } from '../support/browser.js';
import { getRating } from '../../shared/storage/ratings.js';

let local: TLocalServer;
let browser: Browser;

let close: () => Promise<void>;

beforeAll(async () => {
  ({ local, browser, close } = await localWithChromium({ SEED_DAYS: '3', RATE_LIMIT_PER_MINUTE: '100000' }));
}, 60_000);
afterAll(() => close?.());

async function mintTicket(): Promise<{ ticketId: string; url: string }> {
  const res = await fetch(`${local.url}/api/v1/tickets`, {
    method: 'POST',
    headers: { authorization: `Bearer ${local.demo.apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ windowId: 'w1' }),
  });
  expect(res.status).toBe(201);
  return res.json();
}

describe('resident survey in Chromium (phone)', () => {
  it('rates the demo ticket bad with a reason, sees thanks, then sees the already-rated page', async () => {
    const ctx = await browser.newContext(PHONE);
    const page = await ctx.newPage();
    const errors: string[] = [];
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(local.demo.surveyUrl);
    await expect.poll(() => page.title()).toContain('服务评价');
    await page.screenshot({ path: `${SHOTS}survey.png`, fullPage: true });
    // The bad-rating reasons only appear once a bad grade is chosen.
    await expect.poll(() => page.getByText('态度生硬').isVisible()).toBe(false);
    await page.locator('label[for=g1]').click(); // 非常不满意
    await expect.poll(() => page.getByText('态度生硬').isVisible()).toBe(true);
    await page.getByText('态度生硬').click();
    await page.getByText('3 次及以上').click();
    await page.getByLabel('还想说点什么？').fill('窗口说材料不全，让我下次再来');
    await page.screenshot({ path: `${SHOTS}survey-filled.png`, fullPage: true });
    await page.getByRole('button', { name: '提交评价' }).click();
    // issue 9: a bad rating's thanks is its case page (signed case link) with the real deadline (was /r/thanks, "核实处理")
    await page.waitForURL(/\/c\/C\.[^?]+\?lang=zh&thanks=1$/);
    expect(await page.textContent('h1')).toContain('感谢您的评价');
    expect(await page.textContent('main')).toMatch(/大厅将在 \d+月\d+日 前在此页回复您/);
    await page.goto(local.demo.surveyUrl);
    expect(await page.textContent('h1')).toContain('您的评价处理进展'); // issue 9: the case (was "already rated")
    expect(errors).toEqual([]); // no CSP violations, no script errors
    const ticketId = new URL(local.demo.surveyUrl).pathname.split('.')[2];
    expect(await getRating(local.table, ticketId)).toMatchObject({
      overall: 1,
      reasons: ['rude'],
      trips: 3,
      comment: '窗口说材料不全，让我下次再来',
    });
    await ctx.close();
  });

  it('issue 13: after tapping a grade the send button is in view; a missing reason is said at the reasons, with focus there', async () => {
    const t = await mintTicket();
    const ctx = await browser.newContext(PHONE);
    const page = await ctx.newPage();
    await page.goto(t.url);
    const inView = async (selector: string) => {
      const box = await page.locator(selector).boundingBox();
      return !!box && box.y >= 0 && box.y + box.height <= PHONE.viewport.height;
    };
    await page.locator('label[for=g5]').click(); // a good rating: tap the grade…
    expect(await inView('.send button')).toBe(true); // …and the send button is already on screen
    await page.screenshot({ path: `${SHOTS}survey-good-360.png` });
    await page.locator('label[for=g1]').click();
    expect(await inView('.send button')).toBe(true);
    await page.screenshot({ path: `${SHOTS}survey-bad-360.png` });
    expect(await page.locator('#rmsg').isVisible()).toBe(false); // nothing said before it is needed
    await page.locator('.send button').click();
    await expect.poll(() => page.textContent('#rmsg')).toBe('请选择至少一个不满意的原因。');
    expect(await inView('#rmsg')).toBe(true);
    expect(await page.evaluate(() => document.scrollingElement?.scrollTop)).toBe(0); // only the questions scroll, above the bar
    expect(await page.evaluate(() => !!document.activeElement?.closest('fieldset.bad'))).toBe(true);
    expect(await page.getAttribute('#rmsg', 'role')).toBe('alert'); // said to screen readers
    expect(await page.textContent('#msg')).toBe(''); // not by the button, far from the reasons
    await page.screenshot({ path: `${SHOTS}survey-bad-noreason-360.png` });
    expect(await axeViolations(page)).toEqual([]);
    await page.getByText('态度生硬').click();
    expect(await page.textContent('#rmsg')).toBe(''); // a reason ticked: the message goes
    expect(await getRating(local.table, t.ticketId)).toBeUndefined(); // nothing was sent
    await page.goto(`${local.url}/r/thanks?lang=zh`);
    expect(await page.locator('.notice svg').count()).toBe(1); // the result page's icon is an inline SVG, not an emoji
    expect(await page.textContent('.notice')).not.toMatch(/\p{Extended_Pictographic}/u);
    await page.screenshot({ path: `${SHOTS}thanks-360.png` });
    await ctx.close();
  });

  it('keeps a rating made offline and sends it once when the network returns', async () => {
    const t = await mintTicket();
    const ctx = await browser.newContext(PHONE);
    const page = await ctx.newPage();
    await page.goto(t.url);
    await page.locator('label[for=g5]').click(); // 非常满意
    await ctx.setOffline(true);
    await page.getByRole('button', { name: '提交评价' }).click();
    await expect.poll(() => page.textContent('#msg')).toContain('网络不好');
    expect(await page.evaluate(() => JSON.parse(localStorage.getItem('st_pending') ?? '[]').length)).toBe(1);
    expect(await getRating(local.table, t.ticketId)).toBeUndefined();
    await ctx.setOffline(false);
    await page.waitForURL(/\/r\/thanks/, { timeout: 40_000 });
    expect(await page.evaluate(() => localStorage.getItem('st_pending'))).toBe('[]');
    expect((await getRating(local.table, t.ticketId))?.overall).toBe(5);
    await ctx.close();
  }, 60_000);

  it('meets WCAG 2.2 AA (axe-core: no serious or critical violations) on the survey, error, thanks and placard pages', async () => {
    const t = await mintTicket();
    const ctx = await browser.newContext(PHONE);
    const page = await ctx.newPage();
    await page.goto(t.url);
    expect(await axeViolations(page)).toEqual([]);
    await page.locator('label[for=g1]').click();
    expect(await axeViolations(page)).toEqual([]); // with the reasons and call-back shown
    await page.goto(`${t.url}?lang=en`);
    expect(await axeViolations(page)).toEqual([]);
    await page.goto(`${local.url}/r/thanks?lang=zh&bad=1`);
    expect(await axeViolations(page)).toEqual([]);
    await page.goto(`${t.url.slice(0, -3)}xyz`);
    expect(await axeViolations(page)).toEqual([]);
    await page.goto(local.demo.placardUrl);
    expect(await axeViolations(page)).toEqual([]);
    await page.screenshot({ path: `${SHOTS}placard.png`, fullPage: true });
    await ctx.close();
  });

  it('works with JavaScript off (plain form post) and in English', async () => {
    const t = await mintTicket();
    const ctx = await browser.newContext({ ...PHONE, javaScriptEnabled: false });
    const page = await ctx.newPage();
    await page.goto(t.url);
    await page.getByRole('link', { name: 'English' }).click();
    expect(await page.textContent('h1')).toContain('Please rate');
    await page.locator('label[for=g2]').click(); // Dissatisfied
    await page.getByRole('button', { name: 'Send rating' }).click();
    // no reason chosen: the form comes back with a kind message and the grade still chosen
    expect(await page.textContent('[role=alert]')).toContain('choose at least one reason');
    await page.getByText('Waited too long').first().click();
    await page.getByRole('button', { name: 'Send rating' }).click();
    await page.waitForURL(/thanks=1$/); // issue 9: the case page (was /r/thanks)
    expect(await page.textContent('h1')).toContain('Thank you');
    expect(await getRating(local.table, t.ticketId)).toMatchObject({ overall: 2, reasons: ['wait_long'], lang: 'en' });
    await ctx.close();
  });
});
