// The universal-education chain (commune → district 3/10, district → province 5/10, province →
// Ministry 10/10) and the start-of-year statistics (TT 25/2024, due 31/10) on the real engine: the
// Sở's instance opens the local part for each unit, adds up their figures and lists the late ones.
import { expect } from 'chai';
import type { UnitInput } from '../../engine/service/org.ts';
import { compileFile } from '../support/process-driver.ts';
import { openTree, system } from '../support/tree.ts';

const UNITS: UnitInput[] = [
  { id: 'bo', kind: 'ministry', name: 'Bộ GDĐT' },
  { id: 'so', parentId: 'bo', kind: 'department', name: 'Sở GDĐT Kon Tum' },
  { id: 'pgd_a', parentId: 'so', kind: 'district-office', name: 'Phòng GDĐT Kon Rẫy', levels: ['primary', 'lower-secondary'] },
  { id: 'pgd_b', parentId: 'so', kind: 'district-office', name: 'Phòng GDĐT Sa Thầy', levels: ['primary', 'lower-secondary'] },
  { id: 'th_a1', parentId: 'pgd_a', kind: 'primary', name: 'Trường Tiểu học Đăk Kôi' },
  { id: 'thpt_1', parentId: 'so', kind: 'upper-secondary', name: 'Trường THPT Kon Tum' },
  { id: 'gdtx_1', parentId: 'so', kind: 'continuing-education', name: 'Trung tâm GDNN-GDTX Kon Tum' },
];
// After 1/7/2025: the district level abolished, communes under the Sở.
const UNITS_2025: UnitInput[] = [
  { id: 'so', kind: 'department', name: 'Sở GDĐT Quảng Ngãi' },
  { id: 'xa_1', parentId: 'so', kind: 'commune', name: 'UBND xã Đăk Kôi' },
  { id: 'xa_2', parentId: 'so', kind: 'commune', name: 'UBND xã Đăk Ruồng' },
];

describe('process: universal-education-report and statistics-report (real engine)', function () {
  this.timeout(30_000);

  it('gives each level of the universal-education chain its date: 3/10, 5/10, 10/10', () => {
    const so = compileFile('processes/universal-education-report.yaml');
    const local = compileFile('processes/universal-education-local.yaml');
    expect(so.anchors.district_deadline!.default).to.equal('2022-10-05');
    expect(so.anchors.province_deadline!.default).to.equal('2022-10-10');
    expect(local.anchors.commune_deadline!.default).to.equal('2022-10-03');
    expect(local.stages.local_submission!.due).to.deep.include({ anchor: 'district_deadline' });
    expect(so.stages.local_reports!.fanOut).to.deep.include({ process: 'universal-education-local', units: { kinds: ['district-office', 'commune'] } });
  });

  it("collects the Phòng's reports by 5/10, returns one with its reason, lists the late one, reports to the Ministry", async function () {
    const t = await openTree(this, '2022-09-20', UNITS, ['universal-education-local', 'universal-education-report']);
    try {
      const so = (await t.app.startInstance(system, { definitionId: 'universal-education-report', orgUnitId: 'so' })).id;
      const view = await t.fanOut(so);
      expect(view.children.map((c) => c.unitId).sort()).to.deep.equal(['pgd_a', 'pgd_b']);
      const a = await t.childOf(so, 'pgd_a');
      expect((await t.rt.store.loadInstance(a))!.tasks.filter((x) => x.status === 'open').map((x) => x.task)).to.deep.equal(['commune_figures']);
      await t.at('2022-09-30');
      await t.completeOpen(a);
      await t.send(a, 'SUBMIT');
      await t.completeOpen(a, { local_report: { communes: 12, communesMeetingStandard: 11 } });
      await t.send(a, 'SUBMIT');
      await t.send(a, 'REVIEW', { decision: 'returned', note: 'Thiếu hồ sơ xã Đăk Tờ Re' });
      const review = (await t.rt.engine.queries.history(a)).find((h) => h.eventType === 'REVIEW')!;
      expect(JSON.stringify(review.payload)).to.include('Thiếu hồ sơ xã Đăk Tờ Re');
      expect(await t.stages(a)).to.deep.equal(['correction']);
      await t.completeOpen(a);
      await t.send(a, 'SUBMIT');
      await t.send(a, 'REVIEW', { decision: 'accepted' });
      // 3/10 passes for Phòng B: it goes on to its own report with what it has; 5/10 passes: late.
      await t.at('2022-10-04');
      expect(await t.stages(await t.childOf(so, 'pgd_b'))).to.deep.equal(['local_submission']);
      await t.at('2022-10-06');
      expect(await t.stages(so)).to.deep.equal(['consolidation']);
      const late = await t.fanOut(so);
      expect(late.children.filter((c) => c.late).map((c) => c.unitId)).to.deep.equal(['pgd_b']);
      expect(late.rollup.communes_meeting).to.deep.include({ count: 1, sum: 11 });
      await t.completeOpen(so);
      await t.send(so, 'CONSOLIDATED');
      await t.completeOpen(so);
      await t.send(so, 'SUBMIT');
      expect(await t.stages(so)).to.deep.equal(['sent_to_ministry']);
    } finally {
      await t.close();
    }
  });

  it('runs on the 2025 tree: the communes report to the province directly', async function () {
    const t = await openTree(this, '2025-09-20', UNITS_2025, ['universal-education-local', 'universal-education-report']);
    try {
      const so = (
        await t.app.startInstance(system, {
          definitionId: 'universal-education-report',
          orgUnitId: 'so',
          anchors: { district_deadline: '2025-10-05', province_deadline: '2025-10-10' },
        })
      ).id;
      const view = await t.fanOut(so);
      expect(view.children.map((c) => c.unitId).sort()).to.deep.equal(['xa_1', 'xa_2']);
      const x = await t.childOf(so, 'xa_1');
      expect((await t.rt.store.loadInstance(x))!.tasks.filter((k) => k.status === 'open').map((k) => k.task)).to.deep.equal(['own_figures']);
    } finally {
      await t.close();
    }
  });

  it('statistics: every Phòng, THPT and centre files its start-of-year figures; the Sở adds them up and reports by 31/10', async function () {
    const t = await openTree(this, '2025-10-01', UNITS, ['statistics-report-unit', 'statistics-report']);
    try {
      const so = (await t.app.startInstance(system, { definitionId: 'statistics-report', orgUnitId: 'so' })).id;
      const view = await t.fanOut(so);
      expect(view.children.map((c) => c.unitId).sort()).to.deep.equal(['gdtx_1', 'pgd_a', 'pgd_b', 'thpt_1']);
      expect(view.cutoffAt).to.equal(Date.parse('2025-10-20T23:59:59+07:00'));
      await t.at('2025-10-10');
      for (const [unit, students] of [
        ['pgd_a', 9100],
        ['pgd_b', 7400],
        ['thpt_1', 1250],
        ['gdtx_1', 300],
      ] as const) {
        const id = await t.childOf(so, unit);
        await t.completeOpen(id, {
          statistics: { schools: unit.startsWith('pgd') ? 30 : 1, classes: Math.round(students / 35), students, teachers: Math.round(students / 20) },
        });
        await t.send(id, 'SUBMIT');
        await t.send(id, 'REVIEW', { decision: 'accepted' });
      }
      expect((await t.fanOut(so)).rollup.students).to.deep.include({ count: 4, sum: 18050 });
      expect(await t.stages(so)).to.deep.equal(['consolidation']);
      await t.completeOpen(so);
      await t.send(so, 'CONSOLIDATED');
      // 31/10/2025 is a Friday: the Sở's own deadline.
      expect((await t.rt.store.loadInstance(so))!.instance.state.entries.ministry_submission?.dueAt).to.equal(Date.parse('2025-10-31T23:59:59+07:00'));
    } finally {
      await t.close();
    }
  });
});
