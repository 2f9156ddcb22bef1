/**
 * The staff case API's answers (GET /api/v1/cases, GET /api/v1/cases/{caseId}) as zod schemas: the one source for the
 * route's output and the OpenAPI document. The phone is only ever its mask; the internal fix and the appeal's
 * evidence are staff-only and stay here because the API sits behind a staff session with the same scope as the pages.
 */
import * as z from 'zod/mini';
import { CASE_STATES, type TCase, ZHistoryEntry } from '../domain/cases.js';
import type { TCaseRow, TCaseView } from '../services/cases.js';

const ZDueState = z.enum(['overdue', 'due_today', 'ok', 'none']);

export const ZCaseSummary = z.object({
  caseId: z.string(),
  ratingId: z.string(),
  hallId: z.string(),
  windowId: z.optional(z.string()),
  serviceId: z.optional(z.string()),
  state: z.enum(CASE_STATES),
  openedAt: z.iso.datetime(),
  contactDue: z.iso.datetime(),
  rectifyDue: z.iso.datetime(),
  escalationLevel: z.int(),
  closedAt: z.optional(z.iso.datetime()),
  dueState: ZDueState,
});
export type TCaseSummary = z.infer<typeof ZCaseSummary>;

export const ZCaseList = z.object({
  cases: z.array(ZCaseSummary),
  counts: z.object({ active: z.int(), dueToday: z.int(), overdue: z.int(), escalated: z.int() }),
  page: z.int(),
  pages: z.int(),
});

export const ZCaseDetail = z.object({
  ...ZCaseSummary.shape,
  hasPhone: z.boolean(),
  /** 138****1234; absent without a phone or once deleted (90 days after closing) */
  phoneMasked: z.optional(z.string()),
  rating: z.object({
    overall: z.int(),
    reasons: z.optional(z.array(z.string())),
    comment: z.optional(z.string()),
    createdAt: z.iso.datetime(),
  }),
  contact: z.optional(z.object({ how: z.string(), at: z.iso.datetime(), note: z.string() })),
  rectification: z.optional(z.object({ publicReply: z.string(), fix: z.string(), category: z.string(), at: z.iso.datetime() })),
  followUp: z.optional(z.object({ grade: z.string(), comment: z.optional(z.string()), at: z.iso.datetime() })),
  reworkCount: z.int(),
  escalatedTo: z.optional(z.string()),
  history: z.array(ZHistoryEntry),
});
export type TCaseDetail = z.infer<typeof ZCaseDetail>;

export function caseSummary(r: TCaseRow): TCaseSummary {
  return {
    caseId: r.caseId,
    ratingId: r.ratingId,
    hallId: r.hallId,
    ...(r.windowId ? { windowId: r.windowId } : {}),
    ...(r.serviceId ? { serviceId: r.serviceId } : {}),
    state: r.state,
    openedAt: r.openedAt,
    contactDue: r.contactDue,
    rectifyDue: r.rectifyDue,
    escalationLevel: r.escalationLevel,
    ...(r.closedAt ? { closedAt: r.closedAt } : {}),
    dueState: r.dueState,
  };
}

export function caseDetail(v: TCaseView): TCaseDetail {
  const c: TCase = v.case;
  const r = v.rating;
  return {
    caseId: c.caseId,
    ratingId: c.ratingId,
    hallId: c.hallId,
    ...(c.windowId ? { windowId: c.windowId } : {}),
    ...(c.serviceId ? { serviceId: c.serviceId } : {}),
    state: c.state,
    openedAt: c.openedAt,
    contactDue: c.contactDue,
    rectifyDue: c.rectifyDue,
    escalationLevel: c.escalationLevel,
    ...(c.closedAt ? { closedAt: c.closedAt } : {}),
    dueState: v.dueState,
    hasPhone: c.hasPhone,
    ...(v.phoneMasked ? { phoneMasked: v.phoneMasked } : {}),
    rating: {
      overall: r.overall,
      ...(r.reasons?.length ? { reasons: r.reasons } : {}),
      ...(r.comment ? { comment: r.comment } : {}),
      createdAt: r.createdAt,
    },
    ...(c.contact ? { contact: c.contact } : {}),
    ...(c.rectification ? { rectification: c.rectification } : {}),
    ...(c.followUp ? { followUp: c.followUp } : {}),
    reworkCount: c.reworkCount,
    ...(c.escalatedTo ? { escalatedTo: c.escalatedTo } : {}),
    history: c.history,
  };
}
