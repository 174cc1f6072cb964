// Signing in through the province's OpenID Connect provider (openid-client v6): the authorization code
// flow with PKCE (S256), state and nonce. The identity it proves is mapped to an EXISTING, active
// Tiến độ user — by the stored subject (users.oidc_subject, linked once by a verified e-mail), by
// preferred_username → login, or by a verified e-mail — and nobody is ever created. The session opened
// is the one a password opens (auth.ts `openSession`).
//
// The flow's secrets (state, nonce, PKCE verifier, the redirect URI used) travel in a short-lived
// httpOnly cookie signed with HMAC-SHA256, not in a table: nothing to store or sweep, no migration, and
// any process of a deployment (several `tiendo serve` on one PostgreSQL) can finish a flow another
// began, as long as they share the client secret the key is derived from. The cookie is SameSite=Lax,
// not Strict like the session's: the provider sends the browser back by a cross-site top-level
// navigation, on which a Strict cookie is not sent. It is cleared when the callback is reached, and a
// replayed callback has no code the provider would take again.
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { parse as parseCookies, serialize } from 'cookie';
import type { Request } from 'express';
import type { Knex } from 'knex';
import * as client from 'openid-client';
import { linkSubject, userIdByLogin, userIdBySubject, userIdsByEmail } from '../store/oidc-links.ts';

export type OidcMatch = 'subject' | 'login' | 'email';

export interface OidcConfig {
  /** TIENDO_OIDC_ISSUER: the provider's issuer URL (https; http only on loopback, for tests). */
  issuer: string;
  clientId: string;
  /** Absent: a public client (PKCE alone). */
  clientSecret?: string;
  /** TIENDO_OIDC_REDIRECT_URI; default <TIENDO_BASE_URL, or the request's own origin>/api/v1/auth/oidc/callback. */
  redirectUri?: string;
  /** Which claim names the Tiến độ user. Default 'subject'. */
  match: OidcMatch;
  /** The sign-in button's text. */
  label: string;
}

/** Why a sign-in through the provider failed: the code the login page gets (/#/login?error=CODE). */
export type OidcErrorCode =
  | 'OIDC_NO_SUCH_USER'
  | 'OIDC_USER_INACTIVE'
  | 'OIDC_STATE_MISMATCH'
  | 'OIDC_FLOW_EXPIRED'
  | 'OIDC_EMAIL_UNVERIFIED'
  | 'OIDC_AMBIGUOUS_EMAIL'
  | 'OIDC_DENIED'
  | 'OIDC_PROVIDER_UNREACHABLE'
  | 'OIDC_FAILED';

export class OidcFailure extends Error {
  constructor(
    readonly code: OidcErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export const OIDC_PATH = '/api/v1/auth/oidc';
export const OIDC_CALLBACK_PATH = `${OIDC_PATH}/callback`;
export const FLOW_COOKIE = 'tiendo_oidc_flow';
/** How long a browser may spend at the provider between start and callback. */
const FLOW_TTL_MS = 10 * 60_000;

interface Flow {
  /** state, nonce, PKCE code verifier, redirect URI, expiry (ms since the epoch, wall clock). */
  s: string;
  n: string;
  v: string;
  r: string;
  e: number;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

/** Reads and checks the TIENDO_OIDC_* variables; undefined when TIENDO_OIDC_ISSUER is not set (the feature is off). */
export function loadOidcConfig(env: NodeJS.ProcessEnv): OidcConfig | undefined {
  const issuer = env.TIENDO_OIDC_ISSUER?.trim();
  if (!issuer) return undefined;
  let url: URL;
  try {
    url = new URL(issuer);
  } catch {
    throw new Error(`TIENDO_OIDC_ISSUER="${issuer}" is not a URL`);
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK.has(url.hostname)))
    throw new Error(`TIENDO_OIDC_ISSUER="${issuer}" must be https (http only on this machine, for testing)`);
  const clientId = env.TIENDO_OIDC_CLIENT_ID?.trim();
  if (!clientId) throw new Error('TIENDO_OIDC_ISSUER is set but TIENDO_OIDC_CLIENT_ID is not: the client id the provider registered for Tiến độ');
  const match = (env.TIENDO_OIDC_MATCH?.trim() || 'subject') as OidcMatch;
  if (!['subject', 'login', 'email'].includes(match)) throw new Error(`TIENDO_OIDC_MATCH="${env.TIENDO_OIDC_MATCH}": one of subject, login, email`);
  let redirectUri = env.TIENDO_OIDC_REDIRECT_URI?.trim() || undefined;
  if (!redirectUri && env.TIENDO_BASE_URL?.trim()) redirectUri = `${env.TIENDO_BASE_URL.trim().replace(/\/+$/, '')}${OIDC_CALLBACK_PATH}`;
  if (redirectUri) {
    try {
      new URL(redirectUri);
    } catch {
      throw new Error(`TIENDO_OIDC_REDIRECT_URI="${redirectUri}" is not a URL`);
    }
  }
  return {
    issuer,
    clientId,
    ...(env.TIENDO_OIDC_CLIENT_SECRET ? { clientSecret: env.TIENDO_OIDC_CLIENT_SECRET } : {}),
    ...(redirectUri ? { redirectUri } : {}),
    match,
    label: env.TIENDO_OIDC_LABEL?.trim() || 'Đăng nhập bằng tài khoản Sở',
  };
}

export class OidcSignIn {
  private configuration?: Promise<client.Configuration>;
  private readonly key: Buffer;

  constructor(
    readonly config: OidcConfig,
    private readonly db: Knex,
    private readonly options: { secureCookies: boolean; log?: (fields: Record<string, unknown>, message: string) => void },
  ) {
    // Derived from the client secret, so every process of a deployment checks the others' cookies; a
    // public client's processes each make their own (a flow then finishes on the process that began it).
    this.key = config.clientSecret ? createHash('sha256').update(`tiendo-oidc-flow\0${config.clientSecret}`).digest() : randomBytes(32);
  }

  get label(): string {
    return this.config.label;
  }

  /** The provider's metadata, fetched once (again after a failure). */
  private discover(): Promise<client.Configuration> {
    if (!this.configuration) {
      const url = new URL(this.config.issuer);
      const insecure = url.protocol === 'http:';
      this.configuration = client
        .discovery(
          url,
          this.config.clientId,
          undefined,
          this.config.clientSecret ? client.ClientSecretBasic(this.config.clientSecret) : client.None(),
          insecure ? { execute: [client.allowInsecureRequests], timeout: 10 } : { timeout: 10 },
        )
        .catch((e: unknown) => {
          this.configuration = undefined;
          throw new OidcFailure('OIDC_PROVIDER_UNREACHABLE', `the OpenID Connect provider ${this.config.issuer} did not answer its discovery`, { cause: e });
        });
    }
    return this.configuration;
  }

  private redirectUriFor(req: Request): string {
    return this.config.redirectUri ?? `${req.protocol}://${req.get('host')}${OIDC_CALLBACK_PATH}`;
  }

  /** Where to send the browser, and the flow cookie to set on the way. */
  async start(req: Request): Promise<{ url: string; cookie: string }> {
    const configuration = await this.discover();
    const flow: Flow = {
      s: client.randomState(),
      n: client.randomNonce(),
      v: client.randomPKCECodeVerifier(),
      r: this.redirectUriFor(req),
      e: Date.now() + FLOW_TTL_MS,
    };
    const url = client.buildAuthorizationUrl(configuration, {
      redirect_uri: flow.r,
      scope: 'openid email profile',
      response_type: 'code',
      code_challenge: await client.calculatePKCECodeChallenge(flow.v),
      code_challenge_method: 'S256',
      state: flow.s,
      nonce: flow.n,
    });
    return { url: url.href, cookie: this.flowCookie(this.seal(flow), Math.floor(FLOW_TTL_MS / 1000)) };
  }

  /** The cookie that ends the flow (set on the callback's answer, whatever its outcome). */
  clearCookie(): string {
    return this.flowCookie('', 0);
  }

  private flowCookie(value: string, maxAge: number): string {
    return serialize(FLOW_COOKIE, value, { httpOnly: true, sameSite: 'lax', path: OIDC_PATH, secure: this.options.secureCookies, maxAge });
  }

  /**
   * Finishes the flow the provider sent the browser back to: checks state, exchanges the code (PKCE
   * verifier, nonce, ID token signature, issuer, audience, expiry: openid-client), and answers the
   * Tiến độ user the identity maps to. Throws OidcFailure.
   */
  async finish(req: Request): Promise<string> {
    const raw = req.headers.cookie ? parseCookies(req.headers.cookie)[FLOW_COOKIE] : undefined;
    if (!raw) throw new OidcFailure('OIDC_FLOW_EXPIRED', 'no sign-in through the provider is under way in this browser (or it took more than 10 minutes)');
    const flow = this.unseal(raw);
    if (!flow) throw new OidcFailure('OIDC_STATE_MISMATCH', 'the sign-in cookie is not one this server signed');
    if (flow.e < Date.now()) throw new OidcFailure('OIDC_FLOW_EXPIRED', 'the sign-in through the provider took more than 10 minutes');
    // The URL the provider called, on the redirect URI the flow began with (behind a proxy the
    // request's own URL is not the public one).
    const current = new URL(flow.r);
    current.search = new URL(req.originalUrl, 'http://x').search;
    const error = current.searchParams.get('error');
    if (error)
      throw new OidcFailure(
        error === 'access_denied' ? 'OIDC_DENIED' : 'OIDC_FAILED',
        `the provider answered ${error}${current.searchParams.get('error_description') ? `: ${current.searchParams.get('error_description')}` : ''}`,
      );
    const state = current.searchParams.get('state') ?? '';
    if (!same(state, flow.s)) throw new OidcFailure('OIDC_STATE_MISMATCH', 'the state the provider sent back is not the one this browser was sent with');
    const configuration = await this.discover();
    let claims: Record<string, unknown>;
    try {
      const tokens = await client.authorizationCodeGrant(configuration, current, {
        pkceCodeVerifier: flow.v,
        expectedState: flow.s,
        expectedNonce: flow.n,
        idTokenExpected: true,
      });
      claims = { ...tokens.claims()! };
      if (configuration.serverMetadata().userinfo_endpoint) {
        // The ID token may carry only `sub`; login and e-mail come from userinfo (same subject, checked).
        const info = await client.fetchUserInfo(configuration, tokens.access_token, String(claims.sub));
        claims = { ...info, ...claims };
      }
    } catch (e) {
      throw new OidcFailure('OIDC_FAILED', `the provider's answer did not check out: ${(e as Error).message}`, { cause: e });
    }
    return this.userOf(claims);
  }

  /** The Tiến độ user these claims name (never a new one). */
  private async userOf(claims: Record<string, unknown>): Promise<string> {
    const subject = String(claims.sub ?? '');
    const email = typeof claims.email === 'string' && claims.email.includes('@') ? claims.email : undefined;
    const verified = claims.email_verified === true || claims.email_verified === 'true';
    const noSuchUser = (how: string) => new OidcFailure('OIDC_NO_SUCH_USER', `no Tiến độ user ${how}`);
    const onlyOne = (ids: string[]) => {
      if (ids.length > 1) throw new OidcFailure('OIDC_AMBIGUOUS_EMAIL', `more than one Tiến độ user has the e-mail ${email}`);
      return ids[0];
    };
    switch (this.config.match) {
      case 'subject': {
        if (!subject) throw new OidcFailure('OIDC_FAILED', 'the provider sent no subject');
        const linked = await userIdBySubject(this.db, subject);
        if (linked) return linked;
        // Not linked yet: once, by a verified e-mail, to a user no other subject is linked to.
        if (!email) throw noSuchUser(`is linked to this account of the provider, and it sent no e-mail to link one by`);
        if (!verified) throw new OidcFailure('OIDC_EMAIL_UNVERIFIED', `the provider has not verified the e-mail ${email}: it cannot link an account`);
        const id = onlyOne(await userIdsByEmail(this.db, email, { unlinked: true }));
        if (!id) throw noSuchUser(`is linked to this account of the provider, nor has the e-mail ${email}`);
        if (!(await linkSubject(this.db, id, subject))) throw new OidcFailure('OIDC_FAILED', 'the user was linked to another account meanwhile');
        this.options.log?.({ userId: id, subject }, 'OpenID Connect subject linked to a user by its verified e-mail');
        return id;
      }
      case 'login': {
        const login = typeof claims.preferred_username === 'string' ? claims.preferred_username : '';
        if (!login) throw noSuchUser('can be found: the provider sent no preferred_username');
        const id = await userIdByLogin(this.db, login);
        if (!id) throw noSuchUser(`has the login "${login}"`);
        return id;
      }
      case 'email': {
        if (!email) throw noSuchUser('can be found: the provider sent no e-mail');
        if (!verified) throw new OidcFailure('OIDC_EMAIL_UNVERIFIED', `the provider has not verified the e-mail ${email}`);
        const id = onlyOne(await userIdsByEmail(this.db, email));
        if (!id) throw noSuchUser(`has the e-mail ${email}`);
        return id;
      }
    }
  }

  private seal(flow: Flow): string {
    const body = Buffer.from(JSON.stringify(flow)).toString('base64url');
    return `${body}.${createHmac('sha256', this.key).update(body).digest('base64url')}`;
  }

  private unseal(value: string): Flow | undefined {
    const [body, mac] = value.split('.');
    if (!body || !mac || !same(mac, createHmac('sha256', this.key).update(body).digest('base64url'))) return undefined;
    try {
      const flow = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as Flow;
      return typeof flow.s === 'string' && typeof flow.v === 'string' && typeof flow.r === 'string' ? flow : undefined;
    } catch {
      return undefined;
    }
  }
}

function same(a: string, b: string): boolean {
  return a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));
}
