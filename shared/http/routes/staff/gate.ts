/**
 * The staff areas' one gate and what they share. `kit.gate({ unit, admin, answer })` is a Hono middleware that signs
 * the user in (else the sign-in redirect, or 401 problem+json), checks the unit named by the route's `:hallId` or
 * `:regionId` against the user's scope (else the same 404 as a unit that does not exist, page or problem+json), and
 * sets a typed `c.var`: `lang`, `user`, `csrf` and the `unit`. A handler reads the user and the unit only from there,
 * so a route without the gate does not type-check. `kit.form` then checks a form post's CSRF token.
 */
import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import { html } from 'hono/html';
import { canSeeHall, canSeeRegion, type TTree, type TUser } from '../../../domain/access.js';
import type { THall, TRegion } from '../../../domain/model.js';
import type { TAppDeps } from '../../deps.js';
import { D, staffPage } from '../../pages/dashboard.js';
import { pickLang, type TLang } from '../../pages/i18n.js';
import { nonceOf } from '../../pages/layout.js';
import { problem } from '../../problem.js';
import { csrfMatches, readSession, sameGeneration } from '../../session.js';
import { getUserWithSessions } from '../../../storage/users.js';
import { getHall, getRegion, regionAncestors, regionChildren, regionSubtree, type TChildren } from '../../../storage/catalogue.js';

export type TWho = { user: TUser; csrf: string };
type TUnitKind = 'hall' | 'region';
export type TUnitOf<K> = K extends 'hall'
  ? { kind: 'hall'; id: string; hall: THall }
  : K extends 'region'
    ? { kind: 'region'; id: string; region: TRegion }
    : undefined;
/** What the gate sets for every signed-in route: the page's language, the user, the session's CSRF token. */
export type TSignedIn = { Variables: { lang: TLang; user: TUser; csrf: string } };
/** ... and the unit in scope, when the route names one. */
export type TStaffEnv<K extends TUnitKind | undefined = undefined> = { Variables: TSignedIn['Variables'] & { unit: TUnitOf<K> } };
/** After `kit.form`: the posted form, its CSRF token checked. */
export type TFormEnv = { Variables: TSignedIn['Variables'] & { form: Record<string, unknown> } };
export type TPageStatus = 200 | 400 | 403 | 404 | 502;

const FORBIDDEN =
  '表单已过期或来源不明，请刷新页面后重试。Forbidden: the form expired or did not come from this site; reload the page and try again.';

export type TStaffKit = ReturnType<typeof staffKit>;

export function staffKit(deps: TAppDeps) {
  const now = deps.now ?? Date.now;

  /**
   * Catalogue records cached briefly per process (an administrator's change in this process drops them at once), so a
   * warm gate reads nothing and a cold one reads the unit and its ancestors only: never the country.
   */
  const TTL_MS = 30_000;
  function cached<T>(load: (id: string) => Promise<T>, max: number) {
    const m = new Map<string, { at: number; version: number; value: Promise<T> }>();
    return (id: string): Promise<T> => {
      const hit = m.get(id);
      if (hit && now() - hit.at < TTL_MS && hit.version === deps.table.catalogueVersion) return hit.value;
      if (m.size >= max) m.clear();
      const value = load(id);
      m.set(id, { at: now(), version: deps.table.catalogueVersion, value });
      value.catch(() => m.delete(id));
      return value;
    };
  }
  const region = cached((id) => getRegion(deps.table, id), 20_000);
  const hall = cached((id) => getHall(deps.table, id), 20_000);
  /** A region and its ancestors, itself first (the part of the tree a scope check needs). */
  const ancestors = (regionId: string) => regionAncestors(deps.table, regionId, region);
  /** Everything below a region at any depth (its page's data), cached like the rest. */
  const subtree: (regionId: string) => Promise<TChildren> = cached((id) => regionSubtree(deps.table, id), 50);
  const topRegions = cached(async () => (await regionChildren(deps.table, undefined)).regions, 1);
  /** The deployment's top region (an administrator's home). */
  const rootRegion = async (): Promise<string | undefined> => (await topRegions('')).map((x) => x.id).sort()[0];
  /** The tree a scope check needs: the chain above the unit (and the hall's place), nothing else. */
  const chainTree = (chain: TRegion[], h?: THall): TTree => ({
    regionParent: new Map(chain.map((x) => [x.id, x.parentId || undefined])),
    hallRegion: new Map(h ? [[h.id, h.regionId]] : []),
  });

  /** The hall if the user may see it (its record and its region's chain, cached as the gate's), else undefined. */
  const seeHall = async (user: TUser, id: string): Promise<THall | undefined> => {
    const h = await hall(id);
    return h && canSeeHall(user, chainTree(await ancestors(h.regionId), h), id) ? h : undefined;
  };

  async function signedIn(c: Context): Promise<TWho | undefined> {
    const s = readSession(c, deps.keyring, now());
    if (!s) return undefined;
    const found = await getUserWithSessions(deps.table, s.uid);
    // Ended sessions (sign-out, an administrator's "end sessions", demotion) are of an older generation.
    return found && sameGeneration(s, found.sessionGen) ? { user: found.user, csrf: s.csrf } : undefined;
  }

  /** A signed-out visitor goes to sign-in, which brings them back here afterwards. */
  const toSignIn = (c: Context, lang: TLang) =>
    c.redirect(`/signin?lang=${lang}&next=${encodeURIComponent(new URL(c.req.url).pathname)}`, 303);

  const page = (c: Context, lang: TLang, title: string, body: ReturnType<typeof html>, who?: TWho, status: TPageStatus = 200) => {
    const path = new URL(c.req.url).pathname;
    return c.html(staffPage({ lang, nonce: nonceOf(c), title, user: who?.user, csrf: who?.csrf, body, path }), status);
  };

  const notFound = (c: Context, lang: TLang, who: TWho) => page(c, lang, D[lang].notFound, html`<h1>${D[lang].notFound}</h1>`, who, 404);

  /** A gated route's page: language, user and CSRF token from the gate. */
  const view = <E extends TSignedIn>(c: Context<E>, title: string, body: ReturnType<typeof html>, status: TPageStatus = 200) =>
    page(c, c.var.lang, title, body, { user: c.var.user, csrf: c.var.csrf }, status);

  function gate<K extends TUnitKind | undefined = undefined>(opts: { unit?: K; admin?: boolean; answer?: 'page' | 'json' } = {}) {
    return createMiddleware<TStaffEnv<K>>(async (c, next) => {
      // Staff pages, JSON reports and exports are never kept by a browser or a proxy (refusals included).
      c.header('cache-control', 'no-store');
      const lang = pickLang(c.req.query('lang'));
      const json = opts.answer === 'json';
      const who = await signedIn(c);
      if (!who) return json ? problem(c, 'sign-in-required') : toSignIn(c, lang);
      const refuse = () => (json ? problem(c, 'not-found', 'No such unit in your scope.') : notFound(c, lang, who));
      if (opts.admin && who.user.role !== 'admin') return refuse();
      let unit: TUnitOf<TUnitKind> | undefined;
      if (opts.unit === 'hall') {
        const id = c.req.param('hallId') ?? c.req.param('unitId') ?? ''; // :unitId: a hall or a region (reports.ts)
        const h = id ? await hall(id) : undefined;
        if (!h || !canSeeHall(who.user, chainTree(await ancestors(h.regionId), h), id)) return refuse();
        unit = { kind: 'hall', id, hall: h };
      } else if (opts.unit === 'region') {
        const id = c.req.param('regionId') ?? c.req.param('unitId') ?? '';
        const chain = id ? await ancestors(id) : [];
        if (!chain.length || !canSeeRegion(who.user, chainTree(chain), id)) return refuse();
        unit = { kind: 'region', id, region: chain[0] };
      }
      c.set('lang', lang);
      c.set('user', who.user);
      c.set('csrf', who.csrf);
      c.set('unit', unit as TUnitOf<K>);
      await next();
      c.header('cache-control', 'no-store');
    });
  }

  /** A change: the form's CSRF token must be the session's (403, nothing written, if missing or wrong). After a gate. */
  const form = createMiddleware<TFormEnv>(async (c, next) => {
    const body = await c.req.parseBody().catch(() => undefined); // a damaged body: refused like a missing token
    if (!body || !csrfMatches(c.var.csrf, body._csrf)) return c.text(FORBIDDEN, 403);
    c.set('form', body);
    await next();
  });

  /** What a page says while the nightly job's figures are still being computed (issue 13: x / 90 nights). */
  const computing = (lang: TLang) => {
    const p = deps.scoring?.();
    return p && p.total > 0 ? D[lang].computing(p.done, p.total) : p ? D[lang].computingSoon : D[lang].notScored;
  };
  return { deps, now, ancestors, subtree, rootRegion, seeHall, signedIn, toSignIn, page, notFound, view, gate, form, computing };
}
