/**
 * Issue 11, items 3–11, through the real app over dynalite: body limits, budgets per kind of call, revocation of
 * keys and sessions at once, printed hosts, no-store and Secure, JSON only, a hall key's own hall only.
 * Each test fails without its fix.
 */
import { printingRoutes } from '../shared/http/routes/printing.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../shared/config.js';
import { createApp } from '../shared/http/app.js';
import { dashboardRoutes } from '../shared/http/routes/dashboard.js';
import { openSession, secureCookies } from '../shared/http/session.js';
import type { TAppDeps } from '../shared/http/deps.js';
import { listApiKeys, revokeApiKey } from '../shared/storage/api-keys.js';
import { putRegion } from '../shared/storage/catalogue.js';
import { listRatingsForHallDay } from '../shared/storage/ratings.js';
import { putUser } from '../shared/storage/users.js';
import { demoSignIn, json, quietLog, stopEngines, world, type TWorld } from './support/harness.js';

let w: TWorld;
let staff: ReturnType<typeof createApp>;
let deps: TAppDeps;
const auth = () => ({ authorization: `Bearer ${w.apiKey}` });

beforeAll(async () => {
  w = await world('dynalite', { rateLimit: 2 }); // 2 a minute per client, 20 per key and kind
  await putRegion(w.table, { id: 'r-test', name: '测试区', level: 'district' });
  await putUser(w.table, { id: 'u-admin', name: '管理员', role: 'admin', scope: '*' });
  await putUser(w.table, { id: 'u-mgr', name: '负责人', role: 'manager', scope: 'h-test' });
  deps = {
    config: loadConfig({ APP_ENV: 'test', TABLE_NAME: w.table.name }),
    table: w.table,
    keyring: w.keyring,
    engine: 'dynalite',
    log: quietLog,
    now: () => w.clock.now,
  };
  staff = createApp(deps, { mount: (a) => a.route('/', dashboardRoutes(deps)) });
}, 60_000);
afterAll(stopEngines);

const stored = async () => (await listRatingsForHallDay(w.table, 'h-test', '2026-11-20')).length;
async function mint(): Promise<{ ticket: string; url: string }> {
  const res = await w.app.request('/api/v1/tickets', json({ windowId: 'w1' }, auth()));
  expect(res.status).toBe(201);
  return res.json();
}

describe('item 10: the JSON API takes only application/json', () => {
  it('answers 415 problem+json to text/plain, text/html and form bodies, and stores nothing', async () => {
    const before = await stored();
    for (const type of ['text/plain', 'text/html', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', '']) {
      w.clock.now += 61_000; // a fresh minute: the budgets here are small
      const { ticket } = await mint();
      const headers: Record<string, string> = type ? { 'content-type': type } : {};
      const body = JSON.stringify({ ticket, overall: 5 });
      const res = await w.app.request('/api/v1/ratings', { method: 'POST', headers, body });
      expect(res.status, type).toBe(415);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect((await res.json()).type).toBe('/problems/unsupported-media-type');
      const t = await w.app.request('/api/v1/tickets', { method: 'POST', headers: { ...headers, ...auth() }, body: '{"windowId":"w1"}' });
      expect(t.status, type).toBe(415);
    }
    expect(await stored()).toBe(before);
    w.clock.now += 61_000;
    const { ticket } = await mint();
    const ok = await w.app.request('/api/v1/ratings', json({ ticket, overall: 5 }, { 'content-type': 'application/json; charset=UTF-8' }));
    expect(ok.status).toBe(201);
  });
});

describe('item 3: request bodies are capped before they are read', () => {
  it('refuses a big API body with 413 problem+json, by Content-Length or while streaming, and stores nothing', async () => {
    const before = await stored();
    const { ticket } = await mint();
    const big = JSON.stringify({ ticket, overall: 5, comment: 'x'.repeat(200_000) });
    const res = await w.app.request('/api/v1/ratings', json(JSON.parse(big)));
    expect(res.status).toBe(413);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect((await res.json()).type).toBe('/problems/payload-too-large');
    // No Content-Length: counted while streaming, cut off at the cap (the rest is never pulled).
    let pulled = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(ctl) {
        pulled++;
        if (pulled > 1000) return ctl.close();
        ctl.enqueue(new TextEncoder().encode(pulled === 1 ? `{"ticket":"${ticket}","overall":5,"comment":"` : 'y'.repeat(1024)));
      },
    });
    const streamed = await w.app.request(
      new Request('http://localhost/api/v1/ratings', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
        body: stream,
        duplex: 'half',
      } as RequestInit),
    );
    expect(streamed.status).toBe(413);
    expect(pulled).toBeLessThan(40);
    expect(await stored()).toBe(before);
  });

  it("answers a resident's oversized form with a kind bilingual page, and a staff form with 413", async () => {
    const { ticket } = await mint();
    const form = new URLSearchParams({ overall: '1', comment: '慢'.repeat(60_000) }).toString();
    const res = await w.app.request(`/r/${ticket}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form,
    });
    expect(res.status).toBe(413);
    expect(res.headers.get('content-type')).toContain('text/html');
    const page = await res.text();
    expect(page).toContain('内容太多');
    expect(page).toContain('too long');
    const admin = await staff.request('/admin/users', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'x'.repeat(1_000_000),
    });
    expect(admin.status).toBe(413);
  });
});

describe('the fuzz finding: a damaged form body', () => {
  it('answers a broken multipart post with a kind 400 page, not a 500', async () => {
    const { ticket } = await mint();
    const res = await w.app.request(`/r/${ticket}`, {
      method: 'POST',
      headers: { 'content-type': 'multipart/form-data; boundary=zz' },
      body: 'overall=5',
    });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('无法读取');
  });
});

describe('item 4: budgets per key and per kind of call', () => {
  it('keeps minting tickets while the same key is polled into 429 on GET /hall', async () => {
    let limited = 0;
    for (let i = 0; i < 25; i++) if ((await w.app.request('/api/v1/hall', { headers: auth() })).status === 429) limited++;
    expect(limited).toBeGreaterThan(0);
    await mint(); // 201, not 429
  });
});

describe('item 7: a revoked API key stops at once', () => {
  it('refuses the next request after revocation, although the key was used a moment before', async () => {
    const { hashApiKey, newApiKey } = await import('../shared/domain/privacy.js');
    const { putApiKey } = await import('../shared/storage/api-keys.js');
    const key = newApiKey();
    await putApiKey(w.table, hashApiKey(key), { hallId: 'h-test', label: 'revoke me', createdAt: '2026-11-20T01:00:00.000Z' });
    const headers = { authorization: `Bearer ${key}` };
    expect((await w.app.request('/api/v1/tickets', json({ windowId: 'w1' }, headers))).status).toBe(201);
    const keyId = (await listApiKeys(w.table, 'h-test')).find((k) => k.label === 'revoke me')!.keyId;
    expect(await revokeApiKey(w.table, 'h-test', keyId, '2026-11-20T02:00:00.000Z')).toBe(true);
    const after = await w.app.request('/api/v1/tickets', json({ windowId: 'w1' }, headers));
    expect(after.status).toBe(401);
    expect((await w.app.request('/api/v1/hall', { headers })).status).toBe(401);
  });
});

describe('item 8: printed codes never take their host from the request', () => {
  it('prints the local URL for a foreign Host, the request origin for this machine, and keeps qr.svg private', async () => {
    const local = { ...deps, config: loadConfig({ APP_ENV: 'test', TABLE_NAME: w.table.name, PORT: '3999' }) };
    // the printed codes (qr.svg) are the dashboard function's on AWS; one machine mounts both
    const app = createApp(local, { mount: (a) => a.route('/r', printingRoutes(local)) });
    const evil = await (await app.request('http://evil.example/api/v1/hall', { headers: auth() })).json();
    expect(evil.windows[0].placardUrl).toMatch(/^http:\/\/localhost:3999\/r\/P\./);
    const minted = await (await app.request('http://evil.example:8080/api/v1/tickets', json({ windowId: 'w1' }, auth()))).json();
    expect(minted.url).toMatch(/^http:\/\/localhost:3999\/r\/T\./);
    expect(minted.qrSvgUrl).toMatch(/^http:\/\/localhost:3999\//);
    const own = await (await app.request('http://127.0.0.1:4123/api/v1/hall', { headers: auth() })).json();
    expect(own.windows[0].placardUrl).toMatch(/^http:\/\/127\.0\.0\.1:4123\/r\/P\./);
    const placard = await (await app.request(`http://evil.example/r/${own.windows[0].placardUrl.split('/r/')[1]}/placard`)).text();
    expect(placard).not.toContain('evil.example');
    const qr = await app.request(`http://evil.example/r/${minted.url.split('/r/')[1]}/qr.svg`);
    expect(qr.status).toBe(200);
    expect(qr.headers.get('cache-control')).not.toMatch(/public/);
    expect(qr.headers.get('cache-control')).toMatch(/private/);
  });
});

describe('items 6 and 9: sessions end on the server; staff answers are never cached; Secure cookies', () => {
  const me = (cookie: string) => staff.request('/api/v1/me', { headers: { cookie: `st_session=${cookie}` } });
  const csv = (cookie: string) => staff.request('/halls/h-test/export/ratings', { headers: { cookie: `st_session=${cookie}` } });
  const post = (path: string, cookie: string, form: Record<string, string>) =>
    staff.request(path, {
      method: 'POST',
      headers: { cookie: `st_session=${cookie}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form).toString(),
    });
  const csrfOf = (cookie: string) => openSession(w.keyring, cookie, w.clock.now)!.csrf;

  it('refuses the old cookie after sign-out: /api/v1/me 401 and the CSV export refused', async () => {
    const cookie = await demoSignIn(staff, 'u-mgr');
    const ok = await me(cookie);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('cache-control')).toBe('no-store');
    const exported = await csv(cookie);
    expect(exported.status).toBe(200);
    expect(exported.headers.get('cache-control')).toBe('no-store');
    await exported.text();
    const page = await staff.request('/halls/h-test', { headers: { cookie: `st_session=${cookie}` } });
    expect(page.headers.get('cache-control')).toBe('no-store');
    expect((await post('/signout', cookie, { _csrf: csrfOf(cookie) })).status).toBe(303);
    const replay = await me(cookie);
    expect(replay.status).toBe(401);
    expect(replay.headers.get('cache-control')).toBe('no-store');
    const refused = await csv(cookie);
    expect(refused.status).not.toBe(200);
    expect(refused.headers.get('content-type') ?? '').not.toContain('text/csv');
    expect((await me(await demoSignIn(staff, 'u-mgr'))).status).toBe(200); // signing in again works
  });

  it("lets an administrator end all of a user's sessions (CSRF-checked), and ends them on demotion", async () => {
    const admin = await demoSignIn(staff, 'u-admin');
    const a = await demoSignIn(staff, 'u-mgr');
    const b = await demoSignIn(staff, 'u-mgr');
    expect((await post('/admin/users/u-mgr/sessions/end', admin, { _csrf: 'wrong' })).status).toBe(403);
    expect((await me(a)).status).toBe(200);
    const page = await (await staff.request('/admin/users/u-mgr', { headers: { cookie: `st_session=${admin}` } })).text();
    expect(page).toContain('/admin/users/u-mgr/sessions/end');
    expect((await post('/admin/users/u-mgr/sessions/end', admin, { _csrf: csrfOf(admin) })).status).toBe(303);
    expect((await me(a)).status).toBe(401);
    expect((await me(b)).status).toBe(401);
    expect((await me(admin)).status).toBe(200); // the administrator's own session is untouched

    const c = await demoSignIn(staff, 'u-mgr');
    const renamed = await post('/admin/users/u-mgr', admin, { _csrf: csrfOf(admin), name: '负责人甲', role: 'manager', scope: 'h-test' });
    expect(renamed.status).toBe(303);
    expect((await me(c)).status).toBe(200); // a new name alone keeps the session
    await putUser(w.table, { id: 'u-sup', name: '督导', role: 'supervisor', scope: 'r-test' });
    const moved = await post('/admin/users/u-mgr', admin, { _csrf: csrfOf(admin), name: '负责人甲', role: 'supervisor', scope: 'r-test' });
    expect(moved.status).toBe(303);
    expect((await me(c)).status).toBe(401);
  });

  it('marks session cookies Secure behind https: the public URL, a TLS proxy, AWS', async () => {
    const plain = await staff.request('/signin');
    expect(plain.headers.get('set-cookie')).not.toMatch(/Secure/i);
    const proxied = await staff.request('/signin', { headers: { 'x-forwarded-proto': 'https' } });
    expect(proxied.headers.get('set-cookie')).toMatch(/; Secure/);
    const https = { ...deps, config: loadConfig({ APP_ENV: 'test', TABLE_NAME: w.table.name, PUBLIC_BASE_URL: 'https://x.test' }) };
    const behindTls = createApp(https, { mount: (a) => a.route('/', dashboardRoutes(https)) });
    expect((await behindTls.request('http://10.0.0.5/signin')).headers.get('set-cookie')).toMatch(/; Secure/);
    const fake = { req: { url: 'http://x/', header: () => undefined } } as never;
    expect(secureCookies(fake, { APP_ENV: 'aws', PUBLIC_BASE_URL: undefined })).toBe(true);
    expect(secureCookies(fake, { APP_ENV: 'local', PUBLIC_BASE_URL: 'http://x.test' })).toBe(false);
  });
});
