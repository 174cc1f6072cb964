// What the server logs (issue 13): after start-up it logged nothing — not a request, not a refused
// sign-in, not an error's cause. Now one JSON line per request (method, route pattern, status,
// milliseconds, the acting user's id), a refused sign-in at warn with the login tried, a 5xx at error
// with the stack and the cause, start-up and shutdown lines, at the level TIENDO_LOG_LEVEL gives.
// The lines are captured from the logger's destination, a stream of this test.
import { Writable } from 'node:stream';
import { expect } from 'chai';
import { loadConfig, startApp, type App } from '../../adapters/app.ts';
import { hashPassword } from '../../adapters/http/auth.ts';
import { createLogger, logLevelOf, type LogLevel } from '../../adapters/log.ts';
import { ManualClock } from '../../engine/ports.ts';
import { at8, PROVINCE } from '../support/runtime.ts';
import { Client, PASSWORD } from './support.ts';

type Line = Record<string, any>;

function capture(level: LogLevel = 'info') {
  const lines: Line[] = [];
  let text = '';
  const destination = new Writable({
    write(chunk, _enc, done) {
      text += chunk.toString();
      for (const l of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(l));
      done();
    },
  });
  return { lines, text: () => text, logger: createLogger({ level, destination }) };
}

async function serve(level: LogLevel = 'info') {
  const log = capture(level);
  const app = await startApp({
    sqliteFile: ':memory:',
    port: 0,
    ui: false,
    workers: false,
    demo: false,
    clock: new ManualClock(at8('2026-03-02')),
    bcryptCost: 4,
    loginLimit: 1000,
    logger: log.logger,
    log: () => undefined,
  });
  await app.runtime.engine.addUnits(PROVINCE);
  await app.accounts.putUser({ id: 'u-sup', login: 'sup_so', name: 'Giám sát', passwordHash: await hashPassword(PASSWORD, 4), createdAt: 0 }, [
    { role: 'supervisor', unitId: 'so' },
  ]);
  return { app, ...log };
}

/** The request line of `method route` (the last one). */
const requestLine = (lines: Line[], method: string, route: string) => lines.filter((l) => l.method === method && l.route === route).at(-1);

describe('the operators’ log (issue 13)', function () {
  this.timeout(30_000);
  let app: App | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  it('one line per request: route pattern, method, status, ms and the actor’s id; never a password or a token', async () => {
    const s = await serve();
    app = s.app;
    expect(s.lines.map((l) => l.msg)).to.include.members(['store and queue open', 'started']);
    const c = new Client(app.url!);
    expect((await c.login('sup_so')).status).to.equal(200);
    expect((await c.get('/api/v1/me')).status).to.equal(200);
    const issued = await c.post('/api/v1/tokens', { name: 'script' });
    expect(issued.status).to.equal(201);
    const script = new Client(app.url!);
    script.bearer = issued.body.token;
    expect((await script.get('/api/v1/instances/nope')).status).to.equal(404);
    expect((await new Client(app.url!).get('/api/v1/me')).status).to.equal(401);

    const signIn = requestLine(s.lines, 'POST', '/api/v1/session')!;
    expect(signIn).to.include({ level: 'info', status: 200, actor: 'u-sup', msg: 'request' });
    const me = requestLine(s.lines, 'GET', '/api/v1/me');
    expect(s.lines.filter((l) => l.route === '/api/v1/me').map((l) => [l.status, l.actor ?? null])).to.deep.equal([
      [200, 'u-sup'],
      [401, null],
    ]);
    expect(me!.ms).to.be.a('number').and.to.be.at.least(0);
    expect(me!.time).to.match(/^\d{4}-\d\d-\d\dT/);
    expect(requestLine(s.lines, 'POST', '/api/v1/tokens'), 'a write with a JSON body').to.include({ status: 201, actor: 'u-sup' });
    expect(requestLine(s.lines, 'GET', '/api/v1/instances/:id'), 'a bearer token’s user; the pattern, not the id').to.include({ status: 404, actor: 'u-sup' });
    expect(s.text()).not.to.include(PASSWORD);
    expect(s.text()).not.to.include(issued.body.token);
    expect(s.text()).not.to.include(c.cookie!.split('=')[1]);
  });

  it('a refused sign-in is a warning with the login tried; a 5xx an error with its stack and cause', async () => {
    const s = await serve();
    app = s.app;
    const c = new Client(app.url!);
    expect((await c.login('sup_so', 'wrong-password')).status).to.equal(401);
    const refused = requestLine(s.lines, 'POST', '/api/v1/session')!;
    expect(refused).to.include({ level: 'warn', status: 401, login: 'sup_so', msg: 'sign-in refused' });
    expect(s.text()).not.to.include('wrong-password');

    await c.login('sup_so');
    const queries = app.runtime.engine.queries;
    queries.countUnread = async () => {
      throw new Error('reading the inbox failed', { cause: Object.assign(new Error('relation "inbox" does not exist'), { code: '42P01' }) });
    };
    expect((await c.get('/api/v1/me')).status).to.equal(500);
    const failed = requestLine(s.lines, 'GET', '/api/v1/me')!;
    expect(failed).to.include({ level: 'error', status: 500, actor: 'u-sup', msg: 'request failed' });
    expect(failed.err.message).to.equal('reading the inbox failed');
    expect(failed.err.stack).to.match(/countUnread|logging\.test/);
    expect(failed.err.cause).to.include({ message: 'relation "inbox" does not exist', code: '42P01' });
    expect(
      s.lines.filter((l) => l.level === 'error'),
      'one line for the failure, not two',
    ).to.have.length(1);
  });

  it('start-up and shutdown lines; the level comes from TIENDO_LOG_LEVEL', async () => {
    expect(loadConfig({}).logLevel).to.equal('info');
    expect(loadConfig({ TIENDO_LOG_LEVEL: 'WARN' }).logLevel).to.equal('warn');
    expect(logLevelOf('debug')).to.equal('debug');
    expect(() => loadConfig({ TIENDO_LOG_LEVEL: 'loud' })).to.throw(/TIENDO_LOG_LEVEL="loud".*info/);

    const quiet = await serve('warn');
    app = quiet.app;
    await new Client(app.url!).get('/api/health');
    await new Client(app.url!).login('sup_so', 'nope');
    await app.close();
    app = undefined;
    expect(
      quiet.lines.map((l) => `${l.level} ${l.msg}`),
      'at warn: only the refused sign-in',
    ).to.deep.equal(['warn sign-in refused']);

    const s = await serve();
    await s.app.close();
    expect(s.lines.map((l) => l.msg).slice(-2)).to.deep.equal(['stopping: finishing work in hand', 'stopped']);
  });
});
