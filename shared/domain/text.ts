/**
 * Free text people type (a resident's comment, the names of halls, windows, services, regions and staff) is cleaned
 * once, on input, by the zod schemas that accept it: control characters (NUL, escape sequences, C1) and the
 * bidirectional overrides, embeddings, isolates and marks (U+202E reorders text on the dashboard) are removed, line
 * breaks become "\n", a tab a space, a lone surrogate U+FFFD. Nothing downstream — storage, pages, CSV, logs — then
 * has to wonder. Single-line fields (names) turn line breaks into spaces.
 */
import * as z from 'zod/mini';

/** Bidi controls: ALM, LRM, RLM, LRE RLE PDF LRO RLO, LRI RLI FSI PDI. */
const BIDI = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/g;
/** C0 controls except tab and line feed, DEL, and the C1 range. */
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/g;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** What a cleaned text never holds (line feed excepted): for checks and tests. */
export const UNSAFE_TEXT = /[\u0000-\u0009\u000B-\u001F\u007F-\u009F\u061C\u200E\u200F\u202A-\u202E\u2028\u2029\u2066-\u2069]/;

/** Multi-line text: CRLF, CR and the Unicode line/paragraph separators become "\n"; other controls go. */
export const cleanText = (s: string): string =>
  s
    .replace(LONE_SURROGATE, '\uFFFD') // first: removing a character between two halves must not pair them
    .replace(/\r\n?|[\u2028\u2029]/g, '\n')
    .replace(/\t/g, ' ')
    .replace(CONTROL, '')
    .replace(BIDI, '');

/** One line of text (a name): as cleanText, and a line break becomes a space. */
export const cleanLine = (s: string): string => cleanText(s).replace(/\n/g, ' ');

/** A multi-line free-text field, cleaned before its length is checked. */
export const ZText = (max: number, tooLong?: string) => z.string().check(z.overwrite(cleanText), z.maxLength(max, tooLong));

/** A one-line free-text field: cleaned, trimmed, then bounded (`min` 1 makes it required). */
export const ZLine = (min: number, max: number) => z.string().check(z.overwrite(cleanLine), z.trim(), z.minLength(min), z.maxLength(max));
