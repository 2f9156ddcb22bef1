/**
 * Suspicious-rating rules the nightly job runs over one hall's day (SPEC §6): bursts against the window's own rate,
 * a slow drip that lifts a window's day far above its history, one browser across many halls, placard ratings
 * outside opening hours, runs of identical ratings, one browser rating too often. A flagged rating is kept, listed
 * for the supervisor (grouped: a burst is one group) and left out of every score until cleared. Pure and
 * deterministic, so a re-run flags exactly the same ratings; the context (history, tickets issued, halls per
 * browser) is read by the job with a cost that follows the day's ratings. Thresholds: detection-thresholds.ts.
 */
import { THRESHOLDS as T } from './detection-thresholds.js';
import type { TRating } from './model.js';

export type TFlag = 'burst' | 'surge' | 'cross-hall' | 'outside-hours' | 'identical-run' | 'device-burst';
export const FLAG_RULES: readonly TFlag[] = ['burst', 'surge', 'cross-hall', 'outside-hours', 'identical-run', 'device-burst'];
/** @deprecated name kept for old imports: the thresholds live in detection-thresholds.ts */
export const SUSPICION = T;

/** What the job knows beside the day's ratings: all optional, a missing part only makes a rule less sure. */
export interface TDetectContext {
  /** a window's usual ratings a day, from its decayed history */
  usualDaily?: ReadonlyMap<string, number>;
  /** tickets issued today per window */
  issued?: Readonly<Record<string, number>>;
  /** how many halls each browser (deviceHash) rated that day */
  deviceHalls?: ReadonlyMap<string, number>;
}

/** One group of flagged ratings with its evidence, as /reviews shows it. */
export interface TFlagGroup {
  /** stable within the hall-day: the rule and what it groups by */
  key: string;
  rule: TFlag;
  windowId?: string;
  from: string;
  to: string;
  ratingIds: string[];
  /** numbers for the reviewer: counts, peaks, usual rates, halls touched */
  evidence: Record<string, number>;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
const minutesOfDay = (iso: string, timeZone: string) => {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    formatters.set(timeZone, f);
  }
  const parts = f.formatToParts(Date.parse(iso));
  return Number(parts.find((p) => p.type === 'hour')!.value) * 60 + Number(parts.find((p) => p.type === 'minute')!.value);
};
const hm = (s: string) => Number(s.slice(0, 2)) * 60 + Number(s.slice(3, 5));
const groupBy = <K>(list: TRating[], key: (r: TRating) => K | undefined) => {
  const m = new Map<K, TRating[]>();
  for (const r of list) {
    const k = key(r);
    if (k !== undefined) (m.get(k) ?? m.set(k, []).get(k)!).push(r);
  }
  return m;
};
const round = (x: number) => Math.round(x * 100) / 100;
const bare = (r: TRating) => !r.comment && !r.reasons?.length;

/** Flags per rating id and the groups (with evidence) of one hall-day; ratings in any order. */
export function detect(
  ratings: TRating[],
  hall: { timezone: string; openingHours?: { open: string; close: string } },
  ctx: TDetectContext = {},
): { flags: Map<string, TFlag[]>; groups: TFlagGroup[] } {
  const flags = new Map<string, TFlag[]>();
  const groups: TFlagGroup[] = [];
  const add = (rule: TFlag, key: string, list: TRating[], evidence: Record<string, number>, windowId?: string) => {
    for (const r of list) {
      const f = flags.get(r.ratingId) ?? flags.set(r.ratingId, []).get(r.ratingId)!;
      if (!f.includes(rule)) f.push(rule);
    }
    const ids = list.map((r) => r.ratingId);
    groups.push({ key: `${rule}:${key}`, rule, windowId, from: list[0].createdAt, to: list.at(-1)!.createdAt, ratingIds: ids, evidence });
  };
  const sorted = [...ratings].sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.ratingId.localeCompare(b.ratingId));
  const byWindow = groupBy(sorted, (r) => r.windowId);
  const openMin = hall.openingHours ? Math.max(60, hm(hall.openingHours.close) - hm(hall.openingHours.open)) : 600;

  // Runs of identical bare ratings at one window: the pattern of someone tapping through codes.
  for (const [w, list] of byWindow) {
    let start = 0;
    for (let i = 1; i <= list.length; i++) {
      const continues =
        i < list.length &&
        bare(list[i]) &&
        bare(list[start]) &&
        list[i].overall === list[start].overall &&
        Date.parse(list[i].createdAt) - Date.parse(list[i - 1].createdAt) <= T.identicalRunGapSec * 1000;
      if (!continues) {
        if (i - start >= T.identicalRun && bare(list[start])) {
          const run = list.slice(start, i);
          add(
            'identical-run',
            `${w}:${run[0].ratingId}`,
            run,
            { count: run.length, grade: run[0].overall, gapSec: T.identicalRunGapSec },
            w,
          );
        }
        start = i;
      }
    }
  }

  // Burst: any span of burstSpanMin minutes at one window holding more ratings of one channel than the window can
  // serve and far above its own rate. Per channel: a placard flood says nothing about the tickets (each one visit)
  // rated beside it, and tickets minted in a hurry say nothing about the placard.
  for (const [wc, list] of groupBy(sorted, (r) => `${r.windowId}|${r.channel}`)) {
    const w = list[0].windowId;
    const usual10 = ((ctx.usualDaily?.get(w) ?? 0) / openMin) * T.burstSpanMin;
    const need = Math.max(T.burstMin, Math.ceil(T.burstOverUsual * usual10));
    const at = list.map((r) => Date.parse(r.createdAt));
    const hot = new Array<boolean>(list.length).fill(false);
    let peak = 0;
    for (let i = 0, j = 0; i < list.length; i++) {
      while (j < list.length && at[j] - at[i] < T.burstSpanMin * 60_000) j++;
      if (j - i >= need) hot.fill(true, i, j);
      peak = Math.max(peak, j - i);
    }
    for (let i = 0; i < list.length; ) {
      if (!hot[i]) {
        i++;
        continue;
      }
      let j = i;
      while (j < list.length && hot[j]) j++;
      // Trim the edges: an honest rating minutes before or after the burst is not part of it (gaps far above the burst's own).
      let [a, b] = [i, j];
      const gaps = at
        .slice(a + 1, b)
        .map((t, k) => t - at[a + k])
        .sort((x, y) => x - y);
      const tooFar = Math.max(T.burstEdgeGapSec * 1000, T.burstEdgeTimesGap * (gaps[gaps.length >> 1] ?? 0));
      while (b - a > need && at[a + 1] - at[a] > tooFar) a++;
      while (b - a > need && at[b - 1] - at[b - 2] > tooFar) b--;
      // A rating in an identical run is listed there (its most specific pattern), not again in the burst; what is
      // left must be a burst by itself (an honest rating beside a run of identical ones is not).
      const part = list.slice(a, b).filter((r) => !flags.get(r.ratingId)?.includes('identical-run'));
      if (part.length < need) {
        i = j;
        continue;
      }
      const minutes = Math.max(1, (at[b - 1] - at[a]) / 60_000);
      add(
        'burst',
        `${wc.replace('|', ':')}:${part[0].ratingId}`,
        part,
        {
          count: part.length,
          minutes: round(minutes),
          peakPer10Min: peak,
          usualPer10Min: round(usual10),
          ...(usual10 > 0 ? { timesUsual: round(peak / usual10) } : {}),
          threshold: need,
        },
        w,
      );
      i = j;
    }
  }

  // Surge: a window's placard day far above its history and its tickets; flagged are the network identities behind it.
  for (const [w, list] of byWindow) {
    const placard = list.filter((r) => r.channel === 'placard');
    const usual = ctx.usualDaily?.get(w) ?? 0;
    const issued = ctx.issued?.[w] ?? 0;
    const expected = Math.max(usual, issued, T.surgeFloor);
    if (placard.length <= T.surgeOverUsual * expected) continue;
    const unlisted = placard.filter((r) => !flags.has(r.ratingId)); // a burst inside the day stays listed as the burst
    for (const [id, mine] of groupBy(unlisted, (r) => r.netHash ?? r.deviceHash)) {
      if (mine.length < T.surgeIdentityMin || mine.length < T.surgeIdentityShare * placard.length) continue;
      add(
        'surge',
        `${w}:${id.slice(0, 8)}`,
        mine,
        {
          count: mine.length,
          windowPlacard: placard.length,
          usualDaily: round(usual),
          issued,
          timesUsual: round(placard.length / expected),
        },
        w,
      );
    }
  }

  // One browser across many halls in a day (its cookie only: a shared address is never this evidence).
  if (ctx.deviceHalls)
    for (const [dev, mine] of groupBy(sorted, (r) => r.deviceHash)) {
      const halls = ctx.deviceHalls.get(dev) ?? 0;
      if (halls >= T.crossHallMin) add('cross-hall', dev.slice(0, 8), mine, { halls, count: mine.length });
    }

  if (hall.openingHours) {
    const open = hm(hall.openingHours.open) - T.outsideHoursGraceMin;
    const close = hm(hall.openingHours.close) + T.outsideHoursGraceMin;
    const odd = sorted.filter((r) => {
      if (r.channel !== 'placard') return false;
      const m = minutesOfDay(r.createdAt, hall.timezone);
      return m < open || m > close;
    });
    for (const [w, list] of groupBy(odd, (r) => r.windowId))
      add('outside-hours', w, list, { count: list.length, graceMin: T.outsideHoursGraceMin }, w);
  }

  for (const [dev, list] of groupBy(sorted, (r) => r.deviceHash))
    if (list.length > T.deviceDailyMax)
      add('device-burst', dev.slice(0, 8), list.slice(T.deviceDailyMax), { count: list.length, allowed: T.deviceDailyMax });

  return { flags, groups };
}

/** Returns the flags for each suspicious rating id of one hall-day (ratings in any order). */
export function findSuspicious(
  ratings: TRating[],
  hall: { timezone: string; openingHours?: { open: string; close: string } },
  ctx?: TDetectContext,
): Map<string, TFlag[]> {
  return detect(ratings, hall, ctx).flags;
}
