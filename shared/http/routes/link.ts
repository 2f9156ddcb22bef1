/**
 * /rate: the link channel's door (SPEC §3). A resident whose matter was handled online or by phone chooses the hall
 * (or arrives with ?hall= from its website, receipt, SMS or code), types the 办件编号 and, if the matter was
 * registered with them, the last four digits of their phone. A match mints the matter's signed link token and goes
 * to the ordinary survey page (/r/<token>): the rating is then taken exactly like a ticket's (one matter, one
 * rating, one 追评, channel `link`). A wrong number and an unknown one get the same kind answer; guessing is
 * throttled per client (every attempt) and per hall (failed attempts), in the table so it holds across instances.
 */
import type { Context } from 'hono';
import { compress } from 'hono/compress';
import { html } from 'hono/html';
import { Hono } from 'hono/tiny';
import { GUESS_LIMITS, LINK_WINDOW, matterKey, matterRatingId, normalizeMatterNo, phoneDigitsHash } from '../../domain/matters.js';
import { keyedHash } from '../../domain/privacy.js';
import { signTicket } from '../../domain/tokens.js';
import type { THall } from '../../domain/model.js';
import { listHalls } from '../../storage/catalogue.js';
import { attemptsNow, getMatter, takeAttempt } from '../../storage/matters.js';
import { clientAddress } from '../client-address.js';
import type { TAppDeps } from '../deps.js';
import { pickLang, type TLang } from '../pages/i18n.js';
import { nonceOf, notice, page } from '../pages/layout.js';
import { DEVICE_COOKIE, readCookie } from './resident.js';

const W = {
  zh: {
    title: '为网上或电话办理的事项评价',
    hint: '请选择办事大厅，输入办件编号。办理时如登记了手机号，请同时输入手机号后四位。',
    hall: '办事大厅',
    pick: '请选择',
    other: '换一个大厅',
    no: '办件编号',
    p4: '手机号后四位（如登记过）',
    go: '开始评价',
    notFound: '没有找到这件事项。请核对大厅、办件编号和手机号后四位；刚办完的事项可能要稍等几分钟。',
    missing: '请选择大厅并填写办件编号。',
    slowTitle: '请稍后再试',
    slowBody: '尝试次数太多了。为保护大家的评价，请过一会儿再试。',
    switchLang: 'English',
  },
  en: {
    title: 'Rate a matter done online or by phone',
    hint: 'Choose the hall and type the matter number. If you gave a phone number, also type its last four digits.',
    hall: 'Service hall',
    pick: 'Please choose',
    other: 'Choose another hall',
    no: 'Matter number',
    p4: 'Last 4 digits of your phone (if you gave one)',
    go: 'Start rating',
    notFound:
      'We could not find this matter. Please check the hall, the number and the phone digits; ' +
      'a matter just finished may take a few minutes.',
    missing: 'Please choose the hall and type the matter number.',
    slowTitle: 'Please try again later',
    slowBody: 'Too many tries. To protect everyone’s ratings, please wait a while and try again.',
    switchLang: '中文',
  },
} as const;

const FORM_CSS =
  'select,input[type=text],input[inputmode]{width:100%;font:inherit;padding:12px;border:2px solid #6b7580;border-radius:10px}';

export function linkRoutes(deps: TAppDeps) {
  const now = deps.now ?? Date.now;
  const r = new Hono();
  r.use('/', compress());
  let halls: { at: number; version: number; list: THall[] } | undefined;
  /** The halls to choose from, cached a minute (like the catalogue): one Query per instance per minute at most. */
  const hallList = async (): Promise<THall[]> => {
    if (halls && now() - halls.at < 60_000 && halls.version === deps.table.catalogueVersion) return halls.list;
    const version = deps.table.catalogueVersion;
    const list = (await listHalls(deps.table)).sort((a, b) => a.name.localeCompare(b.name, 'zh'));
    halls = { at: now(), version, list };
    return list;
  };

  const form = async (c: Context, lang: TLang, v: { hall?: string; no?: string; error?: string }, status: 200 | 404 | 422 = 200) => {
    const w = W[lang];
    const list = await hallList();
    const chosen = v.hall ? list.find((h) => h.id === v.hall) : undefined;
    const name = (h: THall) => (lang === 'en' && h.nameEn) || h.name;
    const hallField = chosen
      ? html`<p><b>${w.hall}</b><br>${name(chosen)}<input type="hidden" name="hall" value="${chosen.id}"></p>
          <p class="small"><a href="/rate?lang=${lang}">${w.other}</a></p>`
      : html`<p><label for="hall"><b>${w.hall}</b></label><select id="hall" name="hall" required>
          <option value="">${w.pick}</option>${list.map((h) => html`<option value="${h.id}">${name(h)}</option>`)}</select></p>`;
    const other = lang === 'en' ? 'zh' : 'en';
    const swap = `/rate?lang=${other}${chosen ? `&hall=${chosen.id}` : ''}`;
    const body = html`<div class="top"><h1>${w.title}</h1><a class="lang" href="${swap}" lang="${other}">${w.switchLang}</a></div>
      <p class="hint">${w.hint}</p>
      ${v.error ? html`<p class="err" role="alert">${v.error}</p>` : ''}
      <form method="post" action="/rate?lang=${lang}">${hallField}
        <p><label for="no"><b>${w.no}</b></label><input type="text" id="no" name="no" required maxlength="60"
          autocomplete="off" autocapitalize="characters" spellcheck="false" value="${v.no ?? ''}"></p>
        <p><label for="p4"><b>${w.p4}</b></label><input type="text" id="p4" name="p4" inputmode="numeric" maxlength="4"
          pattern="[0-9]{4}" autocomplete="off"></p>
        <input type="hidden" name="lang" value="${lang}"><button type="submit">${w.go}</button></form>`;
    const nonce = nonceOf(c);
    c.header('cache-control', 'no-store');
    return c.html(page({ lang, nonce, title: w.title, body: html`<style nonce="${nonce}">${FORM_CSS}</style>${body}` }), status);
  };

  r.get('/', (c) => form(c, pickLang(c.req.query('lang')), { hall: c.req.query('hall') }));

  r.post('/', async (c) => {
    const body = await c.req.parseBody().catch(() => undefined);
    const str = (k: string) => (body && typeof body[k] === 'string' ? (body[k] as string).trim() : '');
    const lang = pickLang(str('lang') || c.req.query('lang'));
    const w = W[lang];
    const hallId = str('hall');
    const no = normalizeMatterNo(str('no'));
    const p4 = str('p4');
    if (!/^[A-Za-z0-9_-]{1,40}$/.test(hallId) || !no) return form(c, lang, { hall: hallId, no, error: w.missing }, 422);
    const t = now();
    const device = readCookie(c, DEVICE_COOKIE);
    const client = device
      ? keyedHash(deps.keyring, 'rate-device', device)
      : keyedHash(deps.keyring, 'rate-address', clientAddress(c), c.req.header('user-agent') ?? '');
    const hallScope = `h#${hallId}`;
    const slow = () => c.html(notice({ lang, nonce: nonceOf(c), icon: 'wait', title: w.slowTitle, body: w.slowBody }), 429);
    if (!(await takeAttempt(deps.table, `c#${client}`, t, GUESS_LIMITS.clientWindowMs, GUESS_LIMITS.client))) return slow();
    if ((await attemptsNow(deps.table, hallScope, t, GUESS_LIMITS.hallWindowMs)) >= GUESS_LIMITS.hallFailures) return slow();
    const key = matterKey(deps.keyring, hallId, no);
    const m = /^[A-Za-z0-9_/-]{4,40}$/.test(no) ? await getMatter(deps.table, hallId, key, t) : undefined;
    // Unknown, expired, or the digits do not match: one answer for all, so a guess learns nothing.
    if (!m || (m.p4 && m.p4 !== phoneDigitsHash(deps.keyring, key, p4))) {
      await takeAttempt(deps.table, hallScope, t, GUESS_LIMITS.hallWindowMs, GUESS_LIMITS.hallFailures);
      return form(c, lang, { hall: hallId, no, error: w.notFound }, 404);
    }
    const token = signTicket(deps.keyring, {
      ticketId: matterRatingId(key),
      hallId,
      windowId: m.windowId ?? LINK_WINDOW,
      serviceId: m.serviceId,
      issuedAt: m.registeredAt,
      link: true,
    });
    return c.redirect(`/r/${token}?lang=${lang}`, 303);
  });

  return r;
}
