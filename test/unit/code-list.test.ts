// A sample's list of unit codes, as the Ministry sends it: codes found under a header naming them
// (below a title block too) or in the first column; every code not among the reader's units is
// reported at its row and column, and nothing else stops the list.
import { expect } from 'chai';
import { checkCodeList, codesOf } from '../../engine/org/code-list.ts';
import type { OrgUnit } from '../../engine/domain.ts';

const unit = (id: string, closed = false): OrgUnit => ({
  id,
  kind: 'primary',
  name: `Trường ${id}`,
  path: `/so/${id}/`,
  depth: 1,
  createdAt: 0,
  ...(closed ? { closedAt: 1 } : {}),
});

describe('a list of unit codes (a sample)', () => {
  it('reads the column headed as codes are, below a title block, each code once', () => {
    const table = {
      file: 'mau-pisa.xlsx',
      header: ['DANH SÁCH TRƯỜNG ĐƯỢC CHỌN MẪU PISA 2025', ''],
      rows: [
        ['', ''],
        ['STT', 'Mã trường'],
        ['1', 'thpt_1'],
        ['2', ' thpt_2 '],
        ['3', 'thpt_1'],
        ['4', ''],
      ],
    };
    expect(codesOf(table).map((c) => [c.code, c.row, c.column])).to.deep.equal(
      [
        ['thpt_1', 4],
        ['thpt_2', 5],
      ].map(([code, row]) => [code, row, 2]),
    );
  });

  it('takes the first column when no header names the codes, skipping a header that is no code', () => {
    expect(codesOf({ file: 'a.csv', header: ['Trường được chọn'], rows: [['th_1'], ['th_2']] }).map((c) => c.code)).to.deep.equal(['th_1', 'th_2']);
    expect(codesOf({ file: 'a.csv', header: ['th_0'], rows: [['th_1']] }).map((c) => c.code)).to.deep.equal(['th_0', 'th_1']);
  });

  it('reports every unknown, closed or malformed code at its row, and keeps the rest', () => {
    const table = { file: 'mau.csv', header: ['Mã đơn vị'], rows: [['th_1'], ['th_x'], ['th 2'], ['th_c']] };
    const list = checkCodeList(table, new Map([unit('th_1'), unit('th_c', true)].map((u) => [u.id, u])));
    expect(list.unitIds).to.deep.equal(['th_1']);
    expect(list.problems.map((p) => [p.row, p.column, p.code])).to.deep.equal([
      [3, 1, 'UNKNOWN_UNIT'],
      [4, 1, 'BAD_CODE'],
      [5, 1, 'UNIT_CLOSED'],
    ]);
    expect(list.problems[0]!.message.vi).to.equal('không có đơn vị mã "th_x"');
  });

  it('says so when the file lists no code at all', () => {
    const list = checkCodeList({ file: 'rong.csv', header: ['Mã đơn vị'], rows: [] }, new Map());
    expect(list.problems.map((p) => p.code)).to.deep.equal(['EMPTY_LIST']);
  });
});
