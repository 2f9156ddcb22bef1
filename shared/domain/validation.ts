/**
 * Every validation message names the field and says what is wrong in words ("windowId is required", "overall must
 * be 1–5"). zod/mini ships no locale, so without this every issue reads "Invalid input". The messages are made
 * here, once, from the issue's code, and registered as zod's global error map on import: a schema only adds its own
 * wording where the generic one would be vague (`says`), and the API's problem+json, the CLI and the config errors
 * all read the same sentences.
 */
import * as z from 'zod/mini';

type TRawIssue = z.core.$ZodRawIssue;

/** "windowId", "contact.phone", "reasons[0]"; the whole input is "the body". */
export function fieldName(path: readonly PropertyKey[] | undefined): string {
  if (!path?.length) return 'the body';
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i ? '.' : ''}${String(p)}`)).join('');
}

const TYPES: Record<string, string> = { string: 'text', number: 'a number', int: 'a whole number', object: 'an object', array: 'a list' };
const either = (values: readonly unknown[]) => {
  const shown = values.map((v) => (typeof v === 'string' ? `"${v}"` : String(v)));
  return `${shown.length > 3 ? 'one of ' : ''}${shown.length > 1 ? `${shown.slice(0, -1).join(', ')} or ` : ''}${shown.at(-1)}`;
};

/** What is wrong, after the field's name. Codes the schemas here cannot raise read "is not valid". */
function predicate(iss: TRawIssue): string {
  switch (iss.code) {
    case 'invalid_type':
      return iss.input === undefined ? 'is required' : `must be ${TYPES[iss.expected] ?? iss.expected}`;
    case 'too_small':
    case 'too_big': {
      const small = iss.code === 'too_small';
      const n = Number(small ? iss.minimum : iss.maximum);
      if (small && n === 1 && iss.origin === 'string') return 'must not be empty';
      const unit = iss.origin === 'string' ? ' character' : iss.origin === 'array' ? ' item' : '';
      return `must ${unit === ' item' ? 'have' : 'be'} ${small ? 'at least' : 'at most'} ${n}${unit}${unit && n !== 1 ? 's' : ''}`;
    }
    case 'invalid_value':
      return `must be ${either(iss.values)}`;
    case 'invalid_format':
      return `is not a valid ${iss.format === 'regex' ? 'value' : iss.format}`;
    case 'invalid_union': {
      // A union of literals (1 | 2 | 3) reads as its values.
      const values = iss.errors.flat().flatMap((e) => (e.code === 'invalid_value' ? e.values : [undefined]));
      if (values.length && !values.includes(undefined)) return `must be ${either(values)}`;
    }
  }
  return 'is not valid';
}

/** The sentence for an issue that has no message of its own: its field's name, then what is wrong. */
export const issueMessage = (iss: TRawIssue): string => `${fieldName(iss.path)} ${predicate(iss)}`;

/**
 * A schema's own wording for what is wrong, completed with the field's name: `z.gte(1, says('must be 1–5'))` →
 * "overall must be 1–5". A missing field still reads "… is required".
 */
export const says = (what: string) => ({
  error: (iss: TRawIssue) => (iss.code === 'invalid_type' && iss.input === undefined ? undefined : `${fieldName(iss.path)} ${what}`),
});

z.config({ customError: issueMessage });
