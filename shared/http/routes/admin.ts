/**
 * Administration (SPEC §2 "Administrator"): the region tree, halls, their windows and services, staff users.
 * Administrators only: anyone else signed in gets the same 404 as an unknown unit, checked on the server for every
 * route. Each change is a form post with the session's CSRF token, answered by a 303 back to the page; refused
 * input comes back as the form with what was typed and a specific message (400), and writes nothing.
 */
import type { Context } from 'hono';
import type { html } from 'hono/html';
import { Hono } from 'hono/tiny';
import * as z from 'zod/mini';
import type { TUser } from '../../domain/access.js';
import {
  ZHallForm, ZRegionForm, ZUnitForm, ZUserForm, formErrors, formValues, placementError, toHall, toRegion, type TFormErrors,
} from '../../domain/admin.js';
import { AdminRepository } from '../../storage/admin-repository.js';
import type { TAppDeps } from '../deps.js';
import { A, hallBody, regionBody, regionsBody, userBody, usersBody, type TFailed } from '../pages/admin.js';
import { pickLang, type TLang } from '../pages/i18n.js';
import { csrfMatches } from '../session.js';
import { listApiKeys } from '../../storage/api-keys.js';
import { getUser, listUsers } from '../../storage/users.js';

type TWho = { user: TUser; csrf: string };
type TAdmin = { lang: TLang; who: TWho };
type TForm = Record<string, unknown>;

/** What the dashboard lends these routes: its sign-in check and its page frame. */
export interface TStaffKit {
  signedIn(c: Context): Promise<TWho | undefined>;
  toSignIn(c: Context, lang: TLang): Response;
  page(c: Context, lang: TLang, title: string, body: ReturnType<typeof html>, who?: TWho, status?: 200 | 400 | 404): Response | Promise<Response>;
  notFound(c: Context, lang: TLang, who: TWho): Response | Promise<Response>;
}

const REGION_FIELDS = ['id', 'name', 'nameEn', 'parentId', 'level'] as const;
const HALL_FIELDS = ['id', 'name', 'nameEn', 'regionId', 'timezone', 'open', 'close'] as const;
const UNIT_FIELDS = ['id', 'name', 'nameEn'] as const;
const USER_FIELDS = ['id', 'name', 'email', 'role', 'scope'] as const;

const FORBIDDEN = '表单已过期或来源不明，请刷新页面后重试。Forbidden: the form expired or did not come from this site; reload the page and try again.';

export function adminRoutes(deps: TAppDeps, kit: TStaffKit) {
  const now = deps.now ?? Date.now;
  const r = new Hono();
  const repo = deps.repo;
  const writes = new AdminRepository(repo);

  /** The gate of every route here: signed in (else to sign-in), an administrator (else the unknown-unit 404). */
  const admin =
    (handler: (c: Context, s: TAdmin) => Promise<Response>) =>
    async (c: Context): Promise<Response> => {
      const lang = pickLang(c.req.query('lang'));
      const who = await kit.signedIn(c);
      if (!who) return kit.toSignIn(c, lang);
      if (who.user.role !== 'admin') return kit.notFound(c, lang, who);
      return handler(c, { lang, who });
    };

  /** A change: the gate, then the form's CSRF token (403, nothing written, if missing or wrong). */
  const change = (handler: (c: Context, s: TAdmin, form: TForm) => Promise<Response>) =>
    admin(async (c, s) => {
      const form = await c.req.parseBody();
      if (!csrfMatches(s.who.csrf, form._csrf)) return c.text(FORBIDDEN, 403);
      return handler(c, s, form);
    });

  const back = (c: Context, s: TAdmin, path: string, anchor = '') => c.redirect(`${path}?lang=${s.lang}&saved=1${anchor}`, 303);
  const ctx = (s: TAdmin) => ({ lang: s.lang, csrf: s.who.csrf });
  const saved = (c: Context) => c.req.query('saved') === '1';
  const failed = (form: string, values: TFailed['values'], errors: TFormErrors): TFailed => ({ form, values, errors });

  /* ---------------------------------------------------------------- regions */

  const regionsPage = async (c: Context, s: TAdmin, refused?: TFailed) => {
    const [regions, halls] = await Promise.all([repo.listRegions(), repo.listHalls()]);
    const body = regionsBody(ctx(s), { regions: byId(regions), halls: byId(halls), failed: refused, saved: !refused && saved(c) });
    return kit.page(c, s.lang, A[s.lang].regions, body, s.who, refused ? 400 : 200);
  };

  r.get('/regions', admin((c, s) => regionsPage(c, s)));

  r.post('/regions', change(async (c, s, form) => {
    const values = formValues(form, REGION_FIELDS);
    const parsed = z.safeParse(ZRegionForm, values);
    if (!parsed.success) return regionsPage(c, s, failed('region', values, formErrors(parsed.error.issues)));
    const placement = placementError(await repo.listRegions(), parsed.data.id, parsed.data.parentId);
    if (placement) return regionsPage(c, s, failed('region', values, { parentId: placement }));
    if (!(await writes.createRegion(toRegion(parsed.data)))) return regionsPage(c, s, failed('region', values, { id: 'regionExists' }));
    return back(c, s, `/admin/regions/${parsed.data.id}`);
  }));

  /** One region's page, or the 404 if there is no such region. */
  const regionPage = async (c: Context, s: TAdmin, regionId: string, refused?: TFailed) => {
    const [regions, halls] = await Promise.all([repo.listRegions(), repo.listHalls()]);
    const region = regions.find((x) => x.id === regionId);
    if (!region) return kit.notFound(c, s.lang, s.who);
    const body = regionBody(ctx(s), { region, regions: byId(regions), halls: byId(halls), failed: refused, saved: !refused && saved(c) });
    return kit.page(c, s.lang, `${A[s.lang].editRegion}: ${region.name}`, body, s.who, refused ? 400 : 200);
  };

  r.get('/regions/:regionId', admin((c, s) => regionPage(c, s, c.req.param('regionId') ?? '')));

  r.post('/regions/:regionId', change(async (c, s, form) => {
    const regionId = c.req.param('regionId') ?? '';
    const regions = await repo.listRegions();
    if (!regions.some((x) => x.id === regionId)) return kit.notFound(c, s.lang, s.who);
    const values = { ...formValues(form, REGION_FIELDS), id: regionId }; // the id is the page's: ids never change
    const parsed = z.safeParse(ZRegionForm, values);
    if (!parsed.success) return regionPage(c, s, regionId, failed('edit', values, formErrors(parsed.error.issues)));
    const placement = placementError(regions, regionId, parsed.data.parentId);
    if (placement) return regionPage(c, s, regionId, failed('edit', values, { parentId: placement }));
    if (!(await writes.updateRegion(toRegion(parsed.data)))) return kit.notFound(c, s.lang, s.who);
    return back(c, s, `/admin/regions/${regionId}`);
  }));

  r.post('/regions/:regionId/delete', change(async (c, s) => {
    const regionId = c.req.param('regionId') ?? '';
    const [regions, halls, users] = await Promise.all([repo.listRegions(), repo.listHalls(), listUsers(repo.table)]);
    if (!regions.some((x) => x.id === regionId)) return kit.notFound(c, s.lang, s.who);
    // Deleting a region with anything under it would orphan halls (and their scores' roll-up) or a supervisor's scope.
    if (regions.some((x) => x.parentId === regionId) || halls.some((h) => h.regionId === regionId)) return regionPage(c, s, regionId, failed('delete', {}, { _form: 'regionNotEmpty' }));
    if (users.some((u) => u.role === 'supervisor' && u.scope === regionId)) return regionPage(c, s, regionId, failed('delete', {}, { _form: 'regionHasUsers' }));
    await writes.deleteRegion(regionId);
    return back(c, s, '/admin/regions');
  }));

  /* ---------------------------------------------------------------- halls, windows, services */

  r.post('/halls', change(async (c, s, form) => {
    const values = formValues(form, HALL_FIELDS);
    const parsed = z.safeParse(ZHallForm, values);
    if (!parsed.success) return regionsPage(c, s, failed('hall', values, formErrors(parsed.error.issues)));
    if (!(await repo.listRegions()).some((x) => x.id === parsed.data.regionId)) return regionsPage(c, s, failed('hall', values, { regionId: 'regionUnknown' }));
    if (!(await writes.createHall(toHall(parsed.data)))) return regionsPage(c, s, failed('hall', values, { id: 'hallExists' }));
    return back(c, s, `/admin/halls/${parsed.data.id}`);
  }));

  const hallPage = async (c: Context, s: TAdmin, hallId: string, refused?: TFailed) => {
    const [cat, regions, keys] = await Promise.all([repo.getHallCatalogue(hallId), repo.listRegions(), listApiKeys(repo.table, hallId)]);
    if (!cat) return kit.notFound(c, s.lang, s.who);
    const body = hallBody(ctx(s), { ...cat, regions: byId(regions), keys, failed: refused, saved: !refused && saved(c) });
    return kit.page(c, s.lang, cat.hall.name, body, s.who, refused ? 400 : 200);
  };

  r.get('/halls/:hallId', admin((c, s) => hallPage(c, s, c.req.param('hallId') ?? '')));

  r.post('/halls/:hallId', change(async (c, s, form) => {
    const hallId = c.req.param('hallId') ?? '';
    if (!(await repo.getHallCatalogue(hallId))) return kit.notFound(c, s.lang, s.who);
    // The id stays the page's: it is inside every printed QR code and every stored rating.
    const values = { ...formValues(form, HALL_FIELDS), id: hallId };
    const parsed = z.safeParse(ZHallForm, values);
    if (!parsed.success) return hallPage(c, s, hallId, failed('hall', values, formErrors(parsed.error.issues)));
    if (!(await repo.listRegions()).some((x) => x.id === parsed.data.regionId)) return hallPage(c, s, hallId, failed('hall', values, { regionId: 'regionUnknown' }));
    if (!(await writes.updateHall(toHall(parsed.data)))) return kit.notFound(c, s.lang, s.who);
    return back(c, s, `/admin/halls/${hallId}`);
  }));

  const kindOf = (c: Context) => (c.req.param('kind') === 'services' ? 'service' : 'window');
  const formKey = (kind: 'window' | 'service', unit: string) => `${kind === 'window' ? 'win' : 'svc'}-${unit}`;

  r.post('/halls/:hallId/:kind{windows|services}', change(async (c, s, form) => {
    const hallId = c.req.param('hallId') ?? '';
    const kind = kindOf(c);
    if (!(await repo.getHallCatalogue(hallId))) return kit.notFound(c, s.lang, s.who);
    const values = formValues(form, UNIT_FIELDS);
    const parsed = z.safeParse(ZUnitForm, values);
    if (!parsed.success) return hallPage(c, s, hallId, failed(formKey(kind, 'add'), values, formErrors(parsed.error.issues)));
    if (!(await writes.createUnit(kind, { hallId, ...parsed.data })))
      return hallPage(c, s, hallId, failed(formKey(kind, 'add'), values, { id: kind === 'window' ? 'windowExists' : 'serviceExists' }));
    return back(c, s, `/admin/halls/${hallId}`, `#${kind}s`);
  }));

  r.post('/halls/:hallId/:kind{windows|services}/:unitId', change(async (c, s, form) => {
    const hallId = c.req.param('hallId') ?? '';
    const unitId = c.req.param('unitId') ?? '';
    const kind = kindOf(c);
    const cat = await repo.getHallCatalogue(hallId);
    if (!cat || !(kind === 'window' ? cat.windows : cat.services).some((u) => u.id === unitId)) return kit.notFound(c, s.lang, s.who);
    const values = { ...formValues(form, UNIT_FIELDS), id: unitId };
    const parsed = z.safeParse(ZUnitForm, values);
    if (!parsed.success) return hallPage(c, s, hallId, failed(formKey(kind, unitId), values, formErrors(parsed.error.issues)));
    if (!(await writes.renameUnit(kind, hallId, unitId, parsed.data.name, parsed.data.nameEn))) return kit.notFound(c, s.lang, s.who);
    return back(c, s, `/admin/halls/${hallId}`, `#${kind}s`);
  }));

  /**
   * Retiring keeps the unit and its history (stored ratings and scores carry its id): it only stops starting new
   * visits. Restoring undoes exactly that.
   */
  r.post('/halls/:hallId/:kind{windows|services}/:unitId/:action{retire|restore}', change(async (c, s) => {
    const hallId = c.req.param('hallId') ?? '';
    const retire = c.req.param('action') === 'retire';
    const ok = await writes.setUnitRetired(kindOf(c), hallId, c.req.param('unitId') ?? '', retire ? new Date(now()).toISOString() : undefined);
    if (!ok) return kit.notFound(c, s.lang, s.who);
    return back(c, s, `/admin/halls/${hallId}`, `#${kindOf(c)}s`);
  }));

  /* ---------------------------------------------------------------- staff users */

  const usersPage = async (c: Context, s: TAdmin, refused?: TFailed) => {
    const [users, regions, halls] = await Promise.all([listUsers(repo.table), repo.listRegions(), repo.listHalls()]);
    const body = usersBody(ctx(s), { users, me: s.who.user.id, regions: byId(regions), halls: byId(halls), failed: refused, saved: !refused && saved(c) });
    return kit.page(c, s.lang, A[s.lang].users, body, s.who, refused ? 400 : 200);
  };

  const userPage = async (c: Context, s: TAdmin, userId: string, refused?: TFailed) => {
    const [user, regions, halls] = await Promise.all([getUser(repo.table, userId), repo.listRegions(), repo.listHalls()]);
    if (!user) return kit.notFound(c, s.lang, s.who);
    const body = userBody(ctx(s), { user, me: s.who.user.id, regions: byId(regions), halls: byId(halls), failed: refused, saved: !refused && saved(c) });
    return kit.page(c, s.lang, `${A[s.lang].editUser}: ${user.name}`, body, s.who, refused ? 400 : 200);
  };

  /** A user form's checks beyond its shape: the scope is a real unit of the role's kind; the email is nobody else's. */
  async function userProblems(u: z.infer<typeof ZUserForm>): Promise<TFormErrors> {
    const [users, regions, halls] = await Promise.all([listUsers(repo.table), repo.listRegions(), repo.listHalls()]);
    const errors: TFormErrors = {};
    if (u.role === 'supervisor' && !regions.some((x) => x.id === u.scope)) errors.scope = 'scopeSupervisor';
    if (u.role === 'manager' && !halls.some((h) => h.id === u.scope)) errors.scope = 'scopeManager';
    if (u.email && users.some((x) => x.id !== u.id && x.email?.toLowerCase() === u.email)) errors.email = 'emailTaken';
    return errors;
  }

  r.get('/users', admin((c, s) => usersPage(c, s)));

  r.post('/users', change(async (c, s, form) => {
    const values = formValues(form, USER_FIELDS);
    const parsed = z.safeParse(ZUserForm, values);
    if (!parsed.success) return usersPage(c, s, failed('user', values, formErrors(parsed.error.issues, { name: 'userName' })));
    const problems = await userProblems(parsed.data);
    if (Object.keys(problems).length) return usersPage(c, s, failed('user', values, problems));
    if (!(await writes.createUser(parsed.data))) return usersPage(c, s, failed('user', values, { id: 'userExists' }));
    return back(c, s, '/admin/users');
  }));

  r.get('/users/:userId', admin((c, s) => userPage(c, s, c.req.param('userId') ?? '')));

  r.post('/users/:userId', change(async (c, s, form) => {
    const userId = c.req.param('userId') ?? '';
    if (!(await getUser(repo.table, userId))) return kit.notFound(c, s.lang, s.who);
    const values = { ...formValues(form, USER_FIELDS), id: userId };
    const parsed = z.safeParse(ZUserForm, values);
    if (!parsed.success) return userPage(c, s, userId, failed('edit', values, formErrors(parsed.error.issues, { name: 'userName' })));
    // No lock-out: an administrator's own role is changed only by another administrator.
    if (userId === s.who.user.id && parsed.data.role !== 'admin') return userPage(c, s, userId, failed('edit', values, { role: 'selfDemote' }));
    const problems = await userProblems(parsed.data);
    if (Object.keys(problems).length) return userPage(c, s, userId, failed('edit', values, problems));
    if (!(await writes.updateUser(parsed.data))) return kit.notFound(c, s.lang, s.who);
    return back(c, s, `/admin/users/${userId}`);
  }));

  r.post('/users/:userId/unbind', change(async (c, s) => {
    const userId = c.req.param('userId') ?? '';
    if (!(await writes.unbindUser(userId))) return kit.notFound(c, s.lang, s.who);
    return back(c, s, `/admin/users/${userId}`);
  }));

  r.post('/users/:userId/remove', change(async (c, s) => {
    const userId = c.req.param('userId') ?? '';
    if (userId === s.who.user.id) return userPage(c, s, userId, failed('remove', {}, { _form: 'selfRemove' }));
    if (!(await writes.removeUser(userId))) return kit.notFound(c, s.lang, s.who);
    return back(c, s, '/admin/users');
  }));

  return r;
}

const byId = <T extends { id: string }>(xs: T[]): T[] => [...xs].sort((a, b) => a.id.localeCompare(b.id, 'en', { numeric: true }));
