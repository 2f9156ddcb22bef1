/**
 * Builds the OpenAPI 3.1 document from the same zod schemas that validate requests. Run by `npm run openapi`
 * into openapi.generated.json (a test fails if that file drifts from the schemas): zod's JSON-schema
 * generator is ~20 KB that the Lambda bundle need not carry.
 */
import * as z from 'zod/mini';
import { ZHallView, ZProblem, ZRatingCreated, ZRatingInput, ZTicketIssued, ZTicketRequest } from '../domain/model.js';
import { ZCaseDetail, ZCaseList } from './case-api.js';
import { ZMatterRegistered, ZMatterRequest } from '../domain/matters.js';
import { PROBLEMS, type TProblemType } from './problem.js';

const schema = (s: z.ZodMiniType, io: 'input' | 'output' = 'output') => {
  const { $schema: _drop, ...rest } = z.toJSONSchema(s, { io, unrepresentable: 'any' }) as Record<string, unknown>;
  return rest;
};

const problems = (...types: TProblemType[]) =>
  Object.fromEntries(
    types.map((t) => [
      String(PROBLEMS[t].status),
      {
        description: `${t}: ${PROBLEMS[t].title}`,
        content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
      },
    ]),
  );

// Several problem types share a status code; the description lists them all.
const merge = (...groups: Record<string, { description: string; content: unknown }>[]) => {
  const out: Record<string, { description: string; content: unknown }> = {};
  for (const g of groups)
    for (const [code, v] of Object.entries(g))
      out[code] = out[code] ? { ...v, description: `${out[code].description}; ${v.description}` } : v;
  return out;
};

/** `extra` is checked by hand in model.ts (smaller bundle than z.record), so its JSON schema is written out here. */
function ratingInputSchema() {
  const s = schema(ZRatingInput, 'input') as { properties: Record<string, unknown> };
  const code = { type: 'string', pattern: '^[a-z][a-z0-9_]{0,23}$' };
  s.properties.extra = {
    type: 'object',
    description: "Answers to the hall's survey definition's extra questions: question code → option code (never scored).",
    propertyNames: code,
    additionalProperties: code,
    maxProperties: 3,
  };
  return s;
}

export function buildOpenApiDocument(): Record<string, unknown> {
  return {
    openapi: '3.1.0',
    info: {
      title: 'Service Temperature API (服务温度)',
      version: '1.0.0',
      description:
        'Machine API for queue machines and window systems (hall API key), ' +
        "and the rating endpoint that residents' pages call. Errors are RFC 9457 application/problem+json.",
    },
    components: {
      securitySchemes: {
        hallKey: { type: 'http', scheme: 'bearer', description: 'Per-hall API key (st_…), stored hashed.' },
        staffSession: { type: 'apiKey', in: 'cookie', name: 'st_session', description: 'Signed staff session from the dashboard sign-in.' },
      },
      schemas: {
        RatingInput: ratingInputSchema(),
        RatingCreated: schema(ZRatingCreated),
        TicketRequest: schema(ZTicketRequest, 'input'),
        TicketIssued: schema(ZTicketIssued),
        HallView: schema(ZHallView),
        Problem: schema(ZProblem),
        CaseList: schema(ZCaseList),
        CaseDetail: schema(ZCaseDetail),
        MatterRequest: schema(ZMatterRequest, 'input'),
        MatterRegistered: schema(ZMatterRegistered),
      },
    },
    paths: {
      '/api/v1/hall': {
        get: {
          summary: "The API key's hall with its windows (and their placard URLs) and services, so a queue machine can configure itself.",
          security: [{ hallKey: [] }],
          responses: {
            200: { description: 'The hall', content: { 'application/json': { schema: { $ref: '#/components/schemas/HallView' } } } },
            ...merge(problems('unauthorized', 'rate-limited', 'unknown-hall')),
          },
        },
      },
      '/api/v1/tickets': {
        post: {
          summary: 'Mint a one-time rating ticket for a served visit (valid 7 days); print or show its QR code.',
          security: [{ hallKey: [] }],
          requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/TicketRequest' } } } },
          responses: {
            201: {
              description: 'Ticket issued',
              content: { 'application/json': { schema: { $ref: '#/components/schemas/TicketIssued' } } },
            },
            ...merge(
              problems('malformed-request', 'unauthorized', 'rate-limited', 'unknown-hall'),
              problems('validation-failed'),
              problems('payload-too-large', 'unsupported-media-type'),
              problems('unknown-window'),
              problems('unknown-service'),
              problems('window-retired'),
              problems('service-retired'),
            ),
          },
        },
      },
      '/api/v1/matters': {
        post: {
          summary:
            'Register a finished matter handled online or by phone (channel link): the resident rates it at /rate by its ' +
            'number (and the last 4 phone digits when given), once, within 7 days. Idempotent by matterNo: the same request ' +
            'again answers 200 with the first answer; the same number with other details is 409.',
          security: [{ hallKey: [] }],
          requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/MatterRequest' } } } },
          responses: {
            200: {
              description: 'Already registered (the first answer)',
              content: { 'application/json': { schema: { $ref: '#/components/schemas/MatterRegistered' } } },
            },
            201: {
              description: 'Matter registered',
              content: { 'application/json': { schema: { $ref: '#/components/schemas/MatterRegistered' } } },
            },
            ...merge(
              problems('malformed-request', 'unauthorized', 'rate-limited', 'unknown-hall'),
              problems('validation-failed', 'unknown-window', 'unknown-service'),
              problems('payload-too-large', 'unsupported-media-type', 'matter-conflict'),
            ),
          },
        },
      },
      '/api/v1/ratings': {
        post: {
          summary:
            'Submit a rating for a ticket or placard code. No key: residents call it from the page. ' +
            'A retry with the same submissionId returns the original answer. A bad rating (overall 1–2) needs at least one reason.',
          requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/RatingInput' } } } },
          responses: {
            201: {
              description: 'Rating stored',
              content: { 'application/json': { schema: { $ref: '#/components/schemas/RatingCreated' } } },
            },
            ...merge(
              problems('malformed-request', 'invalid-ticket'),
              problems('validation-failed'),
              problems('payload-too-large', 'unsupported-media-type'),
              problems('ticket-expired', 'already-rated', 'unknown-hall'),
              problems('placard-limit', 'rate-limited'),
            ),
          },
        },
      },
      '/api/v1/halls/{hallId}/scores': {
        get: {
          summary:
            "The hall's nightly figures per day (temperature with its 90% interval and band, dimensions, rates with Wilson intervals). " +
            'Query: from, to (YYYY-MM-DD; default the last 90 scored days). A hall key reads its own hall only.',
          security: [{ hallKey: [] }],
          parameters: [
            { name: 'hallId', in: 'path', required: true, schema: { type: 'string' } },
            { name: 'from', in: 'query', schema: { type: 'string', format: 'date' } },
            { name: 'to', in: 'query', schema: { type: 'string', format: 'date' } },
          ],
          responses: {
            200: { description: '{ hallId, from, to, days: [figures…] }' },
            ...merge(problems('unauthorized', 'forbidden', 'not-scored', 'validation-failed')),
          },
        },
      },
      '/api/v1/regions/{regionId}/scores': {
        get: {
          summary:
            'Refused: a hall API key reads its own hall only (GET /api/v1/halls/{hallId}/scores). ' +
            'Staff read a region with their session: GET /api/v1/regions/{regionId}/report.',
          deprecated: true,
          security: [{ hallKey: [] }],
          parameters: [{ name: 'regionId', in: 'path', required: true, schema: { type: 'string' } }],
          responses: { ...merge(problems('forbidden')) },
        },
      },
      '/api/v1/me': {
        get: {
          summary: 'The signed-in staff user (role and scope).',
          security: [{ staffSession: [] }],
          responses: { 200: { description: '{ id, name, role, scope }' }, ...merge(problems('sign-in-required')) },
        },
      },
      '/api/v1/halls/{hallId}/report': {
        get: {
          summary:
            "A hall's figures on a date (default: the last scored night), as `npm run report` prints them. " +
            "Scope-checked: a unit outside the user's scope is 404.",
          security: [{ staffSession: [] }],
          parameters: [
            { name: 'hallId', in: 'path', required: true, schema: { type: 'string' } },
            { name: 'date', in: 'query', schema: { type: 'string', format: 'date' } },
          ],
          responses: {
            200: { description: 'The hall report' },
            ...merge(problems('sign-in-required'), problems('not-found', 'not-scored'), problems('validation-failed')),
          },
        },
      },
      '/api/v1/regions/{regionId}/report': {
        get: {
          summary: "A region's figures and its child units' on a date. Scope-checked like the pages.",
          security: [{ staffSession: [] }],
          parameters: [
            { name: 'regionId', in: 'path', required: true, schema: { type: 'string' } },
            { name: 'date', in: 'query', schema: { type: 'string', format: 'date' } },
          ],
          responses: {
            200: { description: '{ regionId, date, region, children }' },
            ...merge(problems('sign-in-required'), problems('not-found', 'not-scored'), problems('validation-failed')),
          },
        },
      },
      '/api/v1/cases': {
        get: {
          summary:
            "The case queue of a hall or region (default: the user's own scope), overdue and due today first, then by nearest deadline; " +
            'closed cases only with state=closed. Scope-checked like the reports: a unit outside the scope is 404. ' +
            'The phone never appears.',
          security: [{ staffSession: [] }],
          parameters: [
            { name: 'hallId', in: 'query', schema: { type: 'string' } },
            { name: 'regionId', in: 'query', schema: { type: 'string' } },
            { name: 'state', in: 'query', schema: { type: 'string', enum: ['open', 'contacted', 'rectified', 'appealed', 'closed'] } },
            { name: 'overdue', in: 'query', schema: { type: 'boolean' } },
            { name: 'page', in: 'query', schema: { type: 'integer', minimum: 1 }, description: '100 cases a page' },
          ],
          responses: {
            200: { description: 'The cases', content: { 'application/json': { schema: { $ref: '#/components/schemas/CaseList' } } } },
            ...merge(problems('sign-in-required'), problems('not-found'), problems('validation-failed')),
          },
        },
      },
      '/api/v1/cases/{caseId}': {
        get: {
          summary: 'One case with its history; the phone only masked (138****1234). A case outside the scope is 404.',
          security: [{ staffSession: [] }],
          parameters: [{ name: 'caseId', in: 'path', required: true, schema: { type: 'string' } }],
          responses: {
            200: { description: 'The case', content: { 'application/json': { schema: { $ref: '#/components/schemas/CaseDetail' } } } },
            ...merge(problems('sign-in-required'), problems('not-found')),
          },
        },
      },
      '/health': {
        get: {
          summary: 'Liveness and storage state',
          responses: { 200: { description: 'Healthy' }, 503: { description: 'Storage unreachable' } },
        },
      },
    },
  };
}
