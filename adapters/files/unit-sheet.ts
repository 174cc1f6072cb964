// The unit list as a file: what an office saves from Excel (XLSX, or CSV in whichever separator its
// locale uses — Vietnamese Windows writes ";") becomes the table engine/org/unit-file.ts reads, and
// the store's units go back out in the same columns, so an export re-imported changes nothing.
import ExcelJS from 'exceljs';
import type { OrgUnit } from '../../engine/domain.ts';
import {
  FIELD_TITLES,
  kindTitle,
  levelTitle,
  readUnitTable,
  type ColumnMap,
  type Lang,
  type Problem,
  type UnitField,
  type UnitRow,
  type UnitTable,
} from '../../engine/org/unit-file.ts';
import { toCsv } from '../export/csv.ts';
import type { ExportTable } from '../export/table.ts';
import { toXlsx } from '../export/xlsx.ts';

/** A file that is neither a workbook nor text we can split: the CLI prints it at row 1. */
export class UnitSheetError extends Error {
  readonly code = 'BAD_FILE';
  constructor(
    en: string,
    /** The same in Vietnamese, for the people who saved the file. */
    readonly vi: string,
  ) {
    super(en);
  }
}

export type SheetFormat = 'csv' | 'xlsx';

const ZIP_MAGIC = [0x50, 0x4b, 0x03, 0x04];
/** The old binary Excel format (OLE compound file): exceljs does not read it. */
const OLE_MAGIC = [0xd0, 0xcf, 0x11, 0xe0];

function startsWith(bytes: Buffer, magic: number[]): boolean {
  return magic.every((b, i) => bytes[i] === b);
}

/** XLSX is a zip: the bytes decide, not the name, since offices rename files and mail strips them. */
export function formatOf(bytes: Buffer, name: string): SheetFormat {
  if (startsWith(bytes, ZIP_MAGIC)) return 'xlsx';
  if (startsWith(bytes, OLE_MAGIC))
    throw new UnitSheetError(
      `an old Excel file (.xls): save it as .xlsx or .csv (UTF-8) and import that`,
      `tệp Excel cũ (.xls): lưu lại thành .xlsx hoặc .csv (UTF-8) rồi nhập tệp đó`,
    );
  if (/\.xlsx$/i.test(name))
    throw new UnitSheetError(`named .xlsx but not an XLSX workbook (no zip header)`, `tên là .xlsx nhưng không phải bảng tính XLSX (không có phần đầu zip)`);
  return 'csv';
}

/** The table of an uploaded file's bytes (the UI's import page hands bytes, the CLI a file's). */
export async function readUnitSheet(bytes: Buffer, name: string): Promise<UnitTable> {
  const [header = [], ...rows] = formatOf(bytes, name) === 'xlsx' ? await xlsxCells(bytes) : csvCells(bytes);
  return { file: name, header, rows };
}

/** An uploaded file's unit rows, or its problems (a file that cannot be read is one, at row 1):
 * the CLI and the UI's import page start here, then plan against the store (engine/org/import-plan.ts). */
export async function readUnitFile(bytes: Buffer, name: string): Promise<{ rows: UnitRow[]; columns: ColumnMap; problems: Problem[] }> {
  let table: UnitTable;
  try {
    table = await readUnitSheet(bytes, name);
  } catch (e) {
    if (!(e instanceof UnitSheetError)) throw e;
    return { rows: [], columns: {}, problems: [{ file: name, row: 1, column: 1, header: '', code: e.code, message: { vi: e.vi, en: e.message }, params: {} }] };
  }
  return readUnitTable(table);
}

// ── CSV ─────────────────────────────────────────────────────────────────────────────────────────

const UTF8_BOM = '\uFEFF';
/** What adapters/export/csv.ts puts before text a spreadsheet would run as a formula. */
const NEUTRALISED = /^'[=+\-@\t\r]/;

/** The text of a CSV file: UTF-8 (with or without its mark), or UTF-16 with its byte-order mark —
 * what Excel writes as "Unicode Text", tab-separated, the form Vietnamese offices often send. */
function textOf(bytes: Buffer): string {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return bytes.subarray(2).toString('utf16le');
  if (bytes[0] === 0xfe && bytes[1] === 0xff) {
    const swapped = Buffer.from(bytes.subarray(2, bytes.length - (bytes.length % 2)));
    return swapped.swap16().toString('utf16le');
  }
  return bytes.toString('utf8');
}

export function csvCells(bytes: Buffer): string[][] {
  let text = textOf(bytes);
  if (text.includes('\uFFFD'))
    throw new UnitSheetError(
      `not UTF-8 text: in Excel choose "CSV UTF-8 (Comma delimited)" when saving, or save as .xlsx`,
      `không phải văn bản UTF-8: khi lưu trong Excel chọn "CSV UTF-8 (Comma delimited)", hoặc lưu thành .xlsx`,
    );
  if (text.startsWith(UTF8_BOM)) text = text.slice(1);
  const sep = separatorOf(text);
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let i = 0;
  const endField = () => {
    row.push(NEUTRALISED.test(field) ? field.slice(1) : field);
    field = '';
  };
  while (i < text.length) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') ((field += '"'), (i += 2));
      else if (c === '"') ((quoted = false), i++);
      else ((field += c), i++);
      continue;
    }
    if (c === '"' && field === '') ((quoted = true), i++);
    else if (c === sep) (endField(), i++);
    else if (c === '\r' || c === '\n') {
      endField();
      rows.push(row);
      row = [];
      i += c === '\r' && text[i + 1] === '\n' ? 2 : 1;
    } else ((field += c), i++);
  }
  if (field !== '' || row.length) (endField(), rows.push(row));
  return rows;
}

/** The header line's separator: whichever of ",", ";" and tab it has most of outside quotes. */
function separatorOf(text: string): ',' | ';' | '\t' {
  let commas = 0;
  let semicolons = 0;
  let tabs = 0;
  let quoted = false;
  for (const c of text) {
    if (c === '"') quoted = !quoted;
    else if (!quoted && (c === '\n' || c === '\r')) break;
    else if (!quoted && c === ',') commas++;
    else if (!quoted && c === ';') semicolons++;
    else if (!quoted && c === '\t') tabs++;
  }
  if (tabs > commas && tabs > semicolons) return '\t';
  return semicolons > commas ? ';' : ',';
}

// ── XLSX ────────────────────────────────────────────────────────────────────────────────────────

/** The first worksheet's rows, missing ones empty so row numbers are the file's. Loaded whole, not
 * streamed: exceljs's streaming reader splits multi-byte characters at its chunk boundaries
 * ("Ph��ng GDĐT"), which a 45,000-unit file showed on 18 names. */
async function xlsxCells(bytes: Buffer): Promise<string[][]> {
  const workbook = new ExcelJS.Workbook();
  try {
    // exceljs's types predate Node 20's generic Buffer.
    await workbook.xlsx.load(bytes as unknown as ArrayBuffer);
  } catch (e) {
    throw new UnitSheetError(`not a readable XLSX workbook: ${(e as Error).message}`, `không đọc được bảng tính XLSX: ${(e as Error).message}`);
  }
  const sheet = workbook.worksheets[0];
  if (!sheet) return [];
  const rows: string[][] = [];
  const width = sheet.columnCount;
  for (let r = 1; r <= sheet.rowCount; r++) {
    const row = sheet.getRow(r);
    const cells: string[] = [];
    for (let c = 1; c <= width; c++) cells.push(cellText(row.getCell(c).value));
    rows.push(cells);
  }
  return rows;
}

/** A cell as the office sees it: numbers as written, rich text joined, a formula's result. */
export function cellText(value: ExcelJS.CellValue): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  if ('richText' in value) return value.richText.map((t) => t.text).join('');
  if ('hyperlink' in value) return typeof value.text === 'string' ? value.text : cellText(value.text as ExcelJS.CellValue);
  if ('formula' in value || 'sharedFormula' in value) return cellText((value as { result?: ExcelJS.CellValue }).result ?? null);
  if ('error' in value) return '';
  return '';
}

// ── export ──────────────────────────────────────────────────────────────────────────────────────

const EXPORT_FIELDS: readonly UnitField[] = ['code', 'name', 'kind', 'parent', 'levels', 'email', 'phone'];

/** The open units as the import reads them: parents before children, kinds and levels by the names
 * offices write. `units` is the subtree exported (its root keeps its parent's code, so the file
 * goes back in at the same place). */
export function unitExportTable(units: readonly OrgUnit[], lang: Lang = 'vi'): ExportTable {
  const open = units.filter((u) => u.closedAt === undefined).sort((a, b) => a.depth - b.depth || a.path.localeCompare(b.path));
  return {
    sheet: lang === 'vi' ? 'Đơn vị' : 'Units',
    columns: EXPORT_FIELDS.map((f) => ({ key: f, title: FIELD_TITLES[f][lang] })),
    rows: open.map((u) => ({
      code: u.id,
      name: u.name,
      kind: lang === 'vi' ? kindTitle(u.kind) : u.kind,
      parent: u.parentId ?? '',
      levels: (u.levels ?? []).map((l) => (lang === 'vi' ? levelTitle(l) : l)).join(', '),
      email: u.email ?? '',
      phone: u.phone ?? '',
    })),
  };
}

export async function writeUnitSheet(units: readonly OrgUnit[], format: SheetFormat, lang: Lang = 'vi'): Promise<Buffer> {
  const table = unitExportTable(units, lang);
  return format === 'xlsx' ? toXlsx(table) : toCsv(table);
}
