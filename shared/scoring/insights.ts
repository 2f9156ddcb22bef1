/**
 * What a hall manager reads beside the score: the grade distribution, when residents are served badly (hour of day ×
 * weekday), the latest comments, and the themes in complaints — each reason tag a theme, with the words residents
 * use most for it (Chinese word segmentation and TF-IDF keywords by @node-rs/jieba). Reads one Query per day.
 */
import { isExcluded } from '../domain/exclusion.js';
import { createRequire } from 'node:module';
import { addDays } from '../domain/time.js';
import { REASONS, type TReason } from '../domain/grades.js';
import type { TRating } from '../domain/model.js';
import type { TTable } from '../storage/db.js';
import { listRatingsForHallDay } from '../storage/ratings.js';
import { getSurveyVersion } from '../storage/surveys.js';

interface TJieba {
  extractKeywords(jieba: unknown, text: string, topK: number, allowedPos: string[]): { keyword: string; weight: number }[];
}
let segmenter: { jieba: unknown; tfidf: TJieba } | undefined;
/** Loaded on first use: the dictionaries are large and only the dashboard needs them. */
function jieba() {
  if (!segmenter) {
    const require = createRequire(import.meta.url);
    const { Jieba, TfIdf } = require('@node-rs/jieba') as {
      Jieba: { withDict(d: Uint8Array): unknown };
      TfIdf: { withDict(d: Uint8Array): TJieba };
    };
    const { dict, idf } = require('@node-rs/jieba/dict') as { dict: Uint8Array; idf: Uint8Array };
    segmenter = { jieba: Jieba.withDict(dict), tfidf: TfIdf.withDict(idf) };
  }
  return segmenter;
}

export interface TTheme {
  reason: string; // a reason tag, or 'other'
  ratings: number;
  keywords: { word: string; count: number }[];
}

export interface TInsights {
  from: string;
  to: string;
  grades: [number, number, number, number, number]; // index 0 = grade 1
  /** [weekday 0=Mon..6=Sun][hour 0..23] → { n, bad } */
  heat: { n: number; bad: number }[][];
  comments: { day: string; overall: number; reasons: string[]; comment: string }[];
  themes: TTheme[];
  /** the survey definitions' own tag labels, through the versions the ratings answered */
  labels?: TTagLabels;
}

const WEEKDAY = { Mon: 0, Tue: 1, Wed: 2, Thu: 3, Fri: 4, Sat: 5, Sun: 6 } as const;

export async function hallInsights(table: TTable, hall: { id: string; timezone: string }, to: string, days = 30): Promise<TInsights> {
  const from = addDays(to, -(days - 1));
  const ratings: TRating[] = [];
  for (let d = from; d <= to; d = addDays(d, 1)) ratings.push(...(await listRatingsForHallDay(table, hall.id, d)));
  const kept = ratings.filter((r) => !isExcluded(r));
  return { ...summarise(kept, hall.timezone, from, to), labels: await versionLabels(table, kept) };
}

export function summarise(ratings: TRating[], timeZone: string, from: string, to: string): TInsights {
  const fmt = new Intl.DateTimeFormat('en-GB', { timeZone, weekday: 'short', hour: '2-digit', hourCycle: 'h23' });
  const grades: TInsights['grades'] = [0, 0, 0, 0, 0];
  const heat = Array.from({ length: 7 }, () => Array.from({ length: 24 }, () => ({ n: 0, bad: 0 })));
  const byTheme = new Map<string, string[]>();
  const counts = new Map<string, number>();
  for (const r of ratings) {
    grades[r.overall - 1]++;
    const parts = fmt.formatToParts(Date.parse(r.createdAt));
    const wd = WEEKDAY[parts.find((p) => p.type === 'weekday')!.value as keyof typeof WEEKDAY];
    const hour = Number(parts.find((p) => p.type === 'hour')!.value);
    heat[wd][hour].n++;
    if (r.overall <= 2) heat[wd][hour].bad++;
    if (r.overall <= 3) {
      const themes = r.reasons?.length ? r.reasons : ['other'];
      for (const t of themes) {
        counts.set(t, (counts.get(t) ?? 0) + 1);
        if (r.comment) byTheme.set(t, [...(byTheme.get(t) ?? []), r.comment]);
      }
    }
  }
  const themes: TTheme[] = [...counts]
    .sort((a, b) => b[1] - a[1])
    .map(([reason, n]) => ({ reason, ratings: n, keywords: keywords(byTheme.get(reason) ?? []) }));
  const comments = ratings
    .filter((r) => r.comment)
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt))
    .slice(0, 20)
    .map((r) => ({ day: r.day, overall: r.overall, reasons: r.reasons ?? [], comment: r.comment! }));
  return { from, to, grades, heat, comments, themes };
}

/** The words that recur across a theme's comments: per comment's top TF-IDF keywords, counted over comments. */
function keywords(comments: string[], top = 6): { word: string; count: number }[] {
  if (!comments.length) return [];
  const { jieba: j, tfidf } = jieba();
  const tally = new Map<string, number>();
  for (const c of comments)
    for (const k of tfidf.extractKeywords(j, c, 5, [])) if (k.keyword.length > 1) tally.set(k.keyword, (tally.get(k.keyword) ?? 0) + 1);
  return [...tally]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .slice(0, top)
    .map(([word, count]) => ({ word, count }));
}

/** A theme's label: a survey definition's own tag through the versions the ratings answered (`labels`), else national. */
export const themeLabel = (reason: string, lang: 'zh' | 'en', labels?: TTagLabels) =>
  labels?.[reason]?.[lang] ?? (reason in REASONS ? REASONS[reason as TReason][lang] : lang === 'zh' ? '其他' : 'Other');

export type TTagLabels = Record<string, { zh: string; en: string }>;

/** The labels of the definitions' own tags (c_…) in the versions these ratings answered; a later version's wins. */
export async function versionLabels(table: TTable, ratings: readonly Pick<TRating, 'surveyVersion'>[]): Promise<TTagLabels> {
  const ids = [...new Set(ratings.map((r) => r.surveyVersion).filter((v): v is string => !!v))].sort();
  const versions = await Promise.all(ids.map((id) => getSurveyVersion(table, id)));
  const out: TTagLabels = {};
  for (const v of versions.filter((x) => !!x).sort((a, b) => a.n - b.n))
    for (const t of [...v.definition.tags.bad, ...v.definition.tags.mid, ...v.definition.tags.good]) out[t.code] = { zh: t.zh, en: t.en };
  return out;
}
