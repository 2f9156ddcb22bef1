/**
 * Bundles functions/api.ts with esbuild's JS API exactly as infra/constructs/api-function.ts asks NodejsFunction to
 * (esbuild --bundle --platform=node --format=esm --target=node22 --minify --sourcemap --external:… --charset=utf8
 * --main-fields=module,main --banner:js=…, outfile index.mjs, cwd = project root), into a temp dir, and reports
 * the size of index.mjs. The banner and externals are read from the construct's source so the two cannot drift.
 */
import { build } from 'esbuild';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TBundleResult {
  bytes: number;
  ms: number;
  /** Largest contributors to the minified output, bytes. */
  top: { input: string; bytes: number }[];
  /** What was read from the construct (or the fallback used). */
  options: { target: string; externals: string[]; banner: string; fromConstruct: boolean };
}

function constructOptions(root: string) {
  const fallback = {
    target: 'node22',
    externals: ['@aws-sdk/*', '@aws-lambda-powertools/*'],
    banner: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);",
  };
  try {
    const src = readFileSync(join(root, 'infra/constructs/api-function.ts'), 'utf8');
    const banner = /const ESM_REQUIRE_BANNER\s*=\s*"([^"]+)"/.exec(src)?.[1];
    const externals = /externalModules:\s*\[([^\]]*)\]/
      .exec(src)?.[1]
      .match(/'[^']+'/g)
      ?.map((s) => s.slice(1, -1));
    const target = /target:\s*'(node\d+)'/.exec(src)?.[1];
    if (!banner || !externals?.length || !target || !/minify:\s*true/.test(src) || !/'--charset':\s*'utf8'/.test(src))
      throw new Error('shape changed');
    return { target, externals, banner, fromConstruct: true };
  } catch {
    return { ...fallback, fromConstruct: false };
  }
}

export async function measureBundle(root: string): Promise<TBundleResult> {
  const opts = constructOptions(root);
  const outdir = mkdtempSync(join(tmpdir(), 'st-bench-bundle-'));
  const started = performance.now();
  try {
    const out = await build({
      absWorkingDir: root,
      entryPoints: [join(root, 'functions/api.ts')],
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: opts.target,
      outfile: join(outdir, 'index.mjs'),
      minify: true,
      sourcemap: true,
      external: opts.externals,
      charset: 'utf8',
      mainFields: ['module', 'main'],
      banner: { js: opts.banner },
      metafile: true,
      logLevel: 'silent',
    });
    const ms = performance.now() - started;
    const bytes = statSync(join(outdir, 'index.mjs')).size;
    const output = Object.entries(out.metafile.outputs).find(([name]) => name.endsWith('index.mjs'))?.[1];
    const byPackage = new Map<string, number>();
    for (const [input, { bytesInOutput }] of Object.entries(output?.inputs ?? {})) {
      const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
      const key = m ? m[1] : input.split('/').slice(0, 2).join('/');
      byPackage.set(key, (byPackage.get(key) ?? 0) + bytesInOutput);
    }
    const top = [...byPackage]
      .map(([input, b]) => ({ input, bytes: b }))
      .sort((a, b) => b.bytes - a.bytes)
      .slice(0, 6);
    return { bytes, ms, top, options: opts };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}
