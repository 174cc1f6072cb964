// The export writers: CSV that Excel opens in Vietnamese and cannot be tricked into running a
// formula, and XLSX that reads back cell for cell.
import { expect } from 'chai';
import ExcelJS from 'exceljs';
import { toCsv } from '../../adapters/export/csv.ts';
import type { ExportTable } from '../../adapters/export/table.ts';
import { sheetName, toXlsx } from '../../adapters/export/xlsx.ts';

const BOARD: ExportTable = {
  sheet: 'Quá hạn',
  columns: [
    { key: 'unit', title: 'Đơn vị' },
    { key: 'stage', title: 'Giai đoạn' },
    { key: 'overdue', title: 'Quá hạn' },
    { key: 'note', title: 'Ghi chú' },
  ],
  rows: [
    { unit: 'Trường THCS Nguyễn Du', stage: 'Đăng ký đánh giá ngoài', overdue: 4, note: null },
    { unit: 'Trường Mầm non Hoa Sen, điểm chính', stage: 'Tự đánh giá', overdue: 0, note: 'Hiệu trưởng nói: "sẽ nộp"' },
    { unit: 'Phòng GDĐT Châu Thành', stage: 'Kiểm tra hồ sơ', overdue: 12, note: 'dòng 1\ndòng 2' },
  ],
};

function csvText(table: ExportTable): string {
  return toCsv(table).toString('utf8');
}

describe('CSV export', () => {
  it('starts with a UTF-8 byte-order mark and ends every line with CRLF', () => {
    const bytes = toCsv(BOARD);
    expect([...bytes.subarray(0, 3)]).to.deep.equal([0xef, 0xbb, 0xbf]);
    const text = bytes.toString('utf8').slice(1);
    expect(text.endsWith('\r\n')).to.equal(true);
    expect(text.split('\r\n')[0]).to.equal('Đơn vị,Giai đoạn,Quá hạn,Ghi chú');
  });

  it('quotes commas, doubles quotes and keeps line breaks inside a quoted field (RFC 4180)', () => {
    const lines = csvText(BOARD).slice(1).split('\r\n');
    expect(lines[1]).to.equal('Trường THCS Nguyễn Du,Đăng ký đánh giá ngoài,4,');
    expect(lines[2]).to.equal('"Trường Mầm non Hoa Sen, điểm chính",Tự đánh giá,0,"Hiệu trưởng nói: ""sẽ nộp"""');
    expect(csvText(BOARD)).to.contain('12,"dòng 1\ndòng 2"\r\n');
  });

  it('round-trips Vietnamese text with every diacritic', () => {
    const text = 'Hưng Khánh Trung B, Đa Phước Hội — Ỷ Lan, Ữ, ẫ, ặ';
    const csv = csvText({ sheet: 'x', columns: [{ key: 'a', title: 'Tên' }], rows: [{ a: text }] });
    expect(parseCsv(csv.slice(1))[1]).to.deep.equal([text]);
    expect(Buffer.from(csv, 'utf8').toString('utf8')).to.equal(csv);
  });

  it('prefixes text a spreadsheet would run as a formula with a quote', () => {
    const attacks = ['=HYPERLINK("http://x","bấm")', '+1+1', '-2+3', '@SUM(A1)', '\tTAB', '\rCR'];
    const csv = csvText({ sheet: 'x', columns: [{ key: 'a', title: '=Tiêu đề' }], rows: attacks.map((a) => ({ a })) });
    const cells = parseCsv(csv.slice(1)).map((r) => r[0]!);
    expect(cells).to.deep.equal(["'=Tiêu đề", ...attacks.map((a) => `'${a}`)]);
  });

  it('leaves numbers as numbers, negative ones included, and safe text alone', () => {
    const csv = csvText({
      sheet: 'x',
      columns: [
        { key: 'n', title: 'n' },
        { key: 't', title: 't' },
      ],
      rows: [
        { n: -3, t: 'a-b = c' },
        { n: 2.5, t: null },
      ],
    });
    expect(csv.slice(1).split('\r\n').slice(1, 3)).to.deep.equal(['-3,a-b = c', '2.5,']);
  });
});

describe('XLSX export', () => {
  async function readBack(bytes: Buffer): Promise<ExcelJS.Workbook> {
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(bytes as unknown as ArrayBuffer);
    return workbook;
  }

  it('reads back the same cells, numbers as numbers, under the sheet name', async () => {
    const workbook = await readBack(await toXlsx(BOARD));
    const sheet = workbook.getWorksheet('Quá hạn')!;
    expect(sheet).to.not.equal(undefined);
    const values = (n: number) => (sheet.getRow(n).values as unknown[]).slice(1);
    expect(values(1)).to.deep.equal(['Đơn vị', 'Giai đoạn', 'Quá hạn', 'Ghi chú']);
    expect(values(2)).to.deep.equal(['Trường THCS Nguyễn Du', 'Đăng ký đánh giá ngoài', 4]);
    expect(values(3)).to.deep.equal(['Trường Mầm non Hoa Sen, điểm chính', 'Tự đánh giá', 0, 'Hiệu trưởng nói: "sẽ nộp"']);
    expect(values(4)).to.deep.equal(['Phòng GDĐT Châu Thành', 'Kiểm tra hồ sơ', 12, 'dòng 1\ndòng 2']);
    expect(sheet.getCell('C2').type).to.equal(ExcelJS.ValueType.Number);
    expect(sheet.rowCount).to.equal(4);
  });

  it('has a bold header row frozen in place and columns sized to their content', async () => {
    const sheet = (await readBack(await toXlsx(BOARD))).worksheets[0]!;
    expect(sheet.getCell('A1').font?.bold).to.equal(true);
    expect(sheet.views[0]).to.include({ state: 'frozen', ySplit: 1 });
    // exceljs leaves out a column of its default width (9), and reads it back as undefined.
    expect(sheet.getColumn(3).width ?? 9).to.equal('Quá hạn'.length + 2);
    expect(sheet.getColumn(1).width).to.equal('Trường Mầm non Hoa Sen, điểm chính'.length + 2);
  });

  it('stores formula-looking text as text, never as a formula', async () => {
    const sheet = (await readBack(await toXlsx({ sheet: 'x', columns: [{ key: 'a', title: 'a' }], rows: [{ a: '=1+1' }] }))).worksheets[0]!;
    expect(sheet.getCell('A2').type).to.equal(ExcelJS.ValueType.String);
    expect(sheet.getCell('A2').value).to.equal('=1+1');
  });

  it('makes any title a valid sheet name', () => {
    expect(sheetName('Báo cáo 2025/2026: [Quá hạn]?')).to.equal('Báo cáo 2025 2026   Quá hạn');
    expect(sheetName('')).to.equal('Sheet1');
    expect(sheetName('x'.repeat(40))).to.have.length(31);
  });
});

/** A strict RFC 4180 reader, enough to check what the writer wrote. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else cell += c;
  }
  return rows;
}
