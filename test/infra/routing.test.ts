/**
 * One route list decides what reaches which Lambda: every route the dashboard app registers (staff areas, assets,
 * the API's documents) is proved to reach the dashboard function in the synthesized template, and every route of
 * the resident/machine app to the API function — by matching sample paths against the template's route keys the way
 * API Gateway does (most specific route wins, `{x}` one segment, `{proxy+}` one or more, else `$default`).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { Template } from 'aws-cdk-lib/assertions';
import { buildApp } from '../../infra/build.js';
import { loadConfig } from '../../shared/config.js';
import { generateKeyringJson, parseKeyring } from '../../shared/domain/keyring.js';
import { createApp } from '../../shared/http/app.js';
import { dashboardAssetsFrom } from '../../shared/http/assets.js';
import { ROUTE_THROTTLES } from '../../infra/constructs/http-api.js';
import { DASHBOARD_PATHS } from '../../shared/http/dashboard-paths.js';
import type { TAppDeps } from '../../shared/http/deps.js';
import { dashboardRoutes } from '../../shared/http/routes/dashboard.js';
import { createDynamoClient } from '../../shared/storage/client.js';
import { openTable } from '../../shared/storage/db.js';
import { quietLog } from '../support/harness.js';

const SKIP_BUNDLING = { 'aws:cdk:bundling-stacks': [] as string[] };

type TGatewayRoute = { key: string; fn: string };
let routes: TGatewayRoute[];
let dashboardFn: string;
let apiFn: string;

beforeAll(() => {
  const t = Template.fromStack(buildApp({ context: SKIP_BUNDLING, nag: false }).stack);
  const fns = Object.keys(t.findResources('AWS::Lambda::Function'));
  dashboardFn = fns.find((id) => id.startsWith('DashboardFunction'))!;
  apiFn = fns.find((id) => id.startsWith('ApiFunction'))!;
  const integrations = t.findResources('AWS::ApiGatewayV2::Integration');
  const fnOf = (integrationId: string) =>
    fns.find((id) => JSON.stringify(integrations[integrationId].Properties.IntegrationUri).includes(id))!;
  const api = t.findResources('AWS::ApiGatewayV2::Api');
  const defaultIntegration = (Object.values(api)[0] as { Properties: { Target?: unknown } }).Properties.Target;
  routes = Object.values(t.findResources('AWS::ApiGatewayV2::Route')).map((r) => {
    const p = (r as { Properties: { RouteKey: string; Target: { 'Fn::Join': [string, [string, { Ref: string }]] } } }).Properties;
    return { key: p.RouteKey, fn: fnOf(p.Target['Fn::Join'][1][1].Ref) };
  });
  expect(defaultIntegration ?? routes.find((r) => r.key === '$default')).toBeTruthy();
});

/** API Gateway's choice for a request path: the most specific matching route, else $default. */
function gatewayRoute(path: string): TGatewayRoute {
  const segs = path.split('/').slice(1);
  const rank = (part: string) => (part === '{proxy+}' ? 0 : /^\{\w+\}$/.test(part) ? 1 : 2);
  const matching = routes.filter((r) => {
    if (r.key === '$default') return false;
    const parts = r.key.replace(/^ANY /, '').split('/').slice(1);
    const greedy = parts.at(-1) === '{proxy+}';
    const fixed = greedy ? parts.slice(0, -1) : parts;
    if (greedy ? segs.length <= fixed.length : segs.length !== fixed.length) return false;
    return fixed.every((p, i) => p === segs[i] || (rank(p) === 1 && segs[i] !== ''));
  });
  const score = (r: TGatewayRoute) => r.key.replace(/^ANY /, '').split('/').slice(1).map(rank);
  matching.sort((a, b) => {
    const [x, y] = [score(a), score(b)];
    for (let i = 0; i < Math.max(x.length, y.length); i++) if ((x[i] ?? -1) !== (y[i] ?? -1)) return (y[i] ?? -1) - (x[i] ?? -1);
    return 0;
  });
  return matching[0] ?? routes.find((r) => r.key === '$default')!;
}

/** A concrete request path for a Hono pattern: `:id` → a value, `:what{a|b}` → each alternative, `*` → a segment. */
function samples(pattern: string): string[] {
  const alt = /:\w+\{([\w|-]+)\}/.exec(pattern);
  if (alt) return alt[1].split('|').flatMap((a) => samples(pattern.replace(alt[0], a)));
  return [pattern.replace(/:\w+/g, 'id-1').replace(/\*/g, 'any')];
}

function deps(): TAppDeps {
  // Both sign-in routes registered: the demo sign-in (not APP_ENV=aws) and the provider's (OIDC configured).
  const env = { APP_ENV: 'test', TABLE_NAME: 'routing-table', OIDC_ISSUER: 'https://idp.example.test', OIDC_CLIENT_ID: 'dashboard' };
  const config = loadConfig(env);
  const client = createDynamoClient({ endpoint: 'http://127.0.0.1:9' }); // never called: the apps are only built
  const keyring = parseKeyring(generateKeyringJson());
  return { config, table: openTable(client, 'routing-table'), keyring, engine: 'none', log: quietLog };
}

describe('HTTP API routing', () => {
  it('has one route per DASHBOARD_PATHS entry, to the dashboard function, and $default to the API function', () => {
    const throttled = new Set<string>(Object.keys(ROUTE_THROTTLES));
    const toDashboard = routes.filter((r) => r.key !== '$default' && !throttled.has(r.key));
    expect(toDashboard.map((r) => r.key).sort()).toEqual(DASHBOARD_PATHS.map((p) => `ANY ${p}`).sort());
    expect(toDashboard.every((r) => r.fn === dashboardFn)).toBe(true);
    expect(routes.find((r) => r.key === '$default')?.fn).toBe(apiFn);
    // The routes split from $default only to be throttled apart (infra/constructs/http-api.ts) go to the API function.
    expect(routes.filter((r) => throttled.has(r.key)).map((r) => r.fn)).toEqual([...throttled].map(() => apiFn));
  });

  it('sends every route the dashboard app registers to the dashboard function', () => {
    const app = dashboardRoutes(deps(), dashboardAssetsFrom('console.log(1)', ''));
    const paths = [...new Set(app.routes.flatMap((r) => samples(r.path)))];
    const areas = [
      '/',
      '/signin/dev',
      '/auth/callback',
      '/halls/id-1/export/scores',
      '/admin/halls/id-1/keys',
      '/api/v1/docs',
      '/api/v1/me',
      '/r/id-1/qr.svg', // the printed codes moved to the dashboard function (the QR encoder is ~21 KB)
      '/r/id-1/placard',
    ];
    for (const must of areas) {
      expect(paths, must).toContain(must); // the walk covers every area
    }
    expect(paths.some((p) => p.startsWith('/assets/dashboard.'))).toBe(true);
    for (const path of paths) expect(gatewayRoute(path).fn, `${path} → ${gatewayRoute(path).key}`).toBe(dashboardFn);
  });

  it('sends every resident and machine route to the API function', () => {
    const app = createApp(deps());
    const paths = [...new Set(app.routes.filter((r) => r.path !== '*' && r.path !== '/*').flatMap((r) => samples(r.path)))];
    const kinds = ['/health', '/api/v1/tickets', '/api/v1/ratings', '/api/v1/halls/id-1/scores', '/r/id-1', '/api/v1/any'];
    for (const must of kinds) {
      expect(paths, must).toContain(must);
    }
    for (const path of paths) expect(gatewayRoute(path).fn, `${path} → ${gatewayRoute(path).key}`).toBe(apiFn);
  });

  it('would catch a staff route missing from the list (the walk can fail)', () => {
    expect(gatewayRoute('/not-listed/id-1').fn).toBe(apiFn); // (was /cases/id-1: the cases area is listed since issue 9)
    expect(gatewayRoute('/api/v1/halls/id-1/report').fn).toBe(dashboardFn);
    expect(gatewayRoute('/api/v1/halls/id-1/scores').fn).toBe(apiFn);
    expect(gatewayRoute('/halls').fn).toBe(apiFn); // {proxy+} needs a segment
  });
});
