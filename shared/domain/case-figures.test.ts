import { describe, expect, it } from 'vitest';
import { effectiveCalendar } from './calendar.js';
import { caseFigures, caseFiguresByHall, median } from './case-figures.js';
import { openCase, transition, type TCase, type TCaseCommand } from './cases.js';
import type { TRating } from './model.js';
import { wilson } from './scoring.js';

const hall = { timezone: 'Asia/Shanghai', openingHours: { open: '08:30', close: '17:30' } };
const cal = effectiveCalendar(['street']);
const bj = (day: string, hm = '10:00') => new Date(`${day}T${hm}:00+08:00`).toISOString();

function build(openedDay: string, steps: [TCaseCommand, string, string?][], ratingId = openedDay, hallId = 'h1'): TCase {
  const rating: TRating = {
    ratingId,
    channel: 'ticket',
    hallId,
    windowId: 'w1',
    createdAt: bj(openedDay),
    day: openedDay,
    overall: 2,
    reasons: ['rude'],
    phoneEnc: 'k.iv.ct.tag',
  };
  let c = openCase(rating, hall, cal, bj(openedDay))!;
  for (const [cmd, now, actor] of steps) {
    const r = transition(c, cmd, { now, actor: actor ?? 'm1', hall, cal, regionPath: ['street'] });
    if (!r.ok) throw new Error(`${cmd.type}: ${r.en}`);
    c = r.case;
  }
  return c;
}
const contact: TCaseCommand = { type: 'contact', how: 'phone', note: '' };
const rectify: TCaseCommand = { type: 'rectify', publicReply: '已整改', fix: '', category: 'staff_coached' };
const follow = (grade: 'satisfied' | 'basic' | 'dissatisfied'): TCaseCommand => ({ type: 'followUp', grade });
const appeal: TCaseCommand = { type: 'fileAppeal', kind: 'malicious', evidence: 'recording' };
const decide = (decision: 'upheld' | 'rejected'): TCaseCommand => ({ type: 'decideAppeal', decision, reason: 'r' });

// Opened Tuesday 2026-12-01 10:00 Beijing: contact due 12-02 17:30, rectify due 12-22 17:30.
const cases = [
  build(
    '2026-12-01',
    [
      [contact, bj('2026-12-01', '11:00')],
      [rectify, bj('2026-12-04')],
      [follow('satisfied'), bj('2026-12-05'), 'resident'],
    ],
    'A',
  ),
  build(
    '2026-12-01',
    [
      [contact, bj('2026-12-03')],
      [rectify, bj('2026-12-23')],
      [{ type: 'autoClose' }, bj('2026-12-31'), 'system'],
    ],
    'B',
  ),
  build('2026-12-01', [], 'C'),
  build(
    '2026-12-01',
    [
      [appeal, bj('2026-12-01', '12:00')],
      [decide('upheld'), bj('2026-12-03'), 's1'],
    ],
    'D',
  ),
  build(
    '2026-12-01',
    [
      [appeal, bj('2026-12-01', '12:00')],
      [decide('rejected'), bj('2026-12-02', '12:00'), 's1'], // paused 24 h: contact due 12-03 17:30
      [contact, bj('2026-12-03')],
      [rectify, bj('2026-12-10')],
      [follow('dissatisfied'), bj('2026-12-11'), 'resident'], // rework: due 2027-01-01
      [rectify, bj('2026-12-15')],
      [follow('basic'), bj('2026-12-16'), 'resident'],
    ],
    'E',
  ),
  build('2026-12-31', [], 'F'), // contact due Friday 2027-01-01 (no official 2027 schedule yet): outside the period
];
const ctx = { now: bj('2027-01-05'), timeZone: () => hall.timezone, calendar: () => cal };
const december = { from: '2026-12-01', to: '2026-12-31' };

describe('case figures against a hand count', () => {
  it('counts December', () => {
    const f = caseFigures(cases, december, ctx);
    const w = (k: number, n: number) => ({
      rate: expect.closeTo(wilson(k, n).rate!, 4),
      low: expect.closeTo(wilson(k, n).low!, 4),
      high: expect.closeTo(wilson(k, n).high!, 4),
    });
    // reply: A on time, B late, C never, E on time after the pause; D (upheld) left out, F not due in December
    expect(f.replyRate).toEqual({ on: 2, due: 4, ...w(2, 4) });
    // rectify: A on time, B late, C never; E's rework deadline is in January
    expect(f.rectifyRate).toEqual({ on: 1, due: 3, ...w(1, 3) });
    // 追评: A satisfied, E dissatisfied (sent back), E basic
    expect(f.followUpSatisfaction).toEqual({ good: 2, given: 3, ...w(2, 3) });
    expect(f.followUpsGiven).toBe(3);
    expect(f.overdueNow).toBe(2); // C and F
    // working days to close: A 3 (12-02..04), B 22, E 11
    expect(f.closed).toBe(3);
    expect(f.medianDaysToClose).toBe(11);
    expect(f.appealRate).toEqual({ appealed: 2, opened: 6, ...w(2, 6) });
    expect(f.upheldRate).toEqual({ upheld: 1, decided: 2, ...w(1, 2) });
  });

  it('does not count a deadline still ahead as missed', () => {
    const f = caseFigures([build('2026-12-01', [], 'C')], december, { ...ctx, now: bj('2026-12-01', '12:00') });
    expect(f.replyRate).toMatchObject({ due: 0, rate: null });
    expect(f.overdueNow).toBe(0);
  });

  it('splits by hall', () => {
    const other = build('2026-12-01', [[contact, bj('2026-12-01', '11:00')]], 'X', 'h2');
    const byHall = caseFiguresByHall([...cases, other], december, ctx);
    expect([...byHall.keys()]).toEqual(['h1', 'h2']);
    expect(byHall.get('h2')?.replyRate).toMatchObject({ on: 1, due: 1 });
    expect(byHall.get('h1')?.replyRate).toMatchObject({ on: 2, due: 4 });
  });

  it('takes the median', () => {
    expect(median([])).toBeNull();
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });
});
