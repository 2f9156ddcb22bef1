/**
 * Calendar administration (issue 9): per region, closures (非工作日) and extra working days (调休上班) with a note,
 * and the deadline settings in working days — all inherited down the tree, nearest region wins, blank = inherit.
 * Administrators only (anyone else: the unknown-unit 404). Every change is a CSRF-checked form post written with its
 * audit entry by the case service; a refused one (bad day, unknown region …) is a 400 with a bilingual reason and
 * writes nothing. Years the national schedule does not cover carry a visible warning (calendarCoverage).
 */
import type { Context } from 'hono';
import { html } from 'hono/html';
import { Hono } from 'hono/tiny';
import * as z from 'zod/mini';
import {
  DEFAULT_DEADLINES,
  ZDeadlineSettings,
  calendarCoverage,
  effectiveCalendar,
  type TDeadlineSettings,
  type TRegionDeadlines,
} from '../../../domain/calendar.js';
import { cleanLine } from '../../../domain/text.js';
import { caseDepsOf, setCalendarOverride, setRegionDeadlines } from '../../../services/cases.js';
import { loadCalendarItems } from '../../../storage/calendar.js';
import { regionChildren } from '../../../storage/catalogue.js';
import { adminNav } from '../../pages/admin.js';
import type { TLang } from '../../pages/i18n.js';
import type { TSignedIn, TStaffKit } from './gate.js';

const FIELDS = ['contactDays', 'rectifyDays', 'escalateDays', 'appealDays'] as const;
type TField = (typeof FIELDS)[number];

export const CAL_ERRORS = {
  badDay: { zh: '日期无效：请按 YYYY-MM-DD 填写一个真实的日期。', en: 'Not a valid day: enter a real date as YYYY-MM-DD.' },
  unknownRegion: { zh: '没有这个区域。', en: 'No such region.' },
  badKind: { zh: '请选择“放假（非工作日）”或“调休上班”。', en: 'Choose "closed" or "extra working day".' },
  badNote: { zh: '说明最多 200 个字，且不能含手机号。', en: 'The note is at most 200 characters and holds no phone number.' },
  noOverride: { zh: '这个区域在这一天没有自设的安排。', en: 'This region has no entry of its own on that day.' },
  badDeadline: {
    zh: '期限须为整数个工作日（联系 1–10，整改 1–60，升级与申诉 1–30），或留空沿用上级。',
    en: 'Deadlines are whole working days (contact 1–10, rectify 1–60, escalate and appeal 1–30), or blank to inherit.',
  },
} as const;
type TCalError = keyof typeof CAL_ERRORS;

const W = {
  zh: {
    title: '工作日历与处理期限',
    region: '区域',
    below: '下级区域',
    own: '本区域自设的安排',
    inherited: '从上级区域继承的安排',
    none: '暂无。',
    day: '日期',
    kind: '类型',
    note: '说明',
    from: '来自',
    closed: '放假（非工作日）',
    open: '调休上班（额外工作日）',
    add: '添加',
    remove: '删除',
    deadlines: '处理期限（工作日）',
    blank: '留空即沿用上级区域的设置。',
    inheritedValue: '沿用',
    save: '保存期限',
    labels: { contactDays: '联系期限', rectifyDays: '整改期限', escalateDays: '升级期限', appealDays: '申诉期限' } as Record<
      TField,
      string
    >,
    saved: '已保存。',
  },
  en: {
    title: 'Working calendar and deadlines',
    region: 'Region',
    below: 'Regions below',
    own: "This region's own entries",
    inherited: 'Inherited from regions above',
    none: 'None.',
    day: 'Day',
    kind: 'Kind',
    note: 'Note',
    from: 'From',
    closed: 'Closed (day off)',
    open: 'Extra working day (调休)',
    add: 'Add',
    remove: 'Remove',
    deadlines: 'Deadlines (working days)',
    blank: 'Leave blank to inherit the setting of the regions above.',
    inheritedValue: 'inherits',
    save: 'Save deadlines',
    labels: {
      contactDays: 'Contact within',
      rectifyDays: 'Rectify within',
      escalateDays: 'Escalate after',
      appealDays: 'Appeal within',
    } as Record<TField, string>,
    saved: 'Saved.',
  },
} as const;

/** Mounted under /admin. */
export function calendarRoutes(kit: TStaffKit) {
  const cdeps = caseDepsOf(kit.deps);
  const r = new Hono();
  const admin = kit.gate({ admin: true });
  const rootChain = async () => {
    const root = await kit.rootRegion();
    return root ? kit.ancestors(root) : [];
  };

  async function page<E extends TSignedIn>(
    c: Context<E>,
    regionId: string | undefined,
    error?: TCalError,
    typed: Record<string, string> = {},
  ) {
    const lang: TLang = c.var.lang;
    const w = W[lang];
    const q = `lang=${lang}`;
    // One level at a time (a national tree has 3,500 regions): the region, the chain above it and its sub-regions.
    const asked = regionId && /^[A-Za-z0-9_-]{1,40}$/.test(regionId) ? await kit.ancestors(regionId) : [];
    const chainRegions = asked.length ? asked : await rootChain();
    const region = chainRegions[0];
    const [kids, items] = await Promise.all([
      region ? regionChildren(kit.deps.table, region.id) : Promise.resolve({ regions: [] }),
      loadCalendarItems(kit.deps.table),
    ]);
    const csrf = html`<input type="hidden" name="_csrf" value="${c.var.csrf}">`;
    const year = Number(new Date(kit.now()).toISOString().slice(0, 4));
    const own = items.overrides.filter((o) => o.regionId === region?.id).sort((a, b) => a.day.localeCompare(b.day));
    const chain = chainRegions.map((x) => x.id);
    const above = effectiveCalendar(chain.slice(1), items.overrides, items.settings);
    const inherited = [...above.overrides].filter(([d]) => !own.some((o) => o.day === d)).sort(([a], [b]) => a.localeCompare(b));
    const mine = items.settings.find((s) => s.regionId === region?.id);
    const years = [...new Set([year, year + 1, ...own.map((o) => Number(o.day.slice(0, 4)))])].sort();
    const warnings = years.map(calendarCoverage).filter((y) => !y.official);
    const kindWord = (k: 'closed' | 'open') => (k === 'closed' ? w.closed : w.open);
    const err = error ? CAL_ERRORS[error] : undefined;
    const val = (k: string, dflt = '') => typed[k] ?? dflt;
    const deadlineField = (f: TField) => {
      const v = typed[f] ?? (mine?.[f] !== undefined ? String(mine[f]) : '');
      const hint = `${w.inheritedValue} ${above.deadlines[f] ?? DEFAULT_DEADLINES[f]}`;
      const input = html`<input id="${f}" name="${f}" inputmode="numeric" size="4" maxlength="2" value="${v}" placeholder="${hint}">`;
      return html`<p><label for="${f}">${w.labels[f]}</label>
${input} <span class="muted">${hint}</span></p>`;
    };
    const savedNote = c.req.query('saved') === '1' && !err ? html`<p class="saved" role="status">${w.saved}</p>` : '';
    const body = html`${adminNav(lang, 'calendar')}
<h1>${w.title}</h1>
${warnings.map((y) => html`<p class="warn" role="alert" lang="zh">${y.zh}</p><p class="warn" lang="en">${y.en}</p>`)}
${err ? html`<p class="error" role="alert">${err.zh} ${err.en}</p>` : ''}${savedNote}
<nav aria-label="${w.region}"><p>${w.region}: ${[...chainRegions]
      .reverse()
      .map((x) =>
        x.id === region?.id
          ? html`<strong aria-current="page">${x.name}</strong>`
          : html`<a href="/admin/calendar?region=${x.id}&${q}">${x.name}</a> › `,
      )}</p>${
      kids.regions.length
        ? html`<p>${w.below}: ${[...kids.regions]
            .sort((a, b) => a.id.localeCompare(b.id))
            .map((x) => html`<a href="/admin/calendar?region=${x.id}&${q}">${x.name}</a> `)}</p>`
        : ''
    }</nav>
${
  region
    ? html`<h2>${w.own}</h2>
${
  own.length
    ? html`<table><thead><tr><th>${w.day}</th><th>${w.kind}</th><th>${w.note}</th><th></th></tr></thead><tbody>
${own.map(
  (o) => html`<tr><td>${o.day}</td><td>${kindWord(o.kind)}</td><td>${o.note}</td><td>
<form method="post" action="/admin/calendar/overrides/remove?${q}">${csrf}<input type="hidden" name="regionId" value="${region.id}">
<input type="hidden" name="day" value="${o.day}"><button type="submit">${w.remove} ${o.day}</button></form></td></tr>`,
)}
</tbody></table>`
    : html`<p>${w.none}</p>`
}
<form method="post" action="/admin/calendar/overrides?${q}" class="adm">${csrf}<input type="hidden" name="regionId" value="${region.id}">
<p><label for="day">${w.day}</label> <input id="day" name="day" placeholder="YYYY-MM-DD" maxlength="10" value="${val('day')}" required></p>
<p><label for="kind">${w.kind}</label> <select id="kind" name="kind"><option value="closed">${w.closed}</option>
<option value="open"${val('kind') === 'open' ? ' selected' : ''}>${w.open}</option></select></p>
<p><label for="note">${w.note}</label> <input id="note" name="note" maxlength="200" value="${val('note')}"></p>
<button type="submit" class="btn">${w.add}</button></form>
<h2>${w.inherited}</h2>
${
  inherited.length
    ? html`<table><thead><tr><th>${w.day}</th><th>${w.kind}</th><th>${w.note}</th><th>${w.from}</th></tr></thead><tbody>
${inherited.map(([d, o]) => html`<tr><td>${d}</td><td>${kindWord(o.kind)}</td><td>${o.note}</td><td>${o.regionId}</td></tr>`)}
</tbody></table>`
    : html`<p>${w.none}</p>`
}
<h2>${w.deadlines}</h2><p class="muted">${w.blank}</p>
<form method="post" action="/admin/calendar/deadlines?${q}" class="adm">${csrf}<input type="hidden" name="regionId" value="${region.id}">
${FIELDS.map(deadlineField)}<button type="submit" class="btn">${w.save}</button></form>`
    : ''
}`;
    return kit.view(c, w.title, body, error ? 400 : 200);
  }

  /** A real calendar day (isDay alone lets 2026-02-31 through: Date.parse rolls it over). */
  const isDay = (d: string) => /^\d{4}-\d{2}-\d{2}$/.test(d) && new Date(`${d}T00:00:00Z`).toISOString?.().slice(0, 10) === d;
  const str = (v: unknown) => (typeof v === 'string' ? v.trim() : '');
  const strings = (form: Record<string, unknown>) =>
    Object.fromEntries(
      Object.entries(form)
        .filter(([k, v]) => k !== '_csrf' && typeof v === 'string')
        .map(([k, v]) => [k, str(v)]),
    );
  const knownRegion = async (id: string) => (await kit.ancestors(id)).length > 0;
  const back = <E extends TSignedIn>(c: Context<E>, regionId: string) =>
    c.redirect(`/admin/calendar?region=${encodeURIComponent(regionId)}&lang=${c.var.lang}&saved=1`, 303);

  r.get('/calendar', admin, (c) => page(c, c.req.query('region')));

  r.post('/calendar/overrides', admin, kit.form, async (c) => {
    const f = strings(c.var.form);
    const regionId = f.regionId ?? '';
    const note = cleanLine(f.note ?? '').slice(0, 201);
    if (!(await knownRegion(regionId))) return page(c, undefined, 'unknownRegion', f);
    if (!isDay(f.day ?? '')) return page(c, regionId, 'badDay', f);
    if (f.kind !== 'closed' && f.kind !== 'open') return page(c, regionId, 'badKind', f);
    if (note.length > 200 || /1[3-9]\d{9}/.test(note.replace(/[\s-]/g, ''))) return page(c, regionId, 'badNote', f);
    await setCalendarOverride(cdeps, c.var.user, { regionId, day: f.day, kind: f.kind, note });
    return back(c, regionId);
  });

  r.post('/calendar/overrides/remove', admin, kit.form, async (c) => {
    const f = strings(c.var.form);
    const regionId = f.regionId ?? '';
    if (!(await knownRegion(regionId))) return page(c, undefined, 'unknownRegion');
    if (!isDay(f.day ?? '')) return page(c, regionId, 'badDay');
    const items = await loadCalendarItems(kit.deps.table);
    if (!items.overrides.some((o) => o.regionId === regionId && o.day === f.day)) return page(c, regionId, 'noOverride');
    await setCalendarOverride(cdeps, c.var.user, { regionId, day: f.day, kind: 'none', note: '' });
    return back(c, regionId);
  });

  r.post('/calendar/deadlines', admin, kit.form, async (c) => {
    const f = strings(c.var.form);
    const regionId = f.regionId ?? '';
    if (!(await knownRegion(regionId))) return page(c, undefined, 'unknownRegion', f);
    const own: Partial<TDeadlineSettings> = {};
    for (const k of FIELDS) {
      const v = f[k] ?? '';
      if (v === '') continue;
      const n = /^\d{1,2}$/.test(v) ? Number(v) : Number.NaN;
      if (!z.safeParse(ZDeadlineSettings.shape[k], n).success) return page(c, regionId, 'badDeadline', f);
      own[k] = n;
    }
    const s: TRegionDeadlines = { regionId, ...own };
    await setRegionDeadlines(cdeps, c.var.user, s);
    return back(c, regionId);
  });

  return r;
}
