// Escalations raised under one's units (with acknowledgement: đã xem) and each unit's inbox.
import { EngineError } from '../../../engine/errors.ts';
import { notFound } from '../errors.ts';
import { route } from '../route.ts';
import { outside, scope, unitInScope } from '../scope.ts';
import { escalationRows } from '../views.ts';

export const alertRoutes = [
  route({
    method: 'get',
    path: '/api/v1/escalations',
    summary: 'Escalations of instances in your units (or under one unit), newest first',
    tag: 'alerts',
    errors: [404],
    query: {
      type: 'object',
      additionalProperties: false,
      properties: { unitId: { type: 'string', maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' }, acknowledged: { type: 'boolean' }, limit: { type: 'integer', minimum: 1, maximum: 500, default: 100 } },
    },
    async handle({ services, principal, query }) {
      const unit = query.unitId ? await unitInScope(services, principal, query.unitId, 'read') : undefined;
      const items = await services.engine.store.escalations(scope(principal, 'read'), { limit: query.limit ?? 100, ...(unit ? { unitPath: unit.path } : {}), ...(query.acknowledged !== undefined ? { acknowledged: query.acknowledged } : {}) });
      return { items: await escalationRows(services.engine, items) };
    },
  }),
  route({
    method: 'post',
    path: '/api/v1/escalations/:id/acknowledge',
    summary: 'Acknowledge an escalation (supervisors and administrators over it); once only',
    tag: 'alerts',
    errors: [404, 409],
    async handle({ services, principal, params, actor }) {
      const { store, clock } = services.engine;
      const id = params.id!;
      const [mine] = await store.escalations(scope(principal, 'watch'), { ids: [id], limit: 1 });
      if (!mine) {
        if ((await store.escalations(['/'], { ids: [id], limit: 1 })).length) outside(`escalation "${id}"`, 'watch');
        throw notFound(`no escalation "${id}"`, { escalationId: id });
      }
      if (!(await store.acknowledgeEscalation(id, actor, clock.now()))) {
        throw new EngineError('REV_CONFLICT', `escalation "${id}" was already acknowledged by ${mine.acknowledgedBy ?? 'someone else'}`, { escalationId: id });
      }
      const [row] = await escalationRows(services.engine, await store.escalations(['/'], { ids: [id], limit: 1 }));
      return { escalation: row };
    },
  }),
  route({
    method: 'get',
    path: '/api/v1/inbox',
    summary: 'Notices for the units you hold roles on, newest first, with the unread count',
    tag: 'alerts',
    query: { type: 'object', additionalProperties: false, properties: { unread: { type: 'boolean' }, limit: { type: 'integer', minimum: 1, maximum: 500, default: 100 } } },
    async handle({ services, principal, query }) {
      const units = principal.grants.map((g) => g.unitId);
      const items = await services.engine.store.inbox(units, { unreadOnly: query.unread ?? false, limit: query.limit ?? 100 });
      return { items, unread: await services.engine.store.countUnread(units) };
    },
  }),
  route({
    method: 'post',
    path: '/api/v1/inbox/read',
    summary: 'Mark notices read: the given ids, or all',
    tag: 'alerts',
    body: { type: 'object', additionalProperties: false, properties: { ids: { type: 'array', items: { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER }, maxItems: 500 }, all: { type: 'boolean' } } },
    async handle({ services, principal, body }) {
      const units = principal.grants.map((g) => g.unitId);
      await services.engine.store.markRead(units, body.all ? 'all' : (body.ids ?? []), services.engine.clock.now());
      return { unread: await services.engine.store.countUnread(units) };
    },
  }),
];
