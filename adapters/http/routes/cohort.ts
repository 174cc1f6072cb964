// Cohort operations for administrators: extend a deadline (gia hạn), hand open tasks to another
// unit, cancel, or migrate to a new version — over the instances a filter picks in their units,
// each with a reason and a dry run; work held by units above theirs is listed as excluded.
import { ID, route, TEXT, VERSION } from '../route.ts';

const FILTER = {
  type: 'object',
  additionalProperties: false,
  properties: {
    definitionId: ID,
    definitionVersion: VERSION,
    campaignId: ID,
    unitId: ID,
    stages: { type: 'array', items: ID, maxItems: 50 },
    // Only instances past a deadline now.
    overdue: { type: 'boolean' },
  },
} as const;
const COMMON = { filter: FILTER, reason: TEXT(1000), dryRun: { type: 'boolean' } } as const;

export const cohortRoutes = [
  route({
    method: 'post',
    path: '/api/v1/cohort/extend',
    answer: 'cohort',
    summary: 'Extend an active stage’s deadline to a day, or by working or calendar days',
    tag: 'cohort',
    errors: [404],
    body: {
      type: 'object',
      additionalProperties: false,
      required: ['filter', 'stage', 'reason'],
      properties: {
        ...COMMON,
        stage: ID,
        until: { type: 'string', maxLength: 10 },
        workingDays: { type: 'integer', minimum: 1, maximum: 365 },
        days: { type: 'integer', minimum: 1, maximum: 3650 },
      },
    },
    handle: ({ services, principal, body: { filter, ...rest }, call }) => services.app.cohort(principal, filter, { op: 'extend', ...rest }, call),
  }),
  route({
    method: 'post',
    path: '/api/v1/cohort/reassign',
    answer: 'cohort',
    summary: 'Hand the open tasks (or one task) to another unit in your scope',
    tag: 'cohort',
    errors: [404],
    body: { type: 'object', additionalProperties: false, required: ['filter', 'toUnitId', 'reason'], properties: { ...COMMON, toUnitId: ID, task: ID } },
    handle: ({ services, principal, body: { filter, ...rest }, call }) => services.app.cohort(principal, filter, { op: 'reassign', ...rest }, call),
  }),
  route({
    method: 'post',
    path: '/api/v1/cohort/cancel',
    answer: 'cohort',
    summary: 'Cancel the matching instances, with the reason on each one’s record',
    tag: 'cohort',
    errors: [404],
    body: { type: 'object', additionalProperties: false, required: ['filter', 'reason'], properties: COMMON },
    handle: ({ services, principal, body: { filter, ...rest }, call }) => services.app.cohort(principal, filter, { op: 'cancel', ...rest }, call),
  }),
  route({
    method: 'post',
    path: '/api/v1/cohort/migrate',
    answer: 'cohort',
    summary: 'Move the matching instances to another published version, with a state map for removed stages',
    tag: 'cohort',
    errors: [404],
    body: {
      type: 'object',
      additionalProperties: false,
      required: ['filter', 'toVersion', 'reason'],
      properties: { ...COMMON, toVersion: VERSION, stateMap: { type: 'object', additionalProperties: { type: 'string', maxLength: 64 }, maxProperties: 200 } },
    },
    handle: ({ services, principal, body: { filter, stateMap, ...rest }, call }) =>
      services.app.cohort(principal, filter, { op: 'migrate', ...rest, ...(stateMap ? { stateMap: stateMap as Record<string, string> } : {}) }, call),
  }),
];
