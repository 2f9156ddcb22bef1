/**
 * The bounded hostile-request fuzz (issue 11, kept in the suite and in `npm run bench`): fast-check builds requests
 * for every public route (machine API, resident pages, health) from every body schema's fields with hostile values,
 * wrong types, wrong content types, forged or damaged tokens and keys. Every answer must be below 500, and a refused
 * request (4xx) must leave the table exactly as it was (its item count and content hash unchanged).
 */
import { createHash } from 'node:crypto';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import fc from 'fast-check';
import type { TTable } from '../shared/storage/db.js';

export interface TFuzzTarget {
  app: { request: (input: string | Request, init?: RequestInit) => Response | Promise<Response> };
  table: TTable;
  apiKey: string;
  /** A fresh valid ticket and placard token of the target's hall. */
  tokens: () => Promise<{ ticket: string; placard: string }>;
}

/** Every item of the table, hashed: what a refused request must not change. */
async function tableHash(t: TTable): Promise<string> {
  const h = createHash('sha256');
  let start: Record<string, never> | undefined;
  const items: string[] = [];
  do {
    const page = await t.db.send(new ScanCommand({ TableName: t.name, ExclusiveStartKey: start }));
    for (const i of page.Items ?? []) items.push(JSON.stringify(i, Object.keys(i).sort()));
    start = page.LastEvaluatedKey as typeof start;
  } while (start);
  for (const s of items.sort()) h.update(s);
  return `${items.length}:${h.digest('hex')}`;
}

const hostile = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom('', ' ', '\u0000', '\u202e', '<script>alert(1)</script>', "'; DROP TABLE x; --", '../../etc/passwd', '%00', '-1'),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string(), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 3 }),
);

const ratingFields = ['ticket', 'overall', 'attitude', 'efficiency', 'competence', 'trips', 'done', 'reasons', 'comment'] as const;
const moreRatingFields = ['contact', 'lang', 'submissionId', '__proto__', 'constructor'] as const;
const ticketFields = ['windowId', 'serviceId', 'visitRef'] as const;

type TReq = { method: string; path: string; key: 'valid' | 'bad' | 'none'; type: string; body?: string };

/** Requests over every public route; `tok` replaced at run time by a fresh valid ticket, `plc` by a placard. */
const requests: fc.Arbitrary<TReq> = fc.oneof(
  // POST /api/v1/ratings: a valid rating with fields overwritten or dropped, or something else entirely
  fc.record({
    method: fc.constant('POST'),
    path: fc.constant('/api/v1/ratings'),
    key: fc.constantFrom('valid' as const, 'none' as const),
    type: fc.constantFrom('application/json', 'application/json; charset=utf-8', 'text/plain', 'application/x-www-form-urlencoded', ''),
    body: fc.oneof(
      fc
        .record({
          set: fc.dictionary(fc.constantFrom(...ratingFields, ...moreRatingFields), hostile, { maxKeys: 3 }),
          drop: fc.subarray([...ratingFields]),
          token: fc.constantFrom('tok', 'plc', 'T.k1.forged', 'tok-damaged'),
          overall: fc.integer({ min: 0, max: 6 }),
        })
        .map(({ set, drop, token, overall }) => {
          const base: Record<string, unknown> = { ticket: token, overall, reasons: ['wait_long'], comment: '好' };
          for (const d of drop) delete base[d];
          return JSON.stringify({ ...base, ...set });
        }),
      fc.json(),
      fc.string(),
    ),
  }),
  // POST /api/v1/tickets
  fc.record({
    method: fc.constant('POST'),
    path: fc.constant('/api/v1/tickets'),
    key: fc.constantFrom('valid' as const, 'bad' as const, 'none' as const),
    type: fc.constantFrom('application/json', 'text/plain', ''),
    body: fc.oneof(
      fc.dictionary(fc.constantFrom(...ticketFields), hostile, { maxKeys: 3 }).map((b) => JSON.stringify(b)),
      fc.json(),
    ),
  }),
  // reads of the machine API, with hostile path segments and queries
  fc.record({
    method: fc.constantFrom('GET', 'DELETE', 'PUT'),
    path: fc.oneof(
      fc.constant('/api/v1/hall'),
      fc.string({ maxLength: 12 }).map((s) => `/api/v1/halls/${encodeURIComponent(s)}/scores`),
      fc.constantFrom('/api/v1/halls/h-test/scores?from=2026-13-01', '/api/v1/halls/h-test/scores?to=x&from=y'),
      fc.string({ maxLength: 12 }).map((s) => `/api/v1/regions/${encodeURIComponent(s)}/scores`),
      fc.string({ maxLength: 20 }).map((s) => `/api/v1/${encodeURIComponent(s)}`),
      fc.constantFrom('/health', '/api/v1/openapi.json'),
    ),
    key: fc.constantFrom('valid' as const, 'bad' as const, 'none' as const),
    type: fc.constant(''),
  }),
  // resident pages: survey, its no-JavaScript form post, QR image, placard
  fc.record({
    method: fc.constantFrom('GET', 'POST'),
    path: fc
      .tuple(fc.constantFrom('tok', 'plc', 'tok-damaged', 'T.k9.x', ''), fc.constantFrom('', '/qr.svg', '/placard', '?lang=en', '?lang=xx'))
      .map(([t, s]) => `/r/${t}${s}`),
    key: fc.constant('none' as const),
    type: fc.constantFrom('application/x-www-form-urlencoded', 'multipart/form-data; boundary=zz', 'text/plain', ''),
    body: fc
      .dictionary(fc.constantFrom('overall', 'reasons', 'comment', 'phone', 'consent', 'submissionId', 'lang'), fc.string(), { maxKeys: 4 })
      .map((d) => new URLSearchParams(d).toString()),
  }),
);

export interface TFuzzResult {
  requests: number;
  fiveXx: number;
  /** Refused requests after which the table was not as before. */
  refusedButStored: number;
  failures: string[];
}

/** Runs `numRuns` generated requests against the target. Never throws for a finding: the result counts them. */
export async function fuzzRoutes(target: TFuzzTarget, numRuns: number, seed = 11): Promise<TFuzzResult> {
  const out: TFuzzResult = { requests: 0, fiveXx: 0, refusedButStored: 0, failures: [] };
  await fc.assert(
    fc.asyncProperty(requests, async (r) => {
      const { ticket, placard } = await target.tokens();
      const fill = (s: string) =>
        s
          .replaceAll('tok-damaged', `${ticket.slice(0, -2)}xx`)
          .replaceAll('tok', ticket)
          .replaceAll('plc', placard);
      const headers: Record<string, string> = {};
      if (r.type) headers['content-type'] = r.type;
      if (r.key === 'valid') headers.authorization = `Bearer ${target.apiKey}`;
      if (r.key === 'bad') headers.authorization = 'Bearer st_forged_key_0000000000';
      const before = await tableHash(target.table);
      const res = await target.app.request(fill(r.path), {
        method: r.method,
        headers,
        ...(r.body !== undefined && r.method !== 'GET' ? { body: fill(r.body) } : {}),
      });
      await res.arrayBuffer();
      out.requests++;
      const what = `${r.method} ${r.path} ${r.type} ${r.body?.slice(0, 80) ?? ''} → ${res.status}`;
      if (res.status >= 500) {
        out.fiveXx++;
        out.failures.push(what);
      } else if (res.status >= 400 && (await tableHash(target.table)) !== before) {
        out.refusedButStored++;
        out.failures.push(`stored: ${what}`);
      }
    }),
    { numRuns, seed, endOnFailure: true },
  );
  return out;
}
