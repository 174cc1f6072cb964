// A process belongs to the unit that first published it (issue 13): only administrators of that unit
// or above publish its next versions. Each version carries the owner, copied forward from the first;
// versions published before this migration (the library, by the system) have none: the top of the
// tree's.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('definitions', (t) => {
    t.string('owner_unit_id', 64);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('definitions', (t) => {
    t.dropColumn('owner_unit_id');
  });
}
