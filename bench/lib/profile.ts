// Reads a V8 CPU profile (`node --cpu-prof`) and says where the time went: the functions with the
// most self time, and self time summed by package (node_modules/<name>) or project folder. For the
// notes of a missed target ("why, from a profile, not from a guess").
//
//   node --import tsx bench/lib/profile.ts <file.cpuprofile | dir> [--top 15]
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  children?: number[];
}

export interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  /** Wall time the profile covers (ms). */
  totalMs: number;
  /** (idle): the thread waited (on the database, the network, timers). */
  idleMs: number;
  gcMs: number;
  functions: { name: string; where: string; selfMs: number; share: number }[];
  packages: { name: string; selfMs: number; share: number }[];
}

const ROOT = join(fileURLToPath(new URL('.', import.meta.url)), '..', '..');

export function summarizeProfile(profile: CpuProfile, top = 15): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  // The profiler's own stop (node:inspector serialising the profile) is not the workload's time.
  const profilerOwn = new Map<number, boolean>();
  const isProfilerOwn = (id: number): boolean => {
    let v = profilerOwn.get(id);
    if (v === undefined) {
      const p = parent.get(id);
      v = byId.get(id)!.callFrame.url === 'node:inspector' || (p !== undefined && isProfilerOwn(p));
      profilerOwn.set(id, v);
    }
    return v;
  };
  const self = new Map<number, number>();
  let ownMs = 0;
  profile.samples.forEach((id, i) => {
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    if (isProfilerOwn(id)) ownMs += ms;
    else self.set(id, (self.get(id) ?? 0) + ms);
  });
  const totalMs = (profile.endTime - profile.startTime) / 1000 - ownMs;
  const fn = new Map<string, { name: string; where: string; selfMs: number }>();
  const pkg = new Map<string, number>();
  let idleMs = 0;
  let gcMs = 0;
  for (const [id, ms] of self) {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    if (functionName === '(idle)') idleMs += ms;
    if (functionName === '(garbage collector)') gcMs += ms;
    const where = url ? `${shortUrl(url)}:${lineNumber + 1}` : '';
    const key = `${functionName}\u0000${where}`;
    const entry = fn.get(key) ?? { name: functionName || '(anonymous)', where, selfMs: 0 };
    entry.selfMs += ms;
    fn.set(key, entry);
    const p = packageOf(url, functionName);
    pkg.set(p, (pkg.get(p) ?? 0) + ms);
  }
  const share = (ms: number) => ms / totalMs;
  return {
    totalMs,
    idleMs,
    gcMs,
    functions: [...fn.values()]
      .sort((a, b) => b.selfMs - a.selfMs)
      .slice(0, top)
      .map((f) => ({ ...f, share: share(f.selfMs) })),
    packages: [...pkg]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, selfMs]) => ({ name, selfMs, share: share(selfMs) })),
  };
}

function shortUrl(url: string): string {
  const path = url.startsWith('file://') ? fileURLToPath(url) : url;
  const nm = path.lastIndexOf('node_modules/');
  if (nm >= 0) return path.slice(nm + 'node_modules/'.length);
  return path.startsWith('/') ? relative(ROOT, path) : path;
}

function packageOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  if (url.startsWith('node:')) return 'node:' + url.slice(5).split('/')[0];
  const path = shortUrl(url);
  if (url.includes('node_modules/')) {
    const parts = path.split('/');
    return parts[0]!.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!;
  }
  return path.split('/').slice(0, 2).join('/');
}

/** One line: "total 12.3 s, idle 40%, GC 3%; top self: f (file:line) 12%, …". */
export function describeProfile(s: ProfileSummary, top = 5): string {
  const pct = (x: number) => `${(x * 100).toFixed(0)}%`;
  const fns = s.functions
    .filter((f) => f.name !== '(idle)' && f.name !== '(program)')
    .slice(0, top)
    .map((f) => `${f.name}${f.where ? ` (${f.where})` : ''} ${pct(f.share)}`);
  return `profile ${(s.totalMs / 1000).toFixed(1)} s: idle ${pct(s.idleMs / s.totalMs)}, GC ${pct(s.gcMs / s.totalMs)}; top self time: ${fns.join(', ')}`;
}

/** Runs fn under the V8 CPU profiler of this very process (what `node --cpu-prof` records, for a
 * phase instead of the whole run); the profile comes back with fn's result. */
export async function profileWhile<T>(fn: () => Promise<T>, samplingIntervalUs = 200): Promise<{ result: T; profile: CpuProfile }> {
  const session = new Session();
  session.connect();
  try {
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: samplingIntervalUs });
    await session.post('Profiler.start');
    let result: T | undefined;
    let failure: unknown;
    try {
      result = await fn();
    } catch (e) {
      failure = e;
    }
    const { profile } = (await session.post('Profiler.stop')) as unknown as { profile: CpuProfile };
    if (failure !== undefined) throw failure;
    return { result: result as T, profile };
  } finally {
    session.disconnect();
  }
}

/** Starts V8's CPU profiler on this process now; `stop` answers the profile of what ran since (for a
 * window of a run, such as its last tenth, where profileWhile wraps a whole call). */
export async function startProfiling(samplingIntervalUs = 1_000): Promise<{ stop(): Promise<CpuProfile> }> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: samplingIntervalUs });
  await session.post('Profiler.start');
  return {
    async stop() {
      try {
        return ((await session.post('Profiler.stop')) as unknown as { profile: CpuProfile }).profile;
      } finally {
        session.disconnect();
      }
    },
  };
}

/** "yaml 35%, (garbage collector) 34%, engine/definition 20%": self time by package, largest first. */
export function describePackages(s: ProfileSummary, top = 5): string {
  return s.packages
    .slice(0, top)
    .map((p) => `${p.name} ${(p.share * 100).toFixed(0)}%`)
    .join(', ');
}

/** The summary as lines, for stderr: self time by function, then by package. */
export function profileLines(s: ProfileSummary): string[] {
  const pct = (x: number) => `${(x * 100).toFixed(1).padStart(5)}%`;
  return [
    `total ${(s.totalMs / 1000).toFixed(2)} s; idle ${pct(s.idleMs / s.totalMs)}; GC ${pct(s.gcMs / s.totalMs)}`,
    'self time by function:',
    ...s.functions.map((f) => `${pct(f.share)} ${f.selfMs.toFixed(0).padStart(7)} ms  ${f.name}  ${f.where}`),
    'self time by package / folder:',
    ...s.packages.map((p) => `${pct(p.share)} ${p.selfMs.toFixed(0).padStart(7)} ms  ${p.name}`),
  ];
}

/** The newest .cpuprofile in a folder (or the file itself). */
export function readProfile(path: string): CpuProfile {
  let file = path;
  if (statSync(path).isDirectory()) {
    const newest = readdirSync(path)
      .filter((f) => f.endsWith('.cpuprofile'))
      .map((f) => join(path, f))
      .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0];
    if (!newest) throw new Error(`no .cpuprofile in ${path}`);
    file = newest;
  }
  return JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const [path, ...rest] = process.argv.slice(2);
  if (!path) {
    process.stderr.write('usage: node --import tsx bench/lib/profile.ts <file.cpuprofile | dir> [--top N]\n');
    process.exit(2);
  }
  const topAt = rest.indexOf('--top');
  const top = topAt >= 0 ? Number(rest[topAt + 1]) : 15;
  for (const line of profileLines(summarizeProfile(readProfile(path), top))) console.log(line);
}
