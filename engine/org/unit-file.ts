// The unit lists offices keep (danh sách đơn vị): a header row and one unit a row, in whatever
// spelling the office used — "Mã đơn vị" or "ma_don_vi" or "code", "Phòng GD&ĐT" or
// "district-office". This module turns such a table into rows the import planner understands, and
// names each spelling it could not read. Pure: the file itself is read in adapters/files/unit-sheet.ts.
import type { OrgUnitKind } from '../definition/types.generated.ts';
import { foldText } from '../text.ts';

/** A sheet as read from the file: row 1 is `header`, `rows[i]` is row i + 2. */
export interface UnitTable {
  file: string;
  header: string[];
  rows: string[][];
}

export type UnitField = 'code' | 'name' | 'kind' | 'parent' | 'levels' | 'email' | 'phone';

/** Where a field's column is: 1-based number and the header as written. */
export interface ColumnRef {
  index: number;
  header: string;
}

export type ColumnMap = Partial<Record<UnitField, ColumnRef>>;

export interface UnitRow {
  /** 1-based row of the file (the header is row 1). */
  row: number;
  code: string;
  name: string;
  /** Undefined when the cell names no kind (UNKNOWN_KIND was reported). */
  kind?: OrgUnitKind;
  kindText: string;
  /** Empty: a top unit of the file. */
  parentCode: string;
  /** Undefined when the file has no levels column (the store's levels stay as they are). */
  levels?: string[];
  /** Cells of the levels column that name no level (the planner reports them). */
  unknownLevels?: string[];
  email?: string;
  phone?: string;
  /** The file's columns, shared by every row, so a problem can cite one. */
  columns: ColumnMap;
}

export interface Problem {
  file: string;
  row: number;
  /** 1-based column number. */
  column: number;
  /** The column's header as written (or the expected one, for a missing column). */
  header: string;
  code: string;
  message: { vi: string; en: string };
  params: Record<string, unknown>;
}

export type Lang = 'vi' | 'en';

/** `FILE:ROW:COLUMN: error CODE message`, as compilers print, so editors can jump to it. */
export function formatProblem(p: Problem, lang: Lang = 'vi'): string {
  return `${p.file}:${p.row}:${p.column}: error ${p.code} ${p.message[lang]}`;
}

/** Lower case, no diacritics (đ is a letter of its own, not a d with a mark), letters and digits only:
 * "Mã đơn vị cấp trên", "ma_don_vi_cap_tren" and "MaDonViCapTren" are the same key. */
export function fold(text: string): string {
  return foldText(text).replace(/[^a-z0-9]/g, '');
}

const HEADERS: Record<UnitField, string[]> = {
  code: ['Mã đơn vị', 'code', 'mã', 'unit code', 'id', 'Mã trường', 'Mã số trường', 'school code'],
  name: ['Tên đơn vị', 'name', 'tên', 'Tên trường'],
  kind: ['Loại đơn vị', 'kind', 'loại', 'type'],
  parent: ['Mã đơn vị cấp trên', 'parent_code', 'parent', 'đơn vị cấp trên', 'cấp trên', 'parent id'],
  levels: ['Cấp học', 'levels', 'level'],
  email: ['Email', 'e-mail', 'thư điện tử'],
  phone: ['Điện thoại', 'phone', 'số điện thoại', 'telephone'],
};

export const REQUIRED_FIELDS: readonly UnitField[] = ['code', 'name', 'kind', 'parent'];

/** The headers the export writes (Vietnamese, as offices write them) and English ones. */
export const FIELD_TITLES: Record<UnitField, { vi: string; en: string }> = {
  code: { vi: 'Mã đơn vị', en: 'code' },
  name: { vi: 'Tên đơn vị', en: 'name' },
  kind: { vi: 'Loại đơn vị', en: 'kind' },
  parent: { vi: 'Mã đơn vị cấp trên', en: 'parent_code' },
  levels: { vi: 'Cấp học', en: 'levels' },
  email: { vi: 'Email', en: 'email' },
  phone: { vi: 'Điện thoại', en: 'phone' },
};

const HEADER_KEYS = new Map<string, UnitField>(
  (Object.entries(HEADERS) as [UnitField, string[]][]).flatMap(([field, names]) => names.map((n) => [fold(n), field] as const)),
);

/** The names offices write for each kind; the first is what the export writes. */
export const KIND_NAMES: Record<OrgUnitKind, string[]> = {
  ministry: ['Bộ GDĐT', 'Bộ Giáo dục và Đào tạo', 'Bộ GD&ĐT'],
  department: ['Sở GDĐT', 'Sở Giáo dục và Đào tạo', 'Sở GD&ĐT'],
  'district-office': ['Phòng GDĐT', 'Phòng Giáo dục và Đào tạo', 'Phòng GD&ĐT'],
  commune: ['UBND xã', 'UBND phường', 'UBND đặc khu', 'xã', 'phường', 'đặc khu'],
  preschool: ['Mầm non', 'Mẫu giáo', 'Nhà trẻ'],
  primary: ['Tiểu học'],
  'lower-secondary': ['THCS', 'Trung học cơ sở'],
  'upper-secondary': ['THPT', 'Trung học phổ thông'],
  'multi-level': ['Liên cấp', 'Nhiều cấp học', 'Phổ thông nhiều cấp học', 'TH&THCS', 'THCS&THPT', 'TH&THCS&THPT'],
  'continuing-education': ['GDNN-GDTX', 'Trung tâm GDNN-GDTX', 'GDTX', 'Trung tâm GDTX'],
};

/** School levels (cấp học) a unit manages or teaches: the school kinds that are one level. */
export const LEVEL_NAMES: Record<string, string[]> = {
  preschool: ['Mầm non', 'Mẫu giáo', 'Nhà trẻ'],
  primary: ['Tiểu học', 'TH'],
  'lower-secondary': ['THCS', 'Trung học cơ sở'],
  'upper-secondary': ['THPT', 'Trung học phổ thông'],
  'continuing-education': ['GDTX', 'GDNN-GDTX'],
};

function aliasMap(names: Record<string, string[]>): Map<string, string> {
  const map = new Map<string, string>();
  for (const [id, list] of Object.entries(names)) for (const n of [id, ...list]) map.set(fold(n), id);
  return map;
}

const KIND_KEYS = aliasMap(KIND_NAMES);
const LEVEL_KEYS = aliasMap(LEVEL_NAMES);

/** "Trường THCS" is a THCS: offices often write the word for school in front. */
const SCHOOL_WORD = 'truong';

export function kindOf(text: string): OrgUnitKind | undefined {
  const key = fold(text);
  const found = KIND_KEYS.get(key) ?? (key.startsWith(SCHOOL_WORD) ? KIND_KEYS.get(key.slice(SCHOOL_WORD.length)) : undefined);
  return found as OrgUnitKind | undefined;
}

export function levelOf(text: string): string | undefined {
  return LEVEL_KEYS.get(fold(text));
}

/** What the export writes for a kind, and the allowed names a problem lists. */
export function kindTitle(kind: OrgUnitKind): string {
  return KIND_NAMES[kind][0]!;
}

export function levelTitle(level: string): string {
  return LEVEL_NAMES[level]?.[0] ?? level;
}

/** The table's rows, or the required columns it lacks; the planner judges the cells. */
/** How far down a title block may push the header ("DANH SÁCH ĐƠN VỊ", the date, a blank line). */
const HEADER_SEARCH_ROWS = 10;

export function columnsOf(header: readonly string[]): ColumnMap {
  const columns: ColumnMap = {};
  header.forEach((h, i) => {
    const field = HEADER_KEYS.get(fold(h ?? ''));
    // The first column of a name wins: a second "Email" column is someone's notes.
    if (field && !columns[field]) columns[field] = { index: i + 1, header: h.trim() };
  });
  return columns;
}

export function readUnitTable(table: UnitTable): { rows: UnitRow[]; columns: ColumnMap; problems: Problem[] } {
  const problems: Problem[] = [];
  // Row 1 is the header, unless offices put a title above it: then the first of the next rows that
  // names every required column is.
  const all = [table.header, ...table.rows];
  let at = 0;
  let columns = columnsOf(table.header);
  for (let i = 1; i < Math.min(all.length, HEADER_SEARCH_ROWS) && !REQUIRED_FIELDS.every((f) => columns[f]); i++) {
    const found = columnsOf(all[i]!);
    if (REQUIRED_FIELDS.every((f) => found[f])) ((columns = found), (at = i));
  }
  for (const field of REQUIRED_FIELDS) {
    if (columns[field]) continue;
    const title = FIELD_TITLES[field];
    problems.push({
      file: table.file,
      row: 1,
      column: table.header.length + 1,
      header: title.vi,
      code: 'MISSING_COLUMN',
      message: {
        vi: `thiếu cột "${title.vi}" (hoặc "${title.en}")`,
        en: `no "${title.en}" column (or "${title.vi}")`,
      },
      params: { field, expected: [title.vi, title.en] },
    });
  }
  if (problems.length) return { rows: [], columns, problems };
  const cell = (cells: string[], field: UnitField) => {
    const c = columns[field];
    return c ? (cells[c.index - 1] ?? '').trim() : '';
  };
  const rows: UnitRow[] = [];
  all.forEach((cells, i) => {
    if (i <= at || cells.every((c) => !c || !c.trim())) return;
    const row = i + 1;
    const kindText = cell(cells, 'kind');
    const kind = kindOf(kindText);
    let levels: string[] | undefined;
    const unknownLevels: string[] = [];
    if (columns.levels) {
      levels = [];
      for (const part of cell(cells, 'levels').split(/[,;]/)) {
        if (!part.trim()) continue;
        const level = levelOf(part);
        if (!level) unknownLevels.push(part.trim());
        else if (!levels.includes(level)) levels.push(level);
      }
    }
    const email = cell(cells, 'email');
    const phone = phoneOf(cell(cells, 'phone'));
    rows.push({
      row,
      code: cell(cells, 'code'),
      name: cell(cells, 'name'),
      ...(kind ? { kind } : {}),
      kindText,
      parentCode: cell(cells, 'parent'),
      ...(levels ? { levels } : {}),
      ...(unknownLevels.length ? { unknownLevels } : {}),
      ...(columns.email ? { email } : {}),
      ...(columns.phone ? { phone } : {}),
      columns,
    });
  });
  return { rows, columns, problems };
}

/**
 * A phone number as offices wrote it. A spreadsheet that stored it as a number dropped its leading
 * 0 (0912 345 678 became 912345678; 0275 3822 111, 2753822111): Vietnamese numbers always start
 * with 0 at home, so nine or ten bare digits get it back. Anything else is kept as written.
 */
export function phoneOf(text: string): string {
  return /^[1-9]\d{8,9}$/.test(text) ? `0${text}` : text;
}

/** The message for a kind no alias matches: it lists the names offices write. */
export function unknownKindMessage(text: string): { vi: string; en: string; params: Record<string, unknown> } {
  const names = Object.values(KIND_NAMES).map((n) => n[0]!);
  const ids = Object.keys(KIND_NAMES);
  return {
    vi: text ? `"${text}" không phải loại đơn vị; các loại là: ${names.join(', ')}` : `thiếu loại đơn vị; các loại là: ${names.join(', ')}`,
    en: text ? `"${text}" is not a unit kind; kinds are: ${ids.join(', ')} (or ${names.join(', ')})` : `no unit kind; kinds are: ${ids.join(', ')}`,
    params: { value: text, allowed: ids, names },
  };
}

export function unknownLevelMessage(text: string): { vi: string; en: string; params: Record<string, unknown> } {
  const names = Object.values(LEVEL_NAMES).map((n) => n[0]!);
  const ids = Object.keys(LEVEL_NAMES);
  return {
    vi: `"${text}" không phải cấp học; các cấp học là: ${names.join(', ')}`,
    en: `"${text}" is not a school level; levels are: ${ids.join(', ')} (or ${names.join(', ')})`,
    params: { value: text, allowed: ids },
  };
}
