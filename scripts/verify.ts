/**
 * `npm run verify -- --hall <id> [--date D] [--base URL]`: check a published service temperature yourself. It reads
 * the hall's published figures and the open ratings CSV of its region from a running instance (local or deployed),
 * and recomputes the temperature and its 90% interval with its own short implementation of SPEC §4 — deliberately
 * not the nightly job's code (nothing here imports shared/), so a mistake there cannot hide behind itself.
 */
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';

const POINTS = [0, 25, 50, 75, 100]; // grades 1..5
const HALF_LIFE = 30;
const PRIOR = 10; // M
const Z = 1.645; // two-sided 90%

export interface TVerified {
  hall: string;
  date: string;
  published: { temperature: number; low: number; high: number };
  recomputed: { temperature: number; low: number; high: number; n: number };
  difference: number;
}

const dayNumber = (d: string) => Date.parse(`${d}T00:00:00Z`) / 86_400_000;
const shift = (d: string, n: number) => new Date((dayNumber(d) + n) * 86_400_000).toISOString().slice(0, 10);

/** Decayed grade counts of the rows on day T: weight 0.5^(age/30), ages 0..365; excluded ratings left out. */
function decayedCounts(rows: Record<string, string>[], day: string): number[] {
  const n = [0, 0, 0, 0, 0];
  for (const r of rows) {
    const age = dayNumber(day) - dayNumber(r.day);
    if (r.excluded || age < 0 || age > 365) continue;
    n[Number(r.overall) - 1] += 0.5 ** (age / HALF_LIFE);
  }
  return n;
}

/** SPEC §4: q = (n + Mπ)/(N + M), T = Σ s·q, interval T ± 1.645·√((Σ s²q − T²)/(N + M + 1)). */
export function temperatureOf(n: number[], parent: number[]) {
  const N = n.reduce((a, b) => a + b, 0);
  const P = parent.reduce((a, b) => a + b, 0);
  const prior = parent.map((c) => (P > 0 ? c / P : 0.2));
  const q = n.map((c, k) => (c + PRIOR * prior[k]) / (N + PRIOR));
  const t = q.reduce((a, qk, k) => a + POINTS[k] * qk, 0);
  const s2 = q.reduce((a, qk, k) => a + POINTS[k] ** 2 * qk, 0);
  const half = Z * Math.sqrt(Math.max(0, s2 - t * t) / (N + PRIOR + 1));
  return { temperature: t, low: Math.max(0, t - half), high: Math.min(100, t + half), n: N };
}

/** The open CSV holds only ids, tags and numbers (never a comma inside a cell), so a line splits on commas. */
export function parseCsv(text: string): Record<string, string>[] {
  const [head = '', ...rest] = text
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .filter(Boolean);
  const cols = head.split(',');
  return rest.map((line) => Object.fromEntries(line.split(',').map((v, i) => [cols[i], v])));
}

export async function verifyHall(opts: { base: string; hall: string; date?: string }): Promise<TVerified> {
  const get = async (path: string) => {
    const res = await fetch(new URL(path, opts.base));
    if (!res.ok) throw new Error(`GET ${path}: ${res.status} ${await res.text()}`);
    return res;
  };
  const hall = encodeURIComponent(opts.hall);
  const pub = (await (await get(`/api/v1/public/halls/${hall}${opts.date ? `?date=${opts.date}` : ''}`)).json()) as {
    date: string;
    regionId: string;
    temperature: number;
    low: number;
    high: number;
  };
  const csv = await (
    await get(`/api/v1/public/regions/${encodeURIComponent(pub.regionId)}/ratings.csv?from=${shift(pub.date, -365)}&to=${pub.date}`)
  ).text();
  const rows = parseCsv(csv);
  const own = decayedCounts(
    rows.filter((r) => r.hall === opts.hall),
    pub.date,
  );
  const region = decayedCounts(rows, pub.date); // the prior: the hall's region, every hall below it
  const recomputed = temperatureOf(own, region);
  const difference = Math.max(
    Math.abs(recomputed.temperature - pub.temperature),
    Math.abs(recomputed.low - pub.low),
    Math.abs(recomputed.high - pub.high),
  );
  return {
    hall: opts.hall,
    date: pub.date,
    published: { temperature: pub.temperature, low: pub.low, high: pub.high },
    recomputed,
    difference,
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const usage = 'npm run verify -- --hall <hallId> [--date YYYY-MM-DD] [--base http://localhost:3000]';
  let a: { hall?: string; date?: string; base?: string };
  try {
    a = parseArgs({ options: { hall: { type: 'string' }, date: { type: 'string' }, base: { type: 'string' } } }).values;
  } catch (err) {
    console.error(`error: ${(err as Error).message}\nusage: ${usage}`);
    process.exit(2);
  }
  if (!a.hall) {
    console.error(`error: --hall is required\nusage: ${usage}`);
    process.exit(2);
  }
  if (a.date && !/^\d{4}-\d{2}-\d{2}$/.test(a.date)) {
    console.error(`error: --date must look like 2026-11-21, got "${a.date}"`);
    process.exit(2);
  }
  try {
    const v = await verifyHall({ base: a.base ?? 'http://localhost:3000', hall: a.hall, date: a.date });
    const f = (x: { temperature: number; low: number; high: number }) =>
      `${x.temperature.toFixed(2)} (90%: ${x.low.toFixed(2)}–${x.high.toFixed(2)})`;
    console.log(`hall ${v.hall} on ${v.date}`);
    console.log(`published   ${f(v.published)}`);
    console.log(`recomputed  ${f(v.recomputed)}  from ${v.recomputed.n.toFixed(2)} effective ratings`);
    console.log(`difference  ${v.difference.toFixed(4)} ${v.difference <= 0.01 ? '✓ agrees to 0.01' : '✗ DOES NOT AGREE'}`);
    process.exit(v.difference <= 0.01 ? 0 : 1);
  } catch (err) {
    console.error(`error: ${(err as Error).message}`);
    process.exit(2);
  }
}
