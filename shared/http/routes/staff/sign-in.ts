/**
 * Sign-in area: the landing page, the identity provider's round trip (OIDC: code + PKCE, state, nonce), the local
 * demo sign-in (never in the AWS configuration), sign-out, and `/api/v1/me`. The only staff routes open to visitors.
 */
import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { html } from 'hono/html';
import { Hono } from 'hono/tiny';
import { homeOf } from '../../../domain/access.js';
import { baseUrl } from '../../base-url.js';
import { FLOW_MINUTES, oidcClient, oidcSettings, safeNext, type TOidcFlow } from '../../oidc.js';
import { D, staffPage } from '../../pages/dashboard.js';
import { pickLang, type TLang } from '../../pages/i18n.js';
import { nonceOf } from '../../pages/layout.js';
import { csrfMatches, endSession, readSession, seal, secureCookies, startSession, unseal } from '../../session.js';
import type { TStaffKit } from './gate.js';
import { bindOidcSub, endSessions, findStaffIdentity, getUser, pageUsers, sessionGenFor } from '../../../storage/users.js';

/** The demo sign-in lists this many users at most (a national table has 100,000). */
const DEV_LIST = 100;

const FLOW_COOKIE = 'st_oidc';

export function signInRoutes(kit: TStaffKit) {
  const { deps, now, page } = kit;
  const devSignIn = deps.config.APP_ENV !== 'aws'; // impossible to enable in the AWS configuration
  const settings = oidcSettings(deps.config);
  const provider = settings && oidcClient(settings);
  const r = new Hono();
  const secure = (c: Context) => secureCookies(c, deps.config);
  const signInProblem = (c: Context, lang: TLang, message: string, status: 400 | 403 | 502) => {
    c.header('cache-control', 'no-store');
    const again = html`<p><a href="/signin?lang=${lang}">${D[lang].signInAgain}</a></p>`;
    const body = html`<h1>${D[lang].signInTitle}</h1><p role="alert">${message}</p>${again}`;
    return page(c, lang, D[lang].signInTitle, body, undefined, status);
  };

  r.get('/', async (c) => {
    const lang = pickLang(c.req.query('lang'));
    const who = await kit.signedIn(c);
    if (who) return c.redirect(`${homeOf(who.user, await kit.rootRegion())}?lang=${lang}`, 303);
    const w = D[lang];
    return page(c, lang, w.brand, html`<h1>${w.brand}</h1><p>${w.landing}</p><p><a href="/signin?lang=${lang}">${w.signIn}</a></p>`);
  });

  r.get('/api/v1/me', kit.gate({ answer: 'json' }), (c) => {
    const { user } = c.var;
    return c.json({ id: user.id, name: user.name, role: user.role, scope: user.scope });
  });

  r.get('/signin', async (c) => {
    const lang = pickLang(c.req.query('lang'));
    const w = D[lang];
    const next = safeNext(c.req.query('next'));
    const viaProvider = provider
      ? html`<p><a class="button" href="/auth/login?lang=${lang}&amp;next=${encodeURIComponent(next)}">${w.signInWith}</a></p>`
      : '';
    if (!devSignIn)
      return page(c, lang, w.signInTitle, html`<h1>${w.signInTitle}</h1>${provider ? viaProvider : html`<p>${w.oidcMissing}</p>`}`);
    // Before a session exists, the sign-in form is protected by a double-submit token.
    const pre = startSession(c, deps.keyring, '', now(), { secure: secure(c) });
    const csrf = html`<input type="hidden" name="_csrf" value="${pre.csrf}">`;
    const { users, next: more } = await pageUsers(deps.table, { limit: DEV_LIST });
    const capped = more
      ? html`<p class="muted">${lang === 'en' ? `The first ${DEV_LIST} users.` : `仅列出前 ${DEV_LIST} 位用户。`}</p>`
      : '';
    return page(
      c,
      lang,
      w.signInTitle,
      html`<h1>${w.signInTitle}</h1>${viaProvider}<h2>${w.devSignIn}</h2><p class="muted">${w.devHint}</p>
<form method="post" action="/signin/dev?lang=${lang}&amp;next=${encodeURIComponent(next)}" class="users">${csrf}
${users.map((u) => html`<button type="submit" name="userId" value="${u.id}">${u.name} — ${u.role} · ${u.scope}</button>`)}</form>${capped}`,
    );
  });

  if (devSignIn) {
    r.post('/signin/dev', async (c) => {
      const lang = pickLang(c.req.query('lang'));
      const form = await c.req.parseBody().catch(() => ({}) as Record<string, undefined>);
      const pre = readSession(c, deps.keyring, now());
      if (!pre || !csrfMatches(pre.csrf, form._csrf))
        return c.text('Forbidden: the sign-in form expired, please reload it. 登录页已过期，请刷新。', 403);
      const user = typeof form.userId === 'string' ? await getUser(deps.table, form.userId) : undefined;
      const gen = user && (await sessionGenFor(deps.table, user.id));
      if (!user || !gen) return c.text('Unknown user. 没有这个用户。', 400);
      startSession(c, deps.keyring, user.id, now(), { secure: secure(c), via: 'dev', gen });
      const next = safeNext(c.req.query('next'));
      return c.redirect(`${next !== '/' ? next : homeOf(user, await kit.rootRegion())}?lang=${lang}`, 303);
    });
  }

  if (provider) {
    /** To the provider, with PKCE, state and nonce remembered in a sealed cookie that lives ten minutes. */
    r.get('/auth/login', async (c) => {
      const lang = pickLang(c.req.query('lang'));
      const redirectUri = deps.config.OIDC_REDIRECT_URI ?? `${baseUrl(c, deps.config)}/auth/callback`;
      try {
        const { url, flow } = await provider.begin(redirectUri, safeNext(c.req.query('next')), lang, now());
        setCookie(c, FLOW_COOKIE, seal(deps.keyring, flow), {
          path: '/auth',
          httpOnly: true,
          sameSite: 'Lax',
          secure: secure(c),
          maxAge: FLOW_MINUTES * 60,
        });
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
      // By index, never by listing: the subject's user, else the verified address's (a few items, whatever the size).
      const match = await findStaffIdentity(deps.table, claims);
      if (match.kind === 'bind' && !(await bindOidcSub(deps.table, match.user.id, claims.sub))) {
        return signInProblem(c, lang, w.refused['bound-elsewhere'], 403);
      }
      if (match.kind === 'refused') {
        deps.log.warn('sign-in: identity refused', { reason: match.reason });
        return signInProblem(c, lang, w.refused[match.reason], 403);
      }
      deps.log.info('sign-in', { user: match.user.id, via: 'oidc', bound: match.kind === 'bind' });
      const gen = await sessionGenFor(deps.table, match.user.id);
      if (!gen) return signInProblem(c, lang, w.flowExpired, 400); // removed a moment ago
      // A new session: nothing from before sign-in carries over.
      startSession(c, deps.keyring, match.user.id, now(), { secure: secure(c), via: 'oidc', gen });
      const next = flow.next !== '/' ? flow.next : homeOf(match.user, await kit.rootRegion());
      return c.redirect(`${next}${next.includes('?') ? '&' : '?'}lang=${lang}`, 303);
    });
  }

  r.post('/signout', async (c) => {
    const s = readSession(c, deps.keyring, now());
    const form = await c.req.parseBody().catch(() => ({}) as Record<string, undefined>);
    if (s && !csrfMatches(s.csrf, form._csrf)) return c.text('Forbidden', 403);
    // Ends the session on the server too: a copy of the cookie replayed later is refused by the gate.
    if (s?.uid && (await kit.signedIn(c))) {
      await endSessions(deps.table, s.uid);
      deps.log.info('sign-out', { user: s.uid });
    }
    endSession(c, secure(c));
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
        lang,
        nonce: nonceOf(c),
        title: w.signedOut,
        path: '/signout',
        head: html`<meta http-equiv="refresh" content="0;url=${away}">`,
        body: html`<h1>${w.signedOut}</h1><p>${w.signingOutProvider}</p><p><a id="provider-signout" href="${away}">${w.continue}</a></p>`,
      }),
    );
  });

  return r;
}
