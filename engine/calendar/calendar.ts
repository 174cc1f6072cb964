/**
 * Working-day arithmetic for Vietnamese offices ("N ngày làm việc").
 *
 * A working day is Monday–Friday, minus public holidays, days off in lieu (nghỉ bù) and days
 * given off in a swap (hoán đổi), plus the weekend days declared make-up working days (làm bù).
 * Counting follows the Civil Code 2015: Art. 147 — the day of the event is not counted; Art. 148 —
 * a period whose last day is not a working day ends at the end of the next working day.
 *
 * The holiday data is per year (see processes/calendars/<id>/<year>.yaml); this module is pure and
 * receives it already parsed.
 */
import { CalendarError, dateOfDayNumber, dayNumberOf, isLocalDate, weekdayOf, type LocalDate } from './time.ts';

export { CalendarError } from './time.ts';
export type { CalendarErrorCode, LocalDate } from './time.ts';

export type HolidayKind = 'holiday' | 'tet' | 'hung-kings' | 'in-lieu' | 'swap';
export const HOLIDAY_KINDS: readonly HolidayKind[] = ['holiday', 'tet', 'hung-kings', 'in-lieu', 'swap'];

export interface LocalizedName {
  vi: string;
  en: string;
}

export interface CalendarHoliday {
  date: string;
  kind: HolidayKind;
  name: LocalizedName;
}

export interface CalendarWorkingDay {
  date: string;
  name: LocalizedName;
}

export interface CalendarYearData {
  calendar: string;
  year: number;
  status: 'official' | 'projected';
  sources: string[];
  holidays: CalendarHoliday[];
  workingDays: CalendarWorkingDay[];
}

/** Why a day is not a working day. `kind` is a HolidayKind, or 'weekend' for an ordinary Saturday/Sunday. */
export interface DayOff {
  kind: HolidayKind | 'weekend';
  name: LocalizedName;
}

export interface WorkingCalendar {
  readonly id: string;
  readonly firstYear: number;
  readonly lastYear: number;
  /** True when `date` lies in the years this calendar has data for. */
  covers(date: LocalDate): boolean;
  /** Mon–Fri minus holidays, plus declared make-up days. */
  isWorkingDay(date: LocalDate): boolean;
  /**
   * Why `date` is off: the holiday entry (also for a named holiday that falls on a weekend), or
   * `{ kind: 'weekend' }` for an ordinary Saturday/Sunday; undefined on a working day.
   */
  dayOff(date: LocalDate): DayOff | undefined;
  /** n > 0: the n-th working day after `date` (date itself not counted, Civil Code Art. 147); n < 0: the |n|-th working day before it; n = 0: `date` itself. */
  addWorkingDays(date: LocalDate, n: number): LocalDate;
  /** `date` itself if it is a working day, else the next working day (Civil Code Art. 148 roll-forward). */
  rollForward(date: LocalDate): LocalDate;
  /** Working days in (from, to]: 0 when to == from; negative when to < from (so ageing can be counted both ways). */
  workingDaysBetween(from: LocalDate, to: LocalDate): number;
}

const WEEKEND_NAMES: Record<number, LocalizedName> = {
  0: { vi: 'Chủ nhật', en: 'Sunday' },
  6: { vi: 'Thứ Bảy', en: 'Saturday' },
};

function invalid(message: string, details: Record<string, unknown> = {}): CalendarError {
  return new CalendarError('CALENDAR_DATA_INVALID', message, details);
}

function isName(value: unknown): value is LocalizedName {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.vi === 'string' && v.vi.trim() !== '' && typeof v.en === 'string' && v.en.trim() !== '';
}

function isWeekend(date: LocalDate): boolean {
  const w = weekdayOf(date);
  return w === 0 || w === 6;
}

/** Checks one year's data; throws CALENDAR_DATA_INVALID naming the year and the date. */
function checkYear(id: string, data: CalendarYearData, seen: Set<string>): void {
  const y = data.year;
  const where = `calendar ${id}, year ${String(y)}`;
  if (data.calendar !== id) {
    throw invalid(`${where}: data says calendar ${JSON.stringify(data.calendar)}, expected ${JSON.stringify(id)}`, {
      year: y,
    });
  }
  if (data.status !== 'official' && data.status !== 'projected') {
    throw invalid(`${where}: status must be official or projected, got ${JSON.stringify(data.status)}`, { year: y });
  }
  if (!Array.isArray(data.sources) || data.sources.some((s) => typeof s !== 'string')) {
    throw invalid(`${where}: sources must be a list of strings`, { year: y });
  }
  if (!Array.isArray(data.holidays)) throw invalid(`${where}: holidays must be a list`, { year: y });
  if (!Array.isArray(data.workingDays)) throw invalid(`${where}: workingDays must be a list`, { year: y });

  const checkDate = (date: unknown, what: string): LocalDate => {
    if (!isLocalDate(date)) {
      throw invalid(`${where}: ${what} has an invalid date ${JSON.stringify(date)} (expected YYYY-MM-DD)`, {
        year: y,
        date,
      });
    }
    if (Number(date.slice(0, 4)) !== y) {
      throw invalid(`${where}: ${what} ${date} is not in ${String(y)}`, { year: y, date });
    }
    if (seen.has(date)) throw invalid(`${where}: duplicate date ${date}`, { year: y, date });
    seen.add(date);
    return date;
  };

  for (const h of data.holidays) {
    const date = checkDate(h?.date, 'holiday');
    if (!HOLIDAY_KINDS.includes(h.kind)) {
      throw invalid(`${where}: holiday ${date} has unknown kind ${JSON.stringify(h.kind)}`, { year: y, date });
    }
    if (!isName(h.name)) throw invalid(`${where}: holiday ${date} needs name.vi and name.en`, { year: y, date });
    if ((h.kind === 'in-lieu' || h.kind === 'swap') && isWeekend(date)) {
      throw invalid(`${where}: ${h.kind} day ${date} falls on a weekend; it must be a weekday given off`, {
        year: y,
        date,
      });
    }
  }
  for (const w of data.workingDays) {
    const date = checkDate(w?.date, 'make-up working day');
    if (!isName(w.name)) throw invalid(`${where}: make-up day ${date} needs name.vi and name.en`, { year: y, date });
    if (!isWeekend(date)) {
      throw invalid(`${where}: make-up working day ${date} is not a Saturday or Sunday`, { year: y, date });
    }
  }
}

/**
 * Builds a calendar from per-year data. The years must be contiguous; dates unique; make-up days
 * on weekends; every date inside its year. Throws CalendarError CALENDAR_DATA_INVALID otherwise.
 */
export function createCalendar(id: string, years: CalendarYearData[]): WorkingCalendar {
  if (!Array.isArray(years) || years.length === 0) {
    throw invalid(`calendar ${id}: no year data`);
  }
  const sorted = [...years].sort((a, b) => a.year - b.year);
  for (const [i, data] of sorted.entries()) {
    if (!Number.isInteger(data.year)) throw invalid(`calendar ${id}: year must be an integer, got ${String(data.year)}`);
    const prev = sorted[i - 1];
    if (prev && data.year === prev.year) {
      throw invalid(`calendar ${id}: year ${data.year} is given twice`, { year: data.year });
    }
    if (prev && data.year !== prev.year + 1) {
      throw invalid(`calendar ${id}: years are not contiguous: ${prev.year} is followed by ${data.year}`, {
        year: data.year,
      });
    }
  }
  const seen = new Set<string>();
  for (const data of sorted) checkYear(id, data, seen);

  const firstYear = sorted[0]!.year;
  const lastYear = sorted[sorted.length - 1]!.year;
  const rangeText = `${firstYear}–${lastYear}`;
  const firstDay = dayNumberOf(`${String(firstYear).padStart(4, '0')}-01-01`);
  const lastDay = dayNumberOf(`${String(lastYear).padStart(4, '0')}-12-31`);
  const size = lastDay - firstDay + 1;

  const offDays = new Map<LocalDate, DayOff>();
  const makeUpDays = new Set<LocalDate>();
  for (const data of sorted) {
    for (const h of data.holidays) offDays.set(h.date, { kind: h.kind, name: { vi: h.name.vi, en: h.name.en } });
    for (const w of data.workingDays) makeUpDays.add(w.date);
  }

  // working[i]: is day firstDay+i a working day; cum[i]: working days in [firstDay, firstDay+i].
  // workingList: day indexes of the working days, ascending.
  const working = new Uint8Array(size);
  const cum = new Int32Array(size);
  const workingList: number[] = [];
  for (let i = 0, count = 0; i < size; i++) {
    const date = dateOfDayNumber(firstDay + i);
    const isWork = makeUpDays.has(date) || (!isWeekend(date) && !offDays.has(date));
    if (isWork) {
      working[i] = 1;
      workingList.push(i);
      count++;
    }
    cum[i] = count;
  }

  const outside = (date: LocalDate): CalendarError =>
    new CalendarError('CALENDAR_OUT_OF_RANGE', `${date} is outside calendar ${id} (${rangeText})`, {
      date,
      calendar: id,
      firstYear,
      lastYear,
    });

  /** Index of `date` in the covered range; throws BAD_DATE or CALENDAR_OUT_OF_RANGE. */
  const indexOf = (date: LocalDate): number => {
    const i = dayNumberOf(date) - firstDay; // throws BAD_DATE for malformed dates
    if (i < 0 || i >= size) throw outside(date);
    return i;
  };
  const dateAt = (i: number): LocalDate => dateOfDayNumber(firstDay + i);

  const calendar: WorkingCalendar = {
    id,
    firstYear,
    lastYear,

    covers(date) {
      const i = dayNumberOf(date) - firstDay;
      return i >= 0 && i < size;
    },

    isWorkingDay(date) {
      return working[indexOf(date)] === 1;
    },

    dayOff(date) {
      const i = indexOf(date);
      const entry = offDays.get(date);
      if (entry) return { kind: entry.kind, name: { ...entry.name } };
      if (working[i] === 1) return undefined;
      const name = WEEKEND_NAMES[weekdayOf(date)];
      return name ? { kind: 'weekend', name: { ...name } } : undefined;
    },

    addWorkingDays(date, n) {
      if (!Number.isInteger(n)) throw new RangeError(`addWorkingDays: n must be an integer, got ${n}`);
      const i = indexOf(date);
      if (n === 0) return date;
      if (n > 0) {
        // workingList[cum[i]] is the first working day strictly after `date`.
        const k = cum[i]! + n - 1;
        const target = workingList[k];
        if (target === undefined) {
          throw new CalendarError('CALENDAR_OUT_OF_RANGE', `${n} working days after ${date} is past ${lastYear}-12-31, outside calendar ${id} (${rangeText})`, {
            date,
            n,
            calendar: id,
            firstYear,
            lastYear,
          });
        }
        return dateAt(target);
      }
      // Working days strictly before `date`: cum[i] minus `date` itself when it is one.
      const before = cum[i]! - working[i]!;
      const k = before + n; // n < 0
      const target = k >= 0 ? workingList[k] : undefined;
      if (target === undefined) {
        throw new CalendarError(
          'CALENDAR_OUT_OF_RANGE',
          `${-n} working days before ${date} is before ${firstYear}-01-01, outside calendar ${id} (${rangeText})`,
          { date, n, calendar: id, firstYear, lastYear },
        );
      }
      return dateAt(target);
    },

    rollForward(date) {
      const i = indexOf(date);
      if (working[i] === 1) return date;
      const target = workingList[cum[i]!];
      if (target === undefined) {
        throw new CalendarError('CALENDAR_OUT_OF_RANGE', `no working day after ${date} before the end of calendar ${id} (${rangeText})`, {
          date,
          calendar: id,
          firstYear,
          lastYear,
        });
      }
      return dateAt(target);
    },

    workingDaysBetween(from, to) {
      return cum[indexOf(to)]! - cum[indexOf(from)]!;
    },
  };
  return Object.freeze(calendar);
}

/** The years each calendar covers, by id: what the linter needs to check a definition's dates. */
export function calendarRanges(calendars: ReadonlyMap<string, WorkingCalendar>): Record<string, { firstYear: number; lastYear: number }> {
  return Object.fromEntries([...calendars].map(([id, c]) => [id, { firstYear: c.firstYear, lastYear: c.lastYear }]));
}
