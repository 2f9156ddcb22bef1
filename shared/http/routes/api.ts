/** The machine API (v1): queue machines configure themselves and mint tickets; resident pages post ratings. */
import { Hono } from 'hono/tiny';
import * as z from 'zod/mini';
import { ZId, ZRatingInput, ZTicketRequest, type THallView, type TTicketIssued } from '../../domain/model.js';
import { keyedHash } from '../../domain/privacy.js';
import { isDay, localDay, addDays, daysBetween } from '../../domain/time.js';
import { unitId } from '../../domain/aggregate.js';
import { unitTrend } from '../../scoring/report.js';
import { TICKET_TTL_MS, newTicketId, signPlacard, signTicket } from '../../domain/tokens.js';
import { acceptRating } from '../../services/ratings.js';
import { baseUrl } from '../base-url.js';
import type { TCatalogueLookup } from '../catalogue-cache.js';
import { clientAddress } from '../client-address.js';
import type { TAppDeps } from '../deps.js';
import { createGuard } from '../guard.js';
import { problem } from '../problem.js';
import { securedJson } from '../secure-headers.js';
import { DEVICE_COOKIE, readCookie } from './resident.js';
import { getHallCatalogue } from '../../storage/catalogue.js';
import { countIssuedTicket, recordVisit } from '../../storage/tickets.js';
import { LINK_WINDOW, ZMatterRequest, matterKey, phoneDigitsHash, type TMatterRegistered } from '../../domain/matters.js';
import { registerMatter, type TMatter } from '../../storage/matters.js';
import { lastCompletedRun } from '../../storage/scores.js';

/** `catalogue`: the app's one catalogue cache, shared with the resident pages. */
export function apiRoutes(deps: TAppDeps, catalogue: TCatalogueLookup) {
  const now = deps.now ?? Date.now;
  const route = createGuard(deps);
  const api = new Hono();

  api.get(
    '/hall',
    route({ auth: 'hall-key', budget: 'read' }, async (c, { hallId }) => {
      const cat = await getHallCatalogue(deps.table, hallId);
      if (!cat) return problem(c, 'unknown-hall', `Hall ${hallId} of this key no longer exists.`);
      const base = baseUrl(c, deps.config);
      const view: THallView = {
        id: cat.hall.id,
        name: cat.hall.name,
        regionId: cat.hall.regionId,
        timezone: cat.hall.timezone,
        // Retired windows and services start no new visits; the machine never offers them.
        windows: cat.windows
          .filter((w) => !w.retiredAt)
          .map((w) => ({ id: w.id, name: w.name, placardUrl: `${base}/r/${signPlacard(deps.keyring, { hallId, windowId: w.id })}` })),
        services: cat.services.filter((s) => !s.retiredAt).map((s) => ({ id: s.id, name: s.name })),
      };
      return c.json(view);
    }),
  );

  api.post(
    '/tickets',
    route({ auth: 'hall-key', budget: 'mint', body: ZTicketRequest }, async (c, { body, hallId }) => {
      const cat = await catalogue(hallId);
      if (!cat) return problem(c, 'unknown-hall', `Hall ${hallId} of this key no longer exists.`);
      const win = cat.windows.find((w) => w.id === body.windowId);
      if (!win) return problem(c, 'unknown-window', `Window "${body.windowId}" is not a window of hall ${hallId}.`);
      if (win.retiredAt)
        return problem(
          c,
          'window-retired',
          `Window "${body.windowId}" of hall ${hallId} was retired on ${win.retiredAt.slice(0, 10)}; ` +
            'refresh the window list (GET /api/v1/hall).',
        );
      const service = body.serviceId ? cat.services.find((s) => s.id === body.serviceId) : undefined;
      if (body.serviceId && !service) return problem(c, 'unknown-service', `Service "${body.serviceId}" is not offered by hall ${hallId}.`);
      if (service?.retiredAt)
        return problem(
          c,
          'service-retired',
          `Service "${body.serviceId}" of hall ${hallId} was retired on ${service.retiredAt.slice(0, 10)}; ` +
            'refresh the service list (GET /api/v1/hall).',
        );
      const issuedAt = Math.floor(now() / 1000) * 1000;
      const day = localDay(issuedAt, cat.hall.timezone);
      // With the machine's own visit reference, a retried request maps to the same ticket id and is counted once.
      const visitKey = body.visitRef ? keyedHash(deps.keyring, 'visit', hallId, day, body.visitRef) : undefined;
      const ticketId = visitKey ? `v${visitKey.slice(0, 15)}` : newTicketId();
      const ticket = signTicket(deps.keyring, { ticketId, hallId, windowId: body.windowId, serviceId: body.serviceId, issuedAt });
      if (!visitKey || (await recordVisit(deps.table, hallId, day, visitKey, issuedAt + TICKET_TTL_MS)))
        await countIssuedTicket(deps.table, hallId, day, body.windowId, body.serviceId);
      const base = baseUrl(c, deps.config);
      const out: TTicketIssued = {
        ticketId,
        ticket,
        url: `${base}/r/${ticket}`,
        qrSvgUrl: `${base}/r/${ticket}/qr.svg`,
        expiresAt: new Date(issuedAt + TICKET_TTL_MS).toISOString(),
      };
      return c.json(out, 201, { location: out.url });
    }),
  );

  /** The link channel: a business system registers a finished matter; idempotent by matterNo (SPEC §3). */
  api.post(
    '/matters',
    route({ auth: 'hall-key', budget: 'mint', body: ZMatterRequest }, async (c, { body, hallId }) => {
      const cat = await catalogue(hallId);
      if (!cat) return problem(c, 'unknown-hall', `Hall ${hallId} of this key no longer exists.`);
      if (body.windowId && !cat.windows.some((w) => w.id === body.windowId))
        return problem(c, 'unknown-window', `Window "${body.windowId}" is not a window of hall ${hallId}.`);
      if (!cat.services.some((s) => s.id === body.serviceId))
        return problem(c, 'unknown-service', `Service "${body.serviceId}" is not offered by hall ${hallId}.`);
      const registeredAt = Math.floor(now() / 1000) * 1000;
      const key = matterKey(deps.keyring, hallId, body.matterNo);
      const m: TMatter = {
        hallId,
        key,
        serviceId: body.serviceId,
        windowId: body.windowId,
        p4: body.phoneLast4 ? phoneDigitsHash(deps.keyring, key, body.phoneLast4) : undefined,
        registeredAt,
        expiresAt: registeredAt + TICKET_TTL_MS,
      };
      const put = await registerMatter(deps.table, m, registeredAt);
      const live = put.created ? m : put.existing;
      if (!put.created && (live.serviceId !== m.serviceId || live.windowId !== m.windowId || live.p4 !== m.p4))
        return problem(c, 'matter-conflict', `Matter ${body.matterNo} is already registered with other details; a matter is rated once.`);
      // A registered matter is a rating invitation, like a ticket: it counts toward the active-rating rate once.
      if (put.created)
        await countIssuedTicket(
          deps.table,
          hallId,
          localDay(registeredAt, cat.hall.timezone),
          body.windowId ?? LINK_WINDOW,
          body.serviceId,
        );
      const out: TMatterRegistered = {
        matterNo: body.matterNo,
        rateUrl: `${baseUrl(c, deps.config)}/rate?hall=${hallId}`,
        registeredAt: new Date(live.registeredAt).toISOString(),
        expiresAt: new Date(live.expiresAt).toISOString(),
      };
      return c.json(out, put.created ? 201 : 200);
    }),
  );

  api.post(
    '/ratings',
    route({ auth: 'none', budget: 'rating', body: ZRatingInput }, async (c, { body }) => {
      const result = await acceptRating({ table: deps.table, keyring: deps.keyring, now, catalogue }, body, {
        deviceId: readCookie(c, DEVICE_COOKIE),
        address: clientAddress(c),
        userAgent: c.req.header('user-agent'),
      });
      if (!result.ok && result.refusal === 'invalid-answers')
        return problem(c, 'validation-failed', result.errors.map((e) => e.message).join('; '), { errors: result.errors });
      if (!result.ok) return problem(c, result.refusal, refusalDetail[result.refusal]);
      return securedJson(201, { ratingId: result.ratingId }); // the hot path: headers precomputed (secure-headers.ts)
    }),
  );

  /** A hall's daily figures over a date range (default: the last 90 scored days). Machine key: own hall only. */
  api.get(
    '/halls/:hallId/scores',
    route({ auth: 'hall-key', budget: 'read', params: ZHallPath, query: ZRangeQuery }, async (c, { hallId, params, query }) => {
      if (params.hallId !== hallId) return problem(c, 'forbidden', 'A hall API key reads its own hall only.');
      const range = await dateRange(query.from, query.to);
      if ('error' in range) return problem(c, range.error === 'none' ? 'not-scored' : 'validation-failed', range.detail);
      const days = await unitTrend(deps.table, unitId.hall(hallId), range.from, range.to);
      return c.json({ hallId, from: range.from, to: range.to, days });
    }),
  );

  /**
   * Gone for machine keys: a hall key reads its own hall only. Staff read a region's figures with their session at
   * GET /api/v1/regions/:regionId/report (routes/staff/regions.ts, scope-checked by the gate).
   */
  api.get('/regions/:regionId/scores', (c) =>
    problem(c, 'forbidden', 'A hall API key reads its own hall only; staff use GET /api/v1/regions/{regionId}/report when signed in.'),
  );

  /** Dates are valid days already (the guard checked the query); here: the defaults, their order and the span. */
  async function dateRange(
    from?: string,
    to?: string,
  ): Promise<{ from: string; to: string } | { error: 'invalid' | 'none'; detail: string }> {
    const last = to ?? (await lastCompletedRun(deps.table));
    if (!last) return { error: 'none', detail: 'The nightly job has not run yet.' };
    const first = from ?? addDays(last, -89);
    if (first > last) return { error: 'invalid', detail: `from ${first} is after to ${last}.` };
    if (daysBetween(first, last) > 400) return { error: 'invalid', detail: 'At most 400 days at a time.' };
    return { from: first, to: last };
  }

  api.all('*', (c) =>
    problem(c, 'not-found', `${c.req.method} ${new URL(c.req.url).pathname} is not an API route; see /api/v1/openapi.json.`),
  );
  return api;
}

const ZDay = z.string().check(z.refine(isDay, 'must be a date (YYYY-MM-DD)'));
const ZRangeQuery = z.object({ from: z.optional(ZDay), to: z.optional(ZDay) });
const ZHallPath = z.object({ hallId: ZId });

const refusalDetail = {
  'invalid-ticket': 'The code was not issued by this system or has been altered. Scan the code again. 二维码无效，请重新扫码。',
  'ticket-expired': 'This ticket was issued more than 7 days ago. 评价已超过7天期限。',
  'already-rated': 'Each visit can be rated once. 每次办事只能评价一次。',
  'placard-limit': 'Each window can be rated once every 2 hours from one device. 同一窗口每2小时只能评价一次。',
  'unknown-hall': 'The hall of this code no longer exists. 该大厅已不存在。',
} as const;
