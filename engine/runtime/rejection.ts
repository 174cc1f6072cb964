// Why the process did not move: an event no active stage accepts, a task that is not open, or
// conditions not met — with what is missing, so the person can act on it.
import type { AnyMachineSnapshot } from 'xstate';
import type { CompiledCondition, ProcessContext } from '../definition/conditions.ts';
import { ENGINE_EVENTS, type CompiledProcess } from '../definition/compile.ts';
import { DUE_EVENT } from '../definition/model.ts';
import { EngineError } from '../errors.ts';
import { activeStages, leafStages } from './stages.ts';

interface StateConfig {
  id?: string;
  on?: Record<string, unknown>;
  states?: Record<string, StateConfig>;
}

interface GuardParams {
  cond?: CompiledCondition;
  evidence?: { stage: string; items: string[] };
}

export function explainRejection(compiled: CompiledProcess, snapshot: AnyMachineSnapshot, event: { type: string; [k: string]: unknown }): EngineError {
  const active = activeStages(compiled, snapshot);
  const context = snapshot.context as ProcessContext;
  const leaves = leafStages(compiled, active);
  const where = leaves.map((s) => `"${s}"`).join(', ');

  if (event.type === ENGINE_EVENTS.completeTask || event.type === ENGINE_EVENTS.reopenTask) {
    const task = String(event.task);
    const all = Object.values(compiled.stages).flatMap((s) => s.tasks);
    const info = all.find((t) => t.id === task);
    if (!info) return new EngineError('UNKNOWN_TASK', `no task "${task}" in ${compiled.id}`, { task });
    // A task of a stage that was left keeps its last status in the context; to the person it is closed.
    const status = !active.includes(info.stage) && context.tasks[task]?.status === 'open' ? 'closed' : (context.tasks[task]?.status ?? 'not opened');
    const open = active
      .flatMap((s) => compiled.stages[s]!.tasks)
      .filter((t) => context.tasks[t.id]?.status === 'open')
      .map((t) => t.id);
    if (event.type === ENGINE_EVENTS.reopenTask && status === 'open' && active.includes(info.stage)) {
      return new EngineError('TASK_NOT_OPEN', `task "${task}" is open already; only a done task can be reopened`, { task, status });
    }
    return new EngineError(
      'TASK_NOT_OPEN',
      `task "${task}" of stage "${info.stage}" is ${status}${active.includes(info.stage) ? '' : ` and that stage is not active (now at ${where})`}; open tasks: ${open.join(', ') || 'none'}`,
      { task, status, open },
    );
  }
  if (event.type === ENGINE_EVENTS.checkEvidence) {
    const items = active.flatMap((s) => compiled.stages[s]!.evidence.map((e) => e.id));
    return new EngineError('STAGE_REJECTS_EVENT', `no evidence item "${String(event.item)}" at ${where}; items: ${items.join(', ') || 'none'}`, {
      item: event.item,
      allowed: items,
    });
  }
  if (event.type === ENGINE_EVENTS.setAnchor) {
    const known = Object.keys(compiled.anchors);
    return new EngineError('UNKNOWN_ANCHOR', `unknown anchor "${String(event.name)}"; anchors are: ${known.join(', ') || 'none'}`, { anchor: event.name });
  }
  const accepts = new Set(active.flatMap((s) => compiled.stages[s]!.accepts));
  if (!accepts.has(event.type)) {
    // DUE is the engine's to send; offering it to a person would mislead.
    const accepted = [...accepts].filter((e) => e !== DUE_EVENT);
    return new EngineError(
      'STAGE_REJECTS_EVENT',
      `${leaves.length > 1 ? 'stages' : 'stage'} ${where} ${leaves.length > 1 ? 'do' : 'does'} not accept ${event.type}; accepted now: ${accepted.join(', ') || 'nothing'}`,
      { event: event.type, stages: leaves, accepted },
    );
  }
  const missing = missingFor(compiled, active, context, event.type);
  const parts = [
    missing.tasks.length ? `tasks not done: ${missing.tasks.join(', ')}` : '',
    missing.evidence.length ? `evidence not checked: ${missing.evidence.join(', ')}` : '',
    missing.anchors.length ? `dates not set: ${missing.anchors.join(', ')}` : '',
  ].filter(Boolean);
  return new EngineError(
    'CONDITION_NOT_MET',
    `${event.type} is not possible yet at ${where}: ${parts.join('; ') || 'its conditions are not met by this data'}`,
    { event: event.type, stages: leaves, ...missing },
  );
}

function missingFor(
  compiled: CompiledProcess,
  active: string[],
  context: ProcessContext,
  type: string,
): { tasks: string[]; evidence: string[]; anchors: string[] } {
  const byId = new Map<string, StateConfig>();
  const walk = (s: StateConfig): void => {
    if (s.id) byId.set(s.id, s);
    for (const child of Object.values(s.states ?? {})) walk(child);
  };
  walk(compiled.config as StateConfig);
  const tasks = new Set<string>();
  const evidence = new Set<string>();
  const anchors = new Set<string>();
  for (const stage of active) {
    const transitions = byId.get(stage)?.on?.[type];
    for (const t of ([] as { guard?: { params?: GuardParams } }[]).concat((transitions as never) ?? [])) {
      const p = t.guard?.params;
      for (const id of tasksIn(p?.cond)) if (!['done', 'skipped'].includes(context.tasks[id]?.status ?? '')) tasks.add(id);
      for (const item of p?.evidence?.items ?? []) if (context.evidence[p!.evidence!.stage]?.[item] !== true) evidence.add(item);
      for (const name of anchorsIn(p?.cond)) if (context.anchors[name] === undefined) anchors.add(name);
    }
  }
  return { tasks: [...tasks], evidence: [...evidence], anchors: [...anchors] };
}

/** Task ids a condition requires (top level and inside `all`), for the explanation only. */
function tasksIn(c: CompiledCondition | undefined): string[] {
  if (!c) return [];
  return [...(c.tasksDone ?? []), ...(c.all ?? []).flatMap(tasksIn)];
}

/** Anchors a condition requires to be set (top level and inside `all`). */
function anchorsIn(c: CompiledCondition | undefined): string[] {
  if (!c) return [];
  return [...(c.anchorSet ? [c.anchorSet] : []), ...(c.all ?? []).flatMap(anchorsIn)];
}
