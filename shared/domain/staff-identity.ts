/**
 * Which staff user an identity provider's sign-in belongs to. Pure, so every rule is unit-tested.
 *
 * A user already bound to this subject is that user. Otherwise the provider's *verified* email picks the user
 * with that address who is not yet bound to another subject; that first sign-in binds the subject, so a later
 * change of address at the provider cannot move the account to someone else. Anything else is refused: an
 * identity is never given a role it was not granted here.
 */
import type { TUser } from './access.js';

export interface TIdentityClaims {
  sub: string;
  email?: unknown;
  email_verified?: unknown;
}

export type TIdentityMatch =
  | { kind: 'bound'; user: TUser }
  | { kind: 'bind'; user: TUser }
  | { kind: 'refused'; reason: 'no-account' | 'email-unverified' | 'bound-elsewhere' };

export const normalEmail = (email: string): string => email.trim().toLowerCase();

/** Cognito sends `email_verified` as the string "true"; the standard says boolean. Accept both, nothing else. */
const verified = (v: unknown): boolean => v === true || v === 'true';

export function matchStaffUser(users: readonly TUser[], claims: TIdentityClaims): TIdentityMatch {
  const bound = users.find((u) => u.oidcSub !== undefined && u.oidcSub === claims.sub);
  if (bound) return { kind: 'bound', user: bound };
  if (typeof claims.email !== 'string' || !claims.email.includes('@')) return { kind: 'refused', reason: 'no-account' };
  const email = normalEmail(claims.email);
  const byEmail = users.find((u) => u.email !== undefined && normalEmail(u.email) === email);
  if (!byEmail) return { kind: 'refused', reason: 'no-account' };
  if (!verified(claims.email_verified)) return { kind: 'refused', reason: 'email-unverified' };
  if (byEmail.oidcSub !== undefined) return { kind: 'refused', reason: 'bound-elsewhere' };
  return { kind: 'bind', user: byEmail };
}
