// Task ids are <instance uuid>.<stage>.<seq>.<task> and timer ids add the arming and step: with
// stage and task names up to 64 characters they outgrow 001's varchar(64) and (128). SQLite never
// enforced those lengths, so only PostgreSQL refused them (found by the HTTP suite on PostgreSQL:
// "value too long for type character varying(64)"). Widened to 255 where the database checks.
import type { Knex } from 'knex';

const COLUMNS = [
  ['tasks', 'id'],
  ['timers', 'id'],
  ['escalations', 'id'],
  ['inbox', 'escalation_id'],
  ['jobs', 'id'],
] as const;

export async function up(knex: Knex): Promise<void> {
  if (knex.client.config.client !== 'pg') return;
  for (const [table, column] of COLUMNS) await knex.raw('alter table ?? alter column ?? type varchar(255)', [table, column]);
}

export async function down(knex: Knex): Promise<void> {
  if (knex.client.config.client !== 'pg') return;
  for (const [table, column] of COLUMNS) await knex.raw(`alter table ?? alter column ?? type varchar(${table === 'tasks' ? 64 : 128})`, [table, column]);
}
