import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { TTree, TUser } from './access.js';
import { isNationalWorkingDay } from './calendar.js';
import { firstWorkingDay, isOwnReportUnit, ownReportUnits, previousMonth, REPORT_AT_MINUTES, reportMonthDue } from './report-notice.js';
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
