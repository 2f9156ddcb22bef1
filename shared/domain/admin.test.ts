import * as z from 'zod/mini';
import { describe, expect, it } from 'vitest';
import { ZHallForm, ZRegionForm, ZUserForm, formErrors, formValues, isTimeZone, placementError, toHall, wouldCycle } from './admin.js';

const errors = (schema: z.ZodMiniType, v: unknown) => {
  const r = z.safeParse(schema, v);
  return r.success ? {} : formErrors(r.error.issues);
};

describe('administration forms', () => {
  it('accepts IANA time zones Intl knows, in their canonical spelling, and nothing else', () => {
    expect(['Asia/Shanghai', 'Asia/Urumqi', 'UTC', 'Etc/GMT-8'].every(isTimeZone)).toBe(true);
    expect(['Mars/Olympus', '+08:00', 'Asia/Shanghai; drop', ''].some(isTimeZone)).toBe(false);
    const hall = z.parse(ZHallForm, { id: 'h1', name: '大厅', regionId: 'r1', timezone: 'asia/shanghai', open: '08:30', close: '17:30' });
    expect(toHall(hall)).toEqual({
      id: 'h1',
      name: '大厅',
      regionId: 'r1',
      timezone: 'Asia/Shanghai',
      openingHours: { open: '08:30', close: '17:30' },
    });
  });

  it('names each bad field with its own message', () => {
    expect(errors(ZHallForm, { id: 'h 1', name: '', regionId: 'r1', timezone: 'Mars/Base' })).toEqual({
      id: 'id',
      name: 'name',
      timezone: 'timezone',
    });
    expect(errors(ZHallForm, { id: 'h1', name: 'x', regionId: 'r1', timezone: 'UTC', open: '08:30' })).toEqual({ open: 'hoursBoth' });
    expect(errors(ZHallForm, { id: 'h1', name: 'x', regionId: 'r1', timezone: 'UTC', open: '18:00', close: '08:00' })).toEqual({
      close: 'hoursOrder',
    });
    expect(errors(ZHallForm, { id: 'h1', name: 'x', regionId: 'r1', timezone: 'UTC', open: '8:30', close: '18:00' })).toEqual({
      open: 'open',
    });
    expect(errors(ZRegionForm, { id: 'r1', name: '区', level: 'village' })).toEqual({ level: 'level' });
    expect(errors(ZUserForm, { id: 'u1', name: 'A', email: 'nope', role: 'admin', scope: 'r1' })).toEqual({
      email: 'email',
      scope: 'scopeAdmin',
    });
    expect(errors(ZUserForm, { id: 'u1', name: 'A', role: 'supervisor', scope: '*' })).toEqual({ scope: 'scopeSupervisor' });
    expect(errors(ZUserForm, { id: 'u1', name: 'A', role: 'manager', scope: '*' })).toEqual({ scope: 'scopeManager' });
  });

  it('stores email lower-cased and trimmed; treats blank fields as not given', () => {
    const v = formValues({ id: ' u1 ', name: '李四', email: ' Li.Si@Example.GOV.cn ', role: 'manager', scope: 'h1', nameEn: '   ' }, [
      'id',
      'name',
      'email',
      'role',
      'scope',
      'nameEn',
    ]);
    expect(v.nameEn).toBeUndefined();
    expect(z.parse(ZUserForm, v)).toEqual({ id: 'u1', name: '李四', email: 'li.si@example.gov.cn', role: 'manager', scope: 'h1' });
  });

  it('sees a cycle when a region would hang under itself or below itself', () => {
    const parent = new Map<string, string | undefined>([
      ['city', undefined],
      ['east', 'city'],
      ['street', 'east'],
    ]);
    expect(wouldCycle(parent, 'east', 'east')).toBe(true);
    expect(wouldCycle(parent, 'east', 'street')).toBe(true);
    expect(wouldCycle(parent, 'city', 'street')).toBe(true);
    expect(wouldCycle(parent, 'street', 'city')).toBe(false);
    expect(wouldCycle(parent, 'east', undefined)).toBe(false);
  });

  it('keeps one top region and only existing parents', () => {
    const regions = [
      { id: 'city', name: '市', level: 'city' as const },
      { id: 'east', name: '东', parentId: 'city', level: 'district' as const },
    ];
    expect(placementError(regions, 'new', undefined)).toBe('oneRoot');
    expect(placementError(regions, 'city', undefined)).toBeUndefined();
    expect(placementError([], 'city', undefined)).toBeUndefined();
    expect(placementError(regions, 'new', 'nowhere')).toBe('parentUnknown');
    expect(placementError(regions, 'city', 'east')).toBe('cycle');
    expect(placementError(regions, 'new', 'east')).toBeUndefined();
  });
});
