// A Mermaid stateDiagram-v2 of a process: stages with their Vietnamese titles, transitions labelled
// with their event's title and a short form of their guard, sub-processes and parallel tracks nested.
import { BUILT_IN_EVENT_TITLES } from './compile.ts';
import type { CompiledCondition } from './conditions.ts';
import { childMaps, stageNodes, transitionsOf, type ProcessDefinition, type StageNode } from './model.ts';
import type { Condition } from './types.generated.ts';

export interface DiagramOptions {
  /** Label language. Default vi. */
  lang?: 'vi' | 'en';
}

export function toMermaid(def: ProcessDefinition, options: DiagramOptions = {}): string {
  const lang = options.lang ?? 'vi';
  const nodes = stageNodes(def);
  const lines: string[] = ['stateDiagram-v2'];
  const edges: string[] = [];
  const emit = (parent: StageNode | undefined, initial: string | undefined, ids: string[], indent: string, trackOf?: string): void => {
    if (initial) lines.push(`${indent}[*] --> ${initial}`);
    for (const id of ids) {
      const node = nodes.find((n) => n.id === id && n.parent === parent && n.track === trackOf)!;
      const title = quote(node.stage.title?.[lang] ?? id);
      if (node.kind === 'compound' || node.kind === 'parallel') {
        lines.push(`${indent}state ${title} as ${id} {`);
        const children = childMaps(node.stage);
        children.forEach((c, i) => {
          if (i > 0) lines.push(`${indent}  --`);
          emit(node, c.initial, Object.keys(c.stages), indent + '  ', c.track);
        });
        lines.push(`${indent}}`);
      } else {
        lines.push(`${indent}state ${title} as ${id}`);
      }
      if (node.kind === 'final') lines.push(`${indent}${id} --> [*]`);
      for (const t of transitionsOf(node)) {
        const label = [t.on === 'always' ? '' : t.on === 'done' ? DONE_LABEL[lang] : eventLabel(def, t.on, lang), guardLabel(t.transition.when)]
          .filter(Boolean)
          .join(' ');
        edges.push(`  ${id} --> ${t.transition.target}${label ? ` : ${sanitize(label)}` : ''}`);
      }
    }
  };
  emit(undefined, def.initial, Object.keys(def.stages), '  ');
  return [...lines, ...edges].join('\n') + '\n';
}

/** A sub-process's or parallel stage's own completion. */
const DONE_LABEL = { vi: 'khi hoàn thành', en: 'done' } as const;

/** An edge says what people see on the button (the event's title), not the event's name. */
function eventLabel(def: ProcessDefinition, event: string, lang: 'vi' | 'en'): string {
  const own = def.events && Object.hasOwn(def.events, event) ? def.events[event]?.title : undefined;
  const title = own ?? (Object.hasOwn(BUILT_IN_EVENT_TITLES, event) ? BUILT_IN_EVENT_TITLES[event] : undefined);
  return title?.[lang] || event;
}

function quote(text: string): string {
  return `"${text.replace(/"/g, "'").replace(/[\r\n]+/g, ' ')}"`;
}

/** Mermaid ends a label at a colon or newline and chokes on some brackets; keep labels plain. */
function sanitize(label: string): string {
  return label
    .replace(/[:;\n\r{}]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

export function guardLabel(c: Condition | CompiledCondition | undefined): string {
  if (!c) return '';
  return `[${describe(c as Condition)}]`;
}

function describe(c: Condition): string {
  // A combination inside another one is bracketed, so "a and (b or c)" reads as it evaluates.
  const inner = (x: Condition): string => (x.all || x.any ? `(${describe(x)})` : describe(x));
  if (c.all) return c.all.map(inner).join(' and ');
  if (c.any) return c.any.map(inner).join(' or ');
  if (c.not) return `not ${inner(c.not)}`;
  if (c.tasksDone) return c.tasksDone === 'all' ? 'tasks done' : `${[c.tasksDone].flat().join(', ')} done`;
  if (c.anchorSet) return `${c.anchorSet} set`;
  const field = c.field ?? '?';
  const ops: [keyof Condition, string][] = [
    ['eq', '='],
    ['ne', '≠'],
    ['gt', '>'],
    ['gte', '≥'],
    ['lt', '<'],
    ['lte', '≤'],
    ['before', 'before'],
    ['onOrAfter', 'from'],
    ['in', 'in'],
    ['notIn', 'not in'],
    ['contains', 'has'],
  ];
  const value = (v: unknown): string =>
    Array.isArray(v)
      ? v.join('/')
      : typeof v === 'object' && v !== null && typeof (v as { field?: unknown }).field === 'string'
        ? String((v as { field: string }).field)
        : String(v);
  for (const [op, sym] of ops) if (op in c) return `${field} ${sym} ${value(c[op])}`;
  if (c.exists !== undefined) return c.exists ? `${field} given` : `no ${field}`;
  return field;
}
