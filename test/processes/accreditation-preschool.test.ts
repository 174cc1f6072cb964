import { expect } from 'chai';
import { compileFile, ProcessDriver } from '../support/process-driver.ts';

const compiled = compileFile('processes/accreditation-preschool.yaml');

type Seeks = 'accreditation' | 'national_standard' | 'both';

/** Self-assessment done at the given level; the registration filled in but not sent. */
function readyToRegister(level: number, seeks: Seeks): ProcessDriver {
  const p = new ProcessDriver(compiled, { kind: 'preschool' });
  p.completeAll({ council: { decisionNo: '08/QĐ-MN', members: 9, chairedByPrincipal: true }, self_rating: { level } });
  p.checkAll();
  expect(p.send('SUBMIT')).to.equal(true);
  expect(p.stages).to.deep.equal(['improvement_plan']);
  p.completeAll();
  expect(p.send('SUBMIT')).to.equal(true);
  expect(p.stages).to.deep.equal(['registration']);
  p.completeAll({ registration_letter: { seeks } });
  return p;
}

/** Registered, forwarded by the Phòng, accepted by the Sở, evaluated; now before the Sở director. */
function evaluated(level: number, seeks: Seeks): ProcessDriver {
  const p = readyToRegister(level, seeks);
  expect(p.send('REGISTER')).to.equal(true);
  expect(p.stages).to.deep.equal(['district_check']);
  p.completeAll();
  expect(p.send('CHECKED', { outcome: 'accepted' })).to.equal(true);
  expect(p.stages).to.deep.equal(['department_check']);
  expect(p.send('CHECKED', { outcome: 'accepted' })).to.equal(true);
  expect(p.active).to.deep.equal(['external_evaluation', 'appointment']);
  p.completeAll({ team_decision: { decisionNo: '95/QĐ-SGDĐT', members: 5, leader: 'Phó Trưởng phòng GDĐT huyện khác' } });
  expect(p.send('APPOINTED')).to.equal(true);
  p.completeAll();
  p.anchor('visit_date', '2025-12-09');
  expect(p.send('SCHEDULE_VISIT')).to.equal(true);
  p.completeAll();
  expect(p.send('PRELIMINARY_DONE')).to.equal(true);
  p.completeAll();
  expect(p.send('VISIT_DONE')).to.equal(true);
  expect(p.send('SEND_DRAFT')).to.equal(true);
  expect(p.send('FEEDBACK', { agrees: true })).to.equal(true);
  p.completeAll({ team_findings: { levelReached: level } });
  expect(p.send('SUBMIT')).to.equal(true);
  expect(p.stages).to.deep.equal(['recognition']);
  return p;
}

/** After TT 22/2024 took effect (10/02/2025): the Sở director decides the national standard too. */
const SIGNED = '2026-05-15';
const RECOGNISED = ['recognized', 'first_year', 'improvement_year'];

describe('process: accreditation-preschool (TT 19/2018)', () => {
  it('recognises a preschool at level 3 and national standard 2, then starts the renewal', () => {
    const p = evaluated(3, 'both');
    expect(p.send('DECIDE', { accreditationLevel: 3, nationalStandardLevel: 2, decisionNo: '77/QĐ-SGDĐT', decisionDate: SIGNED })).to.equal(true);
    expect(p.active).to.deep.equal(RECOGNISED);
    expect(p.send('START_RENEWAL')).to.equal(true);
    expect(p.stages).to.deep.equal(['self_assessment']);
    expect(p.task('council')?.status).to.equal('open');
    expect(p.task('self_rating')?.data, 'the new cycle rates afresh').to.equal(undefined);
  });

  it('keeps the renewal countdown and the statutory recognition limit', () => {
    const r = compiled.stages.recognized!;
    expect(r.kind).to.equal('parallel');
    expect(r.due, 'expiry − 5 months, counted backward').to.deep.include({
      from: 'anchor',
      anchor: 'recognized_on',
      unit: 'months',
      amount: 55,
      rollBack: true,
    });
    expect(r.escalate.map((s) => [s.kind, s.at.amount])).to.deep.equal([
      ['reminder', -7],
      ['reminder', -1],
      ['escalation', 0],
    ]);
    expect(compiled.stages.recognition!.due).to.deep.include({ unit: 'workingDays', amount: 20 });
    expect(compiled.stages.first_year!.due).to.deep.include({ from: 'choice' });
    expect(compiled.stages.improvement_year!.due).to.deep.include({ from: 'anchor', anchor: 'recognized_on', unit: 'years', amount: 1 });
    expect(compiled.stages.official_visit!.due).to.deep.equal({ from: 'anchor', anchor: 'visit_date', unit: 'workingDays', amount: 1, rollForward: true });
  });

  it('sends the dossier through the Phòng, which returns it until it is complete', () => {
    const p = readyToRegister(2, 'accreditation');
    expect(p.send('REGISTER')).to.equal(true);
    expect(compiled.stages.district_check!.owner).to.equal('district');
    expect(p.send('CHECKED', { outcome: 'returned' }), 'a return names what to complete').to.equal(false);
    expect(p.send('CHECKED', { outcome: 'returned', toComplete: 'Bổ sung hồ sơ bán trú' })).to.equal(true);
    expect(p.stages).to.deep.equal(['registration']);
    expect(p.send('REGISTER'), 'the letter must be redone').to.equal(false);
    p.completeAll({ registration_letter: { seeks: 'accreditation' } });
    p.send('REGISTER');
    expect(p.stages).to.deep.equal(['district_check']);
    expect(p.send('CHECKED', { outcome: 'accepted' }), 'the Phòng has not forwarded the dossier').to.equal(false);
    p.completeAll();
    p.send('CHECKED', { outcome: 'accepted' });
    p.send('CHECKED', { outcome: 'returned', toComplete: 'Thiếu bản báo cáo thứ hai' });
    expect(p.stages, 'the Sở returns it to the school too').to.deep.equal(['registration']);
  });

  it('refuses to submit the self-assessment with a task, an evidence item or the council missing', () => {
    const p = new ProcessDriver(compiled, { kind: 'preschool' });
    p.checkAll();
    expect(p.send('SUBMIT'), 'no task done').to.equal(false);
    p.completeAll({ council: { decisionNo: '1', members: 5, chairedByPrincipal: true }, self_rating: { level: 1 } });
    expect(p.send('SUBMIT'), 'a council of five').to.equal(false);
    expect(p.stages).to.deep.equal(['self_assessment']);

    const q = new ProcessDriver(compiled, { kind: 'preschool' });
    q.completeAll({ council: { decisionNo: '1', members: 7, chairedByPrincipal: true }, self_rating: { level: 1 } });
    q.checkAll();
    q.check('child_health_records', false);
    expect(q.send('SUBMIT'), 'health records not checked').to.equal(false);
    q.check('child_health_records');
    q.check('development_assessment', false);
    expect(q.send('SUBMIT'), 'an optional evidence item does not hold it up').to.equal(true);
  });

  it('lets the Sở grant only a consistent decision, and only what was sought', () => {
    const p = evaluated(2, 'accreditation');
    expect(
      p.send('DECIDE', { accreditationLevel: 2, nationalStandardLevel: 1, decisionDate: SIGNED }),
      'the school did not ask for the national standard',
    ).to.equal(false);
    expect(p.send('DECIDE', { accreditationLevel: 0, nationalStandardLevel: 1, decisionDate: SIGNED })).to.equal(false);
    expect(p.stages).to.deep.equal(['recognition']);
    expect(p.send('DECIDE', { accreditationLevel: 3, nationalStandardLevel: 0, decisionDate: SIGNED }), 'above the Mức 2 the team found').to.equal(false);
    expect(p.send('DECIDE', { accreditationLevel: 2, nationalStandardLevel: 0, decisionDate: SIGNED }), 'corrected').to.equal(true);

    const q = evaluated(2, 'national_standard');
    expect(q.send('DECIDE', { accreditationLevel: 2, nationalStandardLevel: 2, decisionDate: SIGNED }), 'level 2 needs Mức 3').to.equal(false);
    expect(q.send('DECIDE', { accreditationLevel: 1, nationalStandardLevel: 1, decisionDate: SIGNED }), 'level 1 needs Mức 2').to.equal(false);
    expect(q.stages).to.deep.equal(['recognition']);
    expect(q.send('DECIDE', { accreditationLevel: 2, nationalStandardLevel: 1, decisionDate: SIGNED })).to.equal(true);
    expect(q.active).to.deep.equal(RECOGNISED);
  });

  it('fails a preschool, which improves and registers again through the Phòng', () => {
    const p = evaluated(1, 'accreditation');
    expect(p.send('DECIDE', { accreditationLevel: 0, nationalStandardLevel: 0, decisionDate: SIGNED })).to.equal(true);
    expect(p.stages).to.deep.equal(['not_recognized']);
    expect(p.send('REGISTER_AGAIN'), 'recommendations not yet acted on').to.equal(false);
    p.completeAll();
    expect(p.send('REGISTER_AGAIN')).to.equal(true);
    p.completeAll({ registration_letter: { seeks: 'accreditation' } });
    p.send('REGISTER');
    expect(p.stages).to.deep.equal(['district_check']);
  });

  it('refuses an evaluation team smaller than five', () => {
    const p = readyToRegister(3, 'both');
    p.send('REGISTER');
    p.completeAll();
    p.send('CHECKED', { outcome: 'accepted' });
    p.send('CHECKED', { outcome: 'accepted' });
    p.completeAll({ team_decision: { decisionNo: '9', members: 4 } });
    expect(p.send('APPOINTED'), 'a team of four').to.equal(false);
    expect(p.active).to.deep.equal(['external_evaluation', 'appointment']);
  });

  it('loops the draft when the school objects in writing; silence counts as agreement', () => {
    const p = readyToRegister(3, 'both');
    p.send('REGISTER');
    p.completeAll();
    p.send('CHECKED', { outcome: 'accepted' });
    p.send('CHECKED', { outcome: 'accepted' });
    p.completeAll({ team_decision: { decisionNo: '9', members: 6 } });
    p.send('APPOINTED');
    p.completeAll();
    expect(p.send('SCHEDULE_VISIT'), 'the official visit date is not set').to.equal(false);
    p.anchor('visit_date', '2026-03-03');
    p.send('SCHEDULE_VISIT');
    p.completeAll();
    p.send('PRELIMINARY_DONE');
    expect(p.send('VISIT_DONE'), 'official visit record missing').to.equal(false);
    p.completeAll();
    p.send('VISIT_DONE');
    p.send('SEND_DRAFT');
    expect(p.stages).to.deep.equal(['school_feedback']);
    expect(p.send('FEEDBACK', { agrees: false }), 'objections must be written').to.equal(false);
    expect(p.send('FEEDBACK', { agrees: false, objections: 'Tiêu chí 5.2 đạt Mức 3' })).to.equal(true);
    expect(p.stages).to.deep.equal(['draft_report']);
    p.send('SEND_DRAFT');
    expect(p.due('school_feedback')).to.equal(true);
    expect(p.stages).to.deep.equal(['final_report']);
  });

  it('allows a higher level only after the first year', () => {
    const p = evaluated(3, 'both');
    p.send('DECIDE', { accreditationLevel: 3, nationalStandardLevel: 2, decisionDate: SIGNED });
    expect(p.send('SEEK_HIGHER_LEVEL')).to.equal(false);
    expect(p.due('first_year')).to.equal(true);
    expect(p.active).to.deep.equal(['recognized', 'higher_level_open', 'improvement_year']);
    expect(p.send('SEEK_HIGHER_LEVEL')).to.equal(true);
    expect(p.stages).to.deep.equal(['self_assessment']);
  });

  it('sends the national standard to the provincial chairman before TT 22/2024 took effect, not after', () => {
    const p = evaluated(3, 'both');
    expect(p.send('DECIDE', { accreditationLevel: 3, nationalStandardLevel: 1, decisionDate: '2024-12-20' })).to.equal(true);
    expect(p.stages).to.deep.equal(['provincial_recognition']);
    expect(p.send('CHAIRMAN_DECIDE', { nationalStandardLevel: 1, decisionDate: '2025-01-15' })).to.equal(true);
    expect(p.active).to.deep.equal(RECOGNISED);
    const q = evaluated(3, 'both');
    expect(
      q.send('DECIDE', { accreditationLevel: 3, nationalStandardLevel: 0, decisionDate: '2024-12-20' }),
      'no national standard: nothing for the chairman',
    ).to.equal(true);
    expect(q.active).to.deep.equal(RECOGNISED);
  });

  it('asks for the improvement report each year after recognition', () => {
    const p = evaluated(3, 'both');
    p.send('DECIDE', { accreditationLevel: 3, nationalStandardLevel: 2, decisionDate: SIGNED });
    for (let year = 1; year <= 4; year++) {
      expect(p.send('REPORT_IMPROVEMENT'), `year ${year}: the report is not written`).to.equal(false);
      p.completeAll();
      expect(p.send('REPORT_IMPROVEMENT'), `year ${year}`).to.equal(true);
    }
    expect(p.active).to.deep.equal(['recognized', 'first_year', 'reports_done']);
  });
});
