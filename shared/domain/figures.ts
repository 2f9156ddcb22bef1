/**
 * The published figures of one unit on one day, from its decayed counts and its parent's (SPEC §4):
 * temperature with its 90% interval and band, dimension temperatures, and the rates with Wilson intervals.
 * Pure; rounded so stored figures are compact and identical on every re-run.
 */
import { V, slice5, type TVector } from './aggregate.js';
import { isRankable, priorFrom, temperature, wilson, type IRate, type TBand } from './scoring.js';

export interface TTemperatureFigure {
  temperature: number;
  low: number;
  high: number;
  n: number;
}

export interface TFigures extends TTemperatureFigure {
  band: TBand;
  /** false when N < 20 effective ratings: shown, never ranked */
  ranked: boolean;
  dimensions: { attitude: TTemperatureFigure; efficiency: TTemperatureFigure; competence: TTemperatureFigure };
  goodRate: IRate;
  oneTripRate: IRate;
  doneRate: IRate;
  /** null rate when no tickets were issued (placard-only units, windows without ticket machines) */
  activeRate: IRate;
}

const r = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;
const rate = (x: IRate): IRate => ({
  rate: x.rate === null ? null : r(x.rate, 4),
  low: x.low === null ? null : r(x.low, 4),
  high: x.high === null ? null : r(x.high, 4),
});

function temp(v: TVector, parent: TVector | undefined, at: number): TTemperatureFigure & { band: TBand } {
  const t = temperature(slice5(v, at), priorFrom(parent ? slice5(parent, at) : undefined));
  return { temperature: r(t.temperature, 2), low: r(t.low, 2), high: r(t.high, 2), n: r(t.n, 2), band: t.band };
}

export function unitFigures(decayed: TVector, parentDecayed: TVector | undefined): TFigures {
  const overall = temp(decayed, parentDecayed, V.grades);
  const dim = (at: number): TTemperatureFigure => {
    const { band: _b, ...t } = temp(decayed, parentDecayed, at);
    return t;
  };
  const sum = (at: number, len: number) => decayed.slice(at, at + len).reduce((a, b) => a + b, 0);
  const n = sum(V.grades, 5);
  return {
    temperature: overall.temperature,
    low: overall.low,
    high: overall.high,
    n: overall.n,
    band: overall.band,
    ranked: isRankable(n),
    dimensions: { attitude: dim(V.attitude), efficiency: dim(V.efficiency), competence: dim(V.competence) },
    goodRate: rate(wilson(decayed[V.grades + 3] + decayed[V.grades + 4], n)),
    oneTripRate: rate(wilson(decayed[V.trips], sum(V.trips, 3))),
    doneRate: rate(wilson(decayed[V.done], sum(V.done, 3))),
    activeRate: rate(wilson(decayed[V.ticketRated], decayed[V.issued])),
  };
}

/** Bad ratings (grades 1–2) and all ratings in a (day or decayed) vector. */
export const badAndAll = (v: TVector): { bad: number; all: number } => ({
  bad: v[V.grades] + v[V.grades + 1],
  all: slice5(v, V.grades).reduce((a, b) => a + b, 0),
});

/**
 * A dimension (attitude, efficiency, competence) is optional on the survey: with few answers of its own its
 * temperature is mostly the parent's prior, so it is shown only from this many effective answers (issue 13).
 */
export const DIMENSION_MIN_N = 5;
/** A dimension as people and programs see it: its figure, or nulls with its own (too few) answers. */
export type TDimensionShown = TTemperatureFigure | { temperature: null; low: null; high: null; n: number };
export const shownDimension = (d: TTemperatureFigure): TDimensionShown =>
  d.n >= DIMENSION_MIN_N ? d : { temperature: null, low: null, high: null, n: d.n };

/**
 * The change of a temperature between two days and whether it is beyond the noise: each 90% interval gives a
 * standard error (half-width / 1.645); the change counts as real when it is larger than 1.645 × their combined
 * error. (The two windows share ratings, so this errs on the side of calling a change noise.)
 */
export function temperatureChange(now: TTemperatureFigure, then: TTemperatureFigure): { change: number; beyondNoise: boolean } {
  const se = (f: TTemperatureFigure) => (f.high - f.low) / 2 / 1.645;
  const diff = now.temperature - then.temperature;
  return { change: Math.round(diff * 100) / 100, beyondNoise: Math.abs(diff) > 1.645 * Math.hypot(se(now), se(then)) };
}
