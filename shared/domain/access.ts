/**
 * Who may see what (SPEC §2, §6). A hall manager sees one hall; a supervisor sees a region node and everything
 * under it; an administrator sees everything. Pure: the region tree is passed in, so every route checks scope
 * the same way and tests can walk every role against every unit.
 */
export type TRole = 'admin' | 'supervisor' | 'manager';

export interface TUser {
  id: string;
  name: string;
  role: TRole;
  /** a region id (supervisor), a hall id (manager), '*' (administrator) */
  scope: string;
  /**
   * The address the identity provider vouches for (a verified `email` claim). An OIDC sign-in is matched to a
   * staff user by this; without it the user can only sign in with the local demo sign-in.
   */
  email?: string;
  /** The identity provider's subject, bound on the first OIDC sign-in so a later change of address cannot take the account over. */
  oidcSub?: string;
}

export interface TTree {
  /** region id → parent region id (absent at the root) */
  regionParent: Map<string, string | undefined>;
  /** hall id → its region id */
  hallRegion: Map<string, string>;
}

/** The regions a region sits in, itself first, up to the root. */
export function regionChain(tree: TTree, regionId: string): string[] {
  const chain: string[] = [];
  for (
    let id: string | undefined = regionId;
    id !== undefined && tree.regionParent.has(id) && !chain.includes(id);
    id = tree.regionParent.get(id)
  )
    chain.push(id);
  return chain;
}

export function canSeeRegion(user: TUser, tree: TTree, regionId: string): boolean {
  if (!tree.regionParent.has(regionId)) return false;
  if (user.role === 'admin') return true;
  if (user.role === 'supervisor') return regionChain(tree, regionId).includes(user.scope);
  return false; // a manager's view is their hall, never a region's league table
}

export function canSeeHall(user: TUser, tree: TTree, hallId: string): boolean {
  const regionId = tree.hallRegion.get(hallId);
  if (regionId === undefined) return false;
  if (user.role === 'admin') return true;
  if (user.role === 'manager') return user.scope === hallId;
  return regionChain(tree, regionId).includes(user.scope);
}

/** Where a user lands after signing in. */
export function homeOf(user: TUser, rootRegion: string | undefined): string {
  if (user.role === 'manager') return `/halls/${encodeURIComponent(user.scope)}`;
  if (user.role === 'supervisor') return `/regions/${encodeURIComponent(user.scope)}`;
  return rootRegion ? `/regions/${encodeURIComponent(rootRegion)}` : '/';
}
