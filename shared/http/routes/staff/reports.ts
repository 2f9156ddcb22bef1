/**
 * The monthly report (issue 16): /reports/<hallId|regionId>/<yyyy-mm>, one printable A4 page per hall or region
 * and month, behind the same gate as the hall and region pages (a unit outside the user's scope is the same 404 as
 * one that does not exist). The id names a hall or a region; a hall record with that id decides which gate runs.
 */
import { html } from 'hono/html';
import { createMiddleware } from 'hono/factory';
import { Hono } from 'hono/tiny';
import { isMonth, monthlyReport } from '../../../scoring/monthly.js';
import { getHall } from '../../../storage/catalogue.js';
import { nonceOf } from '../../pages/layout.js';
import { M, MONTHLY_CSS, monthlyBody } from '../../pages/monthly.js';
import type { TStaffEnv, TStaffKit } from './gate.js';

export function reportRoutes(kit: TStaffKit) {
  const { deps } = kit;
  const r = new Hono();
  const hallGate = kit.gate({ unit: 'hall' });
  const regionGate = kit.gate({ unit: 'region' });
  const eitherGate = createMiddleware<TStaffEnv<'hall' | 'region'>>(async (c, next) => {
    const id = c.req.param('unitId') ?? '';
    // One read decides which gate runs (never the whole tree: a national deployment has 50,000 halls).
    return (await getHall(deps.table, id)) ? hallGate(c as never, next) : regionGate(c as never, next);
  });

  r.get('/reports/:unitId/:month', eitherGate, async (c) => {
    const { lang, unit } = c.var;
    const m = M[lang];
    const month = c.req.param('month');
    const name = unit.kind === 'hall' ? unit.hall.name : unit.region.name;
    if (!isMonth(month)) return kit.view(c, name, html`<h1>${name}</h1><p role="alert">${m.badMonthParam}</p>`, 400);
    const scope = unit.kind === 'hall' ? { hallId: unit.id } : { regionId: unit.id };
    const report = await monthlyReport({ table: deps.table, now: deps.now }, scope, month, lang);
    if (!report) return kit.view(c, name, html`<h1>${m.title(name, month)}</h1><p>${m.empty}</p>`, 404);
    const nonce = nonceOf(c);
    return kit.view(c, m.title(report.name, month), html`<style nonce="${nonce}">${MONTHLY_CSS}</style>${monthlyBody(lang, report)}`);
  });

  return r;
}
