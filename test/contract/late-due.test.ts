// A DUE delivered late — after a queue outage or behind a backlog, in whatever order the queue hands
// the jobs out — fires the rungs of its own stage entry that were due before it or with it first, so
// the overdue notice is not lost when DUE moves the stage on. Rungs due after it stay stale.
import { expect } from 'chai';
import type { Runtime } from '../../adapters/runtime.ts';
import type { ManualClock } from '../../engine/ports.ts';
import { at8, openTestRuntime, PROVINCE, STORES } from '../support/runtime.ts';

const SOURCE = `id: late-due
version: 1
title: { vi: Hạn nộp, en: Cut-off }
legalBasis: [Test]
appliesTo: [primary]
calendar: vn-government
initial: file
stages:
  file:
    title: { vi: Nộp hồ sơ, en: File }
    owner: school
    due: { workingDays: 3 }
    escalate:
      - { at: { workingDays: -1 }, kind: reminder, notify: owner }
      - { at: { workingDays: 0 }, kind: overdue, notify: [owner, district] }
      - { at: { workingDays: 2 }, kind: escalation, notify: department }
    on:
      DUE: closed
  closed: { title: { vi: Đã khóa, en: Closed }, type: final }
`;

for (const kind of STORES) {
  describe(`a DUE delivered late, on ${kind}`, function () {
    let rt: Runtime;
    let clock: ManualClock;
    let close: () => Promise<void>;

    before(async function () {
      ({ rt, clock, close } = await openTestRuntime(this, kind, at8('2022-03-01')));
      await rt.engine.addUnits(PROVINCE);
      await rt.engine.catalog.publish(SOURCE, 'late-due.yaml', 'admin');
    });
    after(async () => close?.());

    it('fires the reminder and overdue rungs of its entry first, in order; the later escalation stays stale', async () => {
      const s = await rt.engine.start({ definitionId: 'late-due', orgUnitId: 'th_a1' }, { actor: 'admin' });
      const timers = (await rt.store.loadInstance(s.id))!.pendingTimers.sort((a, b) => a.fireAt - b.fireAt);
      expect(timers.map((t) => t.kind).sort()).to.deep.equal(['due', 'escalation', 'overdue', 'reminder']);
      const due = timers.find((t) => t.kind === 'due')!;
      expect(timers.find((t) => t.kind === 'overdue')!.fireAt, 'the overdue rung is due with DUE').to.equal(due.fireAt);
      // Long after everything came due, the queue hands out DUE before the rungs.
      clock.set(at8('2022-03-15'));
      expect(await rt.engine.fireTimer(due.id)).to.equal('fired');

      const history = (await rt.queries.history(s.id)).map((h) => h.eventType);
      expect(history).to.deep.equal(['instance.start', 'escalation.reminder', 'escalation.overdue', 'DUE']);
      expect((await rt.queries.escalationsOf(s.id)).map((e) => e.kind)).to.deep.equal(['reminder', 'overdue']);
      const status = Object.fromEntries(await Promise.all(timers.map(async (t) => [t.kind, (await rt.store.getTimer(t.id))!.status])));
      expect(status).to.deep.equal({ reminder: 'fired', overdue: 'fired', due: 'fired', escalation: 'cancelled' });
      // The queue then delivers the rest: nothing happens twice.
      for (const t of timers) expect(await rt.engine.fireTimer(t.id), t.kind).to.equal('ignored');
      expect((await rt.queries.escalationsOf(s.id)).length).to.equal(2);
      expect((await rt.store.loadInstance(s.id))!.instance.stages).to.deep.equal(['closed']);
    });

    it('a DUE delivered in order, after its rungs fired, does not fire them again', async () => {
      const s = await rt.engine.start({ definitionId: 'late-due', orgUnitId: 'th_a2' }, { actor: 'admin' });
      clock.set(at8('2022-04-01'));
      await rt.runDue();
      expect((await rt.queries.history(s.id)).map((h) => h.eventType)).to.deep.equal(['instance.start', 'escalation.reminder', 'escalation.overdue', 'DUE']);
      expect((await rt.queries.escalationsOf(s.id)).map((e) => e.kind)).to.deep.equal(['reminder', 'overdue']);
    });
  });
}
