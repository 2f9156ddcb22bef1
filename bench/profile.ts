/**
 * `--cpu-prof`: samples the main thread (server + its DynamoDB client + dynalite) with the inspector during a load
 * window, writes the .cpuprofile (open it in Chrome DevTools → Performance, or speedscope), and summarises self
 * time by owner (package / app folder / node internals / GC) and by hottest functions.
 */
import { Session } from 'node:inspector/promises';
import { writeFileSync } from 'node:fs';

export interface TNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
export interface TProfile {
  nodes: TNode[];
  samples: number[];
  timeDeltas: number[];
}

export async function startProfiling(): Promise<() => Promise<TProfile>> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 250 });
  await session.post('Profiler.start');
  return async () => {
    const { profile } = (await session.post('Profiler.stop')) as unknown as { profile: TProfile };
    session.disconnect();
    return profile;
  };
}

/** Who owns a frame: an npm package, an app folder, node internals, or a V8 pseudo-frame. */
export function ownerOf(url: string, fn: string): string {
  if (!url) return fn.startsWith('(') ? fn : '(native/V8)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1];
  if (url.startsWith('node:'))
    return `node:${url.slice(5).split('/')[0] === 'internal' ? url.slice(5).split('/').slice(0, 2).join('/') : url.slice(5)}`;
  const app = /\/(shared|functions|bench)\/(.+?)(\.ts)?$/.exec(url);
  if (app) return `${app[1]}/${app[2]}`;
  return url;
}

export interface TProfileSummary {
  totalMs: number;
  byOwner: { owner: string; ms: number; share: number }[];
  byFunction: { fn: string; ms: number; share: number }[];
}

export function summarise(profile: TProfile, top = 12): TProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  for (let i = 0; i < profile.samples.length; i++)
    self.set(profile.samples[i], (self.get(profile.samples[i]) ?? 0) + (profile.timeDeltas[i] ?? 0));
  let total = 0;
  const owners = new Map<string, number>();
  const fns = new Map<string, number>();
  for (const [id, us] of self) {
    const n = byId.get(id)!;
    const { functionName, url, lineNumber } = n.callFrame;
    if (functionName === '(idle)') continue;
    total += us;
    const owner = ownerOf(url, functionName);
    owners.set(owner, (owners.get(owner) ?? 0) + us);
    const key = `${functionName || '(anonymous)'} ${owner}${url ? `:${lineNumber + 1}` : ''}`;
    fns.set(key, (fns.get(key) ?? 0) + us);
  }
  const rank = (m: Map<string, number>) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([k, us]) => ({ k, ms: us / 1000, share: us / total }));
  return {
    totalMs: total / 1000,
    byOwner: rank(owners).map(({ k, ms, share }) => ({ owner: k, ms, share })),
    byFunction: rank(fns).map(({ k, ms, share }) => ({ fn: k, ms, share })),
  };
}

export function writeProfile(path: string, profile: TProfile): void {
  writeFileSync(path, JSON.stringify(profile));
}
