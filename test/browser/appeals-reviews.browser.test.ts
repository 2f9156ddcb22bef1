/**
 * Appeals and the suspicious-rating review in real Chromium (issue 10), on a server with a test clock: a resident
 * rates bad → the hall's manager appeals → the district supervisor finds it on /reviews and upholds it → after the
 * re-score the hall's temperature equals the one computed without that rating, and the resident's case page says the
 * outcome (never the evidence). Then a flood the night flagged is cleared as one group from /reviews and the figures
 * move back. axe-core on the new pages; screenshots at 1366×768 and 360×740 under test/.tmp/.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { V, addRating, zeroVector } from '../../shared/domain/aggregate.js';
import { unitFigures } from '../../shared/domain/figures.js';
import type { parseKeyring } from '../../shared/domain/keyring.js';
import type { THall, TRating } from '../../shared/domain/model.js';
import { signTicket } from '../../shared/domain/tokens.js';
import { buildDashboardAssets } from '../../shared/local/assets.js';
import { scoreHallsDay } from '../../shared/scoring/job.js';
import { getHallCatalogue, listHalls } from '../../shared/storage/catalogue.js';
import type { TTable } from '../../shared/storage/db.js';
import { bulkPutRatings, getRating } from '../../shared/storage/ratings.js';
import { listReviewGroups } from '../../shared/storage/reviews.js';
import { PHONE, axeViolations, launchChromium } from '../support/browser.js';
import { demoWorld, serveOnLoopback, stopEngines, type TDemoWorld } from '../support/harness.js';

const shots = new URL('../.tmp/', import.meta.url).pathname;
const DESK = { viewport: { width: 1366, height: 768 }, locale: 'zh-CN' } as const;
const HALL = 'h-xs-qingshi';
const DAY = '2026-12-01';
/** Tuesday 1 Dec 2026, 10:00 in Shanghai. */
const clock = { now: Date.parse('2026-12-01T02:00:00Z') };

let browser: Browser;
let server: Awaited<ReturnType<typeof serveOnLoopback>>;
let app: TDemoWorld['app'];
let url: string;
let repo: TTable;
let keyring: ReturnType<typeof parseKeyring>;
let windowId: string;
let hall: THall;

beforeAll(async () => {
  mkdirSync(shots, { recursive: true });
  const assets = await buildDashboardAssets();
  ({
    table: repo,
    keyring,
    app,
  } = await demoWorld({
    prefix: 'appeals-b',
    today: DAY,
    apiKey: 'st_appeals_browser_key',
    clock,
    assets,
    env: { RATE_LIMIT_PER_MINUTE: '100000' },
  }));
  server = await serveOnLoopback(app);
  url = server.url;
  windowId = (await getHallCatalogue(repo, HALL))!.windows[0].id;
  hall = (await listHalls(repo)).find((h) => h.id === HALL)!;
  browser = await launchChromium();
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await server?.close();
  await stopEngines();
});

/** The hall's day, scored (its decayed counts). */
const scored = async () => (await scoreHallsDay({ table: repo }, [hall], DAY)).snapshots.get(HALL)!.hall;

async function signIn(ctx: BrowserContext, name: RegExp): Promise<Page> {
  const page = await ctx.newPage();
  await page.goto(`${url}/signin`);
  await page.getByRole('button', { name }).click();
  await page.waitForLoadState();
  return page;
}
const shot = (page: Page, name: string) => page.screenshot({ path: `${shots}${name}.png`, fullPage: true });

describe('appeals and the review, in Chromium', () => {
  it('a manager appeals, the supervisor upholds: the temperature after re-scoring equals the one without that rating', async () => {
    const resident = await browser.newContext(PHONE);
    const rp = await resident.newPage();
    const ticketId = `T${randomBytes(6).toString('hex')}`;
    const token = signTicket(keyring, { ticketId, hallId: HALL, windowId, issuedAt: Math.floor(clock.now / 1000) * 1000 });
    await rp.goto(`${url}/r/${token}`);
    await rp.locator('label[for=g1]').click();
    await rp.getByText('态度生硬').click();
    await rp.getByRole('button', { name: '提交评价' }).click();
    await rp.waitForURL(/thanks=1$/);
    const caseUrl = rp.url();
    const counted = await scored(); // with the bad rating
    const rating = (await getRating(repo, ticketId))!;

    const mgr = await signIn(await browser.newContext(DESK), /刘海波/);
    await mgr.goto(`${url}/cases/${ticketId}`);
    await mgr.getByText('申诉（恶意或误评）').click();
    await mgr.getByText('误评（评错了窗口或事项）').click();
    await mgr.getByLabel('证据说明').fill('群众评价的是不动产登记，本窗口只办社保');
    await mgr.getByLabel('参考编号（选填）').fill('录像 09:52');
    await mgr.getByRole('button', { name: '提交申诉' }).click();
    await mgr.waitForURL(/saved=1/);
    expect(await mgr.textContent('main')).toContain('申诉中');

    await rp.goto(caseUrl);
    expect(await rp.textContent('main')).toContain('大厅申请上级复核这条评价');
    expect(await rp.textContent('main')).not.toContain('不动产登记');

    const sup = await signIn(await browser.newContext(DESK), /陈静/);
    await sup.goto(`${url}/reviews`);
    expect(await sup.textContent('main')).toContain('待裁决的申诉');
    expect(await axeViolations(sup)).toEqual([]);
    await shot(sup, 'reviews-appeals');
    await sup.getByRole('link', { name: ticketId }).click();
    await sup.waitForURL(new RegExp(`/cases/${ticketId}`));
    expect(await sup.textContent('main')).toContain('裁决期限');
    await sup.getByText('申诉成立（该评价不计分）').click();
    await sup.getByLabel('裁决理由').fill('窗口与事项不符，证据充分');
    await sup.getByRole('button', { name: '提交', exact: true }).click();
    await sup.waitForURL(/saved=1/);

    const upheld = await scored();
    const without = counted.decayed.map((x, i) => x - addRating(zeroVector(), rating)[i]);
    for (let i = 0; i < V.issued; i++) expect(upheld.decayed[i]).toBeCloseTo(without[i], 5);
    expect(unitFigures(upheld.decayed, undefined).temperature).toBeCloseTo(unitFigures(without, undefined).temperature, 6);
    expect(unitFigures(upheld.decayed, undefined).temperature).toBeGreaterThan(unitFigures(counted.decayed, undefined).temperature);

    await rp.goto(caseUrl);
    expect(await rp.textContent('main')).toContain('经上级复核，这条评价不计入大厅的评分。');
    expect(await rp.textContent('main')).not.toContain('窗口与事项不符');
    await shot(rp, 'resident-case-upheld');
  });

  it('a supervisor clears a flagged group from /reviews and the figures move back', async () => {
    const flood: TRating[] = Array.from({ length: 20 }, (_, i) => ({
      ratingId: `fl${String(i).padStart(3, '0')}`,
      channel: 'placard',
      hallId: HALL,
      windowId,
      createdAt: new Date(Date.parse(`${DAY}T01:00:00Z`) + i * 5000).toISOString(),
      day: DAY,
      overall: 1,
      reasons: ['rude'],
      comment: `第${i}条`,
      deviceHash: `fresh${i}`,
    }));
    await bulkPutRatings(repo, flood);
    const flagged = await scored();
    expect((await listReviewGroups(repo, HALL)).map((g) => [g.rule, g.ratingIds.length])).toEqual([['burst', 20]]);

    const sup = await signIn(await browser.newContext(DESK), /陈静/);
    await sup.goto(`${url}/reviews`);
    expect(await sup.textContent('main')).toContain('同一窗口短时集中评价');
    await shot(sup, 'reviews-flagged');
    await sup.getByRole('link', { name: '查看' }).click();
    await sup.waitForURL(/\/reviews\/h-xs-qingshi\//);
    expect(await axeViolations(sup)).toEqual([]);
    await shot(sup, 'reviews-group');
    await sup.getByRole('button', { name: '全部清除（计入）' }).click();
    await sup.waitForURL(/saved=20/);
    expect(await sup.textContent('main')).toContain('已记录 20 条评价的审核结果');

    const cleared = await scored();
    expect(cleared.today![V.grades]).toBe((flagged.today?.[V.grades] ?? 0) + 20);

    const phone = await browser.newContext({ ...PHONE });
    const small = await signIn(phone, /陈静/);
    await small.goto(`${url}/reviews`);
    await shot(small, 'reviews-phone');
  });
});
