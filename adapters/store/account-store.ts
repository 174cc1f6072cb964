// The Accounts port on knex: users, grants (joined to org_units for the unit's current path, so a
// unit moved in the tree moves its grants' scope with it), sessions and bearer tokens.
import type { Knex } from 'knex';
import type { Grant } from '../../engine/access.ts';
import type { Accounts } from '../../engine/ports.ts';
import type { User } from '../../engine/domain.ts';

type Row = Record<string, any>;

const toUser = (r: Row): User => ({ id: r.id, login: r.login, name: r.name, ...(r.email ? { email: r.email } : {}), createdAt: Number(r.created_at) });

export class KnexAccounts implements Accounts {
  constructor(private readonly db: Knex) {}

  async putUser(user: User & { passwordHash: string }, grants: { role: Grant['role']; unitId: string }[]): Promise<void> {
    await this.db.transaction(async (trx) => {
      const row = { id: user.id, login: user.login, name: user.name, email: user.email ?? null, password_hash: user.passwordHash, created_at: user.createdAt };
      await trx('users').insert(row).onConflict('id').merge();
      await trx('grants').where({ user_id: user.id }).delete();
      if (grants.length) await trx('grants').insert(grants.map((g) => ({ user_id: user.id, role: g.role, unit_id: g.unitId })));
    });
  }

  async findByLogin(login: string): Promise<(User & { passwordHash: string }) | undefined> {
    const row = await this.db('users').where({ login }).first();
    return row ? { ...toUser(row), passwordHash: row.password_hash } : undefined;
  }

  async getUser(id: string): Promise<User | undefined> {
    const row = await this.db('users').where({ id }).first();
    return row ? toUser(row) : undefined;
  }

  async grantsOf(userId: string): Promise<Grant[]> {
    const rows = await this.db('grants').join('org_units', 'org_units.id', 'grants.unit_id').where('grants.user_id', userId).select('grants.role', 'grants.unit_id', 'org_units.path').orderBy(['org_units.path', 'grants.role']);
    return rows.map((r: Row) => ({ role: r.role, unitId: r.unit_id, unitPath: r.path }));
  }

  async countUsers(): Promise<number> {
    return Number((await this.db('users').count({ n: '*' }))[0]!.n);
  }

  async emailsOn(unitIds: string[]): Promise<string[]> {
    if (!unitIds.length) return [];
    const rows = await this.db('grants').join('users', 'users.id', 'grants.user_id').whereIn('grants.unit_id', unitIds).whereNotNull('users.email').distinct('users.email').orderBy('users.email');
    return rows.map((r: Row) => String(r.email));
  }

  async putSession(s: { idHash: string; userId: string; csrfToken: string; createdAt: number; expiresAt: number }): Promise<void> {
    // Sessions that ran out are swept as new ones open, so the table holds only live ones.
    await this.db('sessions').where('expires_at', '<=', s.createdAt).delete();
    await this.db('sessions').insert({ id_hash: s.idHash, user_id: s.userId, csrf_token: s.csrfToken, created_at: s.createdAt, expires_at: s.expiresAt });
  }

  async getSession(idHash: string): Promise<{ userId: string; csrfToken: string; expiresAt: number } | undefined> {
    const row = await this.db('sessions').where({ id_hash: idHash }).first();
    return row ? { userId: row.user_id, csrfToken: row.csrf_token, expiresAt: Number(row.expires_at) } : undefined;
  }

  async deleteSession(idHash: string): Promise<void> {
    await this.db('sessions').where({ id_hash: idHash }).delete();
  }

  async putToken(t: { idHash: string; userId: string; name: string; createdAt: number; expiresAt?: number }): Promise<void> {
    await this.db('api_tokens').insert({ id_hash: t.idHash, user_id: t.userId, name: t.name, created_at: t.createdAt, expires_at: t.expiresAt ?? null });
  }

  async getToken(idHash: string): Promise<{ userId: string; name: string; expiresAt?: number } | undefined> {
    const row = await this.db('api_tokens').where({ id_hash: idHash }).first();
    return row ? { userId: row.user_id, name: row.name, ...(row.expires_at != null ? { expiresAt: Number(row.expires_at) } : {}) } : undefined;
  }
}
