// The first start on PostgreSQL + Redis loads the demo without reading Redis's jobs (issue 13). The
// story fired its timers through BullMQ: at each step of its jumping clock the queue listed every
// job in Redis (nextRunAt, promoteDue) — another deployment's left-over ones too — and each change
// waited for its relay to Redis: 78 s here against 8–11 s on SQLite, and unfinished after 290 s with
// 1,166 foreign jobs in the shared queue. Now the demo is seeded on the store's own job table and its
// pending timers are put in Redis once, at the end; /api/ready counts the jobs instead of listing them.
import { expect } from 'chai';
import { startApp, type App } from '../../adapters/app.ts';
import type { BullmqQueue } from '../../adapters/queue/bullmq/bullmq-queue.ts';
import { openRuntime } from '../../adapters/runtime.ts';
import { POSTGRES_URL, REDIS_URL, requireService } from '../support/services.ts';

describe('the demo on PostgreSQL + Redis (issue 13)', function () {
  this.timeout(180_000);
  const schema = `demo_redis_${process.pid}_${Date.now()}`;
  const queueName = `demo-redis-${process.pid}-${Date.now()}`;
  let app: App | undefined;
  const calls: Record<string, number> = {};
  const originals = new Map<string, (...args: unknown[]) => unknown>();
  let proto: Record<string, (...args: unknown[]) => unknown> = {};

  before(async function () {
    await requireService(this, 'PostgreSQL');
    await requireService(this, 'Redis');
    // The class the runtime loads (a static import of the module here would be a copy of its own).
    const probe = await openRuntime({ sqliteFile: ':memory:', redisUrl: REDIS_URL, queueName: `${queueName}-probe` });
    proto = Object.getPrototypeOf(probe.queue) as Record<string, (...args: unknown[]) => unknown>;
    await probe.close();
    for (const name of ['nextRunAt', 'pendingIds', 'runDue', 'schedule', 'cancel']) {
      const original = proto[name]!;
      originals.set(name, original);
      proto[name] = function (this: unknown, ...args: unknown[]) {
        calls[name] = (calls[name] ?? 0) + 1;
        return original.apply(this, args);
      };
    }
  });
  after(async () => {
    for (const [name, original] of originals) proto[name] = original;
    if (!app) return;
    await (app.runtime.queue as BullmqQueue).obliterate().catch(() => undefined);
    await app.runtime.db.raw(`drop schema if exists "${schema}" cascade`).catch(() => undefined);
    await app.close();
  });

  it('seeds without listing Redis’s jobs, and puts every pending timer in Redis once', async () => {
    app = await startApp({
      databaseUrl: POSTGRES_URL,
      pgSchema: schema,
      redisUrl: REDIS_URL,
      queueName,
      port: 0,
      ui: false,
      workers: false,
      bcryptCost: 4,
      log: () => undefined,
    });
    expect(app.demo, 'the demo was loaded').to.not.equal(undefined);
    expect(
      { nextRunAt: calls.nextRunAt ?? 0, pendingIds: calls.pendingIds ?? 0, runDue: calls.runDue ?? 0, cancel: calls.cancel ?? 0 },
      'Redis’s jobs read or run while seeding',
    ).to.deep.equal({ nextRunAt: 0, pendingIds: 0, runDue: 0, cancel: 0 });
    const pending = ((await app.runtime.db('timers').where({ status: 'pending' }).pluck('id')) as string[]).sort();
    expect(pending.length).to.be.greaterThan(100);
    expect(calls.schedule, 'one schedule per page of the rebuild').to.equal(Math.ceil(pending.length / 500));
    expect((await app.runtime.queue.pendingIds()).sort(), 'every pending timer has its job').to.deep.equal(pending);
    expect(Number(((await app.runtime.db('jobs').count({ n: '*' }).first()) as { n: unknown }).n), 'the seeding table is emptied').to.equal(0);
    expect(await app.runtime.queue.needsRebuild!(), 'the queue is marked whole').to.equal(false);
    calls.nextRunAt = 0;
    const ready = await fetch(`${app.url}/api/ready`);
    expect(ready.status).to.equal(200);
    expect(calls.nextRunAt, '/api/ready lists no job').to.equal(0);
  });
});
