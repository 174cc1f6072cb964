// The same server on PostgreSQL + BullMQ (DATABASE_URL + REDIS_URL), and the API and the worker as
// separate processes' halves: a task completed through the API of one app, a deadline fired by the
// worker of another, both on the same store and queue.
import { expect } from 'chai';
import { startApp, type App } from '../../adapters/app.ts';
import { hashPassword } from '../../adapters/http/auth.ts';
import { ManualClock } from '../../engine/ports.ts';
import { POSTGRES_URL, REDIS_URL, requireService } from '../support/services.ts';
import { at8, PROVINCE } from '../support/runtime.ts';
import { Client, PASSWORD } from './support.ts';

describe('HTTP app on PostgreSQL + BullMQ, API and worker apart', function () {
  this.timeout(60_000);
  const schema = `h_${process.pid}_${Date.now()}`;
  const queueName = `tiendo-http-${process.pid}-${Date.now()}`;
  const clock = new ManualClock(at8('2026-03-02'));
  let api: App | undefined;
  let worker: App | undefined;
  before(async function () {
    await requireService(this, 'PostgreSQL');
    await requireService(this, 'Redis');
    const common = { databaseUrl: POSTGRES_URL, pgSchema: schema, redisUrl: REDIS_URL, queueName, clock, demo: false, bcryptCost: 4, log: () => undefined };
    api = await startApp({ ...common, checkAnswers: true, port: 0, ui: false, workers: false });
    worker = await startApp({ ...common, api: false });
    await api.runtime.engine.addUnits(PROVINCE);
    await api.accounts.putUser({ id: 'u1', login: 'staff', name: 'Cán bộ', passwordHash: await hashPassword(PASSWORD, 4), createdAt: clock.now() }, [
      { role: 'staff', unitId: 'thcs_a1' },
    ]);
  });
  after(async () => {
    await worker?.close();
    if (api) {
      await api.runtime.db.raw(`drop schema if exists "${schema}" cascade`);
      await api.close();
    }
  });

  it('serves the API on PostgreSQL, and a separate worker fires the deadlines from Redis', async () => {
    const engine = api!.runtime.engine;
    const id = (await engine.start({ definitionId: 'accreditation-general-school', orgUnitId: 'thcs_a1' }, { actor: 'test' })).id;
    const c = new Client(api!.url!);
    expect((await c.login('staff')).status).to.equal(200);
    const task = (await c.get('/api/v1/tasks/mine')).body.items.find((t: { task: string }) => t.task === 'council');
    expect((await c.post(`/api/v1/tasks/${task.id}/complete`, { data: { decisionNo: '1', members: 7 } })).body.rev).to.equal(2);
    expect((await c.get('/api/ready')).body).to.deep.equal({ store: 'ok', queue: 'ok' });
    clock.set(at8('2026-10-20'));
    // Redis counts delays in real time, so the months the clock jumped are given back by
    // rescheduling the pending timers from the store (the same rebuild that follows a Redis loss);
    // the worker app then takes them from Redis.
    await api!.runtime.relay.rebuild();
    const deadline = Date.now() + 20_000;
    while ((await engine.queries.escalationsOf(id)).length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    expect((await engine.queries.escalationsOf(id)).map((e) => e.kind)).to.deep.equal(['reminder', 'overdue', 'escalation']);
  });
});
