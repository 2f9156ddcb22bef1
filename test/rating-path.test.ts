/**
 * The rating path's cheaper parts through the real app and table: the precomputed secure headers (a rating's 201
 * carries exactly what a page carries, and exactly what hono/secure-headers gave this app before), and the
 * catalogue cache, whose concurrent first lookups of a hall share one read.
 */
import { Hono } from 'hono/tiny';
import { NONCE, secureHeaders as honoSecureHeaders } from 'hono/secure-headers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signTicket } from '../shared/domain/tokens.js';
import { cachedCatalogue } from '../shared/http/catalogue-cache.js';
import { SECURE_HEADERS } from '../shared/http/secure-headers.js';
import { putWindow } from '../shared/storage/catalogue.js';
import { getRating } from '../shared/storage/ratings.js';
import { json, stopEngines, world, type TWorld } from './support/harness.js';

let w: TWorld;
beforeAll(async () => {
  w = await world();
});
afterAll(stopEngines);

const NONCE_RE = /'nonce-([A-Za-z0-9+/]{22}==)'/g;
/** A response's headers as a plain map, its CSP nonces replaced by N (and the nonces found). */
function headersOf(res: Response) {
  const out: Record<string, string> = {};
  const nonces: string[] = [];
  res.headers.forEach((v, k) => {
    out[k] = v.replace(NONCE_RE, (_: string, n: string) => {
      nonces.push(n);
      return "'nonce-N'";
    });
  });
  return { map: out, nonces };
}
const SECURE = [...Object.keys(SECURE_HEADERS), 'content-security-policy'].sort();
const pick = (m: Record<string, string>, keys: string[]) => Object.fromEntries(keys.map((k) => [k, m[k]]));

let n = 0;
const ticket = () =>
  signTicket(w.keyring, { ticketId: `rp${String(++n).padStart(6, '0')}`, hallId: w.hall.id, windowId: 'w1', issuedAt: w.clock.now });

describe('secure headers', () => {
  it("a rating's 201 carries exactly the secure headers a page carries (only the CSP's nonce differs) and nothing else", async () => {
    const t = ticket();
    const rated = await w.app.request('/api/v1/ratings', json({ ticket: t, overall: 5, submissionId: 'sub-rp-1' }));
    expect(rated.status).toBe(201);
    expect(await rated.json()).toEqual({ ratingId: 'rp000001' });
    expect((await getRating(w.table, 'rp000001'))?.overall).toBe(5); // stored, as before
    const page = await w.app.request(`/r/${ticket()}`);
    expect(page.status).toBe(200);

    const j = headersOf(rated);
    const p = headersOf(page);
    expect(Object.keys(j.map).sort()).toEqual([...SECURE, 'content-type'].sort());
    expect(j.map['content-type']).toBe('application/json'); // as c.json() answered
    for (const k of SECURE) expect(p.map[k], k).toBeDefined();
    expect(pick(j.map, SECURE)).toEqual(pick(p.map, SECURE));
    // Each CSP names its own fresh nonce twice (scripts and styles); the page's is the one in its HTML.
    expect(j.nonces).toHaveLength(2);
    expect(j.nonces[0]).toBe(j.nonces[1]);
    expect(p.nonces[0]).toBe(p.nonces[1]);
    expect(j.nonces[0]).not.toBe(p.nonces[0]);
    expect(await page.text()).toContain(`<script nonce="${p.nonces[0]}">`);

    const again = headersOf(await w.app.request('/api/v1/ratings', json({ ticket: ticket(), overall: 4 })));
    expect(again.nonces[0]).not.toBe(j.nonces[0]); // fresh per response, as hono's were
  });

  it('are what hono/secure-headers gave this app, header for header (JSON, a page and a refusal)', async () => {
    // The options the app passed to hono's middleware before the headers were precomputed (shared/http/secure-headers.ts).
    const reference = new Hono();
    reference.use(
      '*',
      honoSecureHeaders({
        contentSecurityPolicy: {
          defaultSrc: ["'none'"],
          scriptSrc: [NONCE],
          styleSrc: [NONCE],
          imgSrc: ["'self'", 'data:'],
          connectSrc: ["'self'"],
          formAction: ["'self'"],
          baseUri: ["'none'"],
          frameAncestors: ["'none'"],
        },
        strictTransportSecurity: 'max-age=31536000; includeSubDomains',
        referrerPolicy: 'no-referrer',
        crossOriginEmbedderPolicy: false,
        permissionsPolicy: { camera: [], microphone: [], geolocation: [] },
        overwrite: false,
      }),
    );
    reference.get('/', (c) => c.json({ ok: true }, 201));
    const want = headersOf(await reference.request('/')).map;
    expect(Object.keys(want).sort()).toEqual([...SECURE, 'content-type'].sort()); // the reference really sets the 13

    const rated = headersOf(await w.app.request('/api/v1/ratings', json({ ticket: ticket(), overall: 3 }))).map;
    expect(rated).toEqual(want);
    const page = headersOf(await w.app.request(`/r/${ticket()}`)).map;
    expect(pick(page, SECURE)).toEqual(pick(want, SECURE));
    const good = ticket();
    const altered = good.slice(0, -1) + (good.endsWith('A') ? 'B' : 'A');
    const refused = await w.app.request('/api/v1/ratings', json({ ticket: altered, overall: 3 }));
    expect(refused.status).toBe(400);
    expect(pick(headersOf(refused).map, SECURE)).toEqual(pick(want, SECURE));
  });
});

describe('catalogue cache', () => {
  it('concurrent first lookups of a hall share one read; a catalogue write in this process is seen at once', async () => {
    const lookup = cachedCatalogue(w.table, 60_000, () => w.clock.now);
    let before = w.table.itemsRead;
    const first = await Promise.all(Array.from({ length: 8 }, () => lookup(w.hall.id)));
    const oneRead = w.table.itemsRead - before;
    expect(oneRead).toBeGreaterThan(0);
    expect(new Set(first).size).toBe(1); // the very same catalogue object
    const alone = cachedCatalogue(w.table, 60_000, () => w.clock.now);
    before = w.table.itemsRead;
    await alone(w.hall.id);
    expect(w.table.itemsRead - before).toBe(oneRead); // eight lookups read what one reads

    before = w.table.itemsRead;
    expect(await lookup(w.hall.id)).toBe(first[0]);
    expect(w.table.itemsRead).toBe(before); // a hit reads nothing
    await putWindow(w.table, { hallId: w.hall.id, id: 'w9', name: '9号窗口' });
    expect((await lookup(w.hall.id))?.windows.map((x) => x.id)).toContain('w9');
  });
});
