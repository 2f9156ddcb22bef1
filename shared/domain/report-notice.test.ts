import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { TTree, TUser } from './access.js';
import { isNationalWorkingDay, localInstant } from './calendar.js';
import {
  firstWorkingDay,
  isOwnReportUnit,
  nextMonth,
  ownReportUnits,
  passStep,
  previousMonth,
  REPORT_AT_MINUTES,
  reportDueAt,
  reportDueDay,
  reportMonthDue,
  type TPassScope,
  type TReportPass,
} from './report-notice.js';
import { addDays } from './time.js';

const day = fc.integer({ min: 0, max: 729 }).map((n) => addDays('2025-01-01', n));

describe('when the monthly report is announced', () => {
  it('the first working day of 2026 by the official calendar: 调休 Sunday, weekends, National Day', () => {
    const fwd = (d: string) => firstWorkingDay(d, isNationalWorkingDay);
    expect(fwd('2026-01-15')).toBe('2026-01-04'); // 1–3 holidays, the 4th a make-up Sunday
    expect(fwd('2026-08-20')).toBe('2026-08-03'); // the 1st a Saturday
    expect(fwd('2026-10-02')).toBe('2026-10-08'); // National Day 1–7
    expect(fwd('2026-11-30')).toBe('2026-11-02'); // the 1st a Sunday
    expect(fwd('2026-12-01')).toBe('2026-12-01');
    expect(previousMonth('2026-01-04')).toBe('2025-12');
  });

  it('property: due exactly from 08:00 of the first working day to the month end, for the previous month', () => {
    fc.assert(
      fc.property(day, fc.integer({ min: 0, max: 1439 }), (d, minutes) => {
        const first = firstWorkingDay(d, isNationalWorkingDay)!;
        expect(first.slice(0, 7)).toBe(d.slice(0, 7));
        expect(isNationalWorkingDay(first)).toBe(true);
        for (let x = `${d.slice(0, 7)}-01`; x < first; x = addDays(x, 1)) expect(isNationalWorkingDay(x)).toBe(false);
        const due = reportMonthDue({ day: d, minutes }, isNationalWorkingDay);
        const expected = d > first || (d === first && minutes >= REPORT_AT_MINUTES);
        expect(due).toBe(expected ? previousMonth(d) : undefined);
        if (due) expect(due < d.slice(0, 7)).toBe(true);
      }),
    );
  });

  it('a calendar that closes the whole month announces nothing (never hangs)', () => {
    expect(reportMonthDue({ day: '2026-02-20', minutes: 600 }, () => false)).toBeUndefined();
  });
});

describe('whose report a user receives', () => {
  const tree: TTree = {
    regionParent: new Map([
      ['r-city', undefined],
      ['r-d', 'r-city'],
    ]),
    hallRegion: new Map([['h-1', 'r-d']]),
  };
  const u = (role: TUser['role'], scope: string): TUser => ({ id: 'u', name: 'n', role, scope });
  it('their own unit only: a manager their hall, a supervisor their region, an administrator the root', () => {
    expect(ownReportUnits(u('manager', 'h-1'), tree)).toEqual([{ hallId: 'h-1' }]);
    expect(ownReportUnits(u('supervisor', 'r-d'), tree)).toEqual([{ regionId: 'r-d' }]);
    expect(ownReportUnits(u('admin', '*'), tree)).toEqual([{ regionId: 'r-city' }]);
    expect(ownReportUnits(u('manager', 'h-gone'), tree)).toEqual([]);
    expect(isOwnReportUnit(u('supervisor', 'r-city'), tree, { hallId: 'h-1' })).toBe(false);
    expect(isOwnReportUnit(u('supervisor', 'r-city'), tree, { regionId: 'r-d' })).toBe(false);
    expect(isOwnReportUnit(u('supervisor', 'r-d'), tree, { regionId: 'r-d' })).toBe(true);
  });
});

describe("a unit's due instant", () => {
  it('property: due from reportDueAt on, exactly when reportMonthDue names the month (any zone, any closures)', () => {
    const zones = ['Asia/Shanghai', 'Asia/Urumqi', 'Asia/Tokyo', 'UTC'];
    fc.assert(
      fc.property(
        day,
        fc.integer({ min: 0, max: 1439 }),
        fc.constantFrom(...zones),
        fc.array(fc.integer({ min: 0, max: 20 })),
        (d, minutes, tz, shut) => {
          const closed = new Set(shut.map((n) => addDays(`${d.slice(0, 7)}-01`, n)));
          const isWorking = (x: string) => isNationalWorkingDay(x) && !closed.has(x);
          const month = previousMonth(d);
          expect(nextMonth(month)).toBe(d.slice(0, 7));
          const clock = `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
          const at = localInstant(d, clock, tz).getTime();
          const due = reportDueAt(reportDueDay(month, isWorking), tz);
          expect(at >= due).toBe(reportMonthDue({ day: d, minutes }, isWorking) === month);
        },
      ),
    );
  });

  it('a calendar closing the whole month: never due', () => {
    expect(
      reportDueAt(
        reportDueDay('2026-01', () => false),
        'Asia/Shanghai',
      ),
    ).toBe(Number.POSITIVE_INFINITY);
    expect(nextMonth('2025-12')).toBe('2026-01');
  });
});

describe("the month's walk, a slice a tick", () => {
  /**
   * A simulated month: scopes (sorted ids) whose units fall due at random minutes (or never), ticks at random
   * intervals with a random budget; a tick may die after writing part of its slice (no marker write), or race
   * another tick reading the same marker (one write wins, as the version condition makes it).
   */
  const scopeSet = fc
    .uniqueArray(fc.string({ unit: fc.constantFrom('a', 'b', 'c', 'd', '*'), minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 30 })
    .chain((ids) =>
      fc.tuple(
        fc.constant([...ids].sort()),
        fc.array(
          fc.array(fc.oneof(fc.integer({ min: 0, max: 600 }), fc.constant(Number.POSITIVE_INFINITY)), { minLength: 1, maxLength: 3 }),
          {
            minLength: ids.length,
            maxLength: ids.length,
          },
        ),
      ),
    )
    .map(([ids, dues]) => ids.map((id, i): TPassScope => ({ key: id, scope: id, dueAt: dues[i] })));
  const tick = fc.record({
    gap: fc.integer({ min: 1, max: 90 }),
    budget: fc.integer({ min: 1, max: 6 }),
    fate: fc.constantFrom('ok', 'ok', 'ok', 'dies', 'races'),
    written: fc.nat(),
  });

  const claim = 'every unit due is announced once due, none early, none never due; a slice within the budget';
  it(`property: ${claim}; a scope asked once per instant its units fall due`, () => {
    fc.assert(
      fc.property(scopeSet, fc.array(tick, { minLength: 1, maxLength: 200 }), (scopes, ticks) => {
        const LOOK_AGAIN = 60;
        let marker: TReportPass | undefined;
        let now = 0;
        const announced = new Map<string, number>(); // `${scope}#${unit}` → when
        const asked = new Map<string, number>(); // scope → slices recorded with it
        const write = (next: TReportPass) => {
          if ((marker?.v ?? 0) !== next.v! - 1) return false;
          marker = next;
          return true;
        };
        const walk = (step: NonNullable<ReturnType<typeof passStep>>, at: number, upTo = Number.POSITIVE_INFINITY) => {
          for (const s of step.slice.slice(0, upTo))
            s.dueAt.forEach((d, u) => {
              if (d <= step.passAt && !announced.has(`${s.key}#${u}`)) announced.set(`${s.key}#${u}`, at);
            });
        };
        const run = (t: { budget: number; fate: string; written: number }) => {
          const step = passStep(marker, scopes, now, t.budget, LOOK_AGAIN);
          if (!step) return;
          expect(step.slice.length).toBeLessThanOrEqual(t.budget);
          if (t.fate === 'dies') return walk(step, now, t.written % (step.slice.length + 1));
          const other = t.fate === 'races' ? passStep(marker, scopes, now + 1, t.budget, LOOK_AGAIN) : undefined;
          walk(step, now);
          if (write(step.next)) for (const s of step.slice) asked.set(s.key, (asked.get(s.key) ?? 0) + 1);
          if (other) {
            walk(other, now + 1); // the other tick runs a moment later
            expect(write(other.next)).toBe(false); // the first write moved the version on
          }
        };
        for (const t of ticks) {
          run(t);
          now += t.gap;
        }
        // then ticks every minute, long enough for everything due to be walked (a budget of one scope at worst)
        for (let i = 0; i < 8 * scopes.length + 800; i++, now++) run({ budget: 1, fate: 'ok', written: 0 });
        const never = scopes.some((s) => s.dueAt.includes(Number.POSITIVE_INFINITY));
        expect(Boolean(marker?.at)).toBe(!never);
        for (const s of scopes) {
          s.dueAt.forEach((d, u) => {
            const when = announced.get(`${s.key}#${u}`);
            if (d === Number.POSITIVE_INFINITY) expect(when).toBeUndefined();
            else {
              expect(when).toBeDefined();
              expect(when!).toBeGreaterThanOrEqual(d);
            }
          });
          const instants = new Set(s.dueAt.filter(Number.isFinite)).size;
          expect(asked.get(s.key) ?? 0).toBeLessThanOrEqual(instants);
        }
      }),
    );
  });

  it('a pass already running keeps its instant: a unit due after it waits for the next pass, an hour later', () => {
    const scopes: TPassScope[] = ['a', 'b', 'c'].map((key, i) => ({ key, scope: key, dueAt: [i === 1 ? 100 : 0] }));
    const first = passStep(undefined, scopes, 10, 1, 60)!;
    expect(first.slice.map((s) => s.key)).toEqual(['a']);
    expect(first.next).toEqual({ passAt: 10, after: 'a', prevPassAt: undefined, v: 1 });
    const second = passStep(first.next, scopes, 200, 1, 60)!; // b is due by now, not by the pass's instant
    expect(second.slice.map((s) => s.key)).toEqual(['c']);
    expect(second.next).toEqual({ prevPassAt: 10, lookAgainAt: 260, v: 2 });
    expect(passStep(second.next, scopes, 259, 1, 60)).toBeUndefined();
    const third = passStep(second.next, scopes, 260, 5, 60)!;
    expect(third.slice.map((s) => s.key)).toEqual(['b']); // a and c were covered by the first pass
    expect(third.next).toEqual({ at: new Date(260).toISOString(), v: 3 });
    expect(passStep(third.next, scopes, 300, 5, 60)).toBeUndefined();
    expect(() => passStep(undefined, scopes, 0, 0, 60)).toThrow(RangeError);
  });

  it("the older code's markers: done stays done; a look-again starts a full pass", () => {
    const scopes: TPassScope[] = [{ key: 'a', scope: 'a', dueAt: [0] }];
    expect(passStep({ at: '2026-01-04T00:00:00.000Z' }, scopes, 10, 5, 60)).toBeUndefined();
    expect(passStep({ lookAgainAt: 20 }, scopes, 10, 5, 60)).toBeUndefined();
    expect(passStep({ lookAgainAt: 20 }, scopes, 20, 5, 60)!.slice).toEqual(scopes);
  });
});
