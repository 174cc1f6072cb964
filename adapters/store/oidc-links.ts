// Which Tiến độ user an identity from the province's OpenID Connect provider is (adapters/http/oidc.ts):
// by the subject stored in users.oidc_subject (migration 011), by login, or by e-mail. Lookups only,
// and the one link: nobody is created here.
import type { Knex } from 'knex';

/** The user linked to this subject, if any. */
export async function userIdBySubject(db: Knex, subject: string): Promise<string | undefined> {
  const row = (await db('users').where({ oidc_subject: subject }).first('id')) as { id: string } | undefined;
  return row?.id;
}

export async function userIdByLogin(db: Knex, login: string): Promise<string | undefined> {
  const row = (await db('users').where({ login }).first('id')) as { id: string } | undefined;
  return row?.id;
}

/**
 * The users whose e-mail is this one (case does not matter); the caller takes one only when exactly
 * one matches. `unlinked`: only users no subject is linked to yet.
 */
export async function userIdsByEmail(db: Knex, email: string, options: { unlinked?: boolean } = {}): Promise<string[]> {
  const q = db('users').whereRaw('lower(email) = ?', [email.trim().toLowerCase()]);
  if (options.unlinked) q.whereNull('oidc_subject');
  return ((await q.select('id').limit(2)) as { id: string }[]).map((r) => r.id);
}

/** Links a subject to a user that has none yet; false when the user was linked meanwhile. */
export async function linkSubject(db: Knex, userId: string, subject: string): Promise<boolean> {
  const n = await db('users').where({ id: userId }).whereNull('oidc_subject').update({ oidc_subject: subject });
  return n === 1;
}
