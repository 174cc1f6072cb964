// A campaign launched over units that already run its process (issue 16): by default those units
// are skipped; a launch that asks to include them says so on the campaign, so a run resumed after a
// restart (the workers pick up a running campaign) starts them too instead of skipping them again.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('campaigns', (t) => {
    t.boolean('include_running');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('campaigns', (t) => {
    t.dropColumn('include_running');
  });
}
