// Definition → XState machine + stage table. The machine config stays plain JSON: guards and actions
// are referenced by name with JSON params and implemented once in `implementations.ts`. Output is a
// pure function of the definition (object key order follows the YAML), so the same file always
// compiles to byte-identical JSON.
import { setup, type AnyStateMachine } from 'xstate';
import { parseLocalDate } from '../calendar/time.ts';
import type { CompiledCondition } from './conditions.ts';
import { formToJsonSchema, type JsonSchemaObject } from './forms.ts';
import { machineImplementations } from './implementations.ts';
import {
  asList,
  childMaps,
  CHILDREN_DONE_EVENT,
  DUE_EVENT,
  OWNER_ALIAS,
  isRecord,
  isWithin,
  ownerOf,
  rolesOf,
  stageNodes,
  tasksWithin,
  transitionsOf,
  type ProcessDefinition,
  type StageKind,
  type StageNode,
  type TransitionRef,
} from './model.ts';
import type { Condition, Due, FanOut, Form, OrgUnitKind, Role, Stage, Text } from './types.generated.ts';

export type DurationUnit = 'workingDays' | 'days' | 'months' | 'years';

export interface Offset {
  unit: DurationUnit;
  amount: number;
}

/**
 * One deadline rule, normalised. `rollForward` keeps its old meaning (a last day off moves to the
 * next working day); `rollBack` (only when set) moves it to the working day before instead. `every`
 * makes it repeat: the stage's n-th entry is due (n − 1) × every after the first due day.
 */
export type SimpleDueRule = (
  | ({ from: 'entry'; rollForward: boolean } & Offset)
  | { from: 'date'; date: string; rollForward: boolean }
  | ({ from: 'anchor'; anchor: string; rollForward: boolean } & Offset)
) & { rollBack?: true; every?: Offset };

/** When a stage is due: one rule, or rules chosen by condition on entering the stage (the first that holds). */
export type DueRule = SimpleDueRule | { from: 'choice'; choices: { when?: CompiledCondition; rule: SimpleDueRule }[] };

/** An anchor's default counted from the instance's start (resolved by the runtime when it starts). */
export type RelativeDefault = { schoolYear: string } | { year: string } | { fromStart: Offset };

export interface LadderStep {
  at: Offset;
  kind: 'reminder' | 'overdue' | 'escalation';
  /** Role names, with `owner` already replaced by the stage's owner. */
  notify: string[];
  message?: Text;
}

export interface TaskInfo {
  id: string;
  stage: string;
  title: Text;
  description?: Text;
  owner: string;
  required: boolean;
  when?: CompiledCondition;
  /** The form as written (bilingual labels), for rendering. */
  form?: Form;
  /** The same form as plain JSON Schema, for validating what is submitted. */
  formSchema?: JsonSchemaObject;
  /** Form fields filled in beforehand from the roll-up: field → children.<x> | rollup.<name>.<figure>. */
  prefill?: Record<string, string>;
}

export interface StageInfo {
  id: string;
  title: Text;
  description?: Text;
  kind: StageKind;
  /** Enclosing stages, outermost first. */
  ancestors: string[];
  track?: string;
  owner?: string;
  legalBasis: string[];
  due?: DueRule;
  escalate: LadderStep[];
  tasks: TaskInfo[];
  evidence: { id: string; title: Text; required: boolean }[];
  /** Events this stage (or an enclosing one) has transitions for, besides the engine's own. */
  accepts: string[];
  /** Work the stage opens for the units below (a child instance each), as written. */
  fanOut?: FanOut;
  /** Anchors cleared on each entry (asked again when a cycle comes round). */
  resetAnchors?: string[];
  /** Whether the stage's entries are counted (a repeating deadline, or a guard reads cycle.<stage>). */
  counted?: true;
}

export interface CompiledProcess {
  id: string;
  version: number;
  title: Text;
  calendar: string;
  appliesTo: OrgUnitKind[];
  legalBasis: string[];
  roles: Record<string, Role>;
  /** `default`: a fixed date; `relative`: one counted from the instance's start. */
  anchors: Record<string, { title: Text; default?: string; relative?: RelativeDefault }>;
  /** Lists of unit codes given at start (a sample). */
  lists: Record<string, { title: Text }>;
  events: Record<string, { title?: Text; form?: Form; formSchema?: JsonSchemaObject }>;
  initial: string;
  /** The stage table: everything the runtime needs about each stage, by stage id. */
  stages: Record<string, StageInfo>;
  /** The machine config, plain JSON (what `tiendo compile` prints). */
  config: Record<string, unknown>;
  machine: AnyStateMachine;
}

/** Engine events: kept lower-case with a dot so they can never clash with UPPER_CASE process events. */
export const ENGINE_EVENTS = {
  completeTask: 'task.complete',
  /** Reopens a completed task of an active stage, for a correction before the stage is left. */
  reopenTask: 'task.reopen',
  checkEvidence: 'evidence.check',
  setAnchor: 'anchor.set',
} as const;

/**
 * What the engine's own events are called wherever events are shown (history, buttons): a process
 * declares titles for its events, these it cannot declare. A process may still title DUE or
 * CHILDREN_DONE its own way.
 */
export const BUILT_IN_EVENT_TITLES: Readonly<Record<string, Text>> = {
  [DUE_EVENT]: { vi: 'Hết hạn', en: 'Deadline passed' },
  [CHILDREN_DONE_EVENT]: { vi: 'Các đơn vị cấp dưới đã báo cáo đủ', en: 'The units below have answered' },
  [ENGINE_EVENTS.completeTask]: { vi: 'Hoàn thành việc', en: 'Task completed' },
  [ENGINE_EVENTS.reopenTask]: { vi: 'Mở lại việc', en: 'Task reopened' },
  [ENGINE_EVENTS.checkEvidence]: { vi: 'Cập nhật minh chứng', en: 'Evidence updated' },
  [ENGINE_EVENTS.setAnchor]: { vi: 'Đặt mốc thời gian', en: 'Anchor date set' },
};

/** An event's title: the process's own, else the engine's; undefined for an untitled process event. */
export function eventTitle(compiled: Pick<CompiledProcess, 'events'>, type: string): Text | undefined {
  const own = Object.hasOwn(compiled.events, type) ? compiled.events[type]?.title : undefined;
  return own ?? (Object.hasOwn(BUILT_IN_EVENT_TITLES, type) ? BUILT_IN_EVENT_TITLES[type] : undefined);
}

/** Compiles a definition that passed validation; throws on one that did not (a programming error). */
export function compileProcess(def: ProcessDefinition): CompiledProcess {
  const nodes = stageNodes(def);
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const stages: Record<string, StageInfo> = {};
  const counted = countedStages(def, nodes);
  for (const node of nodes) stages[node.id] = stageInfo(node, nodes, counted);
  const config = machineConfig(def, nodes, byId, stages);
  const anchors = Object.fromEntries(Object.entries(def.anchors ?? {}).map(([name, a]) => [name, compileAnchor(a)]));
  // The config is built at run time from YAML, so XState's static typing has nothing to check here.
  const machine = setup(machineImplementations as never).createMachine({
    ...(config as object),
    context: ({ input }: { input?: { unit?: { kind?: string; levels?: string[] }; anchors?: Record<string, string>; lists?: Record<string, string[]> } }) => ({
      unit: { ...(input?.unit ?? {}) },
      tasks: {},
      evidence: {},
      anchors: { ...defaultAnchors(anchors), ...(input?.anchors ?? {}) },
      ...(input?.lists && Object.keys(input.lists).length ? { lists: input.lists } : {}),
    }),
  } as never) as unknown as AnyStateMachine;
  return {
    id: def.id,
    version: def.version,
    title: def.title,
    calendar: def.calendar,
    appliesTo: def.appliesTo,
    legalBasis: def.legalBasis,
    roles: rolesOf(def),
    anchors,
    lists: Object.fromEntries(Object.entries(def.lists ?? {}).map(([name, l]) => [name, { title: l.title }])),
    events: Object.fromEntries(Object.entries(def.events ?? {}).map(([name, e]) => [name, e.form ? { ...e, formSchema: formToJsonSchema(e.form) } : { ...e }])),
    initial: def.initial,
    stages,
    config,
    machine,
  };
}

function compileAnchor(a: NonNullable<ProcessDefinition['anchors']>[string]): CompiledProcess['anchors'][string] {
  const { default: given, ...rest } = a;
  if (typeof given === 'string') return { ...rest, default: parseLocalDate(given) };
  if (given?.schoolYear) return { ...rest, relative: { schoolYear: given.schoolYear } };
  if (given?.year) return { ...rest, relative: { year: given.year } };
  if (given?.fromStart) return { ...rest, relative: { fromStart: toOffset(given.fromStart as Record<string, number>) } };
  return { ...rest };
}

/** Stages whose entries are counted: a repeating deadline, or a guard that reads cycle.<stage>. */
function countedStages(def: ProcessDefinition, nodes: StageNode[]): Set<string> {
  const out = new Set<string>();
  for (const n of nodes) if (dueList(n.stage.due).some((d) => d.every)) out.add(n.id);
  const visit = (v: unknown, key?: string): void => {
    if (typeof v === 'string' && key === 'field' && v.startsWith('cycle.')) out.add(v.slice('cycle.'.length));
    else if (Array.isArray(v)) v.forEach((x) => visit(x));
    else if (typeof v === 'object' && v !== null) for (const [k, x] of Object.entries(v)) visit(x, k);
  };
  visit(def.stages);
  return out;
}

function dueList(due: Stage['due']): Due[] {
  return due === undefined ? [] : Array.isArray(due) ? due : [due];
}

/** The anchors a deadline rule counts from (any of its choices). */
export function dueAnchors(rule: DueRule | undefined): string[] {
  if (!rule) return [];
  if (rule.from === 'choice') return [...new Set(rule.choices.flatMap((c) => dueAnchors(c.rule)))];
  return rule.from === 'anchor' ? [rule.anchor] : [];
}

function defaultAnchors(anchors: CompiledProcess['anchors']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, a] of Object.entries(anchors)) if (a.default) out[name] = a.default;
  return out;
}

function stageInfo(node: StageNode, nodes: StageNode[], counted: Set<string>): StageInfo {
  const s = node.stage;
  const owner = ownerOf(node);
  const ancestors: string[] = [];
  for (let p = node.parent; p; p = p.parent) ancestors.unshift(p.id);
  const accepts = new Set<string>();
  for (let n: StageNode | undefined = node; n; n = n.parent) {
    for (const t of transitionsOf(n)) if (t.on !== 'always' && t.on !== 'done') accepts.add(t.on);
  }
  const info: StageInfo = {
    id: node.id,
    title: s.title,
    kind: node.kind,
    ancestors,
    legalBasis: s.legalBasis ?? [],
    escalate: asList(s.escalate).map((step) => ({
      at: toOffset(step.at as Record<string, number>),
      kind: step.kind,
      notify: asList(step.notify).map((r) => (r === OWNER_ALIAS ? (owner ?? r) : r)),
      ...(step.message ? { message: step.message } : {}),
    })),
    tasks: asList(s.tasks).map((t) => {
      const task: TaskInfo = { id: t.id, stage: node.id, title: t.title, owner: t.owner ?? owner ?? 'school', required: t.required ?? true };
      if (t.description) task.description = t.description;
      if (t.when) task.when = compileCondition(t.when, node, nodes);
      if (t.form) {
        task.form = t.form;
        task.formSchema = formToJsonSchema(t.form);
      }
      if (t.prefill) task.prefill = { ...t.prefill };
      return task;
    }),
    evidence: asList(s.evidence).map((e) => ({ id: e.id, title: e.title, required: e.required ?? true })),
    accepts: [...accepts],
  };
  if (s.description) info.description = s.description;
  if (node.track) info.track = node.track;
  if (owner) info.owner = owner;
  if (Array.isArray(s.due)) {
    info.due = {
      from: 'choice',
      choices: s.due.map((d) => ({ ...(d.when ? { when: compileCondition(d.when, node, nodes) } : {}), rule: toDueRule(d as Record<string, unknown>) })),
    };
  } else if (s.due) info.due = toDueRule(s.due as Record<string, unknown>);
  if (s.resetAnchors?.length) info.resetAnchors = [...s.resetAnchors];
  if (counted.has(node.id)) info.counted = true;
  if (s.fanOut) info.fanOut = s.fanOut;
  return info;
}

const UNITS: DurationUnit[] = ['workingDays', 'days', 'months', 'years'];

function toOffset(d: Record<string, unknown>): Offset {
  const unit = UNITS.find((u) => typeof d[u] === 'number');
  return unit ? { unit, amount: d[unit] as number } : { unit: 'days', amount: 0 };
}

/**
 * `roll` wins over `rollForward`. Without either: a fixed date is kept as written, a period counted
 * backward from an anchor ("no later than 5 months before expiry") rolls back to the working day
 * before, any other counted period rolls forward (Civil Code Art. 148).
 */
function toDueRule(due: Record<string, unknown>): SimpleDueRule {
  const extra = (roll: 'forward' | 'back' | 'none'): { rollForward: boolean; rollBack?: true; every?: Offset } => ({
    rollForward: roll === 'forward',
    ...(roll === 'back' ? { rollBack: true as const } : {}),
    ...(isRecord(due.every) ? { every: toOffset(due.every) } : {}),
  });
  const given = typeof due.roll === 'string' ? due.roll : typeof due.rollForward === 'boolean' ? (due.rollForward ? 'forward' : 'none') : undefined;
  if (typeof due.date === 'string') return { from: 'date', date: parseLocalDate(due.date), ...extra((given ?? 'none') as 'none') };
  const offset = toOffset(due);
  if (typeof due.anchor === 'string') {
    const roll = given ?? (offset.amount < 0 && offset.unit !== 'workingDays' ? 'back' : 'forward');
    return { from: 'anchor', anchor: due.anchor, ...offset, ...extra(roll as 'forward') };
  }
  return { from: 'entry', ...offset, ...extra((given ?? 'forward') as 'forward') };
}

export function compileCondition(c: Condition, node: StageNode, nodes: StageNode[]): CompiledCondition {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(c)) {
    // `all` means the required tasks of the stage and of the stages inside it.
    if (key === 'tasksDone') out.tasksDone = value === 'all' ? tasksWithin(nodes, node, true) : value;
    else if (key === 'all' || key === 'any') out[key] = (value as Condition[]).map((x) => compileCondition(x, node, nodes));
    else if (key === 'not') out.not = compileCondition(value as Condition, node, nodes);
    else out[key] = value;
  }
  return out as CompiledCondition;
}

function transitionConfig(t: TransitionRef, node: StageNode, byId: Map<string, StageNode>, nodes: StageNode[], info: StageInfo): Record<string, unknown> {
  const target = byId.get(t.transition.target);
  const out: Record<string, unknown> = { target: `#${t.transition.target}` };
  // Re-entering the stage itself or an enclosing stage must re-run entry (reopen tasks, re-arm deadlines).
  if (target && isWithin(node, target)) out.reenter = true;
  const params: Record<string, unknown> = {};
  // The engine's own events name the stage they are for (parallel stages may each have one).
  if (t.on === DUE_EVENT || t.on === CHILDREN_DONE_EVENT) params.due = node.id;
  const required = info.evidence.filter((e) => e.required).map((e) => e.id);
  const leaving = !target || target === node || !isWithin(target, node);
  if (required.length && leaving && !t.transition.ignoreEvidence) params.evidence = { stage: node.id, items: required };
  if (t.transition.when) params.cond = compileCondition(t.transition.when, node, nodes);
  if (Object.keys(params).length) out.guard = { type: 'when', params };
  const actions: unknown[] = [];
  // What was said stays said: the event's data is kept in the context (context.events[EVENT]).
  if (t.on !== 'always' && t.on !== 'done' && t.on !== DUE_EVENT) actions.push({ type: 'keepEvent' });
  if (t.transition.setAnchors && Object.keys(t.transition.setAnchors).length)
    actions.push({ type: 'setAnchors', params: { anchors: { ...t.transition.setAnchors } } });
  if (actions.length) out.actions = actions;
  return out;
}

function machineConfig(def: ProcessDefinition, nodes: StageNode[], byId: Map<string, StageNode>, stages: Record<string, StageInfo>): Record<string, unknown> {
  const stateOf = (node: StageNode): Record<string, unknown> => {
    const s = node.stage;
    const info = stages[node.id]!;
    // The tag lets anyone list the active stages from a snapshot (snapshot.tags), tracks included.
    const out: Record<string, unknown> = { id: node.id, tags: [node.id] };
    if (node.kind === 'final') out.type = 'final';
    if (node.kind === 'parallel') out.type = 'parallel';
    const children = childMaps(s);
    if (node.kind === 'compound' && children[0]) {
      out.initial = children[0].initial;
      out.states = statesOf(children[0].stages, node);
    }
    if (node.kind === 'parallel') {
      out.states = Object.fromEntries(children.map((c) => [c.track!, { initial: c.initial, states: statesOf(c.stages, node) }]));
    }
    const entry: unknown[] = [{ type: 'enterStage', params: { stage: node.id } }];
    if (info.counted) entry.push({ type: 'countEntry', params: { stage: node.id } });
    if (info.resetAnchors) entry.push({ type: 'resetAnchors', params: { anchors: info.resetAnchors } });
    if (info.tasks.length || info.evidence.length) {
      entry.push({
        type: 'openTasks',
        params: { stage: node.id, tasks: info.tasks.map((t) => (t.when ? { id: t.id, when: t.when } : { id: t.id })) },
      });
    }
    out.entry = entry;
    out.exit = [{ type: 'leaveStage', params: { stage: node.id } }];
    const on: Record<string, unknown> = {};
    const always: unknown[] = [];
    const done: unknown[] = [];
    for (const t of transitionsOf(node)) {
      const cfg = transitionConfig(t, node, byId, nodes, info);
      if (t.on === 'always') always.push(cfg);
      else if (t.on === 'done') done.push(cfg);
      else ((on[t.on] ??= []) as unknown[]).push(cfg);
    }
    if (info.tasks.length) {
      on[ENGINE_EVENTS.completeTask] = {
        guard: { type: 'taskOpen', params: { tasks: info.tasks.map((t) => t.id) } },
        actions: [{ type: 'completeTask' }],
      };
      on[ENGINE_EVENTS.reopenTask] = {
        guard: { type: 'taskDone', params: { tasks: info.tasks.map((t) => t.id) } },
        actions: [{ type: 'reopenTask' }],
      };
    }
    if (info.evidence.length) {
      on[ENGINE_EVENTS.checkEvidence] = {
        guard: { type: 'evidenceItem', params: { items: info.evidence.map((e) => e.id) } },
        actions: [{ type: 'checkEvidence', params: { stage: node.id } }],
      };
    }
    if (Object.keys(on).length) out.on = on;
    if (always.length) out.always = always;
    if (done.length) out.onDone = done;
    return out;
  };
  const statesOf = (map: Record<string, unknown>, parent?: StageNode): Record<string, unknown> =>
    Object.fromEntries(
      nodes.filter((n) => n.parent === parent && Object.prototype.hasOwnProperty.call(map, n.id) && map[n.id] === n.stage).map((n) => [n.id, stateOf(n)]),
    );
  const config: Record<string, unknown> = { id: def.id, initial: def.initial, states: statesOf(def.stages as Record<string, unknown>) };
  const anchors = Object.keys(def.anchors ?? {});
  if (anchors.length) {
    config.on = {
      [ENGINE_EVENTS.setAnchor]: { guard: { type: 'anchorKnown', params: { anchors } }, actions: [{ type: 'setAnchor' }] },
    };
  }
  return config;
}
