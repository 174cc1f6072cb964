import { compileProcess } from '../../engine/definition/compile.ts';
import { formatDiagnostic } from '../../engine/definition/diagnostics.ts';
import { toMermaid } from '../../engine/definition/diagram.ts';
import type { ProcessDefinition } from '../../engine/definition/model.ts';
import { loadCalendars, readDefinitionFile } from '../files/definitions.ts';
import { UsageError, type Io } from './main.ts';
import { parseCommandArgs } from './validate.ts';

/** Loads one clean definition, or prints why not and returns undefined. */
function loadOne(positionals: string[], io: Io): ProcessDefinition | undefined {
  if (positionals.length !== 1) throw new UsageError('give exactly one process file');
  const result = readDefinitionFile(positionals[0]!, loadCalendars());
  for (const d of result.diagnostics) io.err(formatDiagnostic(d) + '\n');
  return result.definition;
}

/** `tiendo compile FILE`: the machine config (or, with --stages, the stage table) as JSON. */
export function compileCommand(args: string[], io: Io): number {
  const { values, positionals } = parseCommandArgs(args, { stages: { type: 'boolean' } });
  const def = loadOne(positionals, io);
  if (!def) return 1;
  const compiled = compileProcess(def);
  io.out(JSON.stringify(values.stages ? compiled.stages : compiled.config, null, 2) + '\n');
  return 0;
}

/** `tiendo diagram FILE`: a Mermaid stateDiagram-v2. */
export function diagramCommand(args: string[], io: Io): number {
  const { values, positionals } = parseCommandArgs(args, { lang: { type: 'string' } });
  if (values.lang !== undefined && values.lang !== 'vi' && values.lang !== 'en') throw new UsageError('--lang is vi or en');
  const def = loadOne(positionals, io);
  if (!def) return 1;
  io.out(toMermaid(def, { lang: values.lang as 'vi' | 'en' | undefined }));
  return 0;
}
