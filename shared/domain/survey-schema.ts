/**
 * The survey definition's zod schema (domain/survey.ts explains the idea): the single source of its types and of the
 * validation of a save. Apart from survey.ts so that only what writes definitions (storage save, administration)
 * bundles it; the resident Lambda reads stored versions that were validated when saved.
 */
import * as z from 'zod/mini';
import { CUSTOM_TAG, REASON_TAGS } from './grades.js';
import { SURVEY_LIMITS } from './survey.js';

const ZCode = z
  .string()
  .check(z.regex(/^[a-z][a-z0-9_]{0,23}$/, 'a code is 1–24 lower-case letters, digits or "_", starting with a letter'));
const zh = (max: number) => z.string().check(z.minLength(1, 'a Chinese label is required'), z.maxLength(max, `at most ${max} characters`));
const en = (max: number) => z.string().check(z.minLength(1, 'an English label is required'), z.maxLength(max, `at most ${max} characters`));

/** A reason tag's code: a national one (grades.ts), or the definition's own, prefixed "c_" so the two never collide. */
const ZTagCode = z
  .string()
  .check(
    z.refine(
      (code) => (REASON_TAGS as string[]).includes(code) || CUSTOM_TAG.test(code),
      'a tag code is a national one or "c_" and 1–22 more',
    ),
  );
export const ZTag = z.object({ code: ZTagCode, zh: zh(SURVEY_LIMITS.tagZh), en: en(SURVEY_LIMITS.tagEn) });
/** An extra question's option (any code: options are the question's own). */
export const ZOption = z.object({ code: ZCode, zh: zh(SURVEY_LIMITS.tagZh), en: en(SURVEY_LIMITS.tagEn) });
export type TTag = z.infer<typeof ZTag>;

export const ZExtraQuestion = z.object({
  code: ZCode,
  zh: zh(SURVEY_LIMITS.questionZh),
  en: en(SURVEY_LIMITS.questionEn),
  options: z.array(ZOption).check(z.minLength(2, 'a question needs at least 2 options'), z.maxLength(SURVEY_LIMITS.options)),
});
export type TExtraQuestion = z.infer<typeof ZExtraQuestion>;

const unique = (codes: string[]) => new Set(codes).size === codes.length;
const tags = (min: number) => z.array(ZTag).check(z.minLength(min), z.maxLength(SURVEY_LIMITS.tagsPerGroup));

export const ZSurveyDefinition = z
  .object({
    /** The optional questions shown; the overall grade is always asked. */
    questions: z.object({ attitude: z.boolean(), efficiency: z.boolean(), competence: z.boolean(), trips: z.boolean(), done: z.boolean() }),
    /** A bad rating must carry a reason, so the bad group is never empty. */
    tags: z.object({ bad: tags(1), mid: tags(0), good: tags(0) }),
    extra: z.array(ZExtraQuestion).check(z.maxLength(SURVEY_LIMITS.extra, `at most ${SURVEY_LIMITS.extra} extra questions`)),
    intro: z.object({ zh: zh(SURVEY_LIMITS.introZh), en: en(SURVEY_LIMITS.introZh * 3) }),
  })
  .check(
    z.refine((d) => (['bad', 'mid', 'good'] as const).every((g) => unique(d.tags[g].map((t) => t.code))), {
      message: 'a tag code appears twice in one grade group',
      path: ['tags'],
    }),
    z.refine(
      (d) => {
        // One code, one meaning: a code used in several groups carries the same labels in each.
        const seen = new Map<string, string>();
        return [...d.tags.bad, ...d.tags.mid, ...d.tags.good].every((t) => {
          const key = `${t.zh}\u0000${t.en}`;
          return (seen.get(t.code) ?? seen.set(t.code, key).get(t.code)) === key;
        });
      },
      { message: 'a tag code has different labels in different grade groups', path: ['tags'] },
    ),
    z.refine((d) => unique(d.extra.map((q) => q.code)) && d.extra.every((q) => unique(q.options.map((o) => o.code))), {
      message: 'an extra question or option code appears twice',
      path: ['extra'],
    }),
  );
export type TSurveyDefinition = z.infer<typeof ZSurveyDefinition>;
