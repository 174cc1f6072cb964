/**
 * Vietnamese lunisolar calendar (âm lịch), after Hồ Ngọc Đức's algorithm
 * ("Computing the Vietnamese lunar calendar", https://www.informatik.uni-leipzig.de/~duc/amlich/).
 *
 * Months start on the day (in Vietnamese civil time, UTC+7) that contains the astronomical new
 * moon; month 11 is the month containing the winter solstice; in a year with 13 months the leap
 * month is the first month after month 11 that contains no major solar term (trung khí).
 * Because the computation uses UTC+7 and not China's UTC+8, Vietnamese and Chinese dates differ
 * in a few years (e.g. Tết 1985 is 1985-01-21 in Vietnam, 1985-02-20 in China; Tết 2007 is
 * 2007-02-17 in Vietnam, 2007-02-18 in China).
 *
 * Pure functions, no I/O. Valid roughly for 1800–2199 (the astronomical series is approximate).
 */

import { CalendarError, isLocalDate } from './time.ts';

/** Vietnam's civil time zone, in hours east of UTC. */
const TIME_ZONE = 7;
const PI = Math.PI;
/** Julian day number of the 1900-01-01 new moon used as epoch by the algorithm. */
const EPOCH_NEW_MOON = 2415021.076998695;
const SYNODIC_MONTH = 29.530588853;

export interface LunarDate {
  day: number;
  month: number;
  year: number;
  leap: boolean;
}

const INT = Math.floor;

/** Julian day number of a (proleptic Gregorian from 1582-10-15, Julian before) calendar date. */
export function jdFromDate(dd: number, mm: number, yy: number): number {
  const a = INT((14 - mm) / 12);
  const y = yy + 4800 - a;
  const m = mm + 12 * a - 3;
  let jd = dd + INT((153 * m + 2) / 5) + 365 * y + INT(y / 4) - INT(y / 100) + INT(y / 400) - 32045;
  if (jd < 2299161) {
    jd = dd + INT((153 * m + 2) / 5) + 365 * y + INT(y / 4) - 32083;
  }
  return jd;
}

/** Inverse of {@link jdFromDate}: [day, month, year]. */
export function jdToDate(jd: number): [number, number, number] {
  let b: number;
  let c: number;
  if (jd > 2299160) {
    const a = jd + 32044;
    b = INT((4 * a + 3) / 146097);
    c = a - INT((b * 146097) / 4);
  } else {
    b = 0;
    c = jd + 32082;
  }
  const d = INT((4 * c + 3) / 1461);
  const e = c - INT((1461 * d) / 4);
  const m = INT((5 * e + 2) / 153);
  const day = e - INT((153 * m + 2) / 5) + 1;
  const month = m + 3 - 12 * INT(m / 10);
  const year = b * 100 + d - 4800 + INT(m / 10);
  return [day, month, year];
}

/** Julian date (fractional, UT) of the k-th new moon after the 1900-01-01 new moon (Meeus' series). */
function newMoon(k: number): number {
  const T = k / 1236.85;
  const T2 = T * T;
  const T3 = T2 * T;
  const dr = PI / 180;
  let jd1 = 2415020.75933 + 29.53058868 * k + 0.0001178 * T2 - 0.000000155 * T3;
  jd1 += 0.00033 * Math.sin((166.56 + 132.87 * T - 0.009173 * T2) * dr);
  const M = 359.2242 + 29.10535608 * k - 0.0000333 * T2 - 0.00000347 * T3;
  const Mpr = 306.0253 + 385.81691806 * k + 0.0107306 * T2 + 0.00001236 * T3;
  const F = 21.2964 + 390.67050646 * k - 0.0016528 * T2 - 0.00000239 * T3;
  let C1 = (0.1734 - 0.000393 * T) * Math.sin(M * dr) + 0.0021 * Math.sin(2 * dr * M);
  C1 = C1 - 0.4068 * Math.sin(Mpr * dr) + 0.0161 * Math.sin(dr * 2 * Mpr);
  C1 = C1 - 0.0004 * Math.sin(dr * 3 * Mpr);
  C1 = C1 + 0.0104 * Math.sin(dr * 2 * F) - 0.0051 * Math.sin(dr * (M + Mpr));
  C1 = C1 - 0.0074 * Math.sin(dr * (M - Mpr)) + 0.0004 * Math.sin(dr * (2 * F + M));
  C1 = C1 - 0.0004 * Math.sin(dr * (2 * F - M)) - 0.0006 * Math.sin(dr * (2 * F + Mpr));
  C1 = C1 + 0.001 * Math.sin(dr * (2 * F - Mpr)) + 0.0005 * Math.sin(dr * (2 * Mpr + M));
  let deltaT: number;
  if (T < -11) {
    deltaT = 0.001 + 0.000839 * T + 0.0002261 * T2 - 0.00000845 * T3 - 0.000000081 * T * T3;
  } else {
    deltaT = -0.000278 + 0.000265 * T + 0.000262 * T2;
  }
  return jd1 + C1 - deltaT;
}

/** Sun's apparent longitude (radians, 0..2π) at Julian date `jdn` (UT). */
function sunLongitude(jdn: number): number {
  const T = (jdn - 2451545.0) / 36525;
  const T2 = T * T;
  const dr = PI / 180;
  const M = 357.5291 + 35999.0503 * T - 0.0001559 * T2 - 0.00000048 * T * T2;
  const L0 = 280.46645 + 36000.76983 * T + 0.0003032 * T2;
  let DL = (1.9146 - 0.004817 * T - 0.000014 * T2) * Math.sin(dr * M);
  DL = DL + (0.019993 - 0.000101 * T) * Math.sin(dr * 2 * M) + 0.00029 * Math.sin(dr * 3 * M);
  let L = (L0 + DL) * dr;
  L = L - PI * 2 * INT(L / (PI * 2));
  return L;
}

/** Index 0..11 of the 30° sector the sun is in at the start of local day `dayNumber`. */
function sunLongitudeSector(dayNumber: number): number {
  return INT((sunLongitude(dayNumber - 0.5 - TIME_ZONE / 24) / PI) * 6);
}

/** Julian day number (local) of the day containing the k-th new moon. */
function newMoonDay(k: number): number {
  return INT(newMoon(k) + 0.5 + TIME_ZONE / 24);
}

/** Julian day number of the first day of lunar month 11 of the lunar year ending in solar year `yy`. */
function lunarMonth11(yy: number): number {
  const off = jdFromDate(31, 12, yy) - 2415021;
  const k = INT(off / SYNODIC_MONTH);
  let nm = newMoonDay(k);
  const sunLong = sunLongitudeSector(nm);
  if (sunLong >= 9) nm = newMoonDay(k - 1);
  return nm;
}

/** Offset (in months after month 11 starting at a11) of the leap month of a 13-month year. */
function leapMonthOffset(a11: number): number {
  const k = INT((a11 - EPOCH_NEW_MOON) / SYNODIC_MONTH + 0.5);
  let last: number;
  let i = 1;
  let arc = sunLongitudeSector(newMoonDay(k + i));
  do {
    last = arc;
    i++;
    arc = sunLongitudeSector(newMoonDay(k + i));
  } while (arc !== last && i < 14);
  return i - 1;
}

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}

function isoOf(day: number, month: number, year: number): string {
  return `${String(year).padStart(4, '0')}-${pad2(month)}-${pad2(day)}`;
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Converts a solar (Gregorian) ISO date `YYYY-MM-DD` to the Vietnamese lunar date. */
export function solarToLunar(isoDate: string): LunarDate {
  const m = ISO_DATE.exec(isoDate);
  if (!m || !isLocalDate(isoDate)) throw new CalendarError('BAD_DATE', `solarToLunar: not an ISO date (YYYY-MM-DD): ${JSON.stringify(isoDate)}`);
  const dd = Number(m[3]);
  const mm = Number(m[2]);
  const yy = Number(m[1]);
  const dayNumber = jdFromDate(dd, mm, yy);
  const k = INT((dayNumber - EPOCH_NEW_MOON) / SYNODIC_MONTH);
  let monthStart = newMoonDay(k + 1);
  if (monthStart > dayNumber) monthStart = newMoonDay(k);
  let a11 = lunarMonth11(yy);
  let b11 = a11;
  let lunarYear: number;
  if (a11 >= monthStart) {
    lunarYear = yy;
    a11 = lunarMonth11(yy - 1);
  } else {
    lunarYear = yy + 1;
    b11 = lunarMonth11(yy + 1);
  }
  const lunarDay = dayNumber - monthStart + 1;
  const diff = INT((monthStart - a11) / 29);
  let leap = false;
  let lunarMonth = diff + 11;
  if (b11 - a11 > 365) {
    const leapDiff = leapMonthOffset(a11);
    if (diff >= leapDiff) {
      lunarMonth = diff + 10;
      if (diff === leapDiff) leap = true;
    }
  }
  if (lunarMonth > 12) lunarMonth -= 12;
  if (lunarMonth >= 11 && diff < 4) lunarYear -= 1;
  return { day: lunarDay, month: lunarMonth, year: lunarYear, leap };
}

/**
 * Converts a Vietnamese lunar date to the solar ISO date `YYYY-MM-DD`.
 * Throws CalendarError BAD_DATE for impossible input (day outside 1..30, month outside 1..12, or `leap`
 * for a month that is not the leap month of that lunar year, or day 30 of a 29-day month).
 */
export function lunarToSolar(lunarDay: number, lunarMonth: number, lunarYear: number, leap = false): string {
  if (!Number.isInteger(lunarDay) || lunarDay < 1 || lunarDay > 30) {
    throw new CalendarError('BAD_DATE', `lunarToSolar: lunar day must be 1..30, got ${lunarDay}`);
  }
  if (!Number.isInteger(lunarMonth) || lunarMonth < 1 || lunarMonth > 12) {
    throw new CalendarError('BAD_DATE', `lunarToSolar: lunar month must be 1..12, got ${lunarMonth}`);
  }
  if (!Number.isInteger(lunarYear)) throw new CalendarError('BAD_DATE', `lunarToSolar: lunar year must be an integer, got ${lunarYear}`);
  let a11: number;
  let b11: number;
  if (lunarMonth < 11) {
    a11 = lunarMonth11(lunarYear - 1);
    b11 = lunarMonth11(lunarYear);
  } else {
    a11 = lunarMonth11(lunarYear);
    b11 = lunarMonth11(lunarYear + 1);
  }
  let off = lunarMonth - 11;
  if (off < 0) off += 12;
  if (b11 - a11 > 365) {
    const leapOff = leapMonthOffset(a11);
    let leapMonth = leapOff - 2;
    if (leapMonth < 0) leapMonth += 12;
    if (leap && lunarMonth !== leapMonth) {
      throw new CalendarError('BAD_DATE', `lunarToSolar: month ${lunarMonth} of lunar year ${lunarYear} is not a leap month`);
    } else if (leap || off >= leapOff) {
      off += 1;
    }
  } else if (leap) {
    throw new CalendarError('BAD_DATE', `lunarToSolar: lunar year ${lunarYear} has no leap month`);
  }
  const k = INT(0.5 + (a11 - EPOCH_NEW_MOON) / SYNODIC_MONTH);
  const monthStart = newMoonDay(k + off);
  if (lunarDay === 30 && newMoonDay(k + off + 1) - monthStart < 30) {
    throw new CalendarError('BAD_DATE', `lunarToSolar: month ${lunarMonth}${leap ? ' (leap)' : ''} of lunar year ${lunarYear} has only 29 days`);
  }
  const [d, m, y] = jdToDate(monthStart + lunarDay - 1);
  return isoOf(d, m, y);
}

/** Tết Nguyên đán: 1st day of the 1st lunar month of the lunar year that begins in solar year `year`. */
export function tetDate(year: number): string {
  return lunarToSolar(1, 1, year);
}

/** The last day of the lunar year before Tết of `year` (giao thừa / Tết eve: 29 or 30 tháng Chạp). */
export function tetEveDate(year: number): string {
  const [d, m, y] = jdToDate(jdFromDateIso(tetDate(year)) - 1);
  return isoOf(d, m, y);
}

/** Giỗ Tổ Hùng Vương: 10th day of the 3rd lunar month. */
export function hungKingsDate(year: number): string {
  return lunarToSolar(10, 3, year);
}

/** Number of days in a lunar month (29 or 30). */
export function lunarMonthLength(lunarMonth: number, lunarYear: number, leap = false): 29 | 30 {
  try {
    lunarToSolar(30, lunarMonth, lunarYear, leap);
    return 30;
  } catch {
    return 29;
  }
}

/** Heavenly stem and earthly branch name of a lunar year, e.g. 2026 → "Bính Ngọ". */
export function canChiOfYear(lunarYear: number): string {
  const stems = ['Giáp', 'Ất', 'Bính', 'Đinh', 'Mậu', 'Kỷ', 'Canh', 'Tân', 'Nhâm', 'Quý'];
  const branches = ['Tý', 'Sửu', 'Dần', 'Mão', 'Thìn', 'Tỵ', 'Ngọ', 'Mùi', 'Thân', 'Dậu', 'Tuất', 'Hợi'];
  return `${stems[(((lunarYear + 6) % 10) + 10) % 10]} ${branches[(((lunarYear + 8) % 12) + 12) % 12]}`;
}

function jdFromDateIso(iso: string): number {
  const m = ISO_DATE.exec(iso);
  if (!m) throw new CalendarError('BAD_DATE', `not an ISO date: ${iso}`);
  return jdFromDate(Number(m[3]), Number(m[2]), Number(m[1]));
}
