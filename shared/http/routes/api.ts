/** The machine API (v1): queue machines configure themselves and mint tickets; resident pages post ratings. */
import { Hono } from 'hono/tiny';
import { ZRatingInput, ZTicketRequest, type THallView, type TTicketIssued } from '../../domain/model.js';
import { keyedHash } from '../../domain/privacy.js';
import { localDay } from '../../domain/time.js';
import { TICKET_TTL_MS, newTicketId, signPlacard, signTicket } from '../../domain/tokens.js';
import { acceptRating } from '../../services/ratings.js';
import { baseUrl, cachedCatalogue, clientAddress, type TAppDeps } from '../deps.js';
import { createGuard } from '../guard.js';
import { openApiDocument } from '../openapi.js';
import { problem } from '../problem.js';
import { DEVICE_COOKIE, readCookie } from './resident.js';

export function apiRoutes(deps: TAppDeps) {
  const now = deps.now ?? Date.now;
  const route = createGuard(deps);
  const catalogue = cachedCatalogue(deps.repo, 60_000, now);
  const api = new Hono();

  api.get('/openapi.json', (c) => c.json(openApiDocument(baseUrl(c, deps.config))));

  api.get(
    '/hall',
    route({ auth: 'hall-key' }, async (c, { hallId }) => {
      const cat = await deps.repo.getHallCatalogue(hallId);
      if (!cat) return problem(c, 'unknown-hall', `Hall ${hallId} of this key no longer exists.`);
      const base = baseUrl(c, deps.config);
      const view: THallView = {
        id: cat.hall.id,
        name: cat.hall.name,
        regionId: cat.hall.regionId,
        timezone: cat.hall.timezone,
        windows: cat.windows.map((w) => ({ id: w.id, name: w.name, placardUrl: `${base}/r/${signPlacard(deps.keyring, { hallId, windowId: w.id })}` })),
        services: cat.services.map((s) => ({ id: s.id, name: s.name })),
      };
      return c.json(view);
    }),
  );

  api.post(
    '/tickets',
    route({ auth: 'hall-key', body: ZTicketRequest }, async (c, { body, hallId }) => {
      const cat = await catalogue(hallId);
      if (!cat) return problem(c, 'unknown-hall', `Hall ${hallId} of this key no longer exists.`);
      if (!cat.windows.some((w) => w.id === body.windowId)) return problem(c, 'unknown-window', `Window "${body.windowId}" is not a window of hall ${hallId}.`);
      if (body.serviceId && !cat.services.some((s) => s.id === body.serviceId))
        return problem(c, 'unknown-service', `Service "${body.serviceId}" is not offered by hall ${hallId}.`);
      const issuedAt = Math.floor(now() / 1000) * 1000;
      const day = localDay(issuedAt, cat.hall.timezone);
      // With the machine's own visit reference, a retried request maps to the same ticket id and is counted once.
      const visitKey = body.visitRef ? keyedHash(deps.keyring, 'visit', hallId, day, body.visitRef) : undefined;
      const ticketId = visitKey ? `v${visitKey.slice(0, 15)}` : newTicketId();
      const ticket = signTicket(deps.keyring, { ticketId, hallId, windowId: body.windowId, serviceId: body.serviceId, issuedAt });
      if (!visitKey || (await deps.repo.recordVisit(hallId, day, visitKey, issuedAt + TICKET_TTL_MS))) await deps.repo.countIssuedTicket(hallId, day, body.windowId, body.serviceId);
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

  api.post(
    '/ratings',
    route({ auth: 'none', body: ZRatingInput }, async (c, { body }) => {
      const result = await acceptRating(
        { repo: deps.repo, keyring: deps.keyring, now, catalogue },
        body,
        { deviceId: readCookie(c, DEVICE_COOKIE), address: clientAddress(c), userAgent: c.req.header('user-agent') },
      );
      if (!result.ok) return problem(c, result.refusal, refusalDetail[result.refusal]);
      return c.json({ ratingId: result.ratingId }, 201);
    }),
  );

  api.all('*', (c) => problem(c, 'not-found', `${c.req.method} ${new URL(c.req.url).pathname} is not an API route; see /api/v1/openapi.json.`));
  return api;
}

const refusalDetail = {
  'invalid-ticket': 'The code was not issued by this system or has been altered. Scan the code again. 二维码无效，请重新扫码。',
  'ticket-expired': 'This ticket was issued more than 7 days ago. 评价已超过7天期限。',
  'already-rated': 'Each visit can be rated once. 每次办事只能评价一次。',
  'placard-limit': 'Each window can be rated once every 2 hours from one device. 同一窗口每2小时只能评价一次。',
  'unknown-hall': 'The hall of this code no longer exists. 该大厅已不存在。',
} as const;
