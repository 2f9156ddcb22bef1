/**
 * One wrapper for every API route: it rate-limits, checks the hall API key when the route needs one, validates the
 * path parameters, the query and the JSON body against the route's zod schemas, and turns every refusal into
 * problem+json — so each route handler is a few lines of product logic and can never forget a check.
 * Budgets are per caller AND per kind of call (reads, minting, ratings): a machine polling GET /hall into 429 never
 * starves its own POST /tickets. Key lookups are not cached: a revoked key stops at the next request, on every
 * Lambda instance (one consistent GetItem per call, the price of revocation at once).
 */
import type { Context } from 'hono';
import * as z from 'zod/mini';
import { hashApiKey } from '../domain/privacy.js';
import type { TApiKeyRecord } from '../storage/api-keys.js';
import { clientAddress } from './client-address.js';
import type { TAppDeps } from './deps.js';
import { problem } from './problem.js';
import { RateLimiter } from './rate-limit.js';
import { getApiKey } from '../storage/api-keys.js';

type TSchema = z.ZodMiniType;
type TOut<S> = S extends TSchema ? z.infer<S> : undefined;

export interface TGuardCtx<B, Q = undefined, P = undefined> {
  body: B;
  /** The query, validated (when the route gives a schema). */
  query: Q;
  /** The path parameters, validated (when the route gives a schema). */
  params: P;
  hallId: string; // '' when the route takes no key
}

/** The kinds of call with separate budgets: reading (GET), minting tickets, posting ratings. */
export type TBudget = 'read' | 'mint' | 'rating';

/**
 * Each issue's sentence (shared/domain/validation.ts words it) with where it is: a body field (`overall`),
 * a query parameter (`query.from`) or a path one (`path.hallId`).
 */
export function issuesOf(err: z.core.$ZodError, where?: 'query' | 'path'): { path: string; message: string }[] {
  return err.issues.map((i) => ({ path: [where, ...i.path].filter((x) => x !== undefined).join('.') || '(body)', message: i.message }));
}

const refused = (c: Context, errors: { path: string; message: string }[]) =>
  problem(c, 'validation-failed', errors.map((e) => e.message).join('; '), { errors });

/**
 * The per-client limiter of one app, shared by the JSON API and the resident form post (POST /r/<token>), so the
 * two paths draw on one budget per client and kind of call: a client cannot double its ratings by mixing them.
 */
const clientLimiters = new WeakMap<TAppDeps, RateLimiter>();
export function clientLimiter(deps: TAppDeps): RateLimiter {
  let l = clientLimiters.get(deps);
  if (!l) {
    l = new RateLimiter(deps.config.RATE_LIMIT_PER_MINUTE, 60_000);
    clientLimiters.set(deps, l);
  }
  return l;
}

export function createGuard(deps: TAppDeps) {
  const now = deps.now ?? Date.now;
  const perMinute = deps.config.RATE_LIMIT_PER_MINUTE;
  const byClient = clientLimiter(deps);
  const byKey = new RateLimiter(perMinute * 10, 60_000);
  const lookupKey = (token: string): Promise<TApiKeyRecord | undefined> => getApiKey(deps.table, hashApiKey(token));

  type TOpt = TSchema | undefined;
  return function route<S extends TOpt, Q extends TOpt = undefined, P extends TOpt = undefined>(
    opts: { auth: 'hall-key' | 'none'; budget: TBudget; body?: S; query?: Q; params?: P },
    handler: (c: Context, g: TGuardCtx<TOut<S>, TOut<Q>, TOut<P>>) => Promise<Response> | Response,
  ) {
    return async (c: Context): Promise<Response> => {
      let hallId = '';
      if (opts.auth === 'hall-key') {
        const m = /^Bearer\s+(\S+)$/i.exec(c.req.header('authorization') ?? '');
        const rec = m ? await lookupKey(m[1]) : undefined;
        if (!rec || rec.revokedAt) {
          c.header('www-authenticate', 'Bearer realm="hall"');
          return problem(c, 'unauthorized', m ? 'The API key is unknown or revoked.' : 'Send "Authorization: Bearer <hall API key>".');
        }
        hallId = rec.hallId;
        if (!byKey.take(`k:${opts.budget}:${hallId}`, now()))
          return problem(c, 'rate-limited', `At most ${perMinute * 10} ${opts.budget} requests a minute per hall key.`);
      } else if (!byClient.take(`a:${opts.budget}:${clientAddress(c)}`, now())) {
        return problem(c, 'rate-limited', `At most ${perMinute} ${opts.budget} requests a minute from one client.`);
      }
      let params: unknown;
      if (opts.params) {
        const parsed = z.safeParse(opts.params, c.req.param());
        if (!parsed.success) return refused(c, issuesOf(parsed.error, 'path'));
        params = parsed.data;
      }
      let query: unknown;
      if (opts.query) {
        const parsed = z.safeParse(opts.query, c.req.query());
        if (!parsed.success) return refused(c, issuesOf(parsed.error, 'query'));
        query = parsed.data;
      }
      let body: unknown;
      if (opts.body) {
        // Only JSON: a text/plain or form post is what another site can send without a CORS preflight.
        const type = (c.req.header('content-type') ?? '').split(';')[0].trim().toLowerCase();
        if (type !== 'application/json')
          return problem(c, 'unsupported-media-type', 'Send the body as JSON with content-type application/json.');
        let raw: unknown;
        try {
          raw = await c.req.json();
        } catch {
          return problem(c, 'malformed-request', 'Send a JSON object with content-type application/json.');
        }
        const parsed = z.safeParse(opts.body, raw);
        if (!parsed.success) return refused(c, issuesOf(parsed.error));
        body = parsed.data;
      }
      return handler(c, { body: body as never, query: query as never, params: params as never, hallId });
    };
  };
}
