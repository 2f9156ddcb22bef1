/**
 * The public hall page and the lobby board in real Chromium (issue 12): legible from 5 m at 1920×1080 (key numbers
 * ≥ 48 px, measured in the browser), no CSP violation, axe-core clean, and the board refreshing itself and keeping its
 * data through a network drop. Screenshots: the hall page on a phone (360×740) and the board on a TV (1920×1080).
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BOARD_SCRIPT } from '../../shared/http/pages/public.js';
import type { TLocalServer } from '../../shared/local/server.js';
import { axeViolations, localWithChromium, PHONE, SHOTS } from '../support/browser.js';

let local: TLocalServer;
let browser: Browser;
const TV = { viewport: { width: 1920, height: 1080 }, locale: 'zh-CN' } as const;

let close: () => Promise<void>;

beforeAll(async () => {
  ({ local, browser, close } = await localWithChromium({ SEED_DAYS: '12', HOST: '127.0.0.1' }, { score: true }));
}, 180_000);
afterAll(() => close?.());

const fontPx = (page: Page, selector: string) => page.$eval(selector, (el) => Number.parseFloat(getComputedStyle(el).fontSize));

function watch(page: Page): string[] {
  const errors: string[] = [];
  page.on(
    'console',
    (m) => m.type() === 'error' && !/ERR_INTERNET_DISCONNECTED|Failed to load resource/.test(m.text()) && errors.push(m.text()),
  );
  page.on('pageerror', (e) => errors.push(e.message));
  return errors;
}

/** A rating given now through the machine API and the resident API, so today's count on the board changes. */
async function rateNow(overall: number): Promise<void> {
  const auth = { authorization: `Bearer ${local.demo.apiKey}`, 'content-type': 'application/json' };
  const minted = await fetch(`${local.url}/api/v1/tickets`, { method: 'POST', headers: auth, body: JSON.stringify({ windowId: 'w1' }) });
  const { ticket } = (await minted.json()) as { ticket: string };
  const rated = await fetch(`${local.url}/api/v1/ratings`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ ticket, overall }),
  });
  expect(rated.status).toBe(201);
}

describe('the public hall page', () => {
  it('at 1920×1080: the temperature ≥ 48 px, the trend drawn without script, no CSP error, axe clean', async () => {
    const ctx = await browser.newContext(TV);
    const page = await ctx.newPage();
    const errors = watch(page);
    const res = await page.goto(`${local.url}/p/${local.demo.hallId}`);
    expect(res?.status()).toBe(200);
    expect(await page.textContent('h1')).toContain('东湖区');
    expect(await fontPx(page, '[data-figure="temperature"]')).toBeGreaterThanOrEqual(48);
    expect(await page.locator('svg[role="img"] polyline').count()).toBeGreaterThan(0);
    expect(await page.locator('script').count()).toBe(0);
    expect(await axeViolations(page)).toEqual([]);
    expect(errors).toEqual([]);
    await page.screenshot({ path: `${SHOTS}public-hall-1920.png` });
    await ctx.close();
  }, 60_000);

  it('on a phone (360×740): no sideways scrolling, axe clean', async () => {
    const ctx = await browser.newContext(PHONE);
    const page = await ctx.newPage();
    await page.goto(`${local.url}/p/${local.demo.hallId}`);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    expect(await axeViolations(page)).toEqual([]);
    await page.screenshot({ path: `${SHOTS}public-hall-phone.png` });
    await page.screenshot({ path: `${SHOTS}public-hall-phone-full.png`, fullPage: true });
    await page.goto(`${local.url}/p/regions/r-city`);
    expect(await axeViolations(page)).toEqual([]);
    await page.screenshot({ path: `${SHOTS}public-region-phone.png`, fullPage: true });
    await ctx.close();
  }, 60_000);
});

describe('the lobby board', () => {
  it('its script is plain ES5 (no arrow, let/const, template or class): an old TV browser runs it', () => {
    expect(BOARD_SCRIPT).not.toMatch(/=>|\blet\s|\bconst\s|`|\bclass\s|\?\.|\.\.\./);
  });

  it('at 1920×1080: key numbers ≥ 48 px; refreshes each minute; keeps its data through a network drop', async () => {
    const ctx = await browser.newContext(TV);
    const page = await ctx.newPage();
    const errors = watch(page);
    await page.clock.install();
    await page.goto(`${local.url}/p/${local.demo.hallId}/board`);
    for (const id of ['#today', '#temp', '#bad', '#band']) expect(await fontPx(page, id), id).toBeGreaterThanOrEqual(48);
    expect(await axeViolations(page)).toEqual([]);
    await page.screenshot({ path: `${SHOTS}public-board-1920.png` });
    const before = Number(await page.textContent('#today'));

    // a resident rates now: the next refresh shows it, without reloading the page
    await rateNow(5);
    await page.clock.runFor(60_000);
    await page.waitForFunction((n) => Number(document.getElementById('today')?.textContent) === n, before + 1);
    expect(await page.getAttribute('body', 'class')).not.toContain('stale');

    // the network drops: the last data stays, marked quietly stale with its time
    await ctx.setOffline(true);
    await rateNow(4);
    await page.clock.runFor(60_000);
    await page.waitForFunction(() => document.body.className.indexOf('stale') >= 0);
    expect(Number(await page.textContent('#today'))).toBe(before + 1);
    expect(await page.textContent('#upd')).toMatch(/^更新于 \d\d:\d\d$/);
    expect(await page.textContent('#temp')).not.toBe('');
    await page.screenshot({ path: `${SHOTS}public-board-offline.png` });

    // back online: it catches up on its own
    await ctx.setOffline(false);
    await page.clock.runFor(60_000);
    await page.waitForFunction((n) => Number(document.getElementById('today')?.textContent) === n, before + 2);
    expect(await page.getAttribute('body', 'class')).not.toContain('stale');
    expect(errors).toEqual([]);
    await ctx.close();
  }, 90_000);

  it('without JavaScript it still shows everything and reloads itself by a meta refresh', async () => {
    const ctx = await browser.newContext({ ...TV, javaScriptEnabled: false });
    const page = await ctx.newPage();
    await page.goto(`${local.url}/p/${local.demo.hallId}/board`);
    expect(await page.textContent('#today')).toMatch(/^\d+$/);
    expect(await page.locator('#replies li').first().isVisible()).toBe(true);
    expect(await page.content()).toContain('<meta http-equiv="refresh" content="60">');
    await ctx.close();
  }, 30_000);
});
