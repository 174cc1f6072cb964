// The engine service: every command that changes an instance takes the same path — load, pure step,
// one commit with a rev compare-and-set — and a conflicting concurrent change is retried over the
// fresh state, so nothing is lost and nothing applied twice.
import { parseLocalDate } from '../calendar/time.ts';
import { createAjv, type ErrorObject, type ValidateFunction } from '../definition/ajv.ts';
import { BUILT_IN_EVENT_TITLES, ENGINE_EVENTS, type CompiledProcess, type StageInfo } from '../definition/compile.ts';
import { nameKey } from '../definition/names.ts';
import type { JsonSchemaObject } from '../definition/forms.ts';
import type { Form, Text } from '../definition/types.generated.ts';
import { CHILDREN_ALIAS, CHILDREN_DONE_EVENT, DUE_EVENT, ENGINE_SENT_EVENTS } from '../definition/model.ts';
import type { FanOutCounts, ProcessContext } from '../definition/conditions.ts';
import { EngineError } from '../errors.ts';
import type { Clock, CommitOutcome, Queries, Store } from '../ports.ts';
import { MAX_NAMED_UNITS, runCampaign } from './campaigns.ts';
import { fanOutCampaign, fanOutId, isFanOutId, rollUp, rollupForGuards, rollupTasks, waitMet } from './fan-out.ts';
import { advance, startInstance, timerIsCurrent, XSTATE_VERSION, type EngineEvent, type InstanceState, type StepResult } from '../runtime/advance.ts';
import { Batcher } from './batcher.ts';
import { orderedId } from './ids.ts';
import { Catalog } from './catalog.ts';
import { UnitDirectory } from './units.ts';
import { escalationChange, rungsDueBy } from './escalation.ts';
import type { KeyToCommit } from './idempotency.ts';
import { bareChange, cancelAllTimers, changeFromStep, SYSTEM_ACTOR } from './change.ts';
import type { Campaign, Change, Instance, LoadedInstance, OrgChange, OrgUnit, Timer } from '../domain.ts';
import { placeUnits, type UnitInput } from './org.ts';
import type { UnitChain } from './roles.ts';

/** What `start` is given: the process, the unit, and what its instance starts with. */
export interface StartInput {
  definitionId: string;
  version?: number;
  orgUnitId: string;
  campaignId?: string;
  anchors?: Record<string, string>;
  /** Lists of unit codes the process declares (a sample), by name. */
  lists?: Record<string, string[]>;
}

/** A start computed, waiting for `Engine.commitStarts`. */
export interface PreparedStart {
  change: Change;
  step: StepResult;
}

/** A rung that points down the tree tells at most this many units (a Sở's whole province). */
const MAX_NOTIFIED_BELOW = 60_000;

export interface CommandOptions {
  /** Who sends it: recorded in history; idempotency keys are unique per actor. */
  actor: string;
  /** The Idempotency-Key to commit with the change (engine/service/idempotency.ts looks it up). */
  idempotency?: KeyToCommit;
  /** Decides, over the very state the change is computed from (and again on each retry), whether
   * the caller may make it; throws to refuse (the application layer's rules, policy.ts). */
  authorize?: (instance: Instance, compiled: CompiledProcess, chain: UnitChain) => void;
}

/** What a command answers: the instance as it now stands. */
export interface InstanceSummary {
  id: string;
  definitionId: string;
  definitionVersion: number;
  orgUnitId: string;
  status: Instance['status'];
  stages: string[];
  rev: number;
  dueAt?: number;
}

/** Seen after every commit: simulations record transitions from it, the server pushes the relay. */
export interface Committed {
  change: Change;
  /** How many of the change's outbox messages wait in the outbox for the relay (the outbox step
   * may have delivered them all in the transaction: the embedded queue's timer jobs). */
  outboxed: number;
  step?: StepResult;
}

export interface EngineDeps {
  store: Store;
  /** Read models: cohort operations and campaigns page through instances with them. */
  queries: Queries;
  clock: Clock;
  catalog: Catalog;
  /** Called when a command met a concurrent change and is recomputed (a metric). */
  onConflict?: () => void;
  /** Runs after each commit, awaited: wires the outbox relay, observers. */
  afterCommit?: (committed: Committed) => Promise<void>;
  /** How many times a REV_CONFLICT is retried over fresh state before it is reported. */
  maxRetries?: number;
  /** Runs a fan-out's starts (its campaign). Default: here, before the command that opened it
   * answers — simulations and tests see the children at once; a server runs them in the
   * background under its campaign lease (a run cut short is resumed like any campaign). */
  runFanOut?: (campaignId: string) => Promise<unknown>;
  /** How long a unit's chain of ancestors is reused before it is read again (ms). Units change
   * rarely (a rename, a move between Phòng); this process's own changes clear it at once.
   * Default 30 s. */
  unitCacheMs?: number;
}

export class Engine {
  readonly store: Store;
  readonly queries: Queries;
  readonly clock: Clock;
  readonly catalog: Catalog;
  private readonly afterCommit: EngineDeps['afterCommit'];
  private readonly onConflict: EngineDeps['onConflict'];
  private readonly maxRetries: number;
  /** Per fan-out campaign, the child stages that count as its part done (`fanOut.reported`). */
  private readonly reportedStages = new Map<string, readonly string[]>();
  /** See EngineDeps.runFanOut; the server sets it once its campaign runner exists. */
  runFanOut: (campaignId: string) => Promise<unknown>;
  // verbose: errors carry their schema, so an unknown field can be answered with the form's fields.
  private readonly ajv = createAjv({ verbose: true });
  private readonly validators = new WeakMap<JsonSchemaObject, ValidateFunction>();
  private readonly units: UnitDirectory;
  // Commands that arrive together load together and commit together (group commit).
  private readonly loads = new Batcher<string, LoadedInstance | undefined>((ids) => this.store.loadInstances(ids));
  private readonly timers = new Batcher<string, Timer | undefined>((ids) => this.store.getTimers(ids));
  private readonly commits = new Batcher<Change, CommitOutcome>((changes) => this.store.commit(changes));
  /** First steps of starts at one moment (firstStep). */
  private firstSteps: { compiled?: CompiledProcess; at: number; steps: Map<string, StepResult> } = { at: NaN, steps: new Map() };
  /** The fan-out checks running, by campaign (checkFanOut). */
  private readonly fanOutChecks = new Map<string, { again: boolean; done: Promise<boolean> }>();

  constructor(deps: EngineDeps) {
    this.store = deps.store;
    this.queries = deps.queries;
    this.clock = deps.clock;
    this.catalog = deps.catalog;
    this.afterCommit = deps.afterCommit;
    this.onConflict = deps.onConflict;
    this.maxRetries = deps.maxRetries ?? 5;
    this.runFanOut = deps.runFanOut ?? ((id) => runCampaign(this, id, { actor: SYSTEM_ACTOR }));
    this.units = new UnitDirectory(deps.store, deps.unitCacheMs);
  }

  /** Adds (or renames) org units; parents must exist or come in the same batch. */
  async addUnits(inputs: readonly UnitInput[]): Promise<OrgUnit[]> {
    const parentIds = [...new Set(inputs.map((u) => u.parentId).filter((p): p is string => p !== undefined))];
    const known = new Map((await this.store.getUnits(parentIds)).map((u) => [u.id, u]));
    const units = placeUnits(inputs, known, this.clock.now());
    await this.store.putUnits(units);
    this.units.forget();
    this.units.remember(units);
    return units;
  }

  /** Reshapes the tree in one transaction; the unit chains kept here are read again after it. */
  async reshapeUnits(change: OrgChange): Promise<void> {
    try {
      await this.store.reshape(change);
    } finally {
      this.units.forget();
    }
  }

  /** Starts a process for one org unit. Starting it again for the same unit (and campaign) answers
   * the instance already there. */
  async start(input: StartInput, options: CommandOptions): Promise<InstanceSummary> {
    const prepared = await this.prepareStart(input, options);
    if ('existing' in prepared) return prepared.existing;
    const { answers, settled } = await this.commitStarts([prepared]);
    await settled;
    const [answer] = answers;
    if (answer instanceof EngineError) throw answer;
    return answer!;
  }

  /** A start checked and computed, not committed yet (`commitStarts` commits it): a campaign
   * computes its next page of starts while the page before commits. Throws what `start` refuses
   * with; an instance already there (outside a campaign) comes back as `existing`. Starts given
   * one moment `at` (a campaign's page) compute their first step once per kind of unit. */
  async prepareStart(input: StartInput, options: CommandOptions, at = this.clock.now()): Promise<PreparedStart | { existing: InstanceSummary }> {
    const compiled = await this.catalog.get(input.definitionId, input.version);
    const chain = await this.chainOf(input.orgUnitId);
    const unit = chain[0]!;
    if (unit.closedAt !== undefined) {
      throw new EngineError('UNIT_CLOSED', `unit "${unit.id}" is closed${unit.mergedInto ? ` (merged into "${unit.mergedInto}")` : ''}: it takes no new work`, {
        orgUnitId: unit.id,
        ...(unit.mergedInto ? { mergedInto: unit.mergedInto } : {}),
      });
    }
    if (!compiled.appliesTo.includes(unit.kind)) {
      throw new EngineError('NOT_APPLICABLE', `${compiled.id} applies to ${compiled.appliesTo.join(', ')}; unit "${unit.id}" is a ${unit.kind}`, {
        kind: unit.kind,
        allowed: compiled.appliesTo,
      });
    }
    const anchors = this.checkAnchors(compiled, input.anchors ?? {});
    const lists = this.checkLists(compiled, input.lists ?? {});
    await this.checkChildProcesses(compiled);
    // In a campaign the store's unique key catches a second start (answered below); outside one
    // (no campaign id, and NULLs never collide) only this look-up does.
    const existing = input.campaignId ? undefined : await this.store.findInstance(compiled.id, unit.id, input.campaignId);
    if (existing) return { existing: summary(existing) };
    const step = this.firstStep(
      compiled,
      { unit: { kind: unit.kind, ...(unit.levels ? { levels: unit.levels } : {}) }, anchors, ...(Object.keys(lists).length ? { lists } : {}) },
      at,
    );
    const blank: Instance = {
      id: orderedId(),
      definitionId: compiled.id,
      definitionVersion: compiled.version,
      xstateVersion: XSTATE_VERSION,
      orgUnitId: unit.id,
      unitPath: unit.path,
      ...(input.campaignId ? { campaignId: input.campaignId } : {}),
      status: 'running',
      state: { snapshot: null, entries: {}, seq: 0 },
      rev: 0,
      stages: [],
      enteredAt: at,
      createdAt: at,
      updatedAt: at,
    };
    const loaded: LoadedInstance = { instance: blank, tasks: [], pendingTimers: [] };
    const change = changeFromStep(compiled, loaded, step, chain, {
      actor: options.actor,
      eventType: 'instance.start',
      at,
      ...(input.anchors || input.lists ? { payload: { ...(input.anchors ? { anchors } : {}), ...(input.lists ? { lists } : {}) } } : {}),
    });
    await this.openFanOuts(change, step, chain);
    return { change, step };
  }

  /** A start's first step: the same for every unit of one kind (and levels) started at one moment
   * with the same anchors and lists, so a campaign's page of starts, given one moment, computes it
   * once per kind — the machine's initial transition cost 120–350 µs a start, a third of a
   * campaign's time on the JS thread — and each start takes its own copy. */
  private firstStep(compiled: CompiledProcess, input: Parameters<typeof startInstance>[1], at: number): StepResult {
    if (this.firstSteps.compiled !== compiled || this.firstSteps.at !== at) this.firstSteps = { compiled, at, steps: new Map() };
    const { steps } = this.firstSteps;
    const key = JSON.stringify(input);
    let step = steps.get(key);
    if (!step) {
      step = startInstance(compiled, input, at, this.catalog.calendarOf(compiled));
      if (steps.size >= 64) steps.clear();
      steps.set(key, step);
    }
    // Its own copy: nothing of one instance's state is shared with another's.
    return structuredClone(step);
  }

  /** Commits prepared starts together (a group commit, in transactions of the commit batcher's
   * size). Answers once they are committed, per start, its instance — or, when its unit got one
   * meanwhile, that one (as a repeated start would) — or the refusal; `settled` is what follows the
   * commits as it follows `start`'s (the relay of their timers, observers, fan-outs they opened), for
   * a caller that goes on meanwhile — a campaign commits its next page while this one's timers go to
   * Redis. Wait for it before relying on that work: its failure is thrown there. */
  async commitStarts(starts: readonly PreparedStart[]): Promise<{ answers: (InstanceSummary | EngineError)[]; settled: Promise<void> }> {
    const outcomes = await this.commits.submitAll(starts.map((s) => s.change));
    // Together: relays run after them share one run (OutboxRelay.drain).
    const settled = Promise.all(
      starts.map(({ change, step }, k) => {
        const outcome = outcomes[k]!;
        return outcome.error ? undefined : this.committed(change, outcome.outboxed, step);
      }),
    ).then(() => undefined);
    // Handled by whoever waits for it; a caller that fails first leaves no unhandled rejection.
    settled.catch(() => undefined);
    const answers = await Promise.all(
      starts.map(async ({ change }, k): Promise<InstanceSummary | EngineError> => {
        const outcome = outcomes[k]!;
        if (!outcome.error) return summary(change.instance);
        // Another request started it first: answer that one, as a repeated start would.
        const { definitionId, orgUnitId, campaignId } = change.instance;
        const raced = outcome.error.code === 'REV_CONFLICT' ? await this.store.findInstance(definitionId, orgUnitId, campaignId) : undefined;
        return raced ? summary(raced) : outcome.error;
      }),
    );
    return { answers, settled };
  }

  /** Sends a process event (SUBMIT, REVIEW…) with its data, checked against the event's form. */
  async send(instanceId: string, event: { type: string; data?: Record<string, unknown> }, options: CommandOptions): Promise<InstanceSummary> {
    if (typeof event.type !== 'string' || ENGINE_SENT_EVENTS.includes(event.type) || event.type.includes('.')) {
      const why =
        event.type === DUE_EVENT
          ? 'DUE is sent by the engine when a deadline passes'
          : event.type === CHILDREN_DONE_EVENT
            ? 'CHILDREN_DONE is sent by the engine when the units below have done what the stage waits for'
            : 'engine events have their own commands (complete a task, check evidence, set an anchor)';
      const title = typeof event.type === 'string' && Object.hasOwn(BUILT_IN_EVENT_TITLES, event.type) ? BUILT_IN_EVENT_TITLES[event.type] : undefined;
      throw new EngineError('STAGE_REJECTS_EVENT', `"${String(event.type)}" cannot be sent: ${why}`, {
        type: event.type,
        ...(title ? { names: { [nameKey('event', event.type)]: title } } : {}),
      });
    }
    requireObject(event.data, 'EVENT_DATA_INVALID', `${event.type} data`);
    return this.change(instanceId, options, { type: event.type, ...(event.data ? { data: event.data } : {}) }, (compiled) => {
      const declared = compiled.events[event.type];
      if (declared?.formSchema) this.validate(declared.formSchema, declared.form, event.data ?? {}, 'EVENT_DATA_INVALID', `${event.type} data`);
    });
  }

  /** Completes a task of an active stage; its data must fit the task's form. */
  async completeTask(instanceId: string, task: string, data: Record<string, unknown> | undefined, options: CommandOptions): Promise<InstanceSummary> {
    requireObject(data, 'FORM_INVALID', `task "${task}" data`);
    return this.change(instanceId, options, { type: ENGINE_EVENTS.completeTask, task, data: data ?? {} }, (compiled) => {
      const info = Object.values(compiled.stages)
        .flatMap((s) => s.tasks)
        .find((t) => t.id === task);
      if (info?.formSchema) this.validate(info.formSchema, info.form, data ?? {}, 'FORM_INVALID', `task "${task}"`);
    });
  }

  async reopenTask(instanceId: string, task: string, options: CommandOptions, reason?: string): Promise<InstanceSummary> {
    // The reason rides in the event's payload, so history says why the answer was reopened.
    return this.change(instanceId, options, { type: ENGINE_EVENTS.reopenTask, task, ...(reason ? { reason } : {}) });
  }

  /** Ticks (or unticks) an item of the current stage's evidence checklist (minh chứng). */
  async checkEvidence(instanceId: string, item: string, checked: boolean, options: CommandOptions): Promise<InstanceSummary> {
    return this.change(instanceId, options, { type: ENGINE_EVENTS.checkEvidence, item, checked });
  }

  /** Sets (or, with null, clears) an anchor date such as the visit date; anchored deadlines move. */
  async setAnchor(instanceId: string, name: string, date: string | null, options: CommandOptions): Promise<InstanceSummary> {
    const day = date === null ? null : localDate(date, `anchor "${name}"`);
    return this.change(instanceId, options, { type: ENGINE_EVENTS.setAnchor, name, date: day });
  }

  /** Ends an instance early, with the reason on record; its timers stop and its open tasks close. */
  async cancel(instanceId: string, reason: string, options: CommandOptions): Promise<InstanceSummary> {
    requireReason(reason);
    return this.mutate(instanceId, options, async (loaded, at) => {
      if (loaded.instance.status !== 'running' && loaded.instance.status !== 'needs_migration') {
        throw new EngineError('INSTANCE_NOT_RUNNING', `the instance is already ${loaded.instance.status}`);
      }
      const change = bareChange(loaded, { actor: options.actor, eventType: 'instance.cancel', payload: { reason }, at }, { status: 'cancelled' });
      cancelAllTimers(change, loaded, at);
      change.tasks.push(...loaded.tasks.filter((t) => t.status === 'open').map((t) => ({ ...t, status: 'closed' as const })));
      return { change };
    });
  }

  /**
   * A timer came due (the queue delivers at least once). It acts only if it is still pending and
   * its stage entry and arming are current; otherwise it is marked and nothing else happens.
   */
  async fireTimer(id: string): Promise<'fired' | 'stale' | 'ignored'> {
    for (let attempt = 0; ; attempt++) {
      const timer = await this.timers.submit(id);
      if (!timer || timer.status !== 'pending') return 'ignored';
      const loaded = await this.loads.submit(timer.instanceId);
      const at = this.clock.now();
      if (
        !loaded ||
        loaded.instance.status !== 'running' ||
        !timerIsCurrent(loaded.instance.state, { stage: timer.stage, seq: timer.stageSeq, arm: timer.arm })
      ) {
        await this.store.setTimerStatus(id, 'cancelled', at);
        return 'stale';
      }
      // A DUE delivered late (a queue that was down, a backlog) must not overtake the rungs of its
      // own stage entry that were due before it or with it: once DUE leaves the stage they would be
      // stale, and the overdue notice would never be sent. They fire first, in their order.
      const overtaken = timer.kind === 'due' ? rungsDueBy(loaded.pendingTimers, timer) : [];
      if (overtaken.length) {
        for (const rung of overtaken) await this.fireTimer(rung.id);
        continue;
      }
      try {
        const result = await this.timerChange(loaded, timer, at);
        if (!result) {
          await this.store.setTimerStatus(id, 'fired', at);
          return 'fired';
        }
        await this.commit(result.change, result.step);
        return 'fired';
      } catch (e) {
        if (e instanceof EngineError && e.code === 'NEEDS_MIGRATION') {
          await this.markNeedsMigration(timer.instanceId, e);
          await this.store.setTimerStatus(id, 'cancelled', at);
          return 'stale';
        }
        if (!(e instanceof EngineError && e.code === 'REV_CONFLICT')) throw e;
        this.onConflict?.();
        if (attempt >= this.maxRetries) throw e;
      }
    }
  }

  /** The unit and its ancestors, the unit first. */
  async chainOf(orgUnitId: string): Promise<UnitChain> {
    return this.units.chainOf(orgUnitId);
  }

  /** Units just read elsewhere (a campaign's page of schools), so their chains need no query. */
  rememberUnits(units: readonly OrgUnit[]): void {
    this.units.remember(units);
  }

  /** Runs an engine event through the common path, after a check that needs the compiled process. */
  private async change(instanceId: string, options: CommandOptions, event: EngineEvent, check?: (compiled: CompiledProcess) => void): Promise<InstanceSummary> {
    try {
      return await this.runEvent(instanceId, options, event, check);
    } catch (e) {
      if (e instanceof EngineError && e.code === 'NEEDS_MIGRATION') await this.markNeedsMigration(instanceId, e);
      throw e;
    }
  }

  /**
   * A stored state its definition cannot read (a snapshot from another xstate or definition
   * version) stops the instance, visibly, until a migration moves it: it must not crash later.
   */
  private async markNeedsMigration(instanceId: string, error: EngineError): Promise<void> {
    await this.mutate(instanceId, { actor: SYSTEM_ACTOR }, async (loaded, at) => {
      if (loaded.instance.status !== 'running') throw error;
      return {
        change: bareChange(
          loaded,
          { actor: SYSTEM_ACTOR, eventType: 'instance.needs_migration', payload: { message: error.message }, at },
          { status: 'needs_migration' },
        ),
      };
    }).catch((e) => {
      if (e !== error) throw e;
    });
  }

  private runEvent(instanceId: string, options: CommandOptions, event: EngineEvent, check?: (compiled: CompiledProcess) => void): Promise<InstanceSummary> {
    return this.mutate(instanceId, options, async (loaded, at, compiled) => {
      requireRunning(loaded.instance);
      check?.(compiled);
      const state = await this.withFigures(loaded.instance, compiled);
      const step = advance(compiled, state, event, at, this.catalog.calendarOf(compiled));
      const chain = await this.chainOf(loaded.instance.orgUnitId);
      const { type, ...payload } = event;
      const change = changeFromStep(compiled, loaded, step, chain, {
        actor: options.actor,
        eventType: type,
        at,
        ...(Object.keys(payload).length ? { payload } : {}),
      });
      await this.openFanOuts(change, step, chain);
      return { change, step };
    });
  }

  /**
   * The one path every change takes: load → compute → commit (with the Idempotency-Key, when given),
   * with REV_CONFLICT retries (compute runs again over the fresh state). Cohort operations come through here too.
   */
  async mutate(
    instanceId: string,
    options: CommandOptions,
    compute: (loaded: LoadedInstance, at: number, compiled: CompiledProcess) => Promise<{ change: Change; step?: StepResult }>,
  ): Promise<InstanceSummary> {
    for (let attempt = 0; ; attempt++) {
      const loaded = await this.loads.submit(instanceId);
      if (!loaded) throw new EngineError('NOT_FOUND', `no instance "${instanceId}"`, { instanceId });
      const compiled = await this.catalog.get(loaded.instance.definitionId, loaded.instance.definitionVersion);
      if (options.authorize) options.authorize(loaded.instance, compiled, await this.chainOf(loaded.instance.orgUnitId));
      const { change, step } = await compute(loaded, this.clock.now(), compiled);
      const response = summary(change.instance);
      if (options.idempotency) change.idempotency = { ...options.idempotency, response };
      try {
        await this.commit(change, step);
        return response;
      } catch (e) {
        if (!(e instanceof EngineError && e.code === 'REV_CONFLICT')) throw e;
        this.onConflict?.();
        if (attempt >= this.maxRetries) throw e;
      }
    }
  }

  private async commit(change: Change, step?: StepResult): Promise<void> {
    const outcome = await this.commits.submit(change);
    if (outcome.error) throw outcome.error;
    await this.committed(change, outcome.outboxed, step);
  }

  /** What follows a commit: the relay and observers, the fan-outs it opened, its parent's check. */
  private async committed(change: Change, outboxed: number, step?: StepResult): Promise<void> {
    await this.afterCommit?.({ change, outboxed, ...(step ? { step } : {}) });
    for (const campaign of change.campaigns ?? []) await this.runFanOut(campaign.id);
    // A child that finished (or was cancelled) may be the one its parent's stage waits for.
    const child = change.instance;
    if (isFanOutId(child.campaignId) && (child.status !== 'running' || (await this.reachedReported(child.campaignId, change))))
      await this.checkFanOut(child.campaignId);
  }

  // ── fan-outs ──────────────────────────────────────────────────────────────────────────────────

  /** The campaigns a step's fan-out stages open, added to its change (written with it). */
  private async openFanOuts(change: Change, step: StepResult, chain: UnitChain): Promise<void> {
    for (const effect of step.effects) {
      if (effect.type !== 'fanOut') continue;
      const compiled = await this.catalog.get(change.instance.definitionId, change.instance.definitionVersion);
      const fanOut = compiled.stages[effect.stage]!.fanOut!;
      const child = await this.childProcess(fanOut.process);
      const campaign = fanOutCampaign({
        parent: {
          instanceId: change.instance.id,
          unit: chain[0]!,
          stage: effect.stage,
          seq: effect.seq,
          ...(step.state.entries[effect.stage]?.dueAt !== undefined ? { cutoffAt: step.state.entries[effect.stage]!.dueAt! } : {}),
        },
        fanOut,
        child,
        lists: step.context.lists ?? {},
        anchors: step.context.anchors,
        actor: change.history.actor,
        at: change.history.at,
      });
      campaign.total = await this.store.countUnitsUnder(chain[0]!.path, campaign.kinds, campaign);
      (change.campaigns ??= []).push(campaign);
    }
  }

  /** The counts and roll-up of an instance's latest fan-out, put into its context before a step so
   * its guards (children.done, rollup.x.sum) read them as they stand. */
  private async withFigures(instance: Instance, compiled: CompiledProcess): Promise<InstanceState> {
    const figures = await this.latestFigures(instance, compiled);
    if (!figures) return instance.state;
    const snapshot = instance.state.snapshot as { context?: Record<string, unknown> };
    return { ...instance.state, snapshot: { ...snapshot, context: { ...(snapshot.context ?? {}), ...figures } } };
  }

  /** The counts and roll-up of an instance's latest fan-out (the active one, else the one entered
   * last), as guards and prefilled forms read them; undefined when it opened none. */
  async latestFigures(instance: Instance, compiled: CompiledProcess): Promise<Pick<ProcessContext, 'children' | 'rollup'> | undefined> {
    const state = instance.state;
    const fanOuts = Object.entries(state.fanOuts ?? {});
    if (!fanOuts.length) return undefined;
    const [stage, seq] = fanOuts.find(([s, q]) => state.entries[s]?.seq === q) ?? fanOuts.sort((a, b) => b[1] - a[1])[0]!;
    const fanOut = compiled.stages[stage]?.fanOut;
    if (!fanOut) return undefined;
    const figures = await this.fanOutFigures(fanOutId(instance.id, seq), fanOut);
    if (!figures) return undefined;
    const { cancelled: _cancelled, ...counts } = figures.counts;
    return { children: counts, rollup: rollupForGuards(figures.rollup) };
  }

  /** A fan-out's counts (from its campaign's instances) and roll-up (from its children's answers). */
  async fanOutFigures(
    campaignId: string,
    fanOut: NonNullable<StageInfo['fanOut']>,
  ): Promise<{ campaign: Campaign; counts: FanOutCounts & { cancelled: number }; rollup: ReturnType<typeof rollUp> } | undefined> {
    const campaign = await this.store.getCampaign(campaignId);
    if (!campaign) return undefined;
    const [counts, answers] = await Promise.all([this.fanOutCounts(campaign, fanOut), this.queries.childAnswers(campaignId, rollupTasks(fanOut))]);
    return { campaign, counts, rollup: rollUp(fanOut.rollup, answers) };
  }

  /** A fan-out's counts: its total (the children it started), those done, cancelled and pending. */
  /** Done: finished, or (with `reported`) standing in a stage where the unit's part is done. */
  private async fanOutCounts(campaign: Campaign, fanOut: NonNullable<StageInfo['fanOut']>): Promise<FanOutCounts & { cancelled: number }> {
    const [finished, reported, cancelled] = await Promise.all([
      this.queries.countInstances({ campaignId: campaign.id, statuses: ['done'] }),
      fanOut.reported ? this.queries.countInstances({ campaignId: campaign.id, statuses: ['running'], stages: fanOut.reported }) : 0,
      this.queries.countInstances({ campaignId: campaign.id, statuses: ['cancelled'] }),
    ]);
    const done = finished + reported;
    const total = campaign.total;
    return { total, done, pending: Math.max(0, total - done - cancelled), cancelled };
  }

  /** Sends the parent CHILDREN_DONE when its fan-out stage entry (still current) has what it waits
   * for. Safe to call any number of times: a parent that moved on refuses, and nothing happens.
   * Calls for one fan-out are coalesced: children finishing together (a group commit) share one
   * check, and a call made while a check runs waits for one more check after it, which sees its
   * child finished — so no finish goes unchecked, and a ministry's 50,000 finishes do not each
   * count 50,000 children. */
  async checkFanOut(campaignId: string): Promise<boolean> {
    const running = this.fanOutChecks.get(campaignId);
    if (running) {
      running.again = true;
      return running.done;
    }
    const entry: { again: boolean; done: Promise<boolean> } = { again: false, done: Promise.resolve(false) };
    entry.done = (async () => {
      try {
        let sent = false;
        do {
          entry.again = false;
          if (await this.checkFanOutOnce(campaignId)) sent = true;
        } while (entry.again);
        return sent;
      } finally {
        this.fanOutChecks.delete(campaignId);
      }
    })();
    this.fanOutChecks.set(campaignId, entry);
    return entry.done;
  }

  private async checkFanOutOnce(campaignId: string): Promise<boolean> {
    const campaign = await this.store.getCampaign(campaignId);
    // Not before every start is made: a fan-out half started has not counted its units yet.
    if (!campaign?.parent || campaign.status === 'running') return false;
    const { instanceId, stage, seq } = campaign.parent;
    const loaded = await this.loads.submit(instanceId);
    if (!loaded || loaded.instance.status !== 'running' || loaded.instance.state.entries[stage]?.seq !== seq) return false;
    const compiled = await this.catalog.get(loaded.instance.definitionId, loaded.instance.definitionVersion);
    const info = compiled.stages[stage];
    if (!info?.fanOut || !info.accepts.includes(CHILDREN_DONE_EVENT)) return false;
    // The wait reads the counts only; the roll-up is added up once, for the step the event takes.
    if (!waitMet(info.fanOut.wait, await this.fanOutCounts(campaign, info.fanOut))) return false;
    try {
      await this.runEvent(instanceId, { actor: SYSTEM_ACTOR }, { type: CHILDREN_DONE_EVENT, stage });
      return true;
    } catch (e) {
      if (e instanceof EngineError && ['STAGE_REJECTS_EVENT', 'CONDITION_NOT_MET', 'INSTANCE_NOT_RUNNING'].includes(e.code)) return false;
      throw e;
    }
  }

  /** Whether a child's change just took it into a stage its fan-out counts as its part done. The
   * stages are read once per fan-out (its parent's definition does not change under it). */
  private async reachedReported(campaignId: string, change: Change): Promise<boolean> {
    const entered = change.instance.stages.filter((s) => !change.history.fromStages.includes(s));
    if (!entered.length) return false;
    let stages = this.reportedStages.get(campaignId);
    if (!stages) {
      const parent = (await this.store.getCampaign(campaignId))?.parent;
      const loaded = parent ? await this.loads.submit(parent.instanceId) : undefined;
      const compiled = loaded ? await this.catalog.get(loaded.instance.definitionId, loaded.instance.definitionVersion) : undefined;
      stages = (parent && compiled?.stages[parent.stage]?.fanOut?.reported) || [];
      if (this.reportedStages.size > 1000) this.reportedStages.clear();
      this.reportedStages.set(campaignId, stages);
    }
    return entered.some((s) => stages.includes(s));
  }

  /** Records on the parent instance the units a fan-out could not open work for, and why. */
  async noteFanOutFailures(campaign: Campaign, failed: readonly { orgUnitId: string; code: string; message: string }[]): Promise<void> {
    if (!campaign.parent) return;
    const { instanceId, stage } = campaign.parent;
    await this.mutate(instanceId, { actor: SYSTEM_ACTOR }, async (loaded, at) => ({
      change: bareChange(loaded, {
        actor: SYSTEM_ACTOR,
        eventType: 'fanOut.failed',
        payload: { stage, campaignId: campaign.id, units: failed.slice(0, 1000).map((f) => ({ unitId: f.orgUnitId, code: f.code })), count: failed.length },
        at,
      }),
    }));
  }

  /** Checks every fan-out whose parent still runs: a child's finish whose check was lost (the
   * process died between the two) is caught up here. The workers' periodic pass calls it. */
  async reconcileFanOuts(): Promise<number> {
    let sent = 0;
    for (const id of await this.store.openFanOuts()) if (await this.checkFanOut(id)) sent++;
    return sent;
  }

  /** A fan-out's child process, published: the latest version. */
  private async childProcess(id: string): Promise<CompiledProcess> {
    try {
      return await this.catalog.get(id);
    } catch (e) {
      if (e instanceof EngineError && e.code === 'NOT_FOUND')
        throw new EngineError('CHILD_PROCESS_MISSING', `the units below are to run "${id}", which is not published: publish it first`, {
          process: id,
        });
      throw e;
    }
  }

  /** Every process a definition's fan-outs open must be published before it can start. */
  private async checkChildProcesses(compiled: CompiledProcess): Promise<void> {
    for (const info of Object.values(compiled.stages)) if (info.fanOut) await this.childProcess(info.fanOut.process);
  }

  /** Lists of unit codes checked against the process: known names, lists of codes. */
  checkLists(compiled: CompiledProcess, lists: Record<string, unknown>): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    for (const [name, codes] of Object.entries(lists)) {
      if (!Object.hasOwn(compiled.lists, name))
        throw new EngineError('UNKNOWN_LIST', `unknown list "${name}"; lists are: ${Object.keys(compiled.lists).join(', ') || 'none'}`, {
          list: name,
          field: `lists.${name}`,
          allowed: Object.keys(compiled.lists),
        });
      if (!Array.isArray(codes) || codes.some((c) => typeof c !== 'string' || !c.trim()))
        throw new EngineError('INVALID_ARGUMENT', `list "${name}" must be a list of unit codes`, { field: `lists.${name}` });
      if (codes.length > MAX_NAMED_UNITS)
        throw new EngineError('INVALID_ARGUMENT', `list "${name}" names ${codes.length} units; at most ${MAX_NAMED_UNITS}`, { field: `lists.${name}` });
      out[name] = [...new Set(codes.map((c) => c.trim()))];
    }
    return out;
  }

  /** The change a current timer makes: DUE sent to its stage, or a rung of the ladder notified. */
  private async timerChange(loaded: LoadedInstance, timer: Timer, at: number): Promise<{ change: Change; step?: StepResult } | undefined> {
    const compiled = await this.catalog.get(loaded.instance.definitionId, loaded.instance.definitionVersion);
    const chain = await this.chainOf(loaded.instance.orgUnitId);
    const fired = { id: timer.id, status: 'fired' as const, firedAt: at };
    if (timer.kind === 'due') {
      let step: StepResult;
      try {
        step = advance(
          compiled,
          await this.withFigures(loaded.instance, compiled),
          { type: DUE_EVENT, stage: timer.stage },
          at,
          this.catalog.calendarOf(compiled),
        );
      } catch (e) {
        // The stage's DUE transitions are all guarded off; anything else (a state this version
        // cannot read) must surface.
        if (e instanceof EngineError && e.code !== 'NEEDS_MIGRATION') return undefined;
        throw e;
      }
      const change = changeFromStep(compiled, loaded, step, chain, { actor: SYSTEM_ACTOR, eventType: DUE_EVENT, payload: { stage: timer.stage }, at });
      change.timerUpdates.push(fired);
      await this.openFanOuts(change, step, chain);
      return { change, step };
    }
    const change = escalationChange(compiled, loaded, timer, chain, at, await this.unitsBelow(loaded.instance, compiled, timer));
    return change ? { change } : undefined;
  }

  /** The units each role of a rung that points down the tree reaches: `children` on a fan-out stage
   * (the units its stage entry still waits for), a role declared `unit: children | descendants`
   * (the units below the instance's unit, of its kinds). */
  private async unitsBelow(instance: Instance, compiled: CompiledProcess, timer: Timer): Promise<Record<string, OrgUnit[]>> {
    const info = compiled.stages[timer.stage];
    const out: Record<string, OrgUnit[]> = {};
    for (const role of info?.escalate[timer.step]?.notify ?? []) {
      if (role === CHILDREN_ALIAS && info?.fanOut) out[role] = await this.unfinishedChildren(fanOutId(instance.id, timer.stageSeq));
      const def = compiled.roles[role];
      if (def && (def.unit === 'children' || def.unit === 'descendants')) {
        out[role] = await this.store.unitsUnder(instance.unitPath, { kinds: def.kinds ?? [], depth: def.unit, limit: MAX_NOTIFIED_BELOW });
      }
    }
    return out;
  }

  private async unfinishedChildren(campaignId: string): Promise<OrgUnit[]> {
    const units: OrgUnit[] = [];
    let afterId: string | undefined;
    for (;;) {
      const page = await this.queries.listInstances({ campaignId, statuses: ['running', 'needs_migration'] }, { limit: 1000, ...(afterId ? { afterId } : {}) });
      // A page at a time: a store takes only so many values in one statement.
      units.push(...(await this.store.getUnits(page.map((i) => i.orgUnitId))));
      if (page.length < 1000) return units;
      afterId = page[page.length - 1]!.id;
    }
  }

  /** Anchor dates checked against the process: known names, real dates (YYYY-MM-DD or DD/MM/YYYY). */
  checkAnchors(compiled: CompiledProcess, anchors: Record<string, string>): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [name, date] of Object.entries(anchors)) {
      if (!Object.hasOwn(compiled.anchors, name)) {
        throw new EngineError('UNKNOWN_ANCHOR', `unknown anchor "${name}"; anchors are: ${Object.keys(compiled.anchors).join(', ') || 'none'}`, {
          anchor: name,
          field: `anchors.${name}`,
          allowed: Object.keys(compiled.anchors),
        });
      }
      out[name] = localDate(date, `anchor "${name}"`);
    }
    return out;
  }

  private validate(schema: JsonSchemaObject, form: Form | undefined, data: unknown, code: 'FORM_INVALID' | 'EVENT_DATA_INVALID', what: string): void {
    let check = this.validators.get(schema);
    if (!check) {
      check = this.ajv.compile(schema);
      this.validators.set(schema, check);
    }
    if (check(data)) return;
    const errors = titled((check.errors ?? []).map(formError), form);
    const text = errors.map((e) => (e.field ? `${e.field}: ${e.message}` : e.message)).join('; ');
    throw new EngineError(code, `${what} is invalid: ${text}`, { errors });
  }
}

export function summary(i: Instance): InstanceSummary {
  return {
    id: i.id,
    definitionId: i.definitionId,
    definitionVersion: i.definitionVersion,
    orgUnitId: i.orgUnitId,
    status: i.status,
    stages: i.stages,
    rev: i.rev,
    ...(i.dueAt !== undefined ? { dueAt: i.dueAt } : {}),
  };
}

/** One refused value of a form: which field, the rule it broke (ajv's keyword) with that rule's
 * limit, and a plain English sentence; the field's title when the form has one, for the words. */
export interface FormProblem {
  field: string;
  message: string;
  rule?: string;
  limit?: number | string;
  allowed?: unknown[];
  title?: Text;
  /** The titles of the allowed values, by value, when the form gives them. */
  allowedTitles?: Record<string, Text>;
}

/** One ajv error as a field and a plain sentence: which field, and what it must be. */
export function formError(e: ErrorObject): FormProblem {
  const at = e.instancePath.replace(/^\//, '').replace(/\//g, '.');
  const join = (name: string) => (at ? `${at}.${name}` : name);
  const p = e.params as { allowedValues?: unknown[]; missingProperty?: string; additionalProperty?: string; limit?: number; format?: string; type?: string };
  if (e.keyword === 'required') return { field: join(p.missingProperty!), message: 'is required', rule: 'required' };
  if (e.keyword === 'additionalProperties') {
    const fields = Object.keys((e.parentSchema as { properties?: object } | undefined)?.properties ?? {});
    return {
      field: join(p.additionalProperty!),
      message: `is not a field of this form${fields.length ? `; fields: ${fields.join(', ')}` : ''}`,
      rule: 'additionalProperties',
      allowed: fields,
    };
  }
  if (p.allowedValues) return { field: at, message: `must be one of: ${p.allowedValues.join(', ')}`, rule: 'enum', allowed: p.allowedValues };
  const limit = p.limit ?? p.format ?? p.type;
  return { field: at, message: e.message ?? 'is invalid', rule: e.keyword, ...(limit !== undefined ? { limit } : {}) };
}

/** The form's own titles on its problems: the field's label and its values' labels. */
function titled(problems: FormProblem[], form: Form | undefined): FormProblem[] {
  if (!form) return problems;
  return problems.map((p) => {
    const field = form.properties?.[p.field.split('.')[0] ?? ''];
    const values = (field as { enumTitles?: Record<string, Text> } | undefined)?.enumTitles;
    return { ...p, ...(field?.title ? { title: field.title } : {}), ...(values && p.rule === 'enum' ? { allowedTitles: values } : {}) };
  });
}

function requireObject(data: unknown, code: 'FORM_INVALID' | 'EVENT_DATA_INVALID', what: string): void {
  if (data !== undefined && (typeof data !== 'object' || data === null || Array.isArray(data))) {
    throw new EngineError(code, `${what} must be an object of fields, not ${Array.isArray(data) ? 'a list' : data === null ? 'null' : typeof data}`, {
      errors: [{ field: '', message: 'must be an object' }],
    });
  }
}

function requireRunning(instance: Instance): void {
  if (instance.status === 'needs_migration')
    throw new EngineError('NEEDS_MIGRATION', `instance ${instance.id} must be migrated to a version that can read its state before it can go on`);
  if (instance.status !== 'running') throw new EngineError('INSTANCE_NOT_RUNNING', `the process has ended (${instance.status}); it accepts no more events`);
}

/** Letters, digits or symbols somewhere: a reason of spaces, zero-width or other invisible
 * characters ("\u200B\u200C\u200D") says nothing on the record. */
const VISIBLE = /[^\p{White_Space}\p{Cf}\p{Cc}\p{Z}\u115F\u1160\u3164\uFFA0\u2800]/u;

export function requireReason(reason: unknown): void {
  if (typeof reason !== 'string' || !VISIBLE.test(reason))
    throw new EngineError('INVALID_ARGUMENT', 'a reason is required: it goes on the record (lý do)', { field: 'reason' });
}

function localDate(text: string, what: string): string {
  try {
    return parseLocalDate(String(text));
  } catch (e) {
    throw new EngineError('BAD_DATE', `${what}: ${(e as Error).message}`, { value: text });
  }
}
