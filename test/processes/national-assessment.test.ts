// National and international assessments (PISA, SEA-PLM, grade 9/11 surveys) on the real engine: the
// Sở's instance opens the school's part for the sampled schools only (a list given at start, anywhere
// below it), moves on when the participation share is reached, and lists the schools that have not
// returned when the window closes.
import { expect } from 'chai';
import type { UnitInput } from '../../engine/service/org.ts';
import { compileFile } from '../support/process-driver.ts';
import { openTree, system, type Tree } from '../support/tree.ts';

const UNITS: UnitInput[] = [
  { id: 'bo', kind: 'ministry', name: 'Bộ GDĐT' },
  { id: 'so', parentId: 'bo', kind: 'department', name: 'Sở GDĐT Kon Tum' },
  { id: 'pgd_a', parentId: 'so', kind: 'district-office', name: 'Phòng GDĐT Kon Rẫy', levels: ['primary', 'lower-secondary'] },
  { id: 'thcs_a1', parentId: 'pgd_a', kind: 'lower-secondary', name: 'Trường THCS Đăk Ruồng' },
  { id: 'thcs_a2', parentId: 'pgd_a', kind: 'lower-secondary', name: 'Trường THCS Tân Lập' },
  { id: 'th_a1', parentId: 'pgd_a', kind: 'primary', name: 'Trường Tiểu học Đăk Kôi' },
  { id: 'thpt_1', parentId: 'so', kind: 'upper-secondary', name: 'Trường THPT Kon Tum' },
  { id: 'thpt_2', parentId: 'so', kind: 'upper-secondary', name: 'Trường THPT Duy Tân' },
  { id: 'thpt_3', parentId: 'so', kind: 'upper-secondary', name: 'Trường THPT Trường Chinh' },
];
const SAMPLE = ['thcs_a1', 'thpt_1', 'thpt_2', 'thpt_3'];

async function schoolDoes(t: Tree, id: string, surveyDay: string, pupils: number) {
  await t.app.setAnchor(system, id, 'survey_day', surveyDay);
  await t.completeOpen(id, { teacher_list: { teachers: 30 }, pupil_list: { pupils } });
  await t.send(id, 'READY');
  await t.completeOpen(id, { facilities: { computers: 40 } });
  await t.send(id, 'READY');
  await t.completeOpen(id, { survey_held: { pupilsTested: pupils - 2 } });
  await t.send(id, 'SURVEYED');
  await t.completeOpen(id);
  await t.send(id, 'RETURNED');
}

describe('process: national-assessment, a sample of schools (real engine)', function () {
  this.timeout(30_000);

  it("declares the sample list, the survey day as the school's anchor, and the four stages of the school's part", () => {
    const parent = compileFile('processes/national-assessment.yaml');
    const school = compileFile('processes/national-assessment-school.yaml');
    expect(parent.stages.survey!.fanOut).to.deep.include({
      process: 'national-assessment-school',
      units: { list: 'sample', depth: 'descendants' },
      wait: { quorum: 0.85 },
    });
    expect(Object.keys(school.anchors)).to.deep.equal(['survey_day']);
    expect(school.stages.data_preparation!.due).to.deep.include({ anchor: 'survey_day', amount: -14 });
  });

  describe('PISA 2022 in one province', () => {
    let t: Tree;
    let so: string;
    before(async function () {
      t = await openTree(this, '2022-03-01', UNITS, ['national-assessment-school', 'national-assessment']);
      so = (
        await t.app.startInstance(system, {
          definitionId: 'national-assessment',
          orgUnitId: 'so',
          lists: { sample: SAMPLE },
          anchors: { window_ends: '2022-04-15' },
        })
      ).id;
      await t.completeOpen(so, { survey_plan: { programme: 'pisa' } });
      await t.send(so, 'PLANNED');
    });
    after(() => t?.close());

    it("opens the school's part for the sampled schools only, wherever they sit", async () => {
      const view = await t.fanOut(so);
      expect(view.children.map((c) => c.unitId).sort()).to.deep.equal(SAMPLE);
      expect(view.cutoffAt).to.equal(Date.parse('2022-04-15T23:59:59+07:00'));
    });

    it("counts from each school's own survey day", async () => {
      const id = await t.childOf(so, 'thpt_1');
      expect((await t.rt.store.loadInstance(id))!.instance.state.entries.data_preparation?.dueAt, 'no survey day yet: no deadline').to.equal(undefined);
      await t.app.setAnchor(system, id, 'survey_day', '2022-04-05');
      // 5/4 − 14 days = Tue 22/3.
      expect((await t.rt.store.loadInstance(id))!.instance.state.entries.data_preparation?.dueAt).to.equal(Date.parse('2022-03-22T23:59:59+07:00'));
    });

    it('waits for the participation share (3 of 4 = 75 % < 85 %), then lists the school missing when the window closes', async () => {
      await t.at('2022-03-10');
      await schoolDoes(t, await t.childOf(so, 'thpt_1'), '2022-04-05', 42);
      await schoolDoes(t, await t.childOf(so, 'thpt_2'), '2022-04-06', 40);
      await schoolDoes(t, await t.childOf(so, 'thcs_a1'), '2022-04-07', 35);
      let view = await t.fanOut(so);
      expect([view.done, view.pending]).to.deep.equal([3, 1]);
      expect(view.rollup.pupils_tested).to.deep.include({ count: 3, sum: 111 });
      expect(await t.stages(so), '3/4 = 75 % < 85 %').to.deep.equal(['survey']);
      // The window closes: the school that has not finished is listed.
      await t.at('2022-04-16');
      expect(await t.stages(so)).to.deep.equal(['consolidation']);
      view = await t.fanOut(so);
      expect(view.children.filter((c) => c.late).map((c) => c.unitId)).to.deep.equal(['thpt_3']);
    });
  });

  it('a quorum reached before the window closes moves the organiser on', async function () {
    const t = await openTree(this, '2022-03-01', UNITS, ['national-assessment-school', 'national-assessment']);
    try {
      const sample = ['thpt_1', 'thpt_2', 'thpt_3', 'thcs_a1', 'thcs_a2', 'th_a1'];
      const so = (await t.app.startInstance(system, { definitionId: 'national-assessment', orgUnitId: 'so', lists: { sample } })).id;
      await t.completeOpen(so, { survey_plan: { programme: 'grade9' } });
      await t.send(so, 'PLANNED');
      const view = await t.fanOut(so);
      expect(view.total).to.equal(6);
      await t.at('2022-03-10');
      // ceil(0.85 × 6) = 6: every one; with 5 of 6 it still waits.
      for (const unit of sample.slice(0, 5)) await schoolDoes(t, await t.childOf(so, unit), '2022-04-05', 30);
      expect(await t.stages(so)).to.deep.equal(['survey']);
      await schoolDoes(t, await t.childOf(so, sample[5]!), '2022-04-05', 30);
      expect(await t.stages(so)).to.deep.equal(['consolidation']);
    } finally {
      await t.close();
    }
  });
});
