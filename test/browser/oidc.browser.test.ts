/**
 * Staff sign-in through a real OpenID Connect provider in Chromium: the local server configured with OIDC_*
 * (as on AWS with Cognito), the provider's own login page, back to the dashboard on the right units, and sign-out
 * ending the provider's session too.
 */
import { createServer } from 'node:net';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocal, type TLocalServer } from '../../shared/local/server.js';
import { axeViolations, launchChromium } from '../support/browser.js';
import { startTestIdp, type TTestIdp } from '../support/idp.js';

let local: TLocalServer;
let idp: TTestIdp;
let browser: Browser;

const freePort = () =>
  new Promise<number>((ok) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => ok(port));
    });
  });

beforeAll(async () => {
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  idp = await startTestIdp({ redirectUris: [`${origin}/auth/callback`], postLogoutRedirectUris: [`${origin}/`] });
  idp.accounts.set('zhao', { email: 'zhao.min@qingchuan.example', email_verified: true, name: '赵敏' });
  idp.accounts.set('visitor', { email: 'visitor@elsewhere.example', email_verified: true });
  local = await startLocal({
    DATA_DIR: ':memory:',
    HOST: '127.0.0.1',
    PORT: String(port),
    PUBLIC_BASE_URL: origin,
    SEED_DAYS: '3',
    LOG_LEVEL: 'SILENT',
    OIDC_ISSUER: idp.issuer,
    OIDC_CLIENT_ID: idp.clientId,
  });
  await local.scoreNow();
  browser = await launchChromium();
}, 90_000);
afterAll(async () => {
  await browser?.close();
  await local?.close();
  await idp?.close();
});

describe('OIDC sign-in in Chromium', () => {
  it('a hall manager signs in at the provider, lands on their hall, and signing out also ends the provider session', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN' });
    const page = await ctx.newPage();
    await page.goto(`${local.url}/halls/h-dh-gangkou`); // signed out: to the sign-in page, remembering where
    await page.waitForURL(/\/signin\?/);
    expect(await axeViolations(page)).toEqual([]);
    await page.getByRole('link', { name: '使用统一身份认证登录' }).click();
    await page.waitForURL((u) => u.origin === idp.issuer);
    await page.fill('input[name=login]', 'zhao');
    await page.fill('input[name=password]', 'any');
    await page.click('button[type=submit]');
    await page.waitForURL(/\/halls\/h-dh-gangkou/);
    expect(await page.textContent('header')).toContain('赵敏');
    expect(await page.textContent('main')).toContain('服务温度');

    await page.getByRole('button', { name: '退出' }).click();
    await page.waitForURL((u) => u.origin === idp.issuer); // the provider asks to confirm
    await page.getByRole('button', { name: 'Yes, sign me out' }).click();
    await page.waitForURL(`${local.url}/`);
    expect((await page.goto(`${local.url}/halls/h-dh-gangkou`))?.url()).toContain('/signin');
    // The provider forgot the session too: signing in again asks for the login again.
    await page.getByRole('link', { name: '使用统一身份认证登录' }).click();
    await page.waitForURL((u) => u.origin === idp.issuer);
    expect(await page.locator('input[name=login]').count()).toBe(1);
    await ctx.close();
  }, 60_000);

  it('an identity without a staff account is told so plainly, and gets no session', async () => {
    const ctx = await browser.newContext({ locale: 'zh-CN' });
    const page = await ctx.newPage();
    await page.goto(`${local.url}/signin?lang=zh`);
    await page.getByRole('link', { name: '使用统一身份认证登录' }).click();
    await page.fill('input[name=login]', 'visitor');
    await page.fill('input[name=password]', 'any');
    await page.click('button[type=submit]');
    await page.waitForURL(/\/auth\/callback/);
    expect(await page.getByRole('alert').textContent()).toContain('还没有开通工作人员账号');
    expect(await axeViolations(page)).toEqual([]);
    expect((await ctx.request.get(`${local.url}/api/v1/me`)).status()).toBe(401);
    await ctx.close();
  }, 60_000);
});
