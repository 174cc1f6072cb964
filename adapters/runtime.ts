// Wires config → adapters → engine: the store (SQLite file, or PostgreSQL when a URL is given), the
// queue (the embedded SQL job table, or BullMQ when a Redis URL is given), the outbox relay and the
// engine service. The server, the worker, the CLI and the tests all start from here.
import type { Knex } from 'knex';
import type { WorkingCalendar } from '../engine/calendar/calendar.ts';
import { systemClock, type Clock, type Notifier, type Queue, type QueueWorker } from '../engine/ports.ts';
import { Catalog } from '../engine/service/catalog.ts';
import { Engine, type Committed } from '../engine/service/engine.ts';
import { OutboxRelay, timerHandler } from '../engine/service/relay.ts';
import { loadCalendars } from './files/definitions.ts';
import { createMetrics, type Metrics } from './metrics.ts';
import { SqlQueue } from './queue/sql/sql-queue.ts';
import { migrate, openDb, underStartupLock, type Dialect } from './store/db.ts';
import { KnexQueries } from './store/knex-queries.ts';
import { KnexStore } from './store/knex-store.ts';

export interface RuntimeConfig {
  databaseUrl?: string;
  sqliteFile?: string;
  /** PostgreSQL schema (tests give each run its own). */
  pgSchema?: string;
  redisUrl?: string;
  /** Queue name; tests use unique ones. Default "tiendo-timers". */
  queueName?: string;
  clock?: Clock;
  calendars?: ReadonlyMap<string, WorkingCalendar>;
  notifier?: Notifier;
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
  /** Starts a queue worker that fires timers as they come due, and a relay that sweeps now and then:
   * the outbox, for effects a crashed process committed but never relayed, and the queue, rebuilt
   * from the store when Redis lost it. */
  work(options?: { concurrency?: number; relayEveryMs?: number }): QueueWorker;
  /** Runs every timer due by the clock now (simulations and tests move the clock, then call it). */
  runDue(): Promise<number>;
  close(): Promise<void>;
}

export async function openRuntime(config: RuntimeConfig = {}): Promise<Runtime> {
  const clock = config.clock ?? systemClock;
  const { db, dialect } = openDb({
    ...(config.databaseUrl ? { databaseUrl: config.databaseUrl } : {}),
    ...(config.sqliteFile ? { sqliteFile: config.sqliteFile } : {}),
    ...(config.pgSchema ? { schema: config.pgSchema } : {}),
  });
  await underStartupLock(db, () => migrate(db));
  const name = config.queueName ?? 'tiendo-timers';
  // The embedded queue's jobs live in this database: its outbox step writes a change's timer jobs
  // in the change's own transaction. BullMQ's are relayed from the outbox after the commit.
  const sqlQueue = config.redisUrl ? undefined : new SqlQueue(db, { name, clock });
  const store = new KnexStore(db, sqlQueue ? { outboxStep: sqlQueue.outboxStep } : {});
  const queue: Queue = sqlQueue ?? (await bullmqQueue(name, config.redisUrl!, clock));
  const queries = new KnexQueries(db);
  const relay = new OutboxRelay(store, queue, clock, config.notifier);
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
  const handler = timerHandler(async (id, job) => {
    const outcome = await engine.fireTimer(id);
    metrics.timer(outcome, clock.now() - job.runAt);
  });
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
    work(options) {
      const worker = queue.work(handler, { concurrency: options?.concurrency ?? (config.redisUrl ? WORKER_CONCURRENCY.bullmq : WORKER_CONCURRENCY.sql) });
      const sweep = setInterval(() => void relay.sweep().catch(() => undefined), options?.relayEveryMs ?? 5_000);
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
      await store.close();
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

async function bullmqQueue(name: string, url: string, clock: Clock): Promise<Queue> {
  const { BullmqQueue } = await import('./queue/bullmq/bullmq-queue.ts');
  return new BullmqQueue({ name, connection: url, clock });
}
