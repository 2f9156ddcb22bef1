/**
 * The audit trail's entry (SPEC §3: every change of state anywhere is appended). Only the schema and a builder:
 * storage appends entries and never updates or deletes one. An entry says who did what to which unit and target,
 * from → to — never a phone number, a resident's comment or any free text beyond a short note, and the builder
 * refuses anything that looks like a mobile number, so a careless caller cannot leak one into the log.
 */
import * as z from 'zod/mini';
import type { TCase, TCaseEvent } from './cases.js';

/** A mainland mobile number standing alone (with or without +86/0086), not 11 digits inside a longer id or number. */
const MOBILE = /(?<!\d)(?:0086|86)?1[3-9]\d{9}(?!\d)/;
const noPhone = (s: string) => !MOBILE.test(s.replace(/[\s-]/g, ''));
const safe = (max: number) => z.string().check(z.maxLength(max), z.refine(noPhone, 'must not contain a phone number'));

/** `area.verb`: case.transition, case.phone_revealed, catalogue.*, user.*, apikey.*, calendar.*, appeal.*, review.* */
export const AUDIT_AREAS = ['case', 'catalogue', 'user', 'apikey', 'calendar', 'appeal', 'review', 'webhook', 'notify', 'survey'] as const;
const KIND = new RegExp(`^(${AUDIT_AREAS.join('|')})\\.[a-z][a-z_]{1,39}$`);

export const ZAuditEntry = z.strictObject({
  at: z.iso.datetime(),
  /** staff user id, 'resident' or 'system' */
  actor: safe(64),
  actorRole: z.enum(['admin', 'supervisor', 'manager', 'resident', 'system']),
  kind: z.string().check(z.regex(KIND, 'kind must be area.verb, e.g. case.transition')),
  /** the unit the change belongs to, for scope filtering: a hall, a region, or '*' for deployment-wide settings */
  unit: z.strictObject({ type: z.enum(['hall', 'region', 'global']), id: safe(64) }),
  /** what changed: a case id, user id, key id, region id, day … */
  targetId: safe(120),
  from: z.optional(safe(120)),
  to: z.optional(safe(120)),
  note: z.optional(safe(200)),
});
export type TAuditEntry = z.infer<typeof ZAuditEntry>;

/** Builds a valid entry or throws (a bug in the caller, never user input). */
export function auditEntry(input: TAuditEntry): TAuditEntry {
  return ZAuditEntry.parse(input);
}

type TRole = TAuditEntry['actorRole'];

/** The audit entry of one accepted case transition: the history entry it just appended, filed under the hall. */
export function auditOfCaseTransition(after: TCase, events: readonly TCaseEvent[], actorRole: TRole): TAuditEntry {
  const h = after.history[after.history.length - 1];
  const kind =
    h.action === 'revealPhone'
      ? 'case.phone_revealed'
      : h.action === 'fileAppeal'
        ? 'appeal.filed'
        : h.action === 'decideAppeal'
          ? 'appeal.decided'
          : 'case.transition';
  const level = events.find((e) => e.type === 'case.escalated')?.level;
  return auditEntry({
    at: h.at,
    actor: h.actor,
    actorRole,
    kind,
    unit: { type: 'hall', id: after.hallId },
    targetId: after.caseId,
    ...(h.from ? { from: h.from } : {}),
    to: h.to,
    note: [h.action, h.note, level ? `level ${level}` : undefined].filter(Boolean).join(': ').slice(0, 200),
  });
}
