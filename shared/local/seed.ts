/** Loads the demo city into an empty table: catalogue, a machine API key, 90 days of ratings, tickets issued. */
import { createHash } from 'node:crypto';
import type { TRating } from '../domain/model.js';
import { hashApiKey } from '../domain/privacy.js';
import type { TTable } from '../storage/db.js';
import { generateDemoData, type TDemoData } from './demo-data.js';
import { putApiKey } from '../storage/api-keys.js';
import { putHall, putRegion, putService, putWindow } from '../storage/catalogue.js';
import { setMarker } from '../storage/meta.js';
import { bulkPutAudit } from '../storage/audit.js';
import { caseAttributes } from '../storage/cases.js';
import { bulkPutRatings } from '../storage/ratings.js';
import { demoCases } from './demo-cases.js';
import { bulkPutIssuedCounts } from '../storage/tickets.js';
import { putUser } from '../storage/users.js';

export const SEED_MARKER = 'seed';

export async function seedDemo(
  table: TTable,
  opts: { today: string; apiKey: string; days?: number },
): Promise<{ data: TDemoData; demoHallId: string; ratings: number }> {
  const data = generateDemoData({ today: opts.today, days: opts.days });
  await Promise.all([
    ...data.regions.map((r) => putRegion(table, r)),
    ...data.halls.map((h) => putHall(table, h)),
    ...data.windows.map((w) => putWindow(table, w)),
    ...data.services.map((s) => putService(table, s)),
    ...data.users.map((u) => putUser(table, u)),
  ]);
  const demoHallId = data.halls[0].id;
  await putApiKey(table, hashApiKey(opts.apiKey), {
    hallId: demoHallId,
    label: 'demo queue machine',
    createdAt: new Date().toISOString(),
  });
  const ratings: TRating[] = data.ratings.map((r, i) => ({
    ...r,
    // Ticket ratings are keyed by their ticket (one visit, one rating); placard ones get a stable synthetic id.
    ratingId: r.ticketId ?? `p${createHash('sha256').update(`demo-${opts.today}-${i}`).digest('base64url').slice(0, 20)}`,
  }));
  // Every bad rating opened its case; the cases were handled up to the start of `today` (see demo-cases.ts).
  const managers = new Map(data.users.filter((u) => u.role === 'manager').map((u) => [u.scope, u.id]));
  const cases = demoCases(ratings, data.halls, data.regions, Date.parse(`${opts.today}T00:00:00+08:00`), managers);
  const regionOf = new Map(data.halls.map((h) => [h.id, h.regionId]));
  await bulkPutRatings(table, ratings, (r) => {
    const c = cases.get(r.ratingId)?.case;
    return c && caseAttributes(c, c.history.length, false, regionOf.get(c.hallId) ?? '');
  });
  // Their audit entries: the last 30 days' cases and every escalated or reworked one (a full 90-day trail would
  // triple the seeding's writes for entries nobody browses in a demo).
  const since = new Date(Date.parse(`${opts.today}T00:00:00+08:00`) - 30 * 86_400_000).toISOString();
  const audited = [...cases.values()].filter((c) => c.case.openedAt >= since || c.case.escalationLevel > 0 || c.case.reworkCount > 0);
  await bulkPutAudit(
    table,
    audited.flatMap((c) => c.audit),
  );
  await bulkPutIssuedCounts(table, issuedByWindowAndService(data));
  await setMarker(table, SEED_MARKER, {
    at: new Date().toISOString(),
    today: opts.today,
    days: opts.days ?? 90,
    demoHallId,
    ratings: ratings.length,
  });
  return { data, demoHallId, ratings: ratings.length };
}

/** The demo gives tickets issued per hall-day; spread them over windows and services like the rated tickets. */
function issuedByWindowAndService(data: TDemoData) {
  const rated = new Map<string, { n: number; windows: Record<string, number>; services: Record<string, number> }>();
  for (const r of data.ratings) {
    if (r.channel !== 'ticket') continue;
    const key = `${r.hallId}|${r.day}`;
    const e = rated.get(key) ?? { n: 0, windows: {}, services: {} };
    e.n++;
    e.windows[r.windowId] = (e.windows[r.windowId] ?? 0) + 1;
    if (r.serviceId) e.services[r.serviceId] = (e.services[r.serviceId] ?? 0) + 1;
    rated.set(key, e);
  }
  return data.issuedPerHallDay.map((c) => {
    const e = rated.get(`${c.hallId}|${c.day}`);
    const scale = (n: number) => Math.max(n, Math.round((n * c.count) / Math.max(1, e?.n ?? 1)));
    const spread = (m: Record<string, number> = {}) => Object.fromEntries(Object.entries(m).map(([id, n]) => [id, scale(n)]));
    return { ...c, windows: spread(e?.windows), services: spread(e?.services) };
  });
}
