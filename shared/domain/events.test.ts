import fc from 'fast-check';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import type { TTree, TUser } from './access.js';
import { effectiveCalendar } from './calendar.js';
import { openCase, transition, type TCase, type TCaseCommand } from './cases.js';
import {
  alertRaised,
  caseOpened,
  deliveryFor,
  DIGEST_AT_MINUTES,
  digestDueAt,
  digestMessage,
  endpointWants,
  EVENT_KINDS,
  eventId,
  eventLine,
  eventMessage,
  eventOfCaseStep,
  localClock,
  MAX_ATTEMPTS,
  mayHear,
  modeFor,
  nextAttemptDelay,
  recipientScopes,
  reportMonthly,
  RETRY_DELAYS_MS,
  reviewWaiting,
  signWebhook,
  type TEvent,
  webhookBody,
  ZEvent,
} from './events.js';
import type { TRating } from './model.js';

const hall = { timezone: 'Asia/Shanghai', openingHours: { open: '08:30', close: '17:30' } };
const cal = effectiveCalendar(['street', 'district', 'city']);
const regionPath = ['street', 'district', 'city'];
const T0 = '2026-11-30T02:00:00.000Z'; // Monday 10:00 Beijing
const at = (days: number) => new Date(Date.parse(T0) + days * 86_400_000).toISOString();
const PHONE = '13812341234';
const rating: TRating = {
  ratingId: 'r1',
  channel: 'ticket',
  hallId: 'h1',
  windowId: 'w1',
  serviceId: 's1',
  createdAt: T0,
  day: '2026-11-30',
  overall: 1,
  reasons: ['rude'],
  comment: `态度很差 ${PHONE}`,
  phoneEnc: 'k.iv.ct.tag',
  phoneMasked: '138****1234',
  deviceHash: 'dev-secret-hash',
} as TRating;

const CMDS: TCaseCommand[] = [
  { type: 'contact', how: 'phone', note: '已电话联系' },
  { type: 'rectify', publicReply: '已整改', fix: 'coached', category: 'staff_coached' },
  { type: 'followUp', grade: 'dissatisfied', comment: `还是不行 ${PHONE}` },
  { type: 'followUp', grade: 'satisfied' },
  { type: 'escalate' },
  { type: 'fileAppeal', kind: 'malicious', evidence: 'no visit at that time' },
  { type: 'decideAppeal', decision: 'rejected', reason: 'not enough' },
  { type: 'decideAppeal', decision: 'upheld', reason: 'proven' },
  { type: 'autoClose' },
  { type: 'revealPhone' },
];

describe('events of case transitions', () => {
  it('each accepted transition makes at most one event, with a deterministic id, and never a phone, comment or device', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: CMDS.length - 1 }), fc.integer({ min: 0, max: 30 })), { maxLength: 12 }),
        (steps) => {
          let c: TCase = openCase(rating, hall, cal, T0)!;
          let day = 0;
          const ids = new Set<string>();
          for (const [i, d] of steps) {
            day += d / 10;
            const r = transition(c, CMDS[i], { now: at(day), actor: 'm1', hall, cal, regionPath });
            if (!r.ok) continue;
            c = r.case;
            const e = eventOfCaseStep(c);
            const again = eventOfCaseStep(c);
            expect(again).toEqual(e); // the same step, the same event (a replay is recognised by its id)
            if (!e) continue;
            expect(ids.has(e.id)).toBe(false);
            ids.add(e.id);
            expect(ZEvent.safeParse(e).success).toBe(true);
            const text = JSON.stringify(e);
            expect(text).not.toContain(PHONE);
            expect(text).not.toContain('138****');
            expect(text).not.toContain('态度');
            expect(text).not.toContain('dev-secret');
            const kinds: Record<string, string> = {
              escalate: 'case.escalated',
              followUp: 'case.followed_up',
              fileAppeal: 'appeal.filed',
              decideAppeal: 'appeal.decided',
            };
            expect(e.kind).toBe(kinds[c.history.at(-1)!.action]);
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('carries what is needed to act: level and region of an escalation, grade of a 追评, the decision', () => {
    let c = openCase(rating, hall, cal, T0)!;
    const step = (cmd: TCaseCommand, now: string) => {
      const r = transition(c, cmd, { now, actor: 'sup', hall, cal, regionPath });
      if (!r.ok) throw new Error(r.en);
      c = r.case;
      return eventOfCaseStep(c);
    };
    expect(step({ type: 'escalate' }, at(5))).toMatchObject({ kind: 'case.escalated', level: 1, regionId: 'street', path: '/cases/r1' });
    expect(step({ type: 'contact', how: 'phone', note: '' }, at(5.1))).toBeUndefined();
    expect(step({ type: 'rectify', publicReply: 'x', fix: 'y', category: 'other' }, at(5.2))).toBeUndefined();
    expect(step({ type: 'followUp', grade: 'dissatisfied' }, at(6))).toMatchObject({ kind: 'case.followed_up', grade: 'dissatisfied' });
    expect(step({ type: 'fileAppeal', kind: 'mistaken', evidence: 'e' }, at(6.1))).toMatchObject({ kind: 'appeal.filed' });
    expect(step({ type: 'decideAppeal', decision: 'upheld', reason: 'r' }, at(7))).toMatchObject({
      kind: 'appeal.decided',
      decision: 'upheld',
    });
    expect(caseOpened(openCase(rating, hall, cal, T0)!)).toMatchObject({ kind: 'case.opened', caseId: 'r1', hallId: 'h1', windowId: 'w1' });
  });
});

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
const manager: TUser = { id: 'm', name: 'm', role: 'manager', scope: 'h1', email: 'm@x.cn' };
const otherManager: TUser = { id: 'm2', name: 'm2', role: 'manager', scope: 'h2', email: 'm2@x.cn' };
const district: TUser = { id: 's', name: 's', role: 'supervisor', scope: 'district', email: 's@x.cn' };
const admin: TUser = { id: 'a', name: 'a', role: 'admin', scope: '*', email: 'a@x.cn' };

describe('who hears what', () => {
  const opened = caseOpened(openCase(rating, hall, cal, T0)!);
  it('role defaults: a manager at once for their hall, a supervisor in the digest; nobody outside the scope', () => {
    expect(deliveryFor(manager, tree, undefined, opened)).toBe('now');
    expect(deliveryFor(otherManager, tree, undefined, opened)).toBe('never');
    expect(deliveryFor(district, tree, undefined, opened)).toBe('digest');
    expect(deliveryFor(admin, tree, undefined, opened)).toBe('never');
    expect(deliveryFor({ ...manager, email: undefined }, tree, undefined, opened)).toBe('never');
  });
  it("a user's own choice wins over the role's default", () => {
    expect(deliveryFor(manager, tree, { lang: 'zh', modes: { 'case.opened': 'digest' } }, opened)).toBe('digest');
    expect(deliveryFor(district, tree, { lang: 'en', modes: { 'case.opened': 'never' } }, opened)).toBe('never');
  });
  it('an escalation reaches supervisors at once', () => {
    let c = openCase(rating, hall, cal, T0)!;
    const r = transition(c, { type: 'escalate' }, { now: at(5), actor: 'system', hall, cal, regionPath });
    if (!r.ok) throw new Error(r.en);
    c = r.case;
    expect(deliveryFor(district, tree, undefined, eventOfCaseStep(c)!)).toBe('now');
  });
  it('an endpoint of a region receives the events of every hall below it, never of another region', () => {
    const ep = { regionId: 'district', kinds: [...EVENT_KINDS] };
    expect(endpointWants(ep, opened, tree)).toBe(true);
    expect(endpointWants({ ...ep, regionId: 'city' }, opened, tree)).toBe(true);
    expect(endpointWants({ ...ep, regionId: 'other' }, opened, tree)).toBe(false);
    expect(endpointWants({ ...ep, kinds: ['alert.raised'] }, opened, tree)).toBe(false);
  });
});

describe('who may hear: the scopes asked hold everyone', () => {
  // a random tree: regions r0..rN (each under an earlier one or a root), halls under random regions
  const world = fc
    .record({
      parents: fc.array(fc.nat(), { minLength: 1, maxLength: 8 }),
      halls: fc.array(fc.nat(), { minLength: 1, maxLength: 6 }),
    })
    .map(({ parents, halls }) => {
      const regionParent = new Map<string, string | undefined>(
        parents.map((p, i) => [`r${i}`, i === 0 || p % (i + 1) === i ? undefined : `r${p % i}`]),
      );
      const hallRegion = new Map(halls.map((r, i) => [`h${i}`, `r${r % parents.length}`]));
      return { regionParent, hallRegion } as TTree;
    });
  const arbitraryUser = (tree: TTree) =>
    fc
      .record({
        role: fc.constantFrom('admin' as const, 'supervisor' as const, 'manager' as const),
        region: fc.constantFrom(...tree.regionParent.keys()),
        hall: fc.constantFrom(...tree.hallRegion.keys()),
        email: fc.boolean(),
      })
      .map(
        ({ role, region, hall, email }): TUser => ({
          id: 'u',
          name: 'u',
          role,
          scope: role === 'admin' ? '*' : role === 'supervisor' ? region : hall,
          ...(email ? { email: 'u@x.cn' } : {}),
        }),
      );
  const arbitraryEvent = (tree: TTree) =>
    fc
      .record({
        kind: fc.constantFrom(...EVENT_KINDS),
        hall: fc.constantFrom(...tree.hallRegion.keys()),
        region: fc.constantFrom(...tree.regionParent.keys()),
        ofRegion: fc.boolean(),
      })
      .map(({ kind, hall, region, ofRegion }): TEvent => {
        if (kind === 'report.monthly')
          return reportMonthly(ofRegion ? { regionId: region } : { hallId: hall }, '2026-11', '/reports/x/2026-11', T0);
        const e = reviewWaiting(hall, '2026-11-30', 1, T0);
        return ZEvent.parse({ ...e, kind, ...(kind === 'case.escalated' ? { regionId: region } : {}) });
      });

  it('anyone mayHear lets through has their scope among recipientScopes (so asking those scopes misses nobody)', () => {
    fc.assert(
      fc.property(
        world.chain((tree) => fc.tuple(fc.constant(tree), arbitraryUser(tree), arbitraryEvent(tree))),
        ([tree, user, e]) => {
          if (mayHear(user, tree, e)) expect(recipientScopes(e, tree)).toContain(user.scope);
          // and the old single rule is the two halves together
          expect(deliveryFor(user, tree, undefined, e)).toBe(mayHear(user, tree, e) ? modeFor(user.role, undefined, e.kind) : 'never');
        },
      ),
      { numRuns: 500 },
    );
  });
  it('a hall event asks its hall, its region chain and the administrators; nothing else', () => {
    const opened = caseOpened(openCase(rating, hall, cal, T0)!);
    expect(recipientScopes(opened, tree)).toEqual(['h1', 'street', 'district', 'city', '*']);
    expect(recipientScopes(reportMonthly({ regionId: 'district' }, '2026-11', '/reports/district/2026-11', T0), tree)).toEqual([
      'district',
      'city',
      '*',
    ]);
    expect(mayHear(otherManager, tree, opened)).toBe(false);
    expect(mayHear({ ...manager, email: undefined }, tree, opened)).toBe(false);
    expect(mayHear(admin, tree, opened)).toBe(true); // may, though the role's default is never
    expect(modeFor('admin', undefined, 'case.opened')).toBe('never');
  });
});

describe('the daily digest', () => {
  const beijing = (day: string, hhmm: string) => Date.parse(`${day}T${hhmm}:00+08:00`);
  it('is due at 08:30 hall-local: at once after it (the day not yet sent), else the next 08:30', () => {
    const z = 'Asia/Shanghai';
    expect(digestDueAt(beijing('2026-12-01', '07:10'), z)).toBe(beijing('2026-12-01', '08:30'));
    expect(digestDueAt(beijing('2026-12-01', '08:30'), z)).toBe(beijing('2026-12-01', '08:30'));
    expect(digestDueAt(beijing('2026-12-01', '15:00'), z)).toBe(beijing('2026-12-01', '15:00'));
    expect(digestDueAt(beijing('2026-12-01', '15:00'), z, '2026-12-01')).toBe(beijing('2026-12-02', '08:30'));
    expect(digestDueAt(beijing('2026-12-01', '08:29'), z, '2026-11-30')).toBe(beijing('2026-12-01', '08:30'));
    expect(digestDueAt(beijing('2026-12-01', '08:30'), 'Asia/Urumqi')).toBe(beijing('2026-12-01', '10:30')); // 06:30 there
  });
  it('property: never before now, always at or after 08:30 local on a day after the last sent, and the first such instant', () => {
    const zones = ['Asia/Shanghai', 'Asia/Urumqi', 'Asia/Kolkata', 'America/New_York', 'Europe/London', 'Australia/Lord_Howe'];
    const start = Date.parse('2026-01-01T00:00:00Z');
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 365 * 86_400 }),
        fc.constantFrom(...zones),
        fc.integer({ min: -2, max: 1 }),
        fc.boolean(),
        (sec, tz, lag, withSent) => {
          const now = start + sec * 1000;
          const today = localClock(now, tz).day;
          const sentDay = withSent ? new Date(Date.parse(`${today}T00:00:00Z`) + lag * 86_400_000).toISOString().slice(0, 10) : undefined;
          const due = digestDueAt(now, tz, sentDay);
          const c = localClock(due, tz);
          expect(due).toBeGreaterThanOrEqual(now);
          expect(due - now).toBeLessThanOrEqual(3 * 86_400_000); // a sent day of tomorrow: the day after at 08:30
          expect(c.minutes).toBeGreaterThanOrEqual(DIGEST_AT_MINUTES);
          if (sentDay) expect(c.day > sentDay).toBe(true);
          if (due > now) {
            // exactly 08:30:00, and a minute earlier was not yet due (or was before now)
            expect(c.minutes).toBe(DIGEST_AT_MINUTES);
            expect(due % 60_000).toBe(0);
            const before = localClock(due - 60_000, tz);
            expect(before.minutes < DIGEST_AT_MINUTES || (sentDay !== undefined && before.day <= sentDay) || due - 60_000 < now).toBe(true);
          }
        },
      ),
      { numRuns: 1000 },
    );
  });
  it('lists everything grouped by kind, each with its link, in the chosen language', () => {
    const e1 = caseOpened(openCase(rating, hall, cal, T0)!);
    const e2 = alertRaised({ hallId: 'h1', day: '2026-11-30', kind: 'turned-cold' }, T0);
    const names = { hall: (id: string) => (id === 'h1' ? '东湖政务中心' : undefined) };
    const zh = digestMessage([e2, e1], '2026-12-01', 'zh', 'https://rate.example.cn', names);
    expect(zh.subject).toContain('2 条');
    expect(zh.text.indexOf('新差评案件')).toBeLessThan(zh.text.indexOf('服务温度预警'));
    expect(zh.text).toContain('https://rate.example.cn/cases/r1?lang=zh');
    expect(zh.text).toContain('https://rate.example.cn/halls/h1?lang=zh');
    expect(zh.text).toContain('东湖政务中心');
    const en = digestMessage([e1], '2026-12-01', 'en', 'https://rate.example.cn', names);
    expect(en.subject).toContain('Digest for 2026-12-01');
    expect(en.text).toContain('contact the resident by');
    const one = eventMessage(e1, 'zh', 'https://rate.example.cn/', names);
    expect(one.text).toContain('https://rate.example.cn/cases/r1?lang=zh');
    expect(one.text).toContain('/notifications');
    expect(one.html).not.toContain('<script');
  });
});

describe('Standard Webhooks', () => {
  it("signs the spec's test vector", () => {
    const sig = signWebhook('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'msg_p5jXN8AQM9LWM0D4loKWxJek', 1614265330, '{"test": 2432232314}');
    expect(sig).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
  });
  it('is verified by the standardwebhooks package, and a changed body is not', () => {
    const secret = 'whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD';
    const e = caseOpened(openCase(rating, hall, cal, T0)!);
    const body = webhookBody(e, 'standard', 'https://x.cn');
    const ts = Math.floor(Date.now() / 1000);
    const headers = { 'webhook-id': e.id, 'webhook-timestamp': String(ts), 'webhook-signature': signWebhook(secret, e.id, ts, body) };
    expect(new Webhook(secret).verify(body, headers)).toMatchObject({ type: 'case.opened', data: { caseId: 'r1' } });
    expect(() => new Webhook(secret).verify(body.replace('r1', 'r2'), headers)).toThrow();
  });
  it("a group robot's format is a text message", () => {
    const e = caseOpened(openCase(rating, hall, cal, T0)!);
    const body = JSON.parse(webhookBody(e, 'dingtalk', 'https://x.cn'));
    expect(body.msgtype).toBe('text');
    expect(body.text.content).toContain('https://x.cn/cases/r1');
  });
  it('retries over about a day, then parks', () => {
    const total = RETRY_DELAYS_MS.reduce((a, b) => a + b, 0);
    expect(total / 3_600_000).toBeGreaterThan(20);
    expect(total / 3_600_000).toBeLessThan(30);
    expect(nextAttemptDelay(1)).toBe(5_000);
    expect(nextAttemptDelay(MAX_ATTEMPTS)).toBeUndefined();
  });
});

describe('a matter done online or by phone (issue 16)', () => {
  it('names its pseudo window in words, never `_online`', () => {
    const e = ZEvent.parse({
      id: eventId('case.opened', 'c-1'),
      kind: 'case.opened',
      at: '2026-11-20T02:00:00.000Z',
      hallId: 'h-1',
      caseId: 'c-1',
      windowId: '_online',
      due: '2026-11-23T09:00:00.000Z',
      path: '/cases/c-1',
    });
    expect(eventLine(e, 'zh')).toContain('线上/电话办理');
    expect(eventLine(e, 'en')).toContain('Online / by phone');
    expect(eventLine(e, 'zh') + eventLine(e, 'en')).not.toContain('_online');
  });
});
