/**
 * The survey definition editor (issue 16): a form an administrator can use instead of JSON. The optional questions
 * as checkboxes, the reason tags of each grade group as rows (code, 中文, English, remove), up to three extra
 * single-choice questions with their options as rows, and the intro text. Works without JavaScript: every list ends
 * in blank rows to fill (saving brings fresh ones), a row is removed by its checkbox. The posted form becomes a
 * candidate definition checked by the same zod schema (ZSurveyDefinition); each refusal is shown next to its field,
 * Chinese first, and the form comes back as posted.
 */
import { html } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import type { TSurveyDefinition } from '../../domain/survey.js';
import { SURVEY_LIMITS } from '../../domain/survey.js';

type TRow = { code: string; zh: string; en: string };
type TQuestion = TRow & { options: TRow[] };
const GROUPS = ['bad', 'mid', 'good'] as const;
const QUESTIONS = ['attitude', 'efficiency', 'competence', 'trips', 'done'] as const;

/** What the editor shows: a definition, or a posted form that did not pass (rows as posted, blanks dropped). */
export interface TEditorState {
  questions: Record<(typeof QUESTIONS)[number], boolean>;
  tags: Record<(typeof GROUPS)[number], TRow[]>;
  extra: TQuestion[];
  intro: { zh: string; en: string };
}

const BLANK_ROWS = 2;
const f = {
  q: (q: string) => `q-${q}`,
  tag: (g: string, i: number, part: string) => `tag-${g}-${i}-${part}`,
  x: (e: number, part: string) => `x-${e}-${part}`,
  opt: (e: number, j: number, part: string) => `x-${e}-opt-${j}-${part}`,
};

/** A definition as the form's fields (what a browser posts when nothing is changed). */
export function editorFields(d: TSurveyDefinition): Record<string, string> {
  const out: Record<string, string> = { 'intro-zh': d.intro.zh, 'intro-en': d.intro.en };
  for (const q of QUESTIONS) if (d.questions[q]) out[f.q(q)] = 'on';
  for (const g of GROUPS)
    d.tags[g].forEach((t, i) => {
      for (const p of ['code', 'zh', 'en'] as const) out[f.tag(g, i, p)] = t[p];
    });
  d.extra.forEach((q, e) => {
    for (const p of ['code', 'zh', 'en'] as const) out[f.x(e, p)] = q[p];
    q.options.forEach((o, j) => {
      for (const p of ['code', 'zh', 'en'] as const) out[f.opt(e, j, p)] = o[p];
    });
  });
  return out;
}

const str = (v: unknown) => (typeof v === 'string' ? v.trim() : '');
const MAX_ROWS = 40;

/** Rows `prefix-<i>-code|zh|en` of a form, in order, without blank ones and those marked for removal. */
function rowsOf(form: Record<string, unknown>, name: (i: number, part: string) => string): TRow[] {
  const out: TRow[] = [];
  for (let i = 0; i < MAX_ROWS; i++) {
    const row = { code: str(form[name(i, 'code')]), zh: str(form[name(i, 'zh')]), en: str(form[name(i, 'en')]) };
    if (form[name(i, 'del')] || (!row.code && !row.zh && !row.en)) continue;
    out.push(row);
  }
  return out;
}

/** The posted form as the editor's state (also the candidate definition: the same shape). */
export function readEditorForm(form: Record<string, unknown>): TEditorState {
  const extra: TQuestion[] = [];
  for (let e = 0; e < MAX_ROWS; e++) {
    const head = { code: str(form[f.x(e, 'code')]), zh: str(form[f.x(e, 'zh')]), en: str(form[f.x(e, 'en')]) };
    const options = rowsOf(form, (j, p) => f.opt(e, j, p));
    if (form[f.x(e, 'del')] || (!head.code && !head.zh && !head.en && !options.length)) continue;
    extra.push({ ...head, options });
  }
  return {
    questions: Object.fromEntries(QUESTIONS.map((q) => [q, Boolean(form[f.q(q)])])) as TEditorState['questions'],
    tags: Object.fromEntries(GROUPS.map((g) => [g, rowsOf(form, (i, p) => f.tag(g, i, p))])) as TEditorState['tags'],
    extra,
    intro: { zh: str(form['intro-zh']), en: str(form['intro-en']) },
  };
}

/** The field a schema issue is about (its path in the definition → the input's name, or the group's fieldset). */
export function fieldOfPath(path: readonly PropertyKey[]): string {
  const [a, b, c, d, e] = path.map(String);
  if (a === 'intro') return `intro-${b ?? 'zh'}`;
  if (a === 'questions') return 'questions';
  if (a === 'tags') return b === undefined ? 'tags' : c === undefined ? `tag-${b}` : f.tag(b, Number(c), d ?? 'code');
  if (a === 'extra') {
    if (b === undefined) return 'extra';
    if (c === 'options') return d === undefined ? f.x(Number(b), 'options') : f.opt(Number(b), Number(d), e ?? 'code');
    return f.x(Number(b), c ?? 'code');
  }
  return 'definition';
}

/** The schema's messages, Chinese first (the schema speaks English; an unknown one is shown as it is). */
export function messageWords(message: string): string {
  const known: [RegExp, (m: RegExpExecArray) => string][] = [
    [/^a code is /, () => '代码为 1–24 位小写字母、数字或“_”，以字母开头'],
    [/^a Chinese label is required/, () => '请填写中文'],
    [/^an English label is required/, () => '请填写英文'],
    [/^at most (\d+) characters/, (m) => `最多 ${m[1]} 个字符`],
    [/^a tag code is a national one/, () => '原因代码须为全国通用代码，或以“c_”开头的自定义代码'],
    [/^a question needs at least 2 options/, () => '每个附加问题至少要有 2 个选项'],
    [/^at most \d+ extra questions/, () => `最多 ${SURVEY_LIMITS.extra} 个附加问题`],
    [/^a tag code appears twice/, () => '同一组里有重复的原因代码'],
    [/^a tag code has different labels/, () => '同一个原因代码在不同组里的中英文名称不一致'],
    [/^an extra question or option code appears twice/, () => '附加问题或选项的代码重复'],
    [/>=\s*1|at least 1|too small/i, () => '此处至少要有一项'],
  ];
  for (const [re, zh] of known) {
    const m = re.exec(message);
    if (m) return `${zh(m)}。${message}`;
  }
  return message;
}

export type TEditorErrors = Map<string, string[]>;

const W = {
  questions: '显示的可选问题 Optional questions shown',
  questionNames: {
    attitude: '服务态度 Attitude',
    efficiency: '服务效率 Efficiency',
    competence: '服务水平 Competence',
    trips: '跑了几次 Trips',
    done: '办成了吗 Done today',
  },
  overall: '总体评价始终必答。The overall grade is always asked.',
  tags: '各档评价的原因标签 Reason tags by grade',
  groups: { bad: '不满意（1–2 分，至少一项）Bad (1–2, at least one)', mid: '基本满意（3 分）Fair (3)', good: '满意（4–5 分）Good (4–5)' },
  code: '代码 Code',
  zh: '中文',
  en: 'English',
  remove: '删除 Remove',
  codeHint: '全国通用代码（如 wait_long）或自定义代码 c_…；旧评价按其所答版本显示名称。National code (e.g. wait_long) or your own c_…',
  blankHint: `空行用于添加；保存后会再出现新的空行。Blank rows add; saving brings fresh ones.`,
  extra: `附加单选问题（最多 ${SURVEY_LIMITS.extra} 个，只统计分布，不计入服务温度）Extra single-choice questions (reported only)`,
  question: '问题',
  options: '选项 Options',
  intro: '开头说明 Intro text',
  save: '保存为新版本 Save as a new version',
};

const input = (name: string, value: string, label: string, errors: TEditorErrors, max?: number) => {
  const errs = errors.get(name);
  const describedBy = errs ? html` aria-invalid="true" aria-describedby="e-${name}"` : '';
  const maxAttr = max ? html` maxlength="${max}"` : '';
  const err = errs ? html`<span class="err" id="e-${name}">${errs.join(' ')}</span>` : '';
  return html`<label class="cell"><span class="vh">${label}</span>
<input name="${name}" id="${name}" value="${value}"${maxAttr}${describedBy}>${err}</label>`;
};
const groupError = (name: string, errors: TEditorErrors) => {
  const errs = errors.get(name);
  return errs ? html`<p class="err" id="e-${name}" role="alert">${errs.join(' ')}</p>` : '';
};

/** One table of rows: code, 中文, English, remove; then blank rows to add. */
function rowsTable(
  rows: TRow[],
  name: (i: number, part: string) => string,
  blanks: number,
  limits: { zh: number; en: number },
  errors: TEditorErrors,
  caption: string,
) {
  const all = [...rows, ...Array.from({ length: blanks }, () => ({ code: '', zh: '', en: '' }))];
  const tr = (r: TRow, i: number) => {
    const del =
      i < rows.length
        ? html`<label class="del"><input type="checkbox" name="${name(i, 'del')}" value="1"> ${W.remove}</label>`
        : html`<span class="muted">新增 new</span>`;
    return html`<tr><td>${input(name(i, 'code'), r.code, `${caption} ${i + 1} ${W.code}`, errors, 24)}</td>
<td>${input(name(i, 'zh'), r.zh, `${caption} ${i + 1} ${W.zh}`, errors, limits.zh)}</td>
<td>${input(name(i, 'en'), r.en, `${caption} ${i + 1} ${W.en}`, errors, limits.en)}</td><td>${del}</td></tr>`;
  };
  return html`<table class="rows"><caption class="vh">${caption}</caption>
<thead><tr><th scope="col">${W.code}</th><th scope="col">${W.zh}</th><th scope="col">${W.en}</th><th scope="col"></th></tr></thead>
<tbody>${all.map(tr)}</tbody></table>`;
}

export const EDITOR_CSS =
  '.vh{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}' +
  'fieldset{border:1px solid #c9d1d9;border-radius:8px;margin:0 0 16px;padding:8px 12px}legend{font-weight:700;padding:0 4px}' +
  'table.rows{border-collapse:collapse;width:100%;margin:4px 0 8px;table-layout:fixed}' +
  'table.rows th:nth-child(1),table.rows th:nth-child(2){width:24%}table.rows th:nth-child(4){width:17%}' +
  'table.rows th{text-align:left;font-weight:600;padding:2px 6px}' +
  'table.rows td{padding:2px 6px;vertical-align:top}table.rows input:not([type=checkbox]){font:inherit;width:100%;' +
  'box-sizing:border-box;min-height:40px;padding:4px 8px;border:1px solid #5b6570;border-radius:6px}' +
  'table.rows [aria-invalid=true]{border:2px solid #b3261e}.cell{display:block}.del{white-space:nowrap;display:inline-block;' +
  'min-height:40px;line-height:40px}.checks label{display:inline-block;margin:0 16px 4px 0;min-height:44px;line-height:44px}' +
  '.checks input,.del input{width:20px;height:20px;vertical-align:middle}textarea.intro{font:inherit;width:100%;box-sizing:border-box}' +
  '.q{border-top:1px dashed #c9d1d9;padding-top:8px;margin-top:8px}.q:first-of-type{border-top:0}';

/** The editor form. */
export function editorForm(o: {
  state: TEditorState;
  errors: TEditorErrors;
  csrf: string;
  scope: string;
  lang: 'zh' | 'en';
}): HtmlEscapedString | Promise<HtmlEscapedString> {
  const { state, errors } = o;
  const checks = QUESTIONS.map(
    (q) => html`<label><input type="checkbox" name="${f.q(q)}"${state.questions[q] ? ' checked' : ''}> ${W.questionNames[q]}</label>`,
  );
  const limits = { zh: SURVEY_LIMITS.tagZh, en: SURVEY_LIMITS.tagEn };
  const groups = GROUPS.map(
    (g) => html`<h3 id="tag-${g}">${W.groups[g]}</h3>${groupError(`tag-${g}`, errors)}
${rowsTable(
  state.tags[g],
  (i, p) => f.tag(g, i, p),
  Math.max(0, Math.min(BLANK_ROWS, SURVEY_LIMITS.tagsPerGroup - state.tags[g].length)),
  limits,
  errors,
  W.groups[g],
)}`,
  );
  const blankQuestion = state.extra.length < SURVEY_LIMITS.extra ? [{ code: '', zh: '', en: '', options: [] }] : [];
  const questions = [...state.extra, ...blankQuestion].map((q, e) => {
    const isNew = e >= state.extra.length;
    const del = isNew
      ? html`<span class="muted">新增问题 new question</span>`
      : html`<label class="del"><input type="checkbox" name="${f.x(e, 'del')}" value="1"> ${W.remove}</label>`;
    const blanks = Math.max(0, Math.min(isNew ? 3 : BLANK_ROWS, SURVEY_LIMITS.options - q.options.length));
    return html`<div class="q"><h3>${W.question} ${e + 1}</h3>${groupError(f.x(e, 'options'), errors)}
<table class="rows"><caption class="vh">${W.question} ${e + 1}</caption>
<thead><tr><th scope="col">${W.code}</th><th scope="col">${W.zh}</th><th scope="col">${W.en}</th><th scope="col"></th></tr></thead>
<tbody><tr><td>${input(f.x(e, 'code'), q.code, `${W.question} ${e + 1} ${W.code}`, errors, 24)}</td>
<td>${input(f.x(e, 'zh'), q.zh, `${W.question} ${e + 1} ${W.zh}`, errors, SURVEY_LIMITS.questionZh)}</td>
<td>${input(f.x(e, 'en'), q.en, `${W.question} ${e + 1} ${W.en}`, errors, SURVEY_LIMITS.questionEn)}</td>
<td>${del}</td></tr></tbody></table>
<p><strong>${W.options}</strong></p>
${rowsTable(q.options, (j, p) => f.opt(e, j, p), blanks, limits, errors, `${W.question} ${e + 1} ${W.options}`)}</div>`;
  });
  const intro = (l: 'zh' | 'en') => {
    const name = `intro-${l}`;
    const errs = errors.get(name);
    const max = l === 'zh' ? SURVEY_LIMITS.introZh : SURVEY_LIMITS.introZh * 3;
    return html`<div class="field"><label for="${name}">${l === 'zh' ? '中文' : 'English'}</label>
<textarea class="intro" id="${name}" name="${name}" rows="2" maxlength="${max}"${
      errs ? html` aria-invalid="true" aria-describedby="e-${name}"` : ''
    }>${state.intro[l]}</textarea>${errs ? html`<span class="err" id="e-${name}">${errs.join(' ')}</span>` : ''}</div>`;
  };
  return html`<form class="adm" method="post" action="/admin/surveys?lang=${o.lang}" novalidate>
<input type="hidden" name="_csrf" value="${o.csrf}"><input type="hidden" name="scope" value="${o.scope}">
<fieldset><legend>${W.questions}</legend><p class="hint">${W.overall}</p><div class="checks">${checks}</div>
${groupError('questions', errors)}</fieldset>
<fieldset><legend>${W.tags}</legend><p class="hint">${W.codeHint}</p><p class="hint">${W.blankHint}</p>
${groupError('tags', errors)}${groups}</fieldset>
<fieldset id="extra"><legend>${W.extra}</legend>${groupError('extra', errors)}${questions}</fieldset>
<fieldset><legend>${W.intro}</legend>${intro('zh')}${intro('en')}</fieldset>
<button class="btn" type="submit">${W.save}</button></form>`;
}

/** The state of a definition (to show it in the editor). */
export const stateOf = (d: TSurveyDefinition): TEditorState => structuredClone(d);
