// XLSX through exceljs: one worksheet, a bold header row frozen in place, columns as wide as their
// content, and numbers stored as numbers so the reader can sum and sort them.
import ExcelJS from 'exceljs';
import type { ExportCell, ExportTable } from './table.ts';

const MIN_WIDTH = 6;
const MAX_WIDTH = 60;
/** Characters Excel refuses in a sheet name. */
const SHEET_FORBIDDEN = /[:\\/?*[\]]/g;

export async function toXlsx(table: ExportTable): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'Tiến độ';
  const sheet = workbook.addWorksheet(sheetName(table.sheet), { views: [{ state: 'frozen', ySplit: 1 }] });
  sheet.columns = table.columns.map((c) => ({
    key: c.key,
    header: c.title,
    width: widthOf(
      c.title,
      table.rows.map((r) => r[c.key] ?? null),
    ),
  }));
  sheet.getRow(1).font = { bold: true };
  for (const row of table.rows) sheet.addRow(Object.fromEntries(table.columns.map((c) => [c.key, row[c.key] ?? null])));
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

/** Excel's rules for a sheet name: at most 31 characters, none of : \ / ? * [ ], not empty. */
export function sheetName(name: string): string {
  return name.replace(SHEET_FORBIDDEN, ' ').trim().slice(0, 31) || 'Sheet1';
}

function widthOf(title: string, cells: ExportCell[]): number {
  const longest = Math.max(title.length, ...cells.map((c) => (c === null ? 0 : String(c).length)));
  return Math.min(MAX_WIDTH, Math.max(MIN_WIDTH, longest + 2));
}
