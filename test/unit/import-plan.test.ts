// An office's unit list becomes the org commands that make the store match it — or every problem
// of the file at once, each at its row and column. Re-importing the same file changes nothing.
import { expect } from 'chai';
import { readUnitFile, readUnitSheet, writeUnitSheet } from '../../adapters/files/unit-sheet.ts';
import { provinceUnitFile, provinceUnits } from '../../bench/lib/province-units.ts';
import type { OrgOperation } from '../../engine/application/org-commands.ts';
import type { OrgUnit } from '../../engine/domain.ts';
import { planImport } from '../../engine/org/import-plan.ts';
import { formatProblem, readUnitTable, type UnitTable } from '../../engine/org/unit-file.ts';

const HEADER = ['Mã đơn vị', 'Tên đơn vị', 'Loại đơn vị', 'Mã đơn vị cấp trên', 'Cấp học', 'Email', 'Điện thoại'];

function plan(rows: string[][], existing: ReadonlyMap<string, OrgUnit> = new Map(), header = HEADER) {
  const table: UnitTable = { file: 'units.csv', header, rows };
  const read = readUnitTable(table);
  expect(read.problems, 'columns').to.deep.equal([]);
  return planImport(read.rows, existing, 'units.csv');
}

/** What the store would hold after the operations: a model of Organisation.reshape's effect. */
function applied(ops: readonly OrgOperation[], before: ReadonlyMap<string, OrgUnit> = new Map()): Map<string, OrgUnit> {
  const units = new Map([...before].map(([id, u]) => [id, { ...u }]));
  const place = (u: OrgUnit) => {
    const parent = u.parentId ? units.get(u.parentId)! : undefined;
    u.path = `${parent?.path ?? '/'}${u.id}/`;
    u.depth = parent ? parent.depth + 1 : 0;
  };
  for (const op of ops) {
    if (op.op === 'add') {
      const { op: _op, source: _s, ...fields } = op;
      const u: OrgUnit = { ...fields, path: '', depth: 0, createdAt: 0 };
      place(u);
      units.set(u.id, u);
    } else if (op.op === 'update') {
      const u = units.get(op.id)!;
      for (const [k, v] of Object.entries(op)) {
        if (k === 'op' || k === 'id' || k === 'source') continue;
        if (v === null) delete (u as unknown as Record<string, unknown>)[k];
        else (u as unknown as Record<string, unknown>)[k] = v;
      }
    } else if (op.op === 'move') {
      const u = units.get(op.id)!;
      const old = u.path;
      u.parentId = op.parentId;
      place(u);
      for (const d of units.values()) if (d !== u && d.path.startsWith(old)) place(d);
    } else if (op.op === 'close') units.get(op.id)!.closedAt = 1;
  }
  // Children after their parents were re-placed in a move: place again in depth order.
  return units;
}

const PHONG_TREE = [
  ['th-an-hoa', 'Trường Tiểu học An Hòa', 'Tiểu học', 'pgd-cl', 'Tiểu học', '', ''],
  ['pgd-cl', 'Phòng GD&ĐT Chợ Lách', 'Phòng GDĐT', 'so-bt', 'Mầm non, Tiểu học, THCS', 'pgd@cholach.edu.vn', '0275 3871 234'],
  ['so-bt', 'Sở GDĐT Bến Tre', 'Sở Giáo dục và Đào tạo', '', '', 'so@bentre.edu.vn', ''],
  ['mn-hoa-mai', 'Trường Mầm non Hoa Mai', 'Mầm non', 'pgd-cl', '', '', ''],
  ['thcs-vinh-thanh', 'Trường THCS Vĩnh Thành', 'THCS', 'pgd-cl', '', '', ''],
];

describe('import plan: every problem at once', () => {
  const existing = applied(
    plan([
      ['so', 'Sở GDĐT', 'Sở GDĐT', '', '', '', ''],
      ['pgd', 'Phòng GDĐT', 'Phòng GDĐT', 'so', '', '', ''],
      ['thpt-1', 'THPT 1', 'THPT', 'so', '', '', ''],
      ['old', 'Closed school', 'Tiểu học', 'pgd', '', '', ''],
      ['old-pgd', 'Closed office', 'Phòng GDĐT', 'so', '', '', ''],
    ]).operations,
  );
  existing.get('old')!.closedAt = 1;
  existing.get('old-pgd')!.closedAt = 1;
  const file = [
    /* 2 */ ['', 'Không mã', 'Tiểu học', 'pgd', '', '', ''],
    /* 3 */ ['th ấp 1', 'Mã sai', 'Tiểu học', 'pgd', '', '', ''],
    /* 4 */ ['th-a', 'A', 'Tiểu học', 'pgd', '', '', ''],
    /* 5 */ ['th-a', 'A lần hai', 'Tiểu học', 'pgd', '', '', ''],
    /* 6 */ ['th-b', '', 'Tiểu học', 'pgd', '', '', ''],
    /* 7 */ ['th-c', 'C', 'Đại học', 'pgd', '', '', ''],
    /* 8 */ ['th-d', 'D', 'Tiểu học', 'pgd', 'Tiểu học; Cao đẳng', '', ''],
    /* 9 */ ['th-e', 'E', 'Tiểu học', 'khong-co', '', '', ''],
    /* 10 */ ['x1', 'X1', 'UBND xã', 'x2', '', '', ''],
    /* 11 */ ['x2', 'X2', 'UBND xã', 'x1', '', '', ''],
    /* 12 */ ['th-f', 'F', 'Tiểu học', 'thpt-1', '', '', ''],
    /* 13 */ ['so-2', 'Sở trong trường', 'Sở GDĐT', 'th-a', '', '', ''],
    /* 14 */ ['th-g', 'G', 'Tiểu học', 'pgd', '', 'th-g at school', ''],
    /* 15 */ ['th-h', 'H', 'Tiểu học', 'old-pgd', '', '', ''],
    /* 16 */ ['old', 'Reused', 'Tiểu học', 'pgd', '', '', ''],
    /* 17 */ ['bo', 'Bộ dưới Sở', 'Bộ GDĐT', 'so', '', '', ''],
  ];
  const result = plan(file, existing);

  it('reports each, with its row, column number and header, and plans nothing', () => {
    expect(result.operations).to.deep.equal([]);
    expect(result.problems.map((p) => [p.row, p.column, p.header, p.code])).to.deep.equal([
      [2, 1, 'Mã đơn vị', 'EMPTY_CODE'],
      [3, 1, 'Mã đơn vị', 'BAD_CODE'],
      [5, 1, 'Mã đơn vị', 'DUPLICATE_CODE'],
      [6, 2, 'Tên đơn vị', 'EMPTY_NAME'],
      [7, 3, 'Loại đơn vị', 'UNKNOWN_KIND'],
      [8, 5, 'Cấp học', 'UNKNOWN_LEVEL'],
      [9, 4, 'Mã đơn vị cấp trên', 'UNKNOWN_PARENT'],
      [10, 4, 'Mã đơn vị cấp trên', 'CYCLE'],
      [12, 4, 'Mã đơn vị cấp trên', 'SCHOOL_UNDER_SCHOOL'],
      [13, 4, 'Mã đơn vị cấp trên', 'BAD_PARENT_KIND'],
      [14, 6, 'Email', 'BAD_EMAIL'],
      [15, 4, 'Mã đơn vị cấp trên', 'UNKNOWN_PARENT'],
      [16, 1, 'Mã đơn vị', 'CLOSED_CODE'],
      [17, 4, 'Mã đơn vị cấp trên', 'BAD_PARENT_KIND'],
    ]);
  });

  it('says what is wrong and how to fix it, in Vietnamese and English', () => {
    const by = (row: number) => result.problems.find((p) => p.row === row)!;
    expect(formatProblem(by(3))).to.equal(
      'units.csv:3:1: error BAD_CODE "th ấp 1" không dùng được làm mã đơn vị: chỉ chữ cái không dấu, chữ số, _ và -, tối đa 64 ký tự',
    );
    expect(by(3).message.en).to.equal('"th ấp 1" cannot be a unit code: letters without diacritics, digits, _ and -, at most 64');
    expect(by(5).message.en).to.equal('code "th-a" is already on row 4');
    expect(by(5).params.firstRow).to.equal(4);
    expect(by(7).message.vi).to.include('Phòng GDĐT').and.include('GDNN-GDTX');
    expect(by(7).message.en).to.include('district-office').and.include('continuing-education');
    expect(by(8).params.value).to.equal('Cao đẳng');
    expect(by(10).message.en).to.equal('parents form a cycle: x1 → x2 → x1');
    expect(by(10).params.rows).to.deep.equal([10, 11]);
    expect(by(12).message.vi).to.equal('trường "th-f" (Tiểu học) không thể trực thuộc trường "thpt-1" (THPT)');
    expect(by(13).message.en).to.equal('a department ("so-2") cannot be under a primary ("th-a"); it may be under: top, ministry');
    expect(by(15).message.en).to.equal('parent unit "old-pgd" is closed or merged');
    expect(by(17).message.en).to.include('a ministry ("bo") cannot be under a department ("so")');
    for (const p of result.problems) {
      expect(p.file).to.equal('units.csv');
      expect(p.message.vi, p.code).to.be.a('string').and.not.equal(p.message.en);
    }
  });
});

describe('import plan: tree shapes', () => {
  it('Sở → Phòng → schools, rows in any order: adds come parents first, with levels and contacts', () => {
    const { operations, problems } = plan(PHONG_TREE);
    expect(problems).to.deep.equal([]);
    expect(operations.map((o) => o.id)).to.deep.equal(['so-bt', 'pgd-cl', 'th-an-hoa', 'mn-hoa-mai', 'thcs-vinh-thanh']);
    expect(operations[1]).to.deep.equal({
      op: 'add',
      id: 'pgd-cl',
      parentId: 'so-bt',
      kind: 'district-office',
      name: 'Phòng GD&ĐT Chợ Lách',
      levels: ['preschool', 'primary', 'lower-secondary'],
      email: 'pgd@cholach.edu.vn',
      phone: '0275 3871 234',
      source: { row: 3, column: 'Mã đơn vị' },
    });
    expect(operations[0]).to.include({ kind: 'department' }).and.not.have.property('parentId');
  });

  it('Sở → commune → schools, with THPT and GDNN-GDTX under the Sở (the two-level government)', () => {
    const { operations, problems } = plan(
      [
        ['mn-xa-1', 'Mầm non xã 1', 'Mẫu giáo', 'xa-1', '', '', ''],
        ['thcs-xa-1', 'THCS xã 1', 'Trung học cơ sở', 'xa-1', '', '', ''],
        ['ts-xa-1', 'TH&THCS xã 1', 'TH&THCS', 'xa-1', 'Tiểu học; THCS', '', ''],
        ['xa-1', 'UBND xã Một', 'UBND xã', 'so', '', '', ''],
        ['phuong-2', 'UBND phường Hai', 'phường', 'so', '', '', ''],
        ['dk-3', 'UBND đặc khu Ba', 'UBND đặc khu', 'so', '', '', ''],
        ['thpt-a', 'THPT A', 'THPT', 'so', '', '', ''],
        ['gdtx', 'Trung tâm GDNN-GDTX', 'Trung tâm GDNN-GDTX', 'so', '', '', ''],
        ['so', 'Sở GDĐT', 'Sở GD&ĐT', '', '', '', ''],
      ],
      new Map(),
      ['code', 'name', 'kind', 'parent_code', 'levels', 'email', 'phone'],
    );
    expect(problems).to.deep.equal([]);
    expect(operations.map((o) => o.id)).to.deep.equal(['so', 'xa-1', 'phuong-2', 'dk-3', 'thpt-a', 'gdtx', 'mn-xa-1', 'thcs-xa-1', 'ts-xa-1']);
    expect(operations.map((o) => (o.op === 'add' ? o.kind : ''))).to.deep.equal([
      'department',
      'commune',
      'commune',
      'commune',
      'upper-secondary',
      'continuing-education',
      'preschool',
      'lower-secondary',
      'multi-level',
    ]);
  });

  it('a ministry above a Sở already stored: the ministry is added and the Sở moved under it', () => {
    const store = applied(plan(PHONG_TREE).operations);
    const { operations, problems } = plan(
      [['bo', 'Bộ Giáo dục và Đào tạo', 'Bộ GDĐT', '', '', '', ''], ...PHONG_TREE.map((r) => (r[0] === 'so-bt' ? [...r.slice(0, 3), 'bo', ...r.slice(4)] : r))],
      store,
    );
    expect(problems).to.deep.equal([]);
    expect(operations.map(({ source: _s, ...o }) => o)).to.deep.equal([
      { op: 'add', id: 'bo', kind: 'ministry', name: 'Bộ Giáo dục và Đào tạo' },
      { op: 'move', id: 'so-bt', parentId: 'bo' },
    ]);
  });

  it('refuses the shapes that make no sense: a school at the top, a commune under a Phòng, a ministry under anything', () => {
    const { problems } = plan([
      ['so', 'Sở', 'Sở GDĐT', '', '', '', ''],
      ['pgd', 'Phòng', 'Phòng GDĐT', 'so', '', '', ''],
      ['th', 'Trường lẻ', 'Tiểu học', '', '', '', ''],
      ['xa', 'Xã', 'UBND xã', 'pgd', '', '', ''],
      ['pgd-2', 'Phòng ở gốc', 'Phòng GDĐT', '', '', '', ''],
    ]);
    expect(problems.map((p) => [p.row, p.code])).to.deep.equal([
      [4, 'BAD_PARENT_KIND'],
      [5, 'BAD_PARENT_KIND'],
      [6, 'BAD_PARENT_KIND'],
    ]);
    expect(problems[0]!.message.en).to.equal('a primary ("th") needs a parent unit; it may be under: ministry, department, district-office, commune');
  });
});

describe('import plan: against the store', () => {
  const store = applied(plan(PHONG_TREE).operations);

  it('re-importing the same file gives no operations', () => {
    expect(plan(PHONG_TREE, store)).to.deep.equal({ operations: [], problems: [] });
  });

  it('an edited file gives only its differences, in an order that applies: adds, updates, moves, closes deepest first', () => {
    const withCommune = applied(
      plan([['xa-vt', 'UBND xã Vĩnh Thành', 'UBND xã', 'so-bt', '', '', ''], ['th-vt', 'Tiểu học VT', 'Tiểu học', 'xa-vt', '', '', ''], ...PHONG_TREE], store)
        .operations,
      store,
    );
    const edited = [
      ['so-bt', 'Sở GDĐT Bến Tre', 'Sở GDĐT', '', '', 'so@bentre.edu.vn', ''],
      // renamed, the phone cleared, the levels changed
      ['pgd-cl', 'Phòng GDĐT huyện Chợ Lách', 'Phòng GDĐT', 'so-bt', 'Mầm non; Tiểu học', 'pgd@cholach.edu.vn', ''],
      ['th-an-hoa', 'Trường Tiểu học An Hòa', 'Tiểu học', 'pgd-cl', 'Tiểu học', '', ''],
      // moved from the Phòng to the new commune, and its email given
      ['thcs-vinh-thanh', 'Trường THCS Vĩnh Thành', 'THCS', 'xa-vt', '', 'thcs@vt.edu.vn', ''],
      ['xa-vt', 'UBND xã Vĩnh Thành', 'UBND xã', 'so-bt', '', '', ''],
      // new
      ['th-moi', 'Tiểu học Mới', 'Tiểu học', 'xa-vt', '', '', ''],
      // mn-hoa-mai and th-vt left out: closed
    ];
    const { operations, problems } = plan(edited, withCommune);
    expect(problems).to.deep.equal([]);
    expect(operations).to.deep.equal([
      { op: 'add', id: 'th-moi', parentId: 'xa-vt', kind: 'primary', name: 'Tiểu học Mới', source: { row: 7, column: 'Mã đơn vị' } },
      {
        op: 'update',
        id: 'pgd-cl',
        name: 'Phòng GDĐT huyện Chợ Lách',
        levels: ['preschool', 'primary'],
        phone: null,
        source: { row: 3, column: 'Tên đơn vị' },
      },
      { op: 'update', id: 'thcs-vinh-thanh', email: 'thcs@vt.edu.vn', source: { row: 5, column: 'Email' } },
      { op: 'move', id: 'thcs-vinh-thanh', parentId: 'xa-vt', source: { row: 5, column: 'Mã đơn vị cấp trên' } },
      { op: 'close', id: 'mn-hoa-mai' },
      { op: 'close', id: 'th-vt' },
    ]);
    const after = applied(operations, withCommune);
    expect(after.get('thcs-vinh-thanh')!.path).to.equal('/so-bt/xa-vt/thcs-vinh-thanh/');
    expect(plan(edited, after).operations, 'and then nothing').to.deep.equal([]);
  });

  it('a file without the levels, email or phone columns leaves those alone', () => {
    const rows = PHONG_TREE.map((r) => r.slice(0, 4));
    expect(plan(rows, store, HEADER.slice(0, 4)).operations).to.deep.equal([]);
  });

  it('only the subtrees of the file top units are closed: a file of one Phòng leaves the rest of the Sở', () => {
    const onePhong = PHONG_TREE.filter((r) => r[0] !== 'so-bt' && r[0] !== 'mn-hoa-mai');
    expect(plan(onePhong, store).operations).to.deep.equal([{ op: 'close', id: 'mn-hoa-mai' }]);
  });

  it('a Phòng moved in from another Sở brings its subtree under the file: its schools the file leaves out are closed', () => {
    const two = applied(
      plan(
        [
          ['so-2', 'Sở 2', 'Sở GDĐT', '', '', '', ''],
          ['pgd-2', 'Phòng 2', 'Phòng GDĐT', 'so-2', '', '', ''],
          ['th-2', 'TH 2', 'Tiểu học', 'pgd-2', '', '', ''],
          ['th-3', 'TH 3', 'Tiểu học', 'pgd-2', '', '', ''],
        ],
        store,
      ).operations,
      store,
    );
    const rows = [...PHONG_TREE, ['pgd-2', 'Phòng 2', 'Phòng GDĐT', 'so-bt', '', '', ''], ['th-2', 'TH 2', 'Tiểu học', 'pgd-2', '', '', '']];
    expect(plan(rows, two).operations.map(({ source: _s, ...o }) => o)).to.deep.equal([
      { op: 'move', id: 'pgd-2', parentId: 'so-bt' },
      { op: 'close', id: 'th-3' },
    ]);
  });

  it('a Phòng left out is closed after its schools (deepest first)', () => {
    const soOnly = PHONG_TREE.filter((r) => r[0] === 'so-bt');
    expect(plan(soOnly, store).operations).to.deep.equal(['mn-hoa-mai', 'th-an-hoa', 'thcs-vinh-thanh', 'pgd-cl'].map((id) => ({ op: 'close', id })));
  });

  it('a cycle through units of the store the file does not list: a Sở put under its own school', () => {
    const { problems } = plan([['so-bt', 'Sở', 'Sở GDĐT', 'th-an-hoa', '', '', '']], store);
    expect(problems.map((p) => [p.row, p.code, p.message.en])).to.deep.equal([[2, 'CYCLE', 'parents form a cycle: so-bt → th-an-hoa → pgd-cl → so-bt']]);
  });

  it('a new school under a Phòng the file leaves out (and so would close) is refused', () => {
    const rows = PHONG_TREE.filter((r) => r[0] === 'so-bt' || r[0] === 'thpt-x');
    rows.push(['th-moi', 'Tiểu học Mới', 'Tiểu học', 'pgd-cl', '', '', '']);
    const { problems } = plan(rows, store);
    expect(problems.map((p) => [p.row, p.column, p.code, p.params.closedByFile])).to.deep.equal([[3, 4, 'UNKNOWN_PARENT', true]]);
  });

  it('a unit of the store written with no parent is refused, not moved to the top', () => {
    const { problems } = plan([['pgd-cl', 'Phòng', 'Phòng GDĐT', '', '', '', '']], store);
    expect(problems.map((p) => [p.row, p.column, p.code])).to.deep.equal([[2, 4, 'PARENT_REQUIRED']]);
  });
});

describe('import plan: export → import round trip', () => {
  const store = applied(plan(PHONG_TREE).operations);
  for (const format of ['csv', 'xlsx'] as const)
    it(`gives zero operations through ${format.toUpperCase()}`, async () => {
      const bytes = await writeUnitSheet([...store.values()], format);
      const read = readUnitTable(await readUnitSheet(bytes, `units.${format}`));
      expect(read.problems).to.deep.equal([]);
      expect(read.rows).to.have.length(5);
      expect(planImport(read.rows, store, `units.${format}`)).to.deep.equal({ operations: [], problems: [] });
    });
});

describe('import plan: the benchmark province file', () => {
  it('1,500 units through XLSX read back exactly (Vietnamese names intact): planned again over them, nothing to do', async () => {
    const store = new Map(provinceUnits(1_500).map((u) => [u.id, u]));
    const { rows, problems } = await readUnitFile(await provinceUnitFile(1_500, 'xlsx'), 'province.xlsx');
    expect(problems).to.deep.equal([]);
    expect(planImport(rows, store, 'province.xlsx')).to.deep.equal({ operations: [], problems: [] });
  });

  it('1,500 units, schools before their Phòng: read back whole, planned as 1,500 adds parents first, no problems', async () => {
    const bytes = await provinceUnitFile(1_500, 'csv');
    const read = readUnitTable(await readUnitSheet(bytes, 'province.csv'));
    expect(read.rows).to.have.length(1_500);
    const { operations, problems } = planImport(read.rows, new Map(), 'province.csv');
    expect(problems).to.deep.equal([]);
    expect(operations).to.have.length(1_500);
    const seen = new Set<string>();
    for (const op of operations) {
      if (op.op === 'add' && op.parentId) expect(seen.has(op.parentId), op.id).to.equal(true);
      seen.add(op.id);
    }
    expect(new Set(operations.map((o) => (o.op === 'add' ? o.kind : '')))).to.include.members([
      'department',
      'district-office',
      'primary',
      'upper-secondary',
      'continuing-education',
    ]);
  });
});
