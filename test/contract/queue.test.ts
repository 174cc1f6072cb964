// One set of behaviours for every Queue driver: the SQL job table on SQLite and on PostgreSQL, and
// BullMQ on Redis. Due times follow a ManualClock; only work() and the crash recovery of BullMQ (whose
// locks and stalled checks keep wall-clock time) wait for real, always for a condition with a deadline.
import { expect } from 'chai';
import { randomBytes, randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { Worker } from 'bullmq';
import { ManualClock, type Job, type JobHandler, type JobSpec, type Queue } from '../../engine/ports.ts';
import { migrate, openDb, type StoreConfig } from '../../adapters/store/db.ts';
import { SqlQueue } from '../../adapters/queue/sql/sql-queue.ts';
import { BullmqQueue } from '../../adapters/queue/bullmq/bullmq-queue.ts';
import { POSTGRES_URL, REDIS_URL, requireService } from '../support/services.ts';

const T0 = Date.UTC(2026, 2, 2, 1, 0); // 08:00 in Hanoi
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** What the shared tests need from one driver over one storage. */
interface Driver {
  open(name: string, clock: ManualClock): Queue;
  /** Closes a queue opened by `open` and deletes what it stored. */
  dispose(queue: Queue): Promise<void>;
  /** Another worker takes the due job of queue `name` and dies without settling it. */
  crashHolding(name: string, clock: ManualClock): Promise<void>;
  /** Waits (by the means of the driver) until the dead worker's job is handed to `handler` again. */
  redeliver(queue: Queue, clock: ManualClock, handler: JobHandler): Promise<void>;
}

interface Variant {
  label: string;
  service?: 'PostgreSQL' | 'Redis';
  start(): Promise<{ driver: Driver; stop(): Promise<void> }>;
}

function sqlDriver(db: Knex): Driver {
  return {
    open: (name, clock) => new SqlQueue(db, { name, clock, pollMs: 10 }),
    dispose: async (queue) => {
      await queue.close();
      await db('jobs').del();
    },
    crashHolding: async (name, clock) => {
      // runDue leases the job, then its handler never returns: the lease is never settled.
      const doomed = new SqlQueue(db, { name, clock, workerId: 'doomed' });
      await new Promise<void>((taken) => {
        void doomed.runDue(async () => {
          taken();
          await new Promise(() => undefined);
        });
      });
    },
    redeliver: async (queue, clock, handler) => {
      // A day is past any lease runDue takes.
      clock.set(clock.now() + DAY);
      expect(await queue.runDue(handler)).to.equal(1);
    },
  };
}

const sqlVariant = (label: string, service: 'PostgreSQL' | undefined, config: StoreConfig): Variant => ({
  label,
  service,
  start: async () => {
    const { db } = openDb(config);
    await migrate(db);
    return {
      driver: sqlDriver(db),
      stop: async () => {
        if (config.schema) await db.raw(`drop schema if exists "${config.schema}" cascade`);
        await db.destroy();
      },
    };
  },
});

const RUN = `${process.pid}-${randomBytes(3).toString('hex')}`;
const PREFIX = 'tiendo-test';

const bullmqDriver: Driver = {
  open: (name, clock) => new BullmqQueue({ name: `${name}-${RUN}`, connection: REDIS_URL, clock, prefix: PREFIX }),
  dispose: async (queue) => {
    await (queue as BullmqQueue).obliterate();
    await queue.close();
  },
  crashHolding: async (name) => {
    // A bare BullMQ worker takes the job and goes away; nothing renews its 300 ms lock.
    const doomed = new Worker(`${name}-${RUN}`, null, {
      connection: { url: REDIS_URL, maxRetriesPerRequest: null },
      prefix: PREFIX,
      lockDuration: 300,
      autorun: false,
    });
    expect(await doomed.getNextJob(randomUUID(), { block: false })).to.not.equal(undefined);
    await doomed.close();
  },
  redeliver: async (queue, _clock, handler) => {
    // Real time, kept short: the lock runs out after 300 ms and a worker checking for stalled jobs
    // every 300 ms moves the job back to the waiting list, then takes it.
    let done = false;
    const worker = queue.work(
      async (job) => {
        await handler(job);
        done = true;
      },
      { leaseMs: 300 },
    );
    await until(() => done, 5_000, 'the stalled job to be delivered again');
    await worker.close();
  },
};

const variants: Variant[] = [
  sqlVariant('SqlQueue on SQLite', undefined, { sqliteFile: ':memory:' }),
  sqlVariant('SqlQueue on PostgreSQL', 'PostgreSQL', { databaseUrl: POSTGRES_URL, schema: `q_${RUN.replace('-', '_')}` }),
  {
    label: 'BullmqQueue on Redis',
    service: 'Redis',
    start: async () => ({ driver: bullmqDriver, stop: async () => undefined }),
  },
];

async function until(condition: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}

function spec(id: string, runAt: number, payload: Record<string, unknown> = { id }, name = 'timer.fire'): JobSpec {
  return { id, name, payload, runAt };
}

for (const variant of variants) {
  describe(`Queue contract: ${variant.label}`, function () {
    let driver: Driver;
    let stop: (() => Promise<void>) | undefined;
    let count = 0;
    let name: string;
    let clock: ManualClock;
    let queue: Queue;
    let runs: Job[];
    const record: JobHandler = async (job) => void runs.push(job);
    const sorted = async (ids: Promise<string[]>) => (await ids).sort();

    before(async function () {
      if (variant.service) await requireService(this, variant.service);
      ({ driver, stop } = await variant.start());
    });
    after(async () => stop?.());
    beforeEach(() => {
      name = `q${++count}`;
      clock = new ManualClock(T0);
      queue = driver.open(name, clock);
      runs = [];
    });
    afterEach(async () => driver.dispose(queue));

    it('runs a job once it is due by the clock, not before', async () => {
      await queue.schedule([spec('a', T0 + HOUR, { n: 1 }), spec('b', T0 + 2 * HOUR, { n: 2 }, 'reminder')]);
      expect(await queue.runDue(record)).to.equal(0);
      clock.set(T0 + HOUR - 1);
      expect(await queue.runDue(record)).to.equal(0);
      expect(runs).to.deep.equal([]);

      clock.set(T0 + HOUR);
      expect(await queue.runDue(record)).to.equal(1);
      expect(runs).to.deep.equal([{ id: 'a', name: 'timer.fire', payload: { n: 1 }, runAt: T0 + HOUR, attempt: 1 }]);
      expect(await queue.pendingIds()).to.deep.equal(['b']);

      clock.set(T0 + 3 * HOUR);
      expect(await queue.runDue(record)).to.equal(1);
      expect(runs.map((r) => [r.id, r.name, r.payload])).to.deep.equal([
        ['a', 'timer.fire', { n: 1 }],
        ['b', 'reminder', { n: 2 }],
      ]);
      expect(await queue.runDue(record), 'a job that ran is gone').to.equal(0);
      expect(await queue.pendingIds()).to.deep.equal([]);
    });

    it('runs the due jobs earliest first, then the ones its handlers make due', async () => {
      await queue.schedule([spec('c', T0 + 2 * MINUTE), spec('a', T0 + MINUTE), spec('later', T0 + HOUR)]);
      clock.set(T0 + 5 * MINUTE);
      const ran = await queue.runDue(async (job) => {
        runs.push(job);
        if (job.id === 'a') await queue.schedule([spec('a2', clock.now())]);
      });
      expect(ran).to.equal(3);
      expect(runs.map((r) => r.id)).to.deep.equal(['a', 'c', 'a2']);
      expect(await queue.pendingIds()).to.deep.equal(['later']);
    });

    it('replaces a pending job scheduled again under the same id', async () => {
      await queue.schedule([spec('x', T0 + HOUR, { v: 1 }), spec('y', T0 + 3 * HOUR, { v: 1 })]);
      await queue.schedule([spec('x', T0 + 2 * HOUR, { v: 2 }, 'reminder'), spec('y', T0 + 30 * MINUTE, { v: 2 })]);
      // Within one call the last schedule of an id wins.
      await queue.schedule([spec('z', T0 + HOUR, { v: 1 }), spec('z', T0 + 4 * HOUR, { v: 2 })]);
      expect(await sorted(queue.pendingIds())).to.deep.equal(['x', 'y', 'z']);
      expect(await queue.nextRunAt()).to.equal(T0 + 30 * MINUTE);

      clock.set(T0 + HOUR);
      expect(await queue.runDue(record)).to.equal(1);
      expect(runs).to.deep.equal([{ id: 'y', name: 'timer.fire', payload: { v: 2 }, runAt: T0 + 30 * MINUTE, attempt: 1 }]);

      clock.set(T0 + 5 * HOUR);
      expect(await queue.runDue(record)).to.equal(2);
      expect(runs.slice(1)).to.deep.equal([
        { id: 'x', name: 'reminder', payload: { v: 2 }, runAt: T0 + 2 * HOUR, attempt: 1 },
        { id: 'z', name: 'timer.fire', payload: { v: 2 }, runAt: T0 + 4 * HOUR, attempt: 1 },
      ]);
      expect(await queue.pendingIds()).to.deep.equal([]);
    });

    it('cancels pending jobs and ignores ids it does not know', async () => {
      await queue.schedule([spec('a', T0 + HOUR), spec('b', T0 + HOUR), spec('c', T0 + 2 * HOUR)]);
      await queue.cancel(['b', 'never-scheduled']);
      await queue.cancel([]);
      expect(await sorted(queue.pendingIds())).to.deep.equal(['a', 'c']);
      clock.set(T0 + DAY);
      expect(await queue.runDue(record)).to.equal(2);
      expect(runs.map((r) => r.id)).to.deep.equal(['a', 'c']);
    });

    it('reports the pending ids and the next run time of its own queue only', async () => {
      expect(await queue.nextRunAt()).to.equal(undefined);
      expect(await queue.pendingIds()).to.deep.equal([]);
      const other = driver.open(`${name}-other`, clock);
      try {
        await other.schedule([spec('elsewhere', T0 + MINUTE)]);
        await queue.schedule([spec('a', T0 + 2 * HOUR), spec('b', T0 + HOUR)]);
        expect(await queue.nextRunAt()).to.equal(T0 + HOUR);
        expect(await sorted(queue.pendingIds())).to.deep.equal(['a', 'b']);
        expect(await queue.pendingCount()).to.equal(2);
        expect(await other.pendingIds()).to.deep.equal(['elsewhere']);
        await queue.cancel(['elsewhere']);
        expect(await other.pendingIds(), 'a queue cancels only its own jobs').to.deep.equal(['elsewhere']);

        clock.set(T0 + HOUR);
        await queue.runDue(record);
        expect(await queue.nextRunAt()).to.equal(T0 + 2 * HOUR);
        expect(runs.map((r) => r.id)).to.deep.equal(['b']);
      } finally {
        await driver.dispose(other);
      }
    });

    it('schedules and cancels jobs in bulk', async () => {
      const ids = Array.from({ length: 250 }, (_, i) => `bulk-${String(i).padStart(3, '0')}`);
      await queue.schedule(ids.map((id, i) => spec(id, T0 + HOUR + i)));
      expect(await sorted(queue.pendingIds())).to.deep.equal(ids);
      expect(await queue.nextRunAt()).to.equal(T0 + HOUR);
      await queue.cancel(ids.slice(0, 200));
      expect(await sorted(queue.pendingIds())).to.deep.equal(ids.slice(200));
    });

    it('refuses job ids BullMQ cannot store, scheduling none of the batch', async () => {
      for (const id of ['instance:stage', '12345', '', 'with space']) {
        const error = await rejection(queue.schedule([spec('fine', T0), spec(id, T0)]));
        expect(error.message).to.contain('invalid job id');
      }
      expect(await queue.pendingIds()).to.deep.equal([]);
    });

    it('leaves a job that threw pending and delivers it again later, with the next attempt', async () => {
      let fail = true;
      const flaky: JobHandler = async (job) => {
        runs.push(job);
        if (fail) throw new Error('store unavailable');
      };
      await queue.schedule([spec('f', T0, { n: 7 }), spec('ok', T0)]);
      expect(await queue.runDue(flaky), 'a job that throws is not counted').to.equal(0);
      expect(runs.map((r) => [r.id, r.attempt])).to.deep.equal([
        ['f', 1],
        ['ok', 1],
      ]);
      expect(await sorted(queue.pendingIds())).to.deep.equal(['f', 'ok']);
      expect(await queue.nextRunAt(), 'pushed back by a backoff').to.be.greaterThan(T0);
      expect(await queue.runDue(flaky), 'not again before the backoff passes').to.equal(0);
      expect(runs).to.have.length(2);

      fail = false;
      clock.set(T0 + HOUR);
      expect(await queue.runDue(flaky)).to.equal(2);
      expect(runs.slice(2).map((r) => [r.id, r.payload, r.attempt])).to.deep.equal([
        ['f', { n: 7 }, 2],
        ['ok', { id: 'ok' }, 2],
      ]);
      expect(runs[2]!.runAt, 'runAt follows the retry').to.be.greaterThan(T0);
      expect(await queue.pendingIds()).to.deep.equal([]);
    });

    it('starts attempts afresh when a job that threw is scheduled again', async () => {
      await queue.schedule([spec('f', T0)]);
      await queue.runDue(async () => {
        throw new Error('no');
      });
      await queue.schedule([spec('f', T0 + MINUTE, { again: true })]);
      clock.set(T0 + MINUTE);
      expect(await queue.runDue(record)).to.equal(1);
      expect(runs).to.deep.equal([{ id: 'f', name: 'timer.fire', payload: { again: true }, runAt: T0 + MINUTE, attempt: 1 }]);
    });

    it('work(): runs due jobs concurrently up to the limit, and close() waits for them', async () => {
      await queue.schedule(['w1', 'w2', 'w3', 'w4'].map((id, i) => spec(id, T0 - (4 - i) * MINUTE)));
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      const started: string[] = [];
      const finished: string[] = [];
      let inFlight = 0;
      let maxInFlight = 0;
      const worker = queue.work(
        async (job) => {
          started.push(job.id);
          maxInFlight = Math.max(maxInFlight, ++inFlight);
          await gate;
          inFlight--;
          finished.push(job.id);
        },
        { concurrency: 3 },
      );
      await until(() => started.length === 3, 5_000, 'three jobs to start');
      expect(finished, 'all three started before any finished').to.deep.equal([]);
      expect(await queue.pendingIds(), 'jobs in hand are not pending').to.deep.equal(['w4']);

      let closed = false;
      const closing = worker.close().then(() => (closed = true));
      await new Promise((resolve) => setImmediate(resolve));
      expect(closed, 'close() waits for the jobs in hand').to.equal(false);
      release();
      await closing;
      expect(finished.sort()).to.deep.equal(['w1', 'w2', 'w3']);
      expect(maxInFlight).to.equal(3);
      expect(await queue.pendingIds(), 'a closed worker takes no more jobs').to.deep.equal(['w4']);
      expect(await queue.runDue(record), 'the finished jobs are gone').to.equal(1);
      expect(runs.map((r) => r.id)).to.deep.equal(['w4']);
    });

    it('work(): tells onError about a job that threw and keeps the job for a later delivery', async () => {
      await queue.schedule([spec('e', T0, { n: 1 })]);
      const errors: [Job, unknown][] = [];
      const worker = queue.work(
        async () => {
          throw new Error('boom');
        },
        { onError: (job, error) => errors.push([job, error]) },
      );
      await until(() => errors.length > 0, 5_000, 'onError');
      await worker.close();
      expect(errors).to.have.length(1);
      expect(errors[0]![0]).to.deep.equal({ id: 'e', name: 'timer.fire', payload: { n: 1 }, runAt: T0, attempt: 1 });
      expect((errors[0]![1] as Error).message).to.equal('boom');
      expect(await queue.pendingIds()).to.deep.equal(['e']);
      expect(await queue.nextRunAt()).to.be.greaterThan(T0);
    });

    it('hands the job of a worker that died holding it to another worker', async () => {
      await queue.schedule([spec('c', T0, { n: 3 })]);
      await driver.crashHolding(name, clock);
      expect(await queue.pendingIds(), 'held by the dead worker').to.deep.equal([]);
      expect(await queue.runDue(record), 'not while its lease lasts').to.equal(0);

      await driver.redeliver(queue, clock, record);
      expect(runs).to.deep.equal([{ id: 'c', name: 'timer.fire', payload: { n: 3 }, runAt: T0, attempt: 2 }]);
      expect(await queue.pendingIds()).to.deep.equal([]);
      expect(await queue.runDue(record), 'done once redelivered').to.equal(0);
    });
  });
}
