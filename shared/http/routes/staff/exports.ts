/**
 * Exports area: a hall's raw ratings (the machine CSV, ids and codes, to recompute from; and the people's CSV, names,
 * labels and comments in the page's language, issue 13), or its daily figures, as CSV. Streamed one day at a time, so a year of a busy
 * hall neither times out nor fills memory; UTF-8 with a BOM so Excel opens the Chinese text correctly.
 */
import { Hono } from 'hono/tiny';
import { unitId } from '../../../domain/aggregate.js';
import { addDays, daysBetween } from '../../../domain/time.js';
import { isDay } from '../../../domain/time.js';
import { peopleCsv, ratingsCsv, toUnitReport } from '../../../scoring/report.js';
import { getHallCatalogue } from '../../../storage/catalogue.js';
import type { TLang } from '../../pages/i18n.js';
import type { TStaffKit } from './gate.js';
import { lastCompletedRun, snapshotRange } from '../../../storage/scores.js';

const localDayOf = (t: number) => new Date(t).toISOString().slice(0, 10);

export function exportRoutes(kit: TStaffKit) {
  const { deps } = kit;
  const r = new Hono();

  r.get('/halls/:hallId/export/:what{ratings|scores|people}', kit.gate({ unit: 'hall' }), async (c) => {
    const hallId = c.var.unit.id;
    const last = (await lastCompletedRun(deps.table)) ?? localDayOf(kit.now());
    const to = c.req.query('to') ?? last;
    const from = c.req.query('from') ?? addDays(to, -89);
    if (!isDay(from) || !isDay(to) || from > to || daysBetween(from, to) > 400) {
      return c.text('from/to must be dates (YYYY-MM-DD), at most 400 days apart. 日期格式应为 YYYY-MM-DD，最长400天。', 400);
    }
    const what = c.req.param('what');
    const rows =
      what === 'ratings'
        ? ratingsCsv(deps.table, hallId, from, to)
        : what === 'people'
          ? await people(hallId, c.var.lang, from, to)
          : scoresCsv(hallId, from, to);
    const encoder = new TextEncoder();
    const body = new ReadableStream<Uint8Array>({
      async start(controller) {
        controller.enqueue(new Uint8Array([0xef, 0xbb, 0xbf])); // BOM: Excel reads the file as UTF-8
        for await (const chunk of rows) controller.enqueue(encoder.encode(chunk));
        controller.close();
      },
    });
    return new Response(body, {
      headers: {
        'content-type': 'text/csv; charset=utf-8',
        'content-disposition': `attachment; filename="${hallId}-${what}-${from}-${to}.csv"`,
        'cache-control': 'no-store',
      },
    });
  });

  async function people(hallId: string, lang: TLang, from: string, to: string) {
    const cat = await getHallCatalogue(deps.table, hallId);
    const nm = (x: { id: string; name: string; nameEn?: string }) => [x.id, (lang === 'en' && x.nameEn) || x.name] as const;
    const names = { windows: new Map((cat?.windows ?? []).map(nm)), services: new Map((cat?.services ?? []).map(nm)) };
    return peopleCsv(deps.table, { id: hallId, timezone: cat?.hall.timezone ?? 'Asia/Shanghai' }, names, lang, from, to);
  }

  async function* scoresCsv(hallId: string, from: string, to: string): AsyncGenerator<string> {
    yield 'date,temperature,low,high,band,n,good_rate,one_trip_rate,done_rate,active_rate,attitude,efficiency,competence\n';
    const days = await snapshotRange(deps.table, unitId.hall(hallId), from, to);
    for (const s of days) {
      const f = toUnitReport(s);
      if (!f) continue;
      const cells = [
        f.date,
        f.temperature,
        f.low,
        f.high,
        f.band,
        f.n,
        f.goodRate.rate,
        f.oneTripRate.rate,
        f.doneRate.rate,
        f.activeRate.rate,
        f.dimensions.attitude.temperature,
        f.dimensions.efficiency.temperature,
        f.dimensions.competence.temperature,
      ];
      yield `${cells.map((v) => v ?? '').join(',')}\n`;
    }
  }

  return r;
}
