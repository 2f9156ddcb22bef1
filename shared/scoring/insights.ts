/**
 * What a hall manager reads beside the score: the grade distribution, when residents are served badly (hour of day ×
 * weekday), the latest comments, and the themes in complaints — each reason tag of a bad rating a theme, with the
 * words residents use most for it (Chinese word segmentation and TF-IDF keywords by @node-rs/jieba, filler words
 * left out); and what drove an alert episode (its windows, hours and reasons). The hall page merges the night's
 * day summaries (insight-days.ts, read with its trend; a day without one is read from its ratings); summarise() and
 * episodeDrivers() compute the same from ratings, the reference the merge is tested against.
 */
import { isExcluded } from '../domain/exclusion.js';
import { createRequire } from 'node:module';
import { addDays } from '../domain/time.js';
import { REASONS, type TReason } from '../domain/grades.js';
import type { TRating } from '../domain/model.js';
import type { TTable } from '../storage/db.js';
import { listRatingsForHallDay } from '../storage/ratings.js';
import { getSurveyVersion } from '../storage/surveys.js';
import { z } from 'zod';
import { INSIGHT_COMMENTS, daySummary, hourOf, isThemeReason, topThree } from './insight-days.js';
import type { THallDay } from '../storage/scores.js';

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
  reason: string; // a bad rating's reason tag
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

/** The counted (not excluded) ratings of a hall's last `days` days ending `to`: one Query per day. */
export async function hallRatings(table: TTable, hallId: string, to: string, days = 30): Promise<TRating[]> {
  const ratings: TRating[] = [];
  for (let d = addDays(to, -(days - 1)); d <= to; d = addDays(d, 1)) ratings.push(...(await listRatingsForHallDay(table, hallId, d)));
  return ratings.filter((r) => !isExcluded(r));
}

export async function hallInsights(table: TTable, hall: { id: string; timezone: string }, to: string, days = 30): Promise<TInsights> {
  const kept = await hallRatings(table, hall.id, to, days);
  return { ...summarise(kept, hall.timezone, addDays(to, -(days - 1)), to), labels: await versionLabels(table, kept) };
}

/** A heat-map cell is marked only when it has this many ratings and at least this share of them bad. */
export const HEAT_MIN_RATINGS = 5;
export const HEAT_BAD_SHARE = 0.3;
export const isHotCell = (c: { n: number; bad: number }) => c.n >= HEAT_MIN_RATINGS && c.bad / c.n >= HEAT_BAD_SHARE;

/** Words that say nothing about what went wrong (fillers, hedges, pronouns, time words): never a theme's keyword. */
export const STOP_WORDS = new Set(
  (
    '有点 有些 一点 一下 可以 不过 但是 还是 就是 而且 然后 所以 因为 如果 虽然 非常 比较 特别 真的 确实 感觉 觉得 希望 ' +
    '还有 没有 什么 怎么 这个 那个 这样 那样 这里 那里 我们 你们 他们 她们 自己 大家 今天 昨天 上午 下午 时候 已经 一直 ' +
    '一个 一些 还要 需要 应该 不是 不能 不会 可能 知道 出来 起来 问题 情况 东西 工作 一次 之后 以后 之前 现在 其他 其它 ' +
    // English comments go through the same segmenter: its fillers too
    'back come came more very just again there they about with that this have were from what when been still then than into ' +
    'some also only even much really would could should will'
  ).split(' '),
);

/** What drove an alert episode: its bad ratings' windows, hours and reasons, most frequent first (top 3 each). */
export interface TDrivers {
  bad: number;
  windows: { id: string; bad: number }[];
  hours: { hour: number; bad: number }[];
  reasons: { reason: string; bad: number }[];
}
export function episodeDrivers(ratings: readonly TRating[], timeZone: string, from: string, to: string): TDrivers {
  const bad = ratings.filter((r) => r.overall <= 2 && r.day >= from && r.day <= to);
  const at = hourOf(timeZone);
  const top = <K>(keys: K[]) => {
    const m = new Map<K, number>();
    for (const k of keys) m.set(k, (m.get(k) ?? 0) + 1);
    return topThree(m);
  };
  return {
    bad: bad.length,
    windows: top(bad.map((r) => r.windowId)).map(([id, n]) => ({ id, bad: n })),
    hours: top(bad.map((r) => at(r.createdAt).hour)).map(([hour, n]) => ({ hour, bad: n })),
    reasons: top(bad.flatMap((r) => r.reasons ?? [])).map(([reason, n]) => ({ reason, bad: n })),
  };
}

export function summarise(ratings: TRating[], timeZone: string, from: string, to: string): TInsights {
  const at = hourOf(timeZone);
  const grades: TInsights['grades'] = [0, 0, 0, 0, 0];
  const heat = Array.from({ length: 7 }, () => Array.from({ length: 24 }, () => ({ n: 0, bad: 0 })));
  const byTheme = new Map<string, string[]>();
  const counts = new Map<string, number>();
  for (const r of ratings) {
    grades[r.overall - 1]++;
    const { wd, hour } = at(r.createdAt);
    heat[wd][hour].n++;
    if (r.overall <= 2) heat[wd][hour].bad++;
    // Themes come from bad ratings only, and only from the reasons a bad rating can give (never a positive tag).
    if (r.overall <= 2) {
      for (const t of new Set((r.reasons ?? []).filter(isThemeReason))) {
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
export function keywords(comments: string[], top = 6): { word: string; count: number }[] {
  if (!comments.length) return [];
  const { jieba: j, tfidf } = jieba();
  const tally = new Map<string, number>();
  for (const c of comments)
    for (const k of tfidf
      .extractKeywords(j, c, 10, [])
      .filter((x) => x.keyword.length > 1 && !STOP_WORDS.has(x.keyword) && !/^[\d\p{P}\s]+$/u.test(x.keyword))
      .slice(0, 5))
      tally.set(k.keyword, (tally.get(k.keyword) ?? 0) + 1);
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

/** A hall-day's summary as the night stores it (insight-days.ts's daySummary writes it; the page reads it back). */
const ZCount = z.number().int().nonnegative();
export const ZDayInsight = z.object({
  day: z.string(),
  /** counted ratings by grade, index 0 = grade 1 */
  grades: z.tuple([ZCount, ZCount, ZCount, ZCount, ZCount]),
  /** the heat map's non-empty cells: [weekday 0=Mon..6, hour 0..23, ratings, bad ratings] */
  heat: z.array(z.tuple([z.number().int().min(0).max(6), z.number().int().min(0).max(23), ZCount, ZCount])),
  /** the day's newest commented ratings (at most the 20 a page lists): [createdAt, grade, reasons, comment] */
  comments: z.array(z.tuple([z.string(), z.number().int().min(1).max(5), z.array(z.string()), z.string()])),
  /** complaint themes in first-seen order: [reason, bad ratings, indexes into `texts` of their comments] */
  themes: z.array(z.tuple([z.string(), ZCount, z.array(z.number().int().nonnegative())])),
  /** the comments of the day's bad ratings that name a theme, each once */
  texts: z.array(z.string()),
  /** bad ratings by window and by reason (every reason given), first seen first: an episode's drivers */
  windows: z.array(z.tuple([z.string(), ZCount])),
  reasons: z.array(z.tuple([z.string(), ZCount])),
});
export type TDayInsight = z.infer<typeof ZDayInsight>;

/** A stored summary of `day`, or undefined when absent or unreadable (the page then reads that day's ratings). */
export function readInsight(json: string | undefined, day: string): TDayInsight | undefined {
  if (!json) return undefined;
  try {
    const parsed = ZDayInsight.safeParse(JSON.parse(json));
    return parsed.success && parsed.data.day === day ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

const bump = <K>(m: Map<K, number>, k: K, by = 1) => m.set(k, (m.get(k) ?? 0) + by);
const newestFirst = (a: { at: string }, b: { at: string }) => b.at.localeCompare(a.at);

/** The insights of [from, to] from its days' summaries, oldest day first: summarise() over the same ratings. */
export function mergeInsights(days: readonly TDayInsight[], from: string, to: string): TInsights {
  const grades: TInsights['grades'] = [0, 0, 0, 0, 0];
  const heat = Array.from({ length: 7 }, () => Array.from({ length: 24 }, () => ({ n: 0, bad: 0 })));
  const counts = new Map<string, number>();
  const byTheme = new Map<string, string[]>();
  const comments: { at: string; c: TInsights['comments'][number] }[] = [];
  for (const d of days) {
    for (let g = 0; g < 5; g++) grades[g] += d.grades[g];
    for (const [wd, hour, n, bad] of d.heat) {
      heat[wd][hour].n += n;
      heat[wd][hour].bad += bad;
    }
    for (const [reason, n, idx] of d.themes) {
      bump(counts, reason, n);
      if (idx.length) byTheme.set(reason, [...(byTheme.get(reason) ?? []), ...idx.map((i) => d.texts[i])]);
    }
    for (const [at, overall, reasons, comment] of d.comments) comments.push({ at, c: { day: d.day, overall, reasons, comment } });
  }
  const themes = [...counts]
    .sort((a, b) => b[1] - a[1])
    .map(([reason, n]) => ({ reason, ratings: n, keywords: keywords(byTheme.get(reason) ?? []) }));
  return {
    from,
    to,
    grades,
    heat,
    comments: comments
      .sort(newestFirst)
      .slice(0, INSIGHT_COMMENTS)
      .map((x) => x.c),
    themes,
  };
}

/** An alert episode's drivers from the summaries of its days: episodeDrivers() over the same ratings. */
export function mergeDrivers(days: readonly TDayInsight[], from: string, to: string): TDrivers {
  const windows = new Map<string, number>();
  const hours = new Map<number, number>();
  const reasons = new Map<string, number>();
  let bad = 0;
  for (const d of days) {
    if (d.day < from || d.day > to) continue;
    bad += d.grades[0] + d.grades[1];
    for (const [id, n] of d.windows) bump(windows, id, n);
    for (const [reason, n] of d.reasons) bump(reasons, reason, n);
    for (const [, hour, , n] of d.heat) if (n) bump(hours, hour, n);
  }
  return {
    bad,
    windows: topThree(windows).map(([id, n]) => ({ id, bad: n })),
    hours: topThree(hours).map(([hour, n]) => ({ hour, bad: n })),
    reasons: topThree(reasons).map(([reason, n]) => ({ reason, bad: n })),
  };
}

/**
 * A hall's summaries of the `days` days ending `to`, oldest first: the ones stored in its SNAP items (`stored`, read
 * with its trend), and for a day without one (never scored, scored before summaries existed, too large) the summary
 * of that day's counted ratings, read then (one Query per such day, in parallel).
 */
export async function hallInsightDays(
  table: TTable,
  hall: { id: string; timezone: string },
  to: string,
  stored: readonly THallDay[],
  days = 30,
): Promise<TDayInsight[]> {
  const byDay = new Map(stored.map((s) => [s.hall.day, s.insight]));
  const list = Array.from({ length: days }, (_, i) => addDays(to, i - (days - 1)));
  return Promise.all(
    list.map(
      async (day) =>
        readInsight(byDay.get(day), day) ??
        daySummary(
          (await listRatingsForHallDay(table, hall.id, day)).filter((r) => !isExcluded(r)),
          hall.timezone,
          day,
        ),
    ),
  );
}
