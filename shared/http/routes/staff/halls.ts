/**
 * Halls area: a hall's page (figures, windows and services, alerts, insights, the 90-day trend), its placards on
 * one printable page, and its figures as JSON. Every route behind the gate with the hall in the user's scope.
 */
import { html, raw } from 'hono/html';
import { Hono } from 'hono/tiny';
import { unitId } from '../../../domain/aggregate.js';
import { withLinkWindow } from '../../../domain/matters.js';
import { addDays } from '../../../domain/time.js';
import { isDay } from '../../../domain/time.js';
import { signPlacard } from '../../../domain/tokens.js';
import { hallInsightDays, mergeDrivers, mergeInsights } from '../../../scoring/insights.js';
import { alertEpisodes, type TEpisode } from '../../../domain/episodes.js';
import { temperatureChange } from '../../../domain/figures.js';
import { hallReport, toUnitReport } from '../../../scoring/report.js';
import type { TDashboardAssets } from '../../assets.js';
import { baseUrl } from '../../base-url.js';
import { D, staffPage } from '../../pages/dashboard.js';
import { nonceOf } from '../../pages/layout.js';
import { episodeLine, figureCards, insightsHtml, trendChart, trendTable, unitTable } from '../../pages/report.js';
import { problem } from '../../problem.js';
import { qrSvg } from '../../qr.js';
import { caseFiguresReport } from '../../../scoring/case-report.js';
import { hallCasePanel, hallDueCases } from './cases.js';
import type { TStaffKit } from './gate.js';
import { alertsForHall, hallDayUnits, hallDays, lastCompletedRun, type TSnapshot } from '../../../storage/scores.js';
import { getHallCatalogue } from '../../../storage/catalogue.js';

/** The call to action printed under each placard's QR code, in Chinese then English. */
const PLACARD_CALL = html`<p><strong>办完事，扫一扫，为我们的服务打分</strong></p><p lang="en">Scan after your visit to rate our service</p>`;

export function hallRoutes(kit: TStaffKit, assets?: TDashboardAssets) {
  const { deps } = kit;
  const r = new Hono();
  const hallPage = kit.gate({ unit: 'hall' });

  r.get('/halls/:hallId', hallPage, async (c) => {
    const { lang, user, unit } = c.var;
    const hallId = unit.id;
    const w = D[lang];
    const [day, cat] = await Promise.all([lastCompletedRun(deps.table), getHallCatalogue(deps.table, hallId)]);
    const nm = (x: { name: string; nameEn?: string }) => (lang === 'en' && x.nameEn) || x.name;
    const title = cat ? nm(cat.hall) : hallId;
    // The day's items are read while the case panels are (both wait on nothing else).
    const reads = day
      ? Promise.all([hallDays(deps.table, hallId, addDays(day, -89), day), alertsForHall(deps.table, hallId, addDays(day, -44), day)])
      : undefined;
    reads?.catch(() => {}); // awaited below; a failure of the panels first must not leave it unhandled
    const [cases, today] = cat
      ? await Promise.all([hallCasePanel(kit, cat.hall, lang), hallDueCases(kit, cat.hall, lang)]) // issue 9; issue 13
      : ['', undefined];
    const computing = html`<p class="today" role="status">${kit.computing(lang)}</p>`;
    if (!day || !reads) return kit.view(c, title, html`<h1>${title}</h1>${computing}${cases}`);
    const busy = deps.scoring?.() ? computing : ''; // figures so far are of an earlier night: say so
    const windows = withLinkWindow(cat?.windows ?? []); // matters done online or by phone: 线上/电话办理, never "_online"
    const [stored, alerts] = await reads;
    // The day's hall, windows and services are the trend's last item: no second read of it.
    const latest = stored.at(-1);
    const snaps =
      latest?.hall.day === day
        ? hallDayUnits(latest, [
            unitId.hall(hallId),
            ...windows.map((x) => unitId.window(hallId, x.id)),
            ...(cat?.services ?? []).map((x) => unitId.service(hallId, x.id)),
          ])
        : new Map<string, TSnapshot>();
    const trend = stored.map((d) => d.hall);
    const hall = snaps.get(unitId.hall(hallId));
    const report = hall && toUnitReport(hall);
    if (!report) return kit.view(c, title, html`<h1>${title}</h1>${computing}${cases}`);
    // The last 30 days' insights and episode drivers from the nightly summaries read with the trend (insight-days.ts).
    const days = cat ? await hallInsightDays(deps.table, cat.hall, day, stored) : undefined;
    const insights = days && mergeInsights(days, addDays(day, -29), day);
    const windowName = new Map(windows.map((x) => [x.id, nm(x)]));
    const names = new Map([
      ...windows.map((x) => [unitId.window(hallId, x.id), nm(x)] as const),
      ...(cat?.services ?? []).map((x) => [unitId.service(hallId, x.id), nm(x)] as const),
    ]);
    const unitRows = (prefix: 'W#' | 'S#') =>
      [...snaps.values()]
        .filter((s) => s.unit.startsWith(prefix))
        .map((s) => ({ name: names.get(s.unit) ?? s.unit.split('#').pop()!, r: toUnitReport(s)! }))
        .sort((a, b) => b.r.temperature - a.r.temperature);
    const from30 = addDays(day, -29);
    const ratingsLink = html`<a href="/halls/${hallId}/export/ratings?from=${from30}&to=${day}">${w.exportRatings}</a>`;
    const peopleLink = html`<a href="/halls/${hallId}/export/people?from=${from30}&to=${day}&lang=${lang}">${w.peopleCsv}</a>`;
    const scoresLink = html`<a href="/halls/${hallId}/export/scores?from=${addDays(day, -89)}&to=${day}">${w.exportScores}</a>`;
    const placardsLink = html`<a href="/halls/${hallId}/placards?lang=${lang}">${w.placards}</a>`;
    const keysLink = user.role === 'admin' ? html` · <a href="/admin/halls/${hallId}/keys?lang=${lang}">${w.keys}</a>` : '';
    const links = html`${peopleLink} · ${ratingsLink} · ${scoresLink} · ${placardsLink}${keysLink}`;
    // The first card: the temperature and its change over 30 days, beyond the noise or not (issue 13).
    const then = trend.find((s) => s.day === addDays(day, -30));
    const thenReport = then && toUnitReport(then);
    const change = thenReport ? temperatureChange(report, thenReport) : undefined;
    const episodes = alertEpisodes(alerts);
    const isNew = (e: TEpisode) => e.to >= addDays(day, -1);
    const casesHref = `/cases?lang=${lang}&hallId=${encodeURIComponent(hallId)}`;
    const episodeItem = (e: TEpisode) => {
      const drivers = days && mergeDrivers(days, e.from, e.to);
      return episodeLine(w, lang, e, { drivers, windowName, casesHref, isNew: isNew(e) });
    };
    const fresh = episodes.filter(isNew);
    const freshItem = (e: TEpisode, i: number) =>
      html`${i ? '；' : ''}<strong>${e.kind === 'cusum' ? w.cusum : w.turnedCold}</strong> ${w.episodeSince(e.from, e.days, e.alerts)}`;
    const todayBox =
      today?.count || fresh.length
        ? html`<section class="today" aria-labelledby="today-h"><h2 id="today-h">${w.today}</h2>${today?.html ?? ''}
${fresh.length ? html`<p>${w.newAlerts}：${fresh.map(freshItem)} · <a href="#alerts">${w.alerts}</a></p>` : ''}</section>`
        : '';
    const alertList = episodes.length ? html`<ul class="episodes">${episodes.map(episodeItem)}</ul>` : html`<p>${w.noAlerts}</p>`;
    const chart = assets ? trendChart(w, trend, assets, nonceOf(c)) : '';
    return kit.view(
      c,
      title,
      html`<h1>${title}</h1><p class="muted">${w.asOf} ${day} · ${links}</p>${busy}
${todayBox}
${figureCards(w, report, change)}
<h2>${w.trend}</h2>${chart}<details><summary>${w.dailyTable}</summary>${trendTable(w, trend)}</details>
<h2 id="alerts">${w.alerts}</h2>${alertList}
${cases}
<h2>${w.windows}</h2>${unitTable(w, unitRows('W#'))}
<h2>${w.services}</h2>${unitTable(w, unitRows('S#'))}
${insights ? insightsHtml(w, lang, insights) : ''}`,
    );
  });

  /** Every window's placard of a hall on one page, A6 each, ready to print. */
  r.get('/halls/:hallId/placards', hallPage, async (c) => {
    const { lang, user, csrf, unit } = c.var;
    const hallId = unit.id;
    const cat = await getHallCatalogue(deps.table, hallId);
    if (!cat) return kit.notFound(c, lang, { user, csrf });
    const base = baseUrl(c, deps.config);
    const nonce = nonceOf(c);
    const cards = cat.windows
      .filter((win) => !win.retiredAt)
      .map((win) => {
        const url = `${base}/r/${signPlacard(deps.keyring, { hallId, windowId: win.id })}`;
        const qr = html`<div class="qr" role="img" aria-label="评价二维码 QR code ${win.name}">${raw(qrSvg(url, 1))}</div>`;
        return html`<section class="placard"><p>${cat.hall.name}</p><h2>${win.name}</h2>${qr}${PLACARD_CALL}</section>`;
      });
    const css =
      '@page{size:A6;margin:6mm}' +
      '.placard{background:#fff;text-align:center;border:1px dashed #6b7580;padding:12px;margin:12px 0;' +
      'break-after:page;page-break-after:always}' +
      '.placard .qr svg{width:60%;max-width:260px;height:auto}' +
      '@media print{header{display:none}main{padding:0}.placard{border:0;margin:0}}';
    return c.html(
      staffPage({
        lang,
        nonce,
        title: `${cat.hall.name} · placards`,
        user,
        csrf,
        path: new URL(c.req.url).pathname,
        body: html`<style nonce="${nonce}">${css}</style>${cards}`,
      }),
    );
  });

  /** The hall's figures, the same JSON as `npm run report`. */
  r.get('/api/v1/halls/:hallId/report', kit.gate({ unit: 'hall', answer: 'json' }), async (c) => {
    const date = c.req.query('date');
    if (date !== undefined && !isDay(date)) return problem(c, 'validation-failed', 'date must be YYYY-MM-DD.');
    const report = await hallReport(deps.table, c.var.unit.id, date);
    if (!report) return problem(c, 'not-scored', 'No scores for that hall and date yet.');
    // how the hall handled its bad ratings over the 30 days ending the report's day (SPEC §5)
    return c.json({ ...report, cases: await caseFiguresReport({ table: deps.table }, { hallId: c.var.unit.id }, report.date) });
  });

  return r;
}
