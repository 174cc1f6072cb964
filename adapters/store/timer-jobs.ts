// Timer jobs written with the change that makes them, when the embedded queue's table is in the
// store's own database: the change's schedule and cancel messages become job rows in its transaction
// instead of outbox rows a relay reads, copies and marks afterwards (four statements and two round
// trips of the relay per change, and a window in which a committed timer was not yet a job).
// Notices still go through the outbox: sending one is not a database write.
import type { Knex } from 'knex';
import type { OutboxMessage } from '../../engine/domain.ts';
import { timerJob } from '../../engine/service/relay.ts';
import { deleteJobs, upsertJobs } from '../queue/sql/job-table.ts';

/** Whether a message is written to the outbox (true) or straight to the job table of `jobsQueue`. */
export function viaOutbox(message: OutboxMessage, jobsQueue: string | undefined): boolean {
  return jobsQueue === undefined || message.kind === 'notify';
}

/** Writes the timer messages of these changes' outboxes to the job table, in their order: a run of
 * consecutive messages of one kind is one statement per hundred rows. */
export async function writeTimerJobs(trx: Knex.Transaction, jobsQueue: string, messages: readonly OutboxMessage[]): Promise<void> {
  const timers = messages.filter((m) => m.kind !== 'notify');
  for (let at = 0; at < timers.length; ) {
    const kind = timers[at]!.kind;
    let end = at;
    while (end < timers.length && timers[end]!.kind === kind) end++;
    const run = timers.slice(at, end);
    if (kind === 'schedule') await upsertJobs(trx, jobsQueue, run.flatMap((m) => (m.kind === 'schedule' ? m.payload.timers.map((t) => timerJob(t.id, t.fireAt)) : [])));
    else await deleteJobs(trx, jobsQueue, run.flatMap((m) => (m.kind === 'cancel' ? m.payload.timers : [])));
    at = end;
  }
}
