/** RFC 9457 problem details: every API error is `application/problem+json` with a specific, stable `type`. */
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

export interface TProblemSpec {
  status: ContentfulStatusCode;
  title: string;
}

export const PROBLEMS = {
  'malformed-request': { status: 400, title: 'The request body is not valid JSON' },
  'payload-too-large': { status: 413, title: 'The request body is larger than this route accepts' },
  'unsupported-media-type': { status: 415, title: 'The request body must be JSON (content-type application/json)' },
  'validation-failed': { status: 422, title: 'Some fields are missing or invalid' },
  'invalid-ticket': { status: 400, title: 'The rating code is not valid (forged, damaged or altered)' },
  'ticket-expired': { status: 410, title: 'The rating code has expired (tickets can be rated for 7 days)' },
  'already-rated': { status: 409, title: 'This visit has already been rated' },
  'placard-limit': { status: 429, title: 'This window was rated from this device less than 2 hours ago' },
  'unknown-hall': { status: 404, title: 'The hall of this rating code no longer exists' },
  'unknown-window': { status: 422, title: 'The window does not belong to this hall' },
  'unknown-service': { status: 422, title: 'The service does not belong to this hall' },
  'window-retired': { status: 422, title: 'The window has been retired and no longer issues tickets' },
  'service-retired': { status: 422, title: 'The service has been retired and no longer issues tickets' },
  'matter-conflict': { status: 409, title: 'That matter number is already registered with other details' },
  unauthorized: { status: 401, title: 'A valid hall API key is required' },
  forbidden: { status: 403, title: 'This key may not read that unit' },
  'sign-in-required': { status: 401, title: 'This route needs a signed-in staff session' },
  'not-scored': { status: 404, title: 'No scores yet for that unit and date (the nightly job has not scored it)' },
  'rate-limited': { status: 429, title: 'Too many requests; slow down and retry later' },
  'not-found': { status: 404, title: 'Nothing is here' },
  internal: { status: 500, title: 'Something went wrong on our side; the request can be retried' },
} as const satisfies Record<string, TProblemSpec>;

export type TProblemType = keyof typeof PROBLEMS;

export function problem(c: Context, type: TProblemType, detail?: string, extra?: Record<string, unknown>): Response {
  const spec = PROBLEMS[type];
  const body = { type: `/problems/${type}`, title: spec.title, status: spec.status, ...(detail ? { detail } : {}), ...extra };
  return c.body(JSON.stringify(body), spec.status, { 'content-type': 'application/problem+json; charset=utf-8' });
}
