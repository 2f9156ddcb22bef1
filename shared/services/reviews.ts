/**
 * The review of suspicious ratings (SPEC §6, issue 10): a supervisor confirms (stays excluded) or clears (counted
 * again) a flagged rating or a whole group. The decision goes on each rating (dc, people's: the job never touches
 * it, so it survives every re-score), in the group's summary for the page, and in the audit trail; the day is marked
 * for re-scoring, so a cleared rating is back in the figures after the next night.
 */
import { HALL_FANOUT, mapLimit } from './cases.js';
import { randomBytes } from 'node:crypto';
import type { TUser } from '../domain/access.js';
import { auditEntry } from '../domain/audit.js';
import { THRESHOLDS } from '../domain/detection-thresholds.js';
import { addDays } from '../domain/time.js';
import { appendAudit } from '../storage/audit.js';
import type { TTable } from '../storage/db.js';
import { markDirty } from '../storage/late-marks.js';
import { getRating, setRatingDecision } from '../storage/ratings.js';
import { getReviewGroup, listReviewGroups, setGroupDecision, type TReviewGroup } from '../storage/reviews.js';
import type { TRating } from '../domain/model.js';

export type TReviewDecision = 'confirmed' | 'cleared';

/** A group as the page lists it: how many of its ratings still wait for a person, and whether it is old. */
export interface TReviewRow extends TReviewGroup {
  pending: number;
  stale: boolean;
}

/** The effective decision on one rating of a group: its own, or the group's if that is later. */
export function decisionOf(g: Pick<TReviewGroup, 'dec'>, ratingId: string): TReviewDecision | undefined {
  const own = g.dec[ratingId];
  const all = g.dec['*'];
  if (own && (!all || own.at >= all.at)) return own.d;
  return all?.d;
}

export function rowOf(g: TReviewGroup, today: string): TReviewRow {
  const pending = g.ratingIds.filter((id) => !decisionOf(g, id)).length;
  return { ...g, pending, stale: pending > 0 && g.day < addDays(today, -THRESHOLDS.reviewStaleDays) };
}

/** The groups of these halls over the last `days` days, those waiting for a person first, then newest. */
export async function listReviews(t: TTable, hallIds: string[], today: string, days = 90): Promise<TReviewRow[]> {
  const since = addDays(today, -days);
  // One Query per hall, HALL_FANOUT at once (a province's 3,000 halls: neither one by one nor all at once).
  const groups = await mapLimit(hallIds, HALL_FANOUT, (hallId) => listReviewGroups(t, hallId, since));
  const rows = groups.flat().map((g) => rowOf(g, today));
  return rows.sort((a, b) => Number(b.pending > 0) - Number(a.pending > 0) || b.day.localeCompare(a.day) || a.key.localeCompare(b.key));
}

/** One group with (at most `limit`) of its ratings, for its page. */
export async function reviewGroupView(
  t: TTable,
  hallId: string,
  day: string,
  key: string,
  limit = 200,
): Promise<{ group: TReviewGroup; ratings: TRating[] } | undefined> {
  const group = await getReviewGroup(t, hallId, day, key);
  if (!group) return undefined;
  const ratings: TRating[] = [];
  for (const id of group.ratingIds.slice(0, limit)) {
    const r = await getRating(t, id);
    if (r) ratings.push(r);
  }
  return { group, ratings };
}

export type TReviewResult = { ok: true; count: number } | { ok: false; status: 404 | 403 | 400 };

/**
 * Records a supervisor's decision on one rating of a group (`ratingId`) or the whole group. Only a supervisor (the
 * route has checked the hall is in their scope); an unknown group or a rating not in it changes nothing.
 */
export async function decideReview(
  deps: { table: TTable; now?: () => number },
  user: TUser,
  target: { hallId: string; day: string; key: string; ratingId?: string },
  decision: TReviewDecision,
): Promise<TReviewResult> {
  if (user.role !== 'supervisor') return { ok: false, status: 403 };
  const t = deps.table;
  const group = await getReviewGroup(t, target.hallId, target.day, target.key);
  if (!group) return { ok: false, status: 404 };
  if (target.ratingId && !group.ratingIds.includes(target.ratingId)) return { ok: false, status: 404 };
  const ids = target.ratingId ? [target.ratingId] : group.ratingIds;
  const now = (deps.now ?? Date.now)();
  const at = new Date(now).toISOString();
  // The audit entry first: a crash after it leaves a decision recorded as intended, and a retry repeats the writes.
  const entry = auditEntry({
    at,
    actor: user.id,
    actorRole: 'supervisor',
    kind: decision === 'cleared' ? 'review.cleared' : 'review.confirmed',
    unit: { type: 'hall', id: target.hallId },
    targetId: (target.ratingId ?? `${target.day}#${target.key}`).slice(0, 120),
    note: `${group.rule}: ${ids.length} rating(s) of ${target.day}`,
  });
  await appendAudit(t, entry, `review.${target.hallId}.${at}.${randomBytes(4).toString('hex')}`);
  for (let i = 0; i < ids.length; i += 8)
    await Promise.all(ids.slice(i, i + 8).map((id) => setRatingDecision(t, id, { review: decision, by: user.id, at })));
  await setGroupDecision(t, target.hallId, target.day, target.key, target.ratingId ?? '*', { d: decision, by: user.id, at });
  await markDirty(t, target.hallId, target.day, now); // the next night re-scores the day with the decision
  return { ok: true, count: ids.length };
}
