// What a task's page needs from the instance's history: why the task is open again (its stage was
// returned to by an event, or the task was reopened to correct it — who, when, what they wrote) and
// the answers given last time, so the form starts from them instead of from nothing. Pure.
import type { CompiledProcess } from '../definition/compile.ts';
import { ENGINE_EVENTS } from '../definition/compile.ts';
import type { Text } from '../definition/types.generated.ts';
import type { HistoryEntry, Task } from '../domain.ts';
import { isReturn } from '../service/returns.ts';
import type { UnitChain } from '../service/roles.ts';

export interface ReturnedNote {
  kind: 'returned' | 'reopened';
  by: string;
  byName: string;
  at: number;
  /** The event's title (a return), or none (a reopening). */
  eventTitle: Text | null;
  /** The stage it came back from (a return). */
  fromStageTitle: Text | null;
  /** What the sender wrote: each field the event's form declares, by its label, coded choices by their titles. */
  fields: { name: string; title: Text; value: unknown; valueTitle: Text | null }[];
  reason: string | null;
}

/** The entry that opened this task's current round, when it was a return or a reopening. */
export function whyOpenAgain(
  compiled: CompiledProcess,
  history: readonly HistoryEntry[],
  task: Task,
  nameOf: (login: string) => string,
  chain: UnitChain,
): ReturnedNote | null {
  if (task.status !== 'open') return null;
  const entered = (h: HistoryEntry) => h.toStages.includes(task.stage) && !h.fromStages.includes(task.stage);
  // A reopening of this very task in this round, after the stage was entered.
  const lastEntry = [...history].reverse().find((h) => entered(h) && h.at <= task.openedAt);
  const reopened = [...history]
    .reverse()
    .find(
      (h) =>
        h.eventType === ENGINE_EVENTS.reopenTask && (h.payload as { task?: string } | undefined)?.task === task.task && (!lastEntry || h.rev > lastEntry.rev),
    );
  if (reopened) {
    const reason = (reopened.payload as { reason?: unknown }).reason;
    return {
      kind: 'reopened',
      by: reopened.actor,
      byName: nameOf(reopened.actor),
      at: reopened.at,
      eventTitle: null,
      fromStageTitle: null,
      fields: [],
      reason: typeof reason === 'string' ? reason : null,
    };
  }
  if (!lastEntry || !lastEntry.fromStages.some((from) => isReturn(compiled, from, task.stage, chain))) return null;
  const decl = Object.hasOwn(compiled.events, lastEntry.eventType) ? compiled.events[lastEntry.eventType] : undefined;
  if (!decl) return null;
  const data = ((lastEntry.payload as { data?: unknown } | undefined)?.data ?? {}) as Record<string, unknown>;
  const fields = Object.entries(decl.form?.properties ?? {})
    .filter(([name]) => Object.hasOwn(data, name))
    .map(([name, f]) => {
      const value = data[name];
      const k = Array.isArray(f.enum) ? f.enum.indexOf(value as never) : -1;
      const titles = (f as { enumTitles?: Text[] }).enumTitles;
      return { name, title: f.title ?? { vi: name, en: name }, value, valueTitle: k >= 0 && titles?.[k] ? titles[k]! : null };
    });
  const from = lastEntry.fromStages.find((s) => isReturn(compiled, s, task.stage, chain));
  return {
    kind: 'returned',
    by: lastEntry.actor,
    byName: nameOf(lastEntry.actor),
    at: lastEntry.at,
    eventTitle: decl.title ?? null,
    fromStageTitle: from ? (compiled.stages[from]?.title ?? null) : null,
    fields,
    reason: null,
  };
}

/** The answers this task was last completed with (in this round or an earlier one), if any. */
export function lastAnswers(history: readonly HistoryEntry[], task: Pick<Task, 'task'>): Record<string, unknown> | null {
  for (let i = history.length - 1; i >= 0; i--) {
    const h = history[i]!;
    if (h.eventType !== ENGINE_EVENTS.completeTask) continue;
    const payload = h.payload as { task?: string; data?: unknown } | undefined;
    if (payload?.task !== task.task) continue;
    const data = payload.data;
    if (data && typeof data === 'object' && Object.keys(data).length) return data as Record<string, unknown>;
  }
  return null;
}
