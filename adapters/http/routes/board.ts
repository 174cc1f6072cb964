// The overdue board (bảng theo dõi quá hạn) of a subtree for supervisors: counts by unit and stage,
// ageing in working days, escalations raised and acknowledged; the list of late instances behind a
// count, reminders (đôn đốc) sent to a selection of them, and the exports.
import type { Application } from '../../../engine/application/application.ts';
import { formatDate, formatDateTime, type Lang } from '../../export/dates.ts';
import { ID, route } from '../route.ts';
import { exportFile, FORMAT } from './exports.ts';

const AGES = ['1-5', '6-10', '11-20', '>20'] as const;
const UNIT_ID = { type: 'string', maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' } as const;
/** Which rows the list (and its export) keeps: one process, one of its stages. */
const LIST_FILTER = { definitionId: ID, stage: ID, unitOnly: { type: 'boolean' } } as const;

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
      properties: { unitId: UNIT_ID, soon: { type: 'integer', minimum: 0, maximum: 60 } },
    },
    handle: ({ services, principal, query }) => services.app.board(principal, query.unitId, query.soon),
  }),
  route({
    method: 'get',
    path: '/api/v1/board/overdue',
    answer: 'overdueList',
    summary: 'The running instances under a unit past their deadline (of one process or stage), most working days late first',
    tag: 'board',
    errors: [404],
    query: {
      type: 'object',
      additionalProperties: false,
      properties: { unitId: UNIT_ID, ...LIST_FILTER, limit: { type: 'integer', minimum: 1, maximum: 2000, default: 500 } },
    },
    handle: ({ services, principal, query }) => services.app.overdueList(principal, query),
  }),
  route({
    method: 'post',
    path: '/api/v1/board/remind',
    answer: 'reminded',
    summary:
      'Đôn đốc: a reminder to each instance (its history, its unit’s inbox, e-mail where configured); every id must be in your units (else 404, nothing sent)',
    tag: 'board',
    errors: [404, 409],
    body: {
      type: 'object',
      additionalProperties: false,
      required: ['instanceIds'],
      properties: {
        instanceIds: { type: 'array', items: ID, minItems: 1, maxItems: 500 },
        message: { type: 'string', maxLength: 1000 },
      },
    },
    handle: ({ services, principal, body, call }) => services.app.remind(principal, body.instanceIds, body.message, call),
  }),
  route({
    method: 'get',
    path: '/api/v1/board/export',
    answer: 'file',
    summary:
      'The overdue list (Phòng, unit, process, stage, deadline, working days late; as of when), or with view=counts the board by unit and stage, as CSV or XLSX',
    tag: 'board',
    errors: [404],
    query: {
      ...FORMAT,
      properties: { ...FORMAT.properties, ...LIST_FILTER, view: { enum: ['overdue', 'counts'], default: 'overdue' }, lang: { enum: ['vi', 'en'] } },
    },
    async handle({ services, principal, query }) {
      if (query.view === 'counts') return countsExport(await services.app.board(principal, query.unitId, undefined), query.format ?? 'csv');
      const list = await services.app.overdueList(principal, query);
      const lang: Lang = query.lang ?? 'vi';
      const text = (t: { vi: string; en?: string }) => (lang === 'en' ? (t.en ?? t.vi) : t.vi);
      const vi = lang === 'vi';
      return exportFile(`danh-sach-qua-han-${list.root.id}`, query.format ?? 'csv', {
        sheet: vi ? 'Quá hạn' : 'Overdue',
        caption: [
          vi ? `Danh sách đơn vị quá hạn — ${list.root.name}` : `Overdue units — ${list.root.name}`,
          vi ? `Tính đến: ${formatDateTime(list.asOf)} (${list.total} hồ sơ quá hạn)` : `As of: ${formatDateTime(list.asOf)} (${list.total} overdue)`,
        ],
        columns: [
          { key: 'office', title: vi ? 'Phòng' : 'Office' },
          { key: 'unit', title: vi ? 'Đơn vị' : 'Unit' },
          { key: 'process', title: vi ? 'Quy trình' : 'Process' },
          { key: 'stage', title: vi ? 'Giai đoạn' : 'Stage' },
          { key: 'due', title: vi ? 'Hạn' : 'Deadline' },
          { key: 'late', title: vi ? 'Số ngày làm việc quá hạn' : 'Working days late' },
        ],
        rows: list.items.map((i) => ({
          office: i.officeName,
          unit: i.unitName,
          process: text(i.processTitle),
          stage: i.stageTitles.map(text).join(', '),
          due: formatDate(i.dueAt),
          late: i.daysLate,
        })),
      });
    },
  }),
];

function countsExport(board: Awaited<ReturnType<Application['board']>>, format: 'csv' | 'xlsx') {
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
  return exportFile(`bang-qua-han-${board.root.id}`, format, {
    sheet: 'Quá hạn',
    caption: [`Bảng theo dõi quá hạn — ${board.root.name}`, `Tính đến: ${formatDateTime(board.asOf)}`],
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
}

function ages(a: Record<(typeof AGES)[number], number>): Record<string, number> {
  return Object.fromEntries(AGES.map((k) => [`age ${k}`, a[k]]));
}
