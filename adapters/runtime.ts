// Wires config → adapters → engine: the store (SQLite file, or PostgreSQL when a URL is given), the
// queue (the embedded SQL job table, or BullMQ when a Redis URL is given), the outbox relay and the
// engine service. The server, the worker, the CLI and the tests all start from here.
import { createHash } from 'node:crypto';
import { basename, resolve } from 'node:path';
import type { Knex } from 'knex';
import type { WorkingCalendar } from '../engine/calendar/calendar.ts';
import { systemClock, type Clock, type Job, type Notifier, type Queue, type QueueWorker } from '../engine/ports.ts';
import { Catalog } from '../engine/service/catalog.ts';
import { Engine, type Committed } from '../engine/service/engine.ts';
import { OutboxRelay, timerHandler } from '../engine/service/relay.ts';
import { loadCalendars } from './files/definitions.ts';
import { createMetrics, type Metrics } from './metrics.ts';
import { SqlQueue } from './queue/sql/sql-queue.ts';
import { migrate, openDb, storeIdOf, underStartupLock, type Dialect } from './store/db.ts';
import { KnexQueries } from './store/knex-queries.ts';
import { KnexStore } from './store/knex-store.ts';

export interface RuntimeConfig {
  databaseUrl?: string;
  sqliteFile?: string;
  /** PostgreSQL schema (tests give each run its own). */
  pgSchema?: string;
  redisUrl?: string;
  /** Queue name (TIENDO_QUEUE_NAME). Default: on Redis, one of this store's own (`defaultQueueName`),
   * so deployments sharing a Redis never share a queue; the embedded job table, in the store itself,
   * "tiendo-timers". */
  queueName?: string;
  clock?: Clock;
  calendars?: ReadonlyMap<string, WorkingCalendar>;
  notifier?: Notifier;
  /** Hears of each job of another store the queue delivered, and ignored (adapters/app.ts logs it). */
  onForeignJob?: (job: Job) => void;
  /** Sees every commit after the relay has run (simulations record from it). */
  observe?: (committed: Committed) => void;
}

export interface Runtime {
  engine: Engine;
  store: KnexStore;
  queries: KnexQueries;
  queue: Queue;
  relay: OutboxRelay;
  clock: Clock;
  metrics: Metrics;
  db: Knex;
  dialect: Dialect;
  /** The store's identity (migration 010), carried by every job put in Redis. */
  storeId: string;
  /** The queue's name: the BullMQ queue on Redis, or the `queue` column of the embedded job table. */
  queueName: string;
  /** Starts a queue worker that fires timers as they come due, and a relay that sweeps now and then:
   * the outbox, for effects a crashed process committed but never relayed, and the queue, rebuilt
   * from the store when Redis lost it. */
  work(options?: {
    concurrency?: number;
    relayEveryMs?: number;
    onError?: (job: Job, error: unknown) => void;
    onSweepError?: (error: unknown) => void;
  }): QueueWorker;
  /** Runs every timer due by the clock now (simulations and tests move the clock, then call it). */
  runDue(): Promise<number>;
  close(): Promise<void>;
}

export async function openRuntime(config: RuntimeConfig = {}): Promise<Runtime> {
  const { db, dialect } = openDb({
    ...(config.databaseUrl ? { databaseUrl: config.databaseUrl } : {}),
    ...(config.sqliteFile ? { sqliteFile: config.sqliteFile } : {}),
    ...(config.pgSchema ? { schema: config.pgSchema } : {}),
  });
  await underStartupLock(db, () => migrate(db));
  return runtimeOn(db, dialect, config, true);
}

/**
 * The runtime on a store already open and migrated. With `ownsDb` false, closing it leaves the store
 * open: the demo is seeded through such a second runtime on the embedded job table, beside the one on
 * Redis (adapters/app.ts).
 */
export async function runtimeOn(db: Knex, dialect: Dialect, config: RuntimeConfig, ownsDb: boolean): Promise<Runtime> {
  const clock = config.clock ?? systemClock;
  const storeId = await storeIdOf(db);
  const name = config.queueName ?? (config.redisUrl ? await defaultQueueName(db, dialect, config) : 'tiendo-timers');
  // The embedded queue's jobs live in this database: its outbox step writes a change's timer jobs
  // in the change's own transaction. BullMQ's are relayed from the outbox after the commit.
  const sqlQueue = config.redisUrl ? undefined : new SqlQueue(db, { name, clock });
  const store = new KnexStore(db, sqlQueue ? { outboxStep: sqlQueue.outboxStep } : {});
  const queue: Queue = sqlQueue ?? (await bullmqQueue(name, config.redisUrl!, clock, storeId));
  const queries = new KnexQueries(db);
  // Jobs put in Redis carry the store's identity; the embedded table is the store's own.
  const relay = new OutboxRelay(store, queue, clock, config.notifier, config.redisUrl ? storeId : undefined);
  const catalog = new Catalog(store, clock, config.calendars ?? loadCalendars());
  const metrics = createMetrics({ db, queue, clock });
  const engine = new Engine({
    store,
    queries,
    clock,
    catalog,
    onConflict: () => metrics.conflict(),
    // Relaying right after the commit keeps timers in the queue within moments; the periodic drain
    // (or the next commit) picks up whatever a crash left behind.
    afterCommit: async (committed) => {
      // A change that put nothing in the outbox has nothing to relay (whatever another process left
      // there is swept by the worker's periodic drain).
      metrics.committed(committed);
      // The change is committed whatever happens here: a queue that cannot be reached (Redis down)
      // leaves its effects in the outbox for the worker's sweep, and the command still succeeds.
      // Waited for a moment only: a Redis that went away mid-command can hold that command until it
      // reconnects, and every request would queue behind the stuck relay (the Redis outage test saw
      // no answer at all for the outage's 10 s, one run in four). The outbox keeps what is not
      // relayed yet, and the run in progress or the worker's sweep relays it.
      if (committed.outboxed > 0) await settledWithin(relay.drain(), RELAY_WAIT_MS);
      config.observe?.(committed);
    },
  });
  const handler = timerHandler(
    async (id, job) => {
      const outcome = await engine.fireTimer(id);
      metrics.timer(outcome, clock.now() - job.runAt);
    },
    {
      storeId,
      foreign: (job) => {
        metrics.timer('foreign', 0);
        config.onForeignJob?.(job);
      },
    },
  );
  return {
    engine,
    store,
    queries,
    queue,
    relay,
    clock,
    metrics,
    db,
    dialect,
    storeId,
    queueName: name,
    work(options) {
      const worker = queue.work(handler, {
        concurrency: options?.concurrency ?? (config.redisUrl ? WORKER_CONCURRENCY.bullmq : WORKER_CONCURRENCY.sql),
        ...(options?.onError ? { onError: options.onError } : {}),
      });
      const sweep = setInterval(() => void relay.sweep().catch((e: unknown) => options?.onSweepError?.(e)), options?.relayEveryMs ?? 5_000);
      return {
        async close() {
          clearInterval(sweep);
          await worker.close();
        },
      };
    },
    runDue: () => queue.runDue(handler),
    async close() {
      await queue.close();
      if (ownsDb) await store.close();
    },
  };
}

/**
 * Timer jobs a worker runs at once, by queue driver. The embedded queue's jobs share the one SQLite
 * writer, where group commit is the lever: enough in flight that a burst of deadlines commits in
 * groups of the batchers' size (engine/service/batcher.ts: 256) with the next group already loading
 * (50,000 escalations due at one moment on this 2-core machine were all recorded in 29.7 s at 256;
 * at 512 in 25.1 s alone, 30.5 s and 22.8 s in full `npm run bench` runs — a noisy machine). BullMQ workers stay at 64, the default the fault tests run
 * with: through BullMQ the same burst was no faster at 512 (10,000 in 6.5 s; 5.7 s at 256).
 */
export const WORKER_CONCURRENCY = { sql: 512, bullmq: 64 } as const;

/** How long a command waits for the relay of its effects before answering anyway. */
const RELAY_WAIT_MS = 1_000;

/** Resolves when `work` settles (either way) or after `ms`, whichever is first. */
async function settledWithin(work: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([work.catch(() => undefined), new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}

async function bullmqQueue(name: string, url: string, clock: Clock, storeId: string): Promise<Queue> {
  const { BullmqQueue } = await import('./queue/bullmq/bullmq-queue.ts');
  return new BullmqQueue({ name, connection: url, clock, storeId });
}

/**
 * The BullMQ queue of a store, when TIENDO_QUEUE_NAME does not name one: `tiendo-<database>.<schema>-<hash>`
 * on PostgreSQL (the hash also covers the server's address), `tiendo-<file>-<hash>` on SQLite (the
 * file's full path). Two provinces, or two schemas, on one Redis get two queues; a database dropped
 * and made again gets the same one back, and the store identity in each job keeps the old jobs out.
 */
export async function defaultQueueName(db: Knex, dialect: Dialect, config: Pick<RuntimeConfig, 'databaseUrl' | 'sqliteFile'>): Promise<string> {
  let label: string;
  let key: string;
  if (dialect === 'postgres') {
    const rows = (await db.raw('select current_database() as d, current_schema() as s')) as { rows: { d: string; s: string }[] };
    const { d, s } = rows.rows[0]!;
    let server = '';
    try {
      const url = new URL(config.databaseUrl ?? '');
      server = `${url.hostname}:${url.port || 5432}`;
    } catch {
      server = config.databaseUrl ?? '';
    }
    label = `${d}.${s}`;
    key = `postgres://${server}/${d}/${s}`;
  } else {
    // An in-memory store is its own: its identity stands for the path it does not have.
    const file = config.sqliteFile === ':memory:' ? `memory-${await storeIdOf(db)}` : resolve(config.sqliteFile ?? './data/tiendo.sqlite');
    label = basename(file).replace(/\.sqlite3?$/, '');
    key = `sqlite:${file}`;
  }
  const hash = createHash('sha256').update(key).digest('hex').slice(0, 8);
  // BullMQ takes no ':' in a name (it separates Redis keys).
  return `tiendo-${label.replace(/[^A-Za-z0-9_.-]+/g, '_').slice(0, 60)}-${hash}`;
}
