/**
 * The audit trail's pages (SPEC §3): administrators read every entry at /admin/audit, a supervisor reads the entries
 * of their region's subtree at /regions/:regionId/audit (the gate checks the region is theirs); both filter by unit,
 * actor, kind and UTC dates and export the same filter as CSV. Read-only: nothing here writes.
 */
import type { Context } from 'hono';
import { html } from 'hono/html';
import { Hono } from 'hono/tiny';
import { AUDIT_AREAS, type TAuditEntry } from '../../../domain/audit.js';
import type { TUser } from '../../../domain/access.js';
import { regionChildren } from '../../../storage/catalogue.js';
import { addDays, daysBetween, isDay } from '../../../domain/time.js';
import { caseDepsOf, listAuditFor } from '../../../services/cases.js';
import type { TStoredAudit } from '../../../storage/audit.js';
import { staffPage } from '../../pages/dashboard.js';
import { AUDIT_CSV_HEADER, CASE_CSS, CW, auditBody, auditCsvLine } from '../../pages/cases.js';
import { nonceOf } from '../../pages/layout.js';
import type { TSignedIn, TStaffKit } from './gate.js';

export const AUDIT_PAGE_SIZE = 100;
/** The kinds offered in the filter: each area (every kind in it) and the case kinds on their own. */
export const AUDIT_KINDS = [...AUDIT_AREAS, 'case.transition', 'case.phone_revealed', 'appeal.filed', 'appeal.decided'] as const;

type TUnitRef = { type: 'hall' | 'region' | 'global'; id: string };

export function auditRoutes(kit: TStaffKit) {
  const { deps } = kit;
  const cdeps = caseDepsOf(deps);
  const r = new Hono();
  const noStore = async (c: Context, next: () => Promise<void>) => {
    await next();
    c.header('cache-control', 'no-store');
  };
  for (const p of ['/admin/audit', '/admin/audit.csv', '/regions/:regionId/audit', '/regions/:regionId/audit.csv']) r.use(p, noStore);

  /** Filters from the query; undefined when the dates are not valid (a 400 page, nothing read). */
  function filters(c: Context) {
    const q = (k: string) => c.req.query(k)?.trim() || undefined;
    const today = new Date(kit.now()).toISOString().slice(0, 10);
    const to = q('to') ?? today;
    const from = q('from') ?? addDays(to, -6);
    const ok = isDay(from) && isDay(to) && from <= to && daysBetween(from, to) <= 366;
    return { ok, f: { unit: q('unit'), actor: q('actor'), kind: q('kind'), from, to } };
  }

  const unitOf = (s?: string): TUnitRef | undefined => {
    const m = s ? /^(hall|region|global):(.+)$/.exec(s) : null;
    return m ? { type: m[1] as TUnitRef['type'], id: m[2] } : undefined;
  };

  /**
   * The units a filter offers: a region's page its region, the regions under it and their halls (its subtree, never
   * the country); the administrator's page the top region and one level below (any other unit by `unit=hall:<id>`).
   */
  async function unitsUnder(regionId?: string) {
    const top = regionId ?? (await kit.rootRegion());
    const self = top ? (await kit.ancestors(top)).slice(0, 1) : [];
    const below = !top ? { regions: [], halls: [] } : regionId ? await kit.subtree(top) : await regionChildren(kit.deps.table, top);
    return [
      ...(regionId ? [] : [{ id: 'global:*', name: '* (global)' }]),
      ...[...self, ...below.regions].map((x) => ({ id: `region:${x.id}`, name: `${x.name} (${x.id})` })),
      ...below.halls.map((h) => ({ id: `hall:${h.id}`, name: `${h.name} (${h.id})` })),
    ];
  }

  async function entries(user: TUser, f: ReturnType<typeof filters>['f'], regionId?: string): Promise<TStoredAudit[]> {
    const picked = unitOf(f.unit);
    const scope = regionId ? (await unitsUnder(regionId)).map((u) => unitOf(u.id)!) : undefined;
    const units = picked ? (scope && !scope.some((u) => u.type === picked.type && u.id === picked.id) ? [] : [picked]) : scope;
    if (units && !units.length) return [];
    const list = await listAuditFor(cdeps, user, { from: f.from, to: f.to, actor: f.actor, kind: f.kind, ...(units ? { units } : {}) });
    return list.reverse(); // newest first
  }

  /** The filter's units, with the one asked for kept in the list (by its id) when it is not among them. */
  async function offered(regionId: string | undefined, picked?: string) {
    const units = await unitsUnder(regionId);
    return picked && unitOf(picked) && !units.some((u) => u.id === picked) && !regionId ? [...units, { id: picked, name: picked }] : units;
  }

  async function show<E extends TSignedIn>(c: Context<E>, action: string, title: string, regionId?: string) {
    const { lang, user, csrf } = c.var;
    const { ok, f } = filters(c);
    const list = ok ? await entries(user, f, regionId) : [];
    const pageNo = Math.max(1, Math.floor(Number(c.req.query('page')) || 1));
    const shown: TAuditEntry[] = list.slice((pageNo - 1) * AUDIT_PAGE_SIZE, pageNo * AUDIT_PAGE_SIZE);
    const body = auditBody({
      lang,
      action,
      title,
      entries: shown,
      filters: f,
      units: await offered(regionId, f.unit),
      kinds: AUDIT_KINDS,
      page: pageNo,
      pages: Math.max(1, Math.ceil(list.length / AUDIT_PAGE_SIZE)),
      ...(ok ? {} : { refused: CW[lang].badDates }),
    });
    const nonce = nonceOf(c);
    const path = new URL(c.req.url).pathname;
    const head = html`<style nonce="${nonce}">${CASE_CSS}</style>`;
    return c.html(staffPage({ lang, nonce, title, user, csrf, body, path, head }), ok ? 200 : 400);
  }

  async function csv<E extends TSignedIn>(c: Context<E>, name: string, regionId?: string) {
    const { ok, f } = filters(c);
    if (!ok) return c.text(`${CW.zh.badDates} ${CW.en.badDates}`, 400);
    const list = await entries(c.var.user, f, regionId);
    const body = `\uFEFF${AUDIT_CSV_HEADER}${list.map(auditCsvLine).join('')}`;
    return c.body(body, 200, {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="audit-${name}-${f.from}-${f.to}.csv"`,
    });
  }

  const admin = kit.gate({ admin: true });
  r.get('/admin/audit', admin, (c) => show(c, '/admin/audit', CW[c.var.lang].audit));
  r.get('/admin/audit.csv', admin, (c) => csv(c, 'all'));

  const region = kit.gate({ unit: 'region' });
  r.get('/regions/:regionId/audit', region, (c) => {
    const { unit, lang } = c.var;
    const name = (lang === 'en' && unit.region.nameEn) || unit.region.name;
    return show(c, `/regions/${unit.id}/audit`, `${CW[lang].auditOf} · ${name}`, unit.id);
  });
  r.get('/regions/:regionId/audit.csv', region, (c) => csv(c, c.var.unit.id, c.var.unit.id));

  return r;
}
