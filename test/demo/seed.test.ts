// The demo province: a plausible, deterministic Bến Tre with about 500 schools and the demo logins'
// units, and — seeded on a real SQLite runtime through four months of story — overdue work, ladders
// that reached the Phòng and the Sở, finished instances and open tasks for the school logins.
import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import { FLAGSHIP, generateProvince, DEFAULT_SEED, SPECIAL_SCHOOLS } from '../../adapters/demo/province.ts';
import { Application, systemPrincipal } from '../../engine/application/application.ts';
import { seedDemo, type DemoSummary } from '../../adapters/demo/seed.ts';
import { DEMO_PASSWORD, DEMO_USERS } from '../../adapters/demo/users.ts';
import type { Runtime } from '../../adapters/runtime.ts';
import type { ManualClock } from '../../engine/ports.ts';
import { openTasks, overdueBoard } from '../../engine/service/queries.ts';
import { openTestRuntime } from '../support/runtime.ts';

const SCHOOL_KINDS = ['preschool', 'primary', 'lower-secondary', 'upper-secondary', 'continuing-education'];
const LOGINS = ['admin', 'giamsat.so', 'giamsat.phong', 'admin.phong', 'canbo.phong', 'truong.thcs', 'truong.th', 'truong.thpt'];

describe('demo province', () => {
  describe('the generated province', () => {
    const units = generateProvince();
    const schools = units.filter((u) => SCHOOL_KINDS.includes(u.kind));

    it('has one Sở, about ten Phòng and about 500 schools, every kind present', () => {
      expect(units.filter((u) => u.kind === 'department')).to.have.length(1);
      expect(units.filter((u) => u.kind === 'district-office').length).to.be.within(8, 12);
      expect(schools.length).to.be.within(450, 560);
      for (const kind of ['department', 'district-office', ...SCHOOL_KINDS])
        expect(
          units.some((u) => u.kind === kind),
          kind,
        ).to.equal(true);
    });

    it('gives readable, unique ids and names unique within each parent, with diacritics', () => {
      expect(new Set(units.map((u) => u.id)).size).to.equal(units.length);
      for (const u of units) expect(u.id).to.match(/^[a-z0-9_-]{1,64}$/);
      const byParent = new Map<string, string[]>();
      for (const u of units) byParent.set(u.parentId ?? '', [...(byParent.get(u.parentId ?? '') ?? []), u.name]);
      for (const [parent, names] of byParent) expect(new Set(names).size, parent).to.equal(names.length);
      expect(units.find((u) => u.id === FLAGSHIP.lowerSecondary)?.name).to.equal('Trường THCS Nguyễn Du');
      expect(schools.filter((s) => /[ăâđêôơưàáảãạềếểễệ]/i.test(s.name)).length).to.be.greaterThan(schools.length / 2);
    });

    it('puts preschools, primary and lower-secondary schools under a Phòng, THPT and centres under the Sở', () => {
      const kindOf = new Map(units.map((u) => [u.id, u.kind]));
      for (const s of schools) {
        const parent = kindOf.get(s.parentId!);
        expect(parent, s.id).to.equal(['upper-secondary', 'continuing-education'].includes(s.kind) ? 'department' : 'district-office');
      }
      // The two special schools the Bến Tre letter names, directly under the Sở (multi-level).
      for (const id of Object.values(SPECIAL_SCHOOLS)) expect(units.find((u) => u.id === id)).to.deep.include({ kind: 'multi-level', parentId: 'so-bt' });
      for (const office of units.filter((u) => u.kind === 'district-office')) expect(office.levels).to.deep.equal(['preschool', 'primary', 'lower-secondary']);
    });

    it('is the same province for the same seed, another for another seed', () => {
      expect(generateProvince(DEFAULT_SEED)).to.deep.equal(units);
      expect(generateProvince(7)).to.not.deep.equal(units);
      // The demo logins' units do not depend on the seed.
      for (const id of Object.values(FLAGSHIP))
        expect(
          generateProvince(7).some((u) => u.id === id),
          id,
        ).to.equal(true);
    });

    it('has every demo login, with the demo password, an e-mail and a unit that exists', () => {
      expect(DEMO_USERS.map((u) => u.login)).to.have.members(LOGINS);
      const ids = new Set(units.map((u) => u.id));
      for (const u of DEMO_USERS) {
        expect(u.password).to.equal(DEMO_PASSWORD).and.equal('demo1234');
        expect(u.email).to.equal(`${u.login}@demo.tiendo.vn`);
        for (const g of u.grants) expect(ids.has(g.unitId), `${u.login} → ${g.unitId}`).to.equal(true);
      }
      const unitOf = (login: string) => DEMO_USERS.find((u) => u.login === login)!.grants[0]!;
      expect(unitOf('truong.thcs')).to.deep.equal({ role: 'staff', unitId: FLAGSHIP.lowerSecondary });
      expect(units.find((u) => u.id === unitOf('truong.th').unitId)?.kind).to.equal('primary');
      expect(units.find((u) => u.id === unitOf('truong.thpt').unitId)?.kind).to.equal('upper-secondary');
      expect(units.find((u) => u.id === unitOf('canbo.phong').unitId)?.parentId).to.equal(FLAGSHIP.department);
    });
  });

  describe('seeded on SQLite', function () {
    // Mid-May 2026: a fixed "now", so the story (holidays included) is the same on every run.
    const now = Date.parse('2026-05-20T10:00:00+07:00');
    let rt: Runtime;
    let clock: ManualClock;
    let close: () => Promise<void>;
    let summary: DemoSummary;

    before(async function () {
      this.timeout(60_000);
      ({ rt, clock, close } = await openTestRuntime(this, 'sqlite', now - 122 * 86_400_000));
      const dir = new URL('../../processes/', import.meta.url);
      for (const name of readdirSync(dir).filter((f) => f.endsWith('.yaml')))
        await rt.engine.catalog.publish(readFileSync(new URL(name, dir), 'utf8'), `processes/${name}`);
      summary = await seedDemo(rt, clock, now);
      // The figures of a seeding: how long it took and what it did (printed for the record).
      console.log(
        `      demo seeded in ${summary.elapsedMs} ms: ${summary.commands} commands, ${summary.timersFired} timers, ${summary.instances.total} instances`,
      );
    });
    after(() => close?.());

    it('stores the generated units and leaves the clock at now with no timer overdue', async () => {
      const units = generateProvince();
      expect((await rt.store.getUnits(units.map((u) => u.id))).length).to.equal(units.length);
      expect(summary.units.total).to.equal(units.length);
      expect(rt.clock.now()).to.equal(now);
      const next = await rt.queue.nextRunAt();
      if (next !== undefined) expect(next).to.be.greaterThan(now);
      expect(summary.refusals).to.deep.equal([]);
    });

    it('has work overdue by a few working days and by more, and work due soon', async () => {
      const board = await overdueBoard(rt.engine, FLAGSHIP.department);
      expect(board.totals.overdue).to.equal(summary.overdue).and.be.greaterThan(10);
      expect(board.totals.ages['1-5']).to.be.greaterThan(0);
      expect(board.totals.ages['6-10'] + board.totals.ages['11-20'] + board.totals.ages['>20']).to.be.greaterThan(0);
      expect(board.totals.dueSoon).to.be.greaterThan(0);
    });

    it('recorded overdue and escalation rungs that reached a Phòng and the Sở inbox', async () => {
      expect(summary.escalations.overdue).to.be.greaterThan(0);
      expect(summary.escalations.escalation).to.be.greaterThan(0);
      const kinds = async (unitId: string) => new Set((await rt.queries.inbox([unitId], { unreadOnly: false, limit: 1000 })).map((i) => i.kind));
      expect([...(await kinds(FLAGSHIP.department))]).to.include.members(['overdue', 'escalation']);
      expect([...(await kinds(FLAGSHIP.district))]).to.include.members(['overdue', 'escalation']);
    });

    it('has finished and cancelled instances beside the running ones', async () => {
      expect(await rt.queries.countInstances({ statuses: ['done'] }))
        .to.equal(summary.instances.byStatus.done)
        .and.be.greaterThan(0);
      expect(summary.instances.byStatus.cancelled).to.be.greaterThan(0);
      expect(summary.instances.byStatus.running).to.be.greaterThan(500);
    });

    it('gives the school logins open tasks, some overdue and some not yet due', async () => {
      for (const unitId of [FLAGSHIP.lowerSecondary, FLAGSHIP.primary]) {
        const tasks = await openTasks(rt.engine, [unitId]);
        expect(tasks.filter((t) => t.dueAt !== undefined && t.dueAt < now).length, unitId).to.be.greaterThan(0);
        // Not yet due, or without a due moment of their own (the posting tracks of a publication).
        expect(tasks.filter((t) => t.dueAt === undefined || t.dueAt > now).length, unitId).to.be.greaterThan(0);
      }
      expect(summary.openTasks['truong.thpt']!.open).to.be.greaterThan(0);
      expect(summary.openTasks['canbo.phong']!.open).to.be.greaterThan(0);
    });

    it("shows the Sở's review waiting on its Phòng: two late and listed, the others' figures added up", async () => {
      const app = new Application({ engine: rt.engine });
      const [so] = await rt.queries.listInstances({ definitionId: 'ben-tre-review-2022', orgUnitId: FLAGSHIP.department }, { limit: 1 });
      expect(so, 'the Sở instance').to.not.equal(undefined);
      const loaded = (await rt.store.loadInstance(so!.id))!.instance;
      expect(loaded.stages).to.deep.equal(['late_units']);
      const view = (await app.childrenOf(systemPrincipal(), so!.id)).stages[0]!;
      const units = generateProvince();
      const kindOf = new Map(units.map((u) => [u.id, u.kind]));
      expect(view.children.map((c) => c.unitId)).to.include.members(Object.values(SPECIAL_SCHOOLS));
      const late = view.children.filter((c) => c.late);
      expect(late.map((c) => kindOf.get(c.unitId))).to.deep.equal(['district-office', 'district-office']);
      expect([view.pending, view.late]).to.deep.equal([2, 2]);
      const phong = units.filter((u) => u.kind === 'district-office').length;
      expect(view.rollup.schools!.count, 'the Phòng that reported').to.be.within(phong - 2, phong - 1);
      expect(view.rollup.uncollected_diplomas!.count).to.be.greaterThan(0);
    });

    it('shows a PISA sample at work: the sampled schools only, some behind', async () => {
      const app = new Application({ engine: rt.engine });
      const [pisa] = await rt.queries.listInstances({ definitionId: 'national-assessment', orgUnitId: FLAGSHIP.department }, { limit: 1 });
      const view = (await app.childrenOf(systemPrincipal(), pisa!.id)).stages[0]!;
      expect(view.total).to.equal(12);
      expect(view.children.map((c) => c.unitId)).to.include(FLAGSHIP.upperSecondary);
      expect(view.open).to.equal(true);
      expect(new Set(view.children.map((c) => c.stages[0])).size, 'schools at different stages').to.be.greaterThan(1);
      expect(view.rollup.pupils_sampled!.count).to.be.greaterThan(0);
    });

    it("runs periodic reporting as the Sở's chain: round 1 filed with the Ministry, round 2 waiting on the Phòng", async () => {
      const app = new Application({ engine: rt.engine });
      const rounds = await rt.queries.listInstances({ definitionId: 'periodic-reporting', orgUnitId: FLAGSHIP.department }, { limit: 10 });
      const stages = (await Promise.all(rounds.map(async (r) => (await rt.store.loadInstance(r.id))!.instance.stages[0]))).sort();
      expect(stages).to.deep.equal(['district_reports', 'sent_to_ministry']);
      const first = rounds.find((r) => r.status === 'done')!;
      const view = (await app.childrenOf(systemPrincipal(), first.id)).stages[0]!;
      expect(view.done).to.equal(view.total);
      // The late Phòng filed its figures in its late report, not in the report form the roll-up reads.
      expect(view.rollup.students!.count).to.be.within(view.total - 1, view.total);
    });
  });
});
