// Read-only views over a definition that the linter, the compiler and the diagram all need: the
// stages as a flat list (with their place in the tree), and transitions in one normalised form.
import type { DocPath } from './diagnostics.ts';
import type { ProcessDefinition, Role, Stage, StageMap, Transition, TransitionSpec } from './types.generated.ts';

export type { Condition, ProcessDefinition, Stage, Transition } from './types.generated.ts';

export type StageKind = 'atomic' | 'compound' | 'parallel' | 'final';

export interface StageNode {
  /** The stage's name; unique across the whole definition (the linter enforces it). */
  id: string;
  stage: Stage;
  kind: StageKind;
  /** Where the stage sits in the YAML document. */
  path: DocPath;
  parent?: StageNode;
  /** For a stage directly inside a parallel stage's track: the track's name. */
  track?: string;
}

export interface TransitionRef {
  /** The event name, or `always` / `done` for eventless and completion transitions. */
  on: string;
  transition: Transition;
  path: DocPath;
  /** Where its target name is written: the transition itself when written as a bare name. */
  targetPath: DocPath;
}

export function stageKind(stage: Stage): StageKind {
  if (stage.type === 'final') return 'final';
  if (stage.type === 'parallel') return 'parallel';
  if (stage.stages) return 'compound';
  return 'atomic';
}

/** Every stage, depth first, in the order written. */
export function stageNodes(def: ProcessDefinition): StageNode[] {
  const out: StageNode[] = [];
  const visit = (map: StageMap | undefined, base: DocPath, parent?: StageNode, track?: string): void => {
    if (!isRecord(map)) return;
    for (const [id, stage] of Object.entries(map)) {
      if (!isRecord(stage)) continue;
      const node: StageNode = { id, stage, kind: stageKind(stage), path: [...base, id], parent, track };
      out.push(node);
      visit(stage.stages, [...node.path, 'stages'], node);
      if (isRecord(stage.tracks)) {
        for (const [name, t] of Object.entries(stage.tracks)) {
          if (isRecord(t)) visit(t.stages, [...node.path, 'tracks', name, 'stages'], node, name);
        }
      }
    }
  };
  visit(def.stages, ['stages']);
  return out;
}

export function normaliseSpec(spec: TransitionSpec | undefined, on: string, base: DocPath): TransitionRef[] {
  if (spec === undefined || spec === null) return [];
  const one = (s: unknown, path: DocPath): TransitionRef | undefined => {
    if (typeof s === 'string') return { on, transition: { target: s }, path, targetPath: path };
    if (isRecord(s) && typeof s.target === 'string') {
      return { on, transition: s as unknown as Transition, path, targetPath: [...path, 'target'] };
    }
    return undefined;
  };
  const list = Array.isArray(spec) ? spec.map((s, i) => one(s, [...base, i])) : [one(spec, base)];
  return list.filter((t): t is TransitionRef => t !== undefined);
}

/** Every transition declared on a stage: `on` events, then `always`, then `done`. */
export function transitionsOf(node: StageNode): TransitionRef[] {
  const s = node.stage;
  const out: TransitionRef[] = [];
  if (isRecord(s.on)) {
    for (const [event, spec] of Object.entries(s.on)) out.push(...normaliseSpec(spec, event, [...node.path, 'on', event]));
  }
  out.push(...normaliseSpec(s.always, 'always', [...node.path, 'always']));
  out.push(...normaliseSpec(s.done, 'done', [...node.path, 'done']));
  return out;
}

/** Whether `node` is `ancestor` or lies inside it. */
export function isWithin(node: StageNode | undefined, ancestor: StageNode): boolean {
  for (let p = node; p; p = p.parent) if (p === ancestor) return true;
  return false;
}

/** Task ids of a stage and of every stage inside it. */
export function tasksWithin(nodes: StageNode[], node: StageNode, requiredOnly = false): string[] {
  return nodes
    .filter((n) => isWithin(n, node))
    .flatMap((n) =>
      asList(n.stage.tasks)
        .filter((t) => isRecord(t) && (!requiredOnly || t.required !== false))
        .map((t) => String(t.id)),
    );
}

/** Roles every definition has; a definition may add its own under `roles`. */
export const BUILT_IN_ROLES: Record<string, Role> = {
  school: { title: { vi: 'Đơn vị thực hiện', en: 'The unit running the process' }, unit: 'self' },
  district: { title: { vi: 'Đơn vị cấp trên trực tiếp (Phòng GDĐT)', en: 'Parent unit (district office)' }, unit: 'parent' },
  department: { title: { vi: 'Sở Giáo dục và Đào tạo', en: 'Provincial department (Sở)' }, unit: 'department' },
  ministry: { title: { vi: 'Bộ Giáo dục và Đào tạo', en: 'Ministry of Education and Training' }, unit: 'ministry' },
};

/** `children` in an escalation's notify list means the units a fan-out stage is still waiting for
 * (đơn vị chưa hoàn thành): a role that points down the tree. */
export const CHILDREN_ALIAS = 'children';

/** `owner` in an escalation's notify list means the stage's own owner role. */
export const OWNER_ALIAS = 'owner';

export function rolesOf(def: ProcessDefinition): Record<string, Role> {
  return { ...BUILT_IN_ROLES, ...(isRecord(def.roles) ? def.roles : {}) };
}

/** The owner of a stage, inherited from the enclosing stage when not set. */
export function ownerOf(node: StageNode | undefined): string | undefined {
  for (let n = node; n; n = n.parent) if (typeof n.stage.owner === 'string') return n.stage.owner;
  return undefined;
}

/** Org-unit fields a guard may read as unit.<field>. */
export const UNIT_FIELDS = ['kind', 'levels'] as const;

/** What a guard may read of a fan-out's children: children.<figure>. */
export const CHILDREN_FIELDS = ['total', 'done', 'pending'] as const;

/** What a guard may read of a roll-up: rollup.<name>.<figure>. */
export const ROLLUP_FIGURES = ['count', 'sum', 'min', 'max'] as const;

/** Sent by the engine when a stage's due moment passes; it carries no data. */
export const DUE_EVENT = 'DUE';

/** Sent by the engine when a fan-out stage has what it waits for (its `wait`); it carries no data. */
export const CHILDREN_DONE_EVENT = 'CHILDREN_DONE';

/** Events only the engine sends: nobody may send them by hand, and they carry no data. */
export const ENGINE_SENT_EVENTS: readonly string[] = [DUE_EVENT, CHILDREN_DONE_EVENT];

export function isRecord(v: unknown): v is Record<string, any> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function asList<T>(v: T | T[] | undefined): T[] {
  if (v === undefined) return [];
  return Array.isArray(v) ? v : [v];
}

/** Child stages of a compound stage, or of every track of a parallel one. */
export function childMaps(stage: Stage): { track?: string; initial?: string; stages: StageMap; path: DocPath }[] {
  const out: { track?: string; initial?: string; stages: StageMap; path: DocPath }[] = [];
  if (isRecord(stage.stages)) out.push({ initial: stage.initial, stages: stage.stages, path: ['stages'] });
  if (isRecord(stage.tracks)) {
    for (const [track, t] of Object.entries(stage.tracks)) {
      if (isRecord(t) && isRecord(t.stages)) out.push({ track, initial: t.initial, stages: t.stages, path: ['tracks', track, 'stages'] });
    }
  }
  return out;
}
