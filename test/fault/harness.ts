// Real processes and real services for the fault tests (issue 6): `tiendo serve` and `tiendo worker`
// spawned as child processes, a Redis server each test starts on a port of its own (so stopping it
// never touches the shared one), a private PostgreSQL cluster for the restart test (the shared one on
// 5432 is never stopped), free loopback ports, and the skip-or-fail rule of test/support/services.ts
// for missing binaries.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const TIENDO = join(ROOT, 'bin/tiendo.js');

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls until `check` answers true, or fails with `what` after `ms`. */
export async function waitFor(what: string, ms: number, check: () => Promise<boolean> | boolean, everyMs = 200): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    let last: unknown;
    try {
      if (await check()) return;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}${last ? ` (last error: ${(last as Error).message})` : ''}`);
    await sleep(everyMs);
  }
}

/** A port nobody listens on now (the OS picks it; the tiny race with another taker is accepted). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

/** The path of an installed program, or undefined. */
export function which(name: string): string | undefined {
  const r = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() || undefined : undefined;
}

/** PostgreSQL's server programs (initdb, pg_ctl), newest installed version first. */
export function postgresBin(): string | undefined {
  const base = '/usr/lib/postgresql';
  if (!existsSync(base)) return undefined;
  const versions = readdirSync(base)
    .filter((v) => existsSync(join(base, v, 'bin/initdb')) && existsSync(join(base, v, 'bin/pg_ctl')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ? join(base, versions[0], 'bin') : undefined;
}

/** Where initdb can run: as this user, or, for root (whom initdb refuses), as the postgres user
 * through runuser. Undefined when neither is possible. */
export function postgresRunnable(bin: string | undefined): string | undefined {
  if (!bin || process.getuid?.() !== 0) return bin;
  return which('runuser') && spawnSync('id', ['-u', 'postgres']).status === 0 ? bin : undefined;
}

/** In a before(): skip loudly (or, under CI=true, fail) when a program the test runs is missing. */
export function requireProgram(ctx: Mocha.Context, name: string, found: string | undefined): string {
  if (found) return found;
  const message = `${name} is not installed`;
  if (process.env.CI === 'true') throw new Error(`${message}; CI needs it for the fault tests (test/fault)`);
  console.warn(`\n  !!! SKIPPED: ${message}. Install it to run the fault tests.\n`);
  ctx.skip();
}

// Whatever this process started dies with it, even when mocha is interrupted: children are killed
// and private clusters stopped on exit.
const live = new Set<{ kill(): void }>();
process.once('exit', () => {
  for (const thing of live) thing.kill();
});

/** A child process whose output is kept (the tail goes into failure messages). */
class Child {
  output = '';
  exited: Promise<number | null>;
  exitCode: number | null | undefined;

  constructor(
    readonly name: string,
    readonly proc: ChildProcess,
  ) {
    const keep = (chunk: Buffer) => {
      this.output = (this.output + chunk.toString('utf8')).slice(-200_000);
    };
    proc.stdout?.on('data', keep);
    proc.stderr?.on('data', keep);
    const handle = { kill: () => proc.kill('SIGKILL') };
    live.add(handle);
    this.exited = new Promise((resolve) =>
      proc.once('exit', (code, signal) => {
        live.delete(handle);
        this.exitCode = code ?? (signal ? -1 : null);
        resolve(code);
      }),
    );
  }

  get running(): boolean {
    return this.exitCode === undefined;
  }

  /** With FAULT_LOG_DIR set, keeps the output there (to read after a failure). */
  keepLog(): void {
    const dir = process.env.FAULT_LOG_DIR;
    if (dir) writeFileSync(join(dir, `${this.name.replace(/[^\w.-]+/g, '_')}-${this.proc.pid}.log`), this.output);
  }

  tail(chars = 3_000): string {
    return `--- ${this.name} (pid ${this.proc.pid}) output ---\n${this.output.slice(-chars)}`;
  }

  async waitForOutput(pattern: RegExp, ms: number): Promise<RegExpMatchArray> {
    const deadline = Date.now() + ms;
    for (;;) {
      const match = this.output.match(pattern);
      if (match) return match;
      if (!this.running) throw new Error(`${this.name} exited (${this.exitCode}) before printing ${pattern}\n${this.tail()}`);
      if (Date.now() > deadline) throw new Error(`${this.name} did not print ${pattern} in ${ms} ms\n${this.tail()}`);
      await sleep(50);
    }
  }

  /** SIGTERM (or the signal given), then SIGKILL if it has not exited in `ms`. */
  async stop(signal: NodeJS.Signals = 'SIGTERM', ms = 15_000): Promise<void> {
    this.keepLog();
    if (!this.running) return;
    this.proc.kill(signal);
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), ms);
    await this.exited;
    clearTimeout(timer);
  }
}

/** `tiendo serve` or `tiendo worker` as its own process. */
export class TiendoProcess extends Child {
  url?: string;

  static async start(kind: 'serve' | 'worker', name: string, env: Record<string, string>): Promise<TiendoProcess> {
    const proc = spawn(process.execPath, [TIENDO, kind], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', TIENDO_DEMO: '0', HOST: '127.0.0.1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const child = new TiendoProcess(name, proc);
    // The banner comes once the app has started (the API listens; the worker takes jobs).
    await child.waitForOutput(/is running on/, 90_000);
    if (kind === 'serve') child.url = (await child.waitForOutput(/Open (http:\/\/\S+)/, 5_000))[1];
    return child;
  }
}

/**
 * A Redis server of the test's own on a free loopback port, keeping nothing on disk unless asked:
 * `stop({ keepData: true })` saves a dump that the next `start()` loads (an outage), `stop()` loses
 * everything (a restart empty).
 */
export class RedisServer {
  readonly dir = mkdtempSync(join(tmpdir(), 'tiendo-redis-'));
  private child: Child | undefined;

  private constructor(
    readonly bin: string,
    readonly port: number,
  ) {}

  static async start(bin: string): Promise<RedisServer> {
    const redis = new RedisServer(bin, await freePort());
    await redis.start();
    return redis;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.child?.running ?? false;
  }

  async start(): Promise<void> {
    const proc = spawn(
      this.bin,
      [
        '--port',
        String(this.port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
        '--daemonize',
        'no',
        '--dir',
        this.dir,
        '--dbfilename',
        'dump.rdb',
        '--protected-mode',
        'yes',
      ],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    this.child = new Child(`redis-server :${this.port}`, proc);
    await this.child.waitForOutput(/Ready to accept connections/, 15_000);
  }

  /** SHUTDOWN SAVE keeps the data for the next start; otherwise it is gone. */
  async stop(options: { keepData?: boolean } = {}): Promise<void> {
    if (!this.child?.running) return;
    if (options.keepData) {
      const r = spawnSync(which('redis-cli') ?? 'redis-cli', ['-p', String(this.port), 'shutdown', 'save'], { encoding: 'utf8', timeout: 15_000 });
      if (r.error) throw r.error;
      await this.child.exited;
    } else {
      rmSync(join(this.dir, 'dump.rdb'), { force: true });
      await this.child.stop('SIGKILL');
    }
  }

  async close(): Promise<void> {
    await this.child?.stop('SIGKILL');
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * A PostgreSQL cluster of the test's own (initdb in a temporary folder, its own port and socket
 * folder), so it can be stopped and started without touching the shared server. Run as the postgres
 * user when the test runs as root (initdb refuses root).
 */
export class PgCluster {
  readonly dir = mkdtempSync(join(tmpdir(), 'tiendo-pg-'));
  private readonly asUser: string[] = process.getuid?.() === 0 ? ['runuser', '-u', 'postgres', '--'] : [];

  private constructor(
    readonly bin: string,
    readonly port: number,
  ) {}

  static async create(bin: string): Promise<PgCluster> {
    const cluster = new PgCluster(bin, await freePort());
    if (cluster.asUser.length) {
      const pw = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
      const gid = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
      chownSync(cluster.dir, Number(pw.stdout.trim()), Number(gid.stdout.trim()));
    }
    const handle = {
      kill: () =>
        void spawnSync(cluster.asUser[0] ?? join(bin, 'pg_ctl'), cluster.pgCtlArgs(['-D', cluster.data, '-m', 'immediate', '-w', 'stop']), { timeout: 30_000 }),
    };
    live.add(handle);
    cluster.forget = () => live.delete(handle);
    cluster.run('initdb', ['-D', cluster.data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync'], 120_000);
    // Loopback only; no fsync (a test cluster): a restart still runs crash recovery over the WAL.
    writeFileSync(
      join(cluster.data, 'postgresql.auto.conf'),
      `listen_addresses = '127.0.0.1'\nport = ${cluster.port}\nunix_socket_directories = '${cluster.dir}'\nfsync = off\nmax_connections = 100\n`,
    );
    await cluster.start();
    return cluster;
  }

  get data(): string {
    return join(this.dir, 'data');
  }

  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  async start(): Promise<void> {
    this.run('pg_ctl', ['-D', this.data, '-l', join(this.dir, 'log'), '-w', '-t', '60', 'start'], 90_000);
  }

  /** fast: sessions are ended (57P01) and the server shuts down cleanly; immediate: it is killed
   * as in a crash, and the next start recovers from the WAL. */
  async stop(mode: 'fast' | 'immediate' = 'fast'): Promise<void> {
    this.run('pg_ctl', ['-D', this.data, '-m', mode, '-w', '-t', '60', 'stop'], 90_000);
  }

  async close(): Promise<void> {
    spawnSync(this.asUser[0] ?? join(this.bin, 'pg_ctl'), this.pgCtlArgs(['-D', this.data, '-m', 'immediate', '-w', 'stop']), {
      encoding: 'utf8',
      timeout: 60_000,
    });
    this.forget();
    rmSync(this.dir, { recursive: true, force: true });
  }

  private forget: () => void = () => undefined;

  /** pg_ctl's arguments, behind runuser's when run as root. */
  private pgCtlArgs(args: string[]): string[] {
    return this.asUser.length ? [...this.asUser.slice(1), join(this.bin, 'pg_ctl'), ...args] : args;
  }

  private run(program: string, args: string[], timeout: number): void {
    const command = [...this.asUser, join(this.bin, program), ...args];
    const r = spawnSync(command[0]!, command.slice(1), { encoding: 'utf8', timeout, cwd: this.asUser.length ? '/' : process.cwd() });
    if (r.status !== 0) throw new Error(`${program} ${args.join(' ')} failed (${r.status ?? r.signal}): ${r.stderr || r.stdout}`);
  }
}
