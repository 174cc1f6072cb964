// Evaluates declarative guards. Pure: the same context and event always give the same answer, so a
// replay of history reproduces every decision.
import type { Condition } from './types.generated.ts';

export type TaskStatus = 'open' | 'done' | 'skipped';

export interface TaskState {
  status: TaskStatus;
  data?: Record<string, unknown>;
}

/** What a running instance knows, as kept in the machine's context. */
export interface ProcessContext {
  unit: { kind?: string; levels?: string[] };
  tasks: Record<string, TaskState>;
  /** Per stage: evidence item → checked. */
  evidence: Record<string, Record<string, boolean>>;
  /** Anchor name → local date (YYYY-MM-DD). */
  anchors: Record<string, string>;
  /** The data of the last accepted event of each type (optional: older stored states lack it). */
  events?: Record<string, Record<string, unknown>>;
  /** Entries into each counted stage so far (1 on the first entry). */
  cycles?: Record<string, number>;
}

export interface GuardEvent {
  type: string;
  data?: Record<string, unknown>;
  [key: string]: unknown;
}

/**
 * A condition as compiled: `tasksDone: all` is replaced by the explicit list of the stage's
 * required tasks, so evaluation needs no knowledge of the definition.
 */
export type CompiledCondition = Omit<Condition, 'tasksDone' | 'all' | 'any' | 'not'> & {
  tasksDone?: string[];
  all?: CompiledCondition[];
  any?: CompiledCondition[];
  not?: CompiledCondition;
};

export function evaluate(c: CompiledCondition, context: ProcessContext, event?: GuardEvent): boolean {
  if (c.all) return c.all.every((x) => evaluate(x, context, event));
  if (c.any) return c.any.some((x) => evaluate(x, context, event));
  if (c.not) return !evaluate(c.not, context, event);
  if (c.tasksDone) return c.tasksDone.every((id) => isSettled(context.tasks[id]));
  if (c.anchorSet !== undefined) return typeof context.anchors[c.anchorSet] === 'string';
  if (c.field !== undefined) return compare(resolveOperands(c, context, event), readField(c.field, context, event));
  return true;
}

/** A task that was never opened because its `when` did not hold counts as settled. */
function isSettled(task: TaskState | undefined): boolean {
  return task !== undefined && (task.status === 'done' || task.status === 'skipped');
}

export function readField(ref: string, context: ProcessContext, event?: GuardEvent): unknown {
  const dot = ref.indexOf('.');
  const source = ref.slice(0, dot);
  const name = ref.slice(dot + 1);
  if (source === 'event') return ownValue(event?.data, name);
  if (source === 'unit') return ownValue(context.unit, name);
  if (source === 'anchors') return ownValue(context.anchors, name);
  if (source === 'cycle') return ownValue(context.cycles, name) ?? 0;
  if (source === 'events') {
    const [type, field] = [name.slice(0, name.indexOf('.')), name.slice(name.indexOf('.') + 1)];
    return ownValue(ownValue(context.events, type) as object | undefined, field);
  }
  return ownValue(context.tasks[source]?.data, name);
}

function ownValue(obj: object | undefined, key: string): unknown {
  return obj && Object.prototype.hasOwnProperty.call(obj, key) ? (obj as Record<string, unknown>)[key] : undefined;
}

const OPERATORS = ['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'before', 'onOrAfter'] as const;

/** `{ field: <ref> }` in place of a literal: the other field's value (another field against this one). */
function resolveOperands(c: CompiledCondition, context: ProcessContext, event?: GuardEvent): CompiledCondition {
  let out = c;
  for (const op of OPERATORS) {
    const v = (c as Record<string, unknown>)[op];
    if (isFieldRef(v)) out = { ...out, [op]: readField(v.field, context, event) ?? null };
  }
  return out;
}

export function isFieldRef(v: unknown): v is { field: string } {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && Object.keys(v).length === 1 && typeof (v as { field?: unknown }).field === 'string';
}

function compare(c: CompiledCondition, v: unknown): boolean {
  if (c.exists !== undefined) return (v !== undefined && v !== null) === c.exists;
  if ('eq' in c) return same(v, c.eq);
  if ('ne' in c) return !same(v, c.ne);
  if (c.in) return c.in.some((x) => same(v, x));
  if (c.notIn) return !c.notIn.some((x) => same(v, x));
  if ('contains' in c) {
    if (Array.isArray(v)) return v.some((x) => same(x, c.contains));
    return typeof v === 'string' && typeof c.contains === 'string' && v.includes(c.contains);
  }
  // Dates compare as ISO text (YYYY-MM-DD); an unknown date on either side never holds.
  if ('before' in c) return isoDate(v) && isoDate(c.before) && v < c.before;
  if ('onOrAfter' in c) return isoDate(v) && isoDate(c.onOrAfter) && v >= c.onOrAfter;
  if (typeof v !== 'number') return false;
  const n = (x: unknown): number => (typeof x === 'number' ? x : NaN);
  if ('gt' in c) return v > n(c.gt);
  if ('gte' in c) return v >= n(c.gte);
  if ('lt' in c) return v < n(c.lt);
  if ('lte' in c) return v <= n(c.lte);
  return false;
}

function same(a: unknown, b: unknown): boolean {
  return a === b || (typeof a === 'object' && typeof b === 'object' && JSON.stringify(a) === JSON.stringify(b));
}

function isoDate(v: unknown): v is string {
  return typeof v === 'string' && /^\d{4}-\d{2}-\d{2}/.test(v);
}
