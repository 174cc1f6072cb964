// What the people of the demo province do to an instance, through the engine's public commands:
// complete the next open task, or finish the stage they are in (remaining tasks, the evidence
// checklist, an anchor date) and send the event that moves it on. Which event moves which stage is
// the process's route, written per process beside the story that uses it.
import { localDateOf } from '../../engine/calendar/time.ts';
import type { CompiledProcess } from '../../engine/definition/compile.ts';
import type { Engine } from '../../engine/service/engine.ts';
import type { Task } from '../../engine/domain.ts';
import { unitHolding } from '../../engine/service/roles.ts';
import { fillForm } from './forms.ts';
import type { Rng } from './rng.ts';
import { DEMO_USERS } from './users.ts';

/** How a stage is left: the event (none when completing the tasks moves it), its data, an anchor to set first. */
export interface Move {
  event?: string;
  data?: Record<string, unknown>;
  /** Anchor to set before the event (the visit date before SCHEDULE_VISIT); the date comes with the step. */
  anchor?: string;
  /** Form values to use instead of made-up ones, by field name (the late units a Sở lists). */
  fields?: Record<string, unknown>;
}

/** Moves by leaf stage id. */
export type Route = Readonly<Record<string, Move>>;

export class DemoWork {
  /** Commands sent, for the summary and the timing report. */
  commands = 0;
  /** Which process each instance runs: a task's form is looked up there. */
  private readonly definitions = new Map<string, { definitionId: string; definitionVersion: number }>();

  constructor(
    private readonly engine: Engine,
    private readonly rng: Rng,
  ) {}

  /** Completes one open task of the instance, if it has one. */
  async completeNextTask(instanceId: string): Promise<void> {
    // Open task rows exist only while their instance runs (cancelling closes them).
    const task = (await this.engine.queries.tasksOf(instanceId)).find((t) => t.status === 'open');
    if (!task) return;
    let definition = this.definitions.get(instanceId);
    if (!definition) {
      const instance = (await this.engine.store.loadInstance(instanceId))?.instance;
      if (!instance) return;
      definition = { definitionId: instance.definitionId, definitionVersion: instance.definitionVersion };
      this.definitions.set(instanceId, definition);
    }
    await this.complete(definition.definitionId, definition.definitionVersion, task);
  }

  /**
   * Finishes the current stage: every open task, every unticked evidence item, the anchor, then the
   * move's event (`override` replaces the route's move, for a return or a rejection).
   */
  async passStage(instanceId: string, route: Route, options: { override?: Move; anchorDate?: string } = {}): Promise<void> {
    const loaded = await this.engine.store.loadInstance(instanceId);
    if (!loaded || loaded.instance.status !== 'running') return;
    const { instance } = loaded;
    const stage = instance.stages.find((s) => route[s] !== undefined);
    const move = options.override ?? (stage ? route[stage] : undefined);
    for (const task of loaded.tasks.filter((t) => t.status === 'open'))
      await this.complete(instance.definitionId, instance.definitionVersion, task, move?.fields);
    const compiled = await this.engine.catalog.get(instance.definitionId, instance.definitionVersion);
    const checked = checkedEvidence(instance.state.snapshot);
    const actor = actorFor(stage ? await this.stageHolder(compiled, stage, instance.orgUnitId) : instance.orgUnitId);
    for (const s of instance.stages) {
      for (const item of compiled.stages[s]?.evidence ?? []) {
        if (checked[s]?.[item.id] === true) continue;
        await this.engine.checkEvidence(instanceId, item.id, true, { actor });
        this.commands++;
      }
    }
    if (move?.anchor && options.anchorDate) {
      await this.engine.setAnchor(instanceId, move.anchor, options.anchorDate, { actor });
      this.commands++;
    }
    if (move?.event) {
      await this.engine.send(instanceId, { type: move.event, ...(move.data ? { data: move.data } : {}) }, { actor });
      this.commands++;
    }
  }

  /** Sends one event as the instance's unit (a change to the disclosed information). */
  async send(instanceId: string, event: string, data?: Record<string, unknown>): Promise<void> {
    const loaded = await this.engine.store.loadInstance(instanceId);
    if (!loaded || loaded.instance.status !== 'running') return;
    await this.engine.send(instanceId, { type: event, ...(data ? { data } : {}) }, { actor: actorFor(loaded.instance.orgUnitId) });
    this.commands++;
  }

  /** Ends an instance early, with the reason on record (a school merged into another). */
  async cancel(instanceId: string, reason: string): Promise<void> {
    const loaded = await this.engine.store.loadInstance(instanceId);
    if (!loaded || loaded.instance.status !== 'running') return;
    await this.engine.cancel(instanceId, reason, { actor: 'admin' });
    this.commands++;
  }

  private async complete(definitionId: string, version: number, task: Task, fields: Record<string, unknown> = {}): Promise<void> {
    const compiled = await this.engine.catalog.get(definitionId, version);
    const schema = compiled.stages[task.stage]?.tasks.find((t) => t.id === task.task)?.formSchema;
    const data = fillForm(schema, { rng: this.rng, unitId: task.ownerUnitId, today: localDateOf(this.engine.clock.now()) });
    for (const [name, value] of Object.entries(fields)) if (name in data) data[name] = value;
    await this.engine.completeTask(task.instanceId, task.task, data, { actor: actorFor(task.ownerUnitId) });
    this.commands++;
  }

  /** The unit holding a stage (its owner role, or its enclosing stage's), seen from the instance's unit. */
  private async stageHolder(compiled: CompiledProcess, stage: string, orgUnitId: string): Promise<string> {
    const info = compiled.stages[stage];
    const owner = [info?.owner, ...[...(info?.ancestors ?? [])].reverse().map((a) => compiled.stages[a]?.owner)].find((o) => o !== undefined);
    const role = owner ? compiled.roles[owner] : undefined;
    return (role && unitHolding(role, await this.engine.chainOf(orgUnitId))?.id) ?? orgUnitId;
  }
}

/** The demo login working in a unit (its staff, or the Sở's supervisor), else a named stand-in. */
export function actorFor(unitId: string): string {
  const user = DEMO_USERS.find((u) => u.grants.some((g) => g.unitId === unitId && g.role !== 'admin'));
  return user?.login ?? `demo:${unitId}`;
}

function checkedEvidence(snapshot: unknown): Record<string, Record<string, boolean>> {
  const context = (snapshot as { context?: { evidence?: Record<string, Record<string, boolean>> } } | null)?.context;
  return context?.evidence ?? {};
}
