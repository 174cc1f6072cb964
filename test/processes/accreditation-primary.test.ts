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

/** After TT 22/2024 took effect (10/02/2025): the Sở director decides the national standard too. */
const SIGNED = '2026-06-24';
const RECOGNISED = ['recognized', 'consolidating', 'improvement_year'];

function recognised(accreditationLevel: number, nationalStandardLevel: number, scope: Scope = 'both', levelReached = 3): ProcessDriver {
  const p = throughSelfAssessment(3, scope);
  throughReviews(p);
  throughVisits(p);
  toRecognition(p, levelReached);
  expect(p.send('DECIDE', { accreditationLevel, nationalStandardLevel, decisionNo: '1234/QĐ-SGDĐT', decisionDate: SIGNED })).to.equal(true);
  expect(p.active).to.deep.equal(RECOGNISED);
  return p;
}

const anchors = (p: ProcessDriver) => (p.snapshot.context as { anchors: Record<string, string> }).anchors;

describe('process: accreditation-primary (TT 17/2018)', () => {
  it('runs a primary school through the Phòng and the Sở to recognition, then to renewal', () => {
    const p = recognised(3, 2);
    expect(p.task('yearly_improvement')?.status).to.equal('open');
    expect(p.send('START_RENEWAL')).to.equal(true);
    expect(p.stages).to.deep.equal(['self_assessment']);
    expect(p.task('sa_council')?.status, 'the renewal cycle reopens the tasks').to.equal('open');
    expect(p.send('SUBMIT'), 'nothing done yet in the new cycle').to.equal(false);
  });

  it('counts the renewal from the decision: expiry − 5 months counted backward, warned at expiry −12 and −6, escalated at −5', () => {
    const r = compiled.stages.recognized!;
    expect(r.kind).to.equal('parallel');
    expect(r.due).to.deep.include({ from: 'anchor', anchor: 'recognized_on', unit: 'months', amount: 55, rollBack: true });
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
    expect(p.send('DECIDE', { accreditationLevel: 2, nationalStandardLevel: 0, decisionDate: SIGNED })).to.equal(true);
    expect(p.active).to.deep.equal(RECOGNISED);

    const q = throughSelfAssessment(3, 'both');
    throughReviews(q);
    throughVisits(q);
    toRecognition(q);
    const decide = (accreditationLevel: number, nationalStandardLevel: number) =>
      q.send('DECIDE', { accreditationLevel, nationalStandardLevel, decisionDate: SIGNED });
    expect(decide(1, 1), 'level 1 of the national standard needs Mức 2').to.equal(false);
    expect(decide(2, 2), 'level 2 of the national standard needs Mức 3').to.equal(false);
    expect(decide(0, 1), 'a refused accreditation carries no national standard').to.equal(false);
    expect(decide(4, 2), 'above the Mức 3 the team found').to.equal(false);
    expect(q.stages).to.deep.equal(['recognition']);
    expect(decide(3, 2)).to.equal(true);
    expect(q.active).to.deep.equal(RECOGNISED);
    expect(anchors(q).recognized_on).to.equal(SIGNED);
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
    expect(p.send('DECIDE', { accreditationLevel: 0, nationalStandardLevel: 0, decisionDate: SIGNED })).to.equal(true);
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
    expect(p.active).to.deep.equal(RECOGNISED);
    expect(p.due('consolidating')).to.equal(true);
    expect(p.active).to.deep.equal(['recognized', 'upgrade_open', 'improvement_year']);
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

  it('sends the national standard to the provincial chairman when the director signs before TT 22/2024 took effect', () => {
    const p = throughSelfAssessment(3, 'both');
    throughReviews(p);
    throughVisits(p);
    toRecognition(p);
    expect(p.send('DECIDE', { accreditationLevel: 3, nationalStandardLevel: 2, decisionDate: '2025-02-07' })).to.equal(true);
    expect(p.stages).to.deep.equal(['provincial_recognition']);
    expect(compiled.stages.provincial_recognition!.owner).to.equal('provincial_chairman');
    expect(anchors(p).recognized_on, "the five years count from the director's decision").to.equal('2025-02-07');
    expect(p.send('CHAIRMAN_DECIDE', { nationalStandardLevel: 2, decisionDate: '2025-03-03' }), 'the chairman may not exceed the proposal').to.equal(true);
    expect(p.active).to.deep.equal(RECOGNISED);

    const q = throughSelfAssessment(3, 'both');
    throughReviews(q);
    throughVisits(q);
    toRecognition(q);
    expect(q.send('DECIDE', { accreditationLevel: 3, nationalStandardLevel: 1, decisionDate: '2025-02-07' })).to.equal(true);
    expect(q.send('CHAIRMAN_DECIDE', { nationalStandardLevel: 2, decisionDate: '2025-03-03' }), 'above the proposal').to.equal(false);
    expect(q.send('CHAIRMAN_DECIDE', { nationalStandardLevel: 0, decisionDate: '2025-03-03' }), 'the accreditation stands').to.equal(true);
    expect(q.active).to.deep.equal(RECOGNISED);

    const r = throughSelfAssessment(3, 'both');
    throughReviews(r);
    throughVisits(r);
    toRecognition(r);
    expect(r.send('DECIDE', { accreditationLevel: 3, nationalStandardLevel: 1, decisionDate: '2025-02-10' }), 'the day it took effect').to.equal(true);
    expect(r.active).to.deep.equal(RECOGNISED);
  });

  it('keeps the date TT 22/2024 took effect as a parameter a province can correct', () => {
    const p = new ProcessDriver(compiled, { kind: 'primary' }, { tt22_in_force: '2025-03-01' });
    p.completeAll({ sa_council: { decisionNo: '1/QĐ', members: 7, chairedByPrincipal: true }, sa_rating: { level: 3 } });
    p.checkAll();
    p.send('SUBMIT');
    p.completeAll();
    p.send('SUBMIT');
    p.completeAll({ request_letter: { scope: 'both' } });
    throughReviews(p);
    throughVisits(p);
    toRecognition(p);
    expect(p.send('DECIDE', { accreditationLevel: 3, nationalStandardLevel: 1, decisionDate: '2025-02-20' })).to.equal(true);
    expect(p.stages).to.deep.equal(['provincial_recognition']);
  });

  it('asks for the yearly improvement report every year after recognition, four times in the cycle', () => {
    const p = recognised(3, 1);
    expect(compiled.stages.improvement_year!.due).to.deep.include({ from: 'anchor', anchor: 'recognized_on', unit: 'years', amount: 1 });
    expect(p.send('REPORT_IMPROVEMENT'), 'the report itself is a task').to.equal(false);
    for (let year = 1; year <= 3; year++) {
      p.completeAll();
      expect(p.send('REPORT_IMPROVEMENT'), `year ${year}`).to.equal(true);
      expect(p.task('yearly_improvement')?.status, 'each year its own task').to.equal('open');
      expect(p.active).to.deep.equal(RECOGNISED);
    }
    p.completeAll();
    expect(p.send('REPORT_IMPROVEMENT')).to.equal(true);
    expect(p.active, 'the fifth year is the renewal self-assessment').to.deep.equal(['recognized', 'consolidating', 'reports_done']);
  });

  it('dates the higher-level wait: one year since TT 22/2024, two before, the day it took effect in between', () => {
    const rules = compiled.stages.consolidating!.due as unknown as {
      from: string;
      choices: { when?: unknown; rule: { anchor: string; unit: string; amount: number } }[];
    };
    expect(rules.from).to.equal('choice');
    expect(rules.choices.map((c) => [c.when, c.rule.anchor, c.rule.unit, c.rule.amount])).to.deep.equal([
      [{ field: 'anchors.recognized_on', onOrAfter: '2024-02-10' }, 'recognized_on', 'years', 1],
      [{ field: 'anchors.recognized_on', onOrAfter: '2023-02-10' }, 'tt22_in_force', 'days', 0],
      [undefined, 'recognized_on', 'years', 2],
    ]);
    const p = recognised(4, 2, 'both', 4);
    p.due('consolidating');
    expect(p.send('SEEK_HIGHER_LEVEL'), 'cấp độ 4 and mức độ 2 are the top').to.equal(false);
    const q = recognised(3, 2);
    q.due('consolidating');
    expect(q.send('SEEK_HIGHER_LEVEL')).to.equal(true);
  });

  it('bounds the renewal self-assessment and registration by the renewal limit, not by their usual time', () => {
    for (const stage of ['self_assessment', 'registration']) {
      const due = compiled.stages[stage]!.due as unknown as { from: string; choices: { when?: unknown; rule: Record<string, unknown> }[] };
      expect(due.choices[0], stage).to.deep.equal({
        when: { anchorSet: 'recognized_on' },
        rule: { from: 'anchor', anchor: 'recognized_on', unit: 'months', amount: 55, rollForward: false, rollBack: true },
      });
    }
    const p = recognised(3, 1);
    expect(p.send('START_RENEWAL')).to.equal(true);
    expect(anchors(p).recognized_on, 'the limit still counts from the decision').to.equal(SIGNED);
    const q = recognised(3, 1);
    q.send('START_RENEWAL');
    q.completeAll({ sa_council: { decisionNo: '1/QĐ', members: 7, chairedByPrincipal: true }, sa_rating: { level: 3 } });
    q.checkAll();
    q.send('SUBMIT');
    q.completeAll();
    q.send('SUBMIT');
    q.completeAll({ request_letter: { scope: 'both' } });
    throughReviews(q);
    throughVisits(q);
    toRecognition(q, 0, 0);
    expect(q.send('DECIDE', { accreditationLevel: 0, nationalStandardLevel: 0, decisionDate: '2031-03-02' })).to.equal(true);
    expect(q.stages).to.deep.equal(['improvement']);
    expect(anchors(q).recognized_on, 'not recognised: no renewal limit for the next attempt').to.equal(undefined);
  });
});
