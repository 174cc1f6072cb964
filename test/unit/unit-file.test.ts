// The unit lists offices keep come in their own spellings: headers with or without diacritics, in
// Vietnamese or English, kinds as "Phòng GD&ĐT" or "district-office". All of them read the same.
import { expect } from 'chai';
import ExcelJS from 'exceljs';
import { csvCells, formatOf, readUnitSheet, UnitSheetError, writeUnitSheet } from '../../adapters/files/unit-sheet.ts';
import type { OrgUnit } from '../../engine/domain.ts';
import { fold, formatProblem, kindOf, levelOf, phoneOf, readUnitTable, type UnitTable } from '../../engine/org/unit-file.ts';

const table = (header: string[], ...rows: string[][]): UnitTable => ({ file: 'units.csv', header, rows });

describe('unit file: columns', () => {
  const row = ['th-a', 'Tiểu học An Hòa', 'Tiểu học', 'pgd-cl', 'Tiểu học', 'a@x.vn', '0275 123'];
  const spellings = [
    ['Mã đơn vị', 'Tên đơn vị', 'Loại đơn vị', 'Mã đơn vị cấp trên', 'Cấp học', 'Email', 'Điện thoại'],
    ['Ma don vi', 'Ten don vi', 'Loai don vi', 'Ma don vi cap tren', 'Cap hoc', 'EMAIL', 'Dien thoai'],
    ['MÃ_ĐƠN_VỊ', 'tên_đơn_vị', 'LOẠI ĐƠN VỊ', 'mã_đơn_vị_cấp_trên', 'cấp_học', 'email', 'điện_thoại'],
    ['code', 'name', 'kind', 'parent_code', 'levels', 'email', 'phone'],
    ['Code', 'Name', 'Kind', 'Parent', 'Levels', 'E-mail', 'Phone'],
  ];
  for (const header of spellings)
    it(`reads the header ${header.join(' | ')}`, () => {
      const read = readUnitTable(table(header, row));
      expect(read.problems).to.deep.equal([]);
      const r = read.rows[0]!;
      expect([r.row, r.code, r.name, r.kind, r.parentCode, r.levels, r.email, r.phone]).to.deep.equal([
        2,
        'th-a',
        'Tiểu học An Hòa',
        'primary',
        'pgd-cl',
        ['primary'],
        'a@x.vn',
        '0275 123',
      ]);
    });

  it('names each missing required column on row 1, all at once, and reads no rows', () => {
    const read = readUnitTable(table(['Tên đơn vị', 'Ghi chú'], ['x', 'y']));
    expect(read.rows).to.deep.equal([]);
    expect(read.problems.map((p) => [p.row, p.code, p.params.field])).to.deep.equal([
      [1, 'MISSING_COLUMN', 'code'],
      [1, 'MISSING_COLUMN', 'kind'],
      [1, 'MISSING_COLUMN', 'parent'],
    ]);
    expect(formatProblem(read.problems[0]!)).to.equal('units.csv:1:3: error MISSING_COLUMN thiếu cột "Mã đơn vị" (hoặc "code")');
    expect(formatProblem(read.problems[0]!, 'en')).to.equal('units.csv:1:3: error MISSING_COLUMN no "code" column (or "Mã đơn vị")');
  });

  it('finds the header under a title block, and counts rows as the file does', () => {
    const read = readUnitTable(
      table(
        ['DANH SÁCH ĐƠN VỊ TRỰC THUỘC', '', '', ''],
        ['(kèm theo Quyết định số 12/QĐ-SGDĐT)', '', '', ''],
        [],
        ['Mã đơn vị', 'Tên đơn vị', 'Loại đơn vị', 'Mã đơn vị cấp trên'],
        ['so', 'Sở', 'Sở GDĐT', ''],
      ),
    );
    expect(read.problems).to.deep.equal([]);
    expect(read.columns.code).to.deep.equal({ index: 1, header: 'Mã đơn vị' });
    expect(read.rows.map((r) => [r.row, r.code])).to.deep.equal([[5, 'so']]);
  });

  it('trims cells, skips empty rows, keeps row numbers as the file counts them', () => {
    const read = readUnitTable(table(['code', 'name', 'kind', 'parent'], ['', '', '', ''], ['  so  ', ' Sở GDĐT Bến Tre ', ' Sở GDĐT ', ' '], [], ['   ']));
    expect(read.rows.map((r) => [r.row, r.code, r.name, r.kind, r.parentCode])).to.deep.equal([[3, 'so', 'Sở GDĐT Bến Tre', 'department', '']]);
    // No levels, email or phone column: the store's values stay (undefined, not empty).
    expect(read.rows[0]).not.to.have.property('levels');
    expect(read.rows[0]).not.to.have.property('email');
  });

  it('separates levels by , or ; and collects the names it cannot read for the planner', () => {
    const read = readUnitTable(table(['code', 'name', 'kind', 'parent', 'levels'], ['p', 'P', 'Phòng GDĐT', 'so', 'Mầm non; Tiểu học, THCS ,, Đại học']));
    expect(read.rows[0]!.levels).to.deep.equal(['preschool', 'primary', 'lower-secondary']);
    expect(read.rows[0]!.unknownLevels).to.deep.equal(['Đại học']);
  });
});

describe('unit file: kind and level names', () => {
  const kinds: [string, string][] = [
    ['Bộ GDĐT', 'ministry'],
    ['Bộ GD&ĐT', 'ministry'],
    ['Sở GDĐT', 'department'],
    ['Sở Giáo dục và Đào tạo', 'department'],
    ['sở gd&đt', 'department'],
    ['Phòng GDĐT', 'district-office'],
    ['Phòng Giáo dục và Đào tạo', 'district-office'],
    ['Phòng GD&ĐT', 'district-office'],
    ['PHONG GD&DT', 'district-office'],
    ['UBND xã', 'commune'],
    ['UBND phường', 'commune'],
    ['UBND đặc khu', 'commune'],
    ['xã', 'commune'],
    ['Phường', 'commune'],
    ['Mầm non', 'preschool'],
    ['Mẫu giáo', 'preschool'],
    ['Nhà trẻ', 'preschool'],
    ['Tiểu học', 'primary'],
    ['Trường Tiểu học', 'primary'],
    ['THCS', 'lower-secondary'],
    ['Trung học cơ sở', 'lower-secondary'],
    ['THPT', 'upper-secondary'],
    ['trung hoc pho thong', 'upper-secondary'],
    ['Liên cấp', 'multi-level'],
    ['Nhiều cấp học', 'multi-level'],
    ['Phổ thông nhiều cấp học', 'multi-level'],
    ['TH&THCS', 'multi-level'],
    ['THCS&THPT', 'multi-level'],
    ['GDNN-GDTX', 'continuing-education'],
    ['Trung tâm GDNN-GDTX', 'continuing-education'],
    ['GDTX', 'continuing-education'],
    ['Trung tâm GDTX', 'continuing-education'],
  ];
  const ids = [
    'ministry',
    'department',
    'district-office',
    'commune',
    'preschool',
    'primary',
    'lower-secondary',
    'upper-secondary',
    'multi-level',
    'continuing-education',
  ];
  for (const id of ids) kinds.push([id, id], [id.toUpperCase(), id]);
  it('reads every name offices write, and the project ids, whatever the case and diacritics', () => {
    for (const [text, kind] of kinds) expect(kindOf(text), text).to.equal(kind);
    expect(kindOf('Đại học')).to.equal(undefined);
    expect(kindOf('')).to.equal(undefined);
  });

  it('reads levels by name or id', () => {
    const levels: [string, string][] = [
      ['Mầm non', 'preschool'],
      ['Tiểu học', 'primary'],
      ['THCS', 'lower-secondary'],
      ['THPT', 'upper-secondary'],
      ['upper-secondary', 'upper-secondary'],
      ['trung học cơ sở', 'lower-secondary'],
    ];
    for (const [text, level] of levels) expect(levelOf(text), text).to.equal(level);
    expect(levelOf('Đại học')).to.equal(undefined);
  });

  it('folds đ to d and drops marks, spaces and punctuation', () => {
    expect(fold('Mã đơn vị cấp trên')).to.equal('madonvicaptren');
    expect(fold('GD&ĐT')).to.equal(fold('GDĐT'));
  });
});

describe('unit file: phone numbers', () => {
  it('gives back the leading 0 a spreadsheet drops from a number, and keeps what was written otherwise', () => {
    expect(phoneOf('912345678')).to.equal('0912345678');
    expect(phoneOf('2753822111')).to.equal('02753822111');
    expect(phoneOf('0275 3822 111')).to.equal('0275 3822 111');
    expect(phoneOf('+84 912 345 678')).to.equal('+84 912 345 678');
    expect(phoneOf('1900')).to.equal('1900');
    expect(phoneOf('')).to.equal('');
  });
});

describe('unit file: CSV and XLSX', () => {
  it('reads CSV with or without BOM, "," or ";" separated, quoted fields with separators, quotes and line breaks', () => {
    const comma = Buffer.from('\uFEFFcode,name\r\nth,"Trường ""A"", cơ sở 2"\r\nx,"two\nlines"\r\n');
    expect(csvCells(comma)).to.deep.equal([
      ['code', 'name'],
      ['th', 'Trường "A", cơ sở 2'],
      ['x', 'two\nlines'],
    ]);
    const semi = Buffer.from('Mã đơn vị;Tên đơn vị\nth;Tiểu học A, B\n');
    expect(csvCells(semi)).to.deep.equal([
      ['Mã đơn vị', 'Tên đơn vị'],
      ['th', 'Tiểu học A, B'],
    ]);
  });

  it('reads what Excel saves as "Unicode Text": UTF-16 (either byte order) with tabs', () => {
    const text = 'Mã đơn vị\tTên đơn vị\nth\tTrường Tiểu học Phú Hưng, cơ sở 2\n';
    const rows = [
      ['Mã đơn vị', 'Tên đơn vị'],
      ['th', 'Trường Tiểu học Phú Hưng, cơ sở 2'],
    ];
    expect(csvCells(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]))).to.deep.equal(rows);
    expect(csvCells(Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(text, 'utf16le').swap16()]))).to.deep.equal(rows);
  });

  it('refuses text that is not UTF-8 and an old .xls, saying how to save it', () => {
    expect(() => csvCells(Buffer.from([0x63, 0x6f, 0x64, 0x65, 0x0a, 0xe0, 0x0a]))).to.throw(UnitSheetError, /CSV UTF-8/);
    expect(() => formatOf(Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0, 0]), 'a.xls')).to.throw(UnitSheetError, /\.xls/);
    expect(() => formatOf(Buffer.from('code,name\n'), 'a.xlsx')).to.throw(UnitSheetError, /not an XLSX/);
  });

  it('decides XLSX by its zip header, whatever the name', async () => {
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('Danh sách');
    sheet.addRow(['Mã đơn vị', 'Tên đơn vị', 'Loại đơn vị', 'Mã đơn vị cấp trên', 'Điện thoại']);
    sheet.addRow(['so', { richText: [{ text: 'Sở GDĐT ' }, { text: 'Bến Tre', font: { bold: true } }] }, 'Sở GDĐT', null, 2753822]);
    sheet.addRow([]);
    sheet.addRow(['th', 'Tiểu học A', 'Tiểu học', 'so', { formula: '"0275"&"1"', result: '02751' }]);
    workbook.addWorksheet('Ghi chú').addRow(['not read']);
    const bytes = Buffer.from(await workbook.xlsx.writeBuffer());
    expect(formatOf(bytes, 'units.csv')).to.equal('xlsx');
    const t = await readUnitSheet(bytes, 'units.dat');
    expect(t.header).to.deep.equal(['Mã đơn vị', 'Tên đơn vị', 'Loại đơn vị', 'Mã đơn vị cấp trên', 'Điện thoại']);
    const read = readUnitTable(t);
    expect(read.rows.map((r) => [r.row, r.code, r.name, r.kind, r.parentCode, r.phone])).to.deep.equal([
      [2, 'so', 'Sở GDĐT Bến Tre', 'department', '', '2753822'],
      [4, 'th', 'Tiểu học A', 'primary', 'so', '02751'],
    ]);
  });

  it('writes the Vietnamese headers and office names, CSV with a BOM', async () => {
    const units: OrgUnit[] = [
      { id: 'so', kind: 'department', name: 'Sở GDĐT Bến Tre', path: '/so/', depth: 0, createdAt: 0 },
      {
        id: 'pgd',
        parentId: 'so',
        kind: 'district-office',
        name: 'Phòng GDĐT Châu Thành',
        path: '/so/pgd/',
        depth: 1,
        levels: ['preschool', 'primary'],
        phone: '+84 275',
        createdAt: 0,
      },
      { id: 'old', parentId: 'so', kind: 'primary', name: 'Closed', path: '/so/old/', depth: 1, closedAt: 5, createdAt: 0 },
    ];
    const csv = (await writeUnitSheet(units, 'csv')).toString('utf8');
    expect(csv.startsWith('\uFEFFMã đơn vị,Tên đơn vị,Loại đơn vị,Mã đơn vị cấp trên,Cấp học,Email,Điện thoại\r\n')).to.equal(true);
    expect(csv).to.include('pgd,Phòng GDĐT Châu Thành,Phòng GDĐT,so,"Mầm non, Tiểu học",,');
    expect(csv, 'closed units are not exported').not.to.include('Closed');
    const back = readUnitTable(await readUnitSheet(Buffer.from(csv), 'u.csv'));
    expect(back.rows[1]!.phone, 'the formula guard is undone').to.equal('+84 275');
  });
});
