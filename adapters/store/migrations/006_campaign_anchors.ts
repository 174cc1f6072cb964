// A campaign carries the anchor dates its process needs from the start (the disclosure year's
// deadline, a report's cut-off), so every instance it starts counts from them; found by the demo
// seed, which otherwise had to start each school by hand.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('campaigns', (t) => {
    t.text('anchors'); // JSON { name: 'YYYY-MM-DD' }
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('campaigns', (t) => {
    t.dropColumn('anchors');
  });
}
