/**
 * Staff users: role and scope, and the identity provider's subject bound at first sign-in. Writes are conditional,
 * so creating never overwrites and editing never creates. At national size (100,000 users) nothing here lists the
 * users to find one: an address and a bound subject each have a claim item naming their user (USEREMAIL#, USERSUB#),
 * taken by a conditional put, so an address is unique without a read-then-write. Without transactions a claim can
 * outlive a crash between two writes: every lookup checks the claim against the user item, and a stale claim (its
 * user no longer holds that address or subject) may be taken over, so the pair heals itself. Each user also has an
 * item under their scope (USCOPE#<scope>/<user>: the notifications find an event's recipients by unit, never by
 * listing): written before the user item and deleted after it, so a crash leaves a stale scope item (ignored: readers
 * check it against the user item), never a user missing from their scope.
 */
import { DeleteItemCommand, PutItemCommand, UpdateItemCommand, type UpdateItemCommandOutput } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { createHash, randomBytes } from 'node:crypto';
import type { TUser } from '../domain/access.js';
import { matchStaffUser, normalEmail, type TIdentityClaims, type TIdentityMatch } from '../domain/staff-identity.js';
import { deleteIfPresent } from './catalogue.js';
import {
  batchGet,
  batchPut,
  getCounted,
  ifCondition,
  put,
  putIf,
  queryAll,
  queryPage,
  strip,
  updateIfPresent,
  type Item,
  type TTable,
} from './db.js';
import * as keys from './keys.js';

const userItem = (u: TUser) => ({ ...keys.user(u.id), ...keys.userIndex(u.id), ...keys.userNameIndex(u.name, u.id), ...u });
const scopeItem = (u: Pick<TUser, 'id' | 'scope'>) => ({ ...keys.userScope(u.scope, u.id), userId: u.id });
const dropScope = (t: TTable, scope: string, userId: string) =>
  t.db.send(new DeleteItemCommand({ TableName: t.name, Key: marshall(keys.userScope(scope, userId)) }));
const emailKey = (email: string) => keys.userEmail(createHash('sha256').update(normalEmail(email)).digest('hex'));

/** Puts a user as is, with their claims (seeding, tests; the administrator's writes are createUser/updateUser). */
export async function putUser(t: TTable, u: TUser): Promise<void> {
  await put(t, scopeItem(u));
  await put(t, userItem(u));
  if (u.email) await put(t, { ...emailKey(u.email), userId: u.id });
  if (u.oidcSub) await put(t, { ...keys.userSub(u.oidcSub), userId: u.id });
}

/** A claim whose user does not exist yet is someone's creation in flight for this long, not a stale one. */
const CLAIM_GRACE_MS = 60_000;

/**
 * Takes a claim (an address or a subject) for a user: a conditional put that holds when the claim is free, already
 * the user's, or stale (its user, read now, no longer holds it). False: another user holds it.
 */
async function claim(t: TTable, key: keys.TKey, userId: string, holds: (u: TUser) => boolean): Promise<boolean> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const current = await getCounted(t, key);
    const owner = current?.userId as string | undefined;
    if (owner && owner !== userId) {
      const other = await getUser(t, owner);
      if (other ? holds(other) : Date.now() - Number(current?.at ?? 0) < CLAIM_GRACE_MS) return false;
    }
    const ok = await ifCondition(() =>
      t.db.send(
        new PutItemCommand({
          TableName: t.name,
          Item: marshall({ ...key, userId, at: Date.now() }),
          ConditionExpression: owner ? 'userId = :owner' : 'attribute_not_exists(pk)',
          ExpressionAttributeValues: owner ? marshall({ ':owner': owner }) : undefined,
        }),
      ),
    );
    if (ok) return true; // else someone moved the claim between the read and the put: look again
  }
  return false;
}

/** Lets a claim go, only if it is still this user's. */
function release(t: TTable, key: keys.TKey, userId: string): Promise<boolean> {
  return ifCondition(() =>
    t.db.send(
      new DeleteItemCommand({
        TableName: t.name,
        Key: marshall(key),
        ConditionExpression: 'userId = :id',
        ExpressionAttributeValues: marshall({ ':id': userId }),
      }),
    ),
  );
}

const hasEmail = (email: string) => (u: TUser) => !!u.email && normalEmail(u.email) === normalEmail(email);
const hasSub = (sub: string) => (u: TUser) => u.oidcSub === sub;

/** The user an address belongs to (two reads: the claim, the user), or undefined. */
export async function findUserByEmail(t: TTable, email: string): Promise<TUser | undefined> {
  const owner = (await getCounted(t, emailKey(email)))?.userId as string | undefined;
  const user = owner ? await getUser(t, owner) : undefined;
  return user && hasEmail(email)(user) ? user : undefined;
}

/**
 * Which staff user an identity provider's sign-in belongs to (the rules: matchStaffUser), found by index: the
 * subject's claim, else the verified address's. At most four items read, whatever the number of users.
 */
export async function findStaffIdentity(t: TTable, claims: TIdentityClaims): Promise<TIdentityMatch> {
  const bySub = await findUserBySub(t, claims.sub);
  const email = typeof claims.email === 'string' && claims.email.includes('@') ? claims.email : undefined;
  const byEmail = !bySub && email ? await findUserByEmail(t, email) : undefined;
  return matchStaffUser(
    [bySub, byEmail].filter((u): u is TUser => !!u),
    claims,
  );
}

/** Many users and their claims in batched writes (benchmarks, imports, the access-count tests). */
export async function bulkPutUsers(t: TTable, users: TUser[]): Promise<void> {
  const items = users.flatMap((u) => [
    userItem(u),
    scopeItem(u),
    ...(u.email ? [{ ...emailKey(u.email), userId: u.id }] : []),
    ...(u.oidcSub ? [{ ...keys.userSub(u.oidcSub), userId: u.id }] : []),
  ]);
  await batchPut(
    t,
    items.map((i) => marshall(i, { removeUndefinedValues: true })),
    4,
  );
}

/** The user bound to an identity provider's subject (two reads), or undefined. */
export async function findUserBySub(t: TTable, sub: string): Promise<TUser | undefined> {
  const owner = (await getCounted(t, keys.userSub(sub)))?.userId as string | undefined;
  const user = owner ? await getUser(t, owner) : undefined;
  return user && hasSub(sub)(user) ? user : undefined;
}

export async function getUser(t: TTable, id: string): Promise<TUser | undefined> {
  return (await getUserWithSessions(t, id))?.user;
}

/**
 * A user with their session generation (sessionGen: carried in every session cookie signed since it was set;
 * sign-out and an administrator's "end sessions" or demotion replace it, and the gate refuses a cookie of another).
 */
export async function getUserWithSessions(t: TTable, id: string): Promise<{ user: TUser; sessionGen?: string } | undefined> {
  const item = await getCounted(t, keys.user(id));
  if (!item) return undefined;
  const { sessionGen, ...user } = strip<TUser & { sessionGen?: string }>(item);
  return { user, sessionGen };
}

const toUser = (i: Item): TUser => {
  const { sessionGen: _gen, ...user } = strip<TUser & { sessionGen?: string }>(unmarshall(i));
  return user;
};

/** Every user: small deployments and tools only (the demo sign-in, seeding checks); pages use pageUsers. */
export async function listUsers(t: TTable): Promise<TUser[]> {
  return (await queryAll(t, { pk: keys.usersIndex, index: true })).map(toUser);
}

/**
 * One page of users for the administrator: by id (optionally those whose id starts with `idPrefix`) or by name
 * (`namePrefix`, case-insensitive), `limit` at a time; `after` is the previous page's `next`.
 */
export async function pageUsers(
  t: TTable,
  q: { idPrefix?: string; namePrefix?: string; after?: string; limit: number },
): Promise<{ users: TUser[]; next?: string }> {
  const byName = q.namePrefix !== undefined;
  const prefix = byName ? q.namePrefix!.trim().toLowerCase() : (q.idPrefix ?? '');
  const page = await queryPage(t, {
    pk: byName ? keys.usersByName : keys.usersIndex,
    index: byName ? 'gsi2' : true,
    prefix,
    after: q.after,
    limit: q.limit,
  });
  const users = page.items.map(toUser);
  return { users, next: page.next };
}

/**
 * Binds an identity provider's subject to a staff user on their first sign-in. Conditional, so two first
 * sign-ins racing cannot both bind, and a bound account is never rebound here. False: it was not bound.
 */
export async function bindOidcSub(t: TTable, userId: string, sub: string): Promise<boolean> {
  if (!(await claim(t, keys.userSub(sub), userId, hasSub(sub)))) return false;
  const bound = await ifCondition(() =>
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
  if (!bound && (await getUser(t, userId))?.oidcSub !== sub) await release(t, keys.userSub(sub), userId);
  return bound;
}

/** Adds a staff user: false if the id is taken, 'email' if another user has the address (nothing written either way). */
export async function createUser(t: TTable, u: TUser): Promise<boolean | 'email'> {
  if (u.email && !(await claim(t, emailKey(u.email), u.id, hasEmail(u.email)))) return 'email';
  await put(t, scopeItem(u));
  if (await putIf(t, 'absent', userItem(u))) return true;
  // The id is taken: the address and the scope item go back, unless they are that user's own.
  const holder = await getUser(t, u.id);
  if (u.email && !(holder && hasEmail(u.email)(holder))) await release(t, emailKey(u.email), u.id);
  if (holder?.scope !== u.scope) await dropScope(t, u.scope, u.id);
  return false;
}

/**
 * Changes a user's name, email, role and scope; false if there is no such user. Only these attributes are touched:
 * the identity provider's subject bound at sign-in (oidcSub) stays as it is.
 */
export async function updateUser(t: TTable, u: Pick<TUser, 'id' | 'name' | 'email' | 'role' | 'scope'>): Promise<boolean | 'email'> {
  const before = await getUser(t, u.id);
  if (!before) return false;
  if (u.email && !(await claim(t, emailKey(u.email), u.id, hasEmail(u.email)))) return 'email';
  const moved = before.scope !== u.scope;
  if (moved) await put(t, scopeItem(u));
  const set = [
    '#name = :name',
    '#role = :role',
    '#scope = :scope',
    'gsi2pk = :np',
    'gsi2sk = :ns',
    ...(u.email ? ['#email = :email'] : []),
  ];
  const name = keys.userNameIndex(u.name, u.id);
  const ok = await updateIfPresent(
    t,
    keys.user(u.id),
    `SET ${set.join(', ')}${u.email ? '' : ' REMOVE #email'}`,
    { '#name': 'name', '#role': 'role', '#scope': 'scope', '#email': 'email' },
    {
      ':name': u.name,
      ':role': u.role,
      ':scope': u.scope,
      ':np': name.gsi2pk,
      ':ns': name.gsi2sk,
      ...(u.email ? { ':email': u.email } : {}),
    },
  );
  // The old address is free once the user no longer holds it.
  if (ok && before.email && !(u.email && hasEmail(u.email)(before))) await release(t, emailKey(before.email), u.id);
  // The old scope no longer lists the user (if the user was removed meanwhile, neither does the new one).
  if (moved) await dropScope(t, ok ? before.scope : u.scope, u.id);
  return ok;
}

/** Forgets the identity bound at first sign-in, so the next OIDC sign-in with the user's email binds afresh. */
export async function unbindUser(t: TTable, id: string): Promise<boolean> {
  const before = await getUser(t, id);
  const ok = await updateIfPresent(t, keys.user(id), 'REMOVE #sub', { '#sub': 'oidcSub' });
  if (ok && before?.oidcSub) await release(t, keys.userSub(before.oidcSub), id);
  return ok;
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
export async function removeUser(t: TTable, id: string): Promise<boolean> {
  const before = await getUser(t, id);
  if (!(await deleteIfPresent(t, keys.user(id)))) return false;
  if (before?.email) await release(t, emailKey(before.email), id);
  if (before?.oidcSub) await release(t, keys.userSub(before.oidcSub), id);
  if (before) await dropScope(t, before.scope, id);
  return true;
}

/** Users by id in batches (100 keys a call), in no particular order; ids without a user are left out. Counted. */
export async function getUsers(t: TTable, ids: readonly string[]): Promise<TUser[]> {
  if (!ids.length) return [];
  return (await batchGet(t, ids.map(keys.user))).map(toUser);
}

/**
 * The users whose scope is one of these units (hall ids, region ids, '*' for administrators): one Query per unit on
 * its scope items, then one batch read of the users they name, each kept only if the user item (the truth) still
 * has that scope. Counted: the scope items and the users read.
 */
export async function usersOfScopes(t: TTable, scopes: readonly string[]): Promise<TUser[]> {
  const unique = [...new Set(scopes)];
  const hits = await Promise.all(unique.map((s) => queryAll(t, { pk: keys.usersOfScope(s) })));
  const ids = [...new Set(hits.flat().map((i) => String(unmarshall(i).userId)))];
  const wanted = new Set(unique);
  return (await getUsers(t, ids)).filter((u) => wanted.has(u.scope)).sort((a, b) => a.id.localeCompare(b.id));
}

/** The users whose scope is this unit (see usersOfScopes). */
export const usersOfScope = (t: TTable, scope: string): Promise<TUser[]> => usersOfScopes(t, [scope]);

/**
 * One stored user's scope item, written if missing (the notifications' migration, a page at a time): 1 if it wrote,
 * 0 for a user already indexed (a second run reads, never writes).
 */
export async function reindexUserScope(t: TTable, raw: Record<string, unknown>): Promise<number> {
  const u = strip<TUser>(raw);
  if ((await getCounted(t, keys.userScope(u.scope, u.id)))?.userId === u.id) return 0;
  await put(t, scopeItem(u));
  return 1;
}

/**
 * One stored user's indexes brought into shape (the deploy's migration, a page at a time): the name index and the
 * address and subject claims, each written only when missing or not this user's. Returns how many writes it made
 * (0 for a user already in shape: a second run reads, never writes).
 */
export async function reindexUser(t: TTable, raw: Record<string, unknown>): Promise<number> {
  const u = strip<TUser>(raw);
  let writes = 0;
  const name = keys.userNameIndex(u.name, u.id);
  if (raw.gsi2pk !== name.gsi2pk || raw.gsi2sk !== name.gsi2sk) {
    await updateIfPresent(t, keys.user(u.id), 'SET gsi2pk = :np, gsi2sk = :ns', undefined, { ':np': name.gsi2pk, ':ns': name.gsi2sk });
    writes++;
  }
  const claims: [keys.TKey, (x: TUser) => boolean][] = [
    ...(u.email ? [[emailKey(u.email), hasEmail(u.email)] as [keys.TKey, (x: TUser) => boolean]] : []),
    ...(u.oidcSub ? [[keys.userSub(u.oidcSub), hasSub(u.oidcSub)] as [keys.TKey, (x: TUser) => boolean]] : []),
  ];
  for (const [key, holds] of claims) {
    if ((await getCounted(t, key))?.userId === u.id) continue;
    if (await claim(t, key, u.id, holds)) writes++;
  }
  return writes;
}
