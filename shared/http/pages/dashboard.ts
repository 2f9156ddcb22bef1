/** Staff pages (hall managers, supervisors): server-rendered, Chinese first with English, no external requests. */
import { html, raw } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import type { TUser } from '../../domain/access.js';
import { DIMENSION_MIN_N } from '../../domain/figures.js';
import { HEAT_MIN_RATINGS } from '../../scoring/insights.js';
import type { TLang } from './i18n.js';

type Html = HtmlEscapedString | Promise<HtmlEscapedString>;

export const D = {
  zh: {
    brand: '服务温度',
    signIn: '登录',
    signOut: '退出',
    signInTitle: '工作人员登录',
    devSignIn: '本机演示登录（仅开发环境）',
    devHint: '选择一位演示用户。正式环境通过统一身份认证登录。',
    oidcMissing: '统一身份认证尚未配置，请联系管理员。',
    signInWith: '使用统一身份认证登录',
    signInAgain: '重新登录',
    signedOut: '您已退出',
    signingOutProvider: '正在同时退出统一身份认证平台…',
    continue: '继续',
    refused: {
      'no-account': '这个身份还没有开通工作人员账号。请把您登录时用的邮箱告诉系统管理员，开通后再登录。',
      'email-unverified': '身份认证平台还没有验证您的邮箱。请先在身份认证平台完成邮箱验证，再登录。',
      'bound-elsewhere': '这个邮箱对应的工作人员账号已经绑定了另一个身份。请联系系统管理员。',
    } as Record<string, string>,
    flowExpired: '登录已超时或已在别处完成，请重新登录。',
    providerSaid: '身份认证平台没有完成登录',
    providerDown: '暂时连不上身份认证平台，请稍后再试。',
    landing: '各服务大厅的服务温度、差评和整改情况。',
    temperature: '服务温度',
    interval: '90% 区间',
    n: '有效评价数',
    band: '档位',
    bands: { warm: '温暖', mild: '温和', cool: '偏凉', cold: '冰冷' } as Record<string, string>,
    goodRate: '好评率',
    oneTripRate: '一次办成率',
    doneRate: '当天办结率',
    activeRate: '主动评价率',
    dims: { attitude: '服务态度', efficiency: '服务效率', competence: '服务水平' } as Record<string, string>,
    windows: '窗口',
    services: '事项',
    name: '名称',
    alerts: '预警',
    noAlerts: '近30天没有预警。',
    regionAlerts: '近30天预警（各大厅）',
    trend: '近90天趋势',
    date: '日期',
    cusum: '差评比例持续升高',
    turnedCold: '转为冰冷',
    children: '下辖单位',
    attention: '需要关注（下属全部大厅：冰冷、降温或近7天有预警）',
    league: '排名',
    unranked: '评价不足20条，暂不排名',
    change30: '30天变化',
    notScored: '还没有评分结果，夜间任务运行后显示。',
    asOf: '数据截至',
    notFound: '找不到这个单位，或您无权查看。',
    rank: '名次',
    hall: '大厅',
    chartAlt: '下表逐日列出同样的数据',
    distribution: '评价分布',
    grade: '评价',
    count: '条数',
    share: '占比',
    heat: '时段分布（星期 × 小时）',
    heatHint: `每格：评价数 / 其中差评数；深色表示评价多。红框：至少 ${HEAT_MIN_RATINGS} 条评价且差评占三成以上（评价太少的格子不标）。`,
    themes: '差评主题与关键词',
    ratingsWord: '条',
    noThemes: '近30天没有不满意的评价。',
    comments: '最近留言',
    keys: '取号机接口密钥',
    keyCreated: '新密钥如下，只显示这一次，请立即复制到取号机：',
    keyId: '编号',
    keyLabel: '用途说明',
    keyCreatedAt: '创建时间',
    keyState: '状态',
    revoked: '已停用',
    active: '使用中',
    revoke: '停用',
    newKey: '新建密钥',
    create: '创建',
    exportRatings: '导出近30天评价（CSV）',
    exportScores: '导出近90天服务温度（CSV）',
    placards: '打印窗口评价牌',
    admin: '管理',
    cases: '差评案件',
    audit: '审计日志',
    beyondNoise: '（超出波动范围）',
    withinNoise: '（在正常波动范围内）',
    fewAnswers: (n: number) => `只有 ${n.toFixed(0)} 条自己的回答，不足 ${DIMENSION_MIN_N} 条不计算`,
    computing: (done: number, total: number) => `正在计算服务温度：${done} / ${total} 夜，完成后自动显示。`,
    computingSoon: '正在计算服务温度，完成后显示。',
    today: '今天要处理',
    dueLine: (overdue: number, today: number) => `${overdue} 件案件已逾期，${today} 件今天到期`,
    toQueue: '去处理全部案件',
    newAlerts: '新预警',
    noToday: '今天没有到期或逾期的案件，也没有新预警。',
    dailyTable: '逐日数据（表格）',
    episodeSince: (from: string, days: number, nights: number) => `${from} 起，持续 ${days} 天（${nights} 夜报警）`,
    badVsBase: (bad: string, base: string) => `差评比例 ${bad}，本厅基线 ${base}`,
    lookAt: '重点看',
    byWindow: '窗口',
    byHour: '时段',
    byReason: '原因',
    itsCases: '相关案件',
    coldReason: '冰冷',
    coolingReason: (x: string) => `近30天降温 ${x}`,
    alertReason: '近7天有预警',
    reasons: '原因',
    leagueChildren: '下一级单位',
    leagueAll: '全部大厅',
    peopleCsv: '下载近30天评价表（中文，含窗口名称、原因和留言）',
  },
  en: {
    brand: 'Service Temperature',
    signIn: 'Sign in',
    signOut: 'Sign out',
    signInTitle: 'Staff sign-in',
    devSignIn: 'Local demo sign-in (development only)',
    devHint: 'Pick a demo user. In production, staff sign in with the identity provider.',
    oidcMissing: 'Sign-in with the identity provider is not configured yet; contact the administrator.',
    signInWith: 'Sign in with the identity provider',
    signInAgain: 'Sign in again',
    signedOut: 'You are signed out',
    signingOutProvider: 'Signing you out of the identity provider too…',
    continue: 'Continue',
    refused: {
      'no-account':
        'This identity has no staff account yet. ' +
        'Give the administrator the email address you signed in with, then sign in again once it is added.',
      'email-unverified': 'The identity provider has not verified your email address yet. Verify it there first, then sign in.',
      'bound-elsewhere': 'The staff account for this email address is already bound to another identity. Contact the administrator.',
    } as Record<string, string>,
    flowExpired: 'The sign-in timed out or was already completed; please sign in again.',
    providerSaid: 'The identity provider did not complete the sign-in',
    providerDown: 'The identity provider cannot be reached right now; please try again later.',
    landing: 'Service temperature, bad ratings and their handling for each service hall.',
    temperature: 'Temperature',
    interval: '90% interval',
    n: 'Effective ratings',
    band: 'Band',
    bands: { warm: 'warm', mild: 'mild', cool: 'cool', cold: 'cold' } as Record<string, string>,
    goodRate: 'Good-rating rate',
    oneTripRate: 'One-trip rate',
    doneRate: 'Done-today rate',
    activeRate: 'Active-rating rate',
    dims: { attitude: 'Attitude', efficiency: 'Efficiency', competence: 'Competence' } as Record<string, string>,
    windows: 'Windows',
    services: 'Services',
    name: 'Name',
    alerts: 'Alerts',
    noAlerts: 'No alerts in the last 30 days.',
    regionAlerts: 'Alerts of the last 30 days (its halls)',
    trend: 'Last 90 days',
    date: 'Date',
    cusum: 'Bad-rating share rising',
    turnedCold: 'Turned cold',
    children: 'Units below',
    attention: 'Needs attention (every hall below: cold, cooling, or an alert in the last 7 days)',
    league: 'League table',
    unranked: 'Fewer than 20 ratings: not ranked',
    change30: '30-day change',
    notScored: 'No scores yet; they appear after the nightly job runs.',
    asOf: 'As of',
    notFound: 'No such unit, or not yours to see.',
    rank: 'Rank',
    hall: 'Hall',
    chartAlt: 'the table below lists the same data day by day',
    distribution: 'Grade distribution',
    grade: 'Grade',
    count: 'Count',
    share: 'Share',
    heat: 'When (weekday × hour)',
    heatHint:
      `Each cell: ratings / of which bad; darker means more ratings. A red frame: at least ${HEAT_MIN_RATINGS} ratings ` +
      'and 30% or more of them bad (cells with fewer ratings are never framed).',
    themes: 'Complaint themes and their words',
    ratingsWord: 'ratings',
    noThemes: 'No dissatisfied ratings in the last 30 days.',
    comments: 'Latest comments',
    keys: 'Machine API keys',
    keyCreated: 'The new key is below. It is shown only this once: copy it into the queue machine now.',
    keyId: 'Id',
    keyLabel: 'Label',
    keyCreatedAt: 'Created',
    keyState: 'State',
    revoked: 'revoked',
    active: 'active',
    revoke: 'Revoke',
    newKey: 'New key',
    create: 'Create',
    exportRatings: 'Export 30 days of ratings (CSV)',
    exportScores: 'Export 90 days of temperatures (CSV)',
    placards: 'Print window placards',
    admin: 'Administration',
    cases: 'Cases',
    audit: 'Audit trail',
    beyondNoise: '(beyond the noise)',
    withinNoise: '(within the usual noise)',
    fewAnswers: (n: number) => `only ${n.toFixed(0)} answers of its own; shown from ${DIMENSION_MIN_N}`,
    computing: (done: number, total: number) => `Computing the temperatures: ${done} / ${total} nights; they appear when done.`,
    computingSoon: 'Computing the temperatures; they appear when done.',
    today: 'To do today',
    dueLine: (overdue: number, today: number) => `${overdue} cases overdue, ${today} due today`,
    toQueue: 'work the whole queue',
    newAlerts: 'New alerts',
    noToday: 'No case is due or overdue today, and there is no new alert.',
    dailyTable: 'Day by day (table)',
    episodeSince: (from: string, days: number, nights: number) => `since ${from}, ${days} days (${nights} nights alerted)`,
    badVsBase: (bad: string, base: string) => `bad share ${bad} against the hall's baseline ${base}`,
    lookAt: 'Look at',
    byWindow: 'windows',
    byHour: 'hours',
    byReason: 'reasons',
    itsCases: 'its cases',
    coldReason: 'cold',
    coolingReason: (x: string) => `cooled ${x} in 30 days`,
    alertReason: 'alert in the last 7 days',
    reasons: 'Why',
    leagueChildren: 'Units one level down',
    leagueAll: 'All halls',
    peopleCsv: 'Download 30 days of ratings for people (names, reasons, comments)',
  },
} as const;
export type TDWords = (typeof D)[TLang];

/** The staff pages' CSS, one line of rules per entry (long lines in pieces); joined with newlines as it always was. */
const CSS = [
  '*{box-sizing:border-box}' +
    'body{margin:0;font:16px/1.5 system-ui,"PingFang SC","Microsoft YaHei",sans-serif;color:#1a1a1a;background:#f4f6f8}',
  'header{display:flex;gap:16px;align-items:center;justify-content:space-between;padding:10px 20px;background:#0b3d6e;' +
    'color:#fff}header a,header button{color:#fff}',
  'header form{display:inline}' +
    'header button{background:none;border:1px solid #fff;border-radius:6px;padding:6px 12px;font:inherit;cursor:pointer}',
  'main{max-width:1100px;margin:0 auto;padding:20px}h1{font-size:1.6em;margin:.2em 0}' + 'h2{font-size:1.2em;margin:1.4em 0 .5em}',
  '.cards{display:flex;flex-wrap:wrap;gap:12px}' +
    '.card{background:#fff;border:1px solid #c9d1d9;border-radius:10px;padding:12px 16px;min-width:170px}',
  '.big{font-size:2.4em;font-weight:700}.muted{color:#3d4650;font-size:.9em}',
  'table{border-collapse:collapse;background:#fff;width:100%}' +
    'th,td{border:1px solid #c9d1d9;padding:6px 10px;text-align:left}th{background:#e8edf2}' +
    'td.num{text-align:right;font-variant-numeric:tabular-nums}',
  '.band{display:inline-block;padding:1px 8px;border-radius:10px;font-size:.85em;border:1px solid}' +
    '.warm{color:#7a2e00;border-color:#b35900}.mild{color:#1e5e1e;border-color:#2e7d32}' +
    '.cool{color:#0b4f94;border-color:#0b5cad}.cold{color:#fff;background:#0b3d6e;border-color:#0b3d6e}',
  'button.sort{font:inherit;font-weight:700;background:none;border:0;padding:0;cursor:pointer;color:inherit}' +
    'th[aria-sort=ascending] button.sort::after{content:" ▲"}th[aria-sort=descending] button.sort::after{content:" ▼"}' +
    'table.heat td{min-width:44px}.h1{background:#eef4fb}.h2{background:#d6e6f7}.h3{background:#b7d3f0}' +
    '.h4{background:#93bce6}.h5{background:#6fa3da}.hot{outline:3px solid #b3261e;outline-offset:-3px}' +
    '.kw{display:inline-block;background:#eef1f4;border-radius:6px;padding:0 6px;margin:2px}meter{width:160px}',
  'a{color:#0b5cad}a:focus-visible,button:focus-visible{outline:3px solid #b35900;outline-offset:2px}' +
    'a.button{display:inline-block;padding:12px 20px;border-radius:8px;background:#0b5cad;color:#fff;text-decoration:none;' +
    'font-weight:700;min-height:24px}' +
    '.users button{display:block;margin:8px 0;padding:10px 16px;font:inherit;border:1px solid #0b5cad;border-radius:8px;' +
    'background:#fff;color:#0b3d6e;cursor:pointer;min-width:320px;text-align:left}',
  '.adm-nav{display:flex;gap:20px;margin:4px 0 8px}.adm-nav a{padding:10px 0}.adm-nav a[aria-current=page]{font-weight:700}',
  'form.adm{background:#fff;border:1px solid #c9d1d9;border-radius:10px;padding:12px 16px;margin:8px 0 16px}' +
    'form.adm.inline{display:flex;flex-wrap:wrap;gap:0 12px;align-items:flex-end;border:0;padding:0;margin:0;background:none}',
  '.field{margin:0 0 12px}.field label{display:block;font-weight:600}.hint{display:block;color:#3d4650;font-size:.9em}',
  '.field input,.field select{font:inherit;min-height:44px;padding:6px 10px;border:1px solid #5b6570;border-radius:6px;' +
    'background:#fff;color:#1a1a1a;width:100%;max-width:420px}',
  '.field [aria-invalid=true]{border:2px solid #b3261e}.err{display:block;color:#b3261e;font-weight:600}' +
    '.pair{display:flex;flex-wrap:wrap;gap:0 16px}.pair .field{min-width:180px}',
  '.errors{border:2px solid #b3261e;background:#fdf1f0;border-radius:8px;padding:4px 16px;margin:0 0 12px}' +
    '.errors a{color:#8c1d18}.saved{border:2px solid #2e7d32;background:#eef7ee;border-radius:8px;padding:8px 16px}',
  '.btn{font:inherit;min-height:44px;padding:8px 18px;border-radius:8px;border:2px solid #0b5cad;background:#0b5cad;' +
    'color:#fff;cursor:pointer}.btn.quiet{background:#fff;color:#0b3d6e}' +
    '.btn.danger{background:#fff;color:#b3261e;border-color:#b3261e}',
  'input:focus-visible,select:focus-visible{outline:3px solid #b35900;outline-offset:2px}',
  '.tree,.tree ul{list-style:none}.tree{padding-left:0}' +
    '.tree ul{margin:4px 0 4px 10px;padding-left:18px;border-left:2px solid #c9d1d9}.tree li{margin:8px 0}' +
    '.tree a{display:inline-block;padding:4px 0}',
  'table.units td{vertical-align:top}tr.retired td{background:#eef1f4}',
  '.chg{margin-top:4px}.chg.down strong{color:#b3261e}.chg.up strong{color:#1e5e1e}.today{background:#fff;border:2px solid #b35900;' +
    'border-radius:10px;padding:2px 16px 4px;margin:8px 0}.today h2{margin:.4em 0}.today p{margin:.4em 0}' +
    '.episodes li{margin:6px 0}.new{font-weight:700;color:#8a3b00}',
].join('\n');

/** The staff pages' fixed head tags before the title. */
const HEAD_META = raw(
  '<meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">' +
    '<meta name="referrer" content="no-referrer"><link rel="icon" href="data:,">',
);

const reviewsLabel = { zh: '申诉与审核', en: 'Appeals & reviews' };

export function staffPage(opts: {
  lang: TLang;
  nonce: string;
  title: string;
  user?: TUser;
  csrf?: string;
  body: Html;
  path: string;
  head?: Html;
}): Html {
  const w = D[opts.lang];
  const other = opts.lang === 'en' ? 'zh' : 'en';
  const style = html`<style nonce="${opts.nonce}">${raw(CSS)}</style>`;
  const head = html`<head>${HEAD_META}<title>${opts.title} · ${w.brand}</title>${opts.head ?? ''}${style}</head>`;
  const otherName = other === 'en' ? 'English' : '中文';
  const langLink = html`<a href="${opts.path}?lang=${other}" lang="${other === 'en' ? 'en' : 'zh-CN'}">${otherName}</a>`;
  const csrfField = html`<input type="hidden" name="_csrf" value="${opts.csrf ?? ''}">`;
  const signOut = html`<form method="post" action="/signout">${csrfField}<button type="submit">${w.signOut}</button></form>`;
  const adminLink = html` · <a href="/admin/regions?lang=${opts.lang}">${w.admin}</a>`;
  const adminLinks = html`${adminLink}
 · <a href="/admin/audit?lang=${opts.lang}">${w.audit}</a>`;
  const who = opts.user ? html` · <span>${opts.user.name}</span> ${signOut}` : html` · <a href="/signin?lang=${opts.lang}">${w.signIn}</a>`;
  return html`<!doctype html><html lang="${opts.lang === 'en' ? 'en' : 'zh-CN'}">${head}<body>
<header><a href="/?lang=${opts.lang}"><strong>${w.brand}</strong></a><nav>${langLink}
${opts.user ? html` · <a href="/cases?lang=${opts.lang}">${w.cases}</a>` : ''}
${opts.user && opts.user.role !== 'manager' ? html` · <a href="/reviews?lang=${opts.lang}">${reviewsLabel[opts.lang]}</a>` : ''}
${opts.user ? html` · <a href="/notifications?lang=${opts.lang}">${opts.lang === 'en' ? 'Notifications' : '通知'}</a>` : ''}
${opts.user?.role === 'admin' ? adminLinks : ''}
${who}</nav></header>
<main>${opts.body}</main></body></html>`;
}

export const bandTag = (w: TDWords, band?: string) => (band ? html`<span class="band ${band}">${w.bands[band] ?? band}</span>` : '');
export const pct = (x: number | null | undefined) => (x === null || x === undefined ? '—' : `${(x * 100).toFixed(1)}%`);
export const rateCell = (r?: { rate: number | null; low: number | null; high: number | null }) =>
  r && r.rate !== null ? `${pct(r.rate)} (${pct(r.low)}–${pct(r.high)})` : '—';

/**
 * The temperature as a half-dial: bands cold / cool / mild / warm along the arc, the 90% interval as a thick arc,
 * the value as a needle. Drawn on the server as SVG (no script, nothing to load); the label carries the numbers.
 */
export function gauge(t: number, lo: number, hi: number, label: string): Html {
  const pt = (v: number, r: number) => {
    const a = Math.PI * (1 - Math.max(0, Math.min(100, v)) / 100);
    return `${(60 + r * Math.cos(a)).toFixed(2)} ${(60 - r * Math.sin(a)).toFixed(2)}`;
  };
  const arc = (from: number, to: number, r: number) => `M ${pt(from, r)} A ${r} ${r} 0 0 1 ${pt(to, r)}`;
  const bands: [number, number, string][] = [
    [0, 55, '#0b3d6e'],
    [55, 70, '#5b8fd0'],
    [70, 85, '#2e7d32'],
    [85, 100, '#b35900'],
  ];
  const ring = bands.map(([a, b, color]) => html`<path d="${arc(a, b, 50)}" fill="none" stroke="${color}" stroke-width="6"/>`);
  const range = html`<path d="${arc(lo, hi, 40)}" fill="none" stroke="#93bce6" stroke-width="8"/>`;
  const [x2, y2] = pt(t, 46).split(' ');
  const needle = html`<line x1="60" y1="60" x2="${x2}" y2="${y2}" stroke="#1a1a1a" stroke-width="2.5" stroke-linecap="round"/>`;
  const hub = html`<circle cx="60" cy="60" r="3.5" fill="#1a1a1a"/>`;
  const svgOpen = html`<svg class="gauge" viewBox="0 0 120 70" width="180" height="105" role="img" aria-label="${label}">`;
  return html`${svgOpen}${ring}${range}${needle}${hub}</svg>`;
}
