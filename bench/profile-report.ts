/**
 * Reads a .cpuprofile (from `npm run bench -- --cpu-prof`) and prints where the time goes, per operation when told
 * how many: self and inclusive time by owner (package, app module, node internals) and by function. Inclusive time
 * counts a sample once per owner/function on its stack (recursion is not double-counted), which is what tells
 * "everything under @hono/node-server" apart from the little it does itself.
 *   npx tsx bench/profile-report.ts <file.cpuprofile> [--ops=17603] [--top=40] [--match=regex] [--cpu-ms=0.85]
 * --match: only the inclusive rows whose owner or function matches (e.g. --match=shared/).
 * Last, each sample is charged to one component of the rating path by the first rule its stack meets (the SDK
 * before the app that called it, the app before hono, …); --cpu-ms (the bench's server_cpu_ms_per_rating) turns the
 * shares into µs per rating, since the profiler's own sampling inflates the profile's absolute times.
 */
import { readFileSync } from 'node:fs';
import { ownerOf, type TNode, type TProfile } from './profile.js';

const args = process.argv.slice(2);
const opt = (name: string) => args.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
const file = args.find((a) => !a.startsWith('--'));
if (!file) throw new Error('usage: profile-report.ts <file.cpuprofile> [--ops=N] [--top=N] [--match=regex]');
const ops = Number(opt('ops') ?? 0);
const top = Number(opt('top') ?? 40);
const match = opt('match') ? new RegExp(opt('match')!) : undefined;
const cpuMs = Number(opt('cpu-ms') ?? 0);

const p = JSON.parse(readFileSync(file, 'utf8')) as TProfile;
const parent = new Map<number, number>();
for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const byId = new Map(p.nodes.map((n) => [n.id, n]));
const fnKey = (n: TNode) => {
  const { functionName, url, lineNumber } = n.callFrame;
  return `${functionName || '(anonymous)'} ${ownerOf(url, functionName)}${url ? `:${lineNumber + 1}` : ''}`;
};

// Self time per node, then walk each node's stack once (nodes, not samples: a node's stack never changes). Each
// sample counts the median interval, not its own time delta: a sample taken after the thread was descheduled carries
// the whole pause in its delta, which on a shared machine charges a neighbour's time to whatever was running.
const tick = [...p.timeDeltas].sort((a, b) => a - b)[Math.floor(p.timeDeltas.length / 2)] ?? 0;
const selfUs = new Map<number, number>();
for (let i = 0; i < p.samples.length; i++) selfUs.set(p.samples[i], (selfUs.get(p.samples[i]) ?? 0) + tick);
const ownerSelf = new Map<string, number>();
const components = new Map<string, number>();
/** Rules in order: a sample goes to the first whose test matches one of its stack's owners (GC and idle by name). */
const RULES: [string, (o: string) => boolean][] = [
  ['profiler (not the server)', (o) => o === 'bench/profile' || o === 'node:inspector'],
  // The write syscalls to sockets, whoever calls them (the server's responses, the SDK's requests to the engine):
  // the floor no layer above can remove (bench/ingest-ladder.ts shows the same from the other side).
  ['socket send (writes to sockets: responses and the SDK requests)', (o) => o === 'node:internal/stream_base_commons'],
  ['DynamoDB SDK client (middleware, serde, its HTTP request)', (o) => /^@(aws-sdk|smithy)\//.test(o)],
  ['node http client (the SDK requests to the engine)', (o) => /^node:(_http_client|_http_agent)/.test(o)],
  ['zod parsing', (o) => o === 'zod'],
  ['app: storage codec (rating item, put)', (o) => /^shared\/storage\//.test(o)],
  ['app: services (acceptRating, tokens, hashes)', (o) => /^shared\/(services|domain)\//.test(o)],
  ['app: http (guard, routes, middleware)', (o) => /^shared\/http\//.test(o)],
  ['hono (routing, context, secure headers)', (o) => o === 'hono'],
  ['@hono/node-server (request/response adapter)', (o) => o === '@hono/node-server'],
  ['node http server (parser, sockets, writes)', (o) => /^node:(_http_server|_http_common|_http_incoming|_http_outgoing|net)/.test(o)],
];
const ownerIncl = new Map<string, number>();
const fnSelf = new Map<string, number>();
const fnIncl = new Map<string, number>();
let total = 0;
for (const [id, us] of selfUs) {
  const n = byId.get(id)!;
  if (n.callFrame.functionName === '(idle)') continue;
  total += us;
  const o = ownerOf(n.callFrame.url, n.callFrame.functionName);
  ownerSelf.set(o, (ownerSelf.get(o) ?? 0) + us);
  fnSelf.set(fnKey(n), (fnSelf.get(fnKey(n)) ?? 0) + us);
  const owners = new Set<string>();
  const fns = new Set<string>();
  for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
    const f = byId.get(at)!;
    if (f.callFrame.functionName === '(root)') continue;
    owners.add(ownerOf(f.callFrame.url, f.callFrame.functionName));
    fns.add(fnKey(f));
  }
  for (const x of owners) ownerIncl.set(x, (ownerIncl.get(x) ?? 0) + us);
  const rule = RULES.find(([, test]) => [...owners].some(test));
  const comp = rule
    ? rule[0]
    : o === '(garbage collector)'
      ? 'garbage collector'
      : `other (${o.startsWith('node:') ? 'node internals' : o})`;
  components.set(comp, (components.get(comp) ?? 0) + us);
  for (const x of fns) fnIncl.set(x, (fnIncl.get(x) ?? 0) + us);
}

const fmt = (us: number) =>
  `${(us / 1000).toFixed(1).padStart(9)} ms ${((100 * us) / total).toFixed(1).padStart(5)}%` +
  (ops ? ` ${(us / ops).toFixed(1).padStart(7)} µs/op` : '');
const print = (title: string, m: Map<string, number>, filter = false) => {
  console.log(`\n${title}`);
  const rows = [...m].filter(([k]) => !filter || !match || match.test(k)).sort((a, b) => b[1] - a[1]);
  for (const [k, us] of rows.slice(0, top)) console.log(`${fmt(us)}  ${k}`);
};
console.log(`${file}: ${(total / 1000).toFixed(1)} ms on-CPU${ops ? ` for ${ops} operations` : ''}`);
print('self time by owner', ownerSelf);
print('inclusive time by owner', ownerIncl, true);
print('self time by function', fnSelf);
print('inclusive time by function', fnIncl, true);
console.log('\ncomponents (each sample once, by the first rule its stack meets)');
const profiler = components.get(RULES[0][0]) ?? 0;
for (const [k, us] of [...components].sort((a, b) => b[1] - a[1])) {
  const share = k === RULES[0][0] ? 0 : us / (total - profiler);
  const perRating = cpuMs ? ` ${(share * cpuMs * 1000).toFixed(0).padStart(5)} µs/rating` : '';
  console.log(`${(100 * share).toFixed(1).padStart(6)}%${perRating}  ${k}`);
}
