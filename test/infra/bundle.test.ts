import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildApp, STACK_NAME } from '../../infra/build.js';

const MAX_BUNDLE_BYTES = 150 * 1024;

describe('API function bundle', () => {
  const outdir = mkdtempSync(join(tmpdir(), 'st-bundle-'));
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  it(
    'bundles functions/api.ts with the local esbuild into one ESM file under 150 KB',
    () => {
      // Real bundling: no 'aws:cdk:bundling-stacks' override. Nag is covered by nag.test.ts.
      const { app } = buildApp({ outdir, nag: false });
      app.synth();

      const template = JSON.parse(readFileSync(join(outdir, `${STACK_NAME}.template.json`), 'utf8')) as {
        Resources: Record<string, { Type: string; Properties: { Code?: { S3Key?: string } } }>;
      };
      const fn = Object.values(template.Resources).find((r) => r.Type === 'AWS::Lambda::Function');
      const s3Key = fn?.Properties.Code?.S3Key;
      expect(s3Key).toMatch(/^[0-9a-f]{64}\.zip$/);
      const assetDir = join(outdir, `asset.${s3Key!.replace(/\.zip$/, '')}`);

      const bundle = join(assetDir, 'index.mjs');
      expect(existsSync(bundle), `${bundle} exists`).toBe(true);
      const size = statSync(bundle).size;
      expect(size, `index.mjs is ${size} bytes`).toBeLessThan(MAX_BUNDLE_BYTES);
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
    },
    120_000,
  );
});
