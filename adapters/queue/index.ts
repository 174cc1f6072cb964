// What both queue drivers share, so a job behaves the same on the SQL table and on BullMQ: the job-id
// rule of the port, the retry backoff, and how a schedule call is batched. Not a barrel: the drivers
// import this module, so it must not import them.
import type { JobSpec } from '../../engine/ports.ts';

const JOB_ID = /^[A-Za-z0-9._-]+$/;

/** Refuses ids BullMQ cannot store (`:` splits its Redis keys; an all-digit id collides with its own
 * counter ids), on both drivers, so an id that works in development also works in production. */
export function assertJobIds(jobs: readonly Pick<JobSpec, 'id'>[]): void {
  for (const { id } of jobs) {
    if (!JOB_ID.test(id) || /^\d+$/.test(id)) {
      throw new Error(`invalid job id ${JSON.stringify(id)}: use letters, digits, ".", "_" and "-" only, not digits alone`);
    }
  }
}

const FIRST_RETRY_MS = 1_000;
const MAX_RETRY_MS = 10 * 60_000;

/** How long a job waits after its `attempt`-th delivery threw: doubling, capped so a job that failed
 * through a long outage is retried within minutes of the recovery. */
export function retryDelay(attempt: number): number {
  return Math.min(FIRST_RETRY_MS * 2 ** Math.max(0, attempt - 1), MAX_RETRY_MS);
}

/** Splits a list into runs of at most `size`, to keep each statement or round trip bounded. */
export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** The last spec of each id, in first-seen order: within one call the latest schedule of an id wins. */
export function latestById(jobs: readonly JobSpec[]): JobSpec[] {
  return [...new Map(jobs.map((job) => [job.id, job])).values()];
}
