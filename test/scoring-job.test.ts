/** The nightly job against dynalite: seeded data, re-runs, a killed run, late ratings, CUSUM, and its cost. */
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { V, slice5, unitId, zeroVector } from '../shared/domain/aggregate.js';
import { addDays } from '../shared/domain/time.js';
import { unitFigures } from '../shared/domain/figures.js';
import type { TRating } from '../shared/domain/model.js';
import { DECAY } from '../shared/domain/scoring.js';
import { seedDemo } from '../shared/local/seed.js';
import { finalizeBatch, planNight, processBatch, rollUpNight, runNight, runRange, type TJobDeps } from '../shared/scoring/job.js';
import { createDynamoClient } from '../shared/storage/client.js';
import { openTable } from '../shared/storage/db.js';
import type { TSnapshot } from '../shared/storage/scores.js';
import { ensureTable } from '../shared/storage/schema.js';
import { engine, stopEngines } from './support/harness.js';
import { putHall, putRegion, putService, putWindow } from '../shared/storage/catalogue.js';
import { bulkPutRatings, setRatingDecision, setRatingFlags } from '../shared/storage/ratings.js';
import { bulkPutIssuedCounts } from '../shared/storage/tickets.js';
import { alertsForHall, getRun, getSnapshots, snapshotRange } from '../shared/storage/scores.js';
import { getRating, listRatingsForHallDay, putRating } from '../shared/storage/ratings.js';
import { listDirty, markDirty } from '../shared/storage/late-marks.js';

afterAll(stopEngines);

async function freshDeps(): Promise<TJobDeps> {
  const e = await engine('dynalite');
  const client = createDynamoClient({ endpoint: e.endpoint });
  const tableName = `job-${randomBytes(5).toString('hex')}`;
  await ensureTable(client, tableName);
  return { table: openTable(client, tableName) };
}

/** A small city: two regions, one hall in each (steady / cooling), one window and one service each. */
async function smallCity(deps: TJobDeps) {
  await putRegion(deps.table, { id: 'city', name: '市', level: 'city' });
  await putRegion(deps.table, { id: 'a', name: '甲区', level: 'district', parentId: 'city' });
  await putRegion(deps.table, { id: 'b', name: '乙区', level: 'district', parentId: 'city' });
  for (const [hallId, regionId] of [
    ['steady', 'a'],
    ['cooling', 'b'],
  ]) {
    await putHall(deps.table, { id: hallId, name: hallId, regionId, timezone: 'Asia/Shanghai' });
    await putWindow(deps.table, { hallId, id: 'w1', name: '1号窗口' });
    await putService(deps.table, { hallId, id: 's1', name: '事项' });
  }
}

let seq = 0;
/** `bad` of `n` ratings on `day` (grade 1 with a reason, else grade 5), tickets issued = n + 5. */
async function addDay(deps: TJobDeps, hallId: string, day: string, n: number, bad: number): Promise<TRating[]> {
  const ratings: TRating[] = Array.from({ length: n }, (_, i) => ({
    ratingId: `r${++seq}`,
    ticketId: `r${seq}`,
    channel: 'ticket',
    hallId,
    windowId: 'w1',
    serviceId: 's1',
    // spread over the working day, one window serving people one after another
    createdAt: new Date(Date.parse(`${day}T00:30:00Z`) + i * Math.max(2, Math.floor(480 / n)) * 60_000).toISOString(),
    day,
    overall: i < bad ? 1 : 5,
    reasons: i < bad ? ['rude'] : undefined,
    attitude: i < bad ? 1 : 4,
    trips: i < bad ? 3 : 1,
    done: i < bad ? 'no' : 'yes',
  }));
  await bulkPutRatings(deps.table, ratings);
  await bulkPutIssuedCounts(deps.table, [{ hallId, day, count: n + 5, windows: { w1: n + 5 }, services: { s1: n + 5 } }]);
  return ratings;
}

const figuresOf = (snaps: Map<string, TSnapshot>) =>
  Object.fromEntries([...snaps].map(([u, s]) => [u, { d: s.decayed, f: s.figures, c: s.cusum }]));
const UNITS = ['H#steady', 'H#cooling', 'W#steady#w1', 'S#cooling#s1', 'R#a', 'R#b', 'R#city', 'ALL'];

describe('nightly job on the demo city', () => {
  it('scores every hall, window, service and region; the cold hall is cold and the decayed counts are exact', async () => {
    const deps = await freshDeps();
    const today = '2026-11-22';
    const { data } = await seedDemo(deps.table, { today, apiKey: 'st_demo_key_for_tests_0001', days: 40 });
    const from = addDays(today, -40);
    const last = addDays(today, -1);
    await runRange(deps, from, last);

    const hallUnits = data.halls.map((h) => unitId.hall(h.id));
    const snaps = await getSnapshots(deps.table, last, [...hallUnits, 'R#r-city', 'R#r-east', 'R#r-west', 'ALL']);
    for (const u of hallUnits) expect(snaps.get(u)?.figures, u).toBeDefined();
    expect(snaps.get('H#h-xs-qingshi')?.band).toBe('cold');
    expect(snaps.get('H#h-dh-huayuan')?.band).toBe('warm');

    // The recurrence equals the direct sum Σ δ^(T−d)·count(d) over the raw ratings.
    const direct = zeroVector();
    for (let d = from; d <= last; d = addDays(d, 1)) {
      for (const r of await listRatingsForHallDay(deps.table, 'h-dh-gangkou', d)) {
        if (r.flags?.length) continue; // suspicious: kept, not counted
        direct[V.grades + r.overall - 1] += DECAY ** Math.round((Date.parse(last) - Date.parse(d)) / 86_400_000);
      }
    }
    const stored = snaps.get('H#h-dh-gangkou')!.decayed;
    // (the job keeps decayed counts to a millionth of a rating each night; the rounding never accumulates past 1e-4)
    for (let k = 0; k < 5; k++) expect(Math.abs(stored[V.grades + k] - direct[V.grades + k])).toBeLessThan(1e-4);
    // and the published temperature is the formula over those counts with the district as prior
    const expected = unitFigures(stored, snaps.get('R#r-east')!.decayed);
    expect(snaps.get('H#h-dh-gangkou')!.figures).toEqual(expected);
    // a region's counts are its halls' sums
    const east = data.halls.filter((h) => h.regionId === 'r-east').map((h) => snaps.get(unitId.hall(h.id))!.decayed);
    expect(slice5(snaps.get('R#r-east')!.decayed, V.grades).reduce((a, b) => a + b, 0)).toBeCloseTo(
      east.reduce((n, v) => n + slice5(v, V.grades).reduce((a, b) => a + b, 0), 0),
      6,
    );
    // the cooling hall cooled: its temperature now is well below a month ago
    const trend = await snapshotRange(deps.table, 'H#h-dh-gangkou', from, last);
    expect(trend).toHaveLength(40);
    const t = (s: TSnapshot) => (s.figures as { temperature: number }).temperature;
    expect(t(trend[39])).toBeLessThan(t(trend[9]) - 5);
  }, 90_000);
});

describe('the two ways of scoring a hall agree', () => {
  it('a street scored in one pass equals the same street split over batches (roll-up, then finalize)', async () => {
    const whole = await freshDeps();
    const split = await freshDeps();
    for (const deps of [whole, split]) {
      await smallCity(deps);
      await putHall(deps.table, { id: 'steady2', name: 'steady2', regionId: 'a', timezone: 'Asia/Shanghai' });
      for (let i = 0; i < 6; i++) {
        const day = addDays('2026-08-01', i);
        await addDay(deps, 'steady', day, 12, 1);
        await addDay(deps, 'steady2', day, 9, i % 3);
        await addDay(deps, 'cooling', day, 15, i);
      }
    }
    for (let i = 0; i < 6; i++) {
      const day = addDays('2026-08-01', i);
      const a = await runNight(whole, day); // region a's two halls in one batch: scored in one pass
      const b = await runNight(split, day, { batchSize: 1 }); // one hall per batch: scored in finalize
      expect(a.alerts.map((x) => `${x.hallId}${x.kind}`).sort()).toEqual(b.alerts.map((x) => `${x.hallId}${x.kind}`).sort());
      const units = [...UNITS, 'H#steady2'];
      expect(figuresOf(await getSnapshots(split.table, day, units)), day).toEqual(figuresOf(await getSnapshots(whole.table, day, units)));
    }
  });
});

describe('nightly job rules', () => {
  it('is idempotent: re-running a day rewrites identical figures', async () => {
    const deps = await freshDeps();
    await smallCity(deps);
    for (let i = 0; i < 5; i++) {
      await addDay(deps, 'steady', addDays('2026-03-01', i), 20, 1);
      await addDay(deps, 'cooling', addDays('2026-03-01', i), 20, 3);
    }
    await runRange(deps, '2026-03-01', '2026-03-05');
    const first = figuresOf(await getSnapshots(deps.table, '2026-03-05', UNITS));
    await runNight(deps, '2026-03-05');
    await runNight(deps, '2026-03-05');
    expect(figuresOf(await getSnapshots(deps.table, '2026-03-05', UNITS))).toEqual(first);
  });

  it('completes a run killed halfway with the same result as a clean run', async () => {
    const clean = await freshDeps();
    const killed = await freshDeps();
    for (const deps of [clean, killed]) {
      await smallCity(deps);
      for (let i = 0; i < 3; i++) {
        await addDay(deps, 'steady', addDays('2026-04-01', i), 15, 2);
        await addDay(deps, 'cooling', addDays('2026-04-01', i), 15, 4);
      }
      await runRange(deps, '2026-04-01', '2026-04-02');
    }
    await runNight(clean, '2026-04-03');
    // the killed run got through planning, one batch and part of the roll-up, then died
    const plan = await planNight(killed, '2026-04-03');
    await processBatch(killed, plan, plan.batches[0]);
    await rollUpNight(killed, plan);
    await finalizeBatch(killed, plan, plan.batches[0]);
    await runNight(killed, '2026-04-03');
    expect(figuresOf(await getSnapshots(killed.table, '2026-04-03', UNITS))).toEqual(
      figuresOf(await getSnapshots(clean.table, '2026-04-03', UNITS)),
    );
    expect((await getRun(killed.table, '2026-04-03'))?.status).toBe('done');
  });

  it('folds a late rating into its visit day and every day after it', async () => {
    const late = await freshDeps();
    const onTime = await freshDeps();
    for (const deps of [late, onTime]) {
      await smallCity(deps);
      for (let i = 0; i < 4; i++) await addDay(deps, 'steady', addDays('2026-05-01', i), 10, 0);
    }
    const lateRating: TRating = {
      ratingId: 'late-1',
      ticketId: 'late-1',
      channel: 'ticket',
      hallId: 'steady',
      windowId: 'w1',
      createdAt: '2026-05-03T09:00:00.000Z',
      day: '2026-05-01',
      overall: 1,
      reasons: ['wait_long'],
    };
    await bulkPutRatings(onTime.table, [lateRating]);
    await runRange(onTime, '2026-05-01', '2026-05-04');

    await runRange(late, '2026-05-01', '2026-05-03');
    // the resident rates on 05-03 a visit of 05-01: the rating service marks 05-01 dirty first
    await markDirty(late.table, 'steady', '2026-05-01', Date.parse('2026-05-03T09:00:00Z'));
    await bulkPutRatings(late.table, [lateRating]);
    const night = await runNight(late, '2026-05-04');
    expect(night.from).toBe('2026-05-01');
    for (const day of ['2026-05-01', '2026-05-02', '2026-05-03', '2026-05-04']) {
      expect(figuresOf(await getSnapshots(late.table, day, UNITS)), day).toEqual(figuresOf(await getSnapshots(onTime.table, day, UNITS)));
    }
    expect(await listDirty(late.table)).toEqual([]); // answered
    const next = await runNight(late, '2026-05-05');
    expect(next.from).toBe('2026-05-05'); // nothing left to fold in
  });

  it('raises the CUSUM alert on a cooling hall and stays silent on a steady one', async () => {
    const deps = await freshDeps();
    await smallCity(deps);
    const start = '2026-01-01';
    for (let i = 0; i < 50; i++) {
      const day = addDays(start, i);
      await addDay(deps, 'steady', day, 40, 2); // 5% bad, every day
      await addDay(deps, 'cooling', day, 40, i < 35 ? 2 : 8); // 5%, then 20% from day 35
    }
    const nights = await runRange(deps, start, addDays(start, 49));
    const cusum = nights.flatMap((n) => n.alerts).filter((a) => a.kind === 'cusum');
    expect(cusum.filter((a) => a.hallId === 'steady')).toEqual([]);
    const cooling = cusum.filter((a) => a.hallId === 'cooling');
    expect(cooling.length).toBeGreaterThan(0);
    expect(cooling[0].day >= addDays(start, 35)).toBe(true);
    expect(cooling[0].day <= addDays(start, 37)).toBe(true); // caught within three days
    expect((await alertsForHall(deps.table, 'cooling', start, addDays(start, 49))).length).toBe(cooling.length);
  }, 60_000);

  it('flags suspicious ratings, keeps them, and leaves them out of the figures', async () => {
    const deps = await freshDeps();
    await smallCity(deps);
    await addDay(deps, 'steady', '2026-07-01', 10, 0);
    // someone taps through nine identical bad ratings at one window within a minute
    const burst: TRating[] = Array.from({ length: 9 }, (_, i) => ({
      ratingId: `burst${i}`,
      ticketId: `burst${i}`,
      channel: 'ticket',
      hallId: 'steady',
      windowId: 'w1',
      createdAt: `2026-07-01T12:00:${String(i * 5).padStart(2, '0')}.000Z`,
      day: '2026-07-01',
      overall: 1,
    }));
    await bulkPutRatings(deps.table, burst);
    await runNight(deps, '2026-07-01');
    expect((await getRating(deps.table, 'burst0'))?.flags).toEqual(['identical-run']);
    const snap = (await getSnapshots(deps.table, '2026-07-01', ['H#steady'])).get('H#steady')!;
    expect(snap.decayed[V.grades]).toBe(0); // none of the nine counted
    expect(snap.decayed[V.grades + 4]).toBe(10);
    await runNight(deps, '2026-07-01');
    expect((await getRating(deps.table, 'burst8'))?.flags).toEqual(['identical-run']); // stable on re-run
  });

  it("keeps a person's decision apart from the job's flags: a cleared flag survives the re-score a late rating brings", async () => {
    const deps = await freshDeps();
    await smallCity(deps);
    await addDay(deps, 'steady', '2026-07-01', 10, 0);
    const burst: TRating[] = Array.from({ length: 9 }, (_, i) => ({
      ratingId: `clr${i}`,
      ticketId: `clr${i}`,
      channel: 'ticket',
      hallId: 'steady',
      windowId: 'w1',
      createdAt: `2026-07-01T12:00:${String(i * 5).padStart(2, '0')}.000Z`,
      day: '2026-07-01',
      overall: 1,
    }));
    await bulkPutRatings(deps.table, burst);
    await runNight(deps, '2026-07-01');
    const grades = async () =>
      (await getSnapshots(deps.table, '2026-07-01', ['H#steady'])).get('H#steady')!.decayed.slice(V.grades, V.grades + 5);
    expect((await grades())[0]).toBe(0);
    // a supervisor clears one flag: the rating counts, its flags stay as the job found them
    const decision = { review: 'cleared' as const, by: 'u-sup', at: '2026-07-02T09:00:00.000Z', reason: 'checked the queue log' };
    expect(await setRatingDecision(deps.table, 'clr0', decision)).toBe(true);
    expect(await setRatingDecision(deps.table, 'no-such-rating', decision)).toBe(false);
    // a late rating of that day arrives (its day is marked dirty first), and the next night re-scores the day
    await markDirty(deps.table, 'steady', '2026-07-01', Date.parse('2026-07-02T10:00:00Z'));
    await putRating(deps.table, {
      ratingId: 'late1',
      ticketId: 'late1',
      channel: 'ticket',
      hallId: 'steady',
      windowId: 'w1',
      serviceId: 's1',
      createdAt: '2026-07-02T10:00:00.000Z',
      day: '2026-07-01',
      overall: 5,
    });
    await runNight(deps, '2026-07-02');
    const stored = await getRating(deps.table, 'clr0');
    expect(stored?.decision).toEqual(decision);
    expect(stored?.flags).toEqual(['identical-run']);
    expect(stored?.overall).toBe(1);
    expect((await grades())[0]).toBe(1); // the cleared rating counts, the other eight flagged ones do not
    expect((await grades())[4]).toBe(11); // ten on time and the late one
  });

  it('converges on a re-run whatever a killed run left: flags in the index but not on the item, and the reverse', async () => {
    const deps = await freshDeps();
    await smallCity(deps);
    const day = '2026-07-03';
    const [honest] = await addDay(deps, 'steady', day, 10, 0);
    const burst: TRating[] = Array.from({ length: 9 }, (_, i) => ({
      ratingId: `cv${i}`,
      ticketId: `cv${i}`,
      channel: 'ticket',
      hallId: 'steady',
      windowId: 'w1',
      createdAt: `${day}T12:00:${String(i * 5).padStart(2, '0')}.000Z`,
      day,
      overall: 1,
    }));
    await bulkPutRatings(deps.table, burst);
    await runNight(deps, day);
    const ids = [...burst.map((r) => r.ratingId), honest.ratingId];
    const state = async () => Promise.all(ids.map(async (id) => (await getRating(deps.table, id))?.flags ?? []));
    const uninterrupted = await state();
    // A kill between dynalite's index write and its item write: the index (what the job lists) has the flag, the
    // item has not. The engine cannot be stopped between the two, so the job is shown that index view directly.
    await setRatingFlags(deps.table, 'cv3', []);
    const indexView = (h: string, d: string) => listRatingsForHallDay(deps.table, h, d);
    deps.listRatings = async (h, d) => (await indexView(h, d)).map((r) => (r.ratingId === 'cv3' ? { ...r, flags: ['identical-run'] } : r));
    await runNight(deps, day);
    expect(await state()).toEqual(uninterrupted);
    // The reverse: a run clearing a flag killed after the index write: the index shows fl cleared, the item keeps it.
    deps.listRatings = async (h, d) => (await indexView(h, d)).map((r) => (r.ratingId === honest.ratingId ? { ...r, flags: [] } : r));
    await setRatingFlags(deps.table, honest.ratingId, ['device-burst']);
    await runNight(deps, day);
    expect(await state()).toEqual(uninterrupted);
    const snap = (await getSnapshots(deps.table, day, ['H#steady'])).get('H#steady')!;
    expect(snap.decayed[V.grades + 4]).toBe(10);
  });

  it('alerts when a hall turns cold', async () => {
    const deps = await freshDeps();
    await smallCity(deps);
    const start = '2026-02-01';
    for (let i = 0; i < 12; i++) {
      await addDay(deps, 'steady', addDays(start, i), 20, 0);
      await addDay(deps, 'cooling', addDays(start, i), 20, i < 4 ? 0 : 16);
    }
    const nights = await runRange(deps, start, addDays(start, 11));
    const cold = nights.flatMap((n) => n.alerts).filter((a) => a.kind === 'turned-cold');
    expect(cold.map((a) => a.hallId)).toEqual(['cooling']);
  });

  it("costs that night's ratings plus the units, not history", async () => {
    const deps = await freshDeps();
    await smallCity(deps);
    const start = '2026-06-01';
    for (let i = 0; i < 30; i++) {
      const n = i === 29 ? 200 : 20;
      await addDay(deps, 'steady', addDays(start, i), n, 1);
      await addDay(deps, 'cooling', addDays(start, i), n, 1);
    }
    const nights = await runRange(deps, start, addDays(start, 29));
    const reads = nights.map((n) => n.itemsRead);
    // a quiet day early in history costs what a quiet day late in history costs
    expect(reads[28]).toBe(reads[3]);
    // a busy day costs exactly its extra ratings more (2 halls × 180 more ratings)
    expect(reads[29] - reads[28]).toBe(2 * 180);
    // and the rest is a small constant per unit
    expect(reads[28] - 2 * 20).toBeLessThan(120);
  }, 60_000);
});
