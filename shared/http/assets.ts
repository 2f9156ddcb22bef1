/**
 * The dashboard's browser assets: its script (uPlot + chart and table code) under a content hash, and uPlot's CSS
 * (inlined into pages under the CSP nonce). Built by shared/local/assets.ts; on Lambda read once from the files
 * the bundling step wrote beside the handler. No CDN: government networks are often closed.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface TAsset {
  path: string;
  body: string;
  type: string;
}

export interface TDashboardAssets {
  script: TAsset;
  css: string;
}

export const ASSET_FILES = { script: 'dashboard.js', css: 'uPlot.min.css' } as const;

export function dashboardAssetsFrom(script: string, css: string): TDashboardAssets {
  const hash = createHash('sha256').update(script).digest('hex').slice(0, 12);
  return { script: { path: `/assets/dashboard.${hash}.js`, body: script, type: 'text/javascript; charset=utf-8' }, css };
}

/** Reads prebuilt assets from a folder (the Lambda bundle's `assets/`). */
export function loadDashboardAssets(dir: string): TDashboardAssets {
  return dashboardAssetsFrom(readFileSync(join(dir, ASSET_FILES.script), 'utf8'), readFileSync(join(dir, ASSET_FILES.css), 'utf8'));
}
