/**
 * One small summary per hall-day of what a hall page shows beside its figures (grades, heat map, latest comments,
 * complaint themes) and of what drove its alert episodes. The nightly job writes each summary inside the day's SNAP
 * item, from the ratings it already holds, so a hall page reads 30 summaries (with its trend's Query) instead of 30
 * days of ratings; insights.ts merges them (mergeInsights, mergeDrivers) into exactly what summarise() and
 * episodeDrivers() give over the same ratings: every count is a sum over days and first-seen orders are kept. The
 * themes' keywords are found from the stored comments when a page is read, so jieba, the surveys and the page code
 * stay out of the scoring functions' bundle (nothing here reads storage). Property-tested against those two.
 */
import { CUSTOM_TAG, reasonsForGrade } from '../domain/grades.js';
import type { TRating } from '../domain/model.js';
import type { TDayInsight } from './insights.js';

const WEEKDAY = { Mon: 0, Tue: 1, Wed: 2, Thu: 3, Fri: 4, Sat: 5, Sun: 6 } as const;
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

/** The three largest counts, most first, ties by key: what an episode's drivers list. */
export const topThree = <K>(m: Map<K, number>): [K, number][] =>
  [...m].sort((a, b) => b[1] - a[1] || String(a[0]).localeCompare(String(b[0]))).slice(0, 3);

/** How many comments a hall page lists (summarise's "latest comments"). */
export const INSIGHT_COMMENTS = 20;
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
    .slice(0, INSIGHT_COMMENTS)
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

/** Summaries above this size (JSON characters) are not stored: the page reads that day's ratings instead. */
export const MAX_STORED_INSIGHT = 60_000;

/** The summary as stored in the day's SNAP item, or undefined when too large to store (read from ratings then). */
export function storedInsight(s: TDayInsight): string | undefined {
  const json = JSON.stringify(s);
  return json.length <= MAX_STORED_INSIGHT ? json : undefined;
}
