/**
 * Everything the dashboard function answers: the staff areas (sign-in, halls, regions, cases, audit, exports, administration),
 * each behind the one gate of staff/gate.ts, the dashboard's assets, and the API's documents. On one machine the
 * local server mounts it into the same app as the resident pages and the machine API; on AWS it is its own Lambda,
 * reached on the paths of ../dashboard-paths.ts — checked here at start-up, so a new area cannot silently land on
 * the resident Lambda.
 */
import { compress } from 'hono/compress';
import { Hono } from 'hono/tiny';
import type { TDashboardAssets } from '../assets.js';
import { reachesDashboard, samplePath } from '../dashboard-paths.js';
import type { TAppDeps } from '../deps.js';
import { caseLinkRoutes } from './case-link.js';
import { docsRoutes } from './docs.js';
import { linkRoutes } from './link.js';
import { printingRoutes } from './printing.js';
import { publicRoutes } from './public.js';
import { adminRoutes } from './staff/admin.js';
import { auditRoutes } from './staff/audit.js';
import { calendarRoutes } from './staff/calendar.js';
import { caseRoutes } from './staff/cases.js';
import { exportRoutes } from './staff/exports.js';
import { staffKit } from './staff/gate.js';
import { hallRoutes } from './staff/halls.js';
import { notificationRoutes } from './staff/notifications.js';
import { regionRoutes } from './staff/regions.js';
import { reportRoutes } from './staff/reports.js';
import { surveyRoutes } from './staff/surveys.js';
import { signInRoutes } from './staff/sign-in.js';
import { reviewRoutes } from './staff/reviews.js';

export function dashboardRoutes(deps: TAppDeps, assets?: TDashboardAssets) {
  const kit = staffKit(deps);
  const r = new Hono();
  // Staff pages and CSV exports are compressed: on Lambda a response is capped at 6 MB, and a year's ratings of a
  // busy hall compress about sevenfold.
  for (const path of ['/halls/*', '/regions/*', '/admin/*', '/assets/*', '/cases', '/cases/*', '/reviews', '/reviews/*', '/reports/*'])
    r.use(path, compress());
  if (assets) {
    const { script } = assets;
    const headers = { 'content-type': script.type, 'cache-control': 'public, max-age=31536000, immutable' };
    r.get(script.path, (c) => c.body(script.body, 200, headers));
  }
  r.route('/', signInRoutes(kit));
  r.route('/', exportRoutes(kit));
  r.route('/', hallRoutes(kit, assets));
  r.route('/', regionRoutes(kit, assets));
  r.route('/', caseRoutes(kit));
  r.route('/', auditRoutes(kit));
  r.route('/', reviewRoutes(kit));
  r.route('/admin', adminRoutes(kit));
  r.route('/admin', calendarRoutes(kit));
  r.route('/', notificationRoutes(kit)); // issue 14: /notifications, /admin/webhooks
  r.route('/', docsRoutes(deps));
  r.route('/r', printingRoutes(deps)); // a ticket's QR image and a window's placard (the QR encoder stays off the resident Lambda)
  r.route('/c', caseLinkRoutes(deps)); // the resident's case page (its words and the case service stay off the resident Lambda)
  r.route('/', publicRoutes(deps)); // the public pages, the lobby board and open data (issue 12)
  r.route('/', reportRoutes(kit)); // the monthly report, printable A4
  r.route('/', surveyRoutes(kit)); // survey definitions: versions, preview, publish (administrators)
  r.route('/rate', linkRoutes(deps)); // the link channel's door (its page and throttle stay off the resident Lambda)

  const stray = r.routes.filter((x) => !reachesDashboard(samplePath(x.path)));
  if (stray.length) {
    const list = stray.map((x) => `${x.method} ${x.path}`).join(', ');
    throw new Error(`${list}: not in DASHBOARD_PATHS (shared/http/dashboard-paths.ts), so on AWS it would reach the resident function`);
  }
  return r;
}
