/** score / report / export, run as a person would, with and without `npm start` running on the same data. */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { localDay } from '../shared/domain/time.js';
import { startLocal } from '../shared/local/server.js';
import { getUser } from '../shared/storage/users.js';
import { listRatingsForHallDay } from '../shared/storage/ratings.js';

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'st-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const env = {
  ...process.env,
  DATA_DIR: dir,
  SEED_DAYS: '6',
  LOG_LEVEL: 'SILENT',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
};
const tsx = (script: string, ...args: string[]) =>
  run(join('node_modules', '.bin', 'tsx'), [join('scripts', script), ...args], { env, maxBuffer: 20e6 });

describe('command-line tools', () => {
  it('report and export agree with the running server, and still work after it stops', async () => {
    const local = await startLocal({ DATA_DIR: dir, PORT: '0', SEED_DAYS: '6', LOG_LEVEL: 'SILENT' });
    let reportWhileRunning: string;
    let day: string;
    try {
      await local.scoreNow();
      const hallId = local.demo.hallId;
      reportWhileRunning = (await tsx('report.ts', '--hall', hallId)).stdout;
      const report = JSON.parse(reportWhileRunning);
      day = report.date;
      expect(report).toMatchObject({ hallId, band: expect.stringMatching(/warm|mild|cool|cold/) });
      for (const k of ['temperature', 'low', 'high', 'n']) expect(typeof report[k]).toBe('number');
      for (const k of ['goodRate', 'oneTripRate', 'doneRate', 'activeRate'])
        expect(Object.keys(report[k])).toEqual(['rate', 'low', 'high']);
      expect(Object.keys(report.dimensions)).toEqual(['attitude', 'efficiency', 'competence']);
      // the case-handling figures of the 30 days ending the report's day (the demo has cases)
      expect(report.cases).toMatchObject({ to: report.date, replyRate: { due: expect.any(Number) }, overdueNow: expect.any(Number) });
      expect(report.cases.replyRate.due).toBeGreaterThan(0);
      // the API serves the same figures
      const api = await (
        await fetch(`${local.url}/api/v1/halls/${hallId}/scores?from=${day}&to=${day}`, {
          headers: { authorization: `Bearer ${local.demo.apiKey}` },
        })
      ).json();
      expect(api.days[0].temperature).toBe(report.temperature);
      // the CSV has one row per stored rating of the hall
      const csv = (await tsx('export.ts', '--hall', hallId, '--from', day, '--to', day)).stdout.trim().split('\n');
      expect(csv[0]).toBe(
        'id,time,day,window,service,channel,overall,attitude,efficiency,competence,trips,done,reasons,flagged,survey_version,extra',
      );
      expect(csv.length - 1).toBe((await listRatingsForHallDay(local.table, hallId, day)).length);
    } finally {
      await local.close();
    }
    // with the server stopped, the tools open the data folder themselves and read the same figures
    expect((await tsx('report.ts', '--hall', local.demo.hallId)).stdout).toBe(reportWhileRunning);
    const rescored = JSON.parse((await tsx('score.ts', '--date', day)).stdout);
    expect(rescored.scored).toEqual([day]);
    expect((await tsx('report.ts', '--hall', local.demo.hallId, '--date', day)).stdout).toBe(reportWhileRunning); // idempotent
  }, 120_000);

  it('adds the first administrator once, refusing a taken email or id, and the tools read it back', async () => {
    const out = await tsx('add-admin.ts', '--email', 'Li.Na@Example.gov.cn', '--name', '李娜');
    expect(out.stdout).toContain('administrator "admin-LiNa" (li.na@example.gov.cn) added');
    await expect(tsx('add-admin.ts', '--email', 'li.na@example.gov.cn', '--name', '李娜', '--id', 'other')).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringContaining('already belongs to user "admin-LiNa"'),
    });
    await expect(tsx('add-admin.ts', '--email', 'x@example.gov.cn', '--name', 'X', '--id', 'admin-LiNa')).rejects.toMatchObject({
      stderr: expect.stringContaining('exists'),
    });
    await expect(tsx('add-admin.ts', '--email', 'not-an-email', '--name', 'X')).rejects.toMatchObject({
      stderr: expect.stringContaining('--email'),
    });
    const local = await startLocal({ DATA_DIR: dir, PORT: '0', LOG_LEVEL: 'SILENT' });
    try {
      expect(await getUser(local.table, 'admin-LiNa')).toMatchObject({
        role: 'admin',
        scope: '*',
        email: 'li.na@example.gov.cn',
        name: '李娜',
      });
    } finally {
      await local.close();
    }
  }, 60_000);

  it('explains bad arguments plainly', async () => {
    await expect(tsx('report.ts')).rejects.toMatchObject({ code: 2, stderr: expect.stringContaining('--hall is required') });
    await expect(tsx('score.ts', '--date', '2026-13-45')).rejects.toMatchObject({ stderr: expect.stringContaining('must be a date') });
    // A day that has not ended in the scoring time zone (today, or later) is refused before anything is opened.
    const today = localDay(Date.now(), 'Asia/Shanghai');
    const refused = (text: string) => ({ code: 2, stderr: expect.stringContaining(text) });
    await expect(tsx('score.ts', '--date', today)).rejects.toMatchObject(refused(`${today} has not ended yet in Asia/Shanghai`));
    await expect(tsx('score.ts', '--date', '2099-12-05')).rejects.toMatchObject(refused('2099-12-05 has not ended yet'));
    await expect(tsx('score.ts', '--from', '2026-01-01', '--to', '2099-12-05')).rejects.toMatchObject(
      refused('cannot score --to 2099-12-05'),
    );
    await expect(tsx('export.ts', '--hall', 'h-nope', '--from', '2026-01-02', '--to', '2026-01-01')).rejects.toMatchObject({
      stderr: expect.stringContaining('is after'),
    });
  }, 60_000);
});
