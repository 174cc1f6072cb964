// /metrics in the Prometheus format: counters move as events apply and timers fire, gauges read the
// store when scraped, HTTP latency is labelled by route pattern (never by id).
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, startApp, type App } from '../../adapters/app.ts';
import { ManualClock } from '../../engine/ports.ts';
import { freePort, ROOT, waitFor } from '../fault/harness.ts';
import { at8, PROVINCE } from '../support/runtime.ts';
import { Client, startTestServer, type TestServer } from './support.ts';

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

  it('counts events, timers and overdue stages, and times requests by route', async () => {
    const engine = s.app.runtime.engine;
    const id = (await engine.start({ definitionId: 'accreditation-general-school', orgUnitId: 'thcs_a1' }, { actor: 'test' })).id;
    const c = await s.client('staff_thcs_a1');
    const task = (await c.get('/api/v1/tasks/mine')).body.items.find((t: { task: string }) => t.task === 'sa_plan');
    await c.post(`/api/v1/tasks/${task.id}/complete`, { data: {} });
    await c.get(`/api/v1/instances/${id}`);
    const before = (await new Client(s.url).get('/metrics')).text;
    expect(sample(before, 'tiendo_events_applied_total{event="task.complete"}')).to.equal(1);
    expect(sample(before, 'tiendo_events_applied_total{event="instance.start"}')).to.equal(1);
    expect(sample(before, 'tiendo_queue_depth')).to.be.above(0);
    expect(sample(before, 'tiendo_overdue_instances{level="lower-secondary"}')).to.equal(undefined);
    expect(sample(before, 'tiendo_http_request_duration_seconds_count{method="GET",route="/api/v1/instances/:id",status="200"}')).to.equal(1);
    expect(before).to.not.include(id);

    s.clock.set(at8('2026-10-20'));
    expect(sample((await new Client(s.url).get('/metrics')).text, 'tiendo_timers_due')).to.equal(3);
    await s.app.runtime.runDue();
    const after = (await new Client(s.url).get('/metrics')).text;
    expect(sample(after, 'tiendo_timers_total{outcome="fired"}')).to.equal(3);
    expect(sample(after, 'tiendo_events_applied_total{event="escalation"}')).to.equal(3);
    expect(sample(after, 'tiendo_overdue_instances{level="lower-secondary"}')).to.equal(1);
    expect(sample(after, 'tiendo_timers_due')).to.equal(0);
    expect(sample(after, 'tiendo_timer_lateness_seconds_count')).to.equal(3);
  });
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
      app = await startApp({ sqliteFile: ':memory:', api: false, demo: false, metricsPort: 0, clock, log: () => undefined });
      await app.runtime.engine.addUnits(PROVINCE);
    });
    after(() => app?.close());

    it('serves the queue depth, and counts the timers this worker fires', async () => {
      expect(app.url, 'no API').to.equal(undefined);
      const url = app.metricsUrl!;
      expect(url).to.match(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
      await app.runtime.engine.start({ definitionId: 'accreditation-general-school', orgUnitId: 'thcs_a1' }, { actor: 'test' });
      const r = await fetch(url);
      expect(r.status).to.equal(200);
      expect(r.headers.get('content-type')).to.match(/^text\/plain; version=0\.0\.4/);
      const text = await r.text();
      const depth = sample(text, 'tiendo_queue_depth');
      expect(depth).to.be.above(0).and.equal(await app.runtime.queue.pendingCount());
      expect(sample(text, 'tiendo_events_applied_total{event="instance.start"}')).to.equal(1);
      expect(text).to.match(/^tiendo_process_process_cpu_user_seconds_total /m);
      expect((await fetch(url.replace(/metrics$/, ''))).status, 'only /metrics').to.equal(404);
      expect((await fetch(url, { method: 'POST' })).status).to.equal(405);

      // Its own worker takes the due timers from the queue; its registry counts them.
      clock.set(at8('2026-10-20'));
      await waitFor('the worker to fire the 3 due timers', 30_000, async () => sample(await (await fetch(url)).text(), 'tiendo_timers_total{outcome="fired"}') === 3);
      const after = await (await fetch(url)).text();
      expect(sample(after, 'tiendo_events_applied_total{event="escalation"}')).to.equal(3);
      expect(sample(after, 'tiendo_timers_due')).to.equal(0);
      expect(sample(after, 'tiendo_queue_depth')).to.equal(depth! - 3);
    });
  });

  it('a spawned `tiendo worker` listens on TIENDO_METRICS_PORT, says where, and closes it on SIGTERM', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tiendo-worker-metrics-'));
    const port = await freePort();
    const env: NodeJS.ProcessEnv = { ...process.env, TIENDO_DATA_DIR: dir, TIENDO_DEMO: '0', TIENDO_METRICS_PORT: String(port), HOST: '127.0.0.1' };
    for (const name of ['DATABASE_URL', 'REDIS_URL', 'TIENDO_PG_SCHEMA', 'PORT']) delete env[name];
    const child = spawn(process.execPath, [join(ROOT, 'bin/tiendo.js'), 'worker'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const url = `http://127.0.0.1:${port}/metrics`;
    try {
      await waitFor(`the worker's ${url}`, 60_000, async () => {
        if (child.exitCode !== null) throw new Error(`the worker exited ${child.exitCode}: ${out}`);
        return (await fetch(url)).status === 200;
      });
      const text = await (await fetch(url)).text();
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
