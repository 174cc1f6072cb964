// The time keywords of issue 15 (spec §A): roll direction, rungs off days off, anchors relative to
// the instance, anchors asked again, repeating deadlines, deadlines chosen by condition, conditions
// on dates, field against field, what was said stays said, anchors set from an event.
import type { EngineError } from '../../engine/errors.ts';
import { expect } from 'chai';
import { loadCalendar } from '../../adapters/files/calendars.ts';
import { formatInstant, parseInstant } from '../../engine/calendar/time.ts';
import type { SimpleDueRule } from '../../engine/definition/compile.ts';
import { evaluate, type ProcessContext } from '../../engine/definition/conditions.ts';
import { advance, startInstance, type StepResult, type TimerSpec } from '../../engine/runtime/advance.ts';
import { dueDate, relativeAnchorDate } from '../../engine/runtime/deadlines.ts';
import { compileFile } from '../support/process-driver.ts';

const cal = loadCalendar();
const at = (iso: string) => parseInstant(iso);
const compiled = compileFile('test/fixtures/compile/time.yaml');
const unit = { kind: 'upper-secondary' };

function entered(r: StepResult, stage: string): string | undefined {
  const e = r.effects.find((x) => x.type === 'stageEntered' && x.stage === stage) as { dueAt?: number } | undefined;
  return e?.dueAt === undefined ? undefined : formatInstant(e.dueAt);
}
function timers(r: StepResult, stage: string): TimerSpec[] {
  return r.effects.flatMap((e) => (e.type === 'armTimers' && e.stage === stage ? e.timers : []));
}
const ctx = (over: Partial<ProcessContext> = {}): ProcessContext => ({ unit: {}, tasks: {}, evidence: {}, anchors: {}, ...over });

describe('time keywords: compiling', () => {
  it('defaults the roll: back for a negative calendar period from an anchor, forward otherwise, none for a date', () => {
    const renewal = compiled.stages.renewal!.due!;
    expect(renewal.from).to.equal('choice');
    if (renewal.from !== 'choice') return;
    expect(renewal.choices[0]!.rule).to.deep.equal({ from: 'anchor', anchor: 'expiry', unit: 'months', amount: -5, rollForward: false, rollBack: true });
    expect(renewal.choices[1]!.rule).to.deep.equal({ from: 'anchor', anchor: 'expiry', unit: 'months', amount: -6, rollForward: false });
    expect(renewal.choices[0]!.when).to.deep.equal({ field: 'events.DECIDE.decidedOn', onOrAfter: '2024-11-20' });
    expect(compiled.stages.improving!.due).to.deep.equal({
      from: 'anchor',
      anchor: 'recognized_on',
      unit: 'years',
      amount: 1,
      rollForward: true,
      every: { unit: 'years', amount: 1 },
    });
    expect(compiled.stages.improving!.counted).to.equal(true);
    expect(compiled.stages.renewal!.resetAnchors).to.deep.equal(['change_day']);
    expect(compiled.anchors.year_end).to.deep.equal({ title: compiled.anchors.year_end!.title, relative: { schoolYear: '06-30' } });
  });

  it('compiles setAnchors, keepEvent, resetAnchors and countEntry to named actions', () => {
    const text = JSON.stringify(compiled.config);
    expect(text).to.include('{"type":"setAnchors","params":{"anchors":{"recognized_on":"event.decidedOn"}}}');
    expect(text).to.include('{"type":"resetAnchors","params":{"anchors":["change_day"]}}');
    expect(text).to.include('{"type":"countEntry","params":{"stage":"improving"}}');
    expect(text).to.include('{"type":"keepEvent"}');
  });

  it('still reads rollForward, and roll wins', () => {
    const fixed = compileFile('test/fixtures/compile/anchored.yaml').stages.prepare!.due;
    // Working days are already working days: a negative working-day period keeps rolling forward (a no-op).
    expect(fixed).to.deep.equal({ from: 'anchor', anchor: 'visit_date', unit: 'workingDays', amount: -10, rollForward: true });
  });
});

describe('time keywords: deadlines', () => {
  const back: SimpleDueRule = { from: 'anchor', anchor: 'expiry', unit: 'months', amount: -5, rollForward: false, rollBack: true };

  it('5 months before an expiry that falls on a Sunday lands on the Friday before, not the Monday after', () => {
    // Expiry Sat 15/8/2026 − 5 months = Sun 15/3/2026 → Fri 13/3/2026.
    expect(dueDate(back, 0, { expiry: '2026-08-15' }, cal)).to.equal('2026-03-13');
    // Forward (the old default) would have given Monday 16/3.
    expect(dueDate({ ...back, rollBack: undefined, rollForward: true } as SimpleDueRule, 0, { expiry: '2026-08-15' }, cal)).to.equal('2026-03-16');
    // Back across holidays: the day before Mon 4/5/2026 is Sun 3/5; Sat 2/5, Fri 1/5 and Thu 30/4
    // are off, so Wed 29/4/2026.
    expect(dueDate({ ...back, amount: -1, unit: 'days' }, 0, { expiry: '2026-05-04' }, cal)).to.equal('2026-04-29');
  });

  it('repeats: the n-th occurrence is due (n − 1) × every after the first, counted from the unrolled day', () => {
    const yearly: SimpleDueRule = { from: 'anchor', anchor: 'r', unit: 'years', amount: 1, rollForward: true, every: { unit: 'years', amount: 1 } };
    const anchors = { r: '2024-03-14' };
    expect(dueDate(yearly, 0, anchors, cal, 1)).to.equal('2025-03-14');
    // 14/3/2026 is a Saturday: rolled to Monday 16/3, but the third stays counted from 14/3.
    expect(dueDate(yearly, 0, anchors, cal, 2)).to.equal('2026-03-16');
    expect(dueDate(yearly, 0, anchors, cal, 3)).to.equal('2027-03-15');
  });

  it('resolves anchor defaults relative to the start: school year, calendar year, from the start', () => {
    expect(relativeAnchorDate({ schoolYear: '06-30' }, '2026-12-05', cal)).to.equal('2027-06-30');
    expect(relativeAnchorDate({ schoolYear: '06-30' }, '2026-08-20', cal)).to.equal('2026-06-30');
    expect(relativeAnchorDate({ schoolYear: '06-30' }, '2026-09-01', cal)).to.equal('2027-06-30');
    expect(relativeAnchorDate({ schoolYear: '09-05' }, '2027-03-01', cal)).to.equal('2026-09-05');
    expect(relativeAnchorDate({ year: '10-31' }, '2026-12-05', cal)).to.equal('2026-10-31');
    expect(relativeAnchorDate({ year: '02-29' }, '2026-01-10', cal)).to.equal('2026-02-28');
    // Fri 4/9/2026 + 5 working days: 7, 8, 9, 10, 11/9 (2/9 is already past).
    expect(relativeAnchorDate({ fromStart: { unit: 'workingDays', amount: 5 } }, '2026-09-04', cal)).to.equal('2026-09-11');
  });

  it('gives a started instance its relative defaults, and a given anchor wins', () => {
    const r = startInstance(compiled, { unit }, at('2026-12-05T09:00:00+07:00'), cal);
    expect(r.context.anchors).to.deep.equal({ year_end: '2027-06-30', stats_day: '2026-10-31', review_day: '2026-12-11' });
    const s = startInstance(compiled, { unit, anchors: { year_end: '2027-05-31' } }, at('2026-08-20T09:00:00+07:00'), cal);
    expect(s.context.anchors.year_end).to.equal('2027-05-31');
    const t = startInstance(compiled, { unit }, at('2026-08-20T09:00:00+07:00'), cal);
    expect(t.context.anchors.year_end).to.equal('2026-06-30');
  });
});

describe('time keywords: running', () => {
  const t0 = at('2024-12-02T09:00:00+07:00');

  function decided(level = { standardLevel: 2, accreditationLevel: 3 }): StepResult {
    const r = startInstance(compiled, { unit }, t0, cal);
    return advance(compiled, r.state, { type: 'DECIDE', data: { decidedOn: '2024-03-14', ...level } }, t0, cal);
  }

  it('compares a field with another field, and sets an anchor from the event', () => {
    const r = startInstance(compiled, { unit }, t0, cal);
    const refused = (() => {
      try {
        advance(compiled, r.state, { type: 'DECIDE', data: { decidedOn: '2024-03-14', standardLevel: 3, accreditationLevel: 2 } }, t0, cal);
      } catch (e) {
        return e as EngineError;
      }
      throw new Error('a standard level above the accreditation level was accepted');
    })();
    expect(refused.code).to.equal('CONDITION_NOT_MET');
    // The refusal names the field compared, not tasks of another branch.
    expect((refused.details.fields as { field: string }[]).map((f) => f.field)).to.include('event.standardLevel');
    expect(refused.details.tasks).to.deep.equal([]);
    const d = decided();
    expect(d.stages).to.deep.equal(['improving']);
    expect(d.context.anchors.recognized_on).to.equal('2024-03-14');
    expect(d.context.events?.DECIDE).to.deep.equal({ decidedOn: '2024-03-14', standardLevel: 2, accreditationLevel: 3 });
    expect(entered(d, 'improving')).to.equal('2025-03-14T23:59:59+07:00');
  });

  it("a repeating stage's 3rd occurrence is due at base + 2 years, with its own seq and ladder", () => {
    let r = decided();
    const seqs = [r.state.entries.improving!.seq];
    r = advance(compiled, r.state, { type: 'REPORT' }, at('2025-03-01T09:00:00+07:00'), cal);
    seqs.push(r.state.entries.improving!.seq);
    expect(entered(r, 'improving')).to.equal('2026-03-16T23:59:59+07:00');
    r = advance(compiled, r.state, { type: 'REPORT' }, at('2026-03-02T09:00:00+07:00'), cal);
    seqs.push(r.state.entries.improving!.seq);
    expect(r.state.entries.improving!.occurrence).to.equal(3);
    expect(r.state.occurrences).to.deep.equal({ improving: 3 });
    expect(r.context.cycles).to.deep.equal({ improving: 3 });
    expect(new Set(seqs).size, 'each occurrence has its own seq').to.equal(3);
    // 14/3/2024 + 1 year + 2 years = Sun 14/3/2027 → Mon 15/3; the reminder 14 days before is Mon 1/3.
    expect(entered(r, 'improving')).to.equal('2027-03-15T23:59:59+07:00');
    expect(timers(r, 'improving').map((t) => [t.kind, formatInstant(t.fireAt), t.seq])).to.deep.equal([
      ['reminder', '2027-03-01T08:00:00+07:00', seqs[2]],
      ['overdue', '2027-03-15T23:59:59+07:00', seqs[2]],
    ]);
    // cycle.improving is 3: the next report leads to the renewal.
    r = advance(compiled, r.state, { type: 'REPORT' }, at('2027-03-02T09:00:00+07:00'), cal);
    expect(r.stages).to.deep.equal(['renewal']);
  });

  it('chooses the deadline by condition on entry, from what an earlier event said', () => {
    let r = decided();
    r = advance(compiled, r.state, { type: 'anchor.set', name: 'expiry', date: '2026-08-15' }, t0, cal);
    for (let i = 0; i < 3; i++) r = advance(compiled, r.state, { type: 'REPORT' }, t0, cal);
    expect(r.stages).to.deep.equal(['renewal']);
    // Decided 14/3/2024, before 20/11/2024: the second rule, 6 months, no roll: Sun 15/2/2026 as is.
    expect(r.state.entries.renewal!.dueCase).to.equal(1);
    expect(entered(r, 'renewal')).to.equal('2026-02-15T23:59:59+07:00');

    let s = startInstance(compiled, { unit }, t0, cal);
    s = advance(compiled, s.state, { type: 'DECIDE', data: { decidedOn: '2024-11-20', standardLevel: 1, accreditationLevel: 1 } }, t0, cal);
    s = advance(compiled, s.state, { type: 'anchor.set', name: 'expiry', date: '2026-08-15' }, t0, cal);
    for (let i = 0; i < 3; i++) s = advance(compiled, s.state, { type: 'REPORT' }, t0, cal);
    expect(s.state.entries.renewal!.dueCase).to.equal(0);
    expect(entered(s, 'renewal')).to.equal('2026-03-13T23:59:59+07:00');
  });

  it('an anchor set by an event arms the deadline counting from it; resetAnchors clears it on entry', () => {
    let r = decided();
    r = advance(compiled, r.state, { type: 'CHANGE', data: { changedOn: '2025-08-27' } }, at('2025-09-08T09:00:00+07:00'), cal);
    expect(r.context.anchors.change_day).to.equal('2025-08-27');
    // 10 working days from the day of the change, not from when it was recorded (8/9):
    // 28, 29/8, (1–2/9 National Day), 3, 4, 5, 8, 9, 10, 11, 12/9.
    expect(entered(r, 'changed')).to.equal('2025-09-12T23:59:59+07:00');
    // Back from the update is the second entry into improving.
    r = advance(compiled, r.state, { type: 'DONE' }, t0, cal);
    expect(r.context.cycles?.improving).to.equal(2);
    r = advance(compiled, r.state, { type: 'REPORT' }, t0, cal);
    expect(r.context.cycles?.improving).to.equal(3);
    r = advance(compiled, r.state, { type: 'REPORT' }, t0, cal);
    expect(r.stages).to.deep.equal(['renewal']);
    expect(r.context.anchors.change_day, 'asked again').to.equal(undefined);
  });

  it('setAnchors leaves the anchor as it was when the field is missing or not a date', () => {
    let r = decided();
    r = advance(compiled, r.state, { type: 'CHANGE', data: { changedOn: 'hôm qua' } }, t0, cal);
    expect(r.context.anchors.change_day).to.equal(undefined);
    expect(r.state.entries.changed!.dueAt, 'waits for the anchor').to.equal(undefined);
    r = advance(compiled, r.state, { type: 'anchor.set', name: 'change_day', date: '2024-12-02' }, t0, cal);
    // Set by hand later: the deadline counting from it is armed (10 working days from Mon 2/12/2024).
    expect(formatInstant(r.state.entries.changed!.dueAt!)).to.equal('2024-12-16T23:59:59+07:00');
  });

  it('re-arms an active stage when a transition elsewhere moves its anchor', () => {
    let r = decided();
    r = advance(compiled, r.state, { type: 'anchor.set', name: 'recognized_on', date: '2024-04-01' }, t0, cal);
    const moved = r.effects.find((e) => e.type === 'deadline' && e.stage === 'improving') as { dueAt: number; moved: boolean };
    expect(moved.moved).to.equal(true);
    expect(formatInstant(moved.dueAt)).to.equal('2025-04-01T23:59:59+07:00');
  });

  it('loads a state stored before these keywords (no events, cycles or occurrences)', () => {
    const r = decided();
    const snapshot = JSON.parse(JSON.stringify(r.state.snapshot)) as { context: Record<string, unknown> };
    delete snapshot.context.events;
    delete snapshot.context.cycles;
    const old = { snapshot, entries: r.state.entries, seq: r.state.seq };
    const next = advance(compiled, old, { type: 'REPORT' }, t0, cal);
    expect(next.context.cycles).to.deep.equal({ improving: 1 });
    expect(next.context.events).to.deep.equal({ REPORT: {} });
  });
});

describe('time keywords: conditions', () => {
  it('compares dates with before / onOrAfter, as ISO text; an unknown date never holds', () => {
    const c = ctx({ anchors: { year_start: '2024-09-05' } });
    expect(evaluate({ field: 'anchors.year_start', onOrAfter: '2024-09-01' }, c)).to.equal(true);
    expect(evaluate({ field: 'anchors.year_start', before: '2024-09-01' }, c)).to.equal(false);
    expect(evaluate({ field: 'anchors.year_start', before: '2024-09-06' }, c)).to.equal(true);
    expect(evaluate({ field: 'anchors.missing', before: '2099-01-01' }, c)).to.equal(false);
    expect(evaluate({ field: 'anchors.missing', onOrAfter: '1900-01-01' }, c)).to.equal(false);
  });

  it('compares a field with another field; a missing other field never holds', () => {
    const event = { type: 'DECIDE', data: { a: 2, b: 3, d1: '2024-01-01', d2: '2025-01-01' } };
    expect(evaluate({ field: 'event.a', lte: { field: 'event.b' } }, ctx(), event)).to.equal(true);
    expect(evaluate({ field: 'event.b', lte: { field: 'event.a' } }, ctx(), event)).to.equal(false);
    expect(evaluate({ field: 'event.a', eq: { field: 'event.a' } }, ctx(), event)).to.equal(true);
    expect(evaluate({ field: 'event.a', ne: { field: 'event.b' } }, ctx(), event)).to.equal(true);
    expect(evaluate({ field: 'event.a', lt: { field: 'event.zzz' } }, ctx(), event)).to.equal(false);
    expect(evaluate({ field: 'event.d1', before: { field: 'event.d2' } }, ctx(), event)).to.equal(true);
  });

  it('reads what an earlier event said (events.<EVENT>.<field>) and the entry count (cycle.<stage>)', () => {
    const c = ctx({ events: { RETURN: { reason: 'thiếu minh chứng' } }, cycles: { improving: 2 } });
    expect(evaluate({ field: 'events.RETURN.reason', exists: true }, c)).to.equal(true);
    expect(evaluate({ field: 'events.DECIDE.level', exists: true }, c)).to.equal(false);
    expect(evaluate({ field: 'cycle.improving', eq: 2 }, c)).to.equal(true);
    expect(evaluate({ field: 'cycle.other', eq: 0 }, c)).to.equal(true);
    // Prototype members are not fields.
    expect(evaluate({ field: 'events.constructor.name', exists: true }, c)).to.equal(false);
  });
});

describe('what was said stays said: the timeline view', () => {
  it('labels an event’s data with its form’s field titles, in the form’s order', async () => {
    const { withEventLabels } = await import('../../engine/application/application.ts');
    const h = { eventType: 'DECIDE', payload: { data: { accreditationLevel: 3, standardLevel: 2, extra: 'x' } } };
    const labelled = withEventLabels(compiled, h) as unknown as { payload: { fields: { name: string; title: { vi: string }; value: unknown }[] } };
    expect(labelled.payload.fields.map((f) => [f.name, f.title.vi, f.value])).to.deep.equal([
      ['standardLevel', 'Mức chuẩn quốc gia', 2],
      ['accreditationLevel', 'Cấp độ kiểm định', 3],
    ]);
    // an engine event gets the engine's title; a task the process does not know gets no title of its own
    expect(withEventLabels(compiled, { eventType: 'task.complete', payload: { task: 'x' } })).to.deep.equal({
      eventType: 'task.complete',
      payload: { task: 'x', title: { vi: 'Hoàn thành việc', en: 'Task completed' } },
    });
  });
});

describe('time keywords: the diagram', () => {
  it('labels a comparison with another field and a date comparison', async () => {
    const { guardLabel } = await import('../../engine/definition/diagram.ts');
    expect(guardLabel({ field: 'event.standardLevel', lte: { field: 'event.accreditationLevel' } })).to.equal(
      '[event.standardLevel ≤ event.accreditationLevel]',
    );
    expect(guardLabel({ field: 'anchors.report_deadline', before: '2024-09-01' })).to.equal('[anchors.report_deadline before 2024-09-01]');
  });
});
