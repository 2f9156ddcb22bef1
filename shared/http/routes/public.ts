/**
 * The public routes (issue 12): a hall's page, its lobby board, a region's page, the published figures as JSON and
 * the open CSVs. No sign-in and no cookies; every answer is cacheable (Cache-Control public, a short max-age, an
 * ETag answered with 304), rate-limited per client, and a hall an administrator took off the public pages gets the
 * very same 404 as an unknown one. Pages carry a hash-based CSP (their inline blocks are constants), so the same
 * bytes serve everyone and a CDN may cache them. On AWS these paths reach the dashboard function
 * (dashboard-paths.ts), behind CloudFront.
 */
import { createHash } from 'node:crypto';
import type { Context } from 'hono';
import { compress } from 'hono/compress';
import { Hono } from 'hono/tiny';
import { unitId } from '../../domain/aggregate.js';
import { withLinkWindow } from '../../domain/matters.js';
import { addDays, dateFormat, isDay, localDay } from '../../domain/time.js';
import {
  boardData,
  hallCases,
  latestReplies,
  publicHall,
  publicHallFigures,
  publicHandling,
  publicIssuedCsv,
  publicRatingsCsv,
  publicRegion,
  publicRegionFigures,
  publicTrend,
  rangeError,
  type TPublicDeps,
} from '../../scoring/public.js';
import { getHallCatalogue } from '../../storage/catalogue.js';
import { lastCompletedRun } from '../../storage/scores.js';
import { clientAddress } from '../client-address.js';
import type { TAppDeps } from '../deps.js';
import { BOARD_CSS, BOARD_SCRIPT, PUBLIC_CSS, boardPage, boardView, cspHash, hallPage, regionPage } from '../pages/public.js';
import { problem } from '../problem.js';
import { RateLimiter } from '../rate-limit.js';

/** Seconds a browser or CloudFront may reuse a public answer: figures change nightly, the board each minute. */
export const PUBLIC_MAX_AGE = 60;
const ID = /^[A-Za-z0-9_-]{1,40}$/;

const csp = (css: string, script?: string) =>
  [
    "default-src 'none'",
    `style-src ${cspHash(css)}`,
    script ? `script-src ${cspHash(script)}` : "script-src 'none'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "form-action 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
const PAGE_CSP = csp(PUBLIC_CSS);
const BOARD_CSP = csp(BOARD_CSS, BOARD_SCRIPT);

export function publicRoutes(deps: TAppDeps) {
  const r = new Hono();
  const now = deps.now ?? Date.now;
  const pd: TPublicDeps = { table: deps.table, now };
  // Generous for people (pages, a board polling each minute, a verify run), but one client cannot flood the table.
  const perMinute = deps.config.RATE_LIMIT_PER_MINUTE * 5;
  const limiter = new RateLimiter(perMinute, 60_000);

  r.use('/p/*', compress());
  r.use('/api/v1/public/*', compress());
  for (const path of ['/p/*', '/api/v1/public/*']) {
    r.use(path, async (c, next) => {
      if (limiter.take(`p:${clientAddress(c)}`, now())) return next();
      c.header('retry-after', '60');
      return c.req.path.startsWith('/api/')
        ? problem(c, 'rate-limited', `At most ${perMinute} public requests a minute from one client.`)
        : c.text('请求太频繁，请稍后再试。Too many requests; please retry in a minute.', 429);
    });
  }

  /**
   * Rendered pages and figures, kept for the same max-age a browser or CloudFront may keep them, per path and
   * catalogue version (hiding a hall takes effect at once in this process). Bounded; the board is never kept.
   */
  const kept = new Map<string, { at: number; body: string }>();
  const keep = async (c: Context, make: () => Promise<string | undefined>): Promise<string | undefined> => {
    const key = `${deps.table.catalogueVersion} ${c.req.path} ${c.req.query('date') ?? ''}`;
    const hit = kept.get(key);
    if (hit && now() - hit.at < PUBLIC_MAX_AGE * 1000) return hit.body;
    const body = await make();
    if (body === undefined) return undefined;
    if (kept.size >= 2_000) kept.clear();
    kept.set(key, { at: now(), body });
    return body;
  };

  /** A cacheable answer: ETag over the body, 304 when the client already has it. */
  const cacheable = (c: Context, body: string, type: string, extra: Record<string, string> = {}) => {
    const etag = `W/"${createHash('sha256').update(body).digest('base64url').slice(0, 32)}"`;
    const headers = { 'cache-control': `public, max-age=${PUBLIC_MAX_AGE}`, etag, vary: 'accept-encoding', ...extra };
    const match = c.req.header('if-none-match');
    if (match?.split(',').some((t) => t.trim() === etag)) return c.body(null, 304, headers);
    return c.body(body, 200, { 'content-type': type, ...headers });
  };
  const page = (c: Context, html: string | undefined, policy: string) =>
    cacheable(c, html ?? '', 'text/html; charset=utf-8', { 'content-security-policy': policy });
  const json = (c: Context, value: unknown) => cacheable(c, JSON.stringify(value), 'application/json; charset=utf-8');
  const csv = async (c: Context, rows: AsyncGenerator<string>, name: string) => {
    let body = '';
    for await (const chunk of rows) body += chunk;
    return cacheable(c, body, 'text/csv; charset=utf-8', { 'content-disposition': `inline; filename="${name}"` });
  };
  const hallOf = async (c: Context) => {
    const id = c.req.param('hallId') ?? '';
    return ID.test(id) ? publicHall(pd, id) : undefined;
  };
  const windowNames = async (hallId: string) =>
    new Map(withLinkWindow((await getHallCatalogue(deps.table, hallId))?.windows ?? []).map((w) => [w.id, w.name] as const));

  /* ---------------------------------------------------------------- pages */

  r.get('/p/regions/:regionId', async (c) => {
    const id = c.req.param('regionId');
    const found = ID.test(id) ? await publicRegion(pd, id) : undefined;
    if (!found) return c.notFound();
    const body = await keep(c, async () => {
      const figs = await publicRegionFigures(pd, id, found.halls);
      const to = figs.date ?? localDay(now(), found.halls[0]?.timezone ?? 'Asia/Shanghai');
      const halls = found.halls.map((h) => ({ id: h.id, name: h.name, f: figs.halls.get(h.id) }));
      const handling = await publicHandling(pd, found.halls, to);
      return String(await regionPage({ region: found.region, date: figs.date, figures: figs.region, halls, handling }));
    });
    return page(c, body, PAGE_CSP);
  });

  r.get('/p/:hallId', async (c) => {
    const hall = await hallOf(c);
    if (!hall) return c.notFound();
    const body = await keep(c, async () => {
      const [{ cases, reasons }, names, region] = await Promise.all([
        hallCases(pd, hall.id),
        windowNames(hall.id),
        publicRegion(pd, hall.regionId),
      ]);
      const figures = await publicHallFigures(pd, hall, undefined, cases);
      const to = figures?.date ?? localDay(now(), hall.timezone);
      const [trend, handling] = await Promise.all([
        figures ? publicTrend(pd, unitId.hall(hall.id), to) : Promise.resolve([]),
        figures ? Promise.resolve(figures.handling) : publicHandling(pd, [hall], to, cases),
      ]);
      const replies = latestReplies(cases, reasons, names, hall.timezone);
      return String(await hallPage({ hall, regionName: region?.region.name, figures, trend, handling, replies }));
    });
    return page(c, body, PAGE_CSP);
  });

  const board = async (c: Context) => {
    const hall = await hallOf(c);
    if (!hall) return undefined;
    const data = await boardData(pd, hall, await windowNames(hall.id));
    const at = dateFormat('en-GB', { timeZone: hall.timezone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    return { hall, data, view: boardView(data, at.format(now())) };
  };

  r.get('/p/:hallId/board', async (c) => {
    const b = await board(c);
    if (!b) return c.notFound();
    return page(c, String(await boardPage(b.data, b.view, `/p/${b.hall.id}/board.json`)), BOARD_CSP);
  });

  /** What the board's script fetches each minute: only the shown text, so a refresh is a few hundred bytes. */
  r.get('/p/:hallId/board.json', async (c) => {
    const b = await board(c);
    if (!b) return c.notFound();
    return json(c, b.view);
  });

  /* ---------------------------------------------------------------- open data */

  r.get('/api/v1/public/halls/:hallId', async (c) => {
    const hall = await hallOf(c);
    if (!hall) return problem(c, 'not-found', 'No such public hall.');
    const date = c.req.query('date');
    if (date !== undefined && !isDay(date)) return problem(c, 'validation-failed', 'date must be YYYY-MM-DD.');
    const body = await keep(c, async () => {
      const figures = await publicHallFigures(pd, hall, date);
      return figures && JSON.stringify(figures);
    });
    if (!body) return problem(c, 'not-scored', `No published figures for ${hall.id} on ${date ?? 'the last scored day'}.`);
    return cacheable(c, body, 'application/json; charset=utf-8');
  });

  const openCsv = async (c: Context, scope: 'hall' | 'region') => {
    const id = c.req.param(scope === 'hall' ? 'hallId' : 'regionId') ?? '';
    const hall = scope === 'hall' ? await hallOf(c) : undefined;
    const region = scope === 'region' && ID.test(id) ? await publicRegion(pd, id) : undefined;
    const halls = hall ? [hall] : (region?.halls ?? []);
    if (!hall && !region) return problem(c, 'not-found', `No such public ${scope}.`);
    const last = (await lastCompletedRun(deps.table)) ?? localDay(now(), halls[0]?.timezone ?? 'Asia/Shanghai');
    const to = c.req.query('to') ?? last;
    const from = c.req.query('from') ?? addDays(to, -89);
    const refused = rangeError(from, to);
    if (refused) return problem(c, 'validation-failed', `${refused}.`);
    const file = c.req.param('file') as 'ratings.csv' | 'issued.csv';
    const rows = file === 'ratings.csv' ? publicRatingsCsv(pd, halls, from, to) : publicIssuedCsv(pd, halls, from, to);
    return csv(c, rows, `${id}-${file.replace('.csv', '')}-${from}-${to}.csv`);
  };
  r.get('/api/v1/public/halls/:hallId/:file{ratings\\.csv|issued\\.csv}', (c) => openCsv(c, 'hall'));
  r.get('/api/v1/public/regions/:regionId/:file{ratings\\.csv|issued\\.csv}', (c) => openCsv(c, 'region'));

  return r;
}
