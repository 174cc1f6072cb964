// `npm run bench` [-- --quick] [--only campaign,board] [--timeout 900]: runs every
// bench/workloads/*.ts in turn, each in its own child process (so memory and crashes stay apart),
// with a timeout; reads the figures each prints as its last stdout line, prints them as one table
// (figure, value, ceiling, peer, ratio, target, met) and writes bench/results.json with the machine
// it ran on. A workload that fails is reported as failed, with the tail of its stderr, and the run
// goes on. Exit 1 when a workload failed (a missed target is a figure, not a failure).
import { spawn } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execFileSync } from 'node:child_process';
import { meets, parseArgs, SKIPPED, type Figure, type Figures } from './lib/measure.ts';

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const ROOT = dirname(BENCH_DIR);
const WORKLOAD_DIR = join(BENCH_DIR, 'workloads');
/** Cheap and independent workloads first; the rest in name order. */
const ORDER = ['compile', 'events', 'campaign', 'burst', 'board', 'rush', 'memory'];

interface WorkloadResult {
  name: string;
  ok: boolean;
  seconds: number;
  figures: Figures;
  error?: string;
  stderrTail?: string;
  /** What the workload said it did not run (a service not reachable). */
  skipped: string[];
}

const args = parseArgs();
// The runner's own options; a workload run by itself (node --import tsx bench/workloads/x.ts) takes
// its sizes as options of its own. A misspelt --quick would otherwise start the 5-minute full run.
const RUNNER_OPTIONS = ['quick', 'only', 'timeout'];
const unknownOptions = Object.keys(args.options).filter((o) => !RUNNER_OPTIONS.includes(o));
if (unknownOptions.length || args.rest.length) {
  const what = [...unknownOptions.map((o) => `--${o}`), ...args.rest].join(', ');
  process.stderr.write(
    `bench: unknown ${unknownOptions.length ? 'option' : 'argument'}(s) ${what}; the runner takes --quick, --only name,name and --timeout seconds\n`,
  );
  process.exit(2);
}
const quick = args.quick;
const only = args.options.only
  ? new Set(
      args.options.only
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    )
  : undefined;
const timeoutS = Number(args.options.timeout ?? (quick ? 150 : 900));

const available = readdirSync(WORKLOAD_DIR)
  .filter((f) => f.endsWith('.ts'))
  .map((f) => basename(f, '.ts'))
  .sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
if (only) {
  const unknown = [...only].filter((n) => !available.includes(n));
  if (unknown.length) {
    process.stderr.write(`unknown workload(s): ${unknown.join(', ')}; there are: ${available.join(', ')}\n`);
    process.exit(2);
  }
}
const chosen = available.filter((n) => !only || only.has(n));

const loadBefore = os.loadavg();
const startedAt = new Date();
const results: WorkloadResult[] = [];
for (const name of chosen) {
  process.stderr.write(`\n── ${name}${quick ? ' (quick)' : ''} ──\n`);
  const r = await runWorkload(name);
  results.push(r);
  process.stderr.write(`── ${name}: ${r.ok ? 'done' : `FAILED (${r.error})`} in ${r.seconds.toFixed(1)} s ──\n`);
}
const loadAfter = os.loadavg();

const figures: Figures = {};
for (const r of results) Object.assign(figures, r.figures);
const cpus = os.cpus();
const machine = {
  cpus: cpus.length,
  model: cpus[0]?.model.trim() ?? 'unknown',
  memGiB: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
  node: process.version,
  platform: `${os.platform()} ${os.release()} ${os.arch()}`,
  loadBefore: loadBefore.map((l) => Math.round(l * 100) / 100),
  loadAfter: loadAfter.map((l) => Math.round(l * 100) / 100),
  date: startedAt.toISOString(),
  seconds: Math.round((Date.now() - startedAt.getTime()) / 100) / 10,
  quick,
  commit: gitCommit(),
};
const workloads = Object.fromEntries(
  results.map((r) => [
    r.name,
    { ok: r.ok, seconds: Math.round(r.seconds * 10) / 10, ...(r.error ? { error: r.error } : {}), ...(r.skipped.length ? { skipped: r.skipped } : {}) },
  ]),
);
writeFileSync(join(BENCH_DIR, 'results.json'), JSON.stringify({ figures, machine, workloads }, null, 2) + '\n');

process.stdout.write(`\n${table(results)}\n`);
process.stdout.write(
  `\n${machine.cpus} × ${machine.model}, ${machine.memGiB} GiB, Node ${machine.node.slice(1)}, ${machine.platform}; load ${machine.loadBefore[0]} → ${machine.loadAfter[0]}; ${machine.date}${quick ? '; --quick' : ''}; ${machine.seconds} s\n`,
);
for (const r of results) for (const s of r.skipped) process.stdout.write(`\n${r.name} ${SKIPPED} ${s}`);
if (results.some((r) => r.skipped.length)) process.stdout.write('\n');
for (const r of results.filter((r) => !r.ok)) {
  process.stdout.write(`\n${r.name} FAILED: ${r.error}\n${indent(r.stderrTail ?? '')}\n`);
}
process.stdout.write(`\nwrote ${join('bench', 'results.json')}\n`);
process.exitCode = results.every((r) => r.ok) ? 0 : 1;

function rank(name: string): number {
  const i = ORDER.indexOf(name);
  return i < 0 ? ORDER.length : i;
}

function runWorkload(name: string): Promise<WorkloadResult> {
  const started = Date.now();
  const file = join(WORKLOAD_DIR, `${name}.ts`);
  return new Promise((resolve) => {
    // Its own process group, so a timeout ends the workload and any child it started.
    const child = spawn(process.execPath, ['--import', 'tsx', file, ...(quick ? ['--quick'] : [])], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let stdout = '';
    let stderrTail = '';
    let stderrLine = '';
    const skipped: string[] = [];
    let timedOut = false;
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      process.stderr.write(d);
      stderrTail = (stderrTail + d).slice(-4000);
      const lines = (stderrLine + d).split('\n');
      stderrLine = lines.pop()!;
      for (const line of lines) if (line.includes(SKIPPED)) skipped.push(line.slice(line.indexOf(SKIPPED) + SKIPPED.length).trim());
    });
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    }, timeoutS * 1000);
    child.on('error', (e) => {
      clearTimeout(timer);
      resolve({ name, ok: false, seconds: (Date.now() - started) / 1000, figures: {}, error: e.message, stderrTail, skipped });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const seconds = (Date.now() - started) / 1000;
      const tail = lastLines(stderrTail, 25);
      if (timedOut) return resolve({ name, ok: false, seconds, figures: {}, error: `timed out after ${timeoutS} s`, stderrTail: tail, skipped });
      const parsed = readFigures(stdout);
      if (code !== 0 || signal)
        return resolve({
          name,
          ok: false,
          seconds,
          figures: parsed.figures ?? {},
          error: signal ? `killed by ${signal}` : `exit code ${code}`,
          stderrTail: tail,
          skipped,
        });
      if (!parsed.figures) return resolve({ name, ok: false, seconds, figures: {}, error: parsed.error!, stderrTail: tail, skipped });
      resolve({ name, ok: true, seconds, figures: parsed.figures, skipped });
    });
  });
}

/** The workload's last stdout line, checked: `{"figures": {name: {value: number, unit: string, …}}}`. */
function readFigures(stdout: string): { figures?: Figures; error?: string } {
  const last = stdout.trimEnd().split('\n').at(-1)?.trim();
  if (!last) return { error: 'printed no figures (the last stdout line must be {"figures": {...}})' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(last);
  } catch {
    return { error: `last stdout line is not JSON: ${last.slice(0, 200)}` };
  }
  const figures = (parsed as { figures?: unknown })?.figures;
  if (!figures || typeof figures !== 'object') return { error: 'last stdout line has no "figures" object' };
  for (const [k, f] of Object.entries(figures as Record<string, Partial<Figure>>)) {
    if (typeof f?.value !== 'number' || typeof f.unit !== 'string') return { error: `figure "${k}" needs a numeric value and a unit` };
  }
  return { figures: figures as Figures };
}

function table(rs: WorkloadResult[]): string {
  const head = ['figure', 'value', 'ceiling', 'peer', 'ratio', 'target', 'met'];
  const rows: string[][] = [];
  for (const r of rs) {
    for (const [name, f] of Object.entries(r.figures)) {
      const met = meets(f.target, f.value);
      rows.push([name, `${fmt(f.value)} ${f.unit}`, opt(f.ceiling), opt(f.peer), opt(f.ratio), f.target ?? '', met === undefined ? '' : met ? 'yes' : 'NO']);
    }
    if (!r.ok) rows.push([`${r.name} (workload)`, 'FAILED', '', '', '', '', r.error ?? '']);
  }
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(head), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

function opt(n: number | undefined): string {
  return n === undefined ? '' : fmt(n);
}

function fmt(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  const abs = Math.abs(n);
  if (abs >= 1000) return Math.round(n).toLocaleString('en-US');
  if (abs >= 100) return n.toFixed(0);
  if (abs >= 10) return n.toFixed(1);
  if (abs >= 1) return n.toFixed(2);
  return n.toPrecision(3);
}

function lastLines(text: string, n: number): string {
  return text.trimEnd().split('\n').slice(-n).join('\n');
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((l) => `    ${l}`)
    .join('\n');
}

function gitCommit(): string | undefined {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], {
      cwd: ROOT,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    return dirty ? `${head}+changes` : head;
  } catch {
    return undefined;
  }
}
