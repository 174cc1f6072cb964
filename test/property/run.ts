// Runs one generated process with one generated event sequence on a real runtime (store, embedded
// queue, relay, engine), checking after every step what must always hold:
//  - the command's answer: applied (one new history row, by this actor, of this event) or refused with
//    an expected code and nothing written; the pure step advance() on the state before agrees; a task
//    just completed has its row done, with its data and who did it, even if its stage moved on at once;
//  - no task row is open in a stage entry the instance has left, and the rows of the active entries
//    say what the process context says;
//  - every pending timer belongs to a current stage entry and arming, and the queue holds a job for
//    each pending timer of the instance and for nothing else of it (no timer lost, none left over);
//  - after the clock moves and due timers run: no timer due is still pending, and every stage entry
//    that was active at its overdue rung's moment has that rung's escalation recorded;
// and at the end that history is linear and every stored state seen equals a replay of the history.
// A burst sends several commands at once: each applied one is one row, each refusal is explained by
// a state the instance passed through during the burst (or is a conflict past the retry limit).
import { expect } from 'chai';
import type { Runtime } from '../../adapters/runtime.ts';
import { localDateOf } from '../../engine/calendar/time.ts';
import type { ProcessContext } from '../../engine/definition/conditions.ts';
import { ENGINE_EVENTS, type CompiledProcess } from '../../engine/definition/compile.ts';
import { EngineError } from '../../engine/errors.ts';
import type { Clock } from '../../engine/ports.ts';
import { advance, timerIsCurrent, type EngineEvent } from '../../engine/runtime/advance.ts';
import { ladderInstant } from '../../engine/runtime/deadlines.ts';
import { taskId, timerId } from '../../engine/service/change.ts';
import type { HistoryEntry, Instance, LoadedInstance } from '../../engine/domain.ts';
import type { Command, Single } from './commands.ts';
import { EVENTS, eventData, sourceOf, taskData, UNKNOWN_EVENT, type Generated, type TaskForm } from './definitions.ts';
import { expectLinear, expectReplayed, replay } from './replay.ts';

/** A clock the runs set, backwards too: each run starts on its own day on a runtime that lives on. */
export class SetClock implements Clock {
  constructor(public at: number) {}
  now(): number {
    return this.at;
  }
}

export interface Harness {
  name: string;
  rt: Runtime;
  clock: SetClock;
}

/** What a run leaves to compare across stores. */
export interface RunRecord {
  outcomes: string[];
  /** How many times an overdue rung's moment had come and its escalation was looked for. */
  overdueChecks: number;
  history: Pick<HistoryEntry, 'rev' | 'at' | 'actor' | 'eventType' | 'fromStages' | 'toStages' | 'payload'>[];
}

/** Refusals a generated command may meet; anything else is a failure. */
const REFUSALS = new Set([
  'TASK_NOT_OPEN',
  'CONDITION_NOT_MET',
  'STAGE_REJECTS_EVENT',
  'INSTANCE_NOT_RUNNING',
  'FORM_INVALID',
  'EVENT_DATA_INVALID',
  'UNKNOWN_TASK',
]);
const HOUR = 3_600_000;

export async function runScenario(h: Harness, g: Generated, start: number, commands: readonly Command[], n: number): Promise<RunRecord> {
  const { rt, clock } = h;
  const id = `prop-${n}`;
  const unitId = `pu_${n}`;
  clock.at = start;
  await rt.engine.catalog.publish(sourceOf(g, id), `${id}.yaml`, 'admin');
  await rt.engine.addUnits([{ id: unitId, parentId: 'pgd_a', kind: g.unitKind, name: `Trường ${n}` }]);
  const compiled = await rt.engine.catalog.get(id);
  const calendar = rt.engine.catalog.calendarOf(compiled);
  const started = await rt.engine.start({ definitionId: id, orgUnitId: unitId }, { actor: 'admin' });
  const instanceId = started.id;
  const load = async (): Promise<LoadedInstance> => (await rt.store.loadInstance(instanceId))!;
  const seen = new Map<number, Instance>();
  const outcomes: string[] = [];
  let overdueChecks = 0;
  const bursts: {
    step: string;
    from: number;
    to: number;
    answers: { actor: string; event: EngineEvent; invalidData: boolean; rev?: number; code?: string }[];
  }[] = [];
  let current = await load();
  checkTasks(compiled, current);
  await checkTimers(rt, current, 'start');
  seen.set(current.instance.rev, current.instance);
  try {
    for (const [k, c] of commands.entries()) {
      const step = `${h.name} step ${k + 1} ${JSON.stringify(c)}`;
      const before = current;
      // One command after the end is refused (checked below); more would only repeat it.
      if (before.instance.status !== 'running' && outcomes.at(-1) === 'INSTANCE_NOT_RUNNING') break;
      if (c.kind === 'wait') {
        clock.at += c.hours * HOUR;
        await rt.runDue();
        current = await load();
        overdueChecks += await checkOverdue(rt, compiled, calendar, before, current, clock.at, step);
        expect(
          current.pendingTimers.filter((t) => t.fireAt <= clock.at).map((t) => t.id),
          `${step}: timers due and still pending`,
        ).to.deep.equal([]);
        outcomes.push('wait');
      } else if (c.kind === 'burst') {
        const parts = c.parts.map((part, j) => ({ part, actor: `u${k + 1}_${j + 1}`, ...resolve(rt, compiled, before, part, `u${k + 1}_${j + 1}`) }));
        const answers = await Promise.all(
          parts.map((p) =>
            p.call().then(
              (a) => ({ ...p, rev: a.rev, code: undefined }),
              (e: unknown) => {
                if (!(e instanceof EngineError)) throw e;
                expect(REFUSALS.has(e.code) || e.code === 'REV_CONFLICT', `${step}: unexpected ${e.code}: ${e.message}`).to.equal(true);
                return { ...p, rev: undefined, code: e.code };
              },
            ),
          ),
        );
        current = await load();
        const applied = answers.filter((a) => a.rev !== undefined);
        expect(current.instance.rev, `${step}: one rev per applied command`).to.equal(before.instance.rev + applied.length);
        expect(new Set(applied.map((a) => a.rev)).size, `${step}: each at its own rev`).to.equal(applied.length);
        bursts.push({ step, from: before.instance.rev, to: current.instance.rev, answers });
        outcomes.push(`burst ${applied.length}/${answers.length}`);
      } else {
        const actor = `u${k + 1}`;
        const { event, call, invalidData } = resolve(rt, compiled, before, c, actor);
        let outcome: string;
        try {
          const answer = await call();
          outcome = 'ok';
          expect(answer.rev, `${step}: applied once`).to.equal(before.instance.rev + 1);
        } catch (e) {
          if (!(e instanceof EngineError)) throw e;
          outcome = e.code;
          expect(REFUSALS.has(e.code), `${step}: unexpected ${e.code}: ${e.message}`).to.equal(true);
        }
        current = await load();
        outcomes.push(outcome);
        // What should have happened, from the state before and the pure step.
        let expected: string;
        if (before.instance.status !== 'running') expected = 'INSTANCE_NOT_RUNNING';
        else if (invalidData) expected = event.type === ENGINE_EVENTS.completeTask ? 'FORM_INVALID' : 'EVENT_DATA_INVALID';
        else expected = pureOutcome(compiled, before.instance, event, clock.at, calendar);
        expect(outcome, `${step}: the engine's answer and the pure step's`).to.equal(expected);
        if (outcome === 'ok') {
          expect(current.instance.rev, `${step}: one new rev`).to.equal(before.instance.rev + 1);
          const [row] = (await rt.queries.history(instanceId)).slice(-1);
          expect([row?.actor, row?.eventType], `${step}: its history row`).to.deep.equal([actor, event.type]);
          if (event.type === ENGINE_EVENTS.completeTask) {
            // The completion is on the task's row, whether its stage stays or moved on at once.
            const task = String(event.task);
            const stage = Object.values(compiled.stages).find((st) => st.tasks.some((t) => t.id === task))!.id;
            const rowId = taskId(instanceId, stage, before.instance.state.entries[stage]!.seq, task);
            const done = (await rt.queries.tasksOf(instanceId)).find((t) => t.id === rowId);
            const data = event.data as Record<string, unknown>;
            expect(done, `${step}: the row of the task just completed`).to.deep.include({
              status: 'done',
              completedBy: actor,
              completedAt: clock.at,
              ...(Object.keys(data).length ? { data } : {}),
            });
          }
        } else {
          expect(current.instance.rev, `${step}: a refused command writes nothing`).to.equal(before.instance.rev);
        }
      }
      checkTasks(compiled, current, step);
      await checkTimers(rt, current, step);
      seen.set(current.instance.rev, current.instance);
    }
    const history = await rt.queries.history(instanceId);
    expectLinear(history);
    expect(history.length, 'the instance is at its last history row').to.equal(current.instance.rev);
    const replayed = replay(compiled, calendar, { kind: g.unitKind }, history);
    for (const [rev, stored] of seen) expectReplayed(stored, replayed[rev - 1], `${h.name}: `);
    // A burst: each applied command is the row at its rev; each refusal is what the process answers
    // in one of the states the instance went through during the burst, or a conflict past the retries.
    for (const b of bursts) {
      for (const a of b.answers) {
        if (a.rev !== undefined) {
          const row = history[a.rev - 1]!;
          expect([row.actor, row.eventType], `${b.step}: the row at rev ${a.rev}`).to.deep.equal([a.actor, a.event.type]);
          continue;
        }
        if (a.code === 'REV_CONFLICT') continue;
        const states = replayed.slice(b.from - 1, b.to);
        const answers = states.map((r) =>
          r.status !== 'running'
            ? 'INSTANCE_NOT_RUNNING'
            : a.invalidData
              ? a.event.type === ENGINE_EVENTS.completeTask
                ? 'FORM_INVALID'
                : 'EVENT_DATA_INVALID'
              : pureOutcome(compiled, r, a.event, clock.at, calendar),
        );
        expect(answers, `${b.step}: ${a.actor} was refused ${a.code}`).to.include(a.code);
      }
    }
    return {
      outcomes,
      overdueChecks,
      history: history.map(({ rev, at, actor, eventType, fromStages, toStages, payload }) => ({
        rev,
        at,
        actor,
        eventType,
        fromStages,
        toStages,
        ...(payload ? { payload } : {}),
      })),
    };
  } finally {
    // Its timers must not fire into later runs (which set the clock where they like).
    const last = await load();
    if (last.instance.status === 'running') await rt.engine.cancel(instanceId, 'property run ends', { actor: 'admin' });
  }
}

/** The engine call a command stands for, resolved against the instance as it stands. */
function resolve(
  rt: Runtime,
  compiled: CompiledProcess,
  loaded: LoadedInstance,
  c: Single,
  actor: string,
): { event: EngineEvent; call: () => Promise<{ rev: number }>; invalidData: boolean } {
  const id = loaded.instance.id;
  const options = { actor };
  const active = Object.keys(loaded.instance.state.entries);
  const tasks = Object.values(compiled.stages).flatMap((s) => s.tasks);
  const choose = <T>(list: readonly T[], fallback: readonly T[]): T => (list.length ? list : fallback)[c.pick % (list.length || fallback.length)]!;
  switch (c.kind) {
    case 'complete': {
      const open = loaded.tasks.filter((t) => t.status === 'open').map((t) => t.task);
      const task = choose(c.open ? open : [], [...tasks.map((t) => t.id), 'no_such_task']);
      const info = tasks.find((t) => t.id === task);
      const form = info?.form
        ? Object.keys(info.form.properties ?? {})[0] === 'n'
          ? 'count'
          : Object.keys(info.form.properties ?? {})[0] === 'level'
            ? 'level'
            : 'flag'
        : undefined;
      const data = taskData(form as TaskForm | undefined, c.data);
      return {
        event: { type: ENGINE_EVENTS.completeTask, task, data },
        call: () => rt.engine.completeTask(id, task, data, options),
        invalidData: info !== undefined && form !== undefined && c.data % 4 === 2,
      };
    }
    case 'reopen': {
      const done = loaded.tasks.filter((t) => t.status === 'done' && loaded.instance.state.entries[t.stage]?.seq === t.stageSeq).map((t) => t.task);
      const task = choose(done, tasks.map((t) => t.id).concat('no_such_task'));
      return { event: { type: ENGINE_EVENTS.reopenTask, task }, call: () => rt.engine.reopenTask(id, task, options), invalidData: false };
    }
    case 'check': {
      const here = active.flatMap((s) => compiled.stages[s]!.evidence.map((e) => e.id));
      const all = Object.values(compiled.stages).flatMap((s) => s.evidence.map((e) => e.id));
      const item = choose(c.current ? here : [], [...all, 'no_such_item']);
      return {
        event: { type: ENGINE_EVENTS.checkEvidence, item, checked: c.checked },
        call: () => rt.engine.checkEvidence(id, item, c.checked, options),
        invalidData: false,
      };
    }
    case 'send': {
      const accepted = [...new Set(active.flatMap((s) => compiled.stages[s]!.accepts))].filter((e) => e !== 'DUE').sort();
      const others = [...EVENTS, UNKNOWN_EVENT].filter((e) => !accepted.includes(e));
      const type = c.accepted ? choose(accepted, others) : choose(others, accepted);
      const data = eventData(type, c.data);
      const invalidData = compiled.events[type]?.formSchema !== undefined && (c.data % 4 === 2 || c.data % 4 === 3);
      return { event: { type, ...(data ? { data } : {}) }, call: () => rt.engine.send(id, { type, ...(data ? { data } : {}) }, options), invalidData };
    }
  }
}

function pureOutcome(
  compiled: CompiledProcess,
  instance: Pick<Instance, 'state'>,
  event: EngineEvent,
  at: number,
  calendar: Parameters<typeof advance>[4],
): string {
  try {
    advance(compiled, instance.state, event, at, calendar);
    return 'ok';
  } catch (e) {
    if (e instanceof EngineError) return e.code;
    throw e;
  }
}

/** No open task outside the active stage entries; the active entries' rows follow the context. */
export function checkTasks(compiled: CompiledProcess, loaded: LoadedInstance, step = 'start'): void {
  const { instance } = loaded;
  for (const t of loaded.tasks.filter((t) => t.status === 'open')) {
    expect(instance.status, `${step}: task ${t.id} is open in a ${instance.status} instance`).to.equal('running');
    expect(
      instance.state.entries[t.stage]?.seq,
      `${step}: task ${t.task} is open in entry ${t.stageSeq} of stage ${t.stage}, which was left (now at ${instance.stages.join(', ')})`,
    ).to.equal(t.stageSeq);
  }
  const context = (instance.state.snapshot as { context: ProcessContext }).context;
  for (const [stage, entry] of Object.entries(instance.state.entries)) {
    for (const info of compiled.stages[stage]!.tasks) {
      const row = loaded.tasks.find((t) => t.id === taskId(instance.id, stage, entry.seq, info.id));
      expect(row?.status, `${step}: the row of task ${info.id} in entry ${entry.seq} of ${stage}`).to.equal(context.tasks[info.id]?.status);
    }
  }
}

/** Pending timers are those of the current stage entries and armings, and exactly they are queued. */
async function checkTimers(rt: Runtime, loaded: LoadedInstance, step: string): Promise<void> {
  const { instance } = loaded;
  for (const t of loaded.pendingTimers) {
    expect(
      instance.status === 'running' && timerIsCurrent(instance.state, { stage: t.stage, seq: t.stageSeq, arm: t.arm }),
      `${step}: pending timer ${t.id} is not of a current stage entry (now ${JSON.stringify(instance.state.entries)})`,
    ).to.equal(true);
  }
  const jobs = (await rt.queue.pendingIds()).filter((id) => id.startsWith(`${instance.id}.`));
  expect(jobs.sort(), `${step}: the queue's jobs for the instance are its pending timers`).to.deep.equal(loaded.pendingTimers.map((t) => t.id).sort());
}

/**
 * After the clock moved to `now` and due timers ran: each stage entry active before, or after, whose
 * overdue rung's moment has come must have that escalation — unless the entry was left meanwhile by
 * its own DUE before that moment (a rung later than the deadline). A rung at the due moment itself
 * fires before a DUE at the same moment.
 */
async function checkOverdue(
  rt: Runtime,
  compiled: CompiledProcess,
  calendar: Parameters<typeof ladderInstant>[2],
  before: LoadedInstance,
  after: LoadedInstance,
  now: number,
  step: string,
): Promise<number> {
  let checked = 0;
  const recorded = new Map((await rt.queries.escalationsOf(after.instance.id)).map((e) => [e.id, e.kind]));
  const entries = [...Object.entries(before.instance.state.entries), ...Object.entries(after.instance.state.entries)];
  for (const [stage, entry] of entries) {
    if (entry.dueAt === undefined) continue;
    const stillActive = after.instance.state.entries[stage]?.seq === entry.seq;
    compiled.stages[stage]!.escalate.forEach((rung, i) => {
      if (rung.kind !== 'overdue') return;
      const moment = ladderInstant(rung, localDateOf(entry.dueAt!), calendar);
      if (moment > now) return;
      if (!stillActive && moment > entry.dueAt!) return;
      const id = timerId(after.instance.id, { stage, seq: entry.seq, arm: entry.arm, step: i });
      checked++;
      expect(
        recorded.get(id),
        `${step}: stage ${stage} (entry ${entry.seq}) was due ${new Date(entry.dueAt!).toISOString()}, overdue from ${new Date(moment).toISOString()}, now ${new Date(now).toISOString()}: escalation ${id}`,
      ).to.equal('overdue');
    });
  }
  return checked;
}
