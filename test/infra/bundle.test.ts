/**
 * Real bundling (no 'aws:cdk:bundling-stacks' override; nag is covered by nag.test.ts): the whole app is
 * synthesized once, then the API bundle is checked for its size budget and the dashboard bundle is run.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, statSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, PROJECT_ROOT, STACK_NAME } from '../../infra/build.js';
import { addDays } from '../../shared/domain/time.js';
import { generateKeyringJson, parseKeyring } from '../../shared/domain/keyring.js';
import { sealSession } from '../../shared/http/session.js';
import { seedDemo } from '../../shared/local/seed.js';
import { runRange } from '../../shared/scoring/job.js';
import { createDynamoClient } from '../../shared/storage/client.js';
import { openTable } from '../../shared/storage/db.js';
import { ensureTable } from '../../shared/storage/schema.js';
import { engine, stopEngines } from '../support/harness.js';
import { startTestIdp, type TTestIdp } from '../support/idp.js';

// 135 KB (issue 8): 15 KB under the old 150 KB budget, room for what the resident path still gains (cases). Storage as
// plain functions lets esbuild keep only what the API calls (135,923 B when set). Raise it only with a reason.
const MAX_BUNDLE_BYTES = 135 * 1024; // 138,240 B
const outdir = mkdtempSync(join(tmpdir(), 'st-bundle-'));
let assetDirs: Map<string, string>;

beforeAll(() => {
  const { app } = buildApp({ outdir, nag: false });
  app.synth();
  const template = JSON.parse(readFileSync(join(outdir, `${STACK_NAME}.template.json`), 'utf8')) as {
    Resources: Record<string, { Type: string; Properties: { Description?: string; Code?: { S3Key?: string } } }>;
  };
  assetDirs = new Map(
    Object.values(template.Resources)
      .filter((r) => r.Type === 'AWS::Lambda::Function')
      .map((r) => [r.Properties.Description ?? '', join(outdir, `asset.${r.Properties.Code!.S3Key!.replace(/\.zip$/, '')}`)]),
  );
}, 300_000);
afterAll(async () => {
  rmSync(outdir, { recursive: true, force: true });
  await stopEngines();
});

const assetOf = (description: RegExp) => [...assetDirs].find(([d]) => description.test(d))![1];

describe('API function bundle', () => {
  it('bundles functions/api.ts with the local esbuild into one ESM file within 135 KB', () => {
    const assetDir = assetOf(/HTTP API \(Hono\)/);
    const bundle = join(assetDir, 'index.mjs');
    expect(existsSync(bundle), `${bundle} exists`).toBe(true);
    const size = statSync(bundle).size;
    expect(size, `index.mjs is ${size} bytes`).toBeLessThanOrEqual(MAX_BUNDLE_BYTES);
    expect(existsSync(join(assetDir, 'index.mjs.map')), 'source map emitted').toBe(true);

    const code = readFileSync(bundle, 'utf8');
    // The banner that lets CommonJS dependencies call require() inside the ESM bundle.
    expect(code.startsWith("import { createRequire } from 'module'; const require = createRequire(import.meta.url);")).toBe(true);
    expect(code).toMatch(/export\s*\{[^}]*\bas handler\b[^}]*\}|export\s*\{[^}]*\bhandler\b[^}]*\}/);
    // The Lambda runtime ships AWS SDK v3: every @aws-sdk/* reference must be an import, nothing inlined.
    const sdkReferences = code.match(/"@aws-sdk\/[^"]+"/g) ?? [];
    const sdkImports = code.match(/(?:from\s*|import\s*\(\s*)"@aws-sdk\/[^"]+"/g) ?? [];
    expect(sdkImports.length).toBe(sdkReferences.length);
    // Powertools comes from its layer, not the bundle.
    expect(code).toMatch(/from\s*"@aws-lambda-powertools\/logger"/);
    // Chinese text is kept as UTF-8, not \u escapes.
    expect(code).toContain('非常满意');
    // The dashboard is not in it.
    expect(code).not.toContain('@node-rs/jieba');
  });
});

describe('dashboard function bundle', () => {
  let dir: string;
  let idp: TTestIdp;
  let handler: (
    e: APIGatewayProxyEventV2,
    c: Context,
  ) => Promise<{ statusCode: number; body: string; headers: Record<string, string>; cookies?: string[]; isBase64Encoded?: boolean }>;
  const keyringJson = generateKeyringJson();
  const today = '2026-11-22';
  const host = 'abc123.execute-api.ap-east-1.amazonaws.com';

  const event = (path: string, query = '', cookies?: string[]): APIGatewayProxyEventV2 => ({
    version: '2.0',
    routeKey: 'ANY /halls/{proxy+}',
    rawPath: path,
    rawQueryString: query,
    cookies,
    headers: { host, 'x-forwarded-proto': 'https', 'accept-encoding': 'identity' },
    requestContext: {
      accountId: '123456789012',
      apiId: 'abc123',
      domainName: host,
      domainPrefix: 'abc123',
      http: { method: 'GET', path, protocol: 'HTTP/1.1', sourceIp: '203.0.113.7', userAgent: 'vitest' },
      requestId: 'req-1',
      routeKey: 'ANY /halls/{proxy+}',
      stage: '$default',
      time: '22/Nov/2026:02:00:00 +0000',
      timeEpoch: Date.now(),
    },
    isBase64Encoded: false,
  });
  const context = { functionName: 'dashboard', awsRequestId: 'req-1', getRemainingTimeInMillis: () => 29_000 } as unknown as Context;
  const text = (r: { body: string; isBase64Encoded?: boolean }) =>
    r.isBase64Encoded ? Buffer.from(r.body, 'base64').toString('utf8') : r.body;

  beforeAll(async () => {
    const asset = assetOf(/staff dashboard/);
    // Run it from inside the project, so the runtime's packages (AWS SDK, Powertools layer) resolve as on Lambda,
    // and add this machine's jieba binary beside the packaged arm64 one.
    mkdirSync(join(PROJECT_ROOT, 'test', '.tmp'), { recursive: true });
    dir = mkdtempSync(join(PROJECT_ROOT, 'test', '.tmp', 'dashboard-bundle-'));
    cpSync(asset, dir, { recursive: true });
    const e = await engine('dynalite');
    const client = createDynamoClient({ endpoint: e.endpoint });
    await ensureTable(client, 'bundle-table');
    const table = openTable(client, 'bundle-table');
    await seedDemo(table, { today, apiKey: 'st_bundle_test_key_00001', days: 6 });
    await runRange({ table }, addDays(today, -6), addDays(today, -1));
    idp = await startTestIdp({ redirectUris: [`https://${host}/auth/callback`] });
    Object.assign(process.env, {
      TABLE_NAME: 'bundle-table',
      DYNAMODB_ENDPOINT: e.endpoint,
      KEYRING: keyringJson,
      APP_ENV: 'aws',
      PUBLIC_BASE_URL: `https://${host}`, // the stack always sets it (the API's endpoint)
      POWERTOOLS_LOG_LEVEL: 'SILENT',
      LOG_LEVEL: 'ERROR',
      OIDC_ISSUER: idp.issuer,
      OIDC_CLIENT_ID: idp.clientId,
    });
    ({ handler } = await import(join(dir, 'index.mjs')));
  }, 120_000);
  afterAll(async () => {
    await idp?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('carries its browser assets and @node-rs/jieba with the linux-arm64 binary and dictionaries', () => {
    const asset = assetOf(/staff dashboard/);
    expect(statSync(join(asset, 'assets', 'dashboard.js')).size).toBeGreaterThan(20_000);
    expect(existsSync(join(asset, 'assets', 'uPlot.min.css'))).toBe(true);
    expect(statSync(join(asset, 'node_modules', '@node-rs', 'jieba', 'dict.txt')).size).toBeGreaterThan(1_000_000);
    const binary = join(asset, 'node_modules', '@node-rs', 'jieba-linux-arm64-gnu', 'jieba.linux-arm64-gnu.node');
    const head = Buffer.alloc(20);
    const fd = openSync(binary, 'r');
    readSync(fd, head, 0, 20, 0);
    closeSync(fd);
    expect(head.subarray(0, 4).toString('latin1')).toBe('\x7fELF');
    expect(head.readUInt16LE(18)).toBe(0xb7); // EM_AARCH64
    expect(readFileSync(join(asset, 'index.mjs'), 'utf8')).not.toMatch(/非常满意.*非常满意.*非常满意.*非常满意/s); // sanity: one copy of the app
  });

  it('runs: the sign-in page offers only the provider, and /auth/login goes there with PKCE', async () => {
    const page = await handler(event('/signin', 'lang=zh'), context);
    expect(page.statusCode).toBe(200);
    expect(text(page)).toContain('/auth/login');
    expect(text(page)).not.toContain('/signin/dev');
    const login = await handler(event('/auth/login'), context);
    expect(login.statusCode).toBe(302);
    const to = new URL(login.headers.location);
    expect(to.origin).toBe(idp.issuer);
    expect(to.searchParams.get('redirect_uri')).toBe(`https://${host}/auth/callback`);
    expect(to.searchParams.get('code_challenge_method')).toBe('S256');
  });

  it('runs: a signed-in manager gets their hall page with themes (jieba) and the chart script from its assets', async () => {
    const cookie = `st_session=${sealSession(parseKeyring(keyringJson), { uid: 'u-mgr-qingshi', exp: Date.now() + 3_600_000, csrf: 'c' })}`;
    const res = await handler(event('/halls/h-xs-qingshi', 'lang=zh', [cookie]), context);
    expect(res.statusCode).toBe(200);
    const html = text(res);
    expect(html).toContain('差评主题与关键词');
    expect(html).toMatch(/class="kw">[^<]+ ×\d+/); // keywords found by jieba
    const script = /src="(\/assets\/dashboard\.[0-9a-f]{12}\.js)"/.exec(html)![1];
    const js = await handler(event(script), context);
    expect(js.statusCode).toBe(200);
    expect(js.headers['content-type']).toContain('javascript');
    expect((await handler(event('/halls/h-dh-gangkou', '', [cookie]), context)).statusCode).toBe(404); // not their hall
  });
});
