/** readFormAll reads a urlencoded form exactly as hono's parseBody({ all: true }) does, and multipart through it. */
import fc from 'fast-check';
import { Hono } from 'hono/tiny';
import { describe, expect, it } from 'vitest';
import { readFormAll } from './form-body.js';

const app = new Hono();
app.post('/fast', async (c) => c.json({ form: (await readFormAll(c)) ?? null }));
app.post('/hono', async (c) => c.json({ form: (await c.req.parseBody({ all: true }).catch(() => undefined)) ?? null }));

const post = async (path: string, body: BodyInit, type?: string) =>
  (await app.request(path, { method: 'POST', body, headers: type ? { 'content-type': type } : {} })).json();

const field = fc.oneof(fc.constantFrom('overall', 'reasons', 'comment', 'x_q1', 'tags[]', 'a.b'), fc.string({ maxLength: 6 }));
const fields = fc.array(fc.tuple(field, fc.string({ maxLength: 12 })), { maxLength: 8 });

describe('readFormAll', () => {
  it('gives what parseBody({ all: true }) gives for any urlencoded form, repeated and [] fields included', async () => {
    await fc.assert(
      fc.asyncProperty(fields, fc.constantFrom('', '; charset=UTF-8'), async (pairs, param) => {
        const body = new URLSearchParams(pairs).toString();
        const type = `application/x-www-form-urlencoded${param}`;
        expect(await post('/fast', body, type)).toEqual(await post('/hono', body, type));
      }),
      { numRuns: 200 },
    );
  });

  it('reads raw bytes the same way too (percent-escapes, plus signs, broken escapes, Chinese text)', async () => {
    for (const body of ['comment=%E7%AA%97%E5%8F%A3+ok', 'a=%ZZ&a=1&b', 'reasons=wait_long&reasons=rude&reasons=', '&&=x&y=']) {
      const type = 'application/x-www-form-urlencoded';
      expect(await post('/fast', body, type)).toEqual(await post('/hono', body, type));
    }
  });

  it('leaves multipart to parseBody, and a damaged multipart body is undefined', async () => {
    const fd = new FormData();
    fd.append('reasons', 'rude');
    fd.append('reasons', 'wait_long');
    fd.append('overall', '2');
    expect(await post('/fast', fd)).toEqual({ form: { reasons: ['rude', 'wait_long'], overall: '2' } });
    expect(await post('/fast', '--x\r\nbroken', 'multipart/form-data; boundary=x')).toEqual({ form: null });
  });
});
