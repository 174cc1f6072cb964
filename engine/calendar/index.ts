/** Public API of the calendar module: Vietnamese civil time, working days and the lunar calendar. */
export {
  CalendarError,
  VN_OFFSET_MS,
  addDays,
  addMonths,
  compareDates,
  dateOfDayNumber,
  dayNumberOf,
  daysInMonth,
  endOfDay,
  formatInstant,
  instantAt,
  isLocalDate,
  localDateOf,
  localTimeOf,
  parseInstant,
  parseLocalDate,
  weekdayOf,
} from './time.ts';
export type { CalendarErrorCode, LocalDate } from './time.ts';

export { HOLIDAY_KINDS, calendarRanges, createCalendar } from './calendar.ts';
export type { CalendarHoliday, CalendarWorkingDay, CalendarYearData, DayOff, HolidayKind, LocalizedName, WorkingCalendar } from './calendar.ts';

export { canChiOfYear, hungKingsDate, lunarMonthLength, lunarToSolar, solarToLunar, tetDate, tetEveDate } from './lunar.ts';
export type { LunarDate } from './lunar.ts';
