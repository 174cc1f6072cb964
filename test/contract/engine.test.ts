// The engine service on the real store (SQLite and PostgreSQL) and the embedded queue, with a clock
// moved by hand. Dates in the expectations were counted by hand on the 2022 calendar.
import { expect } from 'chai';
import { endOfDay } from '../../engine/calendar/time.ts';
import { EngineError } from '../../engine/errors.ts';
import { createCampaign, runCampaign } from '../../engine/service/campaigns.ts';
import { cancelCohort, extendCohort, migrateCohort, reassignCohort } from '../../engine/service/cohort.ts';
import { bareChange } from '../../engine/service/change.ts';
import { Engine } from '../../engine/service/engine.ts';
import { Application, systemPrincipal } from '../../engine/application/application.ts';
import { openTasks, overdueBoard, timeline } from '../../engine/service/queries.ts';
import type { Runtime } from '../../adapters/runtime.ts';
import type { ManualClock } from '../../engine/ports.ts';
import { at8, fixture, openTestRuntime, PROVINCE, STORES } from '../support/runtime.ts';

const school = { actor: 'teacher@th' };
const office = { actor: 'officer@pgd' };
const START = at8('2022-03-01'); // a Tuesday
// 2022-04-11 (Monday) is off: Hùng Kings' day (10/3 lunar) fell on Sunday 10/04.

async function rejects(p: Promise<unknown>, code: string): Promise<EngineError> {
  try {
    await p;
  } catch (e) {
    expect(e, String(e)).to.be.instanceOf(EngineError);
    expect((e as EngineError).code, (e as Error).message).to.equal(code);
    return e as EngineError;
  }
  throw new Error(`expected ${code}, but it succeeded`);
}

for (const kind of STORES) {
  describe(`engine service on ${kind}`, function () {
    let rt: Runtime;
    let clock: ManualClock;
    let close: () => Promise<void>;
    const source = fixture('engine/report.yaml');

    before(async function () {
      ({ rt, clock, close } = await openTestRuntime(this, kind, START));
      await rt.engine.addUnits(PROVINCE);
      await rt.engine.catalog.publish(source, 'report.yaml', 'admin');
    });
    after(async () => close?.());

    const pending = async (instanceId: string) => (await rt.store.loadInstance(instanceId))!.pendingTimers.sort((a, b) => a.fireAt - b.fireAt);
    const start = (orgUnitId: string) => rt.engine.start({ definitionId: 'test-report', orgUnitId }, office);
    let schools = 0;
    /** A new primary school under Phòng B with the process started: an instance no other test touched. */
    const startFresh = async () => {
      const id = `th_b_x${++schools}`;
      await rt.engine.addUnits([{ id, parentId: 'pgd_b', kind: 'primary', name: `TH số ${schools}` }]);
      return start(id);
    };
    const finishDraft = async (id: string) => {
      await rt.engine.completeTask(id, 'write', { pages: 3 }, school);
      await rt.engine.completeTask(id, 'sign', {}, school);
      await rt.engine.checkEvidence(id, 'signed_copy', true, school);
      return rt.engine.send(id, { type: 'SUBMIT' }, school);
    };

    it('publishes a version once; refuses changed content, older versions and invalid YAML, with located errors', async () => {
      expect((await rt.engine.catalog.publish(source, 'report.yaml')).created).to.equal(false);
      await rejects(rt.engine.catalog.publish(source.replace('Báo cáo thử', 'Báo cáo khác'), 'report.yaml'), 'DEFINITION_EXISTS');
      const bad = await rejects(
        rt.engine.catalog.publish(source.replace('version: 1', 'version: 2').replace('initial: draft', 'initial: drafts'), 'bad.yaml'),
        'DEFINITION_INVALID',
      );
      const [first] = bad.details.diagnostics as { file: string; line: number; code: string }[];
      expect(first).to.include({ file: 'bad.yaml', line: 18, code: 'UNKNOWN_INITIAL' });
      expect((await rt.store.listDefinitions()).map((d) => d.version)).to.deep.equal([1]);
    });

    it('starts an instance: the school gets its tasks, the ladder is armed from the due day', async () => {
      const s = await start('th_a1');
      expect(s).to.include({ status: 'running', rev: 1, dueAt: endOfDay('2022-03-08') });
      expect(s.stages).to.deep.equal(['draft']);
      const tasks = await rt.queries.tasksOf(s.id);
      expect(tasks.map((t) => [t.task, t.status, t.ownerUnitId])).to.deep.equal([
        ['sign', 'open', 'th_a1'],
        ['write', 'open', 'th_a1'],
      ]);
      expect((await pending(s.id)).map((t) => [t.kind, t.fireAt])).to.deep.equal([
        ['reminder', at8('2022-03-04')],
        ['overdue', endOfDay('2022-03-08')],
        ['escalation', at8('2022-03-11')],
      ]);
      expect((await rt.queue.pendingIds()).sort()).to.deep.equal((await pending(s.id)).map((t) => t.id).sort());
      expect((await start('th_a1')).id, 'starting again answers the same instance').to.equal(s.id);
      await rejects(start('pgd_a'), 'NOT_APPLICABLE');
    });

    it('refuses bad input with what and where, and changes nothing', async () => {
      const s = await start('th_a1');
      const before = (await rt.queries.history(s.id)).length;
      const form = await rejects(rt.engine.completeTask(s.id, 'write', { pages: 0 }, school), 'FORM_INVALID');
      expect(form.message).to.match(/pages/);
      await rejects(rt.engine.completeTask(s.id, 'wirte', {}, school), 'UNKNOWN_TASK');
      await rejects(rt.engine.send(s.id, { type: 'SUBMIT' }, school), 'CONDITION_NOT_MET');
      await rejects(rt.engine.send(s.id, { type: 'HELD' }, school), 'STAGE_REJECTS_EVENT');
      await rejects(rt.engine.send(s.id, { type: 'DUE' }, school), 'STAGE_REJECTS_EVENT');
      await rejects(rt.engine.send(s.id, { type: 'task.complete' }, school), 'STAGE_REJECTS_EVENT');
      await rejects(rt.engine.setAnchor(s.id, 'meeting', '30/02/2022', office), 'BAD_DATE');
      await rejects(rt.engine.completeTask(s.id, 'sign', ['x'] as never, school), 'FORM_INVALID');
      await rejects(rt.engine.send(s.id, { type: 'SUBMIT', data: 'x' as never }, school), 'EVENT_DATA_INVALID');
      await rejects(rt.engine.send('no-such-instance', { type: 'SUBMIT' }, school), 'NOT_FOUND');
      const after = await rt.store.loadInstance(s.id);
      expect(after!.instance.rev).to.equal(s.rev);
      expect((await rt.queries.history(s.id)).length).to.equal(before);
    });

    it('walks a report through: each change is one history row; the event form is checked', async () => {
      const s = await start('thcs_a1');
      const review = await finishDraft(s.id);
      expect(review.stages).to.deep.equal(['review']);
      expect(review.rev).to.equal(5);
      const history = await rt.queries.history(s.id);
      expect(history.map((h) => [h.rev, h.eventType, h.actor])).to.deep.equal([
        [1, 'instance.start', 'officer@pgd'],
        [2, 'task.complete', 'teacher@th'],
        [3, 'task.complete', 'teacher@th'],
        [4, 'evidence.check', 'teacher@th'],
        [5, 'SUBMIT', 'teacher@th'],
      ]);
      expect(history[4]).to.deep.include({ fromStages: ['draft'], toStages: ['review'] });
      const write = (await rt.queries.tasksOf(s.id)).find((t) => t.task === 'write')!;
      expect(write).to.deep.include({ status: 'done', data: { pages: 3 }, completedBy: 'teacher@th', completedAt: START });
      const bad = await rejects(rt.engine.send(s.id, { type: 'REVIEW', data: { decision: 'maybe' } }, office), 'EVENT_DATA_INVALID');
      expect(bad.message).to.match(/accepted, returned/);
      const back = await rt.engine.send(s.id, { type: 'REVIEW', data: { decision: 'returned' } }, office);
      expect(back.stages).to.deep.equal(['draft']);
      const reopened = (await rt.queries.tasksOf(s.id)).filter((t) => t.stage === 'draft');
      expect(reopened.map((t) => [t.task, t.stageSeq, t.status])).to.deep.equal([
        ['sign', 1, 'done'],
        ['write', 1, 'done'],
        ['sign', 3, 'open'],
        ['write', 3, 'open'],
      ]);
    });

    it('a late school climbs the ladder: reminder → overdue (school, Phòng) → escalation (Phòng, Sở), each once', async () => {
      const s = await start('th_a2');
      clock.set(at8('2022-03-04'));
      await rt.runDue();
      clock.set(at8('2022-03-09'));
      await rt.runDue();
      clock.set(at8('2022-03-11'));
      await rt.runDue();
      expect(await rt.runDue(), 'nothing fires twice').to.equal(0);
      const escalations = await rt.queries.escalationsOf(s.id);
      expect(escalations.map((e) => [e.kind, e.firedAt, e.notified])).to.deep.equal([
        ['reminder', at8('2022-03-04'), [{ role: 'school', unitId: 'th_a2' }]],
        [
          'overdue',
          at8('2022-03-09'),
          [
            { role: 'school', unitId: 'th_a2' },
            { role: 'district', unitId: 'pgd_a' },
          ],
        ],
        [
          'escalation',
          at8('2022-03-11'),
          [
            { role: 'district', unitId: 'pgd_a' },
            { role: 'department', unitId: 'so' },
          ],
        ],
      ]);
      const soInbox = (await rt.queries.inbox(['so'], { unreadOnly: false, limit: 100 })).filter((i) => i.instanceId === s.id);
      expect(soInbox.map((i) => [i.kind, i.role])).to.deep.equal([['escalation', 'department']]);
      const pgdInbox = (await rt.queries.inbox(['pgd_a'], { unreadOnly: false, limit: 100 })).filter((i) => i.instanceId === s.id);
      expect(pgdInbox.map((i) => i.kind)).to.deep.equal(['escalation', 'overdue']);
      expect(soInbox[0]!.message.vi).to.match(/TH An Khánh/);
      for (const e of escalations) expect(await rt.engine.fireTimer(e.id), 'a delivered-again timer does nothing').to.equal('ignored');
      expect((await rt.queries.escalationsOf(s.id)).length).to.equal(3);
    });

    it('a timer of a stage that was left does nothing, even if it is delivered', async () => {
      clock.set(at8('2022-03-14'));
      const s = await start('th_b1');
      const [reminder] = await pending(s.id);
      await finishDraft(s.id);
      expect((await rt.store.getTimer(reminder!.id))!.status).to.equal('cancelled');
      expect(await rt.queue.pendingIds()).not.to.include(reminder!.id);
      // A queue that lost the cancel delivers it anyway: the stage entry no longer matches.
      await rt.db('timers').where({ id: reminder!.id }).update({ status: 'pending' });
      expect(await rt.engine.fireTimer(reminder!.id)).to.equal('stale');
      expect(await rt.queries.escalationsOf(s.id)).to.deep.equal([]);
    });

    it('an anchored deadline is armed when the anchor is set and moves when it moves', async () => {
      clock.set(at8('2022-03-14'));
      const s = await startFresh();
      await finishDraft(s.id);
      await rt.engine.send(s.id, { type: 'REVIEW', data: { decision: 'accepted' } }, office);
      const hearing = await rt.store.loadInstance(s.id);
      expect(hearing!.instance.stages).to.deep.equal(['hearing']);
      expect(hearing!.instance.dueAt, 'no meeting day, no deadline').to.equal(undefined);
      expect(hearing!.pendingTimers).to.deep.equal([]);
      const first = await rt.engine.setAnchor(s.id, 'meeting', '21/03/2022', office);
      expect(first.dueAt).to.equal(endOfDay('2022-03-23'));
      const second = await rt.engine.setAnchor(s.id, 'meeting', '2022-03-28', office);
      expect(second.dueAt).to.equal(endOfDay('2022-03-30'));
      const timers = await rt.db('timers').where({ instance_id: s.id, stage: 'hearing' }).orderBy('arm');
      expect(timers.map((t: { arm: number; status: string; fire_at: string }) => [Number(t.arm), t.status, Number(t.fire_at)])).to.deep.equal([
        [2, 'cancelled', endOfDay('2022-03-23')],
        [3, 'pending', endOfDay('2022-03-30')],
      ]);
    });

    it('refuses anchor names the process does not declare, including those every object inherits', async () => {
      // compiled.anchors[name] found Object.prototype's members, so these were taken for declared anchors.
      for (const name of ['hasOwnProperty', 'valueOf', 'toString', 'constructor', 'meting']) {
        const given = { [name]: '2022-03-21' };
        const e = await rejects(rt.engine.start({ definitionId: 'test-report', orgUnitId: 'th_a1', anchors: given }, office), 'UNKNOWN_ANCHOR');
        expect(e.details).to.include({ anchor: name });
        await rejects(createCampaign(rt.engine, { definitionId: 'test-report', rootUnitId: 'pgd_a', anchors: given }, office), 'UNKNOWN_ANCHOR');
      }
      expect(rt.engine.checkAnchors(await rt.engine.catalog.get('test-report'), { meeting: '21/03/2022' })).to.deep.equal({ meeting: '2022-03-21' });
    });

    it('answers a repeated Idempotency-Key with the first answer, and refuses it for another request (the application layer)', async () => {
      const fresh = await startFresh();
      const app = new Application({ engine: rt.engine });
      const teacher = systemPrincipal(school.actor);
      const taskOf = async (task: string) => (await rt.queries.tasksOf(fresh.id)).find((t) => t.task === task)!.id;
      const call = { idempotency: { key: `k-${kind}` } };
      const once = await app.completeTask(teacher, await taskOf('sign'), {}, call);
      const twice = await app.completeTask(teacher, await taskOf('sign'), {}, call);
      expect(twice).to.deep.equal(once);
      await rejects(app.completeTask(teacher, await taskOf('write'), { pages: 1 }, call), 'IDEMPOTENCY_KEY_REUSED');
      expect((await rt.queries.history(fresh.id)).filter((h) => h.rev > fresh.rev).map((h) => h.eventType)).to.deep.equal(['task.complete']);
    });

    it('refuses a change computed over a stale rev, whole; concurrent commands are both applied', async () => {
      clock.set(at8('2022-03-15'));
      const s = await start('th_a2');
      const loaded = (await rt.store.loadInstance(s.id))!;
      const historyBefore = (await rt.queries.history(s.id)).length;
      expect((await rt.store.commit([bareChange(loaded, { actor: 'a', eventType: 'note', at: clock.now() })]))[0]!.error).to.equal(undefined);
      const stale = bareChange(loaded, { actor: 'b', eventType: 'note', at: clock.now() });
      stale.inbox.push({ unitId: 'so', role: 'department', kind: 'note', message: { vi: 'x', en: 'x' }, createdAt: clock.now() });
      expect((await rt.store.commit([stale]))[0]!.error?.code).to.equal('REV_CONFLICT');
      expect((await rt.queries.history(s.id)).length).to.equal(historyBefore + 1);
      expect(
        (await rt.queries.inbox(['so'], { unreadOnly: false, limit: 500 })).some((i) => i.kind === 'note'),
        'nothing of the refused change is written',
      ).to.equal(false);

      const fresh = await startFresh();
      await Promise.all([
        rt.engine.completeTask(fresh.id, 'write', { pages: 2 }, school),
        rt.engine.completeTask(fresh.id, 'sign', {}, school),
        rt.engine.checkEvidence(fresh.id, 'signed_copy', true, school),
      ]);
      const after = (await rt.store.loadInstance(fresh.id))!;
      expect(after.instance.rev).to.equal(fresh.rev + 3);
      expect(after.tasks.filter((t) => t.stageSeq === 1).map((t) => t.status)).to.deep.equal(['done', 'done']);
    });

    it('commits commands that arrive together as one group: each applies once, a stale one is refused alone', async () => {
      const fresh = [];
      for (let i = 0; i < 6; i++) fresh.push(await startFresh());
      // Two commands per instance, all at once: within a group the second one to an instance meets
      // the first's rev and is recomputed; every command applies exactly once.
      await Promise.all(fresh.flatMap((f) => [rt.engine.completeTask(f.id, 'write', { pages: 1 }, school), rt.engine.completeTask(f.id, 'sign', {}, school)]));
      for (const f of fresh) {
        const history = await rt.queries.history(f.id);
        expect(history.map((h) => h.rev)).to.deep.equal(Array.from({ length: f.rev + 2 }, (_, i) => i + 1));
        expect(
          history
            .slice(-2)
            .map((h) => (h.payload as { task: string }).task)
            .sort(),
        ).to.deep.equal(['sign', 'write']);
        expect((await rt.store.loadInstance(f.id))!.tasks.map((t) => t.status)).to.deep.equal(['done', 'done']);
      }
      const [a, b] = await rt.store.loadInstances([fresh[0]!.id, fresh[1]!.id]);
      await rt.store.commit([bareChange(b!, { actor: 'other@pgd', eventType: 'note', at: clock.now() })]);
      const note = (l: typeof a) => bareChange(l!, { actor: 'a', eventType: 'note', at: clock.now() });
      const stale = note(b);
      stale.inbox.push({ unitId: 'so', role: 'department', kind: 'group-note', message: { vi: 'x', en: 'x' }, createdAt: clock.now() });
      const out = await rt.store.commit([note(a), stale, note(a)]);
      expect(out.map((o) => o.error?.code)).to.deep.equal([undefined, 'REV_CONFLICT', 'REV_CONFLICT']);
      expect((await rt.queries.history(a!.instance.id)).length).to.equal(a!.instance.rev + 1);
      expect((await rt.queries.history(b!.instance.id)).length, 'only the other writer’s note').to.equal(b!.instance.rev + 1);
      expect(
        (await rt.queries.inbox(['so'], { unreadOnly: false, limit: 500 })).some((i) => i.kind === 'group-note'),
        'nothing of the refused change is written',
      ).to.equal(false);
    });

    it('recomputes a command over the fresh state when another writer commits first, and reports it when that never stops', async () => {
      const s = await startFresh();
      // Another writer slips a change in between this command's read and its commit, `times` times.
      const interleaved = (times: number) => {
        let left = times;
        const store = new Proxy(rt.store, {
          get(target, key, receiver) {
            if (key !== 'commit') return Reflect.get(target, key, receiver);
            return async (changes: Parameters<typeof target.commit>[0]) => {
              if (left-- > 0) {
                const fresh = (await target.loadInstance(changes[0]!.instance.id))!;
                await target.commit([bareChange(fresh, { actor: 'other@pgd', eventType: 'note', at: clock.now() })]);
              }
              return target.commit(changes);
            };
          },
        });
        return new Engine({ store, queries: rt.queries, clock, catalog: rt.engine.catalog, maxRetries: 2 });
      };
      const done = await interleaved(2).completeTask(s.id, 'sign', {}, school);
      expect(done.rev, 'two notes by the other writer, then this change').to.equal(s.rev + 3);
      expect((await rt.queries.history(s.id)).map((h) => h.eventType).slice(-3)).to.deep.equal(['note', 'note', 'task.complete']);
      await rejects(interleaved(3).completeTask(s.id, 'write', { pages: 1 }, school), 'REV_CONFLICT');
      const tasks = (await rt.store.loadInstance(s.id))!.tasks;
      expect(tasks.find((t) => t.task === 'write')!.status, 'the refused command left no trace').to.equal('open');
    });

    it('cancels with a reason on record: timers stop, open tasks close, nothing more is accepted', async () => {
      const fresh = await startFresh();
      await rejects(rt.engine.cancel(fresh.id, '  ', office), 'INVALID_ARGUMENT');
      const c = await rt.engine.cancel(fresh.id, 'trường sáp nhập', office);
      expect(c.status).to.equal('cancelled');
      const loaded = (await rt.store.loadInstance(fresh.id))!;
      expect(loaded.pendingTimers).to.deep.equal([]);
      expect(loaded.tasks.filter((t) => t.status === 'open')).to.deep.equal([]);
      expect((await rt.queries.history(fresh.id)).at(-1)).to.deep.include({ eventType: 'instance.cancel', payload: { reason: 'trường sáp nhập' } });
      await rejects(rt.engine.completeTask(fresh.id, 'write', { pages: 1 }, school), 'INSTANCE_NOT_RUNNING');
    });

    describe('campaigns, cohort operations and queries', () => {
      before(async () => {
        clock.set(at8('2022-04-04'));
      });

      it('a campaign starts the process for every school in scope, in batches; re-running adds only the missing ones', async () => {
        const campaign = await createCampaign(rt.engine, { id: `c1-${kind}`, definitionId: 'test-report', rootUnitId: 'pgd_a' }, office);
        expect(campaign).to.include({ total: 3, started: 0, status: 'running' });
        const seen: number[] = [];
        // The schools run the process already (the tests above started it by hand): started all the
        // same, as asked — skipping them by default is test/contract/admin-ops.test.ts's.
        const asked = { ...office, includeRunning: true };
        const run = await runCampaign(rt.engine, campaign.id, { ...asked, batchSize: 2, onProgress: (p) => seen.push(p.campaign.started) });
        expect(run.created).to.equal(3);
        expect(seen).to.deep.equal([2, 3]);
        expect(run.campaign).to.include({ started: 3, total: 3, status: 'done' });
        expect((await runCampaign(rt.engine, campaign.id, asked)).created, 'nothing to add').to.equal(0);
        await rt.engine.addUnits([{ id: `th_a3`, parentId: 'pgd_a', kind: 'primary', name: 'TH An Thới' }]);
        const again = await runCampaign(rt.engine, campaign.id, asked);
        expect(again.created).to.equal(1);
        expect(again.campaign).to.include({ started: 4, total: 4 });
        expect(
          (await createCampaign(rt.engine, { id: `c1-${kind}`, definitionId: 'test-report', rootUnitId: 'pgd_a' }, office)).id,
          'creating it again is a no-op',
        ).to.equal(campaign.id);
        await rejects(createCampaign(rt.engine, { definitionId: 'test-report', rootUnitId: 'pgd_a', kinds: ['upper-secondary'] }, office), 'NOT_APPLICABLE');
      });

      it('extends a deadline for a cohort (dry run first), re-arming its ladder', async () => {
        const filter = { campaignId: `c1-${kind}` };
        const dry = await extendCohort(rt.engine, filter, { stage: 'draft', workingDays: 2, reason: 'bão lũ', dryRun: true }, office);
        expect(dry).to.include({ matched: 4, changed: 0, dryRun: true });
        expect(dry.instances[0]).to.include({ dueBefore: endOfDay('2022-04-12'), dueAfter: endOfDay('2022-04-14') });
        const list = await rt.queries.listInstances(filter, { limit: 10 });
        expect(
          list.every((i) => i.dueAt === endOfDay('2022-04-12')),
          'a dry run changes nothing',
        ).to.equal(true);
        const done = await extendCohort(rt.engine, filter, { stage: 'draft', workingDays: 2, reason: 'bão lũ' }, { ...office, idempotencyKey: `ext-${kind}` });
        expect(done).to.include({ matched: 4, changed: 4 });
        await extendCohort(rt.engine, filter, { stage: 'draft', workingDays: 2, reason: 'bão lũ' }, { ...office, idempotencyKey: `ext-${kind}` });
        const after = await rt.queries.listInstances(filter, { limit: 10 });
        expect(
          after.map((i) => i.dueAt),
          'the same request twice extends once',
        ).to.deep.equal(after.map(() => endOfDay('2022-04-14')));
        const timers = await pending(after[0]!.id);
        expect(timers.map((t) => [t.kind, t.arm, t.fireAt])).to.deep.equal([
          ['reminder', 2, at8('2022-04-12')],
          ['overdue', 2, endOfDay('2022-04-14')],
          ['escalation', 2, at8('2022-04-19')],
        ]);
        expect((await rt.queries.history(after[0]!.id)).at(-1)).to.deep.include({ eventType: 'cohort.extend', actor: 'officer@pgd' });
        await rejects(extendCohort(rt.engine, filter, { stage: 'draft', reason: '' }, office), 'INVALID_ARGUMENT');
      });

      it('reassigns open tasks to another unit, and lists open tasks by unit and subtree', async () => {
        const [first] = await rt.queries.listInstances({ campaignId: `c1-${kind}`, underPath: '/so/pgd_a/th_a1/' }, { limit: 1 });
        const report = await reassignCohort(rt.engine, { ids: [first!.id] }, { toUnitId: 'pgd_a', task: 'write', reason: 'trường thiếu nhân sự' }, office);
        expect(report.instances[0]).to.deep.include({ tasks: ['write'], toUnitId: 'pgd_a' });
        const mine = await openTasks(rt.engine, ['pgd_a']);
        expect(mine.map((t) => [t.instanceId, t.task])).to.deep.equal([[first!.id, 'write']]);
        const subtree = await openTasks(rt.engine, ['pgd_a'], { subtree: true, limit: 500 });
        expect(subtree.length).to.be.greaterThan(mine.length);
        expect(subtree.every((t) => t.ownerUnitPath.startsWith('/so/pgd_a/'))).to.equal(true);
        const view = await timeline(rt.engine, first!.id);
        expect(view.unit.id).to.equal('th_a1');
        expect(view.tasks.find((t) => t.task === 'write')!.title.en).to.equal('Write');
      });

      it('the overdue board counts by unit and stage, with ages in working days and what is due soon', async () => {
        clock.set(at8('2022-04-13')); // the campaign's drafts are due 14/04: due soon
        let board = await overdueBoard(rt.engine, 'so');
        const campaignDrafts = board.byStage.find((r) => r.stage === 'draft')!;
        expect(campaignDrafts.dueSoon).to.be.greaterThanOrEqual(4);
        clock.set(at8('2022-04-25')); // 14/04 + 6 working days (Hùng Kings' day 11/04 is before)
        board = await overdueBoard(rt.engine, 'so');
        const pgdA = board.byUnit.find((r) => r.unitId === 'pgd_a')!;
        expect(pgdA.name).to.equal('Phòng GDĐT Châu Thành');
        expect(pgdA.ages['6-10']).to.be.greaterThanOrEqual(4);
        expect(board.totals.overdue).to.equal(board.byUnit.reduce((n, r) => n + r.overdue, 0));
        const phong = await overdueBoard(rt.engine, 'pgd_b');
        expect(
          phong.byUnit.every((r) => r.unitId.startsWith('th_b')),
          'a Phòng sees only its own schools',
        ).to.equal(true);
      });

      it('migrates a cohort to a new version with a state map; a dry run lists the deadlines that move', async () => {
        const v2 = source
          .replace('version: 1', 'version: 2')
          .replace(/^  draft:/m, '  prepare:')
          .replace('initial: draft', 'initial: prepare')
          .replace('- { target: draft, when: { field: event.decision, eq: returned } }', '- { target: prepare, when: { field: event.decision, eq: returned } }')
          .replace('due: { workingDays: 5 }', 'due: { workingDays: 10 }');
        await rt.engine.catalog.publish(v2, 'report-v2.yaml', 'admin');
        const filter = { campaignId: `c1-${kind}`, stages: ['draft'] };
        const unmapped = await migrateCohort(rt.engine, filter, { toVersion: 2, reason: 'TT mới', dryRun: true }, office);
        expect(unmapped.instances[0]!.error!.message).to.match(/no stage to land in for "draft"; map to one of: prepare, review, hearing$/);
        const final = await migrateCohort(rt.engine, filter, { toVersion: 2, stateMap: { draft: 'done' }, reason: 'TT mới', dryRun: true }, office);
        expect(final.instances[0]!.error!.message, 'a final stage would end the process behind the engine').to.match(/"done" \(a final stage\)/);
        const dry = await migrateCohort(rt.engine, filter, { toVersion: 2, stateMap: { draft: 'prepare' }, reason: 'TT mới', dryRun: true }, office);
        expect(dry.matched).to.equal(4);
        expect(dry.instances[0]).to.deep.include({ from: ['draft'], to: ['prepare'] });
        expect(dry.instances[0]!.deadlines).to.deep.equal([{ stage: 'prepare', dueBefore: endOfDay('2022-04-14'), dueAfter: endOfDay('2022-04-19') }]);
        expect((await rt.queries.listInstances(filter, { limit: 10 })).every((i) => i.definitionVersion === 1)).to.equal(true);
        const [checked] = await rt.queries.listInstances(filter, { limit: 1 });
        await rt.engine.checkEvidence(checked!.id, 'signed_copy', true, school);
        const real = await migrateCohort(rt.engine, filter, { toVersion: 2, stateMap: { draft: 'prepare' }, reason: 'TT mới' }, office);
        expect(real.changed).to.equal(4);
        const moved = (await rt.store.loadInstance(checked!.id))!;
        expect(moved.instance).to.include({ definitionVersion: 2 });
        expect(moved.instance.stages).to.deep.equal(['prepare']);
        expect(moved.pendingTimers.every((t) => t.stage === 'prepare')).to.equal(true);
        await rt.engine.completeTask(moved.instance.id, 'write', { pages: 3 }, school);
        await rt.engine.completeTask(moved.instance.id, 'sign', {}, school);
        const next = await rt.engine.send(moved.instance.id, { type: 'SUBMIT' }, school);
        expect(next.stages, 'runs on the new version, with the evidence checked before the move').to.deep.equal(['review']);
      });

      it('an instance whose stored state its version cannot read stops, visibly, until migrated', async () => {
        const s = await startFresh(); // on v2 now: the latest version
        expect(s.definitionVersion).to.equal(2);
        const row = await rt.db('instances').where({ id: s.id }).first();
        const snapshot = JSON.parse(row.snapshot);
        await rt
          .db('instances')
          .where({ id: s.id })
          .update({ snapshot: JSON.stringify({ ...snapshot, value: 'no_such_stage' }) });
        // Such a state comes with another version of the code, i.e. a process started afresh: it
        // holds nothing of the instance in memory.
        rt.store.forgetRecent();
        await rejects(rt.engine.completeTask(s.id, 'sign', {}, school), 'NEEDS_MIGRATION');
        const stuck = (await rt.store.loadInstance(s.id))!.instance;
        expect(stuck.status).to.equal('needs_migration');
        expect((await rt.queries.history(s.id)).at(-1)!.eventType).to.equal('instance.needs_migration');
        await rejects(rt.engine.completeTask(s.id, 'sign', {}, school), 'NEEDS_MIGRATION');
        const fixed = await migrateCohort(rt.engine, { ids: [s.id] }, { toVersion: 1, stateMap: { prepare: 'draft' }, reason: 'khôi phục' }, office);
        expect(fixed.changed).to.equal(1);
        const back = await rt.engine.completeTask(s.id, 'sign', {}, school);
        expect(back).to.include({ status: 'running', definitionVersion: 1 });
        expect(back.stages).to.deep.equal(['draft']);
      });

      it('cancels a cohort', async () => {
        const report = await cancelCohort(rt.engine, { campaignId: `c1-${kind}` }, { reason: 'hủy đợt' }, office);
        expect(report.changed).to.equal(4);
        expect(await rt.queries.countInstances({ campaignId: `c1-${kind}`, statuses: ['running'] })).to.equal(0);
      });
    });
  });
}
