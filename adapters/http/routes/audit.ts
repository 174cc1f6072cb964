// The record of administrative acts (nhật ký quản trị) of the caller's subtree: read and exported by
// administrators.
import { AUDIT_ACTIONS, type AuditAction } from '../../../engine/domain.ts';
import { route } from '../route.ts';
import { exportFile } from './exports.ts';

const QUERY = {
  type: 'object',
  additionalProperties: false,
  properties: {
    unitId: { type: 'string', maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' },
    action: { type: 'string', maxLength: 1000, description: `comma-separated: ${AUDIT_ACTIONS.join(', ')}` },
    from: { type: 'integer', minimum: 0 },
    to: { type: 'integer', minimum: 0 },
    before: { type: 'integer', minimum: 1 },
    limit: { type: 'integer', minimum: 1, maximum: 1000 },
    format: { enum: ['csv', 'xlsx'] },
  },
} as const;

function actionsOf(text: string | undefined): AuditAction[] | undefined {
  return text ? (text.split(',').filter((a) => (AUDIT_ACTIONS as readonly string[]).includes(a)) as AuditAction[]) : undefined;
}

const ask = (q: { unitId?: string; action?: string; from?: number; to?: number; before?: number; limit?: number }) => ({
  ...(q.unitId ? { unitId: q.unitId } : {}),
  ...(actionsOf(q.action) ? { actions: actionsOf(q.action)! } : {}),
  ...(q.from !== undefined ? { from: q.from } : {}),
  ...(q.to !== undefined ? { to: q.to } : {}),
  ...(q.before !== undefined ? { before: q.before } : {}),
  ...(q.limit !== undefined ? { limit: q.limit } : {}),
});

export const auditRoutes = [
  route({
    method: 'get',
    path: '/api/v1/audit',
    answer: 'audit',
    summary: 'Administrative acts in your subtree (or a unit’s), newest first: who, when, what, on what, why, what changed; `before` pages on',
    tag: 'audit',
    errors: [404],
    query: QUERY,
    handle: ({ services, principal, query }) => services.app.auditLog(principal, ask(query)),
  }),
  route({
    method: 'get',
    path: '/api/v1/audit/export',
    answer: 'file',
    summary: 'The audit record as CSV or XLSX (up to 10,000 newest entries matching the query)',
    tag: 'audit',
    errors: [404],
    query: QUERY,
    async handle({ services, principal, query }) {
      const { items } = await services.app.auditLog(principal, { ...ask(query), limit: 10_000 });
      return exportFile('nhat-ky-quan-tri', query.format ?? 'csv', {
        sheet: 'Nhật ký',
        columns: [
          { key: 'at', title: 'Thời điểm' },
          { key: 'actor', title: 'Người thực hiện' },
          { key: 'login', title: 'Tên đăng nhập' },
          { key: 'action', title: 'Thao tác' },
          { key: 'target', title: 'Đối tượng' },
          { key: 'unit', title: 'Đơn vị' },
          { key: 'reason', title: 'Lý do' },
          { key: 'details', title: 'Chi tiết' },
        ],
        rows: items.map((e) => ({
          at: new Date(e.at).toISOString(),
          actor: e.actorName,
          login: e.actorLogin,
          action: e.action,
          target: e.target,
          unit: e.unitId ?? '',
          reason: e.reason ?? '',
          details: e.details ? JSON.stringify(e.details) : '',
        })),
      });
    },
  }),
];
