import fc from 'fast-check';
import * as z from 'zod/mini';
import { describe, expect, it } from 'vitest';
import { ZHallForm, ZUnitForm, ZUserForm } from './admin.js';
import { ZRatingInput } from './model.js';
import { UNSAFE_TEXT, cleanLine, cleanText } from './text.js';

const wellFormed = (s: string) => !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(s);

/** Any string, weighted towards the characters that matter here. */
const hostile = fc
  .array(
    fc.oneof(
      fc.string({ unit: 'binary' }),
      fc.constantFrom(
        '\u0000',
        '\u0007',
        '\u001b[31m',
        '\r\n',
        '\r',
        '\n',
        '\t',
        '\u007f',
        '\u0085',
        '\u009b',
        '\u202e',
        '\u202a',
        '\u2066',
        '\u2069',
        '\u200f',
        '\u061c',
        '\u2028',
        '\ud800',
        '\udc00',
        '好',
        '👍🏽',
      ),
    ),
    { maxLength: 30 },
  )
  .map((parts) => parts.join(''));

describe('free text is cleaned on input', () => {
  it('removes control and bidi characters, keeps line breaks as "\\n"', () => {
    expect(cleanText('差\u0000评\u202e321\r\n第二行\r第三行\u2028第四行\t完')).toBe('差评321\n第二行\n第三行\n第四行 完');
    expect(cleanText('\u2066a\u2069\u200e\u001b[2J')).toBe('a[2J');
    expect(cleanLine(' 1号窗口\n综合\u202e受理 ')).toBe(' 1号窗口 综合受理 ');
    expect(cleanText('好👍🏽 ok')).toBe('好👍🏽 ok'); // ordinary text and emoji untouched
    expect(cleanText('\ud800\u0000\udc00')).toBe('\ufffd\ufffd'); // two lone halves stay apart once the NUL goes
  });

  it('leaves no unsafe character in any string, is idempotent, and keeps ordinary characters', () => {
    fc.assert(
      fc.property(hostile, (s) => {
        const t = cleanText(s);
        expect(UNSAFE_TEXT.test(t)).toBe(false);
        expect(t.includes('\r')).toBe(false);
        expect(wellFormed(t)).toBe(true);
        expect(cleanText(t)).toBe(t);
        expect(cleanLine(s).includes('\n')).toBe(false);
        // Only what is unsafe goes: the string's other characters stay, in order.
        const ordinary = [...s.replace(/\r\n?|[\u2028\u2029\t]/g, ' ').replace(/\n/g, ' ')]
          .map((ch) => (!wellFormed(ch) ? '\uFFFD' : UNSAFE_TEXT.test(ch) ? '' : ch))
          .join('');
        expect(cleanLine(s)).toBe(ordinary);
      }),
    );
  });

  it('is applied by the schemas: the comment, and every name on the admin forms', () => {
    const rating = z.parse(ZRatingInput, { ticket: 'T.k1.abcdefgh.h.w.-.1.sig', overall: 4, comment: 'A\u0000B\u202eC\r\nD' });
    expect(rating.comment).toBe('ABC\nD');
    const hall = z.parse(ZHallForm, { id: 'h1', name: '大厅\u202e\u0000', nameEn: 'Hall\u2066\n1', regionId: 'r1', timezone: 'UTC' });
    expect([hall.name, hall.nameEn]).toEqual(['大厅', 'Hall 1']);
    expect(z.parse(ZUnitForm, { id: 'w1', name: '\u001b[31m1号\t窗口' }).name).toBe('[31m1号 窗口');
    expect(z.parse(ZUserForm, { id: 'u1', name: '李\u202e四', role: 'admin', scope: '*' }).name).toBe('李四');
    // A name that is nothing but control characters is an empty name: refused.
    expect(z.safeParse(ZUnitForm, { id: 'w1', name: '\u0000\u202e' }).success).toBe(false);
  });
});
