// Signing in and out, who I am, tokens for scripts, and the service's own health.
import type { ApiToken } from '../../../engine/domain.ts';
import { changePassword, login, logout, mintToken, PASSWORD_MAX_BYTES, PASSWORD_MIN_LENGTH, TOKEN_DEFAULT_DAYS, TOKEN_MAX_DAYS } from '../auth.ts';
import { HttpError, notFound } from '../errors.ts';
import { ID, publicRoute, route, TEXT } from '../route.ts';

/** A token as listed: never its secret or the secret's hash. */
function describeToken(t: ApiToken, current?: ApiToken) {
  return {
    id: t.id,
    name: t.name,
    createdAt: t.createdAt,
    expiresAt: t.expiresAt,
    access: t.access,
    unitIds: t.unitIds ?? null,
    mintedBy: t.mintedBy ?? null,
    current: t.id === current?.id,
  };
}

export const sessionRoutes = [
  publicRoute({
    method: 'post',
    path: '/api/v1/session',
    answer: 'signedIn',
    summary: 'Sign in with a login and password; sets the session cookie and answers the CSRF token (403 USER_INACTIVE: a deactivated account)',
    tag: 'session',
    errors: [401, 403, 429],
    body: { type: 'object', additionalProperties: false, required: ['login', 'password'], properties: { login: TEXT(64), password: TEXT(200) } },
    async handle({ services, res, body }) {
      const { principal } = await login(services, res, body, services.app.now());
      const { user } = await services.app.me(principal);
      return { user: { ...user, mustChangePassword: principal.user.mustChangePassword }, csrfToken: principal.csrfToken };
    },
  }),
  route({
    method: 'delete',
    path: '/api/v1/session',
    summary: 'Sign out: the session ends and the cookie is cleared',
    tag: 'session',
    status: 204,
    async handle({ services, res, principal }) {
      await logout(services, res, principal);
    },
  }),
  route({
    method: 'get',
    path: '/api/v1/me',
    answer: 'me',
    summary: 'The signed-in user, their grants, the CSRF token and the unread inbox count',
    tag: 'session',
    async handle({ services, principal }) {
      const { user, unreadInbox } = await services.app.me(principal);
      return { user: { ...user, mustChangePassword: principal.user.mustChangePassword }, csrfToken: principal.csrfToken ?? null, unreadInbox };
    },
  }),
  route({
    method: 'post',
    path: '/api/v1/tokens',
    summary: `Issue a bearer token for scripts (shown once). It ends after expiresInDays (default ${TOKEN_DEFAULT_DAYS}, at most ${TOKEN_MAX_DAYS}); access "read" allows GET requests only; unitIds limits it to those units' subtrees within your grants. A token may issue tokens only within its own scope: no more access, no unit outside its own, ending no later than it does`,
    tag: 'session',
    status: 201,
    errors: [404],
    body: {
      type: 'object',
      additionalProperties: false,
      required: ['name'],
      properties: {
        name: TEXT(100),
        expiresInDays: { type: 'integer', minimum: 1, maximum: TOKEN_MAX_DAYS },
        access: { enum: ['read', 'write'] },
        unitIds: { type: 'array', minItems: 1, maxItems: 50, items: ID },
      },
    },
    answer: 'token',
    handle: ({ services, principal, body, call }) =>
      services.app.idempotent(principal, call, { token: body }, async () => {
        const { token, record } = await mintToken(services, principal, body, services.app.now());
        const { current: _c, ...issued } = describeToken(record);
        return { ...issued, token };
      }),
  }),
  route({
    method: 'get',
    path: '/api/v1/tokens',
    answer: 'tokens',
    summary: 'Your bearer tokens that have not ended: id, name, created, ends, access, units; never the secret',
    tag: 'session',
    async handle({ services, principal }) {
      return { items: (await services.accounts.listTokens(principal.user.id, services.app.now())).map((t) => describeToken(t, principal.token)) };
    },
  }),
  route({
    method: 'delete',
    path: '/api/v1/tokens/:id',
    summary: "Revoke one of your tokens, and every token it issued (someone else's answers 404, like a missing one)",
    tag: 'session',
    status: 204,
    errors: [404],
    async handle({ services, principal, params }) {
      if (!(await services.accounts.deleteToken(principal.user.id, params.id!))) throw notFound(`you have no token "${params.id}"`, { id: params.id });
    },
  }),
  route({
    method: 'post',
    path: '/api/v1/me/password',
    summary: `Change your password (signed-in session, with the current one; the new one ${PASSWORD_MIN_LENGTH} characters or more, at most ${PASSWORD_MAX_BYTES} bytes): every token of yours is revoked and your other sessions end`,
    tag: 'session',
    body: {
      type: 'object',
      additionalProperties: false,
      required: ['currentPassword', 'newPassword'],
      properties: { currentPassword: TEXT(200), newPassword: { type: 'string', minLength: PASSWORD_MIN_LENGTH, maxLength: PASSWORD_MAX_BYTES } },
    },
    answer: 'passwordChanged',
    handle: ({ services, principal, body, call }) =>
      services.app.idempotent(principal, call, { password: 'change' }, () => changePassword(services, principal, body)),
  }),
  publicRoute({
    method: 'get',
    path: '/api/health',
    answer: 'health',
    summary: 'Liveness: the process answers',
    tag: 'service',
    async handle() {
      return { status: 'ok' };
    },
  }),
  publicRoute({
    method: 'get',
    path: '/api/ready',
    answer: 'ready',
    summary: 'Readiness: the store and the queue answer (503 when either does not)',
    tag: 'service',
    errors: [503],
    async handle({ services }) {
      const r = await services.ready();
      const answer = { store: r.store ? 'ok' : 'down', queue: r.queue ? 'ok' : 'down' };
      if (!r.store || !r.queue) throw new HttpError(503, 'SERVICE_UNAVAILABLE', `not ready: store ${answer.store}, queue ${answer.queue}`, answer);
      return answer;
    },
  }),
];
