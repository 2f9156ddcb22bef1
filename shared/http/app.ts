/**
 * The one Hono app. Web-standard Request/Response, so the same app runs on Lambda (functions/api.ts) and on
 * Node (shared/local/server.ts) unchanged.
 */
import { Hono } from 'hono/tiny';
import { compress } from 'hono/compress';
import { html } from 'hono/html';
import { NONCE, secureHeaders } from 'hono/secure-headers';
import { baseUrl, type TAppDeps } from './deps.js';
import { openApiDocument } from './openapi.js';
import { page } from './pages/layout.js';
import { problem } from './problem.js';
import { apiRoutes } from './routes/api.js';
import { residentRoutes } from './routes/resident.js';

/**
 * `mount` adds more routes under the same headers and error handling: the local server mounts the staff dashboard
 * there, while the resident/machine Lambda stays without it (its bundle has a size budget).
 */
export function createApp(deps: TAppDeps, opts: { mount?: (app: Hono) => void } = {}) {
  const app = new Hono();

  app.use(
    '*',
    secureHeaders({
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
    }),
  );
  // Pages and documents are worth compressing for a weak signal; small API answers are not (and compress()
  // makes every response a stream that then costs more to send).
  // Staff pages and CSV exports too: on Lambda a response is capped at 6 MB, and a year's ratings of a busy hall
  // compress about sevenfold.
  for (const path of ['/r/*', '/api/v1/docs', '/api/v1/openapi.json', '/halls/*', '/regions/*', '/admin/*', '/assets/*']) app.use(path, compress());

  // One line per request: route, status, latency. Never the client's address, never the token.
  app.use('*', async (c, next) => {
    const started = performance.now();
    await next();
    deps.log.info('request', { method: c.req.method, route: c.req.routePath, status: c.res.status, ms: Math.round(performance.now() - started) });
  });

  app.get('/health', async (c) => {
    try {
      const table = await deps.repo.describe();
      return c.json({ status: 'ok', storage: { engine: deps.engine, table: deps.repo.tableName, state: table.status } });
    } catch (err) {
      deps.log.error('health: storage unreachable', { error: (err as Error).message });
      return c.json({ status: 'unavailable', storage: { engine: deps.engine, table: deps.repo.tableName, state: 'UNREACHABLE' } }, 503);
    }
  });

  opts.mount?.(app); // first, so a mounted /api/v1/… route is found before the API's own catch-all
  app.route('/api/v1', apiRoutes(deps));
  app.route('/r', residentRoutes(deps));

  app.get('/api/docs', (c) => c.redirect('/api/v1/docs'));
  app.get('/api/v1/docs', (c) => {
    const doc = openApiDocument(baseUrl(c, deps.config)) as { paths: Record<string, Record<string, { summary: string }>> };
    const nonce = (c.get('secureHeadersNonce' as never) as string) ?? '';
    const rows = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.entries(ops).map(([method, op]) => html`<li><code>${method.toUpperCase()} ${path}</code> — ${op.summary}</li>`),
    );
    return c.html(
      page({
        lang: 'en',
        nonce,
        title: 'API',
        body: html`<h1>服务温度 API · Service Temperature API v1</h1><p>Machine routes take <code>Authorization: Bearer &lt;hall API key&gt;</code>. Errors are <code>application/problem+json</code>.</p><ul>${rows}</ul><p><a href="/api/v1/openapi.json">OpenAPI 3.1 document (openapi.json)</a></p>`,
      }),
    );
  });

  app.notFound((c) => (c.req.path.startsWith('/api/') ? problem(c, 'not-found') : c.text('Not found · 页面不存在', 404)));
  app.onError((err, c) => {
    deps.log.error('unhandled error', { route: c.req.routePath, error: err.message, stack: err.stack });
    return problem(c, 'internal');
  });
  return app;
}
