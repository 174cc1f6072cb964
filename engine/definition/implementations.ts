// The named guards and actions every compiled machine is set up with. The machine config refers to
// them by name with JSON params; this file is the only code behind a definition.
import { assign } from 'xstate';
import { evaluate, type CompiledCondition, type GuardEvent, type ProcessContext, type TaskState } from './conditions.ts';

interface WhenParams {
  cond?: CompiledCondition;
  evidence?: { stage: string; items: string[] };
  /** For DUE transitions: the stage whose deadline this is (parallel stages may each have one). */
  due?: string;
}

type Args = { context: ProcessContext; event: GuardEvent };

export const machineImplementations = {
  guards: {
    when: ({ context, event }: Args, p: WhenParams): boolean =>
      (p.due === undefined || event.stage === p.due) &&
      (!p.evidence || p.evidence.items.every((item) => context.evidence[p.evidence!.stage]?.[item] === true)) &&
      (!p.cond || evaluate(p.cond, context, event)),
    taskOpen: ({ context, event }: Args, p: { tasks: string[] }): boolean =>
      typeof event.task === 'string' && p.tasks.includes(event.task) && context.tasks[event.task]?.status === 'open',
    taskDone: ({ context, event }: Args, p: { tasks: string[] }): boolean =>
      typeof event.task === 'string' && p.tasks.includes(event.task) && context.tasks[event.task]?.status === 'done',
    evidenceItem: ({ event }: Args, p: { items: string[] }): boolean => typeof event.item === 'string' && p.items.includes(event.item),
    anchorKnown: ({ event }: Args, p: { anchors: string[] }): boolean =>
      typeof event.name === 'string' && p.anchors.includes(event.name) && (event.date === null || typeof event.date === 'string'),
  },
  actions: {
    // Markers: returned by transition() for the runtime to turn into effects (open tasks, arm timers).
    enterStage: (_: unknown, _params: { stage: string }) => {},
    leaveStage: (_: unknown, _params: { stage: string }) => {},
    openTasks: assign(({ context }: Args, p: { stage: string; tasks: { id: string; when?: CompiledCondition }[] }) => {
      const tasks: Record<string, TaskState> = { ...context.tasks };
      for (const t of p.tasks) tasks[t.id] = { status: !t.when || evaluate(t.when, context) ? 'open' : 'skipped' };
      return { tasks, evidence: { ...context.evidence, [p.stage]: {} } };
    }),
    completeTask: assign(({ context, event }: Args) => ({
      tasks: { ...context.tasks, [String(event.task)]: { status: 'done' as const, data: { ...(event.data ?? {}) } } },
    })),
    reopenTask: assign(({ context, event }: Args) => ({
      tasks: { ...context.tasks, [String(event.task)]: { status: 'open' as const } },
    })),
    checkEvidence: assign(({ context, event }: Args, p: { stage: string }) => ({
      evidence: { ...context.evidence, [p.stage]: { ...context.evidence[p.stage], [String(event.item)]: event.checked !== false } },
    })),
    setAnchor: assign(({ context, event }: Args) => {
      const anchors = { ...context.anchors };
      if (event.date === null) delete anchors[String(event.name)];
      else anchors[String(event.name)] = String(event.date);
      return { anchors };
    }),
  },
};
