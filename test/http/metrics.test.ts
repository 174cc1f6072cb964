// /metrics in the Prometheus format: counters move as events apply and timers fire, gauges read the
// store when scraped, HTTP latency is labelled by route pattern (never by id). It is not read
// anonymously: the metrics token, or an administrator of a top unit; TIENDO_METRICS_PUBLIC opens it.
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, startApp, type App } from '../../adapters/app.ts';
import { ManualClock } from '../../engine/ports.ts';
import { freePort, ROOT, waitFor } from '../fault/harness.ts';
import { at8, PROVINCE } from '../support/runtime.ts';
import { Client, errorOf, startTestServer, type TestServer } from './support.ts';

const METRICS_TOKEN = 'metrics-token-for-tests-0123456789';
const withToken = { headers: { authorization: `Bearer ${METRICS_TOKEN}` } };

/** The value of one sample line, or undefined when the series is absent. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(series + ' '));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('HTTP: /metrics', function () {
  this.timeout(30_000);
  let s: TestServer;
  before(async () => {
    s = await startTestServer({ start: at8('2026-03-02') });
  });
  after(() => s?.close());

  /** A scrape by the Sở's administrator (a session). */
  const scrape = async () => (await s.client('admin_so')).get('/metrics');

  it('is not read anonymously, nor by a user who is not an administrator of a top unit', async () => {
    const anonymous = await new Client(s.url).get('/metrics');
    expect([anonymous.status, errorOf(anonymous).code]).to.deep.equal([401, 'UNAUTHENTICATED']);
    expect(anonymous.headers.get('www-authenticate')).to.match(/^Bearer/);
    expect(anonymous.text).to.not.include('tiendo_overdue_instances');
    for (const login of ['sup_so', 'staff_so', 'admin_a']) {
      const r = await (await s.client(login)).get('/metrics');
      expect([login, r.status, errorOf(r).code]).to.deep.equal([login, 403, 'FORBIDDEN']);
    }
    const forged = await new Client(s.url).get('/metrics', { authorization: 'Bearer td_not-a-token' });
    expect(forged.status).to.equal(401);
    // the Sở's administrator, by session or by a bearer token (read-only will do)
    const admin = await s.client('admin_so');
    expect((await admin.get('/metrics')).status).to.equal(200);
    const token = (await admin.post('/api/v1/tokens', { name: 'prometheus', access: 'read' })).body.token;
    const byToken = await new Client(s.url).get('/metrics', { authorization: `Bearer ${token}` });
    expect(byToken.status).to.equal(200);
    expect(byToken.text).to.include('tiendo_queue_depth');
  });

  it('counts events, timers and overdue stages, and times requests by route', async () => {
    const engine = s.app.runtime.engine;
    const id = (await engine.start({ definitionId: 'accreditation-general-school', orgUnitId: 'thcs_a1' }, { actor: 'test' })).id;
    const c = await s.client('staff_thcs_a1');
    const task = (await c.get('/api/v1/tasks/mine')).body.items.find((t: { task: string }) => t.task === 'sa_plan');
    await c.post(`/api/v1/tasks/${task.id}/complete`, { data: {} });
    await c.get(`/api/v1/instances/${id}`);
    const before = (await scrape()).text;
    expect(sample(before, 'tiendo_events_applied_total{event="task.complete"}')).to.equal(1);
    expect(sample(before, 'tiendo_events_applied_total{event="instance.start"}')).to.equal(1);
    expect(sample(before, 'tiendo_queue_depth')).to.be.above(0);
    expect(sample(before, 'tiendo_overdue_instances{level="lower-secondary"}')).to.equal(undefined);
    expect(sample(before, 'tiendo_http_request_duration_seconds_count{method="GET",route="/api/v1/instances/:id",status="200"}')).to.equal(1);
    expect(before).to.not.include(id);

    s.clock.set(at8('2026-10-20'));
    expect(sample((await scrape()).text, 'tiendo_timers_due')).to.equal(3);
    await s.app.runtime.runDue();
    const after = (await scrape()).text;
    expect(sample(after, 'tiendo_timers_total{outcome="fired"}')).to.equal(3);
    expect(sample(after, 'tiendo_events_applied_total{event="escalation"}')).to.equal(3);
    expect(sample(after, 'tiendo_overdue_instances{level="lower-secondary"}')).to.equal(1);
    expect(sample(after, 'tiendo_timers_due')).to.equal(0);
    expect(sample(after, 'tiendo_timer_lateness_seconds_count')).to.equal(3);
  });
});

describe('HTTP: /metrics with TIENDO_METRICS_TOKEN or TIENDO_METRICS_PUBLIC', function () {
  this.timeout(30_000);

  it('reads both once; a short metrics token is refused at start', () => {
    expect(loadConfig({ TIENDO_METRICS_TOKEN: METRICS_TOKEN }).metricsToken).to.equal(METRICS_TOKEN);
    expect(loadConfig({}).metricsToken).to.equal(undefined);
    expect(() => loadConfig({ TIENDO_METRICS_TOKEN: 'secret' })).to.throw(/TIENDO_METRICS_TOKEN must be 24 or more/);
    expect(loadConfig({}).metricsPublic).to.equal(false);
    expect(loadConfig({ TIENDO_METRICS_PUBLIC: '1' }).metricsPublic).to.equal(true);
  });

  for (const open of [false, true]) {
    it(
      open ? 'TIENDO_METRICS_PUBLIC=1: anyone who reaches the port reads it' : 'the metrics token reads it on the API port; another token does not',
      async () => {
        const app = await startApp({
          sqliteFile: ':memory:',
          port: 0,
          ui: false,
          workers: false,
          demo: false,
          clock: new ManualClock(at8('2026-03-02')),
          log: () => undefined,
          ...(open ? { metricsPublic: true } : { metricsToken: METRICS_TOKEN }),
        });
        try {
          const url = `${app.url}/metrics`;
          expect((await fetch(url)).status).to.equal(open ? 200 : 401);
          expect((await fetch(url, { headers: { authorization: `Bearer ${METRICS_TOKEN}x` } })).status).to.equal(open ? 200 : 401);
          const r = await fetch(url, withToken);
          expect(r.status).to.equal(200);
          expect(await r.text()).to.include('tiendo_queue_depth');
        } finally {
          await app.close();
        }
      },
    );
  }
});

describe('tiendo worker: /metrics on TIENDO_METRICS_PORT', function () {
  this.timeout(90_000);

  it('reads TIENDO_METRICS_PORT once; without it there is no metrics listener', async () => {
    expect(loadConfig({ TIENDO_METRICS_PORT: '9464' }).metricsPort).to.equal(9464);
    expect(loadConfig({}).metricsPort).to.equal(undefined);
    expect(loadConfig({ TIENDO_METRICS_PORT: '' }).metricsPort).to.equal(undefined);
    expect(() => loadConfig({ TIENDO_METRICS_PORT: 'http' })).to.throw(/TIENDO_METRICS_PORT="http" is not a port number/);
    expect(() => loadConfig({ TIENDO_METRICS_PORT: '70000' })).to.throw(/not a port number/);
    const app = await startApp({ sqliteFile: ':memory:', api: false, demo: false, clock: new ManualClock(at8('2026-03-02')), log: () => undefined });
    try {
      expect(app.url).to.equal(undefined);
      expect(app.metricsUrl).to.equal(undefined);
    } finally {
      await app.close();
    }
  });

  describe('in-process: a worker app (no API) with a metrics port', () => {
    const clock = new ManualClock(at8('2026-03-02'));
    let app: App;
    before(async () => {
      app = await startApp({ sqliteFile: ':memory:', api: false, demo: false, metricsPort: 0, metricsToken: METRICS_TOKEN, clock, log: () => undefined });
      await app.runtime.engine.addUnits(PROVINCE);
    });
    after(() => app?.close());

    it('serves the queue depth, and counts the timers this worker fires', async () => {
      expect(app.url, 'no API').to.equal(undefined);
      const url = app.metricsUrl!;
      expect(url).to.match(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
      await app.runtime.engine.start({ definitionId: 'accreditation-general-school', orgUnitId: 'thcs_a1' }, { actor: 'test' });
      const anonymous = await fetch(url);
      expect(anonymous.status, 'without the metrics token').to.equal(401);
      expect(((await anonymous.json()) as { error: { code: string } }).error.code).to.equal('UNAUTHENTICATED');
      expect((await fetch(url, { headers: { authorization: 'Bearer wrong' } })).status).to.equal(401);
      const r = await fetch(url, withToken);
      expect(r.status).to.equal(200);
      expect(r.headers.get('content-type')).to.match(/^text\/plain; version=0\.0\.4/);
      const text = await r.text();
      const depth = sample(text, 'tiendo_queue_depth');
      expect(depth)
        .to.be.above(0)
        .and.equal(await app.runtime.queue.pendingCount());
      expect(sample(text, 'tiendo_events_applied_total{event="instance.start"}')).to.equal(1);
      expect(text).to.match(/^tiendo_process_process_cpu_user_seconds_total /m);
      expect((await fetch(url.replace(/metrics$/, ''))).status, 'only /metrics').to.equal(404);
      expect((await fetch(url, { method: 'POST' })).status).to.equal(405);

      // Its own worker takes the due timers from the queue; its registry counts them.
      clock.set(at8('2026-10-20'));
      await waitFor(
        'the worker to fire the 3 due timers',
        30_000,
        async () => sample(await (await fetch(url, withToken)).text(), 'tiendo_timers_total{outcome="fired"}') === 3,
      );
      const after = await (await fetch(url, withToken)).text();
      expect(sample(after, 'tiendo_events_applied_total{event="escalation"}')).to.equal(3);
      expect(sample(after, 'tiendo_timers_due')).to.equal(0);
      expect(sample(after, 'tiendo_queue_depth')).to.equal(depth! - 3);
    });
  });

  it('a spawned `tiendo worker` listens on TIENDO_METRICS_PORT, says where, and closes it on SIGTERM', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tiendo-worker-metrics-'));
    const port = await freePort();
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      TIENDO_DATA_DIR: dir,
      TIENDO_DEMO: '0',
      TIENDO_METRICS_PORT: String(port),
      TIENDO_METRICS_TOKEN: METRICS_TOKEN,
      HOST: '127.0.0.1',
    };
    for (const name of ['DATABASE_URL', 'REDIS_URL', 'TIENDO_PG_SCHEMA', 'PORT', 'TIENDO_METRICS_PUBLIC']) delete env[name];
    const child = spawn(process.execPath, [join(ROOT, 'bin/tiendo.js'), 'worker'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const url = `http://127.0.0.1:${port}/metrics`;
    try {
      await waitFor(`the worker's ${url}`, 60_000, async () => {
        if (child.exitCode !== null) throw new Error(`the worker exited ${child.exitCode}: ${out}`);
        return (await fetch(url, withToken)).status === 200;
      });
      expect((await fetch(url)).status, 'without the metrics token').to.equal(401);
      const text = await (await fetch(url, withToken)).text();
      expect(sample(text, 'tiendo_queue_depth'), text.slice(0, 400)).to.equal(0);
      expect(sample(text, 'tiendo_queue_lag_seconds')).to.equal(0);
      expect(out).to.include(`Metrics (Prometheus) at ${url}`);
      child.kill('SIGTERM');
      expect(await exited, out).to.equal(0);
      await fetch(url).then(
        () => expect.fail('still listening after the worker stopped'),
        (e: Error) => expect(e.message).to.equal('fetch failed'),
      );
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
