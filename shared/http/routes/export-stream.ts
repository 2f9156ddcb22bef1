/**
 * The export function's one route (AWS: a Lambda function URL in RESPONSE_STREAM mode, functions/export-stream.ts):
 * `GET /export?t=<ticket>` streams the CSV the gated dashboard route described in the ticket it signed a moment ago
 * (routes/staff/exports.ts). No cookie reaches this origin, so the ticket is the whole authority: signed with the key
 * ring, one minute, for one hall's file, and the user must still exist. A refusal changes nothing and says why.
 */
import { Hono } from 'hono/tiny';
import type { TAppDeps } from '../deps.js';
import { unseal } from '../session.js';
import { getUser } from '../../storage/users.js';
import { csvResponse, type TExportTicket } from './staff/exports.js';

export function exportStreamRoutes(deps: TAppDeps) {
  const now = deps.now ?? Date.now;
  const r = new Hono();
  r.get('/export', async (c) => {
    c.header('cache-control', 'no-store');
    const t = unseal<TExportTicket>(deps.keyring, c.req.query('t'), now());
    if (t?.p !== 'export' || !(await getUser(deps.table, t.uid)))
      return c.text('This download link has expired: start the export again from the dashboard. 下载链接已过期，请回到看板重新导出。', 403);
    deps.log.info('export streamed', { user: t.uid, hallId: t.hallId, what: t.what, from: t.from, to: t.to });
    const gzip = /\bgzip\b/.test(c.req.header('accept-encoding') ?? '');
    return csvResponse(deps.table, t, { gzip });
  });
  return r;
}
