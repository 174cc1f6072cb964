// Changes made to an instance from outside its process: a deadline extended by an office (gia hạn),
// and a move to a new version of its definition. Pure, like advance(): they return a StepResult the
// service commits the same way.
import type { WorkingCalendar } from '../calendar/calendar.ts';
import type { LocalDate } from '../calendar/time.ts';
import type { ProcessContext } from '../definition/conditions.ts';
import type { CompiledProcess } from '../definition/compile.ts';
import { evaluate } from '../definition/conditions.ts';
import { EngineError } from '../errors.ts';
import { armStage, restore, type Effect, type InstanceState, type StageEntry, type StepResult } from './advance.ts';
import { activeStages, leafStages } from './stages.ts';

/** Sets an active stage's last day by hand; its ladder is re-armed from the new day. */
export function extendDeadline(compiled: CompiledProcess, state: InstanceState, stage: string, lastDay: LocalDate, calendar: WorkingCalendar): StepResult {
  const snapshot = restore(compiled, state.snapshot);
  const entry = state.entries[stage];
  if (!entry) {
    throw new EngineError('STAGE_REJECTS_EVENT', `stage "${stage}" is not active; active stages: ${Object.keys(state.entries).join(', ')}`, { stage });
  }
  const info = compiled.stages[stage]!;
  const context = snapshot.context as ProcessContext;
  const armed = armStage(info, { ...entry, arm: entry.arm + 1, dueOn: lastDay }, context.anchors, calendar, context);
  const effects: Effect[] = [
    { type: 'disarmTimers', stage, seq: entry.seq },
    { type: 'deadline', stage, seq: entry.seq, enteredAt: entry.enteredAt, dueAt: armed.entry.dueAt!, moved: true },
  ];
  if (armed.timers.length) effects.push({ type: 'armTimers', stage, seq: entry.seq, arm: armed.entry.arm, timers: armed.timers });
  const active = activeStages(compiled, snapshot);
  return {
    state: { ...state, entries: { ...state.entries, [stage]: armed.entry } },
    effects,
    status: 'running',
    active,
    stages: leafStages(compiled, active),
    context,
  };
}

export interface StageMove {
  stage: string;
  /** Due moment before and after (undefined: none). */
  dueBefore?: number;
  dueAfter?: number;
}

/**
 * Moves an instance to another version: each active leaf stage goes to `stateMap[stage]` (or the
 * stage of the same id). Entries keep their seq and entry time, so open tasks stay open and
 * deadlines are recounted from the same day under the new rules; every timer is re-armed.
 */
export function migrateState(
  to: CompiledProcess,
  state: InstanceState,
  leaves: readonly string[],
  stateMap: Readonly<Record<string, string>>,
  now: number,
  calendar: WorkingCalendar,
): { step: StepResult; moves: StageMove[] } {
  const targets = leaves.map((s) => stateMap[s] ?? s);
  // Only a stage where work happens can be landed in: a compound stage would skip its entry into a
  // child (no tasks, no deadline) and a final one would end the process behind the engine's back.
  const workStages = Object.values(to.stages)
    .filter((s) => s.kind === 'atomic')
    .map((s) => s.id);
  const missing = targets.filter((t) => !workStages.includes(t));
  if (missing.length) {
    const what = missing.map((m) => (to.stages[m] ? `"${m}" (a ${to.stages[m]!.kind} stage)` : `"${m}"`)).join(', ');
    throw new EngineError('INVALID_ARGUMENT', `version ${to.version} has no stage to land in for ${what}; map to one of: ${workStages.join(', ')}`, {
      field: 'stateMap',
      missing,
      allowed: workStages,
    });
  }
  const old = (state.snapshot as { context?: ProcessContext }).context ?? { unit: {}, tasks: {}, evidence: {}, anchors: {} };
  const entries: Record<string, StageEntry> = {};
  let seq = state.seq;
  const moves: StageMove[] = [];
  const effects: Effect[] = Object.entries(state.entries).map(([stage, e]) => ({ type: 'disarmTimers' as const, stage, seq: e.seq }));
  // The new active set: each target with its enclosing stages; an entry carries over from the old
  // stage that maps to it (or has its id), else it starts now.
  const sources = new Map<string, StageEntry>();
  leaves.forEach((s, i) => {
    const e = state.entries[s];
    if (e && !sources.has(targets[i]!)) sources.set(targets[i]!, e);
  });
  for (const target of targets) {
    for (const stage of [...to.stages[target]!.ancestors, target]) {
      if (entries[stage]) continue;
      const carried = sources.get(stage) ?? state.entries[stage];
      entries[stage] = carried
        ? { seq: carried.seq, arm: carried.arm + 1, enteredAt: carried.enteredAt, ...(carried.occurrence ? { occurrence: carried.occurrence } : {}) }
        : { seq: ++seq, arm: 1, enteredAt: now };
    }
  }
  // Checked evidence is kept per stage: it follows its stage to the stage it is mapped to.
  const evidence = { ...old.evidence };
  leaves.forEach((s, i) => {
    if (targets[i] !== s && old.evidence[s] && !evidence[targets[i]!]) evidence[targets[i]!] = old.evidence[s]!;
  });
  const tasks = { ...old.tasks };
  for (const stage of Object.keys(entries)) {
    for (const t of to.stages[stage]!.tasks) tasks[t.id] ??= { status: !t.when || evaluate(t.when, old) ? 'open' : 'skipped' };
  }
  const context: ProcessContext = { ...old, tasks, evidence };
  const snapshot = to.machine.resolveState({ value: stateValue(to, targets), context } as never);
  for (const [stage, entry] of Object.entries(entries)) {
    const before = sources.get(stage) ?? state.entries[stage];
    const armed = armStage(to.stages[stage]!, entry, context.anchors, calendar, context);
    entries[stage] = armed.entry;
    // A deadline the migration did not move keeps its past: rungs that already fired stay fired.
    if (before && before.dueAt === armed.entry.dueAt) armed.timers = armed.timers.filter((t) => t.kind === 'due' || t.fireAt > now);
    if (to.stages[stage]!.due)
      effects.push({
        type: 'deadline',
        stage,
        seq: armed.entry.seq,
        enteredAt: armed.entry.enteredAt,
        ...(armed.entry.dueAt !== undefined ? { dueAt: armed.entry.dueAt } : {}),
        moved: true,
      });
    if (armed.timers.length) effects.push({ type: 'armTimers', stage, seq: armed.entry.seq, arm: armed.entry.arm, timers: armed.timers });
    if (before?.dueAt !== armed.entry.dueAt || !before) {
      moves.push({
        stage,
        ...(before?.dueAt !== undefined ? { dueBefore: before.dueAt } : {}),
        ...(armed.entry.dueAt !== undefined ? { dueAfter: armed.entry.dueAt } : {}),
      });
    }
  }
  const active = activeStages(to, snapshot);
  return {
    step: {
      state: { snapshot: to.machine.getPersistedSnapshot(snapshot), entries, seq, ...(state.occurrences ? { occurrences: state.occurrences } : {}) },
      effects,
      status: 'running',
      active,
      stages: leafStages(to, active),
      context,
    },
    moves,
  };
}

/** XState's state value for a set of leaf stages: { outer: { track: 'leaf' } }. A stage directly
 * inside a parallel stage sits under its track's node. */
function stateValue(compiled: CompiledProcess, leaves: readonly string[]): Record<string, unknown> | string {
  const root: Record<string, unknown> = {};
  for (const leaf of leaves) {
    const path = [...compiled.stages[leaf]!.ancestors, leaf].flatMap((stage) => {
      const track = compiled.stages[stage]!.track;
      return track ? [track, stage] : [stage];
    });
    let node = root;
    for (const key of path) node = (node[key] ??= {}) as Record<string, unknown>;
  }
  return collapse(root);
}

function collapse(node: Record<string, unknown>): Record<string, unknown> | string {
  const keys = Object.keys(node);
  const empty = (k: string) => Object.keys(node[k] as object).length === 0;
  if (keys.length === 1 && empty(keys[0]!)) return keys[0]!;
  return Object.fromEntries(keys.map((k) => [k, empty(k) ? {} : collapse(node[k] as Record<string, unknown>)]));
}
