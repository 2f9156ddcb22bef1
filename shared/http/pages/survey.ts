/** The resident's survey page, rendered on the server so it works with JavaScript off and on a weak signal. */
import { html, raw } from 'hono/html';
import {
  DIMENSIONS,
  DONE_LABELS,
  GRADE_LABELS,
  GRADES,
  REASONS,
  TRIPS_LABELS,
  reasonsForGrade,
  type TDimension,
} from '../../domain/grades.js';
import { T, type TLang } from './i18n.js';
import { page } from './layout.js';
import { SURVEY_SCRIPT } from './survey-script.js';

/**
 * Faces drawn as tiny inline SVG rather than emoji: older phones lack the newer emoji and show empty boxes.
 * The mouth curves from a smile (5) to a frown (1); the word beside it carries the meaning, not the colour.
 */
const MOUTHS: Record<number, [string, string]> = {
  5: ['M8 14q4 5 8 0', '#1e7d32'],
  4: ['M8 15q4 3 8 0', '#2e7d32'],
  3: ['M8 15h8', '#6b5d00'],
  2: ['M8 17q4-3 8 0', '#b3261e'],
  1: ['M8 18q4-5 8 0', '#b3261e'],
};
const face = (g: number) => {
  const [d, color] = MOUTHS[g];
  return raw(
    `<svg class="face" viewBox="0 0 24 24" width="36" height="36" aria-hidden="true" focusable="false"><circle cx="12" cy="12" r="10.5" fill="none" stroke="${color}" stroke-width="2"/><circle cx="8.5" cy="9.5" r="1.4" fill="${color}"/><circle cx="15.5" cy="9.5" r="1.4" fill="${color}"/><path d="${d}" fill="none" stroke="${color}" stroke-width="2" stroke-linecap="round"/></svg>`,
  );
};

export interface TSurveyValues {
  overall?: number;
  attitude?: number;
  efficiency?: number;
  competence?: number;
  trips?: number;
  done?: string;
  reasons?: string[];
  comment?: string;
  phone?: string;
  consent?: boolean;
}

export interface TSurveyView {
  lang: TLang;
  nonce: string;
  token: string;
  hallName: string;
  windowName: string;
  submissionId: string;
  values?: TSurveyValues;
  errors?: string[];
}

export function surveyPage(v: TSurveyView) {
  const w = T[v.lang];
  const val = v.values ?? {};
  const l = v.lang;
  const self = `/r/${v.token}`;
  const q = l === 'en' ? '?lang=en' : '';
  const checked = (on: boolean) => (on ? 'checked' : '');
  const msgs = JSON.stringify({
    sending: w.sending,
    offline: w.offline,
    pickGrade: w.pickGrade,
    pickReason: w.pickReason,
    badPhone: w.badPhone,
    error: w.errorPageBody,
    '/problems/validation-failed': w.pickReason,
    '/problems/placard-limit': w.limitBody,
    '/problems/ticket-expired': w.expiredBody,
    '/problems/invalid-ticket': w.invalidBody,
  });
  const tagGroup = (cls: string, grade: number, legend: string) =>
    html`<fieldset class="tags ${cls}"><legend>${legend}</legend>${reasonsForGrade(grade).map(
      (tag) =>
        html`<label class="chip"><input type="checkbox" name="reasons" value="${tag}" ${checked(!!val.reasons?.includes(tag))}>${REASONS[tag][l]}</label>`,
    )}</fieldset>`;
  const gradeRow = (name: string, legend: string, current?: number) =>
    html`<fieldset class="opt"><legend>${legend}</legend><div class="row">${GRADES.map(
      (g) =>
        html`<input class="vh" type="radio" id="${name}${g}" name="${name}" value="${g}" ${checked(current === g)}><label for="${name}${g}">${GRADE_LABELS[g][l]}</label>`,
    )}</div></fieldset>`;
  const body = html`<div class="top"><p class="hall">${v.hallName} · ${v.windowName}</p><a class="lang" href="${l === 'en' ? self : `${self}?lang=en`}" lang="${l === 'en' ? 'zh-CN' : 'en'}">${w.switchLang}</a></div>
<h1>${w.heading}</h1><p class="hint">${w.hint}</p>
${v.errors?.length ? html`<div class="err" role="alert"><strong>${w.errorTitle}</strong><ul>${v.errors.map((e) => html`<li>${e}</li>`)}</ul></div>` : ''}
<form id="f" method="post" action="${self}${q}" data-ticket="${v.token}" data-sub="${v.submissionId}" data-lang="${l}" data-thanks="/r/thanks?lang=${l}" data-rated="${self}${q}" data-case="${self}/case?lang=${l}" data-msgs="${msgs}"${val.overall ? html` data-g="${val.overall <= 2 ? 'bad' : val.overall === 3 ? 'mid' : 'good'}"` : ''}>
<input type="hidden" name="submissionId" value="${v.submissionId}"><input type="hidden" name="lang" value="${l}">
<fieldset class="opt"><legend>${w.overall} <span class="small">${w.required}</span></legend>${GRADES.map(
    (g) =>
      html`<input class="vh" type="radio" id="g${g}" name="overall" value="${g}" required ${checked(val.overall === g)}><label for="g${g}">${face(g)}${GRADE_LABELS[g][l]}</label>`,
  )}</fieldset>
${tagGroup('bad', 1, w.reasonsBad)}${tagGroup('mid', 3, `${w.reasonsMid} ${w.optional}`)}${tagGroup('good', 5, `${w.reasonsGood} ${w.optional}`)}
<fieldset class="opt"><legend>${w.trips} <span class="small">${w.optional}</span></legend><div class="row">${([1, 2, 3] as const).map(
    (n) =>
      html`<input class="vh" type="radio" id="t${n}" name="trips" value="${n}" ${checked(val.trips === n)}><label for="t${n}">${TRIPS_LABELS[n][l]}</label>`,
  )}</div></fieldset>
<fieldset class="opt"><legend>${w.done} <span class="small">${w.optional}</span></legend><div class="row">${(
    ['yes', 'partly', 'no'] as const
  ).map(
    (d) =>
      html`<input class="vh" type="radio" id="d-${d}" name="done" value="${d}" ${checked(val.done === d)}><label for="d-${d}">${DONE_LABELS[d][l]}</label>`,
  )}</div></fieldset>
<details${val.attitude || val.efficiency || val.competence ? ' open' : ''}><summary>${w.more} ${w.optional}</summary>${(Object.keys(DIMENSIONS) as TDimension[]).map((d) => gradeRow(d, DIMENSIONS[d][l], val[d]))}</details>
<p><label for="cm">${w.comment} <span class="small">${w.optional}</span></label><textarea id="cm" name="comment" maxlength="500" rows="3">${val.comment ?? ''}</textarea></p>
<fieldset class="contact"><legend>${w.contact} <span class="small">${w.optional}</span></legend><label for="ph">${w.phone}</label><input id="ph" type="tel" name="phone" inputmode="numeric" autocomplete="tel" maxlength="13" value="${val.phone ?? ''}"><label class="chip"><input type="checkbox" name="consent" value="1" ${checked(!!val.consent)}>${w.consent}</label></fieldset>
<p id="msg" class="msg" role="status" aria-live="polite"></p>
<button type="submit">${w.submit}</button>
</form><p class="small">${w.privacy}</p>`;
  return page({ lang: l, nonce: v.nonce, title: w.title, body, script: SURVEY_SCRIPT });
}
