/** Runs only the cases bench (small ingest part) and prints its rows: `npx tsx bench/queue-run.mts`. */
import { benchCases } from './cases.js';

const rows = await benchCases({ ratings: 100 });
for (const r of rows) console.log(r.metric, r.value, r.unit);
