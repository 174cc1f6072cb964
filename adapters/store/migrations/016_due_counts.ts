// The overdue board's summary (issue 17): counts of running instances with a deadline under each unit,
// kept by triggers on `instances` (adapters/store/due-counts.ts); an existing store's instances are
// counted once here. At 250,000 instances the board grouped every one of them per request.
import type { Knex } from 'knex';
import { createDueCountTables, createDueCountTriggers, dropDueCountTriggers, DUE_BY_STAGE, DUE_BY_UNIT, rebuildDueCounts } from '../due-counts.ts';

export async function up(knex: Knex): Promise<void> {
  await createDueCountTables(knex);
  // Triggers first, then the count, in the migration's transaction: nothing written between is lost.
  await createDueCountTriggers(knex);
  await rebuildDueCounts(knex);
}

export async function down(knex: Knex): Promise<void> {
  await dropDueCountTriggers(knex);
  await knex.schema.dropTable(DUE_BY_STAGE);
  await knex.schema.dropTable(DUE_BY_UNIT);
}
