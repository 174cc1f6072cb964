// People and their access: users with hashed passwords, roles granted on org units (a grant covers
// the unit's subtree, so it carries the unit's path for scoped queries), browser sessions and bearer
// tokens (both stored as sha256 of the secret: a leaked table opens no session).
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('users', (t) => {
    t.string('id', 64).primary();
    t.string('login', 64).notNullable().unique();
    t.string('name', 200).notNullable();
    t.string('email', 200);
    t.string('password_hash', 100).notNullable();
    t.bigInteger('created_at').notNullable();
  });

  await knex.schema.createTable('grants', (t) => {
    t.string('user_id', 64).notNullable().references('id').inTable('users');
    t.string('role', 16).notNullable(); // admin | supervisor | staff
    t.string('unit_id', 64).notNullable().references('id').inTable('org_units');
    t.primary(['user_id', 'role', 'unit_id']);
    t.index(['unit_id', 'role']); // who holds a role on a unit (e-mail recipients)
  });

  await knex.schema.createTable('sessions', (t) => {
    t.string('id_hash', 64).primary();
    t.string('user_id', 64).notNullable().references('id').inTable('users');
    t.string('csrf_token', 64).notNullable();
    t.bigInteger('created_at').notNullable();
    t.bigInteger('expires_at').notNullable();
    t.index(['user_id']);
  });

  await knex.schema.createTable('api_tokens', (t) => {
    t.string('id_hash', 64).primary();
    t.string('user_id', 64).notNullable().references('id').inTable('users');
    t.string('name', 100).notNullable();
    t.bigInteger('created_at').notNullable();
    t.bigInteger('expires_at');
  });

  // Escalations are listed per subtree, newest first, often "not yet acknowledged".
  await knex.schema.alterTable('escalations', (t) => {
    t.index(['unit_path', 'acknowledged_at', 'fired_at']);
  });
  await knex.schema.alterTable('campaigns', (t) => {
    t.index(['root_unit_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('campaigns', (t) => {
    t.dropIndex(['root_unit_id']);
  });
  await knex.schema.alterTable('escalations', (t) => {
    t.dropIndex(['unit_path', 'acknowledged_at', 'fired_at']);
  });
  for (const table of ['api_tokens', 'sessions', 'grants', 'users']) await knex.schema.dropTableIfExists(table);
}
