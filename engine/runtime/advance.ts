// The engine's pure step: restore an instance's snapshot, apply one event with XState's transition(),
// and say what must happen as a result (stages entered and left, timers to arm and disarm). Nothing
// here touches a store or a clock: the service persists the result in one transaction.
import { initialTransition, transition, type AnyMachineSnapshot } from 'xstate';
import type { WorkingCalendar } from '../calendar/calendar.ts';
import type { ProcessContext } from '../definition/conditions.ts';
import { dueAnchors, type CompiledProcess, type StageInfo } from '../definition/compile.ts';
import { DUE_EVENT } from '../definition/model.ts';
import { EngineError } from '../errors.ts';
import { localDateOf } from '../calendar/time.ts';
import { chooseDue, dueDate, dueInstant, ladderInstant, relativeAnchorDate } from './deadlines.ts';
import { explainRejection } from './rejection.ts';
import { activeStages, leafStages } from './stages.ts';

/** The xstate release snapshots are written by (pinned exactly in package.json; a test keeps the two
 * in step). Stored on every instance: the persisted format has changed inside 5.x. */
export const XSTATE_VERSION = '5.33.3';

/** One entry into a stage. Timers carry (seq, arm) and count only while both still match. */
export interface StageEntry {
  /** Which entry this is, unique within the instance: re-entering a stage gets a new seq. */
  seq: number;
  /** Which arming of its timers is current: an anchor that moves re-arms them with arm + 1. */
  arm: number;
  enteredAt: number;
  /** The due moment, when the stage has a deadline and it is known. */
  dueAt?: number;
  /** A last day set by hand (a cohort extension, gia hạn): it wins over the stage's rule. */
  dueOn?: string;
  /** For a counted stage: which entry into it this is in the instance (1, 2, …). */
  occurrence?: number;
  /** For a deadline chosen by condition: the index of the rule chosen on entry (-1: none held). */
  dueCase?: number;
}

/** What is persisted of an instance besides its identity: the snapshot and the stage entries. */
export interface InstanceState {
  /** XState's persisted snapshot (plain JSON). */
  snapshot: unknown;
  /** Entries of the stages that are active now. */
  entries: Record<string, StageEntry>;
  /** The last entry seq given out. */
  seq: number;
  /**
   * Entries so far into each counted stage (a repeating deadline, or one a guard counts). A copy of
   * the snapshot's context.cycles, which is what persists: optional, so stored states still load.
   */
  occurrences?: Record<string, number>;
}

export type TimerKind = 'due' | 'reminder' | 'overdue' | 'escalation';

export interface TimerSpec {
  stage: string;
  seq: number;
  arm: number;
  kind: TimerKind;
  /** Index in the stage's ladder; -1 for the DUE event itself. */
  step: number;
  fireAt: number;
  /** Roles to notify (ladder steps). */
  notify: string[];
}

export type Effect =
  | { type: 'stageEntered'; stage: string; seq: number; at: number; dueAt?: number }
  | { type: 'stageLeft'; stage: string; seq: number; at: number }
  | { type: 'armTimers'; stage: string; seq: number; arm: number; timers: TimerSpec[] }
  | { type: 'disarmTimers'; stage: string; seq: number }
  /** A stage with a deadline rule got its due moment (undefined while its anchor is unknown). */
  | { type: 'deadline'; stage: string; seq: number; enteredAt: number; dueAt?: number; moved: boolean }
  | { type: 'finished'; at: number };

export interface EngineEvent {
  type: string;
  data?: Record<string, unknown>;
  [key: string]: unknown;
}

export interface StepResult {
  state: InstanceState;
  effects: Effect[];
  status: 'running' | 'done';
  /** Active stages, outer and inner, in stage-table order. */
  active: string[];
  /** Active stages holding no other stage: where the work is. */
  stages: string[];
  context: ProcessContext;
}

export interface StartInput {
  unit: { kind?: string; levels?: string[] };
  anchors?: Record<string, string>;
}

export function startInstance(compiled: CompiledProcess, input: StartInput, now: number, calendar: WorkingCalendar): StepResult {
  const [snapshot, actions] = initialTransition(compiled.machine, { ...input, anchors: { ...startAnchors(compiled, input, now, calendar), ...input.anchors } });
  return settle(compiled, { snapshot: undefined, entries: {}, seq: 0 }, snapshot, actions, now, calendar);
}

/** Anchor defaults relative to the instance (30/6 of the school year it starts in…), from its start day. */
export function startAnchors(compiled: CompiledProcess, input: StartInput, now: number, calendar: WorkingCalendar): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, a] of Object.entries(compiled.anchors)) {
    if (a.relative && input.anchors?.[name] === undefined) out[name] = relativeAnchorDate(a.relative, localDateOf(now), calendar);
  }
  return out;
}

/**
 * Applies one event. Throws EngineError (STAGE_REJECTS_EVENT, CONDITION_NOT_MET, TASK_NOT_OPEN…)
 * when the process does not accept it now, with a message saying what it would accept.
 */
export function advance(compiled: CompiledProcess, state: InstanceState, event: EngineEvent, now: number, calendar: WorkingCalendar): StepResult {
  const current = restore(compiled, state.snapshot);
  if (current.status !== 'active') {
    throw new EngineError('INSTANCE_NOT_RUNNING', `the process has ended (${current.status}); it accepts no more events`);
  }
  const [next, actions] = transition(compiled.machine, current, event);
  if (next === current) throw explainRejection(compiled, current, event);
  return settle(compiled, state, next, actions, now, calendar, event);
}

/** Restores a persisted snapshot; one this machine cannot read marks the instance for migration. */
export function restore(compiled: CompiledProcess, snapshot: unknown): AnyMachineSnapshot {
  try {
    return compiled.machine.resolveState(snapshot as never);
  } catch (e) {
    throw new EngineError('NEEDS_MIGRATION', `the stored state does not fit ${compiled.id} v${compiled.version}: ${(e as Error).message}`);
  }
}

function settle(
  compiled: CompiledProcess,
  previous: InstanceState,
  snapshot: AnyMachineSnapshot,
  actions: readonly { type: string; params?: unknown }[],
  now: number,
  calendar: WorkingCalendar,
  event?: EngineEvent,
): StepResult {
  const entries = { ...previous.entries };
  let seq = previous.seq;
  const effects: Effect[] = [];
  const entered: string[] = [];
  for (const action of actions) {
    const stage = (action.params as { stage?: string } | undefined)?.stage;
    if (!stage) continue;
    if (action.type === 'leaveStage' && entries[stage]) {
      effects.push({ type: 'disarmTimers', stage, seq: entries[stage]!.seq }, { type: 'stageLeft', stage, seq: entries[stage]!.seq, at: now });
      delete entries[stage];
    } else if (action.type === 'enterStage') {
      entries[stage] = { seq: ++seq, arm: 1, enteredAt: now };
      entered.push(stage);
    }
  }
  const context = snapshot.context as ProcessContext;
  // Anchors that changed in this step (anchor.set, a transition's setAnchors, a stage's resetAnchors):
  // the deadlines of active stages counting from them are re-armed.
  const before = (previous.snapshot as { context?: ProcessContext } | undefined)?.context?.anchors;
  const moved = new Set<string>();
  if (before)
    for (const name of new Set([...Object.keys(before), ...Object.keys(context.anchors)])) if (before[name] !== context.anchors[name]) moved.add(name);
  for (const stage of entered) {
    const info = compiled.stages[stage]!;
    if (!entries[stage]) continue;
    if (info.counted) entries[stage] = { ...entries[stage]!, occurrence: context.cycles?.[stage] ?? 1 };
    if (info.due?.from === 'choice') entries[stage] = { ...entries[stage]!, dueCase: chooseDue(info.due, context).index };
  }
  for (const stage of Object.keys(entries)) {
    const info = compiled.stages[stage]!;
    const isNew = entered.includes(stage);
    const anchorMoved = !isNew && !entries[stage]!.dueOn && dueAnchors(ruleOf(info, entries[stage]!)).some((a) => moved.has(a));
    if (!isNew && !anchorMoved) continue;
    const entry = entries[stage]!;
    if (anchorMoved) {
      effects.push({ type: 'disarmTimers', stage, seq: entry.seq });
      entries[stage] = { ...entry, arm: entry.arm + 1 };
    }
    const armed = armStage(info, entries[stage]!, context.anchors, calendar, context);
    entries[stage] = armed.entry;
    if (isNew)
      effects.push({ type: 'stageEntered', stage, seq: armed.entry.seq, at: now, ...(armed.entry.dueAt !== undefined ? { dueAt: armed.entry.dueAt } : {}) });
    if (info.due || entry.dueOn)
      effects.push({
        type: 'deadline',
        stage,
        seq: armed.entry.seq,
        enteredAt: armed.entry.enteredAt,
        ...(armed.entry.dueAt !== undefined ? { dueAt: armed.entry.dueAt } : {}),
        moved: anchorMoved,
      });
    if (armed.timers.length) effects.push({ type: 'armTimers', stage, seq: armed.entry.seq, arm: armed.entry.arm, timers: armed.timers });
  }
  const status = snapshot.status === 'done' ? 'done' : 'running';
  if (status === 'done') effects.push({ type: 'finished', at: now });
  const active = activeStages(compiled, snapshot);
  const occurrences = context.cycles && Object.keys(context.cycles).length ? { occurrences: { ...context.cycles } } : {};
  return {
    state: { snapshot: compiled.machine.getPersistedSnapshot(snapshot), entries, seq, ...occurrences },
    effects,
    status,
    active,
    stages: leafStages(compiled, active),
    context,
  };
}

/** The rule a stage entry's deadline follows: for a choice, the one chosen on entry (or now, when the
 * entry predates the choice, e.g. after a migration, given the context). */
export function ruleOf(info: StageInfo, entry: StageEntry, context?: ProcessContext): StageInfo['due'] {
  const due = info.due;
  if (due?.from !== 'choice') return due;
  const index = entry.dueCase ?? (context ? chooseDue(due, context).index : -1);
  return index >= 0 ? due.choices[index]?.rule : undefined;
}

/** The stage's due moment and its timers: DUE (if the stage listens for it) and every ladder step. */
export function armStage(
  info: StageInfo,
  entry: StageEntry,
  anchors: Readonly<Record<string, string>>,
  calendar: WorkingCalendar,
  context?: ProcessContext,
): { entry: StageEntry; timers: TimerSpec[] } {
  const { dueAt: _old, ...rest } = entry;
  const rule = ruleOf(info, entry, context);
  if (!rule && !entry.dueOn) return { entry: rest, timers: [] };
  const day = entry.dueOn ?? dueDate(rule!, entry.enteredAt, anchors, calendar, entry.occurrence ?? 1);
  if (day === undefined) return { entry: rest, timers: [] };
  const dueAt = dueInstant(day);
  const base = { stage: info.id, seq: entry.seq, arm: entry.arm };
  const timers: TimerSpec[] = [];
  if (info.accepts.includes(DUE_EVENT)) timers.push({ ...base, kind: 'due', step: -1, fireAt: dueAt, notify: [] });
  info.escalate.forEach((step, i) => {
    timers.push({ ...base, kind: step.kind, step: i, fireAt: ladderInstant(step, day, calendar), notify: step.notify });
  });
  return { entry: { ...rest, dueAt }, timers };
}

/** Whether a timer still counts: its stage entry and arming are the current ones. */
export function timerIsCurrent(state: InstanceState, timer: Pick<TimerSpec, 'stage' | 'seq' | 'arm'>): boolean {
  const entry = state.entries[timer.stage];
  return entry !== undefined && entry.seq === timer.seq && entry.arm === timer.arm;
}
