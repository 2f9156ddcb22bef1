/**
 * The monthly report as one printable A4 page (print CSS; "save as PDF" in any browser), Chinese first. Charts are
 * SVG drawn here on the server, so they print and need no script; each carries its numbers in its label and the
 * tables beside it carry them as text.
 */
import { html, raw } from 'hono/html';
import { GRADE_LABELS } from '../../domain/grades.js';
import { themeLabel } from '../../scoring/insights.js';
import type { TMonthlyReport, TNamedReport } from '../../scoring/monthly.js';
import type { TUnitReport } from '../../scoring/report.js';
import { D, bandTag, gauge, pct, rateCell } from './dashboard.js';
import type { TLang } from './i18n.js';

export const M = {
  zh: {
    title: (name: string, month: string) => `${name} ${month.slice(0, 4)}年${Number(month.slice(5))}月 服务温度月报`,
    asOf: '数据截至',
    running: '（本月尚未结束）',
    printHint: '打印或另存为 PDF：使用浏览器的“打印”（Ctrl+P），纸张 A4。',
    temperature: '服务温度',
    change: '较上月末',
    lastMonth: '上月末',
    noPrevious: '上月末没有评分',
    rates: '评价与比率',
    ratingsMonth: '本月评价',
    badMonth: '其中差评',
    ratesNote: '比率与服务温度同口径：按时间衰减（半衰期30天），截至上述日期，括号内为90%区间。',
    daily: '本月每日服务温度（阴影为90%区间）',
    grades: '本月评价等级分布',
    cases: '差评处理',
    replyRate: '差评回复率',
    rectifyRate: '整改率',
    followUp: '回访整改满意率',
    overdue: '当前超期案件',
    median: '办结用时中位数（工作日）',
    closed: '本月办结',
    appeals: '申诉（已申诉/本月案件）',
    themes: '主要差评原因',
    theme: '原因',
    count: '次数',
    examples: '群众原话（节选）',
    noThemes: '本月没有差评。',
    windowsBest: '表现最好的窗口',
    windowsWorst: '最需改进的窗口',
    servicesBest: '表现最好的事项',
    servicesWorst: '最需改进的事项',
    fewRanked: '有效评价数达到20条的单位不足，暂不排名。',
    units: '下辖单位对比',
    unitsChart: '下辖单位服务温度（线段为90%区间）',
    notes: '说明：只统计有效评价（被判定可疑或申诉成立的评价不计入）；有效评价数不足20条的单位（标 *）只列出、不排名。',
    empty: '这个月还没有评分结果。',
    badMonthParam: '月份格式应为 YYYY-MM，例如 2026-11。',
  },
  en: {
    title: (name: string, month: string) => `${name} · service temperature report · ${month}`,
    asOf: 'Figures as of',
    running: ' (month still running)',
    printHint: 'To print or save as PDF, use the browser’s Print (Ctrl+P) on A4 paper.',
    temperature: 'Service temperature',
    change: 'Change since last month’s end',
    lastMonth: 'Last month’s end',
    noPrevious: 'not scored at last month’s end',
    rates: 'Ratings and rates',
    ratingsMonth: 'Ratings this month',
    badMonthParam: 'The month must be YYYY-MM, e.g. 2026-11.',
    badMonth: 'of them bad',
    ratesNote: 'Rates are computed like the temperature: decayed (30-day half-life) as of the date above, 90% intervals in brackets.',
    daily: 'Daily temperature this month (shaded: 90% interval)',
    grades: 'Grades this month',
    cases: 'Handling bad ratings',
    replyRate: 'Reply rate',
    rectifyRate: 'Rectification rate',
    followUp: 'Follow-up satisfaction',
    overdue: 'Overdue cases now',
    median: 'Median working days to close',
    closed: 'Closed this month',
    appeals: 'Appeals (appealed / cases this month)',
    themes: 'Main complaint themes',
    theme: 'Theme',
    count: 'Count',
    examples: 'Residents’ words (excerpts)',
    noThemes: 'No bad ratings this month.',
    windowsBest: 'Best windows',
    windowsWorst: 'Windows most in need of improvement',
    servicesBest: 'Best services',
    servicesWorst: 'Services most in need of improvement',
    fewRanked: 'Too few units with 20 or more effective ratings to rank.',
    units: 'Units side by side',
    unitsChart: 'Units’ temperature (lines: 90% interval)',
    notes:
      'Only effective ratings count (suspicious ones and those excluded on appeal are left out); units with N < 20 are listed, not ranked.',
    empty: 'Nothing of this month has been scored yet.',
  },
} as const;

/** The print and screen rules of the report (inside the staff page's shell). */
export const MONTHLY_CSS = [
  '.report section{break-inside:avoid;page-break-inside:avoid}.report h2{border-bottom:2px solid #0b3d6e;padding-bottom:2px}',
  '.report .lead{display:flex;flex-wrap:wrap;gap:16px;align-items:center}.report .lead table{width:auto;flex:1 1 260px}' +
    '.report .big{font-size:2.6em;font-weight:700}',
  '.report table{margin:6px 0 10px}.report svg.chart{width:100%;height:auto;max-width:760px;background:#fff}',
  '.report .up{color:#1e5e1e}.report .down{color:#b3261e}.report .print-hint{border-left:4px solid #0b5cad;padding-left:8px}',
  '.report .cols{display:grid;grid-template-columns:1fr 1fr;gap:0 16px}',
  '@page{size:A4 portrait;margin:12mm}',
  '@media print{header,.print-hint{display:none}body{background:#fff;font-size:10pt}main{max-width:none;padding:0}',
  '.report table{font-size:9pt;width:100%}.report th,.report td{padding:3px 6px}thead{display:table-header-group}',
  'tr,svg,.card{break-inside:avoid;page-break-inside:avoid}.report h2{margin:.8em 0 .3em;break-after:avoid}',
  '.report svg.chart{max-width:100%}.report .cols{grid-template-columns:1fr 1fr}}',
  '@media (max-width:700px){.report .cols{grid-template-columns:1fr}}',
].join('\n');

const fmt = (x: number) => x.toFixed(1);
const signed = (x: number) => `${x > 0 ? '+' : ''}${x.toFixed(1)}`;

/** The month's daily temperature as a line over its 90% band, with the band thresholds 55/70/85 marked. */
export function dailyChart(daily: TMonthlyReport['daily'], label: string) {
  const W = 720;
  const H = 220;
  const L = 36;
  const B = 24;
  if (!daily.length) return '';
  const lo = Math.max(0, Math.floor(Math.min(...daily.map((d) => d.low)) / 5) * 5 - 5);
  const hi = Math.min(100, Math.ceil(Math.max(...daily.map((d) => d.high)) / 5) * 5 + 5);
  const x = (i: number) => L + (daily.length === 1 ? (W - L - 10) / 2 : (i * (W - L - 10)) / (daily.length - 1));
  const y = (v: number) => 8 + ((hi - v) * (H - B - 8)) / (hi - lo || 1);
  const pts = (f: (d: TMonthlyReport['daily'][number]) => number, list = daily.map((d, i) => [i, d] as const)) =>
    list.map(([i, d]) => `${x(i).toFixed(1)},${y(f(d)).toFixed(1)}`).join(' ');
  const band = `${pts((d) => d.high)} ${pts((d) => d.low, daily.map((d, i) => [i, d] as const).reverse())}`;
  const ticks = [55, 70, 85].filter((v) => v > lo && v < hi);
  const grid = ticks.map(
    (v) =>
      `<line x1="${L}" x2="${W - 10}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" stroke="#8a939c" stroke-dasharray="4 4"/>` +
      `<text x="${L - 4}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end" font-size="11" fill="#3d4650">${v}</text>`,
  );
  const axis = [lo, hi].map(
    (v) => `<text x="${L - 4}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end" font-size="11" fill="#3d4650">${v}</text>`,
  );
  const days = [0, Math.floor((daily.length - 1) / 2), daily.length - 1]
    .filter((i, k, a) => a.indexOf(i) === k)
    .map((i) => {
      const anchor = i === 0 ? 'start' : i === daily.length - 1 ? 'end' : 'middle'; // the end labels stay inside
      const at = `x="${x(i).toFixed(1)}" y="${H - 6}" text-anchor="${anchor}"`;
      return `<text ${at} font-size="11" fill="#3d4650">${daily[i].day.slice(5)}</text>`;
    });
  const dots = daily.map((d, i) => `<circle cx="${x(i).toFixed(1)}" cy="${y(d.temperature).toFixed(1)}" r="2.5" fill="#0b3d6e"/>`);
  const svg =
    `<polygon points="${band}" fill="#cfe0f3"/>${grid.join('')}${axis.join('')}` +
    `<polyline points="${pts((d) => d.temperature)}" fill="none" stroke="#0b3d6e" stroke-width="2"/>${dots.join('')}${days.join('')}`;
  return html`<svg class="chart" viewBox="0 0 ${W} ${H}" role="img" aria-label="${label}">${raw(svg)}</svg>`;
}

/** Horizontal bars of the month's grades, 5 at the top; counts and shares written beside the bars. */
export function gradeChart(grades: number[], lang: TLang, label: string) {
  const total = grades.reduce((a, b) => a + b, 0);
  const max = Math.max(1, ...grades);
  const LABEL = lang === 'en' ? 120 : 76; // room for the grade's name
  const rows = [5, 4, 3, 2, 1].map((g, i) => {
    const n = grades[g - 1];
    const w = (n / max) * 220;
    const color = g <= 2 ? '#b3261e' : g === 3 ? '#8a6d00' : '#2e7d32';
    const y = 6 + i * 28;
    return (
      `<text x="${LABEL}" y="${y + 15}" text-anchor="end" font-size="12" fill="#1a1a1a">${GRADE_LABELS[g as 5][lang]}</text>` +
      `<rect x="${LABEL + 8}" y="${y}" width="${w.toFixed(1)}" height="20" fill="${color}"/>` +
      `<text x="${(LABEL + 14 + w).toFixed(1)}" y="${y + 15}" font-size="12" fill="#1a1a1a">${n} (${pct(total ? n / total : null)})</text>`
    );
  });
  return html`<svg class="chart" viewBox="0 0 ${LABEL + 120 + 220} 150" role="img" aria-label="${label}">${raw(rows.join(''))}</svg>`;
}

/** Units side by side: each unit's temperature as a dot on its 90% interval, on one 0–100 scale with the band marks. */
export function unitsChart(units: TNamedReport[], label: string) {
  if (!units.length) return '';
  const W = 720;
  const row = 24;
  const H = 30 + units.length * row;
  const L = 220;
  const x = (v: number) => L + (v * (W - L - 20)) / 100;
  const marks = [0, 55, 70, 85, 100].map(
    (v) =>
      `<line x1="${x(v).toFixed(1)}" x2="${x(v).toFixed(1)}" y1="4" y2="${H - 20}" stroke="#c9d1d9"/>` +
      `<text x="${x(v).toFixed(1)}" y="${H - 6}" text-anchor="middle" font-size="11" fill="#3d4650">${v}</text>`,
  );
  const esc = (s: string) => s.replace(/[&<>"]/g, (ch) => `&#${ch.charCodeAt(0)};`);
  const rows = units.map((u, i) => {
    const y = 14 + i * row;
    const name = u.name.length > 16 ? `${u.name.slice(0, 16)}…` : u.name;
    return (
      `<text x="${L - 8}" y="${y + 4}" text-anchor="end" font-size="12" fill="#1a1a1a">${esc(name)}</text>` +
      `<line x1="${x(u.r.low).toFixed(1)}" x2="${x(u.r.high).toFixed(1)}" y1="${y}" y2="${y}" stroke="#5b8fd0" stroke-width="4"/>` +
      `<circle cx="${x(u.r.temperature).toFixed(1)}" cy="${y}" r="4.5" fill="#0b3d6e"/>`
    );
  });
  return html`<svg class="chart" viewBox="0 0 ${W} ${H}" role="img" aria-label="${label}">${raw(marks.join('') + rows.join(''))}</svg>`;
}

const rateRow = (name: string, r: { rate: number | null; low: number | null; high: number | null }, extra = '') =>
  html`<tr><th scope="row">${name}</th><td class="num">${rateCell(r)}${extra}</td></tr>`;

function unitRows(w: (typeof D)[TLang], list: TNamedReport[]) {
  const head = html`<thead><tr><th>${w.name}</th><th>${w.temperature}</th><th>${w.interval}</th><th>${w.n}</th>
<th>${w.goodRate}</th></tr></thead>`;
  const row = (u: TNamedReport) =>
    html`<tr><td>${u.name}</td><td class="num">${fmt(u.r.temperature)}</td><td class="num">${fmt(u.r.low)}–${fmt(u.r.high)}</td>
<td class="num">${u.r.n.toFixed(0)}</td><td class="num">${rateCell(u.r.goodRate)}</td></tr>`;
  return html`<table>${head}<tbody>${list.map(row)}</tbody></table>`;
}

function bestWorstHtml(w: (typeof D)[TLang], m: (typeof M)[TLang], bw: { best: TNamedReport[]; worst: TNamedReport[] }, kind: 'w' | 's') {
  if (!bw.best.length) return html`<p class="muted">${m.fewRanked}</p>`;
  const [best, worst] = kind === 'w' ? [m.windowsBest, m.windowsWorst] : [m.servicesBest, m.servicesWorst];
  const part = (title: string, list: TNamedReport[]) => (list.length ? html`<div><h3>${title}</h3>${unitRows(w, list)}</div>` : '');
  return html`<div class="cols">${part(best, bw.best)}${part(worst, bw.worst)}</div>`;
}

export function monthlyBody(lang: TLang, x: TMonthlyReport) {
  const w = D[lang];
  const m = M[lang];
  const f: TUnitReport = x.figures;
  const prev = x.previous;
  const change = prev
    ? html`<span class="${f.temperature >= prev.temperature ? 'up' : 'down'}">${signed(f.temperature - prev.temperature)}</span>
<span class="muted">(${m.lastMonth} ${fmt(prev.temperature)}, ${w.interval} ${fmt(prev.low)}–${fmt(prev.high)})</span>`
    : html`<span class="muted">${m.noPrevious}</span>`;
  const label = `${w.temperature} ${fmt(f.temperature)} (${w.interval} ${fmt(f.low)}–${fmt(f.high)})`;
  const dims = (['attitude', 'efficiency', 'competence'] as const).map((k) => {
    const d = f.dimensions[k];
    // a dimension with too few answers of its own has no temperature (issue 13): say how few instead
    const shown =
      d.temperature === null || d.low === null || d.high === null ? `— (n=${d.n})` : `${fmt(d.temperature)} (${fmt(d.low)}–${fmt(d.high)})`;
    return html`<tr><th scope="row">${w.dims[k]}</th><td class="num">${shown}</td></tr>`;
  });
  const bad = x.ratings.grades[0] + x.ratings.grades[1];
  const c = x.cases;
  const themeRows = x.themes.map(
    (t) =>
      html`<tr><td>${themeLabel(t.reason, lang, x.labels)}</td><td class="num">${t.count}</td>
<td>${t.examples.map((e) => html`<div>“${e}”</div>`)}</td></tr>`,
  );
  const dailyLabel = x.daily.length
    ? `${m.daily}: ${x.daily
        .at(0)!
        .day.slice(5)} ${fmt(x.daily.at(0)!.temperature)} → ${x.daily.at(-1)!.day.slice(5)} ${fmt(x.daily.at(-1)!.temperature)}`
    : m.daily;
  const gradeLabel = `${m.grades}: ${[5, 4, 3, 2, 1].map((g) => `${GRADE_LABELS[g as 5][lang]} ${x.ratings.grades[g - 1]}`).join(', ')}`;
  return html`<div class="report">
<h1>${m.title(x.name, x.month)}</h1>
<p class="muted">${m.asOf} ${x.to}${x.complete ? '' : m.running}</p>
<p class="print-hint muted">${m.printHint}</p>
<section><h2>${m.temperature}</h2><div class="lead">${gauge(f.temperature, f.low, f.high, label)}
<div><div class="big">${fmt(f.temperature)}</div>
<div>${w.interval} ${fmt(f.low)}–${fmt(f.high)} · ${bandTag(w, f.band)} · ${w.n} ${f.n.toFixed(0)}</div>
<div>${m.change} ${change}</div></div>
<table><tbody>${dims}</tbody></table></div>
${dailyChart(x.daily, dailyLabel)}</section>
<section><h2>${m.rates}</h2><div class="cols"><table><tbody>
<tr><th scope="row">${m.ratingsMonth}</th><td class="num">${x.ratings.total}</td></tr>
<tr><th scope="row">${m.badMonth}</th><td class="num">${bad} (${pct(x.ratings.total ? bad / x.ratings.total : null)})</td></tr>
${rateRow(w.goodRate, f.goodRate)}${rateRow(w.oneTripRate, f.oneTripRate)}
${rateRow(w.doneRate, f.doneRate)}${rateRow(w.activeRate, f.activeRate)}
</tbody></table>${gradeChart(x.ratings.grades, lang, gradeLabel)}</div><p class="muted">${m.ratesNote}</p></section>
<section><h2>${m.cases}</h2><table><tbody>
${rateRow(m.replyRate, c.replyRate, ` · ${c.replyRate.on}/${c.replyRate.due}`)}
${rateRow(m.rectifyRate, c.rectifyRate, ` · ${c.rectifyRate.on}/${c.rectifyRate.due}`)}
${rateRow(m.followUp, c.followUpSatisfaction, ` · ${c.followUpSatisfaction.good}/${c.followUpSatisfaction.given}`)}
<tr><th scope="row">${m.overdue}</th><td class="num">${c.overdueNow}</td></tr>
<tr><th scope="row">${m.median}</th><td class="num">${c.medianDaysToClose === null ? '—' : fmt(c.medianDaysToClose)}</td></tr>
<tr><th scope="row">${m.closed}</th><td class="num">${c.closed}</td></tr>
<tr><th scope="row">${m.appeals}</th><td class="num">${c.appealRate.appealed}/${c.appealRate.opened}</td></tr>
</tbody></table></section>
<section><h2>${m.themes}</h2>${
    x.themes.length
      ? html`<table><thead><tr><th>${m.theme}</th><th>${m.count}</th><th>${m.examples}</th></tr></thead><tbody>${themeRows}</tbody></table>`
      : html`<p>${m.noThemes}</p>`
  }</section>
${
  x.kind === 'hall'
    ? html`<section><h2>${w.windows}</h2>${bestWorstHtml(w, m, x.windows!, 'w')}</section>
<section><h2>${w.services}</h2>${bestWorstHtml(w, m, x.services!, 's')}</section>`
    : html`<section><h2>${m.units}</h2>${unitsChart(x.units ?? [], m.unitsChart)}${unitTable(w, lang, x.units ?? [])}</section>`
}
<p class="muted">${m.notes}</p></div>`;
}

/** A region's units side by side: figures on the month's last day and the change since the previous month's end. */
function unitTable(w: (typeof D)[TLang], lang: TLang, units: TNamedReport[]) {
  const m = M[lang];
  const head = html`<thead><tr><th>${w.name}</th><th>${w.temperature}</th><th>${w.interval}</th><th>${w.band}</th>
<th>${m.change}</th><th>${w.n}</th><th>${w.goodRate}</th></tr></thead>`;
  const row = (u: TNamedReport) =>
    html`<tr><td>${u.name}</td><td class="num">${fmt(u.r.temperature)}</td><td class="num">${fmt(u.r.low)}–${fmt(u.r.high)}</td>
<td>${bandTag(w, u.r.band)}</td><td class="num">${u.before === undefined ? '—' : signed(u.r.temperature - u.before)}</td>
<td class="num">${u.r.n.toFixed(0)}${u.r.ranked ? '' : ' *'}</td><td class="num">${rateCell(u.r.goodRate)}</td></tr>`;
  return html`<table>${head}<tbody>${[...units].sort((a, b) => b.r.temperature - a.r.temperature).map(row)}</tbody></table>`;
}
