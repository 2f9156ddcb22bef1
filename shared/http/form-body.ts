/**
 * A form post's fields as hono's `c.req.parseBody({ all: true })` gives them (a repeated field, or one named
 * `x[]`, becomes a list), read cheaply for what the survey page posts: an application/x-www-form-urlencoded body
 * is read as text and split by URLSearchParams (the same WHATWG parser FormData uses for it), instead of
 * building a web Request, a Response and a FormData around it on every rating. Other bodies (multipart) go to
 * parseBody. Undefined when the body cannot be read (a damaged multipart post).
 */
import type { Context } from 'hono';

export type TFormFields = Record<string, string | File | (string | File)[]>;

export async function readFormAll(c: Context): Promise<TFormFields | undefined> {
  const type = c.req.header('content-type')?.split(';')[0].trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded') return c.req.parseBody({ all: true }).catch(() => undefined);
  const text = await c.req.text().catch(() => undefined);
  if (text === undefined) return undefined;
  const form: Record<string, string | string[]> = Object.create(null);
  for (const [key, value] of new URLSearchParams(text)) {
    const had = form[key];
    if (had === undefined) form[key] = key.endsWith('[]') ? [value] : value;
    else if (Array.isArray(had)) had.push(value);
    else form[key] = [had, value];
  }
  return form;
}
