// Conflict storm: 50 clients send events to one instance at once, on SQLite and PostgreSQL, while the
// stage's overdue timer comes due and is run by the runtime's own engine (a second writer, as another
// process would be). The engine groups what arrives together (one load, one commit of which one change
// per instance can win), and a change that lost is recomputed over the fresh state, at most maxRetries
// times. Afterwards exactly the valid events are applied: each is one history row, nothing is applied
// twice, every refusal is one the process gives in a state the instance passed through, REV_CONFLICT
// only past the retry limit, the timer fired at most once and only while its stage was current, history
// is linear, and the stored snapshot equals a replay of history.
import { expect } from 'chai';
import { ENGINE_EVENTS, type CompiledProcess } from '../../engine/definition/compile.ts';
import { EngineError } from '../../engine/errors.ts';
import { advance, type EngineEvent } from '../../engine/runtime/advance.ts';
import { Engine } from '../../engine/service/engine.ts';
import { taskId } from '../../engine/service/change.ts';
import { Application, systemPrincipal } from '../../engine/application/application.ts';
import type { ManualClock } from '../../engine/ports.ts';
import type { Change } from '../../engine/domain.ts';
import type { KnexStore } from '../../adapters/store/knex-store.ts';
import type { Runtime } from '../../adapters/runtime.ts';
import { at8, openTestRuntime, PROVINCE, STORES } from '../support/runtime.ts';
import { expectLinear, expectReplayed, replay, type Replayed } from '../property/replay.ts';

const SOURCE = `
id: storm
version: 1
title: { vi: Bão xung đột, en: Conflict storm }
legalBasis: [Test]
appliesTo: [primary]
calendar: vn-government
initial: prepare
stages:
  prepare:
    title: { vi: Chuẩn bị, en: Prepare }
    owner: school
    due: { workingDays: 10 }
    escalate:
      - { at: { workingDays: 0 }, kind: overdue, notify: owner }
    tasks:
      - id: a
        title: { vi: Việc A, en: Task A }
        form: { properties: { n: { type: integer, minimum: 1 } }, required: [n] }
      - { id: b, title: { vi: Việc B, en: Task B } }
      - { id: c, title: { vi: Việc C, en: Task C } }
      - { id: d, title: { vi: Việc D, en: Task D } }
      - { id: e, title: { vi: Việc E, en: Task E } }
      - { id: f, title: { vi: Việc F, en: Task F } }
    evidence:
      - { id: e1, title: { vi: Minh chứng 1, en: Evidence 1 } }
      - { id: e2, title: { vi: Minh chứng 2, en: Evidence 2 } }
    on:
      SUBMIT: { target: review, when: { tasksDone: all } }
  review:
    title: { vi: Xem xét, en: Review }
    owner: district
    on:
      APPROVE: done
  done: { title: { vi: Xong, en: Done }, type: final }
`;

const START = at8('2022-03-01');
const DEFAULT_RETRIES = 5; // the Engine's default, which the first storm runs with

interface Client {
  actor: string;
  what: string;
  event: EngineEvent;
  idempotencyKey?: string;
  /** Sent once these clients have their answers (SUBMIT "after the tasks are done"). */
  after?: 'work';
}

interface Answer {
  client: Client;
  rev?: number;
  code?: string;
}

/** The 50 clients: the same task 12 times, different tasks, two idempotent pairs, evidence ticks,
 * SUBMIT before and after the work is done, and an event no stage accepts. Keys are per actor, so
 * each storm has its own. */
function clients(storm: number): Client[] {
  const out: Client[] = [];
  const complete = (task: string, data: Record<string, unknown> = {}): EngineEvent => ({ type: ENGINE_EVENTS.completeTask, task, data });
  for (let i = 1; i <= 12; i++) out.push({ actor: `same-a-${i}`, what: 'a', event: complete('a', { n: i }) });
  for (const task of ['b', 'c', 'd']) for (let i = 1; i <= 2; i++) out.push({ actor: `task-${task}-${i}`, what: task, event: complete(task) });
  // A retried request: the same actor and Idempotency-Key twice, at once.
  for (const task of ['e', 'f'])
    for (let i = 1; i <= 2; i++) out.push({ actor: `retry-${task}`, what: task, event: complete(task), idempotencyKey: `storm-${storm}-${task}` });
  for (const item of ['e1', 'e2'])
    for (let i = 1; i <= 7; i++) out.push({ actor: `tick-${item}-${i}`, what: 'tick', event: { type: ENGINE_EVENTS.checkEvidence, item, checked: true } });
  for (let i = 1; i <= 5; i++) out.push({ actor: `submit-early-${i}`, what: 'SUBMIT', event: { type: 'SUBMIT' } });
  for (let i = 1; i <= 5; i++) out.push({ actor: `submit-late-${i}`, what: 'SUBMIT', event: { type: 'SUBMIT' }, after: 'work' });
  for (let i = 1; i <= 4; i++) out.push({ actor: `hold-${i}`, what: 'HOLD', event: { type: 'HOLD' } });
  return out;
}

/** Each client's request through the application layer, as every entry point sends it: its
 * Idempotency-Key is looked up there, once. */
function call(app: Application, instanceId: string, c: Client): Promise<{ rev: number }> {
  const who = systemPrincipal(c.actor);
  const call = c.idempotencyKey ? { idempotency: { key: c.idempotencyKey } } : {};
  const e = c.event;
  if (e.type === ENGINE_EVENTS.completeTask)
    return app.completeTask(who, taskId(instanceId, 'prepare', 1, String(e.task)), e.data as Record<string, unknown>, call);
  if (e.type === ENGINE_EVENTS.checkEvidence) return app.checkEvidence(who, instanceId, String(e.item), e.checked === true, call);
  return app.sendEvent(who, instanceId, { type: e.type }, call);
}

/** The code the pure step gives for an event in a state ('ok' when it is accepted). */
function pure(compiled: CompiledProcess, state: Replayed, event: EngineEvent, at: number, calendar: Parameters<typeof advance>[4]): string {
  try {
    advance(compiled, state.state, event, at, calendar);
    return 'ok';
  } catch (e) {
    if (e instanceof EngineError) return e.code;
    throw e;
  }
}

for (const kind of STORES) {
  describe(`conflict storm on ${kind}`, function () {
    this.timeout(120_000);
    let rt: Runtime;
    let clock: ManualClock;
    let close: () => Promise<void>;
    let compiled: CompiledProcess;
    let schools = 0;

    before(async function () {
      ({ rt, clock, close } = await openTestRuntime(this, kind, START));
      await rt.engine.addUnits(PROVINCE);
      await rt.engine.catalog.publish(SOURCE, 'storm.yaml', 'admin');
      compiled = await rt.engine.catalog.get('storm');
    });
    after(async () => close?.());

    /** One storm on a fresh instance, through an engine whose store counts each client's commits. */
    async function storm(maxRetries: number) {
      const unit = `storm_${++schools}`;
      await rt.engine.addUnits([{ id: unit, parentId: 'pgd_a', kind: 'primary', name: `TH Bão ${schools}` }]);
      const started = await rt.engine.start({ definitionId: 'storm', orgUnitId: unit }, { actor: 'admin' });
      const attempts = new Map<string, number>();
      const store = new Proxy(rt.store, {
        get(target, prop, receiver) {
          if (prop === 'commit') {
            return (changes: Change[]) => {
              for (const c of changes) attempts.set(c.history.actor, (attempts.get(c.history.actor) ?? 0) + 1);
              return target.commit(changes);
            };
          }
          const value = Reflect.get(target, prop, receiver) as unknown;
          return typeof value === 'function' ? value.bind(target) : value;
        },
      }) as KnexStore;
      const engine = new Engine({
        store,
        queries: rt.queries,
        clock: rt.clock,
        catalog: rt.engine.catalog,
        // As the runtime wires it: timers scheduled and cancelled right after each commit.
        afterCommit: async ({ change }) => {
          if (change.outbox.length) await rt.relay.drain();
        },
        ...(maxRetries === DEFAULT_RETRIES ? {} : { maxRetries }),
      });
      // The stage's deadline has passed: its overdue timer is due as the storm begins.
      clock.set(started.dueAt! + 3_600_000);
      const app = new Application({ engine });
      const all = clients(schools);
      expect(all.length).to.equal(50);
      const answer = (c: Client): Promise<Answer> =>
        call(app, started.id, c).then(
          (r) => ({ client: c, rev: r.rev }),
          (e: unknown) => {
            if (!(e instanceof EngineError)) throw e;
            return { client: c, code: e.code };
          },
        );
      // Every client at once; the late SUBMITs as soon as the tasks and ticks have their answers.
      const now = all.filter((c) => !c.after).map(answer);
      const timers = rt.runDue();
      const work = Promise.all(now);
      const late = all.filter((c) => c.after).map((c) => work.then(() => answer(c)));
      const answers = await Promise.all([...now, ...late]);
      await timers;
      // A timer that ran out of retries in the storm is back in the queue a little later.
      clock.set(clock.now() + 86_400_000);
      await rt.runDue();

      const history = await rt.queries.history(started.id);
      const loaded = (await rt.store.loadInstance(started.id))!;
      const calendar = rt.engine.catalog.calendarOf(compiled);
      const replayed = replay(compiled, calendar, { kind: 'primary' }, history);

      // History is linear, and the stored instance is its replay.
      expectLinear(history);
      expect(loaded.instance.rev).to.equal(history.length);
      expectReplayed(loaded.instance, replayed.at(-1));

      // The overdue timer fired at most once, while its stage was current, and is settled.
      const escalations = await rt.queries.escalationsOf(started.id);
      expect(escalations.length, 'one overdue notice at most').to.be.at.most(1);
      const system = history.filter((h) => h.actor === 'system');
      expect(system.map((h) => h.eventType)).to.deep.equal(escalations.map(() => 'escalation.overdue'));
      for (const h of system) expect(h.fromStages, 'fired while its stage was current').to.deep.equal(['prepare']);
      const timer = (await rt.db('timers').where({ instance_id: started.id, kind: 'overdue' }))[0] as { id: string; status: string };
      expect(timer.status, 'the timer is settled').to.be.oneOf(['fired', 'cancelled']);
      expect(await rt.queue.pendingIds(), 'no job left for it').not.to.include(timer.id);

      // Every applied answer is one row, by its client, of its event; no row without an answer.
      const applied = answers.filter((a) => a.rev !== undefined);
      for (const a of applied) {
        const row = history[a.rev! - 1]!;
        expect([row.actor, row.eventType], `the row at rev ${a.rev} answered to ${a.client.actor}`).to.deep.equal([a.client.actor, a.client.event.type]);
      }
      const answeredRevs = new Set(applied.map((a) => a.rev));
      expect(answeredRevs.size, 'one rev per applied event; an idempotent pair shares its one').to.equal(applied.length - countShared(applied));
      expect(
        history
          .slice(1)
          .filter((h) => h.actor !== 'system')
          .map((h) => h.rev),
        "every row after the start but the timer's was answered",
      ).to.deep.equal([...answeredRevs].sort((x, y) => x! - y!));

      // Each refusal is one the process gives in some state the instance went through.
      const refused = answers.filter((a) => a.code !== undefined);
      for (const a of refused) {
        if (a.code === 'REV_CONFLICT') {
          // An idempotent pair shares its actor, so its count is both members' attempts.
          const tries = attempts.get(a.client.actor) ?? 0;
          if (a.client.idempotencyKey) expect(tries, `${a.client.actor} gave up only past the retry limit`).to.be.at.least(maxRetries + 1);
          else expect(tries, `${a.client.actor} gave up only past the retry limit`).to.equal(maxRetries + 1);
          continue;
        }
        const explained = replayed.some((state) => pure(compiled, state, a.client.event, START, calendar) === a.code);
        expect(explained, `${a.client.actor}: ${a.code} is what the process answers in some state it passed through`).to.equal(true);
      }

      // Nothing applied twice: each task completed at most once, one SUBMIT at most, ticks only before it.
      const rows = history.slice(1);
      for (const task of ['a', 'b', 'c', 'd', 'e', 'f']) {
        expect(
          rows.filter((h) => h.eventType === ENGINE_EVENTS.completeTask && h.payload?.task === task).length,
          `task ${task} completed at most once`,
        ).to.be.at.most(1);
      }
      const submits = rows.filter((h) => h.eventType === 'SUBMIT');
      expect(submits.length).to.be.at.most(1);
      if (submits[0]) {
        expect(
          rows.filter((h) => h.eventType === ENGINE_EVENTS.checkEvidence && h.rev > submits[0]!.rev),
          'no tick after the stage was left',
        ).to.deep.equal([]);
        expect(rows.filter((h) => h.eventType === ENGINE_EVENTS.completeTask && h.rev > submits[0]!.rev)).to.deep.equal([]);
      }
      // The winner's data is the one kept.
      const a = applied.find((x) => x.client.what === 'a');
      const taskA = (await rt.queries.tasksOf(started.id)).find((t) => t.task === 'a')!;
      if (a) expect(taskA).to.deep.include({ status: 'done', completedBy: a.client.actor, data: a.client.event.data });
      else expect(taskA.status).to.equal('open');
      for (const c of refused) expect(c.code).to.be.oneOf(['TASK_NOT_OPEN', 'CONDITION_NOT_MET', 'STAGE_REJECTS_EVENT', 'REV_CONFLICT']);
      return { answers, history, attempts, loaded, escalations };
    }

    it('with the default retry limit: what applies is applied once, the rest is refused for a reason or gave up past the limit', async () => {
      const { answers, escalations } = await storm(DEFAULT_RETRIES);
      const codes = count(answers.map((a) => a.code ?? 'ok'));
      console.log(`      ${kind}, retry limit ${DEFAULT_RETRIES}: answers ${JSON.stringify(codes)}; overdue notices ${escalations.length}`);
      expect(codes.ok, 'some events got through').to.be.greaterThan(0);
      // HOLD is refused whatever the state: never a conflict, since it never reaches a commit.
      expect(answers.filter((x) => x.client.what === 'HOLD').map((x) => x.code)).to.deep.equal(Array(4).fill('STAGE_REJECTS_EVENT'));
    });

    it('with room to retry: exactly the valid events apply — each task once, both pairs once, one SUBMIT after the work, every tick before it', async () => {
      const { answers, history, loaded, escalations } = await storm(60);
      const codes = count(answers.map((a) => a.code ?? 'ok'));
      console.log(`      ${kind}, retry limit 60: answers ${JSON.stringify(codes)}; overdue notices ${escalations.length}`);
      expect(codes.REV_CONFLICT, 'nobody runs out of retries').to.equal(undefined);
      const by = (what: string) => answers.filter((x) => x.client.what === what);
      // The same task 12 times: one completes it, eleven are told it is done.
      expect(by('a').filter((x) => x.rev).length).to.equal(1);
      expect(
        by('a')
          .filter((x) => x.code)
          .map((x) => x.code),
      ).to.deep.equal(Array(11).fill('TASK_NOT_OPEN'));
      for (const task of ['b', 'c', 'd'])
        expect(
          by(task)
            .map((x) => x.code ?? 'ok')
            .sort(),
          `task ${task}`,
        ).to.deep.equal(['TASK_NOT_OPEN', 'ok']);
      // A retried request answers the first answer: both applied, at one rev, one row.
      for (const task of ['e', 'f']) {
        const pair = by(task);
        expect(
          pair.map((x) => x.code),
          `pair ${task}`,
        ).to.deep.equal([undefined, undefined]);
        expect(pair[0]!.rev).to.equal(pair[1]!.rev);
        expect(history.filter((h) => h.actor === `retry-${task}`).length).to.equal(1);
      }
      // Every tick is applied while the stage is open, and refused after it was left.
      const submit = history.find((h) => h.eventType === 'SUBMIT')!;
      expect(submit, 'the late SUBMITs come after all the work: one of them applies').to.not.equal(undefined);
      for (const t of by('tick')) expect(t.rev !== undefined ? t.rev < submit.rev : t.code === 'STAGE_REJECTS_EVENT', `${t.client.actor}`).to.equal(true);
      expect(by('SUBMIT').filter((x) => x.rev).length).to.equal(1);
      for (const s of by('SUBMIT').filter((x) => x.code)) expect(s.code).to.be.oneOf(['CONDITION_NOT_MET', 'STAGE_REJECTS_EVENT']);
      expect(
        by('SUBMIT')
          .filter((x) => x.client.after && x.code)
          .map((x) => x.code),
        'a late SUBMIT that lost finds the stage left',
      ).to.deep.equal(
        by('SUBMIT')
          .filter((x) => x.client.after && x.code)
          .map(() => 'STAGE_REJECTS_EVENT'),
      );
      // The counts: start, six tasks, the ticks that came before SUBMIT, SUBMIT, the notice if it came first.
      const ticks = by('tick').filter((x) => x.rev).length;
      expect(ticks).to.be.at.least(2);
      expect(history.length).to.equal(1 + 6 + ticks + 1 + escalations.length);
      expect(loaded.instance.stages).to.deep.equal(['review']);
      const tasks = await rt.queries.tasksOf(loaded.instance.id);
      expect(tasks.map((t) => [t.task, t.status]).sort()).to.deep.equal(['a', 'b', 'c', 'd', 'e', 'f'].map((t) => [t, 'done']));
    });
  });
}

/** Applied answers beyond the first of each idempotent pair (they share their rev). */
function countShared(applied: Answer[]): number {
  const keys = applied.filter((a) => a.client.idempotencyKey).map((a) => a.client.idempotencyKey!);
  return keys.length - new Set(keys).size;
}

function count(codes: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const c of codes) out[c] = (out[c] ?? 0) + 1;
  return out;
}
