// Published definitions: publishing validates, compiles and stores a new immutable version; reading
// one back compiles its stored source once per process and keeps it (a machine is not JSON).
import { createHash } from 'node:crypto';
import { calendarRanges, type WorkingCalendar } from '../calendar/calendar.ts';
import { compileProcess, type CompiledProcess } from '../definition/compile.ts';
import { formatDiagnostic, type Diagnostic } from '../definition/diagnostics.ts';
import { loadDefinition } from '../definition/load.ts';
import type { ProcessDefinition } from '../definition/model.ts';
import { EngineError } from '../errors.ts';
import type { Clock, Store } from '../ports.ts';
import type { PublishedDefinition } from '../domain.ts';

export interface PublishResult {
  id: string;
  version: number;
  hash: string;
  /** False when this exact text was already published as this version. */
  created: boolean;
  /** Warnings (errors refuse the publication). */
  diagnostics: Diagnostic[];
}

export function sourceHash(source: string): string {
  return createHash('sha256').update(source).digest('hex');
}

export interface DraftCheck {
  diagnostics: Diagnostic[];
  definition?: ProcessDefinition;
  compiled?: CompiledProcess;
}

/** What Catalog.check does, given only the installed calendars' year ranges: the same check can run
 * where the calendars themselves are not (a worker thread, adapters/drafts/). */
export function checkDraft(source: string, file: string, calendars: ReturnType<typeof calendarRanges>): DraftCheck {
  const result = loadDefinition(source, file, { calendars });
  if (!result.definition) return { diagnostics: result.diagnostics };
  return { diagnostics: result.diagnostics, definition: result.definition, compiled: compileProcess(result.definition) };
}

export class Catalog {
  private readonly compiled = new Map<string, CompiledProcess>();

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    readonly calendars: ReadonlyMap<string, WorkingCalendar>,
  ) {}

  /** Validates and stores a definition as a new version. Errors name file, line and column. A new
   * process belongs to `ownerUnitId` (none: the library's); later versions keep the first's owner. */
  async publish(source: string, file: string, actor?: string, ownerUnitId?: string, mayPublish?: (id: string) => Promise<void>): Promise<PublishResult> {
    const { compiled, diagnostics } = this.compile(source, file);
    // Who may publish it is known once its id is: asked before anything else is looked up.
    await mayPublish?.(compiled.id);
    const hash = sourceHash(source);
    const base = { id: compiled.id, version: compiled.version, hash, diagnostics };
    const existing = await this.store.getDefinition(compiled.id, compiled.version);
    if (existing) {
      if (existing.hash === hash) return { ...base, created: false };
      throw new EngineError(
        'DEFINITION_EXISTS',
        `${compiled.id} version ${compiled.version} is already published with different content; published versions never change, so give this one a new version number`,
        { id: compiled.id, version: compiled.version },
      );
    }
    const latest = await this.store.getDefinition(compiled.id);
    if (latest && latest.version > compiled.version) {
      throw new EngineError('DEFINITION_EXISTS', `${compiled.id} is already at version ${latest.version}; a new version must be greater`, {
        id: compiled.id,
        version: compiled.version,
        latest: latest.version,
      });
    }
    const owner = latest ? latest.ownerUnitId : ownerUnitId;
    const def: PublishedDefinition = {
      id: compiled.id,
      version: compiled.version,
      source,
      hash,
      title: compiled.title,
      publishedAt: this.clock.now(),
      ...(actor ? { publishedBy: actor } : {}),
      ...(owner ? { ownerUnitId: owner } : {}),
    };
    await this.store.putDefinition(def, compiled.config);
    this.compiled.set(key(def.id, def.version), compiled);
    return { ...base, created: true };
  }

  /** A published version, compiled; the latest when no version is given. */
  async get(id: string, version?: number): Promise<CompiledProcess> {
    const cached = version !== undefined ? this.compiled.get(key(id, version)) : undefined;
    if (cached) return cached;
    const def = await this.store.getDefinition(id, version);
    if (!def)
      throw new EngineError('NOT_FOUND', version === undefined ? `no process "${id}" is published` : `${id} version ${version} is not published`, {
        id,
        version,
      });
    const hit = this.compiled.get(key(def.id, def.version));
    if (hit) return hit;
    const { compiled } = this.compile(def.source, `${def.id}@${def.version}`);
    this.compiled.set(key(def.id, def.version), compiled);
    return compiled;
  }

  /** The latest published version of each of these processes, compiled: one query for all (the
   * overdue board named nine processes, and asked for the latest of each in a query of its own). */
  async latestOf(ids: readonly string[]): Promise<Map<string, CompiledProcess>> {
    const wanted = new Set(ids);
    const latest = new Map<string, number>();
    if (!wanted.size) return new Map();
    for (const d of await this.store.listDefinitions()) if (wanted.has(d.id) && d.version > (latest.get(d.id) ?? 0)) latest.set(d.id, d.version);
    const out = new Map<string, CompiledProcess>();
    for (const [id, version] of latest) out.set(id, await this.get(id, version));
    return out;
  }

  /** Checks a draft without publishing it: every diagnostic, and the definition and its compiled
   * form when it is clean (for a diagram or an impact preview). */
  check(source: string, file: string): DraftCheck {
    return checkDraft(source, file, calendarRanges(this.calendars));
  }

  calendarOf(compiled: CompiledProcess): WorkingCalendar {
    const calendar = this.calendars.get(compiled.calendar);
    if (!calendar)
      throw new EngineError('DEFINITION_INVALID', `calendar "${compiled.calendar}" is not installed; installed: ${[...this.calendars.keys()].join(', ')}`);
    return calendar;
  }

  private compile(source: string, file: string): { compiled: CompiledProcess; diagnostics: Diagnostic[] } {
    const result = loadDefinition(source, file, { calendars: calendarRanges(this.calendars) });
    if (!result.definition) {
      const errors = result.diagnostics.filter((d) => d.severity === 'error');
      throw new EngineError('DEFINITION_INVALID', `${file} does not validate:\n${errors.map(formatDiagnostic).join('\n')}`, { diagnostics: errors });
    }
    const compiled = compileProcess(result.definition);
    this.calendarOf(compiled);
    return { compiled, diagnostics: result.diagnostics };
  }
}

function key(id: string, version: number): string {
  return `${id}@${version}`;
}
