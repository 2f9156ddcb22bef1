/**
 * How a hall or region handles its bad ratings (SPEC §5 "Reported per hall and region", issue 10's appeal rates),
 * from a list of cases and a period of hall-local days. Pure: the same cases give the same figures. Rates carry
 * Wilson 90% intervals like every other rate. Cases closed by an upheld appeal are left out of the handling
 * figures (the rating was malicious or mistaken), and a pending appeal pauses its deadlines, so it is not yet due.
 */
import { workingDaysBetween, type TCalendar } from './calendar.js';
import { dueState, type TCase } from './cases.js';
import { wilson, type IRate } from './scoring.js';
import { localDay } from './time.js';

export interface TPeriod {
  /** first and last hall-local day, inclusive (YYYY-MM-DD) */
  from: string;
  to: string;
}

export interface TCaseFigureContext {
  now: string;
  timeZone: (hallId: string) => string;
  calendar: (hallId: string) => TCalendar;
}

export interface TCaseFigures {
  /** 差评回复率: contacted by the contact deadline / cases whose contact deadline fell in the period (and has passed or been met) */
  replyRate: IRate & { on: number; due: number };
  /** 整改率: rectified by the rectify deadline / cases whose rectify deadline fell in the period */
  rectifyRate: IRate & { on: number; due: number };
  /** 回访整改满意率: 满意 + 基本满意 among the 追评 given in the period */
  followUpSatisfaction: IRate & { good: number; given: number };
  followUpsGiven: number;
  overdueNow: number;
  /** median working days from opening to closing, over cases closed in the period; null if none */
  medianDaysToClose: number | null;
  closed: number;
  /** appeals filed / cases opened in the period */
  appealRate: IRate & { appealed: number; opened: number };
  /** upheld / appeals decided in the period */
  upheldRate: IRate & { upheld: number; decided: number };
}

const r4 = (x: number | null) => (x === null ? null : Math.round(x * 10_000) / 10_000);
const rate = (k: number, n: number): IRate => {
  const w = wilson(k, n);
  return { rate: r4(w.rate), low: r4(w.low), high: r4(w.high) };
};

export function median(xs: readonly number[]): number | null {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

export function caseFigures(cases: readonly TCase[], period: TPeriod, ctx: TCaseFigureContext): TCaseFigures {
  const now = Date.parse(ctx.now);
  const inPeriod = (c: TCase, instant: string | undefined) => {
    if (!instant) return false;
    const day = localDay(new Date(instant), ctx.timeZone(c.hallId));
    return day >= period.from && day <= period.to;
  };
  const counted = cases.filter((c) => c.closeReason !== 'upheld' && c.state !== 'appealed');
  /** due: deadline in the period and either passed or already met; on: met by the deadline */
  const deadlineRate = (due: (c: TCase) => string, doneAt: (c: TCase) => string | undefined) => {
    let n = 0;
    let k = 0;
    for (const c of counted) {
      const d = due(c);
      const done = doneAt(c);
      if (!inPeriod(c, d) || (Date.parse(d) > now && !done)) continue;
      n++;
      if (done && Date.parse(done) <= Date.parse(d)) k++;
    }
    return { ...rate(k, n), on: k, due: n };
  };
  const followUps = counted.flatMap((c) => [c.rework?.followUp, c.followUp].filter((f) => f && inPeriod(c, f.at)));
  const good = followUps.filter((f) => f!.grade !== 'dissatisfied').length;
  const closedIn = counted.filter((c) => c.state === 'closed' && inPeriod(c, c.closedAt));
  const days = closedIn.map((c) => {
    const tz = ctx.timeZone(c.hallId);
    return workingDaysBetween(localDay(new Date(c.openedAt), tz), localDay(new Date(c.closedAt!), tz), ctx.calendar(c.hallId));
  });
  const opened = cases.filter((c) => inPeriod(c, c.openedAt));
  const appealed = opened.filter((c) => c.appeal).length;
  const decided = cases.filter((c) => c.appeal?.decision && inPeriod(c, c.appeal.decidedAt));
  const upheld = decided.filter((c) => c.appeal!.decision === 'upheld').length;
  return {
    replyRate: deadlineRate(
      (c) => c.contactDue,
      (c) => c.contact?.at,
    ),
    rectifyRate: deadlineRate(
      (c) => c.rectifyDue,
      (c) => c.rectification?.at,
    ),
    followUpSatisfaction: { ...rate(good, followUps.length), good, given: followUps.length },
    followUpsGiven: followUps.length,
    overdueNow: cases.filter((c) => dueState(c, ctx.now, ctx.timeZone(c.hallId)) === 'overdue').length,
    medianDaysToClose: median(days),
    closed: closedIn.length,
    appealRate: { ...rate(appealed, opened.length), appealed, opened: opened.length },
    upheldRate: { ...rate(upheld, decided.length), upheld, decided: decided.length },
  };
}

/** The figures of every hall that has cases, keyed by hall id. */
export function caseFiguresByHall(cases: readonly TCase[], period: TPeriod, ctx: TCaseFigureContext): Map<string, TCaseFigures> {
  const byHall = new Map<string, TCase[]>();
  for (const c of cases) byHall.set(c.hallId, [...(byHall.get(c.hallId) ?? []), c]);
  return new Map([...byHall].map(([hallId, list]) => [hallId, caseFigures(list, period, ctx)]));
}
