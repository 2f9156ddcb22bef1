/**
 * `npm run migrate [-- --aws] [--outputs cdk.out/outputs.json]`: brings stored data up to the current indexes
 * (shared/storage/migrate.ts: the region tree index, users' name index and claims; the notifications' users by scope
 * and waiting digests' due items; then cases moved to their hall's region's partition, on AWS once every index of
 * the table, GSI3 and GSI4 included, is ACTIVE; then the cases opened in the last 3 days get GSI4's shard `q`).
 * Idempotent and resumable: run it again after an interruption and it goes on from its last page; once done it reads
 * one marker and stops.
 * `npm run deploy` runs it after `cdk deploy`. Locally it opens the data folder (or the running server's engine);
 * with `--aws` the table named by TABLE_NAME or, with `--outputs`, by the stack's TableName output in that file.
 */
import { existsSync, readFileSync } from 'node:fs';
import { loadConfig } from '../shared/config.js';
import { createDynamoClient } from '../shared/storage/client.js';
import { openTable, type TTable } from '../shared/storage/db.js';
import {
  CASES_MIGRATION,
  MIGRATION,
  migrate,
  migrateCases,
  migrateNotify,
  migrateOpenedCases,
  NOTIFY_MIGRATION,
  OPENED_CASES_MIGRATION,
  type TMigrateResult,
} from '../shared/storage/migrate.js';
import { waitForIndexes } from '../shared/storage/schema.js';
import { args, fail, withLocalData } from './cli.js';

const usage = 'npm run migrate [-- --aws] [--outputs cdk.out/outputs.json]';
const a = args({ aws: { type: 'boolean' }, outputs: { type: 'string' } }, usage);

async function run(table: TTable, aws: boolean): Promise<void> {
  const steps: [string, (o: { progress: (line: string) => void }) => Promise<TMigrateResult>][] = [
    [MIGRATION, (o) => migrate(table, o)],
    [NOTIFY_MIGRATION, (o) => migrateNotify(table, { ...o, timeZone: process.env.SCORING_TIMEZONE || 'Asia/Shanghai' })],
    [
      CASES_MIGRATION,
      async (o) => {
        // A deploy that added an index returns while DynamoDB still back-fills it: the cases' hall pages read GSI3.
        if (aws) {
          console.log('migrate: waiting for every index of the table to be ACTIVE');
          await waitForIndexes(table.db, table.name);
        }
        return migrateCases(table, o);
      },
    ],
    // the cases opened in the last 3 days by code from before GSI4 get its shard (the sweep finds new cases there)
    [OPENED_CASES_MIGRATION, (o) => migrateOpenedCases(table, o)],
  ];
  for (const [name, step] of steps) {
    const started = Date.now();
    const r = await step({ progress: (line) => console.log(`  ${line}`) });
    if (r.already) console.log(`migrate: ${name} was done before; nothing to do`);
    else console.log(`migrate: ${name} done: ${r.visited} records visited, ${r.written} writes, ${Date.now() - started} ms`);
  }
}

/** The TableName output of the stack in a `cdk deploy --outputs-file` JSON ({ <stack>: { TableName: … } }). */
function tableFromOutputs(file: string): string | undefined {
  if (!existsSync(file)) fail(`--outputs: ${file} does not exist (cdk deploy --outputs-file ${file})`);
  const stacks = JSON.parse(readFileSync(file, 'utf8')) as Record<string, Record<string, string>>;
  return Object.values(stacks).find((o) => o.TableName)?.TableName;
}

if (a.aws) {
  const name = a.outputs ? tableFromOutputs(a.outputs) : process.env.TABLE_NAME;
  if (!name) fail('--aws needs TABLE_NAME or --outputs <cdk outputs file> holding the stack output TableName');
  const config = loadConfig({ ...process.env, TABLE_NAME: name });
  const client = createDynamoClient({ region: config.AWS_REGION });
  try {
    await run(openTable(client, name), true);
  } finally {
    client.destroy();
  }
} else {
  await withLocalData(({ table }) => run(table, false));
}
