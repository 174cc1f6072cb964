// Campaigns (đợt triển khai): start a process for every unit of given kinds under a unit, watch it
// fill, see where the schools stand, export the status per school.
import { ID, route, TEXT, VERSION } from '../route.ts';
import { exportFile, FORMAT } from './exports.ts';

/** Which units a launch reaches: what the launch and its dry run share. */
const SCOPE = {
  definitionId: ID,
  version: VERSION,
  rootUnitId: ID,
  kinds: { type: 'array', items: { type: 'string', maxLength: 32 }, maxItems: 20 },
  // A sample chosen above (PISA, SEA-PLM): these units only, or added to the kinds'.
  unitIds: { type: 'array', items: ID, minItems: 1, maxItems: 20_000 },
  // Units already running this process are skipped unless this is true.
  includeRunning: { type: 'boolean' },
} as const;

export const campaignRoutes = [
  route({
    method: 'get',
    path: '/api/v1/campaigns',
    answer: 'campaigns',
    summary: 'Campaigns launched for units in your scope, newest first',
    tag: 'campaigns',
    query: { type: 'object', additionalProperties: false, properties: { limit: { type: 'integer', minimum: 1, maximum: 500, default: 100 } } },
    handle: ({ services, principal, query }) => services.app.campaigns(principal, query.limit ?? 100),
  }),
  route({
    method: 'post',
    path: '/api/v1/campaigns',
    answer: 'campaignLaunched',
    summary:
      'Launch a process for every unit of the given kinds under a unit, or for the units named (a sample), administrators of that unit; runs in the background',
    tag: 'campaigns',
    status: 202,
    errors: [404, 422],
    body: {
      type: 'object',
      additionalProperties: false,
      required: ['definitionId', 'rootUnitId'],
      properties: {
        id: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,64}$' },
        ...SCOPE,
        reason: TEXT(1000),
        anchors: { type: 'object', additionalProperties: { type: 'string', maxLength: 10 }, maxProperties: 20 },
        // Lists the process declares, for every instance (its fan-outs reach a list's units).
        lists: { type: 'object', additionalProperties: { type: 'array', items: ID, maxItems: 20_000 }, maxProperties: 20 },
      },
    },
    handle: ({ services, principal, body: { anchors, lists, ...rest }, call }) =>
      services.app.launchCampaign(
        principal,
        {
          ...rest,
          ...(anchors ? { anchors: anchors as Record<string, string> } : {}),
          ...(lists ? { lists: lists as Record<string, string[]> } : {}),
        },
        call,
      ),
  }),
  route({
    method: 'post',
    path: '/api/v1/campaigns/preview',
    answer: 'campaignPreview',
    summary: 'What a launch would do: the units it reaches, and those it would skip as already running the process (a dry run)',
    tag: 'campaigns',
    errors: [404, 422],
    body: {
      type: 'object',
      additionalProperties: false,
      required: ['definitionId', 'rootUnitId'],
      properties: SCOPE,
    },
    handle: ({ services, principal, body }) => services.app.previewCampaign(principal, body),
  }),
  route({
    method: 'get',
    path: '/api/v1/campaigns/:id',
    answer: 'campaign',
    summary: 'A campaign’s progress: started of total, instances by stage, overdue and finished counts',
    tag: 'campaigns',
    errors: [404],
    handle: ({ services, principal, params }) => services.app.campaign(principal, params.id!),
  }),
  route({
    method: 'get',
    path: '/api/v1/campaigns/:id/export',
    answer: 'file',
    summary: 'The campaign’s status per school, as CSV or XLSX',
    tag: 'campaigns',
    errors: [404],
    query: FORMAT,
    async handle({ services, principal, params, query }) {
      const { campaign, rows } = await services.app.campaignInstances(principal, params.id!);
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
        rows: rows.map((r) => ({
          unitName: r.unitName,
          orgUnitId: r.orgUnitId,
          status: STATUS_VI[r.status] ?? r.status,
          stages: r.stageTitles.map((t) => t.vi).join('; '),
          dueAt: r.dueAt === null ? null : formatDate(r.dueAt),
          overdue: r.overdue ? 'có' : '',
        })),
      });
    },
  }),
];

/** The export is an office's document: statuses in words, as the UI says them in Vietnamese. */
const STATUS_VI: Record<string, string> = {
  running: 'Đang thực hiện',
  done: 'Hoàn tất',
  cancelled: 'Đã huỷ',
  needs_migration: 'Cần chuyển phiên bản',
};

/** dd/mm/yyyy in Vietnamese time, as offices write dates. */
export function formatDate(at: number): string {
  const d = new Date(at + 7 * 3_600_000);
  return `${String(d.getUTCDate()).padStart(2, '0')}/${String(d.getUTCMonth() + 1).padStart(2, '0')}/${d.getUTCFullYear()}`;
}
