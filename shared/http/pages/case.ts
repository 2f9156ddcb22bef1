/**
 * The resident's case page (SPEC §2, §5): what happens to their bad rating, in plain words, and once the hall has
 * answered, the one-time 追评 as a plain form (works with JavaScript off). It is also the thank-you page right after
 * a bad rating (`thanks`), then with the way back to it. Only the state, the deadline and the hall's public reply
 * are shown — never the internal fix, an appeal's evidence or any staff name. The hall writes its reply in Chinese,
 * so on the English page it is marked lang="zh-CN" for screen readers.
 */
import { html, raw } from 'hono/html';
import { FOLLOW_UP_GRADES, type TCaseState } from '../../domain/cases.js';
import type { TResidentStatus } from '../../domain/case-wording.js';
import { CASE_T } from './case-words.js';
import { T, type TLang } from './i18n.js';
import { page } from './layout.js';

export type TFollowUpGrade = (typeof FOLLOW_UP_GRADES)[number];

/** The resident words a case page uses: the survey's shared ones and the case page's own. */
export const caseWords = (lang: TLang) => ({ ...T[lang], ...CASE_T[lang] });

export interface TCaseView {
  lang: TLang;
  nonce: string;
  /** the case page's own path: /r/<ticket> or /c/<case link> */
  self: string;
  hallName: string;
  state: TCaseState;
  status: TResidentStatus;
  /** right after rating: the thank-you version, with how to come back */
  thanks?: boolean;
  /** on the thank-you page: the case link to photograph or bookmark, and its QR code (SVG) */
  follow?: { url: string; qr: string };
  /** a 追评 just taken: closed, or sent back for rework */
  done?: 'closed' | 'rework';
  errors?: string[];
  values?: { grade?: string; comment?: string };
}

const CSS = `.status{font-size:1.1em;font-weight:700;border-left:6px solid #0b5cad;background:#e3eefa;padding:12px 14px;
border-radius:8px}.steps{display:flex;list-style:none;padding:0;margin:18px 0;gap:4px;font-size:.8em}
.steps li{flex:1;text-align:center;padding:8px 2px;border-top:6px solid #c5ccd3;color:#3d4650}
.steps .on{border-color:#0b5cad;color:#1a1a1a}.steps [aria-current]{font-weight:700}h2{font-size:1.15em;margin:22px 0 8px}
blockquote{margin:0;padding:12px 14px;border:2px solid #6b7580;border-radius:10px;white-space:pre-wrap}
.ok{border:2px solid #1e7d32;background:#e8f5e9;padding:10px 14px;border-radius:10px}
.qr svg{width:220px;height:auto;display:block;margin:8px auto}.url{word-break:break-all}.nw{white-space:nowrap}`;

/** A date in the headline ("12月22日", "22 Dec") never breaks across lines. */
const keepDates = (text: string) =>
  text.split(/(\d{1,2}月\d{1,2}日|\d{1,2} [A-Z][a-z]{2})/).map((part, i) => (i % 2 ? html`<span class="nw">${part}</span>` : part));

function followUpForm(v: TCaseView) {
  const w = caseWords(v.lang);
  const q = v.lang === 'en' ? '?lang=en' : '';
  const errors = v.errors?.length
    ? html`<div class="err" role="alert"><strong>${w.errorTitle}</strong><ul>${v.errors.map((e) => html`<li>${e}</li>`)}</ul></div>`
    : '';
  const grades = FOLLOW_UP_GRADES.map(
    (g) =>
      html`<input class="vh" type="radio" id="f-${g}" name="grade" value="${g}" required ${v.values?.grade === g ? 'checked' : ''}>
<label for="f-${g}">${w.fuGrades[g]}</label>`,
  );
  return html`<form method="post" action="${v.self}/follow-up${q}"><input type="hidden" name="lang" value="${v.lang}">${errors}
<fieldset class="opt"><legend>${w.fuLegend}</legend>${grades}</fieldset>
<p><label for="cm">${w.fuComment} <span class="small">${w.optional}</span></label>
<textarea id="cm" name="comment" maxlength="500" rows="3">${v.values?.comment ?? ''}</textarea></p>
<button type="submit">${w.fuSubmit}</button><p class="small">${w.fuOnce}</p></form>`;
}

export function casePage(v: TCaseView) {
  const w = caseWords(v.lang);
  const l = v.lang;
  const q = l === 'en' ? '?lang=en' : '';
  // While an appeal pauses the case its headline says so; the steps would only confuse.
  const step = { open: 0, contacted: 1, rectified: 2, appealed: -1, closed: 3 }[v.state];
  const steps =
    step < 0
      ? ''
      : html`<ol class="steps" aria-label="${w.stepsLabel}">${w.steps.map(
          (s, i) => html`<li class="${i <= step ? 'on' : ''}"${i === step ? raw(' aria-current="step"') : ''}>${s}</li>`,
        )}</ol>`;
  const follow = v.follow
    ? html`<h2>${w.followLink}</h2><div class="qr" role="img" aria-label="${w.followLink} QR">${raw(v.follow.qr)}</div>
<p>${w.followPlacard}</p><p class="small url"><a href="${v.follow.url}${q}">${v.follow.url}</a></p>`
    : '';
  const top = html`<div class="top"><p class="hall">${v.hallName}</p>
<a class="lang" href="${v.self}${l === 'en' ? '' : '?lang=en'}" lang="${l === 'en' ? 'zh-CN' : 'en'}">${w.switchLang}</a></div>`;
  const done = v.done ? html`<p class="ok" role="status">${v.done === 'rework' ? w.fuRework : w.fuThanks}</p>` : '';
  const reply = v.status.reply
    ? html`<h2>${w.replyTitle}</h2><blockquote${raw(l === 'en' ? ' lang="zh-CN"' : '')}>${v.status.reply}</blockquote>`
    : '';
  const body = html`<style nonce="${v.nonce}">${raw(CSS)}</style>${top}
<h1>${v.thanks ? w.thanksTitle : w.caseTitle}</h1>${v.thanks ? html`<p>${w.sorry}</p>` : ''}${done}
<p class="status">${keepDates(v.status.headline)}</p>${steps}${reply}${v.status.canFollowUp ? followUpForm(v) : ''}${follow}`;
  return page({ lang: l, nonce: v.nonce, title: v.thanks ? w.thanksTitle : w.caseTitle, body });
}
