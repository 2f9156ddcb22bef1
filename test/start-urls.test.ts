/**
 * Every URL that `npm start` prints, and every local URL the README links to, answers 200 on the local app (the one
 * the socket serves: the dashboard, its documents, the resident pages and the machine API in one).
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBanner } from '../shared/local/banner.js';
import { startLocal, type TLocalServer } from '../shared/local/server.js';

let local: TLocalServer;
beforeAll(async () => {
  local = await startLocal({ DATA_DIR: ':memory:', PORT: '0', SEED_DAYS: '2', LOG_LEVEL: 'SILENT' });
}, 60_000);
afterAll(() => local?.close());

/** The URLs of a text, each with the bearer key its line shows (a curl example), if any. */
function urlsOf(text: string, origin: string): { path: string; key?: string }[] {
  return text.split('\n').flatMap((line) => {
    if (/\s-d\s/.test(line)) return []; // a POST example (it answers 201), not a link
    const key = /Authorization: Bearer (\S+?)"/.exec(line)?.[1];
    return [...line.matchAll(/(?:https?:\/\/)?(?:localhost|127\.0\.0\.1)(?::\d+)?(\/[^\s>)'"`]*)?/g)].map((m) => {
      const url = new URL(m[1] ?? '/', origin);
      return { path: url.pathname + url.search, key };
    });
  });
}

async function walk(links: { path: string; key?: string }[]) {
  for (const { path, key } of links) {
    const res = await local.app.request(path, { headers: key ? { authorization: `Bearer ${key}` } : {} });
    expect(res.status, `${path} answers ${res.status}`).toBe(200);
  }
}

describe('the URLs people are given', () => {
  it('every URL npm start prints answers 200', async () => {
    const banner = startBanner(local, { ms: 1, nights: 0 });
    const links = urlsOf(banner, local.url);
    expect(links.map((l) => l.path)).toEqual(expect.arrayContaining(['/', '/api/v1/docs', '/health', '/api/v1/hall', '/rate']));
    expect(links.length).toBeGreaterThanOrEqual(6);
    await walk(links);
  });

  it('every local URL the README links to answers 200, the API documents too', async () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8').replaceAll('$KEY', local.demo.apiKey);
    const links = urlsOf(readme, local.url);
    // The documents the API section points to, by path.
    const documents = [...readme.matchAll(/`(\/api\/v1\/(?:openapi\.json|docs))`/g)].map((m) => ({ path: m[1] }));
    expect(links.map((l) => l.path)).toEqual(expect.arrayContaining(['/', '/api/v1/hall']));
    expect(documents.map((d) => d.path)).toEqual(['/api/v1/openapi.json', '/api/v1/docs']);
    await walk([...links, ...documents]);
    expect((await local.app.request('/api/docs')).headers.get('location')).toBe('/api/v1/docs');
  });
});
