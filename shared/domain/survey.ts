/**
 * Survey definitions as data (SPEC §3, issue 16): which optional questions a hall shows, the reason tags per grade
 * group (stable codes with Chinese and English labels), up to three extra single-choice questions (reported as
 * distributions, never part of the temperature) and the intro. A definition belongs to a scope — the whole
 * deployment, a region or a hall — and is inherited down the tree; every save is a new immutable version, so a rating
 * answered under v1 keeps v1's labels after v2. The scoring fields of SPEC §4 (the grade scale, the three
 * dimensions, trips, done) are fixed: a definition may only show or hide them. Pure. The zod schema (the single
 * source of the types) is survey-schema.ts, apart so the resident Lambda, which only reads definitions, does not bundle it.
 */
import { DIMENSIONS, REASONS, type TGradeGroup, gradeGroup } from './grades.js';
import type { TSurveyDefinition, TTag } from './survey-schema.js';

export type { TExtraQuestion, TSurveyDefinition, TTag } from './survey-schema.js';

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

/**
 * The largest definition the limits allow: every group full, every label at its longest, in varied characters (a
 * repeated one would compress unrealistically well). What the survey page's 15 KB budget is measured with.
 */
export function largestDefinition(): TSurveyDefinition {
  let seed = 1;
  const next = () => (seed = (seed * 48271) % 2147483647);
  const cjk = (n: number) => Array.from({ length: n }, () => String.fromCharCode(0x4e00 + (next() % 6000))).join('');
  const latin = (n: number) => Array.from({ length: n }, () => 'abcdefghijklmnopqrstuvwxyz '[next() % 27]).join('');
  const tag = (g: string, i: number): TTag => ({ code: `c_${g}_${i}`, zh: cjk(SURVEY_LIMITS.tagZh), en: latin(SURVEY_LIMITS.tagEn) });
  const group = (g: string) => Array.from({ length: SURVEY_LIMITS.tagsPerGroup }, (_, i) => tag(g, i));
  return {
    questions: NATIONAL_DEFAULT.questions,
    tags: { bad: group('bad'), mid: group('mid'), good: group('good') },
    extra: Array.from({ length: SURVEY_LIMITS.extra }, (_, i) => ({
      code: `q_${i}`,
      zh: cjk(SURVEY_LIMITS.questionZh),
      en: latin(SURVEY_LIMITS.questionEn),
      options: Array.from({ length: SURVEY_LIMITS.options }, (_, k) => tag(`o${i}`, k)),
    })),
    intro: { zh: cjk(SURVEY_LIMITS.introZh), en: latin(SURVEY_LIMITS.introZh * 3) },
  };
}
