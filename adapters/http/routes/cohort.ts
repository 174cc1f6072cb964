// Cohort operations for administrators: extend a deadline (gia hạn), hand open tasks to another
// unit, cancel, or migrate to a new version — over the instances a filter picks in their units,
// each with a reason and a dry run.
import { cancelCohort, extendCohort, migrateCohort, reassignCohort } from '../../../engine/service/cohort.ts';
import type { InstanceFilter } from '../../../engine/ports.ts';
import { forbidden } from '../errors.ts';
import { ID, route, TEXT, VERSION, type Principal, type Services } from '../route.ts';
import { scope, unitInScope } from '../scope.ts';

const FILTER = {
  type: 'object',
  additionalProperties: false,
  properties: { definitionId: ID, definitionVersion: VERSION, campaignId: ID, unitId: ID, stages: { type: 'array', items: ID, maxItems: 50 } },
} as const;
const COMMON = { filter: FILTER, reason: TEXT(1000), dryRun: { type: 'boolean' } } as const;

async function scoped(services: Services, principal: Principal, f: { definitionId?: string; definitionVersion?: number; campaignId?: string; unitId?: string; stages?: string[] }): Promise<InstanceFilter> {
  const underPaths = scope(principal, 'administer');
  if (!underPaths.length) throw forbidden('cohort operations need an administrator role', { ability: 'administer' });
  const unit = f.unitId ? await unitInScope(services, principal, f.unitId, 'administer') : undefined;
  return {
    underPaths,
    ...(unit ? { underPath: unit.path } : {}),
    ...(f.definitionId ? { definitionId: f.definitionId } : {}),
    ...(f.definitionVersion ? { definitionVersion: f.definitionVersion } : {}),
    ...(f.campaignId ? { campaignId: f.campaignId } : {}),
    ...(f.stages?.length ? { stages: f.stages } : {}),
  };
}

const opts = (actor: string, key?: string) => ({ actor, ...(key ? { idempotencyKey: key } : {}) });

export const cohortRoutes = [
  route({
    method: 'post',
    path: '/api/v1/cohort/extend',
    summary: 'Extend an active stage’s deadline to a day, or by working or calendar days',
    tag: 'cohort',
    body: {
      type: 'object',
      additionalProperties: false,
      required: ['filter', 'stage', 'reason'],
      properties: { ...COMMON, stage: ID, until: { type: 'string', maxLength: 10 }, workingDays: { type: 'integer', minimum: 1, maximum: 365 }, days: { type: 'integer', minimum: 1, maximum: 3650 } },
    },
    async handle({ services, principal, body, actor, idempotencyKey }) {
      const { filter, ...input } = body;
      return extendCohort(services.engine, await scoped(services, principal, filter), input, opts(actor, idempotencyKey));
    },
  }),
  route({
    method: 'post',
    path: '/api/v1/cohort/reassign',
    summary: 'Hand the open tasks (or one task) to another unit in your scope',
    tag: 'cohort',
    errors: [404],
    body: { type: 'object', additionalProperties: false, required: ['filter', 'toUnitId', 'reason'], properties: { ...COMMON, toUnitId: ID, task: ID } },
    async handle({ services, principal, body, actor, idempotencyKey }) {
      const { filter, ...input } = body;
      await unitInScope(services, principal, input.toUnitId, 'administer');
      return reassignCohort(services.engine, await scoped(services, principal, filter), input, opts(actor, idempotencyKey));
    },
  }),
  route({
    method: 'post',
    path: '/api/v1/cohort/cancel',
    summary: 'Cancel the matching instances, with the reason on each one’s record',
    tag: 'cohort',
    body: { type: 'object', additionalProperties: false, required: ['filter', 'reason'], properties: COMMON },
    async handle({ services, principal, body, actor, idempotencyKey }) {
      const { filter, ...input } = body;
      return cancelCohort(services.engine, await scoped(services, principal, filter), input, opts(actor, idempotencyKey));
    },
  }),
  route({
    method: 'post',
    path: '/api/v1/cohort/migrate',
    summary: 'Move the matching instances to another published version, with a state map for removed stages',
    tag: 'cohort',
    errors: [404],
    body: {
      type: 'object',
      additionalProperties: false,
      required: ['filter', 'toVersion', 'reason'],
      properties: { ...COMMON, toVersion: VERSION, stateMap: { type: 'object', additionalProperties: { type: 'string', maxLength: 64 }, maxProperties: 200 } },
    },
    async handle({ services, principal, body, actor, idempotencyKey }) {
      const { filter, stateMap, ...input } = body;
      return migrateCohort(services.engine, await scoped(services, principal, filter), { ...input, ...(stateMap ? { stateMap: stateMap as Record<string, string> } : {}) }, opts(actor, idempotencyKey));
    },
  }),
];
