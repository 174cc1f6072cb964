// A Mermaid stateDiagram-v2 of a process: stages with their titles, transitions labelled with their
// event's title (its name when it has none) and a short form of their guard in the same language,
// sub-processes and parallel tracks nested.
import { BUILT_IN_EVENT_TITLES } from './compile.ts';
import { kindTitle } from '../org/unit-file.ts';
import type { CompiledCondition } from './conditions.ts';
import { asList, childMaps, isRecord, stageNodes, transitionsOf, type ProcessDefinition, type StageNode } from './model.ts';
import type { Condition, OrgUnitKind } from './types.generated.ts';

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
        const label = [eventLabel(def, t.on, lang), guardLabel(t.transition.when, lang, fieldTitles(def, t.on, lang))].filter(Boolean).join(' ');
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

/** The org unit's fields a guard may read. */
const UNIT_FIELD_WORDS: Record<string, { vi: string; en: string }> = {
  'unit.kind': { vi: 'loại đơn vị', en: 'unit kind' },
  'unit.levels': { vi: 'cấp học', en: 'levels taught' },
};

const WORDS = {
  en: { and: 'and', or: 'or', not: 'not', done: 'done', tasksDone: 'tasks done', set: 'set', given: 'given', no: 'no' },
  vi: { and: 'và', or: 'hoặc', not: 'không', done: 'xong', tasksDone: 'xong các công việc', set: 'đã có', given: 'đã nhập', no: 'chưa có' },
} as const;

/** Comparisons read the same in both languages as symbols; the others in words. */
const SYMBOLS: [keyof Condition, string][] = [
  ['eq', '='],
  ['ne', '≠'],
  ['gt', '>'],
  ['gte', '≥'],
  ['lt', '<'],
  ['lte', '≤'],
];

const OPS: Record<'en' | 'vi', [keyof Condition, string][]> = {
  en: [...SYMBOLS, ['before', 'before'], ['onOrAfter', 'from'], ['in', 'in'], ['notIn', 'not in'], ['contains', 'has']],
  vi: [...SYMBOLS, ['before', 'trước'], ['onOrAfter', 'từ'], ['in', 'thuộc'], ['notIn', 'không thuộc'], ['contains', 'có']],
};

/** A field a guard reads, by its title (the transition's event's form field, or a task's), and a
 * value it compares with, by the title its form gives it (decision = returned → "Trả lại"). */
interface FieldNamer {
  field(ref: string): string;
  value(ref: string, v: unknown): string;
}

const PLAIN: FieldNamer = { field: (ref) => ref, value: (_ref, v) => String(v) };

function fieldTitles(def: ProcessDefinition, on: string, lang: 'vi' | 'en'): FieldNamer {
  const fieldOf = (form: unknown, name: string): Record<string, unknown> | undefined => {
    const field = isRecord(form) && isRecord(form.properties) ? form.properties[name] : undefined;
    return isRecord(field) ? field : undefined;
  };
  const words = (t: unknown): string | undefined => (isRecord(t) ? ((t[lang] as string | undefined) ?? (t.vi as string | undefined)) : undefined);
  const tasks = stageNodes(def).flatMap((n) => asList(n.stage.tasks).filter(isRecord));
  const formField = (ref: string): Record<string, unknown> | undefined => {
    const [source, name, ...rest] = ref.split('.');
    if (rest.length || !name) return undefined;
    return source === 'event' ? fieldOf(def.events?.[on]?.form, name) : fieldOf(tasks.find((t) => t.id === source)?.form, name);
  };
  return {
    field: (ref) => (ref in UNIT_FIELD_WORDS ? UNIT_FIELD_WORDS[ref]![lang] : (words(formField(ref)?.title) ?? ref)),
    value: (ref, v) => {
      if (ref === 'unit.kind') return lang === 'vi' ? kindTitle(v as OrgUnitKind) : String(v).replace(/-/g, ' ');
      const titles = formField(ref)?.enumTitles;
      return (isRecord(titles) ? words(titles[String(v)]) : undefined) ?? String(v);
    },
  };
}

export function guardLabel(c: Condition | CompiledCondition | undefined, lang: 'vi' | 'en' = 'en', name: FieldNamer = PLAIN): string {
  if (!c) return '';
  return `[${describe(c as Condition, lang, name)}]`;
}

function describe(c: Condition, lang: 'vi' | 'en', name: FieldNamer): string {
  const w = WORDS[lang];
  // A combination inside another one is bracketed, so "a and (b or c)" reads as it evaluates.
  const inner = (x: Condition): string => (x.all || x.any ? `(${describe(x, lang, name)})` : describe(x, lang, name));
  if (c.all) return c.all.map(inner).join(` ${w.and} `);
  if (c.any) return c.any.map(inner).join(` ${w.or} `);
  if (c.not) return `${w.not} ${inner(c.not)}`;
  if (c.tasksDone)
    return c.tasksDone === 'all' ? w.tasksDone : lang === 'vi' ? `xong ${[c.tasksDone].flat().join(', ')}` : `${[c.tasksDone].flat().join(', ')} done`;
  if (c.anchorSet) return lang === 'vi' ? `${w.set} ${c.anchorSet}` : `${c.anchorSet} set`;
  const field = c.field ? name.field(c.field) : '?';
  const ops = OPS[lang];
  const one = (v: unknown): string => (c.field ? name.value(c.field, v) : String(v));
  const value = (v: unknown): string =>
    Array.isArray(v)
      ? v.map(one).join('/')
      : typeof v === 'object' && v !== null && typeof (v as { field?: unknown }).field === 'string'
        ? name.field(String((v as { field: string }).field))
        : one(v);
  for (const [op, sym] of ops) if (op in c) return `${field} ${sym} ${value(c[op])}`;
  if (c.exists !== undefined) return c.exists ? (lang === 'vi' ? `${w.given} ${field}` : `${field} given`) : `${w.no} ${field}`;
  return field;
}
