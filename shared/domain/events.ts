/**
 * What staff and other systems hear (issue 14, SPEC §9): one event model for e-mails, digests and webhooks. Pure:
 * the events of a case transition (derived from the case's newest history entry, so a repaired audit entry can
 * re-derive the same event under the same id), the derived ones (opened, due soon, overdue, alert), who wants which
 * kind and how (role defaults, a user's own choice), the 08:30 hall-local digest's moment and text, and the
 * receivers' payloads (Standard Webhooks JSON, a 钉钉/企业微信 robot's text message). An event carries ids, the unit,
 * the time and the page to act on, never a phone number, a comment or a device.
 */
import { createHash, createHmac } from 'node:crypto';
import * as z from 'zod/mini';
import { canSeeHall, canSeeRegion, regionChain, type TRole, type TTree, type TUser } from './access.js';
import { activeDue, FOLLOW_UP_GRADES, type TCase } from './cases.js';
import { LINK_WINDOW, LINK_WINDOW_NAME } from './matters.js';
import { isOwnReportUnit } from './report-notice.js';
import { dateFormat } from './time.js';

export const EVENT_KINDS = [
  'case.opened',
  'case.due_soon',
  'case.overdue',
  'case.escalated',
  'case.followed_up',
  'appeal.filed',
  'appeal.decided',
  'alert.raised',
  'review.waiting',
  'report.monthly',
] as const;
export type TEventKind = (typeof EVENT_KINDS)[number];
/**
 * Kinds that come in floods and can wait: the monthly report (one event per unit, tens of thousands on report day).
 * They queue behind every other kind (the outbox's bulk lane), so a new case or an alert is never held up by them.
 */
export const BULK_KINDS: readonly TEventKind[] = ['report.monthly'];
export const isBulkKind = (kind: TEventKind): boolean => BULK_KINDS.includes(kind);

const id = z.string().check(z.regex(/^[A-Za-z0-9_.-]{1,64}$/));
export const ZEvent = z.strictObject({
  /** deterministic: the same change always makes the same id (the outbox's put-if-absent drops a replay) */
  id: z.string().check(z.regex(/^evt_[0-9a-f]{24}$/)),
  kind: z.enum(EVENT_KINDS),
  at: z.iso.datetime(),
  /** the unit: a hall (its region chain is looked up when delivering) or a region alone (report.monthly) */
  hallId: z.optional(id),
  regionId: z.optional(id),
  caseId: z.optional(id),
  windowId: z.optional(id),
  serviceId: z.optional(id),
  /** the deadline in question (due soon, overdue), or the next one after an escalation */
  due: z.optional(z.iso.datetime()),
  level: z.optional(z.int()),
  grade: z.optional(z.enum(FOLLOW_UP_GRADES)),
  decision: z.optional(z.enum(['upheld', 'rejected'])),
  alertKind: z.optional(z.enum(['cusum', 'turned-cold'])),
  /** the hall-local day (alerts, reviews) or month (report.monthly, YYYY-MM) it is about */
  day: z.optional(z.string().check(z.regex(/^\d{4}-\d{2}(-\d{2})?$/))),
  count: z.optional(z.int()),
  /** the dashboard page to act on (appended to the public base URL in messages) */
  path: z.string().check(z.regex(/^\/[A-Za-z0-9_./?=&-]{0,200}$/)),
});
export type TEvent = z.infer<typeof ZEvent>;

/** The id of the event a change makes: a hash of what identifies the change (kind, unit, case, history index …). */
export const eventId = (...parts: (string | number)[]): string =>
  `evt_${createHash('sha256').update(parts.join('|')).digest('hex').slice(0, 24)}`;

const casePath = (caseId: string) => `/cases/${caseId}`;
const caseBase = (c: TCase) => ({
  hallId: c.hallId,
  caseId: c.caseId,
  ...(c.windowId ? { windowId: c.windowId } : {}),
  ...(c.serviceId ? { serviceId: c.serviceId } : {}),
  path: casePath(c.caseId),
});

/**
 * The event of a case's history entry `index` (default: the newest), if that step is one anybody hears of: an
 * escalation, a 追评, an appeal filed or decided. At most one per transition (the request path's one extra write).
 */
export function eventOfCaseStep(c: TCase, index = c.history.length - 1): TEvent | undefined {
  const h = c.history[index];
  if (!h) return undefined;
  const at = h.at;
  const make = (kind: TEventKind, extra: Partial<TEvent> = {}): TEvent =>
    ZEvent.parse({ id: eventId(kind, c.caseId, index), kind, at, ...caseBase(c), ...extra });
  const newest = index === c.history.length - 1;
  switch (h.action) {
    case 'escalate': {
      const level = Number(/level (\d+)/.exec(h.note ?? '')?.[1] ?? (newest ? c.escalationLevel : 0));
      const regionId = /→ (\S+)/.exec(h.note ?? '')?.[1] ?? (newest ? c.escalatedTo : undefined);
      const due = newest ? activeDue(c) : undefined;
      return make('case.escalated', { level, ...(regionId ? { regionId } : {}), ...(due ? { due } : {}) });
    }
    case 'followUp': {
      const grade = FOLLOW_UP_GRADES.find((g) => (h.note ?? '').startsWith(g));
      return make('case.followed_up', grade ? { grade } : {});
    }
    case 'fileAppeal':
      return make('appeal.filed', newest && c.appeal ? { due: c.appeal.due } : {});
    case 'decideAppeal': {
      const decision = h.note === 'upheld' || h.note === 'rejected' ? h.note : undefined;
      return make('appeal.decided', decision ? { decision } : {});
    }
    default:
      return undefined;
  }
}

/** A case was opened (derived by the sweep from the hall's ratings of the day: the rating's put gains no write). */
export const caseOpened = (c: Pick<TCase, 'caseId' | 'hallId' | 'windowId' | 'serviceId' | 'openedAt' | 'contactDue'>): TEvent =>
  ZEvent.parse({ id: eventId('case.opened', c.caseId), kind: 'case.opened', at: c.openedAt, ...caseBase(c as TCase), due: c.contactDue });

/** The morning of a deadline (due soon) or the moment it passed (overdue): one event per case and deadline. */
export const caseDeadline = (kind: 'case.due_soon' | 'case.overdue', c: TCase, due: string, at: string): TEvent =>
  ZEvent.parse({ id: eventId(kind, c.caseId, due), kind, at, ...caseBase(c), due });

export const alertRaised = (a: { hallId: string; day: string; kind: 'cusum' | 'turned-cold' }, at: string): TEvent =>
  ZEvent.parse({
    id: eventId('alert.raised', a.hallId, a.day, a.kind),
    kind: 'alert.raised',
    at,
    hallId: a.hallId,
    day: a.day,
    alertKind: a.kind,
    path: `/halls/${a.hallId}`,
  });

/** Flagged ratings of a hall's day wait for a supervisor's review. */
export const reviewWaiting = (hallId: string, day: string, count: number, at: string): TEvent =>
  ZEvent.parse({ id: eventId('review.waiting', hallId, day), kind: 'review.waiting', at, hallId, day, count, path: '/reviews' });

/** A unit's monthly report is ready (issue 16): path is the report's page. */
export const reportMonthly = (unit: { hallId: string } | { regionId: string }, month: string, path: string, at: string): TEvent =>
  ZEvent.parse({
    id: eventId('report.monthly', 'hallId' in unit ? unit.hallId : unit.regionId, month),
    kind: 'report.monthly',
    at,
    ...unit,
    day: month,
    path,
  });

/** The regions an event belongs to, nearest first: its hall's chain, or its region's. */
export function regionsOfEvent(e: TEvent, tree: TTree): string[] {
  const r = e.hallId ? tree.hallRegion.get(e.hallId) : e.regionId;
  return r ? regionChain(tree, r) : [];
}

/* ---------- staff preferences ---------- */

export const DELIVERY_MODES = ['now', 'digest', 'never'] as const;
export type TDeliveryMode = (typeof DELIVERY_MODES)[number];

export const ZNotifyPrefs = z.strictObject({
  lang: z.enum(['zh', 'en']),
  /** the user's own choices; a kind left out follows the role's default */
  modes: z.partialRecord(z.enum(EVENT_KINDS), z.enum(DELIVERY_MODES)),
});
export type TNotifyPrefs = z.infer<typeof ZNotifyPrefs>;

/** A manager hears of their hall's cases at once; a supervisor of escalations at once, the rest in the digest. */
export const ROLE_DEFAULTS: Record<TRole, Record<TEventKind, TDeliveryMode>> = {
  manager: {
    'case.opened': 'now',
    'case.due_soon': 'now',
    'case.overdue': 'now',
    'case.escalated': 'now',
    'case.followed_up': 'now',
    'appeal.filed': 'digest',
    'appeal.decided': 'now',
    'alert.raised': 'now',
    'review.waiting': 'never',
    'report.monthly': 'digest',
  },
  supervisor: {
    'case.opened': 'digest',
    'case.due_soon': 'digest',
    'case.overdue': 'digest',
    'case.escalated': 'now',
    'case.followed_up': 'digest',
    'appeal.filed': 'digest',
    'appeal.decided': 'digest',
    'alert.raised': 'digest',
    'review.waiting': 'digest',
    'report.monthly': 'digest',
  },
  admin: {
    'case.opened': 'never',
    'case.due_soon': 'never',
    'case.overdue': 'never',
    'case.escalated': 'digest',
    'case.followed_up': 'never',
    'appeal.filed': 'never',
    'appeal.decided': 'never',
    'alert.raised': 'digest',
    'review.waiting': 'never',
    'report.monthly': 'digest',
  },
};

export const modeFor = (role: TRole, prefs: TNotifyPrefs | undefined, kind: TEventKind): TDeliveryMode =>
  prefs?.modes[kind] ?? ROLE_DEFAULTS[role][kind];

/** Whether the event is about a unit in the user's scope (an event outside it never reaches them). */
export function inScope(user: TUser, tree: TTree, e: TEvent): boolean {
  if (e.hallId) return canSeeHall(user, tree, e.hallId);
  return e.regionId ? canSeeRegion(user, tree, e.regionId) : user.role === 'admin';
}

/**
 * Whether this user could hear of this event at all, whatever their choices: an address, the unit in scope, and the
 * kind's rules. An escalation goes to the supervisors of the region it went to and above (and the hall's manager);
 * an appeal to decide goes to supervisors, not to the manager who filed it; a month's report to those who answer for
 * the unit itself, not to every supervisor above each hall.
 */
export function mayHear(user: TUser, tree: TTree, e: TEvent): boolean {
  if (!user.email || !inScope(user, tree, e)) return false;
  if (e.kind === 'case.escalated' && user.role === 'supervisor' && e.regionId && !canSeeRegion(user, tree, e.regionId)) return false;
  if (e.kind === 'appeal.filed' && user.role === 'manager') return false;
  return e.kind !== 'report.monthly' || isOwnReportUnit(user, tree, e);
}

/** How this user hears of this event: never if they may not (mayHear), else their choice or their role's default. */
export const deliveryFor = (user: TUser, tree: TTree, prefs: TNotifyPrefs | undefined, e: TEvent): TDeliveryMode =>
  mayHear(user, tree, e) ? modeFor(user.role, prefs, e.kind) : 'never';

/** The administrators' scope (TUser.scope of every administrator). */
export const ADMIN_SCOPE = '*';

/**
 * The scopes whose users may hear of an event: its hall, each region of its chain, and the administrators'. Everyone
 * mayHear lets through sits in one of them (property-tested), so an event's recipients are these scopes' users only.
 */
export function recipientScopes(e: TEvent, tree: TTree): string[] {
  const hall = e.hallId && tree.hallRegion.has(e.hallId) ? [e.hallId] : [];
  return [...hall, ...regionsOfEvent(e, tree), ADMIN_SCOPE];
}

/* ---------- the daily digest ---------- */

export const DIGEST_AT_MINUTES = 8 * 60 + 30;

/** The hall-local day and minute of the day of an instant. */
export function localClock(ms: number, timeZone: string): { day: string; minutes: number } {
  const parts = dateFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(ms);
  const p = (t: string) => parts.find((x) => x.type === t)?.value ?? '00';
  return { day: `${p('year')}-${p('month')}-${p('day')}`, minutes: Number(p('hour')) * 60 + Number(p('minute')) };
}

/**
 * When a digest waiting at `now` is due: the first instant from `now` on at which 08:30 local has passed on a day
 * after `sentDay` (the day whose digest went last, if known). So a mail waiting before 08:30 goes at 08:30, one
 * waiting later in a day whose digest has not gone goes at once, and one after the day's digest waits for tomorrow's.
 */
export function digestDueAt(now: number, timeZone: string, sentDay?: string): number {
  const qualifies = (t: number) => {
    const c = localClock(t, timeZone);
    return c.minutes >= DIGEST_AT_MINUTES && (!sentDay || c.day > sentDay);
  };
  if (qualifies(now)) return now;
  // the next 08:30 by the local clock, from the minute's start; then set right by the clock read there (a DST change)
  let t = Math.floor(now / 60_000) * 60_000;
  for (let guard = 0; guard < 8; guard++) {
    t += ((DIGEST_AT_MINUTES - localClock(t, timeZone).minutes + 1440) % 1440 || 1440) * 60_000;
    for (let fix = 0; fix < 2; fix++) {
      const off = DIGEST_AT_MINUTES - localClock(t, timeZone).minutes;
      if (Math.abs(off) < 180) t += off * 60_000;
    }
    if (qualifies(t)) return t;
  }
  return t;
}

/* ---------- words ---------- */

export type TMailLang = 'zh' | 'en';
export interface TNames {
  hall?: (id: string) => string | undefined;
  region?: (id: string) => string | undefined;
}

const KIND_WORDS: Record<TEventKind, { zh: string; en: string }> = {
  'case.opened': { zh: '新差评案件', en: 'New case' },
  'case.due_soon': { zh: '案件今日到期', en: 'Case due today' },
  'case.overdue': { zh: '案件已超期', en: 'Case overdue' },
  'case.escalated': { zh: '案件已升级', en: 'Case escalated' },
  'case.followed_up': { zh: '群众已追评', en: 'Resident follow-up' },
  'appeal.filed': { zh: '申诉待裁定', en: 'Appeal to decide' },
  'appeal.decided': { zh: '申诉已裁定', en: 'Appeal decided' },
  'alert.raised': { zh: '服务温度预警', en: 'Service temperature alert' },
  'review.waiting': { zh: '可疑评价待复核', en: 'Flagged ratings to review' },
  'report.monthly': { zh: '月度报告已生成', en: 'Monthly report ready' },
};
export const kindWord = (kind: TEventKind, lang: TMailLang): string => KIND_WORDS[kind][lang];

const GRADE_WORDS = {
  satisfied: { zh: '满意', en: 'satisfied' },
  basic: { zh: '基本满意', en: 'fairly satisfied' },
  dissatisfied: { zh: '不满意', en: 'dissatisfied' },
} as const;
const ALERT_WORDS = {
  cusum: { zh: '差评比例持续偏高', en: 'bad-rating share keeps running high' },
  'turned-cold': { zh: '转冷', en: 'turned cold' },
};

/** Deadlines in the hall's (default China's) time: 12月2日 17:30 / 2 Dec 17:30. */
function when(iso: string, lang: TMailLang, timeZone: string): string {
  const d = new Date(iso);
  return lang === 'zh'
    ? dateFormat('zh-CN', {
        timeZone,
        month: 'numeric',
        day: 'numeric',
        hour: '2-digit',
        minute: '2-digit',
        hourCycle: 'h23',
      }).format(d)
    : dateFormat('en-GB', {
        timeZone,
        day: 'numeric',
        month: 'short',
        hour: '2-digit',
        minute: '2-digit',
        hourCycle: 'h23',
      }).format(d);
}

/** One line saying what happened, where, and what is needed (no personal data: there is none in the event). */
export function eventLine(e: TEvent, lang: TMailLang, names: TNames = {}, timeZone = 'Asia/Shanghai'): string {
  const hall = e.hallId ? (names.hall?.(e.hallId) ?? e.hallId) : undefined;
  const region = e.regionId ? (names.region?.(e.regionId) ?? e.regionId) : undefined;
  const unit = hall ?? region ?? '';
  const zh = lang === 'zh';
  const where = [
    unit,
    e.windowId === LINK_WINDOW ? LINK_WINDOW_NAME[lang] : e.windowId ? (zh ? `窗口 ${e.windowId}` : `window ${e.windowId}`) : '',
    e.caseId ? (zh ? `案件 ${e.caseId}` : `case ${e.caseId}`) : '',
  ]
    .filter(Boolean)
    .join(zh ? '，' : ', ');
  const due = e.due ? when(e.due, lang, timeZone) : '';
  const need: Record<TEventKind, string> = {
    'case.opened': zh ? `请在 ${due} 前联系群众` : `contact the resident by ${due}`,
    'case.due_soon': zh ? `期限 ${due}，今天须办结这一步` : `deadline ${due}: this step is due today`,
    'case.overdue': zh ? `期限 ${due} 已过，请立即处理` : `deadline ${due} passed: act now`,
    'case.escalated': zh
      ? `已升级至 ${region ?? ''}（第 ${e.level ?? 1} 级），请督办`
      : `escalated to ${region ?? ''} (level ${e.level ?? 1}): follow it up`,
    'case.followed_up': e.grade ? (zh ? `追评：${GRADE_WORDS[e.grade].zh}` : `follow-up: ${GRADE_WORDS[e.grade].en}`) : '',
    'appeal.filed': zh ? `请在 ${due || '期限'} 前裁定` : `decide by ${due || 'the deadline'}`,
    'appeal.decided': e.decision ? (zh ? (e.decision === 'upheld' ? '申诉成立' : '申诉驳回') : `appeal ${e.decision}`) : '',
    'alert.raised': e.alertKind ? `${e.day ?? ''} ${ALERT_WORDS[e.alertKind][lang]}` : '',
    'review.waiting': zh
      ? `${e.day ?? ''} 有 ${e.count ?? 0} 条可疑评价待复核`
      : `${e.count ?? 0} flagged ratings of ${e.day ?? ''} to review`,
    'report.monthly': zh ? `${e.day ?? ''} 月度报告，可打印或另存为 PDF` : `the report for ${e.day ?? ''}, ready to print or save as PDF`,
  };
  return [kindWord(e.kind, lang), where, need[e.kind]].filter(Boolean).join(zh ? '：' : ': ');
}

export interface TMessage {
  subject: string;
  text: string;
  html: string;
}

const esc = (s: string) => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
const link = (base: string, path: string) => `${base.replace(/\/$/, '')}${path}`;
const FOOTER = {
  zh: '在“通知设置”中可改为每日摘要或关闭此类通知：',
  en: 'Change how you hear of this (at once, daily digest, never) in your notification settings: ',
};

/** The e-mail of one event: its line, the link to the exact page, and where to change the setting. */
export function eventMessage(e: TEvent, lang: TMailLang, base: string, names: TNames = {}, timeZone?: string): TMessage {
  const line = eventLine(e, lang, names, timeZone);
  const url = `${link(base, e.path)}${e.path.includes('?') ? '&' : '?'}lang=${lang}`;
  const settings = link(base, `/notifications?lang=${lang}`);
  const subject = `[${lang === 'zh' ? '服务温度' : 'Service Temperature'}] ${line}`.slice(0, 200);
  const text = `${line}\n\n${url}\n\n${FOOTER[lang]}${settings}\n`;
  const footer = `<p><small>${esc(FOOTER[lang])}<a href="${esc(settings)}">${esc(settings)}</a></small></p>`;
  const html = `<p>${esc(line)}</p><p><a href="${esc(url)}">${esc(url)}</a></p>${footer}`;
  return { subject, text, html };
}

/** The daily digest: everything since the last one, grouped by kind in the model's order, each with its link. */
export function digestMessage(
  events: readonly TEvent[],
  day: string,
  lang: TMailLang,
  base: string,
  names: TNames = {},
  timeZone?: string,
): TMessage {
  const zh = lang === 'zh';
  const sorted = [...events].sort(
    (a, b) => EVENT_KINDS.indexOf(a.kind) - EVENT_KINDS.indexOf(b.kind) || a.at.localeCompare(b.at) || a.id.localeCompare(b.id),
  );
  const groups = EVENT_KINDS.map((k) => ({ k, items: sorted.filter((e) => e.kind === k) })).filter((g) => g.items.length);
  const url = (e: TEvent) => `${link(base, e.path)}${e.path.includes('?') ? '&' : '?'}lang=${lang}`;
  const subject = zh
    ? `[服务温度] ${day} 每日摘要：${events.length} 条待办`
    : `[Service Temperature] Digest for ${day}: ${events.length} items`;
  const text = [
    subject,
    ...groups.flatMap((g) => [
      '',
      `${kindWord(g.k, lang)} (${g.items.length})`,
      ...g.items.map((e) => `- ${eventLine(e, lang, names, timeZone)}\n  ${url(e)}`),
    ]),
    '',
    `${FOOTER[lang]}${link(base, `/notifications?lang=${lang}`)}`,
    '',
  ].join('\n');
  const html = [
    `<h1>${esc(subject)}</h1>`,
    ...groups.map(
      (g) =>
        `<h2>${esc(kindWord(g.k, lang))} (${g.items.length})</h2><ul>${g.items
          .map((e) => `<li><a href="${esc(url(e))}">${esc(eventLine(e, lang, names, timeZone))}</a></li>`)
          .join('')}</ul>`,
    ),
    `<p><small>${esc(FOOTER[lang])}</small></p>`,
  ].join('');
  return { subject, text, html };
}

/* ---------- webhooks ---------- */

export const WEBHOOK_FORMATS = ['standard', 'dingtalk', 'wecom'] as const;
export type TWebhookFormat = (typeof WEBHOOK_FORMATS)[number];

/** The request body: Standard Webhooks' {type, timestamp, data}, or a group robot's text message (in Chinese). */
export function webhookBody(e: TEvent, format: TWebhookFormat, base: string, names: TNames = {}): string {
  if (format === 'standard') {
    const { id: _id, kind, at, path, ...data } = e;
    return JSON.stringify({ type: kind, timestamp: at, data: { ...data, url: link(base, path) } });
  }
  const content = `${eventLine(e, 'zh', names)}\n${link(base, e.path)}`;
  return JSON.stringify({ msgtype: 'text', text: { content } });
}

/** Standard Webhooks' signature: base64 HMAC-SHA256 over `id.timestamp.body` under the secret's bytes (whsec_<base64>). */
export function signWebhook(secret: string, msgId: string, timestampSec: number, body: string): string {
  const key = Buffer.from(secret.startsWith('whsec_') ? secret.slice(6) : secret, 'base64');
  return `v1,${createHmac('sha256', key).update(`${msgId}.${timestampSec}.${body}`).digest('base64')}`;
}

/**
 * Delays before attempt n+1 after n failed attempts (the Standard Webhooks schedule): at once, 5 s, 5 min, 30 min,
 * 2 h, 5 h, 10 h, 10 h — about 27.6 h in all; after the eighth failure the delivery is parked.
 */
export const RETRY_DELAYS_MS = [5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000] as const;
export const MAX_ATTEMPTS = RETRY_DELAYS_MS.length + 1;
export const nextAttemptDelay = (failedAttempts: number): number | undefined => RETRY_DELAYS_MS[failedAttempts - 1];

/** Does an endpoint registered for a region (and these kinds) receive this event? Halls below inherit it. */
export function endpointWants(ep: { regionId: string; kinds: readonly TEventKind[] }, e: TEvent, tree: TTree): boolean {
  return ep.kinds.includes(e.kind) && regionsOfEvent(e, tree).includes(ep.regionId);
}
