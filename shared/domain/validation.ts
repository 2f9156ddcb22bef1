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

const TYPES: Record<string, string> = {
  string: 'text', number: 'a number', int: 'a whole number', boolean: 'true or false', object: 'an object', array: 'a list', bigint: 'a whole number',
};
const show = (v: unknown) => (typeof v === 'string' ? `"${v}"` : String(v));
const either = (values: readonly unknown[]) =>
  values.length === 1 ? show(values[0]) : `${values.length > 3 ? 'one of ' : ''}${values.slice(0, -1).map(show).join(', ')} or ${show(values.at(-1))}`;
const count = (n: number, unit: string) => `${n} ${unit}${n === 1 ? '' : 's'}`;

/** What is wrong, after the field's name. */
function predicate(iss: TRawIssue): string {
  switch (iss.code) {
    case 'invalid_type':
      return iss.input === undefined ? 'is required' : `must be ${TYPES[iss.expected] ?? iss.expected}`;
    case 'too_small': {
      const n = Number(iss.minimum);
      if (iss.origin === 'string') return n === 1 ? 'must not be empty' : `must be at least ${count(n, 'character')}`;
      if (iss.origin === 'array' || iss.origin === 'set') return `must have at least ${count(n, 'item')}`;
      return iss.inclusive === false ? `must be more than ${n}` : `must be at least ${n}`;
    }
    case 'too_big': {
      const n = Number(iss.maximum);
      if (iss.origin === 'string') return `must be at most ${count(n, 'character')}`;
      if (iss.origin === 'array' || iss.origin === 'set') return `must have at most ${count(n, 'item')}`;
      return iss.inclusive === false ? `must be less than ${n}` : `must be at most ${n}`;
    }
    case 'invalid_value':
      return `must be ${either(iss.values)}`;
    case 'invalid_format':
      if (iss.format === 'email') return 'must be an email address';
      if (iss.format === 'url') return 'must be a URL';
      return iss.format === 'regex' ? 'is not in the expected format' : `must be a valid ${iss.format}`;
    case 'invalid_union': {
      // A union of literals (1 | 2 | 3) reads as its values.
      const values = iss.errors.flat().flatMap((e) => (e.code === 'invalid_value' && e.path.length === 0 ? e.values : [undefined]));
      return values.length && !values.includes(undefined) ? `must be ${either(values)}` : 'does not match any accepted form';
    }
    case 'not_multiple_of':
      return `must be a multiple of ${String(iss.divisor)}`;
    case 'unrecognized_keys':
      return `has unknown field${iss.keys.length === 1 ? '' : 's'} ${iss.keys.join(', ')}`;
    case 'invalid_key':
      return 'has a key that is not valid';
    case 'invalid_element':
      return 'has an element that is not valid';
    default:
      return 'is not valid';
  }
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
