import { expect } from 'chai';
import { loadCalendar } from '../../adapters/files/calendars.ts';
import { formatInstant, parseInstant } from '../../engine/calendar/time.ts';
import { ENGINE_EVENTS } from '../../engine/definition/compile.ts';
import { EngineError } from '../../engine/errors.ts';
import { advance, startInstance, timerIsCurrent, XSTATE_VERSION, type EngineEvent, type StepResult, type TimerSpec } from '../../engine/runtime/advance.ts';
import { compileFile } from '../support/process-driver.ts';

const cal = loadCalendar();
const general = compileFile('processes/accreditation-general-school.yaml');
const t0 = parseInstant('2022-01-04T08:00:00+07:00');

function timersOf(r: StepResult, stage: string): TimerSpec[] {
  return r.effects.flatMap((e) => (e.type === 'armTimers' && e.stage === stage ? e.timers : []));
}
const fmt = (ms: number) => formatInstant(ms);

function rejects(fn: () => unknown): EngineError {
  try {
    fn();
  } catch (e) {
    if (e instanceof EngineError) return e;
    throw e;
  }
  throw new Error('expected an EngineError');
}

describe('advance: the pure engine step', () => {
  it('starts an instance in its initial stage with its deadline and ladder armed', () => {
    const r = startInstance(general, { unit: { kind: 'upper-secondary' } }, t0, cal);
    expect(r.stages).to.deep.equal(['self_assessment']);
    expect(r.status).to.equal('running');
    const entered = r.effects.find((e) => e.type === 'stageEntered')!;
    expect(entered).to.include({ stage: 'self_assessment', seq: 1 });
    // 120 working days from Tue 4/1/2022, across Tết, Hùng Kings' day and 30/4–3/5.
    expect(fmt((entered as { dueAt: number }).dueAt)).to.equal('2022-07-01T23:59:59+07:00');
    expect(timersOf(r, 'self_assessment').map((t) => [t.kind, fmt(t.fireAt), t.notify.join('+')])).to.deep.equal([
      ['reminder', '2022-06-17T08:00:00+07:00', 'school'],
      ['overdue', '2022-07-01T23:59:59+07:00', 'school+district'],
      ['escalation', '2022-07-15T08:00:00+07:00', 'district+department'],
    ]);
  });

  it('rejects an event no active stage accepts, saying what it would accept', () => {
    const r = startInstance(general, { unit: { kind: 'upper-secondary' } }, t0, cal);
    const e = rejects(() => advance(general, r.state, { type: 'DECIDE' }, t0, cal));
    expect(e.code).to.equal('STAGE_REJECTS_EVENT');
    expect(e.message).to.equal('stage "self_assessment" does not accept DECIDE; accepted now: SUBMIT');
  });

  it('explains a refused SUBMIT: which tasks and evidence are missing', () => {
    let r = startInstance(general, { unit: { kind: 'upper-secondary' } }, t0, cal);
    r = advance(general, r.state, { type: ENGINE_EVENTS.completeTask, task: 'council', data: { decisionNo: '1', members: 7 } }, t0, cal);
    const e = rejects(() => advance(general, r.state, { type: 'SUBMIT' }, t0, cal));
    expect(e.code).to.equal('CONDITION_NOT_MET');
    expect(e.details.tasks).to.deep.equal(['sa_plan', 'collect_evidence', 'rating', 'sa_report', 'publish_report']);
    expect(e.details.evidence).to.deep.equal(['council_decision', 'evidence_list', 'signed_report']);
  });

  it('refuses to complete a task twice or one of another stage', () => {
    let r = startInstance(general, { unit: { kind: 'upper-secondary' } }, t0, cal);
    r = advance(general, r.state, { type: ENGINE_EVENTS.completeTask, task: 'sa_plan' }, t0, cal);
    expect(rejects(() => advance(general, r.state, { type: ENGINE_EVENTS.completeTask, task: 'sa_plan' }, t0, cal)).code).to.equal('TASK_NOT_OPEN');
    const other = rejects(() => advance(general, r.state, { type: ENGINE_EVENTS.completeTask, task: 'request_letter' }, t0, cal));
    expect(other.code).to.equal('TASK_NOT_OPEN');
    expect(other.message).to.match(/stage "registration".*not active/);
    expect(rejects(() => advance(general, r.state, { type: ENGINE_EVENTS.completeTask, task: 'nope' }, t0, cal)).code).to.equal('UNKNOWN_TASK');
  });

  it('leaves a stage: its timers are disarmed and stop counting; re-entry gets a new seq', () => {
    let r = startInstance(general, { unit: { kind: 'upper-secondary' } }, t0, cal);
    const send = (e: EngineEvent) => (r = advance(general, r.state, e, t0, cal));
    for (const task of general.stages.self_assessment!.tasks)
      send({
        type: ENGINE_EVENTS.completeTask,
        task: task.id,
        data: task.id === 'council' ? { decisionNo: '1', members: 7 } : task.id === 'rating' ? { level: 2 } : {},
      });
    for (const e of general.stages.self_assessment!.evidence) send({ type: ENGINE_EVENTS.checkEvidence, item: e.id });
    const firstTimer = { stage: 'self_assessment', seq: 1, arm: 1 };
    expect(timerIsCurrent(r.state, firstTimer)).to.equal(true);
    send({ type: 'SUBMIT' });
    expect(r.effects.map((e) => e.type)).to.deep.equal(['disarmTimers', 'stageLeft', 'stageEntered', 'deadline', 'armTimers']);
    expect(r.stages).to.deep.equal(['improvement_plan']);
    expect(timerIsCurrent(r.state, firstTimer), 'a timer of a left stage does nothing').to.equal(false);
  });

  it('arms an anchored deadline when the anchor is set, and re-arms it when the anchor moves', () => {
    // Run a school to the desk review, where the visit is scheduled.
    const sub = compileFile('test/fixtures/compile/anchored.yaml');
    let r = startInstance(sub, { unit: { kind: 'upper-secondary' } }, t0, cal);
    expect(
      r.effects.some((e) => e.type === 'armTimers'),
      'no visit date, no deadline',
    ).to.equal(false);
    r = advance(sub, r.state, { type: ENGINE_EVENTS.setAnchor, name: 'visit_date', date: '2022-05-10' }, t0, cal);
    const first = timersOf(r, 'prepare');
    expect(first.map((t) => [t.kind, t.arm, fmt(t.fireAt)])).to.deep.equal([
      ['due', 2, '2022-04-22T23:59:59+07:00'],
      ['overdue', 2, '2022-04-22T23:59:59+07:00'],
    ]);
    r = advance(sub, r.state, { type: ENGINE_EVENTS.setAnchor, name: 'visit_date', date: '2022-05-17' }, t0, cal);
    expect(r.effects[0]).to.deep.equal({ type: 'disarmTimers', stage: 'prepare', seq: 1 });
    expect(timersOf(r, 'prepare').map((t) => [t.kind, t.arm, fmt(t.fireAt)])).to.deep.equal([
      ['due', 3, '2022-04-29T23:59:59+07:00'],
      ['overdue', 3, '2022-04-29T23:59:59+07:00'],
    ]);
    expect(timerIsCurrent(r.state, first[0]!), 'the timer armed for the old date is stale').to.equal(false);
    expect(rejects(() => advance(sub, r.state, { type: ENGINE_EVENTS.setAnchor, name: 'exam_date', date: '2022-05-17' }, t0, cal)).code).to.equal(
      'UNKNOWN_ANCHOR',
    );
  });

  it('sends DUE only to the stage whose deadline it is, and finishes the instance at a final stage', () => {
    const sub = compileFile('test/fixtures/compile/anchored.yaml');
    let r = startInstance(sub, { unit: { kind: 'upper-secondary' } }, t0, cal);
    r = advance(sub, r.state, { type: ENGINE_EVENTS.setAnchor, name: 'visit_date', date: '2022-05-10' }, t0, cal);
    expect(rejects(() => advance(sub, r.state, { type: 'DUE', stage: 'other' }, t0, cal)).code).to.equal('CONDITION_NOT_MET');
    r = advance(sub, r.state, { type: 'DUE', stage: 'prepare' }, t0, cal);
    expect(r.stages).to.deep.equal(['late']);
    expect(r.status).to.equal('done');
    expect(r.effects.at(-1)).to.deep.equal({ type: 'finished', at: t0 });
    expect(rejects(() => advance(sub, r.state, { type: 'DONE' }, t0, cal)).code).to.equal('INSTANCE_NOT_RUNNING');
  });

  it('marks a snapshot the machine cannot read as needing migration', () => {
    const r = startInstance(general, { unit: { kind: 'upper-secondary' } }, t0, cal);
    const broken = { ...(r.state.snapshot as object), value: 'renamed_stage' };
    expect(rejects(() => advance(general, { ...r.state, snapshot: broken }, { type: 'SUBMIT' }, t0, cal)).code).to.equal('NEEDS_MIGRATION');
  });
});

describe('the xstate version stored on instances', () => {
  it('is the one installed (package.json pins it exactly)', async () => {
    const { readFileSync } = await import('node:fs');
    const installed = JSON.parse(readFileSync(new URL('../../node_modules/xstate/package.json', import.meta.url), 'utf8')).version;
    const pinned = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).dependencies.xstate;
    expect([installed, pinned]).to.deep.equal([XSTATE_VERSION, XSTATE_VERSION]);
  });
});
