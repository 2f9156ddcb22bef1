/**
 * Survey definitions' versions on a real table: a save is a new version, old versions stay readable (a rating
 * answered under v1 keeps v1's labels after v2 is published), only published versions are in force, inheritance and
 * override down the region tree, and the resolver reads at most once per hall per minute.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NATIONAL_DEFAULT, NATIONAL_VERSION, tagLabel, type TSurveyDefinition } from '../shared/domain/survey.js';
import { surveyResolver } from '../shared/services/surveys.js';
import { putRegion } from '../shared/storage/catalogue.js';
import { getSurveyVersion, listSurveyVersions } from '../shared/storage/surveys.js';
import { publishSurveyVersion, saveSurveyVersion } from '../shared/storage/survey-writes.js';
import { getRating } from '../shared/storage/ratings.js';
import { gzipSync } from 'node:zlib';
import { largestDefinition } from '../shared/domain/survey.js';
import { surveyPage } from '../shared/http/pages/survey.js';
import { themeLabel, versionLabels } from '../shared/scoring/insights.js';
import { peopleCsv, ratingsCsv } from '../shared/scoring/report.js';
import { signTicket } from '../shared/domain/tokens.js';
import { json, stopEngines, world, type TWorld } from './support/harness.js';

let w: TWorld;
beforeAll(async () => {
  w = await world();
  await putRegion(w.table, { id: 'r-city', name: '市', level: 'city' });
  await putRegion(w.table, { id: 'r-test', name: '区', parentId: 'r-city', level: 'district' });
});
afterAll(stopEngines);

const withBad = (zh: string): TSurveyDefinition => ({
  ...NATIONAL_DEFAULT,
  tags: { ...NATIONAL_DEFAULT.tags, bad: [{ code: 'c_invoice', zh, en: 'Invoice' }] },
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
    expect(tagLabel(old.definition, 'c_invoice').zh).toBe('发票开不出来');
    expect(tagLabel((await getSurveyVersion(w.table, v2.version))!.definition, 'c_invoice').zh).toBe('发票问题');
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

  it("concurrent first requests for a hall share one load (the resolver caches the load's promise)", async () => {
    const clock = { now: Date.parse(at) };
    const hall = { id: 'h-busy', regionId: 'r-test' };
    let before = w.table.itemsRead;
    const alone = await surveyResolver(w.table, () => clock.now)(hall);
    const oneLoad = w.table.itemsRead - before;
    expect(oneLoad).toBeGreaterThan(0);
    const resolve = surveyResolver(w.table, () => clock.now);
    before = w.table.itemsRead;
    const all = await Promise.all(Array.from({ length: 8 }, () => resolve(hall)));
    expect(w.table.itemsRead - before).toBe(oneLoad); // eight first requests read what one reads
    expect(new Set(all).size).toBe(1);
    expect(all[0]).toEqual(alone);
  });

  it("the survey page and the rating path follow the hall's published definition; the rating keeps its version", async () => {
    // A hall of its own, so the cached resolutions of the tests above do not apply.
    const { putHall } = await import('../shared/storage/catalogue.js');
    await putHall(w.table, { id: 'h-tax', name: '税务大厅', regionId: 'r-test', timezone: 'Asia/Shanghai' });
    const def: TSurveyDefinition = {
      ...withBad('发票开不出来'),
      questions: { ...NATIONAL_DEFAULT.questions, competence: false },
      extra: [
        {
          code: 'learned',
          zh: '您从哪里了解办理流程？',
          en: 'Where did you learn the steps?',
          options: [
            { code: 'web', zh: '网上', en: 'Online' },
            { code: 'staff', zh: '工作人员', en: 'Staff' },
          ],
        },
      ],
    };
    const v1 = await saveSurveyVersion(w.table, 'H#h-tax', def, 'u-admin', at);
    await publishSurveyVersion(w.table, 'H#h-tax', v1.n, at);
    const ticket = (id: string) => signTicket(w.keyring, { ticketId: id, hallId: 'h-tax', windowId: 'w1', issuedAt: w.clock.now });
    const page = await (await w.app.request(`/r/${ticket('tax00001')}`)).text();
    expect(page).toContain('发票开不出来');
    expect(page).not.toContain('态度生硬'); // the national bad tags are replaced
    expect(page).toContain('name="x_learned" value="web"');
    expect(page).not.toContain('name="competence"');
    // a national tag is refused for this hall; the hall's own tag and extra answer are stored with the version
    const refused = await w.app.request('/api/v1/ratings', json({ ticket: ticket('tax00002'), overall: 1, reasons: ['rude'] }));
    expect(refused.status).toBe(422);
    expect((await refused.json()).errors[0].path).toBe('reasons');
    expect(await getRating(w.table, 'tax00002')).toBeUndefined();
    const body = { ticket: ticket('tax00003'), overall: 1, reasons: ['c_invoice'], extra: { learned: 'web' } };
    expect((await w.app.request('/api/v1/ratings', json(body))).status).toBe(201);
    const stored = (await getRating(w.table, 'tax00003'))!;
    expect(stored).toMatchObject({ surveyVersion: 'H#h-tax@1', reasons: ['c_invoice'], extra: { learned: 'web' } });
    // v2 renames the tag; the v1 rating still reads v1's label through its stored version
    const v2 = await saveSurveyVersion(w.table, 'H#h-tax', { ...def, tags: withBad('发票问题').tags }, 'u-admin', at);
    await publishSurveyVersion(w.table, 'H#h-tax', v2.n, at);
    expect(tagLabel((await getSurveyVersion(w.table, stored.surveyVersion!))!.definition, 'c_invoice').zh).toBe('发票开不出来');
    // the dashboard's themes and the monthly report read labels through the versions their ratings answered
    expect(themeLabel('c_invoice', 'zh', await versionLabels(w.table, [stored]))).toBe('发票开不出来');
    expect(themeLabel('c_invoice', 'en', await versionLabels(w.table, [{ surveyVersion: v2.version }, stored]))).toBe('Invoice');
    expect(themeLabel('rude', 'zh', await versionLabels(w.table, [{}]))).toBe('态度生硬');
    // the no-JavaScript form post carries the extra answer too
    w.clock.now += 60_000;
    const form = new URLSearchParams({ overall: '4', x_learned: 'staff', submissionId: 'sub-tax-0004', lang: 'zh' });
    const post = await w.app.request(`/r/${ticket('tax00004')}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form.toString(),
    });
    expect(post.status).toBe(303);
    expect(await getRating(w.table, 'tax00004')).toMatchObject({ surveyVersion: 'H#h-tax@2', extra: { learned: 'staff' } });
    // the staff exports carry each rating's version; the people's CSV words its answers through that version
    const all = async (g: AsyncGenerator<string>) => {
      let out = '';
      for await (const chunk of g) out += chunk;
      return out;
    };
    const machine = (await all(ratingsCsv(w.table, 'h-tax', stored.day, stored.day))).trim().split('\n');
    expect(machine[0].endsWith(',survey_version,extra')).toBe(true);
    expect(machine.find((l) => l.startsWith('tax00003,'))!.endsWith(',H#h-tax@1,learned=web')).toBe(true);
    const names = { windows: new Map<string, string>(), services: new Map<string, string>() };
    const people = await all(peopleCsv(w.table, { id: 'h-tax', timezone: 'Asia/Shanghai' }, names, 'zh', stored.day, stored.day));
    const v1Row = people.split('\r\n').find((l) => l.startsWith('tax00003,'))!;
    expect(v1Row).toContain('发票开不出来'); // v1's words, though v2 renamed the tag
    expect(v1Row.endsWith(',H#h-tax@1,您从哪里了解办理流程？：网上')).toBe(true);
    expect(
      people
        .split('\r\n')
        .find((l) => l.startsWith('tax00004,'))!
        .endsWith(',H#h-tax@2,您从哪里了解办理流程？：工作人员'),
    ).toBe(true);
  });

  it('the survey page with the largest allowed definition stays within its 15 KB (gzip) budget', async () => {
    for (const lang of ['zh', 'en'] as const) {
      const page = String(
        await surveyPage({
          definition: largestDefinition(),
          lang,
          nonce: 'n'.repeat(24),
          token: `T.k1.${'a'.repeat(16)}.h-test.w1.s1.abcdef.${'s'.repeat(22)}`,
          hallName: '测'.repeat(30),
          windowName: '窗'.repeat(20),
          submissionId: 'b'.repeat(16),
        }),
      );
      expect(page).toContain('q_2'); // every extra question is on it
      expect(gzipSync(page).length).toBeLessThanOrEqual(15 * 1024);
    }
  });
});
