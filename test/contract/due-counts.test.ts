// The overdue board's summary (migration 016, adapters/store/due-counts.ts), on SQLite and
// PostgreSQL: after every kind of change to an instance — a start, a move to another stage, a
// deadline extended, a cancellation, a finish, a school moved to another Phòng, a school merged
// into another (its instances handed over) — the summary holds exactly what counting the instances
// afresh gives, and the board it feeds answers as the instances themselves say.
import { expect } from 'chai';
import { endOfDay, localDateOf } from '../../engine/calendar/time.ts';
import { Application, type Principal } from '../../engine/application/application.ts';
import { extendCohort } from '../../engine/service/cohort.ts';
import { AGE_BUCKETS, overdueBoard, type BoardRow } from '../../engine/service/queries.ts';
import type { ManualClock } from '../../engine/ports.ts';
import { KnexAudit } from '../../adapters/store/audit-store.ts';
import { DUE_BY_UNIT, freshDueCounts, rebuildDueCounts, storedDueCounts } from '../../adapters/store/due-counts.ts';
import type { Runtime } from '../../adapters/runtime.ts';
import { at8, fixture, openTestRuntime, PROVINCE, STORES } from '../support/runtime.ts';

const START = at8('2022-03-01');
const DAY = 86_400_000;
const actor = { actor: 'teacher' };

for (const kind of STORES) {
  describe(`the overdue board's summary on ${kind}`, function () {
    let rt: Runtime;
    let clock: ManualClock;
    let close: () => Promise<void>;
    let app: Application;
    let admin: Principal;
    const ids: Record<string, string> = {};

    before(async function () {
      ({ rt, clock, close } = await openTestRuntime(this, kind, START));
      await rt.engine.addUnits([...PROVINCE, { id: 'thcs_a9', parentId: 'pgd_a', kind: 'lower-secondary', name: 'THCS mới' }]);
      await rt.engine.catalog.publish(fixture('engine/report.yaml'), 'report.yaml', 'admin');
      app = new Application({ engine: rt.engine, audit: new KnexAudit(rt.db) });
      admin = { user: { id: 'u-admin', login: 'admin_so', name: 'Quản trị Sở' }, grants: [{ role: 'admin', unitId: 'so', unitPath: '/so/' }] };
    });
    after(async () => close?.());

    /** The summary equals a fresh count, and the board of each unit equals what the instances say. */
    const consistent = async (what: string) => {
      const [stored, fresh] = [await storedDueCounts(rt.db), await freshDueCounts(rt.db)];
      expect(stored, `${what}: the summary is a fresh count`).to.deep.equal(fresh);
      // The board now and later (what is late grows older, through every age bucket).
      const now = clock.now();
      for (const later of [0, 6, 13, 25, 45]) {
        clock.set(now + later * DAY);
        for (const unit of ['so', 'pgd_a', 'pgd_b', 'th_a1', 'th_b1']) {
          const board = await overdueBoard(rt.engine, unit);
          expect(figures(board), `${what}: the board of ${unit}, ${later} days on`).to.deep.equal(await fromInstances(unit, board.asOf));
        }
      }
      clock.set(now);
      return fresh;
    };

    /** The board's counts (overdue, due soon, overdue by age) by unit and stage. */
    const line = (r: BoardRow) => [r.overdue, r.dueSoon, ...AGE_BUCKETS.map((b) => r.ages[b.label])];
    const figures = (board: Awaited<ReturnType<typeof overdueBoard>>) => ({
      totals: line(board.totals),
      byUnit: Object.fromEntries(board.byUnit.map((r) => [r.unitId, line(r)])),
      byStage: Object.fromEntries(board.byStage.map((r) => [`${r.definitionId}/${r.stage}`, line(r)])),
    });

    /** The same counts read from the instances themselves, as the board read them before 016. */
    const fromInstances = async (unitId: string, now: number) => {
      const root = (await rt.store.getUnit(unitId))!;
      const calendar = rt.engine.catalog.calendars.get('vn-government')!;
      const until = endOfDay(calendar.addWorkingDays(localDateOf(now), 5));
      const rows = (
        await rt.db('instances').where({ status: 'running' }).where('due_at', '<', until).select('unit_path', 'stages', 'definition_id', 'due_at')
      ).filter((r: { unit_path: string }) => r.unit_path.startsWith(root.path));
      const empty = () => [0, 0, ...AGE_BUCKETS.map(() => 0)];
      const out = { totals: empty(), byUnit: {} as Record<string, number[]>, byStage: {} as Record<string, number[]> };
      for (const r of rows) {
        const dueAt = Number(r.due_at);
        const age = Math.max(1, calendar.workingDaysBetween(localDateOf(dueAt), localDateOf(now)));
        // [overdue, due soon, each age bucket]
        const ks = dueAt < now ? [0, 2 + AGE_BUCKETS.findIndex((b) => age <= b.max)] : [1];
        const child = r.unit_path.split('/').filter(Boolean)[root.depth + 1] ?? root.id;
        const lines = [out.totals, (out.byUnit[child] ??= empty())];
        for (const s of new Set(JSON.parse(r.stages) as string[])) lines.push((out.byStage[`${r.definition_id}/${s}`] ??= empty()));
        for (const l of lines) for (const k of ks) l[k]!++;
      }
      return out;
    };
    it('counts instances as they start, under every unit of their path', async () => {
      for (const unit of ['th_a1', 'th_a2', 'thcs_a1', 'th_b1'])
        ids[unit] = (await rt.engine.start({ definitionId: 'test-report', orgUnitId: unit }, actor)).id;
      const fresh = await consistent('after the starts');
      expect(fresh[DUE_BY_UNIT]!.filter((r) => r.ancestor_id === 'so').map((r) => [r.child_id, r.n])).to.deep.equal([
        ['pgd_a', 3],
        ['pgd_b', 1],
      ]);
      clock.set(START + 10 * DAY); // the drafts are late
      await consistent('the drafts late');
    });

    it('follows an instance to its next stage and its new deadline, and an extended deadline', async () => {
      await rt.engine.completeTask(ids.th_a1!, 'write', { pages: 2 }, actor);
      await rt.engine.completeTask(ids.th_a1!, 'sign', undefined, actor);
      await rt.engine.checkEvidence(ids.th_a1!, 'signed_copy', true, actor);
      await rt.engine.send(ids.th_a1!, { type: 'SUBMIT' }, actor);
      await consistent('one in review');
      await extendCohort(rt.engine, { ids: [ids.th_a2!, ids.th_b1!] }, { stage: 'draft', workingDays: 3, reason: 'bão lũ' }, { actor: 'officer@pgd' });
      await consistent('two deadlines extended');
    });

    it('moves its counts when a school moves to another Phòng, or merges into another school', async () => {
      const moved = await app.org.reshape(admin, [{ op: 'move', id: 'th_a2', parentId: 'pgd_b' }], { reason: 'Điều chỉnh địa giới' });
      expect(moved.applied, JSON.stringify(moved.problems)).to.equal(true);
      await consistent('a school moved');
      const merged = await app.org.reshape(admin, [{ op: 'merge', id: 'thcs_a1', intoId: 'thcs_a9' }], { reason: 'Sáp nhập trường' });
      expect(merged.applied, JSON.stringify(merged.problems)).to.equal(true);
      expect((await rt.store.loadInstance(ids.thcs_a1!))!.instance.orgUnitId).to.equal('thcs_a9');
      await consistent('a school merged, its instance handed over');
    });

    it('drops an instance that finishes, is cancelled, or has no deadline any more', async () => {
      await rt.engine.send(ids.th_a1!, { type: 'REVIEW', data: { decision: 'accepted' } }, actor); // the hearing waits for its anchor
      await consistent('one without a deadline');
      await rt.engine.send(ids.th_a1!, { type: 'HELD' }, actor);
      expect((await rt.store.loadInstance(ids.th_a1!))!.instance.status).to.equal('done');
      await rt.engine.cancel(ids.th_b1!, 'trùng báo cáo', actor);
      const fresh = await consistent('one finished, one cancelled');
      expect(fresh[DUE_BY_UNIT]!.filter((r) => r.ancestor_id === 'so').map((r) => [r.child_id, r.n])).to.deep.equal([
        ['pgd_a', 1],
        ['pgd_b', 1],
      ]);
    });

    if (kind === 'postgres') {
      it('a commit that meets another writer on the summary rows in the opposite order (a deadlock) goes again, and counts once', async () => {
        await rt.engine.addUnits([
          { id: 'th_d1', parentId: 'pgd_b', kind: 'primary', name: 'TH D1' },
          { id: 'th_d2', parentId: 'pgd_b', kind: 'primary', name: 'TH D2' },
        ]);
        const first = await rt.engine.start({ definitionId: 'test-report', orgUnitId: 'th_d1' }, actor);
        const due = first.dueAt!;
        // Another writer holds the Sở's row of that deadline; the start locks its Phòng's row first
        // (key order), waits for the Sở's, and the other writer then asks for the Phòng's.
        const other = await rt.db.transaction();
        try {
          await other(DUE_BY_UNIT)
            .where({ ancestor_id: 'so', due_at: due, child_id: 'pgd_b' })
            .update({ n: other.raw('n') });
          const second = rt.engine.start({ definitionId: 'test-report', orgUnitId: 'th_d2' }, actor);
          await new Promise((r) => setTimeout(r, 300));
          await other.raw(
            `insert into ${DUE_BY_UNIT} (ancestor_id, due_at, child_id, n) values ('pgd_b', ?, 'th_d2', 0) on conflict (ancestor_id, due_at, child_id) do update set n = ${DUE_BY_UNIT}.n`,
            [due],
          );
          await other.rollback();
          expect((await second).dueAt).to.equal(due);
        } finally {
          if (!other.isCompleted()) await other.rollback();
        }
        await consistent('after a deadlock');
      });
    }

    it('is counted again from the instances by the rebuild migration 016 runs', async () => {
      const before = await storedDueCounts(rt.db);
      await rt.db(DUE_BY_UNIT).update({ n: 99 });
      await rebuildDueCounts(rt.db);
      expect(await storedDueCounts(rt.db)).to.deep.equal(before);
    });
  });
}
