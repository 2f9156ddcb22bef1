import { describe, expect, it } from 'vitest';
import type { TUser } from './access.js';
import { matchStaffUser } from './staff-identity.js';

const users: TUser[] = [
  { id: 'a', name: 'A', role: 'admin', scope: '*', email: 'Admin@Example.gov.cn' },
  { id: 'm', name: 'M', role: 'manager', scope: 'h1', email: 'm@example.gov.cn', oidcSub: 'sub-m' },
  { id: 'n', name: 'N', role: 'manager', scope: 'h2' },
];

describe('matchStaffUser', () => {
  it('finds a bound user by subject, whatever the email says now', () => {
    expect(matchStaffUser(users, { sub: 'sub-m', email: 'changed@elsewhere.cn', email_verified: true })).toEqual({
      kind: 'bound',
      user: users[1],
    });
  });
  it('binds an unbound user on a verified email, case-insensitively (Cognito sends "true" as a string)', () => {
    expect(matchStaffUser(users, { sub: 's1', email: ' admin@example.GOV.cn', email_verified: true })).toEqual({
      kind: 'bind',
      user: users[0],
    });
    expect(matchStaffUser(users, { sub: 's1', email: 'admin@example.gov.cn', email_verified: 'true' })).toEqual({
      kind: 'bind',
      user: users[0],
    });
  });
  it('refuses an unverified email even when it matches', () => {
    for (const v of [false, 'false', undefined, 1, 'yes']) {
      expect(matchStaffUser(users, { sub: 's1', email: 'admin@example.gov.cn', email_verified: v })).toEqual({
        kind: 'refused',
        reason: 'email-unverified',
      });
    }
  });
  it('refuses a second subject for an account already bound to another', () => {
    expect(matchStaffUser(users, { sub: 'intruder', email: 'm@example.gov.cn', email_verified: true })).toEqual({
      kind: 'refused',
      reason: 'bound-elsewhere',
    });
  });
  it('refuses identities with no staff account, or no email at all', () => {
    expect(matchStaffUser(users, { sub: 's2', email: 'nobody@example.gov.cn', email_verified: true }).kind).toBe('refused');
    expect(matchStaffUser(users, { sub: 's2' })).toEqual({ kind: 'refused', reason: 'no-account' });
    expect(matchStaffUser(users, { sub: 's2', email: 42, email_verified: true })).toEqual({ kind: 'refused', reason: 'no-account' });
  });
  it('never matches a user without an email by an empty subject or address', () => {
    expect(matchStaffUser(users, { sub: '', email: '', email_verified: true }).kind).toBe('refused');
  });
});
