/**
 * `npm run deploy -- [cdk deploy options, e.g. -c publicBaseUrl=https://…]`: `cdk deploy` (its outputs written to
 * cdk.out/outputs.json), then the data migration against the deployed table (`npm run migrate -- --aws`), so an
 * upgrade never runs with its new indexes missing. The migration is idempotent: on an up-to-date table it reads
 * one marker. If it is interrupted, `npm run migrate -- --aws --outputs cdk.out/outputs.json` goes on from there.
 */
import { spawnSync } from 'node:child_process';

const outputs = 'cdk.out/outputs.json';
const step = (cmd: string, argv: string[]) => {
  console.log(`deploy: ${cmd} ${argv.join(' ')}`);
  const r = spawnSync(cmd, argv, { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
};
step('npx', ['cdk', 'deploy', '--require-approval', 'broadening', '--outputs-file', outputs, ...process.argv.slice(2)]);
step('npx', ['tsx', 'scripts/migrate.ts', '--aws', '--outputs', outputs]);
