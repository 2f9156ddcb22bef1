/**
 * Alert episodes (issue 13): the nightly job can raise the same alert for a hall night after night while a problem
 * lasts; people need one line per episode — since when, for how many days, the bad share against the hall's
 * baseline — not one line per night. Pure: alerts in, episodes out (hall and region pages, any loading).
 */

export interface TAlertLike {
  hallId: string;
  day: string;
  kind: 'cusum' | 'turned-cold';
  figures: Record<string, unknown>;
}

export interface TEpisode {
  hallId: string;
  kind: TAlertLike['kind'];
  /** first and last alert day */
  from: string;
  to: string;
  /** calendar days from `from` to `to`, both counted */
  days: number;
  /** nights that raised the alert */
  alerts: number;
  /** bad and all ratings summed over the alert nights (cusum alerts), their share, and the mean baseline bad share */
  bad: number;
  ratings: number;
  badShare: number | null;
  baseline: number | null;
  /** the hall's temperature on the last alert night, when the alert carried it */
  temperature: number | null;
}

/** Alerts of one hall and kind at most this many days apart belong to one episode. */
export const EPISODE_GAP_DAYS = 3;

const dayNumber = (day: string) => Date.parse(`${day}T00:00:00Z`) / 86_400_000;
const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/** Groups alerts into episodes per hall and kind; newest episode first (by its last day), then by hall. */
export function alertEpisodes(alerts: readonly TAlertLike[], gapDays = EPISODE_GAP_DAYS): TEpisode[] {
  const sorted = [...alerts].sort((a, b) => a.hallId.localeCompare(b.hallId) || a.kind.localeCompare(b.kind) || a.day.localeCompare(b.day));
  const out: TEpisode[] = [];
  let cur: (TEpisode & { baseSum: number; baseN: number }) | undefined;
  for (const a of sorted) {
    const joins = cur && cur.hallId === a.hallId && cur.kind === a.kind && dayNumber(a.day) - dayNumber(cur.to) <= gapDays;
    if (!joins || !cur) {
      if (cur) out.push(close(cur));
      const empty = { days: 1, alerts: 0, bad: 0, ratings: 0, badShare: null, baseline: null, temperature: null, baseSum: 0, baseN: 0 };
      cur = { hallId: a.hallId, kind: a.kind, from: a.day, to: a.day, ...empty };
    }
    if (a.day === cur.to && cur.alerts > 0) continue; // the same night twice (a re-run): counted once
    cur.to = a.day;
    cur.alerts++;
    cur.bad += num(a.figures.bad) ?? 0;
    cur.ratings += num(a.figures.ratings) ?? 0;
    const base = num(a.figures.baselineBadShare);
    if (base !== undefined) {
      cur.baseSum += base;
      cur.baseN++;
    }
    cur.temperature = num(a.figures.temperature) ?? cur.temperature;
  }
  if (cur) out.push(close(cur));
  return out.sort((a, b) => b.to.localeCompare(a.to) || a.hallId.localeCompare(b.hallId) || a.kind.localeCompare(b.kind));
}

function close(e: TEpisode & { baseSum: number; baseN: number }): TEpisode {
  const { baseSum, baseN, ...rest } = e;
  return {
    ...rest,
    days: dayNumber(e.to) - dayNumber(e.from) + 1,
    badShare: e.ratings > 0 ? Math.round((e.bad / e.ratings) * 1e4) / 1e4 : null,
    baseline: baseN > 0 ? Math.round((baseSum / baseN) * 1e4) / 1e4 : null,
  };
}
