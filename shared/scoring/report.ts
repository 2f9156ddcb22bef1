/**
 * What the job's figures look like to people and to other programs: one hall's report (the shape of
 * `npm run report`, the API and the dashboard), and the raw ratings as CSV so anyone can recompute them.
 */
import { unitId } from '../domain/aggregate.js';
import { addDays, daysBetween } from '../domain/time.js';
import type { TFigures } from '../domain/figures.js';
import type { TRating } from '../domain/model.js';
import type { TTable } from '../storage/db.js';
import type { TSnapshot } from '../storage/scores.js';
import { getSnapshots, lastCompletedRun, snapshotRange } from '../storage/scores.js';
import { listRatingsForHallDay } from '../storage/ratings.js';

export interface TUnitReport {
  unit: string;
  name?: string;
  date: string;
  temperature: number;
  low: number;
  high: number;
  band: string;
  n: number;
  ranked: boolean;
  goodRate: TFigures['goodRate'];
  oneTripRate: TFigures['oneTripRate'];
  doneRate: TFigures['doneRate'];
  activeRate: TFigures['activeRate'];
  dimensions: TFigures['dimensions'];
}

export interface THallReport extends TUnitReport {
  hallId: string;
}

export function toUnitReport(snap: TSnapshot): TUnitReport | undefined {
  const f = snap.figures as TFigures | undefined;
  if (!f) return undefined;
  return {
    unit: snap.unit,
    name: snap.name,
    date: snap.day,
    temperature: f.temperature,
    low: f.low,
    high: f.high,
    band: f.band,
    n: f.n,
    ranked: f.ranked,
    goodRate: f.goodRate,
    oneTripRate: f.oneTripRate,
    doneRate: f.doneRate,
    activeRate: f.activeRate,
    dimensions: f.dimensions,
  };
}

/** A hall's figures on a date (default: the last completed night). */
export async function hallReport(table: TTable, hallId: string, date?: string): Promise<THallReport | undefined> {
  const day = date ?? (await lastCompletedRun(table));
  if (!day) return undefined;
  const snap = (await getSnapshots(table, day, [unitId.hall(hallId)])).get(unitId.hall(hallId));
  const report = snap && toUnitReport(snap);
  return report && { hallId, ...report };
}

/** A unit's daily reports between two dates (a trend: one Query). */
export async function unitTrend(table: TTable, unit: string, from: string, to: string): Promise<TUnitReport[]> {
  return (await snapshotRange(table, unit, from, to)).map(toUnitReport).filter((r): r is TUnitReport => !!r);
}

export const CSV_HEADER = [
  'id',
  'time',
  'day',
  'window',
  'service',
  'channel',
  'overall',
  'attitude',
  'efficiency',
  'competence',
  'trips',
  'done',
  'reasons',
  'flagged',
];

/** One CSV cell, verbatim: quoted only when it holds a comma, quote or line break. Ids come out exactly as stored. */
export const csvCell = (v: unknown): string => {
  const s = v === undefined || v === null ? '' : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/**
 * A free-text cell (a name, a comment): a leading = + - @ tab or CR would be read as a formula by spreadsheets, so it
 * is neutralised with a quote. Only for text people typed — ids, codes and numbers use csvCell and stay verbatim, so
 * an export joins and recomputes by id (a rating id may begin with "-").
 */
export const csvText = (v: unknown): string => {
  const s = v === undefined || v === null ? '' : String(v);
  return csvCell(/^[=+\-@\t\r]/.test(s) ? `'${s}` : s);
};

/** Every column of a rating row is an id, a time, a number or a fixed tag: no free text, nothing rewritten. */
export const csvRow = (r: TRating): string =>
  [
    r.ratingId,
    r.createdAt,
    r.day,
    r.windowId,
    r.serviceId,
    r.channel,
    r.overall,
    r.attitude,
    r.efficiency,
    r.competence,
    r.trips,
    r.done,
    (r.reasons ?? []).join('|'),
    r.flags?.length ? r.flags.join('|') : '',
  ]
    .map(csvCell)
    .join(',');

/**
 * The hall's raw ratings between two days as CSV lines, one day's Query at a time, so a year of a busy hall
 * streams in constant memory. Columns: CSV_HEADER.
 */
export async function* ratingsCsv(table: TTable, hallId: string, from: string, to: string): AsyncGenerator<string> {
  if (daysBetween(from, to) < 0) throw new Error(`--from ${from} is after --to ${to}`);
  yield `${CSV_HEADER.join(',')}\n`;
  for (let day = from; day <= to; day = addDays(day, 1)) {
    const rows = await listRatingsForHallDay(table, hallId, day);
    if (rows.length) yield `${rows.map(csvRow).join('\n')}\n`;
  }
}
