// Drives a compiled process with XState's pure transition(): no store, no clock. Used by the
// process-library tests to walk each definition through its happy and failure paths.
import { readFileSync } from 'node:fs';
import { initialTransition, transition, type AnyMachineSnapshot } from 'xstate';
import { calendarRanges, loadCalendars } from '../../adapters/files/definitions.ts';
import { compileProcess, ENGINE_EVENTS, type CompiledProcess } from '../../engine/definition/compile.ts';
import { formatDiagnostic } from '../../engine/definition/diagnostics.ts';
import { loadDefinition } from '../../engine/definition/load.ts';
import { activeStages, leafStages } from '../../engine/runtime/stages.ts';

const calendars = calendarRanges(loadCalendars());

/** Loads and compiles a process file, failing loudly if it does not validate clean. */
export function compileFile(path: string): CompiledProcess {
  const result = loadDefinition(readFileSync(path), path, { calendars });
  const errors = result.diagnostics.filter((d) => d.severity === 'error');
  if (!result.definition || errors.length) throw new Error(`${path} does not validate:\n${errors.map(formatDiagnostic).join('\n')}`);
  return compileProcess(result.definition);
}

export class ProcessDriver {
  snapshot: AnyMachineSnapshot;
  constructor(
    readonly compiled: CompiledProcess,
    unit: { kind: string; levels?: string[] },
    anchors: Record<string, string> = {},
  ) {
    [this.snapshot] = initialTransition(compiled.machine, { unit, anchors });
  }

  /** Active stages, innermost and outer alike, in stage-table order. */
  get active(): string[] {
    return activeStages(this.compiled, this.snapshot);
  }

  /** Active stages that hold no other stage: where the work is. */
  get stages(): string[] {
    return leafStages(this.compiled, this.active);
  }

  get status(): string {
    return this.snapshot.status;
  }

  /** Sends an event; returns whether anything changed (false = the process rejected it). */
  send(type: string, data?: Record<string, unknown>, extra: Record<string, unknown> = {}): boolean {
    const [next] = transition(this.compiled.machine, this.snapshot, { type, ...(data ? { data } : {}), ...extra });
    const changed = next !== this.snapshot;
    this.snapshot = next;
    return changed;
  }

  complete(task: string, data: Record<string, unknown> = {}): boolean {
    return this.send(ENGINE_EVENTS.completeTask, data, { task });
  }

  /** Completes every open task of the active stages, with the given data per task id. */
  completeAll(data: Record<string, Record<string, unknown>> = {}): void {
    for (const stage of this.active) {
      for (const t of this.compiled.stages[stage]!.tasks) {
        if (this.task(t.id)?.status === 'open') this.complete(t.id, data[t.id] ?? {});
      }
    }
  }

  check(item: string, checked = true): boolean {
    return this.send(ENGINE_EVENTS.checkEvidence, undefined, { item, checked });
  }

  /** Checks every evidence item of the active stages. */
  checkAll(): void {
    for (const stage of this.active) for (const e of this.compiled.stages[stage]!.evidence) this.check(e.id);
  }

  anchor(name: string, date: string | null): boolean {
    return this.send(ENGINE_EVENTS.setAnchor, undefined, { name, date });
  }

  /** The engine's deadline event for one stage. */
  due(stage: string): boolean {
    return this.send('DUE', undefined, { stage });
  }

  task(id: string): { status: string; data?: Record<string, unknown> } | undefined {
    return (this.snapshot.context as { tasks: Record<string, { status: string }> }).tasks[id];
  }
}
