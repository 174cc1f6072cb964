// A worker claims the due jobs of its queue in the order (run_at, id). 001's index on (queue, run_at)
// gives the first part only: every claim read all the queue's due jobs and sorted them by id to take
// the first few hundred, so a burst of 50,000 deadlines due at one instant cost each claim a scan of
// what was left (54 ms a claim, 0.2 ms per escalation, at 50,000; issue 17). With id in the index
// the claim reads its jobs in order and stops at the limit. The wider index serves every query the
// narrower one did (it begins the same), so that one goes.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('jobs', (t) => {
    t.index(['queue', 'run_at', 'id']);
  });
  await knex.schema.alterTable('jobs', (t) => {
    t.dropIndex(['queue', 'run_at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('jobs', (t) => {
    t.index(['queue', 'run_at']);
  });
  await knex.schema.alterTable('jobs', (t) => {
    t.dropIndex(['queue', 'run_at', 'id']);
  });
}
