/**
 * /rate: the link channel's door (SPEC §3). A resident whose matter was handled online or by phone chooses the hall
 * (or arrives with ?hall= from its website, receipt, SMS or code), types the 办件编号 and, if the matter was
 * registered with them, the last four digits of their phone. A match mints the matter's signed link token and goes
 * to the ordinary survey page (/r/<token>): the rating is then taken exactly like a ticket's (one matter, one
 * rating, one 追评, channel `link`). A wrong number and an unknown one get the same kind answer; guessing is
 * throttled per client (every attempt) and per hall (failed attempts), in the table so it holds across instances.
 * Without ?hall= the resident walks the region tree one level at a time (big links, no script): a national
 * deployment has 50,000 halls, and a list of them all would be megabytes on a weak phone connection.
 */
import type { Context } from 'hono';
import { compress } from 'hono/compress';
import { html } from 'hono/html';
import { Hono } from 'hono/tiny';
import { GUESS_LIMITS, LINK_WINDOW, matterKey, matterRatingId, normalizeMatterNo, phoneDigitsHash } from '../../domain/matters.js';
import { keyedHash } from '../../domain/privacy.js';
import { signTicket } from '../../domain/tokens.js';
import type { THall, TRegion } from '../../domain/model.js';
import { getHall, getRegion, regionChildren, type TChildren } from '../../storage/catalogue.js';
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
    pickArea: '请选择您办事的大厅：先选地区，再选大厅。',
    up: '返回上一级',
    top: '全部地区',
    none: '这里还没有大厅。',
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
    pickArea: 'Choose the hall where your matter was handled: first the area, then the hall.',
    up: 'Up one level',
    top: 'All areas',
    none: 'There are no halls here yet.',
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
  'input[type=text],input[inputmode]{width:100%;font:inherit;padding:12px;border:2px solid #6b7580;border-radius:10px}' +
  '.pick{list-style:none;padding:0;margin:0 0 16px}.pick li{margin:0 0 10px}.pick a{display:block;padding:14px 16px;' +
  'border:2px solid #6b7580;border-radius:10px;color:inherit;text-decoration:none;font-size:1.1em}' +
  '.pick a.hall{border-color:#0b5cab;font-weight:600}.pick a:focus-visible{outline:3px solid #0b5cab;outline-offset:2px}';

/** Small per-process caches (a minute, like the catalogue's), bounded so a crawler walking ids cannot grow them. */
function minuteCache<T>(now: () => number, max = 2_000) {
  const m = new Map<string, { at: number; v: T }>();
  return async (key: string, load: () => Promise<T>): Promise<T> => {
    const hit = m.get(key);
    if (hit && now() - hit.at < 60_000) return hit.v;
    const v = await load();
    if (m.size >= max) m.clear();
    m.set(key, { at: now(), v });
    return v;
  };
}

export function linkRoutes(deps: TAppDeps) {
  const now = deps.now ?? Date.now;
  const r = new Hono();
  r.use('/', compress());
  const children = minuteCache<TChildren>(now);
  const halls = minuteCache<THall | undefined>(now);
  const regions = minuteCache<TRegion | undefined>(now);
  const validId = (id: string | undefined): id is string => !!id && /^[A-Za-z0-9_-]{1,40}$/.test(id);
  const byName = (lang: TLang) => (a: { name: string; nameEn?: string }, b: { name: string; nameEn?: string }) =>
    lang === 'en' ? (a.nameEn || a.name).localeCompare(b.nameEn || b.name, 'en') : a.name.localeCompare(b.name, 'zh');

  /** The region tree one level at a time: the sub-regions and halls of `regionId` (the top level without one). */
  const chooser = async (lang: TLang, regionId: string | undefined) => {
    const w = W[lang];
    const name = (u: { name: string; nameEn?: string }) => (lang === 'en' && u.nameEn) || u.name;
    const region = validId(regionId) ? await regions(regionId, () => getRegion(deps.table, regionId)) : undefined;
    const level = await children(region?.id ?? '', () => regionChildren(deps.table, region?.id));
    const items = [
      ...level.regions.sort(byName(lang)).map((x) => html`<li><a href="/rate?lang=${lang}&amp;region=${x.id}">${name(x)} ›</a></li>`),
      ...level.halls
        .sort(byName(lang))
        .map((h) => html`<li><a class="hall" href="/rate?lang=${lang}&amp;hall=${h.id}">${name(h)}</a></li>`),
    ];
    const up = region
      ? html`<p class="small"><a href="/rate?lang=${lang}${region.parentId ? `&region=${region.parentId}` : ''}">‹ ${w.up}</a>
          · <a href="/rate?lang=${lang}">${w.top}</a></p>`
      : '';
    return html`<h2>${region ? name(region) : w.hall}</h2><p>${w.pickArea}</p>
      ${items.length ? html`<ul class="pick">${items}</ul>` : html`<p>${w.none}</p>`}${up}`;
  };

  const form = async (
    c: Context,
    lang: TLang,
    v: { hall?: string; region?: string; no?: string; error?: string },
    status: 200 | 404 | 422 = 200,
  ) => {
    const w = W[lang];
    const hallId = v.hall;
    const chosen = validId(hallId) ? await halls(hallId, () => getHall(deps.table, hallId)) : undefined;
    const name = (h: THall) => (lang === 'en' && h.nameEn) || h.name;
    const other = lang === 'en' ? 'zh' : 'en';
    const swap = `/rate?lang=${other}${chosen ? `&hall=${chosen.id}` : validId(v.region) ? `&region=${v.region}` : ''}`;
    const top = html`<div class="top"><h1>${w.title}</h1><a class="lang" href="${swap}" lang="${other}">${w.switchLang}</a></div>
      <p class="hint">${w.hint}</p>
      ${v.error ? html`<p class="err" role="alert">${v.error}</p>` : ''}`;
    const body = chosen
      ? html`${top}<form method="post" action="/rate?lang=${lang}">
        <p><b>${w.hall}</b><br>${name(chosen)}<input type="hidden" name="hall" value="${chosen.id}"></p>
        <p class="small"><a href="/rate?lang=${lang}&amp;region=${chosen.regionId}">${w.other}</a></p>
        <p><label for="no"><b>${w.no}</b></label><input type="text" id="no" name="no" required maxlength="60"
          autocomplete="off" autocapitalize="characters" spellcheck="false" value="${v.no ?? ''}"></p>
        <p><label for="p4"><b>${w.p4}</b></label><input type="text" id="p4" name="p4" inputmode="numeric" maxlength="4"
          pattern="[0-9]{4}" autocomplete="off"></p>
        <input type="hidden" name="lang" value="${lang}"><button type="submit">${w.go}</button></form>`
      : html`${top}${await chooser(lang, v.region)}`;
    const nonce = nonceOf(c);
    c.header('cache-control', 'no-store');
    return c.html(page({ lang, nonce, title: w.title, body: html`<style nonce="${nonce}">${FORM_CSS}</style>${body}` }), status);
  };

  r.get('/', (c) => form(c, pickLang(c.req.query('lang')), { hall: c.req.query('hall'), region: c.req.query('region') }));

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
