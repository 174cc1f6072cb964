// The outbox relay between the store (the truth) and the queue (delivery only), on the embedded SQL
// queue and on BullMQ with real Redis: effects committed but not yet relayed (a crash right after
// the commit) are relayed later, relaying twice changes nothing, and after the queue lost every job
// the timers are rebuilt from the store and fire once.
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import type { Runtime } from '../../adapters/runtime.ts';
import type { BullmqQueue } from '../../adapters/queue/bullmq/bullmq-queue.ts';
import { endOfDay } from '../../engine/calendar/time.ts';
import type { ManualClock } from '../../engine/ports.ts';
import { Engine } from '../../engine/service/engine.ts';
import { REDIS_URL, requireService } from '../support/services.ts';
import { at8, fixture, openTestRuntime, PROVINCE } from '../support/runtime.ts';

const office = { actor: 'officer@pgd' };

for (const queue of ['sql', 'bullmq'] as const) {
  describe(`outbox relay with the ${queue} queue`, function () {
    let rt: Runtime;
    let clock: ManualClock;
    let close: () => Promise<void>;

    before(async function () {
      if (queue === 'bullmq') await requireService(this, 'Redis');
      ({ rt, clock, close } = await openTestRuntime(
        this,
        'sqlite',
        at8('2022-03-01'),
        queue === 'bullmq' ? { redisUrl: REDIS_URL, queueName: `relay-${randomUUID()}` } : {},
      ));
      await rt.engine.addUnits(PROVINCE);
      await rt.engine.catalog.publish(fixture('engine/report.yaml'), 'report.yaml', 'admin');
    });
    after(async () => {
      if (queue === 'bullmq' && rt) await (rt.queue as BullmqQueue).obliterate();
      await close?.();
    });

    const pendingInStore = async () => (await rt.store.pendingTimers({ limit: 1000 })).map((t) => t.id).sort();

    it('relays what a crashed process committed but never relayed (the SQL queue: has nothing to relay); relaying again changes nothing', async () => {
      // An engine with no relay after its commits: as if the process died right after each commit.
      const crashing = new Engine({ store: rt.store, queries: rt.queries, clock: rt.clock, catalog: rt.engine.catalog });
      const a = await crashing.start({ definitionId: 'test-report', orgUnitId: 'th_a1' }, office);
      const b = await crashing.start({ definitionId: 'test-report', orgUnitId: 'th_a2' }, office);
      await crashing.cancel(b.id, 'nhập trùng', office);
      const expected = (await rt.store.loadInstance(a.id))!.pendingTimers.map((t) => t.id).sort();
      expect(expected).to.have.length(3);
      if (queue === 'sql') {
        // The embedded queue's table is in the store's database: the jobs were written with the
        // changes themselves, so there was no window to crash in and nothing waits in the outbox.
        expect((await rt.queue.pendingIds()).sort()).to.deep.equal(expected);
        expect(await rt.store.unrelayed(100)).to.deep.equal([]);
        expect(await rt.relay.drain()).to.equal(0);
        await rt.relay.rebuild(); // the periodic sweep's other half: puts back, never duplicates
        expect((await rt.queue.pendingIds()).sort(), 'the same jobs, not copies').to.deep.equal(expected);
        return;
      }
      expect(await rt.queue.pendingIds()).to.deep.equal([]);
      expect((await rt.store.unrelayed(100)).map((m) => m.kind)).to.deep.equal(['schedule', 'schedule', 'cancel']);
      expect(await rt.relay.drain()).to.equal(3);
      expect((await rt.queue.pendingIds()).sort()).to.deep.equal(expected);
      expect(await pendingInStore()).to.deep.equal(expected);
      expect(await rt.relay.drain(), 'nothing left to relay').to.equal(0);
      await rt.db('outbox').update({ relayed_at: null }); // a relay that died before marking its work
      await rt.relay.drain();
      expect((await rt.queue.pendingIds()).sort(), 'the same jobs, not copies').to.deep.equal(expected);
    });

    it('after the queue lost every job, rebuilds the pending timers from the store; each fires once', async () => {
      const c = await rt.engine.start({ definitionId: 'test-report', orgUnitId: 'thcs_a1' }, office);
      expect((await rt.queue.pendingIds()).length).to.be.greaterThan(0);
      await loseEveryJob(rt);
      expect(await rt.queue.pendingIds()).to.deep.equal([]);
      expect(await rt.relay.rebuild()).to.equal((await pendingInStore()).length);
      expect((await rt.queue.pendingIds()).sort()).to.deep.equal(await pendingInStore());
      clock.set(endOfDay('2022-03-08') + 1);
      await rt.runDue();
      await rt.relay.rebuild(); // a second rebuild must not bring fired timers back
      expect(await rt.runDue()).to.equal(0);
      const kinds = (await rt.queries.escalationsOf(c.id)).map((e) => e.kind);
      expect(kinds).to.deep.equal(['reminder', 'overdue']);
    });
  });
}

async function loseEveryJob(rt: Runtime): Promise<void> {
  if ('obliterate' in rt.queue) await (rt.queue as BullmqQueue).obliterate();
  else await rt.db('jobs').delete();
}
