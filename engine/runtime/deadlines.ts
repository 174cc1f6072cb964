// When a stage is due, and when each rung of its escalation ladder fires, in Vietnamese working
// time. Pure: the calendar is passed in, nothing reads the clock.
import type { WorkingCalendar } from '../calendar/calendar.ts';
import { addDays, addMonths, endOfDay, instantAt, localDateOf, type LocalDate } from '../calendar/time.ts';
import type { DueRule, LadderStep, Offset } from '../definition/compile.ts';

/** Reminders and escalations are read in the morning: they fire at the start of office hours. */
export const LADDER_HOUR = 8;

/** Shifts a date by an offset; working days are counted as an office counts them. */
export function shiftDate(date: LocalDate, offset: Offset, calendar: WorkingCalendar): LocalDate {
  switch (offset.unit) {
    case 'workingDays':
      return calendar.addWorkingDays(date, offset.amount);
    case 'days':
      return addDays(date, offset.amount);
    case 'months':
      return addMonths(date, offset.amount);
    case 'years':
      return addMonths(date, offset.amount * 12);
  }
}

/**
 * The last day of a stage's period, or undefined while the anchor it counts from is not known.
 * The day the stage was entered is not counted (Civil Code Art. 147); a period in calendar units
 * that ends on a day off ends on the next working day instead (Art. 148) unless rollForward is off.
 */
export function dueDate(rule: DueRule, enteredAt: number, anchors: Readonly<Record<string, string>>, calendar: WorkingCalendar): LocalDate | undefined {
  let day: LocalDate;
  if (rule.from === 'date') day = rule.date;
  else {
    const base = rule.from === 'anchor' ? anchors[rule.anchor] : localDateOf(enteredAt);
    if (base === undefined) return undefined;
    day = shiftDate(base, rule, calendar);
  }
  return rule.rollForward ? calendar.rollForward(day) : day;
}

/** The due moment: the period ends at 24:00 of its last day (we use 23:59:59, Vietnamese time). */
export function dueInstant(day: LocalDate): number {
  return endOfDay(day);
}

/** When a ladder step fires: at the due moment for offset 0, else at 08:00 on the shifted day. */
export function ladderInstant(step: LadderStep, due: LocalDate, calendar: WorkingCalendar): number {
  if (step.at.amount === 0) return dueInstant(due);
  return instantAt(shiftDate(due, step.at, calendar), LADDER_HOUR);
}
