import { expect } from 'chai';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateDefinitionTypes, typesPath } from '../../scripts/gen-definition-types.ts';
import { compileProcess } from '../../engine/definition/compile.ts';
import { toMermaid } from '../../engine/definition/diagram.ts';
import { loadDefinition } from '../../engine/definition/load.ts';
import type { ProcessDefinition } from '../../engine/definition/model.ts';
import { compileFile, ProcessDriver } from '../support/process-driver.ts';

const processFiles = readdirSync('processes')
  .filter((f) => f.endsWith('.yaml'))
  .map((f) => `processes/${f}`);
const reference = 'processes/accreditation-general-school.yaml';

function definitionOf(path: string): ProcessDefinition {
  const result = loadDefinition(readFileSync(path), path);
  if (!result.definition) throw new Error(`${path} invalid`);
  return result.definition;
}

describe('compiler', () => {
  it('keeps the generated TypeScript types in step with schema.json', async () => {
    expect(readFileSync(typesPath, 'utf8'), 'run `npm run gen:types`').to.equal(await generateDefinitionTypes());
  });

  it('is deterministic: the same YAML compiles to byte-identical JSON, in-process and across processes', function () {
    // Two fresh `node` processes (tsx compiles on the way in): seconds each on a busy 2-core machine.
    this.timeout(90_000);
    for (const file of processFiles) {
      const a = compileProcess(definitionOf(file));
      const b = compileProcess(definitionOf(file));
      expect(JSON.stringify(a.config), file).to.equal(JSON.stringify(b.config));
      expect(JSON.stringify(a.stages), file).to.equal(JSON.stringify(b.stages));
    }
    const run = () => execFileSync('node', ['bin/tiendo.js', 'compile', reference], { encoding: 'utf8' });
    const first = run();
    expect(first).to.equal(run());
    expect(first).to.equal(JSON.stringify(compileProcess(definitionOf(reference)).config, null, 2) + '\n');
  });

  it('emits a plain-JSON machine config: guards and actions by name only', () => {
    const { config } = compileProcess(definitionOf(reference));
    const text = JSON.stringify(config);
    expect(JSON.parse(text)).to.deep.equal(config);
    const types = new Set([...text.matchAll(/"type":"([a-zA-Z]+)"/g)].map((m) => m[1]));
    for (const t of types)
      expect([
        'enterStage',
        'leaveStage',
        'openTasks',
        'completeTask',
        'reopenTask',
        'taskDone',
        'checkEvidence',
        'setAnchor',
        'keepEvent',
        'setAnchors',
        'resetAnchors',
        'countEntry',
        'when',
        'taskOpen',
        'evidenceItem',
        'anchorKnown',
        'final',
        'parallel',
      ]).to.include(t);
  });

  it('builds the stage table the runtime needs', () => {
    const { stages } = compileProcess(definitionOf(reference));
    const sa = stages.self_assessment!;
    expect(sa.owner).to.equal('school');
    // The renewal limit when the school is recognised (recognized_on set), 120 working days otherwise.
    expect(sa.due).to.deep.equal({
      from: 'choice',
      choices: [
        {
          when: { anchorSet: 'recognized_on' },
          rule: { from: 'anchor', anchor: 'recognized_on', unit: 'months', amount: 55, rollForward: false, rollBack: true },
        },
        { rule: { from: 'entry', unit: 'workingDays', amount: 120, rollForward: true } },
      ],
    });
    expect(sa.escalate.map((s) => [s.kind, s.notify])).to.deep.equal([
      ['reminder', ['school']],
      ['overdue', ['school', 'district']],
      ['escalation', ['district', 'department']],
    ]);
    expect(sa.tasks.find((t) => t.id === 'rating')!.formSchema).to.deep.include({ type: 'object', required: ['level'], additionalProperties: false });
    expect(stages.preliminary_visit!.due).to.deep.equal({ from: 'anchor', anchor: 'visit_date', unit: 'workingDays', amount: -10, rollForward: true });
    expect(stages.preliminary_visit!.ancestors).to.deep.equal(['external_evaluation']);
    expect(stages.preliminary_visit!.owner, 'inherited from the sub-process').to.equal('evaluation_team');
    expect(stages.school_feedback!.accepts).to.have.members(['FEEDBACK', 'DUE']);
  });

  it("draws a guard's compared value by the title its form gives it, in the diagram's language", () => {
    const def = definitionOf('processes/accreditation-primary.yaml');
    const vi = toMermaid(def);
    expect(vi).to.include('[Kết luận = Trả lại');
    expect(vi).not.to.match(/= (accepted|returned)\b/);
    expect(toMermaid(def, { lang: 'en' })).not.to.match(/= (accepted|returned)\b/);
  });

  it('compiles an absolute date written the Vietnamese way to ISO', () => {
    const def = definitionOf(reference);
    (def.stages.registration as { due: unknown }).due = { date: '24/01/2022' };
    expect(compileProcess(def).stages.registration!.due).to.deep.equal({ from: 'date', date: '2022-01-24', rollForward: false });
  });

  it('re-enters a stage on a self-transition, reopening its tasks', () => {
    const compiled = compileFile('test/fixtures/compile/self-loop.yaml');
    const p = new ProcessDriver(compiled, { kind: 'primary' });
    p.complete('report', {});
    expect(p.task('report')?.status).to.equal('done');
    expect(p.send('RETURN')).to.equal(true);
    expect(p.stages).to.deep.equal(['draft']);
    expect(p.task('report')?.status).to.equal('open');
  });

  it('reopens a completed task for correction while its stage is active, and only then', () => {
    const p = new ProcessDriver(compileFile('test/fixtures/compile/self-loop.yaml'), { kind: 'primary' });
    expect(p.send('task.reopen', undefined, { task: 'report' }), 'not done yet').to.equal(false);
    p.complete('report', { note: 'v1' });
    expect(p.send('task.reopen', undefined, { task: 'report' })).to.equal(true);
    expect(p.task('report')).to.deep.equal({ status: 'open' });
    expect(p.send('SUBMIT'), 'a reopened task is not done').to.equal(false);
    p.complete('report', { note: 'v2' });
    expect(p.send('SUBMIT')).to.equal(true);
    expect(p.send('task.reopen', undefined, { task: 'report' }), 'stage left').to.equal(false);
  });

  it('runs parallel tracks and leaves when every track is final', () => {
    const compiled = compileFile('test/fixtures/compile/parallel.yaml');
    const p = new ProcessDriver(compiled, { kind: 'department' });
    expect(p.stages).to.deep.equal(['staff_plan', 'security_plan']);
    p.send('STAFF_DONE');
    expect(p.stages).to.deep.equal(['staff_ready', 'security_plan']);
    p.send('SECURITY_DONE');
    expect(p.stages).to.deep.equal(['exam']);
  });

  it('opens a task only for the org-unit levels its condition names', () => {
    const compiled = compileFile('test/fixtures/compile/per-level.yaml');
    const p = new ProcessDriver(compiled, { kind: 'district-office', levels: ['primary', 'lower-secondary'] });
    expect(['report_preschool', 'report_primary', 'report_lower_secondary'].map((t) => p.task(t)?.status)).to.deep.equal(['skipped', 'open', 'open']);
    expect(p.send('SUBMIT')).to.equal(false);
    p.complete('report_primary');
    p.complete('report_lower_secondary');
    expect(p.send('SUBMIT')).to.equal(true);
  });
});

describe('tiendo CLI', function () {
  // Each case starts `node` (tsx compiles on the way in): seconds on a busy 2-core machine.
  this.timeout(90_000);
  const cli = (...args: string[]) => spawnSync('node', ['bin/tiendo.js', ...args], { encoding: 'utf8' });

  it('validate: exit 0 and a summary for clean files', () => {
    const r = cli('validate', ...processFiles);
    expect(r.status, r.stdout + r.stderr).to.equal(0);
    expect(r.stdout).to.match(new RegExp(`${processFiles.length} files?: 0 errors`));
  });

  it('validate: exit 1 with path:line:column: error CODE lines', () => {
    const r = cli('validate', 'test/fixtures/lint/UNKNOWN_TARGET.yaml', 'test/fixtures/lint/BAD_DATE.yaml');
    expect(r.status).to.equal(1);
    expect(r.stdout.trim().split('\n')).to.have.length(2);
    expect(r.stdout).to.match(/^test\/fixtures\/lint\/UNKNOWN_TARGET\.yaml:14:15: error UNKNOWN_TARGET /m);
    expect(r.stdout).to.match(/^test\/fixtures\/lint\/BAD_DATE\.yaml:13:\d+: error BAD_DATE /m);
  });

  it('validate --json: machine-readable diagnostics', () => {
    const r = cli('validate', '--json', 'test/fixtures/lint/UNKNOWN_ROLE.yaml');
    expect(r.status).to.equal(1);
    const out = JSON.parse(r.stdout);
    expect(out).to.include({ ok: false, errors: 1, warnings: 0 });
    expect(out.diagnostics[0]).to.include({ code: 'UNKNOWN_ROLE', line: 12, severity: 'error' });
  });

  it('validate: a missing file is a located error, not a stack trace', () => {
    const r = cli('validate', 'processes/nope.yaml');
    expect(r.status).to.equal(1);
    expect(r.stdout).to.match(/^processes\/nope\.yaml:1:1: error FILE_NOT_FOUND no such file/);
    expect(r.stderr).not.to.match(/at .*\.ts/);
  });

  it('finishes on a file with many leading comment lines (a backtracking regex once hung here)', () => {
    // Run in a child process: a synchronous hang cannot be interrupted by mocha's own timeout.
    const dir = mkdtempSync(join(tmpdir(), 'tiendo-'));
    const file = join(dir, 'comments.yaml');
    writeFileSync(file, Array(60).fill('# ghi chú').join('\n') + '\nid: a\n');
    const r = spawnSync('node', ['bin/tiendo.js', 'validate', file], { encoding: 'utf8', timeout: 30_000 });
    expect(r.signal, 'killed: it hung').to.equal(null);
    expect(r.status).to.equal(1);
    expect(r.stdout).to.match(/:61:1: error SCHEMA_REQUIRED/);
  });

  it('usage errors exit 2', () => {
    expect(cli('frobnicate').status).to.equal(2);
    expect(cli('validate').status).to.equal(2);
    expect(cli('compile', '--bogus', reference).status).to.equal(2);
  });

  it('diagram: a Mermaid stateDiagram-v2 naming every stage', () => {
    const r = cli('diagram', reference);
    expect(r.status).to.equal(0);
    expect(r.stdout.startsWith('stateDiagram-v2\n')).to.equal(true);
    const { stages } = compileProcess(definitionOf(reference));
    for (const id of Object.keys(stages)) expect(r.stdout).to.include(` as ${id}`);
    // transitions by their event's title and the guard in words, in the diagram's language (vi by default)
    expect(r.stdout).to.include('registration --> district_review : Gửi hồ sơ đăng ký đánh giá ngoài [xong các công việc]');
    expect(toMermaid(definitionOf(reference), { lang: 'en' })).to.include('registration --> district_review : Send the registration [tasks done]');
    expect(r.stdout).to.not.match(/ : [A-Z][A-Z0-9_]+( |$)/m);
    // a guard names the field it reads by the form's title for it, the org unit's fields in words
    // and a value compared by its title: the option's, the kind of unit's
    expect(r.stdout).to.include('district_review --> registration : Kết quả kiểm tra hồ sơ đăng ký [Kết luận = Trả lại, yêu cầu tiếp tục hoàn thiện');
    expect(r.stdout).to.include('[xong các công việc và loại đơn vị thuộc THPT/Liên cấp]');
    expect(r.stdout).to.equal(toMermaid(definitionOf(reference)));
  });

  it('compile of an invalid file exits 1 with the located errors on stderr', () => {
    const r = cli('compile', 'test/fixtures/lint/DEAD_END.yaml');
    expect(r.status).to.equal(1);
    expect(r.stdout).to.equal('');
    expect(r.stderr).to.match(/DEAD_END\.yaml:\d+:\d+: error DEAD_END/);
  });
});

describe('diagram guard labels', () => {
  it('brackets a combination nested in another, so the label reads as it evaluates', async () => {
    const { guardLabel } = await import('../../engine/definition/diagram.ts');
    const label = guardLabel({ all: [{ tasksDone: 'all' }, { any: [{ field: 'event.level', gte: 2 }, { not: { anchorSet: 'visit_date' } }] }] });
    expect(label).to.equal('[tasks done and (event.level ≥ 2 or not visit_date set)]');
  });
});
