// Signing in and out, who I am, tokens for scripts, and the service's own health.
import { login, logout, issueToken } from '../auth.ts';
import { HttpError } from '../errors.ts';
import { publicRoute, route, TEXT } from '../route.ts';

export const sessionRoutes = [
  publicRoute({
    method: 'post',
    path: '/api/v1/session',
    answer: 'signedIn',
    summary: 'Sign in with a login and password; sets the session cookie and answers the CSRF token',
    tag: 'session',
    errors: [401, 429],
    body: { type: 'object', additionalProperties: false, required: ['login', 'password'], properties: { login: TEXT(64), password: TEXT(200) } },
    async handle({ services, res, body }) {
      const { principal } = await login(services, res, body, services.app.now());
      return { user: (await services.app.me(principal)).user, csrfToken: principal.csrfToken };
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
      return { user, csrfToken: principal.csrfToken ?? null, unreadInbox };
    },
  }),
  route({
    method: 'post',
    path: '/api/v1/tokens',
    answer: 'token',
    summary: 'Issue a bearer token for scripts (shown once)',
    tag: 'session',
    status: 201,
    body: { type: 'object', additionalProperties: false, required: ['name'], properties: { name: TEXT(100) } },
    handle: ({ services, principal, body, call }) =>
      services.app.idempotent(principal, call, { token: body }, async () => ({ name: body.name, token: await issueToken(services.accounts, principal.user.id, body.name, services.app.now()) })),
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
