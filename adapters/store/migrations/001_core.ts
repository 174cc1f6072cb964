// The durable store's tables. Append-only: once landed, a migration is never edited; changes come as
// new numbered files. Runs unchanged on SQLite and PostgreSQL. Instants are stored as epoch
// milliseconds (bigint) so both databases compare and index them the same way; JSON as text.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  // Org units form a tree: department → district office or commune → school. `path` is the chain of
  // ids from the root ("/so-bt/pgd-cl/th-an-hoa/") so "everything under this unit" is one indexed
  // prefix match, whatever the depth.
  await knex.schema.createTable('org_units', (t) => {
    t.string('id', 64).primary();
    t.string('parent_id', 64).references('id').inTable('org_units');
    t.string('kind', 32).notNullable();
    t.string('name', 300).notNullable();
    t.string('path', 1000).notNullable();
    t.integer('depth').notNullable();
    t.text('levels'); // JSON: the school levels a district office manages
    t.bigInteger('created_at').notNullable();
    t.index(['path']);
    t.index(['parent_id']);
    t.index(['kind', 'path']);
  });

  // Published definitions: immutable per (id, version).
  await knex.schema.createTable('definitions', (t) => {
    t.string('id', 64).notNullable();
    t.integer('version').notNullable();
    t.text('source').notNullable();
    t.text('compiled').notNullable();
    t.string('hash', 64).notNullable();
    t.string('published_by', 64);
    t.bigInteger('published_at').notNullable();
    t.primary(['id', 'version']);
  });

  await knex.schema.createTable('campaigns', (t) => {
    t.string('id', 64).primary();
    t.string('definition_id', 64).notNullable();
    t.integer('definition_version').notNullable();
    t.string('root_unit_id', 64).notNullable().references('id').inTable('org_units');
    t.text('kinds').notNullable(); // JSON list of org-unit kinds
    t.string('status', 16).notNullable(); // running | done | cancelled
    t.integer('total').notNullable().defaultTo(0);
    t.integer('started').notNullable().defaultTo(0);
    t.string('created_by', 64);
    t.text('reason');
    t.bigInteger('created_at').notNullable();
  });

  await knex.schema.createTable('instances', (t) => {
    t.string('id', 64).primary();
    t.string('definition_id', 64).notNullable();
    t.integer('definition_version').notNullable();
    t.string('xstate_version', 16).notNullable();
    t.string('org_unit_id', 64).notNullable().references('id').inTable('org_units');
    t.string('unit_path', 1000).notNullable(); // copied from org_units.path: scoped queries need no join
    t.string('campaign_id', 64).references('id').inTable('campaigns');
    t.string('status', 20).notNullable(); // running | done | cancelled | needs_migration
    t.text('snapshot').notNullable(); // XState persisted snapshot, JSON
    t.integer('rev').notNullable();
    t.text('stages').notNullable(); // JSON: active stage ids
    t.text('stage_entries').notNullable(); // JSON: stage → { seq, enteredAt, dueAt }
    t.bigInteger('entered_at').notNullable(); // when the current leaf stage was entered
    t.bigInteger('due_at'); // earliest due moment among active stages, null when none
    t.bigInteger('created_at').notNullable();
    t.bigInteger('updated_at').notNullable();
    t.unique(['definition_id', 'org_unit_id', 'campaign_id']);
    t.index(['unit_path', 'status', 'due_at']); // the overdue board under a unit
    t.index(['campaign_id', 'status']);
    t.index(['status', 'due_at']);
  });

  await knex.schema.createTable('tasks', (t) => {
    t.string('id', 64).primary();
    t.string('instance_id', 64).notNullable().references('id').inTable('instances');
    t.string('stage', 64).notNullable();
    t.integer('stage_seq').notNullable(); // which entry of the stage opened it
    t.string('task', 64).notNullable();
    t.string('owner_role', 64).notNullable();
    t.string('owner_unit_id', 64).notNullable(); // the unit that holds the role, resolved at opening
    t.string('owner_unit_path', 1000).notNullable();
    t.string('status', 16).notNullable(); // open | done | skipped | closed
    t.text('data');
    t.string('completed_by', 64);
    t.bigInteger('completed_at');
    t.bigInteger('opened_at').notNullable();
    t.bigInteger('due_at');
    t.index(['owner_unit_path', 'status', 'due_at']); // "my open tasks" for a user's units
    t.index(['instance_id', 'status']);
  });

  // Append-only: every accepted change, in order.
  await knex.schema.createTable('history', (t) => {
    t.bigIncrements('id');
    t.string('instance_id', 64).notNullable().references('id').inTable('instances');
    t.integer('rev').notNullable(); // the instance rev this change produced
    t.bigInteger('at').notNullable();
    t.string('actor', 64).notNullable();
    t.string('event_type', 64).notNullable();
    t.text('payload');
    t.text('from_stages').notNullable();
    t.text('to_stages').notNullable();
    t.unique(['instance_id', 'rev']);
  });

  await knex.schema.createTable('timers', (t) => {
    t.string('id', 128).primary(); // <instance>-<stage>-<seq>-<step>: stable, so re-arming collapses
    t.string('instance_id', 64).notNullable().references('id').inTable('instances');
    t.string('stage', 64).notNullable();
    t.integer('stage_seq').notNullable();
    t.string('kind', 16).notNullable(); // due | reminder | overdue | escalation
    t.integer('step').notNullable(); // ladder index; -1 for the due event itself
    t.bigInteger('fire_at').notNullable();
    t.string('status', 16).notNullable(); // pending | fired | cancelled
    t.bigInteger('fired_at');
    t.index(['status', 'fire_at']);
    t.index(['instance_id', 'status']);
  });

  await knex.schema.createTable('outbox', (t) => {
    t.bigIncrements('id');
    t.string('instance_id', 64);
    t.string('kind', 32).notNullable(); // arm | disarm | notify
    t.text('payload').notNullable();
    t.bigInteger('created_at').notNullable();
    t.bigInteger('relayed_at');
    t.index(['relayed_at', 'id']);
  });

  await knex.schema.createTable('idempotency_keys', (t) => {
    t.string('key', 200).notNullable();
    t.string('scope', 64).notNullable(); // who sent it: a key is unique per actor
    t.string('request_hash', 64).notNullable();
    t.text('response').notNullable();
    t.bigInteger('created_at').notNullable();
    t.primary(['scope', 'key']);
  });

  await knex.schema.createTable('escalations', (t) => {
    t.string('id', 128).primary(); // the timer id that raised it: at most one per timer
    t.string('instance_id', 64).notNullable().references('id').inTable('instances');
    t.string('unit_path', 1000).notNullable();
    t.string('stage', 64).notNullable();
    t.string('kind', 16).notNullable();
    t.bigInteger('fired_at').notNullable();
    t.text('notified').notNullable(); // JSON: [{ role, unitId }]
    t.string('acknowledged_by', 64);
    t.bigInteger('acknowledged_at');
    t.index(['unit_path', 'fired_at']);
  });

  await knex.schema.createTable('inbox', (t) => {
    t.bigIncrements('id');
    t.string('unit_id', 64).notNullable().references('id').inTable('org_units');
    t.string('role', 64).notNullable();
    t.string('instance_id', 64);
    t.string('escalation_id', 128);
    t.string('kind', 16).notNullable();
    t.text('message').notNullable(); // JSON { vi, en }
    t.bigInteger('created_at').notNullable();
    t.bigInteger('read_at');
    t.index(['unit_id', 'read_at']);
  });

  // The embedded queue: jobs polled with a lease, so a crashed worker's jobs are taken up again.
  await knex.schema.createTable('jobs', (t) => {
    t.string('id', 128).primary();
    t.string('queue', 64).notNullable();
    t.string('name', 64).notNullable();
    t.text('payload').notNullable();
    t.bigInteger('run_at').notNullable();
    t.integer('attempts').notNullable().defaultTo(0);
    t.bigInteger('locked_until');
    t.string('locked_by', 64);
    t.text('last_error');
    t.index(['queue', 'run_at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of [
    'jobs',
    'inbox',
    'escalations',
    'idempotency_keys',
    'outbox',
    'timers',
    'history',
    'tasks',
    'instances',
    'campaigns',
    'definitions',
    'org_units',
  ]) {
    await knex.schema.dropTableIfExists(table);
  }
}
