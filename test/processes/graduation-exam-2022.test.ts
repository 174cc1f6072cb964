import { expect } from 'chai';
import { compileFile, ProcessDriver } from '../support/process-driver.ts';

const compiled = compileFile('processes/graduation-exam-2022.yaml');

const TRACK_TASKS = {
  exam_council_decision: { sites: 24 },
};

/** Planning done, the registration window closed at its cut-off, data review open. */
function throughRegistration(anchors: Record<string, string> = {}): ProcessDriver {
  const p = new ProcessDriver(compiled, { kind: 'department' }, anchors);
  expect(p.stages).to.deep.equal(['planning']);
  p.completeAll();
  expect(p.send('SUBMIT')).to.equal(true);
  expect(p.stages).to.deep.equal(['awaiting_registration']);
  expect(p.due('awaiting_registration'), 'the window opens on its date').to.equal(true);
  expect(p.stages).to.deep.equal(['registration']);
  p.completeAll({ registration_points: { points: 30 } });
  expect(p.send('SUBMIT'), 'the window closes at its date, not on request').to.equal(false);
  expect(p.due('registration')).to.equal(true);
  expect(p.stages).to.deep.equal(['data_review']);
  return p;
}

function throughPreparation(p: ProcessDriver): void {
  p.completeAll();
  expect(p.send('REVIEWED', { errors: 0 })).to.equal(true);
  expect(p.active).to.deep.equal(['preparation', 'staff_selection', 'staff_training', 'it_systems', 'security_plans']);
  p.completeAll(TRACK_TASKS);
  expect(p.stages).to.deep.equal(['procedures']);
}

describe('process: graduation-exam-2022 (Quy chế thi TN THPT, Phương án 2022–2025)', () => {
  it('carries the 2022 calendar as anchor defaults, replaceable for another year', () => {
    const p2022 = new ProcessDriver(compiled, { kind: 'department' });
    const anchors = (p2022.snapshot.context as { anchors: Record<string, string> }).anchors;
    expect(anchors.exam_procedures).to.equal('2022-07-06');
    expect(anchors.exam_day).to.equal('2022-07-07');
    expect(compiled.stages.sittings!.due).to.deep.equal({ from: 'anchor', anchor: 'exam_day', unit: 'days', amount: 1, rollForward: true });
    const p2023 = new ProcessDriver(compiled, { kind: 'department' }, { exam_procedures: '2023-06-27', exam_day: '2023-06-28' });
    expect((p2023.snapshot.context as { anchors: Record<string, string> }).anchors.exam_day).to.equal('2023-06-28');
    expect(compiled.appliesTo).to.deep.equal(['department']);
  });

  it('runs from the plan through the exam to returned certificates', () => {
    const p = throughRegistration();
    throughPreparation(p);
    expect(p.active).to.deep.equal(['exam', 'procedures']);
    p.completeAll();
    p.send('PROCEDURES_DONE');
    expect(p.stages).to.deep.equal(['sittings']);
    expect(p.send('SITTINGS_DONE'), 'sittings not held yet').to.equal(false);
    p.complete('sittings_held');
    expect(p.send('SITTINGS_DONE'), 'incident handling is optional').to.equal(true);
    expect(p.stages).to.deep.equal(['marking']);
    p.completeAll();
    p.send('RESULTS');
    expect(p.stages).to.deep.equal(['recognition']);
    p.complete('graduation_review');
    p.complete('approve_graduates', { graduates: 6050 });
    expect(p.send('APPROVED'), 'appeals are optional').to.equal(true);
    expect(p.stages).to.deep.equal(['certificates']);
    // The schools return certificates and records (their own instances); the cut-off closes the stage.
    expect(p.due('certificates')).to.equal(true);
    expect(p.stages).to.deep.equal(['ministry_report']);
    p.completeAll();
    p.send('SUBMIT');
    expect(p.stages).to.deep.equal(['completed']);
    expect(p.status).to.equal('done');
  });

  it('sends erroneous registration data back for correction and reviews it again', () => {
    const p = throughRegistration();
    p.completeAll();
    p.send('REVIEWED', { errors: 17 });
    expect(p.stages).to.deep.equal(['corrections']);
    expect(p.send('SUBMIT')).to.equal(false);
    p.completeAll();
    p.send('SUBMIT');
    expect(p.stages).to.deep.equal(['data_review']);
    expect(p.task('cross_check')?.status, 'the review starts over').to.equal('open');
  });

  it('will not pass a clean review before every check is done', () => {
    const p = throughRegistration();
    p.complete('check_records');
    expect(p.send('REVIEWED', { errors: 0 })).to.equal(false);
    expect(p.stages).to.deep.equal(['data_review']);
  });

  it('holds the exam until every preparation track is finished', () => {
    const p = throughRegistration();
    p.completeAll();
    p.send('REVIEWED', { errors: 0 });
    p.complete('exam_council_decision', { sites: 24 });
    p.complete('select_staff');
    p.complete('inspection_staff');
    p.complete('train_all_staff');
    p.complete('train_inspectors');
    p.complete('exam_software');
    p.complete('reporting_lines');
    expect(p.stages).to.deep.equal(['staff_ready', 'training_done', 'it_ready', 'security_plans']);
    p.complete('security_plan');
    expect(p.stages, 'the Covid-19 contingency plan is still missing').to.deep.equal(['staff_ready', 'training_done', 'it_ready', 'security_plans']);
    p.complete('covid_contingency');
    expect(p.active).to.deep.equal(['exam', 'procedures']);
  });

  it('ignores a deadline event of a track stage that has already finished', () => {
    const p = throughRegistration();
    p.completeAll();
    p.send('REVIEWED', { errors: 0 });
    p.complete('train_all_staff');
    p.complete('train_inspectors');
    expect(p.due('staff_training')).to.equal(false);
    expect(p.stages).to.include('training_done');
  });
});
