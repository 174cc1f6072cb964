// The Accounts port on knex: users, grants (joined to org_units for the unit's current path, so a
// unit moved in the tree moves its grants' scope with it), sessions and bearer tokens.
import type { Knex } from 'knex';
import type { Grant } from '../../engine/access.ts';
import type { Accounts, NewUser, SessionPrincipal, UserSearch } from '../../engine/ports.ts';
import { Batcher } from '../../engine/service/batcher.ts';
import type { ApiToken, AuditEntry, User } from '../../engine/domain.ts';
import { foldText } from '../../engine/text.ts';
import { appendAudit } from './audit-store.ts';
import { underAny } from './where.ts';

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

/** Writes a user row (or replaces the same id's) and replaces their grants, in a transaction held. */
async function putUserIn(trx: Knex.Transaction, user: NewUser, grants: { role: Grant['role']; unitId: string }[]): Promise<void> {
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
}

/** Ends every session and token of a user (deactivated, or their password reset). */
async function endAccess(trx: Knex | Knex.Transaction, userId: string): Promise<void> {
  await trx('sessions').where({ user_id: userId }).delete();
  await trx('api_tokens').where({ user_id: userId }).delete();
}

export class KnexAccounts implements Accounts {
  constructor(private readonly db: Knex) {}

  async putUser(user: NewUser, grants: { role: Grant['role']; unitId: string }[], audit: AuditEntry[] = []): Promise<void> {
    await this.db.transaction(async (trx) => {
      await putUserIn(trx, user, grants);
      if (audit.length) await appendAudit(trx, audit);
    });
  }

  async createUsers(users: { user: NewUser; grants: { role: Grant['role']; unitId: string }[] }[], audit: AuditEntry[]): Promise<void> {
    await this.db.transaction(async (trx) => {
      for (const u of users) await putUserIn(trx, u.user, u.grants);
      if (audit.length) await appendAudit(trx, audit);
    });
  }

  async searchUsers(q: UserSearch): Promise<{ items: User[]; total: number }> {
    const query = this.db('users').leftJoin('org_units as home', 'home.id', 'users.unit_id');
    if (q.managedUnder) {
      const roots = q.managedUnder;
      if (!roots.length) return { items: [], total: 0 };
      // home unit inside, or no home unit and every grant inside (and at least one)
      query.where((w) =>
        w
          .where((h) => void underAny(h, 'home.path', roots))
          .orWhere((n) => n.whereNull('users.unit_id').whereExists(this.grantsUnder(roots, false)).whereNotExists(this.grantsUnder(roots, true))),
      );
    }
    if (q.unitPath) {
      const path = q.unitPath;
      query.where((w) =>
        w.where((h) => void underAny(h, 'home.path', [path])).orWhere((n) => n.whereNull('users.unit_id').whereExists(this.grantsUnder([path], false))),
      );
    }
    if (q.role) {
      const role = q.role;
      query.whereExists((e) => e.select(this.db.raw('1')).from('grants as gr').whereRaw('gr.user_id = users.id').where('gr.role', role));
    }
    if (q.active !== undefined) query.where('users.active', q.active);
    const text = q.text ? foldText(q.text) : '';
    if (text) {
      // Folded in this process (lower case, no diacritics, đ → d) after the filters above narrowed
      // the rows to the caller's users: SQLite's lower() knows ASCII only.
      const rows: Row[] = await query.clone().select('users.*').orderBy('users.login');
      const hits = rows.filter((r) => [r.login, r.name, r.email, r.phone].some((v) => v && foldText(String(v)).includes(text)));
      const after = q.afterLogin;
      const page = (after === undefined ? hits : hits.filter((r) => String(r.login) > after)).slice(0, q.limit);
      return { items: page.map(toUser), total: hits.length };
    }
    const total = Number(((await query.clone().count({ n: '*' })) as Row[])[0]!.n);
    if (q.afterLogin !== undefined) query.where('users.login', '>', q.afterLogin);
    const rows: Row[] = await query.select('users.*').orderBy('users.login').limit(q.limit);
    return { items: rows.map(toUser), total };
  }

  /** A subquery: the user's grants whose unit lies under (or, `outside`, not under) the roots. */
  private grantsUnder(roots: string[], outside: boolean) {
    const db = this.db;
    return function (this: Knex.QueryBuilder) {
      this.select(db.raw('1'))
        .from('grants as g')
        .join('org_units as gu', 'gu.id', 'g.unit_id')
        .whereRaw('g.user_id = users.id')
        .modify((m) => (outside ? m.whereNot((w) => void underAny(w, 'gu.path', roots)) : m.where((w) => void underAny(w, 'gu.path', roots))));
    };
  }

  async usersByLogins(logins: string[]): Promise<User[]> {
    const unique = [...new Set(logins)];
    const out: User[] = [];
    for (let i = 0; i < unique.length; i += 500) out.push(...(await this.db('users').whereIn('login', unique.slice(i, i + 500))).map(toUser));
    return out;
  }

  async updateUser(
    id: string,
    fields: { name?: string; email?: string | null; phone?: string | null; unitId?: string | null },
    audit: AuditEntry[],
  ): Promise<void> {
    const row: Row = {};
    if (fields.name !== undefined) row.name = fields.name;
    if (fields.email !== undefined) row.email = fields.email;
    if (fields.phone !== undefined) row.phone = fields.phone;
    if (fields.unitId !== undefined) row.unit_id = fields.unitId;
    await this.db.transaction(async (trx) => {
      if (Object.keys(row).length) await trx('users').where({ id }).update(row);
      if (audit.length) await appendAudit(trx, audit);
    });
  }

  async setActive(id: string, active: boolean, audit: AuditEntry[]): Promise<void> {
    await this.db.transaction(async (trx) => {
      await trx('users').where({ id }).update({ active });
      if (!active) await endAccess(trx, id);
      if (audit.length) await appendAudit(trx, audit);
    });
  }

  async addGrant(userId: string, grant: { role: Grant['role']; unitId: string }, audit: AuditEntry[]): Promise<boolean> {
    return this.db.transaction(async (trx) => {
      const row = { user_id: userId, role: grant.role, unit_id: grant.unitId };
      if (await trx('grants').where(row).first()) return false;
      await trx('grants').insert(row);
      if (audit.length) await appendAudit(trx, audit);
      return true;
    });
  }

  async removeGrant(userId: string, grant: { role: Grant['role']; unitId: string }, audit: AuditEntry[]): Promise<boolean> {
    return this.db.transaction(async (trx) => {
      const n = await trx('grants').where({ user_id: userId, role: grant.role, unit_id: grant.unitId }).delete();
      if (!n) return false;
      if (audit.length) await appendAudit(trx, audit);
      return true;
    });
  }

  async unitsWithRole(unitIds: string[], role: Grant['role']): Promise<Set<string>> {
    const out = new Set<string>();
    const unique = [...new Set(unitIds)];
    for (let i = 0; i < unique.length; i += 500) {
      const rows: Row[] = await this.db('grants')
        .whereIn('unit_id', unique.slice(i, i + 500))
        .where({ role })
        .distinct('unit_id');
      for (const r of rows) out.add(String(r.unit_id));
    }
    return out;
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

  /** A browser's every request starts by reading its session: requests that arrive while one read
   * is out share the next (the deadline-day rush, bench/workloads/rush.ts: 64 requests in the server
   * made 4 reads a school visit, each a hop to SQLite's thread and back). A read starts after the
   * one before it answered, so a sign-out or a grant changed before a request is seen by it. */
  private readonly principals = new Batcher<string, SessionPrincipal | undefined>((hashes) => this.sessionPrincipals(hashes));

  sessionPrincipal(idHash: string): Promise<SessionPrincipal | undefined> {
    return this.principals.submit(idHash);
  }

  private async sessionPrincipals(hashes: string[]): Promise<(SessionPrincipal | undefined)[]> {
    // One row per grant (one with no grant columns when there are none); a grant whose unit is
    // gone is left out, as grantsOf's inner join leaves it out.
    const rows: Row[] = await this.db('sessions')
      .join('users', 'users.id', 'sessions.user_id')
      .leftJoin('grants', 'grants.user_id', 'users.id')
      .leftJoin('org_units', 'org_units.id', 'grants.unit_id')
      .whereIn('sessions.id_hash', [...new Set(hashes)])
      .select(
        'sessions.id_hash as session_id_hash',
        'sessions.csrf_token as session_csrf_token',
        'sessions.expires_at as session_expires_at',
        'users.*',
        'grants.role as grant_role',
        'grants.unit_id as grant_unit_id',
        'org_units.path as grant_unit_path',
      )
      .orderBy(['org_units.path', 'grants.role']);
    const bySession = new Map<string, Row[]>();
    for (const r of rows) {
      const list = bySession.get(r.session_id_hash);
      if (list) list.push(r);
      else bySession.set(r.session_id_hash, [r]);
    }
    return hashes.map((h) => {
      const mine = bySession.get(h);
      const first = mine?.[0];
      if (!first) return undefined;
      return {
        userId: first.id,
        csrfToken: first.session_csrf_token,
        expiresAt: Number(first.session_expires_at),
        user: toUser(first),
        grants: mine
          .filter((r) => r.grant_role != null && r.grant_unit_path != null)
          .map((r) => ({ role: r.grant_role, unitId: r.grant_unit_id, unitPath: r.grant_unit_path })),
      };
    });
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

  async setPassword(userId: string, passwordHash: string, options: { mustChange?: boolean; endSessions?: boolean; audit?: AuditEntry[] } = {}): Promise<void> {
    await this.db.transaction(async (trx) => {
      await trx('users')
        .where({ id: userId })
        .update({ password_hash: passwordHash, must_change_password: options.mustChange ?? false });
      if (options.endSessions) await endAccess(trx, userId);
      if (options.audit?.length) await appendAudit(trx, options.audit);
    });
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
