import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signTicket } from '../shared/domain/tokens.js';
import { json, stopEngines, world, type TWorld } from './support/harness.js';
import { putRegion } from '../shared/storage/catalogue.js';
import { getIssuedCount } from '../shared/storage/tickets.js';
import { getRating } from '../shared/storage/ratings.js';

let w: TWorld;
beforeAll(async () => {
  w = await world();
});
afterAll(stopEngines);

async function mint(body: Record<string, unknown> = { windowId: 'w1', serviceId: 's1' }) {
  const res = await w.app.request('/api/v1/tickets', json(body, { authorization: `Bearer ${w.apiKey}` }));
  expect(res.status).toBe(201);
  return (await res.json()) as { ticketId: string; ticket: string; url: string; qrSvgUrl: string; expiresAt: string };
}

describe('machine API', () => {
  it("GET /api/v1/hall returns the key's hall with windows, placards and services", async () => {
    const res = await w.app.request('/api/v1/hall', { headers: { authorization: `Bearer ${w.apiKey}` } });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.id).toBe('h-test');
    expect(body.windows.map((x: { id: string }) => x.id)).toEqual(['w1', 'w2']);
    expect(body.windows[0].placardUrl).toMatch(/^https:\/\/rate\.example\.test\/r\/P\./);
    expect(body.services).toHaveLength(2);
  });

  it('refuses a missing or unknown API key with problem+json', async () => {
    for (const headers of [{}, { authorization: 'Bearer st_nope' }]) {
      const res = await w.app.request('/api/v1/hall', { headers: headers as Record<string, string> });
      expect(res.status).toBe(401);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect((await res.json()).type).toBe('/problems/unauthorized');
    }
  });

  it('mints a signed ticket, counts it, and serves its QR code', async () => {
    const before = await getIssuedCount(w.table, 'h-test', '2026-11-20');
    const t = await mint();
    expect(t.ticket.startsWith('T.')).toBe(true);
    expect(t.url).toBe(`https://rate.example.test/r/${t.ticket}`);
    expect(Date.parse(t.expiresAt) - w.clock.now).toBe(7 * 24 * 3600 * 1000);
    expect(await getIssuedCount(w.table, 'h-test', '2026-11-20')).toBe(before + 1);
    const qr = await w.app.request(new URL(t.qrSvgUrl).pathname);
    expect(qr.status).toBe(200);
    expect(qr.headers.get('content-type')).toBe('image/svg+xml');
    expect(await qr.text()).toContain('<svg');
  });

  it('mints one ticket id per machine visit reference: a retried request is not counted twice', async () => {
    const before = await getIssuedCount(w.table, 'h-test', '2026-11-20');
    const a = await mint({ windowId: 'w1', visitRef: 'A023' });
    const b = await mint({ windowId: 'w1', visitRef: 'A023' });
    const c = await mint({ windowId: 'w1', visitRef: 'A024' });
    expect(b.ticketId).toBe(a.ticketId);
    expect(c.ticketId).not.toBe(a.ticketId);
    expect(a.ticketId).not.toContain('A023'); // the machine's reference is not exposed in the code
    expect(await getIssuedCount(w.table, 'h-test', '2026-11-20')).toBe(before + 2);
    expect((await w.app.request('/api/v1/ratings', json({ ticket: a.ticket, overall: 5 }))).status).toBe(201);
    expect((await w.app.request('/api/v1/ratings', json({ ticket: b.ticket, overall: 5 }))).status).toBe(409); // same visit
  });

  it('refuses a ticket for a window or service of another hall', async () => {
    const a = await w.app.request('/api/v1/tickets', json({ windowId: 'w9' }, { authorization: `Bearer ${w.apiKey}` }));
    expect(a.status).toBe(422);
    expect((await a.json()).type).toBe('/problems/unknown-window');
    const b = await w.app.request('/api/v1/tickets', json({ windowId: 'w1', serviceId: 's9' }, { authorization: `Bearer ${w.apiKey}` }));
    expect((await b.json()).type).toBe('/problems/unknown-service');
    const c = await w.app.request('/api/v1/tickets', {
      method: 'POST',
      headers: { authorization: `Bearer ${w.apiKey}`, 'content-type': 'application/json' },
      body: '{oops',
    });
    expect(c.status).toBe(400);
    expect((await c.json()).type).toBe('/problems/malformed-request');
  });
});

describe('POST /api/v1/ratings', () => {
  it('stores a good rating once, with its channel and hall-local day', async () => {
    const t = await mint();
    const res = await w.app.request(
      '/api/v1/ratings',
      json({ ticket: t.ticket, overall: 5, trips: 1, done: 'yes', submissionId: 'sub-good-0001' }),
    );
    expect(res.status).toBe(201);
    const { ratingId } = await res.json();
    const stored = await getRating(w.table, ratingId);
    expect(stored).toMatchObject({
      channel: 'ticket',
      hallId: 'h-test',
      windowId: 'w1',
      serviceId: 's1',
      overall: 5,
      day: '2026-11-20',
      trips: 1,
      done: 'yes',
    });
  });

  it('answers a retry with the same submissionId with the original answer, and a second rating with 409', async () => {
    const t = await mint();
    const body = { ticket: t.ticket, overall: 4, submissionId: 'sub-retry-0001' };
    const first = await w.app.request('/api/v1/ratings', json(body));
    const again = await w.app.request('/api/v1/ratings', json(body));
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(await again.json()).toEqual(await first.json());
    const other = await w.app.request('/api/v1/ratings', json({ ...body, overall: 1, reasons: ['rude'], submissionId: 'sub-other-0001' }));
    expect(other.status).toBe(409);
    expect((await other.json()).type).toBe('/problems/already-rated');
    expect((await getRating(w.table, t.ticketId))?.overall).toBe(4); // unchanged
  });

  it('refuses a bad rating without a reason (422) and stores nothing', async () => {
    const t = await mint();
    const res = await w.app.request('/api/v1/ratings', json({ ticket: t.ticket, overall: 2 }));
    expect(res.status).toBe(422);
    const p = await res.json();
    expect(p.type).toBe('/problems/validation-failed');
    expect(p.errors[0].path).toBe('reasons');
    expect(await getRating(w.table, t.ticketId)).toBeUndefined();
  });

  it('names every bad field in words, in the detail and the errors list', async () => {
    const ticketRes = await w.app.request('/api/v1/tickets', json({}, { authorization: `Bearer ${w.apiKey}` }));
    expect(ticketRes.status).toBe(422);
    const missing = await ticketRes.json();
    expect(missing).toMatchObject({
      type: '/problems/validation-failed',
      detail: 'windowId is required',
      errors: [{ path: 'windowId', message: 'windowId is required' }],
    });
    const t = await mint();
    const res = await w.app.request('/api/v1/ratings', json({ ticket: t.ticket, overall: 9, attitude: 'good', done: 'maybe' }));
    expect(res.status).toBe(422);
    expect((await res.json()).errors).toEqual([
      { path: 'overall', message: 'overall must be 1–5' },
      { path: 'attitude', message: 'attitude must be a whole number 1–5' },
      { path: 'done', message: 'done must be "yes", "partly" or "no"' },
    ]);
    expect(await getRating(w.table, t.ticketId)).toBeUndefined();
  });

  it('refuses reasons that do not fit the grade, bad fields and long comments', async () => {
    const t = await mint();
    for (const bad of [
      { overall: 5, reasons: ['rude'] },
      { overall: 6 },
      { overall: 3, trips: 4 },
      { overall: 3, comment: '长'.repeat(501) },
      { overall: 1, reasons: ['rude'], contact: { phone: '12345', consent: true } },
      { overall: 1, reasons: ['rude'], contact: { phone: '13812341234', consent: false } },
    ]) {
      const res = await w.app.request('/api/v1/ratings', json({ ticket: t.ticket, ...bad }));
      expect(res.status, JSON.stringify(bad)).toBe(422);
    }
    expect(await getRating(w.table, t.ticketId)).toBeUndefined();
  });

  it('refuses forged, altered and expired tickets with specific problems', async () => {
    const t = await mint();
    const altered = t.ticket.replace('.w1.', '.w2.');
    const forged = signTicket((await import('../shared/domain/keyring.js')).parseKeyring(`{"active":"k1","k1":"${'x'.repeat(40)}"}`), {
      ticketId: 'forged123',
      hallId: 'h-test',
      windowId: 'w1',
      issuedAt: w.clock.now,
    });
    for (const ticket of [altered, forged, 'T.k1.garbage', 'not-a-token-at-all']) {
      const res = await w.app.request('/api/v1/ratings', json({ ticket, overall: 5 }));
      expect(res.status, ticket).toBe(400);
      expect((await res.json()).type).toBe('/problems/invalid-ticket');
    }
    const saved = w.clock.now;
    w.clock.now += 7 * 24 * 3600 * 1000 + 1000;
    const res = await w.app.request('/api/v1/ratings', json({ ticket: t.ticket, overall: 5 }));
    w.clock.now = saved;
    expect(res.status).toBe(410);
    expect((await res.json()).type).toBe('/problems/ticket-expired');
    expect(await getRating(w.table, t.ticketId)).toBeUndefined();
  });

  it('encrypts the call-back phone and keeps only a masked copy readable', async () => {
    const t = await mint();
    const res = await w.app.request(
      '/api/v1/ratings',
      json({ ticket: t.ticket, overall: 1, reasons: ['rude', 'wait_long'], contact: { phone: '13812341234', consent: true } }),
    );
    expect(res.status).toBe(201);
    const stored = await getRating(w.table, t.ticketId);
    expect(stored?.phoneMasked).toBe('138****1234');
    expect(JSON.stringify(stored)).not.toContain('13812341234');
    const { decryptPhone } = await import('../shared/domain/privacy.js');
    expect(decryptPhone(w.keyring, stored!.phoneEnc!)).toBe('13812341234');
  });

  it('limits placard ratings per device per window per 2 hours', async () => {
    const hall = await (await w.app.request('/api/v1/hall', { headers: { authorization: `Bearer ${w.apiKey}` } })).json();
    const placard = new URL(hall.windows[1].placardUrl).pathname.slice(3);
    const cookie = { cookie: 'st_dev=device-aaaaaaaaaaaaaaaa' };
    const first = await w.app.request('/api/v1/ratings', json({ ticket: placard, overall: 5, submissionId: 'plac-sub-0001' }, cookie));
    expect(first.status).toBe(201);
    const retry = await w.app.request('/api/v1/ratings', json({ ticket: placard, overall: 5, submissionId: 'plac-sub-0001' }, cookie));
    expect(retry.status).toBe(201);
    const firstBody = await first.json();
    expect(await retry.json()).toEqual(firstBody);
    const second = await w.app.request('/api/v1/ratings', json({ ticket: placard, overall: 4, submissionId: 'plac-sub-0002' }, cookie));
    expect(second.status).toBe(429);
    expect((await second.json()).type).toBe('/problems/placard-limit');
    const otherDevice = await w.app.request(
      '/api/v1/ratings',
      json({ ticket: placard, overall: 4, submissionId: 'plac-sub-0003' }, { cookie: 'st_dev=device-bbbbbbbbbbbbbbbb' }),
    );
    expect(otherDevice.status).toBe(201);
    const saved = w.clock.now;
    w.clock.now += 2 * 3600 * 1000 + 1;
    const later = await w.app.request('/api/v1/ratings', json({ ticket: placard, overall: 4, submissionId: 'plac-sub-0004' }, cookie));
    w.clock.now = saved;
    expect(later.status).toBe(201);
    const stored = await getRating(w.table, firstBody.ratingId);
    expect(stored?.channel).toBe('placard');
    expect(stored?.ticketId).toBeUndefined();
  });

  it('answers malformed JSON with 400 problem+json', async () => {
    const res = await w.app.request('/api/v1/ratings', { method: 'POST', headers: { 'content-type': 'application/json' }, body: 'nope' });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
  });
});

describe('service routes', () => {
  it('GET /health reports the storage engine', async () => {
    const res = await w.app.request('/health');
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'ok', storage: { engine: 'dynalite', state: 'ACTIVE' } });
  });

  it('serves an OpenAPI document generated from the schemas', async () => {
    const doc = await (await w.app.request('/api/v1/openapi.json')).json();
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/v1/hall', '/api/v1/tickets', '/api/v1/ratings']));
    expect(doc.components.schemas.RatingInput.properties.overall).toMatchObject({ type: 'integer', minimum: 1, maximum: 5 });
    expect(doc.components.schemas.RatingInput.required).toEqual(['ticket', 'overall']);
  });

  it('unknown API routes answer problem+json 404', async () => {
    const res = await w.app.request('/api/v1/nope');
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
  });
});

describe('rating day', () => {
  it('files a late ticket rating under the day of the visit, not the day it arrived', async () => {
    const t = await mint();
    const saved = w.clock.now;
    w.clock.now += 3 * 24 * 3600 * 1000;
    const res = await w.app.request('/api/v1/ratings', json({ ticket: t.ticket, overall: 4 }));
    w.clock.now = saved;
    expect(res.status).toBe(201);
    expect(await getRating(w.table, t.ticketId)).toMatchObject({ day: '2026-11-20', createdAt: '2026-11-23T02:00:00.000Z' });
  });
});

describe('score routes', () => {
  it("serve the key's own hall only, explain when nothing is scored, and check dates", async () => {
    const auth = { headers: { authorization: `Bearer ${w.apiKey}` } };
    expect((await w.app.request('/api/v1/halls/h-other/scores', auth)).status).toBe(403);
    const none = await w.app.request('/api/v1/halls/h-test/scores', auth);
    expect(none.status).toBe(404);
    expect((await none.json()).type).toBe('/problems/not-scored');
    expect((await w.app.request('/api/v1/halls/h-test/scores?from=yesterday', auth)).status).toBe(422);
    expect((await w.app.request('/api/v1/halls/h-test/scores')).status).toBe(401);
  });

  it("validate path and query parameters with the route's schemas: problem+json naming the parameter", async () => {
    const auth = { headers: { authorization: `Bearer ${w.apiKey}` } };
    const badDate = await w.app.request('/api/v1/halls/h-test/scores?from=yesterday&to=2026-11-20', auth);
    expect(badDate.status).toBe(422);
    expect(badDate.headers.get('content-type')).toContain('application/problem+json');
    expect((await badDate.json()).errors).toEqual([{ path: 'query.from', message: 'must be a date (YYYY-MM-DD)' }]);
    const badTo = await (await w.app.request('/api/v1/halls/h-test/scores?to=11%2F20', auth)).json();
    expect(badTo).toMatchObject({ type: '/problems/validation-failed', errors: [{ path: 'query.to' }] });
    const badId = await w.app.request('/api/v1/halls/h%20test!/scores', auth);
    expect(badId.status).toBe(422);
    expect((await badId.json()).errors).toEqual([expect.objectContaining({ path: 'path.hallId' })]);
  });

  it("return the nightly figures of the hall, and refuse its region's to a hall key (issue 11 item 11)", async () => {
    const { runNight } = await import('../shared/scoring/job.js');
    await putRegion(w.table, { id: 'r-test', name: '测试区', level: 'district' });
    const t = await mint();
    await w.app.request('/api/v1/ratings', json({ ticket: t.ticket, overall: 2, reasons: ['wait_long'] }));
    await runNight({ table: w.table }, '2026-11-20');
    const auth = { headers: { authorization: `Bearer ${w.apiKey}` } };
    const hall = await (await w.app.request('/api/v1/halls/h-test/scores', auth)).json();
    expect(hall.to).toBe('2026-11-20');
    expect(hall.days).toHaveLength(1);
    expect(hall.days[0]).toMatchObject({ date: '2026-11-20', band: expect.any(String), goodRate: { rate: expect.any(Number) } });
    for (const path of ['/api/v1/regions/r-test/scores?date=2026-11-20', '/api/v1/regions/r-other/scores']) {
      const region = await w.app.request(path, auth);
      expect(region.status).toBe(403);
      expect(region.headers.get('content-type')).toContain('application/problem+json');
      expect((await region.json()).detail).toContain('/api/v1/regions/{regionId}/report');
    }
  });
});
