// CSV for the spreadsheets Vietnamese offices open it in: UTF-8 with a byte-order mark (without it
// Excel reads "Trường" as mojibake), CRLF line ends, RFC 4180 quoting, and text that a spreadsheet
// would run as a formula (=, +, -, @, tab, CR at the start) prefixed with ' so it stays text.
import type { ExportCell, ExportTable } from './table.ts';

const BOM = '\uFEFF';
const FORMULA_START = /^[=+\-@\t\r]/;

export function toCsv(table: ExportTable): Buffer {
  const caption = table.caption?.length ? [...table.caption.map((line) => [field(line)]), []] : [];
  const lines = [...caption, table.columns.map((c) => field(c.title)), ...table.rows.map((row) => table.columns.map((c) => field(row[c.key] ?? null)))];
  return Buffer.from(BOM + lines.map((cells) => cells.join(',')).join('\r\n') + '\r\n', 'utf8');
}

function field(cell: ExportCell): string {
  if (cell === null) return '';
  // Numbers are written as numbers: a negative count is data, not a formula.
  const text = typeof cell === 'number' ? (Number.isFinite(cell) ? String(cell) : '') : neutralise(cell);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** OWASP's CSV-injection advice: a leading quote makes the spreadsheet show the text as text. */
export function neutralise(text: string): string {
  return FORMULA_START.test(text) ? `'${text}` : text;
}
