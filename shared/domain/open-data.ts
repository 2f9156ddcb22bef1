/**
 * Open data (issue 12): the one declared list of what a rating publishes. Every field of a stored rating is
 * classified here (the type makes a new field a compile error until someone decides), and the public CSV is
 * built from PUBLIC_RATING_COLUMNS alone, each column naming the fields it reads — a test reads the rows through
 * a proxy and fails when a column touches a field not declared publishable. No comment, phone, device, ticket or
 * exact time ever leaves: the time is published as the hall-local hour only.
 */
import type { TRating } from './model.js';

/** public: published as stored; derived: published only through a coarser column; private: never published. */
export type TPublicity = 'public' | 'derived' | 'private';

export const RATING_FIELD_PUBLICITY = {
  ratingId: 'public',
  channel: 'public',
  hallId: 'public',
  windowId: 'public',
  serviceId: 'public',
  day: 'public',
  overall: 'public',
  attitude: 'public',
  efficiency: 'public',
  competence: 'public',
  trips: 'public',
  done: 'public',
  reasons: 'public',
  createdAt: 'derived', // only its hall-local hour
  flags: 'derived', // only "excluded, and why"
  decision: 'derived', // only "excluded, and why"
  ticketId: 'private',
  comment: 'private', // free text can carry names, numbers, addresses
  phoneEnc: 'private',
  phoneMasked: 'private',
  lang: 'private',
  submissionId: 'private',
  deviceHash: 'private',
  netHash: 'private', // keyed hash of network address + browser (issue 10's detection)
  surveyVersion: 'public', // which version of the hall's questions was answered (labels of custom reasons)
  extra: 'private', // answers to a hall's own extra questions: published only as distributions, never per rating
  lag: 'private', // seconds from ticket to rating: with the day's tickets it would narrow down who rated when
} as const satisfies Record<keyof TRating, TPublicity>;

export type TPublicField = {
  [K in keyof typeof RATING_FIELD_PUBLICITY]: (typeof RATING_FIELD_PUBLICITY)[K] extends 'private' ? never : K;
}[keyof typeof RATING_FIELD_PUBLICITY];

/** Why a rating is left out of the figures: the same rule as exclusion.ts, spelled out for the public. '' = counted. */
export function exclusionReason(r: Pick<TRating, 'flags' | 'decision'>): '' | 'flagged' | 'confirmed' | 'upheld_appeal' {
  if (r.decision?.appeal === 'upheld') return 'upheld_appeal';
  if (r.decision?.review === 'confirmed') return 'confirmed';
  return (r.flags?.length ?? 0) > 0 && r.decision?.review !== 'cleared' ? 'flagged' : '';
}

/** What a row needs beyond the rating: the hall-local hour of an instant. */
export interface TRowContext {
  hourOf: (r: TRating) => number;
}

interface TColumn {
  name: string;
  /** the rating fields this column reads: each must be declared public or derived above */
  from: readonly TPublicField[];
  get: (r: TRating, ctx: TRowContext) => string | number | undefined;
}

/** The public ratings CSV, column by column (issue 12: "one row per rating"). */
export const PUBLIC_RATING_COLUMNS: readonly TColumn[] = [
  { name: 'rating_id', from: ['ratingId'], get: (r) => r.ratingId },
  { name: 'hall', from: ['hallId'], get: (r) => r.hallId },
  { name: 'day', from: ['day'], get: (r) => r.day },
  { name: 'hour', from: ['createdAt'], get: (r, ctx) => ctx.hourOf(r) },
  { name: 'window', from: ['windowId'], get: (r) => r.windowId },
  { name: 'service', from: ['serviceId'], get: (r) => r.serviceId },
  { name: 'channel', from: ['channel'], get: (r) => r.channel },
  { name: 'overall', from: ['overall'], get: (r) => r.overall },
  { name: 'attitude', from: ['attitude'], get: (r) => r.attitude },
  { name: 'efficiency', from: ['efficiency'], get: (r) => r.efficiency },
  { name: 'competence', from: ['competence'], get: (r) => r.competence },
  { name: 'trips', from: ['trips'], get: (r) => r.trips },
  { name: 'done', from: ['done'], get: (r) => r.done },
  { name: 'reasons', from: ['reasons'], get: (r) => (r.reasons ?? []).join('|') },
  { name: 'excluded', from: ['flags', 'decision'], get: (r) => exclusionReason(r) },
  { name: 'survey_version', from: ['surveyVersion'], get: (r) => r.surveyVersion },
];

export const PUBLIC_RATINGS_HEADER = PUBLIC_RATING_COLUMNS.map((c) => c.name).join(',');

/** One CSV cell: ids, tags and numbers only (no free text is published), quoted if ever needed. */
const cell = (v: string | number | undefined): string => {
  const s = v === undefined ? '' : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

export const publicRatingRow = (r: TRating, ctx: TRowContext): string => PUBLIC_RATING_COLUMNS.map((c) => cell(c.get(r, ctx))).join(',');

const hourFormats = new Map<string, Intl.DateTimeFormat>();
/** The hall-local hour (0–23) of an instant. */
export function localHour(instant: string, timeZone: string): number {
  let f = hourFormats.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', hourCycle: 'h23' });
    hourFormats.set(timeZone, f);
  }
  return Number(f.format(new Date(instant)));
}
