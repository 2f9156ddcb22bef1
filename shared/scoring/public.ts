/**
 * What the public sees (issue 12, SPEC §2 "The public"): a hall's published figures — the same numbers as
 * `npm run report` — with how it handled its bad ratings, its latest public replies, a region's halls, the lobby
 * board's live counts, and the open CSVs behind every figure. Only public halls: a hall an administrator took off
 * the public pages is unknown here. Nothing a resident typed, no phone, device or exact time leaves this module.
 */
import { unitId } from '../domain/aggregate.js';
import { caseFigures, type TCaseFigures } from '../domain/case-figures.js';
import type { TCase } from '../domain/cases.js';
import { isExcluded } from '../domain/exclusion.js';
import type { THall, TRegion } from '../domain/model.js';
import { localHour, PUBLIC_RATINGS_HEADER, publicRatingRow } from '../domain/open-data.js';
import { addDays, daysBetween, localDay } from '../domain/time.js';
import { HALL_FANOUT, loadCaseWorld, mapLimit, partsOfHalls, type TCaseWorld } from '../services/cases.js';
import { listAllCases, type TStoredCase } from '../storage/cases.js';
import type { TTable } from '../storage/db.js';
import { listRatingsForHallDay } from '../storage/ratings.js';
import { getSnapshots, lastCompletedRun, snapshotRange } from '../storage/scores.js';
import { getIssued } from '../storage/tickets.js';
import { toUnitReport, type TUnitReport } from './report.js';

export interface TPublicDeps {
  table: TTable;
  now?: () => number;
}

/** The handling of bad ratings over the 30 days ending the figures' day (SPEC §5), as published. */
export interface TPublicHandling {
  from: string;
  to: string;
  /** bad ratings received (cases opened) in the period */
  received: number;
  replyRate: TCaseFigures['replyRate'];
  rectifyRate: TCaseFigures['rectifyRate'];
  followUpSatisfaction: TCaseFigures['followUpSatisfaction'];
  overdueNow: number;
}

export type TPublicFigures = Omit<TUnitReport, 'unit'>;

export interface TPublicHall extends TPublicFigures {
  hallId: string;
  name: string;
  nameEn?: string;
  regionId: string;
  handling: TPublicHandling;
}

/** A handled complaint as published: its day, window, reason tags and the hall's reply. Never the comment. */
export interface TPublicReply {
  day: string;
  windowId: string;
  windowName?: string;
  reasons: string[];
  reply: string;
  repliedOn: string;
}

const HANDLING_DAYS = 30;
/** The open CSVs cover at most this many days per request (a year of scores plus a little). */
export const MAX_CSV_DAYS = 400;

const nowOf = (deps: TPublicDeps) => (deps.now ?? Date.now)();

/** The public halls of the deployment, from the case service's cached world (one catalogue read per 30 s). */
async function world(deps: TPublicDeps): Promise<TCaseWorld> {
  return loadCaseWorld(deps.table, nowOf(deps));
}

/** A hall the public may see, or undefined (unknown or taken off the public pages: the same answer). */
export async function publicHall(deps: TPublicDeps, hallId: string): Promise<THall | undefined> {
  const hall = (await world(deps)).halls.get(hallId);
  return hall && hall.public !== false ? hall : undefined;
}

export async function publicRegion(deps: TPublicDeps, regionId: string): Promise<{ region: TRegion; halls: THall[] } | undefined> {
  const w = await world(deps);
  const region = w.regions.find((r) => r.id === regionId);
  if (!region) return undefined;
  const halls = [...w.halls.values()].filter((h) => h.public !== false && w.regionPath(h.id).includes(regionId));
  return { region, halls: halls.sort((a, b) => a.id.localeCompare(b.id)) };
}

/** The cases of some halls: one Query per region they hang off (one hall: its own list), only theirs kept. */
async function casesOf(deps: TPublicDeps, halls: THall[]): Promise<TCase[]> {
  const keep = new Set(halls.map((h) => h.id));
  const lists = await mapLimit(partsOfHalls(halls), HALL_FANOUT, (p) => listAllCases(deps.table, p));
  return lists
    .flat()
    .filter((s: TStoredCase) => keep.has(s.case.hallId))
    .map((s) => s.case);
}

/** The handling figures of some halls over the 30 days ending `to`, the same rule as the dashboard's. */
export async function publicHandling(deps: TPublicDeps, halls: THall[], to: string, cases?: TCase[]): Promise<TPublicHandling> {
  const w = await world(deps);
  const from = addDays(to, -(HANDLING_DAYS - 1));
  const f = caseFigures(
    cases ?? (await casesOf(deps, halls)),
    { from, to },
    {
      now: new Date(nowOf(deps)).toISOString(),
      timeZone: (h) => w.halls.get(h)?.timezone ?? 'Asia/Shanghai',
      calendar: (h) => w.calendar(h),
    },
  );
  return {
    from,
    to,
    received: f.appealRate.opened,
    replyRate: f.replyRate,
    rectifyRate: f.rectifyRate,
    followUpSatisfaction: f.followUpSatisfaction,
    overdueNow: f.overdueNow,
  };
}

const figuresOf = (r: TUnitReport): TPublicFigures => {
  const { unit: _u, name: _n, ...rest } = r;
  return rest;
};

/** A hall's published figures on a date (default: the last completed night); undefined when not scored. */
export async function publicHallFigures(deps: TPublicDeps, hall: THall, date?: string, cases?: TCase[]): Promise<TPublicHall | undefined> {
  const day = date ?? (await lastCompletedRun(deps.table));
  if (!day) return undefined;
  const snap = (await getSnapshots(deps.table, day, [unitId.hall(hall.id)])).get(unitId.hall(hall.id));
  const report = snap && toUnitReport(snap);
  if (!report) return undefined;
  const names = { hallId: hall.id, name: hall.name, ...(hall.nameEn ? { nameEn: hall.nameEn } : {}), regionId: hall.regionId };
  return { ...names, ...figuresOf(report), handling: await publicHandling(deps, [hall], report.date, cases) };
}

/** A unit's daily published figures over the 90 days ending `to` (one Query). */
export async function publicTrend(deps: TPublicDeps, unit: string, to: string, days = 90): Promise<TPublicFigures[]> {
  const snaps = await snapshotRange(deps.table, unit, addDays(to, -(days - 1)), to);
  return snaps.map(toUnitReport).flatMap((r) => (r ? [figuresOf(r)] : []));
}

/** A region's own figures on its last scored day, and each public hall's, in one batched read. */
export async function publicRegionFigures(
  deps: TPublicDeps,
  regionId: string,
  halls: THall[],
): Promise<{ date?: string; region?: TPublicFigures; halls: Map<string, TPublicFigures> }> {
  const day = await lastCompletedRun(deps.table);
  if (!day) return { halls: new Map() };
  const units = [unitId.region(regionId), ...halls.map((h) => unitId.hall(h.id))];
  const snaps = await getSnapshots(deps.table, day, units);
  const of = (u: string) => {
    const s = snaps.get(u);
    const r = s && toUnitReport(s);
    return r && figuresOf(r);
  };
  const byHall = new Map<string, TPublicFigures>();
  for (const h of halls) {
    const f = of(unitId.hall(h.id));
    if (f) byHall.set(h.id, f);
  }
  return { date: day, region: of(unitId.region(regionId)), halls: byHall };
}

/** The latest handled complaints with the hall's public reply, newest first (upheld appeals left out). */
export function latestReplies(
  cases: TCase[],
  reasons: Map<string, string[]>,
  windowNames: Map<string, string>,
  timeZone: string,
  limit = 5,
): TPublicReply[] {
  return cases
    .filter((c) => c.rectification?.publicReply && c.closeReason !== 'upheld')
    .sort((a, b) => (b.rectification!.at > a.rectification!.at ? 1 : -1))
    .slice(0, limit)
    .map((c) => ({
      day: c.ratingDay ?? localDay(new Date(c.openedAt), timeZone),
      windowId: c.windowId ?? '',
      windowName: c.windowId ? windowNames.get(c.windowId) : undefined,
      reasons: reasons.get(c.caseId) ?? [],
      reply: c.rectification!.publicReply,
      repliedOn: localDay(new Date(c.rectification!.at), timeZone),
    }));
}

/** A hall's cases with their ratings' reason tags (the rating item holds both). */
export async function hallCases(deps: TPublicDeps, hallId: string): Promise<{ cases: TCase[]; reasons: Map<string, string[]> }> {
  const stored = await listAllCases(deps.table, { hallId });
  return { cases: stored.map((s) => s.case), reasons: new Map(stored.map((s) => [s.case.caseId, s.rating.reasons ?? []])) };
}

/** The lobby board's live numbers: today's ratings so far, this month's bad ratings and how many were answered in time. */
export interface TBoard {
  hallId: string;
  name: string;
  today: string;
  ratingsToday: number;
  goodToday: number;
  month: string;
  badThisMonth: number;
  answeredOnTime: number;
  figures?: Pick<TPublicFigures, 'date' | 'temperature' | 'low' | 'high' | 'band' | 'n'>;
  replies: TPublicReply[];
}

export async function boardData(deps: TPublicDeps, hall: THall, windowNames: Map<string, string>): Promise<TBoard> {
  const today = localDay(nowOf(deps), hall.timezone);
  const month = today.slice(0, 7);
  const [ratings, { cases, reasons }, figures] = await Promise.all([
    listRatingsForHallDay(deps.table, hall.id, today),
    hallCases(deps, hall.id),
    publicFiguresOnly(deps, hall.id),
  ]);
  const counted = ratings.filter((r) => !isExcluded(r));
  const monthCases = cases.filter((c) => c.closeReason !== 'upheld' && localDay(new Date(c.openedAt), hall.timezone).startsWith(month));
  const onTime = monthCases.filter((c) => c.contact && c.contact.at <= c.contactDue).length;
  return {
    hallId: hall.id,
    name: hall.name,
    today,
    ratingsToday: counted.length,
    goodToday: counted.filter((r) => r.overall >= 4).length,
    month,
    badThisMonth: monthCases.length,
    answeredOnTime: onTime,
    figures,
    replies: latestReplies(cases, reasons, windowNames, hall.timezone),
  };
}

async function publicFiguresOnly(deps: TPublicDeps, hallId: string): Promise<TBoard['figures']> {
  const day = await lastCompletedRun(deps.table);
  if (!day) return undefined;
  const snap = (await getSnapshots(deps.table, day, [unitId.hall(hallId)])).get(unitId.hall(hallId));
  const r = snap && toUnitReport(snap);
  return r && { date: r.date, temperature: r.temperature, low: r.low, high: r.high, band: r.band, n: r.n };
}

/* ---------- the open CSVs ---------- */

/** Why a from/to pair is refused, or undefined. */
export function rangeError(from: string, to: string): string | undefined {
  const ok = /^\d{4}-\d{2}-\d{2}$/;
  if (!ok.test(from) || !ok.test(to) || Number.isNaN(daysBetween(from, to))) return 'from and to must be dates (YYYY-MM-DD)';
  if (from > to) return 'from is after to';
  if (daysBetween(from, to) > MAX_CSV_DAYS) return `at most ${MAX_CSV_DAYS} days per request`;
  return undefined;
}

/** One row per rating of the halls between two days, one Query per hall and day, in constant memory. */
export async function* publicRatingsCsv(deps: TPublicDeps, halls: THall[], from: string, to: string): AsyncGenerator<string> {
  yield `${PUBLIC_RATINGS_HEADER}\n`;
  for (const hall of halls) {
    const ctx = { hourOf: (r: { createdAt: string }) => localHour(r.createdAt, hall.timezone) };
    for (let day = from; day <= to; day = addDays(day, 1)) {
      const rows = await listRatingsForHallDay(deps.table, hall.id, day);
      if (rows.length) yield `${rows.map((r) => publicRatingRow(r, ctx)).join('\n')}\n`;
    }
  }
}

/** Tickets issued per hall and day (the active-rating rate's denominator): one batched read per day. */
export async function* publicIssuedCsv(deps: TPublicDeps, halls: THall[], from: string, to: string): AsyncGenerator<string> {
  yield 'hall,day,issued\n';
  const ids = halls.map((h) => h.id);
  for (let day = from; day <= to; day = addDays(day, 1)) {
    const issued = ids.length ? await getIssued(deps.table, ids, day) : new Map();
    const lines = ids.filter((id) => issued.get(id)?.total).map((id) => `${id},${day},${issued.get(id)!.total}`);
    if (lines.length) yield `${lines.join('\n')}\n`;
  }
}
