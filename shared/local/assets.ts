/**
 * Builds the dashboard's browser assets from source with esbuild: when the local server starts (a few tens of
 * milliseconds), and into the dashboard Lambda's bundle (`tsx shared/local/assets.ts <dir>`, run by the CDK
 * bundling step), where shared/http/assets.ts reads them back.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ASSET_FILES, dashboardAssetsFrom, type TDashboardAssets } from '../http/assets.js';

export type { TAsset } from '../http/assets.js';

export async function buildDashboardAssets(): Promise<TDashboardAssets> {
  const { build } = await import('esbuild');
  const out = await build({
    entryPoints: [fileURLToPath(new URL('../http/client/dashboard.ts', import.meta.url))],
    bundle: true,
    minify: true,
    format: 'iife',
    target: ['es2020'],
    write: false,
    legalComments: 'none',
  });
  const css = readFileSync(createRequire(import.meta.url).resolve('uplot/dist/uPlot.min.css'), 'utf8');
  return dashboardAssetsFrom(out.outputFiles[0].text, css);
}

/** Writes the built assets into `dir` (the files loadDashboardAssets reads). */
export async function writeDashboardAssets(dir: string): Promise<TDashboardAssets> {
  const assets = await buildDashboardAssets();
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, ASSET_FILES.script), assets.script.body);
  writeFileSync(join(dir, ASSET_FILES.css), assets.css);
  return assets;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const dir = process.argv[2];
  if (!dir) throw new Error('usage: tsx shared/local/assets.ts <output folder>');
  const a = await writeDashboardAssets(resolve(dir));
  console.log(`dashboard assets → ${dir} (${a.script.path})`);
}
