/**
 * Accepting a resident's rating: shared by the JSON API and the no-JavaScript form post, so both paths apply
 * exactly the same rules (SPEC §3, §6). Returns a result, never throws for the resident's mistakes.
 */
import { gradeGroup, isBadGrade } from '../domain/grades.js';
import type { TKeyring } from '../domain/keyring.js';
import type { TRating, TRatingInput } from '../domain/model.js';
import { encryptPhone, keyedHash, maskPhone } from '../domain/privacy.js';
import { localDay } from '../domain/time.js';
import { verifyToken, type TTokenClaims } from '../domain/tokens.js';
import type { THallCatalogue } from '../storage/catalogue.js';
import type { TTable } from '../storage/db.js';
import { claimPlacardSlot } from '../storage/tickets.js';
import { markDirty } from '../storage/late-marks.js';
import { putRating } from '../storage/ratings.js';
import { noteDeviceHall } from '../storage/devices.js';
import { openCaseAttributes } from '../storage/cases.js';
import { hallCalendar, openingDeadlines } from './case-calendar.js';
import { answerProblems, NATIONAL_VERSION } from '../domain/survey.js';
import { surveyOf, type TEffectiveSurvey } from './surveys.js';

export const PLACARD_WINDOW_MS = 2 * 3600 * 1000;

export type TRatingRefusal = 'invalid-ticket' | 'ticket-expired' | 'already-rated' | 'placard-limit' | 'unknown-hall' | 'invalid-answers';

/** A bad rating's case as the thank-you page needs it (caseId = ratingId). */
export interface TOpenedCase {
  caseId: string;
  contactDue: string;
  rectifyDue: string;
  hasPhone: boolean;
}

/** `case`: the case this bad rating opened (absent for a good rating; on a replay, the case opened the first time). */
export type TAcceptResult =
  | { ok: true; ratingId: string; created: boolean; bad: boolean; case?: TOpenedCase }
  | { ok: false; refusal: Exclude<TRatingRefusal, 'invalid-answers'> }
  /** The answers do not fit the survey definition the hall asks (a reason of another grade, a question not asked). */
  | { ok: false; refusal: 'invalid-answers'; errors: { path: string; message: string }[] };

export interface TClient {
  /** Random id from the page's first-party cookie, if the browser keeps cookies. */
  deviceId?: string;
  /** Used transiently to tell devices apart when there is no cookie; only a keyed hash of it is kept. */
  address?: string;
  userAgent?: string;
}

export interface TRatingDeps {
  table: TTable;
  keyring: TKeyring;
  now: () => number;
  catalogue: (hallId: string) => Promise<THallCatalogue | undefined>;
  /** The survey definition a hall asks (default: the process's resolver, cached per hall per minute). */
  survey?: (hall: THallCatalogue['hall']) => Promise<TEffectiveSurvey>;
}

export type TTokenCheck = { ok: true; token: string; claims: TTokenClaims } | { ok: false; refusal: 'invalid-ticket' | 'ticket-expired' };

export function checkToken(keyring: TKeyring, token: string, now: number): TTokenCheck {
  const v = verifyToken(keyring, token, now);
  if (v.ok) return { ok: true, token, claims: v.claims };
  return { ok: false, refusal: v.reason === 'expired' ? 'ticket-expired' : 'invalid-ticket' };
}

/** The resident's answers as stored: reasons de-duplicated, comment trimmed, the phone sealed and masked. */
export function storedAnswers(keyring: TKeyring, input: TRatingInput) {
  return {
    overall: input.overall,
    attitude: input.attitude,
    efficiency: input.efficiency,
    competence: input.competence,
    trips: input.trips,
    done: input.done,
    reasons: input.reasons?.length ? [...new Set(input.reasons)] : undefined,
    comment: input.comment?.trim() || undefined,
    phoneEnc: input.contact ? encryptPhone(keyring, input.contact.phone) : undefined,
    phoneMasked: input.contact ? maskPhone(input.contact.phone) : undefined,
    lang: input.lang,
    extra: input.extra && Object.keys(input.extra).length ? input.extra : undefined,
  } satisfies Partial<TRating>;
}

/** `checked`: the caller's own verification of this very ticket (the form post checks it first), so it is done once. */
export async function acceptRating(deps: TRatingDeps, input: TRatingInput, client: TClient, checked?: TTokenCheck): Promise<TAcceptResult> {
  const now = deps.now();
  const token = checked?.ok && checked.token === input.ticket ? checked : checkToken(deps.keyring, input.ticket, now);
  if (!token.ok) return token;
  const claims = token.claims;
  const cat = await deps.catalogue(claims.hallId);
  if (!cat) return { ok: false, refusal: 'unknown-hall' };
  // Checked against the definition before anything is written (a placard's slot included).
  const survey = await (deps.survey ?? surveyOf(deps.table, deps.now))(cat.hall);
  const errors = answerProblems(survey.definition, input);
  if (errors.length) return { ok: false, refusal: 'invalid-answers', errors };

  // Two identities, both keyed hashes: the browser's own cookie (chosen by the client, so never enough alone) and
  // network address + browser (shared honestly on hall Wi-Fi and carrier NAT, so never a reason to refuse).
  const device = client.deviceId ? keyedHash(deps.keyring, 'device', client.deviceId) : undefined;
  const net =
    client.address || client.userAgent ? keyedHash(deps.keyring, 'address', client.address ?? '', client.userAgent ?? '') : undefined;
  // The page always sends a submissionId; a bare API caller without one simply gets no retry safety.
  const submissionId = input.submissionId ?? keyedHash(deps.keyring, 'sub', String(now), Math.random().toString(36));

  let ratingId: string;
  if (claims.kind === 'ticket') {
    ratingId = claims.ticketId; // one visit, one rating: the rating's key is the ticket's id
  } else {
    // The 2-hour limit holds a browser to its word (its cookie); without one, the evidence would be only an address:
    // accept, and let the nightly rules judge (accept-and-flag, SPEC §6).
    const slot = device && keyedHash(deps.keyring, 'placard', claims.hallId, claims.windowId, device);
    if (slot && !(await claimPlacardSlot(deps.table, slot, submissionId, now, PLACARD_WINDOW_MS)))
      return { ok: false, refusal: 'placard-limit' };
    // Deterministic per submission, so a retry lands on the same item instead of counting twice.
    ratingId = `p${keyedHash(deps.keyring, 'placard-rating', claims.hallId, claims.windowId, submissionId).slice(0, 20)}`;
  }

  const createdAt = new Date(now).toISOString();
  const rating: TRating = {
    ratingId,
    channel: claims.kind === 'ticket' && claims.link ? 'link' : claims.kind,
    hallId: claims.hallId,
    windowId: claims.windowId,
    serviceId: claims.kind === 'ticket' ? claims.serviceId : undefined,
    ticketId: claims.kind === 'ticket' ? claims.ticketId : undefined,
    createdAt,
    // A ticket's rating belongs to the day of the visit (it may come up to 7 days later); a placard's to today.
    day: localDay(claims.kind === 'ticket' ? claims.issuedAt : now, cat.hall.timezone),
    ...storedAnswers(deps.keyring, input),
    submissionId,
    deviceHash: device,
    netHash: net,
    lag: claims.kind === 'ticket' ? Math.max(0, Math.round((now - claims.issuedAt) / 1000)) : undefined,
    surveyVersion: survey.version === NATIONAL_VERSION ? undefined : survey.version, // absent: the national default
  };
  // A rating for a day before today may reach a day the nightly job has already scored: mark it first.
  if (rating.day < localDay(now, cat.hall.timezone)) await markDirty(deps.table, rating.hallId, rating.day, now);
  if (device) await noteDeviceHall(deps.table, device, rating.day, rating.hallId); // for the cross-hall rule
  // A bad rating opens its case in the same conditional put (any channel): both exist, or neither; a replay opens nothing.
  // (the case's opening state is the domain's openCase; only its deadlines are stored: see storage/cases.ts), listed
  // under the region the hall hangs off (the catalogue's)
  const opened = isBadGrade(rating.overall)
    ? {
        hallId: rating.hallId,
        hasPhone: Boolean(rating.phoneEnc),
        ...openingDeadlines(createdAt, cat.hall, await hallCalendar(deps.table, cat.hall, now)),
      }
    : undefined;
  const put = await putRating(deps.table, rating, opened ? openCaseAttributes(opened, cat.hall.regionId) : undefined);
  const bad = gradeGroup(input.overall) === 'bad';
  if (put.status === 'created')
    return { ok: true, ratingId, created: true, bad, ...(opened ? { case: caseOf(ratingId, opened, opened.hasPhone) } : {}) };
  if (put.existing.submissionId === submissionId) {
    const first = put.case;
    return {
      ok: true,
      ratingId,
      created: false,
      bad: gradeGroup(put.existing.overall) === 'bad',
      ...(first ? { case: caseOf(ratingId, first, Boolean(put.existing.phoneMasked)) } : {}),
    };
  }
  return { ok: false, refusal: 'already-rated' };
}

/** The opened case as the thank-you page needs it (a module function: nothing is made per rating but the result). */
function caseOf(ratingId: string, c: Pick<TOpenedCase, 'contactDue' | 'rectifyDue'>, hasPhone: boolean): TOpenedCase {
  return { caseId: ratingId, contactDue: c.contactDue, rectifyDue: c.rectifyDue, hasPhone };
}
