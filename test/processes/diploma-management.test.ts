import { expect } from 'chai';
import { loadCalendar } from '../../adapters/files/calendars.ts';
import { formatInstant, parseInstant } from '../../engine/calendar/time.ts';
import { advance, startInstance } from '../../engine/runtime/advance.ts';
import { compileFile, ProcessDriver } from '../support/process-driver.ts';

const compiled = compileFile('processes/diploma-management.yaml');

function decided(kind = 'upper-secondary'): ProcessDriver {
  const p = new ProcessDriver(compiled, { kind });
  p.completeAll({ graduation_decision_signed: { decisionNo: '215/QĐ-SGDĐT', graduates: 412 } });
  expect(p.send('RECOGNISED'), 'the decision date is not recorded yet').to.equal(false);
  p.anchor('graduation_decision_date', '2022-07-28');
  expect(p.send('RECOGNISED')).to.equal(true);
  expect(p.active).to.deep.equal(['issuance', 'master_register', 'temporary_certificates']);
  return p;
}

function issued(p: ProcessDriver): void {
  p.completeAll();
  p.send('REGISTER_READY');
  p.completeAll({ supply_blank_forms: { serialFrom: 'BT0001201', serialTo: 'BT0001612' } });
  p.send('FORMS_RECEIVED');
  p.completeAll();
  p.send('SIGNED');
  expect(p.stages).to.deep.equal(['handout']);
}

function archived(p: ProcessDriver): void {
  p.checkAll();
  expect(p.send('ARCHIVED')).to.equal(true);
  expect(p.stages).to.deep.equal(['records_kept']);
}

describe('process: diploma-management (TT 21/2019)', () => {
  it('counts 75 calendar days from the graduation decision, 30 for a decision from 15/4/2026', () => {
    expect(compiled.version).to.equal(2);
    expect(compiled.stages.issuance!.due).to.deep.equal({
      from: 'choice',
      choices: [
        {
          when: { field: 'anchors.graduation_decision_date', onOrAfter: '2026-04-15' },
          rule: { from: 'anchor', anchor: 'graduation_decision_date', unit: 'days', amount: 30, rollForward: true },
        },
        { rule: { from: 'anchor', anchor: 'graduation_decision_date', unit: 'days', amount: 75, rollForward: true } },
      ],
    });
    expect(compiled.roles.issuer!.unit).to.equal('parent');
  });

  it('takes the time limit of the regulation in force on the graduation date, and no reminder falls on a day off', () => {
    const cal = loadCalendar();
    const issuing = (signedOn: string) => {
      let r = startInstance(compiled, { unit: { kind: 'upper-secondary' } }, parseInstant(`${signedOn}T08:00:00+07:00`), cal);
      for (const task of ['graduation_proposal', 'graduation_decision_signed'])
        r = advance(
          compiled,
          r.state,
          { type: 'task.complete', task, data: { decisionNo: '1/QĐ', graduates: 10 } },
          parseInstant(`${signedOn}T09:00:00+07:00`),
          cal,
        );
      r = advance(compiled, r.state, { type: 'anchor.set', name: 'graduation_decision_date', date: signedOn }, parseInstant(`${signedOn}T09:00:00+07:00`), cal);
      r = advance(compiled, r.state, { type: 'RECOGNISED' }, parseInstant(`${signedOn}T10:00:00+07:00`), cal);
      const timers = r.effects.flatMap((e) => (e.type === 'armTimers' && e.stage === 'issuance' ? e.timers : []));
      return { due: formatInstant(r.state.entries.issuance!.dueAt!), rungs: timers.map((t) => formatInstant(t.fireAt)) };
    };
    // Signed Tue 14/4/2026, the day before: 75 days = Sun 28/6 → Mon 29/6/2026.
    expect(issuing('2026-04-14').due).to.equal('2026-06-29T23:59:59+07:00');
    // Signed Wed 15/4/2026: 30 days = Fri 15/5/2026.
    const after = issuing('2026-04-15');
    expect(after.due).to.equal('2026-05-15T23:59:59+07:00');
    // −15 days = Thu 30/4 (Reunification Day) → Wed 29/4; −5 = Sun 10/5 → Fri 8/5; +10 = Mon 25/5.
    expect(after.rungs).to.deep.equal(['2026-04-29T08:00:00+07:00', '2026-05-08T08:00:00+07:00', '2026-05-15T23:59:59+07:00', '2026-05-25T08:00:00+07:00']);
    for (const at of after.rungs) expect(cal.isWorkingDay(at.slice(0, 10)), at).to.equal(true);
  });

  it('runs decision, register, blank forms, signing and temporary certificates, handout, archive', () => {
    const p = decided();
    p.completeAll();
    expect(p.stages, 'temporary certificates issued, diplomas still in the register').to.deep.equal(['master_register', 'temporaries_issued']);
    p.send('REGISTER_READY');
    expect(p.stages).to.deep.equal(['blank_forms', 'temporaries_issued']);
    p.complete('request_blank_forms');
    p.complete('supply_blank_forms', { serialFrom: 'BT0001201', serialTo: 'BT0001612' });
    expect(p.send('FORMS_RECEIVED'), 'recording spoiled forms is optional').to.equal(true);
    p.completeAll();
    p.send('SIGNED');
    expect(p.stages).to.deep.equal(['handout']);
    p.completeAll();
    p.send('HANDED_OUT', { uncollected: 0 });
    expect(p.stages).to.deep.equal(['archive']);
    archived(p);
    p.send('CLOSE');
    expect(p.stages).to.deep.equal(['closed']);
    expect(p.status).to.equal('done');
  });

  it('keeps uncollected diplomas at the school before archiving', () => {
    const p = decided('lower-secondary');
    issued(p);
    p.completeAll();
    p.send('HANDED_OUT', { uncollected: 7 });
    expect(p.stages).to.deep.equal(['uncollected_custody']);
    expect(p.send('SECURED')).to.equal(false);
    p.completeAll();
    p.send('SECURED');
    expect(p.stages).to.deep.equal(['archive']);
  });

  it('will not hand out before the diplomas are signed, nor archive with records missing', () => {
    const p = decided();
    p.completeAll();
    p.send('REGISTER_READY');
    expect(p.send('SIGNED'), 'no blank forms yet').to.equal(false);
    expect(p.send('HANDED_OUT', { uncollected: 0 })).to.equal(false);
    expect(p.stages).to.deep.equal(['blank_forms', 'temporaries_issued']);
    p.completeAll({ supply_blank_forms: { serialFrom: '1', serialTo: '9' } });
    p.send('FORMS_RECEIVED');
    p.completeAll();
    p.send('SIGNED');
    p.completeAll();
    p.send('HANDED_OUT', { uncollected: 0 });
    p.check('graduation_list');
    p.check('graduation_data_sheet');
    p.check('graduation_decision_copy');
    expect(p.send('ARCHIVED'), 'the master register is not archived').to.equal(false);
    p.check('master_register_copy');
    expect(p.send('ARCHIVED'), 'the score sheet is optional').to.equal(true);
  });

  it('runs the side tracks: copy, correction, re-issue and revocation, each back to the records', () => {
    const p = decided();
    issued(p);
    p.completeAll();
    p.send('HANDED_OUT', { uncollected: 0 });
    archived(p);

    p.send('COPY_REQUEST');
    p.completeAll();
    p.send('COPIED');
    expect(p.stages).to.deep.equal(['records_kept']);

    p.send('CORRECTION_REQUEST');
    expect(p.send('CORRECTION_DECIDED', { outcome: 'corrected' }), 'documents not checked').to.equal(false);
    p.completeAll();
    p.send('CORRECTION_DECIDED', { outcome: 'reissued' });
    expect(p.stages).to.deep.equal(['reissue']);
    p.completeAll();
    p.send('REISSUED');
    expect(p.stages).to.deep.equal(['records_kept']);

    p.send('REVOKE');
    p.complete('revocation_decision');
    expect(p.send('REVOKED'), 'not yet published nor noted in the register').to.equal(false);
    p.completeAll();
    p.send('REVOKED');
    expect(p.stages).to.deep.equal(['records_kept']);
  });
});
