/**
 * The administration pages' words and forms (administrators only): the region tree with its halls, a hall's windows
 * and services, staff users. Server-rendered forms that work without JavaScript; every input has a visible label,
 * and a refused form comes back with each field's own message next to it and a summary at the top.
 */
import { html } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import type { TUser } from '../../domain/access.js';
import { ADMIN_ERRORS, REGION_LEVELS, ROLES, type TFormErrors } from '../../domain/admin.js';
import type { THall, TRegion, TService, TWindow } from '../../domain/model.js';
import type { TApiKeyRecord } from '../../storage/api-keys.js';
import { D } from './dashboard.js';
import type { TLang } from './i18n.js';

type Html = HtmlEscapedString | Promise<HtmlEscapedString>;

export const A = {
  zh: {
    regions: '区域与大厅',
    users: '工作人员',
    calendar: '工作日历与期限',
    webhooks: 'Webhook 推送',
    addRegion: '新增区域',
    addHall: '新增大厅',
    editRegion: '编辑区域',
    deleteRegion: '删除区域',
    deleteHint: '只有没有下级区域、没有大厅、也没有督导员以它为范围的区域才能删除。',
    id: '编号',
    idHint: '1–40 个英文字母、数字、“_”或“-”；保存后不能修改。',
    hallIdHint: '印在评价二维码里：保存后不能修改。',
    nameZh: '中文名',
    nameEn: '英文名（可选）',
    parent: '上级区域',
    noParent: '（无：顶级区域）',
    findRegion: '查找区域',
    findRegionHint: '选择列表只列出顶级区域和当前所选区域的上下级；其他区域按编号开头查找后即出现在列表中。',
    findRegionBy: '区域编号开头',
    find: '查找',
    foundNone: '没有账号以此开头的区域。',
    level: '层级',
    levels: { province: '省', city: '市', district: '区县', street: '街道' } as Record<string, string>,
    region: '所在区域',
    chooseRegion: '请选择',
    timezone: '时区',
    timezoneHint: 'IANA 时区名，例如 Asia/Shanghai',
    open: '开门时间（可选）',
    close: '关门时间（可选）',
    clockHint: '24 小时制 HH:MM，例如 08:30',
    save: '保存',
    add: '添加',
    hallDetails: '大厅信息',
    addWindow: '新增窗口',
    addService: '新增事项',
    state: '状态',
    inUse: '使用中',
    retired: '已停用',
    retire: '停用',
    restore: '恢复',
    saveName: '保存名称',
    actions: '操作',
    retireHint:
      '停用的窗口不再出现在评价牌和取号机的窗口列表里，也不能再取号；它的历史评价和评分都保留，可以随时恢复。停用的事项同样不能再取号。',
    noUnits: '还没有。',
    dashboard: '服务温度看板',
    unassigned: '所属区域不存在的大厅',
    hallWord: '大厅',
    subRegions: '下级区域与大厅',
    nothingBelow: '下面还没有区域或大厅。',
    openBelow: '打开下一级',
    treeCapped: '区域较多，只展开到这一层；点“打开下一级”逐级查看。',
    searchUsers: '查找工作人员',
    searchHint: '账号开头、姓名开头或完整邮箱',
    search: '查找',
    nextPage: '下一页',
    firstPage: '第一页',
    refine: '结果较多，只显示前面的部分；请输入更完整的内容。',
    noUsersFound: '没有找到工作人员。',
    scopeIdHint: '管理员填 *，督导员填区域账号（可从列表选择），大厅负责人填大厅账号。',
    name: '姓名',
    email: '邮箱（可选，用于统一身份登录）',
    emailShort: '邮箱',
    role: '角色',
    scope: '管理范围',
    identity: '统一身份',
    bound: '已绑定',
    notBound: '未绑定',
    roles: { admin: '管理员', supervisor: '督导员', manager: '大厅负责人' } as Record<string, string>,
    scopeAll: '全部（*，管理员）',
    scopeHint: '管理员选“全部”，督导员选一个区域，大厅负责人选一个大厅。',
    addUser: '新增工作人员',
    editUser: '编辑工作人员',
    edit: '编辑',
    unbind: '解除身份绑定',
    unbindHint: '清除首次统一身份登录时绑定的身份；下次用这个邮箱登录时重新绑定。',
    removeUser: '删除工作人员',
    removeHint: '删除后，这位工作人员立即不能再使用系统。',
    endSessions: '结束全部登录',
    endSessionsHint: '这位工作人员在所有设备上的登录立即失效，需要重新登录。',
    regionGroup: '区域',
    hallGroup: '大厅',
    you: '（您本人）',
    fixErrors: '请修正以下问题：',
    saved: '已保存。',
    chooseRole: '请选择',
    chooseScope: '请选择',
  },
  en: {
    regions: 'Regions and halls',
    users: 'Staff users',
    calendar: 'Calendar and deadlines',
    webhooks: 'Webhooks',
    addRegion: 'Add a region',
    addHall: 'Add a hall',
    editRegion: 'Edit region',
    deleteRegion: 'Delete region',
    deleteHint: 'Only a region without sub-regions, halls or supervisors scoped to it can be deleted.',
    id: 'Id',
    idHint: '1–40 letters, digits, "_" or "-"; cannot be changed later.',
    hallIdHint: 'Printed inside the rating QR codes: cannot be changed later.',
    nameZh: 'Chinese name',
    nameEn: 'English name (optional)',
    parent: 'Parent region',
    noParent: '(none: the top region)',
    findRegion: 'Find a region',
    findRegionHint:
      'The choice lists hold the top regions and the chosen region with the levels above and beside it; find any other ' +
      'region by the start of its id and it joins the lists.',
    findRegionBy: 'Start of the region id',
    find: 'Find',
    foundNone: 'No region id starts with that.',
    level: 'Level',
    levels: { province: 'province', city: 'city', district: 'district', street: 'street' } as Record<string, string>,
    region: 'Region',
    chooseRegion: 'Choose',
    timezone: 'Time zone',
    timezoneHint: 'An IANA name, e.g. Asia/Shanghai',
    open: 'Opens at (optional)',
    close: 'Closes at (optional)',
    clockHint: '24-hour HH:MM, e.g. 08:30',
    save: 'Save',
    add: 'Add',
    hallDetails: 'Hall details',
    addWindow: 'Add a window',
    addService: 'Add a service',
    state: 'State',
    inUse: 'in use',
    retired: 'retired',
    retire: 'Retire',
    restore: 'Restore',
    saveName: 'Save name',
    actions: 'Actions',
    retireHint:
      "A retired window no longer appears on placards or in the queue machine's window list and issues no new tickets; " +
      'its ratings and scores stay, and it can be restored. A retired service issues no new tickets either.',
    noUnits: 'None yet.',
    dashboard: 'Temperature dashboard',
    unassigned: 'Halls whose region does not exist',
    hallWord: 'hall',
    subRegions: 'Sub-regions and halls',
    nothingBelow: 'Nothing below this region yet.',
    openBelow: 'Open the next level',
    treeCapped: 'A large tree: opened to this level; use "Open the next level" to go down one level at a time.',
    searchUsers: 'Find staff users',
    searchHint: 'The start of an id or a name, or a whole email address',
    search: 'Find',
    nextPage: 'Next page',
    firstPage: 'First page',
    refine: 'Many matches: only the first are shown; type more to narrow them.',
    noUsersFound: 'No staff user found.',
    scopeIdHint: 'Administrators: *; supervisors: a region id (pick from the list); hall managers: the hall id.',
    name: 'Name',
    email: 'Email (optional; for identity-provider sign-in)',
    emailShort: 'Email',
    role: 'Role',
    scope: 'Scope',
    identity: 'Identity',
    bound: 'bound',
    notBound: 'not bound',
    roles: { admin: 'administrator', supervisor: 'supervisor', manager: 'hall manager' } as Record<string, string>,
    scopeAll: 'Everything (*, administrators)',
    scopeHint: 'Administrators: everything; supervisors: a region; hall managers: a hall.',
    addUser: 'Add a staff user',
    editUser: 'Edit staff user',
    edit: 'Edit',
    unbind: 'Unbind identity',
    unbindHint: 'Forgets the identity bound at the first identity-provider sign-in; the next sign-in with this email binds again.',
    removeUser: 'Remove user',
    removeHint: 'The user can no longer use the system, from their next click on.',
    endSessions: 'End all sessions',
    endSessionsHint: 'Signs the user out on every device at once; they must sign in again.',
    regionGroup: 'Regions',
    hallGroup: 'Halls',
    you: '(you)',
    fixErrors: 'Please fix the following:',
    saved: 'Saved.',
    chooseRole: 'Choose',
    chooseScope: 'Choose',
  },
} as const;
type TA = (typeof A)[TLang];

/** A form that came back refused: which form, what was typed, and each field's message. */
export interface TFailed {
  form: string;
  values: Record<string, string | undefined>;
  errors: TFormErrors;
}

export interface TFormCtx {
  lang: TLang;
  csrf: string;
}

const nameIn = (lang: TLang, x: { name: string; nameEn?: string }) => (lang === 'en' && x.nameEn) || x.name;
const q = (lang: TLang) => `lang=${lang}`;

/** What a form shows: the refused values if it is the refused form, else the stored ones. */
function state(form: string, failed: TFailed | undefined, stored: Record<string, string | undefined> = {}) {
  const mine = failed?.form === form ? failed : undefined;
  return { value: (f: string) => (mine ? mine.values[f] : stored[f]), error: (f: string) => mine?.errors[f], errors: mine?.errors };
}

function errorSummary(ctx: TFormCtx, form: string, errors: TFormErrors | undefined): Html | '' {
  if (!errors || !Object.keys(errors).length) return '';
  return html`<div class="errors" role="alert"><p><strong>${A[ctx.lang].fixErrors}</strong></p><ul>${Object.entries(errors).map(
    ([field, key]) =>
      field === '_form'
        ? html`<li>${ADMIN_ERRORS[key][ctx.lang]}</li>`
        : html`<li><a href="#${form}-${field}">${ADMIN_ERRORS[key][ctx.lang]}</a></li>`,
  )}</ul></div>`;
}

interface TField {
  form: string;
  name: string;
  label: string;
  value?: string;
  error?: keyof typeof ADMIN_ERRORS;
  hint?: string;
  required?: boolean;
  max?: number;
  type?: 'text' | 'email' | 'time';
  autocomplete?: string;
}

function field(ctx: TFormCtx, f: TField): Html {
  const id = `${f.form}-${f.name}`;
  const described = [f.hint ? `${id}-hint` : '', f.error ? `${id}-err` : ''].filter(Boolean).join(' ');
  return html`<div class="field"><label for="${id}">${f.label}</label>${
    f.hint
      ? html`<span class="hint" id="${id}-hint">\
${f.hint}</span>`
      : ''
  }<input id="${id}" name="${f.name}" type="${f.type ?? 'text'}" value="${f.value ?? ''}" autocomplete="\
${f.autocomplete ?? 'off'}"${f.required ? html` required` : ''}${
    f.max
      ? html` maxlength="\
${f.max}"`
      : ''
  }${described ? html` aria-describedby="${described}"` : ''}${f.error ? html` aria-invalid="true"` : ''}>\
${f.error ? html`<span class="err" id="${id}-err">${ADMIN_ERRORS[f.error][ctx.lang]}</span>` : ''}</div>`;
}

type TOption = { value: string; label: string };
function select(
  ctx: TFormCtx,
  f: Omit<TField, 'type' | 'max' | 'autocomplete'> & { groups: { label?: string; options: TOption[] }[] },
): Html {
  const id = `${f.form}-${f.name}`;
  const described = [f.hint ? `${id}-hint` : '', f.error ? `${id}-err` : ''].filter(Boolean).join(' ');
  const opts = (list: TOption[]) =>
    list.map((o) => html`<option value="${o.value}"${o.value === (f.value ?? '') ? html` selected` : ''}>${o.label}</option>`);
  return html`<div class="field"><label for="${id}">${f.label}</label>${
    f.hint
      ? html`<span class="hint" id="${id}-hint">\
${f.hint}</span>`
      : ''
  }<select id="${id}" name="${f.name}"${f.required ? html` required` : ''}${
    described
      ? html` aria-describedby="\
${described}"`
      : ''
  }${f.error ? html` aria-invalid="true"` : ''}>${f.groups.map((g) =>
    g.label
      ? html`<optgroup label="${g.label}">\
${opts(g.options)}</optgroup>`
      : opts(g.options),
  )}</select>${
    f.error
      ? html`<span class="err" id="${id}-err">\
${ADMIN_ERRORS[f.error][ctx.lang]}</span>`
      : ''
  }</div>`;
}

const csrfInput = (ctx: TFormCtx) => html`<input type="hidden" name="_csrf" value="${ctx.csrf}">`;

/** The administration section's own navigation, with the page's place in it. */
export function adminNav(lang: TLang, current: 'regions' | 'users' | 'calendar' | 'webhooks'): Html {
  const a = A[lang];
  const link = (to: 'regions' | 'users' | 'calendar' | 'webhooks') =>
    html`<a href="/admin/${to}?${q(lang)}"${current === to ? html` aria-current="page"` : ''}>${a[to]}</a>`;
  const links = html`${link('regions')} ${link('users')} ${link('calendar')} ${link('webhooks')}`;
  return html`<nav class="adm-nav" aria-label="${D[lang].admin}">${links}</nav>`;
}

/**
 * The region picker's search (no script): a GET form back to the same page; the regions whose id starts with what
 * was typed are listed here and join the page's choice lists (a national tree has 3,500 regions: no list holds all).
 */
export function regionFinder(lang: TLang, path: string, rq: string | undefined, found: readonly TRegion[]): Html {
  const a = A[lang];
  const list = found.length
    ? html`<ul>${found.map((r) => html`<li><code>${r.id}</code> ${nameIn(lang, r)}</li>`)}</ul>`
    : rq
      ? html`<p>${a.foundNone}</p>`
      : '';
  return html`<h2 id="find-region">${a.findRegion}</h2><p class="muted" id="find-region-hint">${a.findRegionHint}</p>
<form method="get" action="${path}#find-region" class="adm" role="search"><input type="hidden" name="lang" value="${lang}">\
<div class="field"><label for="find-rq">${a.findRegionBy}</label><input id="find-rq" name="rq" type="search" value="${rq ?? ''}" \
maxlength="40" autocomplete="off" aria-describedby="find-region-hint"></div><button type="submit" class="btn quiet">${a.find}</button>\
</form>${list}`;
}

export const savedNote = (lang: TLang, saved: boolean) => (saved ? html`<p class="saved" role="status">${A[lang].saved}</p>` : '');

const levelOptions = (a: TA): TOption[] => REGION_LEVELS.map((l) => ({ value: l, label: a.levels[l] }));
const regionOptions = (lang: TLang, regions: readonly TRegion[]): TOption[] =>
  regions.map((r) => ({ value: r.id, label: `${nameIn(lang, r)} (${r.id})` }));

/* ---------------------------------------------------------------- the region tree */

function regionTree(lang: TLang, regions: readonly TRegion[], halls: readonly THall[], collapsed?: ReadonlySet<string>): Html {
  const a = A[lang];
  const w = D[lang];
  const known = new Set(regions.map((r) => r.id));
  const hallItem = (h: THall) =>
    html`<li class="hall-item"><a href="/admin/halls/${h.id}?${q(lang)}">${nameIn(lang, h)}</a> <span class="muted">${a.hallWord} · \
${h.id}</span> · <a href="/halls/${h.id}/placards?${q(lang)}">${w.placards}</a> · <a href="/admin/halls/${h.id}/keys?${q(lang)}">\
${w.keys}</a></li>`;
  const node = (r: TRegion, seen: Set<string>): Html => {
    seen.add(r.id);
    // A collapsed node (a large tree is opened a level at a time) links to its own page, which lists its children.
    const open = html` · <a href="/admin/regions/${r.id}?${q(lang)}#below">${a.openBelow}</a>`;
    if (collapsed?.has(r.id))
      return html`<li><a href="/admin/regions/${r.id}?${q(lang)}">${nameIn(lang, r)}</a> <span class="muted">\
${a.levels[r.level] ?? r.level} · ${r.id}</span>${open}</li>`;
    const sub = regions.filter((x) => x.parentId === r.id && !seen.has(x.id));
    const hs = halls.filter((h) => h.regionId === r.id);
    return html`<li><a href="/admin/regions/${r.id}?${q(lang)}">${nameIn(lang, r)}</a> <span class="muted">\
${a.levels[r.level] ?? r.level} · ${r.id}</span>${
      sub.length || hs.length ? html`<ul>${sub.map((x) => node(x, seen))}${hs.map(hallItem)}</ul>` : ''
    }</li>`;
  };
  const seen = new Set<string>();
  // Tops: the root, and any region whose parent is gone (shown rather than hidden, so it can be fixed).
  const tops = regions.filter((r) => !r.parentId || !known.has(r.parentId));
  const orphans = collapsed ? [] : halls.filter((h) => !known.has(h.regionId));
  return html`<ul class="tree">${tops.map((r) => node(r, seen))}</ul>${
    orphans.length
      ? html`<h2>${a.unassigned}</h2><ul class="tree">\
${orphans.map(hallItem)}</ul>`
      : ''
  }`;
}

export function regionsBody(
  ctx: TFormCtx,
  opts: {
    regions: TRegion[];
    halls: THall[];
    collapsed?: ReadonlySet<string>;
    /** every region, for the forms' choices (the tree may show fewer) */
    options?: TRegion[];
    failed?: TFailed;
    saved?: boolean;
    /** the region picker's search, shown below the forms that pick a region */
    finder?: Html;
  },
): Html {
  const { lang } = ctx;
  const a = A[lang];
  const rf = state('region', opts.failed);
  const hf = state('hall', opts.failed, { timezone: 'Asia/Shanghai' });
  return html`${adminNav(lang, 'regions')}<h1>${a.regions}</h1>${savedNote(lang, !!opts.saved)}
${opts.collapsed?.size ? html`<p class="muted">${a.treeCapped}</p>` : ''}${regionTree(lang, opts.regions, opts.halls, opts.collapsed)}
<h2 id="add-region">${a.addRegion}</h2>
<form method="post" action="/admin/regions?${q(lang)}" class="adm" novalidate>${csrfInput(ctx)}${errorSummary(ctx, 'region', rf.errors)}
${field(ctx, {
  form: 'region',
  name: 'id',
  label: a.id,
  hint: a.idHint,
  value: rf.value('id'),
  error: rf.error('id'),
  required: true,
  max: 40,
})}
${field(ctx, { form: 'region', name: 'name', label: a.nameZh, value: rf.value('name'), error: rf.error('name'), required: true, max: 60 })}
${field(ctx, { form: 'region', name: 'nameEn', label: a.nameEn, value: rf.value('nameEn'), error: rf.error('nameEn'), max: 120 })}
${select(ctx, {
  form: 'region',
  name: 'parentId',
  label: a.parent,
  value: rf.value('parentId'),
  error: rf.error('parentId'),
  groups: [{ options: [{ value: '', label: a.noParent }, ...regionOptions(lang, opts.options ?? opts.regions)] }],
})}
${select(ctx, {
  form: 'region',
  name: 'level',
  label: a.level,
  value: rf.value('level'),
  error: rf.error('level'),
  required: true,
  groups: [{ options: [{ value: '', label: a.chooseRegion }, ...levelOptions(a)] }],
})}
<button type="submit" class="btn">${a.addRegion}</button></form>
<h2 id="add-hall">${a.addHall}</h2>
<form method="post" action="/admin/halls?${q(lang)}" class="adm" novalidate>${csrfInput(ctx)}${errorSummary(ctx, 'hall', hf.errors)}
${field(ctx, {
  form: 'hall',
  name: 'id',
  label: a.id,
  hint: `${a.idHint} ${a.hallIdHint}`,
  value: hf.value('id'),
  error: hf.error('id'),
  required: true,
  max: 40,
})}
${hallFields(ctx, 'hall', hf, opts.options ?? opts.regions)}
<button type="submit" class="btn">${a.addHall}</button></form>
${opts.finder ?? ''}`;
}

function hallFields(ctx: TFormCtx, form: string, s: ReturnType<typeof state>, regions: readonly TRegion[]): Html {
  const a = A[ctx.lang];
  return html`${field(ctx, {
    form,
    name: 'name',
    label: a.nameZh,
    value: s.value('name'),
    error: s.error('name'),
    required: true,
    max: 60,
  })}
${field(ctx, { form, name: 'nameEn', label: a.nameEn, value: s.value('nameEn'), error: s.error('nameEn'), max: 120 })}
${select(ctx, {
  form,
  name: 'regionId',
  label: a.region,
  value: s.value('regionId'),
  error: s.error('regionId'),
  required: true,
  groups: [{ options: [{ value: '', label: a.chooseRegion }, ...regionOptions(ctx.lang, regions)] }],
})}
${field(ctx, {
  form,
  name: 'timezone',
  label: a.timezone,
  hint: a.timezoneHint,
  value: s.value('timezone'),
  error: s.error('timezone'),
  required: true,
  max: 64,
})}
<div class="pair">${field(ctx, {
    form,
    name: 'open',
    label: a.open,
    hint: a.clockHint,
    value: s.value('open'),
    error: s.error('open'),
    max: 5,
  })}
${field(ctx, { form, name: 'close', label: a.close, hint: a.clockHint, value: s.value('close'), error: s.error('close'), max: 5 })}</div>`;
}

/** One region: its form (names, level, parent), what hangs below it, and deletion. */
export function regionBody(
  ctx: TFormCtx,
  opts: { region: TRegion; regions: TRegion[]; halls: THall[]; failed?: TFailed; saved?: boolean; finder?: Html },
): Html {
  const { lang } = ctx;
  const a = A[lang];
  const { region } = opts;
  // Offered parents: never the region itself nor anything below it (the server refuses those anyway).
  const below = new Set<string>([region.id]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const r of opts.regions) if (r.parentId && below.has(r.parentId) && !below.has(r.id)) below.add(r.id), (grew = true);
  }
  const s = state('edit', opts.failed, { name: region.name, nameEn: region.nameEn, parentId: region.parentId, level: region.level });
  const del = state('delete', opts.failed);
  const sub = opts.regions.filter((r) => r.parentId === region.id);
  const hs = opts.halls.filter((h) => h.regionId === region.id);
  return html`${adminNav(lang, 'regions')}<h1>${a.editRegion}: ${nameIn(lang, region)}</h1>${savedNote(lang, !!opts.saved)}
<p class="muted">${a.id} <code>${region.id}</code> · <a href="/regions/${region.id}?${q(lang)}">${a.dashboard}</a></p>
<form method="post" action="/admin/regions/${region.id}?${q(lang)}" class="adm" novalidate>${csrfInput(ctx)}${errorSummary(
    ctx,
    'edit',
    s.errors,
  )}
${field(ctx, { form: 'edit', name: 'name', label: a.nameZh, value: s.value('name'), error: s.error('name'), required: true, max: 60 })}
${field(ctx, { form: 'edit', name: 'nameEn', label: a.nameEn, value: s.value('nameEn'), error: s.error('nameEn'), max: 120 })}
${select(ctx, {
  form: 'edit',
  name: 'parentId',
  label: a.parent,
  value: s.value('parentId'),
  error: s.error('parentId'),
  groups: [
    {
      options: [
        { value: '', label: a.noParent },
        ...regionOptions(
          lang,
          opts.regions.filter((r) => !below.has(r.id)),
        ),
      ],
    },
  ],
})}
${select(ctx, {
  form: 'edit',
  name: 'level',
  label: a.level,
  value: s.value('level'),
  error: s.error('level'),
  required: true,
  groups: [{ options: levelOptions(a) }],
})}
<button type="submit" class="btn">${a.save}</button></form>
${opts.finder ?? ''}
<h2 id="below">${a.subRegions}</h2>${
    sub.length || hs.length
      ? html`<ul>${sub.map(
          (r) => html`<li><a href="/admin/regions/${r.id}?${q(lang)}">\
${nameIn(lang, r)}</a></li>`,
        )}${hs.map(
          (h) => html`<li><a href="/admin/halls/${h.id}?${q(lang)}">${nameIn(lang, h)}</a>\
</li>`,
        )}</ul>`
      : html`<p>${a.nothingBelow}</p>`
  }
<h2>${a.deleteRegion}</h2><p class="muted" id="delete-hint">${a.deleteHint}</p>
<form method="post" action="/admin/regions/${region.id}/delete?${q(lang)}" class="adm">${csrfInput(ctx)}${errorSummary(
    ctx,
    'delete',
    del.errors,
  )}<button type="submit" class="btn danger" aria-describedby="delete-hint">${a.deleteRegion}</button></form>`;
}

/* ---------------------------------------------------------------- a hall: details, windows, services */

export function hallBody(
  ctx: TFormCtx,
  opts: {
    hall: THall;
    windows: TWindow[];
    services: TService[];
    regions: TRegion[];
    keys: (TApiKeyRecord & { keyId: string })[];
    failed?: TFailed;
    saved?: boolean;
    finder?: Html;
  },
): Html {
  const { lang } = ctx;
  const a = A[lang];
  const w = D[lang];
  const { hall } = opts;
  const s = state('hall', opts.failed, {
    name: hall.name,
    nameEn: hall.nameEn,
    regionId: hall.regionId,
    timezone: hall.timezone,
    open: hall.openingHours?.open,
    close: hall.openingHours?.close,
  });
  const active = opts.keys.filter((k) => !k.revokedAt).length;
  return html`${adminNav(lang, 'regions')}<h1>${nameIn(lang, hall)}</h1>${savedNote(lang, !!opts.saved)}
<p class="muted">${a.id} <code>${hall.id}</code> · <a href="/halls/${hall.id}?${q(lang)}">${a.dashboard}</a> · <a href="/halls/\
${hall.id}/placards?${q(lang)}">${w.placards}</a> · <a href="/admin/halls/${hall.id}/keys?${q(lang)}">${w.keys} (${active})</a></p>
<h2>${a.hallDetails}</h2>
<form method="post" action="/admin/halls/${hall.id}?${q(lang)}" class="adm" novalidate>${csrfInput(ctx)}${errorSummary(
    ctx,
    'hall',
    s.errors,
  )}
${hallFields(ctx, 'hall', s, opts.regions)}
<button type="submit" class="btn">${a.save}</button></form>
${opts.finder ?? ''}
${publicSection(ctx, hall)}
<p class="muted" id="retire-hint">${a.retireHint}</p>
${unitSection(ctx, hall.id, 'windows', opts.windows, opts.failed)}
${unitSection(ctx, hall.id, 'services', opts.services, opts.failed)}`;
}

const PUBLIC_WORDS = {
  zh: {
    title: '公开页面',
    on: '公开：任何人都能看到本大厅的公开页、大厅屏和开放数据。',
    off: '未公开：本大厅的公开页、大厅屏和开放数据都显示为"不存在"（例如试点期间）。',
    hide: '从公开页面撤下',
    show: '公开本大厅',
  },
  en: {
    title: 'Public pages',
    on: "Public: anyone can see this hall's public page, lobby board and open data.",
    off: "Not public: this hall's public page, lobby board and open data answer as if it did not exist (a pilot, say).",
    hide: 'Take off the public pages',
    show: 'Make this hall public',
  },
} as const;

/** The hall's public switch (issue 12): one audited form post, default public. */
function publicSection(ctx: TFormCtx, hall: THall): Html {
  const p = PUBLIC_WORDS[ctx.lang];
  const on = hall.public !== false;
  const link = on ? html` · <a href="/p/${hall.id}">/p/${hall.id}</a>` : '';
  return html`<h2 id="public">${p.title}</h2><p>${on ? p.on : p.off}${link}</p>
<form method="post" action="/admin/halls/${hall.id}/public?${q(ctx.lang)}" class="adm">${csrfInput(ctx)}\
<input type="hidden" name="public" value="${on ? 'off' : 'on'}"><button type="submit" class="btn">${on ? p.hide : p.show}</button></form>`;
}

function unitSection(ctx: TFormCtx, hallId: string, kind: 'windows' | 'services', units: (TWindow | TService)[], failed?: TFailed): Html {
  const { lang } = ctx;
  const a = A[lang];
  const w = D[lang];
  const k = kind === 'windows' ? 'win' : 'svc';
  const add = state(`${k}-add`, failed);
  const base = `/admin/halls/${hallId}/${kind}`;
  const rows = units.map((u) => {
    const form = `${k}-${u.id}`;
    const s = state(form, failed, { name: u.name, nameEn: u.nameEn });
    return html`<tr${u.retiredAt ? html` class="retired"` : ''}><td><code>${u.id}</code></td>
<td><form method="post" action="${base}/${u.id}?${q(lang)}" class="adm inline" novalidate>${csrfInput(ctx)}${errorSummary(
      ctx,
      form,
      s.errors,
    )}
${field(ctx, { form, name: 'name', label: a.nameZh, value: s.value('name'), error: s.error('name'), required: true, max: 60 })}
${field(ctx, { form, name: 'nameEn', label: a.nameEn, value: s.value('nameEn'), error: s.error('nameEn'), max: 120 })}
<button type="submit" class="btn quiet">${a.saveName}</button></form></td>
<td>${u.retiredAt ? `${a.retired} ${u.retiredAt.slice(0, 10)}` : a.inUse}</td>
<td><form method="post" action="${base}/${u.id}/${u.retiredAt ? 'restore' : 'retire'}?${q(lang)}">\
${csrfInput(ctx)}<button type="submit" class="btn ${u.retiredAt ? 'quiet' : 'danger'}" aria-describedby="retire-hint">\
${u.retiredAt ? a.restore : a.retire}</button></form></td></tr>`;
  });
  return html`<h2 id="${kind}">${kind === 'windows' ? w.windows : w.services}</h2>
${
  units.length
    ? html`<table class="units"><thead><tr><th>${a.id}</th><th>${w.name}</th><th>${a.state}</th><th>${a.actions}</th></tr>\
</thead><tbody>${rows}</tbody></table>`
    : html`<p>${a.noUnits}</p>`
}
<h3>${kind === 'windows' ? a.addWindow : a.addService}</h3>
<form method="post" action="${base}?${q(lang)}" class="adm" novalidate>${csrfInput(ctx)}${errorSummary(ctx, `${k}-add`, add.errors)}
${field(ctx, {
  form: `${k}-add`,
  name: 'id',
  label: a.id,
  hint: a.idHint,
  value: add.value('id'),
  error: add.error('id'),
  required: true,
  max: 40,
})}
${field(ctx, {
  form: `${k}-add`,
  name: 'name',
  label: a.nameZh,
  value: add.value('name'),
  error: add.error('name'),
  required: true,
  max: 60,
})}
${field(ctx, { form: `${k}-add`, name: 'nameEn', label: a.nameEn, value: add.value('nameEn'), error: add.error('nameEn'), max: 120 })}
<button type="submit" class="btn">${kind === 'windows' ? a.addWindow : a.addService}</button></form>`;
}

/* ---------------------------------------------------------------- staff users */

function scopeLabel(lang: TLang, u: TUser, units: ReadonlyMap<string, { name: string; nameEn?: string }>): string {
  if (u.scope === '*') return A[lang].scopeAll;
  const unit = units.get(u.scope);
  return unit ? `${nameIn(lang, unit)} (${u.scope})` : u.scope;
}

/**
 * The scope is typed (a national deployment has 50,000 halls: no list of them fits a page); the regions are offered
 * as suggestions. The server checks it is a real unit of the role's kind.
 */
function userFields(ctx: TFormCtx, form: string, s: ReturnType<typeof state>, regions: readonly TRegion[]): Html {
  const { lang } = ctx;
  const a = A[lang];
  const id = `${form}-scope`;
  const err = s.error('scope');
  const described = [`${id}-hint`, err ? `${id}-err` : ''].filter(Boolean).join(' ');
  return html`${field(ctx, { form, name: 'name', label: a.name, value: s.value('name'), error: s.error('name'), required: true, max: 40 })}
${field(ctx, { form, name: 'email', label: a.email, type: 'email', value: s.value('email'), error: s.error('email'), max: 254 })}
${select(ctx, {
  form,
  name: 'role',
  label: a.role,
  value: s.value('role'),
  error: s.error('role'),
  required: true,
  groups: [{ options: [{ value: '', label: a.chooseRole }, ...ROLES.map((r) => ({ value: r, label: a.roles[r] }))] }],
})}
<div class="field"><label for="${id}">${a.scope}</label><span class="hint" id="${id}-hint">${a.scopeIdHint}</span>\
<input id="${id}" name="scope" type="text" list="${id}-list" value="${s.value('scope') ?? ''}" autocomplete="off" required \
maxlength="40" aria-describedby="${described}"${err ? html` aria-invalid="true"` : ''}>\
${err ? html`<span class="err" id="${id}-err">${ADMIN_ERRORS[err][ctx.lang]}</span>` : ''}<datalist id="${id}-list">\
<option value="*">${a.scopeAll}</option>${regions.map((r) => html`<option value="${r.id}">${nameIn(lang, r)}</option>`)}</datalist></div>`;
}

export interface TUsersPage {
  users: TUser[];
  /** the names of the listed users' scopes (only theirs) */
  units: ReadonlyMap<string, { name: string; nameEn?: string }>;
  q?: string;
  /** the next page's cursor (browsing), or true: a search with more matches than shown */
  next?: string | true;
  after?: string;
}

export function usersBody(
  ctx: TFormCtx,
  opts: TUsersPage & { me: string; regions: TRegion[]; failed?: TFailed; saved?: boolean; finder?: Html },
): Html {
  const { lang } = ctx;
  const a = A[lang];
  const s = state('user', opts.failed);
  const more =
    opts.next === true
      ? html`<p class="muted">${a.refine}</p>`
      : opts.next
        ? html`<p><a href="/admin/users?${q(lang)}&amp;after=${encodeURIComponent(opts.next)}">${a.nextPage}</a></p>`
        : '';
  const first = opts.after ? html`<p><a href="/admin/users?${q(lang)}">${a.firstPage}</a></p>` : '';
  return html`${adminNav(lang, 'users')}<h1>${a.users}</h1>${savedNote(lang, !!opts.saved)}
<form method="get" action="/admin/users" class="adm" role="search"><input type="hidden" name="lang" value="${lang}">\
<div class="field"><label for="find-q">${a.searchUsers}</label><span class="hint" id="find-q-hint">${a.searchHint}</span>\
<input id="find-q" name="q" type="search" value="${opts.q ?? ''}" maxlength="254" autocomplete="off" aria-describedby="find-q-hint">\
</div><button type="submit" class="btn quiet">${a.search}</button></form>
${
  opts.users.length
    ? html`<table><thead><tr><th>${a.id}</th><th>${a.name}</th><th>${a.emailShort}</th><th>${a.role}</th><th>${a.scope}</th>\
<th>${a.identity}</th><th>${a.actions}</th></tr></thead><tbody>
${opts.users.map(
  (u) => html`<tr><td><code>${u.id}</code></td><td>${u.name}${u.id === opts.me ? ` ${a.you}` : ''}</td><td>\
${u.email ?? '—'}</td><td>${a.roles[u.role] ?? u.role}</td><td>${scopeLabel(lang, u, opts.units)}</td><td>\
${u.oidcSub ? a.bound : a.notBound}</td><td><a href="/admin/users/${u.id}?${q(lang)}">${a.edit} ${u.name}</a></td></tr>`,
)}
</tbody></table>`
    : html`<p>${a.noUsersFound}</p>`
}${more}${first}
<h2 id="add-user">${a.addUser}</h2>
<form method="post" action="/admin/users?${q(lang)}" class="adm" novalidate>${csrfInput(ctx)}${errorSummary(ctx, 'user', s.errors)}
${field(ctx, {
  form: 'user',
  name: 'id',
  label: a.id,
  hint: a.idHint,
  value: s.value('id'),
  error: s.error('id'),
  required: true,
  max: 40,
})}
${userFields(ctx, 'user', s, opts.regions)}
<button type="submit" class="btn">${a.addUser}</button></form>
${opts.finder ?? ''}`;
}

export function userBody(
  ctx: TFormCtx,
  opts: { user: TUser; me: string; regions: TRegion[]; failed?: TFailed; saved?: boolean; finder?: Html },
): Html {
  const { lang } = ctx;
  const a = A[lang];
  const { user } = opts;
  const s = state('edit', opts.failed, { name: user.name, email: user.email, role: user.role, scope: user.scope });
  const other = state('remove', opts.failed);
  return html`${adminNav(lang, 'users')}<h1>${a.editUser}: ${user.name}${user.id === opts.me ? ` ${a.you}` : ''}</h1>${savedNote(
    lang,
    !!opts.saved,
  )}
<p class="muted">${a.id} <code>${user.id}</code> · ${a.identity}: ${user.oidcSub ? a.bound : a.notBound}</p>
<form method="post" action="/admin/users/${user.id}?${q(lang)}" class="adm" novalidate>${csrfInput(ctx)}${errorSummary(
    ctx,
    'edit',
    s.errors,
  )}
${userFields(ctx, 'edit', s, opts.regions)}
<button type="submit" class="btn">${a.save}</button></form>
${opts.finder ?? ''}
${
  user.oidcSub
    ? html`<h2>${a.unbind}</h2><p class="muted" id="unbind-hint">${a.unbindHint}</p><form method="post" action="/admin/users/\
${user.id}/unbind?${q(lang)}" class="adm">${csrfInput(ctx)}<button type="submit" class="btn quiet" aria-describedby="unbind-hint">\
${a.unbind}</button></form>`
    : ''
}
<h2>${a.endSessions}</h2><p class="muted" id="sessions-hint">${a.endSessionsHint}</p>
<form method="post" action="/admin/users/${user.id}/sessions/end?${q(lang)}" class="adm">${csrfInput(ctx)}\
<button type="submit" class="btn quiet" aria-describedby="sessions-hint">${a.endSessions}</button></form>
<h2>${a.removeUser}</h2><p class="muted" id="remove-hint">${a.removeHint}</p>
<form method="post" action="/admin/users/${user.id}/remove?${q(lang)}" class="adm">${csrfInput(ctx)}${errorSummary(
    ctx,
    'remove',
    other.errors,
  )}<button type="submit" class="btn danger" aria-describedby="remove-hint">${a.removeUser}</button></form>`;
}
