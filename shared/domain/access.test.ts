import { describe, expect, it } from 'vitest';
import { canSeeHall, canSeeRegion, homeOf, type TTree, type TUser } from './access.js';

const tree: TTree = {
  regionParent: new Map([
    ['city', undefined],
    ['east', 'city'],
    ['west', 'city'],
    ['street', 'west'],
  ]),
  hallRegion: new Map([
    ['h-east', 'east'],
    ['h-west', 'west'],
    ['h-street', 'street'],
  ]),
};
const admin: TUser = { id: 'a', name: 'a', role: 'admin', scope: '*' };
const city: TUser = { id: 'c', name: 'c', role: 'supervisor', scope: 'city' };
const west: TUser = { id: 'w', name: 'w', role: 'supervisor', scope: 'west' };
const mgr: TUser = { id: 'm', name: 'm', role: 'manager', scope: 'h-street' };

describe('scope', () => {
  it('gives each role exactly its units', () => {
    const see = (u: TUser) => [
      ...['city', 'east', 'west', 'street'].filter((r) => canSeeRegion(u, tree, r)),
      ...['h-east', 'h-west', 'h-street'].filter((h) => canSeeHall(u, tree, h)),
    ];
    expect(see(admin)).toEqual(['city', 'east', 'west', 'street', 'h-east', 'h-west', 'h-street']);
    expect(see(city)).toEqual(['city', 'east', 'west', 'street', 'h-east', 'h-west', 'h-street']);
    expect(see(west)).toEqual(['west', 'street', 'h-west', 'h-street']);
    expect(see(mgr)).toEqual(['h-street']);
  });
  it('refuses unknown units to everyone', () => {
    for (const u of [admin, city, west, mgr]) {
      expect(canSeeRegion(u, tree, 'nowhere')).toBe(false);
      expect(canSeeHall(u, tree, 'h-nowhere')).toBe(false);
    }
  });
  it('sends each role home', () => {
    expect(homeOf(mgr, 'city')).toBe('/halls/h-street');
    expect(homeOf(west, 'city')).toBe('/regions/west');
    expect(homeOf(admin, 'city')).toBe('/regions/city');
  });
});
