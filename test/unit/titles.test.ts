// Every event and every option has words: the shipped library must title them (errors there), a
// definition of one's own is warned; the engine titles its own events; answers read by their titles.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { calendarRanges, loadCalendars } from '../../adapters/files/definitions.ts';
import { withEventLabels } from '../../engine/application/application.ts';
import { BUILT_IN_EVENT_TITLES, compileProcess, ENGINE_EVENTS, eventTitle } from '../../engine/definition/compile.ts';
import { formatDiagnostic } from '../../engine/definition/diagnostics.ts';
import { answerTitle, formToJsonSchema } from '../../engine/definition/forms.ts';
import { loadDefinition } from '../../engine/definition/load.ts';
import type { FormField } from '../../engine/definition/types.generated.ts';
import { NEW_DEFINITION } from '../../ui/src/editor/template.ts';

const calendars = calendarRanges(loadCalendars());
const TITLE_CODES = ['EVENT_UNTITLED', 'ENUM_UNTITLED', 'ENUM_TITLE_UNKNOWN'];
const library = readdirSync('processes')
  .filter((f) => f.endsWith('.yaml'))
  .sort()
  .map((f) => join('processes', f));

const lint = (source: string, isLibrary = false) => loadDefinition(source, 'draft.yaml', { calendars, library: isLibrary });

/** A small valid definition; `events` and `form` are spliced in as YAML text. */
function draft({ events = '', form = '', on = 'SUBMIT: done' }: { events?: string; form?: string; on?: string }): string {
  return `id: draft
version: 1
title: { vi: Thử, en: Draft }
legalBasis: [Thông tư 18/2018/TT-BGDĐT]
appliesTo: [primary]
calendar: vn-government
${events ? `events:\n${events}\n` : ''}initial: work
stages:
  work:
    title: { vi: Làm, en: Work }
    owner: school
    due: { workingDays: 5 }
    tasks:
      - id: letter
        title: { vi: Công văn, en: Letter }
${form ? `        form:\n          properties:\n${form}\n` : ''}    on:
      ${on}
  done:
    title: { vi: Xong, en: Done }
    type: final
`;
}

describe('titles: the shipped library', () => {
  it("the editor's new-process template starts clean as a library: its events are titled", () => {
    const { diagnostics } = loadDefinition(NEW_DEFINITION, 'new.yaml', { calendars, library: true });
    expect(diagnostics.map(formatDiagnostic)).to.deep.equal([]);
  });

  it('has 20 process files, all clean as a library: no untitled event or option, no error', () => {
    expect(library).to.have.length(20);
    for (const file of library) {
      const { diagnostics, definition } = loadDefinition(readFileSync(file), file, { calendars, library: true });
      const listing = diagnostics.map(formatDiagnostic).join('\n');
      expect(
        diagnostics.filter((d) => TITLE_CODES.includes(d.code)),
        listing,
      ).to.deep.equal([]);
      expect(definition, listing).to.not.equal(undefined);
    }
  });

  it('titles every event a stage accepts, in both languages, never with its name', () => {
    for (const file of library) {
      const compiled = compileProcess(loadDefinition(readFileSync(file), file, { calendars }).definition!);
      const used = new Set<string>();
      for (const stage of Object.values(compiled.stages)) for (const e of stage.accepts) used.add(e);
      for (const e of used) {
        const title = eventTitle(compiled, e);
        expect(title, `${file}: ${e}`).to.not.equal(undefined);
        expect(title!.vi, `${file}: ${e}`).to.not.match(/^[A-Z][A-Z0-9_]*$/);
        expect(title!.en.length, `${file}: ${e}`).to.be.greaterThan(0);
      }
    }
  });

  it('titles every option of every form in the library (yes/no excepted: it reads Có/Không)', () => {
    let options = 0;
    for (const file of library) {
      const compiled = compileProcess(loadDefinition(readFileSync(file), file, { calendars }).definition!);
      const forms = [...Object.values(compiled.stages).flatMap((s) => s.tasks.map((t) => t.form)), ...Object.values(compiled.events).map((e) => e.form)];
      for (const form of forms) {
        for (const [name, field] of Object.entries(form?.properties ?? {})) {
          if (!field.enum || field.type === 'boolean') continue;
          for (const v of field.enum) {
            options++;
            expect(answerTitle(field, v), `${file}: ${name} = ${String(v)}`).to.not.equal(undefined);
          }
        }
      }
    }
    expect(options, 'the library has options to title').to.be.greaterThan(20);
  });

  it('npm run validate holds the library to its rules: --library turns a missing title into an error', () => {
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts.validate).to.include('--library');
    const run = (...args: string[]) => spawnSync('node', ['bin/tiendo.js', 'validate', ...args], { encoding: 'utf8' });
    const clean = run('--library', 'processes');
    expect(clean.status, clean.stdout + clean.stderr).to.equal(0);
    const fixture = 'test/fixtures/lint/EVENT_UNTITLED.yaml';
    const warned = run(fixture);
    expect(warned.status, warned.stdout).to.equal(0);
    expect(warned.stdout).to.match(/warning EVENT_UNTITLED event APPROVE/);
    const refused = run('--library', fixture);
    expect(refused.status, refused.stdout).to.equal(1);
    expect(refused.stdout).to.match(/error EVENT_UNTITLED event APPROVE/);
  });
});

describe('titles: lint rules', () => {
  it('EVENT_UNTITLED: a warning for one’s own definition, an error in the library; once per event', () => {
    const source = draft({ on: 'SUBMIT: done\n      DUE: done' });
    for (const [isLibrary, severity] of [
      [false, 'warning'],
      [true, 'error'],
    ] as const) {
      const { diagnostics, definition } = lint(source, isLibrary);
      // DUE is titled by the engine: only SUBMIT is reported
      const line = source.split('\n').findIndex((l) => l.includes('SUBMIT: done')) + 1;
      expect(diagnostics.map((d) => [d.code, d.severity, d.line])).to.deep.equal([['EVENT_UNTITLED', severity, line]]);
      expect(definition === undefined).to.equal(isLibrary);
    }
  });

  it('EVENT_UNTITLED: reported on the declaration when the event is declared without a title', () => {
    const { diagnostics } = lint(draft({ events: '  SUBMIT:\n    form: { properties: { note: { type: string, title: { vi: Ghi chú, en: Note } } } }' }));
    expect(diagnostics.map((d) => [d.code, d.pointer, d.line])).to.deep.equal([['EVENT_UNTITLED', '/events/SUBMIT', 8]]);
    expect(lint(draft({ events: '  SUBMIT: { title: { vi: Gửi hồ sơ, en: Send the dossier } }' })).diagnostics).to.deep.equal([]);
  });

  it('ENUM_UNTITLED: one report per field naming each value without a title, on the list’s items too', () => {
    const events = '  SUBMIT: { title: { vi: Gửi hồ sơ, en: Send the dossier } }';
    const form = [
      '            scope: { type: string, enum: [a, b, c], enumTitles: { a: { vi: A, en: A } } }',
      '            grades: { type: array, items: { type: integer, enum: [1, 2], enumTitles: { "1": { vi: Một, en: One } } } }',
      '            chaired: { type: boolean, enum: [true] }',
    ].join('\n');
    const { diagnostics } = lint(draft({ events, form }), true);
    expect(diagnostics.map((d) => [d.code, d.severity, d.pointer])).to.deep.equal([
      ['ENUM_UNTITLED', 'error', '/stages/work/tasks/0/form/properties/scope/enum'],
      ['ENUM_UNTITLED', 'error', '/stages/work/tasks/0/form/properties/grades/items/enum'],
    ]);
    expect(diagnostics[0]!.message).to.match(/values b, c have no title/);
    expect(diagnostics[1]!.message).to.match(/value 2 has no title/);
  });

  it('ENUM_TITLE_UNKNOWN: an error everywhere, for a title of no value (yes/no fields take true and false)', () => {
    const events = '  SUBMIT: { title: { vi: Gửi hồ sơ, en: Send the dossier } }';
    const form = [
      '            scope: { type: string, enum: [a], enumTitles: { a: { vi: A, en: A }, b: { vi: B, en: B } } }',
      '            ok: { type: boolean, enumTitles: { "true": { vi: Đạt, en: Met }, "false": { vi: Chưa đạt, en: Not met }, yes: { vi: Có, en: Yes } } }',
      '            name: { type: string, enumTitles: { x: { vi: X, en: X } } }',
    ].join('\n');
    const { diagnostics, definition } = lint(draft({ events, form }));
    expect(definition).to.equal(undefined);
    expect(diagnostics.map((d) => [d.code, d.severity, d.pointer])).to.deep.equal([
      ['ENUM_TITLE_UNKNOWN', 'error', '/stages/work/tasks/0/form/properties/scope/enumTitles/b'],
      ['ENUM_TITLE_UNKNOWN', 'error', '/stages/work/tasks/0/form/properties/ok/enumTitles/yes'],
      ['ENUM_TITLE_UNKNOWN', 'error', '/stages/work/tasks/0/form/properties/name/enumTitles/x'],
    ]);
    expect(diagnostics[0]!.message).to.include('"b" is not one of the field\'s values: a');
    expect(diagnostics[2]!.message).to.include('has no "enum"');
  });

  it('a title missing one language is refused by the schema', () => {
    const { diagnostics } = lint(draft({ events: '  SUBMIT: { title: { vi: Gửi hồ sơ } }' }));
    expect(diagnostics.map((d) => d.code)).to.include('SCHEMA_REQUIRED');
  });
});

describe('titles: answers and events read by their words', () => {
  const scope: FormField = {
    type: 'string',
    enum: ['accreditation', 'both'],
    enumTitles: { accreditation: { vi: 'Kiểm định chất lượng', en: 'Accreditation' }, both: { vi: 'Cả hai', en: 'Both' } },
  };

  it('answerTitle: an option by its title, yes/no as Có/Không, a list item by item, free values as written', () => {
    expect(answerTitle(scope, 'both')).to.deep.equal({ vi: 'Cả hai', en: 'Both' });
    expect(answerTitle(scope, 'other')).to.equal(undefined);
    expect(answerTitle({ type: 'boolean' }, true)).to.deep.equal({ vi: 'Có', en: 'Yes' });
    expect(answerTitle({ type: 'boolean' }, false)).to.deep.equal({ vi: 'Không', en: 'No' });
    expect(answerTitle({ type: 'boolean', enumTitles: { true: { vi: 'Đạt', en: 'Met' } } }, true)).to.deep.equal({ vi: 'Đạt', en: 'Met' });
    expect(answerTitle({ type: 'integer' }, 3)).to.equal(undefined);
    const grades: FormField = { type: 'array', items: { type: 'integer', enum: [1, 2], enumTitles: { '1': { vi: 'Lớp 1', en: 'Grade 1' } } } };
    expect(answerTitle(grades, [1, 2])).to.deep.equal({ vi: 'Lớp 1, 2', en: 'Grade 1, 2' });
    expect(answerTitle(grades, [2])).to.equal(undefined);
  });

  it('the JSON Schema the answers are checked against has no enumTitles (ajv is strict), values unchanged', () => {
    const schema = formToJsonSchema({ properties: { scope, grades: { type: 'array', items: { type: 'integer', enum: [1], enumTitles: {} } } } });
    expect(JSON.stringify(schema)).to.not.include('enumTitles');
    expect((schema.properties as Record<string, { enum?: unknown; items?: unknown }>).scope!.enum).to.deep.equal(['accreditation', 'both']);
    expect((schema.properties as Record<string, { items?: unknown }>).grades!.items).to.deep.equal({ type: 'integer', enum: [1] });
  });

  it('the engine titles its own events; a process may title DUE its own way', () => {
    for (const type of ['DUE', 'CHILDREN_DONE', ...Object.values(ENGINE_EVENTS)]) {
      expect(BUILT_IN_EVENT_TITLES[type]?.vi, type).to.be.a('string').and.not.equal(type);
    }
    const events = '  SUBMIT: { title: { vi: Gửi hồ sơ, en: Send the dossier } }\n  DUE: { title: { vi: Quá hạn nộp, en: Filing deadline passed } }';
    const compiled = compileProcess(lint(draft({ events, on: 'SUBMIT: done\n      DUE: done' })).definition!);
    expect(withEventLabels(compiled, { eventType: 'DUE', payload: { stage: 'work' } }).payload).to.deep.equal({
      stage: 'work',
      title: { vi: 'Quá hạn nộp', en: 'Filing deadline passed' },
    });
    expect(withEventLabels(compiled, { eventType: 'SUBMIT' } as { eventType: string; payload?: unknown }).payload).to.deep.equal({
      title: { vi: 'Gửi hồ sơ', en: 'Send the dossier' },
    });
    expect(withEventLabels(compiled, { eventType: 'anchor.set', payload: { name: 'nope', date: null } }).payload).to.deep.equal({
      name: 'nope',
      date: null,
      title: { vi: 'Đặt mốc thời gian', en: 'Anchor date set' },
    });
    // events outside the engine (a campaign's, the application's) are the UI's to word
    expect(withEventLabels(compiled, { eventType: 'instance.start' })).to.deep.equal({ eventType: 'instance.start' });
  });

  it('a completed task’s answers carry each option’s words beside the value', () => {
    const events = '  SUBMIT: { title: { vi: Gửi hồ sơ, en: Send the dossier } }';
    const form =
      '            scope: { type: string, enum: [accreditation, both], enumTitles: { accreditation: { vi: Kiểm định chất lượng, en: Accreditation }, both: { vi: Cả hai, en: Both } }, title: { vi: Đề nghị, en: Sought } }\n' +
      '            chaired: { type: boolean, title: { vi: Hiệu trưởng chủ trì, en: Chaired by the principal } }\n' +
      '            members: { type: integer, title: { vi: Số thành viên, en: Members } }';
    const compiled = compileProcess(lint(draft({ events, form })).definition!);
    const h = withEventLabels(compiled, {
      eventType: ENGINE_EVENTS.completeTask,
      payload: { task: 'letter', data: { members: 9, chaired: false, scope: 'both' } },
    });
    const payload = h.payload as unknown as { taskTitle: unknown; fields: { name: string; value: unknown; valueTitle?: { vi: string } }[] };
    expect(payload.taskTitle).to.deep.equal({ vi: 'Công văn', en: 'Letter' });
    expect(payload.fields.map((f) => [f.name, f.value, f.valueTitle?.vi])).to.deep.equal([
      ['scope', 'both', 'Cả hai'],
      ['chaired', false, 'Không'],
      ['members', 9, undefined],
    ]);
  });
});
