// A table as a download: CSV (Excel-friendly, formula-safe) or XLSX. The writers are loaded on the
// first export: exceljs is heavy, and most processes never export.
import type { ExportTable } from '../../export/table.ts';
import type { FileAnswer } from '../route.ts';

export const FORMAT = {
  type: 'object',
  additionalProperties: false,
  properties: { format: { enum: ['csv', 'xlsx'], default: 'csv' }, unitId: { type: 'string', maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' } },
} as const;

export async function exportFile(name: string, format: 'csv' | 'xlsx', table: ExportTable): Promise<FileAnswer> {
  if (format === 'xlsx') {
    const { toXlsx } = await import('../../export/xlsx.ts');
    return { file: { name: `${name}.xlsx`, type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', data: await toXlsx(table) } };
  }
  const { toCsv } = await import('../../export/csv.ts');
  return { file: { name: `${name}.csv`, type: 'text/csv; charset=utf-8', data: toCsv(table) } };
}
