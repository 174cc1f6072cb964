// The named guards and actions every compiled machine is set up with. The machine config refers to
// them by name with JSON params; this file is the only code behind a definition.
import { assign } from 'xstate';
import { parseLocalDate } from '../calendar/time.ts';
import { evaluate, readField, type CompiledCondition, type GuardEvent, type ProcessContext, type TaskState } from './conditions.ts';

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
    /** The last accepted event of each type keeps its data, for guards (events.<EVENT>.<field>) and views. */
    keepEvent: assign(({ context, event }: Args) => ({
      events: { ...context.events, [event.type]: { ...(event.data ?? {}) } },
    })),
    /** setAnchors on a transition: each anchor from a date field of the event or of a task. A field
     * that is missing or not a date leaves the anchor as it was. */
    setAnchors: assign(({ context, event }: Args, p: { anchors: Record<string, string> }) => {
      const anchors = { ...context.anchors };
      for (const [name, ref] of Object.entries(p.anchors)) {
        const date = asDate(readField(ref, context, event));
        if (date) anchors[name] = date;
      }
      return { anchors };
    }),
    /** resetAnchors on a stage: on each entry, those anchors are to be given again. */
    resetAnchors: assign(({ context }: Args, p: { anchors: string[] }) => {
      const anchors = { ...context.anchors };
      for (const name of p.anchors) delete anchors[name];
      return { anchors };
    }),
    /** Counts entries into a stage whose deadline repeats or whose count a guard reads (cycle.<stage>). */
    countEntry: assign(({ context }: Args, p: { stage: string }) => ({
      cycles: { ...context.cycles, [p.stage]: (context.cycles?.[p.stage] ?? 0) + 1 },
    })),
  },
};

function asDate(v: unknown): string | undefined {
  if (typeof v !== 'string') return undefined;
  try {
    return parseLocalDate(v.length > 10 && /^\d{4}-\d{2}-\d{2}T/.test(v) ? v.slice(0, 10) : v);
  } catch {
    return undefined;
  }
}
