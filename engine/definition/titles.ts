// The titles of one process's stages, tasks, events, evidence items, dates and form fields, for the
// `names` a refusal carries.
import { eventTitle, type CompiledProcess } from './compile.ts';
import { nameKey, type NameKind, type Names } from './names.ts';
import type { Text } from './types.generated.ts';

/** Titles of one process; `eventType` says whose form an `event.<field>` belongs to. */
export function titlesOf(compiled: CompiledProcess, eventType?: string) {
  const title = (kind: NameKind, id: string): Text | undefined => {
    switch (kind) {
      case 'stage':
        return compiled.stages[id]?.title;
      case 'task':
        return Object.values(compiled.stages)
          .flatMap((s) => s.tasks)
          .find((t) => t.id === id)?.title;
      case 'event':
        return eventTitle(compiled, id);
      case 'evidence':
        return Object.values(compiled.stages)
          .flatMap((s) => s.evidence)
          .find((e) => e.id === id)?.title;
      case 'anchor':
        return compiled.anchors[id]?.title;
      case 'field': {
        if (id.startsWith('anchors.')) return compiled.anchors[id.slice('anchors.'.length)]?.title;
        if (id.startsWith('event.') && eventType) return compiled.events[eventType]?.form?.properties?.[id.slice('event.'.length)]?.title;
        if (id.startsWith('events.')) {
          const [type, field] = id.slice('events.'.length).split('.');
          return compiled.events[type!]?.form?.properties?.[field ?? '']?.title;
        }
        // A task's answer (council.members): the label its form gives the field.
        const [task, answer] = id.split('.');
        const info = Object.values(compiled.stages)
          .flatMap((s) => s.tasks)
          .find((t) => t.id === task);
        return info?.form?.properties?.[answer ?? '']?.title;
      }
      default:
        return undefined;
    }
  };
  /** The titles a form gives the values of `event.<field>` (decision: accepted → "Tiếp nhận"). */
  const valueTitles = (field: string): Record<string, Text> | undefined => {
    if (!field.startsWith('event.') || !eventType) return undefined;
    return compiled.events[eventType]?.form?.properties?.[field.slice('event.'.length)]?.enumTitles;
  };
  return {
    title,
    valueTitles,
    /** The titles of the things named, for an error's `names`. */
    of(...refs: (readonly [NameKind, string])[]): Names {
      const out: Names = {};
      for (const [kind, id] of refs) {
        const t = title(kind, id);
        if (t) out[nameKey(kind, id)] = t;
      }
      return out;
    },
  };
}
