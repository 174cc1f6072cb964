// `tiendo simulate SCENARIO.yaml [--lang en]`: one school, or a small tree of units, through a process
// on the real engine, with a clock that jumps; prints what happened as JSON. Exit 0 when the scenario
// ran (whatever it rejected), 1 when the scenario or a process it names is invalid, or the engine
// refuses to start it — said as FILE:LINE:COL at the line that caused it, in Vietnamese (English
// with --lang en).
import { defaultParseLimits } from '../../engine/definition/parse.ts';
import { FileTooLargeError, readBounded } from '../files/bounded.ts';
import { dirname, relative, resolve } from 'node:path';
import { formatDiagnostic } from '../../engine/definition/diagnostics.ts';
import { runScenario, ScenarioError } from '../simulate/run.ts';
import { readScenario, type Lang } from '../simulate/scenario.ts';
import type { Io } from './main.ts';
import { UsageError } from './main.ts';
import { parseCommandArgs } from './validate.ts';

export async function simulateCommand(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, { lang: { type: 'string' } });
  if (positionals.length !== 1) throw new UsageError('give one scenario file');
  if (values.lang !== undefined && values.lang !== 'vi' && values.lang !== 'en') throw new UsageError(`--lang is vi or en, not "${values.lang}"`);
  const lang: Lang = values.lang === 'en' ? 'en' : 'vi';
  const say = (vi: string, en: string) => (lang === 'vi' ? vi : en);
  const path = positionals[0]!;
  // Relative to where it runs, as editors jump to it; a file elsewhere keeps the path as given.
  const near = relative(process.cwd(), resolve(path));
  const display = near && !near.startsWith('..') ? near : path;
  let source: Buffer;
  try {
    source = readBounded(path, defaultParseLimits.maxBytes);
  } catch (e) {
    if (e instanceof FileTooLargeError) {
      io.err(`${display}:1:1: error FILE_TOO_LARGE ${say(`tệp kịch bản lớn hơn ${e.limit} byte`, `the scenario is larger than ${e.limit} bytes`)}\n`);
      return 1;
    }
    const why = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
    io.err(`${display}:1:1: error FILE_NOT_FOUND ${say(`không đọc được tệp kịch bản: ${why}`, `cannot read the scenario: ${why}`)}\n`);
    return 1;
  }
  const { scenario, diagnostics } = readScenario(source, display, lang);
  if (!scenario) {
    for (const d of diagnostics) io.err(formatDiagnostic(d) + '\n');
    return 1;
  }
  const readProcess = (name: string) => {
    const file = resolve(dirname(path), name);
    const nearFile = relative(process.cwd(), file);
    const shown = nearFile && !nearFile.startsWith('..') ? nearFile : file;
    const at = scenario.processAt[name] ?? { line: 1, column: 1 };
    try {
      return { source: readBounded(file, defaultParseLimits.maxBytes).toString('utf8'), file: shown };
    } catch (e) {
      if (e instanceof FileTooLargeError)
        throw new ScenarioError(
          `${display}:${at.line}:${at.column}: error FILE_TOO_LARGE ${say(
            `tệp quy trình "${name}" lớn hơn ${e.limit} byte`,
            `process file "${name}" is larger than ${e.limit} bytes`,
          )}`,
        );
      throw new ScenarioError(
        `${display}:${at.line}:${at.column}: error PROCESS_NOT_FOUND ${say(
          `không có tệp quy trình "${name}" (đã tìm ${shown}; đường dẫn tính từ thư mục của tệp kịch bản)`,
          `process file "${name}" not found (looked for ${shown}; paths are relative to the scenario file)`,
        )}`,
      );
    }
  };
  try {
    const result = await runScenario(scenario, readProcess, { lang });
    io.out(JSON.stringify(result, null, 2) + '\n');
    return 0;
  } catch (e) {
    if (!(e instanceof ScenarioError)) throw e;
    if (e.diagnostics.length) for (const d of e.diagnostics) io.err(formatDiagnostic(d) + '\n');
    else io.err(e.message + '\n');
    return 1;
  }
}
