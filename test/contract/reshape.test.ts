// Reshaping the org tree while work runs, on SQLite and PostgreSQL: moves, merges (during a running
// campaign), renames and closures through the application layer — every problem reported and nothing
// applied when any is found; instances keep running with their deadlines, and scopes, escalations and
// histories follow the new tree.
import { expect } from 'chai';
import { Application, systemPrincipal, type Principal } from '../../engine/application/application.ts';
import type { OrgOperation } from '../../engine/application/org-commands.ts';
import type { AccessRole } from '../../engine/access.ts';
import { EngineError } from '../../engine/errors.ts';
import { runCampaign } from '../../engine/service/campaigns.ts';
import type { ManualClock } from '../../engine/ports.ts';
import { KnexAudit } from '../../adapters/store/audit-store.ts';
import type { Runtime } from '../../adapters/runtime.ts';
import { at8, fixture, openTestRuntime, PROVINCE, STORES } from '../support/runtime.ts';

const START = at8('2022-03-01');
const DAY = 86_400_000;

for (const kind of STORES) {
  describe(`reshaping the org tree on ${kind}`, function () {
    let rt: Runtime;
    let clock: ManualClock;
    let close: () => Promise<void>;
    let app: Application;
    let audit: KnexAudit;
    const system = systemPrincipal();

    before(async function () {
      ({ rt, clock, close } = await openTestRuntime(this, kind, START));
      await rt.engine.addUnits(PROVINCE);
      await rt.engine.catalog.publish(fixture('engine/report.yaml'), 'report.yaml', 'admin');
      audit = new KnexAudit(rt.db);
      app = new Application({ engine: rt.engine, audit });
    });
    after(async () => close?.());

    /** Someone holding one role on one unit. */
    const person = async (role: AccessRole, unitId: string): Promise<Principal> => {
      const unit = (await rt.store.getUnit(unitId))!;
      return { user: { id: `u-${role}-${unitId}`, login: `${role}_${unitId}`, name: `Cán bộ ${unit.name}` }, grants: [{ role, unitId, unitPath: unit.path }] };
    };
    const pathOf = async (id: string) => (await rt.store.getUnit(id))!.path;
    const snapshot = async () => (await rt.db('org_units').select('id', 'parent_id', 'path', 'closed_at').orderBy('id')) as unknown[];

    it('reports every problem of a list at once, each with its operation and source, and applies none of it', async () => {
      const before = await snapshot();
      const admin = await person('admin', 'pgd_a');
      const ops: OrgOperation[] = [
        { op: 'add', id: 'th_a9', parentId: 'pgd_a', kind: 'primary', name: 'TH mới' },
        { op: 'add', id: 'bad code', parentId: 'pgd_a', kind: 'primary', name: 'x', source: { row: 3, column: 'Mã đơn vị' } },
        { op: 'add', id: 'mn_x', parentId: 'th_a1', kind: 'preschool', name: 'MN dưới trường', source: { row: 4 } },
        { op: 'move', id: 'pgd_a', parentId: 'th_a1' },
        { op: 'move', id: 'th_a2', parentId: 'pgd_b' },
        { op: 'close', id: 'so' },
        { op: 'add', id: 'th_a10', parentId: 'pgd_a', kind: 'primary', name: '   ' },
      ];
      const report = await app.org.reshape(admin, ops, {});
      expect(report.applied).to.equal(false);
      expect(report.problems.map((p) => [p.index, p.code])).to.deep.equal([
        [3, 'REASON_REQUIRED'],
        [1, 'BAD_CODE'],
        [2, 'SCHOOL_UNDER_SCHOOL'],
        [3, 'CYCLE'],
        // Phòng B lies outside Phòng A's administrator: it does not exist for them.
        [4, 'NOT_FOUND'],
        [5, 'NOT_FOUND'],
        [6, 'EMPTY_NAME'],
      ]);
      expect(report.problems[1]!.source).to.deep.equal({ row: 3, column: 'Mã đơn vị' });
      expect(await snapshot()).to.deep.equal(before);
    });

    it('refuses a cycle and a kind out of place, naming the allowed parents', async () => {
      const report = await app.org.reshape(
        system,
        [
          { op: 'move', id: 'pgd_a', parentId: 'pgd_b' },
          { op: 'move', id: 'so', parentId: 'pgd_b' },
          { op: 'move', id: 'th_b1', parentId: 'th_a1' },
        ],
        { reason: 'thử' },
      );
      expect(report.problems.map((p) => p.code)).to.deep.equal(['BAD_PARENT_KIND', 'CYCLE', 'SCHOOL_UNDER_SCHOOL']);
      expect(report.problems[0]!.params!.allowed).to.deep.equal(['department']);
    });

    it('moves a school with its running instance: the deadline stays, the history says why, the new Phòng is told when it is late', async () => {
      await rt.engine.addUnits([{ id: 'th_mv', parentId: 'pgd_a', kind: 'primary', name: 'TH Chuyển' }]);
      const s = await rt.engine.start({ definitionId: 'test-report', orgUnitId: 'th_mv' }, { actor: 'teacher' });
      const adminA = await person('admin', 'pgd_a');
      const adminB = await person('admin', 'pgd_b');
      const adminSo = await person('admin', 'so');
      expect((await app.instance(adminA, s.id)).instance.id).to.equal(s.id);

      const dry = await app.org.reshape(adminSo, [{ op: 'move', id: 'th_mv', parentId: 'pgd_b' }], { reason: 'Điều chỉnh địa giới', dryRun: true });
      expect(dry).to.deep.include({ dryRun: true, applied: false, problems: [] });
      expect(dry.moved).to.deep.equal([{ id: 'th_mv', name: 'TH Chuyển', fromParentId: 'pgd_a', toParentId: 'pgd_b', units: 1 }]);
      expect(dry.touches).to.include({ runningInstances: 1, openTasks: 2 });
      expect(dry.touches.sampleInstanceIds).to.deep.equal([s.id]);
      expect(await pathOf('th_mv')).to.equal('/so/pgd_a/th_mv/');

      const done = await app.org.reshape(adminSo, [{ op: 'move', id: 'th_mv', parentId: 'pgd_b' }], { reason: 'Điều chỉnh địa giới' });
      expect(done.applied).to.equal(true);
      expect(await pathOf('th_mv')).to.equal('/so/pgd_b/th_mv/');
      const loaded = (await rt.store.loadInstance(s.id))!;
      expect(loaded.instance.unitPath).to.equal('/so/pgd_b/th_mv/');
      expect(loaded.instance.dueAt).to.equal(s.dueAt);
      expect(loaded.instance.rev).to.equal(s.rev + 1);
      expect(loaded.tasks.every((t) => t.ownerUnitPath === '/so/pgd_b/th_mv/')).to.equal(true);
      const history = await rt.queries.history(s.id);
      expect(history.at(-1)).to.deep.include({ eventType: 'unit.moved', actor: 'admin_so' });
      expect(history.at(-1)!.payload).to.deep.include({ parentId: 'pgd_b', reason: 'Điều chỉnh địa giới' });

      // Scopes follow: Phòng A's administrator no longer sees it, Phòng B's does.
      await rejectsWith(app.instance(adminA, s.id), 'NOT_FOUND');
      expect((await app.instance(adminB, s.id)).instance.id).to.equal(s.id);
      // The work goes on, and the ladder's notices go to the new Phòng.
      await rt.engine.completeTask(s.id, 'write', { pages: 2 }, { actor: 'teacher' });
      clock.set(START + 12 * DAY);
      await rt.runDue();
      const escalations = await rt.queries.escalationsOf(s.id);
      const notified = escalations.flatMap((e) => e.notified.map((n) => n.unitId));
      expect(notified).to.include('pgd_b');
      expect(notified).to.not.include('pgd_a');
      expect(escalations.every((e) => e.unitPath === '/so/pgd_b/th_mv/')).to.equal(true);

      const [entry] = await audit.list(['/'], { action: ['unit.move'], limit: 1 });
      expect(entry).to.deep.include({ actorLogin: 'admin_so', target: 'th_mv', reason: 'Điều chỉnh địa giới', unitPath: '/so/pgd_b/th_mv/' });
    });

    it('merges one Phòng into another during a running campaign: schools, work, notices and grants pass to the survivor', async () => {
      await rt.engine.addUnits([
        { id: 'pgd_m', parentId: 'so', kind: 'district-office', name: 'Phòng GDĐT Mỏ Cày' },
        { id: 'pgd_n', parentId: 'so', kind: 'district-office', name: 'Phòng GDĐT Mỏ Cày Nam' },
        { id: 'th_m1', parentId: 'pgd_m', kind: 'primary', name: 'TH Mỏ Cày 1' },
        { id: 'th_m2', parentId: 'pgd_m', kind: 'primary', name: 'TH Mỏ Cày 2' },
        { id: 'th_n1', parentId: 'pgd_n', kind: 'primary', name: 'TH Mỏ Cày Nam 1' },
      ]);
      await rt.db('users').insert({ id: 'u-m', login: 'cb_m', name: 'Cán bộ Mỏ Cày', password_hash: 'x', created_at: START, unit_id: 'pgd_m' });
      await rt.db('grants').insert({ user_id: 'u-m', role: 'supervisor', unit_id: 'pgd_m' });

      const { createCampaign } = await import('../../engine/service/campaigns.ts');
      const campaign = await createCampaign(rt.engine, { definitionId: 'test-report', rootUnitId: 'so', kinds: ['primary'] }, { actor: 'admin_so' });
      await runCampaign(rt.engine, campaign.id, { actor: 'admin_so' });
      const m1 = (await rt.store.findInstance('test-report', 'th_m1', campaign.id))!;
      // th_m1 reaches the Phòng's review: that stage is held by Phòng Mỏ Cày.
      await rt.engine.completeTask(m1.id, 'write', { pages: 1 }, { actor: 't' });
      await rt.engine.completeTask(m1.id, 'sign', {}, { actor: 't' });
      await rt.engine.checkEvidence(m1.id, 'signed_copy', true, { actor: 't' });
      await rt.engine.send(m1.id, { type: 'SUBMIT' }, { actor: 't' });

      const adminSo = await person('admin', 'so');
      const report = await app.org.reshape(adminSo, [{ op: 'merge', id: 'pgd_m', intoId: 'pgd_n' }], { reason: 'Sáp nhập huyện' });
      expect(report.problems).to.deep.equal([]);
      expect(report.merged).to.deep.equal([{ id: 'pgd_m', name: 'Phòng GDĐT Mỏ Cày', intoId: 'pgd_n', intoName: 'Phòng GDĐT Mỏ Cày Nam' }]);
      expect(await pathOf('th_m1')).to.equal('/so/pgd_n/th_m1/');
      const merged = (await rt.store.getUnit('pgd_m'))!;
      expect(merged.closedAt).to.be.a('number');
      expect(merged.mergedInto).to.equal('pgd_n');
      expect((await rt.queries.childUnits('so')).map((u) => u.id)).to.not.include('pgd_m');
      expect((await rt.queries.childUnits('pgd_n')).map((u) => u.id).sort()).to.deep.equal(['th_m1', 'th_m2', 'th_n1']);
      // The review task held by the old Phòng is now the survivor's; the grant passed too.
      const review = (await rt.queries.tasksOf(m1.id)).filter((t) => t.status === 'open');
      expect(review.every((t) => t.ownerUnitId !== 'pgd_m')).to.equal(true);
      expect(await rt.db('grants').where({ user_id: 'u-m' }).select('role', 'unit_id')).to.deep.equal([{ role: 'supervisor', unit_id: 'pgd_n' }]);
      expect((await rt.db('users').where({ id: 'u-m' }).first()).unit_id).to.equal('pgd_n');

      // The campaign goes on over the new tree: the survivor's office reviews.
      const after = await rt.engine.send(m1.id, { type: 'REVIEW', data: { decision: 'accepted' } }, { actor: 'officer' });
      expect(after.stages).to.deep.equal(['hearing']);
      const count = await rt.queries.countInstances({ campaignId: campaign.id, underPath: '/so/pgd_n/' });
      expect(count).to.equal(3);
      // A closed unit takes no new work.
      await rejectsWith(rt.engine.start({ definitionId: 'test-report', orgUnitId: 'pgd_m' }, { actor: 'x' }), 'UNIT_CLOSED');
      await rejectsWith(app.launchCampaign(system, { definitionId: 'test-report', rootUnitId: 'pgd_m' }), 'UNIT_CLOSED');
      await rejectsWith(
        app.cohort(system, { definitionId: 'test-report' }, { op: 'reassign', toUnitId: 'pgd_m', reason: 'bàn giao', dryRun: true }),
        'UNIT_CLOSED',
      );
    });

    it('closes a unit only when nothing runs there; its grants end', async () => {
      await rt.engine.addUnits([{ id: 'th_cl', parentId: 'pgd_b', kind: 'primary', name: 'TH Giải thể' }]);
      const s = await rt.engine.start({ definitionId: 'test-report', orgUnitId: 'th_cl' }, { actor: 't' });
      await rt.db('users').insert({ id: 'u-cl', login: 'cb_cl', name: 'Cán bộ', password_hash: 'x', created_at: START });
      await rt.db('grants').insert({ user_id: 'u-cl', role: 'staff', unit_id: 'th_cl' });
      const refused = await app.org.reshape(system, [{ op: 'close', id: 'th_cl' }], { reason: 'Giải thể' });
      expect(refused.problems.map((p) => p.code)).to.deep.equal(['UNIT_HAS_RUNNING_WORK']);
      expect(refused.problems[0]!.params).to.deep.include({ runningInstances: 1 });
      await app.cancelInstance(system, s.id, 'Trường giải thể');
      const closed = await app.org.reshape(system, [{ op: 'close', id: 'th_cl' }], { reason: 'Giải thể' });
      expect(closed.applied).to.equal(true);
      expect(closed.touches.grants).to.equal(1);
      expect(await rt.db('grants').where({ user_id: 'u-cl' })).to.deep.equal([]);
      expect((await rt.queries.childUnits('pgd_b')).map((u) => u.id)).to.not.include('th_cl');
    });

    it('takes the 2025 shape in one list: communes under the Sở, schools handed to them, the Phòng closed', async () => {
      await rt.engine.addUnits([
        { id: 'pgd_x', parentId: 'so', kind: 'district-office', name: 'Phòng GDĐT Giồng Trôm' },
        { id: 'th_x1', parentId: 'pgd_x', kind: 'primary', name: 'TH Giồng Trôm' },
        { id: 'thcs_x1', parentId: 'pgd_x', kind: 'lower-secondary', name: 'THCS Giồng Trôm' },
      ]);
      const s = await rt.engine.start({ definitionId: 'test-report', orgUnitId: 'thcs_x1' }, { actor: 't' });
      const report = await app.org.reshape(
        system,
        [
          { op: 'add', id: 'xa_gt', parentId: 'so', kind: 'commune', name: 'UBND xã Giồng Trôm' },
          { op: 'add', id: 'xa_pt', parentId: 'so', kind: 'commune', name: 'UBND xã Phong Nẫm' },
          { op: 'move', id: 'th_x1', parentId: 'xa_gt' },
          { op: 'move', id: 'thcs_x1', parentId: 'xa_pt' },
          { op: 'close', id: 'pgd_x' },
          { op: 'update', id: 'xa_pt', name: 'UBND xã Phong Nẫm (mới)', email: 'pn@bentre.gov.vn' },
        ],
        { reason: 'Sắp xếp đơn vị hành chính từ 1/7/2025' },
      );
      expect(report.problems).to.deep.equal([]);
      expect(report.applied).to.equal(true);
      expect(report.closed).to.deep.equal([{ id: 'pgd_x', name: 'Phòng GDĐT Giồng Trôm', units: 1 }]);
      expect(await pathOf('thcs_x1')).to.equal('/so/xa_pt/thcs_x1/');
      expect((await rt.store.getUnit('xa_pt'))!).to.deep.include({ name: 'UBND xã Phong Nẫm (mới)', email: 'pn@bentre.gov.vn', depth: 1 });
      expect((await rt.store.getUnit('thcs_x1'))!.depth).to.equal(2);
      expect((await rt.store.loadInstance(s.id))!.instance).to.deep.include({ status: 'running', unitPath: '/so/xa_pt/thcs_x1/' });
      expect((await rt.store.getUnit('th_x1'))!.closedAt).to.equal(undefined);
    });
  });
}

async function rejectsWith(p: Promise<unknown>, code: string): Promise<void> {
  try {
    await p;
  } catch (e) {
    expect((e as EngineError).code).to.equal(code);
    return;
  }
  expect.fail(`expected ${code}`);
}
