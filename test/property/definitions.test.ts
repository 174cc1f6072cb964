// The generator itself: every definition it makes is valid (parse → schema → lint with no errors) and
// compiles, and it covers what the run properties rely on (deadlines, overdue rungs, DUE transitions,
// forms, several stages).
import { expect } from 'chai';
import fc from 'fast-check';
import { loadCalendars } from '../../adapters/files/definitions.ts';
import { calendarRanges } from '../../engine/calendar/calendar.ts';
import { compileProcess } from '../../engine/definition/compile.ts';
import { formatDiagnostic } from '../../engine/definition/diagnostics.ts';
import { loadDefinition } from '../../engine/definition/load.ts';
import { definitions, sourceOf } from './definitions.ts';
import { runs, SEED } from './settings.ts';

describe('property: generated definitions', () => {
  const ranges = calendarRanges(loadCalendars());

  it('every generated definition loads with no errors and compiles', () => {
    const seen = { stages: 0, due: 0, overdue: 0, dueTransitions: 0, forms: 0, lists: 0, always: 0, runs: 0 };
    fc.assert(
      fc.property(definitions, (g) => {
        const source = sourceOf(g, 'generated');
        const { definition, diagnostics } = loadDefinition(source, 'generated.yaml', { calendars: ranges });
        const errors = diagnostics.filter((d) => d.severity === 'error');
        expect(errors.map(formatDiagnostic), source).to.deep.equal([]);
        const compiled = compileProcess(definition!);
        const stages = Object.values(compiled.stages);
        expect(stages.length).to.be.within(2, 8);
        seen.runs++;
        seen.stages += stages.length;
        seen.due += stages.filter((s) => s.due).length;
        seen.overdue += stages.filter((s) => s.escalate.some((r) => r.kind === 'overdue')).length;
        seen.dueTransitions += stages.filter((s) => s.accepts.includes('DUE')).length;
        seen.forms += stages.flatMap((s) => s.tasks).filter((t) => t.form).length;
        seen.always += Object.values(g.definition.stages).filter((s) => s.always).length;
        seen.lists += Object.values(g.definition.stages).filter((s) => Object.values(s.on ?? {}).some(Array.isArray)).length;
      }),
      { numRuns: runs(150), seed: SEED },
    );
    // Not a property, a guard on the generator: the runs below would prove little without these.
    for (const [what, n] of Object.entries(seen)) expect(n, `generated ${what}`).to.be.greaterThan(seen.runs / 4);
  });
});
