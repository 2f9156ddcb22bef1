/**
 * Detection through the real app (issue 10): the form post draws on the JSON API's per-client budget, honest
 * residents sharing an address without a cookie are accepted, and a flood posted through POST /r/<placard> with a
 * fresh cookie each is flagged by the night as one group and leaves the hall's counts alone.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { signPlacard } from '../shared/domain/tokens.js';
import { V } from '../shared/domain/aggregate.js';
import { scoreHallsDay } from '../shared/scoring/job.js';
import { listRatingsForHallDay } from '../shared/storage/ratings.js';
import { listReviewGroups } from '../shared/storage/reviews.js';
import { json, stopEngines, world } from './support/harness.js';

afterAll(stopEngines);
const form = (fields: [string, string][], headers: Record<string, string> = {}) => ({
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': 'Mozilla/5.0 (iPhone) Safari/604.1', ...headers },
  body: new URLSearchParams(fields).toString(),
});
const from = (address: string) => ({ incoming: { socket: { remoteAddress: address } } });

describe('the form post and the JSON API share one per-client budget', () => {
  it('refuses the form post past the limit with a kind 429 page and stores nothing; another address still rates', async () => {
    const w = await world('dynalite', { rateLimit: 4 });
    const placard = signPlacard(w.keyring, { hallId: 'h-test', windowId: 'w1' });
    const post = (i: number, address: string) =>
      w.app.request(
        `/r/${placard}`,
        form([
          ['overall', '5'],
          ['submissionId', `limit-sub-${String(i).padStart(4, '0')}`],
        ]),
        from(address),
      );
    expect((await w.app.request('/api/v1/ratings', json({ ticket: placard, overall: 5 }), from('198.51.100.1'))).status).toBe(201);
    for (let i = 0; i < 3; i++) expect((await post(i, '198.51.100.1')).status).toBe(303);
    const refused = await post(9, '198.51.100.1');
    expect(refused.status).toBe(429);
    expect(await refused.text()).toContain('提交太频繁了');
    expect((await w.app.request('/api/v1/ratings', json({ ticket: placard, overall: 5 }), from('198.51.100.1'))).status).toBe(429);
    expect((await post(10, '198.51.100.2')).status).toBe(303);
    const day = (await listRatingsForHallDay(w.table, 'h-test', '2026-11-20')).length;
    expect(day).toBe(5); // 1 JSON + 3 forms + the other address: the refused ones wrote nothing
  });
});

describe('honest residents sharing an address', () => {
  it('ten residents on hall Wi-Fi with the same phone and no cookie are all accepted, and none is flagged', async () => {
    const w = await world();
    const placard = signPlacard(w.keyring, { hallId: 'h-test', windowId: 'w2' });
    for (let i = 0; i < 10; i++) {
      w.clock.now += 9 * 60_000;
      const res = await w.app.request(
        `/r/${placard}`,
        form([
          ['overall', String(3 + (i % 3))],
          ['submissionId', `wifi-sub-${i}-0000`],
        ]),
        from('10.0.0.1'),
      );
      expect(res.status).toBe(303);
    }
    const ratings = await listRatingsForHallDay(w.table, 'h-test', '2026-11-20');
    expect(ratings).toHaveLength(10);
    expect(new Set(ratings.map((r) => r.netHash)).size).toBe(1); // one network identity…
    expect(ratings.every((r) => r.deviceHash === undefined && !JSON.stringify(r).includes('10.0.0.1'))).toBe(true); // never the address
    await scoreHallsDay({ table: w.table }, [w.hall], '2026-11-20', { selfContained: true });
    expect((await listRatingsForHallDay(w.table, 'h-test', '2026-11-20')).filter((r) => r.flags?.length)).toEqual([]);
  });
});

describe('a flood through the form post', () => {
  it('200 placard ratings in seconds, a fresh cookie each: all flagged by the night as one group; the counts hold', async () => {
    const w = await world();
    const placard = signPlacard(w.keyring, { hallId: 'h-test', windowId: 'w1' });
    const honest = signPlacard(w.keyring, { hallId: 'h-test', windowId: 'w2' });
    for (let i = 0; i < 5; i++) {
      w.clock.now += 20 * 60_000;
      await w.app.request(
        `/r/${honest}`,
        form([
          ['overall', '5'],
          ['submissionId', `honest-sub-${i}-000`],
        ]),
        from(`10.1.0.${i}`),
      );
    }
    for (let i = 0; i < 200; i++) {
      w.clock.now += 30;
      const res = await w.app.request(
        `/r/${placard}`,
        form(
          [
            ['overall', String(1 + (i % 2))],
            ['reasons', 'rude'],
            ['submissionId', `flood-sub-${String(i).padStart(4, '0')}`],
          ],
          {
            cookie: `st_dev=fresh-cookie-${String(i).padStart(8, '0')}`,
          },
        ),
        from('203.0.113.9'),
      );
      expect(res.status).toBe(303); // accepted: the refusal would tell the attacker what to change
    }
    const result = await scoreHallsDay({ table: w.table }, [w.hall], '2026-11-20', { selfContained: true });
    const ratings = await listRatingsForHallDay(w.table, 'h-test', '2026-11-20');
    expect(ratings.filter((r) => r.windowId === 'w1').every((r) => r.flags?.includes('burst'))).toBe(true);
    expect(ratings.filter((r) => r.windowId === 'w2').every((r) => !r.flags?.length)).toBe(true);
    const hall = result.snapshots.get('h-test')!.hall;
    expect(hall.today?.slice(V.grades, V.grades + 5)).toEqual([0, 0, 0, 0, 5]);
    const groups = await listReviewGroups(w.table, 'h-test');
    expect(groups.map((g) => [g.rule, g.ratingIds.length])).toEqual([['burst', 200]]);
  });
});
