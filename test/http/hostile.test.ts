// The hostile-input corpus (test/fixtures/hostile/manifest.json) through the real server: YAML drafts
// to /definitions/validate and /definitions, API bodies, paths, queries and headers, credentials,
// forged ids, replayed idempotency keys, and SQL and HTML in every text field of every POST route.
// Each case gets its documented answer — exact status and error code, the problem located (line and
// column of a draft, the field of a body) — the server still answers /api/health, and the store is
// exactly as it was. Then: text the UI shows comes back from the API as the same literal text, and
// the UI inserts text only.
//
// The cases that once answered 500 on PostgreSQL (NUL in text, integers past a 32-bit column) run
// there too when it is reachable.
import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { startApp, type App } from '../../adapters/app.ts';
import { hashPassword, issueToken } from '../../adapters/http/auth.ts';
import { ROUTES } from '../../adapters/http/routes/index.ts';
import { createCampaign, runCampaign } from '../../engine/service/campaigns.ts';
import { ManualClock } from '../../engine/ports.ts';
import { at8, PROVINCE } from '../support/runtime.ts';
import { POSTGRES_URL, requireService } from '../support/services.ts';
import { Client, PASSWORD, startTestServer, STORE_TABLES, storeSnapshot, USERS, type Answer } from './support.ts';

const DIR = fileURLToPath(new URL('../fixtures/hostile/', import.meta.url));
const UI_SRC = fileURLToPath(new URL('../../ui/src/', import.meta.url));
const read = (file: string) => readFileSync(join(DIR, file), 'utf8');

interface Expect {
  status?: number;
  code?: string;
  /** details.errors[].field of a 400 (or of a form error) */
  field?: string;
  /** substrings of the error message */
  message?: string;
  /** a YAML diagnostic: its code, line (or a range) and column */
  line?: number | [number, number];
  column?: number;
  valid?: boolean;
  /** a 400 MALFORMED_JSON that points at the first byte that is not UTF-8 */
  badByte?: boolean;
  /** a success that must leave the store as it was */
  unchanged?: boolean;
  replayed?: boolean;
  json?: Record<string, unknown>;
  /** the response's value at this dotted path is the payload, byte for byte */
  echo?: string;
  /** this table holds the payload as sent */
  stored?: string;
}

interface Case {
  id: string;
  kind: 'yaml' | 'request' | 'inject' | 'brute-force';
  note: string;
  expect: Expect;
  pg?: boolean;
  // yaml
  file?: string;
  base?: string;
  edits?: { find: string; replace: string }[];
  rawEdit?: { find: string; hex: string };
  rawAppendHex?: string;
  generate?: string;
  crlf?: boolean;
  maxMs?: number;
  /** sent to validate only (a big draft parsed once is enough) */
  validateOnly?: boolean;
  diagramHas?: string;
  diagramLinesNot?: string;
  // requests
  as?: string | null;
  auth?: string;
  method?: string;
  path?: string;
  body?: unknown;
  raw?: string;
  headers?: Record<string, string>;
  keyEncoded?: boolean;
  prime?: { method: string; path: string; body?: unknown; headers?: Record<string, string> };
  // injections
  route?: string;
  field?: string;
  // brute force
  login?: string;
}

const manifest = JSON.parse(read('manifest.json')) as { payloads: string[]; cases: Case[] };

/** A server to run cases against: the SQLite one of support.ts, or one on PostgreSQL. */
interface Target {
  app: App;
  url: string;
  clock: ManualClock;
  close(): Promise<void>;
}

async function snapshot(t: Target): Promise<Record<string, string>> {
  return storeSnapshot(t.app);
}
function changedTables(a: Record<string, string>, b: Record<string, string>): string[] {
  return STORE_TABLES.filter((t) => a[t] !== b[t]);
}

const HOSTILE_NAME = '<img src=x onerror=alert(1)>';
const FORMULA_NAME = '=HYPERLINK("http://x.invalid","bấm")';

/** Fixtures every case may name: {thcs}, {probeTask}, … */
interface Fixtures {
  ids: Record<string, string>;
  tokens: Map<string, string>;
}

async function makeFixtures(t: Target): Promise<Fixtures> {
  const engine = t.app.runtime.engine;
  const by = { actor: 'fixture' };
  await engine.catalog.publish(read('yaml/probe.yaml'), 'hostile-probe.yaml', 'fixture');
  await engine.addUnits([
    { id: 'th_xss', parentId: 'pgd_a', kind: 'primary', name: HOSTILE_NAME },
    { id: 'th_formula', parentId: 'pgd_a', kind: 'primary', name: FORMULA_NAME },
  ]);
  await t.app.accounts.putUser(
    { id: 'u-xss', login: 'xss', name: HOSTILE_NAME, email: 'xss@test.vn', passwordHash: await hashPassword(PASSWORD, 4), createdAt: t.clock.now() },
    [{ role: 'staff', unitId: 'th_xss' }],
  );
  const start = async (definitionId: string, orgUnitId: string) => (await engine.start({ definitionId, orgUnitId }, by)).id;
  const ids: Record<string, string> = {
    thcs: await start('accreditation-general-school', 'thcs_a1'),
    thpt: await start('accreditation-general-school', 'thpt_1'),
    probe: await start('hostile-probe', 'th_a1'),
    b1: await start('hostile-probe', 'th_b1'),
    cancelled: await start('hostile-probe', 'th_a2'),
    xssInstance: await start('hostile-probe', 'th_xss'),
    formulaInstance: await start('hostile-probe', 'th_formula'),
  };
  await engine.cancel(ids.cancelled!, 'sáp nhập', by);
  const campaign = await createCampaign(engine, { definitionId: 'hostile-probe', rootUnitId: 'pgd_b', kinds: ['primary'] }, by);
  await runCampaign(engine, campaign.id, by);
  ids.campaignB = campaign.id;
  // overdue and escalated: escalations and notices to forge
  t.clock.set(at8('2026-03-10'));
  await t.app.runtime.runDue();
  return { ids, tokens: new Map() };
}

async function startPgTarget(): Promise<Target> {
  const clock = new ManualClock(at8('2026-03-02'));
  const schema = `hostile_${process.pid}_${Date.now()}`;
  const app = await startApp({
    checkAnswers: true,
    databaseUrl: POSTGRES_URL,
    pgSchema: schema,
    port: 0,
    ui: false,
    workers: false,
    demo: false,
    clock,
    bcryptCost: 4,
    loginLimit: 1000,
    log: () => undefined,
  });
  await app.runtime.engine.addUnits(PROVINCE);
  const hash = await hashPassword(PASSWORD, 4);
  let n = 0;
  for (const [login, grants] of Object.entries(USERS))
    await app.accounts.putUser(
      { id: `u${++n}`, login, name: `Người dùng ${login}`, email: `${login}@test.vn`, passwordHash: hash, createdAt: clock.now() },
      grants,
    );
  return {
    app,
    url: app.url!,
    clock,
    close: async () => {
      await app.runtime.db.raw(`drop schema if exists "${schema}" cascade`);
      await app.close();
    },
  };
}

/** Runs cases against one server: resolves placeholders, signs in as asked, sends, checks. */
class Runner {
  private clients = new Map<string, Client>();
  constructor(
    readonly t: Target,
    readonly f: Fixtures,
  ) {}

  async client(login: string): Promise<Client> {
    let c = this.clients.get(login);
    if (!c) {
      c = new Client(this.t.url);
      const r = await c.login(login);
      if (r.status !== 200) throw new Error(`cannot sign in as ${login}: ${r.status} ${r.text}`);
      this.clients.set(login, c);
    }
    return c;
  }

  async token(login: string): Promise<string> {
    if (!this.f.tokens.has(login)) {
      const user = await this.t.app.accounts.findByLogin(login);
      this.f.tokens.set(login, await issueToken(this.t.app.accounts, user!.id, 'hostile', this.t.clock.now()));
    }
    return this.f.tokens.get(login)!;
  }

  /** A placeholder's value now: tasks, escalations and notices are looked up when used. */
  async resolve(name: string): Promise<string | number> {
    const db = this.t.app.runtime.db;
    const openTask = async (instance: string) =>
      (await db('tasks').where({ instance_id: this.f.ids[instance], status: 'open' }).orderBy('task').first('id'))?.id as string;
    switch (name) {
      case 'thcsTask':
        return openTask('thcs');
      case 'probeTask':
        return openTask('probe');
      case 'b1Task':
        return openTask('b1');
      case 'b1Escalation':
        return (await db('escalations').where({ instance_id: this.f.ids.b1 }).orderBy('id').first('id')).id as string;
      case 'b1Notice':
        return (await db('inbox').where({ unit_id: 'th_b1' }).orderBy('id').first('id')).id as number;
      default:
        if (!(name in this.f.ids)) throw new Error(`unknown placeholder {${name}}`);
        return this.f.ids[name]!;
    }
  }

  async fill(text: string): Promise<string> {
    let out = text;
    for (const m of text.matchAll(/\{([A-Za-z0-9]+)\}/g)) out = out.replace(m[0], String(await this.resolve(m[1]!)));
    return out;
  }

  /** Placeholders in a JSON value; a string that is only a placeholder takes the fixture's type. */
  async fillValue(v: unknown): Promise<unknown> {
    if (typeof v === 'string') {
      const whole = /^\{([A-Za-z0-9]+)\}$/.exec(v);
      return whole ? this.resolve(whole[1]!) : this.fill(v);
    }
    if (Array.isArray(v)) return Promise.all(v.map((x) => this.fillValue(x)));
    if (v && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v))
        Object.defineProperty(out, await this.fill(k), { value: await this.fillValue(x), enumerable: true, writable: true, configurable: true });
      return out;
    }
    return v;
  }

  /** Headers for a caller: cookie and CSRF token, or a bearer token, as the case's `auth` says. */
  async credentials(c: Case): Promise<{ headers: Record<string, string> }> {
    if (!c.as) return { headers: {} };
    const auth = c.auth ?? 'cookie';
    if (auth === 'token') return { headers: { authorization: `Bearer ${await this.token(c.as)}` } };
    if (auth.startsWith('token+cookie:')) {
      const other = await this.client(auth.slice('token+cookie:'.length));
      return { headers: { authorization: `Bearer ${await this.token(c.as)}`, cookie: other.cookie!, 'x-csrf-token': other.csrf! } };
    }
    if (auth === 'expired') {
      // a session that ran out: its end moved to now (the clock only goes forward, and moving it would
      // end every other session of the run too)
      const fresh = new Client(this.t.url);
      await fresh.login(c.as);
      const idHash = createHash('sha256').update(fresh.cookie!.split('=')[1]!).digest('hex');
      expect(await this.t.app.runtime.db('sessions').where({ id_hash: idHash }).update({ expires_at: this.t.clock.now() })).to.equal(1);
      return { headers: { cookie: fresh.cookie!, 'x-csrf-token': fresh.csrf! } };
    }
    if (auth === 'signed-out') {
      const fresh = new Client(this.t.url);
      await fresh.login(c.as);
      expect((await fresh.delete('/api/v1/session')).status).to.equal(204);
      return { headers: { cookie: fresh.cookie!, 'x-csrf-token': fresh.csrf! } };
    }
    const me = await this.client(c.as);
    if (auth === 'cookie') return { headers: { cookie: me.cookie!, 'x-csrf-token': me.csrf! } };
    if (auth === 'csrf-missing') return { headers: { cookie: me.cookie! } };
    if (auth === 'csrf-wrong') return { headers: { cookie: me.cookie!, 'x-csrf-token': 'x'.repeat(me.csrf!.length) } };
    if (auth.startsWith('csrf-of:')) return { headers: { cookie: me.cookie!, 'x-csrf-token': (await this.client(auth.slice('csrf-of:'.length))).csrf! } };
    throw new Error(`unknown auth ${auth}`);
  }

  async send(method: string, path: string, body: string | Buffer | undefined, headers: Record<string, string>): Promise<Answer> {
    const res = await fetch(this.t.url + path, {
      method,
      headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
      ...(body !== undefined ? { body } : {}),
    });
    const bytes = Buffer.from(await res.arrayBuffer());
    const text = bytes.toString('utf8');
    let parsed: unknown = text;
    if ((res.headers.get('content-type') ?? '').includes('json') && text) parsed = JSON.parse(text);
    return { status: res.status, body: parsed as any, headers: res.headers, text, bytes };
  }

  async health(): Promise<void> {
    const r = await this.send('GET', '/api/health', undefined, {});
    expect([r.status, r.body], 'the server still answers /api/health').to.deep.equal([200, { status: 'ok' }]);
  }

  /** One request case: credentials, body, the answer, health and the snapshot. */
  async request(c: Case, body: string | Buffer | undefined, extraHeaders: Record<string, string> = {}, payload?: string): Promise<Answer> {
    const e = c.expect;
    if (c.prime) {
      const { headers } = await this.credentials(c);
      await this.send(c.prime.method, await this.fill(c.prime.path), JSON.stringify(await this.fillValue(c.prime.body)), {
        ...headers,
        ...(c.prime.headers ?? {}),
      });
    }
    const { headers } = await this.credentials(c);
    const before = await snapshot(this.t);
    const own = Object.fromEntries(
      Object.entries(c.headers ?? {}).map(([k, v]) => [
        k,
        c.keyEncoded && k === 'idempotency-key' ? Buffer.from(decodeURIComponent(v), 'utf8').toString('latin1') : v,
      ]),
    );
    const r = await this.send(c.method!, await this.fill(c.path!), body, { ...headers, ...extraHeaders, ...own });
    await this.t.app.settled();
    this.checkAnswer(r, e, payload);
    await this.health();
    if ((r.status >= 400 || e.unchanged || e.replayed) && !e.stored) {
      expect(changedTables(before, await snapshot(this.t)), 'tables changed by a refused request').to.deep.equal([]);
    }
    if (e.stored && payload !== undefined) {
      // as a column of its own, or inside a JSON column
      const rows = JSON.stringify(await this.t.app.runtime.db(e.stored).select());
      const once = JSON.stringify(payload).slice(1, -1);
      expect(
        [once, JSON.stringify(once).slice(1, -1)].some((x) => rows.includes(x)),
        `${e.stored} holds the text as sent`,
      ).to.equal(true);
    }
    return r;
  }

  checkAnswer(r: Answer, e: Expect, payload?: string): void {
    const sub = (s: string) => (payload !== undefined ? s.split('$').join(payload) : s);
    const where = `${r.status} ${r.text.slice(0, 400)}`;
    if (e.status !== undefined) expect(r.status, where).to.equal(e.status);
    if (e.status !== undefined && e.status >= 400) {
      expect(r.headers.get('content-type') ?? '', where).to.include('application/json');
      expect(r.body?.error, where).to.be.an('object');
      const err = r.body.error as { code: string; message: string; details: Record<string, any> };
      if (e.code) expect(err.code, where).to.equal(e.code);
      expect(err.message, where)
        .to.be.a('string')
        .and.not.match(/\bat .*\.ts:\d+|node_modules|Error:/);
      if (e.field !== undefined) {
        const field = sub(e.field);
        const fields = ((err.details.errors ?? []) as { field: string }[]).map((x) => x.field);
        expect(fields, `${where}\nfield ${field}`).to.include(field);
        if (e.status === 400) expect(err.message, where).to.include(field.replace(/^header\./, ''));
      }
      if (e.message) expect(err.message, where).to.include(sub(e.message));
      if (e.line !== undefined)
        expect(
          (err.details.diagnostics as { line: number }[]).map((d) => d.line),
          where,
        ).to.include(e.line);
    }
    if (e.valid !== undefined) expect(r.body.valid, where).to.equal(e.valid);
    if (e.json) expect(r.body, where).to.deep.include(e.json);
    if (e.replayed) expect(r.headers.get('idempotent-replayed'), where).to.equal('true');
    if (e.echo && payload !== undefined)
      expect(
        e.echo.split('.').reduce((o: any, k) => o?.[k], r.body),
        where,
      ).to.equal(payload);
  }
}

/** Sources too big to keep in the repository, made when a case runs. */
const base = () => read('yaml/base.yaml');
const GENERATED: Record<string, () => string> = {
  tenMegabytes: () => base() + '\n# ' + 'x'.repeat(10 * 1024 * 1024) + '\n',
  overOneMebibyte: () => 'id: hostile-big\ndescription: "' + 'ệ'.repeat(600_000) + '"\n',
  overSourceLength: () => 'id: hostile-long\n# ' + 'x'.repeat(1_000_000) + '\n',
  manyKeys: () => base() + 'x: {' + Array.from({ length: 40_000 }, (_, i) => `k${i.toString(36)}: 0`).join(', ') + '}\n',
  deepFlow: () => 'id: hostile-deep\nversion: 1\nstages: ' + '['.repeat(10_000) + ']'.repeat(10_000) + '\n',
  deepFlowMaps: () => 'id: hostile-deep\nversion: 1\nstages: ' + '{a: '.repeat(10_000) + '1' + '}'.repeat(10_000) + '\n',
  deepSeq: () => 'id: hostile-deep\nversion: 1\nstages: ' + '- '.repeat(10_000) + 'x\n',
  empty: () => '',
  scalarRoot: () => 'hello\n',
};
const GENERATED_BODIES: Record<string, () => { body: string | Buffer; headers?: Record<string, string> }> = {
  hugeLogin: () => ({ body: JSON.stringify({ login: 'a'.repeat(1_900_000), password: 'x' }) }),
  hugeNote: () => ({ body: JSON.stringify({ data: { note: 'n'.repeat(1_500_000) } }) }),
  fiveMegabytes: () => ({ body: JSON.stringify({ name: 'x'.repeat(5 * 1024 * 1024) }) }),
  gzipBomb: () => ({ body: gzipSync(JSON.stringify({ name: 'x'.repeat(40 * 1024 * 1024) })), headers: { 'content-encoding': 'gzip' } }),
  deep1000: () => ({ body: '{"type":"NOTE","data":{"note":' + '['.repeat(1000) + ']'.repeat(1000) + '}}' }),
  deep100000: () => ({ body: '{"type":"NOTE","data":{"note":' + '['.repeat(100_000) + ']'.repeat(100_000) + '}}' }),
  deepTask: () => ({ body: '{"data":{"note":' + '{"a":'.repeat(1000) + '1' + '}'.repeat(1000) + '}}' }),
  deepRoot: () => ({ body: '['.repeat(1000) + ']'.repeat(1000) }),
  manyIds: () => ({ body: JSON.stringify({ ids: Array.from({ length: 501 }, (_, i) => i + 1) }) }),
  nulSource: () => ({ body: JSON.stringify({ source: base().replace('Báo cáo thử', 'Báo\u0000cáo thử') }) }),
};

/** Raw bytes as the inside of a JSON string: quotes, backslashes and controls escaped, every other byte as is. */
function jsonStringOfBytes(bytes: Buffer): Buffer {
  const out: number[] = [];
  for (const b of bytes) {
    if (b === 0x22 || b === 0x5c) out.push(0x5c, b);
    else if (b < 0x20) out.push(...Buffer.from(`\\u${b.toString(16).padStart(4, '0')}`));
    else out.push(b);
  }
  return Buffer.from(out);
}

/** The YAML draft a case sends: text, or raw bytes (for invalid UTF-8) with where they start. */
function yamlBody(c: Case): { body: string | Buffer; badAt?: number } {
  if (c.rawEdit || c.rawAppendHex) {
    const src = Buffer.from(base(), 'utf8');
    const bad = Buffer.from((c.rawEdit?.hex ?? c.rawAppendHex)!, 'hex');
    const at = c.rawEdit ? src.indexOf(Buffer.from(c.rawEdit.find, 'utf8')) : src.length;
    expect(at, c.id).to.be.at.least(0);
    const head = Buffer.concat([Buffer.from('{"source":"'), jsonStringOfBytes(src.subarray(0, at))]);
    const tail = c.rawEdit ? src.subarray(at + Buffer.byteLength(c.rawEdit.find)) : Buffer.alloc(0);
    return { body: Buffer.concat([head, bad, jsonStringOfBytes(tail), Buffer.from('"}')]), badAt: head.length };
  }
  let source: string;
  if (c.generate) source = GENERATED[c.generate]!();
  else if (c.file) source = read(c.file);
  else {
    source = read(c.base!);
    for (const e of c.edits ?? []) {
      expect(source, `${c.id}: edit target`).to.include(e.find);
      source = source.replace(e.find, e.replace);
    }
  }
  if (c.crlf) source = source.replace(/\n/g, '\r\n');
  return { body: JSON.stringify({ source }) };
}

async function runYaml(run: Runner, c: Case): Promise<void> {
  const e = c.expect;
  const { body, badAt } = yamlBody(c);
  const started = Date.now();
  for (const route of e.valid || c.validateOnly ? ['validate'] : ['validate', 'publish']) {
    const path = route === 'validate' ? '/api/v1/definitions/validate' : '/api/v1/definitions';
    const status = e.status ?? (e.valid || route === 'validate' ? 200 : 422);
    const code = e.code && (e.status !== undefined || route === 'validate') ? e.code : 'DEFINITION_INVALID';
    // checking a draft never changes anything, whatever it answers
    const r = await run.request(
      {
        ...c,
        as: 'admin_so',
        method: 'POST',
        path,
        expect: {
          status,
          ...(status >= 400 ? { code } : {}),
          ...(e.field ? { field: e.field } : {}),
          ...(e.message ? { message: e.message } : {}),
          ...(route === 'validate' ? { unchanged: true } : {}),
        },
      },
      body,
    );
    if (e.badByte) {
      const offset = r.body.error.details.offset as number;
      expect(offset, `${c.id}: the first bad byte`).to.equal(badAt);
      expect(r.body.error.message).to.include(`line ${r.body.error.details.line}, column ${r.body.error.details.column}`);
    }
    if (e.status !== undefined) continue;
    if (e.valid) {
      expect(r.body.valid, `${c.id}: ${JSON.stringify(r.body.diagnostics)}`).to.equal(true);
      const mermaid = r.body.diagram.mermaid as string;
      if (c.diagramHas) expect(mermaid).to.include(c.diagramHas);
      if (c.diagramLinesNot)
        expect(
          mermaid.split('\n').filter((l) => new RegExp(c.diagramLinesNot!).test(l)),
          mermaid,
        ).to.deep.equal([]);
      continue;
    }
    // located: the diagnostic's code at its line and column; the publish message as file:line:column
    const diagnostics = (route === 'validate' ? r.body.diagnostics : r.body.error.details.diagnostics) as {
      code: string;
      line: number;
      column: number;
      message: string;
    }[];
    const d = diagnostics.find((x) => x.code === e.code);
    expect(d, `${c.id} (${route}): ${JSON.stringify(diagnostics).slice(0, 600)}`).to.not.equal(undefined);
    if (Array.isArray(e.line)) expect(d!.line, `${c.id} line`).to.be.within(e.line[0], e.line[1]);
    else expect(d!.line, `${c.id} line`).to.equal(e.line);
    if (e.column !== undefined) expect(d!.column, `${c.id} column`).to.equal(e.column);
    expect(d!.message, c.id).to.be.a('string').with.length.above(5);
    if (route === 'publish') expect(r.body.error.message, c.id).to.match(new RegExp(`\\.yaml:${d!.line}:${d!.column}: error ${e.code} `));
  }
  if (c.maxMs) expect(Date.now() - started, `${c.id}: answered within ${c.maxMs} ms`).to.be.below(c.maxMs);
}

async function runRequest(run: Runner, c: Case): Promise<void> {
  if (c.generate) {
    const g = GENERATED_BODIES[c.generate]!();
    await run.request(c, g.body, g.headers ?? {});
  } else if (c.raw !== undefined) await run.request(c, c.raw);
  else await run.request(c, c.body === undefined ? undefined : JSON.stringify(await run.fillValue(c.body)));
}

/** The slot "$" (a value or a key) filled with a payload. */
function withPayload(v: unknown, payload: string): unknown {
  if (v === '$') return payload;
  if (Array.isArray(v)) return v.map((x) => withPayload(x, payload));
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k === '$' ? payload : k, withPayload(x, payload)]));
  return v;
}

async function runInject(run: Runner, c: Case, payload: string): Promise<void> {
  const body = JSON.stringify(await run.fillValue(withPayload(c.body, payload)));
  const e = c.expect;
  const r = await run.request(c, body, {}, payload);
  if (e.valid === false) {
    expect((r.body.diagnostics as { line: number }[]).map((d) => d.line)).to.include(e.line);
  }
}

async function runBruteForce(run: Runner, c: Case, limit: number): Promise<void> {
  const login = c.login!;
  const before = await snapshot(run.t);
  const attempt = (password: string, as = login) => run.send('POST', '/api/v1/session', JSON.stringify({ login: as, password }), {});
  const statuses: number[] = [];
  for (let i = 0; i < limit + 2; i++) statuses.push((await attempt(`đoán-${i}`)).status);
  expect(statuses).to.deep.equal([...Array(limit).fill(401), 429, 429]);
  const right = await attempt(PASSWORD);
  run.checkAnswer(right, c.expect);
  expect(right.body.error.details.retryAfterS).to.be.a('number');
  run.checkAnswer(await attempt(PASSWORD, login.toUpperCase()), c.expect);
  expect((await attempt(PASSWORD, 'staff_thcs_a1')).status, 'another login is not limited').to.equal(200);
  await run.health();
  expect(changedTables(before, await snapshot(run.t))).to.deep.equal([]);
}

/** Text fields of a route's body schema: "body.reason", "body.filter.unitId", "body.kinds[]",
 * "body.anchors{}" (values), "body.anchors{key}" (keys); a free-form object is both. */
function textFields(schema: any, path: string): string[] {
  if (!schema || typeof schema !== 'object') return [];
  const types: string[] = Array.isArray(schema.type) ? schema.type : [schema.type];
  const out: string[] = [];
  if (types.includes('string') || Array.isArray(schema.enum)) out.push(path);
  if (types.includes('object')) {
    for (const [k, v] of Object.entries(schema.properties ?? {})) out.push(...textFields(v, `${path}.${k}`));
    if (schema.additionalProperties && typeof schema.additionalProperties === 'object')
      out.push(`${path}{key}`, ...textFields(schema.additionalProperties, `${path}{}`));
    if (!schema.properties && schema.additionalProperties === undefined) out.push(`${path}{key}`, `${path}{}`);
  }
  if (types.includes('array')) out.push(...textFields(schema.items, `${path}[]`));
  return out;
}

function describeCases(name: string, cases: Case[], start: () => Promise<Target>, options: { pg?: boolean; loginLimit: number }) {
  describe(name, function () {
    this.timeout(60_000);
    let t: Target;
    let run: Runner;
    before(async function () {
      if (options.pg) await requireService(this, 'PostgreSQL');
      t = await start();
      run = new Runner(t, await makeFixtures(t));
    });
    after(() => t?.close());

    for (const c of cases) {
      const payloads = c.kind === 'inject' ? manifest.payloads : [undefined];
      for (const payload of payloads) {
        it(`${c.id}${payload ? ` ← ${payload}` : ''}: ${c.note ?? ''}`.slice(0, 200), async () => {
          if (c.kind === 'yaml') await runYaml(run, c);
          else if (c.kind === 'request') await runRequest(run, c);
          else if (c.kind === 'inject') await runInject(run, c, payload!);
          else await runBruteForce(run, c, options.loginLimit);
          // nothing leaked onto every object's prototype
          expect(({} as Record<string, unknown>).isAdmin ?? ({} as Record<string, unknown>).polluted).to.equal(undefined);
        });
      }
    }
  });
}

describe('HTTP: the hostile-input corpus', () => {
  it('has at least 100 cases, each with a unique id and a documented answer', () => {
    const ids = manifest.cases.map((c) => c.id);
    expect(new Set(ids).size).to.equal(ids.length);
    const count = manifest.cases.reduce((n, c) => n + (c.kind === 'inject' ? manifest.payloads.length : 1), 0);
    expect(count).to.be.at.least(100);
    for (const c of manifest.cases) expect(c.expect, c.id).to.be.an('object').that.is.not.empty;
    for (const c of manifest.cases.filter((x) => x.file)) expect(statSync(join(DIR, c.file!)).size, c.id).to.be.below(64 * 1024);
  });

  it('puts SQL and HTML into every text field of every POST route', () => {
    const wanted = ROUTES.filter((r) => r.method === 'post' && r.body).flatMap((r) => textFields(r.body, 'body').map((f) => `POST ${r.path} ${f}`));
    const covered = new Set(manifest.cases.filter((c) => c.kind === 'inject').map((c) => `${c.route} ${c.field}`));
    expect(wanted.filter((w) => !covered.has(w))).to.deep.equal([]);
    expect(manifest.payloads.some((p) => /DROP TABLE/.test(p)) && manifest.payloads.some((p) => /<script>|onerror=/.test(p))).to.equal(true);
  });

  describeCases(
    'on SQLite',
    manifest.cases,
    () => startTestServer({ start: at8('2026-03-02'), loginLimit: 10 }).then((s) => ({ app: s.app, url: s.url, clock: s.clock, close: s.close })),
    { loginLimit: 10 },
  );

  describeCases(
    'on PostgreSQL (the cases that answered 500 there)',
    manifest.cases.filter((c) => c.pg),
    startPgTarget,
    { pg: true, loginLimit: 1000 },
  );

  describe('text the UI shows', function () {
    this.timeout(30_000);
    let t: Target;
    let run: Runner;
    before(async () => {
      const s = await startTestServer({ start: at8('2026-03-02') });
      t = { app: s.app, url: s.url, clock: s.clock, close: s.close };
      run = new Runner(t, await makeFixtures(t));
    });
    after(() => t?.close());

    it('comes back from the API as the same literal text, in JSON, never as markup', async () => {
      const sup = await run.client('sup_a');
      const units = await sup.get('/api/v1/org-units?parentId=pgd_a');
      expect(units.headers.get('content-type')).to.match(/^application\/json/);
      expect(units.headers.get('x-content-type-options')).to.equal('nosniff');
      expect(units.body.items.find((u: { id: string }) => u.id === 'th_xss').name).to.equal(HOSTILE_NAME);
      expect(units.text).to.include(JSON.stringify(HOSTILE_NAME));
      const list = await sup.get('/api/v1/instances?unitId=th_xss');
      expect(list.body.items[0].unitName).to.equal(HOSTILE_NAME);
      const board = await sup.get('/api/v1/board');
      expect(board.body.byUnit.find((u: { unitId: string }) => u.unitId === 'th_xss').name).to.equal(HOSTILE_NAME);
      const escalations = await sup.get('/api/v1/escalations?unitId=th_xss');
      expect(escalations.body.items[0].unitName).to.equal(HOSTILE_NAME);
      const xss = await run.client('xss');
      const me = await xss.get('/api/v1/me');
      expect(me.body.user.name).to.equal(HOSTILE_NAME);
      expect(me.body.user.grants[0].unitName).to.equal(HOSTILE_NAME);
      const tasks = await xss.get('/api/v1/tasks/mine');
      expect(tasks.body.items[0]).to.include({ unitName: HOSTILE_NAME, ownerUnitName: HOSTILE_NAME });
      const timeline = await xss.get(`/api/v1/instances/${run.f.ids.xssInstance}`);
      expect(timeline.body.unit.name).to.equal(HOSTILE_NAME);
      // a note written with markup is kept as written, and read back as written
      const note = '<b onmouseover=alert(1)>ghi chú</b>';
      const task = tasks.body.items.find((k: { task: string }) => k.task === 'n1');
      expect((await xss.post(`/api/v1/tasks/${task.id}/complete`, { data: { note } })).status).to.equal(200);
      expect((await xss.get(`/api/v1/tasks/${task.id}`)).body.task.data).to.deep.equal({ note });
    });

    it('goes into exports as text: the name as written, a formula made inert', async () => {
      const sup = await run.client('sup_a');
      const csv = await sup.get('/api/v1/board/export?format=csv');
      expect(csv.headers.get('content-type')).to.include('text/csv');
      expect(csv.text).to.include(HOSTILE_NAME);
      expect(csv.text).to.include(`"'=HYPERLINK(""http://x.invalid"",""bấm"")"`);
      expect(csv.text).to.not.match(/(^|,)"?=HYPERLINK/m);
    });

    it('is inserted by the UI as text only: no HTML sink anywhere in ui/src', () => {
      const files: string[] = [];
      const walk = (dir: string) => {
        for (const name of readdirSync(dir)) {
          const p = join(dir, name);
          if (statSync(p).isDirectory()) walk(p);
          else if (/\.(ts|js|mjs)$/.test(name)) files.push(p);
        }
      };
      walk(UI_SRC);
      expect(files.length).to.be.above(10);
      const sinks =
        /\.(innerHTML|outerHTML)\b|insertAdjacentHTML|document\.write|createContextualFragment|DOMParser|\bsrcdoc\b|setHTMLUnsafe|dangerouslySetInnerHTML|\beval\s*\(|new Function\s*\(/;
      const found: string[] = [];
      const unencoded: string[] = [];
      for (const file of files) {
        // comments may name the sinks they avoid
        const code = readFileSync(file, 'utf8')
          .replace(/\/\*[\s\S]*?\*\//g, '')
          .replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
        code.split('\n').forEach((line, i) => {
          if (sinks.test(line)) found.push(`${file}:${i + 1}: ${line.trim()}`);
          // data in a link goes through encodeURIComponent (or qs(), which does)
          for (const m of line.matchAll(/\bhref:\s*`([^`]*)`/g)) {
            for (const x of m[1]!.matchAll(/\$\{([^}]*)\}/g)) if (!/^(encodeURIComponent|qs)\(/.test(x[1]!.trim())) unencoded.push(`${file}:${i + 1}: ${m[0]}`);
          }
        });
      }
      expect(found, 'HTML sinks in ui/src').to.deep.equal([]);
      expect(unencoded, 'links built from data without encodeURIComponent').to.deep.equal([]);
      // the one element built from markup-like data is the diagram: an <img> of a data: URL
      const diagram = readFileSync(join(UI_SRC, 'editor/diagram.ts'), 'utf8');
      expect(diagram).to.match(/h\('img', \{\s*src: `data:image\/svg\+xml;charset=utf-8,\$\{encodeURIComponent\(svg\)\}`/);
      expect(diagram).to.include("securityLevel: 'strict'");
      const page = readFileSync(fileURLToPath(new URL('../../ui/index.html', import.meta.url)), 'utf8');
      expect(page.match(/<script\b[^>]*>/g) ?? []).to.satisfy((tags: string[]) => tags.every((s) => /\bsrc=/.test(s)), 'no inline script in index.html');
    });
  });
});
