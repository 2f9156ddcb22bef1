/**
 * Notification settings and webhooks (issue 14). `/notifications`: any staff user chooses, per event kind, at once /
 * in the 08:30 digest / never (the role's default shown) and the language of their e-mail. `/admin/webhooks`
 * (administrators): endpoints per region (halls below inherit them), their kinds and format (Standard Webhooks JSON
 * or a 钉钉/企业微信 group robot's text), the secret shown once; each endpoint's delivery log with redelivery by hand.
 * Every change is a CSRF-checked form post, audited; a refused one is a 400 naming the field and writes nothing.
 */
import type { Context } from 'hono';
import { html } from 'hono/html';
import { Hono } from 'hono/tiny';
import { auditEntry } from '../../../domain/audit.js';
import {
  DELIVERY_MODES,
  EVENT_KINDS,
  kindWord,
  modeFor,
  type TDeliveryMode,
  type TEventKind,
  type TNotifyPrefs,
  type TWebhookFormat,
  WEBHOOK_FORMATS,
} from '../../../domain/events.js';
import { checkEndpoint, deleteEndpoint, redeliverEvent, registerEndpoint, type TEndpointError } from '../../../services/notify.js';
import { appendAudit } from '../../../storage/audit.js';
import { getEndpoint, getPrefs, listDeliveries, listEndpoints, putPrefs, type TEndpoint } from '../../../storage/notify.js';
import { pageRegions, regionChildren } from '../../../storage/catalogue.js';
import { adminNav, regionFinder } from '../../pages/admin.js';
import type { TLang } from '../../pages/i18n.js';
import type { TSignedIn, TStaffKit } from './gate.js';

const W = {
  zh: {
    title: '通知设置',
    intro: '选择每类事项如何通知您：立即发邮件、并入每天 08:30 的摘要，或不通知。',
    kind: '事项',
    lang: '邮件语言',
    modes: { now: '立即', digest: '每日摘要', never: '不通知' } as Record<TDeliveryMode, string>,
    dflt: '默认',
    monthlyHint: '每月第一个工作日 08:00 起，发送您所辖单位上月报告的链接（可打印或另存为 PDF）。',
    save: '保存',
    saved: '已保存。',
    noEmail: '您的账号没有登记邮箱，暂时收不到邮件；请联系管理员登记。',
    hooks: 'Webhook 推送',
    hooksIntro:
      '向其他系统（12345 工单、政务办公平台、钉钉/企业微信群机器人）推送事项，按 Standard Webhooks 签名；下级大厅继承区域的设置。',
    region: '区域',
    url: '接收地址',
    kinds: '事项',
    format: '格式',
    label: '名称',
    add: '添加',
    none: '暂无。',
    formats: { standard: 'Standard Webhooks JSON', dingtalk: '钉钉群机器人', wecom: '企业微信群机器人' } as Record<TWebhookFormat, string>,
    secretOnce: '签名密钥只显示这一次，请立即复制保存：',
    log: '投递记录',
    status: '状态',
    attempts: '次数',
    last: '最近结果',
    at: '时间',
    redeliver: '重新投递',
    remove: '删除此地址',
    statuses: { pending: '等待重试', delivered: '已送达', parked: '已停止（多次失败）' } as Record<string, string>,
  },
  en: {
    title: 'Notification settings',
    intro: 'Choose how you hear of each kind of event: an e-mail at once, in the daily digest at 08:30, or never.',
    kind: 'Event',
    lang: 'E-mail language',
    modes: { now: 'At once', digest: 'Daily digest', never: 'Never' } as Record<TDeliveryMode, string>,
    dflt: 'default',
    monthlyHint: 'From 08:00 on the first working day of each month: a link to last month’s report of your unit (print or save as PDF).',
    save: 'Save',
    saved: 'Saved.',
    noEmail: 'Your account has no e-mail address, so no message can reach you yet; ask an administrator to add one.',
    hooks: 'Webhooks',
    hooksIntro:
      'Send events to other systems (12345 work orders, government work apps, DingTalk/WeCom group robots), ' +
      'signed per Standard Webhooks; halls inherit their region’s endpoints.',
    region: 'Region',
    url: 'Receiver URL',
    kinds: 'Events',
    format: 'Format',
    label: 'Name',
    add: 'Add',
    none: 'None.',
    formats: { standard: 'Standard Webhooks JSON', dingtalk: 'DingTalk group robot', wecom: 'WeCom group robot' } as Record<
      TWebhookFormat,
      string
    >,
    secretOnce: 'The signing secret is shown this once: copy it now.',
    log: 'Delivery log',
    status: 'Status',
    attempts: 'Attempts',
    last: 'Last result',
    at: 'Time',
    redeliver: 'Redeliver',
    remove: 'Remove this endpoint',
    statuses: { pending: 'waiting to retry', delivered: 'delivered', parked: 'parked (failed repeatedly)' } as Record<string, string>,
  },
} as const;

export const WEBHOOK_ERRORS: Record<TEndpointError, { zh: string; en: string }> = {
  badUrl: {
    zh: '接收地址须为 https:// 开头的网址（本机测试可用 http://127.0.0.1），且不含用户名密码。',
    en: 'The receiver URL must be https:// (http://127.0.0.1 for a local test) and carry no user name or password.',
  },
  unknownRegion: { zh: '没有这个区域。', en: 'No such region.' },
  noKinds: { zh: '请至少选择一类事项。', en: 'Choose at least one kind of event.' },
  badFormat: { zh: '请选择一种格式。', en: 'Choose a format.' },
  badLabel: { zh: '名称最多 80 个字，且不能含手机号。', en: 'The name is at most 80 characters and holds no phone number.' },
};

const str = (v: unknown) => (typeof v === 'string' ? v.trim() : '');

export function notificationRoutes(kit: TStaffKit) {
  const r = new Hono();
  const signedIn = kit.gate();
  const admin = kit.gate({ admin: true });
  const csrfOf = <E extends TSignedIn>(c: Context<E>) => html`<input type="hidden" name="_csrf" value="${c.var.csrf}">`;

  /* ---------- a staff user's own settings ---------- */

  async function prefsPage<E extends TSignedIn>(c: Context<E>, saved = false) {
    const lang: TLang = c.var.lang;
    const w = W[lang];
    const user = c.var.user;
    const prefs = await getPrefs(kit.deps.table, user.id);
    const row = (k: TEventKind) => {
      const current = modeFor(user.role, prefs, k);
      const dflt = modeFor(user.role, undefined, k);
      // one line per kind, on a phone too: a select names the role's default among its options
      const opts = DELIVERY_MODES.map(
        (m) => html`<option value="${m}"${m === current ? ' selected' : ''}>${w.modes[m]}${m === dflt ? ` (${w.dflt})` : ''}</option>`,
      );
      const hint = k === 'report.monthly' ? html`<br><small id="h-${k}">${w.monthlyHint}</small>` : '';
      const described = k === 'report.monthly' ? html` aria-describedby="h-${k}"` : '';
      const select = html`<select id="m-${k}" name="${k}"${described}>${opts}</select>`;
      return html`<p><label for="m-${k}">${kindWord(k, lang)}</label> ${select}${hint}</p>`;
    };
    const mailLang = prefs?.lang ?? 'zh';
    const body = html`<h1>${w.title}</h1>${saved ? html`<p class="saved" role="status">${w.saved}</p>` : ''}
${user.email ? '' : html`<p class="warn" role="alert">${w.noEmail}</p>`}<p>${w.intro}</p>
<form method="post" action="/notifications?lang=${lang}" class="adm">${csrfOf(c)}
${EVENT_KINDS.map(row)}
<p><label for="mail-lang">${w.lang}</label> <select id="mail-lang" name="lang"><option value="zh">中文</option>
<option value="en"${mailLang === 'en' ? ' selected' : ''}>English</option></select></p>
<button type="submit" class="btn">${w.save}</button></form>`;
    return kit.view(c, w.title, body);
  }

  r.get('/notifications', signedIn, (c) => prefsPage(c, c.req.query('saved') === '1'));

  r.post('/notifications', signedIn, kit.form, async (c) => {
    const f = c.var.form;
    const user = c.var.user;
    const modes: TNotifyPrefs['modes'] = {};
    for (const k of EVENT_KINDS) {
      const v = str(f[k]);
      if (!v) continue;
      if (!(DELIVERY_MODES as readonly string[]).includes(v))
        return c.text('请选择“立即”“每日摘要”或“不通知”。Choose at once, digest or never.', 400);
      // only a choice that differs from the role's default is kept: a later change of defaults reaches the rest
      if (v !== modeFor(user.role, undefined, k)) modes[k] = v as TDeliveryMode;
    }
    const lang = str(f.lang) === 'en' ? 'en' : 'zh';
    await putPrefs(kit.deps.table, user.id, { lang, modes });
    const at = new Date(kit.now()).toISOString();
    const unit =
      user.role === 'admin'
        ? ({ type: 'global', id: '*' } as const)
        : ({ type: user.role === 'manager' ? 'hall' : 'region', id: user.scope } as const);
    const entry = auditEntry({
      at,
      actor: user.id,
      actorRole: user.role,
      kind: 'notify.preferences',
      unit,
      targetId: user.id,
      to: `${lang} ${Object.keys(modes).length} own`,
    });
    await appendAudit(kit.deps.table, entry, `notify.${user.id}.${kit.now()}`);
    return c.redirect(`/notifications?lang=${c.var.lang}&saved=1`, 303);
  });

  /* ---------- administrators: webhook endpoints ---------- */

  async function hooksPage<E extends TSignedIn>(
    c: Context<E>,
    opts: { error?: TEndpointError; typed?: Record<string, string>; kinds?: string[]; secret?: string; saved?: boolean } = {},
  ) {
    const lang: TLang = c.var.lang;
    const w = W[lang];
    // The choices: the top regions and the level below them (where 12345 and work-app systems sit), the typed one,
    // and the endpoints' own regions; never the whole tree (a national deployment has 3,500 regions).
    const endpoints = await listEndpoints(kit.deps.table);
    const top = (await regionChildren(kit.deps.table, undefined)).regions;
    const rq = (c.req.query('rq') ?? '').trim().slice(0, 40) || undefined;
    const [below, named, found] = await Promise.all([
      Promise.all(top.map((x) => regionChildren(kit.deps.table, x.id))),
      Promise.all(
        [...new Set([...endpoints.map((ep) => ep.regionId), ...(opts.typed?.regionId ? [opts.typed.regionId] : [])])].map((id) =>
          kit.ancestors(id).then((chain) => chain[0]),
        ),
      ),
      rq ? pageRegions(kit.deps.table, { idPrefix: rq, limit: 30 }) : Promise.resolve([]),
    ]);
    const regions = [
      ...new Map(
        [...top, ...below.flatMap((b) => b.regions), ...named.filter((x) => x !== undefined), ...found].map((x) => [x.id, x]),
      ).values(),
    ];
    const regionName = (id: string) => regions.find((x) => x.id === id)?.name ?? id;
    const typed = opts.typed ?? {};
    const err = opts.error ? WEBHOOK_ERRORS[opts.error] : undefined;
    const rows = endpoints
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt))
      .map(
        (ep) =>
          html`<tr><td><a href="/admin/webhooks/${ep.id}?lang=${lang}">${ep.label || ep.id}</a></td><td>${regionName(ep.regionId)}</td>
<td><code>${ep.url}</code></td><td>${w.formats[ep.format]}</td><td>${ep.kinds.map((k) => kindWord(k, lang)).join('、')}</td></tr>`,
      );
    const kindBoxes = EVENT_KINDS.map(
      (k) =>
        html`<label><input type="checkbox" name="kind-${k}" value="1"${(opts.kinds ?? []).includes(k) ? ' checked' : ''}> \
${kindWord(k, lang)}</label> `,
    );
    const body = html`${adminNav(lang, 'webhooks')}<h1>${w.hooks}</h1><p>${w.hooksIntro}</p>
${opts.secret ? html`<p class="saved" role="status">${w.secretOnce} <code>${opts.secret}</code></p>` : ''}
${opts.saved ? html`<p class="saved" role="status">${w.saved}</p>` : ''}
${
  rows.length
    ? html`<table><thead><tr><th>${w.label}</th><th>${w.region}</th><th>${w.url}</th><th>${w.format}</th><th>${w.kinds}</th></tr></thead>
<tbody>${rows}</tbody></table>`
    : html`<p>${w.none}</p>`
}
<h2>${w.add}</h2>${err ? html`<p class="error" role="alert">${err.zh} ${err.en}</p>` : ''}
<form method="post" action="/admin/webhooks?lang=${lang}" class="adm">${csrfOf(c)}
<p><label for="label">${w.label}</label> <input id="label" name="label" maxlength="80" value="${typed.label ?? ''}"></p>
<p><label for="regionId">${w.region}</label> <select id="regionId" name="regionId">${regions.map(
      (x) => html`<option value="${x.id}"${typed.regionId === x.id ? ' selected' : ''}>${x.name} (${x.id})</option>`,
    )}</select></p>
<p><label for="url">${w.url}</label>
<input id="url" name="url" type="url" size="50" maxlength="500" value="${typed.url ?? ''}" required></p>
<p><label for="format">${w.format}</label> <select id="format" name="format">${WEBHOOK_FORMATS.map(
      (f) => html`<option value="${f}"${typed.format === f ? ' selected' : ''}>${w.formats[f]}</option>`,
    )}</select></p>
<fieldset><legend>${w.kinds}</legend>${kindBoxes}</fieldset>
<button type="submit" class="btn">${w.add}</button></form>${regionFinder(lang, '/admin/webhooks', rq, found)}`;
    return kit.view(c, w.hooks, body, opts.error ? 400 : 200);
  }

  r.get('/admin/webhooks', admin, (c) => hooksPage(c, { saved: c.req.query('saved') === '1' }));

  r.post('/admin/webhooks', admin, kit.form, async (c) => {
    const f = c.var.form;
    const typed = { label: str(f.label), regionId: str(f.regionId), url: str(f.url), format: str(f.format) };
    const kinds = EVENT_KINDS.filter((k) => f[`kind-${k}`]);
    const input = { ...typed, kinds, format: typed.format as TWebhookFormat };
    const known = /^[A-Za-z0-9_-]{1,40}$/.test(typed.regionId) && (await kit.ancestors(typed.regionId)).length > 0;
    const allowHttp = kit.deps.config.APP_ENV !== 'aws';
    const error = checkEndpoint(input, known ? [typed.regionId] : [], allowHttp);
    if (error) return hooksPage(c, { error, typed, kinds });
    const { secret } = await registerEndpoint({ table: kit.deps.table, keyring: kit.deps.keyring, now: kit.now }, c.var.user, input);
    return hooksPage(c, { secret });
  });

  async function endpointPage<E extends TSignedIn>(c: Context<E>, ep: TEndpoint, saved = false) {
    const lang: TLang = c.var.lang;
    const w = W[lang];
    const log = (await listDeliveries(kit.deps.table, ep.id)).slice(0, 200);
    const rows = log.map(
      (d) => html`<tr><td>${d.at.replace('T', ' ').slice(0, 19)}</td><td>${kindWord(d.kind, lang)}</td><td>${w.statuses[d.status]}</td>
<td>${d.attempts}</td><td>${d.lastStatus ?? ''} ${d.lastError ?? ''}</td><td>
<form method="post" action="/admin/webhooks/${ep.id}/redeliver?lang=${lang}">${csrfOf(c)}
<input type="hidden" name="eventId" value="${d.eventId}">
<button type="submit">${w.redeliver}</button></form></td></tr>`,
    );
    const note = saved ? html`<p class="saved" role="status">${w.saved}</p>` : '';
    const body = html`${adminNav(lang, 'webhooks')}<h1>${ep.label || ep.id}</h1>${note}
<p><code>${ep.url}</code> · ${w.formats[ep.format]} · ${ep.regionId}</p>
<h2>${w.log}</h2>${
      rows.length
        ? html`<table><thead><tr><th>${w.at}</th><th>${w.kind}</th><th>${w.status}</th><th>${w.attempts}</th><th>${w.last}</th><th></th>
</tr></thead>
<tbody>${rows}</tbody></table>`
        : html`<p>${w.none}</p>`
    }
<form method="post" action="/admin/webhooks/${ep.id}/remove?lang=${lang}">${csrfOf(c)}<button type="submit">${w.remove}</button></form>`;
    return kit.view(c, ep.label || ep.id, body);
  }

  r.get('/admin/webhooks/:endpointId', admin, async (c) => {
    const ep = await getEndpoint(kit.deps.table, c.req.param('endpointId'));
    return ep ? endpointPage(c, ep, c.req.query('saved') === '1') : kit.notFound(c, c.var.lang, { user: c.var.user, csrf: c.var.csrf });
  });

  r.post('/admin/webhooks/:endpointId/redeliver', admin, kit.form, async (c) => {
    const id = c.req.param('endpointId');
    const ok = await redeliverEvent({ table: kit.deps.table, now: kit.now }, c.var.user, id, str(c.var.form.eventId));
    if (!ok) return kit.notFound(c, c.var.lang, { user: c.var.user, csrf: c.var.csrf });
    return c.redirect(`/admin/webhooks/${encodeURIComponent(id)}?lang=${c.var.lang}&saved=1`, 303);
  });

  r.post('/admin/webhooks/:endpointId/remove', admin, kit.form, async (c) => {
    const ok = await deleteEndpoint({ table: kit.deps.table, now: kit.now }, c.var.user, c.req.param('endpointId'));
    if (!ok) return kit.notFound(c, c.var.lang, { user: c.var.user, csrf: c.var.csrf });
    return c.redirect(`/admin/webhooks?lang=${c.var.lang}&saved=1`, 303);
  });

  return r;
}
