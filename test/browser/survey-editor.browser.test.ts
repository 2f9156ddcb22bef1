/**
 * Issue 16's survey editor in real Chromium with JavaScript off (the form must work without it): an administrator
 * unticks a question, removes a tag, adds a tag and an extra question in blank rows and saves a version; a refusal
 * marks the field. Laptop 1366×768 screenshots; the saved version's preview at 360×740. axe-core clean.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NATIONAL_DEFAULT } from '../../shared/domain/survey.js';
import type { TLocalServer } from '../../shared/local/server.js';
import { listSurveyVersions } from '../../shared/storage/surveys.js';
import { axeViolations, localWithChromium, PHONE, SHOTS } from '../support/browser.js';

let local: TLocalServer;
let browser: Browser;

let close: () => Promise<void>;

beforeAll(async () => {
  ({ local, browser, close } = await localWithChromium({ SEED_DAYS: '2', RATE_LIMIT_PER_MINUTE: '100000' }));
}, 180_000);
afterAll(() => close?.());

describe('survey editor in Chromium', () => {
  it('an administrator edits the definition as a form, without JavaScript, and previews it on a phone', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: 'zh-CN', javaScriptEnabled: false });
    const page = await ctx.newPage();
    page.setDefaultTimeout(20_000);
    await page.goto(`${local.url}/signin`);
    await page.getByRole('button', { name: /系统管理员/ }).click();
    await page.waitForURL((u) => !u.pathname.startsWith('/signin'));
    const scope = 'H%23h-xs-qingshi';
    await page.goto(`${local.url}/admin/surveys?scope=${scope}`);
    expect(await page.locator('textarea#def').count()).toBe(0);
    await page.screenshot({ path: `${SHOTS}survey-editor-1366.png` });

    // a refusal first: a code with capitals stays in its field, marked, with the words beside it
    await page.fill('#tag-bad-0-code', 'Wait Long');
    await page.getByRole('button', { name: /保存为新版本/ }).click();
    await expect.poll(() => page.locator('#tag-bad-0-code').getAttribute('aria-invalid')).toBe('true');
    expect(await page.locator('#e-tag-bad-0-code').textContent()).toContain('原因代码须为');
    expect(await page.inputValue('#tag-bad-0-code')).toBe('Wait Long');
    await page.locator('#tag-bad-0-code').scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${SHOTS}survey-editor-error-1366.png` });
    expect(await listSurveyVersions(local.table, 'H#h-xs-qingshi')).toEqual([]);

    // then a real edit: the code put back, one tag removed, one added, a question unticked, an extra question
    await page.fill('#tag-bad-0-code', 'wait_long');
    await page.locator('input[name="tag-bad-1-del"]').check();
    const blank = await page.locator('input[name^="tag-bad-"][name$="-code"][value=""]').first().getAttribute('name');
    const row = blank!.replace(/-code$/, '');
    await page.fill(`[name="${row}-code"]`, 'c_invoice');
    await page.fill(`[name="${row}-zh"]`, '发票开不出');
    await page.fill(`[name="${row}-en"]`, 'No invoice');
    await page.locator('input[name="q-competence"]').uncheck();
    for (const [name, value] of [
      ['x-0-code', 'purpose'],
      ['x-0-zh', '您来办什么事？'],
      ['x-0-en', 'What did you come for?'],
      ['x-0-opt-0-code', 'tax'],
      ['x-0-opt-0-zh', '报税'],
      ['x-0-opt-0-en', 'Tax return'],
      ['x-0-opt-1-code', 'licence'],
      ['x-0-opt-1-zh', '办证'],
      ['x-0-opt-1-en', 'A licence'],
    ])
      await page.fill(`[name="${name}"]`, value);
    await page.getByRole('button', { name: /保存为新版本/ }).click();
    await page.waitForURL(/\/admin\/surveys\?scope=/);
    const [v] = await listSurveyVersions(local.table, 'H#h-xs-qingshi');
    expect(v.definition.questions.competence).toBe(false);
    expect(v.definition.tags.bad.map((t) => t.code)).toContain('c_invoice');
    expect(v.definition.tags.bad.map((t) => t.code)).not.toContain(NATIONAL_DEFAULT.tags.bad[1].code); // removed
    expect(v.definition.extra[0]).toMatchObject({ code: 'purpose', options: [{ code: 'tax' }, { code: 'licence' }] });
    expect(await page.inputValue('[name="x-0-zh"]')).toBe('您来办什么事？'); // the form now shows the saved version
    await ctx.close();

    // axe-core needs JavaScript: the same pages in a context that has it, the refusal included
    const laptop = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: 'zh-CN' });
    const a = await laptop.newPage();
    await a.goto(`${local.url}/signin`);
    await a.getByRole('button', { name: /系统管理员/ }).click();
    await a.waitForURL((u) => !u.pathname.startsWith('/signin'));
    await a.goto(`${local.url}/admin/surveys?scope=${scope}`);
    expect(await axeViolations(a)).toEqual([]);
    await a.screenshot({ path: `${SHOTS}survey-editor-saved-1366.png`, fullPage: true });
    await a.fill('#x-0-opt-1-code', '');
    await a.fill('#x-0-opt-1-zh', '');
    await a.fill('#x-0-opt-1-en', '');
    await a.fill('#intro-zh', '');
    await a.getByRole('button', { name: /保存为新版本/ }).click();
    await a.waitForSelector('#e-x-0-options');
    expect(await axeViolations(a)).toEqual([]);
    await a.locator('#x-0-code').scrollIntoViewIfNeeded();
    await a.screenshot({ path: `${SHOTS}survey-editor-error2-1366.png` });
    await laptop.close();

    // the version's preview on a phone
    const phone = await browser.newContext({ ...PHONE, locale: 'zh-CN' });
    const p = await phone.newPage();
    await p.goto(`${local.url}/signin`);
    await p.getByRole('button', { name: /系统管理员/ }).click();
    await p.waitForURL((u) => !u.pathname.startsWith('/signin'));
    await p.goto(`${local.url}/admin/surveys/preview?scope=${scope}&n=${v.n}`);
    expect(await p.textContent('body')).toContain('您来办什么事？');
    await p.screenshot({ path: `${SHOTS}survey-editor-preview-360.png`, fullPage: true });
    await phone.close();
  }, 120_000);
});
