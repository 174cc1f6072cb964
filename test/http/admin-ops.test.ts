// The administrators' operations over HTTP (issue 16): a launch's preview and the skipping of units
// already running the process, the campaign page's counts and export in words, the cohort filter
// "overdue" with the extension's still-overdue verdicts, and anchor dates set or refused.
import { expect } from 'chai';
import { at8 } from '../support/runtime.ts';
import { errorOf, startTestServer, type Client, type TestServer } from './support.ts';

const PROCESS = 'accreditation-general-school';

describe('HTTP: administrators’ bulk work, campaigns over running units, anchor dates', function () {
  this.timeout(60_000);
  let s: TestServer;
  let admin: Client;
  let byHand: string;
  before(async () => {
    s = await startTestServer({ start: at8('2026-03-02') });
    admin = await s.client('admin_so');
    // THCS An Hóa already runs the process, started by hand mid-year.
    byHand = (await s.app.runtime.engine.start({ definitionId: PROCESS, orgUnitId: 'thcs_a1' }, { actor: 'test' })).id;
  });
  after(() => s?.close());

  const running = async (unitId: string) =>
    Number(
      (
        (await s.app.runtime.db('instances').where({ org_unit_id: unitId, definition_id: PROCESS, status: 'running' }).count({ n: '*' }).first()) as {
          n: unknown;
        }
      ).n,
    );

  async function finished(id: string) {
    for (let i = 0; i < 200; i++) {
      const r = await admin.get(`/api/v1/campaigns/${id}`);
      if (r.body.campaign.status !== 'running') return r.body;
      await new Promise((done) => setTimeout(done, 50));
    }
    throw new Error(`campaign ${id} did not finish`);
  }

  it('previews a launch: the units it reaches and, named, those already running the process', async () => {
    const body = { definitionId: PROCESS, rootUnitId: 'so', kinds: ['lower-secondary', 'upper-secondary'] };
    const r = await admin.post('/api/v1/campaigns/preview', body);
    expect(r.status).to.equal(200);
    expect(r.body).to.deep.equal({ total: 2, toStart: 1, skippedRunning: 1, skipped: [{ id: 'thcs_a1', name: 'THCS An Hóa' }] });
    expect((await admin.post('/api/v1/campaigns/preview', { ...body, includeRunning: true })).body.toStart).to.equal(2);
    // A preview changes nothing, and is refused like a launch: outside one's units it does not exist.
    expect(await s.app.runtime.db('campaigns').count({ n: '*' }).first()).to.deep.equal({ n: 0 });
    const phong = await s.client('admin_a');
    const outside = await phong.post('/api/v1/campaigns/preview', { definitionId: PROCESS, rootUnitId: 'pgd_b' });
    expect(outside.status).to.equal(404);
    const staff = await s.client('staff_a');
    expect((await staff.post('/api/v1/campaigns/preview', { definitionId: PROCESS, rootUnitId: 'pgd_a' })).status).to.equal(403);
  });

  it('launches over them: skipped by default and counted; started only with includeRunning', async () => {
    const launch = await admin.post('/api/v1/campaigns', {
      id: 'kd-bo-sung',
      definitionId: PROCESS,
      rootUnitId: 'so',
      kinds: ['lower-secondary', 'upper-secondary'],
      reason: 'Đợt bổ sung',
    });
    expect(launch.status).to.equal(202);
    expect(launch.body.skippedRunning).to.equal(1);
    const page = await finished('kd-bo-sung');
    expect(page.campaign).to.include({ status: 'done', started: 1, total: 2 });
    expect(page).to.include({ notStarted: 1, skippedRunning: 1, running: 1, done: 0 });
    expect(await running('thcs_a1'), 'no second running instance').to.equal(1);
    expect(await running('thpt_1')).to.equal(1);

    const again = await admin.post('/api/v1/campaigns', {
      id: 'kd-ca-hai',
      definitionId: PROCESS,
      rootUnitId: 'so',
      kinds: ['lower-secondary'],
      reason: 'Chạy lại cho cả đơn vị đang chạy',
      includeRunning: true,
    });
    expect(again.body.skippedRunning).to.equal(0);
    expect(again.body.campaign.includeRunning).to.equal(true);
    expect(await finished('kd-ca-hai')).to.include({ skippedRunning: 0, notStarted: 0 });
    expect(await running('thcs_a1')).to.equal(2);
  });

  it('exports a campaign with stage titles and statuses in Vietnamese words', async () => {
    const csv = (await admin.get('/api/v1/campaigns/kd-bo-sung/export?format=csv')).text;
    expect(csv).to.include('Đang thực hiện');
    expect(csv).to.not.match(/[,;]running[,;\r\n]/);
    expect(csv).to.include('THPT Chuyên Bến Tre');
    const { byStage } = (await admin.get('/api/v1/campaigns/kd-bo-sung')).body as { byStage: { stage: string; title: { vi: string } }[] };
    expect(byStage.length).to.be.greaterThan(0);
    for (const st of byStage) {
      expect(csv).to.include(st.title.vi);
      expect(csv).to.not.include(`,${st.stage},`);
    }
  });

  it('extends the overdue instances only, saying which are still overdue after it', async () => {
    // Past the deadline of a stage both running instances are in.
    const timeline = (await admin.get(`/api/v1/instances/${byHand}`)).body as { stages: { id: string; dueAt: number | null }[] };
    const { id: stage, dueAt } = timeline.stages.find((x) => x.dueAt !== null)!;
    s.clock.set(dueAt! + 20 * 86_400_000);
    // Sessions last hours: sign in again on the new day.
    admin = await s.client('admin_so');
    const ask = (workingDays: number, overdue: boolean) =>
      admin.post('/api/v1/cohort/extend', {
        filter: { definitionId: PROCESS, stages: [stage], ...(overdue ? { overdue: true } : {}) },
        stage,
        workingDays,
        reason: 'Gia hạn do bão',
        dryRun: true,
      });
    const few = await ask(1, true);
    expect(few.status).to.equal(200);
    const now = s.clock.now();
    expect(few.body.matched).to.be.greaterThan(0);
    for (const i of few.body.instances) {
      expect(i.dueBefore).to.be.below(now);
      expect(i.stillOverdue).to.equal(i.dueAfter < now);
      expect(i.unitName).to.match(/^(THCS|THPT)/);
      expect(i.stageTitles[stage].vi).to.be.a('string').and.not.equal(stage);
    }
    expect(few.body.stillOverdue).to.equal(few.body.instances.filter((i: { stillOverdue: boolean }) => i.stillOverdue).length);
    const many = await ask(200, true);
    expect(many.body.stillOverdue).to.equal(0);
    // "overdue" must be a yes or no.
    const bad = await admin.post('/api/v1/cohort/extend', { filter: { overdue: 'có' }, stage, workingDays: 1, reason: 'x x x', dryRun: true });
    expect(bad.status).to.equal(400);
  });

  it('sets an anchor date for those who work over the stages it moves; refuses the others as the policy says', async () => {
    const path = `/api/v1/instances/${byHand}/anchors`;
    const school = await s.client('staff_thcs_a1');
    const seen = (await school.get(`/api/v1/instances/${byHand}`)).body.anchors as { name: string; canSet: boolean; value: string | null; stages: unknown[] }[];
    const visit = seen.find((a) => a.name === 'visit_date')!;
    expect(visit).to.include({ canSet: false, value: null });
    expect(visit.stages.length).to.be.greaterThan(0);
    // The visit's stages are partly the Sở's (its evaluation team): the school may not set it.
    const refused = await school.post(path, { name: 'visit_date', date: '2026-05-12' });
    expect(refused.status).to.equal(403);
    expect(errorOf(refused).code).to.equal('FORBIDDEN');
    const other = await s.client('staff_th_b1');
    expect((await other.post(path, { name: 'visit_date', date: '2026-05-12' })).status).to.equal(404);
    const so = await s.client('staff_so');
    expect((await so.get(`/api/v1/instances/${byHand}`)).body.anchors.find((a: { name: string }) => a.name === 'visit_date').canSet).to.equal(true);
    expect((await so.post(path, { name: 'visit_date', date: '2026-05-12' })).status).to.equal(200);
    const after = (await school.get(`/api/v1/instances/${byHand}`)).body.anchors.find((a: { name: string }) => a.name === 'visit_date');
    expect(after.value).to.equal('2026-05-12');
  });
});
