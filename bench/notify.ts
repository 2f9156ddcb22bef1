/**
 * Notification rows of `npm run bench` (issue 14), on an embedded dynalite:
 *  - case_transition_extra_writes: the most event items a single step writes on the request path — a bad rating's
 *    put (case.opened is derived later by the sweep: 0) and each case transition through the case service (contact,
 *    appeal filed and decided, rectify, 追评, the night's escalation) — counted on the DynamoDB client (target ≤ 1);
 *  - webhook_deliveries_per_s: signed Standard Webhooks POSTs to a receiver on loopback, each recorded in the
 *    endpoint's delivery log (read, sign, POST, conditional put), by the same code the local timer and the AWS
 *    deliverer run, 8 at a time.
 * Run alone: `npx tsx bench/notify.ts` (prints the rows, writes nothing).
 * The national rows (benchNotifyNational, issue 15) run in bench/national.ts on its generated catalogue (50,000 halls,
 * 100,000 staff users): a few events dispatched and mailed (notify_tick_national_ms, notify_tick_items_read: the
 * scope items, users and choices they read, not the user list) and the 08:30 digests of those who wait for them
 * (notify_digest_national_ms), found by the digests-due index; and one sweep tick over all the halls with a few new
 * bad ratings in its minute (one of them late), its Queries counted by index (notify_sweep_national_queries: 16 on
 * GSI4 for the new cases plus one per region holding halls for the deadlines, where the old sweep read one per
 * hall-day) and timed with the tree warm (notify_sweep_national_ms). Report day (benchMonthlyNational): the whole
 * tick every minute from 08:00 on the national first working day, until the month's walk is done and every report
 * event dispatched: ticks the walk takes (monthly_ticks_national) and the dispatch (report_dispatch_ticks_national),
 * the slowest whole tick (monthly_tick_national_ms) and the slowest slice and dispatch steps in it.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { TUser } from '../shared/domain/access.js';
import { alertRaised, caseOpened, type TEvent } from '../shared/domain/events.js';
import type { THall } from '../shared/domain/model.js';
import { generateKeyringJson, parseKeyring } from '../shared/domain/keyring.js';
import { signTicket } from '../shared/domain/tokens.js';
import { startDynalite } from '../shared/local/engine.js';
import { runCaseNight } from '../shared/scoring/cases-night.js';
import { commandCase, loadCaseWorld, type TCaseDeps } from '../shared/services/cases.js';
import {
  DISPATCH_PER_TICK,
  deliverDue,
  dispatch,
  emitEvents,
  notifyTick,
  registerEndpoint,
  sendDigests,
  sendQueuedMails,
  sweep,
  type TMail,
  type TNotifyDeps,
} from '../shared/services/notify.js';
import { acceptRating } from '../shared/services/ratings.js';
import { MONTHLY_SCOPES_PER_TICK } from '../shared/services/report-notice.js';
import { getCase, openCaseAttributes } from '../shared/storage/cases.js';
import { putHall, putRegion, putService, putWindow } from '../shared/storage/catalogue.js';
import { createDynamoClient } from '../shared/storage/client.js';
import { openTable, put, type TTable } from '../shared/storage/db.js';
import * as keys from '../shared/storage/keys.js';
import { putRating } from '../shared/storage/ratings.js';
import { getMarker } from '../shared/storage/meta.js';
import { createDelivery, listDeliveries, listPendingEvents, putEvent } from '../shared/storage/notify.js';
import { ensureTable } from '../shared/storage/schema.js';

export interface TNotifyRow {
  metric: string;
  value: number;
  unit: string;
  target: { op: '<=' | '>='; value: number } | null;
}

/** Counts event items written through the table's client while `fn` runs. */
async function eventWrites(t: TTable, fn: () => Promise<unknown>): Promise<number> {
  const client = t.db;
  const send = client.send.bind(client);
  let n = 0;
  client.send = ((cmd: { input: { Item?: { pk?: { S?: string } } } }, ...rest: unknown[]) => {
    if (cmd.input.Item?.pk?.S?.startsWith('EVT#')) n++;
    return (send as (...a: unknown[]) => unknown)(cmd, ...rest);
  }) as typeof client.send;
  try {
    await fn();
    return n;
  } finally {
    client.send = send;
  }
}

export async function benchNotify(opts: { deliveries?: number } = {}): Promise<TNotifyRow[]> {
  const engine = await startDynalite();
  const client = createDynamoClient({ endpoint: engine.endpoint });
  await ensureTable(client, 'bench-notify');
  const t = openTable(client, 'bench-notify');
  const keyring = parseKeyring(generateKeyringJson());
  const clock = { now: Date.parse('2026-11-20T02:00:00Z') }; // Friday 10:00 in Shanghai
  try {
    await putRegion(t, { id: 'r-city', name: '市', level: 'city' });
    await putRegion(t, { id: 'r-bench', name: '区', level: 'district', parentId: 'r-city' });
    await putHall(t, { id: 'h-bench', name: '基准大厅', regionId: 'r-bench', timezone: 'Asia/Shanghai' });
    await putWindow(t, { hallId: 'h-bench', id: 'w1', name: '1号窗口' });
    await putService(t, { hallId: 'h-bench', id: 's1', name: '事项' });
    t.catalogueVersion++;
    const manager: TUser = { id: 'u-m', name: '经理', role: 'manager', scope: 'h-bench' };
    const district: TUser = { id: 'u-s', name: '督导', role: 'supervisor', scope: 'r-bench' };
    const deps: TCaseDeps = { table: t, keyring, now: () => clock.now };

    // 1. the most event writes of one step on the request path
    const rate = async (id: string) => {
      const ticket = signTicket(keyring, { ticketId: id, hallId: 'h-bench', windowId: 'w1', serviceId: 's1', issuedAt: clock.now });
      const hall = { id: 'h-bench', name: '基准大厅', regionId: 'r-bench', timezone: 'Asia/Shanghai' };
      const catalogue = async () => ({ hall, windows: [{ hallId: 'h-bench', id: 'w1', name: '1' }], services: [] });
      const r = await acceptRating(
        { table: t, keyring, now: () => clock.now, catalogue } as never,
        { ticket, overall: 1, reasons: ['rude'] } as never,
        { deviceId: `bench-${id}` },
      );
      if (!r.ok) throw new Error(`bench notify: rating refused (${JSON.stringify(r)})`);
    };
    const steps: number[] = [];
    steps.push(await eventWrites(t, () => rate('BenchCaseAaaaaaaaaaaa')));
    steps.push(await eventWrites(t, () => rate('BenchCaseBbbbbbbbbbbb')));
    const a = 'BenchCaseAaaaaaaaaaaa';
    const staff = (user: TUser) => ({ kind: 'staff' as const, user });
    steps.push(await eventWrites(t, () => commandCase(deps, a, { type: 'contact', how: 'written_reply', note: '' }, staff(manager))));
    steps.push(await eventWrites(t, () => commandCase(deps, a, { type: 'fileAppeal', kind: 'mistaken', evidence: 'x' }, staff(manager))));
    steps.push(
      await eventWrites(t, () => commandCase(deps, a, { type: 'decideAppeal', decision: 'rejected', reason: 'y' }, staff(district))),
    );
    steps.push(
      await eventWrites(t, () =>
        commandCase(deps, a, { type: 'rectify', publicReply: '已整改', fix: 'z', category: 'other' }, staff(manager)),
      ),
    );
    steps.push(await eventWrites(t, () => commandCase(deps, a, { type: 'followUp', grade: 'basic' }, { kind: 'resident' })));
    clock.now = Date.parse('2026-11-25T18:00:00Z');
    const night = await eventWrites(t, () => runCaseNight(deps, ['h-bench']));
    const escalated = (await getCase(t, 'BenchCaseBbbbbbbbbbbb'))?.case.escalationLevel ?? 0;
    steps.push(escalated ? night / escalated : night);
    const rows: TNotifyRow[] = [
      { metric: 'case_transition_extra_writes', value: Math.max(...steps), unit: 'writes', target: { op: '<=', value: 1 } },
    ];

    // 2. webhook deliveries to a loopback receiver
    const n = opts.deliveries ?? 1000;
    const server = createServer((req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(204).end());
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
    clock.now = Date.now();
    const ndeps: TNotifyDeps = { table: t, keyring, baseUrl: 'https://rate.example.cn', now: () => clock.now };
    const { endpoint } = await registerEndpoint(
      ndeps,
      { id: 'u-a', name: 'a', role: 'admin', scope: '*' },
      {
        regionId: 'r-city',
        url,
        kinds: ['case.opened'],
        format: 'standard',
        label: 'bench',
      },
    );
    for (let i = 0; i < n; i++) {
      const e = caseOpened({
        caseId: `c${String(i).padStart(6, '0')}`,
        hallId: 'h-bench',
        openedAt: new Date(clock.now - 1000).toISOString(),
        contactDue: new Date(clock.now + 86_400_000).toISOString(),
      });
      await putEvent(t, e, clock.now);
      await createDelivery(t, endpoint.id, e, clock.now);
    }
    const started = performance.now();
    let attempted = 0;
    while (attempted < n) {
      const k = await deliverDue(ndeps);
      if (!k) break;
      attempted += k;
    }
    const seconds = (performance.now() - started) / 1000;
    server.close();
    const delivered = (await listDeliveries(t, endpoint.id)).filter((d) => d.status === 'delivered').length;
    if (delivered !== n) throw new Error(`bench notify: ${delivered} of ${n} deliveries delivered`);
    rows.push({ metric: 'webhook_deliveries_per_s', value: Math.round(n / seconds), unit: '/s', target: null });
    return rows;
  } finally {
    client.destroy();
    await engine.close();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  benchNotify().then(
    (rows) => {
      for (const r of rows)
        console.log(`${r.metric}\t${r.value} ${r.unit}${r.target ? `\t(target ${r.target.op} ${r.target.value})` : ''}`);
    },
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}

/**
 * On a national catalogue already loaded (bench/national.ts): `events` alerts on halls spread over the country at
 * 07:00 Shanghai, then the tick's work after the sweep (dispatch, mail at once, digests, webhooks) with the tree warm
 * (the sweep loads and caches it), its time and the items it reads; then at 08:31 the digests of those who wait.
 */
export async function benchNotifyNational(table: TTable, halls: readonly THall[], events = 5): Promise<TNotifyRow[]> {
  const clock = { now: Date.parse('2026-12-01T07:00:00+08:00') };
  const mails: TMail[] = [];
  const deps: TNotifyDeps = {
    table,
    keyring: parseKeyring(generateKeyringJson()),
    baseUrl: 'https://rate.example.cn',
    mailer: { send: async (m) => void mails.push(m) },
    now: () => clock.now,
    timeZone: 'Asia/Shanghai',
  };
  const at = new Date(clock.now).toISOString();
  const step = Math.max(1, Math.floor(halls.length / events));
  const list: TEvent[] = Array.from({ length: events }, (_, i) =>
    alertRaised({ hallId: halls[Math.min(i * step + 1, halls.length - 1)].id, day: '2026-11-30', kind: 'turned-cold' }, at),
  );
  await emitEvents(table, list, clock.now);
  await loadCaseWorld(table, clock.now);
  const read0 = table.itemsRead;
  let started = performance.now();
  const d = await dispatch(deps);
  const sent = await sendQueuedMails(deps);
  await sendDigests(deps); // before 08:30: none due
  await deliverDue(deps);
  const tickMs = performance.now() - started;
  const read = table.itemsRead - read0;
  clock.now = Date.parse('2026-12-01T08:31:00+08:00');
  await loadCaseWorld(table, clock.now);
  started = performance.now();
  const digests = await sendDigests(deps);
  const digestMs = performance.now() - started;
  const what = `${events} events, ${d.mails} mails (${sent} at once)`;
  return [
    { metric: 'notify_tick_national_ms', value: Math.round(tickMs), unit: `ms (${what}; tree warm, sweep apart)`, target: null },
    { metric: 'notify_tick_items_read', value: read, unit: `items (${what}; the old tick read every user)`, target: null },
    { metric: 'notify_digest_national_ms', value: Math.round(digestMs), unit: `ms (${digests} digests due at 08:30)`, target: null },
  ];
}

/** Queries sent through the table's client while `fn` runs, by index (`table` for the table itself). */
async function queriesBy<T>(t: TTable, fn: () => Promise<T>): Promise<{ out: T; queries: Record<string, number> }> {
  const client = t.db;
  const send = client.send;
  const queries: Record<string, number> = {};
  client.send = ((cmd: { input: { KeyConditionExpression?: string; IndexName?: string } }, ...rest: unknown[]) => {
    if (cmd.input.KeyConditionExpression) queries[cmd.input.IndexName ?? 'table'] = (queries[cmd.input.IndexName ?? 'table'] ?? 0) + 1;
    return (send.bind(client) as (...a: unknown[]) => unknown)(cmd, ...rest);
  }) as typeof client.send;
  try {
    return { out: await fn(), queries };
  } finally {
    client.send = send;
  }
}

/**
 * One sweep tick at national size: a minute's window holding three new bad ratings (the third rated today for a
 * visit five days before), the tree warm (the tick loads it for its dispatch anyway); Queries by index and its time.
 */
export async function benchSweepNational(table: TTable, halls: readonly THall[]): Promise<TNotifyRow[]> {
  const from = Date.parse('2026-12-01T10:00:00+08:00');
  const to = from + 60_000;
  const at = (ms: number) => new Date(ms).toISOString();
  const pick = [1, Math.floor(halls.length / 2), halls.length - 1].map((i) => halls[Math.min(i, halls.length - 1)]);
  for (const [i, hall] of pick.entries()) {
    const createdAt = at(from + 10_000 * (i + 1));
    const id = `sweep-bench-${i}`;
    const r = {
      ratingId: id,
      ticketId: id,
      channel: 'ticket' as const,
      hallId: hall.id,
      windowId: 'w1',
      createdAt,
      overall: 1,
      reasons: ['wait_long'],
    };
    const due = at(from + 2 * 86_400_000);
    await putRating(
      table,
      { ...r, day: i === 2 ? '2026-11-26' : '2026-12-01' },
      openCaseAttributes({ hallId: hall.id, contactDue: due, rectifyDue: due }, hall.regionId),
    );
  }
  await put(table, { ...keys.marker('notify-sweep'), at: at(from) });
  const deps: TNotifyDeps = {
    table,
    keyring: parseKeyring(generateKeyringJson()),
    baseUrl: 'https://rate.example.cn',
    now: () => to + 10_000,
  };
  const world = await loadCaseWorld(table, to + 10_000);
  const started = performance.now();
  const { out, queries } = await queriesBy(table, () => sweep(deps, world));
  const ms = performance.now() - started;
  const total = Object.values(queries).reduce((a, b) => a + b, 0);
  const regions = new Set(halls.map((h) => h.regionId)).size;
  const by = Object.entries(queries)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  const what = `${halls.length} halls in ${regions} regions, ${out} case.opened`;
  return [
    { metric: 'notify_sweep_national_queries', value: total, unit: `Queries (${what}: ${by})`, target: null },
    { metric: 'notify_sweep_national_ms', value: Math.round(ms), unit: `ms (${what}; tree warm)`, target: null },
  ];
}

/**
 * Report day on the national catalogue: the whole notification tick (tree, sweep, the month's slice, dispatch, mail,
 * digests, webhooks) every minute from 08:00 on Tuesday 1 December 2026, a mailer that only counts, until the month's
 * walk is done and no report event waits; each tick's steps timed (the tick reports them). The sweep's cursor is set
 * a minute back, so every tick's sweep reads its regions' deadlines as on AWS.
 */
export async function benchMonthlyNational(
  table: TTable,
  halls: readonly THall[],
  opts: { maxTicks?: number; onTick?: (line: string) => void } = {},
): Promise<TNotifyRow[]> {
  const maxTicks = opts.maxTicks ?? 200;
  const start = Date.parse('2026-12-01T08:00:00+08:00');
  const clock = { now: start };
  let sentMails = 0;
  const deps: TNotifyDeps = {
    table,
    keyring: parseKeyring(generateKeyringJson()),
    baseUrl: 'https://rate.example.cn',
    mailer: { send: async () => void sentMails++ },
    now: () => clock.now,
    timeZone: 'Asia/Shanghai',
  };
  await put(table, { ...keys.marker('notify-sweep'), at: new Date(start - 60_000).toISOString() });
  const ticks: { ms: number; steps: Record<string, number>; calls: number; monthly: number; events: number; digests: number }[] = [];
  let walkTicks = 0;
  let dispatchTicks = 0;
  let reports = 0;
  // DynamoDB calls sent through the table's client, per tick (on AWS each is a round trip and the SDK's CPU)
  const client = table.db;
  const send = client.send;
  let calls = 0;
  client.send = ((...a: unknown[]) => {
    calls++;
    return (send.bind(client) as (...x: unknown[]) => unknown)(...a);
  }) as typeof client.send;
  try {
    for (let i = 0; i < maxTicks; i++, clock.now += 60_000) {
      const started = performance.now();
      calls = 0;
      const r = await notifyTick(deps);
      ticks.push({ ms: performance.now() - started, steps: r.ms, calls, monthly: r.monthly, events: r.events, digests: r.digests });
      reports += r.monthly;
      opts.onTick?.(`tick ${i + 1}: ${Math.round(ticks.at(-1)!.ms)} ms, ${calls} calls, ${JSON.stringify(r)}`);
      const done = Boolean((await getMarker(table, 'report-monthly#2026-11'))?.at);
      if (!walkTicks && done) walkTicks = i + 1;
      if (done && !(await listPendingEvents(table, 64)).some((e) => e.kind === 'report.monthly')) {
        dispatchTicks = i + 1;
        break;
      }
    }
  } finally {
    client.send = send;
  }
  if (!dispatchTicks) throw new Error(`bench monthly: report day not finished in ${maxTicks} ticks`);
  const slowest = ticks.reduce((a, b) => (b.ms > a.ms ? b : a));
  const steps = Object.entries(slowest.steps)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  const maxOf = (k: string) => Math.max(...ticks.map((t) => t.steps[k] ?? 0));
  const what = `${reports} report events, ${halls.length} halls`;
  const budget = `≤ ${MONTHLY_SCOPES_PER_TICK} scopes a tick`;
  return [
    {
      metric: 'monthly_ticks_national',
      value: walkTicks,
      unit: `ticks (the month's walk over ${halls.length} halls, their regions and the administrators, ${budget}; ${reports} events)`,
      target: null,
    },
    {
      metric: 'report_dispatch_ticks_national',
      value: dispatchTicks,
      unit: `ticks (from 08:00 until every report event is dispatched, ≤ ${DISPATCH_PER_TICK} events a tick; ${sentMails} mails sent)`,
      target: null,
    },
    {
      metric: 'monthly_tick_national_ms',
      value: Math.round(slowest.ms),
      unit: `ms (the slowest whole tick of ${ticks.length} on report day, ${what}; its steps: ${steps}; ${slowest.calls} DynamoDB calls)`,
      target: { op: '<=', value: 60_000 },
    },
    {
      metric: 'monthly_slice_national_ms',
      value: maxOf('monthly'),
      unit: `ms (the slowest slice: ≤ ${MONTHLY_SCOPES_PER_TICK} scopes asked, their events written)`,
      target: null,
    },
    {
      metric: 'report_dispatch_tick_national_ms',
      value: maxOf('dispatch'),
      unit: `ms (the slowest dispatch step of report day: ≤ ${DISPATCH_PER_TICK} events)`,
      target: null,
    },
  ];
}
