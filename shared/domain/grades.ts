/**
 * The five-grade scale and the reason tags residents can pick. Stored raw (1..5), never only as a score.
 * Labels are Simplified Chinese first, English second, in plain words an older resident understands.
 */
export const GRADES = [5, 4, 3, 2, 1] as const;
export type TGrade = (typeof GRADES)[number];

export const GRADE_LABELS: Record<TGrade, { zh: string; en: string }> = {
  5: { zh: '非常满意', en: 'Very satisfied' },
  4: { zh: '满意', en: 'Satisfied' },
  3: { zh: '基本满意', en: 'Basically satisfied' },
  2: { zh: '不满意', en: 'Dissatisfied' },
  1: { zh: '非常不满意', en: 'Very dissatisfied' },
};

/** Grades 1–2 are a bad rating (差评): they must carry a reason and open a case. */
export const isBadGrade = (grade: number): boolean => grade <= 2;

/** Reason tags. `for` says which grades may use a tag: bad (1–2), so-so (3), good (4–5). */
export const REASONS = {
  wait_long: { zh: '等候时间太长', en: 'Waited too long', for: ['bad', 'mid'] },
  more_documents: { zh: '反复要求补材料', en: 'Asked again and again for more papers', for: ['bad', 'mid'] },
  rude: { zh: '态度生硬', en: 'Rude or cold staff', for: ['bad'] },
  sent_elsewhere: { zh: '推来推去、让去别处办', en: 'Sent to another place', for: ['bad', 'mid'] },
  not_done: { zh: '事情没办成', en: 'Matter not done', for: ['bad'] },
  system_down: { zh: '系统故障', en: 'System was down', for: ['bad', 'mid'] },
  not_at_window: { zh: '工作人员不在窗口', en: 'Nobody at the window', for: ['bad'] },
  unclear: { zh: '讲解不清楚', en: 'Explanation was unclear', for: ['bad', 'mid'] },
  patient: { zh: '耐心细致', en: 'Patient and careful', for: ['good', 'mid'] },
  fast: { zh: '办得快', en: 'Quick service', for: ['good'] },
  clear: { zh: '讲解清楚', en: 'Clear explanation', for: ['good'] },
  one_trip: { zh: '一次就办成', en: 'Done in one trip', for: ['good'] },
  warm: { zh: '热情周到', en: 'Warm and friendly', for: ['good'] },
} as const satisfies Record<string, { zh: string; en: string; for: readonly ('bad' | 'mid' | 'good')[] }>;

export type TReason = keyof typeof REASONS;
/** A survey definition's own reason tag codes (domain/survey.ts) start with "c_": never one of the national codes. */
export const CUSTOM_TAG = /^c_[a-z0-9_]{1,22}$/;
export const REASON_TAGS = Object.keys(REASONS) as TReason[];

export type TGradeGroup = 'bad' | 'mid' | 'good';
export const gradeGroup = (grade: number): TGradeGroup => (grade <= 2 ? 'bad' : grade === 3 ? 'mid' : 'good');

/** The reason tags a resident may pick for a grade, in display order. */
export const reasonsForGrade = (grade: number): TReason[] => {
  const group = gradeGroup(grade);
  return REASON_TAGS.filter((tag) => (REASONS[tag].for as readonly string[]).includes(group));
};

export const TRIPS_LABELS = {
  1: { zh: '1 次', en: '1 trip' },
  2: { zh: '2 次', en: '2 trips' },
  3: { zh: '3 次及以上', en: '3 or more' },
} as const;

export const DONE_LABELS = {
  yes: { zh: '办成了', en: 'Done' },
  partly: { zh: '办了一部分', en: 'Partly' },
  no: { zh: '没办成', en: 'Not done' },
} as const;

export const DIMENSIONS = {
  attitude: { zh: '服务态度', en: 'Attitude' },
  efficiency: { zh: '服务效率', en: 'Efficiency' },
  competence: { zh: '服务水平', en: 'Competence' },
} as const;
export type TDimension = keyof typeof DIMENSIONS;
