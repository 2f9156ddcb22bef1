/**
 * Request-body caps per route class, checked before anything reads the body (hono/body-limit: the Content-Length
 * when sent, else counted while streaming and cut off at the cap), so a 100 MB post costs nothing but the refusal.
 * The machine API's JSON (a ticket request or a rating is well under 2 KB) gets 413 problem+json; a resident's
 * form post a kind bilingual page; staff forms (the largest: a hall with its opening hours) a plain 413.
 * A request that declares its Content-Length (every browser form and fetch, every queue machine) is judged by the
 * header alone: hono's bodyLimit reads `c.req.raw.body`, which makes @hono/node-server build a full web Request
 * (stream, abort signal) for every post and costs the rating path about a third of its CPU; only bodies without a
 * length (chunked) go through it, counted while streaming.
 */
import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { pickLang } from './pages/i18n.js';
import { nonceOf, notice } from './pages/layout.js';
import { problem } from './problem.js';

export const BODY_LIMITS = { api: 16 * 1024, resident: 16 * 1024, staff: 64 * 1024 } as const;

const tooBigPage = (c: Context) => {
  const lang = pickLang(c.req.query('lang'));
  const [title, body] =
    lang === 'en'
      ? ['That was too much to send', 'Your answer was too long to send. Please shorten the comment and try again.']
      : ['内容太多，无法提交', '您填写的内容太长了，请缩短留言后再提交。Your answer was too long; please shorten it.'];
  return c.html(notice({ lang, nonce: nonceOf(c), icon: 'warn', title, body }), 413);
};

/** One middleware for the whole app: picks the cap by path. Requests without a body pass untouched. */
export function bodyLimits(): MiddlewareHandler {
  const api = bodyLimit({
    maxSize: BODY_LIMITS.api,
    onError: (c) => problem(c, 'payload-too-large', `At most ${BODY_LIMITS.api / 1024} KB per request.`),
  });
  const resident = bodyLimit({ maxSize: BODY_LIMITS.resident, onError: tooBigPage });
  const staff = bodyLimit({ maxSize: BODY_LIMITS.staff, onError: (c) => c.text('Payload too large. 提交的内容过大。', 413) });
  return (c, next) => {
    const method = c.req.method;
    if (method === 'GET' || method === 'HEAD' || method === 'OPTIONS') return next();
    const path = c.req.path;
    const kind = path.startsWith('/api/') ? 'api' : path.startsWith('/r/') || path === '/rate' ? 'resident' : 'staff';
    const declared = c.req.header('content-length');
    if (declared !== undefined && c.req.header('transfer-encoding') === undefined && /^\d+$/.test(declared)) {
      if (Number(declared) <= BODY_LIMITS[kind]) return next();
    }
    return (kind === 'api' ? api : kind === 'resident' ? resident : staff)(c, next);
  };
}
