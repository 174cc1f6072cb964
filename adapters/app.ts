// The whole system in one process, or either half of it: configuration read once from the
// environment, the runtime (store, queue, relay, engine), the library of processes published, the
// demo province on a first start, accounts, the HTTP API + UI, and the queue workers.
import { readdirSync, readFileSync, mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { ManualClock, systemClock, type Clock, type Notifier, type QueueWorker } from '../engine/ports.ts';
import { runCampaign } from '../engine/service/campaigns.ts';
import { EngineError } from '../engine/errors.ts';
import { defaultProcessDir } from './files/definitions.ts';
import { hashPassword, newUserId } from './http/auth.ts';
import { ROUTES } from './http/routes/index.ts';
import type { Services } from './http/route.ts';
import { createHttpApp } from './http/server.ts';
import { listenMetrics } from './metrics.ts';
import { loadNotifyConfig, notifierFromConfig, type NotifyEnvConfig } from './notify/index.ts';
import { openRuntime, runtimeOn, type Runtime } from './runtime.ts';
import { KnexAccounts } from './store/account-store.ts';
import { underStartupLock } from './store/db.ts';
import { lockSqliteFile } from './store/sqlite-lock.ts';

export interface AppConfig {
  /** HTTP port; 0 picks a free one. Default 3000. Without `api`, no server is started. */
  port?: number;
  /** Interface to listen on. Default 127.0.0.1 (set 0.0.0.0 to serve a school's network). */
  host?: string;
  /** Also serve /metrics (Prometheus) on this port, on `host`: how a worker, which has no API, is
   * scraped. 0 picks a free one. Unset: no such listener (the API serves /metrics on its own port). */
  metricsPort?: number;
  /** Where the SQLite file lives. Default ./data. */
  dataDir?: string;
  /** An SQLite file (or ':memory:'); wins over dataDir. */
  sqliteFile?: string;
  databaseUrl?: string;
  pgSchema?: string;
  redisUrl?: string;
  /** The queue's name (TIENDO_QUEUE_NAME); default, on Redis, one of the store's own (adapters/runtime.ts `defaultQueueName`). */
  queueName?: string;
  /** Serve the API (and UI). Default true. */
  api?: boolean;
  /** Serve the web UI (bundled at start). Default true. */
  ui?: boolean;
  /** Run the queue workers and the outbox sweep. Default true. */
  workers?: boolean;
  /** Load the demo province when the store has no users yet. Default true. */
  demo?: boolean;
  /** Publish every definition in this folder at start. Default processes/. */
  processDir?: string;
  clock?: Clock;
  loginLimit?: number;
  /** bcrypt cost of password hashes. Default 10. */
  bcryptCost?: number;
  /** Session lifetime. Default 12 h. */
  sessionTtlMs?: number;
  secureCookies?: boolean;
  notify?: NotifyEnvConfig;
  log?: (message: string) => void;
}

export interface App {
  /** http://host:port, when serving. */
  url?: string;
  /** http://host:port/metrics, when a metrics port was given. */
  metricsUrl?: string;
  runtime: Runtime;
  accounts: KnexAccounts;
  /** What the first start loaded; undefined when the store already had users. */
  demo?: { users: { login: string; name: string; roles: string }[]; password: string; summary: unknown };
  /** Campaign runs started by the API and not finished yet (tests wait on them). */
  settled(): Promise<void>;
  close(): Promise<void>;
}

/** Reads the environment once (PORT, HOST, TIENDO_METRICS_PORT, TIENDO_DATA_DIR, DATABASE_URL, TIENDO_PG_SCHEMA, REDIS_URL, TIENDO_QUEUE_NAME, TIENDO_PROCESS_DIR, TIENDO_DEMO, TIENDO_SECURE_COOKIES, TIENDO_SMTP_*, TIENDO_WEBHOOK_*). */
export function loadConfig(env: NodeJS.ProcessEnv): AppConfig {
  const flag = (name: string, fallback: boolean) => (env[name] === undefined || env[name] === '' ? fallback : !/^(0|false|no|off)$/i.test(env[name]!));
  const portOf = (name: string): number | undefined => {
    if (!env[name]) return undefined;
    const port = Number(env[name]);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`${name}="${env[name]}" is not a port number (0–65535)`);
    return port;
  };
  const metricsPort = portOf('TIENDO_METRICS_PORT');
  return {
    port: portOf('PORT') ?? 3000,
    host: env.HOST || '127.0.0.1',
    ...(metricsPort !== undefined ? { metricsPort } : {}),
    dataDir: env.TIENDO_DATA_DIR || './data',
    ...(env.DATABASE_URL ? { databaseUrl: env.DATABASE_URL } : {}),
    ...(env.TIENDO_PG_SCHEMA ? { pgSchema: env.TIENDO_PG_SCHEMA } : {}),
    ...(env.REDIS_URL ? { redisUrl: env.REDIS_URL } : {}),
    ...(env.TIENDO_QUEUE_NAME ? { queueName: queueNameOf(env.TIENDO_QUEUE_NAME) } : {}),
    ...(env.TIENDO_PROCESS_DIR ? { processDir: env.TIENDO_PROCESS_DIR } : {}),
    demo: flag('TIENDO_DEMO', true),
    secureCookies: flag('TIENDO_SECURE_COOKIES', false),
    notify: loadNotifyConfig(env),
  };
}

export async function startApp(config: AppConfig = {}): Promise<App> {
  const log = config.log ?? ((m: string) => console.log(m));
  const base = config.clock ?? systemClock;
  // The demo is seeded on a clock that walks through the past months; then time is the real one.
  let seeding: ManualClock | undefined;
  const clock: Clock = { now: () => (seeding ? seeding.now() : base.now()) };
  let accounts: KnexAccounts | undefined;
  const sqliteFile = config.sqliteFile ?? (config.databaseUrl ? undefined : sqliteIn(config.dataDir ?? './data'));
  // One process per SQLite file (adapters/store/sqlite-lock.ts); an in-memory store is this process's own.
  const unlock = sqliteFile && sqliteFile !== ':memory:' ? lockSqliteFile(sqliteFile, commandOf(config)) : undefined;
  const notifier = notifierFromConfig({ ...(config.notify ?? {}), recipients: async (notified) => (accounts ? accounts.emailsOn(notified.map((r) => r.unitId)) : []) });
  const runtime = await openRuntime({
    ...(config.databaseUrl ? { databaseUrl: config.databaseUrl } : {}),
    ...(sqliteFile ? { sqliteFile } : {}),
    ...(config.pgSchema ? { pgSchema: config.pgSchema } : {}),
    ...(config.redisUrl ? { redisUrl: config.redisUrl } : {}),
    ...(config.queueName ? { queueName: config.queueName } : {}),
    ...(notifier ? { notifier } : {}),
    clock,
  }).catch((e: unknown) => {
    unlock?.();
    throw e;
  });
  accounts = new KnexAccounts(runtime.db);
  const closers: (() => Promise<void>)[] = [() => runtime.close().finally(() => unlock?.())];
  try {
    // Several processes starting together on one PostgreSQL take turns here: the first publishes
    // and seeds, the others find it done.
    const demo = await underStartupLock(runtime.db, async (): Promise<App['demo']> => {
      await publishLibrary(runtime, config.processDir ?? defaultProcessDir(), log);
      if (!(config.demo ?? true) || (await accounts!.countUsers()) > 0) return undefined;
      const now = base.now();
      seeding = new ManualClock(now - DEMO_MONTHS * 30 * 86_400_000);
      try {
        return await loadDemo(runtime, accounts!, seeding, now, config.bcryptCost ?? 10, log, config.redisUrl ? notifier : false);
      } finally {
        seeding = undefined;
      }
    });
    const running = new Set<Promise<unknown>>();
    const services: Services = {
      engine: runtime.engine,
      accounts,
      queue: runtime.queue,
      bcryptCost: config.bcryptCost ?? 10,
      sessionTtlMs: config.sessionTtlMs ?? 12 * 3_600_000,
      secureCookies: config.secureCookies ?? false,
      runCampaignLater(id, actor) {
        const p: Promise<unknown> = runCampaign(runtime.engine, id, { actor })
          .catch((e) => log(`campaign ${id} stopped: ${(e as Error).message}; launching it again finishes it`))
          .finally(() => running.delete(p));
        running.add(p);
      },
      ready: () => readiness(runtime),
    };
    if (config.workers ?? true) {
      // A queue that lost its jobs (Redis restarted empty) is rebuilt before the worker starts.
      await runtime.relay.sweep();
      const worker: QueueWorker = runtime.work();
      closers.unshift(() => worker.close());
    }
    let url: string | undefined;
    if (config.api ?? true) {
      const ui = config.ui ?? true ? await (await import('./http/ui-assets.ts')).uiRouter() : undefined;
      const app = createHttpApp({ services, routes: ROUTES, ...(ui ? { ui } : {}), ...(config.loginLimit ? { loginLimit: config.loginLimit } : {}), https: config.secureCookies ?? false, metrics: runtime.metrics, log: (e) => log(`error: ${(e as Error)?.stack ?? String(e)}`) });
      const server: Server = await new Promise((resolve, reject) => {
        const s = app.listen(config.port ?? 3000, config.host ?? '127.0.0.1', () => resolve(s));
        s.once('error', reject);
      });
      const address = server.address();
      url = `http://${config.host && config.host !== '0.0.0.0' ? config.host : '127.0.0.1'}:${typeof address === 'object' && address ? address.port : config.port}`;
      closers.unshift(
        () =>
          new Promise<void>((resolve) => {
            // No new connections; idle keep-alive ones go now, and each busy one as soon as its
            // answer is sent (not after the 5 s keep-alive); a request in flight gets its answer
            // (closing every connection at once cut those short), for a grace period at most.
            const idle = setInterval(() => server.closeIdleConnections(), 50);
            const cut = setTimeout(() => server.closeAllConnections(), SHUTDOWN_GRACE_MS);
            server.close(() => {
              clearInterval(idle);
              clearTimeout(cut);
              resolve();
            });
            server.closeIdleConnections();
          }),
      );
    }
    let metricsUrl: string | undefined;
    if (config.metricsPort !== undefined) {
      const listener = await listenMetrics(runtime.metrics, config.metricsPort, config.host ?? '127.0.0.1', log);
      metricsUrl = listener.url;
      closers.unshift(() => listener.close());
    }
    const settled = async () => {
      while (running.size) await Promise.allSettled([...running]);
    };
    closers.unshift(settled);
    return {
      ...(url ? { url } : {}),
      ...(metricsUrl ? { metricsUrl } : {}),
      runtime,
      accounts,
      ...(demo ? { demo } : {}),
      settled,
      async close() {
        for (const close of closers.splice(0)) await close();
      },
    };
  } catch (e) {
    for (const close of closers.splice(0)) await close().catch(() => undefined);
    throw e;
  }
}

/** What this process runs, as the command that starts it (for the message a second process gets). */
function commandOf(config: AppConfig): string {
  const api = config.api ?? true;
  const workers = config.workers ?? true;
  return api && workers ? 'tiendo start' : api ? 'tiendo serve' : 'tiendo worker';
}

/** How long requests in flight at shutdown may take to finish before their connections are cut. */
const SHUTDOWN_GRACE_MS = 10_000;

/** How far back the demo's story starts. */
const DEMO_MONTHS = 4;

function sqliteIn(dir: string): string {
  mkdirSync(dir, { recursive: true });
  return join(dir, 'tiendo.sqlite');
}

/** Publishes each definition of the library that is not published yet (same text: nothing to do). */
export async function publishLibrary(runtime: Runtime, dir: string, log: (m: string) => void): Promise<number> {
  let created = 0;
  for (const name of readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort()) {
    const file = join(dir, name);
    try {
      created += (await runtime.engine.catalog.publish(readFileSync(file, 'utf8'), file, 'system')).created ? 1 : 0;
    } catch (e) {
      // A library file edited without a new version number is left out, loudly; the rest go on.
      if (!(e instanceof EngineError)) throw e;
      log(`warning: ${name} not published: ${e.message}`);
    }
  }
  return created;
}

/** The queue name TIENDO_QUEUE_NAME gives, checked: BullMQ takes no ':' (it separates Redis keys). */
function queueNameOf(name: string): string {
  if (!/^[A-Za-z0-9_.-]{1,100}$/.test(name)) throw new Error(`TIENDO_QUEUE_NAME="${name}": letters, digits, '_', '.' and '-' only (at most 100)`);
  return name;
}

/** The embedded job table's queue the demo is seeded on, when the runtime's queue is on Redis. */
const DEMO_SEED_QUEUE = 'tiendo-demo-seed';

/**
 * Seeds the demo province. On Redis it is seeded through a second runtime on the same store and the
 * embedded job table, then every pending timer is put in Redis at once: four months of story fired
 * timers by the hundred at each step of a jumping clock, and through BullMQ each step listed every job
 * in Redis (another deployment's left-over ones too) and each change waited for its relay to Redis —
 * 78 s here on PostgreSQL + Redis against 8–11 s on SQLite, unfinished after 150 s with another
 * deployment's jobs in Redis. `notifier` false: the runtime's own (the embedded queue's case).
 */
async function loadDemo(runtime: Runtime, accounts: KnexAccounts, clock: ManualClock, now: number, cost: number, log: (m: string) => void, notifier: Notifier | undefined | false): Promise<NonNullable<App['demo']>> {
  const started = Date.now();
  log('first start: loading the demo province (about half a minute; TIENDO_DEMO=0 skips it)…');
  const { seedDemo } = await import('./demo/seed.ts');
  const { DEMO_USERS, DEMO_PASSWORD } = await import('./demo/users.ts');
  let summary: Awaited<ReturnType<typeof seedDemo>>;
  if (notifier === false) {
    summary = await seedDemo(runtime, clock, now);
  } else {
    const seeder = await runtimeOn(runtime.db, runtime.dialect, { queueName: DEMO_SEED_QUEUE, clock, calendars: runtime.engine.catalog.calendars, ...(notifier ? { notifier } : {}) }, false);
    try {
      summary = await seedDemo(seeder, clock, now);
      await seeder.relay.drain();
    } finally {
      await seeder.close();
    }
    // The seeding queue's rows are copies of the store's pending timers: the store moves them to Redis.
    await runtime.db('jobs').where({ queue: DEMO_SEED_QUEUE }).del();
    await runtime.relay.rebuild();
    await runtime.queue.markRebuilt?.();
  }
  for (const u of DEMO_USERS) {
    await accounts.putUser({ id: newUserId(), login: u.login, name: u.name, email: u.email, passwordHash: await hashPassword(u.password, cost), createdAt: now }, u.grants);
  }
  log(`demo province loaded in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return {
    users: DEMO_USERS.map((u) => ({ login: u.login, name: u.name, roles: u.grants.map((g) => `${g.role}@${g.unitId}`).join(', ') })),
    password: DEMO_PASSWORD,
    summary,
  };
}

async function readiness(runtime: Runtime): Promise<{ store: boolean; queue: boolean }> {
  const within = <T>(p: Promise<T>) => Promise.race([p.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 2_000).unref())]).catch(() => false);
  // A count, not the earliest job: that one lists every pending job, at each probe.
  const [store, queue] = await Promise.all([within(runtime.db.raw('select 1')), within(runtime.queue.pendingCount())]);
  return { store, queue };
}
