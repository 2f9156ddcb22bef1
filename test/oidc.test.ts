/**
 * Staff sign-in with a real OpenID Connect provider (oidc-provider on loopback) through app.request(): the whole
 * authorization-code + PKCE round trip, binding an identity to a staff user, and every way it must refuse.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../shared/config.js';
import { generateKeyringJson, parseKeyring } from '../shared/domain/keyring.js';
import { createApp } from '../shared/http/app.js';
import { dashboardRoutes } from '../shared/http/routes/dashboard.js';
import { seedDemo } from '../shared/local/seed.js';
import { createDynamoClient } from '../shared/storage/client.js';
import { openTable, type TTable } from '../shared/storage/db.js';
import { ensureTable } from '../shared/storage/schema.js';
import { engine, stopEngines } from './support/harness.js';
import { startTestIdp, type TTestIdp } from './support/idp.js';
import { getUser } from '../shared/storage/users.js';

const APP = 'http://localhost';
let idp: TTestIdp;
let table: TTable;
let app: ReturnType<typeof createApp>;
let tableName: string;
let endpoint: string;
const logged: string[] = [];

function appWith(env: Record<string, string>) {
  const keyring = parseKeyring(generateKeyringJson());
  const client = createDynamoClient({ endpoint });
  const log = {
    info: (m: string, d?: object) => logged.push(JSON.stringify([m, d])),
    warn: (m: string, d?: object) => logged.push(JSON.stringify([m, d])),
    error: (m: string, d?: object) => logged.push(JSON.stringify([m, d])),
  };
  const deps = {
    config: loadConfig({ APP_ENV: 'test', TABLE_NAME: tableName, ...env }),
    table: openTable(client, tableName),
    keyring,
    engine: 'dynalite',
    log,
  };
  return createApp(deps, { mount: (a) => a.route('/', dashboardRoutes(deps)) });
}

const cookieOf = (res: Response, name: string) => new RegExp(`${name}=([^;]*)`).exec(res.headers.getSetCookie().join('\n'))?.[1];

/** /auth/login → the provider → back to /auth/callback; returns the callback's response. */
async function roundTrip(login: string, opts: { abort?: boolean; tamper?: (u: URL) => void; a?: typeof app; next?: string } = {}) {
  const a = opts.a ?? app;
  const start = await a.request(`/auth/login?lang=zh${opts.next ? `&next=${encodeURIComponent(opts.next)}` : ''}`);
  expect(start.status).toBe(302);
  const flow = cookieOf(start, 'st_oidc');
  expect(flow).toBeTruthy();
  const back = await idp.signIn(start.headers.get('location')!, login, { abort: opts.abort });
  expect(back.origin + back.pathname).toBe(`${APP}/auth/callback`);
  opts.tamper?.(back);
  return a.request(back.pathname + back.search, { headers: { cookie: `st_oidc=${flow}` } });
}

beforeAll(async () => {
  const e = await engine('dynalite');
  endpoint = e.endpoint;
  const client = createDynamoClient({ endpoint });
  tableName = `oidc-${randomBytes(4).toString('hex')}`;
  await ensureTable(client, tableName);
  table = openTable(client, tableName);
  await seedDemo(table, { today: '2026-11-22', apiKey: 'st_oidc_test_key_000001', days: 1 });
  idp = await startTestIdp({ redirectUris: [`${APP}/auth/callback`], postLogoutRedirectUris: [`${APP}/`] });
  app = appWith({ OIDC_ISSUER: idp.issuer, OIDC_CLIENT_ID: idp.clientId });
}, 60_000);
afterAll(async () => {
  await idp?.close();
  await stopEngines();
});

describe('OIDC sign-in', () => {
  it('offers the provider on the sign-in page and sends the browser there with PKCE (S256), state and nonce', async () => {
    const page = await (await app.request('/signin?lang=zh')).text();
    expect(page).toContain('href="/auth/login?lang=zh');
    expect(page).toContain('使用统一身份认证登录');
    const res = await app.request('/auth/login');
    const to = new URL(res.headers.get('location')!);
    expect(to.origin).toBe(idp.issuer);
    expect(to.searchParams.get('client_id')).toBe('dashboard');
    expect(to.searchParams.get('redirect_uri')).toBe(`${APP}/auth/callback`);
    expect(to.searchParams.get('code_challenge_method')).toBe('S256');
    expect(to.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(to.searchParams.get('state')).toBeTruthy();
    expect(to.searchParams.get('nonce')).toBeTruthy();
    const set = res.headers.getSetCookie().find((c) => c.startsWith('st_oidc='))!;
    expect(set).toMatch(/HttpOnly/i);
    expect(set).toMatch(/SameSite=Lax/i);
    expect(set).toMatch(/Path=\/auth/i);
    expect(set).not.toContain(to.searchParams.get('code_challenge')!); // the verifier is never the challenge
  });

  it('signs a staff user in by their verified email, binds the identity, and lands them on their units', async () => {
    idp.accounts.set('sub-chen', { email: 'Chen.Jing@qingchuan.example', email_verified: true, name: '陈静' });
    const res = await roundTrip('sub-chen');
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/regions/r-west?lang=zh');
    const session = cookieOf(res, 'st_session')!;
    expect(session).toBeTruthy();
    expect((await getUser(table, 'u-sup-west'))?.oidcSub).toBe('sub-chen');
    const me = await app.request('/api/v1/me', { headers: { cookie: `st_session=${session}` } });
    expect(await me.json()).toMatchObject({ id: 'u-sup-west', role: 'supervisor', scope: 'r-west' });
    // Scope still applies: the other district's hall is not theirs.
    expect((await app.request('/halls/h-dh-gangkou', { headers: { cookie: `st_session=${session}` } })).status).toBe(404);
    // Nothing personal in the logs: no email, no code, no token.
    expect(logged.join('\n')).not.toMatch(/qingchuan\.example|code=|eyJ/);
  });

  it('keeps the bound identity when the email at the provider changes, and honours a safe "next" path', async () => {
    idp.accounts.set('sub-chen', { email: 'jing.chen@new-mail.example', email_verified: true });
    const res = await roundTrip('sub-chen', { next: '/halls/h-xs-qingshi' });
    expect(res.headers.get('location')).toBe('/halls/h-xs-qingshi?lang=zh');
    const evil = await roundTrip('sub-chen', { next: '//evil.example/x' });
    expect(evil.headers.get('location')).toBe('/regions/r-west?lang=zh');
  });

  it('refuses another identity that claims an already bound account’s email', async () => {
    idp.accounts.set('sub-intruder', { email: 'chen.jing@qingchuan.example', email_verified: true });
    const res = await roundTrip('sub-intruder');
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('已经绑定了另一个身份');
    expect(cookieOf(res, 'st_session')).toBeUndefined();
    expect((await getUser(table, 'u-sup-west'))?.oidcSub).toBe('sub-chen');
  });

  it('refuses identities without a staff account or with an unverified email, and binds nothing', async () => {
    idp.accounts.set('sub-stranger', { email: 'someone@else.example', email_verified: true });
    const stranger = await roundTrip('sub-stranger');
    expect(stranger.status).toBe(403);
    expect(await stranger.text()).toContain('还没有开通工作人员账号');
    idp.accounts.set('sub-unverified', { email: 'zhao.min@qingchuan.example', email_verified: false });
    const unverified = await roundTrip('sub-unverified');
    expect(unverified.status).toBe(403);
    expect(cookieOf(unverified, 'st_session')).toBeUndefined();
    expect((await getUser(table, 'u-mgr-gangkou'))?.oidcSub).toBeUndefined();
  });

  it('refuses a forged state, a replayed callback, a missing flow cookie and a cancelled sign-in, without a session', async () => {
    idp.accounts.set('sub-liu', { email: 'liu.haibo@qingchuan.example', email_verified: true });
    const forged = await roundTrip('sub-liu', { tamper: (u) => u.searchParams.set('state', 'forged-state-value') });
    expect(forged.status).toBe(400);
    expect(cookieOf(forged, 'st_session')).toBeUndefined();

    // A good callback works once; the same code and flow again is refused by the provider.
    const start = await app.request('/auth/login');
    const flow = cookieOf(start, 'st_oidc')!;
    const back = await idp.signIn(start.headers.get('location')!, 'sub-liu');
    const first = await app.request(back.pathname + back.search, { headers: { cookie: `st_oidc=${flow}` } });
    expect(first.status).toBe(303);
    expect(cookieOf(first, 'st_oidc')).toBe(''); // the flow cookie is spent
    const replay = await app.request(back.pathname + back.search, { headers: { cookie: `st_oidc=${flow}` } });
    expect(replay.status).toBe(400);
    expect(cookieOf(replay, 'st_session')).toBeUndefined();

    const noCookie = await app.request(back.pathname + back.search);
    expect(noCookie.status).toBe(400);
    expect(await noCookie.text()).toContain('登录已超时');

    const cancelled = await roundTrip('sub-liu', { abort: true });
    expect(cancelled.status).toBe(400);
    expect(await cancelled.text()).toContain('access_denied');
    expect(cookieOf(cancelled, 'st_session')).toBeUndefined();
  });

  it('refuses an ID token for another client or nonce: the flow cookie of one sign-in cannot finish another', async () => {
    const a = await app.request('/auth/login');
    const b = await app.request('/auth/login');
    const backA = await idp.signIn(a.headers.get('location')!, 'sub-liu');
    const mixed = await app.request(backA.pathname + backA.search, { headers: { cookie: `st_oidc=${cookieOf(b, 'st_oidc')}` } });
    expect(mixed.status).toBe(400);
    expect(cookieOf(mixed, 'st_session')).toBeUndefined();
  });

  it('signs out of the provider too after a provider sign-in, but not after the local demo sign-in', async () => {
    const res = await roundTrip('sub-liu');
    const session = cookieOf(res, 'st_session')!;
    const home = await app.request(res.headers.get('location')!, { headers: { cookie: `st_session=${session}` } });
    const csrf = /name="_csrf" value="([^"]+)"/.exec(await home.text())![1];
    const out = await app.request('/signout', {
      method: 'POST',
      headers: { cookie: `st_session=${session}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: csrf }).toString(),
    });
    expect(out.status).toBe(200); // a page that moves on (a redirect would break the form's CSP form-action 'self')
    const to = new URL(/<meta http-equiv="refresh" content="0;url=([^"]+)">/.exec(await out.text())![1].replace(/&amp;/g, '&'));
    expect(to.origin).toBe(idp.issuer);
    expect(to.searchParams.get('post_logout_redirect_uri')).toBe(`${APP}/`);
    expect(cookieOf(out, 'st_session')).toBe('');
  });

  it('answers a friendly 502 when the provider cannot be reached, and keeps working once it can', async () => {
    const down = appWith({ OIDC_ISSUER: 'http://127.0.0.1:9/', OIDC_CLIENT_ID: 'dashboard' });
    const res = await down.request('/auth/login?lang=en');
    expect(res.status).toBe(502);
    expect(await res.text()).toContain('cannot be reached');
  });

  it('has no provider routes when none is configured, and no demo sign-in in the AWS configuration', async () => {
    const plain = appWith({});
    expect((await plain.request('/auth/login')).status).toBe(404);
    const aws = appWith({ APP_ENV: 'aws', OIDC_ISSUER: idp.issuer, OIDC_CLIENT_ID: idp.clientId });
    const page = await (await aws.request('/signin')).text();
    expect(page).toContain('/auth/login');
    expect(page).not.toContain('/signin/dev');
    expect((await aws.request('/signin/dev', { method: 'POST' })).status).toBe(404);
  });
});
