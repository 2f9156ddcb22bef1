/**
 * Who may give which case command (SPEC §2, §5), apart from the state machine so every route asks the same question.
 * The hall's manager works the case and is its handler (the only one who may reveal the phone); a supervisor whose
 * scope holds the hall decides appeals; the resident (holder of the ticket or case link, checked by the route)
 * gives the 追评; the nightly job escalates and auto-closes. Administrators configure, they do not handle cases.
 */
import { canSeeHall, type TTree, type TUser } from './access.js';
import type { TCase, TCommandType } from './cases.js';

export type TCaseActor = { kind: 'staff'; user: TUser } | { kind: 'resident' } | { kind: 'system' };

const MANAGER: readonly TCommandType[] = ['contact', 'rectify', 'fileAppeal', 'revealPhone'];

export function mayCommand(actor: TCaseActor, type: TCommandType, c: Pick<TCase, 'hallId'>, tree: TTree): boolean {
  if (actor.kind === 'system') return type === 'escalate' || type === 'autoClose';
  if (actor.kind === 'resident') return type === 'followUp';
  const { user } = actor;
  if (user.role === 'manager') return MANAGER.includes(type) && user.scope === c.hallId && canSeeHall(user, tree, c.hallId);
  if (user.role === 'supervisor') return type === 'decideAppeal' && canSeeHall(user, tree, c.hallId);
  return false;
}

/** The id written as `actor` in the case history and the audit trail. */
export const actorId = (actor: TCaseActor): string => (actor.kind === 'staff' ? actor.user.id : actor.kind);
