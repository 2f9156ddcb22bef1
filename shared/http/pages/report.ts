/**
 * The staff report fragments: figure cards, unit tables, the trend as a chart (uPlot from the app's own assets) and
 * as a table (its text alternative), and the insights (grade distribution, heat map, complaint themes, comments).
 */
import { html, raw } from 'hono/html';
import { GRADE_LABELS } from '../../domain/grades.js';
import { themeLabel, type TInsights } from '../../scoring/insights.js';
import { toUnitReport, type TUnitReport } from '../../scoring/report.js';
import type { TSnapshot } from '../../storage/scores.js';
import type { TAsset } from '../assets.js';
import { type D, bandTag, gauge, rateCell } from './dashboard.js';
import type { TLang } from './i18n.js';

export function figureCards(w: (typeof D)[TLang], r: TUnitReport) {
  return html`<div class="cards"><div class="card">${gauge(r.temperature, r.low, r.high, `${w.temperature} ${r.temperature.toFixed(1)} (${w.interval} ${r.low.toFixed(1)}–${r.high.toFixed(1)}), ${w.bands[r.band] ?? r.band}`)}<div class="muted">${w.temperature}</div><div class="big">${r.temperature.toFixed(1)}</div><div>${bandTag(w, r.band)} <span class="muted">${w.interval} ${r.low.toFixed(1)}–${r.high.toFixed(1)} · ${w.n} ${r.n.toFixed(0)}</span></div></div>
<div class="card"><div class="muted">${w.goodRate}</div><div>${rateCell(r.goodRate)}</div><div class="muted">${w.oneTripRate}</div><div>${rateCell(r.oneTripRate)}</div></div>
<div class="card"><div class="muted">${w.doneRate}</div><div>${rateCell(r.doneRate)}</div><div class="muted">${w.activeRate}</div><div>${rateCell(r.activeRate)}</div></div>
<div class="card">${(['attitude', 'efficiency', 'competence'] as const).map((k) => html`<div><span class="muted">${w.dims[k]}</span> ${r.dimensions[k].temperature.toFixed(1)} <span class="muted">(${r.dimensions[k].low.toFixed(1)}–${r.dimensions[k].high.toFixed(1)})</span></div>`)}</div></div>`;
}

export function unitTable(w: (typeof D)[TLang], rows: { name: string; r: TUnitReport }[]) {
  return html`<table class="sortable"><thead><tr><th>${w.name}</th><th>${w.temperature}</th><th>${w.interval}</th><th>${w.band}</th><th>${w.n}</th><th>${w.goodRate}</th></tr></thead><tbody>
${rows.map((x) => html`<tr><td>${x.name}</td><td class="num">${x.r.temperature.toFixed(1)}</td><td class="num">${x.r.low.toFixed(1)}–${x.r.high.toFixed(1)}</td><td>${bandTag(w, x.r.band)}</td><td class="num">${x.r.n.toFixed(0)}</td><td class="num">${rateCell(x.r.goodRate)}</td></tr>`)}
</tbody></table>`;
}

/** Grade distribution, hour × weekday heat map, complaint themes and recent comments (last 30 days). */
export function insightsHtml(w: (typeof D)[TLang], lang: TLang, x: TInsights) {
  const total = x.grades.reduce((a, b) => a + b, 0) || 1;
  const hours = [...Array(24).keys()].filter((h) => x.heat.some((row) => row[h].n > 0));
  const max = Math.max(1, ...x.heat.flat().map((c) => c.n));
  const days = lang === 'zh' ? ['周一', '周二', '周三', '周四', '周五', '周六', '周日'] : ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
  return html`<h2>${w.distribution} <span class="muted">(${x.from} – ${x.to})</span></h2>
<table><thead><tr><th>${w.grade}</th><th>${w.count}</th><th>${w.share}</th></tr></thead><tbody>${[5, 4, 3, 2, 1].map(
    (g) =>
      html`<tr><td>${GRADE_LABELS[g as 1][lang]}</td><td class="num">${x.grades[g - 1]}</td><td><meter min="0" max="1" value="${(x.grades[g - 1] / total).toFixed(3)}"></meter> ${((x.grades[g - 1] / total) * 100).toFixed(1)}%</td></tr>`,
  )}</tbody></table>
<h2>${w.heat}</h2><p class="muted">${w.heatHint}</p>
<table class="heat"><thead><tr><th></th>${hours.map((h) => html`<th>${h}:00</th>`)}</tr></thead><tbody>${x.heat.map(
    (row, d) =>
      html`<tr><th>${days[d]}</th>${hours.map((h) => {
        const c = row[h];
        const level = c.n ? Math.min(5, Math.ceil((c.n / max) * 5)) : 0;
        return html`<td class="num h${level}${c.n && c.bad / c.n >= 0.3 ? ' hot' : ''}">${c.n ? html`${c.n}${c.bad ? html`<small> / ${c.bad}</small>` : ''}` : ''}</td>`;
      })}</tr>`,
  )}</tbody></table>
<h2>${w.themes}</h2>${x.themes.length ? html`<ul>${x.themes.map((t) => html`<li><strong>${themeLabel(t.reason, lang)}</strong> · ${t.ratings} ${w.ratingsWord}${t.keywords.length ? html` — ${t.keywords.map((k) => html`<span class="kw">${k.word} ×${k.count}</span> `)}` : ''}</li>`)}</ul>` : html`<p>${w.noThemes}</p>`}
<h2>${w.comments}</h2>${x.comments.length ? html`<ul>${x.comments.map((c) => html`<li><span class="muted">${c.day} · ${GRADE_LABELS[c.overall as 1][lang]}${c.reasons.length ? ` · ${c.reasons.map((r) => themeLabel(r, lang)).join('、')}` : ''}</span><br>${c.comment}</li>`)}</ul>` : ''}`;
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
  return html`<style nonce="${nonce}">${raw(assets.css)}</style><div id="trend-chart" role="img" aria-label="${w.trend}: ${w.temperature} ${rows.at(0)?.temperature ?? ''} → ${rows.at(-1)?.temperature ?? ''} (${w.chartAlt})"></div>
<script type="application/json" id="trend-data">${raw(json)}</script><script nonce="${nonce}" src="${assets.script.path}" defer></script>`;
}

/** The trend as a table: the text alternative a chart will sit on top of. */
export function trendTable(w: (typeof D)[TLang], trend: TSnapshot[]) {
  const rows = trend
    .map((s) => toUnitReport(s))
    .filter((x): x is TUnitReport => !!x)
    .reverse();
  return html`<table><thead><tr><th>${w.date}</th><th>${w.temperature}</th><th>${w.interval}</th><th>${w.band}</th></tr></thead><tbody>
${rows.map((r) => html`<tr><td>${r.date}</td><td class="num">${r.temperature.toFixed(1)}</td><td class="num">${r.low.toFixed(1)}–${r.high.toFixed(1)}</td><td>${bandTag(w, r.band)}</td></tr>`)}
</tbody></table>`;
}
