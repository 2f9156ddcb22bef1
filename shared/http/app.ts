/**
 * The one Hono app. Web-standard Request/Response, so the same app runs on Lambda (functions/api.ts) and on
 * Node (shared/local/server.ts) unchanged.
 */
import type { Context } from 'hono';
import { Hono } from 'hono/tiny';
import { bodyLimits } from './body-limits.js';
import { cachedCatalogue } from './catalogue-cache.js';
import type { TAppDeps } from './deps.js';
import { pickLang } from './pages/i18n.js';
import { nonceOf, notice } from './pages/layout.js';
import { problem } from './problem.js';
import { apiRoutes } from './routes/api.js';
import { residentRoutes } from './routes/resident.js';
import { describeTable } from '../storage/meta.js';
import { MemoPatternRouter } from './memo-router.js';
import { secureHeaders } from './secure-headers.js';

/**
 * The resident pages and the machine API, under secure headers, one log line per request and problem+json errors.
 * `mount` adds more routes under the same headers and error handling, before the API's own catch-all: the local
 * server and the dashboard function mount the dashboard there (routes/dashboard.ts), while the resident/machine
 * Lambda stays without it (its bundle has a size budget; dashboard-paths.ts sends those paths elsewhere on AWS).
 */
export function createApp(deps: TAppDeps, opts: { mount?: (app: Hono) => void } = {}) {
  const app = new Hono();
  app.router = new MemoPatternRouter(); // before any route is added

  // The secure headers (secure-headers.ts: computed once; a route that sets its own header keeps it, such as the
  // public pages' hash-based CSP in routes/public.ts).
  app.use('*', secureHeaders());
  // Pages and documents compress themselves where they are registered (resident pages, the dashboard, the docs);
  // small API answers do not (compress() makes every response a stream that then costs more to send).

  // One line per request: route, status, latency. Never the client's address, never the token.
  app.use('*', async (c, next) => {
    const started = performance.now();
    await next();
    deps.log.info('request', {
      method: c.req.method,
      route: c.req.routePath,
      status: c.res.status,
      ms: Math.round(performance.now() - started),
    });
  });

  app.use('*', bodyLimits()); // before anything reads a body: a 100 MB post is refused unread

  app.get('/health', async (c) => {
    try {
      const table = await describeTable(deps.table);
      return c.json({ status: 'ok', storage: { engine: deps.engine, table: deps.table.name, state: table.status } });
    } catch (err) {
      deps.log.error('health: storage unreachable', { error: (err as Error).message });
      return c.json({ status: 'unavailable', storage: { engine: deps.engine, table: deps.table.name, state: 'UNREACHABLE' } }, 503);
    }
  });

  opts.mount?.(app); // first, so a mounted /api/v1/… route is found before the API's own catch-all
  const catalogue = cachedCatalogue(deps.table, 60_000, deps.now ?? Date.now); // one per app: tickets and ratings share it
  app.route('/api/v1', apiRoutes(deps, catalogue));
  app.route('/r', residentRoutes(deps, catalogue));

  // A person who follows a wrong or old link, or meets a fault, gets a kind page in their language, never bare text
  // or JSON; a machine on /api/ gets problem+json.
  const kind = (c: Context, status: 404 | 500) => {
    const lang = pickLang(c.req.query('lang'));
    const w = KIND[status][lang];
    c.header('cache-control', 'no-store');
    return c.html(notice({ lang, nonce: nonceOf(c), icon: status === 404 ? 'warn' : 'wait', title: w[0], body: w[1] }), status);
  };
  app.notFound((c) => (c.req.path.startsWith('/api/') ? problem(c, 'not-found') : kind(c, 404)));
  app.onError((err, c) => {
    deps.log.error('unhandled error', { route: c.req.routePath, error: err.message, stack: err.stack });
    return c.req.path.startsWith('/api/') || !c.req.header('accept')?.includes('text/html') ? problem(c, 'internal') : kind(c, 500);
  });
  return app;
}

const KIND = {
  404: {
    zh: ['没有这个页面', '链接可能输错了，或已经过期。请检查链接、重新扫码，或回到上一页。'],
    en: ['Page not found', 'The link may be mistyped or out of date. Please check it, scan the code again, or go back.'],
  },
  500: {
    zh: ['出了点问题', '这不是您的错。请稍等片刻再试一次。'],
    en: ['Something went wrong', 'It is not your fault. Please wait a moment and try again.'],
  },
} as const;
