/**
 * Exports area: a hall's raw ratings (the machine CSV, ids and codes, to recompute from; and the people's CSV, names,
 * labels and comments in the page's language, issue 13), or its daily figures, as CSV. Streamed one day at a time, so a year of a busy
 * hall neither times out nor fills memory; UTF-8 with a BOM so Excel opens the Chinese text correctly. On AWS a
 * buffered Lambda answer is capped at 6 MB, so there the gated route hands a one-minute signed ticket to the export
 * function (Lambda response streaming, routes/export-stream.ts), which streams the same file.
 */
import { Hono } from 'hono/tiny';
import { unitId } from '../../../domain/aggregate.js';
import { addDays, daysBetween } from '../../../domain/time.js';
import { isDay } from '../../../domain/time.js';
import { peopleCsv, ratingsCsv, toUnitReport } from '../../../scoring/report.js';
import { getHallCatalogue } from '../../../storage/catalogue.js';
import type { TTable } from '../../../storage/db.js';
import type { TLang } from '../../pages/i18n.js';
import { seal } from '../../session.js';
import type { TStaffKit } from './gate.js';
import { lastCompletedRun, snapshotRange } from '../../../storage/scores.js';

const localDayOf = (t: number) => new Date(t).toISOString().slice(0, 10);

export type TExportWhat = 'ratings' | 'scores' | 'people';
/** What an export ticket carries: the hall, the file, the days, who asked; `p` tells it from any other sealed value. */
export type TExportTicket = {
  p: 'export';
  hallId: string;
  what: TExportWhat;
  from: string;
  to: string;
  uid: string;
  exp: number;
  lang?: TLang;
};
/** How long an export ticket is good for: the browser follows the redirect at once. */
export const EXPORT_TICKET_MS = 60_000;

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
    const what = c.req.param('what') as TExportWhat;
    const streamer = deps.config.EXPORT_STREAM_URL;
    if (streamer) {
      const exp = kit.now() + EXPORT_TICKET_MS;
      const ticket: TExportTicket = { p: 'export', hallId, what, from, to, uid: c.var.user.id, exp, lang: c.var.lang };
      const url = new URL('export', streamer.endsWith('/') ? streamer : `${streamer}/`);
      url.searchParams.set('t', seal(deps.keyring, ticket));
      deps.log.info('export handed to the streaming function', { user: c.var.user.id, hallId, what, from, to });
      return c.redirect(url.href, 303);
    }
    return csvResponse(deps.table, { hallId, what, from, to, lang: c.var.lang });
  });

  return r;
}

/** The export as a streamed CSV response (the dashboard's own locally; the streaming function's on AWS). */
export function csvResponse(
  table: TTable,
  q: { hallId: string; what: TExportWhat; from: string; to: string; lang?: TLang },
  opts: { gzip?: boolean } = {},
): Response {
  const rows =
    q.what === 'ratings'
      ? ratingsCsv(table, q.hallId, q.from, q.to)
      : q.what === 'people'
        ? people(table, q.hallId, q.lang ?? 'zh', q.from, q.to)
        : scoresCsv(table, q.hallId, q.from, q.to);
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    async start(controller) {
      controller.enqueue(new Uint8Array([0xef, 0xbb, 0xbf])); // BOM: Excel reads the file as UTF-8
      for await (const chunk of rows) controller.enqueue(encoder.encode(chunk));
      controller.close();
    },
  });
  return new Response(
    opts.gzip ? body.pipeThrough(new CompressionStream('gzip') as unknown as TransformStream<Uint8Array, Uint8Array>) : body,
    {
      headers: {
        'content-type': 'text/csv; charset=utf-8',
        'content-disposition': `attachment; filename="${q.hallId}-${q.what}-${q.from}-${q.to}.csv"`,
        'cache-control': 'no-store',
        ...(opts.gzip ? { 'content-encoding': 'gzip', vary: 'accept-encoding' } : {}),
      },
    },
  );
}

/** The people's CSV: window and service names (English ones on English pages) read once, then the rows. */
async function* people(table: TTable, hallId: string, lang: TLang, from: string, to: string): AsyncGenerator<string> {
  const cat = await getHallCatalogue(table, hallId);
  const nm = (x: { id: string; name: string; nameEn?: string }) => [x.id, (lang === 'en' && x.nameEn) || x.name] as const;
  const names = { windows: new Map((cat?.windows ?? []).map(nm)), services: new Map((cat?.services ?? []).map(nm)) };
  yield* peopleCsv(table, { id: hallId, timezone: cat?.hall.timezone ?? 'Asia/Shanghai' }, names, lang, from, to);
}

async function* scoresCsv(table: TTable, hallId: string, from: string, to: string): AsyncGenerator<string> {
  yield 'date,temperature,low,high,band,n,good_rate,one_trip_rate,done_rate,active_rate,attitude,efficiency,competence\n';
  const days = await snapshotRange(table, unitId.hall(hallId), from, to);
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
