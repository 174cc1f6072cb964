// What every benchmark workload shares: percentiles, a timer, figures and how they are printed, the
// command line, and fresh stores to run on. A workload is a standalone script run as its own child
// process by bench/run.ts; it may log to stderr, and its LAST stdout line is `{"figures": {...}}`.
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { openRuntime, type Runtime, type RuntimeConfig } from '../../adapters/runtime.ts';
import type { Clock } from '../../engine/ports.ts';

/** One measured figure. `target` is checked against `value` (a ratio figure carries the ratio as its value). */
export interface Figure {
  value: number;
  unit: string;
  /** What the same work costs at the bare minimum (the ceiling being chased), in the value's unit. */
  ceiling?: number;
  /** What a peer doing the same work achieves, in the value's unit. */
  peer?: number;
  /** value / ceiling (or / peer), when the figure carries one. */
  ratio?: number;
  /** "≥ 0.3", "≤ 2", "≤ 30": checked against `value` by `meets`. */
  target?: string;
  note?: string;
}

export type Figures = Record<string, Figure>;

// ---------------------------------------------------------------------------------------------
// Numbers

/** The p-th percentile (0–100) of the values, by the nearest-rank method; NaN when empty. */
export function percentile(values: readonly number[], p: number): number {
  if (!values.length) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

export interface Summary {
  n: number;
  min: number;
  max: number;
  mean: number;
  p50: number;
  p95: number;
  p99: number;
}

export function summarize(values: readonly number[]): Summary {
  const n = values.length;
  return {
    n,
    min: n ? Math.min(...values) : NaN,
    max: n ? Math.max(...values) : NaN,
    mean: n ? values.reduce((a, b) => a + b, 0) / n : NaN,
    p50: percentile(values, 50),
    p95: percentile(values, 95),
    p99: percentile(values, 99),
  };
}

export function median(values: readonly number[]): number {
  return percentile(values, 50);
}

/** Rounded to `digits` significant digits (figures are read by people; 4 is plenty). */
export function round(value: number, digits = 4): number {
  if (!Number.isFinite(value) || value === 0) return value;
  return Number(value.toPrecision(digits));
}

/** A small seeded generator (mulberry32) in [0, 1): the same data every run. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// ---------------------------------------------------------------------------------------------
// Time

/** Starts a stopwatch; calling the result gives the milliseconds since. */
export function timer(): () => number {
  const start = performance.now();
  return () => performance.now() - start;
}

/** Runs fn once and returns how long it took (ms) with its result. */
export async function time<T>(fn: () => Promise<T> | T): Promise<{ ms: number; result: T }> {
  const elapsed = timer();
  const result = await fn();
  return { ms: elapsed(), result };
}

/** Runs fn `warmup` times untimed, then `runs` times timed, one after the other; the ms of each run. */
export async function sample(runs: number, fn: (i: number) => Promise<unknown> | unknown, warmup = 0): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await fn(-1 - i);
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const elapsed = timer();
    await fn(i);
    out.push(elapsed());
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Figures and output

/** A figure with its value rounded; `ratio` is rounded too. Options with undefined values are left out. */
export function figure(value: number, unit: string, extra: Omit<Figure, 'value' | 'unit'> = {}): Figure {
  const f: Figure = { value: round(value), unit };
  if (extra.ceiling !== undefined) f.ceiling = round(extra.ceiling);
  if (extra.peer !== undefined) f.peer = round(extra.peer);
  if (extra.ratio !== undefined) f.ratio = round(extra.ratio, 3);
  if (extra.target !== undefined) f.target = extra.target;
  if (extra.note !== undefined) f.note = extra.note;
  return f;
}

/**
 * Whether a value meets a target written "≥ 0.3", ">= 0.3", "≤ 2", "<= 2", "< 30" or "> 3" (units
 * after the number are ignored). Undefined when there is no target or it cannot be read.
 */
export function meets(target: string | undefined, value: number): boolean | undefined {
  if (!target) return undefined;
  const m = /^\s*(≥|>=|≤|<=|<|>)\s*(-?\d+(?:\.\d+)?)/.exec(target);
  if (!m || !Number.isFinite(value)) return m ? false : undefined;
  const bound = Number(m[2]);
  switch (m[1]) {
    case '≥':
    case '>=':
      return value >= bound;
    case '≤':
    case '<=':
      return value <= bound;
    case '<':
      return value < bound;
    default:
      return value > bound;
  }
}

/** Prints the figures as the last stdout line (the runner reads only that line). */
export function emit(figures: Figures): void {
  process.stdout.write(`${JSON.stringify({ figures })}\n`);
}

/** Progress to stderr, with the seconds since the process started. */
export function log(message: string): void {
  process.stderr.write(`[${(performance.now() / 1000).toFixed(1)}s] ${message}\n`);
}

/** A part of the workload that did not run (a service not reachable): said loudly, and repeated by
 * the runner under the table and in results.json. */
export function skipped(message: string): void {
  log(`${SKIPPED} ${message}`);
}
export const SKIPPED = 'SKIPPED:';

// ---------------------------------------------------------------------------------------------
// Command line

export interface BenchArgs {
  /** --quick: the smaller sizes (same figures). */
  quick: boolean;
  /** Every --name=value (or --name value); bare flags map to "true". */
  options: Record<string, string>;
  /** Arguments that are not options. */
  rest: string[];
}

export function parseArgs(argv: readonly string[] = process.argv.slice(2)): BenchArgs {
  const options: Record<string, string> = {};
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('--')) {
      rest.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    if (eq > 0) options[a.slice(2, eq)] = a.slice(eq + 1);
    else if (argv[i + 1] !== undefined && !argv[i + 1]!.startsWith('--') && !BARE_FLAGS.has(a.slice(2))) options[a.slice(2)] = argv[++i]!;
    else options[a.slice(2)] = 'true';
  }
  return { quick: options.quick === 'true', options, rest };
}

/** Flags that never take a value (so `--quick foo` leaves foo as an argument). */
const BARE_FLAGS = new Set(['quick', 'pg', 'no-pg', 'profile']);

// ---------------------------------------------------------------------------------------------
// Stores

export interface BenchRuntime {
  rt: Runtime;
  /** The SQLite file (or the PostgreSQL schema). */
  where: string;
  /** Closes the runtime and removes the file (or drops the schema). */
  close(): Promise<void>;
}

/** A PostgreSQL bench runtime, with what other processes need to share its store and queue. */
export interface BenchPgRuntime extends BenchRuntime {
  schema: string;
  queueName?: string;
}

/** A fresh SQLite file store (WAL, as in production) in its own folder under os.tmpdir(). */
export async function openSqliteRuntime(options: { clock: Clock } & Omit<RuntimeConfig, 'sqliteFile' | 'databaseUrl' | 'clock'>): Promise<BenchRuntime> {
  const dir = mkdtempSync(join(tmpdir(), 'tiendo-bench-'));
  const file = join(dir, 'bench.sqlite');
  try {
    const rt = await openRuntime({ ...options, sqliteFile: file });
    return {
      rt,
      where: file,
      async close() {
        try {
          await rt.close();
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      },
    };
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}

export const POSTGRES_URL = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const REDIS_URL = process.env.BENCH_REDIS_URL ?? process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

let schemas = 0;

/** A unique name for a PostgreSQL schema or a BullMQ queue: `<prefix>_<pid>_<time>_<n>`. */
export function uniqueName(prefix: string): string {
  return `${prefix}_${process.pid}_${Date.now().toString(36)}_${++schemas}`;
}

/**
 * A fresh PostgreSQL store in a schema of its own, dropped on close; with `redis: true`, BullMQ on
 * REDIS_URL under a queue name of its own, obliterated on close.
 */
export async function openPgRuntime(
  options: { clock: Clock; redis?: boolean } & Omit<RuntimeConfig, 'sqliteFile' | 'databaseUrl' | 'pgSchema' | 'clock' | 'redisUrl'>,
): Promise<BenchPgRuntime> {
  const { redis, ...config } = options;
  const schema = uniqueName('bench');
  const queueName = redis ? (config.queueName ?? uniqueName('bench')) : undefined;
  const rt = await openRuntime({
    ...config,
    databaseUrl: POSTGRES_URL,
    pgSchema: schema,
    ...(queueName ? { redisUrl: REDIS_URL, queueName } : {}),
  });
  return {
    rt,
    schema,
    ...(queueName ? { queueName } : {}),
    where: `PostgreSQL ${new URL(POSTGRES_URL).host} schema ${schema}${redis ? ', BullMQ on Redis' : ''}`,
    async close() {
      try {
        const queue = rt.queue as { obliterate?: () => Promise<void> };
        if (typeof queue.obliterate === 'function') await queue.obliterate();
        await rt.db.raw(`drop schema if exists "${schema}" cascade`);
      } finally {
        await rt.close();
      }
    },
  };
}

function reachable(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = net.connect({ host: hostname, port: Number(port), timeout: 1000 });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => (socket.destroy(), resolve(false)));
  });
}

/** Whether PostgreSQL answers at POSTGRES_URL (a TCP connect; BENCH_NO_PG=1 says no). */
export function pgReachable(): Promise<boolean> {
  return process.env.BENCH_NO_PG === '1' ? Promise.resolve(false) : reachable(POSTGRES_URL);
}

/** Whether Redis answers at REDIS_URL (a TCP connect; BENCH_NO_REDIS=1 says no). */
export function redisReachable(): Promise<boolean> {
  return process.env.BENCH_NO_REDIS === '1' ? Promise.resolve(false) : reachable(REDIS_URL);
}

// ---------------------------------------------------------------------------------------------
// Memory

/** Samples process RSS every `everyMs` until stopped; `stop()` answers the peak seen (bytes). */
export function sampleRss(everyMs = 50): { stop(): number; peak(): number } {
  let peak = process.memoryUsage.rss();
  const t = setInterval(() => {
    const rss = process.memoryUsage.rss();
    if (rss > peak) peak = rss;
  }, everyMs);
  t.unref();
  return {
    peak: () => Math.max(peak, process.memoryUsage.rss()),
    stop() {
      clearInterval(t);
      return Math.max(peak, process.memoryUsage.rss());
    },
  };
}

/** Peak resident set size of this process so far (bytes), from the kernel. */
export function maxRss(): number {
  return process.resourceUsage().maxRSS * 1024;
}

export const MiB = 1024 * 1024;

/** Runs fn over the items with `loops` async loops (each takes the next item). */
export async function pool<T>(items: readonly T[], loops: number, fn: (item: T, i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(loops, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        await fn(items[i]!, i);
      }
    }),
  );
}
