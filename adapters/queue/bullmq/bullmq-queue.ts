// The queue on Redis through BullMQ, for deployments with several processes. BullMQ keeps time by the
// wall clock; `runDue` brings the injected clock in: each job carries its `runAt`, and delayed jobs are
// promoted by comparing that with the clock, so a simulation can jump time with jobs stored in Redis.
import { randomUUID } from 'node:crypto';
import { Queue as BullQueue, Worker, type Job as BullJob, type JobsOptions, type WorkerOptions } from 'bullmq';
import type { Clock, Job, JobHandler, JobSpec, Queue, QueueWorker, WorkOptions } from '../../../engine/ports.ts';
import { assertJobIds, chunks, latestById, retryDelay } from '../index.ts';

export interface BullmqQueueOptions {
  name: string;
  /** redis://… */
  connection: string;
  clock: Clock;
  /** Redis key prefix; BullMQ's default is "bull". */
  prefix?: string;
  /** The store this queue serves: the mark that the queue holds every pending timer names it, so a
   * queue last filled by another store (one dropped and made again under the same name) is rebuilt. */
  storeId?: string;
}

interface JobData {
  payload: Record<string, unknown>;
  runAt: number;
}

// A timer job takes milliseconds, and its lock is renewed every half lease while the worker lives:
// a short lease only makes a lost job come back sooner — one held by a worker that was killed, or
// one whose completion Redis never heard of because it went down meanwhile (both fault tests waited
// out BullMQ's 30 s default, twice). Delivered twice, a timer does nothing the second time.
const DEFAULT_LEASE_MS = 10_000;
const CONNECT_WAIT_MS = 2_000;
const JOBS_PER_ROUND = 100;
// A key under the queue's prefix, set once every pending timer has been put in the queue: Redis
// loses it with the jobs, and its absence is how a sweep knows to rebuild.
// Its value is the id of the store that filled the queue.
const WHOLE_KEY = 'tiendo-whole';
// A crash while holding a job puts it back; a job that brings down five workers in a row is parked in
// the failed set instead of taking down the next ones.
const MAX_STALLED = 5;

const JOB_OPTIONS: JobsOptions = {
  // The port retries a throwing job until it succeeds or is cancelled.
  attempts: Number.MAX_SAFE_INTEGER,
  // Not a built-in type, so BullMQ asks the workers' backoffStrategy.
  backoff: { type: 'capped' },
  removeOnComplete: true,
  // Only jobs parked by MAX_STALLED end here; the latest are kept for a look.
  removeOnFail: { count: 1_000 },
};

export class BullmqQueue implements Queue {
  private readonly queue: BullQueue<JobData>;
  private readonly workers = new Set<QueueWorker>();
  /** Takes jobs one at a time for `runDue`; made on first use. */
  private runner: Worker<JobData> | undefined;
  /** Whether the first connection was made (after it, an unready connection fails at once). */
  private wasReady = false;

  constructor(private readonly options: BullmqQueueOptions) {
    this.queue = new BullQueue<JobData>(options.name, {
      // Without the offline queue a command fails at once while Redis is away, instead of holding
      // the request that scheduled it until Redis returns; with no retries, so does a command that
      // was in flight when the connection dropped (ioredis would resend it after reconnecting: the
      // relay waited on one for the whole of a 10 s outage).
      connection: { url: options.connection, enableOfflineQueue: false, maxRetriesPerRequest: 0 },
      prefix: options.prefix,
      defaultJobOptions: JOB_OPTIONS,
    });
    // Connection errors also reach the caller through the failing command; an 'error' event with no
    // listener would crash the process instead.
    this.queue.on('error', () => undefined);
  }

  async schedule(jobs: JobSpec[]): Promise<void> {
    assertJobIds(jobs);
    await this.connected();
    const now = this.options.clock.now();
    for (const chunk of chunks(latestById(jobs), JOBS_PER_ROUND)) {
      // Adding an id that exists is a silent no-op in BullMQ, so replacing means removing first. A job
      // a worker is running cannot be removed: it keeps running, and this schedule of it is dropped.
      // Only ids that are there are removed (one EXISTS each, pipelined): a campaign's new timers,
      // thousands, cost no removal script each (half the relay's Redis time, issue 17).
      const backend = this.queue.getBackend();
      const pipeline = (await backend.client).pipeline();
      for (const job of chunk) pipeline.runCommand('exists', [backend.toKey(job.id)]);
      const found = await pipeline.exec();
      await Promise.all(chunk.filter((_, k) => found?.[k]?.[1] !== 0).map((job) => this.queue.remove(job.id)));
      await this.queue.addBulk(
        chunk.map((job) => ({
          name: job.name,
          data: { payload: job.payload, runAt: job.runAt },
          opts: { jobId: job.id, delay: Math.max(0, job.runAt - now) },
        })),
      );
    }
  }

  async cancel(ids: string[]): Promise<void> {
    await this.connected();
    for (const chunk of chunks(ids, JOBS_PER_ROUND)) {
      await Promise.all(chunk.map((id) => this.queue.remove(id)));
    }
  }

  work(handler: JobHandler, options: WorkOptions = {}): QueueWorker {
    const leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
    const worker = this.worker(
      async (bullJob) => {
        const job = toJob(bullJob);
        try {
          await handler(job);
        } catch (error) {
          options.onError?.(job, error);
          throw asError(error);
        }
      },
      {
        concurrency: options.concurrency ?? 1,
        // The lock is renewed while the worker lives; the stalled check, twice a lease, hands the job
        // of a dead worker to another within about one and a half leases.
        lockDuration: leaseMs,
        stalledInterval: leaseMs / 2,
        maxStalledCount: MAX_STALLED,
      },
    );
    const queueWorker: QueueWorker = {
      close: async () => {
        await worker.close();
        this.workers.delete(queueWorker);
      },
    };
    this.workers.add(queueWorker);
    return queueWorker;
  }

  async runDue(handler: JobHandler): Promise<number> {
    await this.connected();
    this.runner ??= this.worker(null, { autorun: false });
    const runner = this.runner;
    let succeeded = 0;
    await this.promoteDue();
    for (;;) {
      const token = randomUUID();
      const bullJob = await runner.getNextJob(token, { block: false });
      if (!bullJob) {
        // The waiting jobs are done; the handlers may have scheduled more that are due by the clock.
        if ((await this.promoteDue()) === 0) return succeeded;
        continue;
      }
      const job = toJob(bullJob);
      const early = job.runAt - this.options.clock.now();
      if (early > 0) {
        // BullMQ promoted it by the wall clock (a retry's backoff ran out in real time): by this
        // queue's clock it is not due yet.
        await bullJob.moveToDelayed(Date.now() + early, token);
        continue;
      }
      try {
        await handler(job);
      } catch (error) {
        // The backoff strategy moves runAt past the clock, so this call does not take the job again.
        await bullJob.moveToFailed(asError(error), token, false);
        continue;
      }
      await bullJob.moveToCompleted(undefined, token, false);
      succeeded++;
    }
  }

  async nextRunAt(): Promise<number | undefined> {
    await this.connected();
    // A job removed while the list is read comes back as undefined.
    const jobs = await this.queue.getJobs(['waiting', 'delayed'], 0, -1);
    return jobs.reduce<number | undefined>((min, job) => (job && (min === undefined || job.data.runAt < min) ? job.data.runAt : min), undefined);
  }

  async pendingCount(): Promise<number> {
    await this.connected();
    const counts = await this.queue.getJobCounts('waiting', 'delayed');
    return (counts.waiting ?? 0) + (counts.delayed ?? 0);
  }

  async pendingIds(): Promise<string[]> {
    await this.connected();
    // A job moving between the two lists may be listed twice.
    return [...new Set(await this.queue.getRanges(['waiting', 'delayed'], 0, -1))];
  }

  async close(): Promise<void> {
    await Promise.all([...this.workers].map((worker) => worker.close()));
    await this.runner?.close();
    await this.queue.close();
  }

  async needsRebuild(): Promise<boolean> {
    await this.connected();
    const mark = await (await this.queue.getBackend().client).get(this.queue.getBackend().toKey(WHOLE_KEY));
    return mark === null || (this.options.storeId !== undefined && mark !== this.options.storeId);
  }

  async markRebuilt(): Promise<void> {
    await this.connected();
    await (await this.queue.getBackend().client).set(this.queue.getBackend().toKey(WHOLE_KEY), this.options.storeId ?? String(Date.now()));
  }

  /** Deletes the queue and every job in it from Redis (tests, resets). */
  async obliterate(): Promise<void> {
    await this.queue.obliterate({ force: true });
    await (await this.queue.getBackend().client).del(this.queue.getBackend().toKey(WHOLE_KEY));
  }

  /** Waits a little for the first connection to Redis: BullMQ would wait for it forever, and the
   * offline queue being off only makes commands fail fast once a connection has been made. Once
   * connected, a connection that is not ready now (Redis went away; ioredis is reconnecting) fails
   * at once: waiting here held every request that relays behind it for the whole wait. */
  private async connected(): Promise<void> {
    if (this.wasReady) {
      const client = await this.queue.getBackend().client;
      if (client.status === 'ready') return;
      throw new Error(`Redis is unreachable (queue "${this.options.name}": connection ${client.status})`);
    }
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`Redis is unreachable (queue "${this.options.name}")`)), CONNECT_WAIT_MS);
    });
    try {
      await Promise.race([this.queue.waitUntilReady(), timeout]);
      this.wasReady = true;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Moves the delayed jobs due by the clock to the waiting list, earliest first; returns how many. */
  private async promoteDue(): Promise<number> {
    const now = this.options.clock.now();
    const due = (await this.queue.getDelayed(0, -1)).filter((job) => job && job.data.runAt <= now).sort((a, b) => a.data.runAt - b.data.runAt);
    for (const job of due) await job.promote();
    return due.length;
  }

  private worker(processor: ((job: BullJob<JobData>) => Promise<void>) | null, options: Partial<WorkerOptions>): Worker<JobData> {
    const worker = new Worker<JobData>(this.options.name, processor, {
      ...options,
      connection: { url: this.options.connection, maxRetriesPerRequest: null },
      prefix: this.options.prefix,
      settings: {
        // Runs when a delivery threw and is retried: runAt follows the retry, so nextRunAt and runDue
        // see the job as due again only when the backoff has passed by the clock.
        backoffStrategy: async (_attemptsMade, _type, _error, minimal) => {
          const job = minimal as BullJob<JobData>;
          const delay = retryDelay(attemptOf(job));
          await job.updateData({ ...job.data, runAt: this.options.clock.now() + delay });
          return delay;
        },
      },
    });
    // Connection trouble: the worker reconnects by itself, and its jobs stay in Redis meanwhile.
    worker.on('error', () => undefined);
    return worker;
  }
}

/** Deliveries so far: the failed ones, the ones lost with a crashed worker, and this one. */
function attemptOf(job: BullJob<JobData>): number {
  return job.attemptsMade + job.stalledCounter + 1;
}

function toJob(job: BullJob<JobData>): Job {
  return { id: String(job.id), name: job.name, payload: job.data.payload, runAt: job.data.runAt, attempt: attemptOf(job) };
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
