/**
 * Notifications (issue 14, SPEC §9): one tick, the same locally (a timer) and on AWS (a scheduled function whose
 * webhook attempts go through SQS), turns events into e-mails and webhook deliveries:
 *   sweep     derive case.opened (the cases opened since the last sweep, on GSI4 by the instant rated: 16 Queries a
 *             tick at any size; the rating's put gains 2 bytes, no write),
 *             case.overdue (a deadline passed) and case.due_soon (08:00 hall-local, deadlines of the day)
 *   monthly   the monthly report's walk, a bounded slice a tick (report-notice.ts)
 *   dispatch  each event in the outbox → a mail item per staff user who wants it (now / digest) and a delivery per
 *             webhook endpoint of its region or above; then off the outbox. At most 2,000 a tick, urgent kinds before
 *             the monthly report's (the outbox's bulk lane), so report day never delays a new case by more than a
 *             tick. Every item is put-if-absent: a re-run or a replayed event adds nothing. The users asked are
 *             those of the events' scopes (a hall, its regions, the administrators: a Query each on the scope
 *             items, a hundred events' together), their choices read in one batch: at national size (100,000 users)
 *             an event reads a few dozen items, never the user list
 *   mails     queued mails sent; digests at 08:30 in the user's time zone, one message listing everything waiting:
 *             a waiting digest is indexed by the instant it is due, so the tick reads the digests due (2,000 at
 *             most), not the users, and claims each by a conditional write (two ticks, or two Lambda instances,
 *             never both send)
 *   deliver   due webhook attempts (Standard Webhooks signed), retried over ~27 h, then parked
 * Transitions write their event themselves (emitCaseStep: the one extra write per case transition).
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { TTree, TUser } from '../domain/access.js';
import { auditEntry } from '../domain/audit.js';
import {
  caseDeadline,
  caseOpened,
  digestDueAt,
  digestMessage,
  endpointWants,
  EVENT_KINDS,
  eventMessage,
  localClock,
  MAX_ATTEMPTS,
  mayHear,
  modeFor,
  nextAttemptDelay,
  recipientScopes,
  signWebhook,
  type TEvent,
  type TEventKind,
  type TNames,
  type TNotifyPrefs,
  type TWebhookFormat,
  WEBHOOK_FORMATS,
  webhookBody,
} from '../domain/events.js';
import type { TKeyring } from '../domain/keyring.js';
import type { THall } from '../domain/model.js';
import { activeDue } from '../domain/cases.js';
import { quietLog, type TLog } from '../log.js';
import { appendAudit } from '../storage/audit.js';
import { listActiveBetween, listOpenedBetween, type TStoredCase } from '../storage/cases.js';
import { getItem, ifCondition, put, type TTable } from '../storage/db.js';
import * as keys from '../storage/keys.js';
import {
  claimDigest,
  claimDueDigest,
  createDelivery,
  createEndpoint,
  createMail,
  digestClaimed,
  finishDigest,
  getDelivery,
  getEndpoint,
  getEvent,
  getPrefsMany,
  listDigestWaiting,
  listDueDeliveries,
  listDueDigests,
  listEndpoints,
  listPendingEvents,
  listQueuedMails,
  markDispatched,
  markMailSent,
  noteDigestWaiting,
  postponeDigest,
  recordAttempt,
  redeliver,
  removeEndpoint,
  type TDelivery,
  type TEndpoint,
} from '../storage/notify.js';
import { getUsers, usersOfScopes } from '../storage/users.js';
import { PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { HALL_FANOUT, loadCaseWorld, mapLimit, nextLocalMidnight, type TCaseWorld } from './cases.js';
import { emitEvents } from './emit.js';
import { emitMonthlyReports } from './report-notice.js';

export interface TMail {
  to: string;
  subject: string;
  text: string;
  html: string;
  /** a stable id (the event or the digest), for the Message-ID and the .eml file name */
  id: string;
}
export interface TMailer {
  send(m: TMail): Promise<void>;
}
/** An HTTP POST (fetch by default); tests and the bench point it at a loopback receiver. */
export type TPost = (url: string, headers: Record<string, string>, body: string, timeoutMs: number) => Promise<{ status: number }>;

export interface TNotifyDeps {
  table: TTable;
  keyring: TKeyring;
  /** links in messages: PUBLIC_BASE_URL */
  baseUrl: string;
  /** absent: staff e-mail is off (no sender configured) and no mail is queued */
  mailer?: TMailer;
  now?: () => number;
  log?: TLog;
  post?: TPost;
  /** where a supervisor's or administrator's digest hour is kept (their scope has no single hall) */
  timeZone?: string;
  /** AWS: hand due deliveries to the queue instead of attempting them in the tick */
  enqueue?: (deliveries: readonly TDelivery[]) => Promise<void>;
  /** a tick's bounds (tests and the bench): scopes the monthly pass asks, events dispatched */
  perTick?: { monthlyScopes?: number; events?: number };
}

const nowOf = (d: { now?: () => number }) => (d.now ?? Date.now)();

export { emitCaseStep, emitEvents } from './emit.js';

/* ---------- the sweep: derived events ---------- */

const SWEEP_MARKER = keys.marker('notify-sweep');
/** A rating stored a moment before `now` may not be readable yet on an index: the sweep stays this far behind. */
const SWEEP_LAG_MS = 10_000;
const MAX_WINDOW_MS = 3 * 86_400_000;

/** Derives the events of (last sweep, now − lag]; the first sweep only sets its cursor. Returns events written. */
export async function sweep(deps: TNotifyDeps, world?: TCaseWorld): Promise<number> {
  const t = deps.table;
  const nowMs = nowOf(deps);
  const toMs = nowMs - SWEEP_LAG_MS;
  const cursor = await getItem(t, SWEEP_MARKER, { consistent: true });
  const fromMs = typeof cursor?.at === 'string' ? Math.max(Date.parse(cursor.at), toMs - MAX_WINDOW_MS) : toMs;
  if (fromMs >= toMs) {
    if (!cursor) await put(t, { ...SWEEP_MARKER, at: new Date(toMs).toISOString() });
    return 0;
  }
  const from = new Date(fromMs).toISOString();
  const to = new Date(toMs).toISOString();
  const w = world ?? (await loadCaseWorld(t, nowMs));
  const events: TEvent[] = [];
  // New cases: GSI4 lists them by the instant they were rated (a late rating's too: its visit day does not matter),
  // one Query per shard whatever the number of halls; event ids follow from the case, so a re-run adds nothing.
  for (const s of await listOpenedBetween(t, from, to)) events.push(caseOpened(s.case));
  // the morning of a deadline: at 08:00 hall-local, the day's deadlines (read per region below); judged once per
  // time zone, not per hall
  const crossedIn = new Map<string, boolean>();
  const mornings = new Map<string, THall[]>();
  for (const hall of w.halls.values()) {
    const tz = hall.timezone;
    let crossed = crossedIn.get(tz);
    if (crossed === undefined) {
      const start = localClock(fromMs, tz);
      const end = localClock(toMs, tz);
      crossed = start.day !== end.day ? end.minutes >= 480 : start.minutes < 480 && end.minutes >= 480;
      crossedIn.set(tz, crossed);
    }
    if (!crossed) continue;
    const list = mornings.get(hall.regionId);
    if (list) list.push(hall);
    else mornings.set(hall.regionId, [hall]);
  }
  // Deadlines, one Query per region holding halls (its halls' cases share a GSI2 partition), not one per hall.
  const regionIds = [...new Set([...w.halls.values()].map((h) => h.regionId))];
  const open = (s: TStoredCase) => s.case.state === 'open' || s.case.state === 'contacted';
  await mapLimit(regionIds, HALL_FANOUT, async (regionId) => {
    // deadlines that passed in the window (open: contact; contacted: rectify); escalated ones are keyed later
    for (const s of await listActiveBetween(t, { regionId }, from, to)) {
      const due = activeDue(s.case);
      if (due && due >= from && due <= to && open(s) && w.halls.has(s.case.hallId))
        events.push(caseDeadline('case.overdue', s.case, due, to));
    }
    // the day's deadlines of the halls whose 08:00 fell in the window, each up to its own hall-local midnight
    const morning = new Map(
      (mornings.get(regionId) ?? []).map((h) => [h.id, new Date(nextLocalMidnight(toMs, h.timezone) - 1).toISOString()]),
    );
    if (!morning.size) return;
    const last = [...morning.values()].sort().at(-1)!;
    for (const s of await listActiveBetween(t, { regionId }, to, last)) {
      const due = activeDue(s.case);
      const dayEnd = morning.get(s.case.hallId);
      if (due && dayEnd && due > to && due <= dayEnd && open(s)) events.push(caseDeadline('case.due_soon', s.case, due, to));
    }
  });
  const written = await emitEvents(t, events, nowMs);
  await put(t, { ...SWEEP_MARKER, at: to });
  return written;
}

/* ---------- dispatch ---------- */

interface TTickContext {
  world: TCaseWorld;
  tree: TTree;
  /** the users of each scope asked this tick (verified against their user items) */
  scopes: Map<string, TUser[]>;
  /** users and their choices read this tick, each once (in batches) */
  users: Map<string, TUser | undefined>;
  prefs: Map<string, TNotifyPrefs | undefined>;
  endpoints: TEndpoint[];
  names: TNames;
}

async function context(deps: TNotifyDeps): Promise<TTickContext> {
  const world = await loadCaseWorld(deps.table, nowOf(deps));
  const endpoints = await listEndpoints(deps.table);
  const regions = new Map(world.regions.map((r) => [r.id, r.name]));
  return {
    world,
    tree: world.tree,
    scopes: new Map(),
    users: new Map(),
    prefs: new Map(),
    endpoints,
    names: { hall: (id) => world.halls.get(id)?.name, region: (id) => regions.get(id) },
  };
}

/**
 * The users of these events' scopes (their halls, their regions, the administrators), those not asked yet this tick
 * in one go (a Query per scope, their users in one batch): each scope asked once per tick.
 */
async function readScopes(deps: TNotifyDeps, ctx: TTickContext, events: readonly TEvent[]): Promise<void> {
  const missing = [...new Set(events.flatMap((e) => recipientScopes(e, ctx.tree)))].filter((s) => !ctx.scopes.has(s));
  if (!missing.length) return;
  for (const s of missing) ctx.scopes.set(s, []);
  for (const u of await usersOfScopes(deps.table, missing)) {
    ctx.scopes.get(u.scope)?.push(u);
    ctx.users.set(u.id, u);
  }
}

/** The users of an event's scopes, read by readScopes. */
const candidates = (ctx: TTickContext, e: TEvent): TUser[] => recipientScopes(e, ctx.tree).flatMap((s) => ctx.scopes.get(s) ?? []);

/** Users by id, those not read yet this tick in one batch. */
async function usersById(deps: TNotifyDeps, ctx: TTickContext, ids: readonly string[]): Promise<Map<string, TUser | undefined>> {
  const missing = [...new Set(ids)].filter((id) => !ctx.users.has(id));
  if (missing.length) {
    for (const id of missing) ctx.users.set(id, undefined);
    for (const u of await getUsers(deps.table, missing)) ctx.users.set(u.id, u);
  }
  return ctx.users;
}

/** Users' choices, those not read yet this tick in one batch. */
async function prefsOf(deps: TNotifyDeps, ctx: TTickContext, ids: readonly string[]): Promise<Map<string, TNotifyPrefs | undefined>> {
  const missing = [...new Set(ids)].filter((id) => !ctx.prefs.has(id));
  if (missing.length) for (const [id, p] of await getPrefsMany(deps.table, missing)) ctx.prefs.set(id, p);
  return ctx.prefs;
}

/**
 * Events dispatched per tick at most. On report day the monthly pass writes tens of thousands of bulk events; a tick
 * takes this many (urgent ones first, the rest next tick), so it stays well inside the function's timeout (bench:
 * report_dispatch_tick_national_ms).
 */
export const DISPATCH_PER_TICK = 2_000;
/** Events whose recipients are read together (their scopes, users and choices in one go), then fanned out. */
const DISPATCH_CHUNK = 100;
/** Events of a chunk fanned out at once (each its own mails, deliveries and outbox mark). */
const DISPATCH_PARALLEL = 8;

/**
 * Fans pending events out to mail items and deliveries, each then taken off the outbox: at most `limit` a tick,
 * urgent kinds before the monthly report's (listPendingEvents), so a new case is never queued behind report day.
 */
export async function dispatch(
  deps: TNotifyDeps,
  ctx?: TTickContext,
  limit = DISPATCH_PER_TICK,
): Promise<{ events: number; mails: number; deliveries: number }> {
  const c = ctx ?? (await context(deps));
  const nowMs = nowOf(deps);
  const out = { events: 0, mails: 0, deliveries: 0 };
  const pending = await listPendingEvents(deps.table, limit);
  for (let i = 0; i < pending.length; i += DISPATCH_CHUNK) {
    const chunk = pending.slice(i, i + DISPATCH_CHUNK);
    const hear = new Map<string, TUser[]>();
    if (deps.mailer) {
      await readScopes(deps, c, chunk);
      for (const e of chunk)
        hear.set(
          e.id,
          candidates(c, e).filter((u) => mayHear(u, c.tree, e)),
        );
      await prefsOf(
        deps,
        c,
        [...hear.values()].flat().map((u) => u.id),
      );
    }
    await mapLimit(chunk, DISPATCH_PARALLEL, async (e) => {
      for (const user of hear.get(e.id) ?? []) {
        const mode = modeFor(user.role, c.prefs.get(user.id), e.kind);
        if (mode === 'never') continue;
        if (await createMail(deps.table, { userId: user.id, eventId: e.id, mode, at: e.at }, nowMs)) out.mails++;
        // noted on a replay too: a crash between the mail and its note must not leave the mail without a digest
        if (mode === 'digest') {
          const due = digestDueAt(nowMs, userTimeZone(deps, c, user));
          await noteDigestWaiting(deps.table, user.id, new Date(due).toISOString());
        }
      }
      for (const ep of c.endpoints)
        if (endpointWants(ep, e, c.tree) && (await createDelivery(deps.table, ep.id, e, nowMs))) out.deliveries++;
      await markDispatched(deps.table, e.id, new Date(nowMs).toISOString());
      out.events++;
    });
  }
  return out;
}

/* ---------- e-mail ---------- */

function userTimeZone(deps: TNotifyDeps, ctx: TTickContext, user: TUser): string {
  return ctx.world.halls.get(user.scope)?.timezone ?? deps.timeZone ?? 'Asia/Shanghai';
}

/** Sends the mails queued to go at once. */
export async function sendQueuedMails(deps: TNotifyDeps, ctx?: TTickContext): Promise<number> {
  if (!deps.mailer) return 0;
  const queued = await listQueuedMails(deps.table);
  if (!queued.length) return 0;
  const c = ctx ?? (await context(deps));
  const ids = queued.map((m) => m.userId);
  const [users, prefs] = await Promise.all([usersById(deps, c, ids), prefsOf(deps, c, ids)]);
  let sent = 0;
  for (const m of queued) {
    const user = users.get(m.userId);
    const e = await getEvent(deps.table, m.eventId);
    if (user?.email && e) {
      const lang = prefs.get(user.id)?.lang ?? 'zh';
      const msg = eventMessage(e, lang, deps.baseUrl, c.names, userTimeZone(deps, c, user));
      try {
        await deps.mailer.send({ to: user.email, id: `${e.id}.${user.id}`, ...msg });
      } catch (err) {
        // left queued for the next tick; a mail server that is down never holds up the webhooks
        (deps.log ?? quietLog).warn('staff e-mail not sent, will retry', { userId: user.id, eventId: e.id, error: (err as Error).message });
        continue;
      }
      sent++;
    }
    await markMailSent(deps.table, m.userId, m.eventId, new Date(nowOf(deps)).toISOString());
  }
  return sent;
}

/** The tick's marker: the digest pass is taken in turn (one instance at a time), and its last pass is recorded. */
const TICK_MARKER = keys.marker('notify-tick');
/** How long a digest pass or a claimed digest is held before another tick may take it over (a crash mid-way). */
const DIGEST_HOLD_MS = 5 * 60_000;
/**
 * Digests sent per tick at most: on report day nearly every staff user has one due at 08:30 (100,000 at national
 * size); the rest stay due and go in the next ticks, so a tick never runs into its timeout (and its hold).
 */
export const DIGESTS_PER_TICK = 2_000;

/** Takes the digest pass for this tick (false: another instance is in its pass). */
function takeDigestTurn(t: TTable, nowMs: number, token: string): Promise<boolean> {
  return ifCondition(() =>
    t.db.send(
      new UpdateItemCommand({
        TableName: t.name,
        Key: marshall(TICK_MARKER),
        UpdateExpression: 'SET turnBy = :tok, turnUntil = :until',
        ConditionExpression: 'attribute_not_exists(turnUntil) OR turnUntil < :now',
        ExpressionAttributeValues: marshall({ ':tok': token, ':until': nowMs + DIGEST_HOLD_MS, ':now': nowMs }),
      }),
    ),
  );
}

function endDigestTurn(t: TTable, nowMs: number, token: string, due: number, sent: number): Promise<boolean> {
  return ifCondition(() =>
    t.db.send(
      new PutItemCommand({
        TableName: t.name,
        Item: marshall({ ...TICK_MARKER, digestsAt: new Date(nowMs).toISOString(), due, sent }),
        ConditionExpression: 'turnBy = :tok',
        ExpressionAttributeValues: marshall({ ':tok': token }),
      }),
    ),
  );
}

/**
 * The digests due (08:30 in each user's time zone has passed and something waits): one message per user listing
 * everything waiting, at most one per user and day. Each is claimed by a conditional write before it is sent, so two
 * ticks never both send it; a digest that could not be sent is due again at once, one whose day went already
 * tomorrow.
 */
export async function sendDigests(deps: TNotifyDeps, ctx?: TTickContext): Promise<number> {
  if (!deps.mailer) return 0;
  const mailer = deps.mailer;
  const t = deps.table;
  const nowMs = nowOf(deps);
  const now = new Date(nowMs).toISOString();
  const token = randomBytes(9).toString('base64url');
  if (!(await takeDigestTurn(t, nowMs, token))) return 0;
  let sent = 0;
  let due: Awaited<ReturnType<typeof listDueDigests>> = [];
  try {
    due = await listDueDigests(t, now, DIGESTS_PER_TICK);
    if (!due.length) return 0;
    const c = ctx ?? (await context(deps));
    const ids = due.map((d) => d.userId);
    const [users, prefs] = await Promise.all([usersById(deps, c, ids), prefsOf(deps, c, ids)]);
    const holdUntil = new Date(nowMs + DIGEST_HOLD_MS).toISOString();
    await mapLimit(due, 8, async (d) => {
      const noted = await claimDueDigest(t, d, token, holdUntil);
      if (noted === undefined) return; // another tick has it
      const user = users.get(d.userId);
      const tz = user ? userTimeZone(deps, c, user) : (deps.timeZone ?? 'Asia/Shanghai');
      const day = localClock(nowMs, tz).day;
      const tomorrow = new Date(digestDueAt(nowMs, tz, day)).toISOString();
      if (!user?.email) return finishDigest(t, d.userId, token, noted, tomorrow); // removed, or no address: nothing to send
      if (await digestClaimed(t, user.id, day)) return void (await postponeDigest(t, user.id, token, tomorrow));
      const waiting = await listDigestWaiting(t, user.id);
      const events = (await Promise.all(waiting.map((m) => getEvent(t, m.eventId)))).filter((e) => e !== undefined);
      if (events.length) {
        const lang = prefs.get(user.id)?.lang ?? 'zh';
        // sent before it is marked: a crash in between sends it twice (after the hold) rather than never
        try {
          await mailer.send({
            to: user.email,
            id: `digest.${day}.${user.id}`,
            ...digestMessage(events, day, lang, deps.baseUrl, c.names, tz),
          });
        } catch (err) {
          (deps.log ?? quietLog).warn('digest not sent, will retry', { userId: user.id, day, error: (err as Error).message });
          return void (await postponeDigest(t, user.id, token, now));
        }
        sent++;
      }
      await claimDigest(t, user.id, day, nowMs);
      for (const m of waiting) await markMailSent(t, user.id, m.eventId, now);
      await finishDigest(t, user.id, token, noted, tomorrow);
    });
  } finally {
    await endDigestTurn(t, nowMs, token, due.length, sent);
  }
  return sent;
}

/* ---------- webhooks ---------- */

/** The secret sealed under the key ring's webhook key: `<kid>.<iv>.<ciphertext>.<tag>` (AES-256-GCM). */
export function sealSecret(keyring: TKeyring, secret: string): string {
  const kid = keyring.activeKid;
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', keyring.key('webhook', kid)!, iv);
  const ct = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
  return [kid, iv.toString('base64url'), ct.toString('base64url'), cipher.getAuthTag().toString('base64url')].join('.');
}

export function openSecret(keyring: TKeyring, sealed: string): string {
  const [kid, iv, ct, tag] = sealed.split('.');
  const key = keyring.key('webhook', kid);
  if (!key || !iv || !ct || !tag) throw new Error('webhook secret: cannot open (unknown key or damaged value)');
  const d = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
  d.setAuthTag(Buffer.from(tag, 'base64url'));
  return Buffer.concat([d.update(Buffer.from(ct, 'base64url')), d.final()]).toString('utf8');
}

const fetchPost: TPost = async (url, headers, body, timeoutMs) => {
  const res = await fetch(url, { method: 'POST', headers, body, redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
  await res.arrayBuffer().catch(() => undefined);
  return { status: res.status };
};

/** The request of one delivery: body per the endpoint's format, Standard Webhooks headers. */
export function webhookRequest(deps: Pick<TNotifyDeps, 'keyring' | 'baseUrl'>, ep: TEndpoint, e: TEvent, nowMs: number, names?: TNames) {
  const body = webhookBody(e, ep.format, deps.baseUrl, names);
  const ts = Math.floor(nowMs / 1000);
  const headers = {
    'content-type': 'application/json',
    'user-agent': 'service-temperature-webhooks/1',
    'webhook-id': e.id,
    'webhook-timestamp': String(ts),
    'webhook-signature': signWebhook(openSecret(deps.keyring, ep.secretSealed), e.id, ts, body),
  };
  return { headers, body };
}

/**
 * One attempt of one delivery: 2xx delivered; otherwise the next attempt per the schedule, or parked after the
 * last. Recorded under the attempt count read, so a duplicate queue message records nothing twice.
 */
export async function attemptDelivery(deps: TNotifyDeps, d: TDelivery, names?: TNames): Promise<TDelivery['status'] | 'skipped'> {
  const cur = await getDelivery(deps.table, d.endpointId, d.eventId);
  if (cur?.status !== 'pending' || cur.attempts !== d.attempts) return 'skipped';
  const nowMs = nowOf(deps);
  const at = new Date(nowMs).toISOString();
  const [ep, e] = await Promise.all([getEndpoint(deps.table, d.endpointId), getEvent(deps.table, d.eventId)]);
  if (!ep || !e) {
    await recordAttempt(deps.table, cur, { at, outcome: 'parked', error: ep ? 'event expired' : 'endpoint removed' });
    return 'parked';
  }
  let status: number | undefined;
  let error: string | undefined;
  try {
    const req = webhookRequest(deps, ep, e, nowMs, names);
    status = (await (deps.post ?? fetchPost)(ep.url, req.headers, req.body, 15_000)).status;
    if (status < 200 || status > 299) error = `HTTP ${status}`;
  } catch (err) {
    error = err instanceof Error ? err.message : String(err);
  }
  if (!error) {
    await recordAttempt(deps.table, cur, { at, status, outcome: 'delivered' });
    return 'delivered';
  }
  const delay = nextAttemptDelay(cur.attempts + 1);
  const outcome = delay === undefined || cur.attempts + 1 >= MAX_ATTEMPTS ? 'parked' : 'retry';
  const nextAt = delay === undefined ? undefined : new Date(nowMs + delay).toISOString();
  await recordAttempt(deps.table, cur, { at, status, error, outcome, nextAt });
  (deps.log ?? quietLog).warn('webhook attempt failed', {
    endpointId: d.endpointId,
    eventId: d.eventId,
    attempt: cur.attempts + 1,
    error,
    outcome,
  });
  return outcome === 'retry' ? 'pending' : 'parked';
}

/** Due deliveries: handed to the queue (AWS) or attempted here, a few at a time. */
export async function deliverDue(deps: TNotifyDeps, ctx?: TTickContext): Promise<number> {
  const due = await listDueDeliveries(deps.table, new Date(nowOf(deps)).toISOString());
  if (!due.length) return 0;
  if (deps.enqueue) {
    await deps.enqueue(due);
    return due.length;
  }
  const names = ctx?.names;
  for (let i = 0; i < due.length; i += 8) await Promise.all(due.slice(i, i + 8).map((d) => attemptDelivery(deps, d, names)));
  return due.length;
}

export interface TTickResult {
  derived: number;
  /** report.monthly events written (the first working day of a month, a slice of the walk a tick) */
  monthly: number;
  events: number;
  mails: number;
  sent: number;
  digests: number;
  deliveries: number;
  attempts: number;
  /** milliseconds each step took (the tick function's timeout is 2 minutes) */
  ms: { world: number; sweep: number; monthly: number; dispatch: number; mail: number; digests: number; webhooks: number };
}

/** One tick of everything above, in order; each step bounded (the monthly pass's slice, the events dispatched). */
export async function notifyTick(deps: TNotifyDeps): Promise<TTickResult> {
  let t0 = performance.now();
  const took = () => {
    const t1 = performance.now();
    const ms = Math.round(t1 - t0);
    t0 = t1;
    return ms;
  };
  const ctx = await context(deps);
  const world = took();
  const derived = await sweep(deps, ctx.world);
  const sweepMs = took();
  const monthly = await emitMonthlyReports({
    table: deps.table,
    world: ctx.world,
    nowMs: nowOf(deps),
    timeZone: deps.timeZone ?? 'Asia/Shanghai',
    scopesPerTick: deps.perTick?.monthlyScopes,
  });
  const monthlyMs = took();
  const d = await dispatch(deps, ctx, deps.perTick?.events);
  const dispatchMs = took();
  const sent = await sendQueuedMails(deps, ctx);
  const mailMs = took();
  const digests = await sendDigests(deps, ctx);
  const digestsMs = took();
  const attempts = await deliverDue(deps, ctx);
  const ms = { world, sweep: sweepMs, monthly: monthlyMs, dispatch: dispatchMs, mail: mailMs, digests: digestsMs, webhooks: took() };
  return { derived, monthly, events: d.events, mails: d.mails, sent, digests, deliveries: d.deliveries, attempts, ms };
}

/* ---------- administration: endpoints, redelivery, preferences ---------- */

export interface TEndpointInput {
  regionId: string;
  url: string;
  kinds: TEventKind[];
  format: TWebhookFormat;
  label: string;
}

export type TEndpointError = 'badUrl' | 'unknownRegion' | 'noKinds' | 'badFormat' | 'badLabel';

/** Checks an endpoint's fields: https (plain http only to this machine's loopback when not on AWS). */
export function checkEndpoint(input: TEndpointInput, regions: readonly string[], allowLoopbackHttp: boolean): TEndpointError | undefined {
  let u: URL;
  try {
    u = new URL(input.url);
  } catch {
    return 'badUrl';
  }
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname);
  if (
    !(u.protocol === 'https:' || (allowLoopbackHttp && loopback && u.protocol === 'http:')) ||
    u.username ||
    u.password ||
    input.url.length > 500
  )
    return 'badUrl';
  if (!regions.includes(input.regionId)) return 'unknownRegion';
  if (!input.kinds.length || input.kinds.some((k) => !(EVENT_KINDS as readonly string[]).includes(k))) return 'noKinds';
  if (!(WEBHOOK_FORMATS as readonly string[]).includes(input.format)) return 'badFormat';
  if (input.label.length > 80 || /1[3-9]\d{9}/.test(input.label)) return 'badLabel';
  return undefined;
}

const auditAt = (deps: { now?: () => number }) => new Date(nowOf(deps)).toISOString();

/** Registers an endpoint (administrators): the secret is returned once and stored sealed. Audited. */
export async function registerEndpoint(
  deps: Pick<TNotifyDeps, 'table' | 'keyring' | 'now'>,
  user: TUser,
  input: TEndpointInput,
): Promise<{ endpoint: TEndpoint; secret: string }> {
  const secret = `whsec_${randomBytes(24).toString('base64')}`;
  const at = auditAt(deps);
  const endpoint: TEndpoint = {
    id: `wh-${webhookSuffix()}`,
    ...input,
    secretSealed: sealSecret(deps.keyring, secret),
    createdAt: at,
    createdBy: user.id,
  };
  await createEndpoint(deps.table, endpoint);
  const entry = auditEntry({
    at,
    actor: user.id,
    actorRole: user.role,
    kind: 'webhook.registered',
    unit: { type: 'region', id: input.regionId },
    targetId: endpoint.id,
    to: `${input.format} ${input.kinds.length} kinds`,
  });
  await appendAudit(deps.table, entry, `webhook.${endpoint.id}.registered`);
  return { endpoint, secret };
}

export async function deleteEndpoint(deps: Pick<TNotifyDeps, 'table' | 'now'>, user: TUser, id: string): Promise<boolean> {
  const ep = await getEndpoint(deps.table, id);
  if (!ep || !(await removeEndpoint(deps.table, id))) return false;
  const at = auditAt(deps);
  const entry = auditEntry({
    at,
    actor: user.id,
    actorRole: user.role,
    kind: 'webhook.removed',
    unit: { type: 'region', id: ep.regionId },
    targetId: id,
  });
  await appendAudit(deps.table, entry, `webhook.${id}.removed`);
  return true;
}

/** Sends one event to one endpoint again, by hand (administrators). Audited. */
export async function redeliverEvent(
  deps: Pick<TNotifyDeps, 'table' | 'now'>,
  user: TUser,
  endpointId: string,
  eventId: string,
): Promise<boolean> {
  const [ep, e] = await Promise.all([getEndpoint(deps.table, endpointId), getEvent(deps.table, eventId)]);
  if (!ep || !e) return false;
  const nowMs = nowOf(deps);
  await redeliver(deps.table, endpointId, e, user.id, nowMs);
  const entry = auditEntry({
    at: new Date(nowMs).toISOString(),
    actor: user.id,
    actorRole: user.role,
    kind: 'webhook.redelivered',
    unit: { type: 'region', id: ep.regionId },
    targetId: endpointId,
    to: eventId,
  });
  await appendAudit(deps.table, entry, `webhook.${endpointId}.${eventId}.${nowMs}`);
  return true;
}

/** Twelve random letters: an endpoint id that can never read as a phone number (the audit refuses those). */
const ID_LETTERS = 'abcdefghijkmnpqrstuvwxyz';
const webhookSuffix = () => [...randomBytes(12)].map((b) => ID_LETTERS[b % ID_LETTERS.length]).join('');
