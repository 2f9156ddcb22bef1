/**
 * The printed codes: a ticket's QR image (the queue machine prints it) and a window's A6 placard. Nothing a resident
 * waits for on a weak signal, and the QR encoder is ~21 KB, so on AWS these are answered by the dashboard function
 * (dashboard-paths.ts) and the resident/machine function stays within its bundle budget.
 */
import type { Context } from 'hono';
import { html, raw } from 'hono/html';
import { Hono } from 'hono/tiny';
import { checkToken } from '../../services/ratings.js';
import { getHallCatalogue } from '../../storage/catalogue.js';
import { baseUrl } from '../base-url.js';
import type { TAppDeps } from '../deps.js';
import { T, pickLang, type TLang } from '../pages/i18n.js';
import { nonceOf, notice, page } from '../pages/layout.js';
import { qrSvg } from '../qr.js';

/** A placard page's print CSS: A6, the QR code large, nothing else on paper. */
const PLACARD_CSS =
  '@page{size:A6;margin:8mm}.placard{text-align:center}.placard .qr svg{width:70%;max-width:320px;height:auto}' +
  '.placard h1{font-size:1.6em}.placard .en{color:#3d4650}@media print{main{min-height:0}body{background:#fff}}';

export function printingRoutes(deps: TAppDeps) {
  const now = deps.now ?? Date.now;
  const r = new Hono();
  const refusalPage = (c: Context, lang: TLang, refusal: 'invalid-ticket' | 'unknown-hall') => {
    const w = T[lang];
    return c.html(
      notice({ lang, nonce: nonceOf(c), icon: 'warn', title: w.invalidTitle, body: w.invalidBody }),
      refusal === 'unknown-hall' ? 404 : 400,
    );
  };

  r.get('/:token/qr.svg', async (c) => {
    const token = c.req.param('token');
    if (!checkToken(deps.keyring, token, now()).ok) return c.text('invalid code', 400);
    const svg = qrSvg(`${baseUrl(c, deps.config)}/r/${token}`);
    return c.body(svg, 200, { 'content-type': 'image/svg+xml', 'cache-control': 'private, max-age=600' });
  });

  /** A printable placard for one window: hall, window, QR and one line of instructions (A6, print CSS). */
  r.get('/:token/placard', async (c) => {
    const token = c.req.param('token');
    const lang = pickLang(c.req.query('lang'));
    const checked = checkToken(deps.keyring, token, now());
    if (!checked.ok || checked.claims.kind !== 'placard') return refusalPage(c, lang, 'invalid-ticket');
    const cat = await getHallCatalogue(deps.table, checked.claims.hallId);
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
        body: html`<style nonce="${nonce}">${raw(PLACARD_CSS)}</style>
<section class="placard"><p class="hall">${cat.hall.name}${cat.hall.nameEn ? html` · <span lang="en">${cat.hall.nameEn}</span>` : ''}</p>
<h1>${win?.name ?? checked.claims.windowId}</h1>
<div class="qr" role="img" aria-label="评价二维码 QR code">${raw(svg)}</div>
<p><strong>${w.placardLine}</strong></p><p class="en" lang="en">${w.placardLineEn}</p><p class="small">${url}</p></section>`,
      }),
    );
  });

  return r;
}
