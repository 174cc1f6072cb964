// Writing the embedded queue's `jobs` table: shared by the SqlQueue and by the store, which writes a
// change's timer jobs in the change's own transaction when the queue lives in the same database
// (no outbox round trip: the job is there exactly when the change is).
import type { Knex } from 'knex';
import type { JobSpec } from '../../../engine/ports.ts';
import { assertJobIds, chunks, latestById } from '../index.ts';

// 9 values a row: well under SQLite's and PostgreSQL's bound-parameter limits.
const ROWS_PER_STATEMENT = 100;

/** Puts jobs in the table; an id already there is replaced. Replacing a job that is running clears
 * its lease, so the run in progress can no longer delete it: the new schedule survives. */
export async function upsertJobs(db: Knex | Knex.Transaction, queue: string, jobs: readonly JobSpec[]): Promise<void> {
  assertJobIds(jobs);
  const rows = latestById(jobs).map((job) => ({
    id: job.id,
    queue,
    name: job.name,
    payload: JSON.stringify(job.payload),
    run_at: job.runAt,
    attempts: 0,
    locked_until: null,
    locked_by: null,
    last_error: null,
  }));
  for (const chunk of chunks(rows, ROWS_PER_STATEMENT)) await db('jobs').insert(chunk).onConflict('id').merge();
}

/** Drops jobs by id; unknown ids are ignored. */
export async function deleteJobs(db: Knex | Knex.Transaction, queue: string, ids: readonly string[]): Promise<void> {
  for (const chunk of chunks(ids, ROWS_PER_STATEMENT * 5)) {
    // `queue || ''` keeps the queue test off the (queue, run_at) index: with it SQLite walked that
    // index over every pending job of the queue instead of looking the ids up by primary key
    // (0.7 ms per cancel at 10,000 pending jobs, most of a 64-client run's statement time).
    await db('jobs').whereIn('id', chunk).andWhereRaw(`queue || '' = ?`, [queue]).del();
  }
}
