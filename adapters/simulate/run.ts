// Runs a scenario on the real engine: an in-memory SQLite store, the embedded queue, and a clock that
// jumps to the next due timer or scripted step. What happened comes back as plain JSON.
import { formatInstant } from '../../engine/calendar/time.ts';
import type { Diagnostic } from '../../engine/definition/diagnostics.ts';
import { EngineError, type EngineErrorCode } from '../../engine/errors.ts';
import type { StageMove } from '../../engine/runtime/rearm.ts';
import { Application, systemPrincipal, type Principal } from '../../engine/application/application.ts';
import { ManualClock } from '../../engine/ports.ts';
import type { Committed } from '../../engine/service/engine.ts';
import type { OrgUnitKind } from '../../engine/definition/types.generated.ts';
import type { UnitInput } from '../../engine/service/org.ts';
import { openRuntime } from '../runtime.ts';
import type { Scenario, ScenarioStep } from './scenario.ts';

export interface SimulationResult {
  transitions: { at: string; from: string[]; to: string[]; event: string }[];
  deadlines: { stage: string; enteredAt: string; dueAt: string | null; moved?: true }[];
  escalations: { at: string; stage: string; kind: string; notify: string[]; units: string[] }[];
  rejected: { at: string; step: number; code: string; message: string }[];
  migrations?: {
    at: string;
    dryRun: boolean;
    toVersion: number;
    from: string[];
    to: string[];
    deadlines: { stage: string; before: string | null; after: string | null }[];
  }[];
  final: { stages: string[]; status: string };
}

export const SIMULATION_ACTOR = 'simulation';
const SIMULATOR: Principal = systemPrincipal(SIMULATION_ACTOR, 'Mô phỏng');

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
  return [
    so,
    ...(parent ? [parent] : []),
    { id: 'school', parentId: parent ? parent.id : 'so', kind: school.kind, name: school.name, ...(school.levels ? { levels: school.levels } : {}) },
  ];
}

/**
 * `readProcess(path)` returns the source of a process file named in the scenario (relative to it).
 * Throws EngineError DEFINITION_INVALID (with diagnostics) when the process does not validate.
 */
export async function runScenario(scenario: Scenario, readProcess: (path: string) => { source: string; file: string }): Promise<SimulationResult> {
  const clock = new ManualClock(scenario.start);
  const result: SimulationResult = { transitions: [], deadlines: [], escalations: [], rejected: [], final: { stages: [], status: 'running' } };
  const rt = await openRuntime({ sqliteFile: ':memory:', clock, observe: (c) => record(c, result) });
  // The scenario runs through the application layer as every entry point does, as the system: the
  // one actor of a simulation, over the whole of its small tree.
  const app = new Application({ engine: rt.engine });
  try {
    // Every process the scenario names is published up front: an invalid one stops the run before
    // anything happens, with its located errors.
    const published = await publish(app, readProcess, scenario.process);
    const targets = new Map<string, number>();
    for (const step of scenario.steps)
      if ('migrate' in step) targets.set(step.migrate.process, (await publish(app, readProcess, step.migrate.process)).version);
    const units = await app.addUnits(SIMULATOR, demoChain(scenario.school));
    const instance = await app.startInstance(SIMULATOR, {
      definitionId: published.id,
      version: published.version,
      orgUnitId: units[units.length - 1]!.id,
      ...(scenario.anchors ? { anchors: scenario.anchors } : {}),
    });
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
        await applyStep(app, instance.id, step, targets, result);
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

async function publish(app: Application, readProcess: (path: string) => { source: string; file: string }, path: string) {
  const { source, file } = readProcess(path);
  try {
    return await app.publish(SIMULATOR, source, {}, file);
  } catch (e) {
    if (e instanceof EngineError) throw new ScenarioError(e.message, (e.details.diagnostics as Diagnostic[] | undefined) ?? []);
    throw e;
  }
}

async function applyStep(app: Application, id: string, step: ScenarioStep, targets: ReadonlyMap<string, number>, result: SimulationResult): Promise<void> {
  const who = SIMULATOR;
  if ('complete' in step) await app.completeTaskOf(who, id, step.complete.task, step.complete.data ?? {});
  else if ('reopen' in step) await app.reopenTaskOf(who, id, step.reopen.task);
  else if ('send' in step) await app.sendEvent(who, id, step.send);
  else if ('anchor' in step) await app.setAnchor(who, id, step.anchor.name, step.anchor.date);
  else if ('check' in step) await app.checkEvidence(who, id, step.check.item, step.check.checked ?? true);
  else if ('cancel' in step) await app.cancelInstance(who, id, step.cancel.reason);
  else if ('migrate' in step) {
    const toVersion = targets.get(step.migrate.process)!;
    const dryRun = step.migrate.dryRun ?? false;
    const report = await app.cohort(
      who,
      { instanceIds: [id] },
      { op: 'migrate', toVersion, stateMap: step.migrate.map ?? {}, dryRun, reason: step.migrate.reason },
    );
    const item = report.instances[0];
    if (item?.error) throw new EngineError(item.error.code as EngineErrorCode, item.error.message);
    const moves = (item?.deadlines ?? []) as StageMove[];
    (result.migrations ??= []).push({
      at: formatInstant(step.at),
      dryRun,
      toVersion,
      from: item?.from as string[],
      to: item?.to as string[],
      deadlines: moves.map((m) => ({
        stage: m.stage,
        before: m.dueBefore === undefined ? null : formatInstant(m.dueBefore),
        after: m.dueAfter === undefined ? null : formatInstant(m.dueAfter),
      })),
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
    result.deadlines.push({
      stage: e.stage,
      enteredAt: formatInstant(e.enteredAt),
      dueAt: e.dueAt === undefined ? null : formatInstant(e.dueAt),
      ...(e.moved ? { moved: true as const } : {}),
    });
  }
}
