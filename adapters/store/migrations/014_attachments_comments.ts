// Files attached to a task or an evidence item, and a comment thread per instance stage (issue 16).
// An attachment's row says what it is and who sent it; its bytes live apart, by sha256 — in a folder
// under the data folder, or in `file_blobs` when several processes share one PostgreSQL — so the
// same file attached twice is kept once, and no name a person typed is ever a path.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('attachments', (t) => {
    t.string('id', 64).primary();
    t.string('instance_id', 64).notNullable().references('id').inTable('instances');
    t.string('stage', 64).notNullable();
    t.string('task_id', 128); // the task row, when attached to a task
    t.string('task', 64); // the task's id in the process
    t.string('evidence_item', 64); // the checklist item, when attached to one
    t.string('name', 255).notNullable(); // cleaned, for display and download only
    t.string('type', 128).notNullable(); // the media type its bytes are
    t.bigInteger('size').notNullable();
    t.string('sha256', 64).notNullable();
    t.string('uploaded_by', 64).notNullable(); // user id
    t.string('uploaded_by_login', 128).notNullable();
    t.bigInteger('at').notNullable();
    t.index(['instance_id', 'at']);
    t.index(['sha256']);
  });
  await knex.schema.createTable('file_blobs', (t) => {
    t.string('sha256', 64).primary();
    t.binary('data').notNullable();
    t.bigInteger('size').notNullable();
    t.bigInteger('created_at').notNullable();
  });
  await knex.schema.createTable('comments', (t) => {
    t.bigIncrements('id');
    t.string('instance_id', 64).notNullable().references('id').inTable('instances');
    t.string('stage', 64).notNullable();
    t.string('author', 64).notNullable(); // user id
    t.string('author_login', 128).notNullable();
    t.text('text').notNullable();
    t.bigInteger('at').notNullable();
    t.index(['instance_id', 'stage', 'id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('comments');
  await knex.schema.dropTable('file_blobs');
  await knex.schema.dropTable('attachments');
}
