// The demo's passage of time: what people do (complete a task, send an event) is put on an agenda
// at office hours, and between two entries the clock stops at each timer's own moment to fire it, so
// every reminder, deadline and escalation happens when it would have, not in one lump at the end.
import { instantAt, localDateOf, type LocalDate } from '../../engine/calendar/time.ts';
import { CalendarError, type WorkingCalendar } from '../../engine/calendar/calendar.ts';
import { EngineError } from '../../engine/errors.ts';
import type { ManualClock } from '../../engine/ports.ts';
import type { Runtime } from '../runtime.ts';

export type Act = () => Promise<void>;

/** A command the engine refused, kept for the summary: the story is written to avoid them. */
export interface Refusal {
  at: number;
  what: string;
  code: string;
  message: string;
}

export class Agenda {
  private readonly items: { at: number; order: number; act: Act; what: string }[] = [];
  private order = 0;
  timersFired = 0;
  readonly refusals: Refusal[] = [];
  /** Wall time by kind of act (the first word of its description) and for firing timers, in ms. */
  readonly spent: Record<string, { count: number; ms: number }> = {};

  constructor(
    private readonly rt: Runtime,
    private readonly clock: ManualClock,
  ) {}

  /** Puts an act on the agenda; one in the past runs at the next step. */
  add(at: number, what: string, act: Act): void {
    const item = { at: Math.max(at, this.clock.now()), order: this.order++, act, what };
    let lo = 0;
    let hi = this.items.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const m = this.items[mid]!;
      if (m.at < item.at || (m.at === item.at && m.order < item.order)) lo = mid + 1;
      else hi = mid;
    }
    this.items.splice(lo, 0, item);
  }

  /** Runs every act up to `end`, firing timers at their moments in between; the clock ends at `end`. */
  async runUntil(end: number): Promise<void> {
    while (this.items.length && this.items[0]!.at <= end) {
      const item = this.items.shift()!;
      await this.fireTimersUntil(item.at);
      this.clock.set(item.at);
      const started = performance.now();
      try {
        await item.act();
      } catch (e) {
        // A refusal (or a date past the installed calendars) is noted and the story goes on.
        if (!(e instanceof EngineError || e instanceof CalendarError)) throw e;
        this.refusals.push({ at: item.at, what: item.what, code: e.code, message: e.message });
      }
      this.note(item.what.split(' ')[0]!, started);
    }
    await this.fireTimersUntil(end);
    this.clock.set(end);
  }

  private async fireTimersUntil(t: number): Promise<void> {
    for (;;) {
      const next = await this.rt.queue.nextRunAt();
      if (next === undefined || next > t) return;
      this.clock.set(next);
      const started = performance.now();
      this.timersFired += await this.rt.runDue();
      this.note('timers', started);
    }
  }

  private note(kind: string, started: number): void {
    const entry = (this.spent[kind] ??= { count: 0, ms: 0 });
    entry.count++;
    entry.ms += performance.now() - started;
  }
}

/** Office hours on working days, counted from the day of `now`. */
export class Timeline {
  readonly today: LocalDate;

  constructor(
    readonly calendar: WorkingCalendar,
    readonly now: number,
  ) {
    this.today = localDateOf(now);
  }

  /** The date `offset` working days from today (negative: before it). */
  date(offset: number): LocalDate {
    return this.calendar.addWorkingDays(this.today, offset);
  }

  /** A moment on that working day; `hour` may carry minutes as a fraction (9.5 = 09:30). */
  at(offset: number, hour = 9): number {
    return instantAt(this.date(offset), Math.floor(hour), Math.round((hour % 1) * 60));
  }

  /** Working days from `instant`'s day to today. */
  workingDaysSince(instant: number): number {
    return this.calendar.workingDaysBetween(localDateOf(instant), this.today);
  }
}
