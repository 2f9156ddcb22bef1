/**
 * Survey definitions' versions on a real table: a save is a new version, old versions stay readable (a rating
 * answered under v1 keeps v1's labels after v2 is published), only published versions are in force, inheritance and
 * override down the region tree, and the resolver reads at most once per hall per minute.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NATIONAL_DEFAULT, NATIONAL_VERSION, tagLabel, type TSurveyDefinition } from '../shared/domain/survey.js';
import { surveyResolver } from '../shared/services/surveys.js';
import { putRegion } from '../shared/storage/catalogue.js';
import { getSurveyVersion, listSurveyVersions, publishSurveyVersion, saveSurveyVersion } from '../shared/storage/surveys.js';
import { stopEngines, world, type TWorld } from './support/harness.js';

let w: TWorld;
beforeAll(async () => {
  w = await world();
  await putRegion(w.table, { id: 'r-city', name: '市', level: 'city' });
  await putRegion(w.table, { id: 'r-test', name: '区', parentId: 'r-city', level: 'district' });
});
afterAll(stopEngines);

const withBad = (zh: string): TSurveyDefinition => ({
  ...NATIONAL_DEFAULT,
  tags: { ...NATIONAL_DEFAULT.tags, bad: [{ code: 'invoice', zh, en: 'Invoice' }] },
});
const at = '2026-11-20T02:00:00.000Z';

describe('survey versions', () => {
  it('each save is a new version; v1 keeps its labels after v2 is published', async () => {
    const v1 = await saveSurveyVersion(w.table, 'H#h-test', withBad('发票开不出来'), 'u-admin', at);
    const v2 = await saveSurveyVersion(w.table, 'H#h-test', withBad('发票问题'), 'u-admin', at);
    expect([v1.version, v2.version]).toEqual(['H#h-test@1', 'H#h-test@2']);
    await publishSurveyVersion(w.table, 'H#h-test', 1, at);
    await publishSurveyVersion(w.table, 'H#h-test', 2, at);
    const old = (await getSurveyVersion(w.table, v1.version))!;
    expect(tagLabel(old.definition, 'invoice').zh).toBe('发票开不出来');
    expect(tagLabel((await getSurveyVersion(w.table, v2.version))!.definition, 'invoice').zh).toBe('发票问题');
    expect(await getSurveyVersion(w.table, NATIONAL_VERSION)).toBeUndefined(); // the built-in default is code, not an item
    expect(tagLabel(undefined, 'rude').zh).toBe('态度生硬');
  });

  it('two saves at once make two versions, never one overwritten', async () => {
    const saved = await Promise.all([1, 2, 3].map((i) => saveSurveyVersion(w.table, 'R#r-city', withBad(`版本${i}`), 'u-admin', at)));
    expect(new Set(saved.map((s) => s.n)).size).toBe(3);
    expect((await listSurveyVersions(w.table, 'R#r-city')).map((v) => v.n)).toEqual([1, 2, 3]);
  });

  it('refuses an invalid definition and stores nothing', async () => {
    await expect(saveSurveyVersion(w.table, 'ALL', { ...NATIONAL_DEFAULT, extra: 'x' } as never, 'u-admin', at)).rejects.toThrow();
    expect(await listSurveyVersions(w.table, 'ALL')).toEqual([]);
  });

  it('resolves along the tree: only published versions count, the nearest wins, cached a minute per hall', async () => {
    const clock = { now: Date.parse(at) };
    const resolve = surveyResolver(w.table, () => clock.now);
    const other = { id: 'h-other', regionId: 'r-test' };
    // R#r-city has versions but none published: the national default.
    expect((await resolve(other)).version).toBe(NATIONAL_VERSION);
    await publishSurveyVersion(w.table, 'R#r-city', 2, at);
    expect((await resolve(other)).version).toBe(NATIONAL_VERSION); // cached for the minute
    const before = w.table.itemsRead;
    await resolve(other);
    expect(w.table.itemsRead).toBe(before); // no read within the minute
    clock.now += 60_000;
    expect((await resolve(other)).version).toBe('R#r-city@2'); // inherited from the city through the district
    expect((await resolve({ id: 'h-test', regionId: 'r-test' })).version).toBe('H#h-test@2'); // the hall's own override
  });
});
