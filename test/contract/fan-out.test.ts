// Work across the tree, on SQLite and PostgreSQL: a Sở instance's stage opens a child instance for
// each unit it chooses below, waits for them (all, a quorum, or the cut-off), and adds up what they
// answer; the late ones are listed, a ladder rung reaches the units still missing, and a parent's
// guards read the roll-up.
import { expect } from 'chai';
import { Application, systemPrincipal, type Principal } from '../../engine/application/application.ts';
import { EngineError } from '../../engine/errors.ts';
import type { ManualClock } from '../../engine/ports.ts';
import type { Runtime } from '../../adapters/runtime.ts';
import { at8, fixture, openTestRuntime, PROVINCE, STORES } from '../support/runtime.ts';

const START = at8('2022-01-10');

/** A Phòng's own plan whose reminder goes to its primary schools (a role pointing down) and up. */
const PHONG_NOTICE = `id: phong-notice
version: 1
title: { vi: Kế hoạch của Phòng, en: The Phòng's plan }
legalBasis: [Công văn thử nghiệm]
appliesTo: [district-office]
calendar: vn-government
roles:
  schools: { title: { vi: Các trường tiểu học, en: Primary schools }, unit: descendants, kinds: [primary] }
initial: plan
stages:
  plan:
    title: { vi: Lập kế hoạch, en: Plan }
    owner: school
    due: { date: 2022-01-24 }
    escalate:
      - { at: { workingDays: -1 }, kind: reminder, notify: [schools, district] }
    on:
      SEND: done
  done:
    title: { vi: Xong, en: Done }
    type: final
`;

for (const kind of STORES) {
  describe(`fan-out and roll-up on ${kind}`, function () {
    let rt: Runtime;
    let clock: ManualClock;
    let close: () => Promise<void>;
    let app: Application;
    const system = systemPrincipal();

    before(async function () {
      ({ rt, clock, close } = await openTestRuntime(this, kind, START));
      await rt.engine.addUnits(PROVINCE);
      app = new Application({ engine: rt.engine });
    });
    after(async () => close?.());

    const childOf = async (parentId: string, unitId: string) => {
      const view = await app.childrenOf(system, parentId);
      return view.stages.at(-1)!.children.find((c) => c.unitId === unitId)!;
    };
    const report = async (instanceId: string, schools: number, completed: number, rating = 'good') => {
      await app.completeTaskOf(system, instanceId, 'figures', { schools, completed, rating });
      await app.sendEvent(system, instanceId, { type: 'SUBMIT' });
      await app.sendEvent(system, instanceId, { type: 'REVIEW', data: { decision: 'accepted' } });
    };

    it('refuses to start a parent whose child process is not published, naming it', async () => {
      await rt.engine.catalog.publish(fixture('fan-out/so-review.yaml'), 'so-review.yaml', 'admin');
      const refused = await app.startInstance(system, { definitionId: 'so-review', orgUnitId: 'so' }).catch((e: EngineError) => e);
      expect(refused).to.be.instanceOf(EngineError);
      expect((refused as EngineError).code).to.equal('CHILD_PROCESS_MISSING');
      expect((refused as EngineError).details.process).to.equal('unit-report');
      expect(await rt.db('instances').count({ n: '*' })).to.deep.equal([{ n: kind === 'postgres' ? '0' : 0 }]);
    });

    it('opens one child per Phòng and upper-secondary school, adds up their answers and moves on when all are done', async () => {
      await rt.engine.catalog.publish(fixture('fan-out/unit-report.yaml'), 'unit-report.yaml', 'admin');
      const parent = await app.startInstance(system, { definitionId: 'so-review', orgUnitId: 'so' });
      const view = await app.childrenOf(system, parent.id);
      expect(view.stages).to.have.length(1);
      const stage = view.stages[0]!;
      expect(stage.children.map((c) => c.unitId).sort()).to.deep.equal(['pgd_a', 'pgd_b', 'thpt_1']);
      expect([stage.total, stage.done, stage.pending, stage.late]).to.deep.equal([3, 0, 3, 0]);
      expect(stage.children.every((c) => c.stages[0] === 'report' && c.stageTitles[0]!.vi === 'Lập báo cáo')).to.equal(true);

      await report(stage.children.find((c) => c.unitId === 'pgd_a')!.instanceId, 12, 10, 'good');
      await report(stage.children.find((c) => c.unitId === 'pgd_b')!.instanceId, 8, 8, 'fair');
      let now = (await app.childrenOf(system, parent.id)).stages[0]!;
      expect([now.done, now.pending]).to.deep.equal([2, 1]);
      expect(now.rollup.schools).to.deep.include({ count: 2, sum: 20, min: 8, max: 12 });
      expect(now.rollup.rating!.values).to.deep.equal({ good: ['pgd_a'], fair: ['pgd_b'] });
      expect((await childOf(parent.id, 'pgd_a')).figures).to.deep.equal({ schools: 12, completed: 10, rating: 'good' });
      expect((await rt.store.loadInstance(parent.id))!.instance.stages).to.deep.equal(['collect']);

      await report(stage.children.find((c) => c.unitId === 'thpt_1')!.instanceId, 1, 0);
      const moved = (await rt.store.loadInstance(parent.id))!.instance;
      expect(moved.stages).to.deep.equal(['consolidate']);
      const history = await rt.engine.queries.history(parent.id);
      expect(history.map((h) => h.eventType)).to.include('CHILDREN_DONE');
      // The Sở's own report starts from the roll-up; its guard reads it too (18 completed).
      const [own] = await rt.db('tasks').where({ instance_id: parent.id, task: 'province_report' });
      const detail = await app.task(system, own.id);
      expect(detail.prefill).to.deep.equal({ schools: 21, completed: 18, reported: 3 });
      await app.completeTask(system, own.id, detail.prefill);
      await app.sendEvent(system, parent.id, { type: 'SEND' });
      expect((await rt.store.loadInstance(parent.id))!.instance.status).to.equal('done');
      now = (await app.childrenOf(system, parent.id)).stages[0]!;
      expect(now.rollup.completed).to.deep.include({ count: 3, sum: 18, min: 0, max: 10 });
      expect(now.open).to.equal(false);
    });

    it('refuses CHILDREN_DONE sent by hand', async () => {
      const parent = await rt.engine.store.findInstance('so-review', 'so');
      const refused = await app.sendEvent(system, parent!.id, { type: 'CHILDREN_DONE' }).catch((e: EngineError) => e);
      expect((refused as EngineError).code).to.equal('STAGE_REJECTS_EVENT');
    });

    it('a quorum from a sample list moves on before everyone answers; units outside the list get nothing', async () => {
      await rt.engine.catalog.publish(fixture('fan-out/so-quorum.yaml'), 'so-quorum.yaml', 'admin');
      const refused = await app
        .startInstance(system, { definitionId: 'so-quorum', orgUnitId: 'so', lists: { samples: ['th_a1'] } })
        .catch((e: EngineError) => e);
      expect((refused as EngineError).code).to.equal('UNKNOWN_LIST');
      const parent = await app.startInstance(system, { definitionId: 'so-quorum', orgUnitId: 'so', lists: { sample: ['th_a1', 'th_a2', 'th_b1'] } });
      const stage = (await app.childrenOf(system, parent.id)).stages[0]!;
      expect(stage.children.map((c) => c.unitId).sort()).to.deep.equal(['th_a1', 'th_a2', 'th_b1']);
      expect(await rt.db('instances').where({ campaign_id: stage.campaignId, org_unit_id: 'thcs_a1' })).to.deep.equal([]);
      await report(stage.children.find((c) => c.unitId === 'th_a1')!.instanceId, 1, 1);
      expect((await rt.store.loadInstance(parent.id))!.instance.stages).to.deep.equal(['survey']);
      await report(stage.children.find((c) => c.unitId === 'th_b1')!.instanceId, 1, 1);
      expect((await rt.store.loadInstance(parent.id))!.instance.stages).to.deep.equal(['enough']);
    });

    it('a reader of one Phòng sees only its own children of the Sở instance', async () => {
      const parent = await rt.engine.store.findInstance('so-quorum', 'so');
      const unit = (await rt.store.getUnit('pgd_a'))!;
      const phong: Principal = {
        user: { id: 'u1', login: 'pa', name: 'Cán bộ Phòng A' },
        grants: [{ role: 'supervisor', unitId: 'pgd_a', unitPath: unit.path }],
      };
      // The Sở's instance is not the Phòng's to read: it does not exist for them.
      const refused = await app.childrenOf(phong, parent!.id).catch((e: EngineError) => e);
      expect((refused as EngineError).code).to.equal('NOT_FOUND');
      // Its own child instance it reads, without the Sở's instance that opened it; the Sở reads both.
      const review = (await rt.engine.store.findInstance('so-review', 'so'))!;
      const own = (await app.childrenOf(system, review.id)).stages[0]!.children.find((c) => c.unitId === 'pgd_a')!;
      expect((await app.instance(phong, own.instanceId)).openedBy).to.equal(null);
      expect((await app.instance(system, own.instanceId)).openedBy).to.deep.include({ instanceId: review.id, unitName: 'Sở GDĐT Bến Tre' });
    });

    it('a role pointing down reaches the units below of its kinds: a Phòng reminds its primary schools', async () => {
      await rt.engine.catalog.publish(PHONG_NOTICE, 'phong-notice.yaml', 'admin');
      const parent = await app.startInstance(system, { definitionId: 'phong-notice', orgUnitId: 'pgd_a' });
      clock.set(at8('2022-01-21'));
      await rt.runDue();
      const [reminder] = await rt.engine.queries.escalationsOf(parent.id);
      expect(reminder!.notified).to.deep.equal([
        { role: 'district', unitId: 'so' },
        { role: 'schools', unitId: 'th_a1' },
        { role: 'schools', unitId: 'th_a2' },
      ]);
      const inbox = await rt.engine.queries.inbox(['th_a1', 'thcs_a1', 'th_b1'], { unreadOnly: false, limit: 10 });
      expect(inbox.map((i) => i.unitId)).to.deep.equal(['th_a1']);
    });

    it('lists the late at the cut-off and notifies the units still missing', async () => {
      await rt.engine.addUnits([
        { id: 'so2', kind: 'department', name: 'Sở GDĐT thử' },
        { id: 'pgd_x', parentId: 'so2', kind: 'district-office', name: 'Phòng X' },
        { id: 'pgd_y', parentId: 'so2', kind: 'district-office', name: 'Phòng Y' },
      ]);
      const parent = await app.startInstance(system, { definitionId: 'so-review', orgUnitId: 'so2' });
      const stage = (await app.childrenOf(system, parent.id)).stages[0]!;
      await report(stage.children.find((c) => c.unitId === 'pgd_x')!.instanceId, 3, 3);
      // Two days before the cut-off the reminder reaches Phòng Y only.
      clock.set(at8('2022-01-22'));
      await rt.runDue();
      const reminder = (await rt.engine.queries.escalationsOf(parent.id)).find((e) => e.kind === 'reminder')!;
      expect(reminder.notified).to.deep.equal([{ role: 'children', unitId: 'pgd_y' }]);
      clock.set(at8('2022-01-25'));
      await rt.runDue();
      const after = (await rt.store.loadInstance(parent.id))!.instance;
      expect(after.stages).to.deep.equal(['consolidate']);
      const late = (await app.childrenOf(system, parent.id)).stages[0]!;
      expect(late.children.filter((c) => c.late).map((c) => c.unitId)).to.deep.equal(['pgd_y']);
      expect([late.done, late.pending, late.late]).to.deep.equal([1, 1, 1]);
      // Late, it still reports, and the roll-up counts it.
      await report(late.children.find((c) => c.unitId === 'pgd_y')!.instanceId, 2, 1);
      const last = (await app.childrenOf(system, parent.id)).stages[0]!;
      expect(last.rollup.completed).to.deep.include({ count: 2, sum: 4 });
      expect(last.late).to.equal(0);
    });

    it("puts on the parent's record the units its children could not start for, and does not wait for them", async () => {
      await rt.engine.addUnits([{ id: 'mn_x', parentId: 'pgd_x', kind: 'preschool', name: 'MN X' }]);
      const parent = await app.startInstance(system, { definitionId: 'so-quorum', orgUnitId: 'so2', lists: { sample: ['pgd_y', 'mn_x'] } });
      const history = await rt.engine.queries.history(parent.id);
      const failed = history.find((h) => h.eventType === 'fanOut.failed')!;
      expect(failed.payload).to.deep.include({ count: 1, units: [{ unitId: 'mn_x', code: 'NOT_APPLICABLE' }] });
      const stage = (await app.childrenOf(system, parent.id)).stages[0]!;
      expect([stage.total, stage.children.map((c) => c.unitId)]).to.deep.equal([1, ['pgd_y']]);
    });

    it('children finishing at once (their finishes committed together) move the parent once, every answer counted', async () => {
      const phong = Array.from({ length: 8 }, (_, i) => ({ id: `pgd_z${i}`, parentId: 'so3', kind: 'district-office' as const, name: `Phòng Z${i}` }));
      await rt.engine.addUnits([{ id: 'so3', kind: 'department', name: 'Sở GDĐT thử 3' }, ...phong]);
      const parent = await app.startInstance(system, { definitionId: 'so-review', orgUnitId: 'so3' });
      const stage = (await app.childrenOf(system, parent.id)).stages[0]!;
      expect(stage.total).to.equal(8);
      // The checks of finishes that arrive together are coalesced; the last finish is never missed.
      await Promise.all(stage.children.map((c, i) => report(c.instanceId, i + 1, i)));
      const moved = (await rt.store.loadInstance(parent.id))!.instance;
      expect(moved.stages).to.deep.equal(['consolidate']);
      const history = await rt.engine.queries.history(parent.id);
      expect(history.filter((h) => h.eventType === 'CHILDREN_DONE')).to.have.length(1);
      const now = (await app.childrenOf(system, parent.id)).stages[0]!;
      expect([now.done, now.pending]).to.deep.equal([8, 0]);
      expect(now.rollup.schools).to.deep.include({ count: 8, sum: 36, min: 1, max: 8 });
      // A check asked again later finds the parent moved on, and sends nothing.
      expect(await rt.engine.checkFanOut(now.campaignId)).to.equal(false);
    });

    it('passes its cut-off down, and counts a unit whose report is filed as done though the check above is to come', async () => {
      await rt.engine.catalog.publish(fixture('fan-out/so-filed.yaml'), 'so-filed.yaml', 'admin');
      const parent = await app.startInstance(system, { definitionId: 'so-filed', orgUnitId: 'so', anchors: { cutoff: '2022-01-28' } });
      const stage = (await app.childrenOf(system, parent.id)).stages[0]!;
      expect(stage.children.map((c) => c.dueAt)).to.deep.equal([at8('2022-01-28') + 16 * 3_600_000 - 1000, at8('2022-01-28') + 16 * 3_600_000 - 1000]);
      const [a, b] = stage.children;
      await app.completeTaskOf(system, a!.instanceId, 'figures', { schools: 1, completed: 1 });
      await app.sendEvent(system, a!.instanceId, { type: 'SUBMIT' });
      expect((await rt.store.loadInstance(parent.id))!.instance.stages).to.deep.equal(['collect']);
      await app.completeTaskOf(system, b!.instanceId, 'figures', { schools: 2, completed: 2 });
      await app.sendEvent(system, b!.instanceId, { type: 'SUBMIT' });
      // Both filed, both awaiting the office's review: the Sở moves on.
      expect((await rt.store.loadInstance(parent.id))!.instance.stages).to.deep.equal(['check']);
      clock.set(at8('2022-02-07'));
      const after = (await app.childrenOf(system, parent.id)).stages[0]!;
      expect([after.done, after.late, after.children.map((c) => c.status)]).to.deep.equal([2, 0, ['running', 'running']]);
    });
  });
}
