/**
 * Loads working calendars from YAML files: `<dir>/<id>/<year>.yaml`, one file per year
 * (see processes/calendars/vn-government/). The arithmetic itself lives in engine/calendar.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

import { CalendarError, createCalendar, HOLIDAY_KINDS } from '../../engine/calendar/calendar.ts';
import type { CalendarYearData, HolidayKind, WorkingCalendar } from '../../engine/calendar/calendar.ts';

/** Absolute path of the shipped `processes/calendars` directory. */
export function defaultCalendarDir(): string {
  return fileURLToPath(new URL('../../processes/calendars', import.meta.url));
}

const ID_PATTERN = /^[a-z0-9][a-z0-9._-]*$/i;
const DATE_PATTERN = /^\d{4}-\d{2}-\d{2}$/;

function fail(file: string, message: string): never {
  throw new CalendarError('CALENDAR_DATA_INVALID', `${file}: ${message}`, { file });
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function readName(file: string, where: string, v: unknown): { vi: string; en: string } {
  if (!isRecord(v) || typeof v.vi !== 'string' || typeof v.en !== 'string' || !v.vi.trim() || !v.en.trim()) {
    fail(file, `${where}: name must be { vi: <text>, en: <text> }`);
  }
  return { vi: v.vi, en: v.en };
}

function readDate(file: string, where: string, v: unknown): string {
  if (v instanceof Date) {
    fail(file, `${where}: date was read as a timestamp; parse with the YAML core schema or quote it`);
  }
  if (typeof v !== 'string' || !DATE_PATTERN.test(v)) {
    fail(file, `${where}: date must be YYYY-MM-DD, got ${JSON.stringify(v)}`);
  }
  return v;
}

/** Checks the shape of one parsed year file and returns it typed (dates are checked again by createCalendar). */
function toYearData(file: string, doc: unknown): CalendarYearData {
  if (!isRecord(doc)) fail(file, 'expected a mapping with calendar, year, status, sources, holidays, workingDays');
  const { calendar, year, status, sources, holidays, workingDays } = doc;
  const known = new Set(['calendar', 'year', 'status', 'sources', 'holidays', 'workingDays']);
  for (const key of Object.keys(doc)) if (!known.has(key)) fail(file, `unknown key ${JSON.stringify(key)}`);
  if (typeof calendar !== 'string' || !calendar) fail(file, 'calendar must be a non-empty string');
  if (typeof year !== 'number' || !Number.isInteger(year)) fail(file, 'year must be an integer');
  if (status !== 'official' && status !== 'projected') {
    fail(file, `status must be official or projected, got ${JSON.stringify(status)}`);
  }
  if (!Array.isArray(sources) || sources.some((s) => typeof s !== 'string')) {
    fail(file, 'sources must be a list of strings');
  }
  if (!Array.isArray(holidays)) fail(file, 'holidays must be a list');
  const workingList = workingDays ?? [];
  if (!Array.isArray(workingList)) fail(file, 'workingDays must be a list (use [] for none)');

  return {
    calendar,
    year,
    status,
    sources: sources as string[],
    holidays: holidays.map((h, i) => {
      const where = `holidays[${i}]`;
      if (!isRecord(h)) fail(file, `${where}: expected { date, kind, name }`);
      const date = readDate(file, where, h.date);
      if (typeof h.kind !== 'string' || !HOLIDAY_KINDS.includes(h.kind as HolidayKind)) {
        fail(file, `${where} (${date}): kind must be one of ${HOLIDAY_KINDS.join(', ')}, got ${JSON.stringify(h.kind)}`);
      }
      return { date, kind: h.kind as HolidayKind, name: readName(file, `${where} (${date})`, h.name) };
    }),
    workingDays: workingList.map((w, i) => {
      const where = `workingDays[${i}]`;
      if (!isRecord(w)) fail(file, `${where}: expected { date, name }`);
      const date = readDate(file, where, w.date);
      return { date, name: readName(file, `${where} (${date})`, w.name) };
    }),
  };
}

/** Reads and shape-checks every `<dir>/<id>/*.yaml` file, sorted by year. */
export function loadCalendarYears(dir: string, id = 'vn-government'): CalendarYearData[] {
  if (!ID_PATTERN.test(id)) {
    throw new CalendarError('CALENDAR_DATA_INVALID', `Not a calendar id: ${JSON.stringify(id)}`);
  }
  const folder = join(dir, id);
  let names: string[];
  try {
    if (!statSync(folder).isDirectory()) throw new Error('not a directory');
    names = readdirSync(folder).filter((n) => /\.ya?ml$/i.test(n));
  } catch (err) {
    throw new CalendarError('CALENDAR_DATA_INVALID', `Calendar ${id}: cannot read ${folder} (${err instanceof Error ? err.message : String(err)})`, {
      dir: folder,
    });
  }
  if (names.length === 0) {
    throw new CalendarError('CALENDAR_DATA_INVALID', `Calendar ${id}: no year files in ${folder}`, { dir: folder });
  }
  const years = names.map((name) => {
    const file = join(folder, name);
    let doc: unknown;
    try {
      doc = parse(readFileSync(file, 'utf8'), { schema: 'core' });
    } catch (err) {
      fail(file, `not valid YAML: ${err instanceof Error ? err.message : String(err)}`);
    }
    const data = toYearData(file, doc);
    const stem = name.replace(/\.ya?ml$/i, '');
    if (/^\d{4}$/.test(stem) && Number(stem) !== data.year) {
      fail(file, `file name says ${stem} but year is ${data.year}`);
    }
    if (data.calendar !== id) fail(file, `calendar is ${JSON.stringify(data.calendar)}, expected ${JSON.stringify(id)}`);
    return data;
  });
  return years.sort((a, b) => a.year - b.year);
}

/** Loads calendar `id` from `<dir>/<id>/*.yaml` and builds its working-day arithmetic. */
export function loadCalendar(dir: string = defaultCalendarDir(), id = 'vn-government'): WorkingCalendar {
  return createCalendar(id, loadCalendarYears(dir, id));
}
