/**
 * Dates and instants in Vietnamese civil time.
 *
 * Asia/Ho_Chi_Minh has been a fixed UTC+07:00 offset with no daylight-saving time since the
 * reunification in 1975 (the South used UTC+8 until 13 June 1975). The engine only deals with
 * dates after that, so plain offset arithmetic is exact and we do not need a time-zone database
 * or `Intl`: a local date/time is the UTC date/time of `instant + 7 h`.
 *
 * - `LocalDate`: a calendar date `YYYY-MM-DD` as a Vietnamese office reads it.
 * - instants: epoch milliseconds (`number`), as `Date.now()` returns.
 *
 * Pure module: no I/O.
 */

/** 'YYYY-MM-DD', a calendar date in Vietnamese civil time. */
export type LocalDate = string;

export type CalendarErrorCode = 'CALENDAR_OUT_OF_RANGE' | 'BAD_DATE' | 'BAD_INSTANT' | 'CALENDAR_DATA_INVALID';

/** Errors raised by the calendar module; `code` is stable, `message` is for people. */
export class CalendarError extends Error {
  readonly code: CalendarErrorCode;
  readonly details: Record<string, unknown>;

  constructor(code: CalendarErrorCode, message: string, details: Record<string, unknown> = {}) {
    super(message);
    this.name = 'CalendarError';
    this.code = code;
    this.details = details;
  }
}

/** UTC offset of Vietnamese civil time (+07:00), in milliseconds. */
export const VN_OFFSET_MS = 7 * 60 * 60 * 1000;
export const DAY_MS = 24 * 60 * 60 * 1000;

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

function isLeapYear(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

/** Days in month `m` (1..12) of year `y`. */
export function daysInMonth(y: number, m: number): number {
  if (m === 2) return isLeapYear(y) ? 29 : 28;
  return [4, 6, 9, 11].includes(m) ? 30 : 31;
}

function formatYmd(y: number, m: number, d: number): LocalDate {
  return `${pad(y, 4)}-${pad(m)}-${pad(d)}`;
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Splits a canonical `YYYY-MM-DD` into numbers, checking that the date exists. */
function ymd(date: LocalDate): [number, number, number] {
  const m = typeof date === 'string' ? ISO_DATE.exec(date) : null;
  if (!m) throw new CalendarError('BAD_DATE', `Not a date (expected YYYY-MM-DD): ${JSON.stringify(date)}`, { date });
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo)) {
    throw new CalendarError('BAD_DATE', `No such date: ${date}`, { date });
  }
  return [y, mo, d];
}

/** Days since 1970-01-01 of a local date (its "day number"). */
export function dayNumberOf(date: LocalDate): number {
  const [y, m, d] = ymd(date);
  return Math.round(Date.UTC(y, m - 1, d) / DAY_MS);
}

/** Inverse of {@link dayNumberOf}. */
export function dateOfDayNumber(dayNumber: number): LocalDate {
  const t = new Date(dayNumber * DAY_MS);
  return formatYmd(t.getUTCFullYear(), t.getUTCMonth() + 1, t.getUTCDate());
}

/** True when `text` is a canonical, existing `YYYY-MM-DD` date. */
export function isLocalDate(text: unknown): text is LocalDate {
  if (typeof text !== 'string') return false;
  try {
    ymd(text);
    return true;
  } catch {
    return false;
  }
}

/** The Vietnamese calendar date of an instant. */
export function localDateOf(instant: number): LocalDate {
  return localTimeOf(instant).date;
}

/** The Vietnamese calendar date and wall-clock hour/minute of an instant. */
export function localTimeOf(instant: number): { date: LocalDate; hour: number; minute: number } {
  if (!Number.isFinite(instant)) throw new CalendarError('BAD_INSTANT', `Not an instant: ${String(instant)}`);
  const t = new Date(instant + VN_OFFSET_MS);
  return {
    date: formatYmd(t.getUTCFullYear(), t.getUTCMonth() + 1, t.getUTCDate()),
    hour: t.getUTCHours(),
    minute: t.getUTCMinutes(),
  };
}

/** The instant at the given Vietnamese wall-clock time on `date`. */
export function instantAt(date: LocalDate, hour = 0, minute = 0, second = 0, ms = 0): number {
  const [y, m, d] = ymd(date);
  return Date.UTC(y, m - 1, d, hour, minute, second, ms) - VN_OFFSET_MS;
}

/**
 * The end of `date` in Vietnamese time. The Civil Code ends a period "at 24:00 of its last day";
 * we use the last whole second, 23:59:59.000, so the instant still belongs to that date.
 */
export function endOfDay(date: LocalDate): number {
  return instantAt(date, 23, 59, 59, 0);
}

/** ISO 8601 in Vietnamese time with an explicit `+07:00`, e.g. `2022-01-24T23:59:59+07:00` (milliseconds only when non-zero). */
export function formatInstant(ms: number): string {
  if (!Number.isFinite(ms)) throw new CalendarError('BAD_INSTANT', `Not an instant: ${String(ms)}`);
  const t = new Date(ms + VN_OFFSET_MS);
  const base =
    `${formatYmd(t.getUTCFullYear(), t.getUTCMonth() + 1, t.getUTCDate())}` + `T${pad(t.getUTCHours())}:${pad(t.getUTCMinutes())}:${pad(t.getUTCSeconds())}`;
  const millis = t.getUTCMilliseconds();
  return `${base}${millis ? `.${pad(millis, 3)}` : ''}+07:00`;
}

const ISO_INSTANT = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})$/i;

/**
 * Parses an ISO 8601 instant that carries its offset: `2022-01-24T23:59:59+07:00`,
 * `2022-01-24T16:59:59Z`, `2022-01-24T16:59:59.250Z`. A string without an offset is ambiguous
 * and rejected (`BAD_INSTANT`).
 */
export function parseInstant(text: string): number {
  const m = typeof text === 'string' ? ISO_INSTANT.exec(text.trim()) : null;
  if (!m) {
    throw new CalendarError('BAD_INSTANT', `Not an ISO 8601 instant with an offset or Z: ${JSON.stringify(text)}`, {
      text,
    });
  }
  const [, ys, mos, ds, hs, mis, ss, frac, zone] = m;
  const y = Number(ys);
  const mo = Number(mos);
  const d = Number(ds);
  const h = Number(hs);
  const mi = Number(mis);
  const s = ss === undefined ? 0 : Number(ss);
  const msPart = frac === undefined ? 0 : Math.floor(Number(`0.${frac}`) * 1000);
  const bad = (why: string): never => {
    throw new CalendarError('BAD_INSTANT', `Not a valid instant (${why}): ${JSON.stringify(text)}`, { text });
  };
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo)) bad('no such date');
  if (h > 23 || mi > 59 || s > 59) bad('no such time');
  let offsetMin = 0;
  if (zone && zone.toUpperCase() !== 'Z') {
    const z = /^([+-])(\d{2}):?(\d{2})$/.exec(zone);
    if (!z) return bad('bad offset');
    const oh = Number(z[2]);
    const om = Number(z[3]);
    if (oh > 14 || om > 59) bad('bad offset');
    offsetMin = (z[1] === '-' ? -1 : 1) * (oh * 60 + om);
  }
  return Date.UTC(y, mo - 1, d, h, mi, s, msPart) - offsetMin * 60 * 1000;
}

const VN_DATE = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/;

/**
 * Parses a calendar date written `2022-01-24` or the Vietnamese way `24/01/2022` / `24/1/2022`
 * (day first). Returns the canonical `YYYY-MM-DD`; impossible dates such as 30/02/2022 throw
 * `BAD_DATE`.
 */
export function parseLocalDate(text: string): LocalDate {
  const s = typeof text === 'string' ? text.trim() : '';
  let y: number;
  let m: number;
  let d: number;
  const iso = ISO_DATE.exec(s);
  const vn = iso ? null : VN_DATE.exec(s);
  if (iso) {
    [y, m, d] = [Number(iso[1]), Number(iso[2]), Number(iso[3])];
  } else if (vn) {
    [d, m, y] = [Number(vn[1]), Number(vn[2]), Number(vn[3])];
  } else {
    throw new CalendarError('BAD_DATE', `Not a date (expected YYYY-MM-DD or DD/MM/YYYY): ${JSON.stringify(text)}`, {
      text,
    });
  }
  if (m < 1 || m > 12 || d < 1 || d > daysInMonth(y, m)) {
    throw new CalendarError('BAD_DATE', `No such date: ${JSON.stringify(text)}`, { text });
  }
  return formatYmd(y, m, d);
}

/** `date` plus `n` calendar days (n may be negative). */
export function addDays(date: LocalDate, n: number): LocalDate {
  if (!Number.isInteger(n)) throw new RangeError(`addDays: n must be an integer, got ${n}`);
  return dateOfDayNumber(dayNumberOf(date) + n);
}

/** `date` plus `n` calendar months, clamped to the end of the target month (31/01 + 1 month = 28/02 or 29/02). */
export function addMonths(date: LocalDate, n: number): LocalDate {
  if (!Number.isInteger(n)) throw new RangeError(`addMonths: n must be an integer, got ${n}`);
  const [y, m, d] = ymd(date);
  const index = y * 12 + (m - 1) + n;
  const ty = Math.floor(index / 12);
  const tm = index - ty * 12 + 1;
  return formatYmd(ty, tm, Math.min(d, daysInMonth(ty, tm)));
}

/** Day of the week: 0 = Sunday (Chủ nhật), 1 = Monday (Thứ Hai) … 6 = Saturday (Thứ Bảy). */
export function weekdayOf(date: LocalDate): number {
  // 1970-01-01 was a Thursday (4).
  return (((dayNumberOf(date) + 4) % 7) + 7) % 7;
}

/** Negative when a < b, 0 when equal, positive when a > b (canonical dates compare as strings). */
export function compareDates(a: LocalDate, b: LocalDate): number {
  ymd(a);
  ymd(b);
  return a < b ? -1 : a > b ? 1 : 0;
}
