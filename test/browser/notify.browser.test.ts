/** Notification settings (phone) and webhook administration (laptop) in real Chromium: forms work, axe finds nothing serious. */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TLocalServer } from '../../shared/local/server.js';
import { getPrefs, listEndpoints } from '../../shared/storage/notify.js';
import { axeViolations, localWithChromium, PHONE, SHOTS } from '../support/browser.js';

let local: TLocalServer;
let browser: Browser;

let close: () => Promise<void>;

beforeAll(async () => {
  ({ local, browser, close } = await localWithChromium({ SEED_DAYS: '2', NOTIFY_EVERY_SECONDS: '0' }));
}, 90_000);
afterAll(() => close?.());

async function signIn(ctx: import('playwright-core').BrowserContext, who: RegExp) {
  const page = await ctx.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => m.type() === 'error' && !m.text().includes('404') && errors.push(m.text()));
  await page.goto(`${local.url}/signin`);
  await page.getByRole('button', { name: who }).click();
  await page.waitForLoadState();
  return { page, errors };
}

describe('notifications in Chromium', () => {
  it('a hall manager on a phone changes how they hear of new cases', async () => {
    const ctx = await browser.newContext(PHONE);
    const { page, errors } = await signIn(ctx, /赵敏/);
    await page.getByRole('link', { name: '通知', exact: true }).click();
    await page.waitForURL(/\/notifications/);
    expect(await page.textContent('h1')).toBe('通知设置');
    expect(await axeViolations(page)).toEqual([]);
    await page.screenshot({ path: `${SHOTS}notifications-phone.png`, fullPage: true });
    await page.getByLabel('新差评案件').selectOption('digest');
    await page.getByRole('button', { name: '保存' }).click();
    await page.waitForURL(/saved=1/);
    expect(await page.textContent('main')).toContain('已保存');
    expect(await getPrefs(local.table, 'u-mgr-gangkou')).toEqual({ lang: 'zh', modes: { 'case.opened': 'digest' } });
    expect(errors).toEqual([]);
    await ctx.close();
  }, 60_000);

  it('an administrator on a laptop registers a webhook and sees its secret once', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: 'zh-CN' });
    const { page, errors } = await signIn(ctx, /系统管理员/);
    await page.goto(`${local.url}/admin/webhooks`);
    expect(await axeViolations(page)).toEqual([]);
    await page.getByLabel('名称').fill('东湖区 12345 工单');
    await page.getByLabel('区域', { exact: true }).selectOption('r-east');
    await page.getByLabel('接收地址').fill('https://hooks.example.cn/12345');
    await page.getByLabel('格式').selectOption('dingtalk');
    await page.getByLabel('新差评案件').check();
    await page.getByLabel('案件已升级').check();
    await page.getByRole('button', { name: '添加' }).click();
    await page.waitForLoadState();
    const secret = await page.locator('p[role=status] code').textContent();
    expect(secret).toMatch(/^whsec_/);
    expect(await axeViolations(page)).toEqual([]);
    await page.screenshot({ path: `${SHOTS}webhooks-laptop.png`, fullPage: true });
    const [ep] = await listEndpoints(local.table);
    expect(ep).toMatchObject({ regionId: 'r-east', format: 'dingtalk', kinds: ['case.opened', 'case.escalated'] });
    await page.goto(`${local.url}/admin/webhooks`);
    expect(await page.textContent('main')).not.toContain(secret!);
    expect(errors).toEqual([]);
    await ctx.close();
  }, 60_000);
});
