import { parseArgs, type ParseArgsConfig } from 'node:util';
import { formatDiagnosticIn, type Diagnostic } from '../../engine/definition/diagnostics.ts';
import { expandDefinitionPaths, loadCalendars, readDefinitionFile } from '../files/definitions.ts';
import { UsageError, type Io } from './main.ts';

export function parseCommandArgs<O extends NonNullable<ParseArgsConfig['options']>>(args: string[], options: O) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

/** `tiendo validate`: every problem in every file; exit 1 when any error, 0 when clean. `--library`:
 * the files are the shipped library, held to its stricter rules (every event and option titled).
 * English by default (scripts and CI logs read it so); `--lang vi` words the problems and the
 * summary in Vietnamese. The JSON output carries both languages whatever is asked. */
export function validateCommand(args: string[], io: Io): number {
  const { values, positionals } = parseCommandArgs(args, { json: { type: 'boolean' }, library: { type: 'boolean' }, lang: { type: 'string' } });
  if (values.lang !== undefined && values.lang !== 'vi' && values.lang !== 'en') throw new UsageError(`--lang is vi or en, not "${values.lang}"`);
  const lang = values.lang === 'vi' ? 'vi' : 'en';
  if (positionals.length === 0) throw new UsageError('give at least one file or folder to validate');
  const calendars = loadCalendars();
  const files = expandDefinitionPaths(positionals);
  const diagnostics: Diagnostic[] = [];
  const results = files.map((file) => {
    const result = readDefinitionFile(file, calendars, { library: values.library === true });
    diagnostics.push(...result.diagnostics);
    return { file: result.diagnostics[0]?.file ?? file, ok: !result.diagnostics.some((d) => d.severity === 'error') };
  });
  const errors = diagnostics.filter((d) => d.severity === 'error').length;
  const warnings = diagnostics.length - errors;
  if (values.json) {
    io.out(JSON.stringify({ ok: errors === 0, errors, warnings, files: results, diagnostics }, null, 2) + '\n');
  } else {
    for (const d of diagnostics) io.out(formatDiagnosticIn(d, lang) + '\n');
    const summary =
      lang === 'vi'
        ? `${files.length} tệp: ${errors} lỗi, ${warnings} cảnh báo\n`
        : `${files.length} file${files.length === 1 ? '' : 's'}: ${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}\n`;
    (errors ? io.err : io.out)(summary);
  }
  return errors ? 1 : 0;
}
