// A draft checked (parse, schema, lint, compile: engine/service/catalog.ts checkDraft) and reduced to
// what the definition routes answer: diagnostics without the file name, and when the draft is valid
// its id, version, stage names and (asked in a language) its diagram. Plain data, so a worker thread
// can send it back; the same function runs in the worker and in-process.
import type { calendarRanges } from '../calendar/calendar.ts';
import { toMermaid } from '../definition/diagram.ts';
import type { Diagnostic } from '../definition/diagnostics.ts';
import { checkDraft } from '../service/catalog.ts';

export type CalendarRanges = ReturnType<typeof calendarRanges>;

export interface DraftSummary {
  valid: boolean;
  diagnostics: Omit<Diagnostic, 'file'>[];
  id?: string;
  version?: number;
  /** The draft's stage names. */
  stages?: string[];
  /** Each stage's title, by name: previews name stages as people read them. */
  stageTitles?: Record<string, { vi: string; en?: string }>;
  /** The diagram, when a language was asked for. */
  mermaid?: string;
}

export function summarizeDraft(source: string, file: string, calendars: CalendarRanges, lang?: 'vi' | 'en'): DraftSummary {
  const { diagnostics, definition, compiled } = checkDraft(source, file, calendars);
  const plain = diagnostics.map(({ file: _f, ...d }) => d);
  if (!definition || !compiled) return { valid: false, diagnostics: plain };
  return {
    valid: true,
    diagnostics: plain,
    id: compiled.id,
    version: compiled.version,
    stages: Object.keys(compiled.stages),
    stageTitles: Object.fromEntries(Object.values(compiled.stages).map((st) => [st.id, st.title])),
    ...(lang ? { mermaid: toMermaid(definition, { lang }) } : {}),
  };
}
