// Reads process definitions and the calendars they count in from disk, for the CLI and start-up.
import { readdirSync, statSync } from 'node:fs';
import { defaultParseLimits } from '../../engine/definition/parse.ts';
import { FileTooLargeError, readBounded } from './bounded.ts';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { calendarRanges, type WorkingCalendar } from '../../engine/calendar/index.ts';
import { loadDefinition, type LoadResult } from '../../engine/definition/load.ts';
import { defaultCalendarDir, loadCalendar } from './calendars.ts';

export function defaultProcessDir(): string {
  return fileURLToPath(new URL('../../processes', import.meta.url));
}

/** Every calendar under the calendars folder, by id (its sub-folder's name). */
export function loadCalendars(dir: string = defaultCalendarDir()): Map<string, WorkingCalendar> {
  const out = new Map<string, WorkingCalendar>();
  for (const id of readdirSync(dir).sort()) {
    if (statSync(join(dir, id)).isDirectory()) out.set(id, loadCalendar(dir, id));
  }
  return out;
}

export { calendarRanges };

/** The YAML files to validate for each argument: a file as is, a folder's *.yaml (not recursing). */
export function expandDefinitionPaths(args: string[]): string[] {
  return args.flatMap((arg) => {
    let isDir = false;
    try {
      isDir = statSync(arg).isDirectory();
    } catch {
      return [arg]; // reported as FILE_NOT_FOUND by readDefinitionFile
    }
    if (!isDir) return [arg];
    return readdirSync(arg)
      .filter((f) => /\.ya?ml$/.test(f))
      .sort()
      .map((f) => join(arg, f));
  });
}

export function readDefinitionFile(path: string, calendars: Map<string, WorkingCalendar>, options: { library?: boolean } = {}): LoadResult {
  const display = relative(process.cwd(), resolve(path)) || path;
  let bytes: Buffer;
  try {
    bytes = readBounded(path, defaultParseLimits.maxBytes);
  } catch (e) {
    if (e instanceof FileTooLargeError)
      return {
        diagnostics: [
          {
            file: display,
            line: 1,
            column: 1,
            severity: 'error',
            code: 'FILE_TOO_LARGE',
            message: `the file is larger than the limit of ${e.limit} bytes`,
            text: { vi: `tệp lớn hơn giới hạn ${e.limit} byte`, en: `the file is larger than the limit of ${e.limit} bytes` },
          },
        ],
        locate: () => ({ line: 1, column: 1 }),
      };
    const code = (e as NodeJS.ErrnoException).code;
    const message = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a folder, not a file' : `cannot read: ${(e as Error).message}`;
    const vi = code === 'ENOENT' ? 'không có tệp này' : code === 'EISDIR' ? 'đây là thư mục, không phải tệp' : `không đọc được: ${(e as Error).message}`;
    return {
      diagnostics: [{ file: display, line: 1, column: 1, severity: 'error', code: 'FILE_NOT_FOUND', message, text: { vi, en: message } }],
      locate: () => ({ line: 1, column: 1 }),
    };
  }
  return loadDefinition(bytes, display, { calendars: calendarRanges(calendars), ...options });
}
