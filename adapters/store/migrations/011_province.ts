// A province's own units and people (issue 14): units carry their contacts and can be closed or
// merged into another (rows stay, so histories and old campaigns keep their names); people carry a
// phone, a home unit (the unit whose administrators manage the account), whether they may sign in,
// whether their password must change at the next sign-in (an initial or reset one), and the subject
// of their identity at the province's OpenID Connect provider. Every administrative act is recorded
// in `audit`, scoped by the path of the unit it was done on.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('org_units', (t) => {
    t.string('email', 200);
    t.string('phone', 50);
    t.bigInteger('closed_at');
    t.string('merged_into', 64);
    t.bigInteger('updated_at');
  });
  await knex.schema.alterTable('users', (t) => {
    t.string('phone', 50);
    t.boolean('active').notNullable().defaultTo(true);
    t.boolean('must_change_password').notNullable().defaultTo(false);
    t.string('unit_id', 64).references('id').inTable('org_units');
    t.string('oidc_subject', 200).unique();
    t.bigInteger('updated_at');
    t.index(['unit_id']);
  });
  await knex.schema.createTable('audit', (t) => {
    t.bigIncrements('id');
    t.bigInteger('at').notNullable();
    t.string('actor_id', 64).notNullable();
    t.string('actor_login', 64).notNullable();
    t.string('actor_name', 200).notNullable();
    // the act's unit (its path at the time): administrators read the record of their subtree
    t.string('unit_id', 64);
    t.string('unit_path', 1000).notNullable();
    t.string('action', 48).notNullable();
    t.string('target', 200).notNullable();
    t.text('reason');
    t.text('details'); // JSON: what changed (before → after), counts, ids
    t.index(['unit_path', 'at']);
    t.index(['at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('audit');
  await knex.schema.alterTable('users', (t) => {
    t.dropIndex(['unit_id']);
    t.dropUnique(['oidc_subject']);
    for (const c of ['phone', 'active', 'must_change_password', 'unit_id', 'oidc_subject', 'updated_at']) t.dropColumn(c);
  });
  await knex.schema.alterTable('org_units', (t) => {
    for (const c of ['email', 'phone', 'closed_at', 'merged_into', 'updated_at']) t.dropColumn(c);
  });
}
