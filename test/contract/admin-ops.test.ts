// Administrators' work that had no screen (issue 16), on the real stores (SQLite and PostgreSQL):
// a campaign launched over units that already run the process skips them unless asked (a Sở
// campaign had started a second running instance for 12 preschools mid-process); a cohort
// extension picks the overdue instances and says which stay overdue after it; anchor dates are set
// by those who work over the stages they move, and refused to others.
import { expect } from 'chai';
import { Application } from '../../engine/application/application.ts';
import type { Principal } from '../../engine/application/policy.ts';
import { EngineError } from '../../engine/errors.ts';
import { runCampaign } from '../../engine/service/campaigns.ts';
import type { Runtime } from '../../adapters/runtime.ts';
import type { ManualClock } from '../../engine/ports.ts';
import type { AccessRole } from '../../engine/access.ts';
import { at8, fixture, openTestRuntime, PROVINCE, STORES } from '../support/runtime.ts';

const START = at8('2022-03-01');
const DEF = 'test-report';

async function principal(rt: Runtime, role: AccessRole, unitId: string): Promise<Principal> {
  const unit = (await rt.store.getUnit(unitId))!;
  return { user: { id: `${role}@${unitId}`, login: `${role}@${unitId}`, name: `${role} ${unitId}` }, grants: [{ role, unitId, unitPath: unit.path }] };
}

async function runningOf(rt: Runtime, unitId: string): Promise<number> {
  const row = (await rt.db('instances').where({ org_unit_id: unitId, definition_id: DEF, status: 'running' }).count({ n: '*' }).first()) as { n: unknown };
  return Number(row.n);
}

for (const kind of STORES) {
  describe(`administrators' operations on ${kind}`, function () {
    let rt: Runtime;
    let clock: ManualClock;
    let close: () => Promise<void>;
    let app: Application;
    let admin: Principal;

    beforeEach(async function () {
      ({ rt, clock, close } = await openTestRuntime(this, kind, START));
      await rt.engine.addUnits(PROVINCE);
      await rt.engine.catalog.publish(fixture('engine/report.yaml'), 'report.yaml', 'admin');
      app = new Application({ engine: rt.engine });
      admin = await principal(rt, 'admin', 'so');
    });
    afterEach(async () => close?.());

    it('a campaign skips units already running the process, says which, and starts them only when asked', async () => {
      // TH An Hóa runs the process already (started by hand); TH An Khánh ran one that was cancelled.
      await rt.engine.start({ definitionId: DEF, orgUnitId: 'th_a1' }, { actor: 'admin' });
      const cancelled = await rt.engine.start({ definitionId: DEF, orgUnitId: 'th_a2' }, { actor: 'admin' });
      await rt.engine.cancel(cancelled.id, 'nhập nhầm', { actor: 'admin' });
      // The process is for primary and lower-secondary schools: th_a1, th_a2, thcs_a1, th_b1.
      const preview = await app.previewCampaign(admin, { definitionId: DEF, rootUnitId: 'so' });
      expect(preview).to.deep.equal({ total: 4, toStart: 3, skippedRunning: 1, skipped: [{ id: 'th_a1', name: 'TH An Hóa' }] });
      expect((await app.previewCampaign(admin, { definitionId: DEF, rootUnitId: 'so', includeRunning: true })).toStart).to.equal(4);

      const launched = await app.launchCampaign(admin, { id: 'dot-1', definitionId: DEF, rootUnitId: 'so' });
      expect(launched.skippedRunning).to.equal(1);
      const run = await runCampaign(rt.engine, 'dot-1', { actor: 'admin' });
      expect(run.created).to.equal(3);
      expect(run.skippedRunning).to.equal(1);
      // Skipped units are not waited for: the run is over.
      expect(run.campaign).to.include({ status: 'done', started: 3, total: 4 });
      expect(await runningOf(rt, 'th_a1'), 'no second running instance').to.equal(1);
      expect(await runningOf(rt, 'th_a2'), 'a cancelled one does not count').to.equal(1);
      const page = await app.campaign(admin, 'dot-1');
      expect(page).to.include({ notStarted: 1, skippedRunning: 1, running: 3, done: 0 });

      // Asked for: every unit gets one, alongside the one it runs. The choice is kept on the campaign,
      // so the run the workers resume (no option given) starts them too.
      await app.launchCampaign(admin, { id: 'dot-2', definitionId: DEF, rootUnitId: 'pgd_a', includeRunning: true });
      expect(await rt.engine.store.getCampaign('dot-2')).to.include({ includeRunning: true });
      const all = await runCampaign(rt.engine, 'dot-2', { actor: 'admin' });
      expect(all).to.include({ created: 3, skippedRunning: 0 });
      expect(await runningOf(rt, 'th_a1')).to.equal(2);
      expect((await app.campaign(admin, 'dot-2')).skippedRunning).to.equal(0);

      // Now everyone under the Sở runs it: a third launch starts nobody, and is done.
      const third = await app.previewCampaign(admin, { definitionId: DEF, rootUnitId: 'so' });
      expect(third).to.include({ total: 4, toStart: 0, skippedRunning: 4 });
      expect(third.skipped.map((u) => u.id)).to.deep.equal(['th_a1', 'th_a2', 'th_b1', 'thcs_a1']);
      await app.launchCampaign(admin, { id: 'dot-3', definitionId: DEF, rootUnitId: 'so' });
      expect(await runCampaign(rt.engine, 'dot-3', { actor: 'admin' })).to.deep.include({ created: 0, skippedRunning: 4 });
      expect((await rt.store.getCampaign('dot-3'))!.status).to.equal('done');
    });

    it('a preview of units outside the caller’s units answers as if they did not exist', async () => {
      const phong = await principal(rt, 'admin', 'pgd_a');
      const refused = await app.previewCampaign(phong, { definitionId: DEF, rootUnitId: 'pgd_b' }).catch((e: EngineError) => e);
      expect((refused as EngineError).code).to.equal('NOT_FOUND');
    });

    it('an extension over the overdue instances says which stay overdue after it', async () => {
      const early = await rt.engine.start({ definitionId: DEF, orgUnitId: 'th_b1' }, { actor: 'admin' });
      clock.set(at8('2022-03-07'));
      const middle = await rt.engine.start({ definitionId: DEF, orgUnitId: 'th_a2' }, { actor: 'admin' });
      clock.set(at8('2022-03-14'));
      const recent = await rt.engine.start({ definitionId: DEF, orgUnitId: 'th_a1' }, { actor: 'admin' });
      clock.set(at8('2022-03-18'));
      const now = clock.now();
      const filter = { definitionId: DEF, stages: ['draft'], overdue: true };
      const op = { op: 'extend' as const, stage: 'draft', workingDays: 5, reason: 'Gia hạn do lũ', dryRun: true };
      const dry = await app.cohort(admin, filter, op);
      // The one started on the 14th is not overdue yet: not picked.
      expect(dry.instances.map((i) => i.instanceId).sort()).to.deep.equal([early.id, middle.id].sort());
      for (const item of dry.instances) {
        expect(item.stillOverdue, item.instanceId).to.equal((item.dueAfter as number) < now);
        expect(item.dueBefore as number).to.be.below(now);
        expect(item.unitName).to.equal(item.orgUnitId === 'th_b1' ? 'TH Ba Tri' : 'TH An Khánh');
        expect(item.stageTitles).to.deep.equal({ draft: { vi: 'Soạn báo cáo', en: 'Draft' } });
      }
      const byId = new Map(dry.instances.map((i) => [i.instanceId, i]));
      expect(byId.get(early.id)!.stillOverdue, 'due about the 8th, five working days on is still before the 18th').to.equal(true);
      expect(byId.get(middle.id)!.stillOverdue, 'due about the 14th, five working days on is after the 18th').to.equal(false);
      expect(dry.stillOverdue).to.equal(1);
      // A dry run changed nothing.
      expect((await rt.store.loadInstance(early.id))!.instance.state.entries.draft!.dueAt).to.equal(byId.get(early.id)!.dueBefore);

      // Without "overdue" the recent one is picked too, and is not overdue after.
      const everyone = await app.cohort(admin, { definitionId: DEF, stages: ['draft'] }, op);
      expect(everyone.matched).to.equal(3);
      expect(everyone.instances.find((i) => i.instanceId === recent.id)!.stillOverdue).to.equal(false);

      const done = await app.cohort(admin, filter, { ...op, dryRun: false });
      expect(done).to.include({ changed: 2, stillOverdue: 1, dryRun: false });
      expect((await rt.store.loadInstance(early.id))!.instance.state.entries.draft!.dueAt).to.equal(byId.get(early.id)!.dueAfter);
      // After it, only the one still overdue is picked.
      const after = await app.cohort(admin, filter, op);
      expect(after.instances.map((i) => i.instanceId)).to.deep.equal([early.id]);
    });

    it('a migration’s preview titles the stages of the version it moves to', async () => {
      const v1 = fixture('engine/report.yaml');
      const v2 = v1
        .replace('version: 1', 'version: 2')
        .replace('initial: draft', 'initial: drafting')
        .replace('  draft:\n    title: { vi: Soạn báo cáo, en: Draft }', '  drafting:\n    title: { vi: Soạn thảo lại, en: Redraft }')
        .replace('target: draft,', 'target: drafting,');
      expect(v2).to.not.equal(v1);
      await rt.engine.catalog.publish(v2, 'report.yaml', 'admin');
      const instance = await rt.engine.start({ definitionId: DEF, version: 1, orgUnitId: 'th_a1' }, { actor: 'admin' });
      const dry = await app.cohort(
        admin,
        { definitionId: DEF, definitionVersion: 1 },
        { op: 'migrate', toVersion: 2, stateMap: { draft: 'drafting' }, reason: 'Lên phiên bản 2', dryRun: true },
      );
      const item = dry.instances.find((i) => i.instanceId === instance.id)!;
      expect(item.to).to.deep.equal(['drafting']);
      expect(item.stageTitles).to.deep.equal({ draft: { vi: 'Soạn báo cáo', en: 'Draft' }, drafting: { vi: 'Soạn thảo lại', en: 'Redraft' } });
    });

    it('an anchor date is set by whoever works over the stages it moves, and refused to the others', async () => {
      const instance = await rt.engine.start({ definitionId: DEF, orgUnitId: 'th_a1' }, { actor: 'admin' });
      const phong = await principal(rt, 'staff', 'pgd_a');
      const school = await principal(rt, 'staff', 'th_a1');
      const otherPhong = await principal(rt, 'staff', 'pgd_b');
      // The hearing's deadline counts from the meeting day; the hearing is the Phòng's stage.
      const seen = await app.instance(school, instance.id);
      expect(seen.anchors).to.deep.equal([
        {
          name: 'meeting',
          title: { vi: 'Ngày họp', en: 'Meeting day' },
          value: null,
          stages: [{ id: 'hearing', title: { vi: 'Họp', en: 'Hearing' } }],
          canSet: false,
        },
      ]);
      expect((await app.instance(phong, instance.id)).anchors[0]!.canSet).to.equal(true);

      const refused = await app.setAnchor(school, instance.id, 'meeting', '2022-04-05').catch((e: EngineError) => e);
      expect(refused).to.be.instanceOf(EngineError);
      expect((refused as EngineError).code).to.equal('FORBIDDEN');
      const outside = await app.setAnchor(otherPhong, instance.id, 'meeting', '2022-04-05').catch((e: EngineError) => e);
      expect((outside as EngineError).code).to.equal('NOT_FOUND');
      expect((await app.instance(phong, instance.id)).anchors[0]!.value, 'refusals changed nothing').to.equal(null);

      await app.setAnchor(phong, instance.id, 'meeting', '2022-04-05');
      expect((await app.instance(school, instance.id)).anchors[0]!.value).to.equal('2022-04-05');
      await app.setAnchor(phong, instance.id, 'meeting', '2022-04-12');
      expect((await app.instance(school, instance.id)).anchors[0]!.value).to.equal('2022-04-12');
    });
  });
}
