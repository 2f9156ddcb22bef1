/**
 * Case, audit and calendar storage on both engines (dynalite and DynamoDB Local): the case stored with its rating
 * reads back as the domain's openCase, versioned writes refuse a stale version, GSI2 lists due cases only, audit
 * appends are idempotent per id, calendar items round-trip into a hall's calendar; the paged queue (index order plus
 * COUNT queries) equals the full read and reads about one page.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { effectiveCalendar } from '../shared/domain/calendar.js';
import { openCase, transition } from '../shared/domain/cases.js';
import type { TRating } from '../shared/domain/model.js';
import { openingDeadlines } from '../shared/services/case-calendar.js';
import { appendAudit, listAudit } from '../shared/storage/audit.js';
import { loadCalendarItems, putDeadlines, putOverride } from '../shared/storage/calendar.js';
import { listCaseQueue } from '../shared/services/cases.js';
import { caseAttributes, getCase, listCases, openCaseAttributes, writeCase } from '../shared/storage/cases.js';
import { batchPut, getItem } from '../shared/storage/db.js';
import * as keys from '../shared/storage/keys.js';
import { putRating, ratingToItem } from '../shared/storage/ratings.js';
import { stopEngines, type TEngineName, world, type TWorld } from './support/harness.js';

afterAll(stopEngines);

const hallClock = { timezone: 'Asia/Shanghai', openingHours: { open: '08:30', close: '17:30' } };
const rating = (id: string, over: Partial<TRating> = {}): TRating => ({
  ratingId: id,
  channel: 'ticket',
  hallId: 'h-test',
  windowId: 'w1',
  serviceId: 's1',
  ticketId: id,
  createdAt: '2026-11-20T02:00:00.000Z',
  day: '2026-11-20',
  overall: 2,
  reasons: ['wait_long'],
  phoneEnc: 'k1.AAAA.BBBB.CCCC',
  phoneMasked: '138****1234',
  ...over,
});

describe('the rating path opens the same case as the domain', () => {
  it('openingDeadlines (memoized per hall-local day) equals openCase for instants around holidays and day ends', () => {
    const cal = effectiveCalendar(['r-x'], [{ regionId: 'r-x', day: '2026-12-01', kind: 'closed', note: '' }]);
    const hall = { id: 'h-x', ...hallClock };
    const instants = [
      '2026-09-30T15:59:00Z',
      '2026-09-30T16:01:00Z',
      '2026-11-20T02:00:00Z',
      '2026-11-30T23:00:00Z',
      '2026-12-31T20:00:00Z',
    ];
    for (const at of [...instants, ...instants]) {
      const domain = openCase(rating('x', { createdAt: at }), hallClock, cal, at)!;
      expect(openingDeadlines(at, hall, cal), at).toEqual({ contactDue: domain.contactDue, rectifyDue: domain.rectifyDue });
    }
  });
});

describe.each<TEngineName>(['dynalite', 'dynamodb-local'])('case storage on %s', (engineName) => {
  let w: TWorld;
  beforeAll(async () => {
    w = await world(engineName);
  }, 120_000);

  it('a rating stored with its opened case reads back as the domain openCase, with version 1', async () => {
    const r = rating('case-a');
    const cal = effectiveCalendar([]);
    const opened = openCase(r, hallClock, cal, r.createdAt)!;
    expect((await putRating(w.table, r, openCaseAttributes(opened, 'r-test'))).status).toBe('created');
    const stored = await getCase(w.table, 'case-a');
    expect(stored?.case).toEqual(opened);
    expect(stored?.version).toBe(1);
    expect(stored?.rating.overall).toBe(2);
    // a replay of the put changes nothing and reports the case's deadlines
    const again = await putRating(w.table, r, openCaseAttributes(opened, 'r-test'));
    expect(again).toMatchObject({ status: 'exists', case: { contactDue: opened.contactDue, rectifyDue: opened.rectifyDue } });
    // a good rating has no case and is not in the case index
    await putRating(w.table, rating('good-a', { overall: 5, reasons: undefined }));
    expect(await getCase(w.table, 'good-a')).toBeUndefined();
    expect((await listCases(w.table, { hallId: 'h-test' }, 'A')).map((s) => s.case.caseId)).toEqual(['case-a']);
  });

  it('writes a new state only over the version it read; a stale version writes nothing', async () => {
    const s = (await getCase(w.table, 'case-a'))!;
    const ctx = { now: '2026-11-20T03:00:00.000Z', actor: 'u-mgr', hall: hallClock, cal: effectiveCalendar([]) };
    const r = transition(s.case, { type: 'contact', how: 'phone', note: '已联系' }, ctx);
    if (!r.ok) throw new Error(r.en);
    expect(await writeCase(w.table, r.case, s.version, { phoneKept: true, regionId: 'r-test' })).toBe(true);
    expect(await writeCase(w.table, r.case, s.version, { phoneKept: true, regionId: 'r-test' })).toBe(false);
    const after = (await getCase(w.table, 'case-a'))!;
    expect(after.version).toBe(2);
    expect(after.case).toEqual(r.case);
    expect(after.rating.reasons).toEqual(['wait_long']); // the answers are untouched
    // due listing: only cases whose next instant has passed
    expect(await listCases(w.table, { hallId: 'h-test' }, 'A', '2026-11-20T00:00:00.000Z')).toEqual([]);
    expect((await listCases(w.table, { hallId: 'h-test' }, 'A', '2027-01-01T00:00:00.000Z')).map((x) => x.case.caseId)).toEqual(['case-a']);
    // dropping the phone removes the ciphertext and the mask, keeping the rest
    expect(await writeCase(w.table, after.case, after.version, { phoneKept: true, dropPhone: true, regionId: 'r-test' })).toBe(true);
    const raw = await getItem(w.table, keys.rating('case-a'));
    expect(raw?.pe).toBeUndefined();
    expect(raw?.pm).toBeUndefined();
    // GSI4's shard, written when the case opened, survives every later write (the case stays on the sweep's index)
    expect(raw?.q).toBe(keys.newCaseIndex('h-test').q);
    expect(raw?.o).toBe(2);
  });

  it('pages the queue like the full read (order and counts), reading about one page of items', async () => {
    const cal = effectiveCalendar(['r-test'], []);
    const now = new Date(w.clock.now).toISOString();
    const items = [];
    for (let i = 0; i < 120; i++) {
      const at = new Date(Date.parse('2026-11-10T01:00:00Z') + i * 3 * 3_600_000).toISOString();
      const r = rating(`q${i}`, { createdAt: at, day: at.slice(0, 10), windowId: `w${i % 3}` });
      let c = openCase(r, hallClock, cal, at)!;
      const step = (cmd: Parameters<typeof transition>[1], when: string) => {
        const x = transition(c, cmd, { now: when, actor: 'u', hall: hallClock, cal, regionPath: ['r-test'] });
        if (x.ok) c = x.case;
      };
      const later = (h: number) => new Date(Date.parse(at) + h * 3_600_000).toISOString();
      if (i % 6 === 2 || i % 6 === 5) step({ type: 'contact', how: 'written_reply', note: '已收到' }, later(1));
      if (i % 6 === 3) {
        step({ type: 'contact', how: 'written_reply', note: '已收到' }, later(1));
        step({ type: 'rectify', publicReply: '已整改', fix: '', category: 'staff_coached' }, later(2));
      }
      if (i % 6 >= 4) step({ type: 'escalate' }, now);
      items.push(ratingToItem(r, i % 6 < 2 ? openCaseAttributes(c, 'r-test') : caseAttributes(c, c.history.length, true, 'r-test')));
    }
    await batchPut(w.table, items);
    const deps = { table: w.table, now: () => w.clock.now };
    const full = await listCaseQueue(deps, { hallId: 'h-test' });
    const pages = [];
    for (let offset = 0; offset < full.cases.length + 30; offset += 30) {
      const p = await listCaseQueue(deps, { hallId: 'h-test' }, { page: { offset, limit: 30 } });
      expect(p.total).toBe(full.cases.length);
      const { byState: _a, ...counts } = p.counts;
      const { byState: _b, ...fullCounts } = full.counts;
      expect(counts).toEqual(fullCounts);
      pages.push(...p.cases);
    }
    expect(pages.map((c) => c.caseId)).toEqual(full.cases.map((c) => c.caseId));
    expect(new Set(full.cases.map((c) => c.dueState))).toEqual(new Set(['overdue', 'due_today', 'ok', 'none']));
    expect(full.counts.escalated).toBeGreaterThan(5);
    expect(full.counts.overdue).toBeGreaterThan(full.counts.escalated);
    const before = w.table.itemsRead;
    const first = await listCaseQueue(deps, { hallId: 'h-test' }, { page: { offset: 0, limit: 20 } });
    const reads = w.table.itemsRead - before;
    expect(first.cases.map((c) => c.caseId)).toEqual(full.cases.slice(0, 20).map((c) => c.caseId));
    // the page itself (the plain cases in index order) plus the escalated, rectified and appealed ones, read apart
    const irregular = full.counts.escalated + full.counts.byState.rectified + full.counts.byState.appealed;
    expect(reads).toBeLessThanOrEqual(20 + irregular + 10);
    expect(reads).toBeLessThan(full.cases.length / 2);
  });

  it('appends an audit entry once per id (a retry writes nothing) and lists by day and by unit', async () => {
    const entry = {
      at: '2026-11-20T03:00:00.000Z',
      actor: 'u-mgr',
      actorRole: 'manager' as const,
      kind: 'case.transition',
      unit: { type: 'hall' as const, id: 'h-test' },
      targetId: 'case-a',
      from: 'open',
      to: 'contacted',
      note: 'contact: phone',
    };
    expect(await appendAudit(w.table, entry, 'case.case-a.1')).toBe(true);
    expect(await appendAudit(w.table, { ...entry, note: 'changed' }, 'case.case-a.1')).toBe(false);
    const byDay = await listAudit(w.table, { from: '2026-11-20', to: '2026-11-20' });
    expect(byDay).toEqual([{ ...entry, entryId: 'case.case-a.1' }]);
    const byUnit = await listAudit(w.table, { from: '2026-11-01', to: '2026-11-30', units: [{ type: 'hall', id: 'h-test' }] });
    expect(byUnit).toHaveLength(1);
    expect(await listAudit(w.table, { from: '2026-11-01', to: '2026-11-30', units: [{ type: 'hall', id: 'h-x' }] })).toEqual([]);
    expect(await listAudit(w.table, { from: '2026-11-01', to: '2026-11-30', actor: 'someone-else' })).toEqual([]);
  });

  it('round-trips calendar overrides and deadline settings into the calendar of a region chain', async () => {
    await putOverride(w.table, { regionId: 'r-city', day: '2026-11-23', kind: 'closed', note: '停电' });
    await putDeadlines(w.table, { regionId: 'r-test', rectifyDays: 10 });
    const items = await loadCalendarItems(w.table);
    const cal = effectiveCalendar(['r-test', 'r-city'], items.overrides, items.settings);
    expect(cal.deadlines).toMatchObject({ contactDays: 1, rectifyDays: 10 });
    expect(cal.overrides.get('2026-11-23')?.kind).toBe('closed');
    const opened = openCase(rating('case-b'), hallClock, cal, '2026-11-20T02:00:00.000Z')!;
    expect(opened.contactDue).toBe('2026-11-24T09:30:00.000Z'); // Monday closed: Tuesday 17:30 Shanghai
  });
});
