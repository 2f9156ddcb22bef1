/**
 * The demo city's cases (issue 9): every bad rating of the demo history opened its case, and the case was then
 * handled the way halls do — mostly on time, some late, a few never (escalated by the nightly rules, one of them
 * twice or more), 追评 satisfied, basic, none (closed automatically) or dissatisfied (reworked once). The history
 * is played through the pure domain (transition, escalationStep) up to the seeding instant, so every stored case
 * is one the product itself could have produced, and its audit entries are the ones it would have written.
 * Deterministic per rating id.
 */
import { createHash } from 'node:crypto';
import { regionChain } from '../domain/access.js';
import { auditOfCaseTransition, type TAuditEntry } from '../domain/audit.js';
import { addWorkingDays, effectiveCalendar, type TCalendar } from '../domain/calendar.js';
import { activeDue, AUTO_CLOSE_MS, escalationStep, openCase, type TCase, type TCaseCommand, transition } from '../domain/cases.js';
import type { THall, TRating, TRegion } from '../domain/model.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** The nightly job runs at 02:00 Asia/Shanghai = 18:00 UTC. */
const NIGHT_UTC_MS = 18 * HOUR;

const unit = (id: string, salt: string) => createHash('sha256').update(`${salt}:${id}`).digest().readUInt32BE(0) / 2 ** 32;

export interface TDemoCase {
  case: TCase;
  /** audit entries of its history after the opening, with their ids */
  audit: { entry: TAuditEntry; id: string }[];
}

type TStep = { at: number; cmd: TCaseCommand; actor: string };

const REPLY = '您好，您的意见我们已经收到，大厅正在核实处理，处理结果会在此页答复您。';
const FIXES = [
  { category: 'staff_coached', publicReply: '已对窗口工作人员进行批评教育和服务规范培训，感谢您的监督。', fix: '窗口人员培训' },
  { category: 'process_changed', publicReply: '已调整高峰时段窗口安排，增开一个综合受理窗口。', fix: '高峰增开窗口' },
  { category: 'system_fixed', publicReply: '取号系统故障已修复，今后会提前公告维护时间。', fix: '排队系统补丁' },
  { category: 'explained_no_fault', publicReply: '经核实，该事项需补充材料，我们已补发一次性告知清单。', fix: '核实无过错' },
] as const;

/** Plays one bad rating's case up to `nowMs`. */
export function demoCase(
  rating: TRating,
  hall: THall,
  cal: TCalendar,
  regionPath: readonly string[],
  nowMs: number,
  managerId: string,
): TDemoCase | null {
  let c = openCase(rating, hall, cal, rating.createdAt);
  if (!c) return null;
  const audit: TDemoCase['audit'] = [];
  const id = rating.ratingId;
  const u = unit(id, 'path');
  const v = unit(id, 'follow');
  const t0 = Date.parse(rating.createdAt);
  const contactDue = Date.parse(c.contactDue);
  const rectifyDue = Date.parse(c.rectifyDue);
  const steps: TStep[] = [];
  // 4% never handled (escalated), 8% contacted late, 5% rectified late, the rest on time
  if (u >= 0.04) {
    const contactAt = u < 0.12 ? contactDue + DAY + 3 * HOUR : t0 + 3 * HOUR;
    steps.push({ at: contactAt, cmd: { type: 'contact', how: 'written_reply', note: REPLY }, actor: managerId });
    const fix = FIXES[Math.floor(unit(id, 'fix') * FIXES.length)];
    const rectifyAt = u < 0.17 && u >= 0.12 ? rectifyDue + 2 * DAY : contactAt + (2 + Math.floor(v * 4)) * DAY;
    steps.push({ at: rectifyAt, cmd: { type: 'rectify', ...fix }, actor: managerId });
    if (v < 0.45) steps.push({ at: rectifyAt + DAY, cmd: { type: 'followUp', grade: 'satisfied' }, actor: 'resident' });
    else if (v < 0.6) steps.push({ at: rectifyAt + 2 * DAY, cmd: { type: 'followUp', grade: 'basic' }, actor: 'resident' });
    else if (v < 0.68) {
      steps.push({ at: rectifyAt + DAY, cmd: { type: 'followUp', grade: 'dissatisfied', comment: '问题没有解决' }, actor: 'resident' });
      const again = FIXES[(Math.floor(unit(id, 'fix') * FIXES.length) + 1) % FIXES.length];
      steps.push({ at: rectifyAt + 4 * DAY, cmd: { type: 'rectify', ...again }, actor: managerId });
      steps.push({ at: rectifyAt + 5 * DAY, cmd: { type: 'followUp', grade: v < 0.64 ? 'basic' : 'dissatisfied' }, actor: 'resident' });
    }
  }
  const ctx = (at: number, actor: string) => ({ now: new Date(at).toISOString(), actor, hall, cal, regionPath });
  const record = (next: TCase, events: Parameters<typeof auditOfCaseTransition>[1], role: TAuditEntry['actorRole']) => {
    c = next;
    audit.push({ entry: auditOfCaseTransition(next, events, role), id: `case.${id}.${next.history.length - 1}` });
  };
  /** the nightly job's turns (escalation, auto-close) from `from` up to `to` */
  const nights = (from: number, to: number) => {
    for (let n = Math.floor(from / DAY) * DAY + NIGHT_UTC_MS; n < to; n += DAY) {
      if (n <= from || !c) continue;
      const due = activeDue(c);
      const escalate = due && n > Date.parse(due) && (!c.nextEscalationAt || n >= Date.parse(c.nextEscalationAt));
      if (escalate && c.escalationLevel < regionPath.length) {
        const r = escalationStep(c, new Date(n).toISOString(), hall, cal, regionPath);
        if (r?.ok) record(r.case, r.events, 'system');
      }
      if (c.state === 'rectified' && n >= Date.parse(c.rectification!.at) + AUTO_CLOSE_MS) {
        const r = transition(c, { type: 'autoClose' }, ctx(n, 'system'));
        if (r.ok) record(r.case, r.events, 'system');
      }
    }
  };
  let cursor = t0;
  for (const s of steps) {
    if (s.at >= nowMs) break;
    nights(cursor, s.at);
    cursor = s.at;
    const r = transition(c, s.cmd, ctx(s.at, s.actor));
    if (r.ok) record(r.case, r.events, s.actor === 'resident' ? 'resident' : 'manager');
  }
  nights(cursor, nowMs);
  return { case: c, audit };
}

/** Every bad rating's case, played up to `nowMs`. */
export function demoCases(
  ratings: readonly TRating[],
  halls: readonly THall[],
  regions: readonly TRegion[],
  nowMs: number,
  managers: Map<string, string>,
) {
  const tree = { regionParent: new Map(regions.map((r) => [r.id, r.parentId])), hallRegion: new Map(halls.map((h) => [h.id, h.regionId])) };
  const byHall = new Map(
    halls.map((h) => {
      const path = regionChain(tree, h.regionId);
      return [h.id, { hall: h, path, cal: effectiveCalendar(path) }] as const;
    }),
  );
  const out = new Map<string, TDemoCase>();
  for (const r of ratings) {
    const h = byHall.get(r.hallId);
    if (!h) continue;
    const d = demoCase(r, h.hall, h.cal, h.path, nowMs, managers.get(r.hallId) ?? `manager.${r.hallId}`);
    if (d) out.set(r.ratingId, d);
  }
  return out;
}

/** A deadline helper for tests of the demo: n working days after an instant in the demo's calendar. */
export const demoDeadline = (from: string, n: number, hall: THall) => addWorkingDays(from, n, hall, effectiveCalendar([]));
