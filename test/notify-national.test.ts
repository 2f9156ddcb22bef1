/**
 * Notifications at national size (issue 15), as access counts rather than times: in a 2,000-hall, 125-region,
 * 5,000-user catalogue on a real engine, one event reads its scopes' users (the scope items, the users they name,
 * their choices: a few dozen items), never the user list; the digests due are found by their index and sent once
 * even when two ticks race; a user moved to another scope stops hearing of the old one; a stale scope item (a crash
 * between two writes) is ignored. Reads are counted on the table handle and the calls on a client of their own.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TUser } from '../shared/domain/access.js';
import { alertRaised, type TEvent } from '../shared/domain/events.js';
import { generateKeyringJson, parseKeyring } from '../shared/domain/keyring.js';
import type { THall, TRegion } from '../shared/domain/model.js';
import { forgetCaseWorld, loadCaseWorld } from '../shared/services/cases.js';
import { dispatch, emitEvents, sendDigests, sendQueuedMails, sweep, type TMail, type TNotifyDeps } from '../shared/services/notify.js';
import { bulkPutHalls, bulkPutRegions } from '../shared/storage/catalogue.js';
import { createDynamoClient } from '../shared/storage/client.js';
import { openCaseAttributes } from '../shared/storage/cases.js';
import { openTable, put, type TTable } from '../shared/storage/db.js';
import * as keys from '../shared/storage/keys.js';
import { claimDueDigest, listDueDigests, listPendingEvents, putPrefs } from '../shared/storage/notify.js';
import { putRating } from '../shared/storage/ratings.js';
import { ensureTable } from '../shared/storage/schema.js';
import { bulkPutUsers, createUser, removeUser, updateUser, usersOfScope } from '../shared/storage/users.js';
import { engine, nationalTree, stopEngines } from './support/harness.js';

const PROVINCES = 4;
const CITIES = 5; // per province
const DISTRICTS = 5; // per city
const HALLS = 20; // per district: 4 × 5 × 5 × 20 = 2,000 halls
const USERS = 5_000;

let endpoint: string;
let name: string;
let table: TTable;
const keyring = parseKeyring(generateKeyringJson());
const regions: TRegion[] = [];
const halls: THall[] = [];
const users: TUser[] = [];
const clock = { now: Date.parse('2026-12-01T07:00:00+08:00') }; // before 08:30 in Shanghai

/**
 * A table handle on a client of its own, counting the calls it sends by command and noting each Query's index and
 * partition (added before any command).
 */
function countedTable(): { t: TTable; calls: Record<string, number>; queries: { index: string; pk: string }[] } {
  const client = createDynamoClient({ endpoint });
  const calls: Record<string, number> = {};
  const queries: { index: string; pk: string }[] = [];
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const cmd = context.commandName ?? '?';
      calls[cmd] = (calls[cmd] ?? 0) + 1;
      if (cmd === 'QueryCommand') {
        const input = args.input as { IndexName?: string; ExpressionAttributeValues?: Record<string, { S?: string }> };
        const values = input.ExpressionAttributeValues ?? {};
        queries.push({ index: input.IndexName ?? 'table', pk: values[':pk']?.S ?? values[':h']?.S ?? '?' });
      }
      return next(args);
    },
    { step: 'initialize' },
  );
  return { t: openTable(client, name), calls, queries };
}

function depsOf(t: TTable, mails: TMail[]): TNotifyDeps {
  return {
    table: t,
    keyring,
    baseUrl: 'https://rate.example.test',
    mailer: { send: async (m) => void mails.push(m) },
    now: () => clock.now,
    timeZone: 'Asia/Shanghai',
  };
}

const chainOf = (hall: THall): string[] => {
  const out: string[] = [];
  for (let r: string | undefined = hall.regionId; r; r = regions.find((x) => x.id === r)?.parentId) out.push(r);
  return out;
};

beforeAll(async () => {
  endpoint = (await engine('dynalite')).endpoint;
  name = `notify-national-${randomBytes(4).toString('hex')}`;
  const client = createDynamoClient({ endpoint });
  await ensureTable(client, name);
  table = openTable(client, name);
  const tree = nationalTree({ provinces: PROVINCES, cities: CITIES, districts: DISTRICTS, halls: HALLS });
  regions.push(...tree.regions);
  halls.push(...tree.halls);
  users.push({ id: 'u-admin', name: '管理员', role: 'admin', scope: '*', email: 'admin@example.gov.cn' });
  for (let i = 1; i < USERS; i++) {
    const region = regions[2 + (Math.floor(i / 10) % (regions.length - 2))]; // ~4 to each region below the top
    const hall = halls[i % halls.length];
    const id = `u${String(i).padStart(5, '0')}`;
    users.push(
      i % 10 === 0
        ? { id, name: `督导${i}`, role: 'supervisor', scope: region.id, email: `s${i}@example.gov.cn` }
        : { id, name: `负责人${i}`, role: 'manager', scope: hall.id, email: `m${i}@example.gov.cn` },
    );
  }
  await Promise.all([bulkPutRegions(table, regions), bulkPutHalls(table, halls), bulkPutUsers(table, users)]);
}, 180_000);
afterAll(stopEngines);

/** The users an event on this hall may reach: its managers, the supervisors of its chain, the administrator. */
const reachable = (hall: THall) => {
  const scopes = new Set([hall.id, ...chainOf(hall), '*']);
  return users.filter((u) => scopes.has(u.scope));
};

/** A hall with managers and supervisors above it in both its district and its city. */
const busyHall = (skip: string[] = []) =>
  halls.find((h) => {
    if (skip.includes(h.id)) return false;
    const [district, city] = chainOf(h);
    const has = (s: string) => users.some((u) => u.scope === s);
    return has(h.id) && has(district) && has(city);
  })!;

async function event(e: TEvent) {
  expect(await emitEvents(table, [e], clock.now)).toBe(1);
}

describe('one event at national size', () => {
  it('reads its scopes: the scope items, the users they name and their choices — a few dozen items of 5,000 users', async () => {
    const hall = busyHall();
    const [district, city] = chainOf(hall);
    const managers = users.filter((u) => u.scope === hall.id);
    const supervisors = users.filter((u) => u.scope === district || u.scope === city);
    await putPrefs(table, managers[0].id, { lang: 'zh', modes: { 'alert.raised': 'never' } });
    await putPrefs(table, supervisors[0].id, { lang: 'en', modes: {} });
    await event(alertRaised({ hallId: hall.id, day: '2026-11-30', kind: 'turned-cold' }, new Date(clock.now).toISOString()));

    const { t, calls } = countedTable();
    await loadCaseWorld(t, clock.now); // the tick's tree (cached per process, read by the sweep anyway)
    const mails: TMail[] = [];
    const deps = depsOf(t, mails);
    const before = t.itemsRead;
    const seen = { ...calls };
    const out = await dispatch(deps);
    const read = t.itemsRead - before;
    const candidates = reachable(hall);
    expect(out.events).toBe(1);
    // at once: the managers (one chose never); the supervisors and the administrator wait for the digest
    expect(out.mails).toBe(candidates.length - 1);
    // 1 event + the scope items + the users they name + the 2 choices stored: nothing else
    expect(read).toBe(1 + candidates.length * 2 + 2);
    expect(read).toBeLessThan(80);
    const used = (cmd: string) => (calls[cmd] ?? 0) - (seen[cmd] ?? 0);
    expect(used('ScanCommand')).toBe(0);
    expect(used('QueryCommand')).toBe(keys.NOTIFY_SHARDS + 1 + 6); // the outbox, the endpoints, 6 scopes (hall, 4 regions, *)
    expect(used('BatchGetItemCommand')).toBe(2); // the users, their choices
    expect(used('GetItemCommand')).toBe(0);

    const sent = await sendQueuedMails(deps);
    expect(sent).toBe(managers.length - 1);
    expect(mails.map((m) => m.to).sort()).toEqual(
      managers
        .slice(1)
        .map((u) => u.email)
        .sort(),
    );
    expect(mails.every((m) => m.subject.includes('服务温度预警'))).toBe(true);
  });
});

describe('digests at national size', () => {
  it('are due at 08:30, found by their index, and sent once though two ticks race', async () => {
    const hall = busyHall();
    const waiting = reachable(hall).filter((u) => u.role !== 'manager');
    clock.now = Date.parse('2026-12-01T08:29:00+08:00');
    expect(await listDueDigests(table, new Date(clock.now).toISOString())).toEqual([]);
    clock.now = Date.parse('2026-12-01T08:31:00+08:00');
    const due = await listDueDigests(table, new Date(clock.now).toISOString());
    expect(due.map((d) => d.userId).sort()).toEqual(waiting.map((u) => u.id).sort());

    // two instances (own clients and handles) at the same instant
    const mails: TMail[] = [];
    const [a, b] = [countedTable(), countedTable()];
    await Promise.all([loadCaseWorld(a.t, clock.now), loadCaseWorld(b.t, clock.now)]); // each instance's cached tree
    const [readA, readB] = [a.t.itemsRead, b.t.itemsRead];
    const runs = await Promise.all([sendDigests(depsOf(a.t, mails)), sendDigests(depsOf(b.t, mails))]);
    expect(runs[0] + runs[1]).toBe(waiting.length);
    expect(mails.map((m) => m.to).sort()).toEqual(waiting.map((u) => u.email).sort());
    expect(mails.every((m) => m.subject.includes('2026-12-01'))).toBe(true);
    expect(mails.find((m) => m.subject.includes('Digest'))).toBeDefined(); // the supervisor who chose English
    // the digests' reads: the due items, their users and choices, waiting mails and events — not the user list
    expect(a.t.itemsRead - readA + b.t.itemsRead - readB).toBeLessThan(20 * waiting.length + 30);

    // nothing due any more; a later tick the same day sends nothing
    expect(await listDueDigests(table, new Date(clock.now).toISOString())).toEqual([]);
    clock.now += 60_000;
    expect(await sendDigests(depsOf(table, mails))).toBe(0);
    expect(mails).toHaveLength(waiting.length);
  });

  it('a due digest is claimed by one of two racing senders only', async () => {
    const hall = busyHall();
    await event(alertRaised({ hallId: hall.id, day: '2026-12-01', kind: 'cusum' }, new Date(clock.now).toISOString()));
    await loadCaseWorld(table, clock.now);
    await dispatch(depsOf(table, []));
    await sendQueuedMails(depsOf(table, [])); // the managers' (at once): out of the way of the next test
    // after today's digest: due at once (the sender then finds the day sent and moves it to tomorrow)
    const [d] = (await listDueDigests(table, new Date(clock.now).toISOString())).filter((x) => x.userId === 'u-admin');
    expect(d).toBeDefined();
    const until = new Date(clock.now + 300_000).toISOString();
    const claims = await Promise.all([claimDueDigest(table, d, 'tick-a', until), claimDueDigest(table, d, 'tick-b', until)]);
    expect(claims.filter((n) => n !== undefined)).toHaveLength(1);
    // held: not due again until the hold ends
    const due = async (at: number) => (await listDueDigests(table, new Date(at).toISOString())).some((x) => x.userId === 'u-admin');
    expect(await due(clock.now)).toBe(false);
    expect(await due(clock.now + 300_001)).toBe(true);
    // taken over after the hold (a crashed sender): the day's digest went already, so it waits for tomorrow's
    clock.now += 300_001;
    const mails: TMail[] = [];
    await sendDigests(depsOf(table, mails));
    expect(mails.filter((m) => m.to === 'admin@example.gov.cn')).toEqual([]);
    expect(await due(clock.now)).toBe(false);
    expect(await due(Date.parse('2026-12-02T08:30:00+08:00'))).toBe(true);
  });
});

describe('scope items follow the users', () => {
  it('a manager moved to another hall stops hearing of the old one and hears of the new one', async () => {
    const from = busyHall();
    const to = busyHall([from.id, ...halls.filter((h) => chainOf(h)[0] === from.regionId).map((h) => h.id)]);
    const mover = users.findLast((u) => u.scope === from.id && u.role === 'manager')!; // not the one who chose never
    expect(await updateUser(table, { ...mover, scope: to.id })).toBe(true);
    mover.scope = to.id;
    expect((await usersOfScope(table, from.id)).map((u) => u.id)).not.toContain(mover.id);
    expect((await usersOfScope(table, to.id)).map((u) => u.id)).toContain(mover.id);
    clock.now += 60_000;
    await event(alertRaised({ hallId: from.id, day: '2026-11-29', kind: 'turned-cold' }, new Date(clock.now).toISOString()));
    await event(alertRaised({ hallId: to.id, day: '2026-11-28', kind: 'turned-cold' }, new Date(clock.now).toISOString()));
    forgetCaseWorld(table);
    const mails: TMail[] = [];
    await dispatch(depsOf(table, mails));
    await sendQueuedMails(depsOf(table, mails));
    const toMover = mails.filter((m) => m.to === mover.email);
    expect(toMover).toHaveLength(1);
    expect(toMover[0].text).toContain(`/halls/${to.id}`);
  });

  it('a stale scope item (its user moved or removed, the item left by a crash) is ignored', async () => {
    const hall = busyHall();
    const elsewhere = users.find((u) => u.role === 'manager' && u.scope !== hall.id && u.id !== 'u-admin')!;
    await put(table, { ...keys.userScope(hall.id, elsewhere.id), userId: elsewhere.id }); // as if the move half-failed
    await put(table, { ...keys.userScope(hall.id, 'u-gone'), userId: 'u-gone' }); // a removed user's
    const listed = (await usersOfScope(table, hall.id)).map((u) => u.id);
    expect(listed).not.toContain(elsewhere.id);
    expect(listed).not.toContain('u-gone');
    expect(listed).toEqual(
      users
        .filter((u) => u.scope === hall.id)
        .map((u) => u.id)
        .sort(),
    );
    clock.now += 60_000;
    await event(alertRaised({ hallId: hall.id, day: '2026-11-27', kind: 'turned-cold' }, new Date(clock.now).toISOString()));
    const mails: TMail[] = [];
    await dispatch(depsOf(table, mails));
    await sendQueuedMails(depsOf(table, mails));
    expect(mails.map((m) => m.to)).not.toContain(elsewhere.email);
    expect(mails.length).toBeGreaterThan(0);
  });

  it('created and removed users come and go from their scope', async () => {
    const hall = halls[7];
    const u: TUser = { id: 'u-new', name: '新经理', role: 'manager', scope: hall.id, email: 'new@example.gov.cn' };
    expect(await createUser(table, u)).toBe(true);
    expect((await usersOfScope(table, hall.id)).map((x) => x.id)).toContain('u-new');
    expect(await createUser(table, { ...u, scope: halls[8].id, email: 'other@example.gov.cn' })).toBe(false); // id taken
    expect((await usersOfScope(table, halls[8].id)).map((x) => x.id)).not.toContain('u-new');
    expect(await removeUser(table, 'u-new')).toBe(true);
    expect((await usersOfScope(table, hall.id)).map((x) => x.id)).not.toContain('u-new');
  });
});

describe('the sweep at national size', () => {
  it("finds a window's new cases in 16 GSI4 Queries, never one per hall-day; a late one at the moment it was rated", async () => {
    const from = Date.parse('2026-12-01T10:00:00+08:00');
    const to = from + 60_000;
    const at = (ms: number) => new Date(ms).toISOString();
    const bad = (n: number, hall: THall, ratedAt: number, day: string) => ({
      ratingId: `sweep-${n}`,
      channel: 'ticket' as const,
      hallId: hall.id,
      windowId: 'w1',
      ticketId: `sweep-${n}`,
      createdAt: at(ratedAt),
      day,
      overall: 1,
      reasons: ['wait_long'],
    });
    const open = async (r: ReturnType<typeof bad>) => {
      const hall = halls.find((h) => h.id === r.hallId)!;
      const due = at(Date.parse(r.createdAt) + 2 * 86_400_000);
      expect(
        (await putRating(table, r, openCaseAttributes({ hallId: hall.id, contactDue: due, rectifyDue: due }, hall.regionId))).status,
      ).toBe('created');
    };
    // three in the window (the third a late rating: its visit five days before), one at the window's start (the
    // last sweep's), one after its end (the next one's)
    await open(bad(1, halls[11], from + 5_000, '2026-12-01'));
    await open(bad(2, halls[1_234], to, '2026-12-01'));
    await open(bad(3, halls[1_999], from + 30_000, '2026-11-26'));
    await open(bad(4, halls[500], from, '2026-12-01'));
    await open(bad(5, halls[501], to + 1, '2026-12-01'));
    const cursor = keys.marker('notify-sweep');
    await put(table, { ...cursor, at: at(from) });
    clock.now = to + 10_000; // the sweep stays 10 s behind

    const { t, queries } = countedTable();
    const world = await loadCaseWorld(t, clock.now); // the tick's tree (loaded by the tick for its dispatch too)
    queries.length = 0;
    const deps = depsOf(t, []);
    expect(await sweep(deps, world)).toBe(3);
    const opened = (await listPendingEvents(table)).filter((e) => e.kind === 'case.opened');
    expect(opened.map((e) => (e as { caseId: string }).caseId).sort()).toEqual(['sweep-1', 'sweep-2', 'sweep-3']);
    const on = (index: string) => queries.filter((q) => q.index === index);
    expect(on('gsi4')).toHaveLength(keys.NEW_CASE_SHARDS);
    expect(new Set(on('gsi4').map((q) => q.pk)).size).toBe(16);
    expect(queries.filter((q) => q.pk.startsWith('HALLDAY#') || q.pk.startsWith('DIRTY#'))).toEqual([]);
    expect(on('gsi1')).toEqual([]);
    expect(on('table')).toEqual([]);
    // the rest are the deadlines: one Query per region holding halls (100 districts), not per hall
    expect(on('gsi2')).toHaveLength(new Set(halls.map((h) => h.regionId)).size);
    expect(queries).toHaveLength(16 + 100);

    // the same window again: the events are the cases', so nothing new is written
    await put(table, { ...cursor, at: at(from) });
    expect(await sweep(deps, world)).toBe(0);
    expect((await listPendingEvents(table)).filter((e) => e.kind === 'case.opened')).toHaveLength(3);
  });
});
