// The Sở's Bến Tre review on the real engine: its collection opens the unit's part for every Phòng,
// THPT, centre and the two special schools the letter names, reminds the units still missing, lists
// the late ones at the 24/01/2022 cut-off, adds up their figures, and reports to the Ministry.
import { expect } from 'chai';
import type { UnitInput } from '../../engine/service/org.ts';
import { openTree, system, type Tree } from '../support/tree.ts';

const UNITS: UnitInput[] = [
  { id: 'bo', kind: 'ministry', name: 'Bộ GDĐT' },
  { id: 'so', parentId: 'bo', kind: 'department', name: 'Sở GDĐT Bến Tre' },
  { id: 'pgd_ct', parentId: 'so', kind: 'district-office', name: 'Phòng GDĐT Châu Thành', levels: ['preschool', 'primary', 'lower-secondary'] },
  { id: 'pgd_gt', parentId: 'so', kind: 'district-office', name: 'Phòng GDĐT Giồng Trôm', levels: ['primary', 'lower-secondary'] },
  { id: 'pgd_bt', parentId: 'so', kind: 'district-office', name: 'Phòng GDĐT Ba Tri', levels: ['preschool', 'primary'] },
  { id: 'th_ct', parentId: 'pgd_ct', kind: 'primary', name: 'Trường Tiểu học An Hóa' },
  { id: 'thpt_1', parentId: 'so', kind: 'upper-secondary', name: 'Trường THPT Chuyên Bến Tre' },
  { id: 'gdtx_1', parentId: 'so', kind: 'continuing-education', name: 'Trung tâm GDNN-GDTX Châu Thành' },
  {
    id: 'bt-hermann-gmeiner',
    parentId: 'so',
    kind: 'multi-level',
    name: 'Trường phổ thông Hermann Gmeiner',
    levels: ['primary', 'lower-secondary', 'upper-secondary'],
  },
  { id: 'bt-nang-khieu-tdtt', parentId: 'so', kind: 'multi-level', name: 'Trường Năng khiếu TDTT', levels: ['lower-secondary', 'upper-secondary'] },
];
const ADDRESSEES = ['bt-hermann-gmeiner', 'bt-nang-khieu-tdtt', 'gdtx_1', 'pgd_bt', 'pgd_ct', 'pgd_gt', 'thpt_1'];

const PHONG = (schools: number, completed: number) => ({ check_self_assessment_completion: { schools, completed, improvementReported: completed - 1 } });
const SCHOOL = (uncollected: number) => ({
  school_self_assessment: { completed: true },
  uncollected_diplomas: { uncollected },
  graduation_archive: { graduationList: true, graduationDataSheet: true, scoreSheet: true, masterRegister: true },
});

/** A unit reviews, files its online reports, and the Sở accepts (or returns) it. */
async function file(t: Tree, id: string, data: Record<string, Record<string, unknown>>, decision: 'accepted' | 'returned' | 'none' = 'accepted') {
  await t.completeOpen(id, data);
  await t.send(id, 'REVIEWED');
  await t.completeOpen(id);
  await t.send(id, 'SUBMIT');
  if (decision === 'returned') await t.send(id, 'REVIEW', { decision: 'returned', note: 'Bổ sung số liệu trường chưa tự đánh giá' });
  else if (decision === 'accepted') await t.send(id, 'REVIEW', { decision: 'accepted' });
}

describe('process: ben-tre-review-2022, the Sở and its units (real engine)', function () {
  this.timeout(30_000);

  describe('every unit on time', () => {
    let t: Tree;
    let so: string;
    before(async function () {
      t = await openTree(this, '2022-01-10', UNITS, ['ben-tre-review-2022-unit', 'ben-tre-review-2022']);
      so = (await t.app.startInstance(system, { definitionId: 'ben-tre-review-2022', orgUnitId: 'so' })).id;
    });
    after(() => t?.close());

    it('opens the review for every addressee of the letter, the special schools included, and nothing below a Phòng', async () => {
      const view = await t.fanOut(so);
      expect(view.children.map((c) => c.unitId).sort()).to.deep.equal(ADDRESSEES);
      expect([view.total, view.done, view.pending, view.late]).to.deep.equal([7, 0, 7, 0]);
      expect(view.cutoffAt).to.equal(Date.parse('2022-01-24T23:59:59+07:00'));
      expect(await t.stages(so)).to.deep.equal(['collection']);
    });

    it('gives each kind its own part: a Phòng its per-level reports, a multi-level school the school review', async () => {
      const gmeiner = await t.childOf(so, 'bt-hermann-gmeiner');
      const open = (await t.rt.store.loadInstance(gmeiner))!.tasks.filter((x) => x.status === 'open').map((x) => x.task);
      expect(open.sort()).to.deep.equal(['graduation_archive', 'school_improvement_plan', 'school_self_assessment', 'uncollected_diplomas']);
      const gt = await t.childOf(so, 'pgd_gt');
      await t.completeOpen(gt, PHONG(30, 28));
      await t.send(gt, 'REVIEWED');
      const reports = (await t.rt.store.loadInstance(gt))!.tasks.filter((x) => x.status === 'open').map((x) => x.task);
      expect(reports.sort(), 'one report per level it manages').to.deep.equal(['report_lower_secondary', 'report_primary']);
      await t.completeOpen(gt);
      await t.send(gt, 'SUBMIT');
      expect(await t.stages(gt)).to.deep.equal(['department_check']);
    });

    it('adds up the figures as the units file, and moves on to the report to the Ministry when the last is accepted', async () => {
      await t.at('2022-01-18');
      await t.send(await t.childOf(so, 'pgd_gt'), 'REVIEW', { decision: 'accepted' });
      await file(t, await t.childOf(so, 'pgd_ct'), PHONG(61, 59));
      await file(t, await t.childOf(so, 'pgd_bt'), PHONG(40, 40));
      let view = await t.fanOut(so);
      expect(view.rollup.schools).to.deep.include({ count: 3, sum: 131 });
      expect(view.rollup.self_assessed).to.deep.include({ count: 3, sum: 127 });
      expect(await t.stages(so)).to.deep.equal(['collection']);
      await t.at('2022-01-20');
      for (const [unit, n] of [
        ['thpt_1', 12],
        ['gdtx_1', 3],
        ['bt-hermann-gmeiner', 0],
        ['bt-nang-khieu-tdtt', 1],
      ] as const)
        await file(t, await t.childOf(so, unit), SCHOOL(n));
      view = await t.fanOut(so);
      expect([view.done, view.pending, view.late]).to.deep.equal([7, 0, 0]);
      expect(view.rollup.uncollected_diplomas).to.deep.include({ count: 4, sum: 16, min: 0, max: 12 });
      expect(view.rollup.school_self_assessed!.values).to.deep.equal({ true: ['bt-hermann-gmeiner', 'bt-nang-khieu-tdtt', 'thpt_1'] });
      expect(await t.stages(so)).to.deep.equal(['consolidation']);
      await t.completeOpen(so);
      await t.send(so, 'SEND');
      expect(await t.stages(so)).to.deep.equal(['reported']);
    });
  });

  describe('two Phòng late at the cut-off, one report returned', () => {
    let t: Tree;
    let so: string;
    before(async function () {
      t = await openTree(this, '2022-01-10', UNITS, ['ben-tre-review-2022-unit', 'ben-tre-review-2022']);
      so = (await t.app.startInstance(system, { definitionId: 'ben-tre-review-2022', orgUnitId: 'so' })).id;
      for (const unit of ['thpt_1', 'gdtx_1', 'bt-hermann-gmeiner', 'bt-nang-khieu-tdtt']) await file(t, await t.childOf(so, unit), SCHOOL(2));
      await file(t, await t.childOf(so, 'pgd_ct'), PHONG(61, 58), 'returned');
    });
    after(() => t?.close());

    it("keeps the return reason on the unit's timeline and sends it back for clarification", async () => {
      const ct = await t.childOf(so, 'pgd_ct');
      expect(await t.stages(ct)).to.deep.equal(['clarification']);
      const history = await t.rt.engine.queries.history(ct);
      const review = history.find((h) => h.eventType === 'REVIEW')!;
      expect(JSON.stringify(review.payload)).to.include('Bổ sung số liệu trường chưa tự đánh giá');
      await t.completeOpen(ct);
      await t.send(ct, 'SUBMIT');
      await t.send(ct, 'REVIEW', { decision: 'accepted' });
      expect(await t.stages(ct)).to.deep.equal(['accepted']);
    });

    it('reminds only the units still missing, then lists the two late Phòng at the cut-off', async () => {
      await t.at('2022-01-22');
      const reminders = (await t.rt.engine.queries.escalationsOf(so)).filter((e) => e.kind === 'reminder');
      expect(
        reminders
          .at(-1)!
          .notified.map((n) => n.unitId)
          .sort(),
      ).to.deep.equal(['pgd_bt', 'pgd_gt']);
      await t.at('2022-01-25');
      expect(await t.stages(so)).to.deep.equal(['late_units']);
      const view = await t.fanOut(so);
      expect(
        view.children
          .filter((c) => c.late)
          .map((c) => c.unitId)
          .sort(),
      ).to.deep.equal(['pgd_bt', 'pgd_gt']);
      expect([view.done, view.pending, view.late]).to.deep.equal([5, 2, 2]);
      // The late units' own instances went to their late stage at the same cut-off.
      expect(await t.stages(await t.childOf(so, 'pgd_gt'))).to.deep.equal(['late']);
    });

    it('counts a late unit that still reports, and needs the urging letter before consolidating', async () => {
      const gt = await t.childOf(so, 'pgd_gt');
      await t.complete(gt, 'late_report', { reason: 'Nghỉ Tết, chưa tổng hợp kịp' });
      await t.send(gt, 'SUBMIT');
      await t.send(gt, 'REVIEW', { decision: 'accepted' });
      const view = await t.fanOut(so);
      expect([view.done, view.late]).to.deep.equal([6, 1]);
      const refused = await t.send(so, 'CONSOLIDATE').catch((e: Error) => e);
      expect(refused).to.be.instanceOf(Error);
      await t.completeOpen(so);
      await t.send(so, 'CONSOLIDATE');
      expect(await t.stages(so)).to.deep.equal(['consolidation']);
    });
  });
});
