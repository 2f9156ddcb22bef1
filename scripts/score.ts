/** `npm run score -- --date YYYY-MM-DD` or `-- --from YYYY-MM-DD --to YYYY-MM-DD`: runs the nightly job. */
import { loadConfig } from '../shared/config.js';
import { addDays, unendedDayError } from '../shared/domain/time.js';
import { runNight, runRange, scoreThrough, type TNightResult } from '../shared/scoring/job.js';
import { args, day, fail, withLocalData } from './cli.js';
import { progressWriter } from '../shared/local/progress.js';
import { lastFinishedRun } from '../shared/storage/scores.js';

const usage = 'npm run score -- --date YYYY-MM-DD | --from YYYY-MM-DD --to YYYY-MM-DD';
const a = args({ date: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' } }, usage);
const date = day(a.date, 'date');
const from = day(a.from, 'from');
const to = day(a.to, 'to');
if (!date && !(from && to)) fail(`give --date, or both --from and --to\nusage: ${usage}`);
if (date && (from || to)) fail(`give either --date or --from/--to, not both\nusage: ${usage}`);
if (from && to && from > to) fail(`--from ${from} is after --to ${to}`);
const unended = unendedDayError((date ?? to)!, loadConfig().SCORING_TIMEZONE);
if (unended) fail(`cannot score ${date ? '--date' : '--to'} ${date ?? to}: ${unended} (SCORING_TIMEZONE)`);

const progress = progressWriter(process.stderr, 'scoring');
const bar = (done: number, total: number, r: TNightResult) =>
  progress(done, total, `${r.day}: ${r.ratings} ratings, ${r.alerts.filter((x) => x.day === r.day).length} alerts`);

await withLocalData(async ({ table, via }) => {
  process.stderr.write(`using the ${via}\n`);
  const deps = { table, cases: {} }; // the case step runs with each night (events: ids only, unlogged here)
  let nights: TNightResult[];
  if (date) {
    const last = await lastFinishedRun(table);
    // The recurrence needs the day before: catch up missed nights first, then (re-)score the date itself.
    nights =
      last && last < addDays(date, -1)
        ? await scoreThrough(deps, date, { onDay: (r, d, t) => bar(d, t, r) })
        : [await runNight(deps, date)];
  } else {
    nights = await runRange(deps, from!, to!, (r, d, t) => bar(d, t, r));
  }
  const lastNight = nights[nights.length - 1];
  console.log(
    JSON.stringify(
      {
        scored: nights.map((n) => n.day),
        ratings: nights.reduce((n, r) => n + r.ratings, 0),
        alerts: nights.flatMap((n) => n.alerts),
        lastDay: lastNight?.day,
      },
      null,
      2,
    ),
  );
});
