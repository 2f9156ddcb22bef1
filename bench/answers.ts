/**
 * Random but valid residents' answers, shared by the HTTP load (sent as JSON to POST /api/v1/ratings) and the raw
 * engine load (turned into the same stored item the app would write), so both paths store equivalent items.
 */
import { randomBytes } from 'node:crypto';
import type { TRating, TRatingInput } from '../shared/domain/model.js';
import type { TKeyring } from '../shared/domain/keyring.js';
import { keyedHash } from '../shared/domain/privacy.js';
import { storedAnswers } from '../shared/services/ratings.js';
import { localDay } from '../shared/domain/time.js';

const pick = <T>(xs: readonly T[]): T => xs[Math.floor(Math.random() * xs.length)];
const COMMENTS = [
  '窗口人员很耐心，但排队时间有点长。',
  '材料一次说清楚就好了。',
  'Quick and friendly, thank you.',
  '系统又出故障了，等了一个小时。',
];

/** One answer: grade 1–5 uniformly; bad grades always carry a reason (the API requires one). */
export function randomAnswer(ticket: string): TRatingInput {
  const overall = 1 + Math.floor(Math.random() * 5);
  const a: TRatingInput = {
    ticket,
    overall,
    submissionId: randomBytes(12).toString('base64url'),
    lang: Math.random() < 0.85 ? 'zh' : 'en',
  };
  if (overall <= 2) a.reasons = Math.random() < 0.5 ? ['wait_long'] : ['wait_long', 'rude'];
  else if (overall === 3 && Math.random() < 0.5) a.reasons = ['unclear'];
  else if (overall >= 4 && Math.random() < 0.3) a.reasons = ['fast'];
  if (Math.random() < 0.5) a.trips = pick([1, 2, 3] as const);
  if (Math.random() < 0.5) a.done = pick(['yes', 'partly', 'no'] as const);
  if (Math.random() < 0.3) {
    a.attitude = 1 + Math.floor(Math.random() * 5);
    a.efficiency = 1 + Math.floor(Math.random() * 5);
    a.competence = 1 + Math.floor(Math.random() * 5);
  }
  if (Math.random() < 0.2) a.comment = pick(COMMENTS);
  if (overall <= 2 && Math.random() < 0.2)
    a.contact = {
      phone: `1${3 + Math.floor(Math.random() * 7)}${String(Math.floor(Math.random() * 1e9)).padStart(9, '0')}`,
      consent: true,
    };
  return a;
}

/** The stored rating acceptRating() would build for this answer to a ticket (same fields, same sizes). */
export function ratingFor(
  keyring: TKeyring,
  a: TRatingInput,
  t: { ticketId: string; hallId: string; windowId: string; serviceId?: string; timezone: string },
  now = Date.now(),
): TRating {
  return {
    ratingId: t.ticketId,
    channel: 'ticket',
    hallId: t.hallId,
    windowId: t.windowId,
    serviceId: t.serviceId,
    ticketId: t.ticketId,
    createdAt: new Date(now).toISOString(),
    day: localDay(now, t.timezone),
    ...storedAnswers(keyring, a),
    submissionId: a.submissionId,
    deviceHash: keyedHash(keyring, 'address', '127.0.0.1', 'st-bench/1'),
  };
}
