// A Mermaid stateDiagram-v2 of a process: stages with their titles, transitions labelled with their
// event's title (its name when it has none) and a short form of their guard in the same language,
// sub-processes and parallel tracks nested.
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
        const label = [eventLabel(def, t.on, lang), guardLabel(t.transition.when, lang)].filter(Boolean).join(' ');
        edges.push(`  ${id} --> ${t.transition.target}${label ? ` : ${sanitize(label)}` : ''}`);
      }
    }
  };
  emit(undefined, def.initial, Object.keys(def.stages), '  ');
  return [...lines, ...edges].join('\n') + '\n';
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

/** An event by its title in the diagram's language (its name when it has none); "done" in words. */
function eventLabel(def: ProcessDefinition, on: string, lang: 'vi' | 'en'): string {
  if (on === 'always') return '';
  if (on === 'done') return WORDS[lang].done;
  const own = def.events && Object.hasOwn(def.events, on) ? def.events[on]?.title : undefined;
  const title = own ?? (Object.hasOwn(BUILT_IN_EVENT_TITLES, on) ? BUILT_IN_EVENT_TITLES[on] : undefined);
  return title?.[lang] || title?.vi || on;
}

const WORDS = {
  en: { and: 'and', or: 'or', not: 'not', done: 'done', tasksDone: 'tasks done', set: 'set', given: 'given', no: 'no' },
  vi: { and: 'và', or: 'hoặc', not: 'không', done: 'xong', tasksDone: 'xong các công việc', set: 'đã có', given: 'đã nhập', no: 'chưa có' },
} as const;

const OPS: Record<'en' | 'vi', [keyof Condition, string][]> = {
  en: [
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
  ],
  vi: [
    ['eq', '='],
    ['ne', '≠'],
    ['gt', '>'],
    ['gte', '≥'],
    ['lt', '<'],
    ['lte', '≤'],
    ['before', 'trước'],
    ['onOrAfter', 'từ'],
    ['in', 'thuộc'],
    ['notIn', 'không thuộc'],
    ['contains', 'có'],
  ],
};

export function guardLabel(c: Condition | CompiledCondition | undefined, lang: 'vi' | 'en' = 'en'): string {
  if (!c) return '';
  return `[${describe(c as Condition, lang)}]`;
}

function describe(c: Condition, lang: 'vi' | 'en'): string {
  const w = WORDS[lang];
  // A combination inside another one is bracketed, so "a and (b or c)" reads as it evaluates.
  const inner = (x: Condition): string => (x.all || x.any ? `(${describe(x, lang)})` : describe(x, lang));
  if (c.all) return c.all.map(inner).join(` ${w.and} `);
  if (c.any) return c.any.map(inner).join(` ${w.or} `);
  if (c.not) return `${w.not} ${inner(c.not)}`;
  if (c.tasksDone)
    return c.tasksDone === 'all' ? w.tasksDone : lang === 'vi' ? `xong ${[c.tasksDone].flat().join(', ')}` : `${[c.tasksDone].flat().join(', ')} done`;
  if (c.anchorSet) return lang === 'vi' ? `${w.set} ${c.anchorSet}` : `${c.anchorSet} set`;
  const field = c.field ?? '?';
  const ops = OPS[lang];
  const value = (v: unknown): string =>
    Array.isArray(v)
      ? v.join('/')
      : typeof v === 'object' && v !== null && typeof (v as { field?: unknown }).field === 'string'
        ? String((v as { field: string }).field)
        : String(v);
  for (const [op, sym] of ops) if (op in c) return `${field} ${sym} ${value(c[op])}`;
  if (c.exists !== undefined) return c.exists ? (lang === 'vi' ? `${w.given} ${field}` : `${field} given`) : `${w.no} ${field}`;
  return field;
}
