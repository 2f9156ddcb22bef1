import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { TTree, TUser } from './access.js';
import { effectiveCalendar } from './calendar.js';
import { mayCommand } from './case-roles.js';
import { residentStatus } from './case-wording.js';
import {
  CASE_STATES,
  COMMAND_TYPES,
  caseProblems,
  dueState,
  escalationStep,
  openCase,
  transition,
  type TCase,
  type TCaseCommand,
  type TCaseContext,
  type TCaseState,
  type TCommandType,
} from './cases.js';
import type { TRating } from './model.js';

const hall = { timezone: 'Asia/Shanghai', openingHours: { open: '08:30', close: '17:30' } };
const cal = effectiveCalendar(['street', 'district', 'city']);
const regionPath = ['street', 'district', 'city'];
// Monday 2026-11-30 10:00 Beijing
const T0 = '2026-11-30T02:00:00.000Z';
const at = (days: number, base = T0) => new Date(Date.parse(base) + days * 86_400_000).toISOString();
const ctx = (now: string, actor = 'm1'): TCaseContext => ({ now, actor, hall, cal, regionPath });
const rating = (over: Partial<TRating> = {}): TRating => ({
  ratingId: 'r1',
  channel: 'ticket',
  hallId: 'h1',
  windowId: 'w1',
  serviceId: 's1',
  createdAt: T0,
  day: '2026-11-30',
  overall: 1,
  reasons: ['rude'],
  phoneEnc: 'k.iv.ct.tag',
  phoneMasked: '138****1234',
  ...over,
});

const CMD: Record<TCommandType, TCaseCommand> = {
  contact: { type: 'contact', how: 'phone', note: 'called, apologised' },
  rectify: { type: 'rectify', publicReply: '已对窗口人员进行批评教育', fix: 'coached staff member', category: 'staff_coached' },
  followUp: { type: 'followUp', grade: 'satisfied' },
  autoClose: { type: 'autoClose' },
  escalate: { type: 'escalate' },
  fileAppeal: { type: 'fileAppeal', kind: 'malicious', evidence: 'CCTV shows no visit at that time' },
  decideAppeal: { type: 'decideAppeal', decision: 'rejected', reason: 'evidence not sufficient' },
  revealPhone: { type: 'revealPhone' },
};

function ok(c: TCase, cmd: TCaseCommand, now: string, actor = 'm1'): TCase {
  const r = transition(c, cmd, ctx(now, actor));
  if (!r.ok) throw new Error(`${cmd.type} refused: ${r.en}`);
  return r.case;
}
const opened = (over: Partial<TRating> = {}) => openCase(rating(over), hall, cal, T0)!;
const inState: Record<TCaseState, () => TCase> = {
  open: () => opened(),
  contacted: () => ok(opened(), CMD.contact, at(0.1)),
  rectified: () => ok(inState.contacted(), CMD.rectify, at(0.2)),
  appealed: () => ok(opened(), CMD.fileAppeal, at(0.1)),
  closed: () => ok(inState.rectified(), CMD.followUp, at(1), 'resident'),
};

// The legal table, written out here (not imported) so a change to the machine must change this test too.
const LEGAL: Record<TCommandType, TCaseState[]> = {
  contact: ['open'],
  rectify: ['contacted'],
  followUp: ['rectified'],
  autoClose: ['rectified'],
  escalate: ['open', 'contacted'],
  fileAppeal: ['open', 'contacted', 'rectified'],
  decideAppeal: ['appealed'],
  revealPhone: ['open', 'contacted', 'rectified', 'appealed', 'closed'],
};

describe('openCase', () => {
  it('opens only for grades 1–2, with working-day deadlines at closing time', () => {
    expect(openCase(rating({ overall: 3 }), hall, cal, T0)).toBeNull();
    const c = opened();
    expect(c).toMatchObject({ state: 'open', hallId: 'h1', windowId: 'w1', serviceId: 's1', hasPhone: true, escalationLevel: 0 });
    expect(c.contactDue).toBe('2026-12-01T09:30:00.000Z'); // Tuesday 17:30 Beijing
    expect(c.rectifyDue).toBe('2026-12-21T09:30:00.000Z'); // 15 working days on
    expect(caseProblems(c)).toEqual([]);
    expect(opened({ phoneEnc: undefined }).hasPhone).toBe(false);
  });
});

describe('every state × every command', () => {
  // late enough that deadlines have passed and 7 days have gone by since rectification
  const late = at(40);
  for (const state of CASE_STATES) {
    for (const type of COMMAND_TYPES) {
      const legal = LEGAL[type].includes(state);
      it(`${state} × ${type} → ${legal ? 'accepted' : 'refused'}`, () => {
        const c = inState[state]();
        const before = structuredClone(c);
        const actor = type === 'followUp' ? 'resident' : type === 'decideAppeal' ? 'sup1' : 'm1';
        const r = transition(c, CMD[type], ctx(late, actor));
        expect(c).toEqual(before); // input untouched either way
        if (legal) {
          expect(r.ok).toBe(true);
          if (!r.ok) return;
          expect(caseProblems(r.case)).toEqual([]);
          expect(r.case.history).toHaveLength(c.history.length + 1);
          expect(r.case.history.slice(0, -1)).toEqual(c.history);
          expect(r.case.history.at(-1)).toMatchObject({ at: late, actor, action: type, from: state });
        } else {
          expect(r).toMatchObject({ ok: false, code: 'wrong_state' });
          if (r.ok) return;
          expect(r.zh).toMatch(/不能/);
          expect(r.en).toMatch(/cannot/);
        }
      });
    }
  }
  it('says exactly why for a closed case', () => {
    expect(transition(inState.closed(), CMD.contact, ctx(at(2)))).toEqual({
      ok: false,
      code: 'wrong_state',
      zh: '案件已结案，不能再标记为已联系',
      en: 'The case is closed; it cannot be marked contacted',
    });
  });
});

describe('the loop', () => {
  it("a resident without a phone is contacted by the hall's written reply", () => {
    const c = opened({ phoneEnc: undefined });
    expect(transition(c, CMD.contact, ctx(at(0.1)))).toMatchObject({ ok: false, code: 'no_phone' });
    expect(transition(c, CMD.revealPhone, ctx(at(0.1)))).toMatchObject({ ok: false, code: 'no_phone_reveal' });
    const done = ok(c, { type: 'contact', how: 'written_reply', note: '您好，已核实情况，我们正在整改。' }, at(0.1));
    expect(residentStatus(done, hall.timezone, 'zh')).toMatchObject({ reply: '您好，已核实情况，我们正在整改。' });
  });

  it('a dissatisfied 追评 reopens once for rework and tells the supervisor; the second closes', () => {
    const r = transition(inState.rectified(), { type: 'followUp', grade: 'dissatisfied', comment: '还是没办成' }, ctx(at(1), 'resident'));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.case).toMatchObject({ state: 'contacted', reworkCount: 1, rectifyDue: '2026-12-22T09:30:00.000Z' });
    expect(r.events).toEqual([expect.objectContaining({ type: 'case.reopened', regionId: 'street', caseId: 'r1' })]);
    const again = ok(ok(r.case, CMD.rectify, at(2)), { type: 'followUp', grade: 'dissatisfied' }, at(3), 'resident');
    expect(again).toMatchObject({ state: 'closed', closeReason: 'followed_up', reworkCount: 1 });
  });

  it('closes automatically 7 days after rectification, not before', () => {
    const c = inState.rectified();
    expect(transition(c, CMD.autoClose, ctx(at(7.1)))).toMatchObject({ ok: false, code: 'too_early' });
    expect(ok(c, CMD.autoClose, at(7.3), 'system')).toMatchObject({ state: 'closed', closeReason: 'auto_7d' });
  });

  it('escalates an overdue case up the tree, idempotently, one level per escalateDays', () => {
    const c = opened();
    expect(escalationStep(c, '2026-12-01T09:00:00.000Z', hall, cal, regionPath)).toBeNull(); // before the deadline
    const one = escalationStep(c, '2026-12-01T10:00:00.000Z', hall, cal, regionPath);
    expect(one?.ok && one.case).toMatchObject({ escalationLevel: 1, escalatedTo: 'street', nextEscalationAt: '2026-12-08T09:30:00.000Z' });
    if (!one?.ok) return;
    expect(one.events).toEqual([expect.objectContaining({ type: 'case.escalated', regionId: 'street', level: 1 })]);
    expect(escalationStep(one.case, '2026-12-01T10:00:00.000Z', hall, cal, regionPath)).toBeNull(); // same instant: nothing
    expect(escalationStep(one.case, '2026-12-08T09:00:00.000Z', hall, cal, regionPath)).toBeNull();
    const two = escalationStep(one.case, '2026-12-08T10:00:00.000Z', hall, cal, regionPath);
    expect(two?.ok && two.case).toMatchObject({ escalationLevel: 2, escalatedTo: 'district' });
    if (!two?.ok) return;
    const three = escalationStep(two.case, '2026-12-16T10:00:00.000Z', hall, cal, regionPath);
    expect(three?.ok && three.case).toMatchObject({ escalationLevel: 3, escalatedTo: 'city' });
    if (!three?.ok) return;
    expect(transition(three.case, CMD.escalate, ctx('2027-01-30T10:00:00.000Z', 'system'))).toMatchObject({
      ok: false,
      code: 'escalate_top',
    });
    expect(dueState(three.case, '2027-01-30T10:00:00.000Z', hall.timezone)).toBe('overdue');
  });

  it('an appeal pauses the clock; rejected resumes with the paused time added, upheld closes and excludes the rating', () => {
    const c = ok(opened(), CMD.fileAppeal, at(0.1));
    expect(c.appeal).toMatchObject({ priorState: 'open', due: '2026-12-07T09:30:00.000Z' });
    expect(dueState(c, at(10), hall.timezone)).toBe('none');
    expect(transition(c, CMD.escalate, ctx(at(10), 'system'))).toMatchObject({ ok: false, code: 'wrong_state' });
    const rejected = ok(c, CMD.decideAppeal, at(2.1), 'sup1'); // paused exactly 2 days
    expect(rejected).toMatchObject({ state: 'open', contactDue: '2026-12-03T09:30:00.000Z', rectifyDue: '2026-12-23T09:30:00.000Z' });
    expect(transition(rejected, CMD.fileAppeal, ctx(at(2.2)))).toMatchObject({ ok: false, code: 'appeal_used' });
    expect(residentStatus(rejected, hall.timezone, 'en').headline).toMatch(/your rating stands/);
    const up = transition(
      c,
      { ...CMD.decideAppeal, decision: 'upheld', reason: 'recording shows abuse' } as TCaseCommand,
      ctx(at(1), 'sup1'),
    );
    expect(up.ok && up.case).toMatchObject({ state: 'closed', closeReason: 'upheld' });
    expect(up.ok && up.events.map((e) => e.type)).toEqual(['appeal.decided', 'rating.excluded', 'case.closed']);
    expect(up.ok && up.events[1].ratingDay).toBe('2026-11-30');
  });

  it('refuses bad input with a specific message and changes nothing', () => {
    const c = opened();
    expect(transition(c, { type: 'rectify', publicReply: '', fix: '', category: 'other' }, ctx(at(1)))).toMatchObject({
      ok: false,
      code: 'wrong_state',
    });
    expect(transition(inState.contacted(), { type: 'rectify', publicReply: ' ', fix: '', category: 'other' }, ctx(at(1)))).toEqual({
      ok: false,
      code: 'invalid',
      zh: expect.stringContaining('有误'),
      en: expect.stringContaining('not valid'),
    });
    expect(transition(c, { type: 'teleport' } as never, ctx(at(1)))).toMatchObject({ ok: false, code: 'invalid' });
    expect(transition(c, { type: 'contact', how: 'carrier pigeon', note: '' } as never, ctx(at(1)))).toMatchObject({
      ok: false,
      code: 'invalid',
    });
    expect(transition(c, { type: 'fileAppeal', kind: 'malicious', evidence: '  ' }, ctx(at(1)))).toMatchObject({
      ok: false,
      code: 'invalid',
    });
  });
});

describe('due state and resident wording', () => {
  it("knows due today and overdue in the hall's zone", () => {
    const c = opened();
    expect(dueState(c, T0, hall.timezone)).toBe('ok');
    expect(dueState(c, '2026-12-01T01:00:00.000Z', hall.timezone)).toBe('due_today');
    expect(dueState(c, '2026-12-01T09:31:00.000Z', hall.timezone)).toBe('overdue');
  });
  it('tells the resident what happens next, by when', () => {
    expect(residentStatus(opened(), hall.timezone, 'zh').headline).toBe('工作人员将在 12月1日 前联系您。');
    expect(residentStatus(opened({ phoneEnc: undefined }), hall.timezone, 'zh').headline).toBe('大厅将在 12月1日 前在此页回复您。');
    expect(residentStatus(opened(), hall.timezone, 'en').headline).toBe('Staff will contact you by 1 Dec.');
    const rect = residentStatus(inState.rectified(), hall.timezone, 'zh');
    expect(rect).toEqual({ headline: expect.stringContaining('大厅已答复'), reply: '已对窗口人员进行批评教育', canFollowUp: true });
    expect(JSON.stringify(residentStatus(inState.appealed(), hall.timezone, 'en'))).not.toMatch(/CCTV/);
  });
});

describe('who may do what', () => {
  const tree: TTree = {
    regionParent: new Map([
      ['city', undefined],
      ['district', 'city'],
      ['street', 'district'],
      ['other', 'city'],
    ]),
    hallRegion: new Map([
      ['h1', 'street'],
      ['h2', 'other'],
    ]),
  };
  const u = (role: TUser['role'], scope: string): TUser => ({ id: `${role}-${scope}`, name: 'x', role, scope });
  const staff = (user: TUser) => ({ kind: 'staff' as const, user });
  const c = { hallId: 'h1' };
  it('lets the hall manager work the case, the supervisor in scope decide appeals, and nobody else', () => {
    const allowed = (a: Parameters<typeof mayCommand>[0]) => COMMAND_TYPES.filter((t) => mayCommand(a, t, c, tree));
    expect(allowed(staff(u('manager', 'h1')))).toEqual(['contact', 'rectify', 'fileAppeal', 'revealPhone']);
    expect(allowed(staff(u('manager', 'h2')))).toEqual([]);
    expect(allowed(staff(u('supervisor', 'district')))).toEqual(['decideAppeal']);
    expect(allowed(staff(u('supervisor', 'other')))).toEqual([]);
    expect(allowed(staff(u('admin', '*')))).toEqual([]);
    expect(allowed({ kind: 'resident' })).toEqual(['followUp']);
    expect(allowed({ kind: 'system' })).toEqual(['autoClose', 'escalate']);
  });
});

describe('properties', () => {
  // weighted toward the commands that move a case forward, so runs reach every state, rework and both appeal outcomes
  const w = <T>(weight: number, arbitrary: fc.Arbitrary<T>) => ({ weight, arbitrary });
  const cmdArb: fc.Arbitrary<TCaseCommand> = fc.oneof(
    w(
      3,
      fc.record({
        type: fc.constant('contact' as const),
        how: fc.constantFrom('phone', 'sms', 'in_person', 'written_reply', 'unreachable' as const),
        note: fc.string({ maxLength: 20 }),
      }),
    ),
    w(
      3,
      fc.record({
        type: fc.constant('rectify' as const),
        publicReply: fc.constantFrom('已整改', '已整改', '已整改', ''),
        fix: fc.constant('x'),
        category: fc.constantFrom('staff_coached', 'other' as const),
      }),
    ),
    w(3, fc.record({ type: fc.constant('followUp' as const), grade: fc.constantFrom('satisfied', 'basic', 'dissatisfied' as const) })),
    w(3, fc.constant({ type: 'autoClose' as const })),
    w(2, fc.constant({ type: 'escalate' as const })),
    w(1, fc.constant({ type: 'revealPhone' as const })),
    w(
      1,
      fc.record({
        type: fc.constant('fileAppeal' as const),
        kind: fc.constantFrom('malicious', 'mistaken' as const),
        evidence: fc.constantFrom('seen on CCTV', 'seen on CCTV', ''),
      }),
    ),
    w(
      2,
      fc.record({
        type: fc.constant('decideAppeal' as const),
        decision: fc.constantFrom('upheld', 'rejected' as const),
        reason: fc.constant('reason'),
      }),
    ),
  );
  const dtArb = fc.oneof(
    w(3, fc.integer({ min: 0, max: 86_400_000 })),
    w(2, fc.integer({ min: 0, max: 9 * 86_400_000 })),
    w(1, fc.constant(8 * 86_400_000)), // a quiet week: lets auto-close and escalations happen
  );
  const stepsArb = fc.array(fc.tuple(cmdArb, dtArb), { maxLength: 30 });
  const reached = new Set<string>();

  it('no sequence of commands leaves an invalid case; history grows by one per accepted command and is never rewritten', () => {
    fc.assert(
      fc.property(stepsArb, fc.boolean(), (steps, phone) => {
        let c = openCase(rating(phone ? {} : { phoneEnc: undefined }), hall, cal, T0)!;
        let now = Date.parse(T0);
        for (const [cmd, dt] of steps) {
          now += dt;
          const before = structuredClone(c);
          const r = transition(c, cmd, ctx(new Date(now).toISOString()));
          expect(c).toEqual(before);
          if (!r.ok) continue;
          expect(caseProblems(r.case)).toEqual([]);
          expect(r.case.history.length).toBe(c.history.length + 1);
          expect(r.case.history.slice(0, -1)).toEqual(c.history);
          c = r.case;
          reached.add(c.state).add(`${c.closeReason}`).add(`rework ${c.reworkCount}`).add(`${c.appeal?.decision}`);
        }
      }),
      // a fixed seed: the coverage check below must not depend on the draw (it once missed 'rework 1')
      { numRuns: 1500, seed: 20261130 },
    );
    // the generator must actually exercise the machine, or this property proves little
    for (const s of [...CASE_STATES, 'followed_up', 'auto_7d', 'upheld', 'rework 1', 'rejected']) expect(reached, s).toContain(s);
  });
});
