// Who is calling: a browser session (httpOnly, SameSite=Strict cookie; the secret stored only as its
// sha256) or a bearer token for scripts. Passwords are bcrypt hashes; an unknown login costs the same
// time as a wrong password, so timing does not tell which logins exist.
import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import bcrypt from 'bcryptjs';
import { parse as parseCookies, serialize } from 'cookie';
import type { Request, Response } from 'express';
import { narrowGrants } from '../../engine/access.ts';
import type { ApiToken, User } from '../../engine/domain.ts';
import type { Accounts } from '../../engine/ports.ts';
import { bcryptPasswords } from '../passwords.ts';
import { forbidden, HttpError } from './errors.ts';
import type { Principal, Services } from './route.ts';

export const SESSION_COOKIE = 'tiendo_session';
export const CSRF_HEADER = 'x-csrf-token';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const secret = () => randomBytes(32).toString('base64url');
// A real hash, at the configured cost, to compare against when the login is unknown.
const decoys = new Map<number, string>();
const decoyHash = (cost: number) => decoys.get(cost) ?? (decoys.set(cost, bcrypt.hashSync('decoy-password', cost)), decoys.get(cost)!);

export function hashPassword(password: string, cost: number): Promise<string> {
  return bcryptPasswords(cost).hash(password);
}

/** Checks a login and password and opens a session; the cookie is set on `res`. */
export async function login(services: Services, res: Response, input: { login: string; password: string }, now: number): Promise<{ principal: Principal }> {
  const user = await services.accounts.findByLogin(input.login);
  const ok = await bcrypt.compare(input.password, user?.passwordHash ?? decoyHash(services.bcryptCost));
  if (!user || !ok) throw new HttpError(401, 'BAD_CREDENTIALS', 'wrong login or password', {});
  const { passwordHash: _h, ...plain } = user;
  return openSession(services, res, plain, now);
}

/** An inactive account (users.active false) gets no session, however it proved who it is. */
export class InactiveUserError extends HttpError {
  constructor(login: string) {
    super(403, 'USER_INACTIVE', `the account "${login}" is deactivated; ask an administrator of its unit`, { login });
  }
}

/**
 * Opens a session for a user whose identity was proved (a password, or the province's OpenID Connect
 * provider: adapters/http/oidc.ts): a new secret in an httpOnly SameSite=Strict cookie on `res`, only
 * its sha256 stored, and a CSRF token. Refuses an inactive account.
 */
export async function openSession(services: Services, res: Response, user: User, now: number): Promise<{ principal: Principal }> {
  // Said only after the identity is proved: a deactivated login is no secret from its owner.
  if (!user.active) throw new InactiveUserError(user.login);
  const token = secret();
  const csrfToken = secret();
  await services.accounts.putSession({ idHash: sha256(token), userId: user.id, csrfToken, createdAt: now, expiresAt: now + services.sessionTtlMs });
  res.append(
    'Set-Cookie',
    serialize(SESSION_COOKIE, token, {
      httpOnly: true,
      sameSite: 'strict',
      path: '/',
      secure: services.secureCookies,
      maxAge: Math.floor(services.sessionTtlMs / 1000),
    }),
  );
  return { principal: { user, grants: await services.accounts.grantsOf(user.id), via: 'session', csrfToken, sessionHash: sha256(token) } };
}

export async function logout(services: Services, res: Response, principal: Principal): Promise<void> {
  if (principal.sessionHash) await services.accounts.deleteSession(principal.sessionHash);
  res.setHeader('Set-Cookie', serialize(SESSION_COOKIE, '', { httpOnly: true, sameSite: 'strict', path: '/', secure: services.secureCookies, maxAge: 0 }));
}

const DAY_MS = 86_400_000;
/** A token's public id: names it in lists and in DELETE /api/v1/tokens/:id, opens nothing. */
const newTokenId = () => `tok_${randomBytes(12).toString('base64url')}`;
/** How long a token lives when no shorter life is asked for, and the longest one may ask for. */
export const TOKEN_DEFAULT_DAYS = 90;
export const TOKEN_MAX_DAYS = 365;
/** A new password: at least this many characters; bcrypt reads 72 bytes of it at most. */
export const PASSWORD_MIN_LENGTH = 10;
export const PASSWORD_MAX_BYTES = 72;

export interface TokenOptions {
  expiresInDays?: number;
  /** An exact end instead (a token issued by a token ends with it at the latest). */
  expiresAt?: number;
  access?: ApiToken['access'];
  unitIds?: string[];
  mintedBy?: string;
}

/** A bearer token for scripts; only its hash is kept, so it is shown once. */
export async function createToken(
  accounts: Accounts,
  userId: string,
  name: string,
  now: number,
  options: TokenOptions = {},
): Promise<{ token: string; record: ApiToken }> {
  const token = `td_${secret()}`;
  const record: ApiToken = {
    id: newTokenId(),
    userId,
    name,
    createdAt: now,
    expiresAt: options.expiresAt ?? now + (options.expiresInDays ?? TOKEN_DEFAULT_DAYS) * DAY_MS,
    access: options.access ?? 'write',
    ...(options.unitIds ? { unitIds: options.unitIds } : {}),
    ...(options.mintedBy ? { mintedBy: options.mintedBy } : {}),
  };
  await accounts.putToken({ ...record, idHash: sha256(token) });
  return { token, record };
}

export async function issueToken(accounts: Accounts, userId: string, name: string, now: number, options: TokenOptions = {}): Promise<string> {
  return (await createToken(accounts, userId, name, now, options)).token;
}

/**
 * A token for the caller, never wider than what asks for it. From a session: any units the user's
 * grants cover, read-only or not, up to TOKEN_MAX_DAYS. From a token: only units within that
 * token's own scope (by default the same ones), read-only when it is, and ending no later than it
 * (by default, when it ends, if that is sooner than TOKEN_DEFAULT_DAYS).
 */
export async function mintToken(
  services: Services,
  principal: Principal,
  request: { name: string; expiresInDays?: number; access?: ApiToken['access']; unitIds?: string[] },
  now: number,
): Promise<{ token: string; record: ApiToken }> {
  const parent = principal.token;
  let expiresAt = now + (request.expiresInDays ?? TOKEN_DEFAULT_DAYS) * DAY_MS;
  if (parent && expiresAt > parent.expiresAt) {
    const left = Math.floor((parent.expiresAt - now) / DAY_MS);
    if (request.expiresInDays !== undefined) {
      throw forbidden(
        `this token ends on ${new Date(parent.expiresAt).toISOString()}; a token cannot issue one that outlives it${left >= 1 ? `: ask for at most ${left} days, or for none (it then ends with this one)` : ''}; sign in to issue a longer one`,
        { expiresAt: parent.expiresAt, maxDays: Math.max(0, left) },
      );
    }
    expiresAt = parent.expiresAt;
  }
  const access = request.access ?? parent?.access ?? 'write';
  if (parent?.access === 'read' && access !== 'read')
    throw forbidden('this token is read-only; a token cannot issue one with more rights than its own', { access: parent.access });
  let unitIds = parent?.unitIds;
  if (request.unitIds) {
    unitIds = [...new Set(request.unitIds)];
    // Outside the caller's units a unit does not exist, as everywhere (the application's rule).
    for (const id of unitIds) await services.app.unit(principal, id);
  }
  return createToken(services.accounts, principal.user.id, request.name, now, {
    expiresAt,
    access,
    ...(unitIds ? { unitIds } : {}),
    ...(parent ? { mintedBy: parent.id } : {}),
  });
}

/** What a user who must change their password may call: who am I, the change itself, signing out. */
const WHILE_PASSWORD_CHANGE = ['GET /api/v1/me', 'POST /api/v1/me/password', 'DELETE /api/v1/session'];

/** A user whose password is an initial or reset one changes it before anything else: every other
 * route answers 403 PASSWORD_CHANGE_REQUIRED, from a session or a token (checked once, before the handler). */
export function checkPasswordChange(principal: Principal, method: string, path: string): void {
  if (!principal.user.mustChangePassword || WHILE_PASSWORD_CHANGE.includes(`${method.toUpperCase()} ${path}`)) return;
  throw new HttpError(
    403,
    'PASSWORD_CHANGE_REQUIRED',
    'change your password first (POST /api/v1/me/password with a signed-in session); until then only GET /api/v1/me and signing out answer',
    { allowed: WHILE_PASSWORD_CHANGE },
  );
}

/** A read-only token reads: anything but GET is refused before the handler runs. */
export function checkTokenAccess(principal: Principal, method: string): void {
  if (principal.token?.access === 'read' && !['GET', 'HEAD', 'OPTIONS'].includes(method)) {
    throw forbidden(`this bearer token is read-only (GET requests); ${method} needs a token issued with access "write", or a signed-in session`, {
      access: 'read',
    });
  }
}

/**
 * Changes the caller's password (from a signed-in session, with the current password): every token
 * of the user is revoked, and every other session ends. Refused from a token: a leaked token must
 * not be able to lock its owner out.
 */
export async function changePassword(
  services: Services,
  principal: Principal,
  input: { currentPassword: string; newPassword: string },
): Promise<{ revokedTokens: number }> {
  if (principal.via !== 'session')
    throw forbidden('changing the password needs a signed-in session (POST /api/v1/session), not a bearer token', { via: principal.via });
  const user = await services.accounts.findByLogin(principal.user.login);
  const ok = await bcrypt.compare(input.currentPassword, user?.passwordHash ?? decoyHash(services.bcryptCost));
  if (!user || !ok) throw passwordError('body.currentPassword', 'is not your current password');
  if (Buffer.byteLength(input.newPassword) > PASSWORD_MAX_BYTES)
    throw passwordError(
      'body.newPassword',
      `is ${Buffer.byteLength(input.newPassword)} bytes long in UTF-8; at most ${PASSWORD_MAX_BYTES} bytes (bcrypt reads no further)`,
    );
  if (input.newPassword.trim().toLowerCase() === user.login.toLowerCase()) throw passwordError('body.newPassword', 'must not be the login');
  if (user.mustChangePassword && input.newPassword === input.currentPassword)
    throw passwordError('body.newPassword', 'must differ from the initial (or reset) password given to you');
  await services.accounts.setPassword(user.id, await hashPassword(input.newPassword, services.bcryptCost));
  const revokedTokens = await services.accounts.deleteTokensOf(user.id);
  await services.accounts.deleteSessionsOf(user.id, principal.sessionHash);
  return { revokedTokens };
}

function passwordError(field: string, message: string): HttpError {
  return new HttpError(400, 'VALIDATION_FAILED', `the request body is invalid: ${field}: ${message}`, { errors: [{ field, message }] });
}

/** The caller, or undefined when the request carries no valid credentials. */
export async function authenticate(accounts: Accounts, req: Pick<Request, 'headers'>, now: number): Promise<Principal | undefined> {
  const bearer = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
  if (bearer) {
    const found = await accounts.getToken(sha256(bearer));
    if (!found || found.expiresAt <= now) return undefined;
    const { units, ...token } = found;
    const principal = await principalOf(accounts, token.userId, { via: 'token', token });
    // a token limited to some units carries the user's grants cut down to those subtrees
    if (principal && units) principal.grants = narrowGrants(principal.grants, units);
    return principal;
  }
  const cookie = req.headers.cookie ? parseCookies(req.headers.cookie)[SESSION_COOKIE] : undefined;
  if (!cookie) return undefined;
  const sessionHash = sha256(cookie);
  // The session, its user and the grants in one read: every request of a browser starts here.
  const found = await accounts.sessionPrincipal(sessionHash);
  if (!found || found.expiresAt <= now) return undefined;
  // a deactivated account's sessions end with it; should one remain, it opens nothing
  return found.user.active ? { user: found.user, grants: found.grants, via: 'session', csrfToken: found.csrfToken, sessionHash } : undefined;
}

async function principalOf(accounts: Accounts, userId: string, how: Omit<Principal, 'user' | 'grants'>): Promise<Principal | undefined> {
  const user = await accounts.getUser(userId);
  // a deactivated account's sessions and tokens end with it; should one remain, it opens nothing
  return user?.active ? { user, grants: await accounts.grantsOf(userId), ...how } : undefined;
}

/** Cookie-authenticated writes must echo the session's CSRF token; bearer calls carry no cookie to forge. */
export function checkCsrf(principal: Principal, req: Request): void {
  if (principal.via !== 'session' || ['GET', 'HEAD', 'OPTIONS'].includes(req.method)) return;
  const sent = String(req.headers[CSRF_HEADER] ?? '');
  const expected = principal.csrfToken ?? '';
  const same = sent.length === expected.length && sent.length > 0 && timingSafeEqual(Buffer.from(sent), Buffer.from(expected));
  if (!same)
    throw new HttpError(
      403,
      'CSRF_TOKEN_INVALID',
      `a write with a session cookie must send the session's CSRF token in the ${CSRF_HEADER} header (GET /api/v1/me gives it)`,
      { header: CSRF_HEADER },
    );
}

export const newUserId = () => randomUUID();
