/**
 * The API's documents: the OpenAPI 3.1 document (generated from the zod schemas) and a readable list of its routes.
 * Served by the dashboard function on AWS (see ../dashboard-paths.ts): the document is ~11 KB the resident/machine
 * bundle need not carry. Locally they are mounted before the API, so its catch-all does not hide them.
 */
import { compress } from 'hono/compress';
import { html } from 'hono/html';
import { Hono } from 'hono/tiny';
import { baseUrl } from '../base-url.js';
import type { TAppDeps } from '../deps.js';
import { openApiDocument } from '../openapi.js';
import { nonceOf, page } from '../pages/layout.js';

export function docsRoutes(deps: Pick<TAppDeps, 'config'>) {
  const r = new Hono();
  r.use('/api/v1/docs', compress());
  r.use('/api/v1/openapi.json', compress());

  r.get('/api/v1/openapi.json', (c) => c.json(openApiDocument(baseUrl(c, deps.config))));
  r.get('/api/docs', (c) => c.redirect('/api/v1/docs'));
  r.get('/api/v1/docs', (c) => {
    const doc = openApiDocument(baseUrl(c, deps.config)) as { paths: Record<string, Record<string, { summary: string }>> };
    const rows = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.entries(ops).map(([method, op]) => html`<li><code>${method.toUpperCase()} ${path}</code> — ${op.summary}</li>`),
    );
    return c.html(
      page({
        lang: 'en',
        nonce: nonceOf(c),
        title: 'API',
        body: html`<h1>服务温度 API · Service Temperature API v1</h1>
<p>Machine routes take <code>Authorization: Bearer &lt;hall API key&gt;</code>. Errors are <code>application/problem+json</code>.</p>
<ul>${rows}</ul><p><a href="/api/v1/openapi.json">OpenAPI 3.1 document (openapi.json)</a></p>`,
      }),
    );
  });
  return r;
}
