/**
 * The dashboard's only script (bundled with uPlot into /assets, no CDN): draws the 90-day trend with its 90%
 * interval as a band. The table under the chart is its text alternative; without JavaScript the table remains.
 */
import uPlot from 'uplot';
import { fitRange } from './range.js';

interface TTrend {
  days: string[];
  t: number[];
  lo: number[];
  hi: number[];
  labels: { temperature: string; low: string; high: string; date: string };
}

/** Days, not hours: the data are one point per day. */
const day = (seconds: number) => new Date(seconds * 1000).toISOString().slice(0, 10);

function draw(el: HTMLElement, data: TTrend) {
  const x = data.days.map((d) => Date.parse(`${d}T00:00:00Z`) / 1000);
  const width = Math.min(el.clientWidth || 900, 1060);
  new uPlot(
    {
      width,
      height: 260,
      scales: { x: { time: true }, y: { range: fitRange(data) } },
      series: [
        { label: data.labels.date, value: (_u: uPlot, v: number | null) => (v === null ? '--' : day(v)) },
        { label: data.labels.high, stroke: '#93bce6', width: 1 },
        { label: data.labels.temperature, stroke: '#0b3d6e', width: 2 },
        { label: data.labels.low, stroke: '#93bce6', width: 1 },
      ],
      bands: [{ series: [1, 3], fill: 'rgba(11,92,173,0.12)' }],
      axes: [
        {
          space: 70,
          incrs: [86400, 2 * 86400, 7 * 86400, 14 * 86400, 30 * 86400],
          values: (_u: uPlot, v: number[]) => v.map((n) => day(n).slice(5)),
        },
        { values: (_u: uPlot, v: number[]) => v.map((n) => `${n}`) },
      ],
    },
    [x, data.hi, data.t, data.lo],
    el,
  );
}

const source = document.getElementById('trend-data');
const target = document.getElementById('trend-chart');
if (source && target) draw(target, JSON.parse(source.textContent ?? '{}') as TTrend);

/**
 * Sortable tables: each column header of a `table.sortable` becomes a button (keyboard and screen-reader
 * friendly, with aria-sort); numbers sort as numbers. Without JavaScript the server's order stays.
 */
function sortable(table: HTMLTableElement) {
  const heads = Array.from(table.tHead?.rows[0]?.cells ?? []);
  heads.forEach((th, col) => {
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'sort';
    button.textContent = th.textContent;
    th.textContent = '';
    th.appendChild(button);
    button.addEventListener('click', () => {
      const ascending = th.getAttribute('aria-sort') !== 'ascending';
      for (const h of heads) h.removeAttribute('aria-sort');
      th.setAttribute('aria-sort', ascending ? 'ascending' : 'descending');
      const body = table.tBodies[0];
      const key = (row: HTMLTableRowElement) => {
        const text = row.cells[col]?.textContent?.trim() ?? '';
        const n = parseFloat(text.replace(/[,%]/g, ''));
        return Number.isNaN(n) ? text : n;
      };
      const rows = Array.from(body.rows).sort((a, b) => {
        const x = key(a);
        const y = key(b);
        const c = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y), 'zh-CN');
        return ascending ? c : -c;
      });
      for (const r of rows) body.appendChild(r);
    });
  });
}
document.querySelectorAll<HTMLTableElement>('table.sortable').forEach(sortable);
