/**
 * The `link` channel (SPEC §3): a matter handled online (一网通办) or by phone has no ticket and no window, so the
 * business system registers it once it is finished and the resident rates it by its number (办件编号) at /rate.
 * Its rating id is derived from the hall and the number, so "one matter, one rating" is the rating put's own
 * condition, exactly as for a ticket. Phone digits are kept only as a keyed hash.
 */
import * as z from 'zod/mini';
import type { TKeyring } from './keyring.js';
import { ZId } from './model.js';
import { keyedHash } from './privacy.js';

/** Letters, digits and "-", "_" or "/": what business systems print as a 办件编号. Compared ignoring case and spaces. */
export const ZMatterNo = z.string().check(z.regex(/^[A-Za-z0-9_/-]{4,40}$/, 'matterNo must be 4–40 letters, digits, "-", "_" or "/"'));

export const ZMatterRequest = z.object({
  matterNo: ZMatterNo,
  serviceId: ZId,
  /** The window that handled it, if one did; online and phone matters have none. */
  windowId: z.optional(ZId),
  /** The last four digits of the resident's phone: the resident must type them to rate (kept as a keyed hash). */
  phoneLast4: z.optional(z.string().check(z.regex(/^\d{4}$/, 'phoneLast4 must be 4 digits'))),
});
export type TMatterRequest = z.infer<typeof ZMatterRequest>;

export const ZMatterRegistered = z.object({
  matterNo: z.string(),
  /** The page where the resident rates it (the hall is chosen; the resident types the number). */
  rateUrl: z.string(),
  registeredAt: z.string(),
  expiresAt: z.string(),
});
export type TMatterRegistered = z.infer<typeof ZMatterRegistered>;

/** A rating of a matter without a window is counted under this pseudo window of its hall. */
export const LINK_WINDOW = '_online';

/** How the pseudo window reads wherever people see a window (tables, reports, CSV, public pages): never the raw id. */
export const LINK_WINDOW_NAME = { zh: '线上/电话办理', en: 'Online / by phone' } as const;

/** A hall's windows as its figures show them: its own, then the pseudo window (the halls' catalogues never hold it). */
export const withLinkWindow = <T extends { id: string; name: string; nameEn?: string }>(
  windows: readonly T[],
): (T | { id: string; name: string; nameEn: string })[] => [
  ...windows,
  { id: LINK_WINDOW, name: LINK_WINDOW_NAME.zh, nameEn: LINK_WINDOW_NAME.en },
];

/** A window's words for people: its name when known, the pseudo window's words, else its id. */
export const windowWords = (id: string, lang: 'zh' | 'en', name?: string): string =>
  name ?? (id === LINK_WINDOW ? LINK_WINDOW_NAME[lang] : id);

/** Guessing limits: per client per quarter hour (every attempt) and per hall per hour (failed attempts). */
export const GUESS_LIMITS = { client: 10, clientWindowMs: 15 * 60_000, hallFailures: 200, hallWindowMs: 3600_000 } as const;

export const normalizeMatterNo = (no: string): string => no.replace(/\s+/g, '').toUpperCase();

/** The key of a matter inside its hall: a keyed hash, so the table holds no business system's numbers. */
export const matterKey = (keyring: TKeyring, hallId: string, matterNo: string): string =>
  keyedHash(keyring, 'matter', hallId, normalizeMatterNo(matterNo));

/** One matter, one rating: its rating id (≤ 40 URL-safe characters, never a ticket's or a placard's). */
export const matterRatingId = (key: string): string => `m${key.slice(0, 20)}`;

export const phoneDigitsHash = (keyring: TKeyring, key: string, last4: string): string => keyedHash(keyring, 'matter-phone', key, last4);
