// What the store committed a moment ago, per instance, so that the next command on it need not read
// back what was just written: on SQLite, where this store holds the one connection of the one writer
// process (a second process on the same file is refused at start), every change to an instance,
// its tasks and its timers goes through this store, which therefore knows their state after each
// commit as well as the database does. The next load of the instance is then answered from here.
//
// What is kept is exactly what a load would read — the instance, its task rows still open, done or
// skipped, its pending timers — passed through the row mapping both ways (rows.ts), so a command
// computed over it sees what it would have seen from the database. An entry moves only with a
// commit computed over its rev; a commit over anything else, a commit whose outcome is unknown, and
// a timer status set outside a change drop it (the next load reads the database). The rev check of
// the commit stays: a state that was somehow stale is refused there, and read afresh. Bounded:
// the least recently used entries go first.
import type { Change, Instance, LoadedInstance, Task, Timer } from '../../engine/domain.ts';
import type { CommitOutcome } from '../../engine/ports.ts';
import { instanceRow, taskRow, timerRow, toInstance, toTask, toTimer } from './rows.ts';

interface Entry {
  instance: Instance;
  /** Task rows open, done or skipped, of every stage entry (a load's query), by id. */
  tasks: Map<string, Task>;
  /** Pending timers by id, in the order they were first written. */
  pending: Map<string, Timer>;
}

const LOADED_STATUSES = new Set(['open', 'done', 'skipped']);

export class RecentInstances {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly max = 2_000) {}

  /** The instance as a load would answer it, or undefined when it is not held. */
  get(id: string): LoadedInstance | undefined {
    const e = this.entries.get(id);
    if (!e) return undefined;
    this.entries.delete(id);
    this.entries.set(id, e); // most recently used last
    return view(e);
  }

  /** Keeps what a load read from the database (unless a newer state is held already), and answers
   * it as a load does. */
  loaded(instance: Instance, tasks: Task[], pending: Timer[]): LoadedInstance {
    const e: Entry = { instance, tasks: new Map(tasks.map((t) => [t.id, t])), pending: new Map(pending.map((t) => [t.id, t])) };
    const held = this.entries.get(instance.id);
    if (!held || held.instance.rev < instance.rev) this.put(e);
    return view(e);
  }

  /** Moves the entries of the changes that committed; drops those of the changes that did not. */
  committed(changes: readonly Change[], outcomes: readonly CommitOutcome[]): void {
    changes.forEach((c, k) => {
      const id = c.instance.id;
      const held = this.entries.get(id);
      if (outcomes[k]?.error) {
        // Refused: the database holds another state than the one this change was computed over.
        this.entries.delete(id);
        return;
      }
      if (c.expectedRev !== 0 && held?.instance.rev !== c.expectedRev) {
        this.entries.delete(id);
        return;
      }
      const e: Entry = held ?? { instance: c.instance, tasks: new Map(), pending: new Map() };
      // Through the rows, as the database gives them back (JSON text parsed afresh).
      e.instance = toInstance(instanceRow(c.instance));
      for (const t of c.tasks) {
        const task = toTask(taskRow(t));
        if (LOADED_STATUSES.has(task.status)) e.tasks.set(task.id, task);
        else e.tasks.delete(task.id);
      }
      for (const t of c.timers) {
        const timer = toTimer(timerRow(t));
        if (timer.status === 'pending') e.pending.set(timer.id, timer);
        else e.pending.delete(timer.id);
      }
      this.put(e);
    });
    // Timer status changes after the rows, as the statements run; a timer id starts with its
    // instance's (engine/service/change.ts), whichever change carried the update.
    changes.forEach((c, k) => {
      if (outcomes[k]?.error) return;
      for (const u of c.timerUpdates) {
        for (const id of new Set([c.instance.id, u.id.slice(0, u.id.indexOf('.'))])) {
          const e = this.entries.get(id);
          if (!e?.pending.has(u.id)) continue;
          if (u.status === 'pending') this.entries.delete(id);
          else e.pending.delete(u.id);
        }
      }
    });
  }

  forget(ids: Iterable<string>): void {
    for (const id of ids) this.entries.delete(id);
  }

  clear(): void {
    this.entries.clear();
  }

  private put(e: Entry): void {
    this.entries.delete(e.instance.id);
    this.entries.set(e.instance.id, e);
    while (this.entries.size > this.max) this.entries.delete(this.entries.keys().next().value!);
  }
}

/** A load's answer from an entry: the tasks of the active stage entries (and any still open), in
 * the order of opening; fresh arrays, so a caller can keep or change them. */
function view(e: Entry): LoadedInstance {
  const { instance } = e;
  const tasks = [...e.tasks.values()]
    .filter((t) => instance.state.entries[t.stage]?.seq === t.stageSeq || t.status === 'open')
    .sort((a, b) => a.openedAt - b.openedAt || a.id.localeCompare(b.id));
  return { instance, tasks, pendingTimers: [...e.pending.values()] };
}
