/**
 * A hall's insights (grades, heat map, latest comments, complaint themes) and its alert episodes' drivers from one
 * small summary per hall-day. The nightly job writes each summary inside the day's SNAP item, from the ratings it
 * already holds, so a hall page reads 30 summaries (in its trend's Query) instead of 30 days of ratings. Merging
 * the days' summaries gives exactly what summarise() and episodeDrivers() give over the same ratings: every count
 * is a sum over days, the themes' and drivers' first-seen order is kept, and the themes' keywords are computed from
 * the stored comments when the page is read (jieba stays out of the nightly job). Property-tested against those two.
 */
import { z } from 'zod';
import { isExcluded } from '../domain/exclusion.js';
import type { TRating } from '../domain/model.js';
import { addDays } from '../domain/time.js';
import type { TTable } from '../storage/db.js';
import { listRatingsForHallDay } from '../storage/ratings.js';
import type { THallDay } from '../storage/scores.js';
import { hourOf, isThemeReason, keywords, topThree, type TDrivers, type TInsights } from './insights.js';

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

/** How many comments a hall page lists (summarise's "latest comments"). */
const COMMENTS = 20;
const newestFirst = (a: { at: string }, b: { at: string }) => b.at.localeCompare(a.at);
const bump = <K>(m: Map<K, number>, k: K, by = 1) => m.set(k, (m.get(k) ?? 0) + by);

/** One hall-day's summary from its counted ratings (the job's ratings of the day, in the index's order). */
export function daySummary(ratings: readonly TRating[], timeZone: string, day: string): TDayInsight {
  const at = hourOf(timeZone);
  const grades: TDayInsight['grades'] = [0, 0, 0, 0, 0];
  const cells = new Map<number, [number, number, number, number]>();
  const themes = new Map<string, [string, number, number[]]>();
  const texts: string[] = [];
  const windows = new Map<string, number>();
  const reasons = new Map<string, number>();
  for (const r of ratings) {
    grades[r.overall - 1]++;
    const { wd, hour } = at(r.createdAt);
    const cell = cells.get(wd * 24 + hour) ?? cells.set(wd * 24 + hour, [wd, hour, 0, 0]).get(wd * 24 + hour)!;
    cell[2]++;
    if (r.overall > 2) continue;
    cell[3]++;
    bump(windows, r.windowId);
    for (const x of r.reasons ?? []) bump(reasons, x);
    let text: number | undefined;
    for (const t of new Set((r.reasons ?? []).filter(isThemeReason))) {
      const theme = themes.get(t) ?? themes.set(t, [t, 0, []]).get(t)!;
      theme[1]++;
      if (!r.comment) continue;
      if (text === undefined) text = texts.push(r.comment) - 1;
      theme[2].push(text);
    }
  }
  const comments = ratings
    .filter((r) => r.comment)
    .map((r) => ({ at: r.createdAt, r }))
    .sort(newestFirst)
    .slice(0, COMMENTS)
    .map(({ r }): TDayInsight['comments'][number] => [r.createdAt, r.overall, r.reasons ?? [], r.comment!]);
  return {
    day,
    grades,
    heat: [...cells].sort((a, b) => a[0] - b[0]).map(([, c]) => c),
    comments,
    themes: [...themes.values()],
    texts,
    windows: [...windows],
    reasons: [...reasons],
  };
}

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
      .slice(0, COMMENTS)
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

/** Summaries above this size (JSON characters) are not stored: the page reads that day's ratings instead. */
export const MAX_STORED_INSIGHT = 60_000;

/** The summary as stored in the day's SNAP item, or undefined when too large to store (read from ratings then). */
export function storedInsight(s: TDayInsight): string | undefined {
  const json = JSON.stringify(s);
  return json.length <= MAX_STORED_INSIGHT ? json : undefined;
}

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
