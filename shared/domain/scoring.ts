/**
 * The service temperature (服务温度) and the numbers beside it — pure math, no I/O (SPEC §4).
 *
 * Counts are decayed: a rating from day d weighs δ^(T−d) on scoring day T, so every count here may be fractional.
 * Grade-count vectors are indexed by grade − 1: index 0 = grade 1 (非常不满意) … index 4 = grade 5 (非常满意).
 */

/** Half-life of a day's weight, in days. */
export const HALF_LIFE_DAYS = 30;
/** δ = 0.5^(1/H): the per-day decay factor. */
export const DECAY = 0.5 ** (1 / HALF_LIFE_DAYS);
/** Days older than this (age > 365) are dropped from every score. */
export const MAX_AGE_DAYS = 365;
/** δ^366: the weight the nightly recurrence removes for the day that just left the window. */
export const DROP_WEIGHT = DECAY ** (MAX_AGE_DAYS + 1);
/** M: how many ratings' worth of weight the parent's distribution carries. */
export const PRIOR_STRENGTH = 10;
/** Points per grade, indexed by grade − 1: grade 1 → 0, 2 → 25, 3 → 50, 4 → 75, 5 → 100. */
export const POINTS = [0, 25, 50, 75, 100] as const;
/** z for a two-sided 90% interval. */
export const Z90 = 1.645;
/** Rankings hide units with fewer effective (decayed) ratings than this. */
export const MIN_RANKED_N = 20;
/** Band lower bounds: a temperature exactly on a bound belongs to the warmer band. */
export const BANDS = { warm: 85, mild: 70, cool: 55 } as const;
/** CUSUM alarm threshold on S, and the odds ratio p1 is tuned to detect. */
export const CUSUM_THRESHOLD = 4;
export const CUSUM_ODDS_RATIO = 2;
/** Bounds for the CUSUM baseline p0, so ln(p1/p0) and ln((1−p1)/(1−p0)) stay finite. */
export const P0_MIN = 0.001;
export const P0_MAX = 0.999;

/** Decayed counts of grades 1..5 (index 0 = grade 1). */
export type TGradeCounts = [number, number, number, number, number];
export type TBand = 'warm' | 'mild' | 'cool' | 'cold';

export interface ITemperature {
  /** Σ s_k q_k, 0–100. */
  temperature: number;
  /** 90% interval, clamped to [0, 100]. */
  low: number;
  high: number;
  /** N = Σ n_k, the effective (decayed) number of ratings. Rank only when n ≥ MIN_RANKED_N. */
  n: number;
  band: TBand;
}

export interface IRate {
  /** null (not 0) when there is no data, so nobody mistakes "no ratings" for 0%. */
  rate: number | null;
  low: number | null;
  high: number | null;
}

const UNIFORM: Readonly<TGradeCounts> = [0.2, 0.2, 0.2, 0.2, 0.2];

const assertCounts = (v: readonly number[], what: string): void => {
  for (const x of v) if (!Number.isFinite(x) || x < 0) throw new RangeError(`${what}: counts must be finite and ≥ 0, got ${x}`);
};

// ---------- small helpers ----------

export const zeroCounts = (): TGradeCounts => [0, 0, 0, 0, 0];
export const sumCounts = (v: readonly number[]): number => v.reduce((a, b) => a + b, 0);
export const addCounts = (a: Readonly<TGradeCounts>, b: Readonly<TGradeCounts>): TGradeCounts => a.map((x, k) => x + b[k]) as TGradeCounts;
export const scaleCounts = (a: Readonly<TGradeCounts>, f: number): TGradeCounts => a.map((x) => x * f) as TGradeCounts;
/** Raw counts of a list of grades 1..5 (for one day's aggregate, tests, demos). */
export const countGrades = (grades: Iterable<number>): TGradeCounts => {
  const c = zeroCounts();
  for (const g of grades) {
    if (!Number.isInteger(g) || g < 1 || g > 5) throw new RangeError(`grade must be 1..5, got ${g}`);
    c[g - 1] += 1;
  }
  return c;
};
/** Sample mean of points (no prior); null when there are no ratings. */
export const meanPoints = (counts: Readonly<TGradeCounts>): number | null => {
  const n = sumCounts(counts);
  return n > 0 ? counts.reduce((acc, c, k) => acc + POINTS[k] * c, 0) / n : null;
};
/** Band of a temperature. Callers that display a rounded value should band the rounded value, so "85.0" never reads mild. */
export const bandOf = (t: number): TBand => (t >= BANDS.warm ? 'warm' : t >= BANDS.mild ? 'mild' : t >= BANDS.cool ? 'cool' : 'cold');
/** Whether a unit has enough effective ratings to appear in rankings. */
export const isRankable = (n: number): boolean => n >= MIN_RANKED_N;

// ---------- decay ----------

/** Weight of a rating `ageDays` old: δ^age for 0 ≤ age ≤ 365, else 0 (future days are not counted either). */
export const dayWeight = (ageDays: number): number =>
  Number.isFinite(ageDays) && ageDays >= 0 && ageDays <= MAX_AGE_DAYS ? 0.5 ** (ageDays / HALF_LIFE_DAYS) : 0;

/**
 * One night of the recurrence that keeps V_T = Σ_{d=T−365..T} δ^(T−d)·c(d) for any vector of counts
 * (grades, trips, done, dimensions, bad ratings…): V_T = δ·V_(T−1) + c(T) − δ^366·c(T−366).
 * O(1) per unit: it needs yesterday's vector, today's counts and the counts of the day leaving the window
 * (zeros while there are fewer than 366 days of history), never the rest of history.
 * Rounding can leave −1e−15 where the truth is 0; counts are never negative, so results are clamped at 0.
 */
export const decayVector = (prev: readonly number[], today: readonly number[], dropped: readonly number[]): number[] => {
  if (prev.length !== today.length || prev.length !== dropped.length) throw new RangeError('decayVector: vectors differ in length');
  return prev.map((p, k) => Math.max(0, DECAY * p + today[k] - DROP_WEIGHT * dropped[k]));
};

export const decayStep = (prev: Readonly<TGradeCounts>, today: Readonly<TGradeCounts>, dropped: Readonly<TGradeCounts>): TGradeCounts =>
  decayVector(prev, today, dropped) as TGradeCounts;

/**
 * The same decayed sum computed directly from daily vectors, `byAge[a]` = the counts of day T − a.
 * For backfills and checks; the nightly job uses `decayVector`.
 */
export const decayedSum = (byAge: readonly (readonly number[])[], width: number): number[] => {
  const out = new Array<number>(width).fill(0);
  byAge.forEach((day, age) => {
    const w = dayWeight(age);
    if (w > 0) for (let k = 0; k < width; k++) out[k] += w * day[k];
  });
  return out;
};

// ---------- the temperature ----------

/**
 * The prior π: the parent's decayed grade distribution, normalised to sum 1; uniform when the parent is
 * missing or has no ratings (SPEC §4: "uniform if empty").
 */
export const priorFrom = (parent: Readonly<TGradeCounts> | undefined): TGradeCounts => {
  if (!parent) return [...UNIFORM];
  assertCounts(parent, 'priorFrom');
  const n = sumCounts(parent);
  return n > 0 ? (parent.map((c) => c / n) as TGradeCounts) : [...UNIFORM];
};

/**
 * SPEC §4: q_k = (n_k + M·π_k)/(N + M); T = Σ s_k q_k; 90% interval T ± 1.645·sqrt((Σ s_k² q_k − T²)/(N + M + 1)),
 * clamped to [0, 100]. The posterior mean of a Dirichlet with the parent as prior: a unit with few ratings
 * sits near its parent, and its interval says how unsure that is. `prior` is re-normalised (it should already
 * sum to 1), so rounding in a stored prior cannot tilt the score.
 */
export const temperature = (counts: Readonly<TGradeCounts>, prior: Readonly<TGradeCounts>, M: number = PRIOR_STRENGTH): ITemperature => {
  assertCounts(counts, 'temperature');
  if (!Number.isFinite(M) || M <= 0) throw new RangeError(`temperature: prior strength must be > 0, got ${M}`);
  const pi = priorFrom(prior);
  const N = sumCounts(counts);
  let t = 0;
  let s2 = 0;
  for (let k = 0; k < 5; k++) {
    const q = (counts[k] + M * pi[k]) / (N + M);
    t += POINTS[k] * q;
    s2 += POINTS[k] * POINTS[k] * q;
  }
  // Σ s²q − T² is a variance: never negative in exact arithmetic, so clamp rounding noise.
  const half = Z90 * Math.sqrt(Math.max(0, s2 - t * t) / (N + M + 1));
  return { temperature: t, low: Math.max(0, t - half), high: Math.min(100, t + half), n: N, band: bandOf(t) };
};

// ---------- rates ----------

/**
 * Wilson score interval for successes/total (e.g. 好评率 = grades 4–5 / all). `total` may be fractional (decayed
 * counts), and is then read as an effective sample size. No data → all null. Successes are clamped into
 * [0, total] because separately decayed numerators can overshoot their denominator by rounding.
 */
export const wilson = (successes: number, total: number, z: number = Z90): IRate => {
  if (!Number.isFinite(successes) || !Number.isFinite(total) || total < 0 || successes < 0) {
    throw new RangeError(`wilson: need 0 ≤ successes and 0 ≤ total, got ${successes}/${total}`);
  }
  if (total === 0) return { rate: null, low: null, high: null };
  const p = Math.min(successes, total) / total;
  const z2n = (z * z) / total;
  const denom = 1 + z2n;
  const centre = (p + z2n / 2) / denom;
  const half = (z * Math.sqrt((p * (1 - p)) / total + z2n / (4 * total))) / denom;
  return { rate: p, low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
};

// ---------- alerts: binomial CUSUM on the daily bad-rating share ----------

const clampP0 = (p: number): number => Math.min(P0_MAX, Math.max(P0_MIN, p));

/**
 * The hall's baseline bad share p0, shrunk toward its parent's like the temperature: (badN + M·parent)/(N + M),
 * guarded into [0.001, 0.999]. Use decayed counts from before the day being tested, so a bad day cannot
 * raise its own baseline. For an empty parent pass the uniform prior's bad share, 0.4.
 */
export const shrunkBadShare = (badN: number, N: number, parentBadShare: number, M: number = PRIOR_STRENGTH): number => {
  if (!(N + M > 0) || !Number.isFinite(badN) || !Number.isFinite(parentBadShare)) throw new RangeError('shrunkBadShare: bad input');
  return clampP0((badN + M * parentBadShare) / (N + M));
};

/** p1 = p0 with its odds doubled: p1/(1−p1) = 2·p0/(1−p0) ⇒ p1 = 2p0/(1 + p0). */
export const oddsDoubled = (p0: number): number => (CUSUM_ODDS_RATIO * p0) / (1 + (CUSUM_ODDS_RATIO - 1) * p0);

/**
 * One day of the CUSUM: W = x·ln(p1/p0) + (n − x)·ln((1−p1)/(1−p0)); S = max(0, S_prev + W).
 * When S > 4 the alarm fires and S restarts at 0 (the returned s is the reset value). A day without
 * ratings leaves S unchanged. x and n are today's raw (undecayed) counts of bad and all ratings.
 */
export const cusumStep = (prevS: number, x: number, n: number, p0: number): { s: number; alarm: boolean } => {
  if (!Number.isFinite(prevS) || prevS < 0 || !Number.isFinite(n) || !(x >= 0 && x <= n)) {
    throw new RangeError(`cusumStep: need S ≥ 0 and 0 ≤ x ≤ n, got S=${prevS}, x=${x}, n=${n}`);
  }
  const q0 = clampP0(p0);
  const p1 = oddsDoubled(q0);
  const w = x * Math.log(p1 / q0) + (n - x) * Math.log((1 - p1) / (1 - q0));
  const s = Math.max(0, prevS + w);
  return s > CUSUM_THRESHOLD ? { s: 0, alarm: true } : { s, alarm: false };
};
