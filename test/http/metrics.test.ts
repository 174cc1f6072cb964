// /metrics in the Prometheus format: counters move as events apply and timers fire, gauges read the
// store when scraped, HTTP latency is labelled by route pattern (never by id).
import { expect } from 'chai';
import { at8 } from '../support/runtime.ts';
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
