/** The resident's survey page, rendered on the server so it works with JavaScript off and on a weak signal. */
import { html, raw } from 'hono/html';
import { DIMENSIONS, DONE_LABELS, GRADE_LABELS, GRADES, TRIPS_LABELS, type TDimension } from '../../domain/grades.js';
import { NATIONAL_DEFAULT, type TSurveyDefinition, type TTag } from '../../domain/survey.js';
import { T, type TLang } from './i18n.js';
import { page } from './layout.js';
import { face } from './marks.js';
import { SURVEY_SCRIPT } from './survey-script.js';

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
  extra?: Record<string, string>;
}

export interface TSurveyView {
  /** The hall's survey definition (domain/survey.ts): its tags, the questions shown, extra questions, intro. */
  definition?: TSurveyDefinition;
  lang: TLang;
  nonce: string;
  token: string;
  hallName: string;
  windowName: string;
  submissionId: string;
  values?: TSurveyValues;
  errors?: string[];
}

/** The phone field's fixed attributes: digits keyboard, autofill, room for spaces between the 11 digits. */
const PHONE_ATTRS = raw('inputmode="numeric" autocomplete="tel" maxlength="13"');

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
  const opt = html`<span class="small">${w.optional}</span>`;
  /** A visually hidden radio button with its visible label; `required` only on the overall grade. */
  const radio = (name: string, id: string, value: string | number, on: boolean, label: unknown, required = false) => {
    const attrs = html`id="${id}" name="${name}" value="${value}"${required ? ' required' : ''}`;
    const input = html`<input class="vh" type="radio" ${attrs} ${checked(on)}>`;
    return html`${input}<label for="${id}">${label}</label>`;
  };
  const def = v.definition ?? NATIONAL_DEFAULT;
  const chip = (tag: TTag) => {
    const box = html`<input type="checkbox" name="reasons" value="${tag.code}" ${checked(!!val.reasons?.includes(tag.code))}>`;
    return html`<label class="chip">${box}${tag[l]}</label>`;
  };
  // A bad rating's missing reason is said here, at the reasons (the script moves focus here too), not by the button.
  const reasonError = v.errors?.includes(w.pickReason) ? w.pickReason : '';
  const reasonMsg = html`<p id="rmsg" class="msg" role="alert">${reasonError}</p>`;
  const tagGroup = (cls: 'bad' | 'mid' | 'good', legend: string) =>
    def.tags[cls].length
      ? html`<fieldset class="tags ${cls}"><legend>${legend}</legend>${cls === 'bad' ? reasonMsg : ''}${def.tags[cls].map(chip)}
</fieldset>`
      : '';
  const gradeRow = (name: string, legend: string, current?: number) =>
    html`<fieldset class="opt"><legend>${legend}</legend><div class="row">${GRADES.map((g) =>
      radio(name, `${name}${g}`, g, current === g, GRADE_LABELS[g][l]),
    )}</div></fieldset>`;
  const langHref = l === 'en' ? self : `${self}?lang=en`;
  const langLink = html`<a class="lang" href="${langHref}" lang="${l === 'en' ? 'zh-CN' : 'en'}">${w.switchLang}</a>`;
  const top = html`<div class="top"><p class="hall">${v.hallName} · ${v.windowName}</p>${langLink}</div>`;
  const otherErrors = v.errors?.filter((e) => e !== reasonError);
  const errorItems = otherErrors?.map((e) => html`<li>${e}</li>`);
  const errorBox = otherErrors?.length
    ? html`<div class="err" role="alert"><strong>${w.errorTitle}</strong><ul>${errorItems}</ul></div>`
    : '';
  const grouped = val.overall ? html` data-g="${val.overall <= 2 ? 'bad' : val.overall === 3 ? 'mid' : 'good'}"` : '';
  const data = html`data-ticket="${v.token}" data-sub="${v.submissionId}" data-lang="${l}" data-thanks="/r/thanks?lang=${l}"`;
  const caseAttr = html`data-case="${self}/case?lang=${l}"`;
  const links = html`data-rated="${self}${q}" ${caseAttr}`;
  const formOpen = html`<form id="f" method="post" action="${self}${q}" ${data} ${links} data-msgs="${msgs}"${grouped}>`;
  const overall = GRADES.map((g) => radio('overall', `g${g}`, g, val.overall === g, html`${face(g)}${GRADE_LABELS[g][l]}`, true));
  const tags = [
    tagGroup('bad', w.reasonsBad),
    tagGroup('mid', `${w.reasonsMid} ${w.optional}`),
    tagGroup('good', `${w.reasonsGood} ${w.optional}`),
  ];
  const trips = ([1, 2, 3] as const).map((n) => radio('trips', `t${n}`, n, val.trips === n, TRIPS_LABELS[n][l]));
  const done = (['yes', 'partly', 'no'] as const).map((d) => radio('done', `d-${d}`, d, val.done === d, DONE_LABELS[d][l]));
  const moreOpen = val.attitude || val.efficiency || val.competence ? ' open' : '';
  const dims = (Object.keys(DIMENSIONS) as TDimension[]).filter((d) => def.questions[d]).map((d) => gradeRow(d, DIMENSIONS[d][l], val[d]));
  // The definition's extra single-choice questions (reported as distributions, never scored): x_<code> = <option>.
  const extra = def.extra.map((x) => {
    const options = x.options.map((o) => radio(`x_${x.code}`, `x-${x.code}-${o.code}`, o.code, val.extra?.[x.code] === o.code, o[l]));
    return html`<fieldset class="opt"><legend>${x[l]} ${opt}</legend><div class="row">${options}</div></fieldset>`;
  });
  const comment = html`<textarea id="cm" name="comment" maxlength="500" rows="3">${val.comment ?? ''}</textarea>`;
  const phone = html`<input id="ph" type="tel" name="phone" ${PHONE_ATTRS} value="${val.phone ?? ''}">`;
  const consent = html`<label class="chip"><input type="checkbox" name="consent" value="1" ${checked(!!val.consent)}>${w.consent}</label>`;
  // The send bar sits outside the scrolling part (button form="f"), so it is always in view and covers nothing.
  const send = html`<div class="send"><p id="msg" class="msg" role="status" aria-live="polite"></p>
<button type="submit" form="f">${w.submit}</button></div>`;
  const body = html`<div class="scroll">${top}
<h1>${w.heading}</h1><p class="hint">${def.intro[l]}</p>
${errorBox}
${formOpen}
<input type="hidden" name="submissionId" value="${v.submissionId}"><input type="hidden" name="lang" value="${l}">
<fieldset class="opt"><legend>${w.overall} <span class="small">${w.required}</span></legend>${overall}</fieldset>
${tags}
${def.questions.trips ? html`<fieldset class="opt"><legend>${w.trips} ${opt}</legend><div class="row">${trips}</div></fieldset>` : ''}
${def.questions.done ? html`<fieldset class="opt"><legend>${w.done} ${opt}</legend><div class="row">${done}</div></fieldset>` : ''}
${extra}
${dims.length ? html`<details${moreOpen}><summary>${w.more} ${w.optional}</summary>${dims}</details>` : ''}
<p><label for="cm">${w.comment} ${opt}</label>${comment}</p>
<fieldset class="contact"><legend>${w.contact} ${opt}</legend><label for="ph">${w.phone}</label>${phone}${consent}</fieldset>
</form><p class="small">${w.privacy}</p></div>${send}`;
  return page({ lang: l, nonce: v.nonce, title: w.title, body, script: SURVEY_SCRIPT });
}
