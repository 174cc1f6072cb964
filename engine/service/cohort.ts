// Cohort operations: one office acting on many schools' instances at once — extend a deadline
// (gia hạn), hand tasks to another unit, cancel, or move to a new definition version. Each instance
// changes in its own transaction, with the reason on its history; one that cannot be changed is
// reported and the others go on.
import { addDays, localDateOf, type LocalDate } from '../calendar/time.ts';
import { EngineError } from '../errors.ts';
import type { InstanceFilter } from '../ports.ts';
import { extendDeadline, migrateState, type StageMove } from '../runtime/rearm.ts';
import type { CompiledProcess } from '../definition/compile.ts';
import type { Instance, Task } from '../domain.ts';
import { bareChange, changeFromStep } from './change.ts';
import { requireReason, type CommandOptions, type Engine } from './engine.ts';
import { once } from './idempotency.ts';
import type { UnitChain } from './roles.ts';

export interface CohortItem {
  instanceId: string;
  orgUnitId: string;
  definitionId: string;
  definitionVersion: number;
  /** The stages it was in when listed. */
  activeStages: string[];
  /** Set when this instance was left as it was, with why. */
  error?: { code: string; message: string };
  /** Set when the work it would touch is not the caller's to change (held above their units). */
  excluded?: { code: string; message: string; stages?: unknown };
  [detail: string]: unknown;
}

export interface CohortReport {
  matched: number;
  changed: number;
  /** Instances left alone because the work is held by a unit outside the caller's scope. */
  excluded: number;
  dryRun: boolean;
  instances: CohortItem[];
  /** Of an extension: how many are past the new deadline already. */
  stillOverdue?: number;
}

/** Whose work a cohort operation may touch: the application's rules (policy.ts), asked over the
 * state each instance's change is computed from. */
export interface CohortScope {
  /** Why the instance is left alone when its stages would be touched; undefined: go ahead. */
  exclude(
    instance: Instance,
    compiled: CompiledProcess,
    chain: UnitChain,
    stages: readonly string[],
  ): { code: string; message: string; stages?: unknown } | undefined;
  /** Whether a task may be handed over. */
  mayMoveTask(task: Task): boolean;
}

/** Who acts, and the request's Idempotency-Key: it stands for each instance's change. */
export interface CohortOptions {
  actor: string;
  idempotencyKey?: string;
  scope?: CohortScope;
}

const PAGE = 200;

/** Extends an active stage's deadline: to a given last day, or by working/calendar days. */
export async function extendCohort(
  engine: Engine,
  filter: InstanceFilter,
  input: { stage: string; until?: string; workingDays?: number; days?: number; reason: string; dryRun?: boolean },
  options: CohortOptions,
): Promise<CohortReport> {
  requireReason(input.reason);
  const ways = ['until', 'workingDays', 'days'].filter((k) => input[k as keyof typeof input] !== undefined);
  if (ways.length !== 1)
    throw new EngineError('INVALID_ARGUMENT', 'give exactly one of until (a date), workingDays or days', {
      field: 'until',
      allowed: ['until', 'workingDays', 'days'],
    });
  if (input.until === undefined && !(Number.isInteger(input.workingDays ?? input.days) && (input.workingDays ?? input.days)! > 0)) {
    throw new EngineError('INVALID_ARGUMENT', 'the extension must be a positive whole number of days', { field: ways[0] });
  }
  return forEachInstance(engine, { ...filter, stages: [input.stage] }, input.dryRun ?? false, async (instance, dryRun) => {
    let before: number | undefined;
    let after: number | undefined;
    await perInstance(engine, options, instance.id, dryRun, { extend: input }, (command) =>
      engine.mutate(
        instance.id,
        guarded(command, options.scope, () => [input.stage]),
        async (loaded, at, compiled) => {
          const calendar = engine.catalog.calendarOf(compiled);
          const entry = loaded.instance.state.entries[input.stage];
          if (!entry) throw new EngineError('STAGE_REJECTS_EVENT', `stage "${input.stage}" is not active`, { stage: input.stage });
          const current = entry.dueAt === undefined ? undefined : localDateOf(entry.dueAt);
          let lastDay: LocalDate;
          if (input.until !== undefined) lastDay = input.until;
          else if (!current)
            throw new EngineError('INVALID_ARGUMENT', `stage "${input.stage}" has no deadline yet to extend; give "until"`, { field: 'until' });
          else lastDay = input.workingDays !== undefined ? calendar.addWorkingDays(current, input.workingDays) : addDays(current, input.days!);
          const step = extendDeadline(compiled, loaded.instance.state, input.stage, lastDay, calendar);
          before = entry.dueAt;
          after = step.state.entries[input.stage]!.dueAt;
          if (dryRun) throw new DryRun();
          const chain = await engine.chainOf(loaded.instance.orgUnitId);
          return {
            change: changeFromStep(compiled, loaded, step, chain, {
              actor: options.actor,
              eventType: 'cohort.extend',
              payload: { reason: input.reason, stage: input.stage, lastDay },
              at,
            }),
            step,
          };
        },
      ),
    );
    return { stage: input.stage, ...(before !== undefined ? { dueBefore: before } : {}), ...(after !== undefined ? { dueAfter: after } : {}) };
  });
}

/** Hands the open tasks (all, or of one task id) to another unit, e.g. when a school merges. Tasks
 * held by a unit outside the caller's scope stay where they are, and are listed. */
export async function reassignCohort(
  engine: Engine,
  filter: InstanceFilter,
  input: { toUnitId: string; task?: string; reason: string; dryRun?: boolean },
  options: CohortOptions,
): Promise<CohortReport> {
  requireReason(input.reason);
  const [unit] = await engine.chainOf(input.toUnitId);
  return forEachInstance(engine, filter, input.dryRun ?? false, async (instance, dryRun) => {
    let moved: string[] = [];
    let kept: string[] = [];
    await perInstance(engine, options, instance.id, dryRun, { reassign: input }, (command) =>
      engine.mutate(instance.id, command, async (loaded, at) => {
        const open = loaded.tasks.filter((t) => t.status === 'open' && (!input.task || t.task === input.task));
        if (!open.length) throw new EngineError('NOT_FOUND', input.task ? `no open task "${input.task}"` : 'no open tasks', { task: input.task });
        const tasks = open.filter((t) => options.scope?.mayMoveTask(t) ?? true);
        kept = open.filter((t) => !tasks.includes(t)).map((t) => t.task);
        if (!tasks.length)
          throw new Excluded({ code: 'OUTSIDE_SCOPE', message: `left alone: the open tasks (${kept.join(', ')}) are held by a unit above your units` });
        moved = tasks.map((t) => t.task);
        if (dryRun) throw new DryRun();
        const change = bareChange(loaded, {
          actor: options.actor,
          eventType: 'cohort.reassign',
          payload: { reason: input.reason, tasks: moved, toUnitId: unit!.id },
          at,
        });
        change.tasks.push(...tasks.map((t) => ({ ...t, ownerUnitId: unit!.id, ownerUnitPath: unit!.path })));
        return { change };
      }),
    );
    return { tasks: moved, toUnitId: unit!.id, ...(kept.length ? { kept } : {}) };
  });
}

export async function cancelCohort(
  engine: Engine,
  filter: InstanceFilter,
  input: { reason: string; dryRun?: boolean },
  options: CohortOptions,
): Promise<CohortReport> {
  requireReason(input.reason);
  return forEachInstance(engine, filter, input.dryRun ?? false, async (instance, dryRun) => {
    // A dry run asks the rules over the listed state; a real one over the state it changes.
    if (dryRun)
      checkExcluded(
        options.scope,
        instance,
        await engine.catalog.get(instance.definitionId, instance.definitionVersion),
        await engine.chainOf(instance.orgUnitId),
        instance.stages,
      );
    else
      await perInstance(engine, options, instance.id, dryRun, { cancel: input }, (command) =>
        engine.cancel(
          instance.id,
          input.reason,
          guarded(command, options.scope, (i) => i.stages),
        ),
      );
    return { stages: instance.stages };
  });
}

/**
 * Moves instances to another published version of their definition. `stateMap` says where each
 * stage that no longer exists goes; a dry run lists what would change and which deadlines move.
 */
export async function migrateCohort(
  engine: Engine,
  filter: InstanceFilter,
  input: { toVersion: number; stateMap?: Record<string, string>; reason: string; dryRun?: boolean },
  options: CohortOptions,
): Promise<CohortReport> {
  requireReason(input.reason);
  return forEachInstance(engine, filter, input.dryRun ?? false, async (instance, dryRun) => {
    let moves: StageMove[] = [];
    let to: string[] = [];
    await perInstance(engine, options, instance.id, dryRun, { migrate: input }, (command) =>
      engine.mutate(
        instance.id,
        guarded(command, options.scope, (i) => i.stages),
        async (loaded, at) => {
          const target = await engine.catalog.get(loaded.instance.definitionId, input.toVersion);
          if (target.version === loaded.instance.definitionVersion)
            throw new EngineError('INVALID_ARGUMENT', `already on version ${target.version}`, { field: 'toVersion' });
          const migrated = migrateState(target, loaded.instance.state, loaded.instance.stages, input.stateMap ?? {}, at, engine.catalog.calendarOf(target));
          moves = migrated.moves;
          to = migrated.step.stages;
          if (dryRun) throw new DryRun();
          const chain = await engine.chainOf(loaded.instance.orgUnitId);
          const change = changeFromStep(target, loaded, migrated.step, chain, {
            actor: options.actor,
            eventType: 'cohort.migrate',
            payload: { reason: input.reason, fromVersion: loaded.instance.definitionVersion, toVersion: target.version, stateMap: input.stateMap ?? {} },
            at,
          });
          change.instance = { ...change.instance, definitionVersion: target.version, status: 'running' };
          return { change, step: migrated.step };
        },
      ),
    );
    return { fromVersion: instance.definitionVersion, toVersion: input.toVersion, from: instance.stages, to, deadlines: moves };
  });
}

/** One instance's change under the request's Idempotency-Key: a repeated request (say, "extend by
 * 5 days" sent twice, or again after a crash cut the first short) changes each instance once. A dry
 * run commits nothing and keeps no key. */
async function perInstance(
  engine: Engine,
  options: CohortOptions,
  instanceId: string,
  dryRun: boolean,
  request: unknown,
  run: (command: CommandOptions) => Promise<unknown>,
): Promise<void> {
  const key = options.idempotencyKey && !dryRun ? { key: `${options.idempotencyKey}/${instanceId}` } : undefined;
  await once(engine.store, options.actor, key, request, (idempotency) => run({ actor: options.actor, ...(idempotency ? { idempotency } : {}) }), {
    committed: true,
    at: () => engine.clock.now(),
  }).catch(ignoreDryRun);
}

/** The command, with the rules asked over the state it is computed from. */
function guarded(command: CommandOptions, scope: CohortScope | undefined, stages: (instance: Instance) => readonly string[]): CommandOptions {
  if (!scope) return command;
  return { ...command, authorize: (instance, compiled, chain) => checkExcluded(scope, instance, compiled, chain, stages(instance)) };
}

function checkExcluded(scope: CohortScope | undefined, instance: Instance, compiled: CompiledProcess, chain: UnitChain, stages: readonly string[]): void {
  const why = scope?.exclude(instance, compiled, chain, stages);
  if (why) throw new Excluded(why);
}

/** Thrown inside a dry run's compute, after it has worked out what would change: nothing commits. */
class DryRun extends Error {}

/** The instance's work is not the caller's to touch: it is listed, left alone, and not an error. */
class Excluded extends Error {
  constructor(readonly why: { code: string; message: string; stages?: unknown }) {
    super(why.message);
  }
}

function ignoreDryRun(e: unknown): void {
  if (!(e instanceof DryRun)) throw e;
}

async function forEachInstance(
  engine: Engine,
  filter: InstanceFilter,
  dryRun: boolean,
  each: (instance: Instance, dryRun: boolean) => Promise<Record<string, unknown>>,
): Promise<CohortReport> {
  const scoped: InstanceFilter = { statuses: ['running', 'needs_migration'], ...filter };
  const report: CohortReport = { matched: 0, changed: 0, excluded: 0, dryRun, instances: [] };
  let afterId: string | undefined;
  for (;;) {
    const page = await engine.queries.listInstances(scoped, { ...(afterId ? { afterId } : {}), limit: PAGE });
    if (!page.length) return report;
    for (const instance of page) {
      report.matched++;
      const base = {
        instanceId: instance.id,
        orgUnitId: instance.orgUnitId,
        definitionId: instance.definitionId,
        definitionVersion: instance.definitionVersion,
        activeStages: instance.stages,
      };
      try {
        report.instances.push({ ...base, ...(await each(instance, dryRun)) });
        if (!dryRun) report.changed++;
      } catch (e) {
        if (e instanceof Excluded) {
          report.excluded++;
          report.instances.push({ ...base, excluded: e.why });
          continue;
        }
        if (!(e instanceof EngineError)) throw e;
        report.instances.push({ ...base, error: { code: e.code, message: e.message } });
      }
    }
    afterId = page[page.length - 1]!.id;
  }
}
