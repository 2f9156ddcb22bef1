/**
 * Administration (SPEC §2 "Administrator"): the region tree, halls, their windows and services, staff users.
 * Administrators only: anyone else signed in gets the same 404 as an unknown unit, checked on the server for every
 * route. Each change is a form post with the session's CSRF token, answered by a 303 back to the page; refused
 * input comes back as the form with what was typed and a specific message (400), and writes nothing.
 */
import { randomBytes } from 'node:crypto';
import type { Context } from 'hono';
import { html } from 'hono/html';
import { Hono } from 'hono/tiny';
import * as z from 'zod/mini';
import {
  ZHallForm,
  ZRegionForm,
  ZUnitForm,
  ZUserForm,
  formErrors,
  formValues,
  placementError,
  toHall,
  toRegion,
  type TFormErrors,
} from '../../../domain/admin.js';
import { hashApiKey, newApiKey } from '../../../domain/privacy.js';
import { A, hallBody, regionBody, regionFinder, regionsBody, userBody, usersBody, type TFailed } from '../../pages/admin.js';
import { D } from '../../pages/dashboard.js';
import type { TLang } from '../../pages/i18n.js';
import type { TSignedIn, TStaffKit, TWho } from './gate.js';
import { cleanLine } from '../../../domain/text.js';
import { listApiKeys, putApiKey, revokeApiKey } from '../../../storage/api-keys.js';
import { apiKey, apiKeyIdOf } from '../../../storage/keys.js';
import { auditEntry, type TAuditEntry } from '../../../domain/audit.js';
import { appendAudit } from '../../../storage/audit.js';
import { repointHallCases } from '../../../storage/cases.js';
import {
  createUser,
  endSessions,
  findUserByEmail,
  getUser,
  pageUsers,
  removeUser,
  unbindUser,
  updateUser,
  usersOfScope,
} from '../../../storage/users.js';
import type { TUser } from '../../../domain/access.js';
import type { THall, TRegion } from '../../../domain/model.js';
import {
  createHall,
  createRegion,
  createUnit,
  deleteRegion,
  getHall,
  getHallCatalogue,
  getHalls,
  getRegion,
  pageRegions,
  regionAncestors,
  regionChildren,
  renameUnit,
  setHallPublic,
  setUnitRetired,
  updateHall,
  updateRegion,
} from '../../../storage/catalogue.js';

type TAdmin = { lang: TLang; who: TWho };

const REGION_FIELDS = ['id', 'name', 'nameEn', 'parentId', 'level'] as const;
const HALL_FIELDS = ['id', 'name', 'nameEn', 'regionId', 'timezone', 'open', 'close'] as const;
const UNIT_FIELDS = ['id', 'name', 'nameEn'] as const;
const USER_FIELDS = ['id', 'name', 'email', 'role', 'scope'] as const;
/** Users listed per page (and per search). */
const USERS_PAGE = 50;
/** The region tree page opens levels while it shows at most this many regions and halls; deeper ones open one by one. */
const TREE_BUDGET = 400;

/** A region's children (one Query), each read at most once in a request. */
type TKids = (parentId: string | undefined) => ReturnType<typeof regionChildren>;

/** Mounted under /admin. */
export function adminRoutes(kit: TStaffKit) {
  const { deps } = kit;
  const now = deps.now ?? Date.now;
  const r = new Hono();
  const { table } = deps;
  const childrenOnce = (): TKids => {
    const seen = new Map<string, ReturnType<typeof regionChildren>>();
    return (id) => {
      const key = id ?? '';
      if (!seen.has(key)) seen.set(key, regionChildren(table, id));
      return seen.get(key)!;
    };
  };

  /** The gate of every route here: signed in (else to sign-in), an administrator (else the unknown-unit 404). */
  const admin = kit.gate({ admin: true });
  /** A change also needs the form's CSRF token (403, nothing written, if missing or wrong). */
  const csrf = kit.form;
  const as = <E extends TSignedIn>(c: Context<E>): TAdmin => ({ lang: c.var.lang, who: { user: c.var.user, csrf: c.var.csrf } });

  const back = (c: Context, s: TAdmin, path: string, anchor = '') => c.redirect(`${path}?lang=${s.lang}&saved=1${anchor}`, 303);
  const ctx = (s: TAdmin) => ({ lang: s.lang, csrf: s.who.csrf });
  const saved = (c: Context) => c.req.query('saved') === '1';
  const failed = (form: string, values: TFailed['values'], errors: TFormErrors): TFailed => ({ form, values, errors });

  type TChange = Pick<TAuditEntry, 'kind' | 'unit' | 'targetId' | 'from' | 'to' | 'note'>;
  /** The audit entry of one change that just succeeded (SPEC §3), by the signed-in administrator, in the audit store. */
  const audit = async (s: TAdmin, change: TChange): Promise<void> => {
    const at = new Date(now()).toISOString();
    const entry = auditEntry({ at, actor: s.who.user.id, actorRole: 'admin', ...dropUndefined(change) });
    await appendAudit(table, entry, `${entry.kind}.${entry.targetId}.${at}.${randomBytes(4).toString('hex')}`);
  };
  const regionUnit = (id: string) => ({ type: 'region' as const, id });
  const hallUnit = (id: string) => ({ type: 'hall' as const, id });
  const GLOBAL = { type: 'global' as const, id: '*' };

  /* ---------------------------------------------------------------- regions */

  /**
   * The region tree, opened a level at a time from the top while what it shows stays within TREE_BUDGET (a city's
   * demo shows whole; a nation shows its provinces, and each deeper node links to its own page). Reads one children
   * Query per opened node, a few at a time, and stops at the first level that cannot fit: never every region.
   */
  async function openTree(kids: TKids): Promise<{ regions: TRegion[]; halls: THall[]; collapsed: Set<string> }> {
    const top = (await kids(undefined)).regions;
    const shown: TRegion[] = [...top];
    const halls: THall[] = [];
    const collapsed = new Set<string>();
    for (let level = top; level.length; ) {
      const next: TRegion[] = [];
      const found: THall[] = [];
      let fits = true;
      for (let i = 0; i < level.length && fits; i += 8) {
        for (const k of await Promise.all(level.slice(i, i + 8).map((r) => kids(r.id)))) {
          next.push(...k.regions);
          found.push(...k.halls);
        }
        fits = shown.length + halls.length + next.length + found.length <= TREE_BUDGET;
      }
      if (!fits) {
        // Not all of this level fits: it stays closed as a whole (a half-opened level would read as complete).
        for (const r of level) collapsed.add(r.id);
        return { regions: shown, halls, collapsed };
      }
      shown.push(...next);
      halls.push(...found);
      level = next;
    }
    return { regions: shown, halls, collapsed };
  }

  /**
   * The regions a form offers (one level at a time, never all): the top regions and their children, and around the
   * current choice its chain and each link's children; plus those found by the start of their id (`rq`, ≤ 30).
   */
  async function regionChoices(
    c: Context,
    around?: string,
    kids: TKids = childrenOnce(),
  ): Promise<{ choices: TRegion[]; found: TRegion[]; rq?: string }> {
    const rq = (c.req.query('rq') ?? '').trim().slice(0, 40) || undefined;
    const top = (await kids(undefined)).regions;
    const chain = around ? await regionAncestors(table, around) : [];
    const open = [...new Set([...top, ...chain].map((r) => r.id))];
    const [levels, found] = await Promise.all([
      Promise.all(open.map((id) => kids(id))),
      rq ? pageRegions(table, { idPrefix: rq, limit: 30 }) : Promise.resolve([]),
    ]);
    const all = [...top, ...chain, ...levels.flatMap((l) => l.regions), ...found];
    return { choices: byId([...new Map(all.map((r) => [r.id, r])).values()]), found, rq };
  }
  const finder = (c: Context, s: TAdmin, picked: { found: TRegion[]; rq?: string }) =>
    regionFinder(s.lang, new URL(c.req.url).pathname, picked.rq, picked.found);

  /** Where a region may hang: its parent must exist and not be the region or below it; one root (reads the chain). */
  async function placement(regionId: string, parentId: string | undefined) {
    const [top, chain] = await Promise.all([regionChildren(table, undefined), parentId ? regionAncestors(table, parentId) : []]);
    return placementError([...top.regions, ...chain], regionId, parentId);
  }

  const regionsPage = async (c: Context, s: TAdmin, refused?: TFailed) => {
    const typed = refused?.values.parentId || refused?.values.regionId;
    const kids = childrenOnce(); // the tree and the choices share the levels both read
    const [tree, picked] = await Promise.all([openTree(kids), regionChoices(c, typeof typed === 'string' ? typed : undefined, kids)]);
    const body = regionsBody(ctx(s), {
      regions: byId(tree.regions),
      halls: byId(tree.halls),
      collapsed: tree.collapsed,
      options: picked.choices,
      failed: refused,
      saved: !refused && saved(c),
      finder: finder(c, s, picked),
    });
    return kit.page(c, s.lang, A[s.lang].regions, body, s.who, refused ? 400 : 200);
  };

  r.get('/regions', admin, (c) => regionsPage(c, as(c)));

  r.post('/regions', admin, csrf, async (c) => {
    const s = as(c);
    const form = c.var.form;
    const values = formValues(form, REGION_FIELDS);
    const parsed = z.safeParse(ZRegionForm, values);
    if (!parsed.success) return regionsPage(c, s, failed('region', values, formErrors(parsed.error.issues)));
    const misplaced = await placement(parsed.data.id, parsed.data.parentId);
    if (misplaced) return regionsPage(c, s, failed('region', values, { parentId: misplaced }));
    if (!(await createRegion(table, toRegion(parsed.data)))) return regionsPage(c, s, failed('region', values, { id: 'regionExists' }));
    const id = parsed.data.id;
    await audit(s, { kind: 'catalogue.region_created', unit: regionUnit(id), targetId: id, to: parsed.data.parentId || undefined });
    return back(c, s, `/admin/regions/${id}`);
  });

  /** One region's page, or the 404 if there is no such region. */
  const regionPage = async (c: Context, s: TAdmin, regionId: string, refused?: TFailed) => {
    // The region, what hangs directly below it, and the parent choices around its parent: never every region.
    const [region, below] = await Promise.all([getRegion(table, regionId), regionChildren(table, regionId)]);
    if (!region) return kit.notFound(c, s.lang, s.who);
    const typed = refused?.values.parentId;
    const picked = await regionChoices(c, (typeof typed === 'string' && typed) || region.parentId || undefined);
    const body = regionBody(ctx(s), {
      region,
      regions: byId([...new Map([...picked.choices, ...below.regions].map((r) => [r.id, r])).values()]),
      halls: byId(below.halls),
      failed: refused,
      saved: !refused && saved(c),
      finder: finder(c, s, picked),
    });
    return kit.page(c, s.lang, `${A[s.lang].editRegion}: ${region.name}`, body, s.who, refused ? 400 : 200);
  };

  r.get('/regions/:regionId', admin, (c) => regionPage(c, as(c), c.req.param('regionId')));

  r.post('/regions/:regionId', admin, csrf, async (c) => {
    const s = as(c);
    const form = c.var.form;
    const regionId = c.req.param('regionId');
    const before = await getRegion(table, regionId);
    if (!before) return kit.notFound(c, s.lang, s.who);
    const values = { ...formValues(form, REGION_FIELDS), id: regionId }; // the id is the page's: ids never change
    const parsed = z.safeParse(ZRegionForm, values);
    if (!parsed.success) return regionPage(c, s, regionId, failed('edit', values, formErrors(parsed.error.issues)));
    const misplaced = await placement(regionId, parsed.data.parentId);
    if (misplaced) return regionPage(c, s, regionId, failed('edit', values, { parentId: misplaced }));
    const after = toRegion(parsed.data);
    if (!(await updateRegion(table, after))) return kit.notFound(c, s.lang, s.who);
    const moved = (before.parentId ?? '') !== (after.parentId ?? '');
    await audit(s, {
      kind: moved ? 'catalogue.region_moved' : 'catalogue.region_edited',
      unit: regionUnit(regionId),
      targetId: regionId,
      ...(moved ? { from: before.parentId || '-', to: after.parentId || '-' } : {}),
    });
    return back(c, s, `/admin/regions/${regionId}`);
  });

  r.post('/regions/:regionId/delete', admin, csrf, async (c) => {
    const s = as(c);
    const regionId = c.req.param('regionId');
    if (!(await getRegion(table, regionId))) return kit.notFound(c, s.lang, s.who);
    // Deleting a region with anything under it would orphan halls (and their scores' roll-up) or a supervisor's scope.
    const below = await regionChildren(table, regionId);
    if (below.regions.length || below.halls.length) return regionPage(c, s, regionId, failed('delete', {}, { _form: 'regionNotEmpty' }));
    // The region's scope items (checked against the users): a Query of the few users scoped to it, never the user list.
    if ((await usersOfScope(table, regionId)).length) return regionPage(c, s, regionId, failed('delete', {}, { _form: 'regionHasUsers' }));
    await deleteRegion(table, regionId);
    await audit(s, { kind: 'catalogue.region_deleted', unit: regionUnit(regionId), targetId: regionId });
    return back(c, s, '/admin/regions');
  });

  /* ---------------------------------------------------------------- halls, windows, services */

  r.post('/halls', admin, csrf, async (c) => {
    const s = as(c);
    const form = c.var.form;
    const values = formValues(form, HALL_FIELDS);
    const parsed = z.safeParse(ZHallForm, values);
    if (!parsed.success) return regionsPage(c, s, failed('hall', values, formErrors(parsed.error.issues)));
    if (!(await getRegion(table, parsed.data.regionId))) return regionsPage(c, s, failed('hall', values, { regionId: 'regionUnknown' }));
    if (!(await createHall(table, toHall(parsed.data)))) return regionsPage(c, s, failed('hall', values, { id: 'hallExists' }));
    const id = parsed.data.id;
    await audit(s, { kind: 'catalogue.hall_created', unit: hallUnit(id), targetId: id, to: parsed.data.regionId });
    return back(c, s, `/admin/halls/${id}`);
  });

  const hallPage = async (c: Context, s: TAdmin, hallId: string, refused?: TFailed) => {
    const [cat, keys] = await Promise.all([getHallCatalogue(table, hallId), listApiKeys(table, hallId)]);
    if (!cat) return kit.notFound(c, s.lang, s.who);
    const typed = refused?.values.regionId;
    const picked = await regionChoices(c, (typeof typed === 'string' && typed) || cat.hall.regionId);
    const finds = finder(c, s, picked);
    const body = hallBody(ctx(s), { ...cat, regions: picked.choices, keys, failed: refused, saved: !refused && saved(c), finder: finds });
    return kit.page(c, s.lang, cat.hall.name, body, s.who, refused ? 400 : 200);
  };

  r.get('/halls/:hallId', admin, (c) => hallPage(c, as(c), c.req.param('hallId')));

  r.post('/halls/:hallId', admin, csrf, async (c) => {
    const s = as(c);
    const form = c.var.form;
    const hallId = c.req.param('hallId');
    const before = (await getHallCatalogue(table, hallId))?.hall;
    if (!before) return kit.notFound(c, s.lang, s.who);
    // The id stays the page's: it is inside every printed QR code and every stored rating.
    const values = { ...formValues(form, HALL_FIELDS), id: hallId };
    const parsed = z.safeParse(ZHallForm, values);
    if (!parsed.success) return hallPage(c, s, hallId, failed('hall', values, formErrors(parsed.error.issues)));
    if (!(await getRegion(table, parsed.data.regionId)))
      return hallPage(c, s, hallId, failed('hall', values, { regionId: 'regionUnknown' }));
    // The public flag has its own audited switch below: an edit of the details keeps it as it was.
    const kept = before.public === false ? { public: false } : {};
    if (!(await updateHall(table, { ...toHall(parsed.data), ...kept }))) return kit.notFound(c, s.lang, s.who);
    const moved = before.regionId !== parsed.data.regionId;
    await audit(s, {
      kind: moved ? 'catalogue.hall_moved' : 'catalogue.hall_edited',
      unit: hallUnit(hallId),
      targetId: hallId,
      ...(moved ? { from: before.regionId, to: parsed.data.regionId } : {}),
    });
    // Its cases go with it: their GSI2 partition is the region the hall hangs off. Done on every save (only stale
    // ones are written), so a save after a crash between the move and this finishes it; audited when any moved.
    const cases = await repointHallCases(table, hallId, parsed.data.regionId);
    if (cases.moved)
      await audit(s, {
        kind: 'catalogue.hall_cases_moved',
        unit: hallUnit(hallId),
        targetId: hallId,
        ...(moved ? { from: before.regionId } : {}),
        to: parsed.data.regionId,
        note: `cases moved: ${cases.moved}`,
      });
    return back(c, s, `/admin/halls/${hallId}`);
  });

  /** On or off the public pages (issue 12): off, every public route of the hall is the unknown-hall 404. */
  r.post('/halls/:hallId/public', admin, csrf, async (c) => {
    const s = as(c);
    const hallId = c.req.param('hallId');
    const value = c.var.form.public;
    if (value !== 'on' && value !== 'off') return c.text('public must be on or off. public 只能是 on 或 off。', 400);
    const before = (await getHallCatalogue(table, hallId))?.hall;
    if (!before) return kit.notFound(c, s.lang, s.who);
    const was = before.public === false ? 'off' : 'on';
    if (was !== value) {
      if (!(await setHallPublic(table, hallId, value === 'on'))) return kit.notFound(c, s.lang, s.who);
      const kind = value === 'on' ? 'catalogue.hall_published' : 'catalogue.hall_unpublished';
      await audit(s, { kind, unit: hallUnit(hallId), targetId: hallId, from: was, to: value });
    }
    return back(c, s, `/admin/halls/${hallId}`, '#public');
  });

  const kindOf = (c: Context) => (c.req.param('kind') === 'services' ? 'service' : 'window');
  const formKey = (kind: 'window' | 'service', unit: string) => `${kind === 'window' ? 'win' : 'svc'}-${unit}`;

  r.post('/halls/:hallId/:kind{windows|services}', admin, csrf, async (c) => {
    const s = as(c);
    const form = c.var.form;
    const hallId = c.req.param('hallId');
    const kind = kindOf(c);
    if (!(await getHallCatalogue(table, hallId))) return kit.notFound(c, s.lang, s.who);
    const values = formValues(form, UNIT_FIELDS);
    const parsed = z.safeParse(ZUnitForm, values);
    if (!parsed.success) return hallPage(c, s, hallId, failed(formKey(kind, 'add'), values, formErrors(parsed.error.issues)));
    if (!(await createUnit(table, kind, { hallId, ...parsed.data })))
      return hallPage(c, s, hallId, failed(formKey(kind, 'add'), values, { id: kind === 'window' ? 'windowExists' : 'serviceExists' }));
    await audit(s, { kind: `catalogue.${kind}_added`, unit: hallUnit(hallId), targetId: `${kind}:${parsed.data.id}` });
    return back(c, s, `/admin/halls/${hallId}`, `#${kind}s`);
  });

  r.post('/halls/:hallId/:kind{windows|services}/:unitId', admin, csrf, async (c) => {
    const s = as(c);
    const form = c.var.form;
    const hallId = c.req.param('hallId');
    const unitId = c.req.param('unitId');
    const kind = kindOf(c);
    const cat = await getHallCatalogue(table, hallId);
    if (!cat || !(kind === 'window' ? cat.windows : cat.services).some((u) => u.id === unitId)) return kit.notFound(c, s.lang, s.who);
    const values = { ...formValues(form, UNIT_FIELDS), id: unitId };
    const parsed = z.safeParse(ZUnitForm, values);
    if (!parsed.success) return hallPage(c, s, hallId, failed(formKey(kind, unitId), values, formErrors(parsed.error.issues)));
    if (!(await renameUnit(table, kind, hallId, unitId, parsed.data.name, parsed.data.nameEn))) return kit.notFound(c, s.lang, s.who);
    await audit(s, { kind: `catalogue.${kind}_renamed`, unit: hallUnit(hallId), targetId: `${kind}:${unitId}` });
    return back(c, s, `/admin/halls/${hallId}`, `#${kind}s`);
  });

  /**
   * Retiring keeps the unit and its history (stored ratings and scores carry its id): it only stops starting new
   * visits. Restoring undoes exactly that.
   */
  r.post('/halls/:hallId/:kind{windows|services}/:unitId/:action{retire|restore}', admin, csrf, async (c) => {
    const s = as(c);
    const hallId = c.req.param('hallId');
    const retire = c.req.param('action') === 'retire';
    const ok = await setUnitRetired(table, kindOf(c), hallId, c.req.param('unitId'), retire ? new Date(now()).toISOString() : undefined);
    if (!ok) return kit.notFound(c, s.lang, s.who);
    const kind = kindOf(c);
    await audit(s, {
      kind: `catalogue.${kind}_${retire ? 'retired' : 'restored'}`,
      unit: hallUnit(hallId),
      targetId: `${kind}:${c.req.param('unitId')}`,
    });
    return back(c, s, `/admin/halls/${hallId}`, `#${kind}s`);
  });

  /* ---------------------------------------------------------------- staff users */

  /**
   * One page of users (USERS_PAGE, by id, `after` the last page's cursor) or a search (`q`: a whole email address, or
   * the start of an id or a name), with only the listed users' scopes named: never the 100,000.
   */
  const usersPage = async (c: Context, s: TAdmin, refused?: TFailed) => {
    const q = (c.req.query('q') ?? '').trim().slice(0, 254) || undefined;
    const after = q ? undefined : c.req.query('after') || undefined;
    const found: { users: TUser[]; next?: string | true } = q ? await searchUsers(q) : await pageUsers(table, { after, limit: USERS_PAGE });
    const [picked, units] = await Promise.all([regionChoices(c), scopeUnits(found.users)]);
    const body = usersBody(ctx(s), {
      ...found,
      q,
      after,
      units,
      me: s.who.user.id,
      regions: picked.choices,
      failed: refused,
      saved: !refused && saved(c),
      finder: finder(c, s, picked),
    });
    return kit.page(c, s.lang, A[s.lang].users, body, s.who, refused ? 400 : 200);
  };

  async function searchUsers(q: string): Promise<{ users: TUser[]; next?: true }> {
    if (q.includes('@')) {
      const u = await findUserByEmail(table, q);
      return { users: u ? [u] : [] };
    }
    const [ids, names] = await Promise.all([
      pageUsers(table, { idPrefix: q, limit: USERS_PAGE }),
      pageUsers(table, { namePrefix: q, limit: USERS_PAGE }),
    ]);
    const users = [...new Map([...ids.users, ...names.users].map((u) => [u.id, u])).values()];
    return { users, next: ids.next || names.next ? true : undefined };
  }

  /** The names of these users' scopes: one batched read of their halls, their regions one by one (few per page). */
  async function scopeUnits(users: TUser[]): Promise<Map<string, { name: string; nameEn?: string }>> {
    const hallIds = [...new Set(users.filter((u) => u.role === 'manager').map((u) => u.scope))];
    const regionIds = [...new Set(users.filter((u) => u.role === 'supervisor').map((u) => u.scope))];
    const [hs, rs] = await Promise.all([getHalls(table, hallIds), Promise.all(regionIds.map((id) => getRegion(table, id)))]);
    return new Map([...hs, ...rs.filter((r): r is TRegion => !!r)].map((x) => [x.id, x]));
  }

  const userPage = async (c: Context, s: TAdmin, userId: string, refused?: TFailed) => {
    const user = await getUser(table, userId);
    if (!user) return kit.notFound(c, s.lang, s.who);
    const picked = await regionChoices(c, user.role === 'supervisor' ? user.scope : undefined);
    const body = userBody(ctx(s), {
      user,
      me: s.who.user.id,
      regions: picked.choices,
      failed: refused,
      saved: !refused && saved(c),
      finder: finder(c, s, picked),
    });
    const title = `${A[s.lang].editUser}: ${user.name}`;
    return kit.page(c, s.lang, title, body, s.who, refused ? 400 : 200);
  };

  /**
   * A user form's checks beyond its shape: the scope is a real unit of the role's kind (one read). That the email is
   * nobody else's is the write's own condition (createUser/updateUser claim the address).
   */
  async function userProblems(u: z.infer<typeof ZUserForm>): Promise<TFormErrors> {
    const errors: TFormErrors = {};
    if (u.role === 'supervisor' && !(await getRegion(table, u.scope))) errors.scope = 'scopeSupervisor';
    if (u.role === 'manager' && !(await getHall(table, u.scope))) errors.scope = 'scopeManager';
    return errors;
  }

  r.get('/users', admin, (c) => usersPage(c, as(c)));

  r.post('/users', admin, csrf, async (c) => {
    const s = as(c);
    const form = c.var.form;
    const values = formValues(form, USER_FIELDS);
    const parsed = z.safeParse(ZUserForm, values);
    if (!parsed.success) return usersPage(c, s, failed('user', values, formErrors(parsed.error.issues, { name: 'userName' })));
    const problems = await userProblems(parsed.data);
    if (Object.keys(problems).length) return usersPage(c, s, failed('user', values, problems));
    const created = await createUser(table, parsed.data);
    if (created === 'email') return usersPage(c, s, failed('user', values, { email: 'emailTaken' }));
    if (!created) return usersPage(c, s, failed('user', values, { id: 'userExists' }));
    const u = parsed.data;
    await audit(s, { kind: 'user.created', unit: GLOBAL, targetId: u.id, to: `${u.role}:${u.scope ?? ''}`.slice(0, 120) });
    return back(c, s, '/admin/users');
  });

  r.get('/users/:userId', admin, (c) => userPage(c, as(c), c.req.param('userId')));

  r.post('/users/:userId', admin, csrf, async (c) => {
    const s = as(c);
    const form = c.var.form;
    const userId = c.req.param('userId');
    const before = await getUser(table, userId);
    if (!before) return kit.notFound(c, s.lang, s.who);
    const values = { ...formValues(form, USER_FIELDS), id: userId };
    const parsed = z.safeParse(ZUserForm, values);
    if (!parsed.success) return userPage(c, s, userId, failed('edit', values, formErrors(parsed.error.issues, { name: 'userName' })));
    // No lock-out: an administrator's own role is changed only by another administrator.
    if (userId === s.who.user.id && parsed.data.role !== 'admin')
      return userPage(c, s, userId, failed('edit', values, { role: 'selfDemote' }));
    const problems = await userProblems(parsed.data);
    if (Object.keys(problems).length) return userPage(c, s, userId, failed('edit', values, problems));
    const updated = await updateUser(table, parsed.data);
    if (updated === 'email') return userPage(c, s, userId, failed('edit', values, { email: 'emailTaken' }));
    if (!updated) return kit.notFound(c, s.lang, s.who);
    const [was, is] = [`${before.role}:${before.scope ?? ''}`, `${parsed.data.role}:${parsed.data.scope ?? ''}`];
    await audit(s, { kind: 'user.edited', unit: GLOBAL, targetId: userId, ...(was !== is ? { from: was, to: is } : {}) });
    // A new role or scope ends the user's sessions at once: nobody keeps a page of the old scope open.
    if (before.role !== parsed.data.role || before.scope !== parsed.data.scope) await endUserSessions(s, userId, 'role or scope changed');
    return back(c, s, `/admin/users/${userId}`);
  });

  /** Ends a user's sessions everywhere, with an audit entry in the audit store. */
  async function endUserSessions(s: TAdmin, userId: string, note: string): Promise<boolean> {
    if (!(await endSessions(table, userId))) return false;
    await audit(s, { kind: 'user.sessions_ended', unit: GLOBAL, targetId: userId, note });
    return true;
  }

  r.post('/users/:userId/sessions/end', admin, csrf, async (c) => {
    const s = as(c);
    const userId = c.req.param('userId');
    if (!(await endUserSessions(s, userId, 'ended by an administrator'))) return kit.notFound(c, s.lang, s.who);
    return back(c, s, `/admin/users/${userId}`);
  });

  r.post('/users/:userId/unbind', admin, csrf, async (c) => {
    const s = as(c);
    const userId = c.req.param('userId');
    if (!(await unbindUser(table, userId))) return kit.notFound(c, s.lang, s.who);
    await audit(s, { kind: 'user.unbound', unit: GLOBAL, targetId: userId });
    return back(c, s, `/admin/users/${userId}`);
  });

  r.post('/users/:userId/remove', admin, csrf, async (c) => {
    const s = as(c);
    const userId = c.req.param('userId');
    if (userId === s.who.user.id) return userPage(c, s, userId, failed('remove', {}, { _form: 'selfRemove' }));
    if (!(await removeUser(table, userId))) return kit.notFound(c, s.lang, s.who);
    await audit(s, { kind: 'user.removed', unit: GLOBAL, targetId: userId });
    return back(c, s, '/admin/users');
  });

  /* ---------------------------------------------------------------- a hall's machine API keys (shown once, stored hashed, revocable) */

  const adminHall = kit.gate({ unit: 'hall', admin: true });

  const keysPage = async (c: Context, s: TAdmin, hallId: string, created?: string) => {
    const w = D[s.lang];
    const lang = s.lang;
    const [cat, keys] = await Promise.all([getHallCatalogue(table, hallId), listApiKeys(table, hallId)]);
    const name = cat?.hall.name ?? hallId;
    const csrfField = html`<input type="hidden" name="_csrf" value="${s.who.csrf}">`;
    const state = (k: (typeof keys)[number]) => (k.revokedAt ? `${w.revoked} ${k.revokedAt.slice(0, 10)}` : w.active);
    const revoke = (k: (typeof keys)[number]) =>
      k.revokedAt
        ? ''
        : html`<form method="post" action="/admin/halls/${hallId}/keys/${k.keyId}/revoke?lang=${lang}">\
${csrfField}<button type="submit">${w.revoke}</button></form>`;
    return kit.page(
      c,
      lang,
      `${name} · ${w.keys}`,
      html`<h1>${name} · ${w.keys}</h1>
${created ? html`<div class="card" role="status"><p><strong>${w.keyCreated}</strong></p><p><code>${created}</code></p></div>` : ''}
<table><thead><tr><th>${w.keyId}</th><th>${w.keyLabel}</th><th>${w.keyCreatedAt}</th><th>${w.keyState}</th><th></th></tr></thead><tbody>
${keys.map(
  (k) => html`<tr><td><code>${k.keyId}</code></td><td>${k.label}</td><td>${k.createdAt.slice(0, 16).replace('T', ' ')}</td><td>\
${state(k)}</td><td>${revoke(k)}</td></tr>`,
)}
</tbody></table>
<h2>${w.newKey}</h2><form method="post" action="/admin/halls/${hallId}/keys?lang=${lang}">${csrfField}<label for="label">\
${w.keyLabel}</label> <input id="label" name="label" maxlength="60" required> <button type="submit">${w.create}</button></form>`,
      s.who,
    );
  };

  r.get('/halls/:hallId/keys', adminHall, (c) => keysPage(c, as(c), c.var.unit.id));

  r.post('/halls/:hallId/keys', adminHall, csrf, async (c) => {
    const label = typeof c.var.form.label === 'string' ? cleanLine(c.var.form.label).trim().slice(0, 60) : '';
    if (!label) return c.text('A label is required. 请填写用途说明。', 400);
    const key = newApiKey();
    const keyHash = hashApiKey(key);
    await putApiKey(table, keyHash, { hallId: c.var.unit.id, label, createdAt: new Date(now()).toISOString() });
    // Only the short key id (the hash's first 12 hex digits, as listed on the page): never the key or its hash.
    await audit(as(c), { kind: 'apikey.created', unit: hallUnit(c.var.unit.id), targetId: apiKeyIdOf(apiKey(keyHash).pk) });
    c.header('cache-control', 'no-store');
    return keysPage(c, as(c), c.var.unit.id, key); // the only time the key is ever shown
  });

  r.post('/halls/:hallId/keys/:keyId/revoke', adminHall, csrf, async (c) => {
    const s = as(c);
    const keyId = c.req.param('keyId');
    if (!(await revokeApiKey(table, c.var.unit.id, keyId, new Date(now()).toISOString()))) return kit.notFound(c, s.lang, s.who);
    await audit(s, { kind: 'apikey.revoked', unit: hallUnit(c.var.unit.id), targetId: keyId });
    return c.redirect(`/admin/halls/${c.var.unit.id}/keys?lang=${s.lang}`, 303);
  });

  return r;
}

const byId = <T extends { id: string }>(xs: T[]): T[] => [...xs].sort((a, b) => a.id.localeCompare(b.id, 'en', { numeric: true }));

const dropUndefined = <T extends object>(o: T): T => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
