/**
 * Pressure at the window (诱导好评, issue 10): residents who rate a ticket within 10 minutes of it (at the window,
 * staff watching) may rate differently from those who rate later on their own. From a unit's decayed counts: the
 * share of ticket ratings made early, the good-rating rate of early and of later ones (Wilson 90%), and the gap.
 * A hall is listed when its gap is far above its region's typical gap and its two intervals do not overlap. It is a
 * signal to look, never a verdict: the wording on the page says so. Pure.
 */
import { V, type TVector } from './aggregate.js';
import { wilson, type IRate } from './scoring.js';

export interface TPressure {
  earlyShare: IRate;
  earlyGood: IRate;
  lateGood: IRate;
  /** earlyGood − lateGood, null without both */
  gap: number | null;
  early: number;
  late: number;
}

export const PRESSURE = {
  /** each side needs this many (decayed) ratings before a gap means anything */
  minEach: 20,
  /** percentage points above the region's typical gap: a good-rate lift that large is not noise or mix of matters */
  overRegion: 0.15,
} as const;

export function pressureOf(v: TVector): TPressure {
  const early = v[V.early] ?? 0;
  const late = v[V.late] ?? 0;
  const earlyGood = wilson(v[V.earlyGood] ?? 0, early);
  const lateGood = wilson(v[V.lateGood] ?? 0, late);
  const gap = earlyGood.rate !== null && lateGood.rate !== null ? earlyGood.rate - lateGood.rate : null;
  return { earlyShare: wilson(early, early + late), earlyGood, lateGood, gap, early, late };
}

/** Whether a hall's gap is far above its region's: enough ratings on both sides, intervals apart, gap above typical. */
export function pressureNeedsAttention(hall: TPressure, region: TPressure): boolean {
  if (hall.early < PRESSURE.minEach || hall.late < PRESSURE.minEach || hall.gap === null) return false;
  const apart = (hall.earlyGood.low ?? 0) > (hall.lateGood.high ?? 1);
  return apart && hall.gap - (region.gap ?? 0) > PRESSURE.overRegion;
}
