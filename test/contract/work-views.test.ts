// "Việc của tôi" and the task page name their rows from the instances and units they read already
// (issue 17: two round trips fewer per page): the names, titles and offices must be those a fresh
// read gives — for a school's staff, for the Phòng's (tasks of several schools, and a stage waiting on
// the Phòng's event), after a unit is renamed, and on the task page — on SQLite and PostgreSQL.
import { expect } from 'chai';
import { Application } from '../../engine/application/application.ts';
import type { Principal } from '../../engine/application/policy.ts';
import type { AccessRole } from '../../engine/access.ts';
import type { Runtime } from '../../adapters/runtime.ts';
import { at8, fixture, openTestRuntime, PROVINCE, STORES } from '../support/runtime.ts';

const START = at8('2022-03-01');
const DEF = 'test-report';

async function principal(rt: Runtime, role: AccessRole, unitId: string): Promise<Principal> {
  const unit = (await rt.store.getUnit(unitId))!;
  return { user: { id: `${role}@${unitId}`, login: `${role}@${unitId}`, name: `${role} ${unitId}` }, grants: [{ role, unitId, unitPath: unit.path }] };
}

for (const kind of STORES) {
  describe(`my work and the task page, named from what they read, on ${kind}`, function () {
    let rt: Runtime;
    let close: () => Promise<void>;
    let app: Application;

    beforeEach(async function () {
      ({ rt, close } = await openTestRuntime(this, kind, START));
      await rt.engine.addUnits(PROVINCE);
      await rt.engine.catalog.publish(fixture('engine/report.yaml'), 'report.yaml', 'admin');
      app = new Application({ engine: rt.engine });
    });
    afterEach(async () => close?.());

    it('names each row by its school, its office and its process, as the task page does', async () => {
      const a1 = await rt.engine.start({ definitionId: DEF, orgUnitId: 'th_a1' }, { actor: 'admin' });
      const a2 = await rt.engine.start({ definitionId: DEF, orgUnitId: 'th_a2' }, { actor: 'admin' });
      await rt.engine.start({ definitionId: DEF, orgUnitId: 'th_b1' }, { actor: 'admin' });
      // th_a2's draft is done and submitted: its review waits on the Phòng's event (a stage item).
      await rt.engine.completeTask(a2.id, 'write', { pages: 3 }, { actor: 'staff@th_a2' });
      await rt.engine.completeTask(a2.id, 'sign', {}, { actor: 'staff@th_a2' });
      await rt.engine.checkEvidence(a2.id, 'signed_copy', true, { actor: 'staff@th_a2' });
      await rt.engine.send(a2.id, { type: 'SUBMIT' }, { actor: 'staff@th_a2' });

      const school = await app.myTasks(await principal(rt, 'staff', 'th_a1'));
      expect(school.items.map((i) => [i.kind, i.instanceId, i.task, i.unitName, i.ownerUnitName, i.officeName, i.processTitle.vi])).to.have.deep.members([
        ['task', a1.id, 'write', 'TH An Hóa', 'TH An Hóa', 'Phòng GDĐT Châu Thành', 'Báo cáo thử'],
        ['task', a1.id, 'sign', 'TH An Hóa', 'TH An Hóa', 'Phòng GDĐT Châu Thành', 'Báo cáo thử'],
      ]);
      const write = school.items.find((i) => i.task === 'write')!;
      expect(write.title).to.deep.equal({ vi: 'Viết', en: 'Write' });
      expect(write.stageTitle).to.deep.equal({ vi: 'Soạn báo cáo', en: 'Draft' });

      const page = await app.task(await principal(rt, 'staff', 'th_a1'), write.id);
      const { kind: _k, officeId: _o, officeName: _n, events: _e, ...row } = write;
      expect(page.task).to.deep.equal(row);

      const office = await app.myTasks(await principal(rt, 'staff', 'pgd_a'));
      expect(office.items.map((i) => [i.kind, i.unitName, i.ownerUnitName, i.officeName]).sort()).to.deep.equal(
        [
          ['stage', 'TH An Khánh', 'Phòng GDĐT Châu Thành', 'Phòng GDĐT Châu Thành'],
          ['task', 'TH An Hóa', 'TH An Hóa', 'Phòng GDĐT Châu Thành'],
          ['task', 'TH An Hóa', 'TH An Hóa', 'Phòng GDĐT Châu Thành'],
        ].sort(),
      );

      // A school renamed: the next read names it anew.
      await rt.engine.reshapeUnits({
        put: [],
        updates: [{ unitId: 'th_a1', fields: { name: 'TH An Hóa (mới)' } }],
        moves: [],
        merges: [],
        closes: [],
        at: START,
        actor: 'admin',
        reason: 'đổi tên',
        audit: [],
      });
      const renamed = await app.myTasks(await principal(rt, 'staff', 'th_a1'));
      expect(renamed.items.map((i) => i.unitName)).to.deep.equal(['TH An Hóa (mới)', 'TH An Hóa (mới)']);
      expect((await app.task(await principal(rt, 'staff', 'th_a1'), write.id)).task.unitName).to.equal('TH An Hóa (mới)');
    });
  });
}
