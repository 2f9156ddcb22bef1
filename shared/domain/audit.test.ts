import { describe, expect, it } from 'vitest';
import { auditEntry, auditOfCaseTransition, type TAuditEntry } from './audit.js';
import { effectiveCalendar } from './calendar.js';
import { openCase, transition } from './cases.js';

const base: TAuditEntry = {
  at: '2026-12-01T02:00:00.000Z',
  actor: 'u1',
  actorRole: 'admin',
  kind: 'calendar.override_set',
  unit: { type: 'region', id: 'city' },
  targetId: 'city/2026-12-07',
  to: 'closed',
  note: 'city closure',
};

describe('audit entries', () => {
  it('builds a valid entry', () => {
    expect(auditEntry(base)).toEqual(base);
  });
  it('refuses phone numbers, unknown kinds and extra fields', () => {
    expect(() => auditEntry({ ...base, note: 'called 138 1234 5678' })).toThrow(/phone/);
    expect(() => auditEntry({ ...base, to: '13812345678' })).toThrow(/phone/);
    expect(() => auditEntry({ ...base, note: 'tel +86 138-1234-5678' })).toThrow(/phone/);
    expect(() => auditEntry({ ...base, note: '回电0086 13812345678' })).toThrow(/phone/);
  });

  it('accepts a long number that merely contains eleven such digits (a matter number, a date-stamped id)', () => {
    expect(auditEntry({ ...base, targetId: '2026120113812345678' }).targetId).toBe('2026120113812345678');
    expect(() => auditEntry({ ...base, kind: 'misc.thing' })).toThrow(/kind/);
    expect(() => auditEntry({ ...base, comment: 'rude staff' } as TAuditEntry)).toThrow();
    expect(() => auditEntry({ ...base, note: 'x'.repeat(201) })).toThrow();
  });
  it('records a case transition and a phone reveal from the case history, without the phone', () => {
    const hall = { timezone: 'Asia/Shanghai' };
    const cal = effectiveCalendar(['street']);
    const c = openCase(
      {
        ratingId: 'r1',
        channel: 'ticket',
        hallId: 'h1',
        windowId: 'w1',
        createdAt: '',
        day: '2026-11-30',
        overall: 1,
        phoneEnc: 'k.iv.ct.tag',
        phoneMasked: '138****1234',
      },
      hall,
      cal,
      '2026-11-30T02:00:00.000Z',
    )!;
    const ctx = { now: '2026-11-30T03:00:00.000Z', actor: 'm1', hall, cal, regionPath: ['street'] };
    const reveal = transition(c, { type: 'revealPhone' }, ctx);
    expect(transition(c, { type: 'contact', how: 'phone', note: 'called 13812345678' }, ctx)).toMatchObject({
      ok: false,
      code: 'phone_in_text',
    });
    const contact = transition(c, { type: 'contact', how: 'phone', note: 'called, apologised' }, ctx);
    if (!reveal.ok || !contact.ok) throw new Error('refused');
    expect(auditOfCaseTransition(reveal.case, reveal.events, 'manager')).toEqual({
      at: ctx.now,
      actor: 'm1',
      actorRole: 'manager',
      kind: 'case.phone_revealed',
      unit: { type: 'hall', id: 'h1' },
      targetId: 'r1',
      from: 'open',
      to: 'open',
      note: 'revealPhone',
    });
    const a = auditOfCaseTransition(contact.case, contact.events, 'manager');
    expect(a).toMatchObject({ kind: 'case.transition', from: 'open', to: 'contacted', note: 'contact: phone' });
    expect(JSON.stringify(a)).not.toMatch(/1381234/);
  });
});
