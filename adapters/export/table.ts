// A table to hand over as a file (the overdue board, a campaign's progress, a unit's open tasks):
// the one shape every export writer reads, so a page builds its rows once and offers CSV and XLSX.

export type ExportCell = string | number | null;

export interface ExportColumn {
  /** The row field this column shows. */
  key: string;
  /** The header, as people read it ("Đơn vị", "Quá hạn"). */
  title: string;
}

export interface ExportTable {
  /** The worksheet's name in XLSX (Excel allows 31 characters, no : \ / ? * [ ]). */
  sheet: string;
  /** Lines above the header (a title, "Tính đến …"): a list handed over says what and when. A blank
   * line separates them from the header. */
  caption?: string[];
  columns: ExportColumn[];
  /** One record per row; a missing field is an empty cell. */
  rows: Record<string, ExportCell>[];
}
