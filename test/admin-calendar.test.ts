/**
 * /admin/calendar through app.request() on dynalite: an administrator adds and removes a region's closures and extra
 * working days and sets its deadlines, each with one audit entry; a closure on the city reaches a hall below it (a new
 * case's deadline moves); refusals are 400 with a bilingual reason and write nothing; anyone else gets the 404.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { calendarCoverage } from '../shared/domain/calendar.js';
import type { createApp } from '../shared/http/app.js';
import { CAL_ERRORS } from '../shared/http/routes/staff/calendar.js';
import { listAudit } from '../shared/storage/audit.js';
import { loadCalendarItems } from '../shared/storage/calendar.js';
import { getCase } from '../shared/storage/cases.js';
import { getHallCatalogue } from '../shared/storage/catalogue.js';
import type { TTable } from '../shared/storage/db.js';
import { demoWorld, json, staffSession, stopEngines } from './support/harness.js';

const today = '2026-11-22';
const HALL = 'h-dh-center'; // in r-east, below r-city
const API_KEY = 'st_admin_calendar_key_01';
let app: ReturnType<typeof createApp>;
let table: TTable;
const clock = { now: Date.parse(`${today}T02:00:00Z`) };
const sessions = new Map<string, { cookie: string; csrf: string }>();

const get = (path: string, as = 'u-admin') => app.request(path, { headers: { cookie: sessions.get(as)!.cookie } });
const post = (path: string, body: Record<string, string>, as = 'u-admin') =>
  app.request(path, {
    method: 'POST',
    headers: { cookie: sessions.get(as)!.cookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ _csrf: sessions.get(as)!.csrf, ...body }).toString(),
  });
const audit = () => listAudit(table, { from: today, to: today });
const written = async () => ({ items: await loadCalendarItems(table), audit: (await audit()).length });

/** A bad rating at the hall now; its case's contact deadline. */
async function badRatingContactDue(): Promise<string> {
  const cat = (await getHallCatalogue(table, HALL))!;
  const auth = { authorization: `Bearer ${API_KEY}` };
  const t = await app.request('/api/v1/tickets', json({ windowId: cat.windows[0].id, serviceId: cat.services[0].id }, auth));
  expect(t.status).toBe(201);
  const { ticket, ticketId } = (await t.json()) as { ticket: string; ticketId: string };
  const res = await app.request('/api/v1/ratings', json({ ticket, overall: 1, reasons: ['rude'] }));
  expect(res.status).toBe(201);
  return (await getCase(table, ticketId))!.case.contactDue;
}

beforeAll(async () => {
  ({ table, app } = await demoWorld({
    prefix: 'admin-cal',
    today: today,
    apiKey: API_KEY,
    clock,
    days: 1,
    env: { PUBLIC_BASE_URL: 'https://rate.example.test' },
  }));
  for (const id of ['u-admin', 'u-sup-city']) sessions.set(id, await staffSession(app, id, '/regions/r-city'));
}, 120_000);
afterAll(stopEngines);

describe('/admin/calendar', () => {
  it('shows each region, the deadlines, a bilingual warning for a year without the official schedule; linked from admin', async () => {
    const res = await get('/admin/calendar?region=r-east');
    expect(res.status).toBe(200);
    const page = await res.text();
    expect(page).toContain('工作日历与处理期限');
    const next = calendarCoverage(2027);
    expect(next.official).toBe(false);
    expect(page).toContain(next.zh);
    expect(page).toContain(next.en);
    expect(page).not.toContain(calendarCoverage(2026).zh);
    for (const f of ['contactDays', 'rectifyDays', 'escalateDays', 'appealDays']) expect(page).toContain(`name="${f}"`);
    expect(page).toContain('沿用 15'); // rectify: the default, inherited
    expect(await (await get('/admin/regions')).text()).toContain('href="/admin/calendar?lang=zh"');
    expect(await (await get('/admin/calendar?lang=en')).text()).toContain('Working calendar and deadlines');
  });

  it("a closure on the city reaches a hall below it: a new case's contact deadline moves a day; removing it undoes that", async () => {
    const before = await badRatingContactDue();
    const res = await post('/admin/calendar/overrides', { regionId: 'r-city', day: '2026-11-23', kind: 'closed', note: '停电检修' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/admin/calendar?region=r-city&lang=zh&saved=1');
    const entries = (await audit()).filter((e) => e.kind === 'calendar.override');
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ actor: 'u-admin', unit: { type: 'region', id: 'r-city' }, targetId: '2026-11-23', to: 'closed' });
    const after = await badRatingContactDue();
    expect(Date.parse(after) - Date.parse(before)).toBe(86_400_000);
    // The district's page lists it as inherited; the city's own page lists it with a remove button.
    expect(await (await get('/admin/calendar?region=r-east')).text()).toContain('停电检修');
    expect(await (await get('/admin/calendar?region=r-city')).text()).toContain('删除 2026-11-23');

    expect((await post('/admin/calendar/overrides/remove', { regionId: 'r-city', day: '2026-11-23' })).status).toBe(303);
    expect((await loadCalendarItems(table)).overrides).toEqual([]);
    const removed = (await audit()).filter((e) => e.kind === 'calendar.override');
    expect(removed).toHaveLength(2);
    expect(removed.some((e) => e.to === 'none')).toBe(true);
    expect(await badRatingContactDue()).toBe(before);
  });

  it('an extra working day and the deadlines (blank = inherit), each with its audit entry', async () => {
    const n = (await audit()).length;
    const body = { regionId: 'r-east', day: '2026-11-28', kind: 'open', note: '调休上班' };
    expect((await post('/admin/calendar/overrides', body)).status).toBe(303);
    const res = await post('/admin/calendar/deadlines', { regionId: 'r-east', contactDays: '2', rectifyDays: '', escalateDays: '3' });
    expect(res.status).toBe(303);
    const items = await loadCalendarItems(table);
    expect(items.overrides).toEqual([{ regionId: 'r-east', day: '2026-11-28', kind: 'open', note: '调休上班' }]);
    expect(items.settings).toEqual([{ regionId: 'r-east', contactDays: 2, escalateDays: 3 }]);
    expect((await audit()).map((e) => e.kind).slice(n)).toEqual(['calendar.override', 'calendar.deadlines']);
    expect(await (await get('/admin/calendar?region=r-east')).text()).toContain('value="2"');
  });

  it('refusals are 400 with their own bilingual reason and write nothing', async () => {
    const cases: [string, Record<string, string>, keyof typeof CAL_ERRORS][] = [
      ['/admin/calendar/overrides', { regionId: 'r-east', day: '2026-02-31', kind: 'closed', note: '' }, 'badDay'],
      ['/admin/calendar/overrides', { regionId: 'r-east', day: 'tomorrow', kind: 'closed', note: '' }, 'badDay'],
      ['/admin/calendar/overrides', { regionId: 'r-nope', day: '2026-12-01', kind: 'closed', note: '' }, 'unknownRegion'],
      ['/admin/calendar/overrides', { regionId: 'r-east', day: '2026-12-01', kind: 'maybe', note: '' }, 'badKind'],
      ['/admin/calendar/overrides', { regionId: 'r-east', day: '2026-12-01', kind: 'closed', note: '电话13812341234' }, 'badNote'],
      ['/admin/calendar/overrides/remove', { regionId: 'r-east', day: '2026-12-02' }, 'noOverride'],
      ['/admin/calendar/overrides/remove', { regionId: 'r-nope', day: '2026-11-28' }, 'unknownRegion'],
      ['/admin/calendar/deadlines', { regionId: 'r-east', contactDays: '0' }, 'badDeadline'],
      ['/admin/calendar/deadlines', { regionId: 'r-east', rectifyDays: '1.5' }, 'badDeadline'],
      ['/admin/calendar/deadlines', { regionId: 'r-nope', contactDays: '2' }, 'unknownRegion'],
    ];
    for (const [path, body, error] of cases) {
      const before = await written();
      const res = await post(path, body);
      const page = await res.text();
      expect(res.status, `${path} ${JSON.stringify(body)}`).toBe(400);
      expect(page, error).toContain(CAL_ERRORS[error].zh);
      expect(page, error).toContain(CAL_ERRORS[error].en.replace(/"/g, '&quot;'));
      expect(await written(), `${path} wrote nothing`).toEqual(before);
    }
  });

  it('anyone but an administrator gets the 404 and writes nothing; a post without the CSRF token is refused', async () => {
    const before = await written();
    expect((await get('/admin/calendar', 'u-sup-city')).status).toBe(404);
    const body = { regionId: 'r-city', day: '2026-12-01', kind: 'closed', note: 'x' };
    expect((await post('/admin/calendar/overrides', body, 'u-sup-city')).status).toBe(404);
    expect((await post('/admin/calendar/deadlines', { regionId: 'r-city', contactDays: '3' }, 'u-sup-city')).status).toBe(404);
    const noToken = await app.request('/admin/calendar/overrides', {
      method: 'POST',
      headers: { cookie: sessions.get('u-admin')!.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(body).toString(),
    });
    expect(noToken.status).toBe(403);
    expect(await written()).toEqual(before);
  });
});
