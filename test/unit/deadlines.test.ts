import { expect } from 'chai';
import { loadCalendar } from '../../adapters/files/calendars.ts';
import type { DueRule, LadderStep } from '../../engine/definition/compile.ts';
import { formatInstant, parseInstant } from '../../engine/calendar/time.ts';
import { dueDate, dueInstant, ladderInstant } from '../../engine/runtime/deadlines.ts';

const cal = loadCalendar();
const at = (iso: string) => parseInstant(iso);
const entry = (unit: DueRule extends infer R ? (R extends { unit: infer U } ? U : never) : never, amount: number, rollForward = true): DueRule =>
  ({ from: 'entry', unit, amount, rollForward }) as DueRule;

describe('deadlines in Vietnamese working time', () => {
  it('counts 10 working days across Tết 2022 as an office would', () => {
    // Entered Thu 20/1/2022: 21/1, 24–28/1 (6), Tết off 29/1–6/2, then 7, 8, 9, 10/2.
    const day = dueDate(entry('workingDays', 10), at('2022-01-20T09:00:00+07:00'), {}, cal);
    expect(day).to.equal('2022-02-10');
    expect(formatInstant(dueInstant(day!))).to.equal('2022-02-10T23:59:59+07:00');
  });

  it('does not count the day of entry, even late at night Vietnamese time', () => {
    // 2022-01-24T16:30Z is 23:30 on Monday 24/1 in Vietnam: the period starts on Tuesday.
    expect(dueDate(entry('workingDays', 1), at('2022-01-24T16:30:00Z'), {}, cal)).to.equal('2022-01-25');
    // 17:30Z is already Tuesday 25/1 in Vietnam.
    expect(dueDate(entry('workingDays', 1), at('2022-01-24T17:30:00Z'), {}, cal)).to.equal('2022-01-26');
  });

  it('rolls a calendar-day period that ends on a Saturday to Monday, and past a holiday Monday', () => {
    expect(dueDate(entry('days', 3), at('2022-01-05T10:00:00+07:00'), {}, cal)).to.equal('2022-01-10');
    // 9/4/2022 is a Saturday and Monday 11/4 is the day off in lieu of Hùng Kings' day.
    expect(dueDate(entry('days', 8), at('2022-04-01T10:00:00+07:00'), {}, cal)).to.equal('2022-04-12');
    expect(dueDate(entry('days', 8, false), at('2022-04-01T10:00:00+07:00'), {}, cal)).to.equal('2022-04-09');
  });

  it('keeps a fixed date as written unless asked to roll it', () => {
    const fixed: DueRule = { from: 'date', date: '2022-01-23', rollForward: false };
    expect(dueDate(fixed, at('2022-01-04T08:00:00+07:00'), {}, cal)).to.equal('2022-01-23');
    expect(dueDate({ ...fixed, rollForward: true }, 0, {}, cal)).to.equal('2022-01-24');
  });

  it('counts a make-up Saturday as a working day', () => {
    // Fri 25/4/2025 + 1 working day = Sat 26/4/2025, worked in exchange for Fri 2/5.
    expect(dueDate(entry('workingDays', 1), at('2025-04-25T10:00:00+07:00'), {}, cal)).to.equal('2025-04-26');
  });

  it('has no deadline until the anchor is known, and moves when the anchor moves', () => {
    const rule: DueRule = { from: 'anchor', anchor: 'visit_date', unit: 'workingDays', amount: -10, rollForward: true };
    expect(dueDate(rule, 0, {}, cal)).to.equal(undefined);
    // Back from Tue 10/5: 9, 6, 5, 4/5, skip 2–3/5 (in lieu), 29, 28, 27, 26, 25, 22/4.
    expect(dueDate(rule, 0, { visit_date: '2022-05-10' }, cal)).to.equal('2022-04-22');
    // Moved past the 30/4–3/5 holidays: ten working days before 17/5 is 29/4.
    expect(dueDate(rule, 0, { visit_date: '2022-05-17' }, cal)).to.equal('2022-04-29');
  });

  it('counts months from recognition for the five-year renewal', () => {
    const rule: DueRule = { from: 'entry', unit: 'months', amount: 55, rollForward: true };
    // Recognised 15/3/2022 → due 15/10/2026 (a Thursday).
    expect(dueDate(rule, at('2022-03-15T10:00:00+07:00'), {}, cal)).to.equal('2026-10-15');
  });

  it('places ladder steps: at the due moment for 0, at 08:00 on the shifted day otherwise', () => {
    const step = (kind: LadderStep['kind'], unit: LadderStep['at']['unit'], amount: number): LadderStep => ({ at: { unit, amount }, kind, notify: ['school'] });
    const due = '2022-02-10';
    expect(formatInstant(ladderInstant(step('reminder', 'workingDays', -5), due, cal))).to.equal('2022-01-27T08:00:00+07:00');
    expect(formatInstant(ladderInstant(step('overdue', 'workingDays', 0), due, cal))).to.equal('2022-02-10T23:59:59+07:00');
    expect(formatInstant(ladderInstant(step('escalation', 'workingDays', 10), due, cal))).to.equal('2022-02-24T08:00:00+07:00');
    // 15/3/2026 is a Sunday: a rung before the due day moves to the working day before, Fri 13/3.
    expect(formatInstant(ladderInstant(step('reminder', 'months', -7), '2026-10-15', cal))).to.equal('2026-03-13T08:00:00+07:00');
  });

  it('refuses to count outside the calendar years, with a coded error', () => {
    expect(() => dueDate(entry('workingDays', 5), at('2046-01-02T08:00:00+07:00'), {}, cal))
      .to.throw(/2021–2045/)
      .with.property('code', 'CALENDAR_OUT_OF_RANGE');
  });
});
