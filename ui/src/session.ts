// Who is signed in. The CSRF token lives in memory only (api.ts); after a reload GET /api/v1/me
// gives it back together with the user.
import { api, ApiError, get, setCsrfToken } from './api.ts';
import type { Grant, Me, Role, User } from './types.ts';

interface SessionState {
  user: User | null;
  unreadInbox: number;
}
export const session: SessionState = { user: null, unreadInbox: 0 };

/** Loads the signed-in user; null when there is no session. */
export async function loadMe(): Promise<User | null> {
  try {
    const me = await api<Me>('GET', '/api/v1/me', { noRedirect: true });
    setCsrfToken(me.csrfToken);
    session.user = me.user;
    session.unreadInbox = me.unreadInbox;
    return me.user;
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) {
      clearSession();
      return null;
    }
    throw e;
  }
}

export async function login(loginName: string, password: string): Promise<User> {
  const res = await api<{ user: User; csrfToken: string }>('POST', '/api/v1/session', { body: { login: loginName, password }, noRedirect: true });
  setCsrfToken(res.csrfToken);
  session.user = res.user;
  // the unread count comes with /me only
  await refreshUnread().catch(() => {});
  return res.user;
}

export async function logout(): Promise<void> {
  try {
    await api('DELETE', '/api/v1/session', { noRedirect: true });
  } finally {
    clearSession();
  }
}

export function clearSession(): void {
  session.user = null;
  session.unreadInbox = 0;
  setCsrfToken(null);
}

export async function refreshUnread(): Promise<number> {
  const me = await get<Me>('/api/v1/me');
  setCsrfToken(me.csrfToken);
  session.user = me.user;
  session.unreadInbox = me.unreadInbox;
  return me.unreadInbox;
}

export function roles(user: User | null = session.user): Set<Role> {
  return new Set((user?.grants ?? []).map((g) => g.role));
}

export function hasRole(...wanted: Role[]): boolean {
  const mine = roles();
  return wanted.some((r) => mine.has(r));
}

/** The units the user holds one of these roles on, each once, in grant order. */
export function grantUnits(...wanted: Role[]): Grant[] {
  const seen = new Set<string>();
  const out: Grant[] = [];
  for (const g of session.user?.grants ?? []) {
    if (!wanted.includes(g.role) || seen.has(g.unitId)) continue;
    seen.add(g.unitId);
    out.push(g);
  }
  return out;
}

/** Whether the signed-in user must change an initial or reset password before anything else. */
export function mustChangePassword(): boolean {
  return session.user?.mustChangePassword === true;
}

/** Where a user lands after signing in. */
export function homeRoute(): string {
  if (mustChangePassword()) return '#/password';
  if (hasRole('staff')) return '#/tasks';
  if (hasRole('supervisor')) return '#/board';
  if (hasRole('admin')) return '#/definitions';
  return '#/inbox';
}
