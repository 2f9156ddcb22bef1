/**
 * The administrator's forms (SPEC §2 "Administrator"): regions, halls, windows and services, staff users. These
 * zod schemas are the one definition of what each form accepts; the pages render their fields from the same names,
 * and every refusal — the schemas' and the ones that need the stored catalogue — is a key of ADMIN_ERRORS, a
 * specific message in Chinese and English. Kept apart from model.ts so the resident/machine Lambda never loads it.
 */
import * as z from 'zod/mini';
import type { TRole } from './access.js';
import { ZId, type THall, type TRegion } from './model.js';
import { ZLine } from './text.js';

export const REGION_LEVELS = ['province', 'city', 'district', 'street'] as const;
export const ROLES = ['admin', 'supervisor', 'manager'] as const satisfies readonly TRole[];

export const ADMIN_ERRORS = {
  id: {
    zh: '编号只能用 1–40 个英文字母、数字、“_”或“-”，例如 h-xs-qingshi。',
    en: 'The id must be 1–40 letters, digits, "_" or "-", e.g. h-xs-qingshi.',
  },
  name: { zh: '请填写中文名（1–60 个字）。', en: 'Enter the Chinese name (1–60 characters).' },
  userName: { zh: '请填写姓名（1–40 个字）。', en: 'Enter the name (1–40 characters).' },
  nameEn: { zh: '英文名最多 120 个字符。', en: 'The English name is at most 120 characters.' },
  level: { zh: '请选择层级：省、市、区县或街道。', en: 'Choose a level: province, city, district or street.' },
  parentId: { zh: '请从列表中选择上级区域。', en: 'Choose the parent region from the list.' },
  parentUnknown: { zh: '没有这个上级区域，请从列表中选择。', en: 'There is no such parent region; choose one from the list.' },
  oneRoot: { zh: '已经有顶级区域了，请为这个区域选择上级区域。', en: 'There is already a top region; choose a parent for this one.' },
  cycle: { zh: '不能把区域移到它自己或它的下级区域之下。', en: 'A region cannot be moved under itself or one of its own sub-regions.' },
  regionExists: { zh: '这个编号已经有区域在用，请换一个编号。', en: 'A region with this id already exists; choose another id.' },
  regionNotEmpty: {
    zh: '这个区域下还有下级区域或大厅，不能删除。请先把它们移走。',
    en: 'This region still has sub-regions or halls and cannot be deleted. Move them first.',
  },
  regionHasUsers: {
    zh: '还有督导员的管理范围是这个区域，不能删除。请先调整他们的范围。',
    en: 'Supervisors are still scoped to this region; change their scope first.',
  },
  regionId: { zh: '请选择大厅所在的区域。', en: 'Choose the region the hall belongs to.' },
  regionUnknown: { zh: '没有这个区域，请从列表中选择。', en: 'There is no such region; choose one from the list.' },
  timezone: {
    zh: '时区无效，请填写 IANA 时区名，例如 Asia/Shanghai。',
    en: 'Not a valid time zone; enter an IANA name such as Asia/Shanghai.',
  },
  open: { zh: '开门时间应为 HH:MM，例如 08:30。', en: 'Opening time must be HH:MM, e.g. 08:30.' },
  close: { zh: '关门时间应为 HH:MM，例如 17:30。', en: 'Closing time must be HH:MM, e.g. 17:30.' },
  hoursBoth: { zh: '开门和关门时间要么都填，要么都不填。', en: 'Give both the opening and the closing time, or neither.' },
  hoursOrder: { zh: '关门时间要晚于开门时间。', en: 'The closing time must be after the opening time.' },
  hallExists: { zh: '这个编号已经有大厅在用，请换一个编号。', en: 'A hall with this id already exists; choose another id.' },
  windowExists: {
    zh: '这个大厅已经有这个编号的窗口，请换一个编号。',
    en: 'This hall already has a window with this id; choose another id.',
  },
  serviceExists: {
    zh: '这个大厅已经有这个编号的事项，请换一个编号。',
    en: 'This hall already has a service with this id; choose another id.',
  },
  userExists: { zh: '这个编号已经有工作人员在用，请换一个编号。', en: 'A staff user with this id already exists; choose another id.' },
  email: { zh: '邮箱格式不对，例如 name@example.gov.cn。', en: 'Not a valid email address, e.g. name@example.gov.cn.' },
  emailTaken: { zh: '这个邮箱已经给另一位工作人员使用了。', en: 'Another staff user already has this email address.' },
  role: { zh: '请选择角色：管理员、督导员或大厅负责人。', en: 'Choose a role: administrator, supervisor or hall manager.' },
  scope: { zh: '请选择管理范围。', en: 'Choose the scope.' },
  scopeAdmin: { zh: '管理员的范围必须是“全部”（*）。', en: 'An administrator\'s scope must be "everything" (*).' },
  scopeSupervisor: { zh: '督导员的范围请选择一个区域。', en: "A supervisor's scope must be a region." },
  scopeManager: { zh: '大厅负责人的范围请选择一个大厅。', en: "A hall manager's scope must be a hall." },
  selfDemote: {
    zh: '不能更改自己的管理员角色，以免无人能管理系统。请另一位管理员操作。',
    en: 'You cannot change your own administrator role (nobody could administer the system). Ask another administrator.',
  },
  selfRemove: { zh: '不能删除自己的账号。请另一位管理员操作。', en: 'You cannot remove your own account. Ask another administrator.' },
  invalid: { zh: '这一项填写有误。', en: 'This field is not valid.' },
} as const;
export type TAdminError = keyof typeof ADMIN_ERRORS;
/** Field name → the one message shown next to it ("_form" for a refusal of the whole form). */
export type TFormErrors = Record<string, TAdminError>;

// Names are one line of free text: control and bidi characters removed, then trimmed (text.ts).
const ZName = ZLine(1, 60);
const ZNameEn = z.optional(ZLine(0, 120));
const CLOCK = /^([01]\d|2[0-3]):[0-5]\d$/;
const ZClock = z.string().check(z.regex(CLOCK));
const isClock = (t?: string) => t !== undefined && CLOCK.test(t);

/** An IANA zone name Intl knows. Offsets like "+08:00" are refused: a hall's days follow its place's rules. */
export function isTimeZone(tz: string): boolean {
  if (!/^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/.test(tz)) return false;
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** The zone's canonical spelling ("asia/shanghai" → "Asia/Shanghai"), so stored halls compare and display alike. */
const canonicalZone = (tz: string) => (isTimeZone(tz) ? new Intl.DateTimeFormat('en', { timeZone: tz }).resolvedOptions().timeZone : tz);

export const ZRegionForm = z.object({
  id: ZId,
  name: ZName,
  nameEn: ZNameEn,
  parentId: z.optional(ZId),
  level: z.enum(REGION_LEVELS),
});

export const ZHallForm = z
  .object({
    id: ZId,
    name: ZName,
    nameEn: ZNameEn,
    regionId: ZId,
    timezone: z.string().check(z.trim(), z.refine(isTimeZone), z.overwrite(canonicalZone)),
    open: z.optional(ZClock),
    close: z.optional(ZClock),
  })
  .check(
    z.refine((h) => (h.open === undefined) === (h.close === undefined), { message: 'hoursBoth', path: ['open'] }),
    z.refine((h) => !isClock(h.open) || !isClock(h.close) || h.open! < h.close!, { message: 'hoursOrder', path: ['close'] }),
  );

/** A window or a service (事项): the same three fields. */
export const ZUnitForm = z.object({ id: ZId, name: ZName, nameEn: ZNameEn });

export const ZUserForm = z
  .object({
    id: ZId,
    name: ZLine(1, 40),
    // Stored lower-cased: the identity provider's address is matched to it case-insensitively.
    email: z.optional(z.pipe(z.string().check(z.trim(), z.toLowerCase()), z.email())),
    role: z.enum(ROLES),
    scope: z.string().check(z.minLength(1)),
  })
  .check(
    z.superRefine((u, ctx) => {
      if (u.role === 'admin' && u.scope !== '*') ctx.addIssue({ code: 'custom', message: 'scopeAdmin', path: ['scope'], input: u.scope });
      if (u.role !== 'admin' && !z.safeParse(ZId, u.scope).success)
        ctx.addIssue({
          code: 'custom',
          message: u.role === 'supervisor' ? 'scopeSupervisor' : 'scopeManager',
          path: ['scope'],
          input: u.scope,
        });
    }),
  );

export type TRegionForm = z.infer<typeof ZRegionForm>;
export type THallForm = z.infer<typeof ZHallForm>;
export type TUnitForm = z.infer<typeof ZUnitForm>;
export type TUserForm = z.infer<typeof ZUserForm>;

/** A posted form's text fields, trimmed; an empty field is absent (so an optional field left blank is simply not given). */
export function formValues(form: Record<string, unknown>, fields: readonly string[]): Record<string, string | undefined> {
  return Object.fromEntries(
    fields.map((f) => [f, typeof form[f] === 'string' && (form[f] as string).trim() ? (form[f] as string).trim() : undefined]),
  );
}

/** Each field's first problem as a message key: a refinement's own key, else the field's. */
export function formErrors(
  issues: readonly { path: readonly PropertyKey[]; message: string }[],
  fieldKeys: Partial<Record<string, TAdminError>> = {},
): TFormErrors {
  const out: TFormErrors = {};
  for (const issue of issues) {
    const field = String(issue.path[0] ?? '_form');
    if (out[field]) continue;
    out[field] =
      issue.message in ADMIN_ERRORS
        ? (issue.message as TAdminError)
        : (fieldKeys[field] ?? (field in ADMIN_ERRORS ? (field as TAdminError) : 'invalid'));
  }
  return out;
}

export const toRegion = (f: TRegionForm): TRegion => ({ id: f.id, name: f.name, nameEn: f.nameEn, parentId: f.parentId, level: f.level });

export const toHall = (f: THallForm): THall => ({
  id: f.id,
  name: f.name,
  nameEn: f.nameEn,
  regionId: f.regionId,
  timezone: f.timezone,
  openingHours: f.open && f.close ? { open: f.open, close: f.close } : undefined,
});

/**
 * Where a region may hang: under an existing region that is neither itself nor below it, or at the top if there is
 * no other top region (the tree has one root: the administrator's home and every supervisor's chain end there).
 */
export function placementError(regions: readonly TRegion[], regionId: string, parentId: string | undefined): TAdminError | undefined {
  if (parentId === undefined) return regions.some((r) => !r.parentId && r.id !== regionId) ? 'oneRoot' : undefined;
  if (!regions.some((r) => r.id === parentId)) return 'parentUnknown';
  return wouldCycle(new Map(regions.map((r) => [r.id, r.parentId])), regionId, parentId) ? 'cycle' : undefined;
}

/** True if hanging `regionId` under `parentId` would put it under itself (the parent is the region or below it). */
export function wouldCycle(regionParent: Map<string, string | undefined>, regionId: string, parentId: string | undefined): boolean {
  const seen = new Set<string>();
  for (let at = parentId; at !== undefined && !seen.has(at); at = regionParent.get(at)) {
    if (at === regionId) return true;
    seen.add(at);
  }
  return false;
}
