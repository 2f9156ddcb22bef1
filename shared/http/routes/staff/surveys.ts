/**
 * Administration of survey definitions (issue 16), administrators only: /admin/surveys?scope=ALL|R#<region>|H#<hall>
 * lists the scope's versions and what is in force; saving the definition (a form, pages/survey-editor.ts, validated
 * by the zod schema; a refusal is shown next to its field and writes nothing) makes the next version; each version
 * has a preview of the resident's page (look at it at 360×740) and a "publish" button. Saves and publications are in the audit trail.
 */
import { randomBytes } from 'node:crypto';
import type { Context } from 'hono';
import { html, raw } from 'hono/html';
import { Hono } from 'hono/tiny';
import * as z from 'zod/mini';
import { auditEntry } from '../../../domain/audit.js';
import { ZSurveyDefinition } from '../../../domain/survey-schema.js';
import { NATIONAL_DEFAULT } from '../../../domain/survey.js';
import { appendAudit } from '../../../storage/audit.js';
import { publishSurveyVersion, saveSurveyVersion } from '../../../storage/survey-writes.js';
import { listSurveyVersions } from '../../../storage/surveys.js';
import { nonceOf } from '../../pages/layout.js';
import { surveyPage } from '../../pages/survey.js';
import {
  EDITOR_CSS,
  editorForm,
  fieldOfPath,
  messageWords,
  readEditorForm,
  stateOf,
  type TEditorErrors,
  type TEditorState,
} from '../../pages/survey-editor.js';
import type { TStaffKit } from './gate.js';

const SCOPE = /^(ALL|[RH]#[A-Za-z0-9_-]{1,40})$/;

export function surveyRoutes(kit: TStaffKit) {
  const { deps } = kit;
  const r = new Hono();
  const admin = kit.gate({ admin: true });
  const unitOf = (scope: string) =>
    scope === 'ALL'
      ? { type: 'global' as const, id: '*' }
      : { type: scope.startsWith('H#') ? ('hall' as const) : ('region' as const), id: scope.slice(2) };

  const page = async (c: Context, scope: string, posted?: TEditorState, errors?: TEditorErrors) => {
    const lang = (c.var as { lang: 'zh' | 'en' }).lang;
    const { csrf } = c.var as { csrf: string };
    const versions = await listSurveyVersions(deps.table, scope);
    const inForce = versions.filter((v) => v.publishedAt).at(-1);
    const rows = versions.map(
      (v) => html`<tr><td>${v.version}</td><td>${v.savedAt.slice(0, 16)} · ${v.savedBy}</td>
<td>${v.publishedAt ? `已发布 published ${v.publishedAt.slice(0, 10)}` : '草稿 draft'}</td>
<td><a href="/admin/surveys/preview?scope=${encodeURIComponent(scope)}&n=${v.n}&lang=${lang}">预览 Preview</a></td>
<td>${
        v.publishedAt
          ? ''
          : html`<form method="post" action="/admin/surveys/publish?lang=${lang}"><input type="hidden" name="_csrf" value="${csrf}">
<input type="hidden" name="scope" value="${scope}"><input type="hidden" name="n" value="${v.n}">
<button class="btn" type="submit">发布 Publish</button></form>`
      }</td></tr>`,
    );
    const state = posted ?? stateOf(versions.at(-1)?.definition ?? NATIONAL_DEFAULT);
    // a summary at the top linking to each field; the same words stand next to the field itself
    const errorBox = errors?.size
      ? html`<div class="errors" role="alert"><p>未保存 Not saved：请修改标红的项。Correct the fields marked in red.</p>
<ul>${[...errors].map(([field, msgs]) => html`<li><a href="#${field}">${msgs.join(' ')}</a></li>`)}</ul></div>`
      : '';
    const body = html`<h1>问卷定义 Survey definition · ${scope}</h1>
<p>${inForce ? `当前生效 In force: ${inForce.version}` : '当前生效：上级或全国默认 In force: inherited (a parent scope or the national default)'}</p>
${
  versions.length
    ? html`<table><thead><tr><th>版本 Version</th><th>保存 Saved</th><th>状态 State</th><th></th><th></th></tr></thead>
<tbody>${rows}</tbody></table>`
    : ''
}
<h2>保存为新版本 Save as a new version</h2>${errorBox}
${editorForm({ state, errors: errors ?? new Map(), csrf, scope, lang })}`;
    const styled = html`<style nonce="${nonceOf(c)}">${EDITOR_CSS}</style>${body}`;
    return kit.view(c as never, `问卷 ${scope}`, styled, errors ? 400 : 200);
  };

  r.get('/admin/surveys', admin, (c) => {
    const scope = c.req.query('scope') ?? 'ALL';
    if (!SCOPE.test(scope))
      return kit.view(c, 'Survey', html`<p role="alert">scope must be ALL, R#&lt;region&gt; or H#&lt;hall&gt;</p>`, 400);
    return page(c, scope);
  });

  r.post('/admin/surveys', admin, kit.form, async (c) => {
    const form = c.var.form;
    const scope = String(form.scope ?? '');
    if (!SCOPE.test(scope))
      return kit.view(c, 'Survey', html`<p role="alert">scope must be ALL, R#&lt;region&gt; or H#&lt;hall&gt;</p>`, 400);
    const posted = readEditorForm(form);
    const parsed = z.safeParse(ZSurveyDefinition, posted);
    if (!parsed.success) {
      const errors: TEditorErrors = new Map();
      for (const i of parsed.error.issues) {
        const field = fieldOfPath(i.path);
        errors.set(field, [...(errors.get(field) ?? []), messageWords(i.message)]);
      }
      return page(c, scope, posted, errors);
    }
    const at = new Date(kit.now()).toISOString();
    const saved = await saveSurveyVersion(deps.table, scope, parsed.data, c.var.user.id, at);
    const entry = auditEntry({
      at,
      actor: c.var.user.id,
      actorRole: 'admin',
      kind: 'survey.saved',
      unit: unitOf(scope),
      targetId: saved.version,
    });
    await appendAudit(deps.table, entry, `survey.saved.${saved.version}.${randomBytes(4).toString('hex')}`);
    return c.redirect(`/admin/surveys?scope=${encodeURIComponent(scope)}&lang=${c.var.lang}`, 303);
  });

  r.post('/admin/surveys/publish', admin, kit.form, async (c) => {
    const scope = String(c.var.form.scope ?? '');
    const n = Number(c.var.form.n);
    if (!SCOPE.test(scope) || !Number.isInteger(n) || n < 1) return c.text('scope and n are required', 400);
    const at = new Date(kit.now()).toISOString();
    if (!(await publishSurveyVersion(deps.table, scope, n, at))) return kit.notFound(c, c.var.lang, { user: c.var.user, csrf: c.var.csrf });
    const entry = auditEntry({
      at,
      actor: c.var.user.id,
      actorRole: 'admin',
      kind: 'survey.published',
      unit: unitOf(scope),
      targetId: `${scope}@${n}`,
    });
    await appendAudit(deps.table, entry, `survey.published.${scope}@${n}.${randomBytes(4).toString('hex')}`);
    return c.redirect(`/admin/surveys?scope=${encodeURIComponent(scope)}&lang=${c.var.lang}`, 303);
  });

  /** The resident's page as this version would show it (its form goes nowhere: the token is not a real one). */
  r.get('/admin/surveys/preview', admin, async (c) => {
    const scope = c.req.query('scope') ?? '';
    const n = c.req.query('n');
    // Without a version: the national default, what every scope inherits until one is published.
    const national = { version: 'national@0', definition: NATIONAL_DEFAULT };
    const v =
      n === undefined
        ? national
        : SCOPE.test(scope)
          ? (await listSurveyVersions(deps.table, scope)).find((x) => x.n === Number(n))
          : undefined;
    if (!v) return kit.notFound(c, c.var.lang, { user: c.var.user, csrf: c.var.csrf });
    const lang = c.var.lang;
    const preview = await surveyPage({
      definition: v.definition,
      lang,
      nonce: nonceOf(c),
      token: 'preview',
      hallName: lang === 'en' ? 'Preview' : '预览',
      windowName: v.version,
      submissionId: 'preview00',
    });
    return c.html(
      raw(String(preview).replace('<main>', '<main><p class="err" role="note">预览，不会保存任何评价 Preview: nothing is saved</p>')),
    );
  });

  return r;
}
