// The overdue board (bảng theo dõi quá hạn) of a subtree for supervisors: counts by unit and stage,
// ageing in working days, escalations raised and acknowledged; and its export.
import { overdueBoard } from '../../../engine/service/queries.ts';
import { forbidden } from '../errors.ts';
import { route, type Principal, type Services } from '../route.ts';
import { scope, unitInScope } from '../scope.ts';
import { processes, stageTitle } from '../views.ts';
import { exportFile, FORMAT } from './exports.ts';

const AGES = ['1-5', '6-10', '11-20', '>20'] as const;

async function boardFor(services: Services, principal: Principal, unitId: string | undefined, soon: number | undefined) {
  const roots = scope(principal, 'watch');
  if (!roots.length) throw forbidden('the overdue board needs a supervisor or administrator role', { ability: 'watch' });
  const root = unitId ? await unitInScope(services, principal, unitId, 'watch') : (await services.engine.store.getUnits([roots[0]!.split('/').filter(Boolean).at(-1)!]))[0]!;
  const board = await overdueBoard(services.engine, root.id, soon !== undefined ? { soonWorkingDays: soon } : {});
  const proc = await processes(services.engine, board.byStage);
  const underRoot = [root.path];
  return {
    ...board,
    byStage: board.byStage.map((s) => ({ ...s, title: stageTitle(proc(s.definitionId), s.stage), processTitle: proc(s.definitionId)?.title ?? { vi: s.definitionId, en: s.definitionId } })),
    escalations: {
      total: await services.engine.store.countEscalations(underRoot, {}),
      unacknowledged: await services.engine.store.countEscalations(underRoot, { acknowledged: false }),
    },
  };
}

export const boardRoutes = [
  route({
    method: 'get',
    path: '/api/v1/board',
    summary: 'Overdue and due-soon counts under a unit (default: your first unit), by unit one level down and by stage, with ageing in working days',
    tag: 'board',
    errors: [404],
    query: { type: 'object', additionalProperties: false, properties: { unitId: { type: 'string', maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' }, soon: { type: 'integer', minimum: 0, maximum: 60 } } },
    async handle({ services, principal, query }) {
      return boardFor(services, principal, query.unitId, query.soon);
    },
  }),
  route({
    method: 'get',
    path: '/api/v1/board/export',
    summary: 'The overdue board by unit and by stage, as CSV or XLSX',
    tag: 'board',
    errors: [404],
    query: FORMAT,
    async handle({ services, principal, query }) {
      const board = await boardFor(services, principal, query.unitId, undefined);
      const rows = [
        ...board.byUnit.map((u) => ({ group: 'Đơn vị', name: u.name, id: u.unitId, overdue: u.overdue, dueSoon: u.dueSoon, ...ages(u.ages) })),
        ...board.byStage.map((s) => ({ group: 'Giai đoạn', name: s.title.vi, id: `${s.definitionId}/${s.stage}`, overdue: s.overdue, dueSoon: s.dueSoon, ...ages(s.ages) })),
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
