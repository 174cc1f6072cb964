// Turns one engine step into the rows it writes: the instance, its history entry, task rows, timers
// and outbox messages. Pure: the service commits the result in one transaction.
import { ENGINE_EVENTS, type CompiledProcess } from '../definition/compile.ts';
import type { StepResult, TimerSpec } from '../runtime/advance.ts';
import type { Change, HistoryEntry, InboxItem, Instance, LoadedInstance, OrgUnit, OutboxMessage, Task, Timer } from '../domain.ts';
import { ENGINE_SENT_EVENTS } from '../definition/model.ts';
import { isReturn, stageOwnerUnit } from './returns.ts';
import { unitHolding, type UnitChain } from './roles.ts';

/** Who history names for what the engine does by itself (deadlines, escalations). */
export const SYSTEM_ACTOR = 'system';

export interface Command {
  actor: string;
  /** What history records: the event type, or the engine's own (`instance.start`, `DUE`…). */
  eventType: string;
  payload?: Record<string, unknown>;
  at: number;
}

export function timerId(instanceId: string, t: Pick<TimerSpec, 'stage' | 'seq' | 'arm' | 'step'>): string {
  return `${instanceId}.${t.stage}.${t.seq}.${t.arm}.${t.step < 0 ? 'due' : t.step}`;
}

export function taskId(instanceId: string, stage: string, seq: number, task: string): string {
  return `${instanceId}.${stage}.${seq}.${task}`;
}

/** The change a step makes to a loaded instance. */
export function changeFromStep(compiled: CompiledProcess, loaded: LoadedInstance, step: StepResult, chain: UnitChain, command: Command): Change {
  const before = loaded.instance;
  const instance = nextInstance(before, step, command.at);
  const tasks = taskRows(compiled, loaded, step, chain, command);
  const { timers, timerUpdates, outbox } = timerRows(loaded, step, command.at);
  return {
    instance,
    expectedRev: before.rev,
    history: historyEntry(before, instance, command),
    tasks,
    timers,
    timerUpdates,
    outbox,
    inbox: returnNotices(compiled, loaded, step, chain, command),
  };
}

/**
 * A dossier sent back (returns.ts: a reviewer above sends it down to an earlier stage): the unit
 * holding that stage gets a notice naming the process, the stage and what the sender wrote in the
 * event's free-text fields (the note, what to complete) — not its coded choices.
 */
function returnNotices(compiled: CompiledProcess, loaded: LoadedInstance, step: StepResult, chain: UnitChain, command: Command): InboxItem[] {
  if (ENGINE_SENT_EVENTS.includes(command.eventType)) return [];
  const senders = loaded.instance.stages.filter((s) => compiled.stages[s]?.accepts.includes(command.eventType));
  if (!senders.length) return [];
  const data = (command.payload?.data ?? {}) as Record<string, unknown>;
  const form = compiled.events[command.eventType]?.form;
  const notes = Object.entries(form?.properties ?? {})
    .filter(([name, f]) => f.type === 'string' && !f.enum && typeof data[name] === 'string' && (data[name] as string).trim())
    .map(([name]) => (data[name] as string).trim());
  const said = notes.length ? ` ${notes.join(' — ')}` : '';
  const out: InboxItem[] = [];
  for (const effect of step.effects) {
    if (effect.type !== 'stageEntered' || !senders.some((from) => isReturn(compiled, from, effect.stage, chain))) continue;
    const stage = compiled.stages[effect.stage]!;
    const unit = stageOwnerUnit(compiled, effect.stage, chain);
    if (out.some((n) => n.unitId === unit.id)) continue;
    out.push({
      unitId: unit.id,
      role: stage.owner ?? 'school',
      instanceId: loaded.instance.id,
      kind: 'returned',
      message: {
        vi: `Hồ sơ “${compiled.title.vi}” của ${chain[0]!.name} bị trả lại về bước “${stage.title.vi}”.${said ? ` Lý do:${said}` : ''}`,
        en: `The “${compiled.title.en ?? compiled.title.vi}” dossier of ${chain[0]!.name} was returned to “${stage.title.en ?? stage.title.vi}”.${said ? ` Reason:${said}` : ''}`,
      },
      createdAt: command.at,
    });
  }
  return out;
}

/** A change that leaves the process where it is but must still be serialised with other changes. */
export function bareChange(loaded: LoadedInstance, command: Command, fields: Partial<Instance> = {}): Change {
  const instance = { ...loaded.instance, ...fields, rev: loaded.instance.rev + 1, updatedAt: command.at };
  return {
    instance,
    expectedRev: loaded.instance.rev,
    history: historyEntry(loaded.instance, instance, command),
    tasks: [],
    timers: [],
    timerUpdates: [],
    outbox: [],
    inbox: [],
  };
}

/** Cancels every pending timer of the loaded instance (cancellation, migration). */
export function cancelAllTimers(change: Change, loaded: LoadedInstance, at: number): void {
  const ids = loaded.pendingTimers.map((t) => t.id);
  if (!ids.length) return;
  change.timerUpdates.push(...ids.map((id) => ({ id, status: 'cancelled' as const })));
  change.outbox.push({ instanceId: loaded.instance.id, kind: 'cancel', payload: { timers: ids }, createdAt: at });
}

function nextInstance(before: Instance, step: StepResult, at: number): Instance {
  const entries = Object.entries(step.state.entries);
  const dues = entries.map(([, e]) => e.dueAt).filter((d): d is number => d !== undefined);
  const leafEntries = entries.filter(([stage]) => step.stages.includes(stage)).map(([, e]) => e.enteredAt);
  const { dueAt: _previous, ...rest } = before;
  return {
    ...rest,
    status: step.status,
    state: step.state,
    rev: before.rev + 1,
    stages: step.stages,
    enteredAt: leafEntries.length ? Math.max(...leafEntries) : before.enteredAt,
    ...(dues.length ? { dueAt: Math.min(...dues) } : {}),
    updatedAt: at,
  };
}

function historyEntry(before: Instance, after: Instance, command: Command): HistoryEntry {
  return {
    instanceId: after.id,
    rev: after.rev,
    at: command.at,
    actor: command.actor,
    eventType: command.eventType,
    ...(command.payload ? { payload: command.payload } : {}),
    fromStages: before.rev === 0 ? [] : before.stages,
    toStages: after.stages,
  };
}

/**
 * Task rows follow the process context: each task of an active stage entry has one row whose status
 * is the context's; tasks of a stage that was left and are still open are closed — but for the task
 * this very command completed, when completing it moved the stage on (`always` once tasks are done).
 */
function taskRows(compiled: CompiledProcess, loaded: LoadedInstance, step: StepResult, chain: UnitChain, command: Command): Task[] {
  const instanceId = loaded.instance.id;
  const existing = new Map(loaded.tasks.map((t) => [t.id, t]));
  const out: Task[] = [];
  const left = new Set(
    Object.entries(loaded.instance.state.entries)
      .filter(([stage, e]) => step.state.entries[stage]?.seq !== e.seq)
      .map(([stage, e]) => `${stage}.${e.seq}`),
  );
  const completed = command.eventType === ENGINE_EVENTS.completeTask ? command.payload?.task : undefined;
  for (const row of loaded.tasks) {
    if (row.status !== 'open' || !left.has(`${row.stage}.${row.stageSeq}`)) continue;
    if (row.task !== completed) {
      out.push({ ...row, status: 'closed' });
      continue;
    }
    const data = command.payload?.data as Record<string, unknown> | undefined;
    out.push({ ...row, status: 'done', ...(data && Object.keys(data).length ? { data } : {}), completedBy: command.actor, completedAt: command.at });
  }
  for (const [stage, entry] of Object.entries(step.state.entries)) {
    for (const info of compiled.stages[stage]?.tasks ?? []) {
      const state = step.context.tasks[info.id];
      if (!state) continue;
      const id = taskId(instanceId, stage, entry.seq, info.id);
      const row = existing.get(id);
      const dueAt = taskDue(compiled, stage, step.state.entries);
      if (row && row.status === state.status && row.dueAt === dueAt) continue;
      const owner = ownerUnit(compiled, info.owner, chain);
      const next: Task = {
        id,
        instanceId,
        stage,
        stageSeq: entry.seq,
        task: info.id,
        ownerRole: info.owner,
        ownerUnitId: row?.ownerUnitId ?? owner.id,
        ownerUnitPath: row?.ownerUnitPath ?? owner.path,
        status: state.status,
        openedAt: row?.openedAt ?? command.at,
        ...(dueAt !== undefined ? { dueAt } : {}),
      };
      if (state.status === 'done') {
        if (state.data && Object.keys(state.data).length) next.data = state.data;
        next.completedBy = row?.status === 'done' ? row.completedBy! : command.actor;
        next.completedAt = row?.status === 'done' ? row.completedAt! : command.at;
      }
      out.push(next);
    }
  }
  return out;
}

/** A task is due when its stage is, or earlier when an enclosing stage (a track's parallel stage, a
 * sub-process) is due first: posting tasks in a disclosure track are due with the publication. */
function taskDue(compiled: CompiledProcess, stage: string, entries: StepResult['state']['entries']): number | undefined {
  const dues = [stage, ...(compiled.stages[stage]?.ancestors ?? [])].map((s) => entries[s]?.dueAt).filter((d): d is number => d !== undefined);
  return dues.length ? Math.min(...dues) : undefined;
}

/** The unit holding a task's owner role; the instance's own unit when no unit up the tree holds it. */
function ownerUnit(compiled: CompiledProcess, role: string, chain: UnitChain): OrgUnit {
  const def = compiled.roles[role];
  return (def && unitHolding(def, chain)) ?? chain[0]!;
}

function timerRows(loaded: LoadedInstance, step: StepResult, at: number): Pick<Change, 'timers' | 'timerUpdates' | 'outbox'> {
  const instanceId = loaded.instance.id;
  const timers: Timer[] = [];
  const cancelled: string[] = [];
  for (const effect of step.effects) {
    if (effect.type === 'disarmTimers') {
      for (const t of loaded.pendingTimers) if (t.stage === effect.stage && t.stageSeq === effect.seq) cancelled.push(t.id);
    } else if (effect.type === 'armTimers') {
      for (const spec of effect.timers) {
        // A reminder whose moment passed before the stage was even entered would only be noise.
        if (spec.kind === 'reminder' && spec.fireAt < at) continue;
        timers.push({
          id: timerId(instanceId, spec),
          instanceId,
          stage: spec.stage,
          stageSeq: spec.seq,
          arm: spec.arm,
          kind: spec.kind,
          step: spec.step,
          fireAt: spec.fireAt,
          status: 'pending',
        });
      }
    }
  }
  const outbox: OutboxMessage[] = [];
  if (cancelled.length) outbox.push({ instanceId, kind: 'cancel', payload: { timers: cancelled }, createdAt: at });
  if (timers.length) outbox.push({ instanceId, kind: 'schedule', payload: { timers: timers.map((t) => ({ id: t.id, fireAt: t.fireAt })) }, createdAt: at });
  return { timers, timerUpdates: cancelled.map((id) => ({ id, status: 'cancelled' as const })), outbox };
}
