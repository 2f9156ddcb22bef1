/** The staff dashboard in real Chromium: demo sign-in, scoped pages, language switch, accessibility. */
import { mkdirSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocal, type TLocalServer } from '../../shared/local/server.js';
import { axeViolations, launchChromium } from '../support/browser.js';

let local: TLocalServer;
let browser: Browser;
const shots = new URL('../.tmp/', import.meta.url).pathname;

beforeAll(async () => {
  mkdirSync(shots, { recursive: true });
  local = await startLocal({ DATA_DIR: ':memory:', PORT: '0', SEED_DAYS: '5', LOG_LEVEL: 'SILENT' });
  await local.scoreNow();
  browser = await launchChromium();
}, 90_000);
afterAll(async () => {
  await browser?.close();
  await local?.close();
});

describe('dashboard in Chromium', () => {
  it('a district supervisor signs in, sees only their district, opens a hall, switches language, signs out', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN' });
    const page = await ctx.newPage();
    const errors: string[] = [];
    page.on('console', (m) => m.type() === 'error' && !m.text().includes('404') && errors.push(m.text()));
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${local.url}/`);
    await page.locator('main').getByRole('link', { name: '登录' }).click();
    await page.getByRole('button', { name: /陈静/ }).click();
    await page.waitForURL(/\/regions\/r-west/);
    expect(await page.textContent('h1')).toContain('西山区');
    const body = await page.textContent('main');
    expect(body).toContain('西山区青石镇便民服务中心');
    expect(body).not.toContain('东湖区'); // another district's halls never appear
    expect(await axeViolations(page)).toEqual([]);
    await page.screenshot({ path: `${shots}region.png`, fullPage: true });
    await page.getByRole('link', { name: '西山区青石镇便民服务中心' }).first().click();
    await page.waitForURL(/\/halls\/h-xs-qingshi/);
    expect(await page.textContent('main')).toContain('服务温度');
    await page.waitForSelector('#trend-chart canvas'); // the trend chart drew (uPlot from the app's own assets)
    await page.locator('#trend-chart').screenshot({ path: `${shots}trend-chart.png` });
    expect(errors).toEqual([]); // no CSP violation, no script error
    expect(await axeViolations(page)).toEqual([]);
    await page.screenshot({ path: `${shots}hall.png`, fullPage: true });
    await page.getByRole('link', { name: 'English' }).click();
    expect(await page.textContent('main')).toContain('Temperature');
    // another district's hall is refused
    const other = await page.goto(`${local.url}/halls/h-dh-center`);
    expect(other?.status()).toBe(404);
    await page.goto(`${local.url}/halls/h-xs-qingshi`);
    await page.getByRole('button', { name: '退出' }).click();
    await page.waitForURL(`${local.url}/`);
    expect((await page.goto(`${local.url}/halls/h-xs-qingshi`))?.url()).toContain('/signin');
    await ctx.close();
  }, 60_000);
});
