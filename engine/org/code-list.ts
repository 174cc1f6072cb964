// A list of unit codes (danh sách trường được chọn mẫu): the sample the Ministry sends as a sheet,
// one school a row. The codes are read from the column headed as a unit list heads its codes ("Mã
// đơn vị", "code"…), or from the first column when no header names one; every code is then looked
// up among the units the reader may see, and each one that is not there is reported at its row and
// column — a unit outside one's units reads exactly like one that does not exist. Pure.
import type { OrgUnit } from '../domain.ts';
import { columnsOf, type Problem, type UnitTable } from './unit-file.ts';

export interface CodeList {
  /** The codes found, each once, in the order of the file. */
  unitIds: string[];
  problems: Problem[];
}

const CODE = /^[A-Za-z0-9_-]{1,64}$/;

/** The codes of a sheet and where each is: row (1-based, the header row 1) and column. */
export function codesOf(table: UnitTable): { code: string; row: number; column: number; header: string }[] {
  const all = [table.header, ...table.rows];
  // The header may sit under a title block: the first of the first rows that names a code column.
  let headerAt = -1;
  let column = 1;
  let header = '';
  for (let i = 0; i < Math.min(all.length, 10); i++) {
    const code = columnsOf(all[i] ?? []).code;
    if (code) {
      headerAt = i;
      column = code.index;
      header = code.header;
      break;
    }
  }
  const out: { code: string; row: number; column: number; header: string }[] = [];
  const seen = new Set<string>();
  all.forEach((cells, i) => {
    if (i <= headerAt) return;
    const text = (cells[column - 1] ?? '').trim();
    // Without a header naming the codes, a first row that is no code is the file's own header.
    if (!text || (headerAt < 0 && i === 0 && !CODE.test(text)) || seen.has(text)) return;
    seen.add(text);
    out.push({ code: text, row: i + 1, column, header });
  });
  return out;
}

/** The sheet's codes checked against the units found for them (those the reader may see). */
export function checkCodeList(table: UnitTable, found: ReadonlyMap<string, OrgUnit>): CodeList {
  const problems: Problem[] = [];
  const unitIds: string[] = [];
  const codes = codesOf(table);
  for (const c of codes) {
    const unit = found.get(c.code);
    const base = { file: table.file, row: c.row, column: c.column, header: c.header, params: { code: c.code } };
    if (!CODE.test(c.code))
      problems.push({
        ...base,
        code: 'BAD_CODE',
        message: { vi: `"${c.code}" không phải mã đơn vị (chữ, số, _ và -)`, en: `"${c.code}" is not a unit code (letters, digits, _ and -)` },
      });
    else if (!unit) problems.push({ ...base, code: 'UNKNOWN_UNIT', message: { vi: `không có đơn vị mã "${c.code}"`, en: `no unit with code "${c.code}"` } });
    else if (unit.closedAt !== undefined)
      problems.push({
        ...base,
        code: 'UNIT_CLOSED',
        message: { vi: `đơn vị "${c.code}" (${unit.name}) đã giải thể hoặc sáp nhập`, en: `unit "${c.code}" (${unit.name}) is closed` },
      });
    else unitIds.push(c.code);
  }
  if (!codes.length)
    problems.push({
      file: table.file,
      row: 1,
      column: 1,
      header: '',
      code: 'EMPTY_LIST',
      params: {},
      message: { vi: 'tệp không có mã đơn vị nào', en: 'the file lists no unit code' },
    });
  return { unitIds, problems };
}
