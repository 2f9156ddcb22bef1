/**
 * Survey definitions as data (SPEC §3, issue 16): which optional questions a hall shows, the reason tags per grade
 * group (stable codes with Chinese and English labels), up to three extra single-choice questions (reported as
 * distributions, never part of the temperature) and the intro. A definition belongs to a scope — the whole
 * deployment, a region or a hall — and is inherited down the tree; every save is a new immutable version, so a rating
 * answered under v1 keeps v1's labels after v2. The scoring fields of SPEC §4 (the grade scale, the three
 * dimensions, trips, done) are fixed: a definition may only show or hide them. Pure; zod is the single source.
 */
import * as z from 'zod/mini';
import { DIMENSIONS, REASONS, type TGradeGroup, gradeGroup } from './grades.js';

const ZCode = z
  .string()
  .check(z.regex(/^[a-z][a-z0-9_]{0,23}$/, 'a code is 1–24 lower-case letters, digits or "_", starting with a letter'));
const zh = (max: number) => z.string().check(z.minLength(1, 'a Chinese label is required'), z.maxLength(max, `at most ${max} characters`));
const en = (max: number) => z.string().check(z.minLength(1, 'an English label is required'), z.maxLength(max, `at most ${max} characters`));

/** Limits: the largest allowed definition is what the survey page's 15 KB budget is measured with. */
export const SURVEY_LIMITS = {
  tagsPerGroup: 12,
  extra: 3,
  options: 6,
  tagZh: 16,
  tagEn: 40,
  questionZh: 40,
  questionEn: 100,
  introZh: 120,
} as const;

export const ZTag = z.object({ code: ZCode, zh: zh(SURVEY_LIMITS.tagZh), en: en(SURVEY_LIMITS.tagEn) });
export type TTag = z.infer<typeof ZTag>;

export const ZExtraQuestion = z.object({
  code: ZCode,
  zh: zh(SURVEY_LIMITS.questionZh),
  en: en(SURVEY_LIMITS.questionEn),
  options: z.array(ZTag).check(z.minLength(2, 'a question needs at least 2 options'), z.maxLength(SURVEY_LIMITS.options)),
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

/** A scope's version: `ALL@3`, `R#r-west@2`, `H#h-1@1`. The built-in national default is `national@0`. */
export const NATIONAL_VERSION = 'national@0';
export const versionId = (scope: string, n: number): string => `${scope}@${n}`;
export function parseVersionId(id: string): { scope: string; n: number } | undefined {
  const m = /^(ALL|[RH]#[A-Za-z0-9_-]{1,40}|national)@(\d{1,6})$/.exec(id);
  return m ? { scope: m[1], n: Number(m[2]) } : undefined;
}

const groupTags = (g: TGradeGroup): TTag[] =>
  Object.entries(REASONS)
    .filter(([, r]) => (r.for as readonly string[]).includes(g))
    .map(([code, r]) => ({ code, zh: r.zh, en: r.en }));

/** The national default: exactly the questions and tags the product has always asked. */
export const NATIONAL_DEFAULT: TSurveyDefinition = {
  questions: { attitude: true, efficiency: true, competence: true, trips: true, done: true },
  tags: { bad: groupTags('bad'), mid: groupTags('mid'), good: groupTags('good') },
  extra: [],
  intro: {
    zh: '只要15秒，不用登录，不用下载。您的评价是匿名的。',
    en: 'It takes 15 seconds. No sign-in, no app. Your rating is anonymous.',
  },
};

/**
 * The definition in force for a hall: the nearest scope along its chain (the hall, its region, each parent region,
 * the whole deployment) that has a published version; else the national default.
 */
export function effectiveDefinition<T extends { version: string; definition: TSurveyDefinition }>(
  chain: readonly string[],
  published: ReadonlyMap<string, T>,
): T | { version: string; definition: TSurveyDefinition } {
  for (const scope of chain) {
    const hit = published.get(scope);
    if (hit) return hit;
  }
  return { version: NATIONAL_VERSION, definition: NATIONAL_DEFAULT };
}

/** The reason tags a resident may pick for a grade under a definition. */
export const tagsForGrade = (d: TSurveyDefinition, grade: number): TTag[] => d.tags[gradeGroup(grade)];

/** A tag's labels under the version a rating answered; a code the version does not know reads as "other". */
export function tagLabel(d: TSurveyDefinition | undefined, code: string): { zh: string; en: string } {
  const t = d && [...d.tags.bad, ...d.tags.mid, ...d.tags.good].find((x) => x.code === code);
  if (t) return { zh: t.zh, en: t.en };
  if (code in REASONS) return { zh: REASONS[code as keyof typeof REASONS].zh, en: REASONS[code as keyof typeof REASONS].en };
  return { zh: '其他', en: 'Other' };
}

export interface TAnswers {
  overall: number;
  attitude?: number;
  efficiency?: number;
  competence?: number;
  trips?: number;
  done?: string;
  reasons?: string[];
  extra?: Record<string, string>;
}

/** What a rating's answers break under the definition it answered (empty: fine). The grades themselves are ZRatingInput's. */
export function answerProblems(d: TSurveyDefinition, a: TAnswers): { path: string; message: string }[] {
  const out: { path: string; message: string }[] = [];
  const allowed = new Set(tagsForGrade(d, a.overall).map((t) => t.code));
  if (gradeGroup(a.overall) === 'bad' && !a.reasons?.length)
    out.push({ path: 'reasons', message: 'a bad rating needs at least one reason' });
  if ((a.reasons ?? []).some((r) => !allowed.has(r))) out.push({ path: 'reasons', message: 'a reason does not fit the chosen grade' });
  for (const q of ['trips', 'done', ...(Object.keys(DIMENSIONS) as (keyof typeof DIMENSIONS)[])] as const)
    if (a[q] !== undefined && !d.questions[q]) out.push({ path: q, message: `${q} is not asked by this survey` });
  for (const [code, option] of Object.entries(a.extra ?? {})) {
    const q = d.extra.find((x) => x.code === code);
    if (!q) out.push({ path: `extra.${code}`, message: `${code} is not a question of this survey` });
    else if (!q.options.some((o) => o.code === option))
      out.push({ path: `extra.${code}`, message: `${option} is not an option of ${code}` });
  }
  return out;
}

/** The largest definition the limits allow (long labels everywhere): what bench/page.ts measures the page with. */
export function largestDefinition(): TSurveyDefinition {
  const tag = (g: string, i: number): TTag => ({
    code: `${g}_${i}`,
    zh: '服'.repeat(SURVEY_LIMITS.tagZh),
    en: 'w'.repeat(SURVEY_LIMITS.tagEn),
  });
  const group = (g: string) => Array.from({ length: SURVEY_LIMITS.tagsPerGroup }, (_, i) => tag(g, i));
  return {
    questions: NATIONAL_DEFAULT.questions,
    tags: { bad: group('bad'), mid: group('mid'), good: group('good') },
    extra: Array.from({ length: SURVEY_LIMITS.extra }, (_, i) => ({
      code: `q_${i}`,
      zh: '问'.repeat(SURVEY_LIMITS.questionZh),
      en: 'q'.repeat(SURVEY_LIMITS.questionEn),
      options: Array.from({ length: SURVEY_LIMITS.options }, (_, k) => tag(`o${i}`, k)),
    })),
    intro: { zh: '请'.repeat(SURVEY_LIMITS.introZh), en: 'p'.repeat(SURVEY_LIMITS.introZh * 3) },
  };
}
