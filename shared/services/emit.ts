/**
 * Writing events (issue 14): the case service's one hook and the night's alerts. Apart from notify.ts so the case
 * service (and any bundle carrying it) takes only the event model and one put, not the dispatcher.
 */
import type { TCase } from '../domain/cases.js';
import { eventOfCaseStep, type TEvent } from '../domain/events.js';
import { putEvent } from '../storage/notify.js';
import type { TTable } from '../storage/db.js';

/** The event of a case's newest step, if any: the one extra write of a transition (a replay finds it written). */
export async function emitCaseStep(t: TTable, c: TCase, nowMs: number): Promise<void> {
  const e = eventOfCaseStep(c);
  if (e) await putEvent(t, e, nowMs);
}

/** Events from elsewhere (alerts at night, issue 16's monthly report): each written once; returns how many were new. */
export async function emitEvents(t: TTable, events: readonly TEvent[], nowMs: number): Promise<number> {
  let n = 0;
  for (const e of events) if (await putEvent(t, e, nowMs)) n++;
  return n;
}
