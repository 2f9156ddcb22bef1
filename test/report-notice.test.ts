/**
 * The monthly report's e-mail through the real pipeline (issue 16): dynalite, the notify tick on a test clock, the
 * local mailer writing .eml files. The link goes out from 08:00 on the first working day of China's official calendar
 * (a 调休 Sunday in January 2026, the Monday after a weekend 1st in August, the day after National Day in October),
 * once (a re-run or two runs at once write nothing new), a missed day catches up later in the month, a user who chose
 * "never" gets nothing, and each person gets their own unit's link only.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TUser } from '../shared/domain/access.js';
import { localMailer } from '../shared/local/mail.js';
import { forgetCaseWorld, loadCaseWorld } from '../shared/services/cases.js';
import { notifyTick, type TNotifyDeps } from '../shared/services/notify.js';
import { emitMonthlyReports } from '../shared/services/report-notice.js';
import { putHall, putRegion } from '../shared/storage/catalogue.js';
import { putPrefs } from '../shared/storage/notify.js';
import { putUser } from '../shared/storage/users.js';
import { stopEngines, world, type TWorld } from './support/harness.js';

let w: TWorld;
let deps: TNotifyDeps;
const dir = mkdtempSync(join(tmpdir(), 'st-report-mail-'));
const outbox = join(dir, 'outbox');
const manager: TUser = { id: 'u-mgr', name: '经理', role: 'manager', scope: 'h-test', email: 'mgr@hall.test' };
const quiet: TUser = { id: 'u-mgr2', name: '别的经理', role: 'manager', scope: 'h-other', email: 'mgr2@hall.test' };
const district: TUser = { id: 'u-dist', name: '区督导', role: 'supervisor', scope: 'r-test', email: 'dist@hall.test' };
const city: TUser = { id: 'u-city', name: '市督导', role: 'supervisor', scope: 'r-city', email: 'city@hall.test' };

beforeAll(async () => {
  w = await world();
  await putRegion(w.table, { id: 'r-city', name: '青川市', level: 'city' });
  await putRegion(w.table, { id: 'r-test', name: '测试区', level: 'district', parentId: 'r-city' });
  await putRegion(w.table, { id: 'r-other', name: '别区', level: 'district', parentId: 'r-city' });
  await putHall(w.table, { id: 'h-other', name: '别的大厅', regionId: 'r-other', timezone: 'Asia/Shanghai' });
  for (const u of [manager, quiet, district, city]) await putUser(w.table, u);
  await putPrefs(w.table, quiet.id, { lang: 'zh', modes: { 'report.monthly': 'never' } });
  await putPrefs(w.table, district.id, { lang: 'en', modes: { 'report.monthly': 'now' } });
  w.table.catalogueVersion++;
  deps = {
    table: w.table,
    keyring: w.keyring,
    baseUrl: 'https://rate.example.test',
    mailer: localMailer({ dataDir: dir, from: '服务温度 <no-reply@st.local>' }),
    now: () => w.clock.now,
    timeZone: 'Asia/Shanghai',
  };
});
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await stopEngines();
});

/** Shanghai wall-clock time → the test clock. */
const at = (local: string) => {
  w.clock.now = Date.parse(`${local}+08:00`);
  forgetCaseWorld(w.table);
};

/** The .eml files written so far: recipient and decoded plain text. */
function mails(): { file: string; to: string; text: string }[] {
  const files = (() => {
    try {
      return readdirSync(outbox).sort();
    } catch {
      return [];
    }
  })();
  return files.map((file) => {
    const raw = readFileSync(join(outbox, file), 'utf8').replace(/\r\n/g, '\n');
    const to = /^To: (.+)$/m.exec(raw)![1];
    const part = /Content-Type: text\/plain; charset=utf-8\nContent-Transfer-Encoding: (\S+)\n\n([\s\S]*?)\n--/.exec(raw)!;
    const text =
      part[1] === 'base64'
        ? Buffer.from(part[2].replace(/\s/g, ''), 'base64').toString('utf8')
        : Buffer.from(
            part[2].replace(/=\n/g, '').replace(/=([0-9A-F]{2})/g, (_, h: string) => String.fromCharCode(Number.parseInt(h, 16))),
            'latin1',
          ).toString('utf8');
    return { file, to, text };
  });
}
const linksIn = (text: string) => [...text.matchAll(/\/reports\/[\w-]+\/\d{4}-\d{2}/g)].map((m) => m[0]);

describe('report.monthly on the first working day', () => {
  it('January 2026: nothing on the New Year holiday; on the 调休 Sunday the 4th, from 08:00, once per unit', async () => {
    at('2026-01-03T10:00:00'); // Saturday, a holiday
    expect((await notifyTick(deps)).monthly).toBe(0);
    at('2026-01-04T07:59:00'); // Sunday, a make-up working day, before 08:00
    expect((await notifyTick(deps)).monthly).toBe(0);
    at('2026-01-04T08:00:00');
    const first = await notifyTick(deps);
    // h-test (its manager), r-test (district, at once), r-city (city); h-other's manager chose never
    expect(first.monthly).toBe(3);
    const now = mails();
    expect(now.map((m) => m.to)).toEqual(['dist@hall.test']); // "at once"; the others wait for the digest
    expect(linksIn(now[0].text)).toEqual(['/reports/r-test/2025-12']);
    expect(now[0].text).toContain('https://rate.example.test/reports/r-test/2025-12?lang=en');
    expect(now[0].text).toContain('Monthly report ready');
    expect(now[0].file).toMatch(/\.eml$/);
  });

  it('the 08:30 digest carries each person their own unit only; a re-run writes and sends nothing more', async () => {
    at('2026-01-04T08:30:00');
    expect((await notifyTick(deps)).monthly).toBe(0);
    const all = mails();
    const of = (to: string) => all.filter((m) => m.to === to);
    expect(of('mgr@hall.test')).toHaveLength(1);
    expect(linksIn(of('mgr@hall.test')[0].text)).toEqual(['/reports/h-test/2025-12']);
    expect(of('mgr@hall.test')[0].text).toContain('月度报告已生成');
    expect(of('mgr@hall.test')[0].text).toContain('2025-12 月度报告');
    expect(linksIn(of('city@hall.test')[0].text)).toEqual(['/reports/r-city/2025-12']); // not every hall below
    expect(of('mgr2@hall.test')).toEqual([]);
    for (const m of all) expect(m.text).not.toMatch(/@hall\.test|1[3-9]\d{9}/); // no address, no phone
    at('2026-01-05T09:00:00');
    expect((await notifyTick(deps)).monthly).toBe(0);
    at('2026-01-20T09:00:00');
    expect((await notifyTick(deps)).monthly).toBe(0);
    expect(mails()).toHaveLength(all.length);
  });

  it('August 2026 (the 1st a Saturday): nothing at the weekend; Monday the 3rd, two runs at once write each event once', async () => {
    for (const day of ['2026-08-01', '2026-08-02']) {
      at(`${day}T10:00:00`);
      expect((await notifyTick(deps)).monthly).toBe(0);
    }
    at('2026-08-03T08:05:00');
    const input = {
      table: w.table,
      world: await loadCaseWorld(w.table, w.clock.now),
      nowMs: w.clock.now,
      timeZone: 'Asia/Shanghai',
    };
    const runs = await Promise.all([emitMonthlyReports(input), emitMonthlyReports(input)]);
    expect(runs[0] + runs[1]).toBe(3);
    const before = mails().length;
    await notifyTick(deps);
    const sent = mails().slice(before);
    expect(sent.map((m) => m.to)).toEqual(['dist@hall.test']);
    expect(linksIn(sent[0].text)).toEqual(['/reports/r-test/2026-07']);
  });

  it('October 2026: nothing over National Day (1st–7th); a missed 8th catches up on the 9th', async () => {
    for (let d = 1; d <= 7; d++) {
      at(`2026-10-0${d}T10:00:00`);
      expect((await notifyTick(deps)).monthly).toBe(0);
    }
    // no tick at all on Thursday the 8th, the first working day
    at('2026-10-09T15:00:00');
    const before = mails().length;
    expect((await notifyTick(deps)).monthly).toBe(3);
    // after 08:30 the day's digests go in the same tick: each person their own unit's link
    const sent = mails().slice(before);
    expect(Object.fromEntries(sent.map((m) => [m.to, linksIn(m.text)]))).toEqual({
      'dist@hall.test': ['/reports/r-test/2026-09'],
      'mgr@hall.test': ['/reports/h-test/2026-09'],
      'city@hall.test': ['/reports/r-city/2026-09'],
    });
    at('2026-10-10T09:00:00'); // the 调休 Saturday: a working day, already done
    expect((await notifyTick(deps)).monthly).toBe(0);
  });
});
