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
  // the caption's lines, a blank row, then the header: frozen with everything above it
  const above = table.caption?.length ? table.caption.length + 1 : 0;
  const sheet = workbook.addWorksheet(sheetName(table.sheet), { views: [{ state: 'frozen', ySplit: above + 1 }] });
  sheet.columns = table.columns.map((c) => ({
    key: c.key,
    width: widthOf(
      c.title,
      table.rows.map((r) => r[c.key] ?? null),
    ),
  }));
  (table.caption ?? []).forEach((line, i) => {
    sheet.getCell(i + 1, 1).value = line;
    if (i === 0) sheet.getCell(1, 1).font = { bold: true, size: 13 };
  });
  const header = sheet.getRow(above + 1);
  header.values = table.columns.map((c) => c.title);
  header.font = { bold: true };
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
