// The linter on the time keywords of issue 15: each mistake reported, located at its line.
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { calendarRanges, loadCalendars } from '../../adapters/files/definitions.ts';
import { formatDiagnostic, type Diagnostic } from '../../engine/definition/diagnostics.ts';
import { loadDefinition } from '../../engine/definition/load.ts';

const calendars = calendarRanges(loadCalendars());
const base = readFileSync('test/fixtures/compile/time.yaml', 'utf8');

/** Lints the fixture with one line replaced; returns the diagnostics and the line number replaced. */
function lintWith(find: string, replace: string): { diagnostics: Diagnostic[]; line: number; listing: string } {
  const lines = base.split('\n');
  const index = lines.findIndex((l) => l.includes(find));
  if (index < 0) throw new Error(`no line with ${find}`);
  lines[index] = lines[index]!.replace(find, replace);
  const { diagnostics } = loadDefinition(lines.join('\n'), 'time.yaml', { calendars });
  return { diagnostics, line: index + 1, listing: diagnostics.map(formatDiagnostic).join('\n') };
}

function expectOne(find: string, replace: string, code: string, pattern: RegExp, lineOffset = 0): void {
  const { diagnostics, line, listing } = lintWith(find, replace);
  expect(
    diagnostics.map((d) => [d.code, d.line]),
    listing,
  ).to.deep.equal([[code, line + lineOffset]]);
  expect(diagnostics[0]!.message).to.match(pattern);
  expect(formatDiagnostic(diagnostics[0]!)).to.match(new RegExp(`^time\\.yaml:${line + lineOffset}:\\d+: error ${code} `));
}

describe('lint: time keywords', () => {
  it('the fixture is clean', () => {
    expect(loadDefinition(base, 'time.yaml', { calendars }).diagnostics.map(formatDiagnostic)).to.deep.equal([]);
  });

  it('a rule without "when" that is not last: the rules after it never apply', () => {
    expectOne(
      '- { when: { field: events.DECIDE.decidedOn, onOrAfter: "2024-11-20" }, anchor: expiry, months: -5 }',
      '- { anchor: expiry, months: -5 }',
      'DUE_SHAPE',
      /no "when".*default and comes last/,
    );
  });

  it('"when" on a single due rule', () => {
    expectOne(
      'due: { anchor: change_day, workingDays: 10 }',
      'due: { when: { anchorSet: expiry }, anchor: change_day, workingDays: 10 }',
      'DUE_SHAPE',
      /single rule/,
    );
  });

  it('a repeating due needs an anchor or a date, and a period forward', () => {
    expectOne('due: { anchor: recognized_on, years: 1, every: { years: 1 } }', 'due: { years: 1, every: { years: 1 } }', 'DUE_SHAPE', /anchor or a date/);
    expectOne(
      'due: { anchor: recognized_on, years: 1, every: { years: 1 } }',
      'due: { anchor: recognized_on, years: 1, every: { years: -1 } }',
      'DUE_SHAPE',
      /period forward/,
    );
  });

  it('roll and rollForward that disagree', () => {
    expectOne(
      '- { anchor: expiry, months: -6, roll: none }',
      '- { anchor: expiry, months: -6, roll: back, rollForward: true }',
      'DUE_SHAPE',
      /keep only "roll"/,
    );
  });

  it('unknown anchors in resetAnchors, setAnchors and anchors.<name>', () => {
    expectOne('resetAnchors: [change_day]', 'resetAnchors: [change_dya]', 'UNKNOWN_ANCHOR', /did you mean "change_day"|change_day/);
    expectOne('setAnchors: { change_day: event.changedOn }', 'setAnchors: { changed_day: event.changedOn }', 'UNKNOWN_ANCHOR', /unknown anchor "changed_day"/);
    expectOne('field: cycle.improving, gte: 3', 'field: anchors.expiri, before: "2030-01-01"', 'UNKNOWN_ANCHOR', /unknown anchor "expiri".*expiry/);
  });

  it('setAnchors from a field that does not exist or is not a date', () => {
    expectOne('setAnchors: { change_day: event.changedOn }', 'setAnchors: { change_day: event.changeOn }', 'UNKNOWN_FIELD', /no field "changeOn"/);
    expectOne('setAnchors: { recognized_on: event.decidedOn }', 'setAnchors: { recognized_on: event.standardLevel }', 'FIELD_TYPE', /not a date field/);
  });

  it('before / onOrAfter on a field that is not a date, or with a date that does not exist', () => {
    expectOne('events.DECIDE.decidedOn, onOrAfter: "2024-11-20"', 'events.DECIDE.standardLevel, onOrAfter: "2024-11-20"', 'FIELD_TYPE', /compares dates/);
    expectOne('onOrAfter: "2024-11-20"', 'onOrAfter: "2024-02-30"', 'BAD_DATE', /not a real date/);
  });

  it('field against field: the other field must exist and be comparable', () => {
    expectOne('lte: { field: event.accreditationLevel }', 'lte: { field: event.accreditationLvl }', 'UNKNOWN_FIELD', /no field "accreditationLvl"/);
    expectOne('lte: { field: event.accreditationLevel }', 'lte: { field: event.decidedOn }', 'FIELD_TYPE', /compares numbers/);
  });

  it('events.<EVENT>.<field> of an undeclared event, cycle.<stage> of an unknown stage', () => {
    expectOne('events.DECIDE.decidedOn', 'events.DECIDED.decidedOn', 'UNKNOWN_FIELD', /event DECIDED, which is not declared.*DECIDE/);
    expectOne('field: cycle.improving', 'field: cycle.improvin', 'UNKNOWN_FIELD', /stage "improvin", which does not exist/);
  });

  it('event.<field> in a due rule\'s "when": there is no event on entry', () => {
    expectOne('events.DECIDE.decidedOn, onOrAfter', 'event.decidedOn, onOrAfter', 'CONDITION_SCOPE', /due rule/);
  });

  it('an anchor default month-day that never comes', () => {
    expectOne('default: { schoolYear: "06-30" }', 'default: { schoolYear: "02-30" }', 'BAD_DATE', /not a day of any year/);
    expectOne('default: { year: "10-31" }', 'default: { year: "10-32" }', 'SCHEMA_PATTERN', /./);
  });
});
