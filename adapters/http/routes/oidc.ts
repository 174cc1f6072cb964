// Sign-in through the province's OpenID Connect provider (adapters/http/oidc.ts): what the login page
// shows, the start (to the provider) and the callback (back, with a session or an error code). Off —
// start and callback answer 404 — unless TIENDO_OIDC_ISSUER is set.
import { InactiveUserError, openSession } from '../auth.ts';
import { notFound } from '../errors.ts';
import { OIDC_CALLBACK_PATH, OIDC_PATH, OidcFailure, type OidcErrorCode, type OidcSignIn } from '../oidc.ts';
import { publicRoute, type Services } from '../route.ts';

/** The sign-in, or 404 when it is not set up. */
function oidcOf(services: Services): OidcSignIn {
  if (!services.oidc) throw notFound('sign-in through an OpenID Connect provider is not set up here (TIENDO_OIDC_ISSUER)', {});
  return services.oidc;
}
const failed = (code: OidcErrorCode) => ({ redirect: `/#/login?error=${code}` });

export const oidcRoutes = [
  publicRoute({
    method: 'get',
    path: OIDC_PATH,
    answer: 'oidc',
    summary: "Whether the login page offers sign-in through the province's OpenID Connect provider, and the button's text",
    tag: 'session',
    async handle({ services }) {
      return { enabled: !!services.oidc, label: services.oidc?.label ?? null };
    },
  }),
  publicRoute({
    method: 'get',
    path: `${OIDC_PATH}/start`,
    answer: 'redirect',
    status: 302,
    summary: "Begin signing in through the province's OpenID Connect provider: a redirect to it (state, nonce, PKCE; 404 when not set up)",
    tag: 'session',
    errors: [404],
    async handle({ services, req, res }) {
      const oidc = oidcOf(services);
      try {
        const { url, cookie } = await oidc.start(req);
        res.append('Set-Cookie', cookie);
        return { redirect: url };
      } catch (e) {
        services.log?.('warn', { err: e, code: e instanceof OidcFailure ? e.code : 'OIDC_FAILED' }, 'OpenID Connect sign-in could not start');
        return failed(e instanceof OidcFailure ? e.code : 'OIDC_FAILED');
      }
    },
  }),
  publicRoute({
    method: 'get',
    path: OIDC_CALLBACK_PATH,
    answer: 'redirect',
    status: 302,
    summary:
      'Where the provider sends the browser back: the code is exchanged and checked, the identity mapped to an existing, active user, and the session opened (a redirect to /); a failure redirects to /#/login?error=CODE (404 when not set up)',
    tag: 'session',
    errors: [404],
    async handle({ services, req, res }) {
      const oidc = oidcOf(services);
      res.append('Set-Cookie', oidc.clearCookie());
      try {
        const userId = await oidc.finish(req);
        const user = await services.accounts.getUser(userId);
        if (!user) throw new OidcFailure('OIDC_NO_SUCH_USER', `the user ${userId} is gone`);
        await openSession(services, res, user, services.app.now());
        services.log?.('info', { userId, login: user.login }, 'signed in through OpenID Connect');
        return { redirect: '/' };
      } catch (e) {
        const code: OidcErrorCode = e instanceof OidcFailure ? e.code : e instanceof InactiveUserError ? 'OIDC_USER_INACTIVE' : 'OIDC_FAILED';
        services.log?.('warn', { err: e, code }, 'OpenID Connect sign-in refused');
        return failed(code);
      }
    },
  }),
];
