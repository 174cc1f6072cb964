// The Accounts port on knex: users, grants (joined to org_units for the unit's current path, so a
// unit moved in the tree moves its grants' scope with it), sessions and bearer tokens.
import type { Knex } from 'knex';
import type { Grant } from '../../engine/access.ts';
import type { Accounts, NewUser } from '../../engine/ports.ts';
import type { ApiToken, User } from '../../engine/domain.ts';

type Row = Record<string, any>;

const toToken = (r: Row): ApiToken => ({
  id: r.id,
  userId: r.user_id,
  name: r.name,
  createdAt: Number(r.created_at),
  expiresAt: Number(r.expires_at),
  access: r.access === 'read' ? 'read' : 'write',
  ...(r.unit_ids != null ? { unitIds: JSON.parse(r.unit_ids) as string[] } : {}),
  ...(r.minted_by != null ? { mintedBy: r.minted_by } : {}),
});

const toUser = (r: Row): User => ({
  id: r.id,
  login: r.login,
  name: r.name,
  ...(r.email ? { email: r.email } : {}),
  ...(r.phone ? { phone: r.phone } : {}),
  ...(r.unit_id ? { unitId: r.unit_id } : {}),
  active: r.active === undefined || r.active === null ? true : Boolean(r.active),
  mustChangePassword: Boolean(r.must_change_password),
  createdAt: Number(r.created_at),
});

export class KnexAccounts implements Accounts {
  constructor(private readonly db: Knex) {}

  async putUser(user: NewUser, grants: { role: Grant['role']; unitId: string }[]): Promise<void> {
    await this.db.transaction(async (trx) => {
      const row = {
        id: user.id,
        login: user.login,
        name: user.name,
        email: user.email ?? null,
        phone: user.phone ?? null,
        unit_id: user.unitId ?? null,
        active: user.active ?? true,
        must_change_password: user.mustChangePassword ?? false,
        password_hash: user.passwordHash,
        created_at: user.createdAt,
      };
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
    const rows = await this.db('grants')
      .join('org_units', 'org_units.id', 'grants.unit_id')
      .where('grants.user_id', userId)
      .select('grants.role', 'grants.unit_id', 'org_units.path')
      .orderBy(['org_units.path', 'grants.role']);
    return rows.map((r: Row) => ({ role: r.role, unitId: r.unit_id, unitPath: r.path }));
  }

  async countUsers(): Promise<number> {
    return Number((await this.db('users').count({ n: '*' }))[0]!.n);
  }

  async emailsOn(unitIds: string[]): Promise<string[]> {
    if (!unitIds.length) return [];
    const rows = await this.db('grants')
      .join('users', 'users.id', 'grants.user_id')
      .whereIn('grants.unit_id', unitIds)
      .whereNotNull('users.email')
      .distinct('users.email')
      .orderBy('users.email');
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

  async deleteSessionsOf(userId: string, except?: string): Promise<void> {
    await this.db('sessions')
      .where({ user_id: userId })
      .modify((q) => (except ? q.whereNot({ id_hash: except }) : q))
      .delete();
  }

  async setPassword(userId: string, passwordHash: string): Promise<void> {
    await this.db('users').where({ id: userId }).update({ password_hash: passwordHash });
  }

  async putToken(t: ApiToken & { idHash: string }): Promise<void> {
    // Tokens that ended are swept as new ones are issued, so the table holds only live ones.
    await this.db('api_tokens').where('expires_at', '<=', t.createdAt).delete();
    await this.db('api_tokens').insert({
      id_hash: t.idHash,
      id: t.id,
      user_id: t.userId,
      name: t.name,
      created_at: t.createdAt,
      expires_at: t.expiresAt,
      access: t.access,
      unit_ids: t.unitIds ? JSON.stringify(t.unitIds) : null,
      minted_by: t.mintedBy ?? null,
    });
  }

  async getToken(idHash: string): Promise<(ApiToken & { units?: { unitId: string; unitPath: string }[] }) | undefined> {
    const row = await this.db('api_tokens').where({ id_hash: idHash }).first();
    if (!row) return undefined;
    const token = toToken(row);
    if (!token.unitIds) return token;
    // a unit moved in the tree moves the token's scope with it; a unit gone limits it to nothing there
    const units = token.unitIds.length ? await this.db('org_units').whereIn('id', token.unitIds).select('id', 'path') : [];
    return { ...token, units: units.map((u: Row) => ({ unitId: u.id, unitPath: u.path })) };
  }

  async listTokens(userId: string, now: number): Promise<ApiToken[]> {
    const rows = await this.db('api_tokens')
      .where({ user_id: userId })
      .where('expires_at', '>', now)
      .orderBy([{ column: 'created_at', order: 'desc' }, 'id']);
    return rows.map(toToken);
  }

  async deleteToken(userId: string, id: string): Promise<boolean> {
    return this.db.transaction(async (trx) => {
      const found = await trx('api_tokens').where({ user_id: userId, id }).delete();
      if (!found) return false;
      // what it minted goes with it: a leaked token revoked leaves none of its offspring behind
      for (let parents = [id]; parents.length;) {
        const children = (await trx('api_tokens').whereIn('minted_by', parents).select('id')).map((r: Row) => String(r.id));
        if (children.length) await trx('api_tokens').whereIn('id', children).delete();
        parents = children;
      }
      return true;
    });
  }

  async deleteTokensOf(userId: string): Promise<number> {
    return this.db('api_tokens').where({ user_id: userId }).delete();
  }
}
