// Every route of API v1: the happy path, a validation error, and 404 outside one's units (403 inside them for a role that lacks the ability) with
// nothing changed. The 401 sweep walks the route table itself, so a new route cannot miss it.
import { expect } from 'chai';
import { ROUTES } from '../../adapters/http/routes/index.ts';
import { at8 } from '../support/runtime.ts';
import { Client, errorOf, startTestServer, type TestServer } from './support.ts';

const PROCESS = 'accreditation-general-school';
const COUNCIL = { decisionNo: '12/QĐ-THCS', members: 9 };

/** Every row of every table, to show a refused request changed nothing. */
async function snapshot(s: TestServer): Promise<string> {
  const db = s.app.runtime.db;
  const out: Record<string, unknown[]> = {};
  for (const t of ['instances', 'tasks', 'history', 'timers', 'escalations', 'inbox', 'campaigns', 'definitions', 'idempotency_keys'])
    out[t] = await db(t).select().orderByRaw('1');
  return JSON.stringify(out);
}

describe('HTTP: every route', function () {
  this.timeout(30_000);
  let s: TestServer;
  let thcs: string;
  let thpt: string;
  before(async () => {
    s = await startTestServer({ start: at8('2026-03-02') });
    const engine = s.app.runtime.engine;
    thcs = (await engine.start({ definitionId: PROCESS, orgUnitId: 'thcs_a1' }, { actor: 'test' })).id;
    thpt = (await engine.start({ definitionId: PROCESS, orgUnitId: 'thpt_1' }, { actor: 'test' })).id;
  });
  after(() => s?.close());

  it('answers 401 on every private route without credentials', async () => {
    const anon = new Client(s.url);
    const privateRoutes = ROUTES.filter((r) => !r.public);
    expect(privateRoutes.length).to.be.above(25);
    for (const r of privateRoutes) {
      const path = r.path.replace(/:([A-Za-z]+)/g, 'x');
      const res = await anon.call(r.method.toUpperCase(), path, r.method === 'post' ? {} : undefined);
      expect(res.status, `${r.method} ${r.path}`).to.equal(401);
      expect(errorOf(res).code).to.equal('UNAUTHENTICATED');
    }
  });

  describe('org units', () => {
    it('lists the grant roots, then children with counts; a sibling answers as an unknown unit (404); 400 on a bad id', async () => {
      const c = await s.client('sup_a');
      const roots = await c.get('/api/v1/org-units');
      expect(roots.body.items.map((u: { id: string; childCount: number }) => [u.id, u.childCount])).to.deep.equal([['pgd_a', 3]]);
      const kids = await c.get('/api/v1/org-units?parentId=pgd_a');
      expect(kids.body.items.map((u: { id: string }) => u.id).sort()).to.deep.equal(['th_a1', 'th_a2', 'thcs_a1']);
      const one = await c.get('/api/v1/org-units/th_a1');
      expect(one.body.ancestors.map((u: { id: string }) => u.id)).to.deep.equal(['so', 'pgd_a']);
      const sibling = errorOf(await c.get('/api/v1/org-units/pgd_b'));
      expect(sibling).to.deep.equal({ code: 'NOT_FOUND', message: 'no org unit "pgd_b"', details: { unitId: 'pgd_b' } });
      expect(errorOf(await c.get('/api/v1/org-units/nope')).message).to.equal('no org unit "nope"');
      expect((await c.get('/api/v1/org-units?parentId=so')).status).to.equal(404);
      expect((await c.get('/api/v1/org-units/nope')).status).to.equal(404);
      const bad = await c.get('/api/v1/org-units?parentId=a%20b');
      expect(bad.status).to.equal(400);
      expect(errorOf(bad).details.errors).to.have.nested.property('[0].field', 'query.parentId');
    });
  });

  describe('definitions', () => {
    it('lists every published process and reads a version with its diagram', async () => {
      const c = await s.client('staff_th_a1');
      const list = await c.get('/api/v1/definitions');
      expect(list.body.items.map((d: { id: string }) => d.id)).to.include.members([PROCESS, 'public-disclosure', 'periodic-reporting']);
      const latest = await c.get(`/api/v1/definitions/${PROCESS}/versions/latest`);
      expect(latest.body.source).to.include(`id: ${PROCESS}`);
      expect(latest.body.diagram.mermaid).to.match(/^stateDiagram-v2/);
      expect((await c.get(`/api/v1/definitions/${PROCESS}/versions/abc`)).status).to.equal(400);
      expect((await c.get(`/api/v1/definitions/${PROCESS}/versions/99`)).status).to.equal(404);
    });

    it('validates a draft: located diagnostics when invalid, a diagram when valid; changes nothing', async () => {
      const c = await s.client('admin_so');
      const source = (await c.get(`/api/v1/definitions/${PROCESS}/versions/latest`)).body.source as string;
      const before = await snapshot(s);
      const broken = source.replace('target: improvement_plan, when: { tasksDone: all }', 'target: improvment_plan, when: { tasksDone: all }');
      const bad = await c.post('/api/v1/definitions/validate', { source: broken });
      expect(bad.body.valid).to.equal(false);
      const d = bad.body.diagnostics.find((x: { code: string }) => x.code === 'UNKNOWN_TARGET');
      expect(d.line).to.equal(broken.split('\n').findIndex((l) => l.includes('improvment_plan')) + 1);
      expect(d.message).to.include('improvement_plan');
      const good = await c.post('/api/v1/definitions/validate', { source, lang: 'en' });
      expect(good.body).to.include({ valid: true, id: PROCESS, version: 2 });
      expect(good.body.diagram.mermaid).to.include('Self-assessment');
      expect((await c.post('/api/v1/definitions/validate', { src: source })).status).to.equal(400);
      expect(await snapshot(s)).to.equal(before);
    });

    it('previews the impact of a draft on running instances: stages it removed are flagged', async () => {
      const c = await s.client('admin_a');
      const source = (await c.get(`/api/v1/definitions/${PROCESS}/versions/latest`)).body.source as string;
      const draft = source.replace(/^version: 2$/m, 'version: 3').replaceAll('self_assessment', 'tu_danh_gia');
      const r = await c.post('/api/v1/definitions/impact', { source: draft });
      expect(r.status).to.equal(200);
      // admin_a sees the THCS under its Phòng, not the THPT under the Sở.
      expect(r.body).to.deep.include({ id: PROCESS, version: 3, running: 1, byVersion: [{ version: 2, count: 1 }] });
      // a stage the draft drops is named by the published version its instances run
      expect(r.body.stages).to.deep.equal([{ stage: 'self_assessment', title: { vi: 'Tự đánh giá', en: 'Self-assessment' }, count: 1, exists: false }]);
      expect(errorOf(await c.post('/api/v1/definitions/impact', { source: 'id: [' })).code).to.equal('DEFINITION_INVALID');
    });

    it('publishes a new version (administrators only); same text again is a no-op; a taken version is 409', async () => {
      const staff = await s.client('staff_so');
      const admin = await s.client('admin_so');
      const source = (await admin.get(`/api/v1/definitions/public-disclosure/versions/latest`)).body.source as string;
      // The next version of whatever the library ships now.
      const next = Number(/^version: (\d+)$/m.exec(source)![1]) + 1;
      const v2 = source.replace(/^version: \d+$/m, `version: ${next}`);
      const before = await snapshot(s);
      expect(errorOf(await staff.post('/api/v1/definitions', { source: v2 })).code).to.equal('FORBIDDEN');
      // The library belongs to the top of the tree: a Phòng's administrator does not publish its versions.
      const phong = errorOf(await (await s.client('admin_a')).post('/api/v1/definitions', { source: v2 }));
      expect(phong.code).to.equal('FORBIDDEN');
      expect(phong.message).to.include('public-disclosure');
      const invalid = await admin.post('/api/v1/definitions', { source: v2.replace(/^initial: .*$/m, 'initial: nowhere') });
      expect(invalid.status).to.equal(422);
      expect(errorOf(invalid).details.diagnostics).to.be.an('array').that.is.not.empty;
      expect(await snapshot(s)).to.equal(before);
      const published = await admin.post('/api/v1/definitions', { source: v2 });
      expect(published.status).to.equal(201);
      expect(published.body).to.include({ id: 'public-disclosure', version: next, created: true });
      expect((await admin.post('/api/v1/definitions', { source: v2 })).status).to.equal(200);
      const changed = await admin.post('/api/v1/definitions', { source: v2 + '\n# edited\n' });
      expect(errorOf(changed).code).to.equal('DEFINITION_EXISTS');
      expect(changed.status).to.equal(409);
    });
  });

  describe('tasks and instance commands', () => {
    it("lists a school's open tasks for its staff only, soonest due first", async () => {
      const mine = (await (await s.client('staff_thcs_a1')).get('/api/v1/tasks/mine')).body.items;
      expect(mine.map((t: { task: string }) => t.task)).to.include.members(['council', 'sa_plan', 'rating']);
      expect(mine.every((t: { instanceId: string }) => t.instanceId === thcs)).to.equal(true);
      const council = mine.find((t: { task: string }) => t.task === 'council');
      expect(council).to.deep.include({
        unitId: 'thcs_a1',
        unitName: 'THCS An Hóa',
        stage: 'self_assessment',
        processTitle: {
          vi: 'Kiểm định chất lượng giáo dục và công nhận đạt chuẩn quốc gia trường trung học',
          en: 'Accreditation and national-standard recognition of secondary schools',
        },
      });
      expect(council.title).to.deep.equal({ vi: 'Thành lập hội đồng tự đánh giá', en: 'Appoint the self-assessment council' });
      const due = mine.map((t: { dueAt: number }) => t.dueAt);
      expect(due).to.deep.equal([...due].sort((a, b) => a - b));
      expect((await (await s.client('staff_th_b1')).get('/api/v1/tasks/mine')).body.items).to.deep.equal([]);
      // A Phòng's staff sees the tasks of the schools under it.
      expect((await (await s.client('staff_a')).get('/api/v1/tasks/mine')).body.items.length).to.equal(mine.length);
    });

    it('shows a task with its form, checklist, legal basis and deadline in working days', async () => {
      const c = await s.client('staff_thcs_a1');
      const task = (await c.get('/api/v1/tasks/mine')).body.items.find((t: { task: string }) => t.task === 'council');
      const r = await c.get(`/api/v1/tasks/${task.id}`);
      expect(r.body.form.required).to.deep.equal(['decisionNo', 'members']);
      expect(r.body.form.properties.members.title.vi).to.include('tối thiểu 7');
      expect(r.body.evidence.map((e: { id: string; checked: boolean }) => [e.id, e.checked])).to.deep.equal([
        ['council_decision', false],
        ['evidence_list', false],
        ['signed_report', false],
      ]);
      expect(r.body.stage.legalBasis.join(' ')).to.include('18/2018');
      expect(r.body.stage.workingDaysLeft).to.be.within(110, 120);
      expect(r.body.canAct).to.equal(true);
      expect((await (await s.client('sup_a')).get(`/api/v1/tasks/${task.id}`)).body.canAct).to.equal(false);
      expect(task.workingDaysLeft).to.equal(r.body.stage.workingDaysLeft);
      expect((await (await s.client('staff_th_b1')).get(`/api/v1/tasks/${task.id}`)).status).to.equal(404);
      expect((await c.get('/api/v1/tasks/nope')).status).to.equal(404);
    });

    it('completes a task: 422 names the bad field, 404 for another unit, 403 for a supervisor, then it advances; nothing changed on refusals', async () => {
      const c = await s.client('staff_thcs_a1');
      const task = (await c.get('/api/v1/tasks/mine')).body.items.find((t: { task: string }) => t.task === 'council');
      const before = await snapshot(s);
      const bad = await c.post(`/api/v1/tasks/${task.id}/complete`, { data: { decisionNo: '12', members: 3 } });
      expect(bad.status).to.equal(422);
      expect(errorOf(bad).code).to.equal('FORM_INVALID');
      // the rule and its limit, and the field's own label, for the UI to word in the reader's language
      expect(errorOf(bad).details.errors).to.deep.equal([
        { field: 'members', message: 'must be >= 7', rule: 'minimum', limit: 7, title: { vi: 'Số thành viên (tối thiểu 7)', en: 'Members (at least 7)' } },
      ]);
      expect((await c.post(`/api/v1/tasks/${task.id}/complete`, { decisionNo: '12' })).status).to.equal(400);
      const other = await (await s.client('staff_th_b1')).post(`/api/v1/tasks/${task.id}/complete`, { data: COUNCIL });
      expect(other.status).to.equal(404);
      const supervisor = await (await s.client('sup_a')).post(`/api/v1/tasks/${task.id}/complete`, { data: COUNCIL });
      expect(supervisor.status).to.equal(403);
      expect(await snapshot(s)).to.equal(before);
      const ok = await c.post(`/api/v1/tasks/${task.id}/complete`, { data: COUNCIL });
      expect(ok.status).to.equal(200);
      expect(ok.body).to.include({ id: thcs, rev: 2, status: 'running' });
      const again = await c.post(`/api/v1/tasks/${task.id}/complete`, { data: COUNCIL });
      expect(errorOf(again).code).to.equal('TASK_NOT_OPEN');
      expect(again.status).to.equal(409);
    });

    it('honours Idempotency-Key: the same request answers the first answer once; another body is 422', async () => {
      const c = await s.client('staff_thcs_a1');
      const task = (await c.get('/api/v1/tasks/mine')).body.items.find((t: { task: string }) => t.task === 'rating');
      const key = { 'idempotency-key': 'rating-1' };
      const first = await c.post(`/api/v1/tasks/${task.id}/complete`, { data: { level: 3 } }, key);
      const second = await c.post(`/api/v1/tasks/${task.id}/complete`, { data: { level: 3 } }, key);
      expect(first.status).to.equal(200);
      expect(second.status).to.equal(200);
      expect(second.body).to.deep.equal(first.body);
      expect(second.headers.get('idempotent-replayed')).to.equal('true');
      const history = await s.app.runtime.engine.queries.history(thcs);
      expect(history.filter((h) => h.eventType === 'task.complete' && (h.payload as { task?: string }).task === 'rating')).to.have.length(1);
      const other = await c.post(`/api/v1/tasks/${task.id}/complete`, { data: { level: 2 } }, key);
      expect(errorOf(other).code).to.equal('IDEMPOTENCY_KEY_REUSED');
      expect(other.status).to.equal(422);
      expect((await c.post(`/api/v1/tasks/${task.id}/complete`, { data: {} }, { 'idempotency-key': 'é' })).status).to.equal(400);
    });

    it('sends an event: 409 when its condition is not met, 409 when the stage does not take it, 404 outside', async () => {
      const c = await s.client('staff_thcs_a1');
      const before = await snapshot(s);
      const early = await c.post(`/api/v1/instances/${thcs}/events`, { type: 'SUBMIT' });
      expect(early.status).to.equal(409);
      expect(errorOf(early).code).to.equal('CONDITION_NOT_MET');
      const wrong = await c.post(`/api/v1/instances/${thcs}/events`, { type: 'REGISTER' });
      expect(errorOf(wrong).code).to.equal('STAGE_REJECTS_EVENT');
      expect(errorOf(wrong).message).to.include('SUBMIT');
      const data = await c.post(`/api/v1/instances/${thcs}/events`, { type: 'DECIDE', data: { level: 'high' } });
      expect(errorOf(data).code).to.equal('EVENT_DATA_INVALID');
      expect(data.status).to.equal(422);
      expect((await c.post(`/api/v1/instances/${thpt}/events`, { type: 'SUBMIT' })).status).to.equal(404);
      expect((await c.post(`/api/v1/instances/${thcs}/events`, { type: 5 })).status).to.equal(400);
      expect(await snapshot(s)).to.equal(before);
    });

    it('ticks evidence and sets anchors for the stage owner; cancels for administrators only', async () => {
      const c = await s.client('staff_thcs_a1');
      const ticked = await c.post(`/api/v1/instances/${thcs}/evidence`, { item: 'council_decision', checked: true });
      expect(ticked.status).to.equal(200);
      const unknown = errorOf(await c.post(`/api/v1/instances/${thcs}/evidence`, { item: 'nope', checked: true }));
      expect(unknown.code).to.equal('STAGE_REJECTS_EVENT');
      expect(unknown.message).to.include('council_decision');
      expect((await c.post(`/api/v1/instances/${thcs}/evidence`, { item: 'council_decision' })).status).to.equal(400);
      // The visit date sets the evaluation team's deadlines (the Sở's): not the school's to move.
      const schools = await c.post(`/api/v1/instances/${thcs}/anchors`, { name: 'visit_date', date: '2026-10-05' });
      expect(schools.status).to.equal(403);
      expect(errorOf(schools).message).to.not.include('Sở GDĐT');
      const so = await s.client('staff_so');
      const anchor = await so.post(`/api/v1/instances/${thcs}/anchors`, { name: 'visit_date', date: '2026-10-05' });
      expect(anchor.status).to.equal(200);
      expect(errorOf(await so.post(`/api/v1/instances/${thcs}/anchors`, { name: 'visit_date', date: '31/02/2026' })).code).to.equal('BAD_DATE');
      const task = (await c.get('/api/v1/tasks/mine')).body.items[0];
      expect((await c.get(`/api/v1/tasks/${task.id}`)).body.evidence[0]).to.include({ id: 'council_decision', checked: true });
      expect((await c.post(`/api/v1/instances/${thcs}/cancel`, { reason: 'sáp nhập' })).status).to.equal(403);
      expect((await c.post(`/api/v1/instances/${thpt}/cancel`, { reason: 'sáp nhập' })).status).to.equal(404);
      expect((await (await s.client('admin_a')).post(`/api/v1/instances/${thpt}/cancel`, { reason: 'sáp nhập' })).status).to.equal(404);
      expect((await (await s.client('admin_so')).post(`/api/v1/instances/${thpt}/cancel`, { reason: '' })).status).to.equal(400);
    });

    it('lists instances in scope with filters and pages; reads a timeline; 404 for another unit', async () => {
      const sup = await s.client('sup_a');
      const list = await sup.get(`/api/v1/instances?definitionId=${PROCESS}`);
      expect(list.body.items.map((i: { id: string }) => i.id)).to.deep.equal([thcs]);
      expect(list.body.items[0]).to.deep.include({ unitName: 'THCS An Hóa', status: 'running', stages: ['self_assessment'], overdue: false });
      const all = await (await s.client('sup_so')).get('/api/v1/instances?limit=1');
      expect(all.body.items).to.have.length(1);
      const next = await (await s.client('sup_so')).get(`/api/v1/instances?limit=1&after=${all.body.next}`);
      expect(next.body.items[0].id).to.not.equal(all.body.items[0].id);
      const t = await sup.get(`/api/v1/instances/${thcs}`);
      expect(t.body.instance).to.include({ id: thcs, orgUnitId: 'thcs_a1' });
      expect(t.body.instance).to.not.have.property('state');
      expect(t.body.history.map((h: { eventType: string }) => h.eventType)).to.include.members(['instance.start', 'task.complete', 'evidence.check']);
      // Every engine event reads by its title, and what it names by theirs: the task, its answers, the item, the anchor.
      type Row = { eventType: string; payload: Record<string, any> };
      const row = (type: string) => (t.body.history as Row[]).find((h) => h.eventType === type)!.payload;
      expect(row('task.complete')).to.deep.include({
        title: { vi: 'Hoàn thành việc', en: 'Task completed' },
        taskTitle: { vi: 'Thành lập hội đồng tự đánh giá', en: 'Appoint the self-assessment council' },
      });
      expect(row('task.complete').fields.map((f: { title: { vi: string }; value: unknown }) => [f.title.vi, f.value])).to.deep.equal([
        ['Số quyết định thành lập', COUNCIL.decisionNo],
        ['Số thành viên (tối thiểu 7)', COUNCIL.members],
      ]);
      expect(row('evidence.check')).to.deep.include({
        title: { vi: 'Cập nhật minh chứng', en: 'Evidence updated' },
        itemTitle: { vi: 'Quyết định thành lập hội đồng tự đánh giá', en: 'Council appointment decision' },
      });
      expect(row('anchor.set')).to.deep.include({ anchorTitle: { vi: 'Ngày khảo sát chính thức tại trường', en: 'Date of the official visit' } });
      expect(t.body.stages[0]).to.include({ id: 'self_assessment' });
      expect(t.body.stages[0].accepts).to.deep.equal([{ type: 'SUBMIT', title: { vi: 'Hoàn thành và chuyển bước', en: 'Done – move on' }, form: null }]);
      expect(t.body.stages[0].evidence.find((e: { id: string }) => e.id === 'council_decision')).to.include({ checked: true });
      expect(t.body.stageTitles.recognition.vi).to.be.a('string');
      expect(t.body.canAct, 'a supervisor watches, does not act').to.equal(false);
      expect((await (await s.client('staff_thcs_a1')).get(`/api/v1/instances/${thcs}`)).body.canAct).to.equal(true);
      expect((await sup.get(`/api/v1/instances/${thpt}`)).status).to.equal(404);
      expect((await sup.get('/api/v1/instances/nope')).status).to.equal(404);
      expect((await sup.get('/api/v1/instances?status=finished')).status).to.equal(400);
      expect((await sup.get('/api/v1/instances?unitId=pgd_b')).status).to.equal(404);
    });
  });

  describe('campaigns', () => {
    it('launches for a subtree (administrators of it), fills in the background, reports progress and exports', async () => {
      const admin = await s.client('admin_a');
      expect((await admin.post('/api/v1/campaigns', { definitionId: 'accreditation-primary', rootUnitId: 'so' })).status).to.equal(404);
      expect((await (await s.client('sup_a')).post('/api/v1/campaigns', { definitionId: 'accreditation-primary', rootUnitId: 'pgd_a' })).status).to.equal(403);
      expect((await admin.post('/api/v1/campaigns', { rootUnitId: 'pgd_a' })).status).to.equal(400);
      expect(
        errorOf(await admin.post('/api/v1/campaigns', { definitionId: 'accreditation-primary', rootUnitId: 'pgd_a', kinds: ['upper-secondary'] })).code,
      ).to.equal('NOT_APPLICABLE');
      const r = await admin.post('/api/v1/campaigns', { definitionId: 'accreditation-primary', rootUnitId: 'pgd_a', reason: 'Đợt 2026' });
      expect(r.status).to.equal(202);
      expect(r.body.campaign).to.include({ rootUnitId: 'pgd_a', rootUnitName: 'Phòng GDĐT Châu Thành', total: 2 });
      await s.app.settled();
      const progress = await admin.get(`/api/v1/campaigns/${r.body.campaign.id}`);
      expect(progress.body.campaign).to.include({ status: 'done', started: 2, total: 2 });
      expect(progress.body.byStage.reduce((n: number, x: { count: number }) => n + x.count, 0)).to.equal(2);
      expect((await admin.get('/api/v1/campaigns')).body.items.map((c: { id: string }) => c.id)).to.deep.equal([r.body.campaign.id]);
      expect((await (await s.client('sup_so')).get('/api/v1/campaigns')).body.items).to.have.length(1);
      expect((await (await s.client('staff_th_b1')).get(`/api/v1/campaigns/${r.body.campaign.id}`)).status).to.equal(404);
      const csv = await admin.get(`/api/v1/campaigns/${r.body.campaign.id}/export?format=csv`);
      expect(csv.headers.get('content-type')).to.include('text/csv');
      expect(csv.text).to.include('TH An Hóa').and.include('TH An Khánh');
      const xlsx = await admin.get(`/api/v1/campaigns/${r.body.campaign.id}/export?format=xlsx`);
      expect(xlsx.headers.get('content-disposition')).to.include('.xlsx');
      expect((await admin.get(`/api/v1/campaigns/${r.body.campaign.id}/export?format=pdf`)).status).to.equal(400);
    });

    it('carries anchor dates to every instance it starts; an unknown anchor or a bad date is refused', async () => {
      const admin = await s.client('admin_so');
      const bad = await admin.post('/api/v1/campaigns', { definitionId: 'public-disclosure', rootUnitId: 'pgd_b', anchors: { deadline: '2027-06-30' } });
      expect(errorOf(bad).code).to.equal('UNKNOWN_ANCHOR');
      expect(errorOf(bad).message).to.include('report_deadline');
      expect(
        errorOf(await admin.post('/api/v1/campaigns', { definitionId: 'public-disclosure', rootUnitId: 'pgd_b', anchors: { report_deadline: '2027-02-30' } }))
          .code,
      ).to.equal('BAD_DATE');
      const r = await admin.post('/api/v1/campaigns', { definitionId: 'public-disclosure', rootUnitId: 'pgd_b', anchors: { report_deadline: '30/06/2027' } });
      expect(r.status).to.equal(202);
      await s.app.settled();
      const [instance] = await s.app.runtime.engine.queries.listInstances({ campaignId: r.body.campaign.id }, { limit: 5 });
      const start = (await s.app.runtime.engine.queries.history(instance!.id))[0]!;
      expect(start.payload).to.deep.equal({ anchors: { report_deadline: '2027-06-30' } });
    });
  });

  describe('cohort operations', () => {
    it('extend with a dry run for administrators over their units; 403 for supervisors; 400 on a bad body', async () => {
      const admin = await s.client('admin_so');
      const before = await snapshot(s);
      const dry = await admin.post('/api/v1/cohort/extend', {
        filter: { definitionId: PROCESS },
        stage: 'self_assessment',
        workingDays: 5,
        reason: 'Công văn gia hạn',
        dryRun: true,
      });
      expect(dry.body).to.include({ matched: 2, changed: 0, dryRun: true });
      expect(await snapshot(s)).to.equal(before);
      expect(
        (await (await s.client('sup_so')).post('/api/v1/cohort/extend', { filter: {}, stage: 'self_assessment', workingDays: 5, reason: 'x' })).status,
      ).to.equal(403);
      expect((await admin.post('/api/v1/cohort/extend', { filter: {}, stage: 'self_assessment', workingDays: 0, reason: 'x' })).status).to.equal(400);
      const scoped = await (
        await s.client('admin_a')
      ).post('/api/v1/cohort/extend', { filter: { definitionId: PROCESS }, stage: 'self_assessment', workingDays: 5, reason: 'Công văn gia hạn' });
      expect(scoped.body).to.include({ matched: 1, changed: 1 });
      expect(scoped.body.instances[0].instanceId).to.equal(thcs);
      for (const op of ['reassign', 'cancel', 'migrate']) {
        const body = {
          filter: { definitionId: PROCESS },
          reason: 'thử',
          dryRun: true,
          ...(op === 'reassign' ? { toUnitId: 'th_a2' } : {}),
          ...(op === 'migrate' ? { toVersion: 1 } : {}),
        };
        const r = await (await s.client('admin_a')).post(`/api/v1/cohort/${op}`, body);
        expect(r.status, op).to.equal(200);
        expect(r.body.matched, op).to.equal(1);
        expect((await (await s.client('staff_a')).post(`/api/v1/cohort/${op}`, body)).status, op).to.equal(403);
      }
      expect((await (await s.client('admin_a')).post('/api/v1/cohort/reassign', { filter: {}, toUnitId: 'th_b1', reason: 'x' })).status).to.equal(404);
    });
  });

  describe('board, escalations and inbox', () => {
    before(async () => {
      // Past every self-assessment deadline and its ladder: overdue at the Phòng, escalated to the Sở.
      s.clock.set(at8('2026-10-20'));
      await s.app.runtime.runDue();
    });

    it('shows a supervisor the overdue board of their subtree, with ageing; 403 for staff, 404 outside', async () => {
      const sup = await s.client('sup_so');
      const board = await sup.get('/api/v1/board');
      expect(board.body.root.id).to.equal('so');
      expect(board.body.totals.overdue).to.be.at.least(2);
      const a = board.body.byUnit.find((u: { unitId: string }) => u.unitId === 'pgd_a');
      expect(a.overdue).to.be.at.least(1);
      expect(Object.values(a.ages).reduce((x: number, y) => x + (y as number), 0)).to.equal(a.overdue);
      expect(board.body.byStage.find((x: { stage: string }) => x.stage === 'self_assessment').title.vi).to.equal('Tự đánh giá');
      expect(board.body.escalations.total).to.be.above(0);
      const mine = await (await s.client('sup_a')).get('/api/v1/board');
      expect(mine.body.root.id).to.equal('pgd_a');
      expect(mine.body.byUnit.map((u: { unitId: string }) => u.unitId)).to.include('thcs_a1');
      expect((await (await s.client('sup_a')).get('/api/v1/board?unitId=pgd_b')).status).to.equal(404);
      expect((await (await s.client('staff_thcs_a1')).get('/api/v1/board')).status).to.equal(403);
      expect((await sup.get('/api/v1/board?soon=-1')).status).to.equal(400);
      const csv = await sup.get('/api/v1/board/export?format=csv');
      expect([...csv.bytes.subarray(0, 3)]).to.deep.equal([0xef, 0xbb, 0xbf]);
      expect(csv.text).to.include('Phòng GDĐT Châu Thành');
      const xlsx = await sup.get('/api/v1/board/export?format=xlsx&unitId=pgd_a');
      expect(xlsx.status).to.equal(200);
      expect(xlsx.headers.get('content-type')).to.include('spreadsheetml');
    });

    it('lists escalations in scope; a supervisor acknowledges one once; staff cannot', async () => {
      const sup = await s.client('sup_a');
      const list = (await sup.get('/api/v1/escalations?acknowledged=false')).body.items;
      expect(list.length).to.be.above(0);
      expect([...new Set(list.map((e: { orgUnitId: string }) => e.orgUnitId))].sort()).to.deep.equal(['th_a1', 'th_a2', 'thcs_a1']);
      const e = list.find((x: { orgUnitId: string }) => x.orgUnitId === 'thcs_a1');
      expect(e).to.include({ unitName: 'THCS An Hóa', acknowledgedAt: null });
      const before = await snapshot(s);
      expect((await (await s.client('staff_thcs_a1')).post(`/api/v1/escalations/${e.id}/acknowledge`)).status).to.equal(403);
      const thptEscalation = (await (await s.client('sup_so')).get('/api/v1/escalations?unitId=thpt_1')).body.items[0];
      expect((await sup.post(`/api/v1/escalations/${thptEscalation.id}/acknowledge`)).status).to.equal(404);
      expect(await snapshot(s)).to.equal(before);
      const ack = await sup.post(`/api/v1/escalations/${e.id}/acknowledge`);
      expect(ack.body.escalation).to.include({ id: e.id, acknowledgedBy: 'sup_a' });
      expect((await sup.post(`/api/v1/escalations/${e.id}/acknowledge`)).status).to.equal(409);
      expect((await sup.get('/api/v1/escalations?acknowledged=true')).body.items.map((x: { id: string }) => x.id)).to.deep.equal([e.id]);
      expect((await sup.post('/api/v1/escalations/nope/acknowledge')).status).to.equal(404);
    });

    it("shows each unit's inbox with the unread count, and marks notices read", async () => {
      const sup = await s.client('sup_a');
      const inbox = await sup.get('/api/v1/inbox');
      expect(inbox.body.unread).to.be.above(0);
      expect(inbox.body.items[0].message.vi).to.be.a('string');
      expect((await sup.get('/api/v1/me')).body.unreadInbox).to.equal(inbox.body.unread);
      const read = await sup.post('/api/v1/inbox/read', { ids: [inbox.body.items[0].id] });
      expect(read.body.unread).to.equal(inbox.body.unread - 1);
      // Another unit's notice id is not marked.
      const other = (await (await s.client('sup_so')).get('/api/v1/inbox')).body.items.find((i: { unitId: string }) => i.unitId === 'so');
      await sup.post('/api/v1/inbox/read', { ids: [other.id] });
      expect((await (await s.client('sup_so')).get('/api/v1/inbox?unread=true')).body.items.map((i: { id: number }) => i.id)).to.include(other.id);
      expect((await sup.post('/api/v1/inbox/read', { all: true })).body.unread).to.equal(0);
      expect((await sup.post('/api/v1/inbox/read', { ids: ['x'] })).status).to.equal(400);
    });
  });
});
