// A real server on an in-memory SQLite store for the API tests: the province of the contract suites,
// one user per role and unit, and a small client that signs in (cookie + CSRF token) or uses a
// bearer token. bcrypt runs at its lowest cost so signing in stays fast.
import { startApp, type App } from '../../adapters/app.ts';
import { hashPassword } from '../../adapters/http/auth.ts';
import type { NotifyEnvConfig } from '../../adapters/notify/index.ts';
import type { AccessRole } from '../../engine/access.ts';
import { ManualClock } from '../../engine/ports.ts';
import { at8, PROVINCE } from '../support/runtime.ts';

export const PASSWORD = 'mật-khẩu-thử';

/** login → grants. Siblings and parents of each other, for the scope tests. */
export const USERS: Record<string, { role: AccessRole; unitId: string }[]> = {
  admin_so: [{ role: 'admin', unitId: 'so' }],
  sup_so: [{ role: 'supervisor', unitId: 'so' }],
  sup_a: [{ role: 'supervisor', unitId: 'pgd_a' }],
  admin_a: [{ role: 'admin', unitId: 'pgd_a' }],
  staff_a: [{ role: 'staff', unitId: 'pgd_a' }],
  staff_th_a1: [{ role: 'staff', unitId: 'th_a1' }],
  staff_thcs_a1: [{ role: 'staff', unitId: 'thcs_a1' }],
  staff_th_b1: [{ role: 'staff', unitId: 'th_b1' }],
  staff_thpt: [{ role: 'staff', unitId: 'thpt_1' }],
  staff_so: [{ role: 'staff', unitId: 'so' }],
};

export interface TestServer {
  app: App;
  url: string;
  clock: ManualClock;
  client(login?: string): Promise<Client>;
  close(): Promise<void>;
}

export async function startTestServer(options: { start?: number; loginLimit?: number; notify?: NotifyEnvConfig } = {}): Promise<TestServer> {
  const clock = new ManualClock(options.start ?? at8('2026-03-02'));
  const app = await startApp({
    sqliteFile: ':memory:',
    port: 0,
    checkAnswers: true,
    ui: false,
    workers: false,
    demo: false,
    clock,
    bcryptCost: 4,
    loginLimit: options.loginLimit ?? 1000,
    log: (m) => (process.env.TIENDO_TEST_LOG ? console.error(m) : undefined),
    ...(options.notify ? { notify: options.notify } : {}),
  });
  await app.runtime.engine.addUnits(PROVINCE);
  const hash = await hashPassword(PASSWORD, 4);
  let n = 0;
  for (const [login, grants] of Object.entries(USERS)) {
    await app.accounts.putUser(
      { id: `u${++n}`, login, name: `Người dùng ${login}`, email: `${login}@test.vn`, passwordHash: hash, createdAt: clock.now() },
      grants,
    );
  }
  const url = app.url!;
  return {
    app,
    url,
    clock,
    async client(login?: string) {
      const c = new Client(url);
      if (login) await c.login(login);
      return c;
    },
    close: () => app.close(),
  };
}

export interface Answer<T = any> {
  status: number;
  body: T;
  headers: Headers;
  text: string;
  /** The body as sent (fetch's text() drops a byte-order mark). */
  bytes: Buffer;
}

export class Client {
  cookie?: string;
  csrf?: string;
  bearer?: string;
  constructor(readonly base: string) {}

  async login(login: string, password = PASSWORD): Promise<Answer> {
    const r = await this.post('/api/v1/session', { login, password });
    if (r.status === 200) {
      this.cookie = r.headers.get('set-cookie')!.split(';')[0];
      this.csrf = r.body.csrfToken;
    }
    return r;
  }

  get = (path: string, headers: Record<string, string> = {}) => this.call('GET', path, undefined, headers);
  post = (path: string, body?: unknown, headers: Record<string, string> = {}) => this.call('POST', path, body, headers);
  patch = (path: string, body?: unknown, headers: Record<string, string> = {}) => this.call('PATCH', path, body, headers);
  delete = (path: string, headers: Record<string, string> = {}) => this.call('DELETE', path, undefined, headers);

  async call(method: string, path: string, body?: unknown, extra: Record<string, string> = {}): Promise<Answer> {
    const headers: Record<string, string> = { ...(body !== undefined ? { 'content-type': 'application/json' } : {}) };
    if (this.cookie) headers.cookie = this.cookie;
    if (this.csrf && method !== 'GET') headers['x-csrf-token'] = this.csrf;
    if (this.bearer) headers.authorization = `Bearer ${this.bearer}`;
    const res = await fetch(this.base + path, {
      method,
      headers: { ...headers, ...extra },
      ...(body !== undefined ? { body: typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body) } : {}),
    });
    const bytes = Buffer.from(await res.arrayBuffer());
    const text = bytes.toString('utf8');
    let parsed: unknown = text;
    if ((res.headers.get('content-type') ?? '').includes('json') && text) parsed = JSON.parse(text);
    return { status: res.status, body: parsed as any, headers: res.headers, text, bytes };
  }
}

/** The error shape every failure answers with. */
export function errorOf(r: Answer): { code: string; message: string; details: Record<string, unknown> } {
  if (!r.body?.error) throw new Error(`expected an error body, got ${r.status} ${r.text.slice(0, 300)}`);
  return r.body.error;
}

/** Every table but sessions (signing in writes one): what a refused request must leave as it was. */
export const STORE_TABLES = [
  'org_units',
  'definitions',
  'campaigns',
  'instances',
  'tasks',
  'history',
  'timers',
  'outbox',
  'idempotency_keys',
  'escalations',
  'inbox',
  'jobs',
  'users',
  'grants',
  'api_tokens',
  'attachments',
  'comments',
  'file_blobs',
] as const;

/** The rows of the store's tables, per table, as text: two snapshots compare equal when nothing changed. */
export async function storeSnapshot(app: App, tables: readonly string[] = STORE_TABLES): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const table of tables) out[table] = JSON.stringify(await app.runtime.db(table).select().orderByRaw('1'));
  return out;
}
