/** The Chromium finder's pure parts, against a made-up file system (this machine's own browser is never touched). */
import { describe, expect, it } from 'vitest';
import { HOW_TO_GET_ONE, findChromium, locateChromium, mayInstall, playwrightCandidates, type TLookIo } from './chromium.js';
import { isBrowserSuite } from './global-setup.js';

const machine = (files: string[], env: Record<string, string | undefined> = {}): TLookIo => ({
  env: { PATH: '/usr/local/bin:/usr/bin:/bin', ...env },
  home: '/home/dev',
  isExecutable: (p) => files.includes(p),
  listDir: (dir) => [...new Set(files.filter((f) => f.startsWith(`${dir}/`)).map((f) => f.slice(dir.length + 1).split('/')[0]))],
});

describe('finding a Chromium', () => {
  it('takes CHROMIUM_PATH first, and says so when it points at nothing', () => {
    expect(findChromium(machine(['/opt/chrome/chrome', '/usr/bin/chromium'], { CHROMIUM_PATH: '/opt/chrome/chrome' }))).toEqual({
      path: '/opt/chrome/chrome',
      via: 'CHROMIUM_PATH',
    });
    expect(findChromium(machine(['/usr/bin/chromium'], { CHROMIUM_PATH: '/nope' }))).toEqual({
      problem: 'CHROMIUM_PATH=/nope is not an executable file; fix or unset it.',
    });
  });

  it('then the Debian path, then chromium-browser or Chrome on PATH', () => {
    expect(findChromium(machine(['/usr/bin/chromium', '/usr/bin/chromium-browser']))).toEqual({
      path: '/usr/bin/chromium',
      via: 'Debian chromium',
    });
    expect(findChromium(machine(['/usr/bin/chromium-browser']))).toEqual({
      path: '/usr/bin/chromium-browser',
      via: 'chromium-browser on PATH',
    });
    expect(findChromium(machine(['/usr/local/bin/chromium']))).toEqual({ path: '/usr/local/bin/chromium', via: 'chromium on PATH' });
    expect(findChromium(machine(['/usr/bin/google-chrome']))).toMatchObject({ path: '/usr/bin/google-chrome' });
  });

  it("then Playwright's cache: full Chromium before the headless shell, newest first, PLAYWRIGHT_BROWSERS_PATH honoured", () => {
    const cache = '/home/dev/.cache/ms-playwright';
    const files = [
      `${cache}/chromium_headless_shell-1300/chrome-headless-shell-linux64/chrome-headless-shell`,
      `${cache}/chromium-1100/chrome-linux/chrome`,
      `${cache}/chromium-1200/chrome-linux64/chrome`,
      `${cache}/firefox-900/firefox/firefox`,
    ];
    expect(findChromium(machine(files))).toEqual({ path: `${cache}/chromium-1200/chrome-linux64/chrome`, via: "Playwright's cache" });
    expect(findChromium(machine(files.slice(0, 1)))).toMatchObject({ path: files[0] });
    expect(playwrightCandidates(machine(files)).every((p) => !p.includes('firefox'))).toBe(true);
    expect(findChromium(machine(['/pw/chromium-1/chrome-linux/chrome'], { PLAYWRIGHT_BROWSERS_PATH: '/pw' }))).toMatchObject({
      path: '/pw/chromium-1/chrome-linux/chrome',
    });
  });

  it('finds nothing on a bare machine; installs only as root with apt-get; otherwise one line says how', () => {
    expect(findChromium(machine(['/usr/bin/firefox']))).toBeUndefined();
    expect(mayInstall(0, true)).toBe(true);
    expect(mayInstall(1000, true)).toBe(false);
    expect(mayInstall(0, false)).toBe(false);
    expect(mayInstall(undefined, true)).toBe(false);
    expect(HOW_TO_GET_ONE).not.toContain('\n');
    for (const way of ['apt-get install chromium', 'CHROMIUM_PATH', 'playwright', 'SKIP_BROWSER_TESTS=1'])
      expect(HOW_TO_GET_ONE).toContain(way);
  });

  it('installs Debian chromium where it may, and otherwise stops with the one line', () => {
    const files = ['/usr/bin/apt-get'];
    const io = machine(files);
    const installs: string[] = [];
    const install = () => {
      installs.push('apt');
      files.push('/usr/bin/chromium');
      return true;
    };
    expect(() => locateChromium(() => {}, machine(['/usr/bin/apt-get']), { uid: 1000, install })).toThrow(HOW_TO_GET_ONE);
    expect(installs).toEqual([]);
    expect(() => locateChromium(() => {}, machine(['/usr/bin/apt-get']), { uid: 0, install: () => false })).toThrow(HOW_TO_GET_ONE);
    expect(locateChromium(() => {}, io, { uid: 0, install })).toBe('/usr/bin/chromium');
    expect(installs).toEqual(['apt']);
    expect(locateChromium(() => {}, io, { uid: 0, install })).toBe('/usr/bin/chromium'); // found now: no second install
    expect(installs).toEqual(['apt']);
  });

  it('knows a browser suite by its folder', () => {
    expect(isBrowserSuite('/work/x/test/browser/survey.browser.test.ts')).toBe(true);
    expect(isBrowserSuite('/work/x/test/api.test.ts')).toBe(false);
  });
});
