/**
 * The staff report fragments: figure cards, unit tables, the trend as a chart (uPlot from the app's own assets) and
 * as a table (its text alternative), and the insights (grade distribution, heat map, complaint themes, comments).
 */
import { html, raw } from 'hono/html';
import type { TEpisode } from '../../domain/episodes.js';
import { GRADE_LABELS } from '../../domain/grades.js';
import { isHotCell, themeLabel, type TDrivers, type TInsights } from '../../scoring/insights.js';
import { toUnitReport, type TUnitReport } from '../../scoring/report.js';
import type { TSnapshot } from '../../storage/scores.js';
import type { TAsset } from '../assets.js';
import { type D, bandTag, gauge, rateCell } from './dashboard.js';
import type { TLang } from './i18n.js';

const muted = (text: string) => html`<div class="muted">${text}</div>`;
const num = (v: unknown) => html`<td class="num">${v}</td>`;
const ths = (heads: string[]) => heads.map((h) => html`<th>${h}</th>`);

/** The first card's 30-day change: how much, and whether it is beyond the noise of the two intervals. */
export type TChange = { change: number; beyondNoise: boolean } | undefined;
const changeLine = (w: (typeof D)[TLang], ch: TChange) => {
  if (!ch) return html`<div class="muted">${w.change30}: —</div>`;
  const dir = ch.change < 0 ? 'down' : 'up';
  const value = `${ch.change > 0 ? '+' : ch.change < 0 ? '−' : '±'}${Math.abs(ch.change).toFixed(1)}`;
  const verdict = ch.beyondNoise ? w.beyondNoise : w.withinNoise;
  const cls = `chg ${ch.beyondNoise ? dir : ''}`;
  return html`<div class="${cls}">${w.change30} <strong>${value}</strong> <span class="muted">${verdict}</span></div>`;
};

export function figureCards(w: (typeof D)[TLang], r: TUnitReport, change?: TChange) {
  const t = r.temperature.toFixed(1);
  const range = `${r.low.toFixed(1)}–${r.high.toFixed(1)}`;
  const label = `${w.temperature} ${t} (${w.interval} ${range}), ${w.bands[r.band] ?? r.band}`;
  const detail = html`<span class="muted">${w.interval} ${range} · ${w.n} ${r.n.toFixed(0)}</span>`;
  const head = html`${gauge(r.temperature, r.low, r.high, label)}${muted(w.temperature)}<div class="big">${t}</div>`;
  const figure = (name: string, rate: TUnitReport['goodRate']) => html`${muted(name)}<div>${rateCell(rate)}</div>`;
  const dims = (['attitude', 'efficiency', 'competence'] as const).map((k) => {
    const d = r.dimensions[k];
    if (d.temperature === null)
      return html`<div><span class="muted">${w.dims[k]}</span> — <span class="muted">${w.fewAnswers(d.n)}</span></div>`;
    const interval = html`<span class="muted">(${d.low.toFixed(1)}–${d.high.toFixed(1)})</span>`;
    return html`<div><span class="muted">${w.dims[k]}</span> ${d.temperature.toFixed(1)} ${interval}</div>`;
  });
  return html`<div class="cards"><div class="card first">${head}<div>${bandTag(w, r.band)} ${detail}</div>${changeLine(w, change)}</div>
<div class="card">${figure(w.goodRate, r.goodRate)}${figure(w.oneTripRate, r.oneTripRate)}</div>
<div class="card">${figure(w.doneRate, r.doneRate)}${figure(w.activeRate, r.activeRate)}</div>
<div class="card">${dims}</div></div>`;
}

export function unitTable(w: (typeof D)[TLang], rows: { name: string; r: TUnitReport }[]) {
  const head = ths([w.name, w.temperature, w.interval, w.band, w.n, w.goodRate]);
  const row = ({ name, r }: { name: string; r: TUnitReport }) => {
    const range = num(`${r.low.toFixed(1)}–${r.high.toFixed(1)}`);
    const figures = html`${num(r.temperature.toFixed(1))}${range}<td>${bandTag(w, r.band)}</td>${num(r.n.toFixed(0))}`;
    return html`<tr><td>${name}</td>${figures}${num(rateCell(r.goodRate))}</tr>`;
  };
  return html`<table class="sortable"><thead><tr>${head}</tr></thead><tbody>
${rows.map((x) => row(x))}
</tbody></table>`;
}

/** Grade distribution, hour × weekday heat map, complaint themes and recent comments (last 30 days). */
export function insightsHtml(w: (typeof D)[TLang], lang: TLang, x: TInsights) {
  const total = x.grades.reduce((a, b) => a + b, 0) || 1;
  const hours = [...Array(24).keys()].filter((h) => x.heat.some((row) => row[h].n > 0));
  const max = Math.max(1, ...x.heat.flat().map((c) => c.n));
  const days = lang === 'zh' ? ['周一', '周二', '周三', '周四', '周五', '周六', '周日'] : ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
  const gradeRows = [5, 4, 3, 2, 1].map((g) => {
    const share = x.grades[g - 1] / total;
    const meter = html`<meter min="0" max="1" value="${share.toFixed(3)}"></meter>`;
    return html`<tr><td>${GRADE_LABELS[g as 1][lang]}</td>${num(x.grades[g - 1])}<td>${meter} ${(share * 100).toFixed(1)}%</td></tr>`;
  });
  const heatCell = (c: { n: number; bad: number }) => {
    const level = c.n ? Math.min(5, Math.ceil((c.n / max) * 5)) : 0;
    const count = c.n ? html`${c.n}${c.bad ? html`<small> / ${c.bad}</small>` : ''}` : '';
    return html`<td class="num h${level}${isHotCell(c) ? ' hot' : ''}">${count}</td>`;
  };
  const heatRows = x.heat.map((row, d) => html`<tr><th>${days[d]}</th>${hours.map((h) => heatCell(row[h]))}</tr>`);
  const theme = (t: TInsights['themes'][number]) => {
    const words = t.keywords.map((k) => html`<span class="kw">${k.word} ×${k.count}</span> `);
    const more = t.keywords.length ? html` — ${words}` : '';
    return html`<li><strong>${themeLabel(t.reason, lang, x.labels)}</strong> · ${t.ratings} ${w.ratingsWord}${more}</li>`;
  };
  const comment = (c: TInsights['comments'][number]) => {
    const reasons = c.reasons.length ? ` · ${c.reasons.map((r) => themeLabel(r, lang, x.labels)).join('、')}` : '';
    return html`<li><span class="muted">${c.day} · ${GRADE_LABELS[c.overall as 1][lang]}${reasons}</span><br>${c.comment}</li>`;
  };
  const themes = x.themes.length ? html`<ul>${x.themes.map((t) => theme(t))}</ul>` : html`<p>${w.noThemes}</p>`;
  const comments = x.comments.length ? html`<ul>${x.comments.map((c) => comment(c))}</ul>` : '';
  return html`<h2>${w.distribution} <span class="muted">(${x.from} – ${x.to})</span></h2>
<table><thead><tr>${ths([w.grade, w.count, w.share])}</tr></thead><tbody>${gradeRows}</tbody></table>
<h2>${w.heat}</h2><p class="muted">${w.heatHint}</p>
<table class="heat"><thead><tr><th></th>${hours.map((h) => html`<th>${h}:00</th>`)}</tr></thead><tbody>${heatRows}</tbody></table>
<h2>${w.themes}</h2>${themes}
<h2>${w.comments}</h2>${comments}`;
}

/** The trend chart (uPlot, from the app's own assets); its data travel as JSON inside the page. */
export function trendChart(w: (typeof D)[TLang], trend: TSnapshot[], assets: { script: TAsset; css: string }, nonce: string) {
  const rows = trend.map((s) => toUnitReport(s)).filter((x): x is TUnitReport => !!x);
  const data = {
    days: rows.map((r) => r.date),
    t: rows.map((r) => r.temperature),
    lo: rows.map((r) => r.low),
    hi: rows.map((r) => r.high),
    labels: { temperature: w.temperature, low: `${w.interval} ↓`, high: `${w.interval} ↑`, date: w.date },
  };
  // JSON inside <script> must not be able to close the tag.
  const json = JSON.stringify(data).replace(/</g, '\\u003c');
  const alt = `${w.trend}: ${w.temperature} ${rows.at(0)?.temperature ?? ''} → ${rows.at(-1)?.temperature ?? ''} (${w.chartAlt})`;
  return html`<style nonce="${nonce}">${raw(assets.css)}</style><div id="trend-chart" role="img" aria-label="${alt}"></div>
<script type="application/json" id="trend-data">${raw(json)}</script><script nonce="${nonce}" src="${assets.script.path}" defer></script>`;
}

/** The trend as a table: the text alternative a chart will sit on top of. */
export function trendTable(w: (typeof D)[TLang], trend: TSnapshot[]) {
  const rows = trend
    .map((s) => toUnitReport(s))
    .filter((x): x is TUnitReport => !!x)
    .reverse();
  const row = (r: TUnitReport) => {
    const range = num(`${r.low.toFixed(1)}–${r.high.toFixed(1)}`);
    return html`<tr><td>${r.date}</td>${num(r.temperature.toFixed(1))}${range}<td>${bandTag(w, r.band)}</td></tr>`;
  };
  return html`<table><thead><tr>${ths([w.date, w.temperature, w.interval, w.band])}</tr></thead><tbody>
${rows.map((r) => row(r))}
</tbody></table>`;
}

const share = (x: number | null) => (x === null ? '—' : `${(x * 100).toFixed(1)}%`);

/**
 * One alert episode in one line: since when, for how long, the bad share against the hall's baseline, the
 * temperature; then what to look at (the windows, hours and reasons of its bad ratings) and its cases.
 */
export function episodeLine(
  w: (typeof D)[TLang],
  lang: TLang,
  e: TEpisode,
  o: { drivers?: TDrivers; windowName?: Map<string, string>; casesHref?: string; isNew?: boolean; hall?: unknown },
) {
  const kind = e.kind === 'cusum' ? w.cusum : w.turnedCold;
  const t = e.temperature === null ? '' : html` · ${w.temperature} ${e.temperature.toFixed(1)}`;
  const bad = e.badShare === null ? '' : html` · ${w.badVsBase(share(e.badShare), share(e.baseline))}`;
  const fresh = o.isNew ? html` <span class="new">(${w.newAlerts})</span>` : '';
  const head = html`${e.to} · ${o.hall ?? ''}${kind}${fresh} · ${w.episodeSince(e.from, e.days, e.alerts)}${bad}${t}`;
  const d = o.drivers;
  const list = <T>(label: string, xs: T[], text: (x: T) => string) => (xs.length ? html`${label} ${xs.map(text).join('、')}` : '');
  const parts = d?.bad
    ? [
        list(w.byWindow, d.windows, (x) => `${o.windowName?.get(x.id) ?? x.id}（${x.bad}）`),
        list(w.byHour, d.hours, (x) => `${x.hour}:00（${x.bad}）`),
        list(w.byReason, d.reasons, (x) => `${themeLabel(x.reason, lang)}（${x.bad}）`),
      ].filter((x) => x !== '')
    : [];
  const look = parts.length ? html`<br><span class="muted">${w.lookAt}：</span>${parts.map((p, i) => html`${i ? '；' : ''}${p}`)}` : '';
  const cases = o.casesHref && e.kind === 'cusum' ? html` · <a href="${o.casesHref}">${w.itsCases}</a>` : '';
  return html`<li>${head}${look}${cases}</li>`;
}
