/**
 * Issue 16 in real Chromium: the monthly report on a laptop and in print preview (A4, no table wider than the
 * page), and the link channel's /rate on a phone, from a registered matter to the survey. axe-core clean.
 */
import { writeFileSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TLocalServer } from '../../shared/local/server.js';
import { lastCompletedRun } from '../../shared/storage/scores.js';
import { getRating } from '../../shared/storage/ratings.js';
import { axeViolations, localWithChromium, PHONE, SHOTS } from '../support/browser.js';
import { NATIONAL_DEFAULT } from '../../shared/domain/survey.js';
import { saveSurveyVersion } from '../../shared/storage/survey-writes.js';

let local: TLocalServer;
let browser: Browser;

let close: () => Promise<void>;

beforeAll(async () => {
  ({ local, browser, close } = await localWithChromium({ SEED_DAYS: '20', RATE_LIMIT_PER_MINUTE: '100000' }, { score: true }));
}, 180_000);
afterAll(() => close?.());

describe('monthly report in Chromium', () => {
  it('a supervisor reads a hall and a region month on a laptop and prints it on A4 without a clipped table', async () => {
    const month = (await lastCompletedRun(local.table))!.slice(0, 7);
    const ctx = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: 'zh-CN' });
    const page = await ctx.newPage();
    const errors: string[] = [];
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${local.url}/signin`);
    await page.getByRole('button', { name: /陈静/ }).click();
    await page.waitForURL(/\/regions\/r-west/);
    for (const unit of ['h-xs-qingshi', 'r-west']) {
      const res = await page.goto(`${local.url}/reports/${unit}/${month}`);
      expect(res?.status()).toBe(200);
      expect(await page.textContent('h1')).toContain('服务温度月报');
      expect(await page.locator('svg.chart').count()).toBeGreaterThanOrEqual(2);
      expect(await axeViolations(page)).toEqual([]);
      await page.screenshot({ path: `${SHOTS}report-${unit}-1366.png`, fullPage: true });

      // Print preview: A4's printable width at 96 dpi (210 mm − 2 × 12 mm margins ≈ 703 px).
      await page.emulateMedia({ media: 'print' });
      await page.setViewportSize({ width: 703, height: 1000 });
      const overflow = await page.evaluate(() =>
        Array.from(document.querySelectorAll('main table, main svg.chart'))
          .map((el) => ({
            tag: el.tagName,
            right: Math.ceil(el.getBoundingClientRect().right),
            width: document.documentElement.clientWidth,
          }))
          .filter((x) => x.right > x.width),
      );
      expect(overflow).toEqual([]);
      expect(await page.locator('header').isVisible()).toBe(false); // the staff navigation is not printed
      await page.screenshot({ path: `${SHOTS}report-${unit}-print.png`, fullPage: true });
      const pdf = await page.pdf({ format: 'A4', printBackground: true });
      writeFileSync(`${SHOTS}report-${unit}.pdf`, pdf);
      const pages = (pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g) ?? []).length;
      expect(pages).toBeGreaterThanOrEqual(1);
      expect(pages).toBeLessThanOrEqual(4);
      await page.emulateMedia({ media: 'screen' });
      await page.setViewportSize({ width: 1366, height: 768 });
    }
    expect(errors).toEqual([]);
    await ctx.close();
  }, 120_000);
});

describe('/rate in Chromium (phone)', () => {
  it('a resident finds a registered matter by its number and phone digits and rates it, channel link', async () => {
    const reg = await fetch(`${local.url}/api/v1/matters`, {
      method: 'POST',
      headers: { authorization: `Bearer ${local.demo.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ matterNo: 'YW-2026-000123', serviceId: 's1', phoneLast4: '5678' }),
    });
    expect(reg.status).toBe(201);
    const { rateUrl } = await reg.json();
    const ctx = await browser.newContext(PHONE);
    const page = await ctx.newPage();
    const errors: string[] = [];
    // the "not found" answer is a kind page with status 404, which Chromium logs as a failed load
    page.on('console', (m) => m.type() === 'error' && !m.text().includes('404') && errors.push(m.text()));
    page.on('pageerror', (e) => errors.push(e.message));
    // Without a link the resident walks the region tree to the hall, a level at a time, with big targets.
    await page.goto(`${local.url}/rate`);
    await page.getByRole('link', { name: /青川市/ }).click();
    expect(await axeViolations(page)).toEqual([]);
    await page.screenshot({ path: `${SHOTS}rate-360-areas.png`, fullPage: true });
    const box = await page
      .getByRole('link', { name: /西山区/ })
      .first()
      .boundingBox();
    expect(box!.height).toBeGreaterThanOrEqual(44);
    await page.goto(`${local.url}${new URL(rateUrl).pathname}${new URL(rateUrl).search}`);
    expect(await axeViolations(page)).toEqual([]);
    await page.screenshot({ path: `${SHOTS}rate-360.png`, fullPage: true });
    await page.getByLabel('办件编号').fill('YW-2026-000123');
    await page.getByLabel(/手机号后四位/).fill('1111');
    await page.getByRole('button', { name: '开始评价' }).click();
    await expect.poll(() => page.locator('.err').textContent()).toContain('没有找到这件事项');
    expect(await axeViolations(page)).toEqual([]);
    await page.screenshot({ path: `${SHOTS}rate-360-notfound.png`, fullPage: true });
    await page.getByLabel(/手机号后四位/).fill('5678');
    await page.getByRole('button', { name: '开始评价' }).click();
    await page.waitForURL(/\/r\/L\./);
    const ratingId = decodeURIComponent(new URL(page.url()).pathname).split('.')[2]; // L.<kid>.<ratingId>.…
    await page.screenshot({ path: `${SHOTS}rate-360-survey.png`, fullPage: true });
    await page.locator('label[for=g5]').click();
    await page.getByRole('button', { name: '提交评价' }).click();
    await page.waitForURL(/\/r\/thanks/);
    expect(await getRating(local.table, ratingId)).toMatchObject({ channel: 'link', overall: 5, serviceId: 's1' });
    expect(errors).toEqual([]);
    await ctx.close();
  }, 60_000);
});

describe('survey definition preview in Chromium (phone)', () => {
  it("an administrator previews a saved version as the resident's 360×740 page before publishing", async () => {
    const def = {
      ...NATIONAL_DEFAULT,
      tags: {
        ...NATIONAL_DEFAULT.tags,
        bad: [{ code: 'c_invoice', zh: '发票开不出来', en: 'Could not get the invoice' }, ...NATIONAL_DEFAULT.tags.bad],
      },
      extra: [
        {
          code: 'learned',
          zh: '您从哪里了解办理流程？',
          en: 'Where did you learn the steps?',
          options: [
            { code: 'web', zh: '网上', en: 'Online' },
            { code: 'staff', zh: '工作人员', en: 'Staff' },
            { code: 'friend', zh: '亲友', en: 'Friends' },
          ],
        },
      ],
    };
    const v = await saveSurveyVersion(local.table, 'H#h-dh-center', def, 'u-admin', new Date().toISOString());
    const ctx = await browser.newContext(PHONE);
    const page = await ctx.newPage();
    await page.goto(`${local.url}/signin`);
    await page.getByRole('button', { name: /系统管理员/ }).click();
    await page.waitForURL((u) => !u.pathname.startsWith('/signin'));
    const res = await page.goto(`${local.url}/admin/surveys/preview?scope=H%23h-dh-center&n=${v.n}`);
    expect(res?.status()).toBe(200);
    await page.locator('label[for=g1]').click(); // a bad grade shows the bad tags, the hall's own first
    expect(await page.locator('.tags.bad').textContent()).toContain('发票开不出来');
    expect(await page.getByText('您从哪里了解办理流程？').isVisible()).toBe(true);
    expect(await axeViolations(page)).toEqual([]);
    await page.screenshot({ path: `${SHOTS}survey-preview-360.png`, fullPage: true });
    await ctx.close();
  }, 60_000);
});
