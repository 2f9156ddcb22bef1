/**
 * The working-day calendar of a hall for the rating path (a bad rating's deadlines): the region chain and the
 * calendar items, read once and cached per process and table handle like the catalogue, so a bad rating costs no
 * extra read most of the time. Kept apart from services/cases.ts so the resident/machine Lambda does not bundle
 * the case service.
 */
import { regionChain } from '../domain/access.js';
import { addWorkingDays, effectiveCalendar, type TCalendar } from '../domain/calendar.js';
import { localDay } from '../domain/time.js';
import type { THall } from '../domain/model.js';
import { loadCalendarItems } from '../storage/calendar.js';
import { listRegions } from '../storage/catalogue.js';
import type { TTable } from '../storage/db.js';

const TTL_MS = 60_000;
type TEntry = { at: number; version: number; get: Promise<(hall: Pick<THall, 'regionId'>) => TCalendar> };
const cache = new WeakMap<TTable, TEntry>();

export function hallCalendar(t: TTable, hall: Pick<THall, 'regionId'>, now = Date.now()): Promise<TCalendar> {
  let hit = cache.get(t);
  if (!hit || now - hit.at >= TTL_MS || hit.version !== t.catalogueVersion) {
    const get = Promise.all([listRegions(t), loadCalendarItems(t)]).then(([regions, items]) => {
      const regionParent = new Map(regions.map((r) => [r.id, r.parentId]));
      const byRegion = new Map<string, TCalendar>();
      return (h: Pick<THall, 'regionId'>) => {
        const hit = byRegion.get(h.regionId);
        if (hit) return hit;
        const path = regionChain({ regionParent, hallRegion: new Map() }, h.regionId);
        const cal = effectiveCalendar(path, items.overrides, items.settings);
        byRegion.set(h.regionId, cal);
        return cal;
      };
    });
    hit = { at: now, version: t.catalogueVersion, get };
    cache.set(t, hit);
    get.catch(() => cache.delete(t));
  }
  return hit.get.then((f) => f(hall));
}

/** Forget the cached calendars (after a calendar change in this process). */
export const forgetHallCalendars = (t: TTable): void => {
  cache.delete(t);
};

/**
 * A bad rating's two deadlines (the domain's openCase computes the same: n working days after the hall-local day
 * of the rating, at the hall's closing time), memoized per calendar, hall and local day: every bad rating of a hall
 * on one day has the same deadlines, so a rating pays the working-day arithmetic once a day, not twice per rating.
 */
const deadlineMemo = new WeakMap<TCalendar, Map<string, { contactDue: string; rectifyDue: string }>>();
export function openingDeadlines(
  at: string,
  hall: Pick<THall, 'id' | 'timezone' | 'openingHours'>,
  cal: TCalendar,
): { contactDue: string; rectifyDue: string } {
  let memo = deadlineMemo.get(cal);
  if (!memo) {
    memo = new Map();
    deadlineMemo.set(cal, memo);
  }
  const key = `${hall.id}|${hall.timezone}|${hall.openingHours?.close ?? ''}|${localDay(new Date(at), hall.timezone)}`;
  const hit = memo.get(key);
  if (hit) return hit;
  const d = {
    contactDue: addWorkingDays(at, cal.deadlines.contactDays, hall, cal),
    rectifyDue: addWorkingDays(at, cal.deadlines.rectifyDays, hall, cal),
  };
  if (memo.size > 1000) memo.clear();
  memo.set(key, d);
  return d;
}
