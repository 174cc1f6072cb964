// Timers carry the arming they belong to (an anchor that moves re-arms a stage's ladder), and a
// definition keeps its title so listings need not recompile it. "My open tasks" is asked by unit id.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('timers', (t) => {
    t.integer('arm').notNullable().defaultTo(1);
  });
  await knex.schema.alterTable('definitions', (t) => {
    t.text('title'); // JSON { vi, en }
  });
  await knex.schema.alterTable('tasks', (t) => {
    t.index(['owner_unit_id', 'status']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('tasks', (t) => {
    t.dropIndex(['owner_unit_id', 'status']);
  });
  await knex.schema.alterTable('definitions', (t) => {
    t.dropColumn('title');
  });
  await knex.schema.alterTable('timers', (t) => {
    t.dropColumn('arm');
  });
}
