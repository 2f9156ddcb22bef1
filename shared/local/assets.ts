/**
 * The dashboard's browser assets, bundled from source with esbuild when the local server starts (a few tens of
 * milliseconds), served from the app itself under a content hash. Government networks are often closed, so no CDN.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

export interface TAsset {
  path: string;
  body: string;
  type: string;
}

export async function buildDashboardAssets(): Promise<{ script: TAsset; css: string }> {
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
  const body = out.outputFiles[0].text;
  const hash = createHash('sha256').update(body).digest('hex').slice(0, 12);
  const css = readFileSync(createRequire(import.meta.url).resolve('uplot/dist/uPlot.min.css'), 'utf8');
  return { script: { path: `/assets/dashboard.${hash}.js`, body, type: 'text/javascript; charset=utf-8' }, css };
}
