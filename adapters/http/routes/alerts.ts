// Escalations raised under one's units (with acknowledgement: đã xem) and each unit's inbox.
import { ID, route } from '../route.ts';

export const alertRoutes = [
  route({
    method: 'get',
    path: '/api/v1/escalations',
    answer: 'escalations',
    summary: 'Escalations of instances in your units (or under one unit), newest first',
    tag: 'alerts',
    errors: [404],
    query: {
      type: 'object',
      additionalProperties: false,
      properties: {
        unitId: { type: 'string', maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' },
        acknowledged: { type: 'boolean' },
        limit: { type: 'integer', minimum: 1, maximum: 500, default: 100 },
      },
    },
    handle: ({ services, principal, query }) => services.app.escalations(principal, query),
  }),
  route({
    method: 'post',
    path: '/api/v1/escalations/:id/acknowledge',
    answer: 'acknowledged',
    summary: 'Acknowledge an escalation (supervisors and administrators over it); once only',
    tag: 'alerts',
    errors: [404, 409],
    handle: ({ services, principal, params, call }) => services.app.acknowledge(principal, params.id!, call),
  }),
  route({
    method: 'post',
    path: '/api/v1/escalations/acknowledge',
    answer: 'acknowledgedMany',
    summary:
      'Acknowledge several escalations at once; every id must be one you watch (else 404 for it, nothing marked); those already acknowledged are reported',
    tag: 'alerts',
    errors: [404],
    body: {
      type: 'object',
      additionalProperties: false,
      required: ['ids'],
      properties: { ids: { type: 'array', items: ID, minItems: 1, maxItems: 500 } },
    },
    handle: ({ services, principal, body, call }) => services.app.acknowledgeMany(principal, body.ids, call),
  }),
  route({
    method: 'get',
    path: '/api/v1/inbox',
    answer: 'inbox',
    summary: 'Notices for the units you hold roles on, newest first, with the unread count',
    tag: 'alerts',
    query: {
      type: 'object',
      additionalProperties: false,
      properties: { unread: { type: 'boolean' }, limit: { type: 'integer', minimum: 1, maximum: 500, default: 100 } },
    },
    handle: ({ services, principal, query }) => services.app.inbox(principal, query),
  }),
  route({
    method: 'post',
    path: '/api/v1/inbox/read',
    answer: 'unread',
    summary: 'Mark notices read: the given ids, or all',
    tag: 'alerts',
    body: {
      type: 'object',
      additionalProperties: false,
      properties: { ids: { type: 'array', items: { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER }, maxItems: 500 }, all: { type: 'boolean' } },
    },
    handle: ({ services, principal, body, call }) => services.app.markRead(principal, body, call),
  }),
];
