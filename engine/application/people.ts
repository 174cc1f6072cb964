// The people part of the application layer (issue 14): user accounts, their grants, initial and
// reset passwords, and staff accounts for every school at once. Every method takes the acting
// principal and asks the rule table (policy.ts): an administrator manages the accounts whose home
// unit lies in their subtree, grants only on units they administer, and a user outside their units
// does not exist. Every act is recorded (AuditEntry) in the transaction of the change; passwords and
// their hashes never reach the record, and a generated one-time password is answered once.
import { auditEntry } from './audit-entry.ts';
import { randomInt, randomUUID } from 'node:crypto';
import { ACCESS_ROLES, type AccessRole, type Grant } from '../access.ts';
import type { AuditAction, AuditEntry, OrgUnit, User } from '../domain.ts';
import { EngineError } from '../errors.ts';
import type { Accounts, AuditLog, Clock, NewUser, Passwords, Store } from '../ports.ts';
import { UNIT_KINDS } from '../service/org.ts';
import { forbidden, managesUser, seesUser, notFound, requireAdministered, requireKeepsAdmin, requireNotSelf, scope, type Principal } from './policy.ts';

/** A new password: at least this many characters; bcrypt reads 72 bytes of it at most. */
export const PASSWORD_MIN_LENGTH = 10;
export const PASSWORD_MAX_BYTES = 72;
/** A login: letters, digits, `.`, `_`, `-` (stored in lower case). */
export const LOGIN_PATTERN = /^[a-z0-9][a-z0-9._-]{1,63}$/;
/** The kinds of unit a school is: bulk accounts are for these unless told otherwise. */
export const SCHOOL_KINDS = ['preschool', 'primary', 'lower-secondary', 'upper-secondary', 'multi-level', 'continuing-education'] as const;
/** How many schools one bulk request may create accounts for. */
export const BULK_MAX = 5000;

/** Letters and digits that cannot be mistaken for one another when read aloud or from paper. */
const ALPHABET = 'abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';

/** A one-time password: 12 characters of ALPHABET (about 70 bits), to be changed at the first sign-in. */
export function oneTimePassword(): string {
  let out = '';
  for (let i = 0; i < 12; i++) out += ALPHABET[randomInt(ALPHABET.length)];
  return out;
}

export interface PeopleDeps {
  accounts: Accounts;
  audit: AuditLog;
  store: Pick<Store, 'getUnit' | 'getUnits' | 'unitsUnder'>;
  passwords: Passwords;
  clock: Clock;
}

export interface UserQuery {
  q?: string;
  unitId?: string;
  role?: AccessRole;
  active?: boolean;
  limit?: number;
  after?: string;
}

export interface NewAccount {
  login: string;
  name: string;
  email?: string;
  phone?: string;
  /** The home unit: its administrators manage the account. */
  unitId?: string;
  grants?: { role: AccessRole; unitId: string }[];
  /** The initial password; absent: a one-time password is generated and answered once. */
  password?: string;
  reason?: string;
}

export interface AccountEdit {
  name?: string;
  email?: string | null;
  phone?: string | null;
  unitId?: string | null;
  reason?: string;
}

export interface BulkRequest {
  /** Every school under this unit… */
  unitId?: string;
  /** …or these units. */
  unitIds?: string[];
  /** The kinds of unit to create accounts for (default SCHOOL_KINDS). */
  kinds?: string[];
  /** Create one even where a unit has a staff account already. */
  includeStaffed?: boolean;
  /** Full name of each account; `{unit}` stands for the unit's name. Default "Cán bộ {unit}". */
  nameTemplate?: string;
  dryRun?: boolean;
  reason?: string;
}

/** Validation failures name the field. */
function invalid(field: string, message: string, params: Record<string, unknown> = {}): EngineError {
  return new EngineError('INVALID_ARGUMENT', `${field}: ${message}`, { field, ...params, errors: [{ field, message }] });
}

const trimOrNull = (s: string | null | undefined) => (s === undefined ? undefined : s === null || !s.trim() ? null : s.trim());

/** Checks a password someone chose (initial or reset) and answers it. */
export function checkPassword(password: string, login: string, field: string): string {
  if (password.length < PASSWORD_MIN_LENGTH) throw invalid(field, `must be at least ${PASSWORD_MIN_LENGTH} characters`, { min: PASSWORD_MIN_LENGTH });
  if (Buffer.byteLength(password) > PASSWORD_MAX_BYTES)
    throw invalid(field, `is ${Buffer.byteLength(password)} bytes long in UTF-8; at most ${PASSWORD_MAX_BYTES} bytes`, { maxBytes: PASSWORD_MAX_BYTES });
  if (password.trim().toLowerCase() === login.toLowerCase()) throw invalid(field, 'must not be the login');
  return password;
}

export class People {
  constructor(private readonly deps: PeopleDeps) {}

  // ── reading ─────────────────────────────────────────────────────────────────────────────────

  /** The accounts the caller manages, by login, a page at a time, with how many match in all. */
  async list(p: Principal, query: UserQuery) {
    const roots = this.adminRoots(p);
    const limit = Math.min(Math.max(query.limit ?? 50, 1), 500);
    const unit = query.unitId ? await this.readableUnit(p, query.unitId, 'unitId') : undefined;
    const { items, total } = await this.deps.accounts.searchUsers({
      managedUnder: roots,
      limit,
      ...(query.q?.trim() ? { text: query.q } : {}),
      ...(unit ? { unitPath: unit.path } : {}),
      ...(query.role ? { role: query.role } : {}),
      ...(query.active !== undefined ? { active: query.active } : {}),
      ...(query.after ? { afterLogin: query.after } : {}),
    });
    const units = await this.unitMap(items.map((u) => u.unitId));
    return {
      items: items.map((u) => this.row(u, units)),
      total,
      ...(items.length === limit ? { next: items.at(-1)!.login } : {}),
    };
  }

  /** One account the caller manages, with its grants and the names of their units. */
  async get(p: Principal, id: string) {
    const { user, grants } = await this.managed(p, id);
    return this.detail(user, grants);
  }

  // ── writing ─────────────────────────────────────────────────────────────────────────────────

  /** Creates an account; its password must change at the first sign-in. A generated one-time
   * password is answered here, once. */
  async create(p: Principal, input: NewAccount) {
    const login = this.checkLogin(input.login);
    const name = this.checkName(input.name, 'name');
    const home = input.unitId ? await this.administeredUnit(p, input.unitId, 'unitId') : undefined;
    const grants = await this.checkGrants(p, input.grants ?? []);
    if (!home && !grants.length) throw invalid('unitId', 'an account needs a home unit (or at least one grant)');
    if (await this.deps.accounts.findByLogin(login)) throw loginTaken(login);
    const generated = input.password === undefined ? oneTimePassword() : undefined;
    const password = generated ?? checkPassword(input.password!, login, 'password');
    const now = this.deps.clock.now();
    const user: NewUser = {
      id: randomUUID(),
      login,
      name,
      ...(trimOrNull(input.email) ? { email: trimOrNull(input.email)! } : {}),
      ...(trimOrNull(input.phone) ? { phone: trimOrNull(input.phone)! } : {}),
      ...(home ? { unitId: home.id } : {}),
      active: true,
      mustChangePassword: true,
      passwordHash: await (generated ? this.deps.passwords.hashOneTime(password) : this.deps.passwords.hash(password)),
      createdAt: now,
    };
    const entry = this.entry(
      p,
      'user.create',
      user,
      home ?? grants[0]?.unit,
      {
        login,
        name,
        email: user.email ?? null,
        phone: user.phone ?? null,
        unitId: home?.id ?? null,
        grants: grants.map((g) => ({ role: g.role, unitId: g.unitId })),
        passwordGenerated: generated !== undefined,
      },
      input.reason,
    );
    await this.deps.accounts
      .putUser(
        user,
        grants.map((g) => ({ role: g.role, unitId: g.unitId })),
        [entry],
      )
      .catch((e: unknown) => {
        throw isUniqueViolation(e) ? loginTaken(login) : e;
      });
    return { user: await this.detailOf(user.id), ...(generated ? { oneTimePassword: generated } : {}) };
  }

  /** Changes name, e-mail, phone or home unit (the new home unit must be one the caller administers). */
  async update(p: Principal, id: string, edit: AccountEdit) {
    const { user, grants, home } = await this.managed(p, id);
    const fields: { name?: string; email?: string | null; phone?: string | null; unitId?: string | null } = {};
    if (edit.name !== undefined) fields.name = this.checkName(edit.name, 'name');
    if (edit.email !== undefined) fields.email = trimOrNull(edit.email)!;
    if (edit.phone !== undefined) fields.phone = trimOrNull(edit.phone)!;
    let newHome = home;
    if (edit.unitId !== undefined && edit.unitId !== (user.unitId ?? null)) {
      newHome = edit.unitId === null ? undefined : await this.administeredUnit(p, edit.unitId, 'unitId');
      if (!newHome && !grants.length) throw invalid('unitId', 'an account with no grant needs a home unit');
      fields.unitId = newHome?.id ?? null;
    }
    const changed: Record<string, { before: unknown; after: unknown }> = {};
    const before: Record<string, unknown> = { name: user.name, email: user.email ?? null, phone: user.phone ?? null, unitId: user.unitId ?? null };
    for (const [k, v] of Object.entries(fields)) if (before[k] !== v) changed[k] = { before: before[k], after: v };
    if (!Object.keys(changed).length) return this.detail(user, grants);
    await this.deps.accounts.updateUser(user.id, fields, [this.entry(p, 'user.update', user, newHome ?? home, { login: user.login, changed }, edit.reason)]);
    return this.detailOf(user.id);
  }

  /** Deactivates an account (not one's own): it cannot sign in, and its sessions and tokens end. */
  async deactivate(p: Principal, id: string, reason?: string) {
    const { user, home } = await this.managed(p, id);
    requireNotSelf(p, user.id, 'deactivate');
    if (user.active)
      await this.deps.accounts.setActive(user.id, false, [
        this.entry(p, 'user.deactivate', user, home, { login: user.login, active: { before: true, after: false } }, reason),
      ]);
    return this.detailOf(user.id);
  }

  /** Lets a deactivated account sign in again. */
  async activate(p: Principal, id: string, reason?: string) {
    const { user, home } = await this.managed(p, id);
    if (!user.active)
      await this.deps.accounts.setActive(user.id, true, [
        this.entry(p, 'user.activate', user, home, { login: user.login, active: { before: false, after: true } }, reason),
      ]);
    return this.detailOf(user.id);
  }

  /** Sets a new password (given, or a generated one-time one, answered once) that must change at the
   * next sign-in; every session and token of the user ends. */
  async resetPassword(p: Principal, id: string, input: { password?: string; reason?: string } = {}) {
    const { user, home } = await this.managed(p, id);
    const generated = input.password === undefined ? oneTimePassword() : undefined;
    const password = generated ?? checkPassword(input.password!, user.login, 'password');
    await this.deps.accounts.setPassword(user.id, await (generated ? this.deps.passwords.hashOneTime(password) : this.deps.passwords.hash(password)), {
      mustChange: true,
      endSessions: true,
      audit: [this.entry(p, 'user.password-reset', user, home, { login: user.login, passwordGenerated: generated !== undefined }, input.reason)],
    });
    return { user: await this.detailOf(user.id), ...(generated ? { oneTimePassword: generated } : {}) };
  }

  /** Grants a role on a unit the caller administers. */
  async addGrant(p: Principal, id: string, input: { role: AccessRole; unitId: string; reason?: string }) {
    const { user, home } = await this.managed(p, id);
    const [g] = await this.checkGrants(p, [input], 'unitId');
    await this.deps.accounts.addGrant(user.id, { role: g!.role, unitId: g!.unitId }, [
      this.entry(p, 'grant.add', user, home ?? g!.unit, { login: user.login, role: g!.role, unitId: g!.unitId, unitName: g!.unit.name }, input.reason),
    ]);
    return this.detailOf(user.id);
  }

  /** Removes a role on a unit the caller administers (never one's own last administrator grant). */
  async removeGrant(p: Principal, id: string, input: { role: AccessRole; unitId: string; reason?: string }) {
    const { user, grants, home } = await this.managed(p, id);
    const [g] = await this.checkGrants(p, [input], 'unitId');
    requireKeepsAdmin(p, user.id, grants, input);
    const held = grants.some((x) => x.role === input.role && x.unitId === input.unitId);
    if (!held) throw notFound(`grant ${input.role} on "${input.unitId}" for this user`, { field: 'unitId', role: input.role, unitId: input.unitId });
    await this.deps.accounts.removeGrant(user.id, { role: g!.role, unitId: g!.unitId }, [
      this.entry(p, 'grant.remove', user, home ?? g!.unit, { login: user.login, role: g!.role, unitId: g!.unitId, unitName: g!.unit.name }, input.reason),
    ]);
    return this.detailOf(user.id);
  }

  /**
   * One staff account per school under a unit (or for the units listed): login from the unit's code,
   * full name "Cán bộ <unit>", a staff grant on the school, its home unit, a one-time password each.
   * Schools that have a staff account already are left out unless asked. The dry run says what it
   * would create and creates nothing; otherwise the passwords are answered here, once.
   */
  async bulkCreate(p: Principal, request: BulkRequest) {
    const kinds = request.kinds?.length ? request.kinds : [...SCHOOL_KINDS];
    kinds.forEach((k, i) => {
      if (!(UNIT_KINDS as readonly string[]).includes(k)) throw invalid(`kinds[${i}]`, `"${k}" is not a kind of unit; kinds are ${UNIT_KINDS.join(', ')}`);
    });
    if (!request.unitId === !request.unitIds?.length) throw invalid('unitId', 'give unitId (every school under it) or unitIds (these units), one of them');
    const units = await this.bulkUnits(p, request, kinds);
    const root = request.unitId ? await this.deps.store.getUnit(request.unitId) : units[0];
    const staffed = request.includeStaffed
      ? new Set<string>()
      : await this.deps.accounts.unitsWithRole(
          units.map((u) => u.id),
          'staff',
        );
    const skipped = units.filter((u) => staffed.has(u.id)).map((u) => ({ unitId: u.id, unitName: u.name, reason: 'HAS_STAFF_ACCOUNT' as const }));
    const todo = units.filter((u) => !staffed.has(u.id));
    const logins = await this.freeLogins(todo.map((u) => baseLogin(u.id)));
    const template = request.nameTemplate?.trim() || 'Cán bộ {unit}';
    const planned = todo.map((u, i) => ({ unit: u, login: logins[i]!, name: template.replaceAll('{unit}', u.name).slice(0, 200) }));
    if (request.dryRun || !planned.length)
      return {
        dryRun: !!request.dryRun,
        created: 0,
        skipped,
        accounts: planned.map((a) => ({ unitId: a.unit.id, unitName: a.unit.name, login: a.login, name: a.name })),
      };
    const now = this.deps.clock.now();
    const made: { user: NewUser; grants: { role: AccessRole; unitId: string }[]; password: string; unit: OrgUnit }[] = [];
    for (const a of planned) {
      const password = oneTimePassword();
      made.push({
        unit: a.unit,
        password,
        grants: [{ role: 'staff', unitId: a.unit.id }],
        user: {
          id: randomUUID(),
          login: a.login,
          name: a.name,
          unitId: a.unit.id,
          active: true,
          mustChangePassword: true,
          passwordHash: await this.deps.passwords.hashOneTime(password),
          createdAt: now,
        },
      });
    }
    const entry = this.entry(
      p,
      'users.bulk-create',
      { id: root?.id ?? '', login: '' },
      root,
      { count: made.length, skipped: skipped.length, accounts: made.map((m) => ({ userId: m.user.id, login: m.user.login, unitId: m.unit.id })) },
      request.reason,
    );
    await this.deps.accounts.createUsers(made, [{ ...entry, target: root?.id ?? 'units' }]).catch((e: unknown) => {
      throw isUniqueViolation(e)
        ? new EngineError('LOGIN_TAKEN', 'a login was taken meanwhile; run it again', {
            field: 'login',
            errors: [{ field: 'login', message: 'was taken meanwhile' }],
          })
        : e;
    });
    return {
      dryRun: false,
      created: made.length,
      skipped,
      accounts: made.map((m) => ({
        unitId: m.unit.id,
        unitName: m.unit.name,
        login: m.user.login,
        name: m.user.name,
        userId: m.user.id,
        oneTimePassword: m.password,
      })),
    };
  }

  // ── the rules' inputs ───────────────────────────────────────────────────────────────────────

  private adminRoots(p: Principal): string[] {
    const roots = scope(p, 'administer');
    if (!roots.length) throw forbidden('managing accounts needs an administrator role', { ability: 'administer' });
    return roots;
  }

  /** A user the caller manages; any other does not exist (the same 404 as a missing one). */
  private async managed(p: Principal, id: string): Promise<{ user: User; grants: Grant[]; home: OrgUnit | undefined }> {
    const user = await this.deps.accounts.getUser(id);
    if (!user) throw notFound(`user "${id}"`, { id });
    const [grants, home] = await Promise.all([this.deps.accounts.grantsOf(id), user.unitId ? this.deps.store.getUnit(user.unitId) : undefined]);
    if (managesUser(p, home?.path, grants)) return { user, grants, home };
    // inside the caller's units but not theirs to manage: a refusal; outside: it does not exist
    if (seesUser(p, home?.path, grants))
      throw forbidden('managing this account needs an administrator role on its unit or a unit above it', { ability: 'administer', id });
    throw notFound(`user "${id}"`, { id });
  }

  private async readableUnit(p: Principal, id: string, field: string): Promise<OrgUnit> {
    const unit = await this.deps.store.getUnit(id);
    if (!unit || !scope(p, 'read').some((r) => unit.path.startsWith(r))) throw notFound(`unit "${id}"`, { unitId: id, field });
    return unit;
  }

  private async administeredUnit(p: Principal, id: string, field: string): Promise<OrgUnit> {
    const unit = await this.deps.store.getUnit(id);
    requireAdministered(p, unit, id, field);
    if (unit!.closedAt !== undefined) throw invalid(field, `unit "${id}" is closed`, { unitId: id });
    return unit!;
  }

  private async checkGrants(p: Principal, grants: readonly { role: AccessRole; unitId: string }[], prefix = 'grants') {
    const out: { role: AccessRole; unitId: string; unit: OrgUnit }[] = [];
    for (const [i, g] of grants.entries()) {
      const field = prefix === 'grants' ? `grants[${i}].unitId` : prefix;
      if (!(ACCESS_ROLES as readonly string[]).includes(g.role)) throw invalid(field.replace(/unitId$/, 'role'), `must be one of ${ACCESS_ROLES.join(', ')}`);
      const unit = await this.administeredUnit(p, g.unitId, field);
      if (!out.some((x) => x.role === g.role && x.unitId === g.unitId)) out.push({ role: g.role, unitId: unit.id, unit });
    }
    return out;
  }

  private checkLogin(login: string): string {
    const l = (login ?? '').trim().toLowerCase();
    if (!LOGIN_PATTERN.test(l)) throw invalid('login', 'must be 2 to 64 letters, digits, ".", "_" or "-", starting with a letter or digit');
    return l;
  }

  private checkName(name: string, field: string): string {
    const n = (name ?? '').trim();
    if (!n || n.length > 200) throw invalid(field, 'must be 1 to 200 characters');
    return n;
  }

  private async bulkUnits(p: Principal, request: BulkRequest, kinds: string[]): Promise<OrgUnit[]> {
    const units: OrgUnit[] = [];
    if (request.unitId) {
      const root = await this.administeredUnit(p, request.unitId, 'unitId');
      for (let afterId: string | undefined; ;) {
        const page = await this.deps.store.unitsUnder(root.path, { kinds, limit: 500, ...(afterId ? { afterId } : {}) });
        units.push(...page);
        if (page.length < 500 || units.length > BULK_MAX) break;
        afterId = page.at(-1)!.id;
      }
    } else {
      for (const [i, id] of [...new Set(request.unitIds)].entries()) {
        const unit = await this.administeredUnit(p, id, `unitIds[${i}]`);
        if (!kinds.includes(unit.kind)) throw invalid(`unitIds[${i}]`, `"${unit.name}" is a ${unit.kind}, not one of ${kinds.join(', ')}`, { unitId: id });
        units.push(unit);
      }
    }
    if (units.length > BULK_MAX) throw invalid('unitId', `more than ${BULK_MAX} schools; ask for a smaller part of the tree`, { max: BULK_MAX });
    return units.filter((u) => u.closedAt === undefined);
  }

  /** Logins for new accounts: each base as it is when free, else suffixed -2, -3… */
  private async freeLogins(bases: string[]): Promise<string[]> {
    const taken = new Set<string>();
    const probe = async (candidates: string[]) => {
      for (const u of await this.deps.accounts.usersByLogins(candidates)) taken.add(u.login);
    };
    await probe(bases.flatMap((b) => [b, `${b}-2`, `${b}-3`]));
    const out: string[] = [];
    for (const b of bases) {
      let login = b;
      for (let n = 2; taken.has(login); n++) {
        login = `${b}-${n}`;
        if (n > 3 && !taken.has(login)) await probe([login]);
      }
      taken.add(login);
      out.push(login);
    }
    return out;
  }

  // ── what is answered and recorded ───────────────────────────────────────────────────────────

  private entry(
    p: Principal,
    action: AuditAction,
    user: Pick<User, 'id' | 'login'>,
    unit: Pick<OrgUnit, 'id' | 'path'> | undefined,
    details: Record<string, unknown>,
    reason?: string,
  ): AuditEntry {
    return auditEntry(p, this.deps.clock.now(), { action, ...(unit ? { unit } : {}), target: user.id, ...(reason ? { reason } : {}), details });
  }

  private async unitMap(ids: (string | undefined)[]): Promise<Map<string, OrgUnit>> {
    const wanted = [...new Set(ids.filter((x): x is string => !!x))];
    return new Map((wanted.length ? await this.deps.store.getUnits(wanted) : []).map((u) => [u.id, u]));
  }

  private row(u: User, units: Map<string, OrgUnit>) {
    const home = u.unitId ? units.get(u.unitId) : undefined;
    return {
      id: u.id,
      login: u.login,
      name: u.name,
      email: u.email ?? null,
      phone: u.phone ?? null,
      unitId: u.unitId ?? null,
      unitName: home?.name ?? null,
      unitPath: home?.path ?? null,
      active: u.active,
      mustChangePassword: u.mustChangePassword,
      createdAt: u.createdAt,
    };
  }

  private async detail(user: User, grants: Grant[]) {
    const units = await this.unitMap([user.unitId, ...grants.map((g) => g.unitId)]);
    return {
      ...this.row(user, units),
      grants: grants.map((g) => ({
        role: g.role,
        unitId: g.unitId,
        unitName: units.get(g.unitId)?.name ?? g.unitId,
        unitKind: units.get(g.unitId)?.kind ?? null,
        unitPath: g.unitPath,
      })),
    };
  }

  private async detailOf(id: string) {
    const user = await this.deps.accounts.getUser(id);
    if (!user) throw notFound(`user "${id}"`, { id });
    return this.detail(user, await this.deps.accounts.grantsOf(id));
  }
}

/** The login a school's account gets from its unit code: lower case, what a login may hold. */
export function baseLogin(unitId: string): string {
  const l = unitId
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[^a-z0-9]+/, '')
    .slice(0, 56);
  return l.length >= 2 ? l : `u-${l || 'x'}`;
}

function loginTaken(login: string): EngineError {
  return new EngineError('LOGIN_TAKEN', `the login "${login}" is taken`, { field: 'login', login, errors: [{ field: 'login', message: 'is taken' }] });
}

/** SQLite (SQLITE_CONSTRAINT_UNIQUE) and PostgreSQL (23505) say a unique key is taken. */
function isUniqueViolation(e: unknown): boolean {
  const err = e as { code?: string; message?: string };
  return err?.code === '23505' || err?.code === 'SQLITE_CONSTRAINT_UNIQUE' || /UNIQUE constraint failed/.test(err?.message ?? '');
}
