// Compile: the milliseconds to load (parse with positions), validate (JSON Schema + lint, calendars
// checked) and compile to an XState machine each definition in processes/, and a generated
// definition of 1,000 stages (a chain, each stage with a task, a deadline and a 3-rung escalation
// ladder). The same calls the catalog makes when it publishes; the median of 20 runs after one
// untimed run (the first, cold run — ajv compiling the schema, the JIT — is in the note).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { calendarRanges, defaultProcessDir, loadCalendars } from '../../adapters/files/definitions.ts';
import { compileProcess } from '../../engine/definition/compile.ts';
import { formatDiagnostic } from '../../engine/definition/diagnostics.ts';
import { loadDefinition } from '../../engine/definition/load.ts';
import { describePackages, profileLines, profileWhile, summarizeProfile } from '../lib/profile.ts';
import { emit, figure, log, parseArgs, sample, summarize, timer, type Figures } from '../lib/measure.ts';

const RUNS = 20;
const { quick, options } = parseArgs();
/** The generated definition takes about a second a run: fewer runs in --quick. */
const BIG_RUNS = quick ? 3 : RUNS;
const STAGES = Number(options.stages ?? 1_000);
const calendars = calendarRanges(loadCalendars());

function loadAndCompile(source: string, file: string) {
  const result = loadDefinition(source, file, { calendars });
  if (!result.definition) throw new Error(`${file} does not validate:\n${result.diagnostics.map(formatDiagnostic).join('\n')}`);
  return { compiled: compileProcess(result.definition), diagnostics: result.diagnostics };
}

async function measure(source: string, file: string, runCount = RUNS): Promise<{ cold: number; runs: number[]; stages: number; warnings: number }> {
  const first = timer();
  const { compiled, diagnostics } = loadAndCompile(source, file);
  const cold = first();
  const runs = await sample(runCount, () => loadAndCompile(source, file));
  return { cold, runs, stages: Object.keys(compiled.stages).length, warnings: diagnostics.length };
}

const figures: Figures = {};
const dir = defaultProcessDir();
for (const name of readdirSync(dir)
  .filter((f) => /\.ya?ml$/.test(f))
  .sort()) {
  const file = join(dir, name);
  const source = readFileSync(file, 'utf8');
  const m = await measure(source, `processes/${name}`);
  const s = summarize(m.runs);
  const id = name.replace(/\.ya?ml$/, '');
  log(`${id}: median ${s.p50.toFixed(2)} ms (min ${s.min.toFixed(2)}, max ${s.max.toFixed(2)}; first ${m.cold.toFixed(1)} ms), ${m.stages} stages`);
  figures[`compile_${id.replace(/-/g, '_')}_ms`] = figure(s.p50, 'ms', {
    note: `${m.stages} stages, ${(source.length / 1024).toFixed(1)} KiB; median of ${RUNS} (first run ${m.cold.toFixed(1)} ms)`,
  });
}

const source = generatedDefinition(STAGES);
const m = await measure(source, `generated-${STAGES}-stages.yaml`, BIG_RUNS);
if (m.warnings) throw new Error(`the generated definition has ${m.warnings} diagnostics; it must validate clean`);
const s = summarize(m.runs);
// Where its time goes: one more run under the profiler.
const { profile } = await profileWhile(async () => loadAndCompile(source, 'profiled.yaml'));
const where = summarizeProfile(profile, 10);
for (const line of profileLines(where)) log(`  ${line}`);
log(
  `generated ${STAGES} stages: median ${s.p50.toFixed(1)} ms (min ${s.min.toFixed(1)}, max ${s.max.toFixed(1)}; first ${m.cold.toFixed(1)} ms), ${(source.length / 1024).toFixed(0)} KiB`,
);
figures[`compile_${STAGES}_stages_ms`] = figure(s.p50, 'ms', {
  note: `a chain of ${STAGES} stages, each with a task, a working-day deadline and a 3-rung ladder (${(source.length / 1024).toFixed(0)} KiB of YAML; validates clean); median of ${BIG_RUNS} (first run ${m.cold.toFixed(0)} ms); self time: ${describePackages(where, 4)}`,
});
emit(figures);

/** A chain of stages s0001 → s0002 → … → done, each with a task, a deadline and a 3-rung ladder. */
function generatedDefinition(n: number): string {
  const id = (i: number) => `s${String(i).padStart(4, '0')}`;
  const lines = [
    '# yaml-language-server: $schema=../engine/definition/schema.json',
    `id: generated-${n}-stages`,
    'version: 1',
    `title: { vi: Quy trình ${n} giai đoạn, en: A ${n}-stage process }`,
    'legalBasis: [Benchmark]',
    'appliesTo: [primary, lower-secondary]',
    'calendar: vn-government',
    'events:',
    '  SUBMIT: { title: { vi: Gửi và chuyển bước, en: Send and move on } }',
    `initial: ${id(1)}`,
    'stages:',
  ];
  for (let i = 1; i <= n; i++) {
    lines.push(
      `  ${id(i)}:`,
      `    title: { vi: Giai đoạn ${i}, en: Stage ${i} }`,
      `    owner: ${i % 3 === 0 ? 'district' : 'school'}`,
      `    due: { workingDays: ${5 + (i % 20)} }`,
      '    tasks:',
      `      - { id: task_${id(i)}, title: { vi: Việc của giai đoạn ${i}, en: Task of stage ${i} } }`,
      '    escalate:',
      '      - { at: { workingDays: -2 }, kind: reminder, notify: owner }',
      '      - { at: { workingDays: 0 }, kind: overdue, notify: [owner, district] }',
      '      - { at: { workingDays: 5 }, kind: escalation, notify: department }',
      '    on:',
      `      SUBMIT: { target: ${i < n ? id(i + 1) : 'done'}, when: { tasksDone: all } }`,
    );
  }
  lines.push('  done: { title: { vi: Hoàn thành, en: Done }, type: final }', '');
  return lines.join('\n');
}
