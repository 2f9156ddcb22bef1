/** `npm run export -- --hall <hallId> --from YYYY-MM-DD --to YYYY-MM-DD`: the raw ratings as CSV on stdout. */
import { once } from 'node:events';
import { caseCsv } from '../shared/scoring/case-report.js';
import { ratingsCsv } from '../shared/scoring/report.js';
import { args, day, fail, withLocalData } from './cli.js';
import { getHallCatalogue } from '../shared/storage/catalogue.js';

const usage = 'npm run export -- --hall <hallId> --from YYYY-MM-DD --to YYYY-MM-DD [--cases]';
const a = args({ hall: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' }, cases: { type: 'boolean' } }, usage);
if (!a.hall || !a.from || !a.to) fail(`--hall, --from and --to are required\nusage: ${usage}`);
const from = day(a.from, 'from')!;
const to = day(a.to, 'to')!;
if (from > to) fail(`--from ${from} is after --to ${to}`);

// A reader that stops early (`| head`) is not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => process.exit(err.code === 'EPIPE' ? 0 : 1));

await withLocalData(async ({ table }) => {
  if (!(await getHallCatalogue(table, a.hall!))) fail(`no hall "${a.hall}"`);
  if (a.cases) {
    process.stdout.write(await caseCsv({ table }, { hallId: a.hall! }, from, to)); // the hall's cases opened in the range
    return;
  }
  for await (const chunk of ratingsCsv(table, a.hall!, from, to)) {
    if (!process.stdout.write(chunk)) await once(process.stdout, 'drain'); // respect a slow reader: constant memory
  }
});
