// Who is calling: a browser session (httpOnly, SameSite=Strict cookie; the secret stored only as its
// sha256) or a bearer token for scripts. Passwords are bcrypt hashes; an unknown login costs the same
// time as a wrong password, so timing does not tell which logins exist.
import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import bcrypt from 'bcryptjs';
import { parse as parseCookies, serialize } from 'cookie';
import type { Request, Response } from 'express';
import type { Accounts } from '../../engine/ports.ts';
import { HttpError } from './errors.ts';
import type { Principal, Services } from './route.ts';

export const SESSION_COOKIE = 'tiendo_session';
export const CSRF_HEADER = 'x-csrf-token';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const secret = () => randomBytes(32).toString('base64url');
// A real hash, at the configured cost, to compare against when the login is unknown.
const decoys = new Map<number, string>();
const decoyHash = (cost: number) => decoys.get(cost) ?? (decoys.set(cost, bcrypt.hashSync('decoy-password', cost)), decoys.get(cost)!);

export function hashPassword(password: string, cost: number): Promise<string> {
  return bcrypt.hash(password, cost);
}

/** Checks a login and password and opens a session; the cookie is set on `res`. */
export async function login(services: Services, res: Response, input: { login: string; password: string }, now: number): Promise<{ principal: Principal }> {
  const user = await services.accounts.findByLogin(input.login);
  const ok = await bcrypt.compare(input.password, user?.passwordHash ?? decoyHash(services.bcryptCost));
  if (!user || !ok) throw new HttpError(401, 'BAD_CREDENTIALS', 'wrong login or password', {});
  const token = secret();
  const csrfToken = secret();
  await services.accounts.putSession({ idHash: sha256(token), userId: user.id, csrfToken, createdAt: now, expiresAt: now + services.sessionTtlMs });
  res.setHeader('Set-Cookie', serialize(SESSION_COOKIE, token, { httpOnly: true, sameSite: 'strict', path: '/', secure: services.secureCookies, maxAge: Math.floor(services.sessionTtlMs / 1000) }));
  const { passwordHash: _h, ...plain } = user;
  return { principal: { user: plain, grants: await services.accounts.grantsOf(user.id), via: 'session', csrfToken, sessionHash: sha256(token) } };
}

export async function logout(services: Services, res: Response, principal: Principal): Promise<void> {
  if (principal.sessionHash) await services.accounts.deleteSession(principal.sessionHash);
  res.setHeader('Set-Cookie', serialize(SESSION_COOKIE, '', { httpOnly: true, sameSite: 'strict', path: '/', secure: services.secureCookies, maxAge: 0 }));
}

/** A bearer token for scripts; only its hash is kept, so it is shown once. */
export async function issueToken(accounts: Accounts, userId: string, name: string, now: number): Promise<string> {
  const token = `td_${secret()}`;
  await accounts.putToken({ idHash: sha256(token), userId, name, createdAt: now });
  return token;
}

/** The caller, or undefined when the request carries no valid credentials. */
export async function authenticate(accounts: Accounts, req: Request, now: number): Promise<Principal | undefined> {
  const bearer = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
  if (bearer) {
    const token = await accounts.getToken(sha256(bearer));
    if (!token || (token.expiresAt !== undefined && token.expiresAt <= now)) return undefined;
    return principalOf(accounts, token.userId, { via: 'token' });
  }
  const cookie = req.headers.cookie ? parseCookies(req.headers.cookie)[SESSION_COOKIE] : undefined;
  if (!cookie) return undefined;
  const sessionHash = sha256(cookie);
  const session = await accounts.getSession(sessionHash);
  if (!session || session.expiresAt <= now) return undefined;
  return principalOf(accounts, session.userId, { via: 'session', csrfToken: session.csrfToken, sessionHash });
}

async function principalOf(accounts: Accounts, userId: string, how: Omit<Principal, 'user' | 'grants'>): Promise<Principal | undefined> {
  const user = await accounts.getUser(userId);
  return user ? { user, grants: await accounts.grantsOf(userId), ...how } : undefined;
}

/** Cookie-authenticated writes must echo the session's CSRF token; bearer calls carry no cookie to forge. */
export function checkCsrf(principal: Principal, req: Request): void {
  if (principal.via !== 'session' || ['GET', 'HEAD', 'OPTIONS'].includes(req.method)) return;
  const sent = String(req.headers[CSRF_HEADER] ?? '');
  const expected = principal.csrfToken ?? '';
  const same = sent.length === expected.length && sent.length > 0 && timingSafeEqual(Buffer.from(sent), Buffer.from(expected));
  if (!same) throw new HttpError(403, 'CSRF_TOKEN_INVALID', `a write with a session cookie must send the session's CSRF token in the ${CSRF_HEADER} header (GET /api/v1/me gives it)`, { header: CSRF_HEADER });
}

export const newUserId = () => randomUUID();
