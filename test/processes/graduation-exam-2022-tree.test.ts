// The 2022 graduation exam on the real engine: the Sở's instance opens the schools' part — every
// upper-secondary school, centre and multi-level school is a registration point, then returns the
// temporary certificates and records — adds up their figures, and names the schools behind.
import { expect } from 'chai';
import type { UnitInput } from '../../engine/service/org.ts';
import { openTree, system } from '../support/tree.ts';

const UNITS: UnitInput[] = [
  { id: 'so', kind: 'department', name: 'Sở GDĐT Kon Tum' },
  { id: 'pgd_a', parentId: 'so', kind: 'district-office', name: 'Phòng GDĐT Kon Rẫy', levels: ['primary', 'lower-secondary'] },
  { id: 'thcs_a', parentId: 'pgd_a', kind: 'lower-secondary', name: 'Trường THCS Đăk Ruồng' },
  { id: 'thpt_1', parentId: 'so', kind: 'upper-secondary', name: 'Trường THPT Kon Tum' },
  { id: 'thpt_2', parentId: 'so', kind: 'upper-secondary', name: 'Trường THPT Duy Tân' },
  { id: 'gdtx_1', parentId: 'so', kind: 'continuing-education', name: 'Trung tâm GDNN-GDTX Kon Tum' },
  { id: 'pt_dtnt', parentId: 'so', kind: 'multi-level', name: 'Trường PT Dân tộc nội trú tỉnh', levels: ['lower-secondary', 'upper-secondary'] },
];
const POINTS = ['gdtx_1', 'pt_dtnt', 'thpt_1', 'thpt_2'];

describe('process: graduation-exam-2022, the Sở and its schools (real engine)', function () {
  this.timeout(30_000);

  it('opens registration at every point, adds up the candidates, names the point that did not close its list, then the certificates', async function () {
    const t = await openTree(this, '2022-04-04', UNITS, ['graduation-exam-2022-registration', 'graduation-exam-2022-certificates', 'graduation-exam-2022']);
    try {
      const so = (await t.app.startInstance(system, { definitionId: 'graduation-exam-2022', orgUnitId: 'so' })).id;
      await t.completeOpen(so);
      await t.send(so, 'SUBMIT');
      expect(await t.stages(so)).to.deep.equal(['awaiting_registration']);
      // The window opens on 25/4: the Sở's registration stage opens the points' part.
      await t.at('2022-04-25');
      expect(await t.stages(so)).to.deep.equal(['registration']);
      const view = await t.fanOut(so);
      expect(view.children.map((c) => c.unitId).sort()).to.deep.equal(POINTS);
      expect(view.cutoffAt).to.equal(Date.parse('2022-05-13T23:59:59+07:00'));
      await t.at('2022-05-10');
      for (const [unit, candidates] of [
        ['thpt_1', 520],
        ['thpt_2', 480],
        ['pt_dtnt', 160],
      ] as const) {
        const id = await t.childOf(so, unit);
        await t.completeOpen(id, { registration_list: { candidates, freeCandidates: 3 } });
        await t.send(id, 'SUBMIT');
      }
      let now = await t.fanOut(so);
      expect(now.rollup.candidates).to.deep.include({ count: 3, sum: 1160 });
      expect(await t.stages(so), 'the window closes on its date, not when the points are done').to.deep.equal(['registration']);
      // The reminder three days before the close reached the point still open.
      const reminder = (await t.rt.engine.queries.escalationsOf(so)).find((e) => e.kind === 'reminder' && e.stage === 'registration')!;
      expect(reminder.notified.map((n) => n.unitId)).to.include('gdtx_1');
      await t.at('2022-05-14');
      expect(await t.stages(so)).to.deep.equal(['data_review']);
      now = await t.fanOut(so, 'registration');
      expect(now.children.filter((c) => c.late).map((c) => c.unitId)).to.deep.equal(['gdtx_1']);

      // Through the exam to recognition.
      await t.completeOpen(so);
      await t.send(so, 'REVIEWED', { errors: 0 });
      await t.completeOpen(so, { exam_council_decision: { sites: 12 } });
      expect(await t.stages(so)).to.deep.equal(['procedures']);
      await t.completeOpen(so);
      await t.send(so, 'PROCEDURES_DONE');
      await t.completeOpen(so);
      await t.send(so, 'SITTINGS_DONE');
      await t.completeOpen(so);
      await t.send(so, 'RESULTS');
      await t.completeOpen(so, { approve_graduates: { graduates: 1140 } });
      await t.send(so, 'APPROVED');
      expect(await t.stages(so)).to.deep.equal(['certificates']);
      const certificates = await t.fanOut(so, 'certificates');
      expect(certificates.children.map((c) => c.unitId).sort()).to.deep.equal(POINTS);
      for (const unit of POINTS) {
        const id = await t.childOf(so, unit, 'certificates');
        await t.completeOpen(id, { temporary_certificates: { issued: 100 }, return_records: { returned: 100 } });
        await t.send(id, 'SUBMIT');
      }
      expect(await t.stages(so), 'every school returned: the report to the Ministry').to.deep.equal(['ministry_report']);
      expect((await t.fanOut(so, 'certificates')).rollup.certificates).to.deep.include({ count: 4, sum: 400 });
    } finally {
      await t.close();
    }
  });
});
