/**
 * `tsx infra/public-assets.ts <dir>`: the files CloudFront serves from the assets bucket, at the paths the pages ask
 * for — the dashboard's script under its content hash (assets/dashboard.<hash>.js). Run by the CDK bundling step.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { buildDashboardAssets } from '../shared/local/assets.js';

const dir = process.argv[2];
if (!dir) throw new Error('usage: tsx infra/public-assets.ts <output folder>');
const { script } = await buildDashboardAssets();
const file = join(dir, script.path.slice(1));
mkdirSync(dirname(file), { recursive: true });
writeFileSync(file, script.body);
console.log(`wrote ${file}`);
