/**
 * "Needs attention" on a supervisor's page (issue 13): every hall of the region's subtree at any depth, each with
 * why — cold, cooling over 30 days, or an alert in the last week — whether or not a new alert fired. Pure, over a
 * list of the subtree's halls however they were loaded (issue 15 loads only the subtree). Room for more reasons
 * (issue 10's window pressure): a hall is listed once with all of its reasons.
 */
import type { TEpisode } from '../domain/episodes.js';
import { addDays } from '../domain/time.js';
import type { TUnitReport } from './report.js';

/** A fall of at least this many points over 30 days counts as cooling, whatever the intervals say. */
export const COOLING_POINTS = 3;
/** An alert episode still running within this many days makes a hall need attention. */
export const RECENT_ALERT_DAYS = 7;

export type TAttentionReason = { kind: 'cold' } | { kind: 'cooling'; change: number } | { kind: 'alert'; episode: TEpisode };

export interface TAttentionHall {
  hallId: string;
  r: TUnitReport;
  /** the temperature's change over 30 days, when the hall was scored then */
  change?: { change: number; beyondNoise: boolean };
  episodes: readonly TEpisode[];
}

/** The halls that need attention, coldest first, each with all of its reasons. */
export function needsAttention<T extends TAttentionHall>(halls: readonly T[], day: string): (T & { reasons: TAttentionReason[] })[] {
  const since = addDays(day, -(RECENT_ALERT_DAYS - 1));
  return halls
    .map((h) => {
      const reasons: TAttentionReason[] = [];
      if (h.r.band === 'cold') reasons.push({ kind: 'cold' });
      const ch = h.change;
      if (ch && ch.change < 0 && (ch.change <= -COOLING_POINTS || ch.beyondNoise)) reasons.push({ kind: 'cooling', change: ch.change });
      const recent = h.episodes.filter((e) => e.hallId === h.hallId && e.to >= since);
      for (const episode of recent) reasons.push({ kind: 'alert', episode });
      return { ...h, reasons };
    })
    .filter((h) => h.reasons.length > 0)
    .sort((a, b) => a.r.temperature - b.r.temperature || a.hallId.localeCompare(b.hallId));
}
