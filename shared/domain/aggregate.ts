/**
 * A unit's day in numbers. Every unit (hall, window, service, region) keeps one fixed-length vector of counts
 * per day; decayed sums of these vectors are all the nightly job needs, so its cost follows that day's ratings
 * and the number of units, never history. Pure: no I/O.
 */
import type { TRating } from './model.js';

/** Offsets into the vector. Grade-like blocks are 5 long, index 0 = grade 1 … 4 = grade 5. */
export const V = {
  grades: 0,
  attitude: 5,
  efficiency: 10,
  competence: 15,
  trips: 20, // 1, 2, 3+
  done: 23, // yes, partly, no
  ticketRated: 26, // ratings that came through a ticket or a registered matter (numerator of the active-rating rate)
  issued: 27, // tickets issued and matters registered (denominator)
  /** ticket ratings made within PRESSURE_SEC of the ticket (at the window, staff watching), and the good ones among them */
  early: 28,
  earlyGood: 29,
  /** ticket ratings made later, on the resident's own, and the good ones */
  late: 30,
  lateGood: 31,
} as const;
export const VECTOR_LENGTH = 32;
/** "Rated at the window": within 10 minutes of the ticket (issue 10's 诱导好评 signal). */
export const PRESSURE_SEC = 600;

/** A stored vector from before the vector grew, padded with zeros to today's length. */
export const padVector = (v: readonly number[]): TVector =>
  v.length >= VECTOR_LENGTH ? [...v] : [...v, ...new Array<number>(VECTOR_LENGTH - v.length).fill(0)];

export type TVector = number[];
export const zeroVector = (): TVector => new Array<number>(VECTOR_LENGTH).fill(0);

const DONE_INDEX = { yes: 0, partly: 1, no: 2 } as const;

/** Adds one rating's answers to a day vector (in place). Flagged or excluded ratings must not be passed. */
export function addRating(
  v: TVector,
  r: Pick<TRating, 'overall' | 'attitude' | 'efficiency' | 'competence' | 'trips' | 'done' | 'channel' | 'lag'>,
): TVector {
  v[V.grades + r.overall - 1]++;
  if (r.attitude) v[V.attitude + r.attitude - 1]++;
  if (r.efficiency) v[V.efficiency + r.efficiency - 1]++;
  if (r.competence) v[V.competence + r.competence - 1]++;
  if (r.trips) v[V.trips + r.trips - 1]++;
  if (r.done) v[V.done + DONE_INDEX[r.done]]++;
  // A registered matter (channel link) is counted as issued like a ticket, so its rating counts as one too.
  if (r.channel === 'ticket' || r.channel === 'link') v[V.ticketRated]++;
  if (r.channel === 'ticket' && r.lag !== undefined) {
    const early = r.lag <= PRESSURE_SEC;
    v[early ? V.early : V.late]++;
    if (r.overall >= 4) v[early ? V.earlyGood : V.lateGood]++;
  }
  return v;
}

export const addInto = (target: TVector, v: TVector): TVector => {
  for (let i = 0; i < VECTOR_LENGTH; i++) target[i] += v[i] ?? 0;
  return target;
};

export const slice5 = (v: TVector, at: number): [number, number, number, number, number] => v.slice(at, at + 5) as never;

export const isZero = (v: TVector): boolean => v.every((x) => x === 0);

/* ---------- unit ids ---------- */

export type TUnitKind = 'hall' | 'window' | 'service' | 'region' | 'all';

export const unitId = {
  hall: (hallId: string) => `H#${hallId}`,
  window: (hallId: string, windowId: string) => `W#${hallId}#${windowId}`,
  service: (hallId: string, serviceId: string) => `S#${hallId}#${serviceId}`,
  region: (regionId: string) => `R#${regionId}`,
  all: 'ALL',
};

export function unitKind(id: string): TUnitKind {
  return id === 'ALL' ? 'all' : ({ H: 'hall', W: 'window', S: 'service', R: 'region' } as const)[id[0] as 'H' | 'W' | 'S' | 'R'];
}
