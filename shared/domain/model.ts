/**
 * zod schemas are the single source of truth for the API's types, its validation and its OpenAPI document.
 * `zod/mini` keeps the Lambda bundle small (~17 KB instead of ~440 KB).
 */
import * as z from 'zod/mini';
import { CUSTOM_TAG, REASON_TAGS, isBadGrade } from './grades.js';
import { ZText } from './text.js';
import { says } from './validation.js'; // also registers the messages for every schema

/** Ids appear inside signed tokens separated by dots, so they are restricted to URL-safe characters. */
export const ZId = z.string().check(z.regex(/^[A-Za-z0-9_-]{1,40}$/, says('must be 1–40 letters, digits, "_" or "-"')));

const grade = says('must be 1–5');
const ZGrade = z.int(says('must be a whole number 1–5')).check(z.gte(1, grade), z.lte(5, grade));

/** A reason tag's or an extra answer's code (domain/survey.ts ZCode's shape). */
const CODE = /^[a-z][a-z0-9_]{0,23}$/;
const nationalTags = REASON_TAGS.map((t) => `"${t}"`).join(', ');
/** A reason tag: a national one, or a survey definition's own (prefixed "c_", so the two can never collide). */
const ZReason = z
  .string()
  .check(
    z.refine(
      (code) => (REASON_TAGS as string[]).includes(code) || CUSTOM_TAG.test(code),
      says(`must be one of ${nationalTags} or a c_… code`),
    ),
  );

export const ZChannel = z.enum(['ticket', 'placard', 'link']);
export type TChannel = z.infer<typeof ZChannel>;

export const ZRatingInput = z
  .object({
    ticket: z.string().check(z.minLength(10), z.maxLength(400)),
    overall: ZGrade,
    attitude: z.optional(ZGrade),
    efficiency: z.optional(ZGrade),
    competence: z.optional(ZGrade),
    trips: z.optional(z.union([z.literal(1), z.literal(2), z.literal(3)])),
    done: z.optional(z.enum(['yes', 'partly', 'no'])),
    // Tag codes of the survey definition the hall asks (domain/survey.ts): which fit the grade is checked against it.
    reasons: z.optional(z.array(ZReason).check(z.maxLength(36))),
    comment: z.optional(ZText(500, 'comment is at most 500 characters')), // control and bidi characters removed (text.ts)
    contact: z.optional(
      z.object({
        phone: z.string().check(z.regex(/^1[3-9]\d{9}$/, 'phone must be an 11-digit mainland mobile number')),
        consent: z.literal(true),
      }),
    ),
    /** The definition's extra single-choice questions: question code → option code (reported, never scored). */
    // A hand-written check, not z.record: the record schema costs the resident Lambda's bundle ~2.5 KB.
    extra: z.optional(
      z.custom<Record<string, string>>(
        (v) =>
          typeof v === 'object' &&
          v !== null &&
          !Array.isArray(v) &&
          Object.keys(v).length <= 3 &&
          Object.entries(v).every(([k, x]) => CODE.test(k) && typeof x === 'string' && CODE.test(x)),
        says('must map up to 3 question codes to option codes'),
      ),
    ),
    lang: z.optional(z.enum(['zh', 'en'])),
    submissionId: z.optional(z.string().check(z.regex(/^[A-Za-z0-9_-]{8,64}$/, 'submissionId must be 8–64 URL-safe characters'))),
  })
  .check(
    z.refine((r) => !isBadGrade(r.overall) || (r.reasons?.length ?? 0) > 0, {
      message: 'a bad rating (overall 1–2) needs at least one reason',
      path: ['reasons'],
    }),
  );
export type TRatingInput = z.infer<typeof ZRatingInput>;

export const ZRatingCreated = z.object({ ratingId: z.string() });

export const ZTicketRequest = z.object({
  windowId: ZId,
  serviceId: z.optional(ZId),
  /** The queue machine's own reference for the visit (e.g. its queue number); makes minting idempotent per day. */
  visitRef: z.optional(z.string().check(z.minLength(1), z.maxLength(64))),
});
export type TTicketRequest = z.infer<typeof ZTicketRequest>;

export const ZTicketIssued = z.object({
  ticketId: z.string(),
  ticket: z.string(),
  url: z.string(),
  qrSvgUrl: z.string(),
  expiresAt: z.string(),
});
export type TTicketIssued = z.infer<typeof ZTicketIssued>;

export const ZHallView = z.object({
  id: z.string(),
  name: z.string(),
  regionId: z.string(),
  timezone: z.string(),
  windows: z.array(z.object({ id: z.string(), name: z.string(), placardUrl: z.string() })),
  services: z.array(z.object({ id: z.string(), name: z.string() })),
});
export type THallView = z.infer<typeof ZHallView>;

export const ZProblem = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number(),
  detail: z.optional(z.string()),
  errors: z.optional(z.array(z.object({ path: z.string(), message: z.string() }))),
});

/* ---------- stored entities (what shared/storage reads and writes) ---------- */

export interface TRegion {
  id: string;
  name: string;
  nameEn?: string;
  parentId?: string; // absent at the root
  level: 'province' | 'city' | 'district' | 'street';
}

export interface THall {
  id: string;
  name: string;
  nameEn?: string;
  regionId: string;
  timezone: string; // IANA, e.g. Asia/Shanghai; all "days" are hall-local calendar days
  openingHours?: { open: string; close: string }; // "08:30", "17:30"
  /** false: an administrator took the hall off the public pages (a pilot); absent or true: public (issue 12) */
  public?: boolean;
}

export interface TWindow {
  hallId: string;
  id: string;
  name: string;
  nameEn?: string;
  /**
   * When an administrator retired it (ISO instant). Its id stays in stored ratings and scores, so it is never
   * deleted: a retired unit is only left off what starts new visits (placards, the machine's hall view, new tickets).
   */
  retiredAt?: string;
}

export interface TService {
  hallId: string;
  id: string;
  name: string;
  nameEn?: string;
  /** As for a window: retired services are not offered for new tickets; their history stays. */
  retiredAt?: string;
}

/** A person's decision on a rating: a supervisor's review of its flags, an appeal's outcome; who and when. */
export interface TRatingDecision {
  review?: 'confirmed' | 'cleared';
  appeal?: 'upheld';
  by: string;
  at: string;
  reason?: string;
}

/** A stored rating. Phone is never here in clear: `phoneEnc` is AES-256-GCM, `phoneMasked` is 138****1234. */
export interface TRating {
  ratingId: string;
  channel: TChannel;
  hallId: string;
  windowId: string;
  serviceId?: string;
  ticketId?: string;
  createdAt: string; // ISO instant
  day: string; // hall-local YYYY-MM-DD of the visit: the ticket's issue day, or createdAt for placards
  overall: number;
  attitude?: number;
  efficiency?: number;
  competence?: number;
  trips?: 1 | 2 | 3;
  done?: 'yes' | 'partly' | 'no';
  reasons?: string[];
  comment?: string;
  phoneEnc?: string;
  phoneMasked?: string;
  lang?: 'zh' | 'en';
  submissionId?: string;
  deviceHash?: string; // keyed hash of the browser's own cookie, for the suspicious-rating checks; never an IP
  /** seconds from the ticket's issue to the rating (ticket ratings): rated at the window or later, for the 诱导好评 signal */
  lag?: number;
  /** keyed hash of network address + browser (never the raw address): shared honestly on hall Wi-Fi, so only evidence */
  netHash?: string;
  /** What the nightly job's suspicion checks found; the job rewrites these on every re-score. Empty: none. */
  flags?: string[];
  /** People's decisions about the rating (review, appeal): never touched by the job. See domain/exclusion.ts. */
  decision?: TRatingDecision;
  /** The survey definition version answered (domain/survey.ts); absent: the national default, national@0. */
  surveyVersion?: string;
  /** Answers to the definition's extra questions: question code → option code. */
  extra?: Record<string, string>;
}
