// Why: Biome wraps code at 140 columns but cannot wrap long strings and HTML templates; this keeps those short too.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const LIMIT = 140;
const files = execFileSync('git', ['ls-files', '*.ts', '*.mjs', '*.js'], { encoding: 'utf8' }).split('\n').filter(Boolean);
const long = files.flatMap((f) =>
  readFileSync(f, 'utf8')
    .split('\n')
    .flatMap((line, i) => (line.length > LIMIT ? [`${f}:${i + 1}: ${line.length} characters`] : [])),
);
if (long.length) {
  console.error(`${long.length} source lines are longer than ${LIMIT} characters:\n${long.join('\n')}`);
  process.exit(1);
}
console.log(`lines: every source line is at most ${LIMIT} characters`);
