/**
 * The review area (/reviews, SPEC §6, issue 10): supervisors list the flagged groups of the halls in their scope,
 * open one with its ratings, and confirm or clear per rating or per group. Behind the gate: a hall outside the
 * user's scope is the same 404 as one that does not exist, and nothing is written; a hall manager has no review
 * area (404); an administrator may read it, only a supervisor decides (403, nothing written).
 */
import type { Context } from 'hono';
import { html } from 'hono/html';
import { Hono } from 'hono/tiny';
import type { TUser } from '../../../domain/access.js';
import type { THall } from '../../../domain/model.js';
import { localDay } from '../../../domain/time.js';
import { windowWords } from '../../../domain/matters.js';
import { caseDepsOf, listCaseQueue } from '../../../services/cases.js';
import { decideReview, listReviews, reviewGroupView } from '../../../services/reviews.js';
import { getHallCatalogue, type THallCatalogue } from '../../../storage/catalogue.js';
import { staffPage } from '../../pages/dashboard.js';
import { CASE_CSS } from '../../pages/cases.js';
import { nonceOf } from '../../pages/layout.js';
import { REVIEW_CSS, RW, reviewGroupBody, reviewListBody } from '../../pages/reviews.js';
import type { TSignedIn, TStaffKit } from './gate.js';

const DAY = /^\d{4}-\d{2}-\d{2}$/;

export function reviewRoutes(kit: TStaffKit) {
  const t = kit.deps.table;
  const r = new Hono();
  const signedIn = kit.gate();
  const inHall = kit.gate({ unit: 'hall' });

  const page = <E extends TSignedIn>(c: Context<E>, title: string, body: ReturnType<typeof html>, status: 200 | 403 = 200) => {
    const nonce = nonceOf(c);
    const head = html`<style nonce="${nonce}">${CASE_CSS}${REVIEW_CSS}</style>`;
    const path = new URL(c.req.url).pathname;
    return c.html(staffPage({ lang: c.var.lang, nonce, title, user: c.var.user, csrf: c.var.csrf, body, path, head }), status);
  };
  const notFound = <E extends TSignedIn>(c: Context<E>) => kit.notFound(c, c.var.lang, { user: c.var.user, csrf: c.var.csrf });
  const catalogues = new Map<string, { at: number; cat?: THallCatalogue }>();
  const catalogue = async (hallId: string) => {
    const hit = catalogues.get(hallId);
    if (hit && kit.now() - hit.at < 30_000) return hit.cat;
    const cat = await getHallCatalogue(t, hallId);
    catalogues.set(hallId, { at: kit.now(), cat });
    return cat;
  };
  const windowName = (cat: THallCatalogue | undefined, lang: 'zh' | 'en', id?: string) => {
    const w = cat?.windows.find((x) => x.id === id);
    return (lang === 'en' && w?.nameEn) || w?.name || (id ? windowWords(id, lang) : '—');
  };

  /** The halls a user reviews: a supervisor's region subtree, or every hall for an administrator (the root's subtree). */
  async function hallsOf(user: TUser): Promise<THall[]> {
    const root = user.role === 'admin' ? await kit.rootRegion() : user.scope;
    return root ? (await kit.subtree(root)).halls : [];
  }

  r.get('/reviews', signedIn, async (c) => {
    const { user, lang } = c.var;
    if (user.role === 'manager') return notFound(c);
    const only = c.req.query('hallId');
    // One hall: checked like the gate (the hall and its region's chain); else the user's subtree, never the country.
    const one = only ? await kit.seeHall(user, only) : undefined;
    if (only && !one) return notFound(c);
    const halls = one ? [one] : await hallsOf(user);
    const ids = halls.map((h) => h.id);
    const tz = halls[0]?.timezone ?? 'Asia/Shanghai';
    const rows = await listReviews(t, ids, localDay(kit.now(), tz));
    const cats = new Map<string, THallCatalogue | undefined>();
    for (const id of new Set(rows.map((x) => x.hallId))) cats.set(id, await catalogue(id));
    const byId = new Map(halls.map((h) => [h.id, h]));
    const saved = Number(c.req.query('saved')) || undefined;
    // The appeals waiting for this supervisor's decision, by their deadline (SPEC §5): overdue ones first.
    const scope = only
      ? { hallId: only }
      : user.role === 'supervisor'
        ? { regionId: user.scope }
        : { regionId: (await kit.rootRegion()) ?? '' };
    const appeals = (await listCaseQueue(caseDepsOf(kit.deps), scope, { state: 'appealed' })).cases
      .filter((x) => x.appealDue)
      .sort((a, b) => a.appealDue!.localeCompare(b.appealDue!))
      .map((x) => ({ caseId: x.caseId, hallId: x.hallId, due: x.appealDue!, overdue: kit.now() > Date.parse(x.appealDue!) }));
    const body = reviewListBody({
      appeals,
      timeZone: tz,
      lang,
      csrf: c.var.csrf,
      rows,
      hallName: (id) => (lang === 'en' && byId.get(id)?.nameEn) || byId.get(id)?.name || id,
      windowName: (hallId, id) => windowName(cats.get(hallId), lang, id),
      mayDecide: user.role === 'supervisor',
      saved,
    });
    return page(c, RW[lang].title, body);
  });

  r.get('/reviews/:hallId/:day/:key', inHall, async (c) => {
    const { user, lang, unit } = c.var;
    const day = c.req.param('day');
    if (user.role === 'manager' || !DAY.test(day)) return notFound(c);
    const view = await reviewGroupView(t, unit.id, day, c.req.param('key'));
    if (!view) return notFound(c);
    const cat = await catalogue(unit.id);
    const body = reviewGroupBody({
      lang,
      csrf: c.var.csrf,
      group: view.group,
      ratings: view.ratings,
      hallName: (lang === 'en' && unit.hall.nameEn) || unit.hall.name,
      windowName: windowName(cat, lang, view.group.windowId),
      timeZone: unit.hall.timezone,
      mayDecide: user.role === 'supervisor',
      saved: Number(c.req.query('saved')) || undefined,
    });
    return page(c, RW[lang].title, body);
  });

  r.post('/reviews/:hallId/:day/:key/:decision{confirm|clear}', inHall, kit.form, async (c) => {
    const { user, lang, unit, form } = c.var;
    const day = c.req.param('day');
    if (user.role === 'manager' || !DAY.test(day)) return notFound(c);
    if (user.role !== 'supervisor') return page(c, RW[lang].title, html`<h1>${RW[lang].title}</h1><p>${FORBIDDEN[lang]}</p>`, 403);
    const ratingId = typeof form.ratingId === 'string' && form.ratingId ? form.ratingId : undefined;
    const decision = c.req.param('decision') === 'clear' ? 'cleared' : 'confirmed';
    const res = await decideReview(kit.deps, user, { hallId: unit.id, day, key: c.req.param('key'), ratingId }, decision);
    if (!res.ok) return notFound(c);
    const back = typeof form.back === 'string' && /^\/reviews(\/[\w%.:-]+)*$/.test(form.back) ? form.back : '/reviews';
    return c.redirect(`${back}?lang=${lang}&saved=${res.count}`, 303);
  });

  return r;
}

const FORBIDDEN = {
  zh: '只有辖区的督导人员可以确认或清除标记。',
  en: 'Only a supervisor whose scope holds the hall confirms or clears flags.',
};
