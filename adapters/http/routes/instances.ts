// Instances (hồ sơ): list and filter within one's units, read one's timeline, and act on it —
// send a process event, tick evidence, set an anchor date, cancel.
import { ID, route, TEXT } from '../route.ts';
import { childrenTable } from './children-table.ts';
import { exportFile, FORMAT } from './exports.ts';

const STATUSES = ['running', 'done', 'cancelled', 'needs_migration'] as const;

export const instanceRoutes = [
  route({
    method: 'get',
    path: '/api/v1/instances',
    answer: 'instances',
    summary: 'Instances in your units, filtered; a page at a time (pass `next` back as `after`)',
    tag: 'instances',
    query: {
      type: 'object',
      additionalProperties: false,
      properties: {
        definitionId: ID,
        campaignId: ID,
        unitId: ID,
        stage: ID,
        status: { enum: STATUSES },
        overdue: { type: 'boolean' },
        limit: { type: 'integer', minimum: 1, maximum: 500, default: 100 },
        after: ID,
      },
    },
    handle: ({ services, principal, query }) => services.app.instances(principal, query),
  }),
  route({
    method: 'get',
    path: '/api/v1/instances/:id',
    answer: 'timeline',
    summary: "One instance's timeline: active stages with deadlines and what you may do in each, history, tasks, escalations",
    tag: 'instances',
    errors: [404],
    handle: ({ services, principal, params }) => services.app.instance(principal, params.id!),
  }),
  route({
    method: 'get',
    path: '/api/v1/instances/:id/children',
    answer: 'children',
    summary:
      'The work an instance opened for the units below it (its fan-outs): each child unit, where it stands and whether it is late, the counts and the roll-up',
    tag: 'instances',
    errors: [404],
    handle: ({ services, principal, params }) => services.app.childrenOf(principal, params.id!),
  }),
  route({
    method: 'get',
    path: '/api/v1/instances/:id/children/export',
    answer: 'file',
    summary: "The units below and their answers, one row per unit (the roll-up per unit, the late marked): the latest fan-out's, as CSV or XLSX",
    tag: 'instances',
    errors: [404],
    query: FORMAT,
    async handle({ services, principal, params, query }) {
      const { stages } = await services.app.childrenOf(principal, params.id!);
      return exportFile(`don-vi-cap-duoi-${params.id}`, query.format ?? 'csv', childrenTable(stages.at(-1)));
    },
  }),
  route({
    method: 'post',
    path: '/api/v1/instances/:id/events',
    answer: 'instanceSummary',
    summary:
      'Send a process event (SUBMIT, DECIDE…) with its data, checked against the event form; you must work over the unit holding every active stage that accepts it',
    tag: 'instances',
    errors: [404, 409, 422],
    body: {
      type: 'object',
      additionalProperties: false,
      required: ['type'],
      properties: { type: { type: 'string', minLength: 1, maxLength: 64 }, data: { type: 'object' } },
    },
    handle: ({ services, principal, params, body, call }) =>
      services.app.sendEvent(principal, params.id!, { type: body.type, ...(body.data ? { data: body.data } : {}) }, call),
  }),
  route({
    method: 'post',
    path: '/api/v1/instances/:id/evidence',
    answer: 'instanceSummary',
    summary: 'Tick (or untick) an item of the evidence checklist (minh chứng) of the stage holding it',
    tag: 'instances',
    errors: [404, 409, 422],
    body: { type: 'object', additionalProperties: false, required: ['item', 'checked'], properties: { item: ID, checked: { type: 'boolean' } } },
    handle: ({ services, principal, params, body, call }) => services.app.checkEvidence(principal, params.id!, body.item, body.checked, call),
  }),
  route({
    method: 'post',
    path: '/api/v1/instances/:id/anchors',
    answer: 'instanceSummary',
    summary: 'Set (or with null clear) an anchor date such as the visit date; anchored deadlines move (for those who work over the stages it sets)',
    tag: 'instances',
    errors: [404, 409, 422],
    body: {
      type: 'object',
      additionalProperties: false,
      required: ['name', 'date'],
      properties: { name: ID, date: { type: ['string', 'null'], maxLength: 10 } },
    },
    handle: ({ services, principal, params, body, call }) => services.app.setAnchor(principal, params.id!, body.name, body.date, call),
  }),
  route({
    method: 'post',
    path: '/api/v1/instances/:id/cancel',
    answer: 'instanceSummary',
    summary: 'End an instance early, with the reason on record (administrators)',
    tag: 'instances',
    errors: [404, 409],
    body: { type: 'object', additionalProperties: false, required: ['reason'], properties: { reason: TEXT(1000) } },
    handle: ({ services, principal, params, body, call }) => services.app.cancelInstance(principal, params.id!, body.reason, call),
  }),
];
