/**
 * Staff users: role and scope, and the identity provider's subject bound at first sign-in. Writes are conditional,
 * so creating never overwrites and editing never creates.
 */
import { UpdateItemCommand, type UpdateItemCommandOutput } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { randomBytes } from 'node:crypto';
import type { TUser } from '../domain/access.js';
import { deleteIfPresent } from './catalogue.js';
import { getItem, ifCondition, put, putIf, queryAll, strip, updateIfPresent, type TTable } from './db.js';
import * as keys from './keys.js';

const userItem = (u: TUser) => ({ ...keys.user(u.id), ...keys.userIndex(u.id), ...u });

export async function putUser(t: TTable, u: TUser): Promise<void> {
  await put(t, userItem(u));
}

export async function getUser(t: TTable, id: string): Promise<TUser | undefined> {
  return (await getUserWithSessions(t, id))?.user;
}

/**
 * A user with their session generation (sessionGen: carried in every session cookie signed since it was set;
 * sign-out and an administrator's "end sessions" or demotion replace it, and the gate refuses a cookie of another).
 */
export async function getUserWithSessions(t: TTable, id: string): Promise<{ user: TUser; sessionGen?: string } | undefined> {
  const item = await getItem(t, keys.user(id));
  if (!item) return undefined;
  const { sessionGen, ...user } = strip<TUser & { sessionGen?: string }>(item);
  return { user, sessionGen };
}

export async function listUsers(t: TTable): Promise<TUser[]> {
  return (await queryAll(t, { pk: keys.usersIndex, index: true })).map((i) => {
    const { sessionGen: _gen, ...user } = strip<TUser & { sessionGen?: string }>(unmarshall(i));
    return user;
  });
}

/**
 * Binds an identity provider's subject to a staff user on their first sign-in. Conditional, so two first
 * sign-ins racing cannot both bind, and a bound account is never rebound here. False: it was not bound.
 */
export function bindOidcSub(t: TTable, userId: string, sub: string): Promise<boolean> {
  return ifCondition(() =>
    t.db.send(
      new UpdateItemCommand({
        TableName: t.name,
        Key: marshall(keys.user(userId)),
        UpdateExpression: 'SET oidcSub = :sub',
        ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(oidcSub)',
        ExpressionAttributeValues: marshall({ ':sub': sub }),
      }),
    ),
  );
}

/** Adds a staff user; false if the id is taken. Email uniqueness is the caller's check (there is no index on it). */
export function createUser(t: TTable, u: TUser): Promise<boolean> {
  return putIf(t, 'absent', userItem(u));
}

/**
 * Changes a user's name, email, role and scope; false if there is no such user. Only these attributes are touched:
 * the identity provider's subject bound at sign-in (oidcSub) stays as it is.
 */
export function updateUser(t: TTable, u: Pick<TUser, 'id' | 'name' | 'email' | 'role' | 'scope'>): Promise<boolean> {
  const set = ['#name = :name', '#role = :role', '#scope = :scope', ...(u.email ? ['#email = :email'] : [])];
  return updateIfPresent(
    t,
    keys.user(u.id),
    `SET ${set.join(', ')}${u.email ? '' : ' REMOVE #email'}`,
    { '#name': 'name', '#role': 'role', '#scope': 'scope', '#email': 'email' },
    { ':name': u.name, ':role': u.role, ':scope': u.scope, ...(u.email ? { ':email': u.email } : {}) },
  );
}

/** Forgets the identity bound at first sign-in, so the next OIDC sign-in with the user's email binds afresh. */
export function unbindUser(t: TTable, id: string): Promise<boolean> {
  return updateIfPresent(t, keys.user(id), 'REMOVE #sub', { '#sub': 'oidcSub' });
}

/**
 * The user's session generation for a new session: the stored one, or a fresh one set now (if_not_exists, so two
 * sign-ins racing agree). Undefined if there is no such user.
 */
export async function sessionGenFor(t: TTable, userId: string): Promise<string | undefined> {
  let out: UpdateItemCommandOutput | undefined;
  const ok = await ifCondition(async () => {
    out = await t.db.send(
      new UpdateItemCommand({
        TableName: t.name,
        Key: marshall(keys.user(userId)),
        UpdateExpression: 'SET sessionGen = if_not_exists(sessionGen, :g)',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: marshall({ ':g': randomBytes(12).toString('base64url') }),
        ReturnValues: 'UPDATED_NEW',
      }),
    );
  });
  const attrs = ok ? out?.Attributes : undefined;
  return attrs ? String(unmarshall(attrs).sessionGen) : undefined;
}

/** Ends every session of a user at once: a new generation, so no cookie signed before it passes the gate. */
export function endSessions(t: TTable, userId: string): Promise<boolean> {
  return updateIfPresent(t, keys.user(userId), 'SET sessionGen = :g', undefined, { ':g': randomBytes(12).toString('base64url') });
}

/** Removes a staff user: their sessions stop working at the next request (every request reads the user). */
export function removeUser(t: TTable, id: string): Promise<boolean> {
  return deleteIfPresent(t, keys.user(id));
}
