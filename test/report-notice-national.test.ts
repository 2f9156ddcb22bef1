/**
 * The monthly report's walk at national shape (issue 15 with issue 16), as counts rather than times: a 2,000-hall,
 * 125-region, 5,000-user catalogue on a real engine, the walk bounded to a budget of scope Queries a tick. Each tick
 * asks at most the budget; the month is done after ceil(scopes ÷ budget) ticks with exactly one event per unit a
 * subscriber answers for; a province whose own calendar closes the first working day waits and is walked alone the
 * next day; a tick killed mid-way (a client that throws after N calls) loses nothing and writes nothing twice; and a
 * new case raised while thousands of report events wait is dispatched in the very next tick, ahead of them, each
 * event then dispatched once. Calls are counted on clients of their own (middleware added before any command).
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TUser } from '../shared/domain/access.js';
import { caseOpened, eventId, mayHear, modeFor } from '../shared/domain/events.js';
import { generateKeyringJson, parseKeyring } from '../shared/domain/keyring.js';
import type { THall, TRegion } from '../shared/domain/model.js';
import { ownReportUnits, type TReportUnit } from '../shared/domain/report-notice.js';
import { loadCaseWorld } from '../shared/services/cases.js';
import { DIGESTS_PER_TICK, dispatch, emitEvents, notifyTick, type TMail, type TNotifyDeps } from '../shared/services/notify.js';
import { emitMonthlyReports } from '../shared/services/report-notice.js';
import { putOverride } from '../shared/storage/calendar.js';
import { bulkPutHalls, bulkPutRegions } from '../shared/storage/catalogue.js';
import { createDynamoClient } from '../shared/storage/client.js';
import { openTable, type TTable } from '../shared/storage/db.js';
import { getMarker } from '../shared/storage/meta.js';
import { getEvent, listDueDigests, listPendingEvents, putPrefs } from '../shared/storage/notify.js';
import { ensureTable } from '../shared/storage/schema.js';
import { bulkPutUsers } from '../shared/storage/users.js';
import { engine, nationalTree, stopEngines } from './support/harness.js';

const USERS = 5_000;
const BUDGET = 500;

let endpoint: string;
let name: string;
let table: TTable;
const keyring = parseKeyring(generateKeyringJson());
let regions: TRegion[] = [];
let halls: THall[] = [];
const users: TUser[] = [];
/** users who chose never to hear of the report */
const quiet = new Set<string>();

/** Counts on a client of its own: commands sent, scope Queries, successful event puts and outbox marks. */
interface TCount {
  t: TTable;
  calls: number;
  scopeQueries: number;
  eventPuts: number;
  dispatched: number;
  mailPuts: number;
}

/** A table handle on a client of its own, counting what it sends; after `dieAfter` commands every command throws. */
function countedTable(dieAfter = Number.POSITIVE_INFINITY): TCount {
  const client = createDynamoClient({ endpoint });
  const c: TCount = { t: openTable(client, name), calls: 0, scopeQueries: 0, eventPuts: 0, dispatched: 0, mailPuts: 0 };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (++c.calls > dieAfter) throw new Error('the function was stopped (timeout)');
      const cmd = context.commandName;
      const input = args.input as {
        Key?: { pk?: { S?: string } };
        Item?: { pk?: { S?: string }; sk?: { S?: string } };
        ExpressionAttributeValues?: Record<string, { S?: string }>;
      };
      if (cmd === 'QueryCommand' && input.ExpressionAttributeValues?.[':pk']?.S?.startsWith('USCOPE#')) c.scopeQueries++;
      const out = await next(args);
      if (cmd === 'PutItemCommand' && input.Item?.pk?.S?.startsWith('EVT#')) c.eventPuts++;
      if (cmd === 'PutItemCommand' && input.Item?.pk?.S?.startsWith('MAIL#') && input.Item.sk?.S?.startsWith('EVT#')) c.mailPuts++;
      if (cmd === 'UpdateItemCommand' && input.Key?.pk?.S?.startsWith('EVT#')) c.dispatched++;
      return out;
    },
    { step: 'initialize' },
  );
  return c;
}

const shanghai = (local: string) => Date.parse(`${local}+08:00`);
const idOf = (u: TReportUnit) => ('hallId' in u ? u.hallId : u.regionId);
const reportId = (u: TReportUnit, month: string) => eventId('report.monthly', idOf(u), month);
const tree = () => ({
  regionParent: new Map(regions.map((r) => [r.id, r.parentId])),
  hallRegion: new Map(halls.map((h) => [h.id, h.regionId])),
});
/** The units whose report someone hears of: the subscribers' own units (an address, not "never"). */
function expectedUnits(skip: (u: TReportUnit) => boolean = () => false): Map<string, TReportUnit> {
  const out = new Map<string, TReportUnit>();
  for (const u of users)
    if (u.email && !quiet.has(u.id)) for (const unit of ownReportUnits(u, tree())) if (!skip(unit)) out.set(idOf(unit), unit);
  return out;
}
/** The scopes the walk asks: the administrators', every region, every hall. */
const scopeCount = () => 1 + regions.length + halls.length;

/** One tick's monthly step on a fresh counted client, the tree loaded on it first (as the tick does), not counted. */
async function tick(nowMs: number): Promise<{ written: number; c: TCount }> {
  const c = countedTable();
  const world = await loadCaseWorld(c.t, nowMs);
  c.calls = 0;
  const written = await emitMonthlyReports({ table: c.t, world, nowMs, timeZone: 'Asia/Shanghai', scopesPerTick: BUDGET });
  return { written, c };
}

beforeAll(async () => {
  endpoint = (await engine('dynalite')).endpoint;
  name = `report-national-${randomBytes(4).toString('hex')}`;
  const client = createDynamoClient({ endpoint });
  await ensureTable(client, name);
  table = openTable(client, name);
  ({ regions, halls } = nationalTree({ provinces: 4, cities: 5, districts: 5, halls: 20 })); // 2,000 halls, 125 regions
  users.push({ id: 'u-admin', name: '管理员', role: 'admin', scope: '*', email: 'admin@example.gov.cn' });
  for (let i = 1; i < USERS; i++) {
    const id = `u${String(i).padStart(5, '0')}`;
    users.push(
      i % 10 === 0
        ? {
            id,
            name: `督导${i}`,
            role: 'supervisor',
            scope: regions[1 + (Math.floor(i / 10) % (regions.length - 1))].id,
            email: `s${i}@x.cn`,
          }
        : { id, name: `负责人${i}`, role: 'manager', scope: halls[i % halls.length].id, ...(i % 97 === 0 ? {} : { email: `m${i}@x.cn` }) },
    );
  }
  await Promise.all([bulkPutRegions(table, regions), bulkPutHalls(table, halls), bulkPutUsers(table, users)]);
  // a few who chose never: among them every manager of one hall, whose report then goes to no one
  const silent = halls[3].id;
  for (const u of users.filter((x) => x.scope === silent || x.id === 'u00020')) {
    quiet.add(u.id);
    await putPrefs(table, u.id, { lang: 'zh', modes: { 'report.monthly': 'never' } });
  }
  // the province p3 closes Tuesday 1 December 2026 (its own first working day of December is the 2nd)
  await putOverride(table, { regionId: 'p3', day: '2026-12-01', kind: 'closed', note: '省内调整' });
}, 180_000);
afterAll(stopEngines);

describe('the monthly walk, a budget of scopes a tick', () => {
  it('asks at most the budget a tick; a province closed on the day waits, alone, for its own first working day', async () => {
    const month = '2026-11';
    const inP3 = (u: TReportUnit) => {
      const id = idOf(u);
      return id === 'p3' || id.startsWith('p3c');
    };
    const p3Scopes = regions.filter((r) => inP3({ regionId: r.id })).length + halls.filter((h) => inP3({ hallId: h.id })).length;
    expect(p3Scopes).toBe(1 + 5 + 25 + 500);

    // before 08:00 of the national first working day: not even the marker is read
    const early = await tick(shanghai('2026-12-01T07:59:00'));
    expect([early.written, early.c.calls]).toEqual([0, 0]);

    // the first pass: every scope but p3's, a budget a tick
    let now = shanghai('2026-12-01T08:00:00');
    const firstPass = scopeCount() - p3Scopes;
    let written = 0;
    const perTick: number[] = [];
    for (let i = 0; i < Math.ceil(firstPass / BUDGET); i++, now += 60_000) {
      const r = await tick(now);
      perTick.push(r.c.scopeQueries);
      written += r.written;
      if (i === 0) {
        // the administrators' scope and the regions come first: every supervised region's event is out after one tick
        const supervised = [...expectedUnits(inP3).values()].filter((u) => 'regionId' in u);
        expect(supervised.length).toBeGreaterThan(50);
        for (const u of supervised) expect(await getEvent(table, reportId(u, month))).toBeDefined();
      }
    }
    expect(perTick).toEqual([BUDGET, BUDGET, BUDGET, firstPass - 3 * BUDGET]);
    const outsideP3 = expectedUnits(inP3);
    expect(written).toBe(outsideP3.size);
    const marker = await getMarker(table, `report-monthly#${month}`);
    expect(marker).toMatchObject({ prevPassAt: shanghai('2026-12-01T08:00:00'), lookAgainAt: now - 60_000 + 3_600_000 });
    expect(marker?.at).toBeUndefined();

    // within the hour: the marker only; an hour later the next pass finds nothing newly due (p3 waits for the 2nd)
    expect((await tick(now)).c.scopeQueries).toBe(0);
    now += 3_600_000;
    const idle = await tick(now);
    expect([idle.written, idle.c.scopeQueries]).toEqual([0, 0]);

    // the 2nd at 08:00: p3's scopes alone, then the month is done
    now = shanghai('2026-12-02T08:00:00');
    const second: number[] = [];
    for (let i = 0; i < Math.ceil(p3Scopes / BUDGET); i++, now += 60_000) {
      const r = await tick(now);
      second.push(r.c.scopeQueries);
      written += r.written;
    }
    expect(second).toEqual([BUDGET, p3Scopes - BUDGET]);
    expect((await getMarker(table, `report-monthly#${month}`))?.at).toBeDefined();
    const after = await tick(now);
    expect([after.written, after.c.scopeQueries]).toEqual([0, 0]);

    // exactly one event per unit a subscriber answers for; none for the hall whose managers all chose never
    const units = expectedUnits();
    expect(written).toBe(units.size);
    const pending = (await listPendingEvents(table)).filter((e) => e.kind === 'report.monthly' && e.day === month);
    expect(pending.map((e) => e.id).sort()).toEqual([...units.values()].map((u) => reportId(u, month)).sort());
    expect(units.has(halls[3].id)).toBe(false);
    expect(units.has('cn')).toBe(true); // the administrator's: the root
    // p3's halls were announced on their own day, the others on the 1st
    const onDay = (id: string) => pending.find((e) => e.id === id)!.at.slice(0, 10);
    expect(onDay(reportId({ hallId: 'p3c0d0h1' }, month))).toBe('2026-12-02');
    expect(onDay(reportId({ hallId: 'p2c0d0h1' }, month))).toBe('2026-12-01');
  }, 180_000);

  it('a tick killed mid-way loses nothing and writes nothing twice; the next tick redoes its slice', async () => {
    const month = '2026-10'; // announced from Monday 2 November
    let now = shanghai('2026-11-02T08:10:00');
    const runs: TCount[] = [];
    let returned = 0;
    // killed while reading its slice's subscribers, then (a fresh tick) while writing its events
    for (const dieAfter of [150, 700]) {
      const before = await getMarker(table, `report-monthly#${month}`);
      const killed = countedTable(dieAfter);
      runs.push(killed);
      const world = await loadCaseWorld(table, now);
      await expect(
        emitMonthlyReports({ table: killed.t, world, nowMs: now, timeZone: 'Asia/Shanghai', scopesPerTick: BUDGET }),
      ).rejects.toThrow('stopped');
      expect(await getMarker(table, `report-monthly#${month}`)).toEqual(before); // the cursor did not move
      now += 60_000;
    }
    expect(runs[0].eventPuts).toBe(0);
    expect(runs[1].eventPuts).toBeGreaterThan(0); // part of the first slice was written before it died
    for (let i = 0; i < 20 && !(await getMarker(table, `report-monthly#${month}`))?.at; i++, now += 60_000) {
      const r = await tick(now);
      expect(r.c.scopeQueries).toBeLessThanOrEqual(BUDGET);
      runs.push(r.c);
      returned += r.written;
    }
    expect(runs.length - 2).toBe(Math.ceil(scopeCount() / BUDGET)); // no tick was lost to the kills
    const units = expectedUnits();
    // every event written once over all the runs (the killed one's included), none missing
    expect(runs.reduce((n, c) => n + c.eventPuts, 0)).toBe(units.size);
    expect(returned).toBe(units.size - runs[1].eventPuts);
    for (const u of [...units.values()].filter((_, i) => i % 50 === 0)) expect(await getEvent(table, reportId(u, month))).toBeDefined();
    const pending = (await listPendingEvents(table)).filter((e) => e.kind === 'report.monthly' && e.day === month);
    expect(pending).toHaveLength(units.size);
  }, 180_000);
});

describe('report day and a new case', () => {
  it('a case.opened raised while thousands of report events wait goes out in the very next tick; each event then once', async () => {
    const waiting = (await listPendingEvents(table)).filter((e) => e.kind === 'report.monthly').length;
    expect(waiting).toBe(2 * expectedUnits().size);
    const now = shanghai('2026-11-02T10:00:00');
    const hall = halls[1_234];
    const at = new Date(now).toISOString();
    const opened = caseOpened({
      caseId: 'case-national-1',
      hallId: hall.id,
      openedAt: at,
      contactDue: new Date(now + 86_400_000).toISOString(),
    });
    expect(await emitEvents(table, [opened], now)).toBe(1);

    // a bounded read of the outbox: a page of 64 ÷ 8 a shard, the urgent lane first, the newest case ahead of every report
    const peek = countedTable();
    const page = await listPendingEvents(peek.t, 64);
    expect(page[0].id).toBe(opened.id);
    expect(page.length).toBeLessThanOrEqual(64);
    expect(peek.t.itemsRead).toBeLessThanOrEqual(64);

    const mails: TMail[] = [];
    const c = countedTable();
    const deps: TNotifyDeps = {
      table: c.t,
      keyring,
      baseUrl: 'https://rate.example.test',
      mailer: { send: async (m) => void mails.push(m) },
      now: () => now,
      timeZone: 'Asia/Shanghai',
      perTick: { events: 64 },
    };
    const r = await notifyTick(deps);
    expect(r.events).toBeLessThanOrEqual(64);
    expect(r.events).toBeGreaterThan(0);
    // the hall's managers (at once) had their mail in this tick, though every report event waiting is older
    const managers = users.filter((u) => u.scope === hall.id && u.email);
    expect(managers.length).toBeGreaterThan(0);
    const aboutCase = mails.filter((m) => m.id.startsWith(`${opened.id}.`));
    expect(aboutCase.map((m) => m.to).sort()).toEqual(managers.map((u) => u.email).sort());
    expect((await listPendingEvents(table)).some((e) => e.id === opened.id)).toBe(false);

    // the rest, at most 2,000 a tick: every report event dispatched once, each subscriber's mail once
    const rest = countedTable();
    const drain = { ...deps, table: rest.t, mailer: { send: async () => {} } };
    const per: number[] = [];
    for (let n = (await dispatch(drain)).events; n; n = (await dispatch(drain)).events) per.push(n);
    expect(Math.max(...per)).toBeLessThanOrEqual(2_000);
    expect(per.length).toBeLessThanOrEqual(Math.ceil(waiting / 2_000) + 2);
    expect(c.dispatched + rest.dispatched).toBe(waiting + 1);
    expect(await listPendingEvents(table)).toEqual([]);
    const t = tree();
    const subscribers = users.filter((u) => u.email && !quiet.has(u.id) && ownReportUnits(u, t).length).length;
    const toldOfCase = users.filter((u) => mayHear(u, t, opened) && modeFor(u.role, undefined, 'case.opened') !== 'never').length;
    expect(c.mailPuts + rest.mailPuts).toBe(toldOfCase + 2 * subscribers);

    // after 08:30 every subscriber's digest is due at once; a tick's digest pass reads a page of them, not all
    const due = await listDueDigests(table, at);
    expect(due.length).toBeGreaterThan(2 * DIGESTS_PER_TICK);
    const digests = countedTable();
    const first = await listDueDigests(digests.t, at, DIGESTS_PER_TICK);
    expect(first.length).toBeLessThanOrEqual(DIGESTS_PER_TICK);
    expect(first.length).toBeGreaterThan(DIGESTS_PER_TICK / 2);
    expect(digests.t.itemsRead).toBe(first.length);
    const dueNow = new Set(due.map((d) => d.sk));
    expect(first.every((d) => dueNow.has(d.sk))).toBe(true);
  }, 180_000);
});
