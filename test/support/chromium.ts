/**
 * Finding a Chromium for the browser suites on any machine, so `npm test` works on a fresh one: CHROMIUM_PATH, the
 * Debian path, a chromium/chromium-browser/Chrome on PATH, then Playwright's own download cache. Where none exists
 * and this process may install (root with apt-get), Debian's chromium and a CJK font are installed; otherwise the
 * run stops at once with one line saying how to get one. The pure parts (which paths, in what order, what to say)
 * take their file-system view as arguments and are unit-tested; `locateChromium` plugs in the real one.
 */
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { accessSync, constants, readdirSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';

export interface TLookIo {
  env: Record<string, string | undefined>;
  home: string;
  /** true for an executable regular file */
  isExecutable(path: string): boolean;
  /** entries of a directory, [] if it does not exist */
  listDir(path: string): string[];
}

export type TFound = { path: string; via: string } | { problem: string } | undefined;

export const SKIP_SETTING = 'SKIP_BROWSER_TESTS';
export const DEBIAN_PACKAGES = ['chromium', 'fonts-wqy-microhei'] as const;

/** The one line shown when there is no Chromium and none may be installed. */
export const HOW_TO_GET_ONE =
  'No Chromium for the browser tests: install one (as root: apt-get install chromium fonts-wqy-microhei), set CHROMIUM_PATH to a ' +
  `Chromium/Chrome binary, or run "npx playwright-core install chromium"; ${SKIP_SETTING}=1 skips the browser suites on purpose.`;

const PATH_NAMES = ['chromium', 'chromium-browser', 'google-chrome-stable', 'google-chrome'];
/** Inside a Playwright browser folder: the full browser first (newer then older layouts), then the headless shell. */
const PLAYWRIGHT_BINARIES = [
  ['chrome-linux64', 'chrome'],
  ['chrome-linux', 'chrome'],
  ['chrome-headless-shell-linux64', 'chrome-headless-shell'],
  ['chrome-linux', 'headless_shell'],
];

/** Playwright's browsers, best first: full Chromium before the headless shell, newest revision first. */
export function playwrightCandidates(io: Pick<TLookIo, 'env' | 'home' | 'listDir'>): string[] {
  const root =
    io.env.PLAYWRIGHT_BROWSERS_PATH && io.env.PLAYWRIGHT_BROWSERS_PATH !== '0'
      ? io.env.PLAYWRIGHT_BROWSERS_PATH
      : join(io.home, '.cache', 'ms-playwright');
  const revision = (dir: string) => Number(/-(\d+)$/.exec(dir)?.[1] ?? 0);
  const dirs = io.listDir(root).filter((d) => /^(chromium|chromium_headless_shell)-\d+$/.test(d));
  dirs.sort(
    (a, b) =>
      Number(a.startsWith('chromium_headless_shell')) - Number(b.startsWith('chromium_headless_shell')) || revision(b) - revision(a),
  );
  return dirs.flatMap((d) => PLAYWRIGHT_BINARIES.map((parts) => join(root, d, ...parts)));
}

/** The first Chromium this machine has, and how it was found; a CHROMIUM_PATH that is no browser is a problem. */
export function findChromium(io: TLookIo): TFound {
  const set = io.env.CHROMIUM_PATH;
  if (set)
    return io.isExecutable(set)
      ? { path: set, via: 'CHROMIUM_PATH' }
      : { problem: `CHROMIUM_PATH=${set} is not an executable file; fix or unset it.` };
  if (io.isExecutable('/usr/bin/chromium')) return { path: '/usr/bin/chromium', via: 'Debian chromium' };
  const dirs = (io.env.PATH ?? '').split(delimiter).filter(Boolean);
  for (const name of PATH_NAMES) {
    for (const dir of dirs) if (io.isExecutable(join(dir, name))) return { path: join(dir, name), via: `${name} on PATH` };
  }
  for (const path of playwrightCandidates(io)) if (io.isExecutable(path)) return { path, via: "Playwright's cache" };
  return undefined;
}

/** Installing is only tried where it can work without asking anyone: as root, with apt-get. */
export const mayInstall = (uid: number | undefined, hasAptGet: boolean): boolean => uid === 0 && hasAptGet;

export const realIo = (env: Record<string, string | undefined> = process.env): TLookIo => ({
  env,
  home: homedir(),
  isExecutable(path) {
    try {
      accessSync(path, constants.X_OK);
      return statSync(path).isFile();
    } catch {
      return false;
    }
  },
  listDir(path) {
    try {
      return readdirSync(path);
    } catch {
      return [];
    }
  },
});

function aptInstall(log: (line: string) => void): boolean {
  log(`browser tests: no Chromium found; installing Debian ${DEBIAN_PACKAGES.join(' ')} with apt-get…`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const opts: SpawnSyncOptions = { env, stdio: ['ignore', 'ignore', 'inherit'] };
  return (
    spawnSync('apt-get', ['update', '-qq'], opts).status === 0 &&
    spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...DEBIAN_PACKAGES], opts).status === 0
  );
}

/**
 * This machine's Chromium, installed if it may be; throws one line saying how to get one otherwise. The machine is
 * an argument so the order of the steps is tested without touching this one's browser.
 */
export function locateChromium(
  log: (line: string) => void = (l) => process.stderr.write(`${l}\n`),
  io: TLookIo = realIo(),
  system = { uid: process.getuid?.(), install: aptInstall },
): string {
  let found = findChromium(io);
  if (found && 'problem' in found) throw new Error(found.problem);
  if (!found && mayInstall(system.uid, io.isExecutable('/usr/bin/apt-get')) && system.install(log)) found = findChromium(io);
  if (!found || 'problem' in found) throw new Error(HOW_TO_GET_ONE);
  return found.path;
}
