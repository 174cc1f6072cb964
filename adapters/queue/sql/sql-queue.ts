// The embedded queue: jobs are rows of the store's `jobs` table, taken with a lease. A worker that dies
// holding a job only delays it: once the lease passes the job can be taken again. Runs on SQLite
// (≥ 3.35, for RETURNING) and PostgreSQL; every instant comes from the injected clock.
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Knex } from 'knex';
import type { Clock, Job, JobHandler, JobSpec, Queue, QueueWorker, WorkOptions } from '../../../engine/ports.ts';
import type { OutboxMessage } from '../../../engine/domain.ts';
import { Batcher } from '../../../engine/service/batcher.ts';
import { queueWork } from '../../../engine/service/relay.ts';
import type { Statement } from '../../sql.ts';
import { retryDelay } from '../index.ts';
import { deleteJobs, deleteJobStatements, upsertJobs, upsertJobStatements } from './job-table.ts';

export interface SqlQueueOptions {
  /** The `queue` column: queues sharing the table never see each other's jobs. */
  name: string;
  clock: Clock;
  /** Prefix of the lease tokens, to tell in the table which process holds a job. */
  workerId?: string;
  /** How often `work()` looks for due jobs (real milliseconds). */
  pollMs?: number;
}

interface JobRow {
  id: string;
  name: string;
  payload: string;
  // pg returns bigint columns as strings
  run_at: number | string;
  attempts: number | string;
}

const DEFAULT_LEASE_MS = 60_000;
const DEFAULT_POLL_MS = 200;
// locked_by is a string(64): the token is `<workerId>/<uuid>`.
const WORKER_ID_MAX = 64 - 1 - 36;
const ERROR_MAX = 2_000;

/** Not held: never taken, released, or held under a lease that has run out. */
const unleased = (now: number) => (q: Knex.QueryBuilder) => void q.whereNull('locked_until').orWhere('locked_until', '<', now);

export class SqlQueue implements Queue {
  // Jobs that finish together are deleted together (one statement, not one per job).
  private readonly done = new Batcher<{ id: string; token: string }, void>(async (jobs) => {
    for (const token of new Set(jobs.map((j) => j.token))) {
      const ids = jobs.filter((j) => j.token === token).map((j) => j.id);
      for (let at = 0; at < ids.length; at += 500)
        await this.db('jobs')
          .whereIn('id', ids.slice(at, at + 500))
          .where({ locked_by: token })
          .del();
    }
    return jobs.map(() => undefined);
  });
  private readonly workers = new Set<QueueWorker>();
  private readonly workerId: string;

  constructor(
    private readonly db: Knex,
    private readonly options: SqlQueueOptions,
  ) {
    this.workerId = (options.workerId ?? `${hostname()}-${process.pid}`).slice(0, WORKER_ID_MAX);
  }

  /**
   * The outbox step of a store sharing this queue's database (the runtime wires it): the statements
   * that write the messages' timer jobs in the committing transaction — schedules as job rows (the
   * job id is the timer id), cancels as deletes, in the messages' order — and the messages left for
   * the relay after the commit (notices).
   */
  readonly outboxStep = (messages: readonly OutboxMessage[]): { statements: Statement[]; left: OutboxMessage[] } => {
    const { work, left } = queueWork(messages);
    const statements = work.flatMap((w) =>
      w.kind === 'schedule' ? upsertJobStatements(this.options.name, w.jobs) : deleteJobStatements(this.options.name, w.ids),
    );
    return { statements, left };
  };

  async schedule(jobs: JobSpec[]): Promise<void> {
    await upsertJobs(this.db, this.options.name, jobs);
  }

  async cancel(ids: string[]): Promise<void> {
    await deleteJobs(this.db, this.options.name, ids);
  }

  work(handler: JobHandler, options: WorkOptions = {}): QueueWorker {
    const concurrency = options.concurrency ?? 1;
    const leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
    const inFlight = new Set<Promise<void>>();
    let timer: NodeJS.Timeout | undefined;
    let polling: Promise<void> = Promise.resolve();
    let closing: Promise<void> | undefined;
    // Whether the last claim filled every free slot: more jobs are probably due, so a slot that
    // frees up claims again at once instead of waiting for the next tick (a burst of deadlines
    // would otherwise be served `concurrency` jobs per poll interval).
    let backlog = false;
    let claiming = false;

    const poll = async (): Promise<void> => {
      const free = concurrency - inFlight.size;
      if (free <= 0 || claiming) return;
      claiming = true;
      try {
        const { token, jobs } = await this.claim(free, leaseMs);
        backlog = jobs.length === free;
        for (const job of jobs) {
          // A failed release or delete leaves the job leased: it comes back when the lease passes.
          const run: Promise<void> = this.deliver(job, token, handler, options.onError)
            .then(
              () => undefined,
              (error: unknown) => options.onError?.(job, error),
            )
            .finally(() => {
              inFlight.delete(run);
              // Claim again once half the slots are free: a claim scans past the leased jobs, so
              // fewer, larger claims cost less than one per finished job.
              if (backlog && !closing && inFlight.size <= concurrency / 2) polling = poll().catch(() => undefined);
            });
          inFlight.add(run);
        }
      } finally {
        claiming = false;
      }
    };
    const tick = (): void => {
      polling = poll()
        // The store is unreachable: the jobs wait in it, and the next tick tries again.
        .catch(() => undefined)
        .finally(() => {
          if (!closing) timer = setTimeout(tick, this.options.pollMs ?? DEFAULT_POLL_MS);
        });
    };

    const worker: QueueWorker = {
      close: () =>
        (closing ??= (async () => {
          clearTimeout(timer);
          await polling;
          await Promise.all(inFlight);
          this.workers.delete(worker);
        })()),
    };
    this.workers.add(worker);
    tick();
    return worker;
  }

  async runDue(handler: JobHandler): Promise<number> {
    let succeeded = 0;
    for (;;) {
      const { token, jobs } = await this.claim(1, DEFAULT_LEASE_MS);
      const [job] = jobs;
      if (!job) return succeeded;
      // A job that throws is pushed back by its backoff, so this loop does not take it again.
      if (await this.deliver(job, token, handler)) succeeded++;
    }
  }

  async nextRunAt(): Promise<number | undefined> {
    const row = (await this.db('jobs').where('queue', this.options.name).andWhere(unleased(this.options.clock.now())).min({ next: 'run_at' }).first()) as
      { next: number | string | null } | undefined;
    return row?.next == null ? undefined : Number(row.next);
  }

  async pendingCount(): Promise<number> {
    const row = (await this.db('jobs').where('queue', this.options.name).andWhere(unleased(this.options.clock.now())).count({ n: '*' }).first()) as
      { n: number | string } | undefined;
    return Number(row?.n ?? 0);
  }

  async pendingIds(): Promise<string[]> {
    return this.db('jobs')
      .where('queue', this.options.name)
      .andWhere(unleased(this.options.clock.now()))
      .orderBy([{ column: 'run_at' }, { column: 'id' }])
      .pluck('id');
  }

  /** Stops this queue's workers; the knex instance belongs to the caller and stays open. */
  async close(): Promise<void> {
    await Promise.all([...this.workers].map((worker) => worker.close()));
  }

  /** Leases up to `limit` due jobs under one fresh token, earliest first. */
  private async claim(limit: number, leaseMs: number): Promise<{ token: string; jobs: Job[] }> {
    const now = this.options.clock.now();
    const token = `${this.workerId}/${randomUUID()}`;
    const due = this.db('jobs')
      .select('id')
      .where('queue', this.options.name)
      .andWhere('run_at', '<=', now)
      .andWhere(unleased(now))
      .orderBy([{ column: 'run_at' }, { column: 'id' }])
      .limit(limit);
    // PostgreSQL: claimers skip the rows another claimer holds instead of queueing behind its lock
    // (SQLite has one writer, and no row locks to skip).
    if (this.db.client.config.client === 'pg') due.forUpdate().skipLocked();
    // The lease test is repeated on the updated rows: on PostgreSQL a concurrent claimer that lost
    // the race re-checks it against the committed row and skips the job instead of taking it twice.
    const rows = (await this.db('jobs')
      .whereIn('id', due)
      .andWhere(unleased(now))
      .update({ locked_until: now + leaseMs, locked_by: token, attempts: this.db.raw('attempts + 1') }, [
        'id',
        'name',
        'payload',
        'run_at',
        'attempts',
      ])) as JobRow[];
    const jobs = rows.map(toJob).sort((a, b) => a.runAt - b.runAt || (a.id < b.id ? -1 : 1));
    return { token, jobs };
  }

  /** Runs one leased job and settles it; resolves whether the handler succeeded. Both settlements
   * match the lease token, so a job rescheduled or cancelled meanwhile is left as it now is. */
  private async deliver(job: Job, token: string, handler: JobHandler, onError?: WorkOptions['onError']): Promise<boolean> {
    try {
      await handler(job);
    } catch (error) {
      onError?.(job, error);
      await this.db('jobs')
        .where({ id: job.id, locked_by: token })
        .update({
          locked_until: null,
          locked_by: null,
          last_error: errorText(error).slice(0, ERROR_MAX),
          run_at: this.options.clock.now() + retryDelay(job.attempt),
        });
      return false;
    }
    await this.done.submit({ id: job.id, token });
    return true;
  }
}

function toJob(row: JobRow): Job {
  return {
    id: row.id,
    name: row.name,
    payload: JSON.parse(row.payload) as Record<string, unknown>,
    runAt: Number(row.run_at),
    attempt: Number(row.attempts),
  };
}

function errorText(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}
