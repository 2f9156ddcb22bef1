/**
 * The case a bad rating opens (SPEC §5) as a pure state machine: one `transition(case, command, ctx)` decides
 * every change, refuses illegal ones with a specific bilingual message, and appends exactly one history entry per
 * accepted command. No storage and no clock here: the caller passes `now`, the hall's clock and its calendar.
 * The phone number never enters the domain: a case only knows whether the resident left one (`hasPhone`).
 * States: open → contacted → rectified → closed; `appealed` pauses the clock. "Followed up" is not a state of its
 * own: the resident's 追评 closes the case at once (closeReason `followed_up`) or reopens it once for rework (重办).
 */
import * as z from 'zod/mini';
import { addWorkingDays, pushDeadline, type TCalendar, type THallClock } from './calendar.js';
import { isBadGrade } from './grades.js';
import type { TRating } from './model.js';
import { localDay } from './time.js';

export const CASE_STATES = ['open', 'contacted', 'rectified', 'appealed', 'closed'] as const;
export type TCaseState = (typeof CASE_STATES)[number];
const ZState = z.enum(CASE_STATES);
const ZInstant = z.iso.datetime();
const text = (min: number, max: number) => z.string().check(z.trim(), z.minLength(min), z.maxLength(max));
/** Staff free text: a phone number typed into a note would sit unencrypted in the case and its history. */
const PHONE_IN_TEXT = 'phone_in_text';
const staffText = (min: number, max: number) =>
  text(min, max).check(z.refine((s) => !/1[3-9]\d{9}/.test(s.replace(/[\s-]/g, '')), PHONE_IN_TEXT));

export const CONTACT_HOWS = ['phone', 'sms', 'in_person', 'written_reply', 'unreachable'] as const;
export const FIX_CATEGORIES = ['staff_coached', 'process_changed', 'system_fixed', 'explained_no_fault', 'other'] as const;
export const FOLLOW_UP_GRADES = ['satisfied', 'basic', 'dissatisfied'] as const;
export const APPEAL_KINDS = ['malicious', 'mistaken'] as const;

/** For `written_reply` the note IS the hall's reply to a resident who left no phone, shown on their case page. */
export const ZContact = z.object({ how: z.enum(CONTACT_HOWS), at: ZInstant, note: text(0, 500) });
export const ZRectification = z.object({
  publicReply: text(1, 1000), // the resident reads this
  fix: text(0, 1000), // internal
  category: z.enum(FIX_CATEGORIES),
  at: ZInstant,
});
export const ZFollowUp = z.object({ grade: z.enum(FOLLOW_UP_GRADES), comment: z.optional(text(0, 500)), at: ZInstant });
export const ZAppeal = z.object({
  kind: z.enum(APPEAL_KINDS),
  evidence: text(1, 1000),
  reference: z.optional(text(0, 200)),
  filedAt: ZInstant,
  by: z.string(),
  /** the supervisor's decision deadline */
  due: ZInstant,
  priorState: ZState,
  decidedAt: z.optional(ZInstant),
  decidedBy: z.optional(z.string()),
  decision: z.optional(z.enum(['upheld', 'rejected'])),
  reason: z.optional(text(1, 500)),
  /** how long the clock stood still (set at the decision) */
  pausedMs: z.int().check(z.gte(0)),
});
export const ZHistoryEntry = z.object({
  at: ZInstant,
  /** a staff user id, 'resident' or 'system' */
  actor: z.string(),
  action: z.string(),
  from: z.optional(ZState),
  to: ZState,
  note: z.optional(z.string()),
});
export type THistoryEntry = z.infer<typeof ZHistoryEntry>;

export const ZCase = z.object({
  caseId: z.string(),
  ratingId: z.string(),
  hallId: z.string(),
  windowId: z.optional(z.string()),
  serviceId: z.optional(z.string()),
  /** the rating's hall-local day: the day re-scored when an appeal is upheld */
  ratingDay: z.optional(z.string()),
  openedAt: ZInstant,
  state: ZState,
  contactDue: ZInstant,
  rectifyDue: ZInstant,
  /** 0: not escalated; k: escalated to the k-th region of the hall's chain (1 = the hall's own region) */
  escalationLevel: z.int().check(z.gte(0)),
  escalatedTo: z.optional(z.string()),
  nextEscalationAt: z.optional(ZInstant),
  contact: z.optional(ZContact),
  rectification: z.optional(ZRectification),
  followUp: z.optional(ZFollowUp),
  /** the first rectification and the 追评 that sent it back, kept when the case is reopened for rework */
  rework: z.optional(z.object({ rectification: ZRectification, followUp: ZFollowUp })),
  reworkCount: z.int().check(z.gte(0), z.lte(1)),
  closedAt: z.optional(ZInstant),
  closeReason: z.optional(z.enum(['followed_up', 'auto_7d', 'upheld'])),
  appeal: z.optional(ZAppeal),
  hasPhone: z.boolean(),
  history: z.array(ZHistoryEntry),
});
export type TCase = z.infer<typeof ZCase>;

export const ZCaseCommand = z.discriminatedUnion('type', [
  z.object({ type: z.literal('contact'), how: z.enum(CONTACT_HOWS), note: staffText(0, 500) }),
  z.object({ type: z.literal('rectify'), publicReply: staffText(1, 1000), fix: staffText(0, 1000), category: z.enum(FIX_CATEGORIES) }),
  z.object({ type: z.literal('followUp'), grade: z.enum(FOLLOW_UP_GRADES), comment: z.optional(text(0, 500)) }),
  z.object({ type: z.literal('autoClose') }),
  z.object({ type: z.literal('escalate') }),
  z.object({
    type: z.literal('fileAppeal'),
    kind: z.enum(APPEAL_KINDS),
    evidence: staffText(1, 1000),
    reference: z.optional(staffText(0, 200)),
  }),
  z.object({ type: z.literal('decideAppeal'), decision: z.enum(['upheld', 'rejected']), reason: staffText(1, 500) }),
  z.object({ type: z.literal('revealPhone') }),
]);
export type TCaseCommand = z.infer<typeof ZCaseCommand>;
export type TCommandType = TCaseCommand['type'];
export const COMMAND_TYPES = [
  'contact',
  'rectify',
  'followUp',
  'autoClose',
  'escalate',
  'fileAppeal',
  'decideAppeal',
  'revealPhone',
] as const satisfies readonly TCommandType[];

/** Ids only, never a phone or a comment: these go to the alerts topic and the log. */
export interface TCaseEvent {
  type: 'case.escalated' | 'case.reopened' | 'case.closed' | 'appeal.filed' | 'appeal.decided' | 'rating.excluded' | 'case.phone_revealed';
  caseId: string;
  ratingId: string;
  hallId: string;
  at: string;
  /** the region told (escalation, rework, a filed appeal) */
  regionId?: string;
  level?: number;
  ratingDay?: string;
  decision?: 'upheld' | 'rejected';
}

export interface TCaseContext {
  now: string;
  actor: string;
  hall: THallClock;
  cal: TCalendar;
  /** the hall's region chain, its own region first; needed to escalate and to tell a supervisor */
  regionPath?: readonly string[];
}

export type TTransition = { ok: true; case: TCase; events: TCaseEvent[] } | { ok: false; code: TCaseError; zh: string; en: string };

/** Cases close automatically this long after rectification when the resident gives no 追评. */
export const AUTO_CLOSE_MS = 7 * 86_400_000;

const ALLOWED: Record<TCommandType, readonly TCaseState[]> = {
  contact: ['open'],
  rectify: ['contacted'],
  followUp: ['rectified'],
  autoClose: ['rectified'],
  escalate: ['open', 'contacted'],
  fileAppeal: ['open', 'contacted', 'rectified'],
  decideAppeal: ['appealed'],
  revealPhone: CASE_STATES,
};

const STATE_PHRASE: Record<TCaseState, { zh: string; en: string }> = {
  open: { zh: '案件尚未联系群众', en: 'The resident has not been contacted yet' },
  contacted: { zh: '案件已联系，尚未整改', en: 'The case is contacted but not yet rectified' },
  rectified: { zh: '案件已整改，正等待群众追评', en: "The case is rectified and awaits the resident's follow-up" },
  appealed: { zh: '案件正在申诉复核中', en: 'The case is under appeal' },
  closed: { zh: '案件已结案', en: 'The case is closed' },
};
const COMMAND_PHRASE: Record<TCommandType, { zh: string; en: string }> = {
  contact: { zh: '标记为已联系', en: 'be marked contacted' },
  rectify: { zh: '提交整改答复', en: 'be marked rectified' },
  followUp: { zh: '追评', en: 'take a follow-up rating' },
  autoClose: { zh: '自动结案', en: 'be closed automatically' },
  escalate: { zh: '升级督办', en: 'be escalated' },
  fileAppeal: { zh: '申诉', en: 'be appealed' },
  decideAppeal: { zh: '裁决申诉', en: 'have an appeal decided' },
  revealPhone: { zh: '显示号码', en: 'show a phone number' },
};

export const CASE_ERRORS = {
  invalid: { zh: '填写内容有误，请检查后再提交。', en: 'Some of the input is not valid; check it and submit again.' },
  phone_in_text: {
    zh: '请不要在文字里写电话号码，号码已另行加密保存。',
    en: 'Do not write phone numbers in the text; the number is kept encrypted elsewhere.',
  },
  no_phone: {
    zh: '群众没有留电话，请在此页给群众书面答复（或当面答复）。',
    en: 'The resident left no phone; reply in writing on the case page (or in person).',
  },
  no_phone_reveal: { zh: '群众没有留电话，没有号码可显示。', en: 'The resident left no phone; there is no number to show.' },
  too_early: {
    zh: '整改后满 7 天仍无追评才自动结案，现在还不到时候。',
    en: 'A case closes automatically only 7 days after rectification without a follow-up; not yet.',
  },
  not_overdue: { zh: '案件还没有超期，不能升级督办。', en: 'The case is not overdue; it cannot be escalated.' },
  escalate_wait: {
    zh: '案件刚升级过，下一级督办要等下一个期限。',
    en: 'The case was escalated recently; the next level waits for the next deadline.',
  },
  escalate_top: { zh: '案件已升级到最高一级。', en: 'The case has reached the top of the region tree.' },
  no_region: {
    zh: '不知道大厅所属区域，无法升级或通知督导员。',
    en: "The hall's region is unknown; cannot escalate or inform a supervisor.",
  },
  appeal_used: { zh: '这个案件已经申诉过一次，不能再申诉。', en: 'This case has already been appealed once; it cannot be appealed again.' },
  wrong_state: { zh: '当前状态不能这样操作。', en: "This is not possible in the case's current state." },
} as const;
export type TCaseError = keyof typeof CASE_ERRORS;

const refuse = (code: TCaseError, msg: { zh: string; en: string } = CASE_ERRORS[code]): TTransition => ({ ok: false, code, ...msg });
export const wrongStateMessage = (state: TCaseState, type: TCommandType) => ({
  zh: `${STATE_PHRASE[state].zh}，不能${state === 'closed' ? '再' : ''}${COMMAND_PHRASE[type].zh}`,
  en: `${STATE_PHRASE[state].en}; it cannot ${COMMAND_PHRASE[type].en}`,
});

/** Opens the case of a bad rating (grade 1–2); null for any other rating. */
export function openCase(rating: TRating, hall: THallClock, cal: TCalendar, now: string, caseId: string = rating.ratingId): TCase | null {
  if (!isBadGrade(rating.overall)) return null;
  return {
    caseId,
    ratingId: rating.ratingId,
    hallId: rating.hallId,
    windowId: rating.windowId,
    ...(rating.serviceId ? { serviceId: rating.serviceId } : {}),
    ratingDay: rating.day,
    openedAt: now,
    state: 'open',
    contactDue: addWorkingDays(now, cal.deadlines.contactDays, hall, cal),
    rectifyDue: addWorkingDays(now, cal.deadlines.rectifyDays, hall, cal),
    escalationLevel: 0,
    reworkCount: 0,
    hasPhone: Boolean(rating.phoneEnc),
    history: [{ at: now, actor: 'system', action: 'open', to: 'open' }],
  };
}

/** The deadline the hall is working against now; none once rectified, closed or paused by an appeal. */
export const activeDue = (c: TCase): string | undefined =>
  c.state === 'open' ? c.contactDue : c.state === 'contacted' ? c.rectifyDue : undefined;

export type TDueState = 'overdue' | 'due_today' | 'ok' | 'none';
export function dueState(c: TCase, now: string, timeZone: string): TDueState {
  const due = activeDue(c);
  if (!due) return 'none';
  if (Date.parse(now) > Date.parse(due)) return 'overdue';
  const day = (t: string) => localDay(new Date(t), timeZone);
  return day(due) === day(now) ? 'due_today' : 'ok';
}

export function transition(c: TCase, command: TCaseCommand, ctx: TCaseContext): TTransition {
  // The state first: "the case is closed" says more than "this field is wrong" about a command that cannot apply.
  const type = command?.type;
  if (!(COMMAND_TYPES as readonly string[]).includes(type)) return refuse('invalid');
  if (!ALLOWED[type].includes(c.state)) return refuse('wrong_state', wrongStateMessage(c.state, type));
  const parsed = ZCaseCommand.safeParse(command);
  if (!parsed.success) return refuse(parsed.error.issues.some((i) => i.message === PHONE_IN_TEXT) ? 'phone_in_text' : 'invalid');
  const cmd = parsed.data;
  const { now, hall, cal } = ctx;
  const next: TCase = structuredClone(c);
  const events: TCaseEvent[] = [];
  const event = (type: TCaseEvent['type'], extra: Partial<TCaseEvent> = {}) =>
    events.push({ type, caseId: c.caseId, ratingId: c.ratingId, hallId: c.hallId, at: now, ...extra });
  const close = (reason: NonNullable<TCase['closeReason']>) => {
    next.state = 'closed';
    next.closedAt = now;
    next.closeReason = reason;
    delete next.nextEscalationAt;
    event('case.closed');
  };
  let note: string | undefined;
  switch (cmd.type) {
    case 'contact':
      if (!c.hasPhone && !['written_reply', 'in_person'].includes(cmd.how)) return refuse('no_phone');
      next.contact = { how: cmd.how, at: now, note: cmd.note };
      next.state = 'contacted';
      note = cmd.how;
      break;
    case 'rectify':
      next.rectification = { publicReply: cmd.publicReply, fix: cmd.fix, category: cmd.category, at: now };
      next.state = 'rectified';
      note = cmd.category;
      break;
    case 'followUp': {
      const followUp = { grade: cmd.grade, ...(cmd.comment ? { comment: cmd.comment } : {}), at: now };
      note = cmd.grade;
      if (cmd.grade === 'dissatisfied' && c.reworkCount === 0) {
        if (!ctx.regionPath?.length) return refuse('no_region');
        next.rework = { rectification: c.rectification!, followUp };
        delete next.rectification;
        next.reworkCount = 1;
        next.state = 'contacted';
        next.rectifyDue = addWorkingDays(now, cal.deadlines.rectifyDays, hall, cal);
        note = 'dissatisfied: rework';
        event('case.reopened', { regionId: ctx.regionPath[0] });
      } else {
        next.followUp = followUp;
        close('followed_up');
      }
      break;
    }
    case 'autoClose':
      if (Date.parse(now) < Date.parse(c.rectification!.at) + AUTO_CLOSE_MS) return refuse('too_early');
      close('auto_7d');
      break;
    case 'escalate': {
      const path = ctx.regionPath ?? [];
      if (!path.length) return refuse('no_region');
      if (Date.parse(now) <= Date.parse(activeDue(c)!)) return refuse('not_overdue');
      if (c.escalationLevel >= path.length) return refuse('escalate_top');
      if (c.nextEscalationAt && Date.parse(now) < Date.parse(c.nextEscalationAt)) return refuse('escalate_wait');
      next.escalationLevel = c.escalationLevel + 1;
      next.escalatedTo = path[c.escalationLevel];
      next.nextEscalationAt = addWorkingDays(now, cal.deadlines.escalateDays, hall, cal);
      note = `level ${next.escalationLevel} → ${next.escalatedTo}`;
      event('case.escalated', { regionId: next.escalatedTo, level: next.escalationLevel });
      break;
    }
    case 'fileAppeal':
      if (c.appeal) return refuse('appeal_used');
      next.appeal = {
        kind: cmd.kind,
        evidence: cmd.evidence,
        ...(cmd.reference ? { reference: cmd.reference } : {}),
        filedAt: now,
        by: ctx.actor,
        due: addWorkingDays(now, cal.deadlines.appealDays, hall, cal),
        priorState: c.state,
        pausedMs: 0,
      };
      next.state = 'appealed';
      note = cmd.kind;
      event('appeal.filed', ctx.regionPath?.length ? { regionId: ctx.regionPath[0] } : {});
      break;
    case 'decideAppeal': {
      const a = next.appeal!;
      a.decidedAt = now;
      a.decidedBy = ctx.actor;
      a.decision = cmd.decision;
      a.reason = cmd.reason;
      a.pausedMs = Math.max(0, Date.parse(now) - Date.parse(a.filedAt));
      note = cmd.decision;
      event('appeal.decided', { decision: cmd.decision });
      if (cmd.decision === 'upheld') {
        event('rating.excluded', c.ratingDay ? { ratingDay: c.ratingDay } : {});
        close('upheld');
      } else {
        next.state = a.priorState;
        next.contactDue = pushDeadline(c.contactDue, a.pausedMs, hall, cal);
        next.rectifyDue = pushDeadline(c.rectifyDue, a.pausedMs, hall, cal);
        if (c.nextEscalationAt) next.nextEscalationAt = pushDeadline(c.nextEscalationAt, a.pausedMs, hall, cal);
      }
      break;
    }
    case 'revealPhone':
      if (!c.hasPhone) return refuse('no_phone_reveal');
      event('case.phone_revealed');
      break;
  }
  next.history.push({ at: now, actor: ctx.actor, action: cmd.type, from: c.state, to: next.state, ...(note ? { note } : {}) });
  return { ok: true, case: next, events };
}

/**
 * The nightly job's step for one case: escalate it if it is overdue and due for (another) escalation, else null.
 * Idempotent: an escalation sets the next one `escalateDays` working days later, so a re-run at the same instant
 * (or any time before that) finds nothing to do.
 */
export function escalationStep(c: TCase, now: string, hall: THallClock, cal: TCalendar, regionPath: readonly string[]): TTransition | null {
  const r = transition(c, { type: 'escalate' }, { now, actor: 'system', hall, cal, regionPath });
  return r.ok ? r : null;
}

/** What is wrong with a case, if anything (empty: consistent). Used by tests and by storage before a write. */
export function caseProblems(c: TCase): string[] {
  const p: string[] = [];
  if (!ZCase.safeParse(c).success) p.push('schema');
  if (c.state !== 'open' && c.state !== 'appealed' && !c.contact && c.closeReason !== 'upheld') p.push('not contacted');
  if (c.state === 'rectified' && !c.rectification) p.push('rectified without a rectification');
  if ((c.state === 'closed') !== Boolean(c.closedAt && c.closeReason)) p.push('closedAt/closeReason do not match the state');
  if (c.state === 'appealed' && (!c.appeal || c.appeal.decision)) p.push('appealed without a pending appeal');
  if (c.appeal && !c.appeal.decision && c.state !== 'appealed') p.push('pending appeal outside appealed');
  if (c.reworkCount !== (c.rework ? 1 : 0)) p.push('reworkCount');
  if (c.history.length === 0 || c.history[c.history.length - 1].to !== c.state) p.push('history does not end in the state');
  return p;
}
