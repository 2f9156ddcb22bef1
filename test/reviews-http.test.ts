/**
 * The suspicious-rating review through app.request() on dynalite (issue 10): a flood the night flagged is one group
 * on /reviews; every review route walked by every role (404 outside scope or for a hall manager, 403 for an
 * administrator's decision — and nothing written); a supervisor's clear is audited, survives the re-score and puts
 * the ratings back in the figures; a per-rating confirm takes one out again.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { V, zeroVector } from '../shared/domain/aggregate.js';
import type { parseKeyring } from '../shared/domain/keyring.js';
import type { TRating } from '../shared/domain/model.js';
import type { createApp } from '../shared/http/app.js';
import { runNight, scoreHallsDay } from '../shared/scoring/job.js';
import { listAudit } from '../shared/storage/audit.js';
import { getHallCatalogue, listHalls } from '../shared/storage/catalogue.js';
import type { TTable } from '../shared/storage/db.js';
import { listDirty } from '../shared/storage/late-marks.js';
import { bulkPutRatings, getRating } from '../shared/storage/ratings.js';
import { listReviewGroups } from '../shared/storage/reviews.js';
import { putUser } from '../shared/storage/users.js';
import { signTicket } from '../shared/domain/tokens.js';
import { demoSignIn, demoWorld, json, stopEngines } from './support/harness.js';

let app: ReturnType<typeof createApp>;
let repo: TTable;
const clock = { now: Date.parse('2026-11-30T02:00:00Z') };
const cookies = new Map<string, string>();
const DAY = '2026-11-29';
const HALL = 'h-xs-qingshi';
const USERS = ['u-admin', 'u-sup-city', 'u-sup-west', 'u-sup-east', 'u-mgr-qingshi', 'u-mgr-gangkou'] as const;
let flood: TRating[];
let groupPath: string;
let keyring: ReturnType<typeof parseKeyring>;

const score = async () => {
  const hall = (await listHalls(repo)).find((h) => h.id === HALL)!;
  return (await scoreHallsDay({ table: repo }, [hall], DAY)).snapshots.get(HALL)!.hall.today ?? zeroVector();
};

beforeAll(async () => {
  ({
    app,
    table: repo,
    keyring,
  } = await demoWorld({
    prefix: 'reviews',
    today: '2026-11-30',
    apiKey: 'st_reviews_test_key_1',
    clock,
    env: { PUBLIC_BASE_URL: 'https://rate.example.test' },
  }));
  await putUser(repo, { id: 'u-sup-east', name: '东湖督导', role: 'supervisor', scope: 'r-east', email: 'east@qingchuan.example' });
  for (const u of USERS) cookies.set(u, await demoSignIn(app, u));
  const windowId = (await getHallCatalogue(repo, HALL))!.windows[0].id;
  flood = Array.from({ length: 30 }, (_, i) => ({
    ratingId: `flood${String(i).padStart(3, '0')}`,
    channel: 'placard' as const,
    hallId: HALL,
    windowId,
    createdAt: new Date(Date.parse(`${DAY}T03:00:00Z`) + i * 4000).toISOString(),
    day: DAY,
    overall: 1 + (i % 2),
    reasons: ['rude'],
    deviceHash: `fresh${i}`,
  }));
  await bulkPutRatings(repo, flood);
  await score();
}, 180_000);
afterAll(stopEngines);

const as = (user: string, init: RequestInit = {}) => ({
  ...init,
  headers: { ...(init.headers as Record<string, string>), cookie: `st_session=${cookies.get(user)}` },
});
const csrfOf = async (user: string) => /name="_csrf" value="([^"]+)"/.exec(await (await app.request('/cases', as(user))).text())![1];
const post = async (user: string, path: string, fields: Record<string, string> = {}) =>
  app.request(
    path,
    as(user, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: await csrfOf(user), ...fields }).toString(),
    }),
  );
/** What a decision would change: the ratings' decisions, the group's summary, the audit trail, the dirty marks. */
const written = async () => ({
  decisions: (await Promise.all(flood.map((r) => getRating(repo, r.ratingId)))).map((r) => r?.decision?.review ?? null),
  group: (await listReviewGroups(repo, HALL))[0].dec,
  audit: (await listAudit(repo, { from: '2026-11-01', to: '2026-12-31' })).length,
});

describe('the review of suspicious ratings', () => {
  it('lists the flood as one group with its evidence, to the supervisors of the hall only', async () => {
    const groups = await listReviewGroups(repo, HALL);
    expect(groups.map((g) => [g.rule, g.ratingIds.length])).toEqual([['burst', 30]]);
    groupPath = `/reviews/${HALL}/${DAY}/${encodeURIComponent(groups[0].key)}`;
    const page = await (await app.request('/reviews?lang=zh', as('u-sup-west'))).text();
    expect(page).toContain('同一窗口短时集中评价');
    expect(page).toContain('10分钟峰值');
    expect(page).toContain('全部清除（计入）');
    expect(await (await app.request('/reviews', as('u-sup-city'))).text()).toContain('同一窗口短时集中评价');
    expect(await (await app.request('/reviews', as('u-sup-east'))).text()).not.toContain('同一窗口短时集中评价');
    const groupPage = await (await app.request(`${groupPath}?lang=en`, as('u-sup-west'))).text();
    expect(groupPage).toContain('Waiting (left out)');
    expect(groupPage.match(/name="ratingId"/g)?.length).toBe(60); // confirm and clear per rating
  });

  it('walks every review route as every role: 404 outside scope or for a manager, 403 for an admin decision, nothing written', async () => {
    const before = await written();
    const routes = [
      ['GET', `/reviews?hallId=${HALL}`],
      ['GET', groupPath],
      ['POST', `${groupPath}/clear`],
      ['POST', `${groupPath}/confirm`],
    ] as const;
    const expected: Record<string, [number, number]> = {
      'u-sup-east': [404, 404],
      'u-mgr-qingshi': [404, 404],
      'u-mgr-gangkou': [404, 404],
      'u-admin': [200, 403],
    };
    for (const [user, [read, decide]] of Object.entries(expected))
      for (const [method, path] of routes) {
        const res = method === 'GET' ? await app.request(path, as(user)) : await post(user, path, { ratingId: flood[0].ratingId });
        expect(res.status, `${user} ${method} ${path}`).toBe(method === 'GET' ? read : decide);
      }
    // a decision without the form's token, and on a group of another hall's path
    const noToken = await app.request(`${groupPath}/clear`, as('u-sup-west', { method: 'POST', body: new URLSearchParams({}) }));
    expect(noToken.status).toBe(403);
    expect((await post('u-sup-west', `/reviews/h-dh-center/${DAY}/${encodeURIComponent('burst:x:y')}/clear`)).status).toBe(404);
    expect((await post('u-sup-west', `${groupPath}/clear`, { ratingId: 'not-in-group' })).status).toBe(404);
    expect(await written()).toEqual(before);
  });

  it('a supervisor clears the group: audited, the day marked, the figures move back, and the decision survives the re-score', async () => {
    const before = await score();
    const excluded = before.slice(V.grades, V.grades + 5);
    const res = await post('u-sup-west', `${groupPath}/clear`, { back: groupPath });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`${groupPath}?lang=zh&saved=30`);
    const audit = await listAudit(repo, { from: '2026-11-01', to: '2026-12-31' });
    expect(audit.filter((a) => a.kind === 'review.cleared')).toHaveLength(1);
    expect((await listDirty(repo)).some((m) => m.hallId === HALL && m.day === DAY)).toBe(true);
    const after = await score();
    expect(after[V.grades]).toBe(excluded[0] + 15);
    expect(after[V.grades + 1]).toBe(excluded[1] + 15);
    const r0 = await getRating(repo, flood[0].ratingId);
    expect(r0?.flags).toEqual(['burst']); // the job's flag stays …
    expect(r0?.decision?.review).toBe('cleared'); // … and the person's decision survives the re-score
    expect(Object.keys((await listReviewGroups(repo, HALL))[0].dec)).toEqual(['*']);

    clock.now += 60_000;
    expect((await post('u-sup-west', `${groupPath}/confirm`, { ratingId: flood[0].ratingId, back: groupPath })).status).toBe(303);
    const again = await score();
    expect(again[V.grades]).toBe(excluded[0] + 14);
    const page = await (await app.request(`${groupPath}?lang=en`, as('u-sup-west'))).text();
    expect(page.match(/Confirmed \(left out\)/g)?.length).toBe(1);
    expect(page.match(/Cleared \(counted\)/g)?.length).toBe(29);
  });
});

describe('appeals waiting for a supervisor', () => {
  it('lists a filed appeal with its decision deadline on /reviews and shows it overdue once past it', async () => {
    const windowId = (await getHallCatalogue(repo, HALL))!.windows[0].id;
    const ticketId = `t${randomBytes(8).toString('hex')}`;
    const ticket = signTicket(keyring, { ticketId, hallId: HALL, windowId, issuedAt: Math.floor(clock.now / 1000) * 1000 });
    expect((await app.request('/api/v1/ratings', json({ ticket, overall: 1, reasons: ['rude'] }))).status).toBe(201);
    const casePage = await (await app.request(`/cases/${ticketId}`, as('u-mgr-qingshi'))).text();
    const csrf = /name="_csrf" value="([^"]+)"/.exec(casePage)![1];
    const version = /name="version" value="(\d+)"/.exec(casePage)![1];
    const filed = await app.request(
      `/cases/${ticketId}/appeal`,
      as('u-mgr-qingshi', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          _csrf: csrf,
          version,
          kind: 'mistaken',
          evidence: '评价的是另一大厅的事项',
          reference: '录像 10:05',
        }).toString(),
      }),
    );
    expect(filed.status).toBe(303);
    const list = await (await app.request('/reviews', as('u-sup-west'))).text();
    expect(list).toContain('待裁决的申诉');
    expect(list).toContain(`/cases/${ticketId}`);
    expect(list).not.toContain('已超过裁决期限');
    expect(await (await app.request('/reviews', as('u-sup-east'))).text()).not.toContain(`/cases/${ticketId}`);
    clock.now += 10 * 86_400_000; // past 5 working days
    cookies.set('u-sup-west', await demoSignIn(app, 'u-sup-west')); // a new day's session
    const later = await (await app.request('/reviews', as('u-sup-west'))).text();
    expect(later).toContain('1 件申诉已超过裁决期限');
    const decide = await (await app.request(`/cases/${ticketId}`, as('u-sup-west'))).text();
    expect(decide).toContain('裁决期限');
    expect(decide).toContain('录像 10:05');
    expect(decide).toMatch(/裁决期限 [^<]+ <span class="tag overdue">/);
  });
});

describe('pressure at the window (诱导好评)', () => {
  it("lists a hall whose ratings at the window are far better than later ones on its region's page, as a signal", async () => {
    const day = '2026-11-28';
    const windowId = (await getHallCatalogue(repo, HALL))!.windows[1].id;
    const ticketRating = (i: number, lag: number, good: boolean): TRating => ({
      ratingId: `pr${i}`,
      ticketId: `pr${i}`,
      channel: 'ticket',
      hallId: HALL,
      windowId,
      createdAt: new Date(Date.parse(`${day}T01:00:00Z`) + i * 5 * 60_000).toISOString(),
      day,
      overall: good ? 5 : 2,
      ...(good ? {} : { reasons: ['rude'] }),
      lag,
    });
    const early = Array.from({ length: 60 }, (_, i) => ticketRating(i, 90, i < 59));
    const late = Array.from({ length: 40 }, (_, i) => ticketRating(100 + i, 7200, i < 24));
    await bulkPutRatings(repo, [...early, ...late]);
    await runNight({ table: repo }, day);
    cookies.set('u-sup-west', await demoSignIn(app, 'u-sup-west'));
    const page = await (await app.request('/regions/r-west?lang=zh', as('u-sup-west'))).text();
    expect(page).toContain('评价时的窗口压力（诱导好评信号）');
    expect(page).toMatch(/需要关注（当场好评率远高于事后，且高于本区域典型差距）：[^<]*青石/);
    expect(page).toContain('不是结论');
  });
});
