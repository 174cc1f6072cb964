// Importing the province's unit list over HTTP (the UI's import page): the file's bytes as the body,
// every problem at its row and column in both languages, a dry run that changes nothing, the fix
// applied in one transaction and recorded, the export read back as the same file, and the caller's
// units as the limit of what an import may touch.
import { expect } from 'chai';
import ExcelJS from 'exceljs';
import { errorOf, startTestServer, type TestServer } from './support.ts';

const HEADER = 'Mã đơn vị,Tên đơn vị,Loại đơn vị,Mã đơn vị cấp trên,Cấp học,Email,Điện thoại';
const GOOD = [
  HEADER,
  'xa_an_hoa,UBND xã An Hóa,UBND xã,so,,,',
  'th_an_hoa_2,Trường Tiểu học An Hóa 2,Tiểu học,xa_an_hoa,,th2@bentre.edu.vn,0275 3822 111',
  'ts_1,Trường THCS & THPT Thạnh Phú,Liên cấp,so,"THCS, THPT",,',
].join('\n');
/** Row 3 names a parent that does not exist, row 4 a kind nobody writes. */
const BAD = [
  HEADER,
  'xa_an_hoa,UBND xã An Hóa,UBND xã,so,,,',
  'th_an_hoa_2,Trường Tiểu học An Hóa 2,Tiểu học,xa_khong_co,,,',
  'ts_1,Trường Thạnh Phú,Trường dạy nghề,so,,,',
].join('\n');

describe('HTTP: importing and exporting the unit list', function () {
  let t: TestServer;
  before(async () => (t = await startTestServer()));
  after(() => t?.close());

  const upload = async (login: string, body: string | Buffer, query: string, type = 'text/csv') =>
    (await t.client(login)).call('POST', `/api/v1/org-units/import?${query}`, body, { 'content-type': type });
  const units = async () => (await t.app.runtime.db('org_units').select('id', 'parent_id', 'name', 'closed_at').orderBy('id')) as { id: string }[];

  it('reports every problem of a file at its row and column, in Vietnamese and English, and writes nothing', async () => {
    const before = await units();
    const dry = await upload('admin_so', BAD, 'file=don-vi.csv&dryRun=true');
    expect(dry.status).to.equal(200);
    expect(dry.body.applied).to.equal(false);
    expect(dry.body.problems.map((p: any) => [p.row, p.header, p.code])).to.deep.equal([
      [3, 'Mã đơn vị cấp trên', 'UNKNOWN_PARENT'],
      [4, 'Loại đơn vị', 'UNKNOWN_KIND'],
    ]);
    expect(dry.body.problems[1].message.vi).to.match(/Trường dạy nghề/);
    expect(dry.body.problems[1].message.en).to.be.a('string');
    const real = await upload('admin_so', BAD, 'file=don-vi.csv');
    expect(real.status).to.equal(422);
    expect(real.body.error.code).to.equal('IMPORT_REFUSED');
    expect(real.body.error.details.problemCount).to.equal(2);
    expect(await units()).to.deep.equal(before);
  });

  it('previews the corrected file, applies it, records it, and a second import changes nothing', async () => {
    const dry = await upload('admin_so', GOOD, 'file=don-vi.csv&dryRun=true');
    expect(dry.body.problems).to.deep.equal([]);
    expect(dry.body.summary.counts).to.deep.include({ added: 3, moved: 0, closed: 0 });
    expect((await units()).map((u) => u.id)).to.not.include('xa_an_hoa');
    const done = await upload('admin_so', GOOD, 'file=don-vi.csv');
    expect(done.status).to.equal(200);
    expect(done.body.applied).to.equal(true);
    const school = (await t.app.runtime.store.getUnit('th_an_hoa_2'))!;
    expect(school).to.deep.include({ path: '/so/xa_an_hoa/th_an_hoa_2/', kind: 'primary', email: 'th2@bentre.edu.vn', phone: '0275 3822 111' });
    expect((await t.app.runtime.store.getUnit('ts_1'))!).to.deep.include({ kind: 'multi-level', levels: ['lower-secondary', 'upper-secondary'] });
    const audit = await (await t.client('admin_so')).get('/api/v1/audit?action=units.import');
    expect(audit.body.items[0]).to.deep.include({ action: 'units.import', target: 'don-vi.csv', actorName: 'Người dùng admin_so' });
    const again = await upload('admin_so', GOOD, 'file=don-vi.csv');
    expect(again.body.summary.counts).to.deep.equal({ added: 0, renamed: 0, updated: 0, moved: 0, closed: 0 });
  });

  it('exports the subtree as the same columns, and the export imported again changes nothing (XLSX)', async () => {
    const c = await t.client('admin_so');
    const r = await c.get('/api/v1/org-units/export?format=xlsx&rootId=xa_an_hoa');
    expect(r.status).to.equal(200);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(r.bytes as unknown as ArrayBuffer);
    const rows = book.worksheets[0]!.getSheetValues()
      .filter(Boolean)
      .map((row) => (row as unknown[]).slice(1, 5));
    expect(rows[0]).to.deep.equal(['Mã đơn vị', 'Tên đơn vị', 'Loại đơn vị', 'Mã đơn vị cấp trên']);
    expect(rows.map((x) => x[0])).to.deep.equal(['Mã đơn vị', 'xa_an_hoa', 'th_an_hoa_2']);
    const back = await upload('admin_so', r.bytes, 'file=export.xlsx&dryRun=true', 'application/octet-stream');
    expect(back.body.problems).to.deep.equal([]);
    expect(back.body.summary.counts).to.deep.equal({ added: 0, renamed: 0, updated: 0, moved: 0, closed: 0 });
  });

  it("limits an import to the caller's units: a Phòng administrator adds schools under their Phòng, not elsewhere", async () => {
    const own = await upload('admin_a', [HEADER, 'th_a_moi,TH Mới,Tiểu học,pgd_a,,,'].join('\n'), 'file=pgd-a.csv');
    expect(own.status).to.equal(200);
    expect((await t.app.runtime.store.getUnit('th_a_moi'))!.path).to.equal('/so/pgd_a/th_a_moi/');
    const other = await upload('admin_a', [HEADER, 'th_b_moi,TH Khác,Tiểu học,pgd_b,,,'].join('\n'), 'file=pgd-b.csv');
    expect(other.status).to.equal(422);
    // Phòng B lies outside: its code reads as a parent that does not exist, as a made-up one does.
    const outside = other.body.error.details.problems[0];
    const madeUp = (await upload('admin_a', [HEADER, 'th_b_moi,TH Khác,Tiểu học,pgd_khong_co,,,'].join('\n'), 'file=pgd-b.csv')).body.error.details.problems[0];
    expect(outside).to.deep.include({ row: 2, header: 'Mã đơn vị cấp trên', code: 'UNKNOWN_PARENT' });
    expect({ ...outside, message: outside.message.en.replace('pgd_b', 'X'), params: {} }).to.deep.equal({
      ...madeUp,
      message: madeUp.message.en.replace('pgd_khong_co', 'X'),
      params: {},
    });
    expect(await t.app.runtime.store.getUnit('th_b_moi')).to.equal(undefined);
    const staff = await upload('staff_a', GOOD, 'file=x.csv&dryRun=true');
    expect(staff.status).to.equal(403);
  });

  it('refuses an empty body and a file that is no unit list, saying what and where', async () => {
    const empty = await upload('admin_so', '', 'file=x.csv&dryRun=true');
    expect(empty.status).to.equal(400);
    expect(errorOf(empty).message).to.match(/send the file/);
    const pdf = await upload('admin_so', Buffer.from('%PDF-1.4 not a sheet'), 'file=x.pdf&dryRun=true', 'application/octet-stream');
    expect(pdf.status).to.equal(200);
    expect(pdf.body.problems[0].row).to.equal(1);
  });
});
