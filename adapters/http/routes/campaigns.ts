// Campaigns (đợt triển khai): start a process for every unit of given kinds under a unit, watch it
// fill, see where the schools stand, export the status per school.
import { createCampaign } from '../../../engine/service/campaigns.ts';
import type { Campaign } from '../../../engine/domain.ts';
import { EngineError } from '../../../engine/errors.ts';
import { notFound } from '../errors.ts';
import { ID, route, TEXT, VERSION, type Principal, type Services } from '../route.ts';
import { scope, unitInScope } from '../scope.ts';
import { instanceRows, processes, stageTitle } from '../views.ts';
import { exportFile, FORMAT } from './exports.ts';

async function campaignRows(services: Services, campaigns: Campaign[]) {
  const units = new Map((await services.engine.store.getUnits(campaigns.map((c) => c.rootUnitId))).map((u) => [u.id, u.name]));
  const proc = await processes(services.engine, campaigns);
  return campaigns.map((c) => ({ ...c, title: proc(c.definitionId, c.definitionVersion)?.title ?? { vi: c.definitionId, en: c.definitionId }, rootUnitName: units.get(c.rootUnitId) ?? c.rootUnitId }));
}

async function campaignInScope(services: Services, principal: Principal, id: string): Promise<Campaign> {
  const campaign = await services.engine.store.getCampaign(id);
  if (!campaign) throw notFound(`no campaign "${id}"`, { campaignId: id });
  await unitInScope(services, principal, campaign.rootUnitId, 'read');
  return campaign;
}

export const campaignRoutes = [
  route({
    method: 'get',
    path: '/api/v1/campaigns',
    summary: 'Campaigns launched for units in your scope, newest first',
    tag: 'campaigns',
    query: { type: 'object', additionalProperties: false, properties: { limit: { type: 'integer', minimum: 1, maximum: 500, default: 100 } } },
    async handle({ services, principal, query }) {
      return { items: await campaignRows(services, await services.engine.store.listCampaigns(scope(principal, 'read'), query.limit ?? 100)) };
    },
  }),
  route({
    method: 'post',
    path: '/api/v1/campaigns',
    summary: 'Launch a process for every unit of the given kinds under a unit (administrators of that unit); runs in the background',
    tag: 'campaigns',
    status: 202,
    errors: [404, 422],
    body: {
      type: 'object',
      additionalProperties: false,
      required: ['definitionId', 'rootUnitId'],
      properties: {
        id: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,64}$' },
        definitionId: ID,
        version: VERSION,
        rootUnitId: ID,
        kinds: { type: 'array', items: { type: 'string', maxLength: 32 }, maxItems: 20 },
        reason: TEXT(1000),
        anchors: { type: 'object', additionalProperties: { type: 'string', maxLength: 10 }, maxProperties: 20 },
      },
    },
    async handle({ services, principal, body, actor }) {
      await unitInScope(services, principal, body.rootUnitId, 'administer');
      // An id another unit's campaign holds is theirs: answered like reading it, without naming
      // its process and unit as "already exists for … under …" did.
      if (body.id) {
        const taken = await services.engine.store.getCampaign(body.id);
        if (taken) await campaignInScope(services, principal, taken.id);
      }
      const { anchors, ...rest } = body;
      // Anchor names are the process's own: the engine's look-up also found names every object
      // inherits (hasOwnProperty, toString), and the campaign stored them for each school it started.
      if (anchors) {
        const compiled = await services.engine.catalog.get(body.definitionId, body.version);
        const unknown = Object.keys(anchors).find((name) => !Object.hasOwn(compiled.anchors, name));
        if (unknown !== undefined) throw new EngineError('UNKNOWN_ANCHOR', `unknown anchor "${unknown}"; anchors are: ${Object.keys(compiled.anchors).join(', ') || 'none'}`, { anchor: unknown, field: `anchors.${unknown}` });
      }
      const campaign = await createCampaign(services.engine, { ...rest, ...(anchors ? { anchors: anchors as Record<string, string> } : {}) }, { actor });
      services.runCampaignLater(campaign.id, actor);
      const [row] = await campaignRows(services, [campaign]);
      return { campaign: row };
    },
  }),
  route({
    method: 'get',
    path: '/api/v1/campaigns/:id',
    summary: 'A campaign’s progress: started of total, instances by stage, overdue and finished counts',
    tag: 'campaigns',
    errors: [404],
    async handle({ services, principal, params }) {
      const campaign = await campaignInScope(services, principal, params.id!);
      const { store } = services.engine;
      const underPaths = scope(principal, 'read');
      const counts = await store.stageCounts({ campaignId: campaign.id, underPaths });
      const compiled = (await processes(services.engine, [campaign]))(campaign.definitionId, campaign.definitionVersion);
      const byStage = new Map<string, number>();
      for (const c of counts.filter((x) => x.status === 'running')) for (const s of c.stages) byStage.set(s, (byStage.get(s) ?? 0) + c.count);
      const [row] = await campaignRows(services, [campaign]);
      return {
        campaign: row,
        byStage: [...byStage].map(([stage, count]) => ({ stage, title: stageTitle(compiled, stage), count })),
        overdue: await store.countInstances({ campaignId: campaign.id, underPaths, dueBefore: services.engine.clock.now() }),
        done: counts.filter((c) => c.status === 'done').reduce((n, c) => n + c.count, 0),
      };
    },
  }),
  route({
    method: 'get',
    path: '/api/v1/campaigns/:id/export',
    summary: 'The campaign’s status per school, as CSV or XLSX',
    tag: 'campaigns',
    errors: [404],
    query: FORMAT,
    async handle({ services, principal, params, query }) {
      const campaign = await campaignInScope(services, principal, params.id!);
      const rows = [];
      let afterId: string | undefined;
      for (;;) {
        const page = await services.engine.store.listInstances({ campaignId: campaign.id, underPaths: scope(principal, 'read') }, { limit: 500, ...(afterId ? { afterId } : {}) });
        if (!page.length) break;
        rows.push(...(await instanceRows(services.engine, page)));
        afterId = page.at(-1)!.id;
      }
      return exportFile(`campaign-${campaign.id}`, query.format ?? 'csv', {
        sheet: 'Trạng thái',
        columns: [
          { key: 'unitName', title: 'Đơn vị' },
          { key: 'orgUnitId', title: 'Mã đơn vị' },
          { key: 'status', title: 'Trạng thái' },
          { key: 'stages', title: 'Giai đoạn' },
          { key: 'dueAt', title: 'Hạn' },
          { key: 'overdue', title: 'Quá hạn' },
        ],
        rows: rows.map((r) => ({ unitName: r.unitName, orgUnitId: r.orgUnitId, status: r.status, stages: r.stageTitles.map((t) => t.vi).join('; '), dueAt: r.dueAt === null ? null : formatDate(r.dueAt), overdue: r.overdue ? 'có' : '' })),
      });
    },
  }),
];

/** dd/mm/yyyy in Vietnamese time, as offices write dates. */
export function formatDate(at: number): string {
  const d = new Date(at + 7 * 3_600_000);
  return `${String(d.getUTCDate()).padStart(2, '0')}/${String(d.getUTCMonth() + 1).padStart(2, '0')}/${d.getUTCFullYear()}`;
}
