/**
 * Detection rows of `npm run bench` (issue 10), on an embedded dynalite through the real app and the real night:
 * a generated day of honest traffic at one hall (six windows, 08:30–17:30, a resident served every 4–10 minutes,
 * 60% rate, half by ticket and half by placard; two hall Wi-Fi addresses and three carrier-NAT addresses shared by
 * everyone; four browser builds, the commonest on 40% of phones; 40% of browsers keep no cookie) after 14 days of
 * honest history, then the attacks of issue 10 injected through the same API: a 1,000-rating placard flood with a
 * fresh cookie each (from 20 mobile addresses), a slow drip of one rating every 10 minutes all day at one window,
 * one phone rating 20 halls, staff minting 30 tickets and rating them on the hall Wi-Fi with fresh cookies, a run
 * of identical ratings, ratings outside opening hours.
 *  - stuffing_recall: share of injected ratings left out (refused, or stored and excluded by the night), ≥ 0.95;
 *  - honest_flagged_share: honest ratings flagged once the attacks are in the day, ≤ 0.01;
 *  - honest_refused: honest submissions refused (placard limit, per-client limit), 0;
 *  - flood_temperature_shift: |temperature(honest + every attack, after detection) − temperature(honest only)|, ≤ 1.
 * Run alone: `npx tsx bench/detection.ts`.
 */
import { randomBytes } from 'node:crypto';
import { zeroVector } from '../shared/domain/aggregate.js';
import { isExcluded } from '../shared/domain/exclusion.js';
import { unitFigures } from '../shared/domain/figures.js';
import { reasonsForGrade } from '../shared/domain/grades.js';
import { generateKeyringJson, parseKeyring } from '../shared/domain/keyring.js';
import type { THall, TRating } from '../shared/domain/model.js';
import { signPlacard, signTicket } from '../shared/domain/tokens.js';
import { addDays } from '../shared/domain/time.js';
import { loadConfig } from '../shared/config.js';
import { createApp } from '../shared/http/app.js';
import { startDynalite } from '../shared/local/engine.js';
import { scoreHallsDay } from '../shared/scoring/job.js';
import { putHall, putRegion, putWindow } from '../shared/storage/catalogue.js';
import { createDynamoClient } from '../shared/storage/client.js';
import { openTable, type TTable } from '../shared/storage/db.js';
import { bulkPutRatings, listRatingsForHallDay } from '../shared/storage/ratings.js';
import { ensureTable } from '../shared/storage/schema.js';

export interface TDetectionRow {
  metric: string;
  value: number;
  unit: string;
  target: { op: '<=' | '>='; value: number } | null;
}

const DAY = '2026-11-19';
const local = (hhmm: string) =>
  Date.parse(`${DAY}T00:00:00Z`) + (Number(hhmm.slice(0, 2)) - 8) * 3_600_000 + Number(hhmm.slice(3)) * 60_000;
const WINDOWS = ['w1', 'w2', 'w3', 'w4', 'w5', 'w6'];
const UAS = [
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 Version/17.5 Mobile/15E148 Safari/604.1',
  'Mozilla/5.0 (Linux; Android 13; V2172A) AppleWebKit/537.36 Chrome/110.0 Mobile Safari/537.36 VivoBrowser/16.1',
  'Mozilla/5.0 (Linux; Android 12; HarmonyOS; ALN-AL00) AppleWebKit/537.36 Chrome/99.0 Mobile Safari/537.36',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148 MicroMessenger/8.0.49',
];
const HALL_WIFI = ['10.20.0.1', '10.20.0.2'];
const NAT = ['100.64.1.1', '100.64.1.2', '100.64.1.3'];

/** A small deterministic generator, so every run measures the same day. */
function prng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type TSubmit = {
  at: number;
  hallId: string;
  windowId: string;
  channel: 'ticket' | 'placard';
  overall: number;
  reasons?: string[];
  address: string;
  ua: string;
  cookie?: string;
  honest: boolean;
  attack?: string;
};

function honestDay(rand: () => number, hallId: string, day0: number): TSubmit[] {
  const out: TSubmit[] = [];
  const grade = () => {
    const x = rand();
    return x < 0.6 ? 5 : x < 0.85 ? 4 : x < 0.93 ? 3 : x < 0.97 ? 2 : 1;
  };
  for (const windowId of WINDOWS) {
    for (let t = day0 + rand() * 5 * 60_000; t < day0 + 9 * 3_600_000; t += (4 + rand() * 6) * 60_000) {
      if (rand() > 0.6) continue;
      const overall = grade();
      const ticket = rand() < 0.5;
      const late = ticket && rand() < 0.2 ? rand() * 60 : 0;
      const x = rand();
      out.push({
        at: Math.round(t + (1 + rand() * 4 + late) * 60_000),
        hallId,
        windowId,
        channel: ticket ? 'ticket' : 'placard',
        overall,
        reasons: overall <= 2 ? [reasonsForGrade(overall)[Math.floor(rand() * 3)]] : undefined,
        address: rand() < 0.5 ? HALL_WIFI[Math.floor(rand() * 2)] : NAT[Math.floor(rand() * 3)],
        ua: UAS[x < 0.4 ? 0 : x < 0.65 ? 1 : x < 0.85 ? 2 : 3],
        cookie: rand() < 0.6 ? randomBytes(16).toString('base64url') : undefined,
        honest: true,
      });
    }
  }
  return out;
}

function attacks(rand: () => number, hallId: string, others: string[]): TSubmit[] {
  const out: TSubmit[] = [];
  const bad = () => {
    const overall = rand() < 0.5 ? 1 : 2;
    return { overall, reasons: [reasonsForGrade(overall)[Math.floor(rand() * 3)]] };
  };
  const fresh = () => randomBytes(16).toString('base64url');
  const phone = UAS[0];
  // a placard flood: 1,000 in about five minutes, a fresh cookie each, from 20 mobile addresses
  for (let i = 0; i < 1000; i++)
    out.push({
      at: local('12:00') + i * 300,
      hallId,
      windowId: 'w1',
      channel: 'placard',
      ...bad(),
      address: `172.16.9.${i % 20}`,
      ua: phone,
      cookie: fresh(),
      honest: false,
      attack: 'flood',
    });
  // a slow drip: one every 10 minutes all day at one window, fresh cookies, one phone on mobile data
  for (let t = local('08:35'); t < local('17:30'); t += 10 * 60_000)
    out.push({
      at: t,
      hallId,
      windowId: 'w2',
      channel: 'placard',
      ...bad(),
      address: '172.16.8.1',
      ua: phone,
      cookie: fresh(),
      honest: false,
      attack: 'drip',
    });
  // one phone (its own cookie) rating 20 halls through the day
  const roamer = fresh();
  for (const [i, h] of others.entries())
    out.push({
      at: local('09:00') + i * 20 * 60_000,
      hallId: h,
      windowId: 'w1',
      channel: 'placard',
      ...bad(),
      address: '172.16.7.1',
      ua: phone,
      cookie: roamer,
      honest: false,
      attack: 'cross-hall',
    });
  // staff minting 30 tickets and rating them 5 on one phone on the hall Wi-Fi, fresh cookies
  for (let i = 0; i < 30; i++)
    out.push({
      at: local('13:00') + i * 30_000,
      hallId,
      windowId: 'w3',
      channel: 'ticket',
      overall: 5,
      address: HALL_WIFI[0],
      ua: UAS[0],
      cookie: fresh(),
      honest: false,
      attack: 'staff-tickets',
    });
  // a run of identical bare ratings
  for (let i = 0; i < 12; i++)
    out.push({
      at: local('15:00') + i * 60_000,
      hallId,
      windowId: 'w4',
      channel: 'placard',
      overall: 1,
      reasons: ['rude'],
      address: NAT[0],
      ua: UAS[1],
      cookie: fresh(),
      honest: false,
      attack: 'identical',
    });
  // outside opening hours
  for (let i = 0; i < 15; i++)
    out.push({
      at: local('20:00') + i * 8 * 60_000,
      hallId,
      windowId: 'w5',
      channel: 'placard',
      ...bad(),
      address: `172.16.6.${i}`,
      ua: phone,
      cookie: fresh(),
      honest: false,
      attack: 'outside-hours',
    });
  return out;
}

export async function benchDetection(): Promise<TDetectionRow[]> {
  const engine = await startDynalite();
  try {
    const client = createDynamoClient({ endpoint: engine.endpoint });
    const tableName = `bench-detect-${randomBytes(3).toString('hex')}`;
    await ensureTable(client, tableName);
    const table: TTable = openTable(client, tableName);
    const keyring = parseKeyring(generateKeyringJson());
    await putRegion(table, { id: 'r-d', name: '检测区', level: 'district' });
    const hours = { open: '08:30', close: '17:30' };
    const hall: THall = { id: 'h-main', name: '主大厅', regionId: 'r-d', timezone: 'Asia/Shanghai', openingHours: hours };
    const others: THall[] = Array.from({ length: 20 }, (_, i) => ({ ...hall, id: `h-o${i}`, name: `其他大厅${i}` }));
    for (const h of [hall, ...others]) {
      await putHall(table, h);
      for (const w of WINDOWS) await putWindow(table, { hallId: h.id, id: w, name: `${w}号窗口` });
    }
    const rand = prng(20261119);

    // 14 days of honest history (stored directly), each scored, so the windows have their usual rates
    for (let d = 14; d >= 1; d--) {
      const day = addDays(DAY, -d);
      const day0 = Date.parse(`${day}T00:30:00Z`);
      const ratings: TRating[] = honestDay(rand, hall.id, day0).map((s, i) => ({
        ratingId: `hist${d}x${i}`,
        channel: s.channel,
        hallId: s.hallId,
        windowId: s.windowId,
        ...(s.channel === 'ticket' ? { ticketId: `hist${d}x${i}` } : {}),
        createdAt: new Date(s.at).toISOString(),
        day,
        overall: s.overall,
        ...(s.reasons ? { reasons: s.reasons } : {}),
        ...(s.cookie ? { deviceHash: s.cookie.slice(0, 22) } : {}),
        netHash: `${s.address}|${s.ua.length}`,
      }));
      await bulkPutRatings(table, ratings);
      await scoreHallsDay({ table }, [hall], day, { selfContained: true });
    }

    // the day, through the API: a fresh app per phase (each process has its own per-client limiter)
    const clock = { now: local('08:30') };
    const config = loadConfig({ APP_ENV: 'test', TABLE_NAME: tableName, PUBLIC_BASE_URL: 'https://rate.example.test' });
    const appOf = () =>
      createApp({ config, table, keyring, engine: 'dynalite', log: { info() {}, warn() {}, error() {} }, now: () => clock.now });
    let seq = 0;
    const submit = async (app: ReturnType<typeof createApp>, s: TSubmit) => {
      clock.now = s.at;
      const ticket =
        s.channel === 'ticket'
          ? signTicket(keyring, { ticketId: `bt${++seq}`, hallId: s.hallId, windowId: s.windowId, issuedAt: s.at - 60_000 })
          : signPlacard(keyring, { hallId: s.hallId, windowId: s.windowId });
      const res = await app.request(
        '/api/v1/ratings',
        {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'user-agent': s.ua, ...(s.cookie ? { cookie: `st_dev=${s.cookie}` } : {}) },
          body: JSON.stringify({
            ticket,
            overall: s.overall,
            ...(s.reasons ? { reasons: s.reasons } : {}),
            submissionId: `sub${seq}x${s.at}`,
          }),
        },
        { incoming: { socket: { remoteAddress: s.address } } },
      );
      if (res.status === 201) return ((await res.json()) as { ratingId: string }).ratingId;
      return undefined;
    };
    const temperature = async () => {
      const snap = (await scoreHallsDay({ table }, [hall], DAY, { selfContained: true })).snapshots.get(hall.id)!;
      return unitFigures(snap.hall.decayed ?? zeroVector(), undefined).temperature;
    };

    const honest = honestDay(rand, hall.id, local('08:30')).sort((a, b) => a.at - b.at);
    const honestApp = appOf();
    const honestIds = new Set<string>();
    let honestRefused = 0;
    for (const s of honest) {
      const id = await submit(honestApp, s);
      if (id) honestIds.add(id);
      else honestRefused++;
    }
    const before = await temperature();

    const injected = attacks(
      rand,
      hall.id,
      others.map((h) => h.id),
    ).sort((a, b) => a.at - b.at);
    const attackApp = appOf();
    const attackIds = new Set<string>();
    let attackRefused = 0;
    for (const s of injected) {
      const id = await submit(attackApp, s);
      if (id) attackIds.add(id);
      else attackRefused++;
    }
    await scoreHallsDay({ table }, others, DAY, { selfContained: true });
    const after = await temperature();
    const stored = [hall, ...others].map((h) => listRatingsForHallDay(table, h.id, DAY));
    const all = (await Promise.all(stored)).flat();
    const excludedAttacks = all.filter((r) => attackIds.has(r.ratingId) && isExcluded(r)).length;
    const honestStored = all.filter((r) => honestIds.has(r.ratingId));
    const honestFlagged = honestStored.filter((r) => r.flags?.length).length;
    const hallToday = all.filter((r) => r.hallId === hall.id && !isExcluded(r));
    return [
      {
        metric: 'stuffing_recall',
        value: round((attackRefused + excludedAttacks) / injected.length, 4),
        unit: 'share',
        target: { op: '>=', value: 0.95 },
      },
      {
        metric: 'honest_flagged_share',
        value: round(honestFlagged / honestStored.length, 4),
        unit: 'share',
        target: { op: '<=', value: 0.01 },
      },
      { metric: 'honest_refused', value: honestRefused, unit: 'ratings', target: { op: '<=', value: 0 } },
      { metric: 'flood_temperature_shift', value: round(Math.abs(after - before), 2), unit: 'points', target: { op: '<=', value: 1 } },
      { metric: 'detection_honest_ratings', value: honestStored.length, unit: 'ratings', target: null },
      { metric: 'detection_injected_ratings', value: injected.length, unit: 'ratings', target: null },
      { metric: 'detection_counted_ratings', value: hallToday.length, unit: 'ratings', target: null },
    ];
  } finally {
    await engine.close();
  }
}

const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;

if (process.argv[1]?.endsWith('detection.ts')) {
  benchDetection().then(
    (rows) => {
      for (const r of rows)
        console.log(
          `${r.metric.padEnd(28)} ${String(r.value).padStart(10)} ${r.unit}${
            r.target ? `  (target ${r.target.op} ${r.target.value})` : ''
          }`,
        );
      process.exit(0);
    },
    (err: Error) => {
      console.error(err.stack ?? err);
      process.exit(1);
    },
  );
}
