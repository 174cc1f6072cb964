// The overdue board (bảng theo dõi quá hạn) of a subtree for supervisors: counts by unit and stage,
// ageing in working days, escalations raised and acknowledged; and its export.
import { route } from '../route.ts';
import { exportFile, FORMAT } from './exports.ts';

const AGES = ['1-5', '6-10', '11-20', '>20'] as const;

export const boardRoutes = [
  route({
    method: 'get',
    path: '/api/v1/board',
    answer: 'board',
    summary: 'Overdue and due-soon counts under a unit (default: your first unit), by unit one level down and by stage, with ageing in working days',
    tag: 'board',
    errors: [404],
    query: {
      type: 'object',
      additionalProperties: false,
      properties: { unitId: { type: 'string', maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' }, soon: { type: 'integer', minimum: 0, maximum: 60 } },
    },
    handle: ({ services, principal, query }) => services.app.board(principal, query.unitId, query.soon),
  }),
  route({
    method: 'get',
    path: '/api/v1/board/export',
    answer: 'file',
    summary: 'The overdue board by unit and by stage, as CSV or XLSX',
    tag: 'board',
    errors: [404],
    query: FORMAT,
    async handle({ services, principal, query }) {
      const board = await services.app.board(principal, query.unitId, undefined);
      const rows = [
        ...board.byUnit.map((u) => ({ group: 'Đơn vị', name: u.name, id: u.unitId, overdue: u.overdue, dueSoon: u.dueSoon, ...ages(u.ages) })),
        ...board.byStage.map((s) => ({
          group: 'Giai đoạn',
          name: s.title.vi,
          id: `${s.definitionId}/${s.stage}`,
          overdue: s.overdue,
          dueSoon: s.dueSoon,
          ...ages(s.ages),
        })),
      ];
      return exportFile(`bang-qua-han-${board.root.id}`, query.format ?? 'csv', {
        sheet: 'Quá hạn',
        columns: [
          { key: 'group', title: 'Nhóm' },
          { key: 'name', title: 'Tên' },
          { key: 'id', title: 'Mã' },
          { key: 'overdue', title: 'Quá hạn' },
          { key: 'dueSoon', title: 'Sắp đến hạn' },
          ...AGES.map((a) => ({ key: `age ${a}`, title: `Quá ${a} ngày làm việc` })),
        ],
        rows,
      });
    },
  }),
];

function ages(a: Record<(typeof AGES)[number], number>): Record<string, number> {
  return Object.fromEntries(AGES.map((k) => [`age ${k}`, a[k]]));
}
