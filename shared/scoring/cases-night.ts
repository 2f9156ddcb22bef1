/**
 * The nightly job's case step (SPEC §5, §6), per hall: escalate cases past a deadline (to the hall's region, then
 * one level up after each further `escalateDays`), close cases 7 days after rectification without a 追评, and delete
 * the phone ciphertext 90 days after a case closed. Its cost is the due cases (GSI2: active cases whose next
 * instant has passed, closed ones whose phone is due for deletion) plus one Query per case partition and bucket
 * (the batch's halls' regions: a night's batch is one region's halls), never all history. Idempotent: every change
 * goes through the versioned write, and a re-run finds nothing due. It also writes a due case's missing audit entry
 * from its history (the gap a crash between write and audit can leave).
 */
import { auditEntry, auditOfCaseTransition } from '../domain/audit.js';
import type { TCaseEvent } from '../domain/cases.js';
import { quietLog } from '../log.js';
import { appendAudit, caseAuditId } from '../storage/audit.js';
import { listCases, type TStoredCase, writeCase } from '../storage/cases.js';
import { auditHistory, commandCase, loadCaseWorld, partsOfHalls, type TCaseDeps } from '../services/cases.js';
import { emitCaseStep } from '../services/emit.js';

export interface TCaseNightResult {
  escalated: number;
  autoClosed: number;
  phonesDeleted: number;
  /** due cases looked at */
  due: number;
  events: TCaseEvent[];
}

export async function runCaseNight(deps: TCaseDeps, hallIds?: readonly string[]): Promise<TCaseNightResult> {
  const nowMs = (deps.now ?? Date.now)();
  const now = new Date(nowMs).toISOString();
  const world = await loadCaseWorld(deps.table, nowMs);
  const out: TCaseNightResult = { escalated: 0, autoClosed: 0, phonesDeleted: 0, due: 0, events: [] };
  const collect: TCaseDeps = {
    ...deps,
    publish: async (events) => {
      out.events.push(...events);
    },
  };
  const ids = hallIds ?? [...world.halls.keys()];
  const known = ids.flatMap((h) => world.halls.get(h) ?? []);
  // the halls' partitions (a hall the cached catalogue does not know yet: its own list), only their cases kept
  const parts = [...partsOfHalls(known), ...ids.filter((h) => !world.halls.has(h)).map((hallId) => ({ hallId }))];
  const keep = new Set(ids);
  const due = async (part: (typeof parts)[number], bucket: 'A' | 'P'): Promise<TStoredCase[]> =>
    (await listCases(deps.table, part, bucket, now)).filter((s) => keep.has(s.case.hallId));
  for (const part of parts) {
    for (const s of await due(part, 'A')) {
      out.due++;
      // the newest history entry's audit entry, if a crash lost it (a present one is left as it is)
      // ... and its event (issue 14): written before the audit entry, so a missing entry means it may be missing too
      if (await auditHistory(deps.table, s.case, s.case.history.length - 1)) await emitCaseStep(deps.table, s.case, nowMs);
      const type = s.case.state === 'rectified' ? 'autoClose' : s.case.state === 'appealed' ? undefined : 'escalate';
      if (!type) continue;
      const r = await commandCase(collect, s.case.caseId, { type }, { kind: 'system' }, { stored: s, world });
      if (r.ok && type === 'escalate') out.escalated++;
      if (r.ok && type === 'autoClose') out.autoClosed++;
    }
    for (const s of await due(part, 'P')) {
      out.due++;
      const c = structuredClone(s.case);
      c.history.push({ at: now, actor: 'system', action: 'deletePhone', from: c.state, to: c.state });
      const regionId = world.halls.get(c.hallId)?.regionId;
      if (!(await writeCase(deps.table, c, s.version, { phoneKept: false, dropPhone: true, regionId }))) continue; // moved: next night
      out.phonesDeleted++;
      const base = auditOfCaseTransition(c, [], 'system');
      await appendAudit(deps.table, auditEntry({ ...base, kind: 'case.phone_deleted' }), caseAuditId(c.caseId, c.history.length - 1));
    }
  }
  if (out.events.length) {
    if (deps.publish) await deps.publish(out.events);
    else for (const e of out.events) (deps.log ?? quietLog).info('case event', { event: e });
  }
  return out;
}
