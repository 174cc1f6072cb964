// Work across the tree through the API, as a Sở runs it: its campaign starts the Sở's review, whose
// stage opens a report for each Phòng and upper-secondary school (in the background, under the
// campaign lease); a Phòng's staff files its report; the Sở reads the children, the late and the
// roll-up, downloads the table per unit, and launches a sample read from a sheet of codes. Every
// answer is checked against its schema (checkAnswers).
import { expect } from 'chai';
import { fixture } from '../support/runtime.ts';
import { errorOf, startTestServer, type TestServer } from './support.ts';

describe('HTTP: work across the tree (fan-out)', function () {
  this.timeout(60_000);
  let s: TestServer;
  let review = '';

  before(async () => {
    s = await startTestServer();
    await s.app.runtime.engine.catalog.publish(fixture('fan-out/unit-report.yaml'), 'unit-report.yaml', 'admin');
    await s.app.runtime.engine.catalog.publish(fixture('fan-out/so-review.yaml'), 'so-review.yaml', 'admin');
  });
  after(() => s?.close());

  it('a Sở campaign starts its review, which opens one report per Phòng and upper-secondary school', async () => {
    const admin = await s.client('admin_so');
    const launched = await admin.post('/api/v1/campaigns', { definitionId: 'so-review', rootUnitId: 'so', kinds: ['department'], reason: 'Kiểm tra 2022' });
    expect(launched.status, launched.text).to.equal(202);
    await s.app.settled();
    const list = await admin.get('/api/v1/instances?definitionId=so-review');
    review = list.body.items[0].id;
    // The fan-out is a campaign too, whose children start in the background.
    await s.app.settled();
    const children = await admin.get(`/api/v1/instances/${review}/children`);
    expect(children.status, children.text).to.equal(200);
    const stage = children.body.stages[0];
    expect(stage.children.map((c: { unitId: string }) => c.unitId).sort()).to.deep.equal(['pgd_a', 'pgd_b', 'thpt_1']);
    expect(stage.stageTitle.vi).to.equal('Thu báo cáo của đơn vị');
    const campaigns = await admin.get('/api/v1/campaigns');
    const fanOut = campaigns.body.items.find((c: { id: string }) => c.id === stage.campaignId);
    expect(fanOut.parent).to.deep.include({ instanceId: review, stage: 'collect' });
  });

  it("a Phòng's staff files its report; the Sở sees it added up, and the table per unit names it", async () => {
    const staff = await s.client('staff_a');
    const tasks = await staff.get('/api/v1/tasks/mine');
    const figures = tasks.body.items.find((t: { task: string }) => t.task === 'figures');
    expect(figures, tasks.text).to.not.equal(undefined);
    const done = await staff.post(`/api/v1/tasks/${encodeURIComponent(figures.id)}/complete`, { data: { schools: 12, completed: 9, rating: 'good' } });
    expect(done.status, done.text).to.equal(200);
    const sent = await staff.post(`/api/v1/instances/${figures.instanceId}/events`, { type: 'SUBMIT' });
    expect(sent.status, sent.text).to.equal(200);
    // The Phòng's staff reads its own report, not the Sở's instance that asked for it.
    expect((await staff.get(`/api/v1/instances/${figures.instanceId}`)).body.openedBy).to.equal(null);
    expect((await staff.get(`/api/v1/instances/${review}/children`)).status).to.equal(404);

    const sup = await s.client('sup_so');
    const children = (await sup.get(`/api/v1/instances/${review}/children`)).body.stages[0];
    expect(children.rollup.schools).to.deep.include({ count: 1, sum: 12 });
    // an option's words beside the value the unit answered; a number has none
    expect(children.rollup.rating.valueTitles).to.deep.equal({ good: { vi: 'Tốt', en: 'Good' } });
    expect(children.rollup.schools).to.not.have.property('valueTitles');
    const csv = await sup.get(`/api/v1/instances/${review}/children/export?format=csv`);
    expect(csv.status).to.equal(200);
    const lines = csv.text
      .replace(/^\uFEFF/, '')
      .trim()
      .split(/\r?\n/);
    expect(lines[0]).to.equal('Đơn vị,Mã đơn vị,Trạng thái,Giai đoạn,Hạn,Hoàn thành ngày,Chậm báo cáo,Số trường,completed,rating');
    expect(lines.find((l) => l.includes('pgd_a'))).to.include(',12,9,Tốt');
    const xlsx = await sup.get(`/api/v1/instances/${review}/children/export?format=xlsx`);
    expect(xlsx.bytes.subarray(0, 2).toString()).to.equal('PK');
  });

  it('CHILDREN_DONE cannot be sent by hand', async () => {
    const admin = await s.client('admin_so');
    const r = await admin.post(`/api/v1/instances/${review}/events`, { type: 'CHILDREN_DONE' });
    expect(r.status).to.equal(409);
    expect(errorOf(r).code).to.equal('STAGE_REJECTS_EVENT');
  });

  it("reads a sample's sheet of codes: the Phòng's own school found, another Phòng's reported like a code that does not exist", async () => {
    const admin = await s.client('admin_a');
    const sheet = 'DANH SÁCH TRƯỜNG ĐƯỢC CHỌN MẪU\n\nSTT,Mã trường,Tên trường\n1,th_a1,TH An Hóa\n2,th_b1,TH Ba Tri\n3,khong_co,?\n';
    const r = await admin.post('/api/v1/unit-lists?file=mau.csv', sheet, { 'content-type': 'text/csv' });
    expect(r.status, r.text).to.equal(200);
    expect(r.body.unitIds).to.deep.equal(['th_a1']);
    expect(r.body.problems.map((p: { row: number; column: number; code: string }) => [p.row, p.column, p.code])).to.deep.equal([
      [5, 2, 'UNKNOWN_UNIT'],
      [6, 2, 'UNKNOWN_UNIT'],
    ]);
    expect(r.body.problems[0].message.vi).to.equal(r.body.problems[1].message.vi.replace('khong_co', 'th_b1'));
    // The sample as a campaign: only the named school starts.
    const launched = await admin.post('/api/v1/campaigns', {
      definitionId: 'unit-report',
      rootUnitId: 'pgd_a',
      unitIds: r.body.unitIds,
      reason: 'Mẫu khảo sát',
    });
    expect(launched.status, launched.text).to.equal(202);
    expect(launched.body.campaign).to.deep.include({ total: 1, namedUnits: 1 });
    await s.app.settled();
    const started = await admin.get(`/api/v1/instances?campaignId=${launched.body.campaign.id}`);
    expect(started.body.items.map((i: { orgUnitId: string }) => i.orgUnitId)).to.deep.equal(['th_a1']);
    // A code outside one's units is refused like one that does not exist.
    const outside = await admin.post('/api/v1/campaigns', { definitionId: 'unit-report', rootUnitId: 'pgd_a', unitIds: ['th_b1'], reason: 'Mẫu' });
    expect(outside.status).to.equal(400);
    expect(errorOf(outside).details.unknown).to.deep.equal(['th_b1']);
  });
});
