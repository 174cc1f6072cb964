// The rules of engine/application/policy.ts through the API, in the scenarios issue 13 found let
// through: the owner of one parallel track acting on the other track (events, anchors), cohort
// operations reaching work held above the caller, administrators publishing processes that are not
// their unit's, and refusals that tell "outside your units" from "does not exist".
import { expect } from 'chai';
import { hashPassword } from '../../adapters/http/auth.ts';
import { at8 } from '../support/runtime.ts';
import { errorOf, PASSWORD, startTestServer, type TestServer } from './support.ts';

async function snapshot(s: TestServer): Promise<string> {
  const db = s.app.runtime.db;
  const out: Record<string, unknown[]> = {};
  for (const t of ['instances', 'tasks', 'history', 'timers', 'escalations', 'inbox', 'campaigns', 'definitions', 'idempotency_keys', 'jobs'])
    out[t] = await db(t).select().orderByRaw('1');
  return JSON.stringify(out);
}

/** A school's draft (its own stage), then the Sở's review (a stage and a task held above the Phòng). */
const TWO_LEVELS = `
id: rules-two-levels
version: 1
title: { vi: Hai cấp, en: Two levels }
legalBasis: [Test]
appliesTo: [primary]
calendar: vn-government
initial: draft
stages:
  draft:
    title: { vi: Dự thảo, en: Draft }
    owner: school
    due: { workingDays: 10 }
    tasks:
      - { id: write, title: { vi: Viết, en: Write } }
    on:
      SEND: review
  review:
    title: { vi: Sở thẩm định, en: The Sở reviews }
    owner: department
    due: { workingDays: 5 }
    tasks:
      - { id: assess, title: { vi: Thẩm định, en: Assess } }
    on:
      APPROVE: done
  done: { title: { vi: Xong, en: Done }, type: final }
`;

const owned = (id: string, version = 1) => TWO_LEVELS.replace('id: rules-two-levels', `id: ${id}`).replace('version: 1', `version: ${version}`);

describe('HTTP: the rules — parallel tracks, others’ work, others’ processes, one answer for outside and missing', function () {
  this.timeout(60_000);
  let s: TestServer;

  before(async () => {
    s = await startTestServer({ start: at8('2026-05-04') });
    const hash = await hashPassword(PASSWORD, 4);
    await s.app.accounts.putUser({ id: 'u-admin-b', login: 'admin_b', name: 'Quản trị Phòng Ba Tri', passwordHash: hash, createdAt: s.clock.now() }, [
      { role: 'admin', unitId: 'pgd_b' },
    ]);
  });
  after(() => s?.close());

  describe('a parallel stage: each track is its owner’s', () => {
    let id: string;
    before(async () => {
      const engine = s.app.runtime.engine;
      id = (await engine.start({ definitionId: 'diploma-management', orgUnitId: 'thcs_a1' }, { actor: 'fixture' })).id;
    });

    it('the school does its own task; the graduation date, which sets the Phòng’s 75-day deadline, is the Phòng’s to set', async () => {
      const school = await s.client('staff_thcs_a1');
      const phong = await s.client('staff_a');
      const proposal = (await school.get('/api/v1/tasks/mine')).body.items.find(
        (t: { instanceId: string; task: string }) => t.instanceId === id && t.task === 'graduation_proposal',
      );
      expect((await school.post(`/api/v1/tasks/${proposal.id}/complete`, { data: {} })).status).to.equal(200);
      const before = await snapshot(s);
      const refused = await school.post(`/api/v1/instances/${id}/anchors`, { name: 'graduation_decision_date', date: '2026-05-04' });
      expect(refused.status).to.equal(403);
      expect(errorOf(refused).code).to.equal('FORBIDDEN');
      expect(errorOf(refused).details.stages).to.deep.equal([{ stage: 'issuance', role: 'issuer' }]);
      expect(await snapshot(s)).to.equal(before);
      expect((await phong.post(`/api/v1/instances/${id}/anchors`, { name: 'graduation_decision_date', date: '2026-05-04' })).status).to.equal(200);
      const signed = (await phong.get('/api/v1/tasks/mine')).body.items.find(
        (t: { instanceId: string; task: string }) => t.instanceId === id && t.task === 'graduation_decision_signed',
      );
      expect((await phong.post(`/api/v1/tasks/${signed.id}/complete`, { data: { decisionNo: '15/QĐ', graduates: 212 } })).status).to.equal(200);
      const recognised = await phong.post(`/api/v1/instances/${id}/events`, { type: 'RECOGNISED' });
      expect(recognised.body.stages).to.have.members(['master_register', 'temporary_certificates']);
    });

    it('in the issuance, the school cannot advance the diplomas track or move its deadline; it acts in its own track', async () => {
      const school = await s.client('staff_thcs_a1');
      const phong = await s.client('staff_a');
      const timeline = (await school.get(`/api/v1/instances/${id}`)).body;
      expect(Object.fromEntries(timeline.stages.map((x: { id: string; canAct: boolean }) => [x.id, x.canAct]))).to.deep.equal({
        master_register: false,
        temporary_certificates: true,
      });
      const before = await snapshot(s);
      const event = await school.post(`/api/v1/instances/${id}/events`, { type: 'REGISTER_READY' });
      expect(event.status).to.equal(403);
      expect(errorOf(event).details.stages).to.deep.equal([{ stage: 'master_register', role: 'issuer' }]);
      expect((await school.post(`/api/v1/instances/${id}/anchors`, { name: 'graduation_decision_date', date: '2026-06-01' })).status).to.equal(403);
      expect(await snapshot(s)).to.equal(before);
      // the Phòng may: its event reaches the engine, which wants the register filled first
      expect(errorOf(await phong.post(`/api/v1/instances/${id}/events`, { type: 'REGISTER_READY' })).code).to.equal('CONDITION_NOT_MET');
      const temporary = (await school.get('/api/v1/tasks/mine')).body.items.find(
        (t: { instanceId: string; task: string }) => t.instanceId === id && t.task === 'issue_temporary',
      );
      const done = await school.post(`/api/v1/tasks/${temporary.id}/complete`, { data: {} });
      expect(done.status).to.equal(200);
      expect(done.body.stages).to.have.members(['master_register', 'temporaries_issued']);
    });
  });

  describe('cohort operations touch only the work the caller administers', () => {
    let drafting: string;
    let reviewing: string;
    before(async () => {
      const engine = s.app.runtime.engine;
      await engine.catalog.publish(TWO_LEVELS, 'rules-two-levels.yaml', 'fixture');
      drafting = (await engine.start({ definitionId: 'rules-two-levels', orgUnitId: 'th_a1' }, { actor: 'fixture' })).id;
      reviewing = (await engine.start({ definitionId: 'rules-two-levels', orgUnitId: 'th_a2' }, { actor: 'fixture' })).id;
      await engine.send(reviewing, { type: 'SEND' }, { actor: 'fixture' });
    });

    it('a Phòng’s extension of the Sở’s review is excluded, and the dry run says why', async () => {
      const admin = await s.client('admin_a');
      const before = await snapshot(s);
      const dry = await admin.post('/api/v1/cohort/extend', {
        filter: { definitionId: 'rules-two-levels' },
        stage: 'review',
        workingDays: 5,
        reason: 'gia hạn',
        dryRun: true,
      });
      expect(dry.body).to.include({ matched: 1, changed: 0, excluded: 1 });
      expect(dry.body.instances[0]).to.deep.include({ instanceId: reviewing });
      expect(dry.body.instances[0].excluded).to.deep.include({ code: 'OUTSIDE_SCOPE', stages: [{ stage: 'review', role: 'department' }] });
      const real = await admin.post('/api/v1/cohort/extend', {
        filter: { definitionId: 'rules-two-levels' },
        stage: 'review',
        workingDays: 5,
        reason: 'gia hạn',
      });
      expect(real.body).to.include({ matched: 1, changed: 0, excluded: 1 });
      expect(await snapshot(s)).to.equal(before);
      const own = await admin.post('/api/v1/cohort/extend', {
        filter: { definitionId: 'rules-two-levels' },
        stage: 'draft',
        workingDays: 5,
        reason: 'gia hạn',
      });
      expect(own.body).to.include({ matched: 1, changed: 1, excluded: 0 });
      const so = await (
        await s.client('admin_so')
      ).post('/api/v1/cohort/extend', { filter: { definitionId: 'rules-two-levels' }, stage: 'review', workingDays: 5, reason: 'gia hạn' });
      expect(so.body).to.include({ matched: 1, changed: 1, excluded: 0 });
    });

    it('a Phòng cannot take the Sở’s task for itself, nor cancel or migrate an instance in the Sở’s stage', async () => {
      const admin = await s.client('admin_a');
      const before = await snapshot(s);
      const take = await admin.post('/api/v1/cohort/reassign', {
        filter: { definitionId: 'rules-two-levels', unitId: 'th_a2' },
        toUnitId: 'pgd_a',
        reason: 'bàn giao',
      });
      expect(take.body).to.include({ matched: 1, changed: 0, excluded: 1 });
      const cancel = await admin.post('/api/v1/cohort/cancel', { filter: { definitionId: 'rules-two-levels', unitId: 'th_a2' }, reason: 'huỷ' });
      expect(cancel.body).to.include({ matched: 1, changed: 0, excluded: 1 });
      expect(await snapshot(s)).to.equal(before);
      // the school's own draft it may hand over and cancel
      const dry = await admin.post('/api/v1/cohort/cancel', { filter: { definitionId: 'rules-two-levels' }, reason: 'huỷ', dryRun: true });
      expect(dry.body.instances.map((i: { instanceId: string; excluded?: unknown }) => [i.instanceId, !!i.excluded]).sort()).to.deep.equal(
        [
          [drafting, false],
          [reviewing, true],
        ].sort(),
      );
      const moved = await admin.post('/api/v1/cohort/reassign', {
        filter: { definitionId: 'rules-two-levels', unitId: 'th_a1' },
        toUnitId: 'pgd_a',
        reason: 'bàn giao',
      });
      expect(moved.body).to.include({ matched: 1, changed: 1, excluded: 0 });
      expect((await s.app.runtime.engine.queries.tasksOf(drafting)).find((t) => t.status === 'open')!.ownerUnitId).to.equal('pgd_a');
    });

    it('a reason made only of invisible characters is no reason', async () => {
      const admin = await s.client('admin_so');
      const before = await snapshot(s);
      for (const reason of ['\u200B\u200C\u200D', '\u2060\uFEFF', ' \u3000 ']) {
        const r = await admin.post(`/api/v1/instances/${drafting}/cancel`, { reason });
        expect(r.status, JSON.stringify(reason)).to.equal(400);
        expect(errorOf(r)).to.deep.include({ code: 'INVALID_ARGUMENT' });
        expect((await admin.post('/api/v1/cohort/cancel', { filter: { definitionId: 'rules-two-levels' }, reason })).status).to.equal(400);
      }
      expect(await snapshot(s)).to.equal(before);
    });
  });

  describe('a process belongs to the unit that first published it', () => {
    it('only administrators of that unit or above publish its next versions', async () => {
      const a = await s.client('admin_a');
      const b = await s.client('admin_b');
      const so = await s.client('admin_so');
      expect((await a.post('/api/v1/definitions', { source: owned('rules-phong-a') })).status).to.equal(201);
      const before = await snapshot(s);
      const refused = await b.post('/api/v1/definitions', { source: owned('rules-phong-a', 2) });
      expect(refused.status).to.equal(403);
      expect(errorOf(refused).message).to.not.include('Châu Thành');
      expect(await snapshot(s)).to.equal(before);
      expect((await so.post('/api/v1/definitions', { source: owned('rules-phong-a', 2) })).status).to.equal(201);
      expect((await a.post('/api/v1/definitions', { source: owned('rules-phong-a', 3) })).status).to.equal(201);
      const list = (await b.get('/api/v1/definitions')).body.items;
      expect(list.find((d: { id: string }) => d.id === 'rules-phong-a')).to.include({ latest: 3, mayPublish: false });
      expect((await a.get('/api/v1/definitions')).body.items.find((d: { id: string }) => d.id === 'rules-phong-a')).to.include({ mayPublish: true });
    });

    it('a Phòng cannot publish a version of the Sở’s process; the Sở’s campaign runs the Sở’s version and names it', async () => {
      const a = await s.client('admin_a');
      const so = await s.client('admin_so');
      expect((await so.post('/api/v1/definitions', { source: owned('rules-so') })).status).to.equal(201);
      expect((await a.post('/api/v1/definitions', { source: owned('rules-so', 2) })).status).to.equal(403);
      const launched = await so.post('/api/v1/campaigns', { definitionId: 'rules-so', rootUnitId: 'pgd_b', reason: 'đợt 1' });
      expect(launched.status).to.equal(202);
      expect(launched.body.campaign).to.include({ definitionId: 'rules-so', definitionVersion: 1 });
      await s.app.settled();
      const [instance] = await s.app.runtime.engine.queries.listInstances({ campaignId: launched.body.campaign.id }, { limit: 10 });
      expect(instance!.definitionVersion).to.equal(1);
    });
  });

  describe('outside one’s units and not existing are one answer', () => {
    it('for units, instances, tasks, campaigns and escalations: the same status, code and message but for the id asked', async () => {
      const engine = s.app.runtime.engine;
      const b1 = (await engine.start({ definitionId: 'rules-two-levels', orgUnitId: 'th_b1' }, { actor: 'fixture' })).id;
      const [b1Task] = (await engine.queries.tasksOf(b1)).filter((t) => t.status === 'open');
      const c = await s.client('staff_th_a1');
      const sup = await s.client('sup_a');
      const pairs: [string, (id: string) => Promise<import('./support.ts').Answer>, string, string][] = [
        ['unit', (id) => c.get(`/api/v1/org-units/${id}`), 'pgd_b', 'pgd_zz'],
        ['instance', (id) => c.get(`/api/v1/instances/${id}`), b1, 'no-such-instance'],
        ['event', (id) => c.post(`/api/v1/instances/${id}/events`, { type: 'SEND' }), b1, 'no-such-instance'],
        ['anchor', (id) => c.post(`/api/v1/instances/${id}/anchors`, { name: 'x', date: null }), b1, 'no-such-instance'],
        ['task', (id) => c.get(`/api/v1/tasks/${id}`), b1Task!.id, 'no-such-task'],
        ['complete', (id) => c.post(`/api/v1/tasks/${id}/complete`, { data: {} }), b1Task!.id, 'no-such-task'],
        ['board', (id) => sup.get(`/api/v1/board?unitId=${id}`), 'so', 'so_zz'],
        ['instances of a unit', (id) => sup.get(`/api/v1/instances?unitId=${id}`), 'pgd_b', 'pgd_zz'],
      ];
      for (const [what, call, outside, missing] of pairs) {
        const o = await call(outside);
        const m = await call(missing);
        expect([o.status, m.status], what).to.deep.equal([404, 404]);
        expect(errorOf(o).message.replace(outside, '?'), what).to.equal(errorOf(m).message.replace(missing, '?'));
        expect(errorOf(o).code, what).to.equal(errorOf(m).code);
        expect(errorOf(o).message, what).to.not.match(/Ba Tri|Sở GDĐT|rules-two-levels/);
      }
    });
  });
});
