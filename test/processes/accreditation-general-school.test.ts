import { expect } from 'chai';
import { compileFile, ProcessDriver } from '../support/process-driver.ts';

const compiled = compileFile('processes/accreditation-general-school.yaml');

/** Self-assessment and improvement plan done, registration ready to send. */
function throughSelfAssessment(kind: string): ProcessDriver {
  const p = new ProcessDriver(compiled, { kind });
  p.completeAll({ council: { decisionNo: '12/QĐ-THPT', members: 9 }, rating: { level: 3 } });
  p.checkAll();
  expect(p.send('SUBMIT')).to.equal(true);
  p.completeAll();
  expect(p.send('SUBMIT')).to.equal(true);
  expect(p.stages).to.deep.equal(['registration']);
  p.completeAll();
  return p;
}

function throughEvaluation(p: ProcessDriver): void {
  p.completeAll({ appoint_team: { members: 5 } });
  expect(p.send('APPOINTED')).to.equal(true);
  expect(p.send('SCHEDULE_VISIT'), 'no visit date yet').to.equal(false);
  p.anchor('visit_date', '2022-05-10');
  expect(p.send('SCHEDULE_VISIT')).to.equal(true);
  p.completeAll();
  p.send('VISIT_DONE');
  p.send('VISIT_DONE');
  p.send('SEND_DRAFT');
  expect(p.stages).to.deep.equal(['school_feedback']);
}

describe('process: accreditation-general-school (TT 18/2018)', () => {
  it('runs an upper-secondary school straight to the Sở and on to recognition and renewal', () => {
    const p = throughSelfAssessment('upper-secondary');
    expect(p.send('REGISTER')).to.equal(true);
    expect(p.stages).to.deep.equal(['department_review']);
    p.send('REVIEW', { decision: 'accepted' });
    expect(p.active).to.deep.equal(['external_evaluation', 'team_appointment']);
    throughEvaluation(p);
    p.send('FEEDBACK', { agrees: true });
    expect(p.send('SUBMIT'), "the team's conclusion is not recorded").to.equal(false);
    p.completeAll({ team_conclusion: { levelReached: 2, nationalStandardProposed: 1 } });
    p.send('SUBMIT');
    expect(p.stages).to.deep.equal(['recognition']);
    const decide = (accreditationLevel: number, nationalStandardLevel: number, decisionDate = '2026-06-05') =>
      p.send('DECIDE', { accreditationLevel, nationalStandardLevel, decisionDate });
    expect(decide(2, 2), 'mức độ 2 needs cấp độ 3').to.equal(false);
    expect(decide(0, 1), 'a refused accreditation carries no national standard').to.equal(false);
    expect(decide(3, 1), 'above the Mức 2 the team found').to.equal(false);
    expect(decide(2, 1)).to.equal(true);
    expect(p.stages).to.deep.equal(['consolidating', 'improvement_year']);
    expect(p.active).to.deep.equal(['recognized', 'consolidating', 'improvement_year']);
    expect(p.send('START_RENEWAL')).to.equal(true);
    expect(p.stages).to.deep.equal(['self_assessment']);
    expect(p.task('council')?.status, 'the renewal cycle reopens the tasks').to.equal('open');
  });

  it('sends a lower-secondary school through the Phòng, which can return the dossier', () => {
    const p = throughSelfAssessment('lower-secondary');
    p.send('REGISTER');
    expect(p.stages).to.deep.equal(['district_review']);
    p.send('REVIEW', { decision: 'returned', note: 'Thiếu bản sao báo cáo' });
    expect(p.stages).to.deep.equal(['registration']);
    expect(p.task('request_letter')?.status).to.equal('open');
    p.completeAll();
    p.send('REGISTER');
    p.send('REVIEW', { decision: 'accepted' });
    expect(p.stages).to.deep.equal(['department_review']);
  });

  it('refuses to leave self-assessment with tasks or evidence missing', () => {
    const p = new ProcessDriver(compiled, { kind: 'upper-secondary' });
    expect(p.send('SUBMIT')).to.equal(false);
    p.completeAll({ council: { decisionNo: '1', members: 7 }, rating: { level: 2 } });
    expect(p.send('SUBMIT'), 'evidence checklist still open').to.equal(false);
    p.checkAll();
    p.check('signed_report', false);
    expect(p.send('SUBMIT')).to.equal(false);
    p.check('signed_report');
    expect(p.send('SUBMIT')).to.equal(true);
  });

  it('loops the draft report on disagreement, and a failed evaluation goes to improvement and back', () => {
    const p = throughSelfAssessment('upper-secondary');
    p.send('REGISTER');
    p.send('REVIEW', { decision: 'accepted' });
    throughEvaluation(p);
    p.send('FEEDBACK', { agrees: false, objections: 'Tiêu chí 2.3' });
    expect(p.stages).to.deep.equal(['draft_report']);
    p.send('SEND_DRAFT');
    expect(p.due('school_feedback'), 'silence past the limit counts as agreement').to.equal(true);
    expect(p.stages).to.deep.equal(['final_report']);
    p.completeAll({ team_conclusion: { levelReached: 0, nationalStandardProposed: 0 } });
    p.send('SUBMIT');
    p.send('DECIDE', { accreditationLevel: 0, nationalStandardLevel: 0, decisionDate: '2026-06-05' });
    expect(p.stages).to.deep.equal(['improvement']);
    expect(p.send('REGISTER_AGAIN')).to.equal(false);
    p.completeAll();
    p.send('REGISTER_AGAIN');
    expect(p.stages).to.deep.equal(['registration']);
  });

  it('ignores a deadline event meant for another stage', () => {
    const p = throughSelfAssessment('upper-secondary');
    p.send('REGISTER');
    p.send('REVIEW', { decision: 'accepted' });
    throughEvaluation(p);
    expect(p.due('draft_report')).to.equal(false);
    expect(p.stages).to.deep.equal(['school_feedback']);
  });

  it('has the provincial chairman decide the national standard for a decision signed before TT 22/2024 took effect', () => {
    const p = throughSelfAssessment('upper-secondary');
    p.send('REGISTER');
    p.send('REVIEW', { decision: 'accepted' });
    throughEvaluation(p);
    p.send('FEEDBACK', { agrees: true });
    p.completeAll({ team_conclusion: { levelReached: 3, nationalStandardProposed: 1 } });
    p.send('SUBMIT');
    expect(p.send('DECIDE', { accreditationLevel: 3, nationalStandardLevel: 1, decisionDate: '2022-06-10' })).to.equal(true);
    expect(p.stages).to.deep.equal(['provincial_recognition']);
    expect(p.send('CHAIRMAN_DECIDE', { nationalStandardLevel: 1, decisionDate: '2022-06-24' })).to.equal(true);
    expect(p.stages).to.deep.equal(['consolidating', 'improvement_year']);
  });
});
