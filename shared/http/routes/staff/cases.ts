/**
 * Cases area (SPEC §5, issue 9): the queue (/cases), one case (/cases/:caseId) and its actions, and the JSON API
 * (/api/v1/cases, /api/v1/cases/:caseId). Every route is behind the gate; a case outside the user's scope is the
 * same 404 as a case that does not exist, and an action on it writes nothing. Actions are form posts with the
 * session's CSRF token (kit.form), answered by a 303 back to the case; a refusal is the case page with the domain's
 * bilingual message (409 the state does not allow it / the case moved, 400 the input, 403 not this role's).
 * The phone is shown masked; the reveal is a POST whose answer (never a redirect, never a URL) carries the number.
 */
import type { Context } from 'hono';
import { html } from 'hono/html';
import { Hono } from 'hono/tiny';
import { canSeeRegion, regionChain, type TUser } from '../../../domain/access.js';
import type { THall } from '../../../domain/model.js';
import { mayCommand } from '../../../domain/case-roles.js';
import { CASE_STATES, type TCaseCommand, type TCaseState } from '../../../domain/cases.js';
import { addDays, localDay } from '../../../domain/time.js';
import { LINK_WINDOW, windowWords, withLinkWindow } from '../../../domain/matters.js';
import {
  caseDepsOf,
  caseFiguresFor,
  getCaseView,
  listCaseQueue,
  scopeCasePanel,
  commandCase,
  revealPhone,
  type TCaseScope,
  type TCommandRefusal,
  type TCaseView,
} from '../../../services/cases.js';
import { getHallCatalogue } from '../../../storage/catalogue.js';
import { getUser } from '../../../storage/users.js';
import { caseDetail, caseSummary } from '../../case-api.js';
import { D, staffPage } from '../../pages/dashboard.js';
import { CASE_CSS, CW, caseBody, figuresPanel, overduePanel, queueBody, type TCasePage, type TQueueRow } from '../../pages/cases.js';
import type { TLang } from '../../pages/i18n.js';
import { nonceOf } from '../../pages/layout.js';
import { problem } from '../../problem.js';
import type { TSignedIn, TStaffKit } from './gate.js';

export const QUEUE_PAGE_SIZE = 50;
export const API_PAGE_SIZE = 100;

/** 400: the input; 409: the state (or a lost race); 403: not this role's; 404: not in scope; 410: phone deleted. */
export function refusalStatus(r: Pick<TCommandRefusal, 'code' | 'status'>): 400 | 403 | 404 | 409 | 410 {
  if (r.code === 'invalid' || r.code === 'phone_in_text') return 400;
  if (r.status === 404 || r.status === 403 || r.status === 410) return r.status;
  return 409;
}

const noStore = async (c: Context, next: () => Promise<void>) => {
  await next();
  c.header('cache-control', 'no-store');
};

const str = (v: unknown) => (typeof v === 'string' ? v : undefined);

/** The form of one action as the domain's command (the schema check is the domain's: a bad value is its 'invalid'). */
function commandOf(action: string, f: Record<string, unknown>): TCaseCommand | undefined {
  const note = str(f.note)?.trim() ?? '';
  if (action === 'contact') return { type: 'contact', how: str(f.how) as never, note };
  if (action === 'rectify')
    return { type: 'rectify', publicReply: str(f.publicReply) ?? '', fix: str(f.fix)?.trim() ?? '', category: str(f.category) as never };
  if (action === 'appeal') {
    const reference = str(f.reference)?.trim();
    return { type: 'fileAppeal', kind: str(f.kind) as never, evidence: str(f.evidence) ?? '', ...(reference ? { reference } : {}) };
  }
  if (action === 'decide') return { type: 'decideAppeal', decision: str(f.decision) as never, reason: str(f.reason) ?? '' };
  return undefined;
}

export function caseRoutes(kit: TStaffKit) {
  const { deps } = kit;
  const cdeps = caseDepsOf(deps);
  const r = new Hono();
  for (const p of ['/cases', '/cases/*', '/api/v1/cases', '/api/v1/cases/*']) r.use(p, noStore);
  const signedIn = kit.gate();
  const signedInJson = kit.gate({ answer: 'json' });

  /** The user's own scope as a case scope; an administrator's is the root region. */
  async function ownScope(user: TUser): Promise<TCaseScope | undefined> {
    if (user.role === 'manager') return { hallId: user.scope };
    if (user.role === 'supervisor') return { regionId: user.scope };
    const root = await kit.rootRegion();
    return root ? { regionId: root } : undefined;
  }

  /**
   * The scope a request names (hallId, regionId), checked against the user's: undefined means 404 (unknown or not
   * theirs); no names means the user's own scope.
   */
  async function requestedScope(user: TUser, hallId?: string, regionId?: string): Promise<TCaseScope | undefined> {
    // The unit and its region's chain only (as the gate reads them), never the country.
    const chainTree = (chain: { id: string; parentId?: string }[]) => ({
      regionParent: new Map(chain.map((x) => [x.id, x.parentId || undefined])),
      hallRegion: new Map<string, string>(),
    });
    if (hallId) {
      const hall = await kit.seeHall(user, hallId);
      if (!hall) return undefined;
      if (regionId) {
        const tree = chainTree(await kit.ancestors(hall.regionId));
        if (!(canSeeRegion(user, tree, regionId) && regionChain(tree, hall.regionId).includes(regionId))) return undefined;
      }
      return { hallId };
    }
    if (regionId) return canSeeRegion(user, chainTree(await kit.ancestors(regionId)), regionId) ? { regionId } : undefined;
    return ownScope(user);
  }

  /** The halls of a scope the user may see (a region's subtree, or the one hall), from the kit's caches. */
  async function hallsOfScope(user: TUser, scope: TCaseScope): Promise<THall[]> {
    if ('regionId' in scope) return (await kit.subtree(scope.regionId)).halls;
    const hall = await kit.seeHall(user, scope.hallId);
    return hall ? [hall] : [];
  }

  const page = <E extends TSignedIn>(
    c: Context<E>,
    title: string,
    body: ReturnType<typeof html>,
    status: 200 | 400 | 403 | 404 | 409 | 410 = 200,
  ) => {
    const nonce = nonceOf(c);
    const path = new URL(c.req.url).pathname;
    const head = html`<style nonce="${nonce}">${CASE_CSS}</style>`;
    return c.html(staffPage({ lang: c.var.lang, nonce, title, user: c.var.user, csrf: c.var.csrf, body, path, head }), status);
  };

  const hallNames = (lang: 'zh' | 'en', halls: THall[]) =>
    new Map(halls.map((h) => [h.id, { name: (lang === 'en' && h.nameEn) || h.name, tz: h.timezone }]));

  /* ---------------------------------------------------------------- the queue */

  r.get('/cases', signedIn, async (c) => {
    const { lang, user } = c.var;
    const w = CW[lang];
    const hallId = c.req.query('hallId') || undefined;
    const stateQ = c.req.query('state') || undefined;
    const state = CASE_STATES.includes(stateQ as TCaseState) ? (stateQ as TCaseState) : undefined;
    const windowId = c.req.query('windowId') || undefined;
    const overdue = c.req.query('overdue') === 'true';
    const pageNo = Math.max(1, Math.floor(Number(c.req.query('page')) || 1));
    const scope = await requestedScope(user, hallId);
    if (!scope) return kit.notFound(c, lang, { user, csrf: c.var.csrf });
    const slice = { offset: (pageNo - 1) * QUEUE_PAGE_SIZE, limit: QUEUE_PAGE_SIZE };
    const { cases: shown, counts, total } = await listCaseQueue(cdeps, scope, { state, windowId, overdue, page: slice }, user);
    const inScope = await hallsOfScope(user, scope);
    const names = hallNames(lang, inScope);
    const scopeHalls = await scopeHallList(user, lang, scope, inScope);
    const oneHall = 'hallId' in scope ? scope.hallId : scopeHalls.length === 1 ? scopeHalls[0].id : undefined;
    const pages = Math.max(1, Math.ceil(total / QUEUE_PAGE_SIZE));
    // Window and service names of the halls on this page only (at most one catalogue read per hall shown).
    const hallIds = [...new Set([...(oneHall ? [oneHall] : []), ...shown.map((x) => x.hallId)])];
    const cats = new Map(await Promise.all(hallIds.map(async (h) => [h, await getHallCatalogue(deps.table, h)] as const)));
    const named = (x: { id: string; name: string; nameEn?: string }) => (lang === 'en' && x.nameEn) || x.name;
    const unitName = (hall: string, kind: 'windows' | 'services', id?: string) => {
      const u = id ? cats.get(hall)?.[kind].find((y) => y.id === id) : undefined;
      return u ? named(u) : kind === 'windows' && id === LINK_WINDOW ? windowWords(id, lang) : undefined;
    };
    const rows: TQueueRow[] = shown.map((x) => ({
      c: x,
      due: x.dueState,
      hallName: names.get(x.hallId)?.name ?? x.hallId,
      timeZone: names.get(x.hallId)?.tz ?? 'Asia/Shanghai',
      windowName: unitName(x.hallId, 'windows', x.windowId),
      serviceName: unitName(x.hallId, 'services', x.serviceId),
    }));
    const cat = oneHall ? cats.get(oneHall) : undefined;
    const body = queueBody({
      lang,
      counts: { dueToday: counts.dueToday, overdue: counts.overdue, open: counts.active },
      rows,
      halls: scopeHalls,
      windows: withLinkWindow(cat?.windows ?? []).map((x) => ({ id: x.id, name: named(x) })),
      filters: { hallId, state, windowId, overdue },
      page: Math.min(pageNo, pages),
      pages,
    });
    return page(c, w.queue, body);
  });

  /** The halls a user may filter by: their own scope's (a manager: their one hall; a region's subtree). */
  async function scopeHallList(user: TUser, lang: 'zh' | 'en', scope: TCaseScope, inScope: THall[]) {
    const own = await ownScope(user);
    const same = own && JSON.stringify(own) === JSON.stringify(scope);
    const halls = same ? inScope : own ? await hallsOfScope(user, own) : [];
    return halls.map((h) => ({ id: h.id, name: (lang === 'en' && h.nameEn) || h.name }));
  }

  /* ---------------------------------------------------------------- one case */

  async function casePage<E extends TSignedIn>(
    c: Context<E>,
    view: TCaseView,
    extra: { phone?: string; refused?: TCommandRefusal; saved?: boolean } = {},
    status: 200 | 400 | 403 | 404 | 409 | 410 = 200,
  ) {
    const { lang, user, csrf } = c.var;
    const cv = view.case;
    // The case's hall and its region chain (the view carries it): what a role check needs, not the country.
    const path = view.regionPath;
    const tree = {
      regionParent: new Map(path.map((id, i) => [id, path[i + 1]])),
      hallRegion: new Map(path.length ? [[cv.hallId, path[0]]] : []),
    };
    const cat = await getHallCatalogue(deps.table, cv.hallId);
    const name = <T extends { id: string; name: string; nameEn?: string }>(list: T[] | undefined, id?: string) => {
      const x = id ? list?.find((y) => y.id === id) : undefined;
      return x ? (lang === 'en' && x.nameEn) || x.name : undefined;
    };
    // The names of the staff in the case's history (a few reads), not the list of every user.
    const actors = [...new Set(cv.history.map((h) => h.actor))].filter((id) => id !== 'system' && id !== 'resident');
    const staff = (await Promise.all(actors.map((id) => getUser(deps.table, id)))).flatMap((u) => (u ? [[u.id, u.name] as const] : []));
    const may = (t: Parameters<typeof mayCommand>[1]) => mayCommand({ kind: 'staff', user }, t, cv, tree);
    const state = cv.state;
    const v: TCasePage = {
      lang,
      csrf,
      c: cv,
      version: view.version,
      rating: view.rating,
      phoneMasked: view.phoneMasked,
      phoneKept: view.phoneKept,
      hallName: (cat && ((lang === 'en' && cat.hall.nameEn) || cat.hall.name)) ?? cv.hallId,
      windowName: name(withLinkWindow(cat?.windows ?? []), cv.windowId),
      serviceName: name(cat?.services, cv.serviceId),
      timeZone: view.hall?.timezone ?? 'Asia/Shanghai',
      due: view.dueState,
      may: {
        reveal: may('revealPhone'),
        contact: may('contact') && state === 'open',
        rectify: may('rectify') && state === 'contacted',
        fileAppeal: may('fileAppeal') && ['open', 'contacted', 'rectified'].includes(state) && !cv.appeal,
        decideAppeal: may('decideAppeal') && state === 'appealed',
      },
      phone: extra.phone,
      refused: extra.refused && { zh: extra.refused.zh, en: extra.refused.en },
      saved: extra.saved,
      names: new Map(staff),
      appealOverdue: state === 'appealed' && !!cv.appeal?.due && kit.now() > Date.parse(cv.appeal.due),
    };
    return page(c, `${CW[lang].caseTitle} ${cv.caseId}`, caseBody(v), status);
  }

  r.get('/cases/:caseId', signedIn, async (c) => {
    const view = await getCaseView(cdeps, c.req.param('caseId'), c.var.user);
    if (!view) return kit.notFound(c, c.var.lang, { user: c.var.user, csrf: c.var.csrf });
    return casePage(c, view, { saved: c.req.query('saved') === '1' });
  });

  /** After a refusal: the case as it is now (nothing was written), with the message. */
  async function refused<E extends TSignedIn>(c: Context<E>, caseId: string, why: TCommandRefusal) {
    const status = refusalStatus(why);
    const view = status === 404 ? undefined : await getCaseView(cdeps, caseId, c.var.user);
    if (!view) return kit.notFound(c, c.var.lang, { user: c.var.user, csrf: c.var.csrf });
    return casePage(c, view, { refused: why }, status);
  }

  r.post('/cases/:caseId/reveal', signedIn, kit.form, async (c) => {
    const caseId = c.req.param('caseId');
    const res = await revealPhone(cdeps, caseId, c.var.user);
    if (!res.ok) return refused(c, caseId, res);
    const view = await getCaseView(cdeps, caseId, c.var.user);
    if (!view) return kit.notFound(c, c.var.lang, { user: c.var.user, csrf: c.var.csrf });
    return casePage(c, view, { phone: res.phone });
  });

  r.post('/cases/:caseId/:action{contact|rectify|appeal|decide}', signedIn, kit.form, async (c) => {
    const caseId = c.req.param('caseId');
    const version = Number(str(c.var.form.version));
    const cmd = commandOf(c.req.param('action'), c.var.form)!;
    const res = await commandCase(cdeps, caseId, cmd, { kind: 'staff', user: c.var.user }, Number.isInteger(version) ? { version } : {});
    if (!res.ok) return refused(c, caseId, res);
    return c.redirect(`/cases/${encodeURIComponent(caseId)}?lang=${c.var.lang}&saved=1`, 303);
  });

  /* ---------------------------------------------------------------- the JSON API */

  r.get('/api/v1/cases', signedInJson, async (c) => {
    const q = (k: string) => c.req.query(k) || undefined;
    const stateQ = q('state');
    if (stateQ && !CASE_STATES.includes(stateQ as TCaseState))
      return problem(c, 'validation-failed', `state must be one of ${CASE_STATES.join(', ')}.`);
    const overdueQ = q('overdue');
    if (overdueQ && overdueQ !== 'true' && overdueQ !== 'false') return problem(c, 'validation-failed', 'overdue must be true or false.');
    const pageQ = q('page') ?? '1';
    if (!/^[1-9]\d{0,5}$/.test(pageQ)) return problem(c, 'validation-failed', 'page must be a positive whole number.');
    const scope = await requestedScope(c.var.user, q('hallId'), q('regionId'));
    if (!scope) return problem(c, 'not-found', 'No such unit in your scope.');
    const pageNo = Number(pageQ);
    const slice = { offset: (pageNo - 1) * API_PAGE_SIZE, limit: API_PAGE_SIZE };
    const filter = { state: stateQ as TCaseState | undefined, overdue: overdueQ === 'true', page: slice };
    const { cases: shown, counts, total } = await listCaseQueue(cdeps, scope, filter, c.var.user);
    const pages = Math.max(1, Math.ceil(total / API_PAGE_SIZE));
    const { active, dueToday, overdue, escalated } = counts;
    return c.json({ cases: shown.map(caseSummary), counts: { active, dueToday, overdue, escalated }, page: pageNo, pages });
  });

  r.get('/api/v1/cases/:caseId', signedInJson, async (c) => {
    const view = await getCaseView(cdeps, c.req.param('caseId'), c.var.user);
    return view ? c.json(caseDetail(view)) : problem(c, 'not-found', 'No such case in your scope.');
  });

  return r;
}

/** The last 30 hall-local days ending today. */
export function last30(now: number, timeZone: string) {
  const to = localDay(new Date(now), timeZone);
  return { from: addDays(to, -29), to };
}

/** The handling figures of the last 30 days on a hall's page, with a link to its queue. */
export async function hallCasePanel(kit: TStaffKit, hall: { id: string; timezone: string }, lang: TLang) {
  const f = await caseFiguresFor(caseDepsOf(kit.deps), { hallId: hall.id }, last30(kit.now(), hall.timezone));
  return figuresPanel(lang, f, `/cases?lang=${lang}&hallId=${encodeURIComponent(hall.id)}`);
}

/**
 * A hall page's first box (issue 13), kept to a few lines so the temperature stays on the first screen: how many
 * cases are overdue or due today, the most urgent three as links, and the way to the queue. `count` 0: none.
 */
export async function hallDueCases(kit: TStaffKit, hall: { id: string; timezone: string }, lang: TLang) {
  const queue = await listCaseQueue(caseDepsOf(kit.deps), { hallId: hall.id }, {});
  const due = queue.cases.filter((x) => x.dueState === 'overdue' || x.dueState === 'due_today');
  if (!due.length) return { count: 0, html: '' };
  const w = D[lang];
  const overdue = due.filter((x) => x.dueState === 'overdue').length;
  const link = (x: (typeof due)[number]) => {
    const a = html`<a href="/cases/${encodeURIComponent(x.caseId)}?lang=${lang}">${x.caseId}</a>`;
    return html`${a} <span class="muted">(${CW[lang].due[x.dueState]})</span>`;
  };
  const first = due.slice(0, 3).map((x, i) => html`${i ? '、' : ''}${link(x)}`);
  const queueLink = html`<a href="/cases?lang=${lang}&hallId=${encodeURIComponent(hall.id)}">${w.toQueue}</a>`;
  return { count: due.length, html: html`<p>${w.dueLine(overdue, due.length - overdue)}：${first} · ${queueLink}</p>` };
}

/** A region page's panel: its overdue and escalated cases (at most 20, the queue has the rest) and the figures. */
export async function regionCasePanel(kit: TStaffKit, regionId: string, lang: TLang, nonce: string) {
  const cdeps = caseDepsOf(kit.deps);
  // The region's own halls only (its subtree; two Queries per region of it holding halls): never the country.
  const { halls } = await kit.subtree(regionId);
  const tz = halls[0]?.timezone ?? 'Asia/Shanghai';
  const { urgent, figures: f } = await scopeCasePanel(cdeps, { regionId }, last30(kit.now(), tz));
  const hall = new Map(halls.map((h) => [h.id, h]));
  const rows: TQueueRow[] = urgent.slice(0, 20).map((x) => ({
    c: x,
    due: x.dueState,
    hallName: (lang === 'en' && hall.get(x.hallId)?.nameEn) || hall.get(x.hallId)?.name || x.hallId,
    timeZone: hall.get(x.hallId)?.timezone ?? tz,
  }));
  const link = `/cases?lang=${lang}&overdue=true`;
  const figures = figuresPanel(lang, f, `/cases?lang=${lang}`);
  return html`<style nonce="${nonce}">${CASE_CSS}</style>${overduePanel(lang, rows, urgent.length, link)}${figures}
<p><a href="/regions/${encodeURIComponent(regionId)}/audit?lang=${lang}">${CW[lang].auditOf}</a></p>`;
}
