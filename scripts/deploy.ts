/**
 * `npm run deploy -- [cdk deploy options, e.g. -c publicBaseUrl=https://…]`: `cdk deploy` (its outputs written to
 * cdk.out/outputs.json), then the data migration against the deployed table (`npm run migrate -- --aws`), so an
 * upgrade never runs with its new indexes missing. The migration is idempotent: on an up-to-date table it reads
 * one marker. If it is interrupted, `npm run migrate -- --aws --outputs cdk.out/outputs.json` goes on from there.
 * CloudFormation adds one index to a table per update: when the deployed table (TABLE_NAME, or the TableName output
 * of the last deploy) lacks more than one, each missing index but the last gets a deploy of its own first
 * (`-c tableIndexes=<n>`, infra/build.ts indexDeploySteps), then the full deploy adds the last.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { indexDeploySteps } from '../infra/build.js';
import { createDynamoClient } from '../shared/storage/client.js';

const outputs = 'cdk.out/outputs.json';
const step = (cmd: string, argv: string[]) => {
  console.log(`deploy: ${cmd} ${argv.join(' ')}`);
  const r = spawnSync(cmd, argv, { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
};

/** The deployed table's name, if this machine knows it (TABLE_NAME, or the last deploy's outputs). */
function deployedTableName(): string | undefined {
  if (process.env.TABLE_NAME) return process.env.TABLE_NAME;
  if (!existsSync(outputs)) return undefined;
  const out = JSON.parse(readFileSync(outputs, 'utf8')) as Record<string, Record<string, string>>;
  return Object.values(out).find((o) => o.TableName)?.TableName;
}

/** How many indexes the deployed table has (undefined: no table known or none yet: a first deploy). */
async function deployedIndexes(): Promise<number | undefined> {
  const name = deployedTableName();
  if (!name) return undefined;
  try {
    const t = await createDynamoClient().send(new DescribeTableCommand({ TableName: name }));
    return t.Table?.GlobalSecondaryIndexes?.length ?? 0;
  } catch (err) {
    if ((err as Error).name === 'ResourceNotFoundException') return undefined;
    throw err;
  }
}

const cdkArgs = process.argv.slice(2);
for (const n of indexDeploySteps(await deployedIndexes())) {
  console.log(`deploy: the table lacks more than one index; first a deploy with ${n} of them`);
  step('npx', ['cdk', 'deploy', '--require-approval', 'broadening', '--outputs-file', outputs, '-c', `tableIndexes=${n}`, ...cdkArgs]);
}
step('npx', ['cdk', 'deploy', '--require-approval', 'broadening', '--outputs-file', outputs, ...cdkArgs]);
step('npx', ['tsx', 'scripts/migrate.ts', '--aws', '--outputs', outputs]);
