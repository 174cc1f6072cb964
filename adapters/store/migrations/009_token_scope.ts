// Bearer tokens get a public id (to list and revoke them by; the secret's hash stays the key), a
// scope (read-only or not, and optionally some units' subtrees), the token that minted them, and an
// end: 004 let expires_at be empty, and such a token never expired. Tokens issued before this
// migration end 90 days after it runs.
import { randomBytes } from 'node:crypto';
import type { Knex } from 'knex';

export const LEGACY_TOKEN_DAYS = 90;

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('api_tokens', (t) => {
    t.string('id', 40);
    t.string('access', 8).notNullable().defaultTo('write'); // read | write
    t.text('unit_ids'); // JSON array of unit ids; null: every unit of the user's grants
    t.string('minted_by', 40); // the id of the token that issued this one; null: a signed-in session
  });
  const end = Date.now() + LEGACY_TOKEN_DAYS * 86_400_000;
  for (const row of await knex('api_tokens').select('id_hash', 'expires_at')) {
    await knex('api_tokens')
      .where({ id_hash: row.id_hash })
      .update({ id: newTokenId(), ...(row.expires_at == null ? { expires_at: end } : {}) });
  }
  await knex.schema.alterTable('api_tokens', (t) => {
    t.unique(['id']);
    t.index(['user_id', 'expires_at']);
    t.index(['minted_by']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('api_tokens', (t) => {
    t.dropIndex(['minted_by']);
    t.dropIndex(['user_id', 'expires_at']);
    t.dropUnique(['id']);
  });
  await knex.schema.alterTable('api_tokens', (t) => {
    t.dropColumn('minted_by');
    t.dropColumn('unit_ids');
    t.dropColumn('access');
    t.dropColumn('id');
  });
}

/** A public id, as adapters/http/auth.ts makes them. */
function newTokenId(): string {
  return `tok_${randomBytes(12).toString('base64url')}`;
}
