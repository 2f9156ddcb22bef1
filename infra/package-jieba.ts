/**
 * Puts @node-rs/jieba beside a Lambda bundle for linux-arm64: its JavaScript and dictionaries from this project's
 * node_modules, and the native binary for the Lambda's platform (which `npm ci` on another machine does not
 * install) from node_modules if present, else from the npm registry at the exact version in package-lock.json
 * (`npm pack`, cached by npm). Run by the dashboard function's bundling step: tsx infra/package-jieba.ts <root> <out>.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const JIEBA_TARGET = 'linux-arm64-gnu';

export function packageJieba(projectRoot: string, outputDir: string, target = JIEBA_TARGET): void {
  const from = join(projectRoot, 'node_modules', '@node-rs', 'jieba');
  const to = join(outputDir, 'node_modules', '@node-rs', 'jieba');
  const version = (JSON.parse(readFileSync(join(from, 'package.json'), 'utf8')) as { version: string }).version;
  mkdirSync(to, { recursive: true });
  for (const f of ['package.json', 'index.js', 'dict.js', 'dict.txt', 'idf.txt', 'LICENSE']) cpSync(join(from, f), join(to, f));

  const binaryPkg = `@node-rs/jieba-${target}`;
  const binaryTo = join(outputDir, 'node_modules', '@node-rs', `jieba-${target}`);
  const local = join(projectRoot, 'node_modules', '@node-rs', `jieba-${target}`);
  if (existsSync(join(local, 'package.json'))) {
    cpSync(local, binaryTo, { recursive: true });
    return;
  }
  const tmp = mkdtempSync(join(tmpdir(), 'jieba-'));
  try {
    const out = execFileSync('npm', ['pack', `${binaryPkg}@${version}`, '--silent', '--pack-destination', tmp], {
      cwd: tmp,
      encoding: 'utf8',
    })
      .trim()
      .split('\n')
      .pop()!;
    mkdirSync(binaryTo, { recursive: true });
    execFileSync('tar', ['-xzf', join(tmp, out), '-C', binaryTo, '--strip-components=1']);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [root, out] = process.argv.slice(2);
  if (!root || !out) throw new Error('usage: tsx infra/package-jieba.ts <project root> <bundle folder>');
  packageJieba(resolve(root), resolve(out));
}
