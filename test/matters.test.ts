/**
 * The link channel end to end over the real app and table: a business system registers a finished matter
 * (POST /api/v1/matters), a resident finds it at /rate by its number (and phone digits) and rates it through the
 * ordinary survey: one matter, one rating, channel `link`; guessing is throttled; wrong and unknown look the same.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GUESS_LIMITS } from '../shared/domain/matters.js';
import { hashApiKey, newApiKey } from '../shared/domain/privacy.js';
import { putApiKey } from '../shared/storage/api-keys.js';
import { putHall, putRegion, putService } from '../shared/storage/catalogue.js';
import { getRating } from '../shared/storage/ratings.js';
import { getIssuedCount } from '../shared/storage/tickets.js';
import { json, stopEngines, world, type TWorld } from './support/harness.js';

let w: TWorld;
let otherKey: string;
beforeAll(async () => {
  w = await world();
  await putRegion(w.table, { id: 'r-top', name: '测试市', nameEn: 'Test City', level: 'city' });
  await putRegion(w.table, { id: 'r-test', name: '测试区', nameEn: 'Test District', parentId: 'r-top', level: 'district' });
  await putHall(w.table, { id: 'h-other', name: '另一个大厅', regionId: 'r-test', timezone: 'Asia/Shanghai' });
  await putService(w.table, { hallId: 'h-other', id: 's9', name: '其他事项' });
  otherKey = newApiKey();
  await putApiKey(w.table, hashApiKey(otherKey), { hallId: 'h-other', label: 'other', createdAt: new Date().toISOString() });
});
afterAll(stopEngines);

const register = (body: Record<string, unknown>, key = w.apiKey) =>
  w.app.request('/api/v1/matters', json(body, { authorization: `Bearer ${key}` }));

let ip = 0;
/** Each call is a different client unless `client` is given (the per-client limit is its own test). */
const lookup = (fields: Record<string, string>, client = `10.0.0.${++ip}`) =>
  w.app.request('/rate', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': `ua-${client}` },
    body: new URLSearchParams({ lang: 'zh', ...fields }).toString(),
  });

const survey = async (res: Response) => {
  expect(res.status).toBe(303);
  const url = res.headers.get('location')!;
  expect(url).toMatch(/^\/r\/L\./);
  return decodeURIComponent(url.slice(3).split('?')[0]);
};

describe('POST /api/v1/matters', () => {
  it('registers a matter once: the same request again is the same answer and is counted once', async () => {
    const before = await getIssuedCount(w.table, 'h-test', '2026-11-20');
    const a = await register({ matterNo: 'WS2026-0001', serviceId: 's1' });
    expect(a.status).toBe(201);
    const first = await a.json();
    expect(first.rateUrl).toBe('https://rate.example.test/rate?hall=h-test');
    expect(Date.parse(first.expiresAt) - Date.parse(first.registeredAt)).toBe(7 * 24 * 3600 * 1000);
    const b = await register({ matterNo: 'WS2026-0001', serviceId: 's1' });
    expect(b.status).toBe(200);
    expect(await b.json()).toEqual(first);
    expect(await getIssuedCount(w.table, 'h-test', '2026-11-20')).toBe(before + 1);
  });

  it('refuses the same number with other details, an unknown service or window, and a bad body; nothing is stored', async () => {
    await register({ matterNo: 'WS2026-0002', serviceId: 's1', phoneLast4: '1234' });
    const conflict = await register({ matterNo: 'WS2026-0002', serviceId: 's2', phoneLast4: '1234' });
    expect(conflict.status).toBe(409);
    expect((await conflict.json()).type).toBe('/problems/matter-conflict');
    expect((await register({ matterNo: 'WS2026-0003', serviceId: 'nope' })).status).toBe(422);
    expect((await register({ matterNo: 'WS2026-0003', serviceId: 's1', windowId: 'w9' })).status).toBe(422);
    const bad = await register({ matterNo: 'x', serviceId: 's1', phoneLast4: '12' });
    expect(bad.status).toBe(422);
    expect((await bad.json()).errors.map((e: { path: string }) => e.path).sort()).toEqual(['matterNo', 'phoneLast4']);
    expect((await lookup({ hall: 'h-test', no: 'WS2026-0003' })).status).toBe(404);
  });

  it('needs a hall key, and a key registers for its own hall only', async () => {
    const res = await w.app.request('/api/v1/matters', json({ matterNo: 'WS2026-0004', serviceId: 's1' }));
    expect(res.status).toBe(401);
    // The other hall's key: s1 is not its service, and the matter would be its hall's anyway.
    expect((await register({ matterNo: 'WS2026-0004', serviceId: 's1' }, otherKey)).status).toBe(422);
    expect((await register({ matterNo: 'WS2026-0004', serviceId: 's9' }, otherKey)).status).toBe(201);
    expect((await lookup({ hall: 'h-test', no: 'WS2026-0004' })).status).toBe(404);
    await survey(await lookup({ hall: 'h-other', no: 'WS2026-0004' }));
  });
});

describe('/rate', () => {
  it('walks the region tree a level at a time to the hall, or opens on the hall named in the link', async () => {
    const before = w.table.itemsRead;
    const top = await (await w.app.request('/rate')).text();
    expect(w.table.itemsRead - before, 'the top level only: one region').toBe(1);
    expect(top).toContain('href="/rate?lang=zh&amp;region=r-top"');
    expect(top).not.toContain('h-test');
    const city = await (await w.app.request('/rate?region=r-top')).text();
    expect(city).toContain('测试市');
    expect(city).toContain('href="/rate?lang=zh&amp;region=r-test"');
    const district = await (await w.app.request('/rate?region=r-test&lang=en')).text();
    expect(district).toContain('<a class="hall" href="/rate?lang=en&amp;hall=h-test">Test Service Centre</a>');
    expect(district).toContain('另一个大厅'); // no English name: the Chinese one
    expect(district).toContain('href="/rate?lang=en&amp;region=r-top"'); // up one level
    expect(district).not.toContain('name="no"');
    const one = await w.app.request('/rate?hall=h-test&lang=en');
    expect(one.status).toBe(200);
    const text = await one.text();
    expect(text).toContain('Test Service Centre');
    expect(text).toContain('name="no"');
    expect(text).toContain('href="/rate?lang=en&amp;region=r-test"'); // choose another hall: its district
    // An unknown or malformed region or hall: the top level, never an error page.
    for (const q of ['region=r-nope', 'region=%3Cx%3E', 'hall=h-nope'])
      expect(await (await w.app.request(`/rate?${q}`)).text()).toContain('region=r-top');
  });

  it('rates a matter by its number like a ticket: channel link, one rating per matter', async () => {
    await register({ matterNo: 'WS2026-0100', serviceId: 's2', windowId: 'w2' });
    const token = await survey(await lookup({ hall: 'h-test', no: ' ws2026-0100 ' })); // case and spaces do not matter
    const page = await w.app.request(`/r/${token}`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('测试政务服务中心');
    const rated = await w.app.request('/api/v1/ratings', json({ ticket: token, overall: 5, submissionId: 'sub-link-0001' }));
    expect(rated.status).toBe(201);
    const { ratingId } = await rated.json();
    const stored = (await getRating(w.table, ratingId))!;
    expect(stored).toMatchObject({ channel: 'link', hallId: 'h-test', windowId: 'w2', serviceId: 's2', day: '2026-11-20' });
    // The same matter found again (another device) leads to the same rating: it cannot be rated twice.
    const again = await survey(await lookup({ hall: 'h-test', no: 'WS2026-0100' }));
    const twice = await w.app.request('/api/v1/ratings', json({ ticket: again, overall: 1, reasons: ['rude'] }));
    expect(twice.status).toBe(409);
    expect((await w.app.request(`/r/${again}`)).status).toBe(200); // "already rated" notice, not the survey
    expect(await (await w.app.request(`/r/${again}`)).text()).not.toContain('name="overall"');
  });

  it('a matter without a window is rated under the hall; a bad rating opens its case with the link', async () => {
    await register({ matterNo: 'TEL-77', serviceId: 's1' });
    const token = await survey(await lookup({ hall: 'h-test', no: 'tel-77' }));
    const form = new URLSearchParams({ overall: '2', reasons: 'wait_long', submissionId: 'sub-link-0002', lang: 'zh' });
    const res = await w.app.request(`/r/${token}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form.toString(),
    });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toMatch(/^\/c\/C\./);
    const id = (await w.app.request(`/r/${token}/case`)).headers.get('location')!;
    expect(id).toMatch(/^\/c\/C\./);
  });

  it('asks for the phone digits when the matter was registered with them; wrong and unknown look the same', async () => {
    await register({ matterNo: 'WS2026-0200', serviceId: 's1', phoneLast4: '8866' });
    const wrong = await lookup({ hall: 'h-test', no: 'WS2026-0200', p4: '1111' });
    const none = await lookup({ hall: 'h-test', no: 'WS2026-0200' });
    const unknown = await lookup({ hall: 'h-test', no: 'WS2026-9999', p4: '8866' });
    const bodies = await Promise.all([wrong, none, unknown].map(async (r) => [r.status, (await r.text()).replace(/nonce="[^"]*"/g, '')]));
    expect(bodies.map(([s]) => s)).toEqual([404, 404, 404]);
    const msg = (b: unknown) => /class="err"[^>]*>([^<]*)</.exec(String(b))![1];
    expect(new Set(bodies.map(([, b]) => msg(b))).size).toBe(1);
    await survey(await lookup({ hall: 'h-test', no: 'WS2026-0200', p4: '8866' }));
  });

  it('throttles one client after a few tries, and a hall after many failed ones, even for the right number', async () => {
    await register({ matterNo: 'WS2026-0300', serviceId: 's1' });
    const client = '10.9.9.9';
    for (let i = 0; i < GUESS_LIMITS.client; i++) expect((await lookup({ hall: 'h-test', no: `GUESS-${i}` }, client)).status).toBe(404);
    const blocked = await lookup({ hall: 'h-test', no: 'WS2026-0300' }, client);
    expect(blocked.status).toBe(429);
    expect(await blocked.text()).toContain('请稍后再试');
    await survey(await lookup({ hall: 'h-test', no: 'WS2026-0300' })); // another client is not blocked
    w.clock.now += GUESS_LIMITS.clientWindowMs;
    await survey(await lookup({ hall: 'h-test', no: 'WS2026-0300' }, client)); // the next quarter hour, the client may try again

    // A hall under a distributed guess: after its failures limit, even the right number waits for the next hour.
    const hourStart = Math.ceil(w.clock.now / GUESS_LIMITS.hallWindowMs) * GUESS_LIMITS.hallWindowMs;
    w.clock.now = hourStart;
    await register({ matterNo: 'WS2026-0301', serviceId: 's1' });
    for (let i = 0; i < GUESS_LIMITS.hallFailures; i++) await lookup({ hall: 'h-test', no: `SPRAY-${i}` });
    expect((await lookup({ hall: 'h-test', no: 'WS2026-0301' })).status).toBe(429);
    await survey(await lookup({ hall: 'h-other', no: 'WS2026-0004' })); // other halls are untouched
    w.clock.now = hourStart + GUESS_LIMITS.hallWindowMs;
    await survey(await lookup({ hall: 'h-test', no: 'WS2026-0301' }));
  });

  it('refuses an empty form kindly, and a matter past its 7 rating days like an expired ticket', async () => {
    expect((await lookup({ hall: '', no: '' })).status).toBe(422);
    await register({ matterNo: 'WS2026-0400', serviceId: 's1' });
    w.clock.now += 8 * 24 * 3600 * 1000;
    expect((await lookup({ hall: 'h-test', no: 'WS2026-0400' })).status).toBe(404);
  });
});
