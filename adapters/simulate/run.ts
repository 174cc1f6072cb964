// Runs a scenario on the real engine: an in-memory SQLite store, the embedded queue, and a clock that
// jumps to the next due timer or scripted step. What happened comes back as plain JSON.
import { formatInstant } from '../../engine/calendar/time.ts';
import type { Diagnostic } from '../../engine/definition/diagnostics.ts';
import { EngineError, type EngineErrorCode } from '../../engine/errors.ts';
import type { StageMove } from '../../engine/runtime/rearm.ts';
import { migrateCohort } from '../../engine/service/cohort.ts';
import { ManualClock } from '../../engine/ports.ts';
import type { Committed } from '../../engine/service/engine.ts';
import type { OrgUnitKind } from '../../engine/definition/types.generated.ts';
import type { UnitInput } from '../../engine/service/org.ts';
import { openRuntime, type Runtime } from '../runtime.ts';
import type { Scenario, ScenarioStep } from './scenario.ts';

export interface SimulationResult {
  transitions: { at: string; from: string[]; to: string[]; event: string }[];
  deadlines: { stage: string; enteredAt: string; dueAt: string | null; moved?: true }[];
  escalations: { at: string; stage: string; kind: string; notify: string[]; units: string[] }[];
  rejected: { at: string; step: number; code: string; message: string }[];
  migrations?: { at: string; dryRun: boolean; toVersion: number; from: string[]; to: string[]; deadlines: { stage: string; before: string | null; after: string | null }[] }[];
  final: { stages: string[]; status: string };
}

export const SIMULATION_ACTOR = 'simulation';

/** Timers a run may fire before it is judged runaway (a definition that re-arms forever). */
const MAX_TIMERS = 10_000;
/** Without `until`, time runs this long after the last step at most. */
const DEFAULT_HORIZON_MS = 20 * 366 * 24 * 3600 * 1000;

/** Builds the school's chain of units: Sở → Phòng (for levels a Phòng manages) → school. */
export function demoChain(school: Scenario['school']): UnitInput[] {
  const so: UnitInput = { id: 'so', kind: 'department', name: 'Sở GDĐT (mô phỏng)' };
  if (school.kind === 'department') return [{ ...so, name: school.name }];
  const underDistrict: OrgUnitKind[] = ['preschool', 'primary', 'lower-secondary'];
  const phong: UnitInput = { id: 'phong', parentId: 'so', kind: 'district-office', name: 'Phòng GDĐT (mô phỏng)' };
  if (school.kind === 'district-office') return [so, { ...phong, name: school.name, ...(school.levels ? { levels: school.levels } : {}) }];
  const parent = underDistrict.includes(school.kind) ? phong : undefined;
  return [so, ...(parent ? [parent] : []), { id: 'school', parentId: parent ? parent.id : 'so', kind: school.kind, name: school.name, ...(school.levels ? { levels: school.levels } : {}) }];
}

/**
 * `readProcess(path)` returns the source of a process file named in the scenario (relative to it).
 * Throws EngineError DEFINITION_INVALID (with diagnostics) when the process does not validate.
 */
export async function runScenario(scenario: Scenario, readProcess: (path: string) => { source: string; file: string }): Promise<SimulationResult> {
  const clock = new ManualClock(scenario.start);
  const result: SimulationResult = { transitions: [], deadlines: [], escalations: [], rejected: [], final: { stages: [], status: 'running' } };
  const rt = await openRuntime({ sqliteFile: ':memory:', clock, observe: (c) => record(c, result) });
  try {
    // Every process the scenario names is published up front: an invalid one stops the run before
    // anything happens, with its located errors.
    const published = await publish(rt, readProcess, scenario.process);
    const targets = new Map<string, number>();
    for (const step of scenario.steps) if ('migrate' in step) targets.set(step.migrate.process, (await publish(rt, readProcess, step.migrate.process)).version);
    const units = await rt.engine.addUnits(demoChain(scenario.school));
    const instance = await rt.engine.start(
      { definitionId: published.id, version: published.version, orgUnitId: units[units.length - 1]!.id, ...(scenario.anchors ? { anchors: scenario.anchors } : {}) },
      { actor: SIMULATION_ACTOR },
    );
    let fired = 0;
    const runUntil = async (moment: number): Promise<void> => {
      for (;;) {
        const next = await rt.queue.nextRunAt();
        if (next === undefined || next > moment) break;
        clock.set(next);
        fired += await rt.runDue();
        if (fired > MAX_TIMERS) throw new EngineError('INVALID_ARGUMENT', `more than ${MAX_TIMERS} timers fired: the process re-arms without end`);
      }
      clock.set(moment);
    };
    for (const [i, step] of scenario.steps.entries()) {
      await runUntil(step.at);
      try {
        await applyStep(rt, instance.id, step, targets, result);
      } catch (e) {
        if (!(e instanceof EngineError)) throw e;
        result.rejected.push({ at: formatInstant(step.at), step: i + 1, code: e.code, message: e.message });
      }
    }
    const last = scenario.steps.length ? scenario.steps[scenario.steps.length - 1]!.at : scenario.start;
    await runUntil(scenario.until ?? last + DEFAULT_HORIZON_MS);
    const final = await rt.store.loadInstance(instance.id);
    result.final = { stages: final!.instance.stages, status: final!.instance.status };
    return result;
  } finally {
    await rt.close();
  }
}

/** Thrown for a scenario that cannot run (a process file missing or invalid): exit 1, not a rejection. */
export class ScenarioError extends Error {
  constructor(
    message: string,
    readonly diagnostics: Diagnostic[] = [],
  ) {
    super(message);
  }
}

async function publish(rt: Runtime, readProcess: (path: string) => { source: string; file: string }, path: string) {
  const { source, file } = readProcess(path);
  try {
    return await rt.engine.catalog.publish(source, file, SIMULATION_ACTOR);
  } catch (e) {
    if (e instanceof EngineError) throw new ScenarioError(e.message, (e.details.diagnostics as Diagnostic[] | undefined) ?? []);
    throw e;
  }
}

async function applyStep(rt: Runtime, id: string, step: ScenarioStep, targets: ReadonlyMap<string, number>, result: SimulationResult): Promise<void> {
  const who = { actor: SIMULATION_ACTOR };
  if ('complete' in step) await rt.engine.completeTask(id, step.complete.task, step.complete.data, who);
  else if ('reopen' in step) await rt.engine.reopenTask(id, step.reopen.task, who);
  else if ('send' in step) await rt.engine.send(id, step.send, who);
  else if ('anchor' in step) await rt.engine.setAnchor(id, step.anchor.name, step.anchor.date, who);
  else if ('check' in step) await rt.engine.checkEvidence(id, step.check.item, step.check.checked ?? true, who);
  else if ('cancel' in step) await rt.engine.cancel(id, step.cancel.reason, who);
  else if ('migrate' in step) {
    const toVersion = targets.get(step.migrate.process)!;
    const dryRun = step.migrate.dryRun ?? false;
    const report = await migrateCohort(rt.engine, { ids: [id] }, { toVersion, stateMap: step.migrate.map ?? {}, dryRun, reason: step.migrate.reason }, who);
    const item = report.instances[0];
    if (item?.error) throw new EngineError(item.error.code as EngineErrorCode, item.error.message);
    const moves = (item?.deadlines ?? []) as StageMove[];
    (result.migrations ??= []).push({
      at: formatInstant(step.at),
      dryRun,
      toVersion,
      from: item?.from as string[],
      to: item?.to as string[],
      deadlines: moves.map((m) => ({ stage: m.stage, before: m.dueBefore === undefined ? null : formatInstant(m.dueBefore), after: m.dueAfter === undefined ? null : formatInstant(m.dueAfter) })),
    });
  }
}

function record({ change, step }: Committed, result: SimulationResult): void {
  const at = formatInstant(change.history.at);
  if (change.escalation) {
    const e = change.escalation;
    result.escalations.push({ at, stage: e.stage, kind: e.kind, notify: e.notified.map((r) => r.role), units: e.notified.map((r) => r.unitId) });
  }
  if (!step) return;
  const moved = step.effects.some((e) => e.type === 'stageEntered' || e.type === 'stageLeft');
  if (moved) result.transitions.push({ at, from: change.history.fromStages, to: change.history.toStages, event: change.history.eventType });
  for (const e of step.effects) {
    if (e.type !== 'deadline') continue;
    result.deadlines.push({ stage: e.stage, enteredAt: formatInstant(e.enteredAt), dueAt: e.dueAt === undefined ? null : formatInstant(e.dueAt), ...(e.moved ? { moved: true as const } : {}) });
  }
}
