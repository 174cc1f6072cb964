// A fan-out's children as a table (danh sách đơn vị và số liệu báo cáo): one row per unit, the late
// first, with each roll-up figure the unit answered; the headers in Vietnamese, as offices file it.
import type { FanOutView } from '../../../engine/application/fan-out-view.ts';
import type { ExportCell, ExportTable } from '../../export/table.ts';
import { formatDate } from './campaigns.ts';

const STATUS = { running: 'Đang thực hiện', done: 'Đã hoàn thành', cancelled: 'Đã hủy', needs_migration: 'Cần chuyển phiên bản' } as const;

export function childrenTable(view: FanOutView | undefined): ExportTable {
  const rollups = Object.entries(view?.rollup ?? {});
  return {
    sheet: 'Đơn vị cấp dưới',
    columns: [
      { key: 'unitName', title: 'Đơn vị' },
      { key: 'unitId', title: 'Mã đơn vị' },
      { key: 'status', title: 'Trạng thái' },
      { key: 'stages', title: 'Giai đoạn' },
      { key: 'dueAt', title: 'Hạn' },
      { key: 'finishedAt', title: 'Hoàn thành ngày' },
      { key: 'late', title: 'Chậm báo cáo' },
      ...rollups.map(([name, r]) => ({ key: `rollup.${name}`, title: r.title?.vi ?? name })),
    ],
    rows: (view?.children ?? []).map((c) => {
      const row: Record<string, ExportCell> = {
        unitName: c.unitName,
        unitId: c.unitId,
        status: STATUS[c.status],
        stages: c.stageTitles.map((t) => t.vi).join('; '),
        dueAt: c.dueAt === undefined ? null : formatDate(c.dueAt),
        finishedAt: c.finishedAt === undefined ? null : formatDate(c.finishedAt),
        late: c.late ? 'có' : '',
      };
      for (const [name, r] of rollups) {
        const v = c.figures[name];
        // an option or a yes/no by its words, as the office files it; numbers stay numbers
        const words = v === undefined || v === null ? undefined : r.valueTitles?.[String(v)]?.vi;
        row[`rollup.${name}`] = v === undefined || v === null ? null : words !== undefined ? words : typeof v === 'number' ? v : String(v);
      }
      return row;
    }),
  };
}
