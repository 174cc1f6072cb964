// Semantic checks the schema cannot express: names that must refer to something, stages that can
// never be reached or never left, guards on fields nobody declares, ladders out of order, dates the
// calendar does not cover. Written defensively: it also runs on definitions the schema rejected, so
// that one run reports every problem.
import { daysInMonth, parseLocalDate } from '../calendar/time.ts';
import { listOf, type DiagnosticSink, type DocPath } from './diagnostics.ts';
import { lintConditions } from './lint-conditions.ts';
import { lintFanOuts } from './lint-fan-out.ts';
import { suggest } from './suggest.ts';
import { lintForms } from './lint-forms.ts';
import {
  asList,
  CHILDREN_ALIAS,
  childMaps,
  DUE_EVENT,
  isRecord,
  OWNER_ALIAS,
  ownerOf,
  rolesOf,
  stageNodes,
  transitionsOf,
  type ProcessDefinition,
  type StageNode,
} from './model.ts';
import type { Duration } from './types.generated.ts';

export interface LintOptions {
  /** Calendars that exist, with the years their data covers; absent = calendars are not checked. */
  calendars?: Record<string, { firstYear: number; lastYear: number }>;
  /**
   * Skip the flow checks (unreachable stages, dead ends). Set when the schema already rejected the
   * document: on a malformed `on` they would only echo that error.
   */
  skipFlow?: boolean;
  /**
   * The shipped library (processes/): what people would otherwise see as a raw name — an event
   * without a title, an option without one — is an error there, and only a warning elsewhere.
   */
  library?: boolean;
}

export function lintDefinition(def: ProcessDefinition, sink: DiagnosticSink, options: LintOptions = {}): void {
  const nodes = stageNodes(def);
  const byId = new Map<string, StageNode>();
  for (const node of nodes) {
    const seen = byId.get(node.id);
    if (seen)
      sink.error(
        'DUPLICATE_STAGE',
        node.path,
        `stage "${node.id}" is already defined at ${seen.path.join('.')}; stage names must be unique in a process`,
        'key',
      );
    else byId.set(node.id, node);
  }
  const names = [...byId.keys()];
  const ctx: LintContext = { def, sink, nodes, byId, names, options };
  lintShapes(ctx);
  lintTargets(ctx);
  // With a misspelt target, a doubled stage name or a malformed stage, "unreachable" and "dead end"
  // would only echo that first mistake: report it alone.
  if (!options.skipFlow && !sink.items.some((d) => STRUCTURAL.has(d.code))) lintReachability(ctx);
  lintRoles(ctx);
  lintTasks(ctx);
  lintDeadlines(ctx);
  lintCalendar(ctx);
  lintConditions(ctx);
  lintForms(ctx);
  lintFanOuts(ctx);
}

const STRUCTURAL = new Set(['DUPLICATE_STAGE', 'UNKNOWN_TARGET', 'UNKNOWN_INITIAL', 'STAGE_SHAPE']);

export interface LintContext {
  def: ProcessDefinition;
  sink: DiagnosticSink;
  nodes: StageNode[];
  byId: Map<string, StageNode>;
  names: string[];
  options: LintOptions;
}

function lintShapes({ def, sink, nodes }: LintContext): void {
  if (typeof def.initial === 'string' && isRecord(def.stages) && !(def.initial in def.stages)) {
    sink.error(
      'UNKNOWN_INITIAL',
      ['initial'],
      `initial stage "${def.initial}" is not a top-level stage${suggest(def.initial, Object.keys(def.stages))}; top-level stages are: ${listOf(Object.keys(def.stages))}`,
    );
  }
  for (const node of nodes) {
    const s = node.stage;
    const at = node.path;
    if (node.kind === 'final') {
      for (const key of ['on', 'always', 'done', 'tasks', 'due', 'escalate', 'evidence', 'stages', 'tracks'] as const) {
        if (s[key] !== undefined)
          sink.error('FINAL_STAGE_ACTIVE', [...at, key], `final stage "${node.id}" cannot have "${key}": nothing happens after a final stage`, 'key');
      }
    }
    if (s.type === 'parallel' && !isRecord(s.tracks)) sink.error('STAGE_SHAPE', at, `parallel stage "${node.id}" needs "tracks"`, 'key');
    if (s.tracks !== undefined && s.type !== 'parallel')
      sink.error('STAGE_SHAPE', [...at, 'tracks'], `stage "${node.id}" has tracks but is not "type: parallel"`, 'key');
    if (s.stages !== undefined && s.type === 'parallel')
      sink.error('STAGE_SHAPE', [...at, 'stages'], `parallel stage "${node.id}" holds its stages under "tracks", not "stages"`, 'key');
    if (s.stages !== undefined && s.initial === undefined) sink.error('STAGE_SHAPE', at, `stage "${node.id}" has nested stages but no "initial"`, 'key');
    if (s.initial !== undefined && s.stages === undefined)
      sink.error('STAGE_SHAPE', [...at, 'initial'], `stage "${node.id}" has "initial" but no nested "stages"`, 'key');
    if (s.done !== undefined && node.kind !== 'compound' && node.kind !== 'parallel') {
      sink.error(
        'STAGE_SHAPE',
        [...at, 'done'],
        `"done" belongs on a sub-process or parallel stage; "${node.id}" is ${node.kind === 'final' ? 'final' : 'a simple stage'} (use "on" or "always")`,
        'key',
      );
    }
    for (const child of childMaps(s)) {
      if (typeof child.initial === 'string' && !(child.initial in child.stages)) {
        const path = child.track ? [...at, 'tracks', child.track, 'initial'] : [...at, 'initial'];
        sink.error(
          'UNKNOWN_INITIAL',
          path,
          `initial stage "${child.initial}" is not one of this ${child.track ? 'track' : 'sub-process'}'s stages: ${listOf(Object.keys(child.stages))}`,
        );
      }
    }
    if ((node.kind === 'compound' || node.kind === 'parallel') && s.done !== undefined) {
      const hasFinal = childMaps(s).every((c) => Object.values(c.stages).some((st) => isRecord(st) && st.type === 'final'));
      if (!hasFinal)
        sink.warning(
          'DONE_NEVER_FIRES',
          [...at, 'done'],
          `"done" of "${node.id}" never fires: ${node.kind === 'parallel' ? 'every track' : 'the sub-process'} needs a final stage`,
          'key',
        );
    }
  }
}

function lintTargets({ sink, nodes, byId, names }: LintContext): void {
  for (const node of nodes) {
    for (const t of transitionsOf(node)) {
      const target = t.transition.target;
      if (!byId.has(target)) {
        sink.error('UNKNOWN_TARGET', t.targetPath, `stage "${node.id}": unknown target "${target}"${suggest(target, names)}; stages are: ${listOf(names)}`);
      }
    }
  }
}

function lintReachability({ def, sink, nodes, byId }: LintContext): void {
  if (typeof def.initial !== 'string' || !byId.has(def.initial)) return;
  const reached = new Set<string>();
  const queue: StageNode[] = [];
  const enter = (node: StageNode | undefined): void => {
    for (let n = node; n; n = n.parent) {
      if (reached.has(n.id)) continue;
      reached.add(n.id);
      queue.push(n);
    }
  };
  enter(byId.get(def.initial));
  while (queue.length) {
    const node = queue.shift()!;
    for (const child of childMaps(node.stage)) {
      if (typeof child.initial === 'string') enter(byId.get(child.initial));
    }
    for (const t of transitionsOf(node)) enter(byId.get(t.transition.target));
  }
  for (const node of nodes) {
    if (!reached.has(node.id) && (!node.parent || reached.has(node.parent.id))) {
      sink.error('UNREACHABLE_STAGE', node.path, `stage "${node.id}" can never be reached: no transition leads to it and it is not an initial stage`, 'key');
    }
  }
  for (const node of nodes) {
    if (node.kind === 'final' || !reached.has(node.id)) continue;
    if (hasWayOut(node)) continue;
    const what = node.kind === 'atomic' ? 'no transition leaves it' : 'nothing leaves it: give it "done" or "on"';
    sink.error('DEAD_END', node.path, `stage "${node.id}" is not final but ${what}; instances would be stuck there`, 'key');
  }
}

/**
 * A way out: a transition of the stage's own, or an event or eventless transition of an enclosing
 * stage (an enclosing stage's "done" needs this stage to be final, so it does not count).
 */
function hasWayOut(node: StageNode): boolean {
  if (transitionsOf(node).length > 0) return true;
  for (let n = node.parent; n; n = n.parent) if (transitionsOf(n).some((t) => t.on !== 'done')) return true;
  return false;
}

function lintRoles({ def, sink, nodes }: LintContext): void {
  const roles = rolesOf(def);
  const names = Object.keys(roles);
  const check = (role: unknown, path: DocPath, allowOwner: boolean): void => {
    if (typeof role !== 'string') return;
    if (allowOwner && (role === OWNER_ALIAS || role === CHILDREN_ALIAS)) return;
    if (!(role in roles)) {
      sink.error(
        'UNKNOWN_ROLE',
        path,
        `unknown role "${role}"${suggest(role, names)}; roles are: ${listOf(allowOwner ? [OWNER_ALIAS, ...names] : names)} (declare others under "roles")`,
      );
    }
  };
  for (const node of nodes) {
    const s = node.stage;
    check(s.owner, [...node.path, 'owner'], false);
    asList(s.tasks).forEach((task, i) => isRecord(task) && check(task.owner, [...node.path, 'tasks', i, 'owner'], false));
    asList(s.escalate).forEach((step, i) => {
      if (!isRecord(step)) return;
      const notify = step.notify;
      if (Array.isArray(notify)) notify.forEach((r, j) => check(r, [...node.path, 'escalate', i, 'notify', j], true));
      else check(notify, [...node.path, 'escalate', i, 'notify'], true);
    });
    if (node.kind === 'atomic' && ownerOf(node) === undefined && (asList(s.tasks).length > 0 || s.due !== undefined)) {
      sink.error(
        'MISSING_OWNER',
        node.path,
        `stage "${node.id}" has tasks or a deadline but no owner (here or on an enclosing stage); roles are: ${listOf(names)}`,
        'key',
      );
    }
  }
}

function lintTasks({ sink, nodes }: LintContext): void {
  const seen = new Map<string, DocPath>();
  for (const node of nodes) {
    asList(node.stage.tasks).forEach((task, i) => {
      if (!isRecord(task) || typeof task.id !== 'string') return;
      const path = [...node.path, 'tasks', i, 'id'];
      const first = seen.get(task.id);
      if (first)
        sink.error('DUPLICATE_TASK', path, `task id "${task.id}" is already used at ${first.slice(0, -1).join('.')}; task ids must be unique in a process`);
      else seen.set(task.id, path);
    });
    const items = new Set<string>();
    asList(node.stage.evidence).forEach((item, i) => {
      if (!isRecord(item) || typeof item.id !== 'string') return;
      if (items.has(item.id))
        sink.error('DUPLICATE_EVIDENCE', [...node.path, 'evidence', i, 'id'], `evidence item "${item.id}" appears twice in stage "${node.id}"`);
      items.add(item.id);
    });
  }
}

const DURATION_KEYS = ['workingDays', 'days', 'months', 'years'] as const;

/** Rough length in calendar days, only to compare offsets written in different units. */
function approximateDays(d: Duration): number {
  return (d.workingDays ?? 0) * 1.4 + (d.days ?? 0) + (d.months ?? 0) * 30.44 + (d.years ?? 0) * 365.25;
}

const KIND_ORDER = { reminder: 0, overdue: 1, escalation: 2 } as const;

/** A stage's due rules with where each is written: one rule, or each rule of a list. */
export function dueRules(node: StageNode): { due: Record<string, any>; at: DocPath; index?: number; count: number }[] {
  const due = node.stage.due as unknown;
  if (Array.isArray(due)) return due.map((d, i) => ({ due: d, at: [...node.path, 'due', i], index: i, count: due.length })).filter((r) => isRecord(r.due));
  return isRecord(due) ? [{ due, at: [...node.path, 'due'], count: 1 }] : [];
}

function unknownAnchor(sink: LintContext['sink'], name: string, anchors: string[], path: DocPath): void {
  sink.error(
    'UNKNOWN_ANCHOR',
    path,
    `unknown anchor "${name}"${suggest(name, anchors)}; ${anchors.length ? `anchors are: ${listOf(anchors)}` : 'declare it under "anchors"'}`,
  );
}

function lintDeadlines({ def, sink, nodes }: LintContext): void {
  const anchors = isRecord(def.anchors) ? Object.keys(def.anchors) : [];
  for (const node of nodes) {
    const s = node.stage;
    const due = s.due;
    asList(s.resetAnchors).forEach((name, i) => {
      if (typeof name === 'string' && !anchors.includes(name)) unknownAnchor(sink, name, anchors, [...node.path, 'resetAnchors', i]);
    });
    for (const t of transitionsOf(node)) {
      const set = t.transition.setAnchors;
      if (!isRecord(set)) continue;
      for (const name of Object.keys(set)) if (!anchors.includes(name)) unknownAnchor(sink, name, anchors, [...t.path, 'setAnchors', name]);
    }
    for (const { due, at, index, count } of dueRules(node)) {
      if (index === undefined && due.when !== undefined) {
        sink.error('DUE_SHAPE', [...at, 'when'], `due of "${node.id}" has a "when" but is a single rule; write due as a list: [{ when: …, … }, { … }]`, 'key');
      }
      if (index !== undefined && due.when === undefined && index < count - 1) {
        sink.error(
          'DUE_SHAPE',
          at,
          `due rule ${index + 1} of "${node.id}" has no "when", so the rules after it never apply; the rule without "when" is the default and comes last`,
        );
      }
      if (isRecord(due.every)) {
        if (due.anchor === undefined && due.date === undefined) {
          sink.error('DUE_SHAPE', [...at, 'every'], `a repeating due of "${node.id}" needs an anchor or a date to repeat from`, 'key');
        }
        if (approximateDays(due.every as Duration) <= 0) {
          sink.error('DUE_SHAPE', [...at, 'every'], `"every" of "${node.id}" must be a period forward (e.g. every: { years: 1 })`, 'key');
        }
      }
      if (typeof due.roll === 'string' && typeof due.rollForward === 'boolean' && (due.roll === 'forward') !== due.rollForward) {
        sink.error(
          'DUE_SHAPE',
          [...at, 'rollForward'],
          `due of "${node.id}" says roll: ${due.roll} and rollForward: ${due.rollForward}; keep only "roll"`,
          'key',
        );
      }
      const units = DURATION_KEYS.filter((k) => due[k] !== undefined);
      if (units.length > 1) sink.error('DUE_SHAPE', at, `due of "${node.id}" gives ${listOf(units)}; give exactly one of: ${listOf(DURATION_KEYS)}`);
      if (due.date !== undefined && (units.length > 0 || due.anchor !== undefined)) {
        sink.error('DUE_SHAPE', [...at, 'date'], `due of "${node.id}" gives a fixed date and a counted period; give one or the other`, 'key');
      }
      if (due.date === undefined && due.anchor === undefined && units.length === 0) {
        sink.error('DUE_SHAPE', at, `due of "${node.id}" says no when: give one of ${listOf(DURATION_KEYS)}, a date, or an anchor`);
      }
      if (due.anchor === undefined && units.some((k) => (due[k] as number) < 0)) {
        sink.error(
          'DUE_SHAPE',
          at,
          `due of "${node.id}" counts backwards from entering the stage; a negative period needs an anchor (e.g. anchor: visit_date)`,
        );
      }
      if (typeof due.anchor === 'string' && !anchors.includes(due.anchor)) unknownAnchor(sink, due.anchor, anchors, [...at, 'anchor']);
    }
    const steps = asList(s.escalate).filter(isRecord);
    if (steps.length > 0 && due === undefined) {
      sink.error(
        'ESCALATION_WITHOUT_DUE',
        [...node.path, 'escalate'],
        `stage "${node.id}" has an escalation ladder but no "due"; the ladder counts from the due moment`,
        'key',
      );
    }
    let previous: { days: number; kind: number; index: number } | undefined;
    steps.forEach((step, i) => {
      const at = [...node.path, 'escalate', i];
      if (!isRecord(step.at)) return;
      const days = approximateDays(step.at as Duration);
      const kind = KIND_ORDER[step.kind as keyof typeof KIND_ORDER];
      if (kind === undefined) return;
      if (step.kind === 'reminder' && days >= 0)
        sink.error('ESCALATION_ORDER', [...at, 'at'], `a reminder comes before the due moment: its offset must be negative`);
      if (step.kind !== 'reminder' && days < 0)
        sink.error(
          'ESCALATION_ORDER',
          [...at, 'at'],
          `"${step.kind}" comes at or after the due moment: its offset must be 0 or more (use kind: reminder before it)`,
        );
      if (previous) {
        if (days <= previous.days)
          sink.error('ESCALATION_ORDER', [...at, 'at'], `escalation step ${i + 1} is not later than step ${previous.index + 1}; list the ladder in time order`);
        else if (kind < previous.kind)
          sink.error('ESCALATION_ORDER', [...at, 'kind'], `"${step.kind}" after a later-stage step; the ladder goes reminder → overdue → escalation`);
      }
      previous = { days, kind, index: i };
    });
    if (isRecord(s.on) && s.on[DUE_EVENT] !== undefined && due === undefined) {
      sink.warning('DUE_NEVER_SENT', [...node.path, 'on', DUE_EVENT], `stage "${node.id}" waits for ${DUE_EVENT} but has no "due", so it never comes`, 'key');
    }
  }
}

function lintCalendar({ def, sink, nodes, options }: LintContext): void {
  const calendars = options.calendars;
  const range = calendars && typeof def.calendar === 'string' ? calendars[def.calendar] : undefined;
  if (calendars && typeof def.calendar === 'string' && !range) {
    sink.error('UNKNOWN_CALENDAR', ['calendar'], `unknown calendar "${def.calendar}"; calendars are: ${listOf(Object.keys(calendars))}`);
  }
  const checkDate = (value: unknown, path: DocPath): void => {
    if (typeof value !== 'string') return;
    let iso: string;
    try {
      iso = parseLocalDate(value);
    } catch {
      sink.error('BAD_DATE', path, `"${value}" is not a real date`);
      return;
    }
    const year = Number(iso.slice(0, 4));
    if (range && (year < range.firstYear || year > range.lastYear)) {
      sink.error('DATE_OUTSIDE_CALENDAR', path, `${value} is outside calendar "${def.calendar}", which covers ${range.firstYear}–${range.lastYear}`);
    }
  };
  if (isRecord(def.anchors)) {
    for (const [name, anchor] of Object.entries(def.anchors)) {
      if (!isRecord(anchor)) continue;
      checkDate(anchor.default, ['anchors', name, 'default']);
      if (!isRecord(anchor.default)) continue;
      for (const key of ['schoolYear', 'year'] as const) {
        const md = anchor.default[key];
        if (typeof md !== 'string' || !/^\d{2}-\d{2}$/.test(md)) continue;
        // 29 February is allowed (the 28th in other years); 30 February or 31 April never comes.
        const [m, d] = md.split('-').map(Number) as [number, number];
        if (m < 1 || m > 12 || d < 1 || d > daysInMonth(2024, m))
          sink.error('BAD_DATE', ['anchors', name, 'default', key], `"${md}" is not a day of any year (MM-DD)`);
      }
    }
  }
  for (const node of nodes) for (const { due, at } of dueRules(node)) checkDate(due.date, [...at, 'date']);
}
