/**
 * The audit trail (SPEC §3): one append-only item per entry, by UTC day, and by unit through GSI1 for scoped reads.
 * The only write is a conditional put of a new item under a deterministic id (a retry finds its own entry and
 * writes nothing); no function here updates or deletes an entry.
 */
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type { TAuditEntry } from '../domain/audit.js';
import { batchPut, putIf, queryAll, strip, type TTable } from './db.js';
import * as keys from './keys.js';

export type TStoredAudit = TAuditEntry & { entryId: string };

const auditItem = (entry: TAuditEntry, entryId: string) => ({
  ...keys.audit(entry.at.slice(0, 10), entry.at, entryId),
  ...keys.auditIndex(entry.unit.type, entry.unit.id, entry.at, entryId),
  entryId,
  ...entry,
});

/** Appends an entry; false if an entry with this id already exists (a retry), which is left as it was. */
export function appendAudit(t: TTable, entry: TAuditEntry, entryId: string): Promise<boolean> {
  return putIf(t, 'absent', auditItem(entry, entryId));
}

/** The demo seeder's bulk load of a simulated history into an empty table (never used for live entries). */
export async function bulkPutAudit(t: TTable, entries: readonly { entry: TAuditEntry; id: string }[]): Promise<void> {
  await batchPut(
    t,
    entries.map((e) => marshall(auditItem(e.entry, e.id), { removeUndefinedValues: true })),
    8,
  );
}

/** The deterministic id of the audit entry of a case's n-th history entry (0-based). */
export const caseAuditId = (caseId: string, historyIndex: number): string => `case.${caseId}.${historyIndex}`;

export interface TAuditQuery {
  /** first and last UTC day (YYYY-MM-DD), inclusive */
  from: string;
  to: string;
  /** only these units (a supervisor's scope: its regions and halls); absent: every unit (administrators) */
  units?: readonly { type: 'hall' | 'region' | 'global'; id: string }[];
  actor?: string;
  kind?: string;
}

const DAY_MS = 86_400_000;
function days(from: string, to: string): string[] {
  const out: string[] = [];
  for (let d = Date.parse(`${from}T00:00:00Z`); d <= Date.parse(`${to}T00:00:00Z`) && out.length < 400; d += DAY_MS) {
    out.push(new Date(d).toISOString().slice(0, 10));
  }
  return out;
}

/** Entries in time order (newest last), filtered. One Query per day (all units) or per unit (a scope). Counted. */
export async function listAudit(t: TTable, q: TAuditQuery): Promise<TStoredAudit[]> {
  const range: [string, string] = [`${q.from}T`, `${q.to}T\uffff`];
  const pages = q.units
    ? await Promise.all(q.units.map((u) => queryAll(t, { pk: keys.auditOfUnit(u.type, u.id), index: true, between: range })))
    : await Promise.all(days(q.from, q.to).map((d) => queryAll(t, { pk: keys.auditPartition(d) })));
  return pages
    .flat()
    .map((i) => strip<TStoredAudit>(unmarshall(i)))
    .filter((e) => (!q.actor || e.actor === q.actor) && (!q.kind || e.kind === q.kind || e.kind.startsWith(`${q.kind}.`)))
    .sort((a, b) => (a.at === b.at ? a.entryId.localeCompare(b.entryId) : a.at < b.at ? -1 : 1));
}
