// Periodic reporting under TT 19/2020 as a chain on the real engine: the Sở's instance opens the
// district part for each Phòng (before 25/1), adds up their figures, lists the late ones at the
// cut-off, and files with the Ministry (before 31/1), whose unit its ladder reaches.
import { expect } from 'chai';
import { compileFile } from '../support/process-driver.ts';
import type { UnitInput } from '../../engine/service/org.ts';
import { openTree, system, type Tree } from '../support/tree.ts';

const UNITS: UnitInput[] = [
  { id: 'bo', kind: 'ministry', name: 'Bộ GDĐT' },
  { id: 'so', parentId: 'bo', kind: 'department', name: 'Sở GDĐT Kon Tum' },
  { id: 'pgd_a', parentId: 'so', kind: 'district-office', name: 'Phòng GDĐT Kon Rẫy', levels: ['preschool', 'primary', 'lower-secondary'] },
  { id: 'pgd_b', parentId: 'so', kind: 'district-office', name: 'Phòng GDĐT Đăk Glei', levels: ['preschool', 'primary', 'lower-secondary'] },
  { id: 'pgd_c', parentId: 'so', kind: 'district-office', name: 'Phòng GDĐT Sa Thầy', levels: ['preschool', 'primary', 'lower-secondary'] },
  { id: 'th_a', parentId: 'pgd_a', kind: 'primary', name: 'Trường Tiểu học Đăk Kôi' },
  { id: 'thpt_1', parentId: 'so', kind: 'upper-secondary', name: 'Trường THPT Kon Tum' },
];
const PROCESSES = ['periodic-reporting-district', 'periodic-reporting'];

async function districtFiles(t: Tree, id: string, students: number, schools: number) {
  await t.completeOpen(id);
  await t.send(id, 'COMPILED');
  await t.completeOpen(id, { district_report: { students, schools } });
  await t.send(id, 'SUBMIT');
}

describe('process: periodic-reporting, the Sở and its Phòng (TT 19/2020, real engine)', function () {
  this.timeout(30_000);

  it('gives each level its own deadline: the Phòng before 25/1, the Sở before 31/1, neither rolled forward', () => {
    const so = compileFile('processes/periodic-reporting.yaml');
    const district = compileFile('processes/periodic-reporting-district.yaml');
    expect(so.appliesTo).to.deep.equal(['department']);
    expect(so.stages.district_reports!.fanOut).to.deep.include({ process: 'periodic-reporting-district' });
    expect(so.stages.district_reports!.due).to.deep.include({ anchor: 'district_deadline', amount: -1, rollForward: false });
    expect(so.stages.department_submission!.due).to.deep.include({ anchor: 'department_deadline', amount: -1, rollForward: false });
    expect(district.stages.district_submission!.due).to.deep.include({ anchor: 'district_deadline', amount: -1, rollForward: false });
    expect(district.stages.district_submission!.escalate.map((s) => s.kind)).to.deep.equal(['reminder', 'reminder', 'overdue']);
  });

  describe('January 2022: every Phòng on time', () => {
    let t: Tree;
    let so: string;
    before(async function () {
      t = await openTree(this, '2022-01-04', UNITS, PROCESSES);
      so = (await t.app.startInstance(system, { definitionId: 'periodic-reporting', orgUnitId: 'so' })).id;
    });
    after(() => t?.close());

    it('opens the report for every Phòng only, adds up the students, and consolidates when the Sở has accepted them all', async () => {
      const view = await t.fanOut(so);
      expect(view.children.map((c) => c.unitId).sort()).to.deep.equal(['pgd_a', 'pgd_b', 'pgd_c']);
      expect(view.cutoffAt).to.equal(Date.parse('2022-01-24T23:59:59+07:00'));
      await t.at('2022-01-17');
      for (const [unit, students, schools] of [
        ['pgd_a', 8412, 41],
        ['pgd_b', 6150, 33],
        ['pgd_c', 5120, 29],
      ] as const) {
        const id = await t.childOf(so, unit);
        await districtFiles(t, id, students, schools);
        await t.send(id, 'REVIEW', { decision: 'accepted' });
      }
      const done = await t.fanOut(so);
      expect(done.rollup.students).to.deep.include({ count: 3, sum: 19682, min: 5120, max: 8412 });
      expect(done.rollup.schools!.sum).to.equal(103);
      expect(await t.stages(so)).to.deep.equal(['department_consolidation']);
      await t.completeOpen(so, { list_late_units: { lateUnits: [] } });
      await t.send(so, 'CONSOLIDATED');
      await t.completeOpen(so);
      await t.send(so, 'SUBMIT');
      expect(await t.stages(so)).to.deep.equal(['sent_to_ministry']);
    });
  });

  describe('January 2022: one Phòng late, one report returned, the Sở late to the Ministry', () => {
    let t: Tree;
    let so: string;
    before(async function () {
      t = await openTree(this, '2022-01-04', UNITS, PROCESSES);
      so = (await t.app.startInstance(system, { definitionId: 'periodic-reporting', orgUnitId: 'so' })).id;
      await t.at('2022-01-17');
      const a = await t.childOf(so, 'pgd_a');
      await districtFiles(t, a, 8412, 41);
      await t.send(a, 'REVIEW', { decision: 'accepted' });
      await districtFiles(t, await t.childOf(so, 'pgd_b'), 6150, 33);
    });
    after(() => t?.close());

    it("returns a report with its reason, kept on the Phòng's timeline", async () => {
      const b = await t.childOf(so, 'pgd_b');
      await t.send(b, 'REVIEW', { decision: 'returned', note: 'Số học sinh lớp 1 chưa khớp với cơ sở dữ liệu ngành' });
      expect(await t.stages(b)).to.deep.equal(['district_correction']);
      const review = (await t.rt.engine.queries.history(b)).find((h) => h.eventType === 'REVIEW')!;
      expect(JSON.stringify(review.payload)).to.include('chưa khớp với cơ sở dữ liệu ngành');
      await t.completeOpen(b);
      await t.send(b, 'SUBMIT');
      await t.send(b, 'REVIEW', { decision: 'accepted' });
      expect(await t.stages(b)).to.deep.equal(['accepted']);
    });

    it('reminds the missing Phòng, and at the cut-off lists it as late and moves the Sở on', async () => {
      await t.at('2022-01-23');
      const reminders = (await t.rt.engine.queries.escalationsOf(so)).filter((e) => e.kind === 'reminder');
      expect(reminders.at(-1)!.notified).to.deep.equal([{ role: 'children', unitId: 'pgd_c' }]);
      await t.at('2022-01-25');
      expect(await t.stages(so)).to.deep.equal(['department_consolidation']);
      const view = await t.fanOut(so);
      expect(view.children.filter((c) => c.late).map((c) => c.unitId)).to.deep.equal(['pgd_c']);
      // Phòng C never compiled its data: still there, past its own deadline and overdue rung.
      const c = await t.childOf(so, 'pgd_c');
      expect(await t.stages(c)).to.deep.equal(['data_collection']);
      expect((await t.rt.engine.queries.escalationsOf(c)).map((e) => e.kind)).to.include('overdue');
    });

    it('lets the Sở miss "before 31/1" (Sun 30/1, in Tết): its late stage, the Ministry told', async () => {
      await t.completeOpen(so, { list_late_units: { lateUnits: ['Phòng GDĐT Sa Thầy'] } });
      await t.send(so, 'CONSOLIDATED');
      expect(await t.stages(so)).to.deep.equal(['department_submission']);
      await t.at('2022-01-31');
      expect(await t.stages(so)).to.deep.equal(['department_late']);
      const overdue = (await t.rt.engine.queries.escalationsOf(so)).find((e) => e.kind === 'overdue' && e.stage === 'department_submission')!;
      expect(overdue.notified.map((n) => n.unitId)).to.deep.equal(['so', 'bo']);
    });
  });

  it('runs the mid-year round: the Sở started with 25/6 and 30/6; its Phòng given 25/6 (anchor.set)', async function () {
    const t = await openTree(this, '2022-06-06', UNITS, PROCESSES);
    try {
      const so = (
        await t.app.startInstance(system, {
          definitionId: 'periodic-reporting',
          orgUnitId: 'so',
          anchors: { district_deadline: '2022-06-25', department_deadline: '2022-06-30' },
        })
      ).id;
      expect((await t.fanOut(so)).cutoffAt).to.equal(Date.parse('2022-06-24T23:59:59+07:00'));
      // The Phòng's part counts from the round's date, passed down by the fan-out.
      const a = await t.childOf(so, 'pgd_a');
      const submission = async () => {
        const loaded = (await t.rt.store.loadInstance(a))!;
        return loaded.instance.state.entries.data_collection?.dueAt;
      };
      // 25/6 − 7 days = Sat 18/6: a limit counted back from the deadline moves to the working day before, Fri 17/6.
      expect(await submission()).to.equal(Date.parse('2022-06-17T23:59:59+07:00'));
    } finally {
      await t.close();
    }
  });
});
