/** The staff dashboard in real Chromium: demo sign-in, scoped pages, language switch, accessibility. */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TLocalServer } from '../../shared/local/server.js';
import { axeViolations, localWithChromium, SHOTS } from '../support/browser.js';
import { listUsers } from '../../shared/storage/users.js';
import { listHalls, listRegions } from '../../shared/storage/catalogue.js';
import { listRatingsForHallDay } from '../../shared/storage/ratings.js';

let local: TLocalServer;
let browser: Browser;

let close: () => Promise<void>;

beforeAll(async () => {
  ({ local, browser, close } = await localWithChromium({ SEED_DAYS: '5' }, { score: true }));
}, 90_000);
afterAll(() => close?.());

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
    // the league table sorts by a column from the keyboard
    const league = page.locator('table.sortable').last();
    const names = () => league.locator('tbody tr td:nth-child(2)').allTextContents();
    const before = await names();
    await league.getByRole('button', { name: '服务温度' }).focus();
    await page.keyboard.press('Enter');
    expect(await league.locator('th[aria-sort]').getAttribute('aria-sort')).toBe('ascending');
    expect(await names()).toEqual([...before].reverse()); // ranked high→low on the server; now low→high
    await page.screenshot({ path: `${SHOTS}region.png`, fullPage: true });
    await page.getByRole('link', { name: '西山区青石镇便民服务中心' }).first().click();
    await page.waitForURL(/\/halls\/h-xs-qingshi/);
    expect(await page.textContent('main')).toContain('服务温度');
    await page.waitForSelector('#trend-chart canvas'); // the trend chart drew (uPlot from the app's own assets)
    await page.locator('#trend-chart').screenshot({ path: `${SHOTS}trend-chart.png` });
    expect(errors).toEqual([]); // no CSP violation, no script error
    expect(await axeViolations(page)).toEqual([]);
    await page.screenshot({ path: `${SHOTS}hall.png`, fullPage: true });
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

describe('dashboard for every demo user', () => {
  it('signs in as each demo user and lands on exactly their units', async () => {
    const users = await listUsers(local.table);
    const halls = await listHalls(local.table);
    const regions = await listRegions(local.table);
    expect(users.map((u) => u.role).sort()).toEqual(['admin', 'manager', 'manager', 'supervisor', 'supervisor']);
    for (const user of users) {
      const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN' });
      const page = await ctx.newPage();
      await page.goto(`${local.url}/signin`);
      await page.getByRole('button', { name: new RegExp(user.name) }).click();
      await page.waitForLoadState('domcontentloaded');
      const main = (await page.textContent('main')) ?? '';
      if (user.role === 'manager') {
        expect(page.url()).toContain(`/halls/${user.scope}`);
        const mine = halls.find((h) => h.id === user.scope)!;
        expect(main).toContain(mine.name);
        for (const h of halls.filter((x) => x.id !== user.scope)) expect(main, `${user.id} sees ${h.id}`).not.toContain(h.name);
      } else {
        const regionId = user.role === 'admin' ? regions.find((r) => !r.parentId)!.id : user.scope;
        expect(page.url()).toContain(`/regions/${regionId}`);
        expect(main).toContain(regions.find((r) => r.id === regionId)!.name);
      }
      await ctx.close();
    }
  }, 90_000);

  it('reads the hall temperature npm run report gives, downloads its CSV, and print-previews the placards', async () => {
    const { hallReport } = await import('../../shared/scoring/report.js');
    const report = (await hallReport(local.table, 'h-xs-qingshi'))!;
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN', acceptDownloads: true });
    const page = await ctx.newPage();
    await page.goto(`${local.url}/signin`);
    await page.getByRole('button', { name: /刘海波/ }).click();
    await page.waitForURL(/\/halls\/h-xs-qingshi/);
    expect(await page.textContent('.big')).toBe(report.temperature.toFixed(1));
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: /导出近30天评价/ }).click()]);
    const csv = await new Promise<string>((resolve, reject) => {
      download.createReadStream().then((s) => {
        const parts: Buffer[] = [];
        s.on('data', (d: Buffer) => parts.push(d));
        s.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
        s.on('error', reject);
      }, reject);
    });
    const lines = csv
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\n');
    expect(lines[0]).toBe(
      'id,time,day,window,service,channel,overall,attitude,efficiency,competence,trips,done,reasons,flagged,survey_version,extra',
    );
    let stored = 0;
    for (let d = report.date, i = 0; i < 30; i++, d = new Date(Date.parse(`${d}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10))
      stored += (await listRatingsForHallDay(local.table, 'h-xs-qingshi', d)).length;
    expect(lines.length - 1).toBe(stored);
    await page.getByRole('link', { name: /打印窗口评价牌/ }).click();
    await page.waitForURL(/placards/);
    await page.emulateMedia({ media: 'print' });
    expect(await page.locator('header').isVisible()).toBe(false); // print CSS hides the page chrome
    expect(await page.locator('section.placard svg').count()).toBeGreaterThan(0);
    await page.screenshot({ path: `${SHOTS}placards-print.png`, fullPage: true });
    await ctx.close();
  }, 60_000);
});

describe('administration in Chromium', () => {
  const title =
    'the administrator walks the region tree, a hall, the staff list and a refused form; no serious accessibility violation anywhere';
  it(title, async () => {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN' });
    const page = await ctx.newPage();
    const errors: string[] = [];
    // The refused form is answered 400 on purpose; any other console error (a CSP violation) counts.
    page.on('console', (m) => m.type() === 'error' && !/status of 40[04]/.test(m.text()) && errors.push(m.text()));
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${local.url}/signin`);
    await page.getByRole('button', { name: /系统管理员/ }).click();
    await page.waitForURL(/\/regions\//);
    await page.locator('header').getByRole('link', { name: '管理' }).click();
    await page.waitForURL(/\/admin\/regions/);
    expect(await axeViolations(page)).toEqual([]);
    await page.screenshot({ path: `${SHOTS}admin-regions.png`, fullPage: true });
    // a refused form: the message next to the field, what was typed kept, and still accessible
    await page.locator('#region-id').fill('坏 编号');
    await page.locator('#region-name').fill('湖滨街道');
    await page.locator('#region-parentId').selectOption('r-east');
    await page.locator('#region-level').selectOption('street');
    await page.getByRole('button', { name: '新增区域' }).click();
    await page.waitForLoadState('domcontentloaded');
    expect(await page.locator('#region-id-err').textContent()).toContain('编号只能用');
    expect(await page.locator('#region-name').inputValue()).toBe('湖滨街道');
    expect(await page.locator('#region-id').getAttribute('aria-invalid')).toBe('true');
    expect(await axeViolations(page)).toEqual([]);
    await page.screenshot({ path: `${SHOTS}admin-refused.png`, fullPage: true });
    await page.locator('#region-id').fill('r-hubin');
    await page.getByRole('button', { name: '新增区域' }).click();
    await page.waitForURL(/\/admin\/regions\/r-hubin/);
    expect(await page.textContent('[role=status]')).toContain('已保存');
    expect(await axeViolations(page)).toEqual([]);
    await page.goto(`${local.url}/admin/regions`);
    await page.getByRole('link', { name: '西山区青石镇便民服务中心' }).click();
    await page.waitForURL(/\/admin\/halls\/h-xs-qingshi/);
    expect(await axeViolations(page)).toEqual([]);
    await page.screenshot({ path: `${SHOTS}admin-hall.png`, fullPage: true });
    for (const path of [
      '/admin/users',
      '/admin/users/u-sup-west',
      '/admin/regions/r-west',
      '/admin/halls/h-xs-qingshi/keys',
      '/admin/users?lang=en',
    ]) {
      await page.goto(`${local.url}${path}`);
      expect(await axeViolations(page), path).toEqual([]);
    }
    await page.screenshot({ path: `${SHOTS}admin-users.png`, fullPage: true });
    expect(errors).toEqual([]); // no CSP violation
    await ctx.close();
  }, 60_000);
});
