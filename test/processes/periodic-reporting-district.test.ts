import { expect } from 'chai';
import { compileFile, ProcessDriver } from '../support/process-driver.ts';

const compiled = compileFile('processes/periodic-reporting-district.yaml');

function collected(kind: string, anchors: Record<string, string> = {}): ProcessDriver {
  const p = new ProcessDriver(compiled, { kind }, anchors);
  expect(p.send('COMPILED'), 'data not collected yet').to.equal(false);
  p.completeAll();
  expect(p.send('COMPILED')).to.equal(true);
  return p;
}

function anchorsOf(p: ProcessDriver): Record<string, string> {
  return (p.snapshot.context as { anchors: Record<string, string> }).anchors;
}

describe("process: periodic-reporting-district, the Phòng's part (TT 19/2020)", () => {
  it('reads "before 25/1" and "before 31/1" as the day before, not rolled forward', () => {
    expect(compiled.stages.district_submission!.due).to.deep.equal({
      from: 'anchor',
      anchor: 'district_deadline',
      unit: 'days',
      amount: -1,
      rollForward: false,
    });
    const p = new ProcessDriver(compiled, { kind: 'district-office' });
    expect(anchorsOf(p)).to.deep.equal({ district_deadline: '2022-01-25' });
    const kinds = compiled.stages.district_submission!.escalate.map((s) => s.kind);
    expect(kinds).to.deep.equal(['reminder', 'reminder', 'overdue']);
  });

  it('runs a district office to the Sở, which accepts the report', () => {
    const p = collected('district-office');
    expect(p.stages).to.deep.equal(['district_submission']);
    expect(p.send('SUBMIT')).to.equal(false);
    p.completeAll({ district_report: { students: 18250 } });
    p.send('SUBMIT');
    expect(p.stages).to.deep.equal(['department_acceptance']);
    p.send('REVIEW', { decision: 'accepted' });
    expect(p.stages).to.deep.equal(['accepted']);
    expect(p.status).to.equal('done');
  });

  it('puts a district office that misses the cut-off on the late list; it still files', () => {
    const p = collected('district-office');
    p.complete('district_report', { students: 9000 });
    expect(p.due('district_submission')).to.equal(true);
    expect(p.stages).to.deep.equal(['district_late']);
    expect(p.send('SUBMIT')).to.equal(false);
    p.complete('district_late_report', { reason: 'Trùng lịch nghỉ Tết' });
    p.send('SUBMIT');
    expect(p.stages).to.deep.equal(['department_acceptance']);
  });

  it('loops a returned district report through correction', () => {
    const p = collected('district-office');
    p.completeAll({ district_report: { students: 9000 } });
    p.send('SUBMIT');
    p.send('REVIEW', { decision: 'returned', note: 'Số liệu lớp 1 chưa khớp' });
    expect(p.stages).to.deep.equal(['district_correction']);
    p.completeAll();
    p.send('SUBMIT');
    p.send('REVIEW', { decision: 'accepted' });
    expect(p.stages).to.deep.equal(['accepted']);
  });
});
