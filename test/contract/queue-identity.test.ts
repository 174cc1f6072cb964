// Each store has a BullMQ queue of its own (issue 13). Every deployment on one Redis used to share
// `tiendo-timers`: a second schema received the first one's timers, and the jobs of a dropped database
// were handed to the next deployment's workers. Now the default queue name is derived from the
// database and schema, TIENDO_QUEUE_NAME names one, and each job carries the store's identity
// (migration 010), so a store made again under the same name never acts on the old one's jobs.
import { expect } from 'chai';
import { loadConfig } from '../../adapters/app.ts';
import type { BullmqQueue } from '../../adapters/queue/bullmq/bullmq-queue.ts';
import { openRuntime, type Runtime, type RuntimeConfig } from '../../adapters/runtime.ts';
import { ManualClock } from '../../engine/ports.ts';
import { timerJob } from '../../engine/service/relay.ts';
import { at8 } from '../support/runtime.ts';
import { POSTGRES_URL, REDIS_URL, requireService } from '../support/services.ts';

describe('each store its own BullMQ queue (issue 13)', function () {
  this.timeout(60_000);
  const tag = `${process.pid}_${Date.now()}`;
  const [a, b, again] = [`qid_a_${tag}`, `qid_b_${tag}`, `qid_again_${tag}`];
  const T0 = at8('2026-03-02');
  const opened: Runtime[] = [];
  const open = async (pgSchema: string, clock: ManualClock, extra: RuntimeConfig = {}) => {
    const rt = await openRuntime({ databaseUrl: POSTGRES_URL, pgSchema, redisUrl: REDIS_URL, clock, ...extra });
    opened.push(rt);
    return rt;
  };

  before(async function () {
    await requireService(this, 'PostgreSQL');
    await requireService(this, 'Redis');
  });
  after(async () => {
    for (const rt of opened.splice(0)) {
      await (rt.queue as BullmqQueue).obliterate().catch(() => undefined);
      for (const s of [a, b, again]) await rt.db.raw(`drop schema if exists "${s}" cascade`).catch(() => undefined);
      await rt.close().catch(() => undefined);
    }
  });

  it('two schemas on one Redis get two queues, and neither sees the other one’s jobs', async () => {
    const clock = new ManualClock(T0);
    const [ra, rb] = [await open(a, clock), await open(b, clock)];
    expect(ra.queueName).to.match(new RegExp(`^tiendo-test\\.${a}-[0-9a-f]{8}$`));
    expect(rb.queueName).not.to.equal(ra.queueName);
    expect(ra.storeId).not.to.equal(rb.storeId);
    await ra.queue.schedule([timerJob('only.in.a.1.0', T0 + 60_000, ra.storeId)]);
    expect(await ra.queue.pendingIds()).to.deep.equal(['only.in.a.1.0']);
    expect(await rb.queue.pendingIds(), 'the other schema’s queue').to.deep.equal([]);
  });

  it('TIENDO_QUEUE_NAME names the BullMQ queue; a name BullMQ cannot take is refused at start', () => {
    const redis = { REDIS_URL };
    expect(loadConfig({ ...redis, TIENDO_QUEUE_NAME: 'ben-tre.timers' }).queueName).to.equal('ben-tre.timers');
    expect(loadConfig(redis).queueName).to.equal(undefined);
    expect(loadConfig({ TIENDO_QUEUE_NAME: 'ben-tre.timers' }).queueName, 'the embedded queue keeps its name').to.equal(undefined);
    expect(() => loadConfig({ ...redis, TIENDO_QUEUE_NAME: 'ben:tre' })).to.throw(/TIENDO_QUEUE_NAME="ben:tre"/);
  });

  it('a store dropped and made again under the same name gets the same queue, and never acts on the old jobs', async () => {
    const clock = new ManualClock(T0);
    const old = await open(again, clock);
    await old.queue.schedule([timerJob('left.behind.1.1.0', T0 + 1_000, old.storeId)]);
    await old.relay.sweep(); // marks the queue as filled by the old store
    await old.db.raw(`drop schema "${again}" cascade`);

    const foreign: string[] = [];
    const fresh = await open(again, clock, { onForeignJob: (job) => foreign.push(`${job.id} of ${String(job.payload.store)}`) });
    expect(fresh.queueName, 'same database and schema, same queue').to.equal(old.queueName);
    expect(fresh.storeId, 'a new store, a new identity').not.to.equal(old.storeId);
    expect(await fresh.queue.needsRebuild!(), 'the queue was filled by another store: rebuilt from this one').to.equal(true);
    const fired: string[] = [];
    const fire = fresh.engine.fireTimer.bind(fresh.engine);
    fresh.engine.fireTimer = async (id: string) => {
      fired.push(id);
      return fire(id);
    };
    await fresh.queue.schedule([timerJob('mine.1.1.0', T0 + 2_000, fresh.storeId)]);
    clock.set(T0 + 5_000);
    await fresh.runDue();
    expect(fired, 'only this store’s job reached the engine').to.deep.equal(['mine.1.1.0']);
    expect(foreign, 'the other store’s job is reported (the app logs it at warn)').to.deep.equal([`left.behind.1.1.0 of ${old.storeId}`]);
    expect(await fresh.queue.pendingIds(), 'the old job is done with, not left to come back').to.deep.equal([]);
  });
});
