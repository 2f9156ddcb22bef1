/**
 * Whether a rating counts in the figures. The nightly job owns `flags` (what the suspicion checks found, rewritten
 * on every re-score); people own `decision` (a supervisor's review, an appeal's outcome), which the job never
 * touches. Keeping them apart is what lets a cleared flag survive the re-score a late rating triggers.
 */
import type { TRating } from './model.js';

/** Left out: flagged by the job and not cleared by a person, confirmed suspicious by a person, or its appeal upheld. */
export function isExcluded(r: Pick<TRating, 'flags' | 'decision'>): boolean {
  const review = r.decision?.review;
  if (r.decision?.appeal === 'upheld' || review === 'confirmed') return true;
  return (r.flags?.length ?? 0) > 0 && review !== 'cleared';
}
