// The whole system in one process, or either half of it: configuration read once from the
// environment, the runtime (store, queue, relay, engine), the library of processes published, the
// demo province on a first start, accounts, the HTTP API + UI, and the queue workers.
import { readdirSync, readFileSync, mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import { dirname, join } from 'node:path';
import { ManualClock, systemClock, type Clock, type Notifier, type QueueWorker } from '../engine/ports.ts';
import { Application, systemPrincipal } from '../engine/application/application.ts';
import { runCampaign } from '../engine/service/campaigns.ts';
import { SYSTEM_ACTOR } from '../engine/service/change.ts';
import { EngineError } from '../engine/errors.ts';
import { calendarRanges } from '../engine/calendar/calendar.ts';
import { DraftPool } from './drafts/pool.ts';
import { defaultProcessDir } from './files/definitions.ts';
import { hashPassword, newUserId } from './http/auth.ts';
import { loadOidcConfig, OidcSignIn, type OidcConfig } from './http/oidc.ts';
import { ROUTES } from './http/routes/index.ts';
import type { Services } from './http/route.ts';
import { createHttpApp } from './http/server.ts';
import { listenMetrics, metricsGate } from './metrics.ts';
import { loadNotifyConfig, notifierFromConfig, type NotifyEnvConfig } from './notify/index.ts';
import { openRuntime, runtimeOn, type Runtime } from './runtime.ts';
import { KnexAccounts } from './store/account-store.ts';
import { KnexAudit } from './store/audit-store.ts';
import { bcryptPasswords } from './passwords.ts';
import { underCampaignLease, underStartupLock } from './store/db.ts';
import { createLogger, logLevelOf, silentLogger, type Logger, type LogLevel } from './log.ts';
import { noteRequestError, observedAccounts } from './http/request-log.ts';
import { lockSqliteFile } from './store/sqlite-lock.ts';
import { KnexDiscussions, SqlBlobs } from './store/discussion-store.ts';
import { FolderBlobs } from './files/blobs.ts';

export interface AppConfig {
  /** HTTP port; 0 picks a free one. Default 3000. Without `api`, no server is started. */
  port?: number;
  /** Interface to listen on. Default 127.0.0.1 (set 0.0.0.0 to serve a school's network). */
  host?: string;
  /** Also serve /metrics (Prometheus) on this port, on `host`: how a worker, which has no API, is
   * scraped. 0 picks a free one. Unset: no such listener (the API serves /metrics on its own port). */
  metricsPort?: number;
  /** TIENDO_METRICS_TOKEN: the bearer token that reads /metrics (Prometheus' bearer_token). */
  metricsToken?: string;
  /** TIENDO_METRICS_PUBLIC=1: /metrics answers anyone (a private network). Default false: the
   * metrics token, or an administrator of a top unit. */
  metricsPublic?: boolean;
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
  /** Worker threads checking drafts (validate, impact). Default: the cores but one, 1 to 4. */
  draftWorkers?: number;
  notify?: NotifyEnvConfig;
  /** How often a process with workers looks for campaigns left running (by a process that died since)
   * that it has not run yet. Default 60 s; at start it looks at once. */
  campaignResumeEveryMs?: number;
  /** Lines for a person at a console (the demo's progress, warnings); default console.log (the CLI: stderr). */
  log?: (message: string) => void;
  /** Check every API answer against its schema (the tests do; see adapters/http/answers.ts). */
  checkAnswers?: boolean;
  /** The operators' structured log (adapters/log.ts). Default: made at `logLevel`; with neither, none. */
  logger?: Logger;
  /** TIENDO_LOG_LEVEL: fatal, error, warn, info (the default of `loadConfig`), debug, trace, silent. */
  logLevel?: LogLevel;
  /** TIENDO_OIDC_*: sign-in through the province's OpenID Connect provider (adapters/http/oidc.ts); unset: off. */
  oidc?: OidcConfig;
  /** Attachments (issue 16): TIENDO_FILE_STORE `folder` (files/ under the data folder; the default
   * on SQLite) or `sql` (the store's file_blobs table; the default on PostgreSQL, where several
   * processes share it), TIENDO_FILE_MAX_MB (default 20) and TIENDO_FILES_PER_INSTANCE (default 200). */
  files?: { store?: 'folder' | 'sql'; maxBytes?: number; maxPerInstance?: number };
}

export interface App {
  /** http://host:port, when serving. */
  url?: string;
  /** http://host:port/metrics, when a metrics port was given. */
  metricsUrl?: string;
  runtime: Runtime;
  /** The application layer the API calls (tests and tools call it too). */
  application: Application;
  accounts: KnexAccounts;
  /** The draft checker's threads, when serving the API. */
  drafts?: DraftPool;
  /** What the first start loaded; undefined when the store already had users. */
  demo?: { users: { login: string; name: string; roles: string }[]; password: string; summary: unknown };
  /** No account yet (started without the demo): nobody can sign in until `tiendo admin create`. */
  noAccounts: boolean;
  /** The operators' log. */
  logger: Logger;
  /** Campaign runs (started by the API, or resumed at start) not finished yet (tests wait on them). */
  settled(): Promise<void>;
  close(): Promise<void>;
}

/** Reads the environment once (PORT, HOST, TIENDO_METRICS_PORT, TIENDO_METRICS_TOKEN, TIENDO_METRICS_PUBLIC, TIENDO_DRAFT_WORKERS, TIENDO_DATA_DIR, DATABASE_URL, TIENDO_PG_SCHEMA, REDIS_URL, TIENDO_QUEUE_NAME, TIENDO_LOG_LEVEL, TIENDO_PROCESS_DIR, TIENDO_DEMO, TIENDO_SECURE_COOKIES, TIENDO_SMTP_*, TIENDO_WEBHOOK_*, TIENDO_OIDC_*, TIENDO_FILE_STORE, TIENDO_FILE_MAX_MB, TIENDO_FILES_PER_INSTANCE). */
export function loadConfig(env: NodeJS.ProcessEnv): AppConfig {
  const flag = (name: string, fallback: boolean) => (env[name] === undefined || env[name] === '' ? fallback : !/^(0|false|no|off)$/i.test(env[name]!));
  const portOf = (name: string): number | undefined => {
    if (!env[name]) return undefined;
    const port = Number(env[name]);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`${name}="${env[name]}" is not a port number (0–65535)`);
    return port;
  };
  const metricsPort = portOf('TIENDO_METRICS_PORT');
  const metricsToken = env.TIENDO_METRICS_TOKEN || undefined;
  if (metricsToken !== undefined && !/^[\x21-\x7e]{24,}$/.test(metricsToken))
    throw new Error('TIENDO_METRICS_TOKEN must be 24 or more printable characters without spaces (openssl rand -hex 24 makes one)');
  const oidc = loadOidcConfig(env);
  const draftWorkers = env.TIENDO_DRAFT_WORKERS ? Number(env.TIENDO_DRAFT_WORKERS) : undefined;
  if (draftWorkers !== undefined && !(Number.isInteger(draftWorkers) && draftWorkers >= 1 && draftWorkers <= 64))
    throw new Error(`TIENDO_DRAFT_WORKERS="${env.TIENDO_DRAFT_WORKERS}" is not a number of threads (1–64)`);
  return {
    port: portOf('PORT') ?? 3000,
    host: env.HOST || '127.0.0.1',
    ...(metricsPort !== undefined ? { metricsPort } : {}),
    ...(metricsToken ? { metricsToken } : {}),
    metricsPublic: flag('TIENDO_METRICS_PUBLIC', false),
    dataDir: env.TIENDO_DATA_DIR || './data',
    ...(env.DATABASE_URL ? { databaseUrl: env.DATABASE_URL } : {}),
    ...(env.TIENDO_PG_SCHEMA ? { pgSchema: env.TIENDO_PG_SCHEMA } : {}),
    ...(env.REDIS_URL ? { redisUrl: env.REDIS_URL } : {}),
    // The BullMQ queue's name only: the embedded queue's rows would be left behind under the old name.
    ...(env.REDIS_URL && env.TIENDO_QUEUE_NAME ? { queueName: queueNameOf(env.TIENDO_QUEUE_NAME) } : {}),
    ...(env.TIENDO_PROCESS_DIR ? { processDir: env.TIENDO_PROCESS_DIR } : {}),
    logLevel: logLevelOf(env.TIENDO_LOG_LEVEL),
    demo: flag('TIENDO_DEMO', true),
    secureCookies: flag('TIENDO_SECURE_COOKIES', false),
    ...(draftWorkers !== undefined ? { draftWorkers } : {}),
    notify: loadNotifyConfig(env),
    ...(oidc ? { oidc } : {}),
    files: filesConfig(env),
  };
}

function filesConfig(env: NodeJS.ProcessEnv): NonNullable<AppConfig['files']> {
  const store = env.TIENDO_FILE_STORE || undefined;
  if (store !== undefined && store !== 'folder' && store !== 'sql') throw new Error(`TIENDO_FILE_STORE="${store}": folder or sql`);
  const positive = (name: string, max: number): number | undefined => {
    if (!env[name]) return undefined;
    const n = Number(env[name]);
    if (!(Number.isInteger(n) && n >= 1 && n <= max)) throw new Error(`${name}="${env[name]}" is not a whole number from 1 to ${max}`);
    return n;
  };
  const mb = positive('TIENDO_FILE_MAX_MB', 100);
  const per = positive('TIENDO_FILES_PER_INSTANCE', 100_000);
  return { ...(store ? { store } : {}), ...(mb ? { maxBytes: mb * 1024 * 1024 } : {}), ...(per ? { maxPerInstance: per } : {}) };
}

export async function startApp(config: AppConfig = {}): Promise<App> {
  const log = config.log ?? ((m: string) => console.log(m));
  const logger = config.logger ?? (config.logLevel ? createLogger({ level: config.logLevel }) : silentLogger);
  const role = commandOf(config);
  const base = config.clock ?? systemClock;
  // The demo is seeded on a clock that walks through the past months; then time is the real one.
  let seeding: ManualClock | undefined;
  const clock: Clock = { now: () => (seeding ? seeding.now() : base.now()) };
  let accounts: KnexAccounts | undefined;
  const sqliteFile = config.sqliteFile ?? (config.databaseUrl ? undefined : sqliteIn(config.dataDir ?? './data'));
  // One process per SQLite file (adapters/store/sqlite-lock.ts); an in-memory store is this process's own.
  const unlock = sqliteFile && sqliteFile !== ':memory:' ? lockSqliteFile(sqliteFile, commandOf(config)) : undefined;
  const notifier = notifierFromConfig({
    ...(config.notify ?? {}),
    recipients: async (notified) => (accounts ? accounts.emailsOn(notified.map((r) => r.unitId)) : []),
  });
  const runtime = await openRuntime({
    ...(config.databaseUrl ? { databaseUrl: config.databaseUrl } : {}),
    ...(sqliteFile ? { sqliteFile } : {}),
    ...(config.pgSchema ? { pgSchema: config.pgSchema } : {}),
    ...(config.redisUrl ? { redisUrl: config.redisUrl } : {}),
    ...(config.queueName ? { queueName: config.queueName } : {}),
    ...(notifier ? { notifier } : {}),
    onForeignJob: (job) =>
      logger.warn(
        { job: job.id, store: job.payload.store },
        'job of another store ignored (left by a dropped store, or a queue name shared by two deployments)',
      ),
    clock,
  }).catch((e: unknown) => {
    unlock?.();
    throw e;
  });
  logger.info(
    { command: role, store: runtime.dialect, queue: config.redisUrl ? 'bullmq' : 'sql', queueName: runtime.queueName, storeId: runtime.storeId },
    'store and queue open',
  );
  accounts = new KnexAccounts(runtime.db);
  const closers: (() => Promise<void>)[] = [() => runtime.close().finally(() => unlock?.())];
  try {
    // Several processes starting together on one PostgreSQL take turns here: the first publishes
    // and seeds, the others find it done.
    const demo = await underStartupLock(runtime.db, async (): Promise<App['demo']> => {
      const published = await publishLibrary(runtime, config.processDir ?? defaultProcessDir(), (m) => {
        log(m);
        logger.warn(m);
      });
      if (published) logger.info({ definitions: published }, 'library published');
      if (!(config.demo ?? true) || (await accounts!.countUsers()) > 0) return undefined;
      const now = base.now();
      seeding = new ManualClock(now - DEMO_MONTHS * 30 * 86_400_000);
      try {
        const started = Date.now();
        logger.info('first start: loading the demo province');
        const loaded = await loadDemo(runtime, accounts!, seeding, now, config.bcryptCost ?? 10, log, config.redisUrl ? notifier : false);
        logger.info({ ms: Date.now() - started }, 'demo province loaded');
        return loaded;
      } finally {
        seeding = undefined;
      }
    });
    const running = new Set<Promise<unknown>>();
    // Campaign runs in this process: stopped between batches at close, resumed by the next start.
    const stopCampaigns = new AbortController();
    const inHand = new Set<string>();
    // Campaigns this process ran (to their end or not): a periodic pass resumes only the others, so a
    // campaign that keeps some units failing is not run again and again.
    const ran = new Set<string>();
    const runHere = (id: string, actor: string, why: 'launched' | 'resumed'): Promise<unknown> => {
      if (inHand.has(id)) return Promise.resolve();
      inHand.add(id);
      const p: Promise<unknown> = underCampaignLease(
        runtime.db,
        id,
        () => (ran.add(id), runCampaign(runtime.engine, id, { actor, signal: stopCampaigns.signal })),
      )
        .then((r) => {
          if (!r.ran) return logger.info({ campaign: id, why }, 'campaign left alone: another process runs it');
          const c = r.value.campaign;
          logger.info(
            {
              campaign: id,
              why,
              created: r.value.created,
              failed: r.value.failed.length,
              skippedRunning: r.value.skippedRunning,
              started: c.started,
              total: c.total,
              status: c.status,
              stoppedForClose: stopCampaigns.signal.aborted,
            },
            'campaign run ended',
          );
        })
        .catch((e) => {
          logger.error({ err: e, campaign: id, why }, 'campaign stopped');
          log(`campaign ${id} stopped: ${(e as Error).message}; launching it again finishes it`);
        })
        .finally(() => {
          inHand.delete(id);
          running.delete(p);
        });
      running.add(p);
      return p;
    };
    // A fan-out (a Sở's stage opening work for its 1,500 schools) starts its children in the
    // background under the campaign lease, like any campaign: the command that opened it answers at
    // once, and a run cut short is resumed.
    runtime.engine.runFanOut = async (id) => {
      void runHere(id, SYSTEM_ACTOR, 'launched');
    };
    // Drafts are checked in worker threads while serving the API (adapters/drafts/).
    const drafts =
      (config.api ?? true)
        ? new DraftPool(calendarRanges(runtime.engine.catalog.calendars), config.draftWorkers ? { size: config.draftWorkers } : {})
        : undefined;
    if (drafts) closers.unshift(() => drafts.close());
    const application = new Application({
      engine: runtime.engine,
      accounts,
      audit: new KnexAudit(runtime.db),
      passwords: bcryptPasswords(config.bcryptCost ?? 10),
      ...(drafts ? { drafts } : {}),
      files: {
        // Several processes on one PostgreSQL see one store, not one folder: the bytes go in it.
        // An in-memory store keeps its files with it too.
        blobs:
          (config.files?.store ?? (config.databaseUrl || sqliteFile === ':memory:' ? 'sql' : 'folder')) === 'sql'
            ? new SqlBlobs(runtime.db, () => clock.now())
            : new FolderBlobs(join(sqliteFile && sqliteFile !== ':memory:' ? dirname(sqliteFile) : (config.dataDir ?? './data'), 'files')),
        discussions: new KnexDiscussions(runtime.db),
        ...(config.files?.maxBytes ? { maxBytes: config.files.maxBytes } : {}),
        ...(config.files?.maxPerInstance ? { maxPerInstance: config.files.maxPerInstance } : {}),
      },
      runCampaignLater(id, actor) {
        void runHere(id, actor, 'launched');
      },
    });
    const services: Services = {
      app: application,
      accounts: observedAccounts(accounts),
      bcryptCost: config.bcryptCost ?? 10,
      sessionTtlMs: config.sessionTtlMs ?? 12 * 3_600_000,
      secureCookies: config.secureCookies ?? false,
      ready: () => readiness(runtime),
      ...(config.oidc
        ? {
            oidc: new OidcSignIn(config.oidc, runtime.db, {
              secureCookies: config.secureCookies ?? false,
              log: (fields, message) => logger.info(fields, message),
            }),
          }
        : {}),
      log: (level, fields, message) => logger[level](fields, message),
    };
    if (config.workers ?? true) {
      // A queue that lost its jobs (Redis restarted empty) is rebuilt before the worker starts.
      await runtime.relay.sweep();
      const worker: QueueWorker = runtime.work({
        onError: (job, e) => logger.error({ err: e, job: job.id, attempt: job.attempt }, 'timer job failed; it is retried'),
        onSweepError: (e) => logger.warn({ err: e }, 'outbox sweep failed; the next one tries again'),
      });
      closers.unshift(() => worker.close());
      // Campaigns a crash (or a close) cut short go on by themselves, one after another: at start,
      // then now and then for those a process that died since left (a `tiendo serve` restarted in
      // the middle of one it launched). On one PostgreSQL the processes with workers take each in
      // turn under its lease.
      let resuming: Promise<unknown> | undefined;
      const resumeLeft = () => {
        if (resuming || stopCampaigns.signal.aborted) return;
        const pass: Promise<unknown> = (async () => {
          const left = (await runtime.db('campaigns').where({ status: 'running' }).orderBy('created_at').select('id', 'created_by')) as {
            id: string;
            created_by: string;
          }[];
          for (const c of left) {
            if (stopCampaigns.signal.aborted) return;
            if (ran.has(c.id) || inHand.has(c.id)) continue;
            logger.info({ campaign: c.id }, 'resuming a campaign left running');
            await runHere(c.id, c.created_by, 'resumed');
          }
          // A child's finish whose check of its parent was lost (the process died between the two).
          const caught = await runtime.engine.reconcileFanOuts();
          if (caught) logger.info({ parents: caught }, 'fan-outs caught up: parents moved on');
        })()
          .catch((e) => logger.error({ err: e }, 'resuming campaigns failed'))
          .finally(() => {
            running.delete(pass);
            resuming = undefined;
          });
        resuming = pass;
        running.add(pass);
      };
      resumeLeft();
      const every = setInterval(resumeLeft, config.campaignResumeEveryMs ?? 60_000);
      every.unref();
      closers.unshift(async () => clearInterval(every));
    }
    const gate = metricsGate({ ...(config.metricsToken ? { token: config.metricsToken } : {}), public: config.metricsPublic ?? false }, accounts, clock);
    let url: string | undefined;
    if (config.api ?? true) {
      const ui = (config.ui ?? true) ? await (await import('./http/ui-assets.ts')).uiRouter() : undefined;
      const app = createHttpApp({
        services,
        routes: ROUTES,
        ...(ui ? { ui } : {}),
        ...(config.loginLimit ? { loginLimit: config.loginLimit } : {}),
        https: config.secureCookies ?? false,
        metrics: runtime.metrics,
        metricsGate: gate,
        checkAnswers: config.checkAnswers ?? false,
        logger,
        // A 5xx's error goes on its request's line (stack and cause); one outside a request, alone.
        log: (e) => void (noteRequestError(e) || logger.error({ err: e }, 'request failed')),
      });
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
      const listener = await listenMetrics(runtime.metrics, config.metricsPort, config.host ?? '127.0.0.1', gate, log);
      metricsUrl = listener.url;
      closers.unshift(() => listener.close());
    }
    const settled = async () => {
      while (running.size) await Promise.allSettled([...running]);
    };
    closers.unshift(async () => {
      stopCampaigns.abort();
      await settled();
    });
    logger.info({ command: role, url, metricsUrl, api: config.api ?? true, workers: config.workers ?? true, demo: demo ? 'loaded' : 'none' }, 'started');
    return {
      ...(url ? { url } : {}),
      ...(metricsUrl ? { metricsUrl } : {}),
      runtime,
      application,
      accounts,
      ...(drafts ? { drafts } : {}),
      ...(demo ? { demo } : {}),
      noAccounts: !demo && (await accounts.countUsers()) === 0,
      logger,
      settled,
      async close() {
        if (!closers.length) return;
        const started = Date.now();
        logger.info({ command: role }, 'stopping: finishing work in hand');
        try {
          for (const close of closers.splice(0)) await close();
        } catch (e) {
          logger.error({ err: e }, 'stopping failed');
          throw e;
        }
        logger.info({ command: role, ms: Date.now() - started }, 'stopped');
      },
    };
  } catch (e) {
    logger.error({ err: e }, 'start failed');
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

const SYSTEM = systemPrincipal();

/** Publishes each definition of the library that is not published yet (same text: nothing to do). */
export async function publishLibrary(runtime: Runtime, dir: string, log: (m: string) => void): Promise<number> {
  const library = new Application({ engine: runtime.engine, audit: new KnexAudit(runtime.db) });
  let created = 0;
  for (const name of readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()) {
    const file = join(dir, name);
    try {
      created += (await library.publish(SYSTEM, readFileSync(file, 'utf8'), {}, file)).created ? 1 : 0;
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
async function loadDemo(
  runtime: Runtime,
  accounts: KnexAccounts,
  clock: ManualClock,
  now: number,
  cost: number,
  log: (m: string) => void,
  notifier: Notifier | undefined | false,
): Promise<NonNullable<App['demo']>> {
  const started = Date.now();
  log('first start: loading the demo province (about half a minute; TIENDO_DEMO=0 skips it)…');
  const { seedDemo } = await import('./demo/seed.ts');
  const { DEMO_USERS, DEMO_PASSWORD } = await import('./demo/users.ts');
  let summary: Awaited<ReturnType<typeof seedDemo>>;
  if (notifier === false) {
    summary = await seedDemo(runtime, clock, now);
  } else {
    const seeder = await runtimeOn(
      runtime.db,
      runtime.dialect,
      { queueName: DEMO_SEED_QUEUE, clock, calendars: runtime.engine.catalog.calendars, ...(notifier ? { notifier } : {}) },
      false,
    );
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
    await accounts.putUser(
      // Each demo person belongs to the unit of their (first) role, as an administrator would set it.
      {
        id: newUserId(),
        login: u.login,
        name: u.name,
        email: u.email,
        ...(u.grants[0] ? { unitId: u.grants[0].unitId } : {}),
        passwordHash: await hashPassword(u.password, cost),
        createdAt: now,
      },
      u.grants,
    );
  }
  log(`demo province loaded in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return {
    users: DEMO_USERS.map((u) => ({ login: u.login, name: u.name, roles: u.grants.map((g) => `${g.role}@${g.unitId}`).join(', ') })),
    password: DEMO_PASSWORD,
    summary,
  };
}

async function readiness(runtime: Runtime): Promise<{ store: boolean; queue: boolean }> {
  const within = <T>(p: Promise<T>) =>
    Promise.race([p.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 2_000).unref())]).catch(() => false);
  // A count, not the earliest job: that one lists every pending job, at each probe.
  const [store, queue] = await Promise.all([within(runtime.db.raw('select 1')), within(runtime.queue.pendingCount())]);
  return { store, queue };
}
