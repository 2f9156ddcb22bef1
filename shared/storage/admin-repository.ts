/**
 * TRANSITIONAL: the old administrator class over catalogue.ts and users.ts, whose functions the admin routes should
 * call directly with the table handle. Writes go through the Repository's handle, so its catalogueVersion moves.
 */
import type { TUser } from '../domain/access.js';
import type { THall, TRegion, TService, TWindow } from '../domain/model.js';
import * as catalogue from './catalogue.js';
import type { Repository } from './repository.js';
import * as users from './users.js';

export class AdminRepository {
  constructor(private readonly repo: Repository) {}

  createRegion = (region: TRegion) => catalogue.createRegion(this.repo.table, region);
  updateRegion = (region: TRegion) => catalogue.updateRegion(this.repo.table, region);
  deleteRegion = (id: string) => catalogue.deleteRegion(this.repo.table, id);
  createHall = (hall: THall) => catalogue.createHall(this.repo.table, hall);
  updateHall = (hall: THall) => catalogue.updateHall(this.repo.table, hall);
  createUnit = (kind: 'window' | 'service', unit: TWindow | TService) => catalogue.createUnit(this.repo.table, kind, unit);
  renameUnit = (kind: 'window' | 'service', hallId: string, id: string, name: string, nameEn?: string) =>
    catalogue.renameUnit(this.repo.table, kind, hallId, id, name, nameEn);
  setUnitRetired = (kind: 'window' | 'service', hallId: string, id: string, retiredAt: string | undefined) =>
    catalogue.setUnitRetired(this.repo.table, kind, hallId, id, retiredAt);

  createUser = (u: TUser) => users.createUser(this.repo.table, u);
  updateUser = (u: Pick<TUser, 'id' | 'name' | 'email' | 'role' | 'scope'>) => users.updateUser(this.repo.table, u);
  unbindUser = (id: string) => users.unbindUser(this.repo.table, id);
  removeUser = (id: string) => users.removeUser(this.repo.table, id);
}
