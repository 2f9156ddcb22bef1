/** `npm run report -- --hall <hallId> [--date YYYY-MM-DD]`: the hall's figures as JSON. */
import { caseFiguresReport } from '../shared/scoring/case-report.js';
import { hallReport } from '../shared/scoring/report.js';
import { args, day, fail, withLocalData } from './cli.js';
import { listHalls } from '../shared/storage/catalogue.js';

const usage = 'npm run report -- --hall <hallId> [--date YYYY-MM-DD]';
const a = args({ hall: { type: 'string' }, date: { type: 'string' } }, usage);
if (!a.hall) fail(`--hall is required\nusage: ${usage}`);
const date = day(a.date, 'date');

await withLocalData(async ({ table }) => {
  const report = await hallReport(table, a.hall!, date);
  if (!report) {
    const halls = (await listHalls(table)).map((h) => h.id);
    fail(
      halls.includes(a.hall!)
        ? `no scores for ${a.hall} on ${date ?? 'the last scored day'}: run \`npm run score\` first`
        : `no hall "${a.hall}"; halls: ${halls.join(', ')}`,
    );
  }
  const r = report;
  const out = {
    hallId: r.hallId,
    name: r.name,
    date: r.date,
    temperature: r.temperature,
    low: r.low,
    high: r.high,
    band: r.band,
    n: r.n,
    ranked: r.ranked,
    goodRate: r.goodRate,
    oneTripRate: r.oneTripRate,
    doneRate: r.doneRate,
    activeRate: r.activeRate,
    dimensions: r.dimensions,
    // how the hall handled its bad ratings over the 30 days ending the report's day (SPEC §5)
    cases: await caseFiguresReport({ table }, { hallId: r.hallId }, r.date),
  };
  console.log(JSON.stringify(out, null, 2));
});
