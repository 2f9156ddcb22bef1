/** The Java finder's order and its refusal, on a fake file system (this machine's Java is never touched). */
import { describe, expect, it } from 'vitest';
import { findJava, HOW_TO_GET_JAVA, locateJava } from './java.js';

const io = (files: string[], env: Record<string, string>) => ({
  env,
  home: '/home/x',
  isExecutable: (p: string) => files.includes(p),
  listDir: () => [],
});

describe('finding Java for DynamoDB Local', () => {
  it('prefers JAVA_HOME, then PATH', () => {
    expect(findJava(io(['/opt/jdk/bin/java', '/usr/bin/java'], { JAVA_HOME: '/opt/jdk', PATH: '/usr/bin' }))).toBe('/opt/jdk/bin/java');
    expect(findJava(io(['/usr/bin/java'], { JAVA_HOME: '/nope', PATH: '/bin:/usr/bin' }))).toBe('/usr/bin/java');
    expect(findJava(io([], { PATH: '/usr/bin' }))).toBeUndefined();
  });

  it('installs only as root with apt-get, and otherwise stops with one line saying how', () => {
    let installs = 0;
    const none = io([], { PATH: '/usr/bin' });
    expect(() => locateJava(() => {}, none, { uid: 1000, install: () => (installs++, true) })).toThrow(HOW_TO_GET_JAVA);
    expect(installs).toBe(0);
    const files: string[] = ['/usr/bin/apt-get'];
    const root = { ...io(files, { PATH: '/usr/bin' }), isExecutable: (p: string) => files.includes(p) };
    const install = () => {
      installs++;
      files.push('/usr/bin/java');
      return true;
    };
    expect(locateJava(() => {}, root, { uid: 0, install })).toBe('/usr/bin/java');
    expect(installs).toBe(1);
    expect(HOW_TO_GET_JAVA).not.toContain('\n');
  });
});
