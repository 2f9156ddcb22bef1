/**
 * The monthly report (减负: supervisors read it instead of asking halls for tables). Built only from what is stored:
 * the unit's daily snapshots of the month (one Query), the snapshots on the month's last scored day and on the
 * previous month's last day (batched reads), the halls' daily counts (one Query per hall) and the cases of the
 * scope (the same case items as the dashboard's handling figures). Never a scan of ratings, so its figures are the
 * dashboard's: the temperature and rates are those of the month's last scored day, the handling figures those of
 * the month's days.
 */
import { isExcluded } from '../domain/exclusion.js';
import { caseFigures, type TCaseFigures } from '../domain/case-figures.js';
import { addInto, unitId, V, zeroVector } from '../domain/aggregate.js';
import { addDays } from '../domain/time.js';
import { LINK_WINDOW, withLinkWindow } from '../domain/matters.js';
import { casesOfScope, hallsOfScope, loadCaseWorld, type TCaseDeps, type TCaseScope } from '../services/cases.js';
import { getHallCatalogue } from '../storage/catalogue.js';
import { getSnapshots, lastCompletedRun, snapshotRange } from '../storage/scores.js';
import { toUnitReport, type TUnitReport } from './report.js';
import { versionLabels, type TTagLabels } from './insights.js';

export const isMonth = (s: string): boolean => /^\d{4}-(0[1-9]|1[0-2])$/.test(s);

/** First and last day of a month (YYYY-MM). */
export function monthDays(month: string): { first: string; last: string } {
  const [y, m] = month.split('-').map(Number);
  const next = m === 12 ? `${y + 1}-01-01` : `${y}-${String(m + 1).padStart(2, '0')}-01`;
  return { first: `${month}-01`, last: addDays(next, -1) };
}

export interface TNamedReport {
  id: string;
  name: string;
  r: TUnitReport;
  /** temperature on the previous month's last day, when scored */
  before: number | undefined;
}

export interface TMonthlyReport {
  kind: 'hall' | 'region';
  id: string;
  name: string;
  month: string;
  from: string;
  /** the day whose figures are shown: the month's last day, or the last scored day of a month still running */
  to: string;
  complete: boolean;
  figures: TUnitReport;
  previous?: TUnitReport;
  /** the month's own ratings (active, unflagged: as counted by the nightly job), by grade (index 0 = grade 1) */
  ratings: { total: number; grades: number[]; tickets: number; issued: number };
  daily: { day: string; temperature: number; low: number; high: number }[];
  cases: TCaseFigures;
  /** reason tags of the month's bad ratings, most frequent first, with a few residents' own words */
  themes: { reason: string; count: number; examples: string[] }[];
  /** the survey definitions' own tag labels, through the versions those ratings answered */
  labels: TTagLabels;
  /** halls: the best and worst windows and services (ranked only: N ≥ 20) */
  windows?: { best: TNamedReport[]; worst: TNamedReport[] };
  services?: { best: TNamedReport[]; worst: TNamedReport[] };
  /** regions: their units side by side */
  units?: TNamedReport[];
}

const EXAMPLE_CHARS = 60;

/** Best first, worst last, never the same unit in both lists (ranked units only). */
function bestWorst(rows: TNamedReport[]): { best: TNamedReport[]; worst: TNamedReport[] } {
  const ranked = rows.filter((x) => x.r.ranked).sort((a, b) => b.r.temperature - a.r.temperature);
  const nBest = Math.min(3, Math.ceil(ranked.length / 2));
  const nWorst = Math.min(3, ranked.length - nBest);
  return { best: ranked.slice(0, nBest), worst: ranked.slice(ranked.length - nWorst).reverse() };
}

/** The report of a hall or region for a month, or undefined when nothing of that month is scored yet. */
export async function monthlyReport(
  deps: TCaseDeps,
  scope: TCaseScope,
  month: string,
  lang: 'zh' | 'en' = 'zh',
): Promise<TMonthlyReport | undefined> {
  const { table } = deps;
  const { first, last } = monthDays(month);
  const lastRun = await lastCompletedRun(table);
  if (!lastRun || lastRun < first) return undefined;
  const to = [lastRun, last].sort()[0]; // days as text: the earlier of the two
  const prevEnd = addDays(first, -1);
  const world = await loadCaseWorld(table, (deps.now ?? Date.now)());
  const isHall = 'hallId' in scope;
  const id = isHall ? scope.hallId : scope.regionId;
  const unit = isHall ? unitId.hall(id) : unitId.region(id);
  const pick = <T extends { name: string; nameEn?: string }>(x: T) => (lang === 'en' && x.nameEn) || x.name;

  // The units shown beside the unit's own figures: a hall's windows and services, a region's child regions and halls.
  const cat = isHall ? await getHallCatalogue(table, id) : undefined;
  const children: { unit: string; id: string; name: string }[] = isHall
    ? [
        ...withLinkWindow(cat?.windows ?? []).map((x) => ({ unit: unitId.window(id, x.id), id: x.id, name: pick(x) })),
        ...(cat?.services ?? []).map((x) => ({ unit: unitId.service(id, x.id), id: x.id, name: pick(x) })),
      ]
    : [
        ...world.regions.filter((x) => x.parentId === id).map((x) => ({ unit: unitId.region(x.id), id: x.id, name: pick(x) })),
        ...[...world.halls.values()].filter((h) => h.regionId === id).map((h) => ({ unit: unitId.hall(h.id), id: h.id, name: pick(h) })),
      ];
  const units = [unit, ...children.map((x) => x.unit)];
  const hallIds = hallsOfScope(world, scope);
  const [nowSnaps, thenSnaps, daily, hallDays, stored] = await Promise.all([
    getSnapshots(table, to, units),
    getSnapshots(table, prevEnd, isHall ? [unit] : units),
    snapshotRange(table, unit, first, to),
    Promise.all(hallIds.map((h) => (isHall ? undefined : snapshotRange(table, unitId.hall(h), first, to)))),
    casesOfScope(deps, world, scope),
  ]);
  const own = nowSnaps.get(unit);
  const figures = own && toUnitReport(own);
  if (!figures) return undefined;
  const before = (u: string) => {
    const s = thenSnaps.get(u);
    return s && toUnitReport(s);
  };

  // The month's own counts: the halls' day vectors (a region's snapshots carry decayed sums only).
  const sum = zeroVector();
  for (const s of isHall ? daily : hallDays.flat()) if (s?.today) addInto(sum, s.today);
  const ratings = {
    total: sum.slice(V.grades, V.grades + 5).reduce((a, b) => a + b, 0),
    grades: sum.slice(V.grades, V.grades + 5),
    tickets: sum[V.ticketRated],
    issued: sum[V.issued],
  };

  const named: TNamedReport[] = children
    .map((x): TNamedReport | undefined => {
      const s = nowSnaps.get(x.unit);
      const r = s && toUnitReport(s);
      return r && { id: x.id, name: x.name, r, before: before(x.unit)?.temperature };
    })
    .filter((x): x is TNamedReport => !!x);

  // Themes: the reason tags of the month's bad ratings (their cases), excluded ones left out, like the scores.
  const inMonth = stored.filter((s) => s.rating.day >= first && s.rating.day <= to && !isExcluded(s.rating));
  const themes = new Map<string, { count: number; examples: string[] }>();
  for (const s of inMonth)
    for (const reason of s.rating.reasons ?? []) {
      const t = themes.get(reason) ?? themes.set(reason, { count: 0, examples: [] }).get(reason)!;
      t.count++;
      const words = s.rating.comment?.trim();
      if (words && t.examples.length < 2 && !t.examples.some((e) => e.startsWith(words.slice(0, EXAMPLE_CHARS))))
        t.examples.push(words.length > EXAMPLE_CHARS ? `${words.slice(0, EXAMPLE_CHARS)}…` : words);
    }

  const labels = await versionLabels(
    table,
    inMonth.map((s) => s.rating),
  );
  const cases = caseFigures(
    stored.map((s) => s.case),
    { from: first, to },
    {
      now: new Date((deps.now ?? Date.now)()).toISOString(),
      timeZone: (h) => world.halls.get(h)?.timezone ?? 'Asia/Shanghai',
      calendar: (h) => world.calendar(h),
    },
  );

  const name = isHall ? (cat ? pick(cat.hall) : id) : pick(world.regions.find((x) => x.id === id) ?? { name: id });
  return {
    kind: isHall ? 'hall' : 'region',
    id,
    name,
    month,
    from: first,
    to,
    complete: to === last,
    figures,
    previous: before(unit),
    ratings,
    daily: daily
      .map(toUnitReport)
      .filter((r): r is TUnitReport => !!r)
      .map((r) => ({ day: r.date, temperature: r.temperature, low: r.low, high: r.high })),
    cases,
    labels,
    themes: [...themes]
      .map(([reason, t]) => ({ reason, ...t }))
      .sort((a, b) => b.count - a.count || a.reason.localeCompare(b.reason))
      .slice(0, 5),
    ...(isHall
      ? {
          windows: bestWorst(named.filter((x) => x.id === LINK_WINDOW || cat?.windows.some((w) => w.id === x.id))),
          services: bestWorst(named.filter((x) => cat?.services.some((s) => s.id === x.id))),
        }
      : { units: named }),
  };
}
