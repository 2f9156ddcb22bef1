/**
 * A bad rating's case page for the resident (SPEC §2, §5) at its signed case link /c/<token>: the state in plain words,
 * the hall's reply, the one-time 追评 as a plain form post, kind refusals. Tickets and placard ratings both lead here
 * (routes/resident.ts redirects). On AWS the dashboard function answers /c/… (dashboard-paths.ts): the case service
 * and these pages stay out of the resident/machine Lambda's size-budgeted bundle.
 */
import type { Context } from 'hono';
import { compress } from 'hono/compress';
import { Hono } from 'hono/tiny';
import { verifyCaseLink } from '../../domain/case-link.js';
import { FOLLOW_UP_GRADES } from '../../domain/cases.js';
import { caseDepsOf, residentCase, residentFollowUp } from '../../services/cases.js';
import { baseUrl } from '../base-url.js';
import type { TAppDeps } from '../deps.js';
import { casePage, caseWords, type TFollowUpGrade } from '../pages/case.js';
import { pickLang, type TLang } from '../pages/i18n.js';
import { nonceOf, notice } from '../pages/layout.js';
import { qrSvg } from '../qr.js';

/** /c/<token>: a rating's case, and its 追评. Mounted at /c by the dashboard routes (and so by the local server). */
export function caseLinkRoutes(deps: TAppDeps) {
  const r = new Hono();
  r.use('*', compress());
  const cases = caseHandlers(deps);
  const bad = (c: Context) => {
    const w = caseWords(pickLang(c.req.query('lang')));
    c.header('cache-control', 'no-store');
    return c.html(
      notice({ lang: pickLang(c.req.query('lang')), nonce: nonceOf(c), icon: 'warn', title: w.linkBadTitle, body: w.linkBadBody }),
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

/** Showing a case and taking its 追评. `self`: the page's own path. */
function caseHandlers(deps: TAppDeps) {
  const caseDeps = caseDepsOf(deps);
  const kind = (c: Context, lang: TLang, status: 404 | 409, title: string, body: string, self?: string) => {
    c.header('cache-control', 'no-store');
    const link = self ? { href: `${self}?lang=${lang}`, text: caseWords(lang).backToCase } : undefined;
    return c.html(notice({ lang, nonce: nonceOf(c), icon: status === 404 ? 'warn' : 'ok', title, body, link }), status);
  };

  async function show(
    c: Context,
    caseId: string,
    self: string,
    lang: TLang,
    form?: { errors: string[]; values: { grade?: string; comment?: string } },
  ) {
    const w = caseWords(lang);
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
        // The way back: this link and its QR code, to photograph or bookmark (a ticket's own code leads here too).
        follow: thanks ? { url, qr: qrSvg(url, 1) } : undefined,
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
    const w = caseWords(lang);
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
