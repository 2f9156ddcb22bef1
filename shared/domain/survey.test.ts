/** Survey definitions: the national default is today's survey, limits hold, answers are checked against their version. */
import fc from 'fast-check';
import * as z from 'zod/mini';
import { describe, expect, it } from 'vitest';
import { REASONS, reasonsForGrade } from './grades.js';
import { ZSurveyDefinition } from './survey-schema.js';
import {
  NATIONAL_DEFAULT,
  NATIONAL_VERSION,
  answerProblems,
  effectiveDefinition,
  largestDefinition,
  parseVersionId,
  tagLabel,
  tagsForGrade,
  versionId,
  type TSurveyDefinition,
} from './survey.js';

const tax: TSurveyDefinition = {
  ...NATIONAL_DEFAULT,
  questions: { ...NATIONAL_DEFAULT.questions, competence: false },
  tags: { ...NATIONAL_DEFAULT.tags, bad: [{ code: 'c_invoice', zh: '发票开不出来', en: 'Could not get the invoice' }] },
  extra: [
    {
      code: 'channel',
      zh: '您是怎么知道办理流程的？',
      en: 'How did you learn the steps?',
      options: [
        { code: 'web', zh: '网上', en: 'Online' },
        { code: 'staff', zh: '工作人员', en: 'Staff' },
      ],
    },
  ],
};

describe('survey definitions', () => {
  it('the national default is exactly the questions and tags of today', () => {
    expect(z.safeParse(ZSurveyDefinition, NATIONAL_DEFAULT).success).toBe(true);
    for (const g of [1, 2, 3, 4, 5]) expect(tagsForGrade(NATIONAL_DEFAULT, g).map((t) => t.code)).toEqual(reasonsForGrade(g));
    for (const [code, r] of Object.entries(REASONS)) expect(tagLabel(NATIONAL_DEFAULT, code)).toEqual({ zh: r.zh, en: r.en });
    expect(Object.values(NATIONAL_DEFAULT.questions).every(Boolean)).toBe(true);
  });

  it('the largest definition the limits allow is valid; one more of anything is refused with a reason', () => {
    const big = largestDefinition();
    expect(z.safeParse(ZSurveyDefinition, big).success).toBe(true);
    const more = structuredClone(big);
    more.tags.bad.push({ code: 'c_one_more', zh: '多', en: 'more' });
    expect(z.safeParse(ZSurveyDefinition, more).success).toBe(false);
    const longer = structuredClone(big);
    longer.tags.good[0].zh += '长';
    expect(z.safeParse(ZSurveyDefinition, longer).success).toBe(false);
    const noBad = { ...NATIONAL_DEFAULT, tags: { ...NATIONAL_DEFAULT.tags, bad: [] } };
    expect(z.safeParse(ZSurveyDefinition, noBad).success).toBe(false); // a bad rating must be able to give a reason
  });

  it('refuses a code with two meanings or twice in a group', () => {
    const twice = { ...tax, tags: { ...tax.tags, bad: [...tax.tags.bad, tax.tags.bad[0]] } };
    const clash = { ...tax, tags: { ...tax.tags, mid: [{ code: 'c_invoice', zh: '别的意思', en: 'Something else' }] } };
    for (const d of [twice, clash]) {
      const r = z.safeParse(ZSurveyDefinition, d);
      expect(r.success).toBe(false);
      expect(r.error!.issues[0].path).toEqual(['tags']);
    }
  });

  it('checks answers against the version answered: tags per grade, questions not asked, extra options', () => {
    expect(answerProblems(tax, { overall: 1, reasons: ['c_invoice'], extra: { channel: 'web' } })).toEqual([]);
    expect(answerProblems(tax, { overall: 1, reasons: ['rude'] }).map((p) => p.path)).toEqual(['reasons']);
    expect(answerProblems(tax, { overall: 2 }).map((p) => p.path)).toEqual(['reasons']);
    expect(answerProblems(tax, { overall: 5, competence: 4 }).map((p) => p.path)).toEqual(['competence']);
    expect(answerProblems(tax, { overall: 5, extra: { channel: 'tv', other: 'x' } }).map((p) => p.path)).toEqual([
      'extra.channel',
      'extra.other',
    ]);
  });

  it('any answer valid under the national default gets no problem (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5 }).chain((overall) =>
          fc.record({
            overall: fc.constant(overall),
            reasons: fc.subarray(reasonsForGrade(overall) as string[], { minLength: overall <= 2 ? 1 : 0 }),
            attitude: fc.option(fc.integer({ min: 1, max: 5 }), { nil: undefined }),
            trips: fc.option(fc.constantFrom(1, 2, 3), { nil: undefined }),
          }),
        ),
        (a) => answerProblems(NATIONAL_DEFAULT, a).length === 0,
      ),
    );
  });

  it('inherits the nearest published scope: hall, then its regions upward, then the deployment, then national', () => {
    const v = (version: string) => ({ version, definition: tax });
    const chain = ['H#h1', 'R#street', 'R#city', 'ALL'];
    expect(effectiveDefinition(chain, new Map()).version).toBe(NATIONAL_VERSION);
    expect(effectiveDefinition(chain, new Map([['ALL', v('ALL@1')]])).version).toBe('ALL@1');
    expect(
      effectiveDefinition(
        chain,
        new Map([
          ['ALL', v('ALL@1')],
          ['R#city', v('R#city@4')],
        ]),
      ).version,
    ).toBe('R#city@4');
    const all = new Map([
      ['ALL', v('ALL@1')],
      ['R#city', v('R#city@4')],
      ['H#h1', v('H#h1@2')],
    ]);
    expect(effectiveDefinition(chain, all).version).toBe('H#h1@2');
    expect(effectiveDefinition(['H#h2', 'R#city', 'ALL'], all).version).toBe('R#city@4'); // a sibling hall keeps the region's
  });

  it('version ids round-trip and refuse anything else', () => {
    for (const [scope, n] of [
      ['ALL', 1],
      ['R#r-west', 12],
      ['H#h_1', 3],
    ] as const)
      expect(parseVersionId(versionId(scope, n))).toEqual({ scope, n });
    for (const bad of ['ALL', 'X#a@1', 'H#@1', 'H#a@-1', 'H#a@1@2']) expect(parseVersionId(bad)).toBeUndefined();
  });
});
