// Why the process did not move: an event no active stage accepts, a task that is not open, or
// conditions not met — with what is missing, so the person can act on it.
import type { AnyMachineSnapshot } from 'xstate';
import { evaluate, isFieldRef, type CompiledCondition, type GuardEvent, type ProcessContext } from '../definition/conditions.ts';
import { ENGINE_EVENTS, type CompiledProcess } from '../definition/compile.ts';
import { DUE_EVENT } from '../definition/model.ts';
import type { NameKind } from '../definition/names.ts';
import { titlesOf } from '../definition/titles.ts';
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
  const names = titlesOf(compiled, event.type);
  const stageNames = leaves.map((l) => ['stage', l] as const);

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
      return new EngineError('TASK_NOT_OPEN', `task "${task}" is open already; only a done task can be reopened`, {
        task,
        status,
        names: names.of(['task', task]),
      });
    }
    return new EngineError(
      'TASK_NOT_OPEN',
      `task "${task}" of stage "${info.stage}" is ${status}${active.includes(info.stage) ? '' : ` and that stage is not active (now at ${where})`}; open tasks: ${open.join(', ') || 'none'}`,
      {
        task,
        status,
        open,
        stage: info.stage,
        stages: leaves,
        names: names.of(['task', task], ['stage', info.stage], ...open.map((o) => ['task', o] as const), ...stageNames),
      },
    );
  }
  if (event.type === ENGINE_EVENTS.checkEvidence) {
    const items = active.flatMap((s) => compiled.stages[s]!.evidence.map((e) => e.id));
    return new EngineError('STAGE_REJECTS_EVENT', `no evidence item "${String(event.item)}" at ${where}; items: ${items.join(', ') || 'none'}`, {
      item: event.item,
      allowed: items,
      stages: leaves,
      names: names.of(...items.map((i) => ['evidence', i] as const), ...stageNames),
    });
  }
  if (event.type === ENGINE_EVENTS.setAnchor) {
    const known = Object.keys(compiled.anchors);
    return new EngineError('UNKNOWN_ANCHOR', `unknown anchor "${String(event.name)}"; anchors are: ${known.join(', ') || 'none'}`, {
      anchor: event.name,
      allowed: known,
      names: names.of(...known.map((k) => ['anchor', k] as const)),
    });
  }
  const accepts = new Set(active.flatMap((s) => compiled.stages[s]!.accepts));
  if (!accepts.has(event.type)) {
    // DUE is the engine's to send; offering it to a person would mislead.
    const accepted = [...accepts].filter((e) => e !== DUE_EVENT);
    return new EngineError(
      'STAGE_REJECTS_EVENT',
      `${leaves.length > 1 ? 'stages' : 'stage'} ${where} ${leaves.length > 1 ? 'do' : 'does'} not accept ${event.type}; accepted now: ${accepted.join(', ') || 'nothing'}`,
      { event: event.type, stages: leaves, accepted, names: names.of(['event', event.type], ...accepted.map((a) => ['event', a] as const), ...stageNames) },
    );
  }
  const unmet = closestBranch(compiled, active, context, event);
  const missing = {
    tasks: unmet.flatMap((u) => (u.kind === 'task' ? [u.id] : [])),
    evidence: unmet.flatMap((u) => (u.kind === 'evidence' ? [u.id] : [])),
    anchors: unmet.flatMap((u) => (u.kind === 'anchor' ? [u.id] : [])),
  };
  const fields = unmet.flatMap((u) => {
    if (u.kind !== 'field') return [];
    const valueTitles = u.expected !== undefined ? names.valueTitles(u.field) : undefined;
    return [{ field: u.field, rule: u.rule, ...(u.expected !== undefined ? { expected: u.expected } : {}), ...(valueTitles ? { valueTitles } : {}) }];
  });
  const parts = [
    missing.tasks.length ? `tasks not done: ${missing.tasks.join(', ')}` : '',
    missing.evidence.length ? `evidence not checked: ${missing.evidence.join(', ')}` : '',
    missing.anchors.length ? `dates not set: ${missing.anchors.join(', ')}` : '',
    fields.length ? `data: ${fields.map((f) => `${f.field} ${f.rule}${f.expected !== undefined ? ` ${JSON.stringify(f.expected)}` : ''}`).join(', ')}` : '',
  ].filter(Boolean);
  return new EngineError(
    'CONDITION_NOT_MET',
    `${event.type} is not possible yet at ${where}: ${parts.join('; ') || 'its conditions are not met by this data'}`,
    { event: event.type, stages: leaves, ...missing, fields, names: names.of(['event', event.type], ...stageNames, ...unmet.map(unmetName)) },
  );
}

/** One thing a guard wants that is not so: a task, an evidence item, a date, or a value of the data or the record. */
type Unmet = { kind: 'task' | 'evidence' | 'anchor'; id: string } | { kind: 'field'; field: string; rule: string; expected?: unknown } | { kind: 'other' };

function unmetName(u: Unmet): readonly [NameKind, string] {
  if (u.kind === 'field') return ['field', u.field];
  if (u.kind === 'other') return ['other', ''];
  return [u.kind, u.id];
}

/**
 * What the event, with this data, lacks. An event may have several guarded transitions ("accepted"
 * goes on when the tasks are done, "returned" when a note says what to complete): the explanation
 * is the branch the person meant — the one whose choices in the event's data (decision = returned)
 * hold — and, among those, the nearest to passing. Blaming the tasks of a branch the person did not
 * choose would send them to the wrong place.
 */
function closestBranch(compiled: CompiledProcess, active: string[], context: ProcessContext, event: GuardEvent & { type: string }): Unmet[] {
  const byId = new Map<string, StateConfig>();
  const walk = (s: StateConfig): void => {
    if (s.id) byId.set(s.id, s);
    for (const child of Object.values(s.states ?? {})) walk(child);
  };
  walk(compiled.config as StateConfig);
  const branches: Unmet[][] = [];
  for (const stage of active) {
    const transitions = byId.get(stage)?.on?.[event.type];
    for (const t of ([] as { guard?: { params?: GuardParams } }[]).concat((transitions as never) ?? [])) {
      const p = t.guard?.params;
      const unmet = p?.cond ? unmetOf(p.cond, context, event) : [];
      for (const item of p?.evidence?.items ?? []) if (context.evidence[p!.evidence!.stage]?.[item] !== true) unmet.push({ kind: 'evidence', id: item });
      branches.push(unmet);
    }
  }
  const chosen = branches.filter((b) => !b.some(isFailedChoice));
  const pool = chosen.length ? chosen : branches;
  const best = pool.reduce<Unmet[] | undefined>((a, b) => (a === undefined || b.length < a.length ? b : a), undefined) ?? [];
  const seen = new Set<string>();
  return best.filter((u) => {
    const key = JSON.stringify(u);
    return seen.has(key) ? false : (seen.add(key), true);
  });
}

/** A value the person gave in the event's data (decision = accepted, errors = 0) that this branch is
 * not for; a value left out (a missing note) is what the branch lacks, not a sign of another choice. */
function isFailedChoice(u: Unmet): boolean {
  return u.kind === 'field' && u.field.startsWith('event.') && u.rule !== 'exists';
}

const RULES = ['exists', 'eq', 'ne', 'in', 'notIn', 'contains', 'gt', 'gte', 'lt', 'lte', 'before', 'onOrAfter'] as const;

function unmetOf(c: CompiledCondition, context: ProcessContext, event: GuardEvent): Unmet[] {
  if (evaluate(c, context, event)) return [];
  if (c.all) return c.all.flatMap((x) => unmetOf(x, context, event));
  if (c.any) {
    const options = c.any.map((x) => unmetOf(x, context, event));
    return options.reduce((a, b) => (b.length < a.length ? b : a));
  }
  if (c.tasksDone) return c.tasksDone.filter((id) => !['done', 'skipped'].includes(context.tasks[id]?.status ?? '')).map((id) => ({ kind: 'task', id }));
  if (c.anchorSet !== undefined) return [{ kind: 'anchor', id: c.anchorSet }];
  if (c.field !== undefined) {
    const rule = RULES.find((r) => r in c) ?? 'other';
    const expected = (c as Record<string, unknown>)[rule];
    return [{ kind: 'field', field: c.field, rule, ...(expected !== undefined && !isFieldRef(expected) ? { expected } : {}) }];
  }
  return [{ kind: 'other' }];
}
