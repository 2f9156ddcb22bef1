/**
 * Suspicious-rating checks the nightly job runs over one hall's day (SPEC §6). A flagged rating is kept and
 * listed for the supervisor to confirm or clear, and left out of every score until cleared. Pure and
 * deterministic, so a re-run flags exactly the same ratings. Rules look only at that hall-day, so their cost
 * follows the day's ratings.
 */
import type { TRating } from './model.js';

export type TFlag = 'outside-hours' | 'identical-run' | 'device-burst';

export const SUSPICION = {
  /** a placard is scanned at the window: a placard rating far outside opening hours is odd */
  outsideHoursGraceMin: 30,
  /** this many identical bare ratings (same window and grade, no reason or comment) in a row, each within
   *  the gap of the one before: faster than one window can serve people one after another */
  identicalRun: 8,
  identicalRunGapSec: 90,
  /** more ratings than this from one device in one hall on one day */
  deviceDailyMax: 3,
} as const;

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

/** Returns the flags for each suspicious rating id of one hall-day (ratings in any order). */
export function findSuspicious(
  ratings: TRating[],
  hall: { timezone: string; openingHours?: { open: string; close: string } },
): Map<string, TFlag[]> {
  const flags = new Map<string, TFlag[]>();
  const flag = (id: string, f: TFlag) => flags.set(id, [...new Set([...(flags.get(id) ?? []), f])]);
  const sorted = [...ratings].sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.ratingId.localeCompare(b.ratingId));

  if (hall.openingHours) {
    const open = hm(hall.openingHours.open) - SUSPICION.outsideHoursGraceMin;
    const close = hm(hall.openingHours.close) + SUSPICION.outsideHoursGraceMin;
    for (const r of sorted) {
      if (r.channel !== 'placard') continue;
      const m = minutesOfDay(r.createdAt, hall.timezone);
      if (m < open || m > close) flag(r.ratingId, 'outside-hours');
    }
  }

  // Runs of identical bare ratings at one window: the pattern of someone tapping through codes.
  const byWindow = new Map<string, TRating[]>();
  for (const r of sorted) byWindow.set(r.windowId, [...(byWindow.get(r.windowId) ?? []), r]);
  for (const list of byWindow.values()) {
    let start = 0;
    for (let i = 1; i <= list.length; i++) {
      const continues =
        i < list.length &&
        bare(list[i]) &&
        bare(list[start]) &&
        list[i].overall === list[start].overall &&
        Date.parse(list[i].createdAt) - Date.parse(list[i - 1].createdAt) <= SUSPICION.identicalRunGapSec * 1000;
      if (!continues) {
        if (i - start >= SUSPICION.identicalRun && bare(list[start]))
          for (const r of list.slice(start, i)) flag(r.ratingId, 'identical-run');
        start = i;
      }
    }
  }

  const byDevice = new Map<string, TRating[]>();
  for (const r of sorted) if (r.deviceHash) byDevice.set(r.deviceHash, [...(byDevice.get(r.deviceHash) ?? []), r]);
  for (const list of byDevice.values())
    if (list.length > SUSPICION.deviceDailyMax) for (const r of list.slice(SUSPICION.deviceDailyMax)) flag(r.ratingId, 'device-burst');

  return flags;
}

const bare = (r: TRating) => !r.comment && !r.reasons?.length;
