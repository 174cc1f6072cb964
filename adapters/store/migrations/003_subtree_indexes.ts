// "Everything under this unit" is a prefix of a materialised path, asked as a range (path >= P and
// path < P with its last "/" bumped to "0"). SQLite compares text by code point, so 001's indexes
// serve it. PostgreSQL compares by the database's collation, under which the range is neither
// exact nor indexable, so there the range is asked in the C collation and indexed the same way.
import type { Knex } from 'knex';

const PG_INDEXES = [
  ['instances_subtree_due', 'instances', '(unit_path collate "C", status, due_at)'],
  ['tasks_subtree_open', 'tasks', '(owner_unit_path collate "C", status, due_at)'],
  ['org_units_subtree', 'org_units', '(path collate "C", kind)'],
] as const;

export async function up(knex: Knex): Promise<void> {
  if (knex.client.config.client !== 'pg') return;
  for (const [name, table, columns] of PG_INDEXES) await knex.raw(`create index if not exists ${name} on ${table} ${columns}`);
}

export async function down(knex: Knex): Promise<void> {
  if (knex.client.config.client !== 'pg') return;
  for (const [name] of PG_INDEXES) await knex.raw(`drop index if exists ${name}`);
}
