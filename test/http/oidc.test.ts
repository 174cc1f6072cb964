// Sign-in through an OpenID Connect provider, against a real one: oidc-provider (panva) on a free port
// with one client, its login and consent pages driven with plain fetch, and a real Tiến độ server.
import { expect } from 'chai';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { loadConfig, startApp, type App } from '../../adapters/app.ts';
import { hashPassword } from '../../adapters/http/auth.ts';
import type { OidcConfig } from '../../adapters/http/oidc.ts';
import { createLogger } from '../../adapters/log.ts';
import { ManualClock } from '../../engine/ports.ts';
import { at8, PROVINCE } from '../support/runtime.ts';

const CLIENT_ID = 'tiendo';
const CLIENT_SECRET = 'a-client-secret-for-the-test-provider-0123456789';

/** The provider's accounts: subject → claims. */
const ACCOUNTS: Record<string, Record<string, unknown>> = {
  'sub-an': { email: 'An.Nguyen@so.edu.vn', email_verified: true, preferred_username: 'gv_an', name: 'Nguyễn Văn An' },
  'sub-binh': { email: 'binh@so.edu.vn', email_verified: true, preferred_username: 'gv_binh', name: 'Trần Thị Bình' },
  'sub-nobody': { email: 'nobody@so.edu.vn', email_verified: true, preferred_username: 'nobody', name: 'Không Ai' },
  'sub-unverified': { email: 'chi@so.edu.vn', email_verified: false, preferred_username: 'gv_chi', name: 'Lê Chi' },
};

/** A tiny cookie jar per origin (names only; paths do not matter here). */
class Jar {
  private readonly cookies = new Map<string, Map<string, string>>();
  take(url: string, res: Response): void {
    const host = new URL(url).host;
    const jar = this.cookies.get(host) ?? new Map<string, string>();
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const at = pair!.indexOf('=');
      const name = pair!.slice(0, at).trim();
      const value = pair!.slice(at + 1).trim();
      if (!value || /max-age=0\b|expires=Thu, 01 Jan 1970/i.test(line)) jar.delete(name);
      else jar.set(name, value);
    }
    this.cookies.set(host, jar);
  }
  header(url: string): string {
    return [...(this.cookies.get(new URL(url).host) ?? new Map<string, string>()).entries()].map(([k, v]) => `${k}=${v}`).join('; ');
  }
  get(url: string, name: string): string | undefined {
    return this.cookies.get(new URL(url).host)?.get(name);
  }
  set(url: string, name: string, value: string): void {
    const host = new URL(url).host;
    this.cookies.set(host, (this.cookies.get(host) ?? new Map<string, string>()).set(name, value));
  }
}

interface World {
  provider: Server;
  issuer: string;
  app: App;
  url: string;
  /** The operators' log, as text. */
  log: () => string;
}

async function listen(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<Server> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

async function startWorld(oidc: Partial<OidcConfig> | false): Promise<World> {
  let handler: (req: IncomingMessage, res: ServerResponse) => void = (_q, s) => void s.writeHead(503).end();
  const provider = await listen((req, res) => handler(req, res));
  const issuer = `http://127.0.0.1:${(provider.address() as AddressInfo).port}`;
  let text = '';
  const destination = new Writable({
    write(chunk, _enc, done) {
      text += chunk.toString();
      done();
    },
  });
  const app = await startApp({
    logger: createLogger({ level: 'info', destination }),
    sqliteFile: ':memory:',
    port: 0,
    checkAnswers: true,
    ui: false,
    workers: false,
    demo: false,
    clock: new ManualClock(at8('2026-03-02')),
    bcryptCost: 4,
    log: () => undefined,
    ...(oidc ? { oidc: { issuer, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, match: 'subject', label: 'Đăng nhập bằng tài khoản Sở', ...oidc } } : {}),
  });
  await app.runtime.engine.addUnits(PROVINCE);
  const hash = await hashPassword('mật-khẩu-thử', 4);
  const at = Date.now();
  await app.accounts.putUser({ id: 'u-an', login: 'gv_an', name: 'Nguyễn Văn An', email: 'an.nguyen@so.edu.vn', passwordHash: hash, createdAt: at }, [
    { role: 'staff', unitId: 'th_a1' },
  ]);
  await app.accounts.putUser(
    { id: 'u-binh', login: 'gv_binh', name: 'Trần Thị Bình', email: 'binh@so.edu.vn', passwordHash: hash, createdAt: at, active: false },
    [{ role: 'staff', unitId: 'th_a1' }],
  );
  await app.accounts.putUser({ id: 'u-chi', login: 'gv_chi', name: 'Lê Chi', email: 'chi@so.edu.vn', passwordHash: hash, createdAt: at }, [
    { role: 'staff', unitId: 'th_a1' },
  ]);
  const url = app.url!;
  // oidc-provider has no types: loaded by a name TypeScript does not resolve.
  const name = 'oidc-provider';
  const { default: Provider } = (await import(name)) as { default: new (issuer: string, config: object) => { callback(): typeof handler } };
  const op = new Provider(issuer, {
    clients: [
      {
        client_id: CLIENT_ID,
        client_secret: CLIENT_SECRET,
        redirect_uris: [`${url}/api/v1/auth/oidc/callback`],
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    async findAccount(_ctx: unknown, sub: string) {
      const claims = ACCOUNTS[sub];
      return claims ? { accountId: sub, claims: async () => ({ sub, ...claims }) } : undefined;
    },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['preferred_username', 'name'] },
    features: { devInteractions: { enabled: true } },
    cookies: { keys: ['a-cookie-key-for-the-test-provider'] },
  });
  handler = op.callback();
  return { provider, issuer, app, url, log: () => text };
}

async function stopWorld(w: World): Promise<void> {
  await w.app.close();
  w.provider.closeAllConnections();
  await new Promise((resolve) => w.provider.close(resolve));
}

interface Outcome {
  /** Where Tiến độ's callback sent the browser. */
  location: string;
  /** The session cookie it set, if any. */
  session?: string;
}

/**
 * A browser signing in as `subject` at the provider: start at Tiến độ, log in and consent at the
 * provider, and back. `tamper` may change the callback URL (or the jar) before the browser follows it.
 */
async function signIn(w: World, subject: string, tamper?: (callback: URL, jar: Jar) => void): Promise<Outcome> {
  const jar = new Jar();
  const go = async (url: string, init: RequestInit = {}) => {
    const res = await fetch(url, { ...init, redirect: 'manual', headers: { ...(init.headers as Record<string, string>), cookie: jar.header(url) } });
    jar.take(url, res);
    return res;
  };
  let res = await go(`${w.url}/api/v1/auth/oidc/start`);
  expect(res.status, await res.clone().text()).to.equal(302);
  let location = new URL(res.headers.get('location')!, w.url).href;
  expect(location.startsWith(`${w.issuer}/auth?`), location).to.equal(true);
  const auth = new URL(location);
  expect(auth.searchParams.get('code_challenge_method')).to.equal('S256');
  expect(auth.searchParams.get('state')).to.be.a('string').and.not.equal('');
  expect(auth.searchParams.get('nonce')).to.be.a('string').and.not.equal('');
  for (let hops = 0; hops < 20; hops++) {
    if (location.startsWith(w.url)) {
      const callback = new URL(location);
      tamper?.(callback, jar);
      res = await go(callback.href);
      expect(res.status).to.equal(302);
      const session = jar.get(w.url, 'tiendo_session');
      return { location: res.headers.get('location')!, ...(session ? { session } : {}) };
    }
    const interaction = /\/interaction\/([^/?]+)$/.exec(new URL(location).pathname);
    if (interaction) {
      const page = await (await go(location)).text();
      const prompt = /name="prompt" value="(\w+)"/.exec(page)?.[1];
      expect(prompt, page.slice(0, 500)).to.be.oneOf(['login', 'consent']);
      const form = new URLSearchParams({ prompt: prompt!, ...(prompt === 'login' ? { login: subject, password: 'whatever' } : {}) });
      res = await go(location, { method: 'POST', body: form.toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    } else {
      res = await go(location);
    }
    expect([302, 303], `${location} answered ${res.status}: ${(await res.clone().text()).slice(0, 300)}`).to.include(res.status);
    location = new URL(res.headers.get('location')!, location).href;
  }
  throw new Error('too many redirects');
}

const me = (w: World, session: string) => fetch(`${w.url}/api/v1/me`, { headers: { cookie: `tiendo_session=${session}` } });

describe('sign-in through the province’s OpenID Connect provider', function () {
  this.timeout(60_000);

  describe('matching by subject (linked once by a verified e-mail)', () => {
    let w: World;
    before(async () => (w = await startWorld({})));
    after(() => stopWorld(w));

    it('the login page is told it is on, and the button’s text', async () => {
      const r = await fetch(`${w.url}/api/v1/auth/oidc`);
      expect(r.status).to.equal(200);
      expect(await r.json()).to.deep.equal({ enabled: true, label: 'Đăng nhập bằng tài khoản Sở' });
    });

    it('a known user signs in: a session /api/v1/me accepts, the subject is linked, and the next sign-in finds it by subject', async () => {
      const first = await signIn(w, 'sub-an');
      expect(first.location).to.equal('/');
      expect(first.session).to.be.a('string');
      const r = await me(w, first.session!);
      expect(r.status).to.equal(200);
      const body = (await r.json()) as { user: { login: string }; csrfToken: string };
      expect(body.user.login).to.equal('gv_an');
      expect(body.csrfToken).to.be.a('string');
      expect(await w.app.runtime.db('users').where({ id: 'u-an' }).first('oidc_subject')).to.deep.equal({ oidc_subject: 'sub-an' });
      // The e-mail changes in Tiến độ: the link by subject holds.
      await w.app.runtime.db('users').where({ id: 'u-an' }).update({ email: 'an.moi@so.edu.vn' });
      const second = await signIn(w, 'sub-an');
      expect(second.location).to.equal('/');
      expect((await me(w, second.session!)).status).to.equal(200);
    });

    it('an identity no Tiến độ user has is refused, and no user is created', async () => {
      const before = await w.app.runtime.db('users').count({ n: '*' });
      const out = await signIn(w, 'sub-nobody');
      expect(out.location).to.equal('/#/login?error=OIDC_NO_SUCH_USER');
      expect(out.session).to.equal(undefined);
      expect(await w.app.runtime.db('users').count({ n: '*' })).to.deep.equal(before);
      // The operators see why; the client secret never reaches the log.
      const refused = w
        .log()
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>)
        .filter((l) => l.msg === 'OpenID Connect sign-in refused');
      expect(refused.map((l) => [l.level, l.code])).to.deep.include(['warn', 'OIDC_NO_SUCH_USER']);
      expect(w.log()).to.not.contain(CLIENT_SECRET);
    });

    it('an inactive user gets no session', async () => {
      const out = await signIn(w, 'sub-binh');
      expect(out.location).to.equal('/#/login?error=OIDC_USER_INACTIVE');
      expect(out.session).to.equal(undefined);
      // Nor through a password (the same session-opening code).
      const password = await fetch(`${w.url}/api/v1/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ login: 'gv_binh', password: 'mật-khẩu-thử' }),
      });
      expect(password.status).to.equal(403);
      expect(((await password.json()) as { error: { code: string } }).error.code).to.equal('USER_INACTIVE');
      expect(password.headers.get('set-cookie')).to.equal(null);
      expect((await w.app.runtime.db('sessions').where({ user_id: 'u-binh' }).count({ n: '*' }))[0]).to.deep.equal({ n: 0 });
    });

    it('an unverified e-mail links nobody', async () => {
      const out = await signIn(w, 'sub-unverified');
      expect(out.location).to.equal('/#/login?error=OIDC_EMAIL_UNVERIFIED');
      expect(out.session).to.equal(undefined);
      expect(await w.app.runtime.db('users').where({ id: 'u-chi' }).first('oidc_subject')).to.deep.equal({ oidc_subject: null });
    });

    it('a tampered state, a forged flow cookie or a missing one is refused', async () => {
      const state = await signIn(w, 'sub-an', (callback) => callback.searchParams.set('state', 'forged-state'));
      expect(state.location).to.equal('/#/login?error=OIDC_STATE_MISMATCH');
      expect(state.session).to.equal(undefined);
      const forged = await signIn(w, 'sub-an', (callback, jar) => {
        const [body] = jar.get(callback.href, 'tiendo_oidc_flow')!.split('.');
        jar.set(callback.href, 'tiendo_oidc_flow', `${body}.AAAA`);
      });
      expect(forged.location).to.equal('/#/login?error=OIDC_STATE_MISMATCH');
      expect(forged.session).to.equal(undefined);
      const none = await signIn(w, 'sub-an', (callback, jar) => jar.set(callback.href, 'tiendo_oidc_flow', ''));
      expect(none.location).to.equal('/#/login?error=OIDC_FLOW_EXPIRED');
      expect(none.session).to.equal(undefined);
    });

    it('a callback with a made-up code is refused without a stack trace', async () => {
      const out = await signIn(w, 'sub-an', (callback) => callback.searchParams.set('code', 'made-up-code'));
      expect(out.location).to.equal('/#/login?error=OIDC_FAILED');
      expect(out.session).to.equal(undefined);
    });
  });

  describe('matching by login (preferred_username)', () => {
    let w: World;
    before(async () => (w = await startWorld({ match: 'login' })));
    after(() => stopWorld(w));

    it('signs in the user whose login the provider names, without linking a subject', async () => {
      const out = await signIn(w, 'sub-unverified');
      expect(out.location).to.equal('/');
      const r = await me(w, out.session!);
      expect(((await r.json()) as { user: { login: string } }).user.login).to.equal('gv_chi');
      expect(await w.app.runtime.db('users').where({ id: 'u-chi' }).first('oidc_subject')).to.deep.equal({ oidc_subject: null });
      expect((await signIn(w, 'sub-nobody')).location).to.equal('/#/login?error=OIDC_NO_SUCH_USER');
    });
  });

  it('is configured from TIENDO_OIDC_*, and a wrong setting stops the start with what to fix', () => {
    expect(loadConfig({}).oidc).to.equal(undefined);
    expect(
      loadConfig({
        TIENDO_OIDC_ISSUER: 'https://id.sogd.example.vn/realms/so',
        TIENDO_OIDC_CLIENT_ID: 'tiendo',
        TIENDO_OIDC_CLIENT_SECRET: 's3cret',
        TIENDO_OIDC_MATCH: 'email',
        TIENDO_BASE_URL: 'https://tiendo.sogd.example.vn/',
      }).oidc,
    ).to.deep.equal({
      issuer: 'https://id.sogd.example.vn/realms/so',
      clientId: 'tiendo',
      clientSecret: 's3cret',
      redirectUri: 'https://tiendo.sogd.example.vn/api/v1/auth/oidc/callback',
      match: 'email',
      label: 'Đăng nhập bằng tài khoản Sở',
    });
    expect(() => loadConfig({ TIENDO_OIDC_ISSUER: 'http://id.sogd.example.vn', TIENDO_OIDC_CLIENT_ID: 'x' })).to.throw(/must be https/);
    expect(() => loadConfig({ TIENDO_OIDC_ISSUER: 'https://id.sogd.example.vn' })).to.throw(/TIENDO_OIDC_CLIENT_ID/);
    expect(() => loadConfig({ TIENDO_OIDC_ISSUER: 'https://id.sogd.example.vn', TIENDO_OIDC_CLIENT_ID: 'x', TIENDO_OIDC_MATCH: 'phone' })).to.throw(
      /subject, login, email/,
    );
  });

  describe('turned off (no TIENDO_OIDC_ISSUER)', () => {
    let w: World;
    before(async () => (w = await startWorld(false)));
    after(() => stopWorld(w));

    it('start and callback answer 404; the login page is told it is off', async () => {
      for (const path of ['/api/v1/auth/oidc/start', '/api/v1/auth/oidc/callback?code=x&state=y']) {
        const r = await fetch(`${w.url}${path}`, { redirect: 'manual' });
        expect(r.status, path).to.equal(404);
        expect(((await r.json()) as { error: { code: string } }).error.code).to.equal('NOT_FOUND');
      }
      const r = await fetch(`${w.url}/api/v1/auth/oidc`);
      expect(await r.json()).to.deep.equal({ enabled: false, label: null });
    });
  });
});
