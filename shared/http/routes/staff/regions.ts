/**
 * Regions area: a region's page (its figures, "needs attention", the league table of its units, its halls' alerts)
 * and its figures as JSON. Every route behind the gate with the region in the user's scope.
 */
import { caseFiguresReport } from '../../../scoring/case-report.js';
import { html } from 'hono/html';
import { Hono } from 'hono/tiny';
import { unitId } from '../../../domain/aggregate.js';
import { addDays } from '../../../domain/time.js';
import { isDay } from '../../../domain/time.js';
import { pressureNeedsAttention, pressureOf, type TPressure } from '../../../domain/pressure.js';
import { toUnitReport, type TUnitReport } from '../../../scoring/report.js';
import type { TSnapshot } from '../../../storage/scores.js';
import type { TDashboardAssets } from '../../assets.js';
import { D, bandTag, rateCell } from '../../pages/dashboard.js';
import { nonceOf } from '../../pages/layout.js';
import { episodeLine, figureCards } from '../../pages/report.js';
import { alertEpisodes, type TEpisode } from '../../../domain/episodes.js';
import { temperatureChange } from '../../../domain/figures.js';
import { needsAttention, type TAttentionReason } from '../../../scoring/attention.js';
import { problem } from '../../problem.js';
import { regionCasePanel } from './cases.js';
import type { TStaffKit } from './gate.js';
import { alertsOfDay, getSnapshots, lastCompletedRun } from '../../../storage/scores.js';

export function regionRoutes(kit: TStaffKit, assets?: TDashboardAssets) {
  const { deps } = kit;
  const r = new Hono();

  r.get('/regions/:regionId', kit.gate({ unit: 'region' }), async (c) => {
    const { lang, unit } = c.var;
    const regionId = unit.id;
    const w = D[lang];
    const day = await lastCompletedRun(deps.table);
    // Its subtree only (cached per process), never the country: children for the table, every hall below for alerts.
    const { regions, halls } = await kit.subtree(regionId);
    const title = (lang === 'en' && unit.region.nameEn) || unit.region.name;
    // Overdue, escalated, handling figures (issue 9): two Queries per region below holding halls (its halls' cases
    // share one partition). Inline up to INLINE_CASE_REGIONS of them; above, the panel is its own page, so the page
    // of figures never waits on hundreds of Queries.
    const caseRegions = new Set(halls.map((h) => h.regionId)).size;
    const cases =
      caseRegions <= INLINE_CASE_REGIONS
        ? await regionCasePanel(kit, regionId, lang, nonceOf(c))
        : html`<h2>${CP[lang].title}</h2><p><a href="/regions/${encodeURIComponent(regionId)}/cases?lang=${lang}">\
${CP[lang].link(halls.length)}</a></p>`;
    const computing = html`<p class="today" role="status">${kit.computing(lang)}</p>`;
    if (!day) return kit.view(c, title, html`<h1>${title}</h1>${computing}${cases}`);
    const busy = deps.scoring?.() ? computing : '';
    const allHalls = c.req.query('league') === 'all';
    const nameOf = (x: { name: string; nameEn?: string }) => (lang === 'en' && x.nameEn) || x.name;
    const below = new Set(halls.map((h) => h.id));
    const inRegion = (hallId: string) => below.has(hallId);
    // Every hall of the subtree at any depth (needs attention, alerts, the league of all halls).
    const subtree = halls.map((h) => ({
      unit: unitId.hall(h.id),
      hallId: h.id,
      regionId: h.regionId,
      href: `/halls/${h.id}`,
      name: nameOf(h),
    }));
    const children = [
      ...regions
        .filter((x) => x.parentId === regionId)
        .map((x) => ({ unit: unitId.region(x.id), hallId: '', href: `/regions/${x.id}`, name: nameOf(x) })),
      ...subtree.filter((h) => h.regionId === regionId).map(({ regionId: _, ...x }) => x),
    ];
    const units = [...new Set([unitId.region(regionId), ...children.map((x) => x.unit), ...subtree.map((x) => x.unit)])];
    const [nowSnaps, thenSnaps, alerts] = await Promise.all([
      getSnapshots(deps.table, day, units),
      getSnapshots(deps.table, addDays(day, -30), units),
      // The region's alerts of 30 days: one Query per day (alerts are indexed by day), kept to this subtree.
      Promise.all([...Array(30).keys()].map((i) => alertsOfDay(deps.table, addDays(day, -i)))).then((days) =>
        days.flat().filter((a) => inRegion(a.hallId)),
      ),
    ]);
    const hallName = new Map(halls.map((h) => [h.id, nameOf(h)]));
    const own = nowSnaps.get(unitId.region(regionId));
    const ownReport = own && toUnitReport(own);
    const ownThen = thenSnaps.get(unitId.region(regionId));
    const ownThenReport = ownThen && toUnitReport(ownThen);
    const withFigures = <T extends { unit: string }>(list: T[]) =>
      list
        .map((x) => {
          const now = nowSnaps.get(x.unit);
          const then = thenSnaps.get(x.unit);
          const r = now && toUnitReport(now);
          const before = then && toUnitReport(then);
          return { ...x, r, change: r && before ? temperatureChange(r, before) : undefined };
        })
        .filter((x): x is T & { r: TUnitReport; change: ReturnType<typeof temperatureChange> | undefined } => !!x.r);
    const halls30 = withFigures(subtree); // every hall's figures and change, once for the league, attention and pressure
    const rows = allHalls ? halls30 : withFigures(children);
    const episodes = alertEpisodes(alerts);
    const attention = needsAttention(
      halls30.map((h) => ({ ...h, episodes: episodes.filter((e) => e.hallId === h.hallId) })),
      day,
    );
    // Pressure at the window (诱导好评): early vs later ticket ratings per hall below, beside the rest of the region.
    const regionPressure = pressureOf(own?.decayed ?? []);
    const pressured = halls30
      .map((x) => ({ ...x, p: pressureOf(nowSnaps.get(x.unit)?.decayed ?? []) }))
      .filter((x) => x.p.early + x.p.late > 0);
    // each hall against the rest of its region (its own ratings would pull the region's gap toward it)
    const rest = (v: number[] = []) => (own?.decayed ?? []).map((x, i) => Math.max(0, x - (v[i] ?? 0)));
    const pressureAttention = pressured.filter((x) => pressureNeedsAttention(x.p, pressureOf(rest(nowSnaps.get(x.unit)?.decayed))));
    const ranked = rows.filter((x) => x.r.ranked).sort((a, b) => b.r.temperature - a.r.temperature);
    const unranked = rows.filter((x) => !x.r.ranked);
    const signed = (v: number) => `${v > 0 ? '+' : ''}${v.toFixed(1)}`;
    const change = (x: (typeof rows)[number]) => (x.change === undefined ? '—' : signed(x.change.change));
    const headCells = html`<th>${w.name}</th><th>${w.temperature}</th><th>${w.interval}</th><th>${w.band}</th><th>${w.n}</th>`;
    const headTail = html`<th>${w.change30}</th><th>${w.goodRate}</th>`;
    const head = (numbered: boolean) => html`<thead><tr>${numbered ? html`<th>${w.rank}</th>` : ''}${headCells}${headTail}</tr></thead>`;
    const figures = (x: (typeof rows)[number]) => {
      const range = `${x.r.low.toFixed(1)}–${x.r.high.toFixed(1)}`;
      return html`<td class="num">${x.r.temperature.toFixed(1)}</td><td class="num">${range}</td><td>${bandTag(w, x.r.band)}</td>`;
    };
    const row = (x: (typeof rows)[number], i: number, numbered: boolean) => {
      const name = html`<td><a href="${x.href}?lang=${lang}">${x.name}</a></td>`;
      const counts = html`<td class="num">${x.r.n.toFixed(0)}</td><td class="num">${change(x)}</td>`;
      const rank = numbered ? html`<td class="num">${i + 1}</td>` : '';
      return html`<tr>${rank}${name}${figures(x)}${counts}<td class="num">${rateCell(x.r.goodRate)}</td></tr>`;
    };
    const table = (list: typeof rows, numbered: boolean) => html`<table class="sortable">${head(numbered)}<tbody>
${list.map((x, i) => row(x, i, numbered))}
</tbody></table>`;
    const reasonText = (r: TAttentionReason) =>
      r.kind === 'cold'
        ? w.coldReason
        : r.kind === 'cooling'
          ? w.coolingReason(signed(r.change))
          : `${r.episode.kind === 'cusum' ? w.cusum : w.turnedCold} (${w.episodeSince(r.episode.from, r.episode.days, r.episode.alerts)})`;
    const attentionRow = (x: (typeof attention)[number]) => {
      const name = html`<td><a href="${x.href}?lang=${lang}">${x.name}</a></td>`;
      return html`<tr>${name}${figures(x)}<td class="num">${change(x)}</td><td>${x.reasons.map(reasonText).join('；')}</td></tr>`;
    };
    const attentionHead = html`<th>${w.name}</th><th>${w.temperature}</th><th>${w.interval}</th><th>${w.band}</th>`;
    const attentionTable = html`<table><thead><tr>${attentionHead}<th>${w.change30}</th><th>${w.reasons}</th></tr></thead><tbody>
${attention.map(attentionRow)}
</tbody></table>`;
    const self = `/regions/${encodeURIComponent(regionId)}?lang=${lang}`;
    const leagueLink = (all: boolean, text: string) =>
      all === allHalls
        ? html`<strong aria-current="true">${text}</strong>`
        : html`<a href="${self}${all ? '&league=all' : ''}">${text}</a>`;
    const leagueSwitch = html`<p>${leagueLink(false, w.leagueChildren)} · ${leagueLink(true, w.leagueAll)}</p>`;
    const episodeItem = (e: TEpisode) => {
      const hall = html`<a href="/halls/${e.hallId}?lang=${lang}">${hallName.get(e.hallId) ?? e.hallId}</a> — `;
      return episodeLine(w, lang, e, { hall, isNew: e.to >= addDays(day, -1) });
    };
    const alertList = episodes.length ? html`<ul class="alerts episodes">${episodes.map(episodeItem)}</ul>` : html`<p>${w.noAlerts}</p>`;
    const regionChange = ownReport && ownThenReport ? temperatureChange(ownReport, ownThenReport) : undefined;
    return kit.view(
      c,
      title,
      html`<h1>${title}</h1><p class="muted">${w.asOf} ${day}</p>${busy}${ownReport ? figureCards(w, ownReport, regionChange) : ''}
${attention.length ? html`<h2>${w.attention}</h2>${attentionTable}` : ''}
${cases}
${pressurePanel(lang, pressured, pressureAttention, regionPressure)}
<h2>${w.league}</h2>${leagueSwitch}${table(ranked, true)}
${unranked.length ? html`<h2>${w.unranked}</h2>${table(unranked, false)}` : ''}
<h2>${w.regionAlerts}</h2>${alertList}
${assets ? html`<script nonce="${nonceOf(c)}" src="${assets.script.path}" defer></script>` : ''}`,
    );
  });

  /** A large region's case panel on its own page (its subtree's halls, a bounded number of Queries at once). */
  r.get('/regions/:regionId/cases', kit.gate({ unit: 'region' }), async (c) => {
    const { lang, unit } = c.var;
    const title = `${(lang === 'en' && unit.region.nameEn) || unit.region.name} · ${CP[lang].title}`;
    return kit.view(c, title, html`<h1>${title}</h1>${await regionCasePanel(kit, unit.id, lang, nonceOf(c))}`);
  });

  /** A region's figures and its child units' (a league table's data). */
  r.get('/api/v1/regions/:regionId/report', kit.gate({ unit: 'region', answer: 'json' }), async (c) => {
    const id = c.var.unit.id;
    const date = c.req.query('date') ?? (await lastCompletedRun(deps.table));
    if (!date) return problem(c, 'not-scored', 'Nothing scored yet.');
    if (!isDay(date)) return problem(c, 'validation-failed', 'date must be YYYY-MM-DD.');
    const { regions, halls } = await kit.subtree(id);
    const units = [
      unitId.region(id),
      ...regions.filter((x) => x.parentId === id).map((x) => unitId.region(x.id)),
      ...halls.filter((h) => h.regionId === id).map((h) => unitId.hall(h.id)),
    ];
    const snaps = await getSnapshots(deps.table, date, units);
    const reports = units
      .map((u) => snaps.get(u))
      .filter((x): x is TSnapshot => !!x)
      .map(toUnitReport)
      .filter((x): x is TUnitReport => !!x);
    return c.json({
      regionId: id,
      date,
      region: reports.find((x) => x.unit === unitId.region(id)),
      children: reports.filter((x) => x.unit !== unitId.region(id)),
      // how the region's halls handled their bad ratings over the 30 days ending that day (SPEC §5)
      cases: await caseFiguresReport({ table: deps.table }, { regionId: id }, date),
    });
  });

  return r;
}

/**
 * Up to this many case partitions below (regions holding halls: two Queries each), a region page shows its case
 * panel itself; above, it links to /regions/:id/cases.
 */
export const INLINE_CASE_REGIONS = 64;

const CP = {
  zh: { title: '差评案件', link: (n: number) => `查看本区域 ${n} 个大厅的超期、升级案件和处理情况` },
  en: { title: 'Cases', link: (n: number) => `Overdue and escalated cases and case handling of the ${n} halls below` },
};

/* ---------- pressure at the window (诱导好评, issue 10) ---------- */

const PW = {
  zh: {
    title: '评价时的窗口压力（诱导好评信号）',
    intro:
      '取号后10分钟内在窗口当场评价的群众，与事后自行评价的群众，好评率可能不同。差距远高于本区域典型差距的大厅列在“需要关注”中。' +
      '这只是需要查看的信号，不是结论：事项不同、办理快慢也会造成差距。',
    attention: (names: string) => `需要关注（当场好评率远高于事后，且高于本区域典型差距）：${names}`,
    unit: '单位',
    share: '当场评价占比',
    early: '当场好评率',
    late: '事后好评率',
    gap: '差距',
    typical: (g: string) => `本区域典型差距：${g}`,
  },
  en: {
    title: 'Pressure at the window (a signal of induced good ratings)',
    intro:
      'Residents who rate within 10 minutes of their ticket, at the window, may rate differently from those who rate later ' +
      "on their own. Halls whose gap is far above the region's typical gap are listed as needing attention. This is a signal to " +
      'look, not a verdict: different matters or faster service also make a gap.',
    attention: (names: string) => `Needs attention (rated at the window far better than later, beyond the region's gap): ${names}`,
    unit: 'Unit',
    share: 'Rated at the window',
    early: 'Good rate at the window',
    late: 'Good rate later',
    gap: 'Gap',
    typical: (g: string) => `The region's typical gap: ${g}`,
  },
};

function pressurePanel(
  lang: 'zh' | 'en',
  rows: { href: string; name: string; p: TPressure }[],
  flagged: { name: string }[],
  region: TPressure,
) {
  if (!rows.length) return '';
  const w = PW[lang];
  const gap = (g: number | null) => (g === null ? '—' : `${g > 0 ? '+' : ''}${(g * 100).toFixed(1)}`);
  return html`<h2>${w.title}</h2><p>${w.intro}</p>
${flagged.length ? html`<p class="attention"><strong>${w.attention(flagged.map((x) => x.name).join('、'))}</strong></p>` : ''}
<p>${w.typical(gap(region.gap))}</p>
<table><thead><tr><th>${w.unit}</th><th>${w.share}</th><th>${w.early}</th><th>${w.late}</th><th>${w.gap}</th></tr></thead><tbody>
${rows.map(
  (x) => html`<tr><td><a href="${x.href}?lang=${lang}">${x.name}</a></td><td class="num">${rateCell(x.p.earlyShare)}</td>
<td class="num">${rateCell(x.p.earlyGood)}</td><td class="num">${rateCell(x.p.lateGood)}</td><td class="num">${gap(x.p.gap)}</td></tr>`,
)}</tbody></table>`;
}
