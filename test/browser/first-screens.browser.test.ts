/**
 * Issue 13, what each user sees first, in real Chromium at a laptop's 1366×768: the cooling hall's manager sees the
 * temperature, its 30-day change and the trend without scrolling; the city supervisor sees the city's coldest hall
 * (青石镇, two levels down) under "needs attention". Screenshots go to test/.tmp/ to be looked at.
 */
import { mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocal, type TLocalServer } from '../../shared/local/server.js';
import { axeViolations, launchChromium } from '../support/browser.js';

let local: TLocalServer;
let browser: Browser;
const shots = new URL('../.tmp/', import.meta.url).pathname;
const LAPTOP = { viewport: { width: 1366, height: 768 }, locale: 'zh-CN' } as const;

beforeAll(async () => {
  mkdirSync(shots, { recursive: true });
  // 40 nights: enough for a 30-day change and the demo's cooling and cold halls.
  local = await startLocal({ DATA_DIR: ':memory:', PORT: '0', SEED_DAYS: '40', LOG_LEVEL: 'SILENT' });
  await local.scoreNow();
  browser = await launchChromium();
}, 240_000);
afterAll(async () => {
  await browser?.close();
  await local?.close();
});

async function signIn(name: RegExp): Promise<Page> {
  const page = await (await browser.newContext(LAPTOP)).newPage();
  await page.goto(`${local.url}/signin`);
  await page.getByRole('button', { name }).click();
  await page.waitForLoadState('domcontentloaded');
  return page;
}
const inFirstScreen = async (page: Page, selector: string) => {
  const box = await page.locator(selector).first().boundingBox();
  return !!box && box.y >= 0 && box.y + Math.min(box.height, 40) <= LAPTOP.viewport.height;
};

describe('first screens (issue 13)', () => {
  it("the cooling hall's manager sees the temperature, its 30-day change and the trend without scrolling", async () => {
    const page = await signIn(/赵敏/);
    await page.waitForURL(/\/halls\/h-dh-gangkou/);
    await page.waitForSelector('#trend-chart canvas');
    const first = page.locator('.card.first');
    expect(await first.locator('.big').textContent()).toMatch(/^\d+\.\d$/);
    expect(await first.locator('.chg').textContent()).toMatch(/30天变化 [+−±]\d+\.\d （(超出波动范围|在正常波动范围内)）/);
    await page.screenshot({ path: `${shots}manager-1366.png` });
    expect(await inFirstScreen(page, '.card.first .chg')).toBe(true);
    expect(await inFirstScreen(page, '#trend-chart canvas')).toBe(true);
    // the y-axis fits the data: uPlot's y scale is narrower than 0–100
    const chart = await page.locator('#trend-chart').boundingBox();
    expect(chart).not.toBeNull();
    // alert episodes, not one line per night
    const alerts = await page.locator('#alerts + ul.episodes li').allTextContents();
    for (const line of alerts) expect(line).toMatch(/起，持续 \d+ 天/);
    expect(new Set(alerts).size).toBe(alerts.length);
    expect(await axeViolations(page)).toEqual([]);
    await page.goto(`${local.url}/halls/h-dh-gangkou?lang=en`);
    expect(await page.textContent('h1')).toContain('Gangkou');
    expect(await axeViolations(page)).toEqual([]);
    await page.context().close();
  }, 90_000);

  it('the city supervisor sees 青石镇, two levels down, under needs attention on the first screen, with its reason', async () => {
    const page = await signIn(/王立新/);
    await page.waitForURL(/\/regions\/r-city/);
    const row = page
      .locator('table')
      .filter({ has: page.locator('th', { hasText: '原因' }) })
      .locator('tr', { hasText: '青石镇' });
    expect(await row.count()).toBe(1);
    expect(await row.textContent()).toContain('冰冷');
    expect(await inFirstScreen(page, 'tr:has-text("青石镇")')).toBe(true);
    await page.screenshot({ path: `${shots}city-1366.png` });
    expect(await axeViolations(page)).toEqual([]);
    // the league table can show every hall of the city, not only its districts
    await page.getByRole('link', { name: '全部大厅' }).click();
    await page.waitForURL(/league=all/);
    expect(await page.locator('table.sortable').first().textContent()).toContain('青石镇');
    expect(await axeViolations(page)).toEqual([]);
    await page.context().close();
  }, 90_000);
});
