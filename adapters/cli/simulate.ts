// `tiendo simulate SCENARIO.yaml`: one school through a process on the real engine, with a clock
// that jumps; prints what happened as JSON. Exit 0 when the scenario ran (whatever it rejected), 1
// when the scenario or a process it names is invalid.
import { defaultParseLimits } from '../../engine/definition/parse.ts';
import { FileTooLargeError, readBounded } from '../files/bounded.ts';
import { dirname, relative, resolve } from 'node:path';
import { formatDiagnostic } from '../../engine/definition/diagnostics.ts';
import { runScenario, ScenarioError } from '../simulate/run.ts';
import { readScenario } from '../simulate/scenario.ts';
import type { Io } from './main.ts';
import { UsageError } from './main.ts';
import { parseCommandArgs } from './validate.ts';

export async function simulateCommand(args: string[], io: Io): Promise<number> {
  const { positionals } = parseCommandArgs(args, {});
  if (positionals.length !== 1) throw new UsageError('give one scenario file');
  const path = positionals[0]!;
  const display = relative(process.cwd(), resolve(path)) || path;
  let source: Buffer;
  try {
    source = readBounded(path, defaultParseLimits.maxBytes);
  } catch (e) {
    if (e instanceof FileTooLargeError) {
      io.err(`${display}:1:1: error FILE_TOO_LARGE the scenario is larger than ${e.limit} bytes\n`);
      return 1;
    }
    io.err(`${display}:1:1: error FILE_NOT_FOUND cannot read the scenario: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}\n`);
    return 1;
  }
  const { scenario, diagnostics } = readScenario(source, display);
  if (!scenario) {
    for (const d of diagnostics) io.err(formatDiagnostic(d) + '\n');
    return 1;
  }
  const readProcess = (name: string) => {
    const file = resolve(dirname(path), name);
    const shown = relative(process.cwd(), file) || file;
    try {
      return { source: readBounded(file, defaultParseLimits.maxBytes).toString('utf8'), file: shown };
    } catch (e) {
      if (e instanceof FileTooLargeError) {
        const at = scenario.processAt[name] ?? { line: 1, column: 1 };
        throw new ScenarioError(`${display}:${at.line}:${at.column}: error FILE_TOO_LARGE process file "${name}" is larger than ${e.limit} bytes`);
      }
      const at = scenario.processAt[name] ?? { line: 1, column: 1 };
      throw new ScenarioError(
        `${display}:${at.line}:${at.column}: error PROCESS_NOT_FOUND process file "${name}" not found (looked for ${shown}; paths are relative to the scenario file)`,
      );
    }
  };
  try {
    const result = await runScenario(scenario, readProcess);
    io.out(JSON.stringify(result, null, 2) + '\n');
    return 0;
  } catch (e) {
    if (!(e instanceof ScenarioError)) throw e;
    if (e.diagnostics.length) for (const d of e.diagnostics) io.err(formatDiagnostic(d) + '\n');
    else io.err(e.message + '\n');
    return 1;
  }
}
