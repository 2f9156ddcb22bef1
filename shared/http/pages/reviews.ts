/**
 * The review of suspicious ratings (/reviews, SPEC §6): flagged ratings grouped by pattern (a burst is one row, not
 * 200), each group with its evidence in plain words, confirm / clear for the group or (on its page) per rating.
 * Honest wording: a flag is a reason to look, and until a person clears it the rating stays out of the figures.
 */
import { html } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import type { TFlag } from '../../domain/suspicion.js';
import type { TRating } from '../../domain/model.js';
import { decisionOf, type TReviewRow } from '../../services/reviews.js';
import type { TReviewGroup } from '../../storage/reviews.js';
import { localTime } from './cases.js';
import type { TLang } from './i18n.js';

type Html = HtmlEscapedString | Promise<HtmlEscapedString>;

export const RW = {
  zh: {
    title: '申诉与可疑评价审核',
    appeals: '待裁决的申诉',
    noAppeals: '没有待裁决的申诉。',
    appealsOverdue: (n: number) => `${n} 件申诉已超过裁决期限`,
    caseNo: '案件',
    decideBy: '裁决期限',
    overdue: '已逾期',
    flagged: '可疑评价',
    intro:
      '以下评价被夜间检查标记为可疑：已保留，但在有人审核前不计入任何分数。标记只是需要查看的信号，不是结论。' +
      '“确认”后继续不计入；“清除”后重新计入，当天分数将在下次夜间计算时更新。',
    none: '没有被标记的评价。',
    stale: (n: number, d: number) => `超过 ${d} 天仍未审核的组：${n}（仍不计入分数）`,
    pendingGroups: (n: number) => `待审核的组：${n}`,
    hall: '大厅',
    day: '日期',
    window: '窗口',
    rule: '规则',
    evidence: '证据',
    ratings: '评价数',
    pending: '待审',
    actions: '操作',
    confirmAll: '全部确认（不计入）',
    clearAll: '全部清除（计入）',
    confirm: '确认',
    clear: '清除',
    open: '查看',
    back: '返回列表',
    time: '时间',
    channel: '渠道',
    grade: '评价',
    decision: '审核结果',
    decided: { confirmed: '已确认（不计入）', cleared: '已清除（计入）' } as Record<string, string>,
    undecided: '待审核（不计入）',
    channels: { ticket: '取号', placard: '窗口码', link: '链接' } as Record<string, string>,
    shownOf: (n: number, all: number) => `显示前 ${n} 条，共 ${all} 条；整组操作适用于全部。`,
    saved: (n: number) => `已记录 ${n} 条评价的审核结果，并写入审计记录。`,
    rules: {
      burst: '同一窗口短时集中评价',
      surge: '窗口全天评价远超平时',
      'cross-hall': '同一浏览器当天评价多个大厅',
      'outside-hours': '非办公时间扫窗口码评价',
      'identical-run': '连续相同的评价',
      'device-burst': '同一浏览器在一个大厅多次评价',
    } as Record<TFlag, string>,
    ev: {
      count: '条数',
      minutes: '历时（分钟）',
      peakPer10Min: '10分钟峰值',
      usualPer10Min: '平时每10分钟',
      timesUsual: '为平时的倍数',
      threshold: '阈值',
      windowPlacard: '窗口当天扫码评价',
      usualDaily: '平时日均评价',
      issued: '当天取号',
      halls: '当天评价的大厅数',
      graceMin: '宽限（分钟）',
      grade: '等级',
      gapSec: '间隔不超过（秒）',
      allowed: '允许次数',
    } as Record<string, string>,
  },
  en: {
    title: 'Appeals and suspicious-rating review',
    appeals: 'Appeals waiting for a decision',
    noAppeals: 'No appeals waiting.',
    appealsOverdue: (n: number) => `${n} appeal(s) past their decision deadline`,
    caseNo: 'Case',
    decideBy: 'Decide by',
    overdue: 'Overdue',
    flagged: 'Suspicious ratings',
    intro:
      'The nightly checks flagged these ratings as suspicious: they are kept, and left out of every score until a person ' +
      'reviews them. A flag is a reason to look, not a verdict. Confirm keeps them out; clear counts them again (the ' +
      "day's figures are recomputed the next night).",
    none: 'No flagged ratings.',
    stale: (n: number, d: number) => `Groups waiting more than ${d} days: ${n} (still left out of scores)`,
    pendingGroups: (n: number) => `Groups waiting for review: ${n}`,
    hall: 'Hall',
    day: 'Day',
    window: 'Window',
    rule: 'Rule',
    evidence: 'Evidence',
    ratings: 'Ratings',
    pending: 'Waiting',
    actions: 'Actions',
    confirmAll: 'Confirm all (left out)',
    clearAll: 'Clear all (counted)',
    confirm: 'Confirm',
    clear: 'Clear',
    open: 'Open',
    back: 'Back to the list',
    time: 'Time',
    channel: 'Channel',
    grade: 'Grade',
    decision: 'Review',
    decided: { confirmed: 'Confirmed (left out)', cleared: 'Cleared (counted)' } as Record<string, string>,
    undecided: 'Waiting (left out)',
    channels: { ticket: 'Ticket', placard: 'Placard', link: 'Link' } as Record<string, string>,
    shownOf: (n: number, all: number) => `The first ${n} of ${all}; the group's buttons apply to all.`,
    saved: (n: number) => `Recorded the review of ${n} rating(s), with an audit entry.`,
    rules: {
      burst: 'Burst at one window',
      surge: "A window's day far above its usual",
      'cross-hall': 'One browser, many halls in a day',
      'outside-hours': 'Placard rated outside opening hours',
      'identical-run': 'Run of identical ratings',
      'device-burst': 'One browser, many ratings in a hall',
    } as Record<TFlag, string>,
    ev: {
      count: 'ratings',
      minutes: 'minutes',
      peakPer10Min: 'peak per 10 min',
      usualPer10Min: 'usual per 10 min',
      timesUsual: '× usual',
      threshold: 'threshold',
      windowPlacard: "window's placard ratings that day",
      usualDaily: 'usual ratings a day',
      issued: 'tickets issued',
      halls: 'halls that day',
      graceMin: 'grace (min)',
      grade: 'grade',
      gapSec: 'gap at most (s)',
      allowed: 'allowed',
    } as Record<string, string>,
  },
};

export const REVIEW_CSS = `.ev{font-size:.92em;min-width:14em}.ev span{white-space:nowrap;margin-right:10px}
.scroll{overflow-x:auto;max-width:100%}.scroll table{min-width:760px}
form.inline{display:inline}form.inline .btn{margin:2px 4px 2px 0}.stale{color:#8c1d18;font-weight:700}`;

export const groupPath = (g: Pick<TReviewGroup, 'hallId' | 'day' | 'key'>) =>
  `/reviews/${encodeURIComponent(g.hallId)}/${g.day}/${encodeURIComponent(g.key)}`;

const evidence = (lang: TLang, ev: Record<string, number>) =>
  html`<div class="ev">${Object.entries(ev).map(([k, v]) => html`<span>${RW[lang].ev[k] ?? k} ${v}</span>`)}</div>`;

const decide = (lang: TLang, csrf: string, g: TReviewGroup, back: string, ratingId?: string) => {
  const w = RW[lang];
  const hidden = html`<input type="hidden" name="_csrf" value="${csrf}"><input type="hidden" name="back" value="${back}">${
    ratingId ? html`<input type="hidden" name="ratingId" value="${ratingId}">` : ''
  }`;
  const btn = (what: 'confirm' | 'clear', label: string, cls: string) =>
    html`<form class="inline" method="post" action="${groupPath(g)}/${what}?lang=${lang}">${hidden}
<button class="btn ${cls}" type="submit">${label}</button></form>`;
  return ratingId
    ? html`${btn('confirm', w.confirm, 'quiet')}${btn('clear', w.clear, 'quiet')}`
    : html`${btn('confirm', w.confirmAll, 'quiet')}${btn('clear', w.clearAll, 'quiet')}`;
};

export function reviewListBody(v: {
  lang: TLang;
  /** pending appeals in the scope, by decision deadline */
  appeals: { caseId: string; hallId: string; due: string; overdue: boolean }[];
  timeZone: string;
  csrf: string;
  rows: TReviewRow[];
  hallName: (id: string) => string;
  windowName: (hallId: string, id?: string) => string;
  mayDecide: boolean;
  saved?: number;
}): Html {
  const w = RW[v.lang];
  const stale = v.rows.filter((r) => r.stale).length;
  const waiting = v.rows.filter((r) => r.pending > 0).length;
  const overdue = v.appeals.filter((a) => a.overdue).length;
  const appeals = html`<h2>${w.appeals} <span class="muted">(${v.appeals.length})</span></h2>${
    v.appeals.length
      ? html`${overdue ? html`<p class="stale">${w.appealsOverdue(overdue)}</p>` : ''}<table><thead><tr><th scope="col">${w.caseNo}</th>
<th scope="col">${w.hall}</th><th scope="col">${w.decideBy}</th></tr></thead><tbody>${v.appeals.map(
          (a) => html`<tr><td><a href="/cases/${encodeURIComponent(a.caseId)}?lang=${v.lang}">${a.caseId}</a></td>
<td>${v.hallName(a.hallId)}</td>
<td class="when">${localTime(a.due, v.timeZone)}${a.overdue ? html` <span class="tag overdue">${w.overdue}</span>` : ''}</td></tr>`,
        )}</tbody></table>`
      : html`<p>${w.noAppeals}</p>`
  }`;
  const saved = v.saved ? html`<p role="status">${w.saved(v.saved)}</p>` : '';
  return html`<h1>${w.title}</h1>${appeals}<h2>${w.flagged}</h2><p>${w.intro}</p>${saved}
<p>${w.pendingGroups(waiting)}${stale ? html` · <span class="stale">${w.stale(stale, 7)}</span>` : ''}</p>
${
  v.rows.length
    ? html`<div class="scroll" tabindex="0" role="region" aria-label="${w.flagged}"><table><thead>
<tr><th scope="col">${w.hall}</th><th scope="col">${w.day}</th><th scope="col">${w.window}</th>
<th scope="col">${w.rule}</th><th scope="col">${w.evidence}</th><th scope="col">${w.ratings}</th><th scope="col">${w.pending}</th>
<th scope="col">${w.actions}</th></tr></thead><tbody>
${v.rows.map(
  (g) => html`<tr><td>${v.hallName(g.hallId)}</td><td class="when">${g.day}</td><td>${v.windowName(g.hallId, g.windowId)}</td>
<td>${w.rules[g.rule] ?? g.rule}</td><td>${evidence(v.lang, g.evidence)}</td><td>${g.ratingIds.length}</td>
<td>${g.pending ? html`<strong${g.stale ? html` class="stale"` : ''}>${g.pending}</strong>` : '0'}</td>
<td><a href="${groupPath(g)}?lang=${v.lang}">${w.open}</a>
${v.mayDecide && g.pending ? decide(v.lang, v.csrf, g, '/reviews') : ''}</td></tr>`,
)}</tbody></table></div>`
    : html`<p>${w.none}</p>`
}`;
}

export function reviewGroupBody(v: {
  lang: TLang;
  csrf: string;
  group: TReviewGroup;
  ratings: TRating[];
  hallName: string;
  windowName: string;
  timeZone: string;
  mayDecide: boolean;
  saved?: number;
}): Html {
  const w = RW[v.lang];
  const g = v.group;
  const back = groupPath(g);
  return html`<p><a href="/reviews?lang=${v.lang}">${w.back}</a></p>
<h1>${w.rules[g.rule] ?? g.rule} · ${v.hallName} · ${g.day}</h1>${v.saved ? html`<p role="status">${w.saved(v.saved)}</p>` : ''}
<dl class="facts"><dt>${w.window}</dt><dd>${v.windowName}</dd><dt>${w.time}</dt>
<dd>${localTime(g.from, v.timeZone)} – ${localTime(g.to, v.timeZone)}</dd>
<dt>${w.evidence}</dt><dd>${evidence(v.lang, g.evidence)}</dd></dl>
${v.mayDecide ? html`<p>${decide(v.lang, v.csrf, g, back)}</p>` : ''}
${v.ratings.length < g.ratingIds.length ? html`<p>${w.shownOf(v.ratings.length, g.ratingIds.length)}</p>` : ''}
<div class="scroll" tabindex="0" role="region" aria-label="${w.ratings}"><table><thead>
<tr><th scope="col">${w.time}</th><th scope="col">${w.channel}</th><th scope="col">${w.grade}</th>
<th scope="col">${w.decision}</th>${v.mayDecide ? html`<th scope="col">${w.actions}</th>` : ''}</tr></thead><tbody>
${v.ratings.map((r) => {
  const d = decisionOf(g, r.ratingId);
  return html`<tr><td class="when">${localTime(r.createdAt, v.timeZone)}</td><td>${w.channels[r.channel] ?? r.channel}</td>
<td>${r.overall}</td><td>${d ? w.decided[d] : w.undecided}</td>
${v.mayDecide ? html`<td>${decide(v.lang, v.csrf, g, back, r.ratingId)}</td>` : ''}</tr>`;
})}</tbody></table></div>`;
}
