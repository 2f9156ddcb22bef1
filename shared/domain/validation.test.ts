import * as z from 'zod/mini';
import { describe, expect, it } from 'vitest';
import { ZHallForm } from './admin.js';
import { ZRatingInput, ZTicketRequest } from './model.js';
import { fieldName } from './validation.js';

const messages = (schema: z.ZodMiniType, v: unknown) => {
  const r = z.safeParse(schema, v);
  return r.success ? [] : r.error.issues.map((i) => i.message);
};
const ticket = 'T.k1.abcdefgh.h.w.-.1.sig';

describe('validation messages name the field and say what is wrong', () => {
  it('missing fields are required', () => {
    expect(messages(ZTicketRequest, {})).toEqual(['windowId is required']);
    expect(messages(ZRatingInput, { ticket })).toEqual(['overall is required']);
    expect(messages(ZRatingInput, { overall: 4 })).toEqual(['ticket is required']);
  });

  it('wrong types say the type wanted', () => {
    expect(messages(ZTicketRequest, { windowId: 5 })).toEqual(['windowId must be text']);
    expect(messages(ZRatingInput, { ticket, overall: '4' })).toEqual(['overall must be a whole number 1–5']);
    expect(messages(ZRatingInput, { ticket, overall: 4.5 })).toEqual(['overall must be a whole number 1–5']);
    expect(messages(ZRatingInput, { ticket, overall: 4, reasons: 'fast' })).toEqual(['reasons must be a list']);
    expect(messages(ZTicketRequest, [])).toEqual(['the body must be an object']);
  });

  it('out-of-range values say the range', () => {
    expect(messages(ZRatingInput, { ticket, overall: 9 })).toEqual(['overall must be 1–5']);
    expect(messages(ZRatingInput, { ticket, overall: 4, attitude: 0 })).toEqual(['attitude must be 1–5']);
    expect(messages(ZRatingInput, { ticket, overall: 4, trips: 4 })).toEqual(['trips must be 1, 2 or 3']);
    expect(messages(ZTicketRequest, { windowId: 'w1', visitRef: 'x'.repeat(65) })).toEqual(['visitRef must be at most 64 characters']);
    expect(messages(ZTicketRequest, { windowId: 'w1', visitRef: '' })).toEqual(['visitRef must not be empty']);
    expect(messages(ZTicketRequest, { windowId: 'w 1' })).toEqual(['windowId must be 1–40 letters, digits, "_" or "-"']);
  });

  it('bad choices list the allowed values', () => {
    expect(messages(ZRatingInput, { ticket, overall: 4, done: 'maybe' })).toEqual(['done must be "yes", "partly" or "no"']);
    expect(messages(ZRatingInput, { ticket, overall: 4, lang: 'fr' })).toEqual(['lang must be "zh" or "en"']);
    expect(messages(ZRatingInput, { ticket, overall: 4, reasons: ['nope'] })[0]).toMatch(/^reasons\[0\] must be one of "wait_long", /);
    expect(messages(ZRatingInput, { ticket, overall: 4, contact: { phone: '13800138000', consent: false } })).toEqual([
      'contact.consent must be true',
    ]);
  });

  it('never says only "Invalid input"', () => {
    for (const v of [
      {},
      { ticket: 1, overall: null, attitude: 'x', trips: '1', done: 1, reasons: [1], comment: 5, contact: {}, lang: 1, submissionId: 1 },
    ]) {
      for (const m of messages(ZRatingInput, v)) expect(m).not.toMatch(/invalid input/i);
    }
    for (const m of messages(ZHallForm, { id: 1, name: 2, regionId: 3, timezone: 4, open: 5 })) expect(m).not.toMatch(/invalid input/i);
  });

  it('spells paths as people read them', () => {
    expect(fieldName([])).toBe('the body');
    expect(fieldName(['contact', 'phone'])).toBe('contact.phone');
    expect(fieldName(['reasons', 0])).toBe('reasons[0]');
  });
});
