/** The resident pages' shell: one small inline stylesheet (nonce-checked by the CSP), no external requests. */
import { html, raw } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import { T, type TLang } from './i18n.js';
import { mark, type TMark } from './marks.js';

type Html = HtmlEscapedString | Promise<HtmlEscapedString>;

// Large type and targets for older residents; colours meet WCAG AA contrast on white.
const CSS = [
  '*{box-sizing:border-box}html{-webkit-text-size-adjust:100%;scroll-padding-bottom:120px}',
  'body{margin:0;font:20px/1.5 system-ui,"PingFang SC","Microsoft YaHei",sans-serif;color:#1a1a1a;background:#f4f6f8}\n',
  'main{max-width:560px;margin:0 auto;padding:16px;background:#fff;min-height:100vh}\n',
  'h1{font-size:1.45em;margin:.2em 0 .3em}.hall{margin:0;color:#3d4650;font-size:.9em}',
  '.hint,.small{color:#3d4650;font-size:.85em}\n',
  '.top{display:flex;justify-content:space-between;align-items:flex-start;gap:8px}.lang{display:inline-block;padding:10px 14px;',
  'border:2px solid #0b5cad;border-radius:8px;color:#0b5cad;text-decoration:none;font-size:.9em;white-space:nowrap}\n',
  'fieldset{border:0;margin:18px 0 0;padding:0}legend{font-weight:700;padding:0;margin-bottom:8px}\n',
  '.vh{position:absolute;opacity:0;width:1px;height:1px}\n',
  '.opt label,.chip{display:flex;align-items:center;gap:12px;min-height:56px;margin:8px 0;padding:8px 14px;',
  'border:2px solid #6b7580;border-radius:12px;cursor:pointer;background:#fff}\n',
  '.face{flex:none}.row{display:flex;flex-wrap:wrap;gap:8px}',
  '.row label{flex:1 1 auto;justify-content:center;margin:0;min-height:52px}\n',
  '.opt input:checked+label,.chip:has(input:checked){border-color:#0b5cad;background:#e3eefa;',
  'box-shadow:inset 0 0 0 2px #0b5cad}\n',
  '.opt input:focus-visible+label,.chip:focus-within,a:focus-visible,button:focus-visible,textarea:focus-visible,',
  'input:focus-visible,summary:focus-visible{outline:3px solid #b35900;outline-offset:2px}\n',
  '.chip input{width:26px;height:26px;flex:none}\n',
  'details{margin-top:18px}summary{cursor:pointer;min-height:48px;padding:10px 0;color:#0b5cad;font-weight:700}\n',
  'textarea,input[type=tel]{width:100%;font:inherit;padding:12px;border:2px solid #6b7580;border-radius:10px}\n',
  'button{width:100%;min-height:60px;margin:22px 0 8px;font:inherit;font-weight:700;color:#fff;background:#0b5cad;border:0;',
  'border-radius:12px;cursor:pointer}button[disabled]{background:#4d6f91}\n',
  '.err{border:2px solid #b3261e;background:#fdecea;padding:10px 14px;border-radius:10px}',
  '.msg{min-height:1.5em;font-weight:700;color:#0b4f94}#rmsg{color:#b3261e;margin:0}#rmsg:empty{display:none}\n',
  // The survey's send bar stays in view at the bottom of the screen, so a chosen grade is one tap from being sent:
  // where the browser knows the visible height (dvh), only the questions scroll, above the bar; elsewhere it is sticky.
  '.send{position:sticky;bottom:0;margin:12px -16px -16px;padding:6px 16px 10px;background:#fff;border-top:1px solid #c9d0d6}',
  '.send .msg{margin:0 0 4px}.send .msg:empty{display:none}.send button{margin:0}\n',
  '@supports (height:100dvh){main:has(>.send){height:100dvh;min-height:0;display:flex;flex-direction:column;padding:0}',
  'main:has(>.send) .scroll{flex:1 1 auto;overflow-y:auto;padding:16px;position:relative}main:has(>.send) .send{flex:none;margin:0}}\n',
  '.notice{text-align:center;padding-top:40px}.btn{display:inline-block;margin-top:20px;',
  'padding:14px 20px;border-radius:12px;background:#0b5cad;color:#fff;text-decoration:none}\n',
  '@supports selector(:has(*)){.tags,.contact{display:none}form:has([name=overall][value="1"]:checked) .bad,',
  'form:has([name=overall][value="2"]:checked) .bad,form:has([name=overall][value="3"]:checked) .mid,',
  'form:has([name=overall][value="4"]:checked) .good,form:has([name=overall][value="5"]:checked) .good,',
  'form:has([name=overall][value="1"]:checked) .contact,form:has([name=overall][value="2"]:checked) .contact{display:block}}',
].join('');

export function page(opts: { lang: TLang; title: string; nonce: string; body: Html; script?: string }): Html {
  const w = T[opts.lang];
  const brand = opts.lang === 'zh' ? '服务温度' : 'Service Temperature';
  const meta = html`<meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">`;
  const head = html`${meta}<meta name="referrer" content="no-referrer"><link rel="icon" href="data:,">`;
  const title = html`<title>${opts.title} · ${brand}</title>`;
  const style = html`<style nonce="${opts.nonce}">${raw(CSS)}</style>`;
  const script = opts.script ? html`<script nonce="${opts.nonce}">${raw(opts.script)}</script>` : '';
  const top = html`<!doctype html><html lang="${w.htmlLang}"><head>${head}${title}${style}</head>`;
  return html`${top}<body><main>${opts.body}</main>${script}</body></html>`;
}

export function notice(opts: {
  lang: TLang;
  nonce: string;
  icon: TMark;
  title: string;
  body: string;
  link?: { href: string; text: string };
}): Html {
  const link = opts.link ? html`<a class="btn" href="${opts.link.href}">${opts.link.text}</a>` : '';
  const icon = html`<div class="big">${mark(opts.icon)}</div>`;
  return page({
    lang: opts.lang,
    nonce: opts.nonce,
    title: opts.title,
    body: html`<div class="notice">${icon}<h1>${opts.title}</h1><p>${opts.body}</p>${link}</div>`,
  });
}

/** The response's CSP nonce (made on first use; secure-headers.ts puts the same one in the CSP header). */
export { nonceOf } from '../secure-headers.js';
