/**
 * The resident's pages: survey (GET renders, POST is the no-JavaScript path), thanks, and the
 * way to a bad rating's case (SPEC §5): its thank-you redirect and, once rated, the ticket's own URL lead to the
 * rating's signed case link /c/<token> (routes/case-link.ts, served by the dashboard function on AWS, so this
 * Lambda's bundle carries no case pages).
 */
import type { Context } from 'hono';
import { compress } from 'hono/compress';
import { Hono } from 'hono/tiny';
import { getCookie, setCookie } from 'hono/cookie';
import { randomBytes } from 'node:crypto';
import * as z from 'zod/mini';
import { signCaseLink, ticketClaimsAnyAge } from '../../domain/case-link.js';
import { gradeGroup, isBadGrade } from '../../domain/grades.js';
import { NATIONAL_DEFAULT, tagsForGrade } from '../../domain/survey.js';
import { surveyOf } from '../../services/surveys.js';
import { keyedHash } from '../../domain/privacy.js';
import { ZRatingInput } from '../../domain/model.js';
import { acceptRating, checkToken, type TRatingRefusal } from '../../services/ratings.js';
import type { TCatalogueLookup } from '../catalogue-cache.js';
import { clientAddress } from '../client-address.js';
import { clientLimiter } from '../guard.js';
import { readFormAll } from '../form-body.js';
import type { TAppDeps } from '../deps.js';
import { T, pickLang, type TLang } from '../pages/i18n.js';
import { nonceOf, notice } from '../pages/layout.js';
import { surveyPage, type TSurveyValues } from '../pages/survey.js';
import { getRating } from '../../storage/ratings.js';

export const DEVICE_COOKIE = 'st_dev';
export const readCookie = (c: Context, name: string): string | undefined => {
  const v = getCookie(c, name);
  return v && /^[A-Za-z0-9_-]{16,64}$/.test(v) ? v : undefined;
};

/** `catalogue`: the app's one catalogue cache, shared with the API. */

export function residentRoutes(deps: TAppDeps, catalogue: TCatalogueLookup) {
  const now = deps.now ?? Date.now;
  const limiter = clientLimiter(deps);
  const r = new Hono();
  r.use('*', compress()); // pages for a weak signal
  /** A rating's case page: its signed case link, answered by routes/case-link.ts (the dashboard function on AWS). */
  const caseUrl = (ratingId: string, lang: TLang, thanks = false) =>
    `/c/${signCaseLink(deps.keyring, ratingId)}?lang=${lang}${thanks ? '&thanks=1' : ''}`;

  const refusalPage = (c: Context, lang: TLang, refusal: Exclude<TRatingRefusal, 'invalid-answers'> | 'rate-limited', token?: string) => {
    const w = T[lang];
    const nonce = nonceOf(c);
    const back = token ? { href: `/r/${token}${lang === 'en' ? '?lang=en' : ''}`, text: w.back } : undefined;
    const pages = {
      'invalid-ticket': [400, 'warn', w.invalidTitle, w.invalidBody],
      'ticket-expired': [410, 'wait', w.expiredTitle, w.expiredBody],
      'already-rated': [409, 'ok', w.ratedTitle, w.ratedBody],
      'placard-limit': [429, 'ok', w.limitTitle, w.limitBody],
      'unknown-hall': [404, 'warn', w.invalidTitle, w.invalidBody],
      'rate-limited': [429, 'wait', w.busyTitle, w.busyBody],
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

  const badForm = (c: Context, lang: TLang) => {
    const [title, body] =
      lang === 'en'
        ? ['The answer could not be read', 'Please go back and send the form again.']
        : ['无法读取您的提交', '请返回后重新提交。The answer could not be read; please send the form again.'];
    return c.html(notice({ lang, nonce: nonceOf(c), icon: 'warn', title, body }), 400);
  };

  r.get('/thanks', (c) => {
    const lang = pickLang(c.req.query('lang'));
    const w = T[lang];
    return c.html(
      notice({ lang, nonce: nonceOf(c), icon: 'thanks', title: w.thanksTitle, body: c.req.query('bad') ? w.thanksBad : w.thanksBody }),
    );
  });

  r.get('/:token', async (c) => {
    const token = c.req.param('token');
    const lang = pickLang(c.req.query('lang'));
    const checked = checkToken(deps.keyring, token, now());
    if (!checked.ok) {
      // Past its 7 rating days a genuine ticket still leads to its case.
      const old = checked.refusal === 'ticket-expired' ? ticketClaimsAnyAge(deps.keyring, token) : undefined;
      const rated = old && (await getRating(deps.table, old.ticketId));
      if (rated && isBadGrade(rated.overall)) return c.redirect(caseUrl(rated.ratingId, lang), 303);
      return refusalPage(c, lang, checked.refusal);
    }
    const claims = checked.claims;
    const rated = claims.kind === 'ticket' ? await getRating(deps.table, claims.ticketId) : undefined;
    if (rated) {
      if (isBadGrade(rated.overall)) return c.redirect(caseUrl(rated.ratingId, lang), 303);
      c.header('cache-control', 'no-store');
      return c.html(notice({ lang, nonce: nonceOf(c), icon: 'ok', title: T[lang].ratedTitle, body: T[lang].ratedBody }));
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
      await renderSurvey(
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
    // The same per-client budget as POST /api/v1/ratings (guard.ts), one bucket for both paths.
    if (!limiter.take(`a:rating:${clientAddress(c)}`, now())) return refusalPage(c, pickLang(c.req.query('lang')), 'rate-limited', token);
    // A damaged body (a broken multipart post) is a kind 400, not an error: nothing is read from it.
    const form = await readFormAll(c);
    if (!form) return badForm(c, pickLang(c.req.query('lang')));
    const lang = pickLang(form.lang ?? c.req.query('lang'));
    const w = T[lang];
    const str = (k: string) => (typeof form[k] === 'string' ? (form[k] as string).trim() : '');
    const num = (k: string) => (str(k) ? Number(str(k)) : undefined);
    const all = (k: string) => ([] as unknown[]).concat(form[k] ?? []).filter((x): x is string => typeof x === 'string');
    const overall = num('overall');
    // Tag groups the page hid for the chosen grade may still hold ticks; they were not the resident's answer.
    const reasons = all('reasons'); // ticks of groups hidden for the grade are dropped below, by the hall's definition
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
    // The extra questions of the hall's definition arrive as x_<code> = <option code>.
    const extra = Object.fromEntries(
      Object.keys(form)
        .filter((k) => /^x_[a-z][a-z0-9_]{0,23}$/.test(k) && str(k))
        .map((k) => [k.slice(2), str(k)]),
    );
    values.extra = extra;
    const checkedToken = checkToken(deps.keyring, token, now());
    const cat0 = checkedToken.ok ? await catalogue(checkedToken.claims.hallId) : undefined;
    const definition = cat0 ? (await surveyOf(deps.table, now)(cat0.hall)).definition : NATIONAL_DEFAULT;
    const fitting = overall ? new Set(tagsForGrade(definition, overall).map((t) => t.code)) : undefined;
    const picked = fitting ? reasons.filter((t) => fitting.has(t)) : reasons;
    const input = {
      ticket: token,
      overall,
      attitude: values.attitude,
      efficiency: values.efficiency,
      competence: values.competence,
      trips: values.trips,
      done: values.done,
      reasons: picked.length ? [...new Set(picked)] : undefined,
      extra: Object.keys(extra).length ? extra : undefined,
      comment: values.comment,
      contact: phone ? { phone, consent: values.consent } : undefined,
      lang,
      submissionId: str('submissionId') || undefined,
    };
    const parsed = z.safeParse(ZRatingInput, input);
    const checked = checkedToken;
    if (!checked.ok) return refusalPage(c, lang, checked.refusal);
    if (!parsed.success) {
      const errors = [...new Set(parsed.error.issues.map((i) => friendlyError(String(i.path[0] ?? ''), w)))];
      const cat = await catalogue(checked.claims.hallId);
      if (!cat) return refusalPage(c, lang, 'unknown-hall');
      return c.html(
        await renderSurvey(
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
      { table: deps.table, keyring: deps.keyring, now, catalogue },
      parsed.data,
      { deviceId: readCookie(c, DEVICE_COOKIE), address: clientAddress(c), userAgent: c.req.header('user-agent') },
      checked, // verified above: once per post
    );
    if (!result.ok && result.refusal === 'invalid-answers') {
      const errors = [...new Set(result.errors.map((e) => friendlyError(e.path.split('.')[0], w)))];
      const win = cat0?.windows.find((x) => x.id === checked.claims.windowId);
      return c.html(await renderSurvey(c, lang, token, cat0!.hall, win, values, errors, input.submissionId), 422);
    }
    if (!result.ok) return refusalPage(c, lang, result.refusal, token);
    if (gradeGroup(parsed.data.overall) !== 'bad') return c.redirect(`/r/thanks?lang=${lang}`, 303);
    // A bad rating's thank-you page is its case page (the ticket's own URL leads there too from now on).
    return c.redirect(caseUrl(result.ratingId, lang, true), 303);
  });

  /**
   * Where the page's script goes after a bad rating sent as JSON: the case page of the ticket's rating, or for a
   * placard of the rating this page's submissionId made (only that page knows the id, so only it finds the case).
   */
  r.get('/:token/case', (c) => {
    const token = c.req.param('token');
    const lang = pickLang(c.req.query('lang'));
    const sub = c.req.query('sub') ?? '';
    const checked = checkToken(deps.keyring, token, now());
    if (checked.ok && checked.claims.kind === 'placard' && /^[A-Za-z0-9_-]{8,64}$/.test(sub)) {
      const ratingId = placardRatingId(deps.keyring, checked.claims.hallId, checked.claims.windowId, sub);
      return c.redirect(caseUrl(ratingId, lang, true), 303);
    }
    if (checked.ok && checked.claims.kind === 'ticket') return c.redirect(caseUrl(checked.claims.ticketId, lang, true), 303);
    return refusalPage(c, lang, checked.ok ? 'invalid-ticket' : checked.refusal);
  });

  async function renderSurvey(
    c: Context,
    lang: TLang,
    token: string,
    hall: { id: string; regionId: string; name: string; nameEn?: string },
    win: { name: string; nameEn?: string } | undefined,
    values?: TSurveyValues,
    errors?: string[],
    submissionId?: string,
  ) {
    return surveyPage({
      definition: (await surveyOf(deps.table, now)(hall)).definition, // the hall's survey, cached per hall per minute
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
