/**
 * The public pages (issue 12): a hall's page, a region's page and the lobby display board. Chinese first with
 * English beside it, server-rendered, no cookies, no third-party requests. The trend is an inline SVG drawn here
 * plus its table, so the hall page needs no script at all. Every inline style and script is a constant, so the CSP
 * names them by hash (routes/public.ts) and the page is the same bytes for everyone: cacheable, with an ETag.
 * The board's script is plain ES5 (XMLHttpRequest, textContent) for old TV browsers, and only ever replaces what
 * it shows after a successful fetch, so a dropped network leaves the last data on screen.
 */
import { createHash } from 'node:crypto';
import { html, raw } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import { REASONS, type TReason } from '../../domain/grades.js';
import { MIN_RANKED_N } from '../../domain/scoring.js';
import { daysBetween } from '../../domain/time.js';
import type { TBoard, TPublicFigures, TPublicHall, TPublicHandling, TPublicReply } from '../../scoring/public.js';

type Html = HtmlEscapedString | Promise<HtmlEscapedString>;
type TRate = { rate: number | null; low: number | null; high: number | null };

const BANDS: Record<string, [string, string]> = {
  warm: ['温暖', 'warm'],
  mild: ['温和', 'mild'],
  cool: ['偏凉', 'cool'],
  cold: ['冰冷', 'cold'],
};
const RATES_NOTE = [
  '小字为 90% 区间；近期评价权重更大（半衰期 30 天）。',
  'Small print: the 90% interval; recent ratings weigh more (30-day half-life).',
];
const FORMULA_NOTE = [
  '服务温度：居民评价的加权平均（0–100），近期评价权重更大，评价少时向所在区域靠拢。',
  'Service temperature: residents’ grades averaged (0–100), recent ones weighing more, pulled toward the region while ratings are few.',
];
const TOO_FEW: [string, string] = [`评价不足${MIN_RANKED_N}条，暂不显示`, `Fewer than ${MIN_RANKED_N} ratings: not shown yet`];

/** Chinese, then the English in a quieter span marked lang="en" (screen readers switch voice). */
const bi = (zh: string, en: string) => html`${zh} <span class="en" lang="en">${en}</span>`;
const pct = (x: number | null) => (x === null ? '—' : `${(x * 100).toFixed(1)}%`);
/** A rate in large type with its interval below in small type (phones fit two cards a row). */
const rateHtml = (r: TRate, count?: string) =>
  r.rate === null
    ? html`<b>${count ?? '—'}</b>`
    : html`<b>${pct(r.rate)}</b><span class="ci">${count ? `${count} · ` : ''}90%: ${pct(r.low)}–${pct(r.high)}</span>`;
const reasonText = (tags: string[]) => tags.map((t) => REASONS[t as TReason]?.zh ?? t).join('、');

export const PUBLIC_CSS = [
  '*{box-sizing:border-box}html{-webkit-text-size-adjust:100%}',
  'body{margin:0;font:18px/1.55 system-ui,"PingFang SC","Microsoft YaHei",sans-serif;color:#1a1a1a;background:#f4f6f8}',
  'main{max-width:1100px;margin:0 auto;padding:16px;background:#fff;min-height:100vh}',
  'h1{font-size:1.6em;margin:.2em 0}h2{font-size:1.25em;margin:1.4em 0 .5em;border-bottom:2px solid #e3e7eb}',
  '.en{color:#4a5560;font-size:.85em;font-weight:400}.muted{color:#4a5560}a{color:#0b5cad}',
  '.hero{display:flex;flex-wrap:wrap;align-items:center;gap:8px 28px;padding:16px;border-radius:14px;background:#f0f4f8}',
  '.temp{font-size:64px;font-weight:800;line-height:1.05}.unit{font-size:24px;font-weight:700}',
  '.band{display:inline-block;padding:4px 14px;border-radius:999px;font-weight:700;color:#fff;font-size:22px}',
  '.warm{background:#a33a00}.mild{background:#7a5a00}.cool{background:#19647e}.cold{background:#1f4e9c}',
  '.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(150px,1fr));gap:10px}',
  '.card{border:1px solid #d5dbe1;border-radius:12px;padding:10px 12px}.card b{display:block;font-size:1.5em;line-height:1.3}',
  '.ci{display:block;font-size:.8em;color:#4a5560}h1 .en{display:block;font-size:.55em;line-height:1.3}',
  'table{border-collapse:collapse;width:100%;font-size:.95em}th,td{text-align:left;padding:6px 8px;border-bottom:1px solid #e3e7eb}',
  'td.n{text-align:right;font-variant-numeric:tabular-nums}.wrap{overflow-x:auto}',
  'svg{width:100%;height:auto;max-height:320px}.reply{border-left:4px solid #0b5cad;padding:4px 12px;margin:12px 0}',
  'details{margin:10px 0}summary{cursor:pointer;color:#0b5cad;min-height:44px;padding:8px 0}',
  'a:focus-visible,summary:focus-visible{outline:3px solid #b35900;outline-offset:2px}',
  'footer{margin-top:2em;font-size:.85em;color:#4a5560}code{word-break:break-all}',
].join('\n');

/** The SHA-256 CSP source of an inline block. */
export const cspHash = (text: string): string => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;

function shell(
  title: string,
  body: Html,
  opts: { css: string; script?: string; head?: string; json?: string } = { css: PUBLIC_CSS },
): Html {
  const meta = html`<meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">`;
  const head = html`${meta}<meta name="referrer" content="no-referrer"><link rel="icon" href="data:,">${raw(opts.head ?? '')}`;
  const script = opts.script ? html`<script>${raw(opts.script)}</script>` : '';
  return html`<!doctype html><html lang="zh-CN"><head>${head}<title>${title} · 服务温度</title><style>${raw(opts.css)}</style></head>
<body${opts.json ? html` data-json="${opts.json}"` : ''}>${body}${script}</body></html>`;
}

/** The temperature or, with too few ratings, the honest "not shown yet". */
function hero(f: TPublicFigures | undefined): Html {
  if (!f) return html`<div class="hero"><p>${bi('尚未评分', 'Not scored yet')}</p></div>`;
  if (!f.ranked) return html`<div class="hero"><p class="unit">${bi(TOO_FEW[0], TOO_FEW[1])}</p></div>`;
  const [zh, en] = BANDS[f.band] ?? [f.band, f.band];
  const range = `${f.low.toFixed(1)}–${f.high.toFixed(1)}`;
  return html`<div class="hero"><div><div class="muted">${bi('服务温度', 'Service temperature')}</div>
<div class="temp" data-figure="temperature">${f.temperature.toFixed(1)}</div></div>
<div><span class="band ${f.band}">${zh} <span lang="en">${en}</span></span>
<p>${bi('90% 区间', '90% interval')} ${range} · ${bi('有效评价数', 'effective ratings')} ${f.n.toFixed(0)}</p></div></div>`;
}

function rates(f: TPublicFigures): Html {
  const card = (zh: string, en: string, r: TRate) => html`<div class="card">${bi(zh, en)}${rateHtml(r)}</div>`;
  return html`<div class="grid">${card('好评率', 'Good ratings', f.goodRate)}${card('一次办成率', 'Done in one trip', f.oneTripRate)}
${card('当天办结率', 'Done the same day', f.doneRate)}${card('主动评价率', 'Visits rated', f.activeRate)}</div>
<p class="muted">${bi(RATES_NOTE[0], RATES_NOTE[1])}</p>`;
}

function handling(h: TPublicHandling): Html {
  const card = (zh: string, en: string, v: Html) => html`<div class="card">${bi(zh, en)}${v}</div>`;
  const count = (n: number) => html`<b>${n}</b>`;
  const fu = h.followUpSatisfaction;
  return html`<p class="muted">${h.from} – ${h.to}</p><div class="grid">${card('收到差评', 'Bad ratings received', count(h.received))}
${card('按时回复', 'Answered on time', rateHtml(h.replyRate, `${h.replyRate.on}/${h.replyRate.due}`))}
${card('按时整改', 'Put right on time', rateHtml(h.rectifyRate, `${h.rectifyRate.on}/${h.rectifyRate.due}`))}
${card('回访满意', 'Satisfied at follow-up', rateHtml(fu, `${fu.good}/${fu.given}`))}${card('当前超期', 'Overdue now', count(h.overdueNow))}</div>`;
}

const replyMeta = (r: TPublicReply) => `${r.day} · ${r.windowName ?? r.windowId}${r.reasons.length ? ` · ${reasonText(r.reasons)}` : ''}`;

function replies(list: TPublicReply[]): Html {
  if (!list.length) return html`<p>${bi('暂无', 'None yet')}</p>`;
  return html`${list.map(
    (r) => html`<div class="reply"><p class="muted">${replyMeta(r)}</p>
<p>${r.reply}</p></div>`,
  )}`;
}

/** The 90-day trend as an inline SVG: the interval as a band, the temperature as a line, days with too few ratings left out. */
export function trendSvg(trend: TPublicFigures[], to: string, days = 90): Html {
  const W = 720;
  const H = 240;
  const left = 34;
  const top = 8;
  const w = W - left - 8;
  const h = H - top - 24;
  const x = (d: string) => left + ((days - 1 - daysBetween(d, to)) / (days - 1)) * w;
  const shown = trend.filter((f) => f.ranked);
  // 0–100 would flatten every line; the axis starts at 50 or the lowest interval's decade, and says so
  const floor = Math.min(50, Math.floor(Math.min(100, ...shown.map((f) => f.low)) / 10) * 10);
  const y = (t: number) => top + ((100 - t) / (100 - floor)) * h;
  const segments: TPublicFigures[][] = [];
  for (const f of shown) {
    const last = segments.at(-1);
    if (last && daysBetween(last.at(-1)!.date, f.date) === 1) last.push(f);
    else segments.push([f]);
  }
  const p = (n: number) => n.toFixed(1);
  const area = segments.map((s) => {
    const pts = [...s.map((f) => `${p(x(f.date))},${p(y(f.high))}`), ...[...s].reverse().map((f) => `${p(x(f.date))},${p(y(f.low))}`)];
    return `<polygon points="${pts.join(' ')}" fill="#9cc3e8" opacity="0.6"/>`;
  });
  const lines = segments.map((s) => {
    if (s.length === 1) return `<circle cx="${p(x(s[0].date))}" cy="${p(y(s[0].temperature))}" r="3" fill="#0b3d75"/>`;
    const pts = s.map((f) => `${p(x(f.date))},${p(y(f.temperature))}`).join(' ');
    return `<polyline points="${pts}" fill="none" stroke="#0b3d75" stroke-width="2.5"/>`;
  });
  const grid = [floor, 55, 70, 85, 100].map(
    (t) =>
      `<line x1="${left}" x2="${W - 8}" y1="${p(y(t))}" y2="${p(y(t))}" stroke="#c9d1d9"` +
      ` stroke-dasharray="${t === floor || t === 100 ? '' : '4 4'}"/>` +
      `<text x="${left - 4}" y="${p(y(t) + 4)}" font-size="12" text-anchor="end" fill="#4a5560">${t}</text>`,
  );
  const start = new Date(Date.parse(`${to}T00:00:00Z`) - (days - 1) * 86_400_000).toISOString().slice(0, 10);
  const first = `<text x="${left}" y="${H - 6}" font-size="12" fill="#4a5560">${start}</text>`;
  const last = `<text x="${W - 8}" y="${H - 6}" font-size="12" text-anchor="end" fill="#4a5560">${to}</text>`;
  const label = '近90天服务温度及其90%区间 · Service temperature over 90 days with its 90% interval';
  const svg =
    `<svg viewBox="0 0 ${W} ${H}" role="img" aria-label="${label}">` +
    `${grid.join('')}${area.join('')}${lines.join('')}${first}${last}</svg>`;
  return html`${raw(svg)}`;
}

function trendTable(trend: TPublicFigures[]): Html {
  const head = html`<tr><th>${bi('日期', 'Date')}</th><th>${bi('温度', 'Temperature')}</th><th>${bi('90% 区间', 'Interval')}</th>
<th>${bi('有效评价数', 'N')}</th></tr>`;
  const rows = [...trend].reverse().map((f) => {
    const t = f.ranked ? f.temperature.toFixed(1) : '—';
    const range = f.ranked ? `${f.low.toFixed(1)}–${f.high.toFixed(1)}` : '—';
    return html`<tr><td>${f.date}</td><td class="n">${t}</td><td class="n">${range}</td><td class="n">${f.n.toFixed(0)}</td></tr>`;
  });
  const summary = html`<summary>${bi('按日数据表', 'The figures day by day')}</summary>`;
  return html`<details>${summary}<div class="wrap"><table>${head}${rows}</table></div></details>`;
}

function openData(kind: 'halls' | 'regions', id: string, to: string | undefined): Html {
  const base = `/api/v1/public/${kind}/${id}`;
  const range = to ? `?from=${addDaysLocal(to, -89)}&to=${to}` : '';
  const json = kind === 'halls' ? html`<li><a href="${base}">${bi('公开数据（JSON）', 'Published figures (JSON)')}</a></li>` : '';
  return html`<ul>${json}<li><a href="${base}/ratings.csv${range}">${bi('逐条评价（CSV，近90天）', 'Every rating (CSV, 90 days)')}</a></li>
<li><a href="${base}/issued.csv${range}">${bi('每日发出的评价码（CSV）', 'Rating codes issued per day (CSV)')}</a></li></ul>
<p class="muted">${bi(
    '评价数据不含留言、电话、设备和具体时间。用 npm run verify 可以自己重算温度。',
    'No comments, phones, devices or exact times. Recompute the temperature yourself with npm run verify.',
  )}</p>`;
}

const addDaysLocal = (day: string, n: number) => new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);

/** /p/<hallId> */
export function hallPage(opts: {
  hall: { id: string; name: string; nameEn?: string; regionId: string };
  regionName?: string;
  figures?: TPublicHall;
  trend: TPublicFigures[];
  handling: TPublicHandling;
  replies: TPublicReply[];
}): Html {
  const { hall, figures: f } = opts;
  const asOf = f ? html`<p class="muted">${bi('数据截至', 'Figures as of')} ${f.date}</p>` : '';
  const en = hall.nameEn ? html` <span class="en" lang="en">${hall.nameEn}</span>` : '';
  const region = html`<a href="/p/regions/${hall.regionId}">${opts.regionName ?? hall.regionId}</a>`;
  const nav = html`<p>${region} · <a href="/p/${hall.id}/board">${bi('大厅屏', 'Lobby board')}</a></p>`;
  const trend = f ? html`<h2>${bi('近90天趋势', 'The last 90 days')}</h2>${trendSvg(opts.trend, f.date)}${trendTable(opts.trend)}` : '';
  const body = html`<main><h1>${hall.name}${en}</h1>${nav}${asOf}${hero(f)}${f ? rates(f) : ''}${trend}
<h2>${bi('差评处理（近30天）', 'How bad ratings were handled (30 days)')}</h2>${handling(opts.handling)}
<h2>${bi('最近处理的差评及大厅答复', 'Latest complaints handled, with the hall’s reply')}</h2>${replies(opts.replies)}
<h2>${bi('开放数据', 'Open data')}</h2>${openData('halls', hall.id, f?.date)}
<footer>${bi(FORMULA_NOTE[0], FORMULA_NOTE[1])}</footer></main>`;
  return shell(hall.name, body);
}

/** /p/regions/<regionId> */
export function regionPage(opts: {
  region: { id: string; name: string; nameEn?: string; parentId?: string };
  date?: string;
  figures?: TPublicFigures;
  halls: { id: string; name: string; f?: TPublicFigures }[];
  handling: TPublicHandling;
}): Html {
  const ranked = opts.halls.filter((x) => x.f?.ranked).sort((a, b) => b.f!.temperature - a.f!.temperature);
  const rest = opts.halls.filter((x) => !x.f?.ranked);
  const link = (x: { id: string; name: string }) => html`<a href="/p/${x.id}">${x.name}</a>`;
  const row = (x: (typeof ranked)[number], i: number) => {
    const f = x.f!;
    const [zh] = BANDS[f.band] ?? [f.band];
    const range = `${f.low.toFixed(1)}–${f.high.toFixed(1)}`;
    return html`<tr><td class="n">${i + 1}</td><td>${link(x)}</td><td class="n">${f.temperature.toFixed(1)}</td><td class="n">${range}</td>
<td>${zh}</td><td class="n">${f.n.toFixed(0)}</td><td class="n">${pct(f.goodRate.rate)}</td></tr>`;
  };
  const head = html`<tr><th>#</th><th>${bi('大厅', 'Hall')}</th><th>${bi('温度', 'Temp.')}</th><th>${bi('90% 区间', 'Interval')}</th>
<th>${bi('档位', 'Band')}</th><th>${bi('有效评价数', 'N')}</th><th>${bi('好评率', 'Good')}</th></tr>`;
  const table = ranked.length
    ? html`<div class="wrap"><table>${head}${ranked.map(row)}</table></div>`
    : html`<p>${bi('暂无', 'None yet')}</p>`;
  const few = rest.length
    ? html`<h2>${bi(TOO_FEW[0], TOO_FEW[1])}</h2><ul>${rest.map(
        (x) => html`<li>${link(x)} · ${bi('有效评价数', 'N')} ${x.f ? x.f.n.toFixed(0) : 0}</li>`,
      )}</ul>`
    : '';
  const en = opts.region.nameEn ? html` <span class="en" lang="en">${opts.region.nameEn}</span>` : '';
  const up = opts.region.parentId ? html`<p><a href="/p/regions/${opts.region.parentId}">${bi('上一级', 'Up one level')}</a></p>` : '';
  const asOf = opts.date ? html`<p class="muted">${bi('数据截至', 'Figures as of')} ${opts.date}</p>` : '';
  const body = html`<main><h1>${opts.region.name}${en}</h1>${up}${asOf}${hero(opts.figures)}${opts.figures ? rates(opts.figures) : ''}
<h2>${bi('大厅排名（有效评价数 ≥ 20）', 'Halls ranked (N ≥ 20)')}</h2>${table}${few}
<h2>${bi('差评处理（近30天）', 'How bad ratings were handled (30 days)')}</h2>${handling(opts.handling)}
<h2>${bi('开放数据', 'Open data')}</h2>${openData('regions', opts.region.id, opts.date)}</main>`;
  return shell(opts.region.name, body);
}

/* ---------------------------------------------------------------- the lobby board */

export const BOARD_CSS = [
  'html,body{margin:0;height:100%}body{font:28px/1.3 system-ui,"PingFang SC","Microsoft YaHei",sans-serif;background:#0d1b2a;color:#fff}',
  '.b{display:flex;flex-direction:column;min-height:100%;padding:2vw 3vw}',
  'h1{font-size:56px;margin:0 0 1vw}.en{color:#c8d3df;font-size:.6em;font-weight:400}',
  '.row{display:flex;flex-wrap:wrap;gap:2vw;margin-bottom:2vw}.tile{flex:1 1 26%;background:#1b2d44;border-radius:20px;padding:1.5vw 2vw}',
  '.lbl{font-size:30px;color:#dbe4ee}.big{display:block;font-size:120px;font-weight:800;line-height:1.1}',
  '.sub{font-size:40px;font-weight:700;white-space:nowrap}',
  '.band{display:inline-block;padding:0 18px;border-radius:12px;font-size:48px;font-weight:700}',
  '.warm{background:#a33a00}.mild{background:#7a5a00}.cool{background:#19647e}.cold{background:#1f4e9c}',
  '.replies{background:#1b2d44;border-radius:20px;padding:1.5vw 2vw;margin:0;list-style:none;min-height:260px}',
  '.replies li{font-size:48px;line-height:1.35}.replies .meta{display:block;font-size:32px;color:#dbe4ee;margin-bottom:8px}',
  '.js .replies li{display:none}.js .replies li.on{display:block}',
  '.upd{margin-top:1vw;font-size:26px;color:#c8d3df}.stale .upd{color:#ffd27a}',
].join('\n');

/**
 * ES5 only: old TV browsers. Fetches board.json each minute (a fresh URL each time, so no browser cache answers for
 * the server; CloudFront's cache key ignores `t`); replaces the shown text only on success.
 */
export const BOARD_SCRIPT = `(function(){
var d=document,b=d.body,url=b.getAttribute('data-json'),i=0;
b.className+=' js';
function el(id){return d.getElementById(id);}
function set(id,v){var e=el(id);if(e&&v!==undefined&&v!==null){e.textContent=String(v);}}
function rotate(){var l=el('replies');if(!l){return;}var li=l.getElementsByTagName('li');if(!li.length){return;}
for(var k=0;k<li.length;k++){li[k].className=k===i%li.length?'on':'';}i++;}
function show(x){var k;for(k in x.text){if(x.text.hasOwnProperty(k)){set(k,x.text[k]);}}
var band=el('band');if(band&&x.band){band.className='band '+x.band;}
var l=el('replies');if(l&&x.replies){while(l.firstChild){l.removeChild(l.firstChild);}
for(k=0;k<x.replies.length;k++){var li=d.createElement('li'),m=d.createElement('span');m.className='meta';
m.textContent=x.replies[k].meta;li.appendChild(m);li.appendChild(d.createTextNode(x.replies[k].text));l.appendChild(li);}
i=0;rotate();}b.className=b.className.replace(' stale','');}
function stale(){if(b.className.indexOf(' stale')<0){b.className+=' stale';}}
function refresh(){var x=new XMLHttpRequest();x.open('GET',url+'?t='+(new Date()).getTime(),true);
x.onreadystatechange=function(){if(x.readyState!==4){return;}
if(x.status===200){try{show(JSON.parse(x.responseText));}catch(e){stale();}}else{stale();}};
x.onerror=stale;try{x.send();}catch(e){stale();}}
rotate();setInterval(rotate,8000);setInterval(refresh,60000);
})();`;

/** The board's shown text, by element id: the page renders it and board.json carries the same, so refreshes are plain. */
export function boardView(
  b: TBoard,
  at: string,
): { text: Record<string, string>; band?: string; replies: { meta: string; text: string }[] } {
  const f = b.figures;
  const shown = f && f.n >= MIN_RANKED_N;
  const good = b.ratingsToday ? `${((b.goodToday / b.ratingsToday) * 100).toFixed(0)}%` : '—';
  return {
    text: {
      today: String(b.ratingsToday),
      good: `好评 ${good}`,
      temp: shown ? f.temperature.toFixed(1) : '—',
      bandText: shown ? (BANDS[f.band]?.[0] ?? f.band) : TOO_FEW[0],
      interval: shown ? `90% 区间 ${f.low.toFixed(1)}–${f.high.toFixed(1)}` : '',
      bad: String(b.badThisMonth),
      onTime: `按时回复 ${b.answeredOnTime}`,
      upd: `更新于 ${at}`,
    },
    band: shown ? f.band : undefined,
    replies: b.replies.map((r) => ({
      meta: replyMeta(r),
      text: r.reply,
    })),
  };
}

/** /p/<hallId>/board: 1920×1080, legible from 5 m. Without script, a meta refresh (inside noscript) reloads it. */
export function boardPage(b: TBoard, view: ReturnType<typeof boardView>, jsonUrl: string): Html {
  const t = view.text;
  const tile = (zh: string, en: string, big: Html, sub: Html) =>
    html`<div class="tile"><div class="lbl">${zh} <span class="en" lang="en">${en}</span></div>${big}${sub}</div>`;
  const big = (id: string, text: string) => html`<span class="big" id="${id}">${text}</span>`;
  const band = html`<span id="band" class="band ${view.band ?? ''}"><span id="bandText">${t.bandText}</span></span>`;
  const list = view.replies.length
    ? view.replies.map((r, i) => html`<li${i === 0 ? raw(' class="on"') : ''}><span class="meta">${r.meta}</span>${r.text}</li>`)
    : html`<li class="on">暂无差评答复 <span class="en" lang="en">No replies yet</span></li>`;
  const body = html`<div class="b"><h1>${b.name} <span class="en" lang="en">Service temperature</span></h1>
<div class="row">${tile('今日评价', 'Ratings today', big('today', t.today), html`<span class="sub" id="good">${t.good}</span>`)}
${tile('服务温度', 'Service temperature', big('temp', t.temp), html`${band}<div class="sub" id="interval">${t.interval}</div>`)}
${tile('本月差评', 'Bad ratings this month', big('bad', t.bad), html`<span class="sub" id="onTime">${t.onTime}</span>`)}</div>
<div class="lbl">最新答复 <span class="en" lang="en">Latest replies to complaints</span></div>
<ul class="replies" id="replies" aria-live="off">${list}</ul>
<div class="upd" id="upd">${t.upd}</div></div>`;
  // the JSON's URL is read by the script from the body, so the script stays one constant (its CSP hash never changes)
  return shell(`${b.name} · 大厅屏`, body, {
    css: BOARD_CSS,
    script: BOARD_SCRIPT,
    head: '<noscript><meta http-equiv="refresh" content="60"></noscript>',
    json: jsonUrl,
  });
}
