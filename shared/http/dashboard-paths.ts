/**
 * Which Lambda answers which path on AWS: API Gateway sends these paths (its route syntax: `{name}` one segment,
 * `{proxy+}` one or more) to the dashboard function, and everything else ($default) to the resident/machine
 * function. One list: infra/stack.ts builds the routes from it, `dashboardRoutes` refuses to start with a route it
 * does not cover, and test/infra/routing.test.ts walks every registered route through the synthesized template.
 * No imports, so the CDK app can read it without loading the app.
 */
export const DASHBOARD_PATHS = [
  // Staff: sign-in, the areas (halls, regions, cases, exports, administration and its audit trail), the dashboard's assets and JSON routes.
  '/',
  '/signin',
  '/signin/{proxy+}',
  '/signout',
  '/auth/{proxy+}',
  '/halls/{proxy+}',
  '/regions/{proxy+}',
  '/admin/{proxy+}',
  '/cases',
  '/cases/{proxy+}',
  '/assets/{proxy+}',
  '/api/v1/me',
  '/api/v1/halls/{hallId}/report',
  '/api/v1/regions/{regionId}/report',
  '/api/v1/cases',
  '/api/v1/cases/{caseId}',
  // The API's documents (routes/docs.ts): ~11 KB the resident/machine bundle need not carry.
  '/api/docs',
  '/api/v1/docs',
  '/api/v1/openapi.json',
  // The resident's case page at its signed link (routes/case-link.ts): the case service and its words stay off the
  // resident/machine bundle; the resident pages only redirect there.
  '/c/{proxy+}',
  // Printed codes (routes/printing.ts): a ticket's QR image and a window's placard; the QR encoder is ~21 KB.
  '/r/{token}/qr.svg',
  '/r/{token}/placard',
  // The review of suspicious ratings (routes/staff/reviews.ts).
  '/reviews',
  '/reviews/{proxy+}',
  // A staff user's notification settings (issue 14; webhooks live under /admin).
  '/notifications',
  // The public pages, the lobby board and open data (routes/public.ts): cacheable, behind CloudFront on AWS.
  '/p/{proxy+}',
  '/api/v1/public/{proxy+}',
  // The link channel's door (routes/link.ts): a matter number leads to the ordinary survey at /r/<token>.
  '/rate',
  // The monthly report of a hall or region (routes/staff/reports.ts).
  '/reports/{proxy+}',
] as const;

/** Does one of DASHBOARD_PATHS match this concrete request path? */
export function reachesDashboard(path: string): boolean {
  const segs = path.split('/').slice(1);
  return DASHBOARD_PATHS.some((route) => {
    const parts = route.split('/').slice(1);
    if (parts.at(-1) === '{proxy+}') {
      const fixed = parts.slice(0, -1);
      return segs.length > fixed.length && fixed.every((p, i) => p === segs[i] || (/^\{\w+\}$/.test(p) && segs[i] !== ''));
    }
    return parts.length === segs.length && parts.every((p, i) => p === segs[i] || (/^\{\w+\}$/.test(p) && segs[i] !== ''));
  });
}

/** A concrete path a Hono route pattern answers (`:id` → a sample value, `:what{a|b}` → `a`, `*` → a segment). */
export function samplePath(pattern: string): string {
  return pattern
    .replace(/:\w+\{([\w-]+)(?:\|[^}]*)?\}/g, '$1')
    .replace(/:\w+(\{[^}]*\})?/g, 'x1')
    .replace(/\*/g, 'x1');
}
