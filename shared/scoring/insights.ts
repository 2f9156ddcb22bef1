/**
 * What a hall manager reads beside the score: the grade distribution, when residents are served badly (hour of day ×
 * weekday), the latest comments, and the themes in complaints — each reason tag of a bad rating a theme, with the
 * words residents use most for it (Chinese word segmentation and TF-IDF keywords by @node-rs/jieba, filler words
 * left out); and what drove an alert episode (its windows, hours and reasons). Reads one Query per day.
 */
import { isExcluded } from '../domain/exclusion.js';
import { createRequire } from 'node:module';
import { addDays } from '../domain/time.js';
import { CUSTOM_TAG, REASONS, reasonsForGrade, type TReason } from '../domain/grades.js';
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

const WEEKDAY = { Mon: 0, Tue: 1, Wed: 2, Thu: 3, Fri: 4, Sat: 5, Sun: 6 } as const;

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

const BAD_REASONS = new Set<string>(reasonsForGrade(1));
/** A bad rating's reason that names a complaint theme (a bad reason or a survey's own tag; never a positive one). */
export const isThemeReason = (x: string) => BAD_REASONS.has(x) || CUSTOM_TAG.test(x);
type TClock = (iso: string) => { wd: number; hour: number };
const clocks = new Map<string, TClock>();
/**
 * Local weekday (0 = Mon) and hour of an instant in a time zone. One clock per zone for the process: the nightly
 * job summarises thousands of halls a night, and a formatter each would cost more than their ratings.
 */
export const hourOf = (timeZone: string): TClock => clocks.get(timeZone) ?? clocks.set(timeZone, localClock(timeZone)).get(timeZone)!;
function localClock(timeZone: string): TClock {
  const fmt = new Intl.DateTimeFormat('en-GB', { timeZone, weekday: 'short', hour: '2-digit', hourCycle: 'h23' });
  // Weekday and hour never change inside a UTC quarter hour (every offset is whole quarters): Intl once per quarter,
  // not once per rating (a month of a busy hall is thousands of ratings in a few hundred quarters).
  const slots = new Map<number, { wd: number; hour: number }>();
  return (iso: string) => {
    const ms = Date.parse(iso);
    const q = Math.floor(ms / 900_000);
    let slot = slots.get(q);
    if (!slot) {
      if (slots.size >= 50_000) slots.clear(); // about a year and a half of quarters: a long-lived process stays bounded
      const parts = fmt.formatToParts(ms);
      slot = {
        wd: WEEKDAY[parts.find((p) => p.type === 'weekday')!.value as keyof typeof WEEKDAY],
        hour: Number(parts.find((p) => p.type === 'hour')!.value),
      };
      slots.set(q, slot);
    }
    return slot;
  };
}

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

/** The three largest counts, most first, ties by key: what an episode's drivers list. */
export const topThree = <K>(m: Map<K, number>): [K, number][] =>
  [...m].sort((a, b) => b[1] - a[1] || String(a[0]).localeCompare(String(b[0]))).slice(0, 3);

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
