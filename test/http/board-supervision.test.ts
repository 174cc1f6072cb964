// A supervisor's work on the overdue board, over HTTP on the demo province: the late list behind a
// count (most late first), đôn đốc to a selection (history, inbox, scope, idempotent replay),
// escalations acknowledged several at once, and the overdue list exported as CSV and XLSX.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import ExcelJS from 'exceljs';
import { startApp, type App } from '../../adapters/app.ts';
import { FLAGSHIP } from '../../adapters/demo/province.ts';
import { parseMail, startSmtp } from '../notify/servers.ts';
import { at8 } from '../support/runtime.ts';
import { Client, errorOf, startTestServer, type TestServer } from './support.ts';

const DEMO_PASSWORD = 'demo1234';

describe('http: the supervisor on the overdue board (demo province)', function () {
  this.timeout(180_000);
  let app: App;
  let dir: string;
  const client = async (login: string) => {
    const c = new Client(app.url!);
    expect((await c.login(login, DEMO_PASSWORD)).status).to.equal(200);
    return c;
  };
  let so: Client;
  let phong: Client;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tiendo-board-'));
    app = await startApp({ port: 0, checkAnswers: true, sqliteFile: join(dir, 'tiendo.sqlite'), demo: true, bcryptCost: 4, log: () => {} });
    so = await client('giamsat.so');
    phong = await client('giamsat.phong');
  });
  after(async () => {
    await app?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const history = async (c: Client, id: string) => {
    const r = await c.get(`/api/v1/instances/${encodeURIComponent(id)}`);
    expect(r.status).to.equal(200);
    return r.body.history as { eventType: string; actor: string; actorName: string; at: number; payload: any }[];
  };
  // the reminders sent by hand (the ladder's own notices are there too)
  const noticesOf = async (instanceId: string) =>
    (await app.runtime.db('inbox').where({ instance_id: instanceId }).orderBy('id')).filter((n) => JSON.parse(n.message).vi.includes('đôn đốc:'));

  describe('the late list behind a count', () => {
    it('lists a Phòng’s late instances most late first, as many as the board counts, each with its Phòng and deadline', async () => {
      const board = (await phong.get('/api/v1/board')).body;
      const list = (await phong.get('/api/v1/board/overdue?limit=2000')).body;
      expect(list.root.id).to.equal(FLAGSHIP.district);
      expect(list.total).to.equal(board.totals.overdue).and.be.greaterThan(1);
      expect(list.items).to.have.length(list.total);
      const late = list.items.map((i: { daysLate: number }) => i.daysLate);
      expect(late).to.deep.equal([...late].sort((a, b) => b - a));
      expect(late.at(-1)).to.be.at.least(1);
      expect(late[0]).to.be.greaterThan(late.at(-1));
      for (const i of list.items) {
        expect(i.dueAt).to.be.below(list.asOf);
        expect(i.officeName).to.equal('Phòng GDĐT Châu Thành');
        expect(i.stageTitles[0].vi).to.not.match(/^[a-z_]+$/);
      }
      // the same days-late buckets as the board's
      const bucket = (n: number) => (n <= 5 ? '1-5' : n <= 10 ? '6-10' : n <= 20 ? '11-20' : '>20');
      const counted: Record<string, number> = { '1-5': 0, '6-10': 0, '11-20': 0, '>20': 0 };
      for (const n of late) counted[bucket(n)]!++;
      expect(counted).to.deep.equal(board.totals.ages);
    });

    it('lists one unit of the board and one stage of the board, as many as their rows count', async () => {
      const board = (await so.get('/api/v1/board')).body;
      const unit = board.byUnit.find((u: { overdue: number }) => u.overdue > 0);
      const ofUnit = (await so.get(`/api/v1/board/overdue?unitId=${unit.unitId}&limit=2000`)).body;
      expect(ofUnit.total).to.equal(unit.overdue);
      const stage = board.byStage.find((s: { overdue: number }) => s.overdue > 0);
      const ofStage = (await so.get(`/api/v1/board/overdue?definitionId=${stage.definitionId}&stage=${stage.stage}&limit=2000`)).body;
      expect(ofStage.total).to.equal(stage.overdue);
      for (const i of ofStage.items) expect(i.stages).to.include(stage.stage);
      // a Sở lists schools of several Phòng
      const all = (await so.get('/api/v1/board/overdue?limit=2000')).body;
      expect(new Set(all.items.map((i: { officeName: string }) => i.officeName)).size).to.be.greaterThan(1);
    });

    it('lists the board unit’s own row with its own work only, not its schools’', async () => {
      const board = (await phong.get('/api/v1/board')).body;
      const own = board.byUnit.find((u: { unitId: string }) => u.unitId === FLAGSHIP.district);
      expect(own, 'the Phòng has late work of its own in the demo').to.not.equal(undefined);
      const list = (await phong.get(`/api/v1/board/overdue?unitId=${FLAGSHIP.district}&unitOnly=true`)).body;
      expect(list.total).to.equal(own.overdue);
      for (const i of list.items) expect(i.unitId).to.equal(FLAGSHIP.district);
    });

    it('answers a unit outside the Phòng as absent', async () => {
      const r = await phong.get(`/api/v1/board/overdue?unitId=${FLAGSHIP.department}`);
      expect(r.status).to.equal(404);
      expect(errorOf(r).code).to.equal('NOT_FOUND');
    });
  });

  describe('đôn đốc', () => {
    let mine: string[] = [];
    let other = '';
    before(async () => {
      const list = (await phong.get('/api/v1/board/overdue?limit=2000')).body.items as { instanceId: string; unitId: string }[];
      // the flagship school first: its staff login reads the notice in its inbox
      const flagship = list.find((i) => i.unitId === FLAGSHIP.lowerSecondary);
      mine = [...new Set([...(flagship ? [flagship.instanceId] : []), ...list.map((i) => i.instanceId)])].slice(0, 2);
      const all = (await so.get('/api/v1/board/overdue?limit=2000')).body.items as { instanceId: string; officeId: string }[];
      other = all.find((i) => i.officeId !== FLAGSHIP.district)!.instanceId;
      expect(mine).to.have.length(2);
    });

    it('records the reminder in each history and each unit’s inbox, once for a replayed key', async () => {
      const before = await Promise.all(mine.map((id) => history(phong, id)));
      const key = { 'idempotency-key': 'don-doc-1' };
      const body = { instanceIds: mine, message: 'Đề nghị hoàn thành trước thứ Sáu' };
      const r = await phong.post('/api/v1/board/remind', body, key);
      expect(r.status).to.equal(200);
      expect(r.body.sent).to.equal(2);
      expect(r.body.items.map((i: { instanceId: string; sent: boolean }) => [i.instanceId, i.sent])).to.deep.equal(mine.map((id) => [id, true]));
      for (const [k, id] of mine.entries()) {
        const h = await history(phong, id);
        expect(h).to.have.length(before[k]!.length + 1);
        const entry = h.find((e) => e.eventType === 'board.remind')!;
        expect(entry.actor).to.equal('giamsat.phong');
        expect(entry.actorName).to.equal('Lãnh đạo Phòng GDĐT Châu Thành');
        expect(entry.payload.title.vi).to.equal('Phòng GDĐT Châu Thành đôn đốc');
        expect(entry.payload.reason).to.equal(body.message);
        const notices = await noticesOf(id);
        expect(notices).to.have.length(1);
        expect(notices[0].kind).to.equal('reminder');
        expect(JSON.parse(notices[0].message).vi).to.include('Phòng GDĐT Châu Thành đôn đốc').and.include(body.message);
      }
      // the same key again: the same answer, nothing written twice
      const again = await phong.post('/api/v1/board/remind', body, key);
      expect(again.body).to.deep.equal(r.body);
      for (const [k, id] of mine.entries()) expect(await history(phong, id)).to.have.length(before[k]!.length + 1);
      expect(await noticesOf(mine[0]!)).to.have.length(1);
      // the school reads it in its inbox
      const unit = (await app.runtime.db('instances').where({ id: mine[0] }).first()).org_unit_id;
      if (unit === FLAGSHIP.lowerSecondary) {
        const school = await client('truong.thcs');
        const inbox = (await school.get('/api/v1/inbox')).body.items as { instanceId?: string; message: { vi: string } }[];
        expect(inbox.some((n) => n.instanceId === mine[0] && n.message.vi.includes(body.message))).to.equal(true);
      }
    });

    it('refuses the whole request when one instance lies in another Phòng (404), writing nothing', async () => {
      const before = await history(phong, mine[1]!);
      const notices = (await noticesOf(mine[1]!)).length;
      const r = await phong.post('/api/v1/board/remind', { instanceIds: [mine[1], other] });
      expect(r.status).to.equal(404);
      expect(errorOf(r).details).to.deep.equal({ instanceId: other });
      // the same answer as an id that does not exist
      const absent = await phong.post('/api/v1/board/remind', { instanceIds: ['khong-co'] });
      expect(absent.status).to.equal(404);
      expect(errorOf(absent).code).to.equal(errorOf(r).code);
      expect(await history(phong, mine[1]!)).to.have.length(before.length);
      expect(await noticesOf(mine[1]!)).to.have.length(notices);
      expect((await app.runtime.db('history').where({ instance_id: other, event_type: 'board.remind' })).length).to.equal(0);
    });

    it('refuses staff, who read but do not watch (403)', async () => {
      const staff = await client('canbo.phong');
      const r = await staff.post('/api/v1/board/remind', { instanceIds: [mine[0]] });
      expect(r.status).to.equal(403);
    });

    it('names the Sở as the sender when the Sở reminds', async () => {
      const r = await so.post('/api/v1/board/remind', { instanceIds: [other] });
      expect(r.body.sent).to.equal(1);
      const entry = (await history(so, other)).find((e) => e.eventType === 'board.remind')!;
      expect(entry.payload.title.vi).to.match(/^Sở GDĐT .* đôn đốc$/);
      expect(entry.payload).to.not.have.property('reason');
    });
  });

  describe('acknowledging several escalations', () => {
    it('acknowledges a selection at once, reports those already acknowledged, refuses one outside', async () => {
      const open = (await phong.get('/api/v1/escalations?acknowledged=false&limit=500')).body.items as { id: string }[];
      expect(open.length).to.be.at.least(3);
      const [a, b, c] = open.map((e) => e.id);
      const r = await phong.post('/api/v1/escalations/acknowledge', { ids: [a, b] }, { 'idempotency-key': 'ack-1' });
      expect(r.status).to.equal(200);
      expect(r.body.items.map((i: any) => [i.id, i.acknowledged, i.escalation.acknowledgedByName])).to.deep.equal([
        [a, true, 'Lãnh đạo Phòng GDĐT Châu Thành'],
        [b, true, 'Lãnh đạo Phòng GDĐT Châu Thành'],
      ]);
      const replay = await phong.post('/api/v1/escalations/acknowledge', { ids: [a, b] }, { 'idempotency-key': 'ack-1' });
      expect(replay.body).to.deep.equal(r.body);
      const again = await phong.post('/api/v1/escalations/acknowledge', { ids: [b, c] });
      expect(again.body.items.map((i: any) => [i.id, i.acknowledged])).to.deep.equal([
        [b, false],
        [c, true],
      ]);
      const left = (await phong.get('/api/v1/escalations?acknowledged=false&limit=500')).body.items.map((e: { id: string }) => e.id);
      expect(left).to.not.include.members([a]);
      expect(left).to.have.length(open.length - 3);
      // one of another Phòng's: 404, and nothing of the request marked
      const elsewhere = (await so.get('/api/v1/escalations?acknowledged=false&limit=500')).body.items.find(
        (e: { id: string }) => !open.some((o) => o.id === e.id),
      );
      const d = open[3]!.id;
      const refused = await phong.post('/api/v1/escalations/acknowledge', { ids: [d, elsewhere.id] });
      expect(refused.status).to.equal(404);
      expect(errorOf(refused).details).to.deep.equal({ escalationId: elsewhere.id });
      const row = await app.runtime.db('escalations').where({ id: d }).first();
      expect(row.acknowledged_at).to.equal(null);
    });
  });

  describe('the export', () => {
    it('exports the overdue list as XLSX with a title, the time, Vietnamese headers, most late first', async () => {
      const list = (await phong.get('/api/v1/board/overdue?limit=2000')).body;
      const r = await phong.get('/api/v1/board/export?format=xlsx');
      expect(r.status).to.equal(200);
      const book = new ExcelJS.Workbook();
      await book.xlsx.load(r.bytes as unknown as ArrayBuffer);
      const sheet = book.worksheets[0]!;
      const rows: unknown[][] = [];
      sheet.eachRow({ includeEmpty: true }, (row) => rows.push((row.values as unknown[]).slice(1)));
      expect(String(rows[0]![0])).to.equal('Danh sách đơn vị quá hạn — Phòng GDĐT Châu Thành');
      expect(String(rows[1]![0])).to.match(/^Tính đến: \d\d\/\d\d\/\d{4} \d\d:\d\d \(\d+ hồ sơ quá hạn\)$/);
      const header = rows.findIndex((r) => r[0] === 'Phòng');
      expect(rows[header]).to.deep.equal(['Phòng', 'Đơn vị', 'Quy trình', 'Giai đoạn', 'Hạn', 'Số ngày làm việc quá hạn']);
      const data = rows.slice(header + 1);
      expect(data).to.have.length(list.total);
      const late = data.map((r) => r[5] as number);
      expect(late.every((n) => typeof n === 'number')).to.equal(true);
      expect(late).to.deep.equal([...late].sort((a, b) => b - a));
      expect(data.map((r) => r[1])).to.deep.equal(list.items.map((i: { unitName: string }) => i.unitName));
      for (const d of data) expect(d[4]).to.match(/^\d\d\/\d\d\/\d{4}$/);
    });

    it('exports in English when asked: the headers and the titles', async () => {
      const list = (await phong.get('/api/v1/board/overdue?limit=2000')).body;
      const lines = (await phong.get('/api/v1/board/export?format=csv&lang=en')).bytes.subarray(3).toString('utf8').split('\r\n');
      expect(lines[0]).to.equal('Overdue units — Phòng GDĐT Châu Thành');
      expect(lines[1]).to.match(/^As of: \d\d\/\d\d\/\d{4} \d\d:\d\d/);
      expect(lines[3]).to.equal('Office,Unit,Process,Stage,Deadline,Working days late');
      expect(lines[4]).to.include(list.items[0].processTitle.en);
    });

    it('exports the same list as CSV (BOM, the caption, the same rows)', async () => {
      const list = (await so.get('/api/v1/board/overdue?limit=2000')).body;
      const r = await so.get('/api/v1/board/export?format=csv');
      expect([...r.bytes.subarray(0, 3)]).to.deep.equal([0xef, 0xbb, 0xbf]);
      const lines = r.bytes.subarray(3).toString('utf8').split('\r\n');
      expect(lines[0]).to.match(/^Danh sách đơn vị quá hạn — Sở GDĐT/);
      expect(lines[1]).to.include('Tính đến: ');
      expect(lines[3]).to.equal('Phòng,Đơn vị,Quy trình,Giai đoạn,Hạn,Số ngày làm việc quá hạn');
      const data = lines.slice(4).filter(Boolean);
      expect(data).to.have.length(list.total);
      const late = data.map((l) => Number(l.split(',').at(-1)));
      expect(late).to.deep.equal([...late].sort((a, b) => b - a));
      expect(late).to.deep.equal(list.items.map((i: { daysLate: number }) => i.daysLate));
    });
  });
});

describe('http: đôn đốc by e-mail where it is configured', function () {
  this.timeout(60_000);
  let s: TestServer;
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  before(async () => {
    smtp = await startSmtp();
    s = await startTestServer({
      start: at8('2026-03-02'),
      notify: { smtpUrl: smtp.url, smtpFrom: 'Tiến độ <no-reply@test.vn>', baseUrl: 'http://tiendo.test' },
    });
  });
  after(async () => {
    await s?.close();
    await smtp?.close();
  });

  it('mails the people of the reminded unit, with the message, through the escalations’ path', async () => {
    const { id } = await s.app.runtime.engine.start({ definitionId: 'accreditation-general-school', orgUnitId: 'thcs_a1' }, { actor: 'test' });
    const sup = await s.client('sup_a');
    const r = await sup.post('/api/v1/board/remind', { instanceIds: [id], message: 'Nộp hồ sơ trước 15/3' });
    expect(r.body.sent).to.equal(1);
    await s.app.settled();
    const mails = smtp.mails.filter((m) => (parseMail(m.raw).headers.get('x-tiendo-escalation') ?? '').startsWith(`${id}.remind.`));
    expect(mails).to.have.length(1);
    expect(mails[0]!.to).to.include('staff_thcs_a1@test.vn');
    expect(mails[0]!.to).to.not.include('sup_a@test.vn');
    const text = parseMail(mails[0]!.raw).text;
    expect(text).to.include('đôn đốc').and.include('Nộp hồ sơ trước 15/3').and.include(`http://tiendo.test/#/instances/${id}`);
  });
});
