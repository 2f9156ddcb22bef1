/**
 * The resident's pages: survey (GET renders, POST is the no-JavaScript path), thanks, QR images, placards, and the
 * case of a bad rating (SPEC §5): the ticket's own URL shows it once rated, a placard rating gets a signed case link
 * (/c/<token>); both take the one-time 追评 as a plain form post.
 */
import type { Context } from 'hono';
import { compress } from 'hono/compress';
import { Hono } from 'hono/tiny';
import { getCookie, setCookie } from 'hono/cookie';
import { html, raw } from 'hono/html';
import { randomBytes } from 'node:crypto';
import * as z from 'zod/mini';
import { signCaseLink, ticketClaimsAnyAge, verifyCaseLink } from '../../domain/case-link.js';
import { FOLLOW_UP_GRADES } from '../../domain/cases.js';
import { gradeGroup, isBadGrade, reasonsForGrade } from '../../domain/grades.js';
import { keyedHash } from '../../domain/privacy.js';
import { caseDepsOf, residentCase, residentFollowUp } from '../../services/cases.js';
import { ZRatingInput } from '../../domain/model.js';
import { acceptRating, checkToken, type TRatingRefusal } from '../../services/ratings.js';
import { qrSvg } from '../qr.js';
import { baseUrl } from '../base-url.js';
import type { TCatalogueLookup } from '../catalogue-cache.js';
import { clientAddress } from '../client-address.js';
import type { TAppDeps } from '../deps.js';
import { T, pickLang, type TLang } from '../pages/i18n.js';
import { casePage, type TFollowUpGrade } from '../pages/case.js';
import { nonceOf, notice, page } from '../pages/layout.js';
import { surveyPage, type TSurveyValues } from '../pages/survey.js';

export const DEVICE_COOKIE = 'st_dev';
export const readCookie = (c: Context, name: string): string | undefined => {
  const v = getCookie(c, name);
  return v && /^[A-Za-z0-9_-]{16,64}$/.test(v) ? v : undefined;
};

/** `catalogue`: the app's one catalogue cache, shared with the API. */
export function residentRoutes(deps: TAppDeps, catalogue: TCatalogueLookup) {
  const now = deps.now ?? Date.now;
  const r = new Hono();
  r.use('*', compress()); // pages for a weak signal
  const cases = caseHandlers(deps);

  const refusalPage = (c: Context, lang: TLang, refusal: TRatingRefusal, token?: string) => {
    const w = T[lang];
    const nonce = nonceOf(c);
    const back = token ? { href: `/r/${token}${lang === 'en' ? '?lang=en' : ''}`, text: w.back } : undefined;
    const pages = {
      'invalid-ticket': [400, '⚠️', w.invalidTitle, w.invalidBody],
      'ticket-expired': [410, '⌛', w.expiredTitle, w.expiredBody],
      'already-rated': [409, '✅', w.ratedTitle, w.ratedBody],
      'placard-limit': [429, '✅', w.limitTitle, w.limitBody],
      'unknown-hall': [404, '⚠️', w.invalidTitle, w.invalidBody],
    } as const;
    const [status, icon, title, body] = pages[refusal];
    return c.html(
      notice({
        lang,
        nonce,
        icon,
        title,
        body,
        link: refusal === 'placard-limit' ? undefined : refusal === 'already-rated' ? undefined : back,
      }),
      status,
    );
  };

  r.get('/thanks', (c) => {
    const lang = pickLang(c.req.query('lang'));
    const w = T[lang];
    return c.html(
      notice({ lang, nonce: nonceOf(c), icon: '🙏', title: w.thanksTitle, body: c.req.query('bad') ? w.thanksBad : w.thanksBody }),
    );
  });

  r.get('/:token', async (c) => {
    const token = c.req.param('token');
    const lang = pickLang(c.req.query('lang'));
    const checked = checkToken(deps.keyring, token, now());
    if (!checked.ok) {
      // Past its 7 rating days a genuine ticket still leads to its case.
      const old = checked.refusal === 'ticket-expired' ? ticketClaimsAnyAge(deps.keyring, token) : undefined;
      const rated = old && (await deps.repo.getRating(old.ticketId));
      if (rated && isBadGrade(rated.overall)) return cases.show(c, rated.ratingId, `/r/${token}`, lang);
      return refusalPage(c, lang, checked.refusal);
    }
    const claims = checked.claims;
    const rated = claims.kind === 'ticket' ? await deps.repo.getRating(claims.ticketId) : undefined;
    if (rated) {
      if (isBadGrade(rated.overall)) return cases.show(c, rated.ratingId, `/r/${token}`, lang);
      c.header('cache-control', 'no-store');
      return c.html(notice({ lang, nonce: nonceOf(c), icon: '✅', title: T[lang].ratedTitle, body: T[lang].ratedBody }));
    }
    const cat = await catalogue(claims.hallId);
    if (!cat) return refusalPage(c, lang, 'unknown-hall');
    if (!readCookie(c, DEVICE_COOKIE)) {
      setCookie(c, DEVICE_COOKIE, randomBytes(16).toString('base64url'), {
        path: '/',
        maxAge: 365 * 24 * 3600,
        httpOnly: true,
        sameSite: 'Lax',
        secure: new URL(c.req.url).protocol === 'https:',
      });
    }
    c.header('cache-control', 'no-store');
    return c.html(
      renderSurvey(
        c,
        lang,
        token,
        cat.hall,
        cat.windows.find((w) => w.id === claims.windowId),
      ),
    );
  });

  /** The no-JavaScript path: a plain form post, answered with a redirect or the form again with kind errors. */
  r.post('/:token', async (c) => {
    const token = c.req.param('token');
    const form = await c.req.parseBody({ all: true });
    const lang = pickLang(form.lang ?? c.req.query('lang'));
    const w = T[lang];
    const str = (k: string) => (typeof form[k] === 'string' ? (form[k] as string).trim() : '');
    const num = (k: string) => (str(k) ? Number(str(k)) : undefined);
    const all = (k: string) => ([] as unknown[]).concat(form[k] ?? []).filter((x): x is string => typeof x === 'string');
    const overall = num('overall');
    // Tag groups the page hid for the chosen grade may still hold ticks; they were not the resident's answer.
    const reasons = overall ? all('reasons').filter((t) => reasonsForGrade(overall).includes(t as never)) : all('reasons');
    const phone = str('phone').replace(/\s/g, '');
    const values: TSurveyValues = {
      overall,
      attitude: num('attitude'),
      efficiency: num('efficiency'),
      competence: num('competence'),
      trips: num('trips'),
      done: str('done') || undefined,
      reasons,
      comment: str('comment') || undefined,
      phone: phone || undefined,
      consent: str('consent') === '1',
    };
    const input = {
      ticket: token,
      overall,
      attitude: values.attitude,
      efficiency: values.efficiency,
      competence: values.competence,
      trips: values.trips,
      done: values.done,
      reasons: reasons.length ? [...new Set(reasons)] : undefined,
      comment: values.comment,
      contact: phone ? { phone, consent: values.consent } : undefined,
      lang,
      submissionId: str('submissionId') || undefined,
    };
    const parsed = z.safeParse(ZRatingInput, input);
    const checked = checkToken(deps.keyring, token, now());
    if (!checked.ok) return refusalPage(c, lang, checked.refusal);
    if (!parsed.success) {
      const errors = [...new Set(parsed.error.issues.map((i) => friendlyError(String(i.path[0] ?? ''), w)))];
      const cat = await catalogue(checked.claims.hallId);
      if (!cat) return refusalPage(c, lang, 'unknown-hall');
      return c.html(
        renderSurvey(
          c,
          lang,
          token,
          cat.hall,
          cat.windows.find((x) => x.id === checked.claims.windowId),
          values,
          errors,
          input.submissionId,
        ),
        422,
      );
    }
    const result = await acceptRating(
      { repo: deps.repo, keyring: deps.keyring, now, catalogue },
      parsed.data,
      { deviceId: readCookie(c, DEVICE_COOKIE), address: clientAddress(c), userAgent: c.req.header('user-agent') },
      checked, // verified above: once per post
    );
    if (!result.ok) return refusalPage(c, lang, result.refusal, token);
    if (gradeGroup(parsed.data.overall) !== 'bad') return c.redirect(`/r/thanks?lang=${lang}`, 303);
    // A bad rating's thank-you page is its case page: the ticket's own URL, or a placard rating's case link.
    const follow = checked.claims.kind === 'ticket' ? `/r/${token}` : `/c/${signCaseLink(deps.keyring, result.ratingId)}`;
    return c.redirect(`${follow}?lang=${lang}&thanks=1`, 303);
  });

  /**
   * Where the page's script goes after a bad rating sent as JSON: the ticket's own URL, or for a placard the case
   * link of the rating this page's submissionId made (only that page knows the id, so only it finds the case).
   */
  r.get('/:token/case', (c) => {
    const token = c.req.param('token');
    const lang = pickLang(c.req.query('lang'));
    const sub = c.req.query('sub') ?? '';
    const checked = checkToken(deps.keyring, token, now());
    if (checked.ok && checked.claims.kind === 'placard' && /^[A-Za-z0-9_-]{8,64}$/.test(sub)) {
      const ratingId = placardRatingId(deps.keyring, checked.claims.hallId, checked.claims.windowId, sub);
      return c.redirect(`/c/${signCaseLink(deps.keyring, ratingId)}?lang=${lang}&thanks=1`, 303);
    }
    if (checked.ok && checked.claims.kind === 'ticket') return c.redirect(`/r/${token}?lang=${lang}&thanks=1`, 303);
    return refusalPage(c, lang, checked.ok ? 'invalid-ticket' : checked.refusal);
  });

  /** The one-time 追评 on a ticket's case (plain form post). */
  r.post('/:token/follow-up', async (c) => {
    const token = c.req.param('token');
    const claims = ticketClaimsAnyAge(deps.keyring, token);
    if (!claims) return refusalPage(c, pickLang(c.req.query('lang')), 'invalid-ticket');
    return cases.followUp(c, claims.ticketId, `/r/${token}`);
  });

  r.get('/:token/qr.svg', async (c) => {
    const token = c.req.param('token');
    if (!checkToken(deps.keyring, token, now()).ok) return c.text('invalid code', 400);
    const svg = qrSvg(`${baseUrl(c, deps.config)}/r/${token}`);
    return c.body(svg, 200, { 'content-type': 'image/svg+xml', 'cache-control': 'public, max-age=86400' });
  });

  /** A printable placard for one window: hall, window, QR and one line of instructions (A6, print CSS). */
  r.get('/:token/placard', async (c) => {
    const token = c.req.param('token');
    const lang = pickLang(c.req.query('lang'));
    const checked = checkToken(deps.keyring, token, now());
    if (!checked.ok || checked.claims.kind !== 'placard') return refusalPage(c, lang, 'invalid-ticket');
    const cat = await catalogue(checked.claims.hallId);
    if (!cat) return refusalPage(c, lang, 'unknown-hall');
    const win = cat.windows.find((x) => x.id === checked.claims.windowId);
    const url = `${baseUrl(c, deps.config)}/r/${token}`;
    const svg = qrSvg(url, 1);
    const w = T.zh;
    const nonce = nonceOf(c);
    return c.html(
      page({
        lang: 'zh',
        nonce,
        title: `${cat.hall.name} ${win?.name ?? ''}`,
        body: html`<style nonce="${nonce}">@page{size:A6;margin:8mm}.placard{text-align:center}.placard .qr svg{width:70%;max-width:320px;height:auto}.placard h1{font-size:1.6em}.placard .en{color:#3d4650}@media print{main{min-height:0}body{background:#fff}}</style>
<section class="placard"><p class="hall">${cat.hall.name}${cat.hall.nameEn ? html` · <span lang="en">${cat.hall.nameEn}</span>` : ''}</p>
<h1>${win?.name ?? checked.claims.windowId}</h1>
<div class="qr" role="img" aria-label="评价二维码 QR code">${raw(svg)}</div>
<p><strong>${w.placardLine}</strong></p><p class="en" lang="en">${w.placardLineEn}</p><p class="small">${url}</p></section>`,
      }),
    );
  });

  function renderSurvey(
    c: Context,
    lang: TLang,
    token: string,
    hall: { name: string; nameEn?: string },
    win: { name: string; nameEn?: string } | undefined,
    values?: TSurveyValues,
    errors?: string[],
    submissionId?: string,
  ) {
    return surveyPage({
      lang,
      nonce: nonceOf(c),
      token,
      hallName: (lang === 'en' && hall.nameEn) || hall.name,
      windowName: (lang === 'en' && win?.nameEn) || win?.name || '',
      submissionId: submissionId && /^[A-Za-z0-9_-]{8,64}$/.test(submissionId) ? submissionId : randomBytes(12).toString('base64url'),
      values,
      errors,
    });
  }

  return r;
}

function friendlyError(field: string, w: (typeof T)[TLang]): string {
  if (field === 'overall') return w.pickGrade;
  if (field === 'reasons') return w.pickReason;
  if (field === 'contact') return w.badPhone;
  if (field === 'comment') return w.comment;
  return w.errorPageBody;
}

/** The placard rating a submission made (ratings.ts derives it the same way; test/resident-cases.test.ts checks both agree). */
const placardRatingId = (keyring: TAppDeps['keyring'], hallId: string, windowId: string, submissionId: string) =>
  `p${keyedHash(keyring, 'placard-rating', hallId, windowId, submissionId).slice(0, 20)}`;

/** The case link's own pages: /c/<token> shows a placard rating's case and takes its 追评. */
export function caseLinkRoutes(deps: TAppDeps) {
  const r = new Hono();
  r.use('*', compress());
  const cases = caseHandlers(deps);
  const bad = (c: Context) => {
    const w = T[pickLang(c.req.query('lang'))];
    c.header('cache-control', 'no-store');
    return c.html(
      notice({ lang: pickLang(c.req.query('lang')), nonce: nonceOf(c), icon: '⚠️', title: w.linkBadTitle, body: w.linkBadBody }),
      404,
    );
  };
  r.get('/:token', (c) => {
    const token = c.req.param('token');
    const ratingId = verifyCaseLink(deps.keyring, token);
    return ratingId ? cases.show(c, ratingId, `/c/${token}`, pickLang(c.req.query('lang'))) : bad(c);
  });
  r.post('/:token/follow-up', (c) => {
    const token = c.req.param('token');
    const ratingId = verifyCaseLink(deps.keyring, token);
    return ratingId ? cases.followUp(c, ratingId, `/c/${token}`) : bad(c);
  });
  return r;
}

/** Showing a case and taking its 追评, the same for a ticket's URL and a case link. `self`: the page's own path. */
function caseHandlers(deps: TAppDeps) {
  const caseDeps = caseDepsOf(deps);
  const kind = (c: Context, lang: TLang, status: 404 | 409, title: string, body: string, self?: string) => {
    c.header('cache-control', 'no-store');
    const link = self ? { href: `${self}?lang=${lang}`, text: T[lang].backToCase } : undefined;
    return c.html(notice({ lang, nonce: nonceOf(c), icon: status === 404 ? '⚠️' : '✅', title, body, link }), status);
  };

  async function show(
    c: Context,
    caseId: string,
    self: string,
    lang: TLang,
    form?: { errors: string[]; values: { grade?: string; comment?: string } },
  ) {
    const w = T[lang];
    const view = await residentCase(caseDeps, caseId, lang);
    if (!view) return kind(c, lang, 404, w.noCaseTitle, w.noCaseBody);
    const thanks = c.req.query('thanks') === '1';
    const done = c.req.query('done');
    const url = `${baseUrl(c, deps.config)}${self}`;
    c.header('cache-control', 'no-store');
    c.header('x-robots-tag', 'noindex');
    return c.html(
      casePage({
        lang,
        nonce: nonceOf(c),
        self,
        hallName: (lang === 'en' && view.hallNameEn) || view.hallName || '',
        state: view.state,
        status: view.status,
        thanks,
        // A placard rating has no ticket to scan again: its link and QR code, to photograph or bookmark.
        follow: thanks && self.startsWith('/c/') ? { url, qr: qrSvg(url, 1) } : undefined,
        // The banner after a 追评, only where the state agrees with it.
        done:
          done === 'closed' && view.state === 'closed' ? 'closed' : done === 'rework' && view.state === 'contacted' ? 'rework' : undefined,
        errors: form?.errors,
        values: form?.values,
      }),
      form ? 422 : 200,
    );
  }

  async function followUp(c: Context, caseId: string, self: string) {
    const body = await c.req.parseBody();
    const lang = pickLang(body.lang ?? c.req.query('lang'));
    const w = T[lang];
    const grade = typeof body.grade === 'string' ? body.grade : '';
    const comment = typeof body.comment === 'string' ? body.comment.trim() : '';
    const errors = [
      ...(FOLLOW_UP_GRADES.includes(grade as TFollowUpGrade) ? [] : [w.fuPick]),
      ...([...comment].length > 500 ? [w.fuTooLong] : []),
    ];
    const view = await residentCase(caseDeps, caseId, lang);
    if (!view) return kind(c, lang, 404, w.noCaseTitle, w.noCaseBody);
    if (!view.status.canFollowUp) {
      if (view.followUp) return kind(c, lang, 409, w.fuDoneTitle, w.fuDoneBody, self);
      if (view.state === 'closed') return kind(c, lang, 409, w.closedTitle, w.closedBody, self);
      return kind(c, lang, 409, w.fuNotYetTitle, w.fuNotYetBody, self);
    }
    if (errors.length) return show(c, caseId, self, lang, { errors, values: { grade, comment } });
    const r = await residentFollowUp(caseDeps, caseId, { grade: grade as TFollowUpGrade, ...(comment ? { comment } : {}) });
    if (!r.ok) {
      // A race (a second tab, the 7-day auto-close) or a domain refusal: say it kindly, with the way back.
      if (r.code === 'not_found') return kind(c, lang, 404, w.noCaseTitle, w.noCaseBody);
      return kind(c, lang, 409, w.errorPageTitle, r[lang], self);
    }
    return c.redirect(`${self}?lang=${lang}&done=${r.case.state === 'closed' ? 'closed' : 'rework'}`, 303);
  }

  return { show, followUp };
}
