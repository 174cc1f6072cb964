// The store's identity: a random id written once, when the store is made. Jobs this store puts in a
// queue it shares with nothing else in the database (BullMQ on Redis) carry it, so a job left in Redis
// by another store — a database dropped and made again under the same name, a second province on the
// same Redis — is known for what it is and never acts here. Numbered 010: 008 and 009 are taken by
// work landing beside it.
import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('store_identity', (t) => {
    t.string('id', 36).primary();
    t.bigInteger('created_at').notNullable();
  });
  await knex('store_identity').insert({ id: randomUUID(), created_at: Date.now() });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('store_identity');
}
