/**
 * Deterministic demo data for local runs, screenshots and the bench: a fictional city (青川市) with two districts,
 * six service halls, their windows and services (事项), 90 days of synthetic ratings and the tickets issued.
 *
 * Pure: no I/O, no clock, no Math.random. The same options always give the same output (seeded mulberry32).
 *
 * The story the data tells (so the dashboards have something to find):
 *  - most halls are warm or mild, each at its own level;
 *  - 西山区青石镇便民服务中心 is clearly cold (many 差评: cold faces, papers asked again and again, sent elsewhere);
 *  - 东湖区港口街道便民服务中心 is cooling: fine for the first half, then its bad-rating share climbs steadily over the
 *    last ~45 days (long waits, nobody at the window — 在岗不在位);
 *  - 东湖区政务服务中心 had one morning of system outage (系统故障) about 18 days ago — a one-day spike;
 *  - 西山区政务服务中心's 不动产登记 window is noticeably worse than the rest of that hall.
 *
 * Ratings cover the `days` hall-local days ending YESTERDAY (today is excluded, so the nightly job sees complete
 * days). Halls open Monday–Friday 08:30–17:30 and Saturday morning; Sunday is closed.
 */
import { reasonsForGrade, type TReason } from '../domain/grades.js';
import type { THall, TRating, TRegion, TService, TWindow } from '../domain/model.js';

export interface TDemoUser {
  id: string;
  name: string;
  role: 'admin' | 'supervisor' | 'manager';
  /** regionId or hallId; '*' for the administrator */
  scope: string;
  email: string;
}

export interface TDemoData {
  regions: TRegion[];
  halls: THall[];
  windows: TWindow[];
  services: TService[];
  ratings: Omit<TRating, 'ratingId'>[];
  issuedPerHallDay: { hallId: string; day: string; count: number }[];
  users: TDemoUser[];
}

export interface TDemoOptions {
  /** hall-local YYYY-MM-DD; ratings end the day before */
  today: string;
  /** how many days of ratings, default 90 */
  days?: number;
  seed?: number;
}

export const DEMO_TIMEZONE = 'Asia/Shanghai';
const UTC_OFFSET_MIN = 8 * 60; // Asia/Shanghai, no DST
const OPENING_HOURS = { open: '08:30', close: '17:30' } as const;
const OPEN_MIN = 8 * 60 + 30;
const CLOSE_MIN = 17 * 60 + 30;
const SATURDAY_CLOSE_MIN = 12 * 60;
const DAY_MS = 86_400_000;

/* ---------------------------------------------------------------- PRNG */

/** mulberry32: tiny, fast, good enough for synthetic data. Returns floats in [0, 1). */
const mulberry32 = (seed: number): (() => number) => {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
};

class Rng {
  readonly next: () => number;
  constructor(seed: number) {
    this.next = mulberry32(seed);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }
  /** index drawn with the given (unnormalised) weights */
  weighted(weights: readonly number[]): number {
    let total = 0;
    for (const w of weights) total += w;
    let x = this.next() * total;
    for (let i = 0; i < weights.length; i++) {
      x -= weights[i];
      if (x < 0) return i;
    }
    return weights.length - 1;
  }
  normal(mean = 0, sd = 1): number {
    const u = 1 - this.next(); // (0, 1]
    const v = this.next();
    return mean + sd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }
  /** up to `n` distinct items, weighted, without replacement */
  sample<T>(items: readonly T[], weights: readonly number[], n: number): T[] {
    const pool = items.slice();
    const w = weights.slice();
    const out: T[] = [];
    while (out.length < n && pool.length > 0) {
      const i = this.weighted(w);
      out.push(pool[i]);
      pool.splice(i, 1);
      w.splice(i, 1);
    }
    return out;
  }
}

/* ---------------------------------------------------------------- catalogue */

type TWindowKind = 'general' | 'social' | 'estate' | 'household' | 'business' | 'fund' | 'civil';

const WINDOW_KINDS: Record<TWindowKind, { zh: string; en: string }> = {
  general: { zh: '综合受理', en: 'General intake' },
  social: { zh: '社保医保', en: 'Social & medical insurance' },
  estate: { zh: '不动产登记', en: 'Real-estate registration' },
  household: { zh: '户籍办理', en: 'Household registration' },
  business: { zh: '企业开办', en: 'Business start-up' },
  fund: { zh: '公积金', en: 'Housing provident fund' },
  civil: { zh: '民政事务', en: 'Civil affairs' },
};

type TServiceKey =
  | 'pension'
  | 'medicalTransfer'
  | 'ssCard'
  | 'flexibleInsurance'
  | 'deedReissue'
  | 'transfer'
  | 'mortgage'
  | 'idCard'
  | 'hukouMove'
  | 'birthReg'
  | 'license'
  | 'selfEmployed'
  | 'fundWithdraw'
  | 'fundLoan'
  | 'elderAllowance'
  | 'minLiving'
  | 'residencePermit';

const SERVICES: Record<TServiceKey, { zh: string; en: string; kind: TWindowKind }> = {
  pension: { zh: '城乡居民养老保险参保登记', en: 'Urban-rural resident pension enrolment', kind: 'social' },
  medicalTransfer: { zh: '医保异地就医备案', en: 'Medical insurance: registering treatment elsewhere', kind: 'social' },
  ssCard: { zh: '社会保障卡申领', en: 'Social security card application', kind: 'social' },
  flexibleInsurance: { zh: '灵活就业人员参保登记', en: 'Insurance enrolment for flexible workers', kind: 'social' },
  deedReissue: { zh: '不动产权证书补办', en: 'Reissue of a property certificate', kind: 'estate' },
  transfer: { zh: '二手房转移登记', en: 'Second-hand home transfer registration', kind: 'estate' },
  mortgage: { zh: '不动产抵押登记', en: 'Mortgage registration', kind: 'estate' },
  idCard: { zh: '居民身份证换领', en: 'Resident ID card renewal', kind: 'household' },
  hukouMove: { zh: '户口迁移', en: 'Household registration transfer', kind: 'household' },
  birthReg: { zh: '出生登记', en: 'Birth registration', kind: 'household' },
  license: { zh: '营业执照设立登记', en: 'Business licence registration', kind: 'business' },
  selfEmployed: { zh: '个体工商户登记', en: 'Sole-proprietor registration', kind: 'business' },
  fundWithdraw: { zh: '住房公积金提取', en: 'Housing provident fund withdrawal', kind: 'fund' },
  fundLoan: { zh: '公积金贷款申请', en: 'Provident fund loan application', kind: 'fund' },
  elderAllowance: { zh: '高龄津贴申领', en: 'Old-age allowance application', kind: 'civil' },
  minLiving: { zh: '最低生活保障申请', en: 'Minimum living allowance (dibao) application', kind: 'civil' },
  residencePermit: { zh: '居住证办理', en: 'Residence permit', kind: 'household' },
};

/** grade probabilities in the order [5, 4, 3, 2, 1] */
type TDist = readonly [number, number, number, number, number];

interface THallPlan {
  id: string;
  zh: string;
  en: string;
  regionId: string;
  /** weekday ratings per day (before noise) */
  base: number;
  /** the hall's grade distribution; for a cooling hall, the distribution it starts from */
  dist: TDist;
  /** cooling: the distribution it ends at, reached at the last day */
  coolTo?: TDist;
  windows: { kind: TWindowKind; weight: number; penalty?: number }[];
  services: TServiceKey[];
  /** relative weights of bad reasons, overriding the defaults */
  badReasonWeights?: Partial<Record<TReason, number>>;
  /** share of issued tickets that get rated (主动评价率), 0.55–0.80 */
  activeRate: number;
  /** day index from the end (1 = yesterday) of a morning system outage */
  outageDaysAgo?: number;
}

/** Pulled into a rating's grade by a poorly run window. */
const BAD_LEANING: TDist = [0.1, 0.15, 0.2, 0.3, 0.25];

const HALLS: THallPlan[] = [
  {
    id: 'h-dh-center',
    zh: '东湖区政务服务中心',
    en: 'Donghu District Government Service Center',
    regionId: 'r-east',
    base: 105,
    dist: [0.63, 0.26, 0.07, 0.025, 0.015],
    windows: [
      { kind: 'general', weight: 3 },
      { kind: 'social', weight: 2.5 },
      { kind: 'estate', weight: 1.5 },
      { kind: 'household', weight: 1.5 },
      { kind: 'business', weight: 1 },
      { kind: 'fund', weight: 1.2, penalty: 0.03 },
    ],
    services: ['pension', 'medicalTransfer', 'ssCard', 'deedReissue', 'transfer', 'idCard', 'license', 'fundWithdraw'],
    activeRate: 0.74,
    outageDaysAgo: 18,
  },
  {
    id: 'h-dh-huayuan',
    zh: '东湖区花园街道便民服务中心',
    en: 'Huayuan Subdistrict Service Center, Donghu',
    regionId: 'r-east',
    base: 30,
    dist: [0.72, 0.21, 0.04, 0.02, 0.01],
    windows: [
      { kind: 'general', weight: 3 },
      { kind: 'social', weight: 2 },
      { kind: 'civil', weight: 1 },
    ],
    services: ['pension', 'medicalTransfer', 'ssCard', 'elderAllowance', 'residencePermit'],
    activeRate: 0.78,
  },
  {
    id: 'h-dh-gangkou',
    zh: '东湖区港口街道便民服务中心',
    en: 'Gangkou Subdistrict Service Center, Donghu',
    regionId: 'r-east',
    base: 55,
    dist: [0.6, 0.28, 0.07, 0.03, 0.02],
    coolTo: [0.18, 0.2, 0.18, 0.24, 0.2],
    windows: [
      { kind: 'general', weight: 3 },
      { kind: 'social', weight: 2.5 },
      { kind: 'household', weight: 1.5 },
      { kind: 'civil', weight: 1 },
    ],
    services: ['pension', 'medicalTransfer', 'flexibleInsurance', 'idCard', 'hukouMove', 'elderAllowance'],
    badReasonWeights: { wait_long: 6, not_at_window: 4, rude: 1.5 },
    activeRate: 0.66,
  },
  {
    id: 'h-xs-center',
    zh: '西山区政务服务中心',
    en: 'Xishan District Government Service Center',
    regionId: 'r-west',
    base: 90,
    dist: [0.46, 0.32, 0.13, 0.05, 0.04],
    windows: [
      { kind: 'general', weight: 3 },
      { kind: 'social', weight: 2 },
      { kind: 'estate', weight: 1.8, penalty: 0.12 },
      { kind: 'household', weight: 1.4 },
      { kind: 'business', weight: 1 },
    ],
    services: ['pension', 'medicalTransfer', 'deedReissue', 'transfer', 'mortgage', 'idCard', 'license'],
    activeRate: 0.69,
  },
  {
    id: 'h-xs-qingshi',
    zh: '西山区青石镇便民服务中心',
    en: 'Qingshi Town Service Center, Xishan',
    regionId: 'r-west',
    base: 28,
    dist: [0.14, 0.2, 0.21, 0.25, 0.2],
    windows: [
      { kind: 'general', weight: 3 },
      { kind: 'social', weight: 2 },
      { kind: 'household', weight: 1 },
    ],
    services: ['pension', 'medicalTransfer', 'idCard', 'minLiving'],
    badReasonWeights: { rude: 4, more_documents: 4, sent_elsewhere: 3.5, not_at_window: 2, unclear: 2.5 },
    activeRate: 0.57,
  },
  {
    id: 'h-xs-binjiang',
    zh: '西山区滨江街道便民服务中心',
    en: 'Binjiang Subdistrict Service Center, Xishan',
    regionId: 'r-west',
    base: 45,
    dist: [0.55, 0.3, 0.09, 0.04, 0.02],
    windows: [
      { kind: 'general', weight: 3 },
      { kind: 'social', weight: 2 },
      { kind: 'fund', weight: 1.2 },
      { kind: 'civil', weight: 1 },
    ],
    services: ['pension', 'ssCard', 'fundWithdraw', 'fundLoan', 'elderAllowance'],
    activeRate: 0.72,
  },
];

const REGIONS: TRegion[] = [
  { id: 'r-city', name: '青川市', nameEn: 'Qingchuan City', level: 'city' },
  { id: 'r-east', name: '东湖区', nameEn: 'Donghu District', parentId: 'r-city', level: 'district' },
  { id: 'r-west', name: '西山区', nameEn: 'Xishan District', parentId: 'r-city', level: 'district' },
];

const USERS: TDemoUser[] = [
  { id: 'u-admin', name: '系统管理员', role: 'admin', scope: '*', email: 'admin@qingchuan.example' },
  { id: 'u-sup-city', name: '王立新', role: 'supervisor', scope: 'r-city', email: 'wang.lixin@qingchuan.example' },
  { id: 'u-sup-west', name: '陈静', role: 'supervisor', scope: 'r-west', email: 'chen.jing@qingchuan.example' },
  { id: 'u-mgr-qingshi', name: '刘海波', role: 'manager', scope: 'h-xs-qingshi', email: 'liu.haibo@qingchuan.example' },
  { id: 'u-mgr-gangkou', name: '赵敏', role: 'manager', scope: 'h-dh-gangkou', email: 'zhao.min@qingchuan.example' },
];

/* ---------------------------------------------------------------- reasons and comments */

const DEFAULT_BAD_WEIGHTS: Record<string, number> = {
  wait_long: 3,
  more_documents: 2.5,
  rude: 1,
  sent_elsewhere: 1.5,
  not_done: 1.5,
  system_down: 0.6,
  not_at_window: 1,
  unclear: 1.5,
};
const MID_WEIGHTS: Record<string, number> = {
  wait_long: 3,
  more_documents: 2,
  sent_elsewhere: 1,
  system_down: 0.6,
  unclear: 1.5,
  patient: 1.5,
};
const GOOD_WEIGHTS: Record<string, number> = { patient: 2, fast: 2.5, clear: 1.5, one_trip: 2, warm: 1.5 };

interface TComment {
  text: string;
  group: 'good' | 'mid' | 'bad';
  /** reasons the text speaks about; a comment is only used when the rating carries all of them (or none, for good/mid) */
  tags: TReason[];
  trips?: 1 | 2 | 3;
  lang?: 'en';
}

const C = (group: TComment['group'], text: string, tags: TReason[] = [], trips?: 1 | 2 | 3): TComment => ({
  text,
  group,
  tags,
  trips,
});

const COMMENTS: TComment[] = [
  // good (4–5)
  C('good', '工作人员很耐心，一步一步教我填表，谢谢！', ['patient']),
  C('good', '不到二十分钟就办好了，比以前快多了。', ['fast']),
  C('good', '一次就办成了，没让我来回跑，点赞。', ['one_trip'], 1),
  C('good', '窗口的姑娘讲得很清楚，材料一次就备齐了。', ['clear', 'one_trip'], 1),
  C('good', '老人家看不清字，工作人员帮我念了一遍，很暖心。', ['warm', 'patient']),
  C('good', '服务态度好，热情周到。', ['warm']),
  C('good', '提前在网上预约了，到了直接办，很方便。', ['fast']),
  C('good', '办事指南写得明白，工作人员也很专业。', ['clear']),
  C('good', '帮我把社保和医保的事一起办了，省了一趟。', ['one_trip'], 1),
  C('good', '大厅干净整洁，引导员主动问我办什么事。', ['warm']),
  C('good', '整体不错，就是停车位有点少。'),
  C('good', '比想象中顺利，谢谢工作人员。'),
  C('good', '中午也有人值班，不用请假来办，挺好。'),
  C('good', '感谢窗口同志，帮我查出了以前漏缴的记录。', ['patient']),
  C('good', '速度快，态度好，给个好评。', ['fast', 'warm']),
  C('good', '帮我母亲办的，工作人员还主动搬了椅子让她坐，谢谢。', ['warm']),
  // mid (3)
  C('mid', '还行吧，就是等的时间有点长。', ['wait_long']),
  C('mid', '事情办了，但要补一份材料，下周还得再来。', ['more_documents'], 2),
  C('mid', '工作人员挺耐心的，不过系统有点慢。', ['patient']),
  C('mid', '一般，说得不是特别清楚，自己又问了别人。', ['unclear']),
  C('mid', '先让我去三楼，又让我回一楼，最后还是办了。', ['sent_elsewhere']),
  C('mid', '基本满意，希望多开几个窗口。', ['wait_long']),
  C('mid', '流程还可以，取号机有点难用。'),
  C('mid', '办是办了，就是要复印的东西太多。', ['more_documents']),
  C('mid', '电脑卡了一会儿，等重启花了不少时间。', ['system_down']),
  // bad (1–2)
  C('bad', '排队等了一个多小时，窗口只开了两个。', ['wait_long']),
  C('bad', '材料要求前后说法不一样，跑了三趟。', ['more_documents'], 3),
  C('bad', '问了两句就不耐烦了，说话很冲。', ['rude']),
  C('bad', '这个窗口说不归他们管，让我去街道，街道又让我回来。', ['sent_elsewhere'], 2),
  C('bad', '跑了两次还是没办成，说系统里查不到我的信息。', ['not_done'], 2),
  C('bad', '系统一上午都是坏的，白等了。', ['system_down']),
  C('bad', '窗口上没人，等了二十分钟才回来。', ['not_at_window']),
  C('bad', '问了好几遍都没讲明白到底需要什么材料。', ['unclear']),
  C('bad', '每次来都说少一样东西，不能一次说清楚吗？', ['more_documents', 'unclear'], 3),
  C('bad', '叫号叫到我了窗口却没人，工作人员在后面聊天。', ['not_at_window']),
  C('bad', '我七十多岁了，来回跑了好几趟，实在跑不动了。', ['more_documents'], 3),
  C('bad', '态度冷冰冰的，材料直接推回来让我自己看。', ['rude']),
  C('bad', '早上八点就来排队，到中午还没轮到。', ['wait_long']),
  C('bad', '说网上能办，网上又说要到现场，来了又让我回去网上办。', ['sent_elsewhere', 'unclear'], 2),
  C('bad', '办了一半说系统故障，让我明天再来。', ['system_down', 'not_done']),
  C('bad', '等了很久，最后告诉我今天办不了。', ['wait_long', 'not_done']),
  C('bad', '很失望，希望领导重视一下。'),
  C('bad', '体验很差，不想再来第二次。'),
  // English (lang 'en')
  { ...C('good', 'Staff were patient and helped me fill in the form.', ['patient']), lang: 'en' },
  { ...C('good', 'Quick and friendly, done in one visit.', ['fast'], 1), lang: 'en' },
  { ...C('mid', 'OK, but the wait was long.', ['wait_long']), lang: 'en' },
  { ...C('bad', 'Waited over an hour and was told to come back with more papers.', ['wait_long', 'more_documents'], 2), lang: 'en' },
  { ...C('bad', 'Nobody could explain which documents I needed.', ['unclear']), lang: 'en' },
];

/* ---------------------------------------------------------------- time helpers */

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

const parseDay = (day: string): number => {
  const m = DATE_RE.exec(day);
  if (!m) throw new Error(`today must be YYYY-MM-DD, got "${day}"`);
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  if (new Date(ms).toISOString().slice(0, 10) !== day) throw new Error(`today is not a calendar date: "${day}"`);
  return ms;
};

const formatDay = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

const PEAK_AM = 10 * 60 + 15;
const PEAK_PM = 15 * 60 + 15;

/** Local minute-of-day for a rating on an open day: two peaks (~9:30–11:00, ~14:30–16:00), a lunch dip. */
const sampleMinute = (rng: Rng, saturday: boolean): number => {
  const close = saturday ? SATURDAY_CLOSE_MIN : CLOSE_MIN;
  // just outside hours: rated on the way home, or while queueing before the doors open
  const r = rng.next();
  if (!saturday && r < 0.012) return CLOSE_MIN + rng.int(0, 100);
  if (r < 0.016) return OPEN_MIN - rng.int(5, 30);
  for (;;) {
    const k = rng.next();
    let m: number;
    if (saturday) m = k < 0.8 ? rng.normal(PEAK_AM - 15, 55) : OPEN_MIN + rng.next() * (close - OPEN_MIN);
    else if (k < 0.46) m = rng.normal(PEAK_AM, 48);
    else if (k < 0.86) m = rng.normal(PEAK_PM, 50);
    else m = OPEN_MIN + rng.next() * (close - OPEN_MIN);
    // 12:00–13:30: fewer windows staffed over lunch
    if (m >= 12 * 60 && m < 13 * 60 + 30 && rng.chance(0.45)) continue;
    if (m >= OPEN_MIN + 3 && m < close) return m;
  }
};

const isPeak = (minute: number): boolean => (minute >= 9 * 60 + 30 && minute < 11 * 60) || (minute >= 14 * 60 + 30 && minute < 16 * 60);

/* ---------------------------------------------------------------- generator */

const clampGrade = (g: number): number => Math.min(5, Math.max(1, g));

const mix = (a: TDist, b: TDist, t: number): number[] => a.map((x, i) => x * (1 - t) + b[i] * t);

const gradeFromDist = (rng: Rng, dist: readonly number[]): number => 5 - rng.weighted(dist);

const weightsFor = (tags: readonly TReason[], table: Record<string, number>): number[] => tags.map((t) => table[t] ?? 0.5);

export function generateDemoData(opts: TDemoOptions): TDemoData {
  const days = opts.days ?? 90;
  if (!Number.isInteger(days) || days < 1 || days > 3660) throw new Error(`days must be an integer 1..3660, got ${days}`);
  const seed = opts.seed ?? 20240615;
  const todayMs = parseDay(opts.today);
  const rng = new Rng(seed ^ 0x5eed);

  const halls: THall[] = [];
  const windows: TWindow[] = [];
  const services: TService[] = [];
  const hallWindows = new Map<string, { w: TWindow; kind: TWindowKind; weight: number; penalty: number }[]>();
  const hallServices = new Map<string, { s: TService; kind: TWindowKind }[]>();

  for (const plan of HALLS) {
    halls.push({
      id: plan.id,
      name: plan.zh,
      nameEn: plan.en,
      regionId: plan.regionId,
      timezone: DEMO_TIMEZONE,
      openingHours: { ...OPENING_HOURS },
    });
    const ws = plan.windows.map((spec, i) => {
      const kind = WINDOW_KINDS[spec.kind];
      const w: TWindow = {
        hallId: plan.id,
        id: `w${i + 1}`,
        name: `${i + 1}号窗口 ${kind.zh}`,
        nameEn: `Window ${i + 1} · ${kind.en}`,
      };
      windows.push(w);
      return { w, kind: spec.kind, weight: spec.weight, penalty: spec.penalty ?? 0 };
    });
    hallWindows.set(plan.id, ws);
    const ss = plan.services.map((key, i) => {
      const def = SERVICES[key];
      const s: TService = { hallId: plan.id, id: `s${i + 1}`, name: def.zh, nameEn: def.en };
      services.push(s);
      return { s, kind: def.kind };
    });
    hallServices.set(plan.id, ss);
  }

  const ratings: Omit<TRating, 'ratingId'>[] = [];
  const issuedPerHallDay: TDemoData['issuedPerHallDay'] = [];
  let ticketSeq = 0;
  const coolingDays = Math.max(1, Math.min(45, Math.floor(days / 2)));
  /** the outage falls on a working day: the first Monday–Friday at or before `daysAgo` days ago */
  const weekdayOnOrBefore = (daysAgo: number): number => {
    for (let ago = daysAgo; ago < daysAgo + 7; ago++) {
      const wd = new Date(todayMs - ago * DAY_MS).getUTCDay();
      if (wd >= 1 && wd <= 5) return ago;
    }
    return daysAgo;
  };

  for (let d = 0; d < days; d++) {
    const dayMs = todayMs - (days - d) * DAY_MS; // d = days-1 is yesterday
    const day = formatDay(dayMs);
    const dow = new Date(dayMs).getUTCDay(); // calendar weekday of the hall-local date
    const daysAgo = days - d;
    const dayRatings: Omit<TRating, 'ratingId'>[] = [];

    for (const plan of HALLS) {
      const ws = hallWindows.get(plan.id)!;
      const ss = hallServices.get(plan.id)!;
      const windowWeights = ws.map((x) => x.weight);
      const badTable = { ...DEFAULT_BAD_WEIGHTS, ...plan.badReasonWeights };

      let count: number;
      if (dow === 0) {
        // closed; once in a while a resident rates from home off a placard photo
        count = rng.chance(0.03) ? 1 : 0;
      } else if (dow === 6) {
        count = Math.max(0, Math.round(plan.base * 0.3 * Math.exp(rng.normal(0, 0.2))));
      } else {
        const dowFactor = dow === 1 ? 1.14 : dow === 5 ? 0.9 : 1;
        count = Math.round(plan.base * dowFactor * Math.exp(rng.normal(0, 0.12)));
        count = Math.min(120, Math.max(20, count));
      }

      // the hall's grade distribution today
      let dist: readonly number[] = plan.dist;
      if (plan.coolTo) {
        const t = (d - (days - coolingDays) + 1) / coolingDays;
        if (t > 0) dist = mix(plan.dist, plan.coolTo, Math.min(1, t));
      }
      const outage = plan.outageDaysAgo !== undefined && daysAgo === weekdayOnOrBefore(plan.outageDaysAgo);

      const minutes: number[] = [];
      for (let i = 0; i < count; i++) {
        minutes.push(dow === 0 ? 19 * 60 + rng.int(0, 150) : sampleMinute(rng, dow === 6));
      }
      minutes.sort((a, b) => a - b);

      let ticketRated = 0;
      for (const minute of minutes) {
        const win = ws[rng.weighted(windowWeights)];
        const placard = dow === 0 || rng.chance(0.15);

        // grade
        let overall = gradeFromDist(rng, win.penalty > 0 && rng.chance(win.penalty) ? BAD_LEANING : dist);
        let forcedReason: TReason | undefined;
        if (outage && minute >= 9 * 60 && minute < 11 * 60 + 30 && rng.chance(0.45)) {
          overall = rng.chance(0.7) ? 2 : 1;
          forcedReason = 'system_down';
        }

        // reasons
        const allowed = reasonsForGrade(overall);
        let reasons: TReason[] = [];
        if (overall <= 2) {
          const weights = weightsFor(allowed, badTable).map((w, i) => (allowed[i] === 'wait_long' && isPeak(minute) ? w * 1.8 : w));
          const n = 1 + rng.weighted([0.55, 0.33, 0.12]);
          reasons = rng.sample(allowed, weights, n);
          if (forcedReason && !reasons.includes(forcedReason)) reasons = [forcedReason, ...reasons.slice(0, 2)];
        } else if (overall === 3) {
          if (rng.chance(0.35)) reasons = rng.sample(allowed, weightsFor(allowed, MID_WEIGHTS), 1 + rng.weighted([0.8, 0.2]));
        } else if (rng.chance(0.3)) {
          reasons = rng.sample(allowed, weightsFor(allowed, GOOD_WEIGHTS), 1 + rng.weighted([0.7, 0.3]));
        }

        // comment and language
        const group = overall <= 2 ? 'bad' : overall === 3 ? 'mid' : 'good';
        const english = rng.chance(0.03);
        let comment: TComment | undefined;
        if (rng.chance(group === 'bad' ? 0.55 : group === 'mid' ? 0.3 : 0.2)) {
          const fits = COMMENTS.filter(
            (c) =>
              c.group === group &&
              (c.lang === 'en') === english &&
              (c.tags.every((t) => reasons.includes(t)) || (group !== 'bad' && reasons.length === 0)),
          );
          // prefer a comment that speaks about one of the chosen reasons
          const specific = fits.filter((c) => c.tags.length > 0 && c.tags.every((t) => reasons.includes(t)));
          const pool = specific.length > 0 && rng.chance(0.8) ? specific : fits;
          if (pool.length > 0) comment = rng.pick(pool);
        }

        // trips and done, consistent with the reasons and the comment
        let trips: 1 | 2 | 3 | undefined;
        if (comment?.trips) trips = comment.trips;
        else if (reasons.includes('one_trip')) trips = 1;
        else if (rng.chance(0.8)) {
          const tw = group === 'good' ? [0.86, 0.11, 0.03] : group === 'mid' ? [0.6, 0.28, 0.12] : [0.32, 0.36, 0.32];
          if (reasons.includes('more_documents') || reasons.includes('sent_elsewhere')) tw[0] *= 0.4;
          trips = (1 + rng.weighted(tw)) as 1 | 2 | 3;
        }
        let done: 'yes' | 'partly' | 'no' | undefined;
        if (reasons.includes('not_done')) done = 'no';
        else if (reasons.includes('one_trip')) done = 'yes';
        else if (rng.chance(0.8)) {
          const dw = group === 'good' ? [0.93, 0.06, 0.01] : group === 'mid' ? [0.68, 0.24, 0.08] : [0.3, 0.33, 0.37];
          done = (['yes', 'partly', 'no'] as const)[rng.weighted(dw)];
        }

        // dimensions, each within ±1 of overall, pulled down by the matching complaint
        let attitude: number | undefined;
        let efficiency: number | undefined;
        let competence: number | undefined;
        if (rng.chance(0.6)) {
          const dim = (down: boolean, up: boolean): number => {
            const w = down ? [0.6, 0.4, 0] : up ? [0, 0.45, 0.55] : [0.2, 0.6, 0.2];
            return clampGrade(overall - 1 + rng.weighted(w));
          };
          const has = (...tags: TReason[]): boolean => tags.some((t) => reasons.includes(t));
          attitude = dim(has('rude', 'not_at_window'), has('warm', 'patient'));
          efficiency = dim(has('wait_long', 'system_down', 'sent_elsewhere'), has('fast', 'one_trip'));
          competence = dim(has('unclear', 'more_documents'), has('clear'));
        }

        // service: usually one handled at this window; placards do not carry one unless the resident picks it
        let serviceId: string | undefined;
        if (rng.chance(placard ? 0.5 : 0.97)) {
          const fitting = ss.filter((x) => win.kind === 'general' || x.kind === win.kind);
          serviceId = rng.pick(fitting.length > 0 && rng.chance(0.95) ? fitting : ss).s.id;
        }

        const localSecond = minute * 60 + rng.int(0, 59);
        const createdMs = dayMs + (localSecond - UTC_OFFSET_MIN * 60) * 1000 + rng.int(0, 999);

        const rating: Omit<TRating, 'ratingId'> = {
          channel: placard ? 'placard' : 'ticket',
          hallId: plan.id,
          windowId: win.w.id,
          createdAt: new Date(createdMs).toISOString(),
          day,
          overall,
        };
        if (serviceId) rating.serviceId = serviceId;
        if (!placard) {
          ticketSeq++;
          rating.ticketId = `t${rng
            .int(0, 36 ** 5 - 1)
            .toString(36)
            .padStart(5, '0')}${ticketSeq.toString(36).padStart(4, '0')}`;
          ticketRated++;
        }
        if (attitude !== undefined) {
          rating.attitude = attitude;
          rating.efficiency = efficiency;
          rating.competence = competence;
        }
        if (trips !== undefined) rating.trips = trips;
        if (done !== undefined) rating.done = done;
        if (reasons.length > 0) rating.reasons = reasons;
        if (comment) rating.comment = comment.text;
        rating.lang = english ? 'en' : 'zh';
        dayRatings.push(rating);
      }

      if (dow !== 0) {
        const rate = Math.min(0.8, Math.max(0.55, plan.activeRate + rng.normal(0, 0.03)));
        const issued = Math.max(ticketRated, Math.round(ticketRated / rate));
        if (issued > 0) issuedPerHallDay.push({ hallId: plan.id, day, count: issued });
      }
    }
    // one hall-local day is one UTC+8 window, so sorting each day keeps the whole list in time order
    dayRatings.sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0));
    for (const r of dayRatings) ratings.push(r);
  }

  return {
    regions: REGIONS.map((r) => ({ ...r })),
    halls,
    windows,
    services,
    ratings,
    issuedPerHallDay,
    users: USERS.map((u) => ({ ...u })),
  };
}
