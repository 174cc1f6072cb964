// When a stage is due, and when each rung of its escalation ladder fires, in Vietnamese working
// time. Pure: the calendar is passed in, nothing reads the clock.
import type { WorkingCalendar } from '../calendar/calendar.ts';
import { addDays, addMonths, daysInMonth, endOfDay, instantAt, localDateOf, type LocalDate } from '../calendar/time.ts';
import type { DueRule, LadderStep, Offset, RelativeDefault, SimpleDueRule } from '../definition/compile.ts';
import { evaluate, type ProcessContext } from '../definition/conditions.ts';

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

/** `date` itself if it is a working day, else the working day before it. */
export function rollBack(date: LocalDate, calendar: WorkingCalendar): LocalDate {
  return calendar.isWorkingDay(date) ? date : calendar.addWorkingDays(date, -1);
}

/**
 * Which rule of a deadline applies: the rule itself, or for a choice the first whose `when` holds
 * on the context (given on entering the stage). Index -1: no choice holds, so no deadline.
 */
export function chooseDue(rule: DueRule, context: ProcessContext): { rule?: SimpleDueRule; index: number } {
  if (rule.from !== 'choice') return { rule, index: 0 };
  const index = rule.choices.findIndex((c) => !c.when || evaluate(c.when, context));
  return index < 0 ? { index } : { rule: rule.choices[index]!.rule, index };
}

/**
 * The last day of a stage's period, or undefined while the anchor it counts from is not known.
 * The day the stage was entered is not counted (Civil Code Art. 147); a period in calendar units
 * that ends on a day off ends on the next working day instead (Art. 148) unless rollForward is off,
 * or on the working day before for a limit counted backward (rollBack). A repeating rule (`every`)
 * puts the n-th occurrence (n − 1) × every after the first, counted from the unrolled first day.
 */
export function dueDate(
  rule: DueRule,
  enteredAt: number,
  anchors: Readonly<Record<string, string>>,
  calendar: WorkingCalendar,
  occurrence = 1,
): LocalDate | undefined {
  if (rule.from === 'choice') return undefined;
  let day: LocalDate;
  if (rule.from === 'date') day = rule.date;
  else {
    const base = rule.from === 'anchor' ? anchors[rule.anchor] : localDateOf(enteredAt);
    if (base === undefined) return undefined;
    day = shiftDate(base, rule, calendar);
  }
  if (rule.every && occurrence > 1) day = shiftDate(day, { unit: rule.every.unit, amount: rule.every.amount * (occurrence - 1) }, calendar);
  if (rule.rollBack) return rollBack(day, calendar);
  return rule.rollForward ? calendar.rollForward(day) : day;
}

/**
 * An anchor's default relative to the instance, from the day it starts: that month-day of the
 * school year the start falls in (1 September → 31 August), of the start's calendar year, or the
 * start shifted by an offset. 29 February in a year without one is the 28th.
 */
export function relativeAnchorDate(rule: RelativeDefault, start: LocalDate, calendar: WorkingCalendar): LocalDate {
  if ('fromStart' in rule) return shiftDate(start, rule.fromStart, calendar);
  const year = Number(start.slice(0, 4));
  const month = Number(start.slice(5, 7));
  const [m, d] = ('schoolYear' in rule ? rule.schoolYear : rule.year).split('-').map(Number) as [number, number];
  let y = year;
  if ('schoolYear' in rule) {
    const firstYear = month >= 9 ? year : year - 1;
    y = m >= 9 ? firstYear : firstYear + 1;
  }
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(Math.min(d, daysInMonth(y, m))).padStart(2, '0')}`;
}

/** The due moment: the period ends at 24:00 of its last day (we use 23:59:59, Vietnamese time). */
export function dueInstant(day: LocalDate): number {
  return endOfDay(day);
}

/**
 * When a ladder step fires: at the due moment for offset 0, else at 08:00 on the shifted day. A rung
 * counted in calendar units never lands on a day off: before the due day it moves to the working
 * day before (a reminder still comes ahead), after it to the next working day.
 */
export function ladderInstant(step: LadderStep, due: LocalDate, calendar: WorkingCalendar): number {
  if (step.at.amount === 0) return dueInstant(due);
  let day = shiftDate(due, step.at, calendar);
  if (step.at.unit !== 'workingDays') day = step.at.amount < 0 ? rollBack(day, calendar) : calendar.rollForward(day);
  return instantAt(day, LADDER_HOUR);
}
