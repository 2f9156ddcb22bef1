import { describe, expect, it } from 'vitest';
import { isBadGrade, reasonsForGrade } from '../shared/domain/grades.js';
import { ZRatingInput } from '../shared/domain/model.js';
import { generateDemoData, type TDemoData } from '../shared/local/demo-data.js';

const ID_RE = /^[A-Za-z0-9_-]{1,40}$/;
const TODAY = '2025-06-18'; // a Wednesday
const data = generateDemoData({ today: TODAY, seed: 7 });

/** hall-local (UTC+8) calendar date and minute of day of an ISO instant */
const local = (iso: string): { day: string; minute: number } => {
  const t = new Date(Date.parse(iso) + 8 * 3600_000);
  return { day: t.toISOString().slice(0, 10), minute: t.getUTCHours() * 60 + t.getUTCMinutes() };
};
const weekday = (day: string): number => new Date(`${day}T00:00:00Z`).getUTCDay();
const addDays = (day: string, n: number): string => new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);

type TR = TDemoData['ratings'][number];
const badShare = (rs: TR[]): number => rs.filter((r) => isBadGrade(r.overall)).length / rs.length;
const mean = (rs: TR[]): number => rs.reduce((a, r) => a + r.overall, 0) / rs.length;
const byHall = (d: TDemoData, hallId: string): TR[] => d.ratings.filter((r) => r.hallId === hallId);

describe('generateDemoData', () => {
  it('is deterministic: the same options give identical output, another seed differs', () => {
    expect(JSON.stringify(generateDemoData({ today: TODAY, seed: 7 }))).toBe(JSON.stringify(data));
    const other = generateDemoData({ today: TODAY, seed: 8 });
    expect(other.halls).toEqual(data.halls);
    expect(other.ratings).not.toEqual(data.ratings);
    // the default seed is fixed too
    expect(JSON.stringify(generateDemoData({ today: TODAY }))).toBe(JSON.stringify(generateDemoData({ today: TODAY })));
  });

  it('rejects a malformed date', () => {
    expect(() => generateDemoData({ today: '2025-6-1' })).toThrow();
    expect(() => generateDemoData({ today: '2025-02-30' })).toThrow();
  });

  it('builds a city with two districts, six halls, 3–6 windows and 4–8 services each', () => {
    const city = data.regions.filter((r) => r.level === 'city');
    expect(city).toHaveLength(1);
    expect(city[0].parentId).toBeUndefined();
    const districts = data.regions.filter((r) => r.level === 'district');
    expect(districts).toHaveLength(2);
    for (const d of districts) expect(d.parentId).toBe(city[0].id);
    expect(data.regions).toHaveLength(3);

    expect(data.halls).toHaveLength(6);
    expect(new Set(data.halls.map((h) => h.id)).size).toBe(6);
    for (const d of districts) expect(data.halls.filter((h) => h.regionId === d.id).length).toBeGreaterThanOrEqual(2);
    for (const h of data.halls) {
      expect(h.timezone).toBe('Asia/Shanghai');
      expect(h.openingHours).toEqual({ open: '08:30', close: '17:30' });
      expect(h.name).toMatch(/[\u4e00-\u9fff]/);
      expect(h.nameEn).toBeTruthy();
      const ws = data.windows.filter((w) => w.hallId === h.id);
      const ss = data.services.filter((s) => s.hallId === h.id);
      expect(ws.length).toBeGreaterThanOrEqual(3);
      expect(ws.length).toBeLessThanOrEqual(6);
      expect(ss.length).toBeGreaterThanOrEqual(4);
      expect(ss.length).toBeLessThanOrEqual(8);
      expect(new Set(ws.map((w) => w.id)).size).toBe(ws.length);
      expect(new Set(ss.map((s) => s.id)).size).toBe(ss.length);
      for (const x of [...ws, ...ss]) {
        expect(x.name).toMatch(/[\u4e00-\u9fff]/);
        expect(x.nameEn).toBeTruthy();
      }
    }
    const ids = [
      ...data.regions.map((r) => r.id),
      ...data.halls.map((h) => h.id),
      ...data.windows.map((w) => w.id),
      ...data.services.map((s) => s.id),
      ...data.users.map((u) => u.id),
    ];
    for (const id of ids) expect(id).toMatch(ID_RE);
  });

  it('has an administrator, a city supervisor, a district supervisor and two hall managers', () => {
    const roles = data.users.map((u) => u.role).sort();
    expect(roles).toEqual(['admin', 'manager', 'manager', 'supervisor', 'supervisor']);
    expect(data.users.find((u) => u.role === 'admin')!.scope).toBe('*');
    const supScopes = data.users.filter((u) => u.role === 'supervisor').map((u) => data.regions.find((r) => r.id === u.scope)?.level);
    expect(supScopes.sort()).toEqual(['city', 'district']);
    for (const m of data.users.filter((u) => u.role === 'manager')) expect(data.halls.map((h) => h.id)).toContain(m.scope);
  });

  it('covers exactly the 90 days ending yesterday', () => {
    const days = new Set(data.ratings.map((r) => r.day));
    const sorted = [...days].sort();
    expect(sorted[sorted.length - 1] <= addDays(TODAY, -1)).toBe(true);
    expect(sorted[0] >= addDays(TODAY, -90)).toBe(true);
    expect(days.has(TODAY)).toBe(false);
    // every working day is present, yesterday included when it was one
    for (let i = 1; i <= 90; i++) {
      const d = addDays(TODAY, -i);
      if (weekday(d) !== 0) expect(days.has(d)).toBe(true);
    }
    const short = generateDemoData({ today: TODAY, days: 7 });
    expect(new Set(short.ratings.map((r) => r.day)).size).toBeLessThanOrEqual(7);
    expect(short.ratings.every((r) => r.day >= addDays(TODAY, -7) && r.day < TODAY)).toBe(true);
  });

  it('gives every rating a valid shape', () => {
    const windowsOf = new Map(data.halls.map((h) => [h.id, new Set(data.windows.filter((w) => w.hallId === h.id).map((w) => w.id))]));
    const servicesOf = new Map(data.halls.map((h) => [h.id, new Set(data.services.filter((s) => s.hallId === h.id).map((s) => s.id))]));
    expect(data.ratings.length).toBeGreaterThan(10_000);
    // collect problems instead of 20 expects per rating: one readable failure, and fast
    const problems: string[] = [];
    const check = (ok: boolean, what: string, r: TR): void => {
      if (!ok && problems.length < 20) problems.push(`${what}: ${JSON.stringify(r)}`);
    };
    const isGrade = (g: unknown): boolean => Number.isInteger(g) && (g as number) >= 1 && (g as number) <= 5;
    let prev = '';
    for (const r of data.ratings) {
      check(isGrade(r.overall), 'overall is an integer 1..5', r);
      for (const dim of [r.attitude, r.efficiency, r.competence]) {
        if (dim === undefined) continue;
        check(isGrade(dim) && Math.abs(dim - r.overall) <= 1, 'dimension 1..5 within ±1 of overall', r);
      }
      const n = r.reasons?.length ?? 0;
      if (isBadGrade(r.overall)) check(n >= 1 && n <= 3, 'bad rating has 1–3 reasons', r);
      check(r.reasons === undefined || n > 0, 'reasons absent rather than empty', r);
      check(
        (r.reasons ?? []).every((tag) => reasonsForGrade(r.overall).includes(tag as never)),
        'reasons fit the grade',
        r,
      );
      check(new Set(r.reasons ?? []).size === n, 'reasons are distinct', r);
      check(!(r.reasons?.includes('not_done') && r.done && r.done !== 'no'), 'not_done reason means done = no', r);
      check(r.comment === undefined || (r.comment.length > 0 && r.comment.length <= 500), 'comment 1..500 chars', r);
      check(windowsOf.get(r.hallId)?.has(r.windowId) === true, 'window belongs to the hall', r);
      check(r.serviceId === undefined || servicesOf.get(r.hallId)!.has(r.serviceId), 'service belongs to the hall', r);
      check(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/.test(r.createdAt), 'createdAt is an ISO instant in UTC', r);
      check(local(r.createdAt).day === r.day, 'day is the UTC+8 date of createdAt', r);
      check(r.createdAt >= prev, 'ratings are in time order', r);
      prev = r.createdAt;
      for (const id of [r.hallId, r.windowId, r.serviceId, r.ticketId]) check(id === undefined || ID_RE.test(id), 'ids are URL-safe', r);
      check(r.channel === 'ticket' ? !!r.ticketId : r.channel === 'placard' && r.ticketId === undefined, 'ticket ⇔ ticketId', r);
      check(r.lang === 'zh' || r.lang === 'en', 'lang is zh or en', r);
      for (const key of ['phoneEnc', 'phoneMasked', 'submissionId', 'deviceHash', 'ratingId']) check(!(key in r), `no ${key}`, r);
    }
    expect(problems).toEqual([]);
  });

  it('passes the API input schema for every rating', () => {
    for (const r of data.ratings) {
      const input = {
        ticket: 'x'.repeat(20),
        overall: r.overall,
        attitude: r.attitude,
        efficiency: r.efficiency,
        competence: r.competence,
        trips: r.trips,
        done: r.done,
        reasons: r.reasons,
        comment: r.comment,
        lang: r.lang,
      };
      const parsed = ZRatingInput.safeParse(input);
      if (!parsed.success) throw new Error(`${JSON.stringify(r)}: ${parsed.error.message}`);
    }
  });

  it('has realistic proportions of optional answers, channels and comments', () => {
    const n = data.ratings.length;
    const share = (p: (r: TR) => boolean): number => data.ratings.filter(p).length / n;
    expect(share((r) => r.attitude !== undefined)).toBeGreaterThan(0.5);
    expect(share((r) => r.attitude !== undefined)).toBeLessThan(0.7);
    expect(share((r) => r.trips !== undefined)).toBeGreaterThan(0.72);
    expect(share((r) => r.trips !== undefined)).toBeLessThan(0.9);
    expect(share((r) => r.done !== undefined)).toBeGreaterThan(0.72);
    expect(share((r) => r.done !== undefined)).toBeLessThan(0.9);
    expect(share((r) => r.comment !== undefined)).toBeGreaterThan(0.18);
    expect(share((r) => r.comment !== undefined)).toBeLessThan(0.32);
    expect(share((r) => r.channel === 'placard')).toBeGreaterThan(0.1);
    expect(share((r) => r.channel === 'placard')).toBeLessThan(0.2);
    expect(share((r) => r.serviceId !== undefined)).toBeGreaterThan(0.85);
    expect(share((r) => r.serviceId !== undefined)).toBeLessThan(0.95);
    expect(share((r) => r.lang === 'zh')).toBeGreaterThan(0.9);
    // bad ratings take more trips and are more often not done
    const bad = data.ratings.filter((r) => isBadGrade(r.overall));
    const good = data.ratings.filter((r) => r.overall >= 4);
    const avgTrips = (rs: TR[]): number => {
      const t = rs.filter((r) => r.trips !== undefined);
      return t.reduce((a, r) => a + r.trips!, 0) / t.length;
    };
    const notDone = (rs: TR[]): number => rs.filter((r) => r.done === 'no').length / rs.filter((r) => r.done).length;
    expect(avgTrips(bad)).toBeGreaterThan(avgTrips(good) + 0.5);
    expect(notDone(bad)).toBeGreaterThan(notDone(good) + 0.2);
    // comments are written by people: several distinct texts, matching the grade's mood
    expect(new Set(data.ratings.map((r) => r.comment).filter(Boolean)).size).toBeGreaterThan(30);
  });

  it('has one clearly cold hall', () => {
    const stats = data.halls.map((h) => ({ id: h.id, mean: mean(byHall(data, h.id)), bad: badShare(byHall(data, h.id)) }));
    stats.sort((a, b) => a.mean - b.mean);
    const [cold, next] = stats;
    expect(cold.bad).toBeGreaterThan(0.3);
    expect(next.mean - cold.mean).toBeGreaterThan(0.7);
    // all other halls are mostly 4–5
    for (const s of stats.slice(1)) expect(s.bad).toBeLessThan(0.2);
    // its temperature (grade points without decay or prior) is well below 55
    const S = [0, 0, 25, 50, 75, 100];
    const rs = byHall(data, cold.id);
    expect(rs.reduce((a, r) => a + S[r.overall], 0) / rs.length).toBeLessThan(50);
  });

  it('has one hall cooling over time', () => {
    const first = (d: string): boolean => d < addDays(TODAY, -60);
    const last = (d: string): boolean => d >= addDays(TODAY, -30);
    const trend = data.halls.map((h) => {
      const rs = byHall(data, h.id);
      return { id: h.id, first: badShare(rs.filter((r) => first(r.day))), last: badShare(rs.filter((r) => last(r.day))) };
    });
    const cooling = trend.filter((t) => t.last - t.first > 0.1);
    expect(cooling).toHaveLength(1);
    expect(cooling[0].first).toBeLessThan(0.1);
    expect(cooling[0].last).toBeGreaterThan(2 * cooling[0].first);
    // rising steadily: each of the last three fortnights is worse than the one before
    const rs = byHall(data, cooling[0].id);
    const fortnight = (k: number): number =>
      badShare(rs.filter((r) => r.day >= addDays(TODAY, -14 * (k + 1)) && r.day < addDays(TODAY, -14 * k)));
    expect(fortnight(0)).toBeGreaterThan(fortnight(1));
    expect(fortnight(1)).toBeGreaterThan(fortnight(2));
    // and it is not the cold hall
    const coldest = data.halls.map((h) => ({ id: h.id, m: mean(byHall(data, h.id)) })).sort((a, b) => a.m - b.m)[0];
    expect(cooling[0].id).not.toBe(coldest.id);
  });

  it('follows the hall calendar: busy weekdays, a light Saturday, a (near) empty Sunday', () => {
    for (const h of data.halls) {
      const perDay = new Map<string, number>();
      for (const r of byHall(data, h.id)) perDay.set(r.day, (perDay.get(r.day) ?? 0) + 1);
      const weekdays: number[] = [];
      const saturdays: number[] = [];
      let sunday = 0;
      for (let i = 1; i <= 90; i++) {
        const d = addDays(TODAY, -i);
        const c = perDay.get(d) ?? 0;
        if (weekday(d) === 0) {
          expect(c).toBeLessThanOrEqual(1);
          sunday += c;
        } else if (weekday(d) === 6) saturdays.push(c);
        else weekdays.push(c);
      }
      for (const c of weekdays) {
        expect(c).toBeGreaterThanOrEqual(20);
        expect(c).toBeLessThanOrEqual(120);
      }
      const avg = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
      expect(avg(saturdays)).toBeLessThan(avg(weekdays) * 0.5);
      expect(sunday).toBeLessThanOrEqual(6); // over 12–13 Sundays: a stray placard rating now and then
    }
    // Saturday ratings are in the morning (give or take a late one)
    const sat = data.ratings.filter((r) => weekday(r.day) === 6);
    expect(sat.filter((r) => local(r.createdAt).minute < 12 * 60 + 30).length / sat.length).toBeGreaterThan(0.97);
  });

  it('follows a realistic curve over the day', () => {
    const weekdayRatings = data.ratings.filter((r) => weekday(r.day) >= 1 && weekday(r.day) <= 5);
    const minutes = weekdayRatings.map((r) => local(r.createdAt).minute);
    const inRange = (a: number, b: number): number => minutes.filter((m) => m >= a && m < b).length / minutes.length;
    const h = (hh: number, mm = 0): number => hh * 60 + mm;
    const outside = 1 - inRange(h(8, 30), h(17, 30));
    expect(outside).toBeGreaterThan(0); // a few just outside hours
    expect(outside).toBeLessThan(0.03);
    expect(inRange(h(7), h(20))).toBeGreaterThan(0.999);
    // per 30 minutes, the peaks beat the lunch dip and the edges of the day
    const perHalfHour = (a: number, b: number): number => inRange(a, b) / ((b - a) / 30);
    const amPeak = perHalfHour(h(9, 30), h(11));
    const pmPeak = perHalfHour(h(14, 30), h(16));
    const lunch = perHalfHour(h(12), h(13, 30));
    const early = perHalfHour(h(8, 30), h(9));
    const late = perHalfHour(h(17), h(17, 30));
    for (const low of [lunch, early, late]) {
      expect(amPeak).toBeGreaterThan(low * 1.8);
      expect(pmPeak).toBeGreaterThan(low * 1.8);
    }
  });

  it('issues unique tickets, more than are rated, at a 55–80% active-rating rate', () => {
    const tickets = data.ratings.filter((r) => r.channel === 'ticket').map((r) => r.ticketId!);
    expect(new Set(tickets).size).toBe(tickets.length);
    const rated = new Map<string, number>();
    for (const r of data.ratings)
      if (r.channel === 'ticket') rated.set(`${r.hallId}|${r.day}`, (rated.get(`${r.hallId}|${r.day}`) ?? 0) + 1);
    const issued = new Map(data.issuedPerHallDay.map((i) => [`${i.hallId}|${i.day}`, i.count]));
    expect(issued.size).toBe(data.issuedPerHallDay.length); // one entry per hall-day
    for (const [key, n] of rated) expect(issued.get(key) ?? 0).toBeGreaterThanOrEqual(n);
    for (const i of data.issuedPerHallDay) {
      expect(Number.isInteger(i.count) && i.count > 0).toBe(true);
      expect(i.day < TODAY).toBe(true);
    }
    for (const h of data.halls) {
      const totalIssued = data.issuedPerHallDay.filter((i) => i.hallId === h.id).reduce((a, i) => a + i.count, 0);
      const totalRated = [...rated].filter(([k]) => k.startsWith(`${h.id}|`)).reduce((a, [, n]) => a + n, 0);
      expect(totalRated / totalIssued).toBeGreaterThan(0.55);
      expect(totalRated / totalIssued).toBeLessThan(0.8);
    }
  });
});
