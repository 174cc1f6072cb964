import { expect } from 'chai';
import { compileFile, ProcessDriver } from '../support/process-driver.ts';

const compiled = compileFile('processes/gifted-student-selection.yaml');

/** Plan and provincial exam done: the team is being selected. */
function throughProvincialExam(): ProcessDriver {
  const p = new ProcessDriver(compiled, { kind: 'department' });
  p.completeAll();
  expect(p.send('SUBMIT')).to.equal(true);
  expect(p.active).to.deep.equal(['provincial_exam', 'candidate_registration']);
  p.completeAll({ receive_registrations: { candidates: 840 } });
  p.send('CLOSE');
  p.completeAll();
  p.send('READY');
  expect(p.stages).to.deep.equal(['sitting']);
  p.send('EXAM_DONE');
  expect(p.stages).to.deep.equal(['marking']);
  p.complete('marking_done');
  p.complete('provincial_results');
  expect(p.send('RESULTS'), 'appeals are optional').to.equal(true);
  expect(p.stages).to.deep.equal(['team_selection']);
  return p;
}

function selectTeam(p: ProcessDriver, members: number): void {
  p.complete('select_team', { method: 'selection_exam', members, subjects: members ? 8 : 0 });
  expect(p.send('SELECTED')).to.equal(true);
}

describe('process: gifted-student-selection (Quy chế thi chọn HSG quốc gia)', () => {
  it('runs the plan, the provincial exam, the team, registration and the national exam to results', () => {
    const p = throughProvincialExam();
    selectTeam(p, 62);
    expect(p.stages).to.deep.equal(['ministry_registration']);
    expect(compiled.stages.ministry_registration!.due).to.deep.equal({
      from: 'anchor',
      anchor: 'ministry_registration',
      unit: 'days',
      amount: 0,
      rollForward: true,
    });
    p.completeAll();
    p.send('REGISTER');
    expect(p.stages).to.deep.equal(['team_training']);
    p.completeAll();
    p.send('TEAM_READY');
    p.send('EXAM_DONE');
    expect(p.stages).to.deep.equal(['national_results']);
    expect(p.send('SUBMIT')).to.equal(false);
    p.complete('record_results', { prizes: 21 });
    p.complete('rewards');
    p.send('SUBMIT');
    expect(p.stages).to.deep.equal(['completed']);
    expect(p.status).to.equal('done');
  });

  it('does not register before the team has been selected, and ends when no one is selected', () => {
    const p = throughProvincialExam();
    expect(p.send('SELECTED'), 'no selection recorded').to.equal(false);
    selectTeam(p, 0);
    expect(p.stages).to.deep.equal(['no_team']);
  });

  it('lists a missed Ministry deadline; the Ministry may still accept the team', () => {
    const p = throughProvincialExam();
    selectTeam(p, 40);
    p.complete('registration_dossier');
    expect(p.send('REGISTER'), 'dossier not sent').to.equal(false);
    expect(p.due('ministry_registration')).to.equal(true);
    expect(p.stages).to.deep.equal(['registration_missed']);
    expect(p.send('DECIDED', { accepted: true }), 'no late request sent yet').to.equal(false);
    p.completeAll();
    p.send('DECIDED', { accepted: true });
    expect(p.stages).to.deep.equal(['team_training']);
  });

  it('ends without the national exam when the Ministry refuses a late registration', () => {
    const p = throughProvincialExam();
    selectTeam(p, 40);
    p.due('ministry_registration');
    p.send('DECIDED', { accepted: false });
    expect(p.stages).to.deep.equal(['not_participating']);
  });

  it('cannot hold the provincial exam before candidates are registered', () => {
    const p = new ProcessDriver(compiled, { kind: 'department' });
    p.completeAll();
    p.send('SUBMIT');
    expect(p.send('CLOSE')).to.equal(false);
    expect(p.stages).to.deep.equal(['candidate_registration']);
  });
});
