/**
 * Cases end to end on dynalite: ratings through the real app open cases in the rating's own item; the case service's
 * commands (optimistic versions, audit entries, phone reveal), the resident's 追评, and the nightly case step on a
 * test clock (escalation twice and idempotent, auto-close, phone deletion at 90 days), figures against a hand count.
 */
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TUser } from '../shared/domain/access.js';
import { runCaseNight } from '../shared/scoring/cases-night.js';
import {
  caseFiguresFor,
  casesCsv,
  commandCase,
  forgetCaseWorld,
  getCaseView,
  listAuditFor,
  listCaseQueue,
  residentCase,
  residentFollowUp,
  revealPhone,
  type TCaseDeps,
} from '../shared/services/cases.js';
import { listAudit } from '../shared/storage/audit.js';
import { getCase } from '../shared/storage/cases.js';
import { putHall, putRegion } from '../shared/storage/catalogue.js';
import { getItem } from '../shared/storage/db.js';
import * as keys from '../shared/storage/keys.js';
import { getRating, itemSize } from '../shared/storage/ratings.js';
import { listDirty } from '../shared/storage/late-marks.js';
import { isExcluded } from '../shared/domain/exclusion.js';
import { json, stopEngines, world, type TWorld } from './support/harness.js';

let w: TWorld;
let deps: TCaseDeps;
const manager: TUser = { id: 'u-mgr', name: '经理', role: 'manager', scope: 'h-test' };
const otherManager: TUser = { id: 'u-mgr2', name: '别的经理', role: 'manager', scope: 'h-other' };
const district: TUser = { id: 'u-dist', name: '区督导', role: 'supervisor', scope: 'r-test' };
const city: TUser = { id: 'u-city', name: '市督导', role: 'supervisor', scope: 'r-city' };
const admin: TUser = { id: 'u-admin', name: '管理员', role: 'admin', scope: '*' };
const PHONE = '13812341234';

beforeAll(async () => {
  w = await world();
  await putRegion(w.table, { id: 'r-city', name: '市', level: 'city' });
  await putRegion(w.table, { id: 'r-test', name: '测试区', level: 'district', parentId: 'r-city' });
  await putRegion(w.table, { id: 'r-other', name: '别区', level: 'district', parentId: 'r-city' });
  await putHall(w.table, { id: 'h-other', name: '别的大厅', regionId: 'r-other', timezone: 'Asia/Shanghai' });
  w.table.catalogueVersion++;
  deps = { table: w.table, keyring: w.keyring, now: () => w.clock.now };
});
afterAll(stopEngines);

async function mint(windowId = 'w1') {
  const res = await w.app.request('/api/v1/tickets', json({ windowId, serviceId: 's1' }, { authorization: `Bearer ${w.apiKey}` }));
  expect(res.status).toBe(201);
  return (await res.json()) as { ticketId: string; ticket: string };
}

async function rate(body: Record<string, unknown>) {
  const t = await mint();
  const res = await w.app.request('/api/v1/ratings', json({ ticket: t.ticket, ...body }));
  return { t, res };
}

const bad = (extra: Record<string, unknown> = {}) => ({ overall: 1, reasons: ['rude', 'wait_long'], ...extra });
const auditOf = async (caseId: string) =>
  (await listAudit(w.table, { from: '2026-11-01', to: '2027-09-30' })).filter((e) => e.targetId === caseId);

describe('a rating opens its case in the same item', () => {
  it('a bad rating opens exactly one case (any channel); a good one none; a replay no second', async () => {
    const { t, res } = await rate(bad({ submissionId: 'sub-case-0001', contact: { phone: PHONE, consent: true } }));
    expect(res.status).toBe(201);
    const stored = await getCase(w.table, t.ticketId);
    expect(stored?.case).toMatchObject({ caseId: t.ticketId, state: 'open', hallId: 'h-test', windowId: 'w1', hasPhone: true });
    expect(stored?.case.contactDue).toBe('2026-11-23T09:00:00.000Z'); // Friday's rating: Monday 17:00 Shanghai
    expect(stored?.version).toBe(1);
    const replay = await w.app.request(
      '/api/v1/ratings',
      json({ ticket: t.ticket, ...bad({ submissionId: 'sub-case-0001', contact: { phone: PHONE, consent: true } }) }),
    );
    expect(replay.status).toBe(201);
    expect((await getCase(w.table, t.ticketId))?.version).toBe(1);

    const good = await rate({ overall: 5 });
    expect(good.res.status).toBe(201);
    expect(await getCase(w.table, good.t.ticketId)).toBeUndefined();
    const raw = await getItem(w.table, keys.rating(good.t.ticketId));
    expect(raw?.gsi2pk).toBeUndefined();

    const hall = await (await w.app.request('/api/v1/hall', { headers: { authorization: `Bearer ${w.apiKey}` } })).json();
    const placard = new URL(hall.windows[1].placardUrl).pathname.slice(3);
    const p = await w.app.request(
      '/api/v1/ratings',
      json({ ticket: placard, ...bad({ submissionId: 'plac-case-0001' }) }, { cookie: 'st_dev=device-case-aaaaaaaaaa' }),
    );
    expect(p.status).toBe(201);
    const { ratingId } = await p.json();
    expect((await getCase(w.table, ratingId))?.case).toMatchObject({ state: 'open', windowId: 'w2', hasPhone: false });
  });

  it('a bad rating with every field, a phone and a 500-character comment stays within 2 write units', async () => {
    const { t, res } = await rate(
      bad({
        attitude: 1,
        efficiency: 1,
        competence: 1,
        trips: 3,
        done: 'no',
        reasons: ['rude', 'wait_long', 'more_documents', 'sent_elsewhere', 'not_done'],
        comment: '排队等了一个多小时'.repeat(60).slice(0, 500),
        contact: { phone: PHONE, consent: true },
        submissionId: 's'.repeat(64),
        lang: 'zh',
      }),
    );
    expect(res.status).toBe(201);
    const { marshall } = await import('@aws-sdk/util-dynamodb');
    const raw = await getItem(w.table, keys.rating(t.ticketId));
    expect(raw?.cv).toBe(1);
    expect(itemSize(marshall(raw!))).toBeLessThanOrEqual(2048);
  });
});

describe('the case service', () => {
  it('lists the hall queue with counts, and nothing outside a viewer scope', async () => {
    const q = await listCaseQueue(deps, { hallId: 'h-test' }, {}, manager);
    expect(q.cases.length).toBeGreaterThanOrEqual(3);
    expect(q.counts.active).toBe(q.cases.length);
    expect(q.counts.byState.open).toBe(q.cases.length);
    const region = await listCaseQueue(deps, { regionId: 'r-city' }, {}, city);
    expect(region.cases.map((c) => c.caseId).sort()).toEqual(q.cases.map((c) => c.caseId).sort());
    expect((await listCaseQueue(deps, { hallId: 'h-test' }, {}, otherManager)).cases).toEqual([]);
  });

  it('walks a case open → contacted → rectified → 追评 closed, one audit entry per step; refuses stale and illegal', async () => {
    const { t } = await rate(bad({ contact: { phone: PHONE, consent: true } }));
    const id = t.ticketId;
    const staff = { kind: 'staff' as const, user: manager };
    expect(await commandCase(deps, id, { type: 'contact', how: 'phone', note: '' }, { kind: 'staff', user: otherManager })).toMatchObject({
      ok: false,
      status: 404,
    });
    expect(await commandCase(deps, id, { type: 'contact', how: 'phone', note: '' }, { kind: 'staff', user: district })).toMatchObject({
      ok: false,
      status: 403,
    });
    const illegal = await commandCase(deps, id, { type: 'rectify', publicReply: 'x', fix: '', category: 'other' }, staff);
    expect(illegal).toMatchObject({ ok: false, status: 422, code: 'wrong_state' });
    const contacted = await commandCase(deps, id, { type: 'contact', how: 'phone', note: '已致电' }, staff, { version: 1 });
    expect(contacted).toMatchObject({ ok: true, version: 2 });
    const stale = await commandCase(deps, id, { type: 'rectify', publicReply: '已整改', fix: '', category: 'staff_coached' }, staff, {
      version: 1,
    });
    expect(stale).toMatchObject({ ok: false, status: 409, code: 'conflict' });
    expect((await getCase(w.table, id))?.case.state).toBe('contacted');
    w.clock.now += 3600_000;
    const rect = await commandCase(
      deps,
      id,
      { type: 'rectify', publicReply: '已批评教育', fix: '培训', category: 'staff_coached' },
      staff,
      {
        version: 2,
      },
    );
    expect(rect.ok).toBe(true);
    const resident = await residentCase(deps, id, 'zh');
    expect(resident?.status).toMatchObject({ reply: '已批评教育', canFollowUp: true });
    expect(JSON.stringify(resident)).not.toContain('培训');
    const fu = await residentFollowUp(deps, id, { grade: 'satisfied' });
    expect(fu).toMatchObject({ ok: true, case: { state: 'closed', closeReason: 'followed_up' } });
    expect((await residentFollowUp(deps, id, { grade: 'satisfied' })).ok).toBe(false);
    const entries = await auditOf(id);
    expect(entries.map((e) => e.note?.split(':')[0])).toEqual(['contact', 'rectify', 'followUp']);
    expect(JSON.stringify(entries)).not.toContain(PHONE);
    // the closed case leaves the active bucket for the phone-deletion bucket
    const raw = await getItem(w.table, keys.rating(id));
    expect(String(raw?.gsi2sk)).toMatch(/^P#/);
  });

  it('reveals the phone to the hall manager only, with exactly one audit entry per reveal', async () => {
    const { t } = await rate(bad({ contact: { phone: PHONE, consent: true } }));
    const id = t.ticketId;
    expect(await revealPhone(deps, id, otherManager)).toMatchObject({ ok: false, status: 404 });
    expect(await revealPhone(deps, id, district)).toMatchObject({ ok: false, status: 403 });
    expect(await auditOf(id)).toEqual([]);
    expect(await revealPhone(deps, id, manager)).toEqual({ ok: true, phone: PHONE, masked: '138****1234' });
    const entries = await auditOf(id);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ kind: 'case.phone_revealed', actor: 'u-mgr', unit: { type: 'hall', id: 'h-test' } });
    const view = await getCaseView(deps, id, manager);
    expect(view?.phoneMasked).toBe('138****1234');
    expect(JSON.stringify(view)).not.toContain(PHONE);
    expect(await getCaseView(deps, id, otherManager)).toBeUndefined();
    // supervisors read their scope's audit entries; the other district's manager reads none of them
    expect((await listAuditFor(deps, district, { from: '2026-11-01', to: '2026-12-31' })).some((e) => e.targetId === id)).toBe(true);
    expect((await listAuditFor(deps, otherManager, { from: '2026-11-01', to: '2026-12-31' })).some((e) => e.targetId === id)).toBe(false);
    expect((await listAuditFor(deps, admin, { from: '2026-11-01', to: '2026-12-31', kind: 'case.phone_revealed' })).length).toBe(1);
  });
});

describe('the nightly case step', () => {
  it('escalates an overdue case to the district, then the city after 5 more working days; idempotent', async () => {
    const start = w.clock.now;
    const { t } = await rate(bad());
    const id = t.ticketId;
    forgetCaseWorld(w.table);
    w.clock.now = Date.parse('2026-11-24T02:00:00Z'); // Tuesday: Monday's contact deadline passed
    const first = await runCaseNight(deps, ['h-test']);
    expect(first.events.filter((e) => e.caseId === id)).toEqual([
      expect.objectContaining({ type: 'case.escalated', regionId: 'r-test', level: 1 }),
    ]);
    expect(JSON.stringify(first.events)).not.toMatch(/1[3-9]\d{9}/);
    const again = await runCaseNight(deps, ['h-test']);
    expect(again.escalated).toBe(0);
    expect((await getCase(w.table, id))?.case.escalationLevel).toBe(1);
    const overdue = await listCaseQueue(deps, { regionId: 'r-test' }, { overdue: true, escalated: true }, district);
    expect(overdue.cases.map((c) => c.caseId)).toContain(id);
    w.clock.now = Date.parse('2026-12-02T02:00:00Z'); // 5 working days after the 24th's escalation
    const second = await runCaseNight(deps, ['h-test']);
    expect(second.events.filter((e) => e.caseId === id)).toEqual([
      expect.objectContaining({ type: 'case.escalated', regionId: 'r-city', level: 2 }),
    ]);
    expect((await runCaseNight(deps, ['h-test'])).escalated).toBe(0);
    const c = (await getCase(w.table, id))!.case;
    expect(c.escalationLevel).toBe(2);
    expect((await auditOf(id)).map((e) => e.note)).toEqual(['escalate: level 1 → r-test: level 1', 'escalate: level 2 → r-city: level 2']);
    w.clock.now = start;
  });

  it('closes a case 7 days after rectification without 追评, and deletes the phone 90 days after closing', async () => {
    const start = w.clock.now;
    const { t } = await rate(bad({ contact: { phone: PHONE, consent: true } }));
    const id = t.ticketId;
    const staff = { kind: 'staff' as const, user: manager };
    expect((await commandCase(deps, id, { type: 'contact', how: 'phone', note: '' }, staff)).ok).toBe(true);
    expect(
      (await commandCase(deps, id, { type: 'rectify', publicReply: '已答复', fix: '', category: 'explained_no_fault' }, staff)).ok,
    ).toBe(true);
    w.clock.now = start + 6 * 86_400_000;
    await runCaseNight(deps, ['h-test']);
    expect((await getCase(w.table, id))?.case.state).toBe('rectified');
    w.clock.now = start + 7 * 86_400_000 + 60_000;
    const night = await runCaseNight(deps, ['h-test']);
    expect(night.autoClosed).toBeGreaterThanOrEqual(1);
    expect((await getCase(w.table, id))?.case).toMatchObject({ state: 'closed', closeReason: 'auto_7d' });
    w.clock.now = start + 96 * 86_400_000;
    await runCaseNight(deps, ['h-test']);
    expect((await getCase(w.table, id))?.rating.phoneEnc).toBeDefined();
    w.clock.now = start + 98 * 86_400_000;
    const del = await runCaseNight(deps, ['h-test']);
    expect(del.phonesDeleted).toBeGreaterThanOrEqual(1);
    const after = (await getCase(w.table, id))!;
    expect(after.rating.phoneEnc).toBeUndefined();
    expect(after.case.hasPhone).toBe(true);
    expect(await revealPhone(deps, id, manager)).toMatchObject({ ok: false, status: 410 });
    expect((await auditOf(id)).map((e) => e.kind)).toContain('case.phone_deleted');
    expect((await runCaseNight(deps, ['h-test'])).phonesDeleted).toBe(0);
    const raw = unmarshall(
      (await import('@aws-sdk/util-dynamodb')).marshall((await getItem(w.table, keys.rating(id)))!, { removeUndefinedValues: true }),
    );
    expect(raw.pe).toBeUndefined();
    expect(String(raw.gsi2sk)).toMatch(/^C#/);
    w.clock.now = start;
  });

  it('writes a due case’s missing audit entry from its history (a crash between the write and the audit)', async () => {
    const start = w.clock.now;
    const { t } = await rate(bad());
    const id = t.ticketId;
    const s = (await getCase(w.table, id))!;
    const { transition } = await import('../shared/domain/cases.js');
    const { writeCase } = await import('../shared/storage/cases.js');
    const r = transition(
      s.case,
      { type: 'contact', how: 'written_reply', note: '您好，已收到' },
      {
        now: new Date(w.clock.now).toISOString(),
        actor: 'u-mgr',
        hall: w.hall,
        cal: { overrides: new Map(), deadlines: { contactDays: 1, rectifyDays: 15, escalateDays: 5, appealDays: 5 } },
      },
    );
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(await writeCase(w.table, r.case, s.version, { phoneKept: false, regionId: w.hall.regionId })).toBe(true); // … and "crash" here
    expect(await auditOf(id)).toEqual([]);
    w.clock.now = Date.parse(r.case.rectifyDue) + 60_000;
    await runCaseNight(deps, ['h-test']);
    const kinds = (await auditOf(id)).map((e) => e.note?.split(':')[0]);
    expect(kinds[0]).toBe('contact');
    w.clock.now = start;
  });
});

describe('figures and exports', () => {
  it('equal a hand count over the cases', async () => {
    const q = await listCaseQueue(deps, { hallId: 'h-test' }, { includeClosed: true }, manager);
    const all = q.cases;
    const f = await caseFiguresFor(deps, { hallId: 'h-test' }, { from: '2026-11-01', to: '2027-03-31' }, manager);
    expect(f.closed).toBe(all.filter((c) => c.state === 'closed').length);
    expect(f.followUpsGiven).toBe(1);
    expect(f.followUpSatisfaction.good).toBe(1);
    const csv = await casesCsv(deps, { hallId: 'h-test' }, { from: '2026-11-01', to: '2026-11-30' }, manager);
    expect(csv.startsWith('\uFEFFcaseId,')).toBe(true);
    expect(csv.trim().split('\r\n')).toHaveLength(1 + all.length);
    expect(csv).not.toContain(PHONE);
    const outside = await caseFiguresFor(deps, { hallId: 'h-test' }, { from: '2026-11-01', to: '2026-11-30' }, otherManager);
    expect(outside.closed).toBe(0);
  });
});

describe('demo cases', () => {
  it('cover every state: on time and overdue, escalated twice, 追评 satisfied and not, reworked; all consistent', async () => {
    const { createHash } = await import('node:crypto');
    const { generateDemoData } = await import('../shared/local/demo-data.js');
    const { demoCases } = await import('../shared/local/demo-cases.js');
    const { caseProblems } = await import('../shared/domain/cases.js');
    const today = '2026-11-30';
    const d = generateDemoData({ today, days: 60 });
    const ratings = d.ratings.map((r, i) => ({
      ...r,
      ratingId: r.ticketId ?? `p${createHash('sha256').update(`demo-${today}-${i}`).digest('base64url').slice(0, 20)}`,
    }));
    const now = Date.parse(`${today}T00:00:00+08:00`);
    const cases = [...demoCases(ratings, d.halls, d.regions, now, new Map()).values()];
    expect(cases.length).toBe(ratings.filter((r) => r.overall <= 2).length);
    const all = cases.map((c) => c.case);
    for (const c of all) expect(caseProblems(c), c.caseId).toEqual([]);
    const states = new Set(all.map((c) => c.state));
    for (const s of ['open', 'contacted', 'rectified', 'closed']) expect(states).toContain(s);
    const overdue = (c: (typeof all)[number]) =>
      (c.state === 'open' && Date.parse(c.contactDue) < now) || (c.state === 'contacted' && Date.parse(c.rectifyDue) < now);
    expect(all.some(overdue)).toBe(true);
    expect(all.some((c) => c.contact && c.contact.at <= c.contactDue)).toBe(true);
    expect(all.some((c) => c.escalationLevel >= 2)).toBe(true);
    expect(all.some((c) => c.followUp?.grade === 'satisfied')).toBe(true);
    expect(all.some((c) => c.followUp?.grade === 'dissatisfied')).toBe(true);
    expect(all.some((c) => c.reworkCount === 1)).toBe(true);
    expect(all.some((c) => c.closeReason === 'auto_7d')).toBe(true);
    // one audit entry per history entry after the opening, under its deterministic id
    for (const c of cases)
      expect(c.audit.map((a) => a.id)).toEqual(c.case.history.slice(1).map((_, i) => `case.${c.case.caseId}.${i + 1}`));
  });
});

describe('appeals', () => {
  it('an upheld appeal excludes the rating from scores and marks its day for re-scoring; a rejected one changes neither', async () => {
    const upheld = (await rate(bad())).t.ticketId;
    const rejected = (await rate(bad())).t.ticketId;
    const staff = { kind: 'staff' as const, user: manager };
    const boss = { kind: 'staff' as const, user: district };
    for (const id of [upheld, rejected]) {
      const filed = await commandCase(deps, id, { type: 'fileAppeal', kind: 'malicious', evidence: '监控显示未到窗口' }, staff);
      expect(filed.ok).toBe(true);
    }
    const yes = await commandCase(deps, upheld, { type: 'decideAppeal', decision: 'upheld', reason: '证据充分' }, boss);
    expect(yes).toMatchObject({ ok: true, case: { state: 'closed', closeReason: 'upheld' } });
    const no = await commandCase(deps, rejected, { type: 'decideAppeal', decision: 'rejected', reason: '证据不足' }, boss);
    expect(no).toMatchObject({ ok: true, case: { state: 'open' } });
    const kept = await getRating(w.table, upheld);
    expect(kept?.decision).toMatchObject({ appeal: 'upheld', by: 'u-dist', reason: '证据充分' });
    expect(isExcluded(kept!)).toBe(true);
    expect(kept?.overall).toBe(1); // the resident's answers are never touched
    expect((await listDirty(w.table)).some((m) => m.hallId === 'h-test' && m.day === kept?.day)).toBe(true);
    const other = await getRating(w.table, rejected);
    expect(other?.decision).toBeUndefined();
    expect(isExcluded(other!)).toBe(false);
  });
});
