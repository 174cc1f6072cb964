import { expect } from 'chai';
import { compileFile, ProcessDriver } from '../support/process-driver.ts';

const compiled = compileFile('processes/ben-tre-review-2022-unit.yaml');

const REVIEW_TASKS = [
  'direct_self_assessment',
  'check_self_assessment_completion',
  'follow_improvement_plans',
  'thcs_diploma_rules',
  'school_self_assessment',
  'school_improvement_plan',
  'uncollected_diplomas',
  'graduation_archive',
];
const REPORT_TASKS = ['report_preschool', 'report_primary', 'report_lower_secondary', 'report_unit'];

function openTasks(p: ProcessDriver, ids: string[]): string[] {
  return ids.filter((id) => p.task(id)?.status === 'open');
}

const REVIEW_DATA = {
  check_self_assessment_completion: { schools: 42, completed: 42 },
  school_self_assessment: { completed: true },
  uncollected_diplomas: { uncollected: 3 },
  graduation_archive: { graduationList: true, graduationDataSheet: true, scoreSheet: true, masterRegister: true },
};

describe("process: ben-tre-review-2022-unit, a unit's part (Bến Tre, QĐ 4837/QĐ-BGDĐT)", () => {
  it('has the hard cut-off of 24/01/2022 with reminders before it', () => {
    const stage = compiled.stages.review_and_report!;
    expect(stage.due).to.deep.equal({ from: 'anchor', anchor: 'report_deadline', unit: 'days', amount: 0, rollForward: false });
    expect(compiled.anchors.report_deadline!.default).to.equal('2022-01-24');
    expect(stage.escalate.map((s) => s.kind)).to.deep.equal(['reminder', 'reminder', 'overdue']);
    expect(stage.escalate[2]!.notify).to.deep.equal(['reporter', 'department']);
    expect(compiled.appliesTo).to.deep.equal(['district-office', 'upper-secondary', 'continuing-education', 'multi-level']);
  });

  it('gives a district office managing primary and lower-secondary exactly those two level reports', () => {
    const p = new ProcessDriver(compiled, { kind: 'district-office', levels: ['primary', 'lower-secondary'] });
    expect(p.active).to.deep.equal(['review_and_report', 'review']);
    expect(openTasks(p, REVIEW_TASKS)).to.deep.equal([
      'direct_self_assessment',
      'check_self_assessment_completion',
      'follow_improvement_plans',
      'thcs_diploma_rules',
    ]);
    expect(p.task('school_self_assessment')?.status).to.equal('skipped');
    p.completeAll(REVIEW_DATA);
    expect(p.send('REVIEWED')).to.equal(true);
    expect(p.stages).to.deep.equal(['online_report']);
    expect(openTasks(p, REPORT_TASKS)).to.deep.equal(['report_primary', 'report_lower_secondary']);
    expect(p.task('report_preschool')?.status).to.equal('skipped');
    expect(p.task('report_unit')?.status).to.equal('skipped');
  });

  it('skips the THCS diploma rules for a district office without lower-secondary schools', () => {
    const p = new ProcessDriver(compiled, { kind: 'district-office', levels: ['preschool', 'primary'] });
    expect(p.task('thcs_diploma_rules')?.status).to.equal('skipped');
    p.completeAll(REVIEW_DATA);
    p.send('REVIEWED');
    expect(openTasks(p, REPORT_TASKS)).to.deep.equal(['report_preschool', 'report_primary']);
  });

  it("runs an upper-secondary school on its own report (annex 2) to the Sở's acceptance", () => {
    const p = new ProcessDriver(compiled, { kind: 'upper-secondary' });
    expect(openTasks(p, REVIEW_TASKS)).to.deep.equal(['school_self_assessment', 'school_improvement_plan', 'uncollected_diplomas', 'graduation_archive']);
    p.completeAll(REVIEW_DATA);
    p.send('REVIEWED');
    expect(openTasks(p, REPORT_TASKS)).to.deep.equal(['report_unit']);
    expect(p.send('SUBMIT'), 'report not filed yet').to.equal(false);
    p.completeAll();
    expect(p.send('SUBMIT')).to.equal(true);
    expect(p.stages).to.deep.equal(['department_check']);
    expect(p.send('REVIEW', { decision: 'maybe' }), 'a decision outside the list').to.equal(false);
    p.send('REVIEW', { decision: 'accepted' });
    expect(p.stages).to.deep.equal(['accepted']);
    expect(p.status).to.equal('done');
  });

  it('gives a continuing-education centre the diploma review and its own report, not the THPT self-assessment', () => {
    const p = new ProcessDriver(compiled, { kind: 'continuing-education' });
    expect(openTasks(p, REVIEW_TASKS)).to.deep.equal(['uncollected_diplomas', 'graduation_archive']);
  });

  it('will not take a district-office filing when no school level is known', () => {
    const p = new ProcessDriver(compiled, { kind: 'district-office', levels: [] });
    p.completeAll(REVIEW_DATA);
    p.send('REVIEWED');
    expect(openTasks(p, REPORT_TASKS)).to.deep.equal([]);
    expect(p.send('SUBMIT')).to.equal(false);
    expect(p.stages).to.deep.equal(['online_report']);
  });

  it('refuses to move on with review tasks missing', () => {
    const p = new ProcessDriver(compiled, { kind: 'district-office', levels: ['primary'] });
    expect(p.send('REVIEWED')).to.equal(false);
    p.complete('direct_self_assessment');
    expect(p.send('REVIEWED')).to.equal(false);
    expect(p.stages).to.deep.equal(['review']);
  });

  it('lists a unit that misses the cut-off as late, and takes its late report', () => {
    const p = new ProcessDriver(compiled, { kind: 'district-office', levels: ['preschool', 'primary', 'lower-secondary'] });
    p.completeAll(REVIEW_DATA);
    p.send('REVIEWED');
    p.complete('report_preschool');
    expect(p.due('online_report'), 'the deadline belongs to the whole review-and-report stage').to.equal(false);
    expect(p.due('review_and_report')).to.equal(true);
    expect(p.stages).to.deep.equal(['late']);
    expect(p.send('SUBMIT'), 'no explanation yet').to.equal(false);
    p.complete('late_report', { reason: 'Nghỉ Tết, chưa tổng hợp kịp' });
    p.send('SUBMIT');
    expect(p.stages).to.deep.equal(['department_check']);
  });

  it('runs the special schools the letter names (multi-level) as a school directly under the Sở', () => {
    const p = new ProcessDriver(compiled, { kind: 'multi-level', levels: ['primary', 'lower-secondary', 'upper-secondary'] });
    expect(openTasks(p, REVIEW_TASKS)).to.deep.equal(['school_self_assessment', 'school_improvement_plan', 'uncollected_diplomas', 'graduation_archive']);
    p.completeAll(REVIEW_DATA);
    p.send('REVIEWED');
    expect(openTasks(p, REPORT_TASKS)).to.deep.equal(['report_unit']);
    p.completeAll();
    expect(p.send('SUBMIT')).to.equal(true);
  });

  it('loops a returned report through clarification', () => {
    const p = new ProcessDriver(compiled, { kind: 'upper-secondary' });
    p.completeAll(REVIEW_DATA);
    p.send('REVIEWED');
    p.completeAll();
    p.send('SUBMIT');
    p.send('REVIEW', { decision: 'returned', note: 'Thiếu số liệu hồ sơ tốt nghiệp' });
    expect(p.stages).to.deep.equal(['clarification']);
    p.completeAll();
    p.send('SUBMIT');
    expect(p.stages, 'the Sở checks again').to.deep.equal(['department_check']);
  });
});
