/**
 * What the job's figures look like to people and to other programs: one hall's report (the shape of
 * `npm run report`, the API and the dashboard), and the raw ratings as CSV so anyone can recompute them.
 */
import { unitId } from '../domain/aggregate.js';
import { addDays, dateFormat, daysBetween } from '../domain/time.js';
import { shownDimension, type TDimensionShown, type TFigures } from '../domain/figures.js';
import { CUSTOM_TAG, DONE_LABELS, GRADE_LABELS, REASONS, TRIPS_LABELS, type TReason } from '../domain/grades.js';
import type { TRating } from '../domain/model.js';
import { windowWords } from '../domain/matters.js';
import { NATIONAL_VERSION, type TSurveyDefinition, tagLabel } from '../domain/survey.js';
import { getSurveyVersion } from '../storage/surveys.js';
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
  /** a dimension with too few answers of its own has null figures and only its n (DIMENSION_MIN_N, issue 13) */
  dimensions: Record<keyof TFigures['dimensions'], TDimensionShown>;
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
    dimensions: {
      attitude: shownDimension(f.dimensions.attitude),
      efficiency: shownDimension(f.dimensions.efficiency),
      competence: shownDimension(f.dimensions.competence),
    },
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
  /** the survey definition version answered (empty: the national default, as in the open data) */
  'survey_version',
  /** the definition's extra questions: question=option codes, "|"-separated */
  'extra',
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

const extraCodes = (r: Pick<TRating, 'extra'>): string =>
  Object.entries(r.extra ?? {})
    .map(([q, o]) => `${q}=${o}`)
    .join('|');

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
    r.surveyVersion,
    extraCodes(r),
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

/**
 * The people's CSV (issue 13): the same ratings as the machine CSV, for a person in a spreadsheet — headers in the
 * page's language, window and service names instead of ids, grade and reason labels, and the comments. Every text
 * cell is formula-safe (csvText); the machine CSV above stays the one to recompute from.
 */
export const PEOPLE_HEADER = {
  zh: [
    '评价编号',
    '时间',
    '日期',
    '窗口',
    '事项',
    '渠道',
    '总体评价',
    '服务态度',
    '服务效率',
    '服务水平',
    '跑了几次',
    '办成了吗',
    '不满意原因',
    '留言',
    '可疑标记',
    '问卷版本',
    '附加问题',
  ],
  en: [
    'Rating',
    'Time',
    'Date',
    'Window',
    'Service',
    'Channel',
    'Overall',
    'Attitude',
    'Efficiency',
    'Competence',
    'Trips',
    'Done',
    'Reasons',
    'Comment',
    'Flagged',
    'Survey version',
    'Extra questions',
  ],
} as const;
const CHANNEL_LABELS: Record<string, { zh: string; en: string }> = {
  ticket: { zh: '小票', en: 'ticket' },
  placard: { zh: '窗口评价牌', en: 'placard' },
  link: { zh: '办件编号', en: 'matter number' },
};

/** The extra answers in words, through the definition the rating answered: "问题：选项；…" (codes if it is gone). */
export function extraWords(r: Pick<TRating, 'extra'>, d: TSurveyDefinition | undefined, lang: 'zh' | 'en'): string {
  return Object.entries(r.extra ?? {})
    .map(([code, answer]) => {
      const q = d?.extra.find((x) => x.code === code);
      const o = q?.options.find((x) => x.code === answer);
      return `${q?.[lang] ?? code}${lang === 'zh' ? '：' : ': '}${o?.[lang] ?? answer}`;
    })
    .join(lang === 'zh' ? '；' : '; ');
}

export function peopleCsvRow(
  r: TRating,
  lang: 'zh' | 'en',
  names: { windows: Map<string, string>; services: Map<string, string> },
  timeZone: string,
  definition?: TSurveyDefinition,
): string {
  const label = <T extends Record<string | number, { zh: string; en: string }>>(labels: T, v: unknown) =>
    v === undefined || v === null ? '' : ((labels as Record<string, { zh: string; en: string }>)[String(v)]?.[lang] ?? String(v));
  const local = dateFormat('sv-SE', { timeZone, dateStyle: 'short', timeStyle: 'short' }).format(Date.parse(r.createdAt));
  const grade = (g?: number) => (g ? `${g} ${label(GRADE_LABELS, g)}` : '');
  // the definition's own wording first (its tags may relabel national codes), then the national labels, else the code
  const reasonWord = (x: string) =>
    (definition && (x in REASONS || CUSTOM_TAG.test(x)) ? tagLabel(definition, x)[lang] : undefined) ??
    (x in REASONS ? REASONS[x as TReason][lang] : x);
  const reasons = (r.reasons ?? []).map(reasonWord).join(lang === 'zh' ? '、' : '; ');
  return [
    csvCell(r.ratingId),
    csvCell(local),
    csvCell(r.day),
    csvText(windowWords(r.windowId, lang, names.windows.get(r.windowId))),
    csvText(r.serviceId ? (names.services.get(r.serviceId) ?? r.serviceId) : ''),
    csvText(label(CHANNEL_LABELS, r.channel)),
    csvText(grade(r.overall)),
    csvText(grade(r.attitude)),
    csvText(grade(r.efficiency)),
    csvText(grade(r.competence)),
    csvText(label(TRIPS_LABELS, r.trips)),
    csvText(label(DONE_LABELS, r.done)),
    csvText(reasons),
    csvText(r.comment ?? ''),
    csvText(r.flags?.length ? r.flags.join('|') : ''),
    csvCell(r.surveyVersion ?? NATIONAL_VERSION),
    csvText(extraWords(r, definition, lang)),
  ].join(',');
}

/** The people's CSV of a hall between two days, one day's Query at a time. */
export async function* peopleCsv(
  table: TTable,
  hall: { id: string; timezone: string },
  names: { windows: Map<string, string>; services: Map<string, string> },
  lang: 'zh' | 'en',
  from: string,
  to: string,
): AsyncGenerator<string> {
  if (daysBetween(from, to) < 0) throw new Error(`--from ${from} is after --to ${to}`);
  yield `${PEOPLE_HEADER[lang].join(',')}\r\n`;
  const definitions = new Map<string, TSurveyDefinition | undefined>();
  for (let day = from; day <= to; day = addDays(day, 1)) {
    const rows = await listRatingsForHallDay(table, hall.id, day);
    // each version answered is read once for the whole file (a hall has a handful)
    for (const id of new Set(rows.map((r) => r.surveyVersion)))
      if (id && !definitions.has(id)) definitions.set(id, (await getSurveyVersion(table, id))?.definition);
    const row = (r: TRating) => peopleCsvRow(r, lang, names, hall.timezone, r.surveyVersion ? definitions.get(r.surveyVersion) : undefined);
    if (rows.length) yield `${rows.map(row).join('\r\n')}\r\n`;
  }
}
