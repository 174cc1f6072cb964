import { expect } from 'chai';
import { compileFile, ProcessDriver } from '../support/process-driver.ts';

const compiled = compileFile('processes/accreditation-continuing-education.yaml');

const council = { decisionNo: '21/QĐ-TTGDNN-GDTX', members: 8, chairedByDirector: true };

/** Self-assessment at the given share of criteria met and level, submitted if it can be. */
function selfAssessed(percentMet: number, level: number): ProcessDriver {
  const p = new ProcessDriver(compiled, { kind: 'continuing-education' });
  p.completeAll({ ce_council: council, ce_rating: { criteriaTotal: 40, criteriaMet: Math.round((percentMet * 40) / 100), percentMet, level } });
  p.checkAll();
  return p;
}

/** Through the improvement plan and registration: the Sở is checking the dossier. */
function registered(percentMet = 85, level = 3): ProcessDriver {
  const p = selfAssessed(percentMet, level);
  expect(p.send('SUBMIT')).to.equal(true);
  p.completeAll();
  expect(p.send('SUBMIT')).to.equal(true);
  expect(p.stages).to.deep.equal(['registration']);
  p.completeAll();
  expect(p.send('REGISTER')).to.equal(true);
  return p;
}

function evaluated(p: ProcessDriver): void {
  p.completeAll();
  expect(p.send('REVIEW', { decision: 'accepted' })).to.equal(true);
  expect(p.active).to.deep.equal(['external_evaluation', 'ce_team']);
  p.completeAll({ ce_team_decision: { decisionNo: '301/QĐ-SGDĐT', members: 5 } });
  expect(p.send('APPOINTED')).to.equal(true);
  p.anchor('visit_date', '2025-10-14');
  expect(p.send('SCHEDULE_VISIT')).to.equal(true);
  expect(p.send('PRELIMINARY_DONE'), 'the centre has not laid out its evidence').to.equal(false);
  p.completeAll();
  expect(p.send('PRELIMINARY_DONE')).to.equal(true);
  expect(p.send('VISIT_DONE')).to.equal(true);
  expect(p.send('SEND_DRAFT')).to.equal(true);
  expect(p.send('FEEDBACK', { agrees: true })).to.equal(true);
  p.completeAll({ ce_team_findings: { percentMet: 82, levelReached: 3 } });
  expect(p.send('SUBMIT')).to.equal(true);
  expect(p.stages).to.deep.equal(['recognition']);
}

describe('process: accreditation-continuing-education (TT 42/2012)', () => {
  it('registers straight with the Sở, is accredited at level 3 and comes back for renewal', () => {
    const p = registered();
    expect(p.stages, 'no district office in between').to.deep.equal(['department_review']);
    evaluated(p);
    expect(p.send('DECIDE', { accreditationLevel: 3, decisionNo: '88/QĐ-SGDĐT', decisionDate: '2026-09-30' })).to.equal(true);
    expect(p.stages).to.deep.equal(['consolidating', 'improvement_year']);
    expect(p.send('START_RENEWAL')).to.equal(true);
    expect(p.stages).to.deep.equal(['self_assessment']);
    expect(p.task('ce_council')?.status).to.equal('open');
  });

  it('has no district review and no national standard, and keeps the 55-month renewal countdown', () => {
    expect(Object.keys(compiled.stages)).to.not.include.members(['district_review']);
    const decision = compiled.events.DECIDE!;
    expect(Object.keys(decision.form!.properties)).to.deep.equal(['accreditationLevel', 'decisionNo', 'decisionDate']);
    expect(decision.formSchema).to.deep.nested.include({ 'properties.accreditationLevel.maximum': 3 });
    const r = compiled.stages.recognized!;
    expect(r.due, 'expiry − 5 months, counted backward').to.deep.include({
      from: 'anchor',
      anchor: 'recognized_on',
      unit: 'months',
      amount: 55,
      rollBack: true,
    });
    expect(compiled.stages.consolidating!.due, 'two years for centres: TT 22/2024 does not amend TT 42/2012').to.deep.include({ unit: 'years', amount: 2 });
    expect(r.escalate.map((s) => [s.kind, s.at.amount, s.notify])).to.deep.equal([
      ['reminder', -7, ['school']],
      ['reminder', -1, ['school', 'department']],
      ['escalation', 0, ['school', 'department']],
    ]);
  });

  it('lets the Sở return the dossier, with a note, until it is complete', () => {
    const p = registered();
    expect(p.send('REVIEW', { decision: 'accepted' }), 'the Sở has not checked it yet').to.equal(false);
    expect(p.send('REVIEW', { decision: 'returned' }), 'no note').to.equal(false);
    expect(p.send('REVIEW', { decision: 'returned', note: 'Báo cáo thiếu phần kế hoạch cải tiến' })).to.equal(true);
    expect(p.stages).to.deep.equal(['registration']);
    expect(p.send('REGISTER')).to.equal(false);
    p.completeAll();
    expect(p.send('REGISTER')).to.equal(true);
    expect(p.stages).to.deep.equal(['department_review']);
  });

  it('refuses the self-assessment while tasks or evidence are missing or the council is not in order', () => {
    const p = new ProcessDriver(compiled, { kind: 'continuing-education' });
    expect(p.send('SUBMIT')).to.equal(false);
    p.completeAll({ ce_council: { ...council, chairedByDirector: false }, ce_rating: { criteriaTotal: 40, criteriaMet: 30, percentMet: 75, level: 2 } });
    p.checkAll();
    expect(p.send('SUBMIT'), 'not chaired by the director').to.equal(false);
    const q = selfAssessed(75, 2);
    q.check('learner_records', false);
    expect(q.send('SUBMIT'), 'learner records not checked').to.equal(false);
    q.check('learner_records');
    expect(q.send('SUBMIT')).to.equal(true);
    expect(q.stages).to.deep.equal(['improvement_plan']);
  });

  it('takes a level only if the share of criteria the team found met supports it', () => {
    const p = registered();
    evaluated(p); // the team found 82 %
    expect(p.send('DECIDE', { accreditationLevel: 2, decisionDate: '2026-09-30' }), '82 % is level 3, not 2').to.equal(false);
    expect(p.send('DECIDE', { accreditationLevel: 0, decisionDate: '2026-09-30' }), 'nor a refusal').to.equal(false);
    expect(p.send('DECIDE', { accreditationLevel: 4, decisionDate: '2026-09-30' }), 'there is no level 4 for centres').to.equal(false);
    expect(p.stages).to.deep.equal(['recognition']);
    expect(p.send('DECIDE', { accreditationLevel: 3, decisionDate: '2026-09-30' })).to.equal(true);
    expect(p.stages).to.deep.equal(['consolidating', 'improvement_year']);
  });

  it('loops the draft on objections, and a failed centre improves and registers again', () => {
    const p = registered();
    p.completeAll();
    p.send('REVIEW', { decision: 'accepted' });
    p.completeAll({ ce_team_decision: { decisionNo: '5', members: 5 } });
    p.send('APPOINTED');
    expect(p.send('SCHEDULE_VISIT'), 'visit date unknown').to.equal(false);
    p.anchor('visit_date', '2026-04-07');
    p.send('SCHEDULE_VISIT');
    p.completeAll();
    p.send('PRELIMINARY_DONE');
    p.send('VISIT_DONE');
    p.send('SEND_DRAFT');
    expect(p.send('FEEDBACK', { agrees: false, objections: 'Tiêu chí 3.4 đã đạt' })).to.equal(true);
    expect(p.stages).to.deep.equal(['ce_draft_report']);
    p.send('SEND_DRAFT');
    expect(p.due('ce_draft_report')).to.equal(false);
    expect(p.due('ce_feedback')).to.equal(true);
    p.completeAll({ ce_team_findings: { percentMet: 40, levelReached: 0 } });
    p.send('SUBMIT');
    expect(p.send('DECIDE'), 'no decision data').to.equal(false);
    expect(p.send('DECIDE', { accreditationLevel: 1, decisionDate: '2026-09-30' }), '40 % is below level 1').to.equal(false);
    expect(p.send('DECIDE', { accreditationLevel: 0, decisionDate: '2026-09-30' })).to.equal(true);
    expect(p.stages).to.deep.equal(['improvement']);
    expect(p.send('REGISTER_AGAIN')).to.equal(false);
    p.completeAll();
    expect(p.send('REGISTER_AGAIN')).to.equal(true);
    expect(p.stages).to.deep.equal(['registration']);
  });

  it('keeps the self-assessed level as the centre rated it', () => {
    const p = selfAssessed(70, 2);
    expect(p.send('SUBMIT')).to.equal(true);
    expect(p.task('ce_rating')?.data).to.include({ percentMet: 70, level: 2 });
  });
});
