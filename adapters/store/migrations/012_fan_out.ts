// Work across the tree (issue 15): a campaign can reach units chosen by level, named one by one (a
// sample) or only the root's direct children, and can be a fan-out — opened by a stage of a parent
// instance (the Sở's review opening a report for each Phòng), whose children it lists and whose
// figures it adds up. The parent link is indexed: a parent reads its children's counts on each step.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('campaigns', (t) => {
    t.text('levels'); // JSON list of school levels
    t.text('lists'); // JSON { name: [unit codes] }: lists every instance starts with (a sample)
    t.text('unit_ids'); // JSON list of unit codes
    t.string('depth', 16); // children | descendants (default)
    t.string('parent_instance_id', 64);
    t.string('parent_stage', 64);
    t.integer('parent_seq');
    t.bigInteger('cutoff_at'); // the parent stage's due moment when it opened: unfinished after it = late
    t.index(['parent_instance_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('campaigns', (t) => {
    t.dropIndex(['parent_instance_id']);
    t.dropColumn('levels');
    t.dropColumn('lists');
    t.dropColumn('unit_ids');
    t.dropColumn('depth');
    t.dropColumn('parent_instance_id');
    t.dropColumn('parent_stage');
    t.dropColumn('parent_seq');
    t.dropColumn('cutoff_at');
  });
}
