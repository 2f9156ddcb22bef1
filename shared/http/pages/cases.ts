/**
 * The staff case pages (SPEC §5, issue 9): the queue (/cases), one case (/cases/<id>) with its rating, masked phone,
 * history and the few actions its state allows, the handling-figures panel of hall and region pages, and the audit
 * trail. Pure renderers over view models the routes build: Chinese first, English second, large targets, every
 * action one short form with the session's CSRF token.
 */
import { html } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import type { TAuditEntry } from '../../domain/audit.js';
import type { TCaseFigures } from '../../domain/case-figures.js';
import { CASE_STATES, CONTACT_HOWS, FIX_CATEGORIES, type TCase, type TCaseState, type TDueState } from '../../domain/cases.js';
import { DIMENSIONS, DONE_LABELS, GRADE_LABELS, REASONS, TRIPS_LABELS, type TGrade } from '../../domain/grades.js';
import type { TCaseRow, TCaseView } from '../../services/cases.js';
import { csvCell, csvText } from '../../scoring/report.js';
import { pct } from './dashboard.js';
import type { TLang } from './i18n.js';
import { dateFormat } from '../../domain/time.js';

type Html = HtmlEscapedString | Promise<HtmlEscapedString>;

export const CW = {
  zh: {
    cases: '差评案件',
    queue: '案件队列',
    dueToday: '今日到期',
    overdue: '已逾期',
    pieces: '件',
    open: '未结案件',
    state: '状态',
    states: { open: '待联系', contacted: '已联系', rectified: '已整改', appealed: '申诉中', closed: '已结案' } as Record<
      TCaseState,
      string
    >,
    due: { overdue: '已逾期', due_today: '今日到期', ok: '未到期', none: '—' } as Record<TDueState, string>,
    all: '全部',
    allOpen: '全部未结',
    window: '窗口',
    service: '事项',
    hall: '大厅',
    onlyOverdue: '只看逾期',
    filter: '筛选',
    opened: '开案时间',
    deadline: '当前期限',
    escalation: '督办',
    level: (n: number) => `已升级 ${n} 级`,
    none: '没有符合条件的案件。',
    prev: '上一页',
    next: '下一页',
    pageOf: (p: number, n: number) => `第 ${p} 页，共 ${n} 页`,
    caseTitle: '案件',
    rating: '评价',
    overall: '总体评价',
    reasons: '原因',
    comment: '留言',
    time: '评价时间',
    trips: '跑了几次',
    done: '是否办成',
    contactDue: '联系期限',
    rectifyDue: '整改期限',
    phone: '群众电话',
    noPhone: '群众没有留电话：请在此页书面答复。',
    phoneDeleted: '结案满 90 天，号码已按规定删除。',
    reveal: '显示号码 Show number',
    revealHint: '显示号码会记入审计日志。',
    revealed: '号码已显示，并已记入审计日志。',
    history: '处理记录',
    actor: '操作人',
    action: '操作',
    note: '说明',
    actions: '处理',
    contact: '标记已联系',
    how: '联系方式',
    hows: {
      phone: '电话',
      sms: '短信',
      in_person: '当面',
      written_reply: '书面答复（在群众的案件页）',
      unreachable: '无法联系',
    } as Record<string, string>,
    shortNote: '简短说明（选填，不要写电话号码）',
    writtenReply: '给群众的书面答复',
    rectify: '提交整改',
    publicReply: '给群众的答复（群众会看到）',
    fix: '内部整改措施（群众看不到，选填）',
    category: '整改类别',
    categories: {
      staff_coached: '人员已教育',
      process_changed: '流程已调整',
      system_fixed: '系统已修复',
      explained_no_fault: '已解释，无过错',
      other: '其他',
    } as Record<string, string>,
    appeal: '申诉（恶意或误评）',
    appealKind: '申诉理由',
    kinds: { malicious: '恶意差评', mistaken: '误评（评错了窗口或事项）' } as Record<string, string>,
    evidence: '证据说明',
    reference: '参考编号（选填）',
    fileAppeal: '提交申诉',
    decide: '裁决申诉',
    appealDue: '裁决期限',
    upheld: '申诉成立（该评价不计分）',
    rejected: '申诉不成立（恢复处理）',
    reason: '裁决理由',
    submit: '提交',
    noActions: '这个案件现在没有需要您做的操作。',
    publicReplyShown: '群众看到的答复',
    followUp: '群众追评',
    followUps: { satisfied: '满意', basic: '基本满意', dissatisfied: '不满意' } as Record<string, string>,
    rework: '重办（第一次整改被评不满意）',
    closeReasons: { followed_up: '群众追评后结案', auto_7d: '整改后7天无追评，自动结案', upheld: '申诉成立' } as Record<string, string>,
    system: '系统',
    resident: '群众',
    saved: '已保存。',
    figures: '差评处理（近30天）',
    replyRate: '差评回复率',
    rectifyRate: '整改率',
    satisfaction: '回访整改满意率',
    followUpsGiven: '追评数',
    appealRate: '申诉率',
    upheldRate: '申诉成立率',
    appealsOf: (a: number, n: number) => `申诉 ${a} / 案件 ${n}`,
    upheldOf: (u: number, n: number) => `成立 ${u} / 已裁决 ${n}`,
    overdueNow: '当前逾期',
    medianClose: '结案中位数（工作日）',
    ofDue: (k: number, n: number) => `${k} / ${n} 件`,
    overdueCases: '逾期与督办案件',
    noOverdue: '没有逾期或督办中的案件。',
    allCases: '全部案件',
    audit: '审计日志',
    auditOf: '本辖区审计日志',
    at: '时间',
    kind: '类别',
    unit: '单位',
    target: '对象',
    fromTo: '变化',
    from: '起始日期',
    to: '截止日期',
    csv: '导出 CSV',
    noEntries: '没有符合条件的记录。',
    more: '更早的记录',
    badDates: '日期格式应为 YYYY-MM-DD，且起始不晚于截止。',
  },
  en: {
    cases: 'Cases',
    queue: 'Case queue',
    dueToday: 'Due today',
    overdue: 'Overdue',
    pieces: '',
    open: 'Open cases',
    state: 'State',
    states: { open: 'To contact', contacted: 'Contacted', rectified: 'Rectified', appealed: 'Under appeal', closed: 'Closed' } as Record<
      TCaseState,
      string
    >,
    due: { overdue: 'Overdue', due_today: 'Due today', ok: 'On time', none: '—' } as Record<TDueState, string>,
    all: 'All',
    allOpen: 'All not closed',
    window: 'Window',
    service: 'Service',
    hall: 'Hall',
    onlyOverdue: 'Overdue only',
    filter: 'Filter',
    opened: 'Opened',
    deadline: 'Current deadline',
    escalation: 'Escalation',
    level: (n: number) => `escalated ${n} level${n > 1 ? 's' : ''}`,
    none: 'No cases match.',
    prev: 'Previous page',
    next: 'Next page',
    pageOf: (p: number, n: number) => `Page ${p} of ${n}`,
    caseTitle: 'Case',
    rating: 'Rating',
    overall: 'Overall',
    reasons: 'Reasons',
    comment: 'Comment',
    time: 'Rated at',
    trips: 'Trips',
    done: 'Done?',
    contactDue: 'Contact by',
    rectifyDue: 'Rectify by',
    phone: "Resident's phone",
    noPhone: 'The resident left no phone: reply in writing on this page.',
    phoneDeleted: 'Deleted 90 days after the case closed, as the rules require.',
    reveal: '显示号码 Show number',
    revealHint: 'Showing the number is written to the audit trail.',
    revealed: 'The number is shown and the audit trail records it.',
    history: 'History',
    actor: 'By',
    action: 'Action',
    note: 'Note',
    actions: 'Handle',
    contact: 'Mark contacted',
    how: 'How',
    hows: {
      phone: 'Phone',
      sms: 'SMS',
      in_person: 'In person',
      written_reply: "Written reply (on the resident's case page)",
      unreachable: 'Could not reach',
    } as Record<string, string>,
    shortNote: 'Short note (optional; no phone numbers)',
    writtenReply: 'Written reply to the resident',
    rectify: 'Submit rectification',
    publicReply: 'Reply to the resident (the resident reads this)',
    fix: 'Internal fix (not shown to the resident; optional)',
    category: 'Category',
    categories: {
      staff_coached: 'Staff coached',
      process_changed: 'Process changed',
      system_fixed: 'System fixed',
      explained_no_fault: 'Explained, no fault found',
      other: 'Other',
    } as Record<string, string>,
    appeal: 'Appeal (malicious or mistaken rating)',
    appealKind: 'Grounds',
    kinds: { malicious: 'Malicious rating', mistaken: 'Mistaken (wrong window or service)' } as Record<string, string>,
    evidence: 'Evidence',
    reference: 'Reference (optional)',
    fileAppeal: 'File appeal',
    decide: 'Decide the appeal',
    appealDue: 'Decide by',
    upheld: 'Upheld (the rating is not scored)',
    rejected: 'Rejected (handling resumes)',
    reason: 'Reason',
    submit: 'Submit',
    noActions: 'Nothing for you to do on this case now.',
    publicReplyShown: 'Reply the resident sees',
    followUp: "Resident's follow-up",
    followUps: { satisfied: 'Satisfied', basic: 'Basically satisfied', dissatisfied: 'Dissatisfied' } as Record<string, string>,
    rework: 'Rework (the first rectification was rated dissatisfied)',
    closeReasons: {
      followed_up: "Closed at the resident's follow-up",
      auto_7d: 'Closed automatically 7 days after rectification',
      upheld: 'Appeal upheld',
    } as Record<string, string>,
    system: 'system',
    resident: 'resident',
    saved: 'Saved.',
    figures: 'Bad-rating handling (last 30 days)',
    replyRate: 'Reply rate',
    rectifyRate: 'Rectification rate',
    satisfaction: 'Follow-up satisfaction',
    followUpsGiven: 'Follow-ups given',
    appealRate: 'Appeal rate',
    upheldRate: 'Appeals upheld',
    appealsOf: (a: number, n: number) => `${a} appealed of ${n} cases`,
    upheldOf: (u: number, n: number) => `${u} upheld of ${n} decided`,
    overdueNow: 'Overdue now',
    medianClose: 'Median working days to close',
    ofDue: (k: number, n: number) => `${k} of ${n}`,
    overdueCases: 'Overdue and escalated cases',
    noOverdue: 'No overdue or escalated cases.',
    allCases: 'All cases',
    audit: 'Audit trail',
    auditOf: 'Audit trail of this region',
    at: 'At',
    kind: 'Kind',
    unit: 'Unit',
    target: 'Target',
    fromTo: 'Change',
    from: 'From',
    to: 'To',
    csv: 'Export CSV',
    noEntries: 'No entries match.',
    more: 'Older entries',
    badDates: 'Dates must be YYYY-MM-DD, the first not after the second.',
  },
};
export type TCW = (typeof CW)[TLang];

/** An instant in the hall's zone: "2026-11-30 17:30". */
export function localTime(instant: string | undefined, timeZone: string): string {
  if (!instant) return '—';
  const f = dateFormat('sv-SE', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
  });
  return f.format(new Date(instant));
}

const q = (params: Record<string, string | undefined>) =>
  Object.entries(params)
    .filter(([, v]) => v !== undefined && v !== '')
    .map(([k, v]) => `${k}=${encodeURIComponent(v!)}`)
    .join('&');

export const CASE_CSS = `.counts{display:flex;gap:12px;flex-wrap:wrap;margin:4px 0 12px}
.count{font-size:1.15em;font-weight:700;padding:6px 14px;border-radius:8px;border:2px solid}
.count.od{color:#8c1d18;border-color:#b3261e;background:#fdf1f0}.count.dt{color:#7a2e00;border-color:#b35900;background:#fff6ec}
.count.op{color:#0b3d6e;border-color:#0b5cad}
.tag{display:inline-block;padding:1px 8px;border-radius:10px;font-size:.85em;border:1px solid #5b6570}
.tag.overdue{color:#fff;background:#b3261e;border-color:#b3261e}.tag.due_today{color:#7a2e00;border-color:#b35900}
form.filters{display:flex;flex-wrap:wrap;gap:8px 16px;align-items:flex-end;margin:8px 0 12px}
form.filters label{display:block;font-weight:600}
form.filters select{font:inherit;min-height:44px;padding:6px 10px;border:1px solid #5b6570;border-radius:6px;background:#fff;
min-width:140px}
form.filters select{max-width:300px}form.filters input[type=date],form.filters input[type=text]{font:inherit;min-height:44px;
padding:6px 10px;border:1px solid #5b6570;border-radius:6px}
form.filters .check{display:flex;align-items:center;gap:8px;min-height:44px}form.filters .check input{width:24px;height:24px}
td.when,table.q th{white-space:nowrap}.pager{display:flex;gap:16px;align-items:center;margin:12px 0}.pager a{padding:10px 0}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:6px 16px;background:#fff;border:1px solid #c9d1d9;border-radius:10px;
padding:12px 16px;margin:0}
dl.facts dt{font-weight:600;color:#3d4650}dl.facts dd{margin:0}
.cols{display:grid;grid-template-columns:minmax(0,1fr) minmax(0,1fr);gap:20px}@media (max-width:900px){.cols{grid-template-columns:1fr}}
.act{background:#fff;border:1px solid #c9d1d9;border-radius:10px;padding:12px 16px;margin:0 0 14px}.act h3{margin:0 0 8px;font-size:1.05em}
.act fieldset{border:0;padding:0;margin:0 0 10px}.act legend{font-weight:600;margin-bottom:4px}
.act .opts{display:flex;flex-wrap:wrap;gap:6px 14px}.act .opts label{display:flex;align-items:center;gap:8px;min-height:44px}
.act .opts input{width:22px;height:22px}.act textarea{width:100%;font:inherit;padding:8px;border:1px solid #5b6570;border-radius:6px;
min-height:70px}
.act input[type=text]{width:100%;font:inherit;min-height:44px;padding:6px 10px;border:1px solid #5b6570;border-radius:6px}
.act label.block{display:block;font-weight:600;margin:6px 0 4px}
.act select{font:inherit;min-height:44px;padding:6px 10px;border:1px solid #5b6570;border-radius:6px}
.phone{font-size:1.3em;font-weight:700;font-variant-numeric:tabular-nums;letter-spacing:.04em}
.refused{border:2px solid #b3261e;background:#fdf1f0;border-radius:8px;padding:8px 16px}
textarea:focus-visible{outline:3px solid #b35900;outline-offset:2px}
ol.history{background:#fff;border:1px solid #c9d1d9;border-radius:10px;padding:10px 10px 10px 34px;margin:0}ol.history li{margin:4px 0}`;

/* ------------------------------------------------------------------ queue */

/** Previous / "page p of n" / next, only when there is more than one page. */
function pagerNav(w: TCW, page: number, pages: number, link: (n: number) => string): Html | '' {
  if (pages <= 1) return '';
  const prev = page > 1 ? html`<a href="${link(page - 1)}" rel="prev">${w.prev}</a>` : '';
  const next = page < pages ? html`<a href="${link(page + 1)}" rel="next">${w.next}</a>` : '';
  return html`<nav class="pager" aria-label="${w.pageOf(page, pages)}">${prev}<span>${w.pageOf(page, pages)}</span>${next}</nav>`;
}

export interface TQueueRow {
  c: TCaseRow;
  due: TDueState;
  hallName: string;
  windowName?: string;
  serviceName?: string;
  timeZone: string;
}
export interface TQueueView {
  lang: TLang;
  counts: { dueToday: number; overdue: number; open: number };
  rows: TQueueRow[];
  /** filter choices: halls (supervisor/admin only), windows of the hall (when one hall is chosen) */
  halls: { id: string; name: string }[];
  windows: { id: string; name: string }[];
  filters: { hallId?: string; state?: string; windowId?: string; overdue?: boolean };
  page: number;
  pages: number;
}

export function countsLine(w: TCW, counts: TQueueView['counts']): Html {
  return html`<p class="counts"><span class="count dt">${w.dueToday} ${counts.dueToday} ${w.pieces}</span><span class="count od"
>${w.overdue} ${counts.overdue} ${w.pieces}</span><span class="count op">${w.open} ${counts.open} ${w.pieces}</span></p>`;
}

export function queueBody(v: TQueueView): Html {
  const w = CW[v.lang];
  const f = v.filters;
  const opt = (value: string, label: string, current?: string) =>
    html`<option value="${value}"${value === (current ?? '') ? ' selected' : ''}>${label}</option>`;
  const overdue = f.overdue ? 'true' : undefined;
  const link = (page: number) =>
    `/cases?${q({ lang: v.lang, hallId: f.hallId, state: f.state, windowId: f.windowId, overdue, page: String(page) })}`;
  const states = CASE_STATES.map((s) => opt(s, w.states[s], f.state));
  const filters = html`<form class="filters" method="get" action="/cases"><input type="hidden" name="lang" value="${v.lang}">
${
  v.halls.length > 1
    ? html`<div><label for="f-hall">${w.hall}</label>
<select id="f-hall" name="hallId">${opt('', w.all, f.hallId)}${v.halls.map((h) => opt(h.id, h.name, f.hallId))}</select></div>`
    : ''
}
<div><label for="f-state">${w.state}</label>
<select id="f-state" name="state">${opt('', w.allOpen, f.state)}${states}</select></div>
${
  v.windows.length
    ? html`<div><label for="f-win">${w.window}</label>
<select id="f-win" name="windowId">${opt('', w.all, f.windowId)}${v.windows.map((x) => opt(x.id, x.name, f.windowId))}</select></div>`
    : ''
}
<div class="check"><input type="checkbox" id="f-od" name="overdue" value="true"${f.overdue ? ' checked' : ''}>
<label for="f-od">${w.onlyOverdue}</label></div>
<div><button class="btn" type="submit">${w.filter}</button></div></form>`;
  const row = (r: TQueueRow) => {
    const due = r.due === 'none' ? '—' : html`<span class="tag ${r.due}">${w.due[r.due]}</span> ${localTime(r.c.due, r.timeZone)}`;
    return html`<tr><td><a href="/cases/${encodeURIComponent(r.c.caseId)}?lang=${v.lang}">${r.c.caseId}</a>
</td>${v.halls.length > 1 ? html`<td>${r.hallName}</td>` : ''}
<td class="when">${w.states[r.c.state]}</td><td class="when">${due}</td>
<td>${r.windowName ?? r.c.windowId ?? '—'}</td><td>${r.serviceName ?? r.c.serviceId ?? '—'}</td>
<td class="when">${localTime(r.c.openedAt, r.timeZone)}</td>
<td>${r.c.escalationLevel ? w.level(r.c.escalationLevel) : '—'}</td></tr>`;
  };
  const table = v.rows.length
    ? html`<table class="q"><caption class="muted">${w.pageOf(v.page, Math.max(1, v.pages))}</caption><thead><tr>
<th scope="col">${w.caseTitle}</th>${v.halls.length > 1 ? html`<th scope="col">${w.hall}</th>` : ''}<th scope="col">${w.state}</th>
<th scope="col">${w.deadline}</th><th scope="col">${w.window}</th><th scope="col">${w.service}</th><th scope="col">${w.opened}</th>
<th scope="col">${w.escalation}</th></tr></thead><tbody>${v.rows.map(row)}</tbody></table>`
    : html`<p>${w.none}</p>`;
  const pager = pagerNav(w, v.page, v.pages, link);
  return html`<h1>${w.queue}</h1>${countsLine(w, v.counts)}${filters}${table}${pager}`;
}

/* ------------------------------------------------------------------ one case */

export interface TCasePage {
  lang: TLang;
  csrf: string;
  c: TCase;
  version: number;
  rating?: TCaseView['rating'];
  phoneMasked?: string;
  /** the ciphertext is still kept (not yet deleted 90 days after closing) */
  phoneKept: boolean;
  hallName: string;
  windowName?: string;
  serviceName?: string;
  timeZone: string;
  due: TDueState;
  /** what this user may do now */
  may: { reveal: boolean; contact: boolean; rectify: boolean; fileAppeal: boolean; decideAppeal: boolean };
  /** the number, only in the answer to the reveal POST */
  phone?: string;
  refused?: { zh: string; en: string };
  saved?: boolean;
  /** staff user id → name, for the history */
  names: Map<string, string>;
  /** a pending appeal's decision deadline has passed */
  appealOverdue?: boolean;
}

export function caseBody(v: TCasePage): Html {
  const w = CW[v.lang];
  const { c, rating: r } = v;
  const t = (x?: string) => localTime(x, v.timeZone);
  const grade = (g: number | undefined) => (g ? (GRADE_LABELS[g as TGrade]?.[v.lang] ?? String(g)) : '—');
  const who = (id: string) => (id === 'system' ? w.system : id === 'resident' ? w.resident : (v.names.get(id) ?? id));
  const path = `/cases/${encodeURIComponent(c.caseId)}`;
  // the version the page shows: an action on a case that moved since is refused (409), not applied blindly
  const hidden = html`<input type="hidden" name="_csrf" value="${v.csrf}"><input type="hidden" name="version" value="${v.version}">`;
  const msg = v.refused
    ? html`<div class="refused" role="alert"><p lang="zh-CN">${v.refused.zh}</p><p lang="en">${v.refused.en}</p></div>`
    : v.saved
      ? html`<p class="saved" role="status">${w.saved}</p>`
      : '';
  const pair = (dt: string, dd: unknown) => html`<dt>${dt}</dt><dd>${dd}</dd>`;
  const closed = c.closeReason ? html` · ${w.closeReasons[c.closeReason]}` : '';
  const dueTag = v.due !== 'none' ? html` <span class="tag ${v.due}">${w.due[v.due]}</span>` : '';
  const dims = (['attitude', 'efficiency', 'competence'] as const)
    .filter((k) => r?.[k])
    .map((k) => pair(DIMENSIONS[k][v.lang], grade(r?.[k])));
  const reasonWords = (r?.reasons ?? []).map((x) => (REASONS as Record<string, { zh: string; en: string }>)[x]?.[v.lang] ?? x);
  const facts = html`<dl class="facts">
${pair(w.state, html`${w.states[c.state]}${closed}${dueTag}`)}
${pair(w.hall, v.hallName)}${pair(w.window, v.windowName ?? c.windowId ?? '—')}${pair(w.service, v.serviceName ?? c.serviceId ?? '—')}
${pair(w.time, t(r?.createdAt ?? c.openedAt))}${pair(w.overall, grade(r?.overall))}${dims}
${r?.trips ? pair(w.trips, TRIPS_LABELS[r.trips][v.lang]) : ''}${r?.done ? pair(w.done, DONE_LABELS[r.done][v.lang]) : ''}
${pair(w.reasons, reasonWords.length ? reasonWords.join(v.lang === 'zh' ? '、' : ', ') : '—')}${pair(w.comment, r?.comment || '—')}
${pair(w.contactDue, t(c.contactDue))}${pair(w.rectifyDue, t(c.rectifyDue))}
${c.escalationLevel ? pair(w.escalation, `${w.level(c.escalationLevel)}${c.escalatedTo ? ` → ${c.escalatedTo}` : ''}`) : ''}
${pair(w.phone, phoneBlock(v, w, path, hidden))}</dl>`;
  const written = c.contact?.how === 'written_reply' && c.contact.note ? html`<h2>${w.writtenReply}</h2><p>${c.contact.note}</p>` : '';
  const rework = c.rework
    ? html`<h2>${w.rework}</h2><p>${c.rework.rectification.publicReply}</p>
<p class="muted">${w.followUp}: ${w.followUps[c.rework.followUp.grade]}</p>`
    : '';
  const fix = c.rectification?.fix ? html`<p class="muted">${w.fix}: ${c.rectification.fix}</p>` : '';
  const rectified = c.rectification
    ? html`<h2>${w.publicReplyShown}</h2><p>${c.rectification.publicReply}</p>${fix}
<p class="muted">${w.category}: ${w.categories[c.rectification.category]}</p>`
    : '';
  const followed = c.followUp
    ? html`<h2>${w.followUp}</h2><p>${w.followUps[c.followUp.grade]}${c.followUp.comment ? html` — ${c.followUp.comment}` : ''}</p>`
    : '';
  const replies = html`${written}${rework}${rectified}${followed}`;
  const step = (h: TCase['history'][number]) => {
    const moved = h.from && h.from !== h.to ? html` · ${w.states[h.from]} → ${w.states[h.to]}` : '';
    const note = h.note ? html` <span class="muted">(${noteLabel(w, h.note)})</span>` : '';
    return html`<li><span class="muted">${t(h.at)}</span> · ${who(h.actor)} · ${actionLabel(w, h.action)}${moved}${note}</li>`;
  };
  const history = html`<h2>${w.history}</h2><ol class="history">${c.history.map(step)}</ol>`;
  return html`<p><a href="/cases?lang=${v.lang}">← ${w.queue}</a></p><h1>${w.caseTitle} ${c.caseId}</h1>${msg}
<div class="cols"><div>${facts}${replies}${history}</div><div><h2>${w.actions}</h2>${actionForms(v, w, path, hidden)}</div></div>`;
}

function phoneBlock(v: TCasePage, w: TCW, path: string, hidden: Html): Html {
  if (!v.c.hasPhone) return html`${w.noPhone}`;
  if (v.phone) return html`<span class="phone" id="phone">${v.phone}</span> <span class="muted" role="status">${w.revealed}</span>`;
  if (!v.phoneKept && !v.phoneMasked) return html`${w.phoneDeleted}`;
  const masked = v.phoneMasked ?? '***********';
  return html`<span class="phone">${masked}</span>${
    v.may.reveal && v.phoneKept
      ? html`<form method="post" action="${path}/reveal">${hidden}<button class="btn quiet" type="submit">${w.reveal}</button>
<span class="muted">${w.revealHint}</span></form>`
      : ''
  }`;
}

const ACTION_WORDS: Record<string, [string, string]> = {
  open: ['开案', 'opened'],
  contact: ['联系', 'contacted'],
  rectify: ['整改', 'rectified'],
  followUp: ['追评', 'follow-up'],
  autoClose: ['自动结案', 'auto-closed'],
  escalate: ['升级督办', 'escalated'],
  fileAppeal: ['申诉', 'appeal filed'],
  decideAppeal: ['裁决申诉', 'appeal decided'],
  revealPhone: ['显示号码', 'number shown'],
};
const noteLabel = (w: TCW, note: string) => w.hows[note] ?? w.categories[note] ?? w.followUps[note] ?? w.kinds[note] ?? note;
const actionLabel = (w: TCW, action: string) => ACTION_WORDS[action]?.[w === CW.zh ? 0 : 1] ?? action;

function actionForms(v: TCasePage, w: TCW, path: string, hidden: Html): Html {
  const { may, c } = v;
  const radios = (name: string, values: readonly string[], labels: Record<string, string>, checked?: string) =>
    html`<div class="opts">${values.map(
      (x, i) => html`<label>
<input type="radio" name="${name}" value="${x}" required${(checked ?? (i === 0 ? x : '')) === x ? ' checked' : ''}> ${labels[x]}</label>`,
    )}</div>`;
  const forms: Html[] = [];
  if (may.contact) {
    const hows = c.hasPhone ? CONTACT_HOWS : (['written_reply', 'in_person'] as const);
    forms.push(html`<form class="act" method="post" action="${path}/contact">${hidden}<h3>${w.contact}</h3>
<fieldset><legend>${w.how}</legend>${radios('how', hows, w.hows)}</fieldset>
<label class="block" for="contact-note">${c.hasPhone ? w.shortNote : w.writtenReply}</label>
<textarea id="contact-note" name="note" maxlength="500"${c.hasPhone ? '' : ' required'}></textarea>
<button class="btn" type="submit">${w.contact}</button></form>`);
  }
  if (may.rectify)
    forms.push(html`<form class="act" method="post" action="${path}/rectify">${hidden}<h3>${w.rectify}</h3>
<label class="block" for="reply">${w.publicReply}</label><textarea id="reply" name="publicReply" maxlength="1000" required></textarea>
<label class="block" for="fix">${w.fix}</label><textarea id="fix" name="fix" maxlength="1000"></textarea>
<fieldset><legend>${w.category}</legend>${radios('category', FIX_CATEGORIES, w.categories)}</fieldset>
<button class="btn" type="submit">${w.rectify}</button></form>`);
  if (may.fileAppeal)
    forms.push(html`<details class="act"><summary>${w.appeal}</summary><form method="post" action="${path}/appeal">${hidden}
<fieldset><legend>${w.appealKind}</legend>${radios('kind', ['malicious', 'mistaken'], w.kinds)}</fieldset>
<label class="block" for="evidence">${w.evidence}</label><textarea id="evidence" name="evidence" maxlength="1000" required></textarea>
<label class="block" for="ref">${w.reference}</label><input type="text" id="ref" name="reference" maxlength="200">
<button class="btn quiet" type="submit">${w.fileAppeal}</button></form></details>`);
  const decisions = { upheld: w.upheld, rejected: w.rejected };
  if (may.decideAppeal)
    forms.push(html`<form class="act" method="post" action="${path}/decide">${hidden}<h3>${w.decide}</h3>
${
  c.appeal
    ? html`<p>${w.kinds[c.appeal.kind]}: ${c.appeal.evidence}</p>
${c.appeal.reference ? html`<p>${w.reference}: ${c.appeal.reference}</p>` : ''}
<p>${w.appealDue} ${localTime(c.appeal.due, v.timeZone)}${
        v.appealOverdue ? html` <span class="tag overdue">${w.due.overdue}</span>` : ''
      }</p>`
    : ''
}
<fieldset><legend>${w.decide}</legend>${radios('decision', ['upheld', 'rejected'], decisions, '')}</fieldset>
<label class="block" for="reason">${w.reason}</label><textarea id="reason" name="reason" maxlength="500" required></textarea>
<button class="btn" type="submit">${w.submit}</button></form>`);
  return forms.length ? html`${forms}` : html`<p>${w.noActions}</p>`;
}

/* ------------------------------------------------------------------ panels on hall and region pages */

export function figuresPanel(lang: TLang, f: TCaseFigures, link: string): Html {
  const w = CW[lang];
  const rate = (r: { rate: number | null; low: number | null; high: number | null }) =>
    r.rate === null
      ? html`<div class="big">—</div>`
      : html`<div class="big">${pct(r.rate)}</div>
<div class="muted">90% ${pct(r.low)}–${pct(r.high)}</div>`;
  const card = (label: string, value: Html, foot: string) =>
    html`<div class="card"><div class="muted">${label}</div>${value}<div class="muted">${foot}</div></div>`;
  return html`<h2>${w.figures}</h2><div class="cards">
${card(w.replyRate, rate(f.replyRate), w.ofDue(f.replyRate.on, f.replyRate.due))}
${card(w.rectifyRate, rate(f.rectifyRate), w.ofDue(f.rectifyRate.on, f.rectifyRate.due))}
${card(w.satisfaction, rate(f.followUpSatisfaction), `${w.followUpsGiven} ${f.followUpsGiven}`)}
<div class="card"><div class="muted">${w.overdueNow}</div><div class="big">${f.overdueNow}</div>
<div class="muted">${w.medianClose} ${f.medianDaysToClose ?? '—'}</div></div>
${card(w.appealRate, rate(f.appealRate), w.appealsOf(f.appealRate.appealed, f.appealRate.opened))}
${card(w.upheldRate, rate(f.upheldRate), w.upheldOf(f.upheldRate.upheld, f.upheldRate.decided))}
</div><p><a href="${link}">${w.allCases}</a></p>`;
}

export function overduePanel(lang: TLang, rows: TQueueRow[], total: number, link: string): Html {
  const w = CW[lang];
  if (!rows.length) return html`<h2>${w.overdueCases}</h2><p>${w.noOverdue}</p>`;
  const more = total > rows.length ? html`<p><a href="${link}">${w.allCases} (${total})</a></p>` : '';
  return html`<h2>${w.overdueCases} <span class="muted">(${total})</span></h2>${more}<table><thead><tr><th scope="col">${w.caseTitle}</th>
<th scope="col">${w.hall}</th><th scope="col">${w.state}</th><th scope="col">${w.deadline}</th><th scope="col">${w.escalation}</th></tr>
</thead><tbody>
${rows.map((r) => {
  const due = r.c.due;
  return html`<tr><td><a href="/cases/${encodeURIComponent(r.c.caseId)}?lang=${lang}">${r.c.caseId}</a></td><td>${r.hallName}</td>
<td>${w.states[r.c.state]}</td>
<td class="when">${r.due === 'none' ? '—' : html`<span class="tag ${r.due}">${w.due[r.due]}</span> ${localTime(due, r.timeZone)}`}</td>
<td>${r.c.escalationLevel ? w.level(r.c.escalationLevel) : '—'}</td></tr>`;
})}</tbody></table>`;
}

/* ------------------------------------------------------------------ audit trail */

export interface TAuditView {
  lang: TLang;
  action: string;
  title: string;
  entries: TAuditEntry[];
  filters: { unit?: string; actor?: string; kind?: string; from?: string; to?: string };
  units: { id: string; name: string }[];
  kinds: readonly string[];
  page: number;
  pages: number;
  refused?: string;
}

export function auditBody(v: TAuditView): Html {
  const w = CW[v.lang];
  const f = v.filters;
  const opt = (value: string, label: string, current?: string) =>
    html`<option value="${value}"${value === (current ?? '') ? ' selected' : ''}>${label}</option>`;
  const base = { lang: v.lang, unit: f.unit, actor: f.actor, kind: f.kind, from: f.from, to: f.to };
  const form = html`<form class="filters" method="get" action="${v.action}"><input type="hidden" name="lang" value="${v.lang}">
<div><label for="a-unit">${w.unit}</label>
<select id="a-unit" name="unit">${opt('', w.all, f.unit)}${v.units.map((u) => opt(u.id, u.name, f.unit))}</select></div>
<div><label for="a-actor">${w.actor}</label><input type="text" id="a-actor" name="actor" value="${f.actor ?? ''}" maxlength="64"></div>
<div><label for="a-kind">${w.kind}</label>
<select id="a-kind" name="kind">${opt('', w.all, f.kind)}${v.kinds.map((k) => opt(k, k, f.kind))}</select></div>
<div><label for="a-from">${w.from}</label><input type="date" id="a-from" name="from" value="${f.from ?? ''}"></div>
<div><label for="a-to">${w.to}</label><input type="date" id="a-to" name="to" value="${f.to ?? ''}"></div>
<div><button class="btn" type="submit">${w.filter}</button></div></form>`;
  const target = (e: TAuditEntry) =>
    e.unit.type === 'hall' && e.kind.startsWith('case')
      ? html`<a href="/cases/${encodeURIComponent(e.targetId)}?lang=${v.lang}">${e.targetId}</a>`
      : e.targetId;
  const rows = v.entries.map(
    (e) => html`<tr><td>${e.at.slice(0, 19).replace('T', ' ')}</td><td>${e.actor} <span class="muted">(${e.actorRole})</span></td>
<td>${e.kind}</td>
<td>${e.unit.type}:${e.unit.id}</td><td>${target(e)}</td>
<td>${e.from ?? ''}${e.from || e.to ? ' → ' : ''}${e.to ?? ''}</td><td>${e.note ?? ''}</td></tr>`,
  );
  const table = v.entries.length
    ? html`<table><thead><tr><th scope="col">${w.at} (UTC)</th><th scope="col">${w.actor}</th><th scope="col">${w.kind}</th>
<th scope="col">${w.unit}</th><th scope="col">${w.target}</th><th scope="col">${w.fromTo}</th><th scope="col">${w.note}</th></tr></thead>
<tbody>${rows}</tbody></table>`
    : html`<p>${w.noEntries}</p>`;
  return html`<h1>${v.title}</h1>${v.refused ? html`<p class="refused" role="alert">${v.refused}</p>` : ''}${form}
<p><a href="${v.action}.csv?${q(base)}">${w.csv}</a></p>${table}
${pagerNav(w, v.page, v.pages, (n) => `${v.action}?${q({ ...base, page: String(n) })}`)}`;
}

/** One CSV line per entry: ids verbatim (csvCell), the note as typed text (csvText, formula-safe). */
export function auditCsvLine(e: TAuditEntry): string {
  const ids = [e.at, e.actor, e.actorRole, e.kind, e.unit.type, e.unit.id, e.targetId, e.from, e.to].map(csvCell);
  return `${[...ids, csvText(e.note)].join(',')}\n`;
}
export const AUDIT_CSV_HEADER = 'at,actor,actor_role,kind,unit_type,unit_id,target_id,from,to,note\n';
