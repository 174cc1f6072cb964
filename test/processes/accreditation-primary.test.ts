import { expect } from 'chai';
import { compileFile, ProcessDriver } from '../support/process-driver.ts';

const compiled = compileFile('processes/accreditation-primary.yaml');

type Scope = 'accreditation' | 'national_standard' | 'both';

/** Self-assessment and improvement plan done, registration filled in (not yet sent). */
function throughSelfAssessment(level = 3, scope: Scope = 'both'): ProcessDriver {
  const p = new ProcessDriver(compiled, { kind: 'primary' });
  p.completeAll({ sa_council: { decisionNo: '15/QĐ-THKĐ', members: 11, chairedByPrincipal: true }, sa_rating: { level } });
  p.checkAll();
  expect(p.send('SUBMIT')).to.equal(true);
  expect(p.stages).to.deep.equal(['improvement_plan']);
  p.completeAll();
  expect(p.send('SUBMIT')).to.equal(true);
  expect(p.stages).to.deep.equal(['registration']);
  p.completeAll({ request_letter: { scope } });
  return p;
}

/** Registration sent, accepted by the Phòng and the Sở. */
function throughReviews(p: ProcessDriver): void {
  expect(p.send('REGISTER')).to.equal(true);
  expect(p.stages).to.deep.equal(['district_review']);
  p.completeAll();
  expect(p.send('REVIEW', { decision: 'accepted' })).to.equal(true);
  expect(p.stages).to.deep.equal(['department_review']);
  expect(p.send('REVIEW', { decision: 'accepted' })).to.equal(true);
  expect(p.active).to.deep.equal(['external_evaluation', 'team_appointment']);
}

/** Team appointed, visits made, draft sent: waiting for the school's feedback. */
function throughVisits(p: ProcessDriver): void {
  p.completeAll({ appoint_team: { decisionNo: '210/QĐ-SGDĐT', members: 5 } });
  expect(p.send('APPOINTED')).to.equal(true);
  expect(p.stages).to.deep.equal(['desk_review']);
  p.completeAll();
  expect(p.send('SCHEDULE_VISIT'), 'no visit date yet').to.equal(false);
  p.anchor('visit_date', '2025-11-18');
  expect(p.send('SCHEDULE_VISIT')).to.equal(true);
  expect(p.stages).to.deep.equal(['preliminary_visit']);
  expect(p.send('PRELIMINARY_DONE'), 'school dossier and minutes still open').to.equal(false);
  p.completeAll();
  expect(p.send('PRELIMINARY_DONE')).to.equal(true);
  expect(p.stages).to.deep.equal(['official_visit']);
  p.completeAll();
  expect(p.send('VISIT_DONE')).to.equal(true);
  expect(p.send('SEND_DRAFT')).to.equal(true);
  expect(p.stages).to.deep.equal(['school_feedback']);
}

/** From the feedback to the recognition stage, the team finding the given level. */
function toRecognition(p: ProcessDriver, levelReached = 3, nationalStandardProposed = 1): void {
  expect(p.send('FEEDBACK', { agrees: true })).to.equal(true);
  expect(p.stages).to.deep.equal(['final_report']);
  expect(p.send('SUBMIT'), 'conclusion not recorded').to.equal(false);
  p.completeAll({ team_conclusion: { levelReached, nationalStandardProposed } });
  expect(p.send('SUBMIT')).to.equal(true);
  expect(p.stages).to.deep.equal(['recognition']);
}

function recognised(accreditationLevel: number, nationalStandardLevel: number, scope: Scope = 'both'): ProcessDriver {
  const p = throughSelfAssessment(3, scope);
  throughReviews(p);
  throughVisits(p);
  toRecognition(p);
  expect(p.send('DECIDE', { accreditationLevel, nationalStandardLevel, decisionNo: '1234/QĐ-SGDĐT' })).to.equal(true);
  expect(p.active).to.deep.equal(['recognized', 'consolidating']);
  return p;
}

describe('process: accreditation-primary (TT 17/2018)', () => {
  it('runs a primary school through the Phòng and the Sở to recognition, then to renewal', () => {
    const p = recognised(3, 2);
    expect(p.task('yearly_improvement')?.status).to.equal('open');
    expect(p.send('START_RENEWAL')).to.equal(true);
    expect(p.stages).to.deep.equal(['self_assessment']);
    expect(p.task('sa_council')?.status, 'the renewal cycle reopens the tasks').to.equal('open');
    expect(p.send('SUBMIT'), 'nothing done yet in the new cycle').to.equal(false);
  });

  it('counts the renewal from recognition: due at 55 months, warned at expiry −12 and −6, escalated at −5', () => {
    const r = compiled.stages.recognized!;
    expect(r.kind).to.equal('compound');
    expect(r.due).to.deep.equal({ from: 'entry', unit: 'months', amount: 55, rollForward: true });
    expect(r.escalate.map((s) => [s.kind, s.at.unit, s.at.amount, s.notify])).to.deep.equal([
      ['reminder', 'months', -7, ['school']],
      ['reminder', 'months', -1, ['school', 'district']],
      ['escalation', 'months', 0, ['school', 'district', 'department']],
    ]);
    expect(compiled.stages.recognition!.due).to.deep.equal({ from: 'entry', unit: 'workingDays', amount: 20, rollForward: true });
    expect(compiled.stages.preliminary_visit!.due).to.deep.include({ from: 'anchor', anchor: 'visit_date' });
  });

  it('lets the Phòng and then the Sở return the dossier for completion, a note being required', () => {
    const p = throughSelfAssessment();
    p.send('REGISTER');
    expect(p.stages).to.deep.equal(['district_review']);
    expect(p.send('REVIEW', { decision: 'returned' }), 'a return must say what to complete').to.equal(false);
    expect(p.send('REVIEW', { decision: 'accepted' }), 'the Phòng has not written its covering letter').to.equal(false);
    expect(p.send('REVIEW', { decision: 'returned', note: 'Thiếu minh chứng tiêu chí 5.3' })).to.equal(true);
    expect(p.stages).to.deep.equal(['registration']);
    expect(p.task('request_letter')?.status, 'the school redoes its dossier').to.equal('open');
    expect(p.send('REGISTER')).to.equal(false);
    p.completeAll({ request_letter: { scope: 'both' } });
    p.send('REGISTER');
    p.completeAll();
    p.send('REVIEW', { decision: 'accepted' });
    expect(p.stages).to.deep.equal(['department_review']);
    expect(p.send('REVIEW', { decision: 'returned', note: 'Báo cáo chưa có chữ ký' })).to.equal(true);
    expect(p.stages, 'the Sở returns it to the school, which goes through the Phòng again').to.deep.equal(['registration']);
    p.completeAll({ request_letter: { scope: 'accreditation' } });
    p.send('REGISTER');
    expect(p.stages).to.deep.equal(['district_review']);
  });

  it('refuses to leave self-assessment while tasks, evidence or the council are not in order', () => {
    const p = new ProcessDriver(compiled, { kind: 'primary' });
    expect(p.send('SUBMIT')).to.equal(false);
    p.completeAll({ sa_council: { decisionNo: '3/QĐ', members: 6, chairedByPrincipal: true }, sa_rating: { level: 2 } });
    p.checkAll();
    expect(p.send('SUBMIT'), 'a council of six').to.equal(false);
    expect(p.stages).to.deep.equal(['self_assessment']);

    const q = new ProcessDriver(compiled, { kind: 'primary' });
    q.completeAll({ sa_council: { decisionNo: '3/QĐ', members: 7, chairedByPrincipal: false }, sa_rating: { level: 2 } });
    q.checkAll();
    expect(q.send('SUBMIT'), 'not chaired by the principal').to.equal(false);

    const r = new ProcessDriver(compiled, { kind: 'primary' });
    r.completeAll({ sa_council: { decisionNo: '3/QĐ', members: 7, chairedByPrincipal: true }, sa_rating: { level: 2 } });
    expect(r.send('SUBMIT'), 'evidence checklist still open').to.equal(false);
    r.checkAll();
    r.check('pupil_results', false);
    expect(r.send('SUBMIT')).to.equal(false);
    r.check('pupil_results');
    expect(r.send('SUBMIT')).to.equal(true);
    expect(r.stages).to.deep.equal(['improvement_plan']);
  });

  it('has the Phòng return a national-standard request from a school that rated itself Mức 1', () => {
    const p = throughSelfAssessment(1, 'national_standard');
    expect(p.send('REGISTER')).to.equal(true);
    expect(p.send('REVIEW', { decision: 'returned', note: 'Mức 1 chưa đủ điều kiện đề nghị công nhận chuẩn quốc gia' })).to.equal(true);
    expect(p.stages).to.deep.equal(['registration']);
    p.completeAll({ request_letter: { scope: 'accreditation' } });
    expect(p.send('REGISTER')).to.equal(true);
    expect(p.stages).to.deep.equal(['district_review']);
  });

  it('refuses a recognition decision that breaks the national-standard rules, and takes a corrected one', () => {
    const p = throughSelfAssessment(3, 'accreditation');
    throughReviews(p);
    throughVisits(p);
    toRecognition(p);
    expect(p.send('DECIDE'), 'no decision data').to.equal(false);
    expect(p.send('DECIDE', { accreditationLevel: 2, nationalStandardLevel: 1 }), 'national standard was not requested').to.equal(false);
    expect(p.send('DECIDE', { accreditationLevel: 0, nationalStandardLevel: 1 }), 'a national standard with no accreditation').to.equal(false);
    expect(p.stages).to.deep.equal(['recognition']);
    expect(p.send('DECIDE', { accreditationLevel: 2, nationalStandardLevel: 0 })).to.equal(true);
    expect(p.active).to.deep.equal(['recognized', 'consolidating']);

    const q = throughSelfAssessment(3, 'both');
    throughReviews(q);
    throughVisits(q);
    toRecognition(q);
    expect(q.send('DECIDE', { accreditationLevel: 1, nationalStandardLevel: 1 }), 'level 1 of the national standard needs Mức 2').to.equal(false);
    expect(q.send('DECIDE', { accreditationLevel: 2, nationalStandardLevel: 2 }), 'level 2 of the national standard needs Mức 3').to.equal(false);
    expect(q.stages).to.deep.equal(['recognition']);
    expect(q.send('DECIDE', { accreditationLevel: 4, nationalStandardLevel: 2 })).to.equal(true);
    expect(q.active).to.deep.equal(['recognized', 'consolidating']);
  });

  it('loops the draft on written disagreement, and a failed evaluation goes to improvement and back', () => {
    const p = throughSelfAssessment();
    throughReviews(p);
    throughVisits(p);
    expect(p.send('FEEDBACK', { agrees: false }), 'disagreement must be in writing').to.equal(false);
    expect(p.send('FEEDBACK', { agrees: false, objections: 'Tiêu chí 3.2 đạt Mức 2' })).to.equal(true);
    expect(p.stages).to.deep.equal(['draft_report']);
    p.send('SEND_DRAFT');
    expect(p.due('draft_report'), 'a deadline for another stage is ignored').to.equal(false);
    expect(p.due('school_feedback'), 'silence past the limit counts as agreement').to.equal(true);
    expect(p.stages).to.deep.equal(['final_report']);
    p.completeAll({ team_conclusion: { levelReached: 0, nationalStandardProposed: 0 } });
    p.send('SUBMIT');
    expect(p.send('DECIDE', { accreditationLevel: 0, nationalStandardLevel: 0 })).to.equal(true);
    expect(p.stages).to.deep.equal(['improvement']);
    expect(p.send('REGISTER_AGAIN')).to.equal(false);
    p.completeAll();
    expect(p.send('REGISTER_AGAIN')).to.equal(true);
    expect(p.stages).to.deep.equal(['registration']);
    p.completeAll({ request_letter: { scope: 'accreditation' } });
    p.send('REGISTER');
    expect(p.stages).to.deep.equal(['district_review']);
  });

  it('opens the way to a higher level only after a year', () => {
    const p = recognised(2, 1);
    expect(p.send('SEEK_HIGHER_LEVEL'), 'within the first year').to.equal(false);
    expect(p.due('recognized'), 'the renewal deadline does not end the first year').to.equal(false);
    expect(p.active).to.deep.equal(['recognized', 'consolidating']);
    expect(p.due('consolidating')).to.equal(true);
    expect(p.active).to.deep.equal(['recognized', 'upgrade_open']);
    expect(p.send('START_RENEWAL'), 'renewal stays open after the first year').to.equal(true);
    expect(p.stages).to.deep.equal(['self_assessment']);
  });

  it('starts a new self-assessment when a higher level is sought', () => {
    const p = recognised(2, 1);
    p.due('consolidating');
    expect(p.send('SEEK_HIGHER_LEVEL')).to.equal(true);
    expect(p.stages).to.deep.equal(['self_assessment']);
    expect(p.task('sa_rating')?.status).to.equal('open');
  });
});
