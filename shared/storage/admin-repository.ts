/**
 * The administrator's writes: regions, halls, windows and services, staff users. Every write is conditional, so
 * creating never overwrites and editing never creates (a refused write returns false, nothing changed). Kept apart
 * from Repository so the resident/machine Lambda, which has a size budget, never carries them; it shares the
 * Repository's client and table, and bumps its catalogueVersion so the process's caches drop stale entries at once.
 */
import { ConditionalCheckFailedException, DeleteItemCommand, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { TUser } from '../domain/access.js';
import type { THall, TRegion, TService, TWindow } from '../domain/model.js';
import type { Repository } from './repository.js';

const isConditionFailure = (err: unknown): boolean =>
  err instanceof ConditionalCheckFailedException || (err as Error)?.name === 'ConditionalCheckFailedException';
const isCatalogueKey = (pk: string) => pk.startsWith('HALL#') || pk.startsWith('REGION#');
const unitSk = (kind: 'window' | 'service', id: string) => `CAT#${kind === 'window' ? 'WINDOW' : 'SERVICE'}#${id}`;

export class AdminRepository {
  constructor(private readonly repo: Repository) {}

  /* ---------- catalogue: regions, halls, windows, services ---------- */

  /** Adds a region; false (nothing written) if a region with its id exists. */
  async createRegion(region: TRegion): Promise<boolean> {
    return this.putIf('absent', { pk: `REGION#${region.id}`, sk: 'META', gsi1pk: 'CATALOG#REGION', gsi1sk: region.id, ...region });
  }

  /** Replaces a region's record (names, level, parent); false if there is no such region. */
  async updateRegion(region: TRegion): Promise<boolean> {
    return this.putIf('present', { pk: `REGION#${region.id}`, sk: 'META', gsi1pk: 'CATALOG#REGION', gsi1sk: region.id, ...region });
  }

  /** Deletes a region record; the caller has checked it holds nothing (no sub-regions, halls or staff scoped to it). */
  async deleteRegion(id: string): Promise<boolean> {
    return this.deleteIfPresent({ pk: `REGION#${id}`, sk: 'META' });
  }

  /** Adds a hall; false if a hall with its id exists (hall ids are inside printed codes: never reused or overwritten). */
  async createHall(hall: THall): Promise<boolean> {
    return this.putIf('absent', { pk: `HALL#${hall.id}`, sk: 'CAT#META', gsi1pk: 'CATALOG#HALL', gsi1sk: hall.id, ...hall });
  }

  /** Replaces a hall's record (names, region, time zone, hours); false if there is no such hall. */
  async updateHall(hall: THall): Promise<boolean> {
    return this.putIf('present', { pk: `HALL#${hall.id}`, sk: 'CAT#META', gsi1pk: 'CATALOG#HALL', gsi1sk: hall.id, ...hall });
  }

  /** Adds a window or a service to a hall; false if the hall already has one with that id (retired ones included). */
  async createUnit(kind: 'window' | 'service', unit: TWindow | TService): Promise<boolean> {
    return this.putIf('absent', { pk: `HALL#${unit.hallId}`, sk: unitSk(kind, unit.id), ...unit });
  }

  /** Renames a window or service; false if the hall has no such one. Its retirement, if any, stays as it is. */
  async renameUnit(kind: 'window' | 'service', hallId: string, id: string, name: string, nameEn?: string): Promise<boolean> {
    return this.updateIfPresent({ pk: `HALL#${hallId}`, sk: unitSk(kind, id) }, nameEn ? 'SET #name = :name, #nameEn = :nameEn' : 'SET #name = :name REMOVE #nameEn', { '#name': 'name', '#nameEn': 'nameEn' }, { ':name': name, ...(nameEn ? { ':nameEn': nameEn } : {}) });
  }

  /** Retires (at an instant) or restores (undefined) a window or service; false if the hall has no such one. */
  async setUnitRetired(kind: 'window' | 'service', hallId: string, id: string, retiredAt: string | undefined): Promise<boolean> {
    return retiredAt
      ? this.updateIfPresent({ pk: `HALL#${hallId}`, sk: unitSk(kind, id) }, 'SET #r = if_not_exists(#r, :at)', { '#r': 'retiredAt' }, { ':at': retiredAt })
      : this.updateIfPresent({ pk: `HALL#${hallId}`, sk: unitSk(kind, id) }, 'REMOVE #r', { '#r': 'retiredAt' });
  }

  /* ---------- staff users ---------- */

  /** Adds a staff user; false if the id is taken. Email uniqueness is the caller's check (there is no index on it). */
  async createUser(u: TUser): Promise<boolean> {
    return this.putIf('absent', { pk: `USER#${u.id}`, sk: 'META', gsi1pk: 'CATALOG#USER', gsi1sk: u.id, ...u });
  }

  /**
   * Changes a user's name, email, role and scope; false if there is no such user. Only these attributes are touched:
   * the identity provider's subject bound at sign-in (oidcSub) stays as it is.
   */
  async updateUser(u: Pick<TUser, 'id' | 'name' | 'email' | 'role' | 'scope'>): Promise<boolean> {
    const set = ['#name = :name', '#role = :role', '#scope = :scope', ...(u.email ? ['#email = :email'] : [])];
    return this.updateIfPresent(
      { pk: `USER#${u.id}`, sk: 'META' },
      `SET ${set.join(', ')}${u.email ? '' : ' REMOVE #email'}`,
      { '#name': 'name', '#role': 'role', '#scope': 'scope', '#email': 'email' },
      { ':name': u.name, ':role': u.role, ':scope': u.scope, ...(u.email ? { ':email': u.email } : {}) },
    );
  }

  /** Forgets the identity bound at first sign-in, so the next OIDC sign-in with the user's email binds afresh. */
  async unbindUser(id: string): Promise<boolean> {
    return this.updateIfPresent({ pk: `USER#${id}`, sk: 'META' }, 'REMOVE #sub', { '#sub': 'oidcSub' });
  }

  /** Removes a staff user: their sessions stop working at the next request (every request reads the user). */
  async removeUser(id: string): Promise<boolean> {
    return this.deleteIfPresent({ pk: `USER#${id}`, sk: 'META' });
  }

  /** A conditional put: 'absent' creates only, 'present' replaces only. False when the condition did not hold. */
  private async putIf(when: 'absent' | 'present', obj: Record<string, unknown>): Promise<boolean> {
    try {
      await this.repo.db.send(
        new PutItemCommand({
          TableName: this.repo.tableName,
          Item: marshall(obj, { removeUndefinedValues: true }),
          ConditionExpression: when === 'absent' ? 'attribute_not_exists(pk)' : 'attribute_exists(pk)',
        }),
      );
    } catch (err) {
      if (isConditionFailure(err)) return false;
      throw err;
    }
    if (isCatalogueKey(String(obj.pk))) this.repo.catalogueVersion++;
    return true;
  }

  private async updateIfPresent(key: { pk: string; sk: string }, update: string, names: Record<string, string>, values?: Record<string, unknown>): Promise<boolean> {
    // DynamoDB refuses names the expression does not use.
    const used = Object.fromEntries(Object.entries(names).filter(([n]) => update.includes(n)));
    try {
      await this.repo.db.send(
        new UpdateItemCommand({
          TableName: this.repo.tableName,
          Key: marshall(key),
          UpdateExpression: update,
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeNames: used,
          ExpressionAttributeValues: values && Object.keys(values).length ? marshall(values) : undefined,
        }),
      );
    } catch (err) {
      if (isConditionFailure(err)) return false;
      throw err;
    }
    if (isCatalogueKey(key.pk)) this.repo.catalogueVersion++;
    return true;
  }

  private async deleteIfPresent(key: { pk: string; sk: string }): Promise<boolean> {
    try {
      await this.repo.db.send(new DeleteItemCommand({ TableName: this.repo.tableName, Key: marshall(key), ConditionExpression: 'attribute_exists(pk)' }));
    } catch (err) {
      if (isConditionFailure(err)) return false;
      throw err;
    }
    if (isCatalogueKey(key.pk)) this.repo.catalogueVersion++;
    return true;
  }
}
