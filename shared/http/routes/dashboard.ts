/**
 * The staff dashboard: sign-in, and scoped hall and region pages. Every page checks the signed-in user's scope on
 * the server (shared/domain/access.ts); a unit outside it answers 404 with no data, the same as a unit that does
 * not exist. Kept apart from the resident and machine routes so those stay small on Lambda.
 */
import type { Context } from 'hono';
import { html, raw } from 'hono/html';
import { Hono } from 'hono/tiny';
import { canSeeHall, canSeeRegion, homeOf, regionChain, type TTree, type TUser } from '../../domain/access.js';
import { unitId } from '../../domain/aggregate.js';
import { isDay, addDays, daysBetween } from '../../domain/time.js';
import { hashApiKey, newApiKey } from '../../domain/privacy.js';
import { signPlacard } from '../../domain/tokens.js';
import { qrSvg } from '../qr.js';
import type { TFigures } from '../../domain/figures.js';
import { GRADE_LABELS } from '../../domain/grades.js';
import { hallInsights, themeLabel, type TInsights } from '../../scoring/insights.js';
import { hallReport, ratingsCsv, toUnitReport, type TUnitReport } from '../../scoring/report.js';
import type { TSnapshot } from '../../storage/score-store.js';
import type { THall, TRegion } from '../../domain/model.js';
import type { TAsset } from '../assets.js';
import { problem } from '../problem.js';
import { baseUrl, type TAppDeps } from '../deps.js';
import { pickLang, type TLang } from '../pages/i18n.js';
import { D, bandTag, gauge, rateCell, staffPage } from '../pages/dashboard.js';
import { csrfMatches, endSession, readSession, seal, startSession, unseal } from '../session.js';
import { FLOW_MINUTES, oidcClient, oidcSettings, safeNext, type TOidcFlow } from '../oidc.js';
import { matchStaffUser } from '../../domain/staff-identity.js';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { adminRoutes } from './admin.js';
import { listApiKeys, putApiKey, revokeApiKey } from '../../storage/api-keys.js';
import { bindOidcSub, getUser, listUsers } from '../../storage/users.js';

const nonceOf = (c: Context): string => (c.get('secureHeadersNonce' as never) as string | undefined) ?? '';

export function dashboardRoutes(deps: TAppDeps, assets?: { script: TAsset; css: string }) {
  const now = deps.now ?? Date.now;
  const devSignIn = deps.config.APP_ENV !== 'aws'; // impossible to enable in the AWS configuration
  const r = new Hono();

  if (assets) {
    r.get(assets.script.path, (c) => c.body(assets.script.body, 200, { 'content-type': assets.script.type, 'cache-control': 'public, max-age=31536000, immutable' }));
  }

  /** The region tree, cached briefly: every page checks scope against it. An administrator's change drops it at once. */
  let treeCache: { at: number; version: number; tree: TTree; rootRegion?: string; regions: TRegion[]; halls: THall[] } | undefined;
  async function tree() {
    if (treeCache && now() - treeCache.at < 30_000 && treeCache.version === deps.repo.catalogueVersion) return treeCache;
    const version = deps.repo.catalogueVersion;
    const [regions, halls] = await Promise.all([deps.repo.listRegions(), deps.repo.listHalls()]);
    treeCache = {
      at: now(),
      version,
      tree: { regionParent: new Map(regions.map((x) => [x.id, x.parentId])), hallRegion: new Map(halls.map((h) => [h.id, h.regionId])) },
      rootRegion: regions.find((x) => !x.parentId)?.id,
      regions,
      halls,
    };
    return treeCache;
  }

  /** A signed-out visitor goes to sign-in, which brings them back here afterwards. */
  const toSignIn = (c: Context, lang: TLang) => c.redirect(`/signin?lang=${lang}&next=${encodeURIComponent(new URL(c.req.url).pathname)}`, 303);

  async function signedIn(c: Context): Promise<{ user: TUser; csrf: string } | undefined> {
    const s = readSession(c, deps.keyring, now());
    if (!s) return undefined;
    const user = await getUser(deps.repo.table, s.uid);
    return user && { user, csrf: s.csrf };
  }

  const page = (c: Context, lang: TLang, title: string, body: ReturnType<typeof html>, who?: { user: TUser; csrf: string }, status: 200 | 400 | 403 | 404 | 502 = 200) =>
    c.html(staffPage({ lang, nonce: nonceOf(c), title, user: who?.user, csrf: who?.csrf, body, path: new URL(c.req.url).pathname }), status);

  const notFound = (c: Context, lang: TLang, who: { user: TUser; csrf: string }) => page(c, lang, D[lang].notFound, html`<h1>${D[lang].notFound}</h1>`, who, 404);

  type TScoped = { lang: TLang; who: { user: TUser; csrf: string }; id: string };
  /**
   * The one gate for every unit page: signed in (else to sign-in), and the unit in the user's scope (else a 404
   * that says nothing about the unit). Each route then only renders.
   */
  const scoped =
    (kind: 'hall' | 'region', handler: (c: Context, s: TScoped) => Promise<Response>) =>
    async (c: Context): Promise<Response> => {
      const lang = pickLang(c.req.query('lang'));
      const who = await signedIn(c);
      if (!who) return toSignIn(c, lang);
      const id = c.req.param(kind === 'hall' ? 'hallId' : 'regionId') ?? '';
      const { tree: t } = await tree();
      if (!(kind === 'hall' ? canSeeHall(who.user, t, id) : canSeeRegion(who.user, t, id))) return notFound(c, lang, who);
      return handler(c, { lang, who, id });
    };

  /* ---------- the dashboard's JSON API: a signed-in session, scope checked like the pages ---------- */

  const scopedJson =
    (kind: 'hall' | 'region', handler: (c: Context, s: { user: TUser; id: string }) => Promise<Response>) =>
    async (c: Context): Promise<Response> => {
      const who = await signedIn(c);
      if (!who) return problem(c, 'sign-in-required');
      const id = c.req.param(kind === 'hall' ? 'hallId' : 'regionId') ?? '';
      const { tree: t } = await tree();
      if (!(kind === 'hall' ? canSeeHall(who.user, t, id) : canSeeRegion(who.user, t, id))) return problem(c, 'not-found', 'No such unit in your scope.');
      return handler(c, { user: who.user, id });
    };

  r.get('/api/v1/me', async (c) => {
    const who = await signedIn(c);
    if (!who) return problem(c, 'sign-in-required');
    return c.json({ id: who.user.id, name: who.user.name, role: who.user.role, scope: who.user.scope });
  });

  /** The hall's figures, the same JSON as `npm run report`. */
  r.get('/api/v1/halls/:hallId/report', scopedJson('hall', async (c, { id }) => {
    const date = c.req.query('date');
    if (date !== undefined && !isDay(date)) return problem(c, 'validation-failed', 'date must be YYYY-MM-DD.');
    const report = await hallReport(deps.scores, id, date);
    return report ? c.json(report) : problem(c, 'not-scored', 'No scores for that hall and date yet.');
  }));

  /** A region's figures and its child units' (a league table's data). */
  r.get('/api/v1/regions/:regionId/report', scopedJson('region', async (c, { id }) => {
    const date = c.req.query('date') ?? (await deps.scores.lastCompletedRun());
    if (!date) return problem(c, 'not-scored', 'Nothing scored yet.');
    if (!isDay(date)) return problem(c, 'validation-failed', 'date must be YYYY-MM-DD.');
    const { regions, halls } = await tree();
    const units = [unitId.region(id), ...regions.filter((x) => x.parentId === id).map((x) => unitId.region(x.id)), ...halls.filter((h) => h.regionId === id).map((h) => unitId.hall(h.id))];
    const snaps = await deps.scores.getSnapshots(date, units);
    const reports = units.map((u) => snaps.get(u)).filter((x): x is TSnapshot => !!x).map(toUnitReport).filter((x): x is TUnitReport => !!x);
    return c.json({ regionId: id, date, region: reports.find((x) => x.unit === unitId.region(id)), children: reports.filter((x) => x.unit !== unitId.region(id)) });
  }));

  r.get('/', async (c) => {
    const lang = pickLang(c.req.query('lang'));
    const who = await signedIn(c);
    if (who) return c.redirect(`${homeOf(who.user, (await tree()).rootRegion)}?lang=${lang}`, 303);
    const w = D[lang];
    return page(c, lang, w.brand, html`<h1>${w.brand}</h1><p>${w.landing}</p><p><a href="/signin?lang=${lang}">${w.signIn}</a></p>`);
  });

  /* ---------- sign-in: the identity provider (OIDC), and locally a demo sign-in ---------- */

  const settings = oidcSettings(deps.config);
  const provider = settings && oidcClient(settings);
  const FLOW_COOKIE = 'st_oidc';
  const secure = (c: Context) => new URL(c.req.url).protocol === 'https:';
  const signInProblem = (c: Context, lang: TLang, message: string, status: 400 | 403 | 502) => {
    c.header('cache-control', 'no-store');
    return page(c, lang, D[lang].signInTitle, html`<h1>${D[lang].signInTitle}</h1><p role="alert">${message}</p><p><a href="/signin?lang=${lang}">${D[lang].signInAgain}</a></p>`, undefined, status);
  };

  r.get('/signin', async (c) => {
    const lang = pickLang(c.req.query('lang'));
    const w = D[lang];
    const next = safeNext(c.req.query('next'));
    const viaProvider = provider ? html`<p><a class="button" href="/auth/login?lang=${lang}&amp;next=${encodeURIComponent(next)}">${w.signInWith}</a></p>` : '';
    if (!devSignIn) return page(c, lang, w.signInTitle, html`<h1>${w.signInTitle}</h1>${provider ? viaProvider : html`<p>${w.oidcMissing}</p>`}`);
    // Before a session exists, the sign-in form is protected by a double-submit token.
    const pre = startSession(c, deps.keyring, '', now());
    const users = await listUsers(deps.repo.table);
    return page(
      c, lang, w.signInTitle,
      html`<h1>${w.signInTitle}</h1>${viaProvider}<h2>${w.devSignIn}</h2><p class="muted">${w.devHint}</p>
<form method="post" action="/signin/dev?lang=${lang}&amp;next=${encodeURIComponent(next)}" class="users"><input type="hidden" name="_csrf" value="${pre.csrf}">
${users.map((u) => html`<button type="submit" name="userId" value="${u.id}">${u.name} — ${u.role} · ${u.scope}</button>`)}</form>`,
    );
  });

  if (devSignIn) {
    r.post('/signin/dev', async (c) => {
      const lang = pickLang(c.req.query('lang'));
      const form = await c.req.parseBody();
      const pre = readSession(c, deps.keyring, now());
      if (!pre || !csrfMatches(pre.csrf, form._csrf)) return c.text('Forbidden: the sign-in form expired, please reload it. 登录页已过期，请刷新。', 403);
      const user = typeof form.userId === 'string' ? await getUser(deps.repo.table, form.userId) : undefined;
      if (!user) return c.text('Unknown user. 没有这个用户。', 400);
      startSession(c, deps.keyring, user.id, now(), 'dev');
      const next = safeNext(c.req.query('next'));
      return c.redirect(`${next !== '/' ? next : homeOf(user, (await tree()).rootRegion)}?lang=${lang}`, 303);
    });
  }

  if (provider) {
    /** To the provider, with PKCE, state and nonce remembered in a sealed cookie that lives ten minutes. */
    r.get('/auth/login', async (c) => {
      const lang = pickLang(c.req.query('lang'));
      const redirectUri = deps.config.OIDC_REDIRECT_URI ?? `${baseUrl(c, deps.config)}/auth/callback`;
      try {
        const { url, flow } = await provider.begin(redirectUri, safeNext(c.req.query('next')), lang, now());
        setCookie(c, FLOW_COOKIE, seal(deps.keyring, flow), { path: '/auth', httpOnly: true, sameSite: 'Lax', secure: secure(c), maxAge: FLOW_MINUTES * 60 });
        c.header('cache-control', 'no-store');
        return c.redirect(url.href, 302);
      } catch (err) {
        deps.log.error('sign-in: provider unreachable', { error: (err as Error).name, code: (err as { code?: string }).code });
        return signInProblem(c, lang, D[lang].providerDown, 502);
      }
    });

    /** Back from the provider: check everything, find the staff user, start a fresh session. */
    r.get('/auth/callback', async (c) => {
      const flow = unseal<TOidcFlow>(deps.keyring, getCookie(c, FLOW_COOKIE), now());
      deleteCookie(c, FLOW_COOKIE, { path: '/auth', secure: secure(c) });
      const lang = flow?.lang ?? pickLang(c.req.query('lang'));
      const w = D[lang];
      if (!flow) return signInProblem(c, lang, w.flowExpired, 400);
      const query = new URL(c.req.url).searchParams;
      const said = query.get('error');
      if (said) return signInProblem(c, lang, `${w.providerSaid}: ${said.slice(0, 60)}`, 400); // e.g. the user cancelled
      let claims: Awaited<ReturnType<typeof provider.finish>>;
      try {
        claims = await provider.finish(query, flow);
      } catch (err) {
        // Names and codes only: never the code, tokens or claims.
        deps.log.warn('sign-in: provider response refused', { error: (err as Error).name, code: (err as { code?: string }).code });
        return signInProblem(c, lang, w.flowExpired, 400);
      }
      const match = matchStaffUser(await listUsers(deps.repo.table), claims);
      if (match.kind === 'bind' && !(await bindOidcSub(deps.repo.table, match.user.id, claims.sub))) return signInProblem(c, lang, w.refused['bound-elsewhere'], 403);
      if (match.kind === 'refused') {
        deps.log.warn('sign-in: identity refused', { reason: match.reason });
        return signInProblem(c, lang, w.refused[match.reason], 403);
      }
      deps.log.info('sign-in', { user: match.user.id, via: 'oidc', bound: match.kind === 'bind' });
      startSession(c, deps.keyring, match.user.id, now(), 'oidc'); // a new session: nothing from before sign-in carries over
      const next = flow.next !== '/' ? flow.next : homeOf(match.user, (await tree()).rootRegion);
      return c.redirect(`${next}${next.includes('?') ? '&' : '?'}lang=${lang}`, 303);
    });
  }

  r.post('/signout', async (c) => {
    const s = readSession(c, deps.keyring, now());
    const form = await c.req.parseBody();
    if (s && !csrfMatches(s.csrf, form._csrf)) return c.text('Forbidden', 403);
    endSession(c);
    // After a provider sign-in, also end the provider's session: on a shared office computer the next person
    // must not be signed straight back in.
    const away = s?.via === 'oidc' && provider ? await provider.logoutUrl(`${baseUrl(c, deps.config)}/`) : undefined;
    if (!away) return c.redirect('/', 303);
    // Not a redirect: the form's CSP (form-action 'self') would block a redirect to the provider; a page that
    // moves on at once (and says so, with a link) is a plain navigation.
    const lang = pickLang(c.req.query('lang'));
    const w = D[lang];
    c.header('cache-control', 'no-store');
    return c.html(
      staffPage({
        lang, nonce: nonceOf(c), title: w.signedOut, path: '/signout',
        head: html`<meta http-equiv="refresh" content="0;url=${away}">`,
        body: html`<h1>${w.signedOut}</h1><p>${w.signingOutProvider}</p><p><a id="provider-signout" href="${away}">${w.continue}</a></p>`,
      }),
    );
  });

  r.get('/halls/:hallId', scoped('hall', async (c, { lang, who, id: hallId }) => {
    const w = D[lang];
    const day = await deps.scores.lastCompletedRun();
    const cat = await deps.repo.getHallCatalogue(hallId);
    const title = cat?.hall.name ?? hallId;
    if (!day) return page(c, lang, title, html`<h1>${title}</h1><p>${w.notScored}</p>`, who);
    const [snaps, trend, alerts, insights] = await Promise.all([
      deps.scores.getSnapshots(day, [unitId.hall(hallId), ...(cat?.windows ?? []).map((x) => unitId.window(hallId, x.id)), ...(cat?.services ?? []).map((x) => unitId.service(hallId, x.id))]),
      deps.scores.snapshotRange(unitId.hall(hallId), addDays(day, -89), day),
      deps.scores.alertsForHall(hallId, addDays(day, -29), day),
      cat ? hallInsights(deps.repo, cat.hall, day) : undefined,
    ]);
    const hall = snaps.get(unitId.hall(hallId));
    const report = hall && toUnitReport(hall);
    if (!report) return page(c, lang, title, html`<h1>${title}</h1><p>${w.notScored}</p>`, who);
    const names = new Map([...(cat?.windows ?? []).map((x) => [unitId.window(hallId, x.id), x.name] as const), ...(cat?.services ?? []).map((x) => [unitId.service(hallId, x.id), x.name] as const)]);
    const unitRows = (prefix: 'W#' | 'S#') =>
      [...snaps.values()].filter((s) => s.unit.startsWith(prefix)).map((s) => ({ name: names.get(s.unit) ?? s.unit.split('#').pop()!, r: toUnitReport(s)! })).sort((a, b) => b.r.temperature - a.r.temperature);
    return page(
      c, lang, title,
      html`<h1>${title}</h1><p class="muted">${w.asOf} ${day} · <a href="/halls/${hallId}/export/ratings?from=${addDays(day, -29)}&to=${day}">${w.exportRatings}</a> · <a href="/halls/${hallId}/export/scores?from=${addDays(day, -89)}&to=${day}">${w.exportScores}</a> · <a href="/halls/${hallId}/placards?lang=${lang}">${w.placards}</a>${who.user.role === 'admin' ? html` · <a href="/admin/halls/${hallId}/keys?lang=${lang}">${w.keys}</a>` : ''}</p>
${figureCards(w, report)}
<h2>${w.windows}</h2>${unitTable(w, unitRows('W#'))}
<h2>${w.services}</h2>${unitTable(w, unitRows('S#'))}
<h2>${w.alerts}</h2>${alerts.length ? html`<ul>${alerts.map((a) => html`<li>${a.day} — ${a.kind === 'cusum' ? w.cusum : w.turnedCold}</li>`)}</ul>` : html`<p>${w.noAlerts}</p>`}
${insights ? insightsHtml(w, lang, insights) : ''}
<h2>${w.trend}</h2>${assets ? trendChart(w, trend, assets, nonceOf(c)) : ''}${trendTable(w, trend)}`,
      who,
    );
  }));

  r.get('/regions/:regionId', scoped('region', async (c, { lang, who, id: regionId }) => {
    const w = D[lang];
    const day = await deps.scores.lastCompletedRun();
    const { regions, halls, tree: t } = await tree(); // the scope check just read it: no second catalogue read
    const region = regions.find((x) => x.id === regionId)!;
    const title = (lang === 'en' && region.nameEn) || region.name;
    if (!day) return page(c, lang, title, html`<h1>${title}</h1><p>${w.notScored}</p>`, who);
    const children = [
      ...regions.filter((x) => x.parentId === regionId).map((x) => ({ unit: unitId.region(x.id), href: `/regions/${x.id}`, name: (lang === 'en' && x.nameEn) || x.name })),
      ...halls.filter((h) => h.regionId === regionId).map((h) => ({ unit: unitId.hall(h.id), href: `/halls/${h.id}`, name: (lang === 'en' && h.nameEn) || h.name })),
    ];
    const units = [unitId.region(regionId), ...children.map((x) => x.unit)];
    const inRegion = (hallId: string) => regionChain(t, t.hallRegion.get(hallId) ?? '').includes(regionId);
    const [nowSnaps, thenSnaps, alerts] = await Promise.all([
      deps.scores.getSnapshots(day, units),
      deps.scores.getSnapshots(addDays(day, -30), units),
      // The region's alerts of 30 days, newest first: one Query per day (alerts are indexed by day), kept to this subtree.
      Promise.all([...Array(30).keys()].map((i) => deps.scores.alertsOfDay(addDays(day, -i)))).then((days) => days.flat().filter((a) => inRegion(a.hallId))),
    ]);
    const hallName = new Map(halls.map((h) => [h.id, (lang === 'en' && h.nameEn) || h.name]));
    const own = nowSnaps.get(unitId.region(regionId));
    const rows = children
      .map((x) => ({ ...x, r: nowSnaps.get(x.unit) && toUnitReport(nowSnaps.get(x.unit)!), before: (thenSnaps.get(x.unit)?.figures as TFigures | undefined)?.temperature }))
      .filter((x): x is typeof x & { r: TUnitReport } => !!x.r)
      .map((x) => ({ ...x, change: x.before === undefined ? undefined : x.r.temperature - x.before }));
    const attention = rows.filter((x) => x.r.band === 'cold' || (x.change !== undefined && x.change <= -3)).sort((a, b) => a.r.temperature - b.r.temperature);
    const ranked = rows.filter((x) => x.r.ranked).sort((a, b) => b.r.temperature - a.r.temperature);
    const unranked = rows.filter((x) => !x.r.ranked);
    const table = (list: typeof rows, numbered: boolean) => html`<table class="sortable"><thead><tr>${numbered ? html`<th>${w.rank}</th>` : ''}<th>${w.name}</th><th>${w.temperature}</th><th>${w.interval}</th><th>${w.band}</th><th>${w.n}</th><th>${w.change30}</th><th>${w.goodRate}</th></tr></thead><tbody>
${list.map((x, i) => html`<tr>${numbered ? html`<td class="num">${i + 1}</td>` : ''}<td><a href="${x.href}?lang=${lang}">${x.name}</a></td><td class="num">${x.r.temperature.toFixed(1)}</td><td class="num">${x.r.low.toFixed(1)}–${x.r.high.toFixed(1)}</td><td>${bandTag(w, x.r.band)}</td><td class="num">${x.r.n.toFixed(0)}</td><td class="num">${x.change === undefined ? '—' : `${x.change > 0 ? '+' : ''}${x.change.toFixed(1)}`}</td><td class="num">${rateCell(x.r.goodRate)}</td></tr>`)}
</tbody></table>`;
    return page(
      c, lang, title,
      html`<h1>${title}</h1><p class="muted">${w.asOf} ${day}</p>${own && toUnitReport(own) ? figureCards(w, toUnitReport(own)!) : ''}
${attention.length ? html`<h2>${w.attention}</h2>${table(attention, false)}` : ''}
<h2>${w.league}</h2>${table(ranked, true)}
${unranked.length ? html`<h2>${w.unranked}</h2>${table(unranked, false)}` : ''}
<h2>${w.regionAlerts}</h2>${alerts.length
      ? html`<ul class="alerts">${alerts.map((a) => html`<li>${a.day} · <a href="/halls/${a.hallId}?lang=${lang}">${hallName.get(a.hallId) ?? a.hallId}</a> — ${a.kind === 'cusum' ? w.cusum : w.turnedCold}${typeof a.figures.temperature === 'number' ? html` <span class="muted">(${w.temperature} ${(a.figures.temperature as number).toFixed(1)})</span>` : ''}</li>`)}</ul>`
      : html`<p>${w.noAlerts}</p>`}
${assets ? html`<script nonce="${nonceOf(c)}" src="${assets.script.path}" defer></script>` : ''}`,
      who,
    );
  }));

  /**
   * Exports: the hall's raw ratings, or its daily figures, as CSV. Streamed one day at a time, so a year of a busy
   * hall neither times out nor fills memory; UTF-8 with a BOM so Excel opens the Chinese text correctly.
   */
  r.get('/halls/:hallId/export/:what{ratings|scores}', scoped('hall', async (c, { lang, who, id: hallId }) => {
    const last = (await deps.scores.lastCompletedRun()) ?? localDayOf(now());
    const to = c.req.query('to') ?? last;
    const from = c.req.query('from') ?? addDays(to, -89);
    if (!isDay(from) || !isDay(to) || from > to || daysBetween(from, to) > 400) return c.text('from/to must be dates (YYYY-MM-DD), at most 400 days apart. 日期格式应为 YYYY-MM-DD，最长400天。', 400);
    const what = c.req.param('what');
    const rows = what === 'ratings' ? ratingsCsv(deps.repo, hallId, from, to) : scoresCsv(hallId, from, to);
    const encoder = new TextEncoder();
    const body = new ReadableStream<Uint8Array>({
      async start(controller) {
        controller.enqueue(new Uint8Array([0xef, 0xbb, 0xbf])); // BOM: Excel reads the file as UTF-8
        for await (const chunk of rows) controller.enqueue(encoder.encode(chunk));
        controller.close();
      },
    });
    return new Response(body, {
      headers: {
        'content-type': 'text/csv; charset=utf-8',
        'content-disposition': `attachment; filename="${hallId}-${what}-${from}-${to}.csv"`,
        'cache-control': 'no-store',
      },
    });
  }));

  async function* scoresCsv(hallId: string, from: string, to: string): AsyncGenerator<string> {
    yield 'date,temperature,low,high,band,n,good_rate,one_trip_rate,done_rate,active_rate,attitude,efficiency,competence\n';
    const days = await deps.scores.snapshotRange(unitId.hall(hallId), from, to);
    for (const s of days) {
      const f = toUnitReport(s);
      if (!f) continue;
      yield `${[f.date, f.temperature, f.low, f.high, f.band, f.n, f.goodRate.rate, f.oneTripRate.rate, f.doneRate.rate, f.activeRate.rate, f.dimensions.attitude.temperature, f.dimensions.efficiency.temperature, f.dimensions.competence.temperature].map((v) => v ?? '').join(',')}\n`;
    }
  }

  /* ---------- administration: a hall's machine API keys (shown once, stored hashed, revocable) ---------- */

  const adminOnly =
    (handler: (c: Context, s: TScoped) => Promise<Response>) =>
    scoped('hall', async (c, s) => (s.who.user.role === 'admin' ? handler(c, s) : notFound(c, s.lang, s.who)));

  const keysPage = async (c: Context, { lang, who, id: hallId }: TScoped, created?: string) => {
    const w = D[lang];
    const cat = await deps.repo.getHallCatalogue(hallId);
    const keys = await listApiKeys(deps.repo.table, hallId);
    return page(
      c, lang, `${cat?.hall.name ?? hallId} · ${w.keys}`,
      html`<h1>${cat?.hall.name ?? hallId} · ${w.keys}</h1>
${created ? html`<div class="card" role="status"><p><strong>${w.keyCreated}</strong></p><p><code>${created}</code></p></div>` : ''}
<table><thead><tr><th>${w.keyId}</th><th>${w.keyLabel}</th><th>${w.keyCreatedAt}</th><th>${w.keyState}</th><th></th></tr></thead><tbody>
${keys.map((k) => html`<tr><td><code>${k.keyId}</code></td><td>${k.label}</td><td>${k.createdAt.slice(0, 16).replace('T', ' ')}</td><td>${k.revokedAt ? `${w.revoked} ${k.revokedAt.slice(0, 10)}` : w.active}</td><td>${k.revokedAt ? '' : html`<form method="post" action="/admin/halls/${hallId}/keys/${k.keyId}/revoke?lang=${lang}"><input type="hidden" name="_csrf" value="${who.csrf}"><button type="submit">${w.revoke}</button></form>`}</td></tr>`)}
</tbody></table>
<h2>${w.newKey}</h2><form method="post" action="/admin/halls/${hallId}/keys?lang=${lang}"><input type="hidden" name="_csrf" value="${who.csrf}"><label for="label">${w.keyLabel}</label> <input id="label" name="label" maxlength="60" required> <button type="submit">${w.create}</button></form>`,
      who,
    );
  };

  r.get('/admin/halls/:hallId/keys', adminOnly((c, s) => keysPage(c, s)));

  r.post('/admin/halls/:hallId/keys', adminOnly(async (c, s) => {
    const form = await c.req.parseBody();
    if (!csrfMatches(s.who.csrf, form._csrf)) return c.text('Forbidden', 403);
    const label = typeof form.label === 'string' ? form.label.trim().slice(0, 60) : '';
    if (!label) return c.text('A label is required. 请填写用途说明。', 400);
    const key = newApiKey();
    await putApiKey(deps.repo.table, hashApiKey(key), { hallId: s.id, label, createdAt: new Date(now()).toISOString() });
    c.header('cache-control', 'no-store');
    return keysPage(c, s, key); // the only time the key is ever shown
  }));

  r.post('/admin/halls/:hallId/keys/:keyId/revoke', adminOnly(async (c, s) => {
    const form = await c.req.parseBody();
    if (!csrfMatches(s.who.csrf, form._csrf)) return c.text('Forbidden', 403);
    if (!(await revokeApiKey(deps.repo.table, s.id, c.req.param('keyId') ?? '', new Date(now()).toISOString()))) return notFound(c, s.lang, s.who);
    return c.redirect(`/admin/halls/${s.id}/keys?lang=${s.lang}`, 303);
  }));

  /* ---------- administration: region tree, halls, windows and services, staff users (routes/admin.ts) ---------- */

  r.route('/admin', adminRoutes(deps, { signedIn, toSignIn, page, notFound }));

  /** Every window's placard of a hall on one page, A6 each, ready to print. */
  r.get('/halls/:hallId/placards', scoped('hall', async (c, { lang, who, id: hallId }) => {
    const cat = await deps.repo.getHallCatalogue(hallId);
    if (!cat) return notFound(c, lang, who);
    const base = baseUrl(c, deps.config);
    const nonce = nonceOf(c);
    const cards = cat.windows.filter((win) => !win.retiredAt).map((win) => {
      const url = `${base}/r/${signPlacard(deps.keyring, { hallId, windowId: win.id })}`;
      return html`<section class="placard"><p>${cat.hall.name}</p><h2>${win.name}</h2><div class="qr" role="img" aria-label="评价二维码 QR code ${win.name}">${raw(qrSvg(url, 1))}</div><p><strong>办完事，扫一扫，为我们的服务打分</strong></p><p lang="en">Scan after your visit to rate our service</p></section>`;
    });
    return c.html(
      staffPage({
        lang, nonce, title: `${cat.hall.name} · placards`, user: who.user, csrf: who.csrf, path: new URL(c.req.url).pathname,
        body: html`<style nonce="${nonce}">@page{size:A6;margin:6mm}.placard{background:#fff;text-align:center;border:1px dashed #6b7580;padding:12px;margin:12px 0;break-after:page;page-break-after:always}.placard .qr svg{width:60%;max-width:260px;height:auto}@media print{header{display:none}main{padding:0}.placard{border:0;margin:0}}</style>${cards}`,
      }),
    );
  }));

  return r;
}

const localDayOf = (t: number) => new Date(t).toISOString().slice(0, 10);



function figureCards(w: (typeof D)[TLang], r: TUnitReport) {
  return html`<div class="cards"><div class="card">${gauge(r.temperature, r.low, r.high, `${w.temperature} ${r.temperature.toFixed(1)} (${w.interval} ${r.low.toFixed(1)}–${r.high.toFixed(1)}), ${w.bands[r.band] ?? r.band}`)}<div class="muted">${w.temperature}</div><div class="big">${r.temperature.toFixed(1)}</div><div>${bandTag(w, r.band)} <span class="muted">${w.interval} ${r.low.toFixed(1)}–${r.high.toFixed(1)} · ${w.n} ${r.n.toFixed(0)}</span></div></div>
<div class="card"><div class="muted">${w.goodRate}</div><div>${rateCell(r.goodRate)}</div><div class="muted">${w.oneTripRate}</div><div>${rateCell(r.oneTripRate)}</div></div>
<div class="card"><div class="muted">${w.doneRate}</div><div>${rateCell(r.doneRate)}</div><div class="muted">${w.activeRate}</div><div>${rateCell(r.activeRate)}</div></div>
<div class="card">${(['attitude', 'efficiency', 'competence'] as const).map((k) => html`<div><span class="muted">${w.dims[k]}</span> ${r.dimensions[k].temperature.toFixed(1)} <span class="muted">(${r.dimensions[k].low.toFixed(1)}–${r.dimensions[k].high.toFixed(1)})</span></div>`)}</div></div>`;
}

function unitTable(w: (typeof D)[TLang], rows: { name: string; r: TUnitReport }[]) {
  return html`<table class="sortable"><thead><tr><th>${w.name}</th><th>${w.temperature}</th><th>${w.interval}</th><th>${w.band}</th><th>${w.n}</th><th>${w.goodRate}</th></tr></thead><tbody>
${rows.map((x) => html`<tr><td>${x.name}</td><td class="num">${x.r.temperature.toFixed(1)}</td><td class="num">${x.r.low.toFixed(1)}–${x.r.high.toFixed(1)}</td><td>${bandTag(w, x.r.band)}</td><td class="num">${x.r.n.toFixed(0)}</td><td class="num">${rateCell(x.r.goodRate)}</td></tr>`)}
</tbody></table>`;
}

/** Grade distribution, hour × weekday heat map, complaint themes and recent comments (last 30 days). */
function insightsHtml(w: (typeof D)[TLang], lang: TLang, x: TInsights) {
  const total = x.grades.reduce((a, b) => a + b, 0) || 1;
  const hours = [...Array(24).keys()].filter((h) => x.heat.some((row) => row[h].n > 0));
  const max = Math.max(1, ...x.heat.flat().map((c) => c.n));
  const days = lang === 'zh' ? ['周一', '周二', '周三', '周四', '周五', '周六', '周日'] : ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
  return html`<h2>${w.distribution} <span class="muted">(${x.from} – ${x.to})</span></h2>
<table><thead><tr><th>${w.grade}</th><th>${w.count}</th><th>${w.share}</th></tr></thead><tbody>${[5, 4, 3, 2, 1].map(
    (g) => html`<tr><td>${GRADE_LABELS[g as 1][lang]}</td><td class="num">${x.grades[g - 1]}</td><td><meter min="0" max="1" value="${(x.grades[g - 1] / total).toFixed(3)}"></meter> ${((x.grades[g - 1] / total) * 100).toFixed(1)}%</td></tr>`,
  )}</tbody></table>
<h2>${w.heat}</h2><p class="muted">${w.heatHint}</p>
<table class="heat"><thead><tr><th></th>${hours.map((h) => html`<th>${h}:00</th>`)}</tr></thead><tbody>${x.heat.map(
    (row, d) => html`<tr><th>${days[d]}</th>${hours.map((h) => {
      const c = row[h];
      const level = c.n ? Math.min(5, Math.ceil((c.n / max) * 5)) : 0;
      return html`<td class="num h${level}${c.n && c.bad / c.n >= 0.3 ? ' hot' : ''}">${c.n ? html`${c.n}${c.bad ? html`<small> / ${c.bad}</small>` : ''}` : ''}</td>`;
    })}</tr>`,
  )}</tbody></table>
<h2>${w.themes}</h2>${x.themes.length ? html`<ul>${x.themes.map((t) => html`<li><strong>${themeLabel(t.reason, lang)}</strong> · ${t.ratings} ${w.ratingsWord}${t.keywords.length ? html` — ${t.keywords.map((k) => html`<span class="kw">${k.word} ×${k.count}</span> `)}` : ''}</li>`)}</ul>` : html`<p>${w.noThemes}</p>`}
<h2>${w.comments}</h2>${x.comments.length ? html`<ul>${x.comments.map((c) => html`<li><span class="muted">${c.day} · ${GRADE_LABELS[c.overall as 1][lang]}${c.reasons.length ? ` · ${c.reasons.map((r) => themeLabel(r, lang)).join('、')}` : ''}</span><br>${c.comment}</li>`)}</ul>` : ''}`;
}

/** The trend chart (uPlot, from the app's own assets); its data travel as JSON inside the page. */
function trendChart(w: (typeof D)[TLang], trend: TSnapshot[], assets: { script: TAsset; css: string }, nonce: string) {
  const rows = trend.map((s) => toUnitReport(s)).filter((x): x is TUnitReport => !!x);
  const data = {
    days: rows.map((r) => r.date), t: rows.map((r) => r.temperature), lo: rows.map((r) => r.low), hi: rows.map((r) => r.high),
    labels: { temperature: w.temperature, low: `${w.interval} ↓`, high: `${w.interval} ↑`, date: w.date },
  };
  // JSON inside <script> must not be able to close the tag.
  const json = JSON.stringify(data).replace(/</g, '\\u003c');
  return html`<style nonce="${nonce}">${raw(assets.css)}</style><div id="trend-chart" role="img" aria-label="${w.trend}: ${w.temperature} ${rows.at(0)?.temperature ?? ''} → ${rows.at(-1)?.temperature ?? ''} (${w.chartAlt})"></div>
<script type="application/json" id="trend-data">${raw(json)}</script><script nonce="${nonce}" src="${assets.script.path}" defer></script>`;
}

/** The trend as a table: the text alternative a chart will sit on top of. */
function trendTable(w: (typeof D)[TLang], trend: TSnapshot[]) {
  const rows = trend.map((s) => toUnitReport(s)).filter((x): x is TUnitReport => !!x).reverse();
  return html`<table><thead><tr><th>${w.date}</th><th>${w.temperature}</th><th>${w.interval}</th><th>${w.band}</th></tr></thead><tbody>
${rows.map((r) => html`<tr><td>${r.date}</td><td class="num">${r.temperature.toFixed(1)}</td><td class="num">${r.low.toFixed(1)}–${r.high.toFixed(1)}</td><td>${bandTag(w, r.band)}</td></tr>`)}
</tbody></table>`;
}
