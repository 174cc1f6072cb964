// The org tree as the caller may see it (their grant roots, and below them one level at a time), and
// its reshaping by administrators: add, update, move, merge, close — each one operation of
// `Application.reshape`, or a list of them at once; a dry run answers what it would do and touch.
import { UNIT_KINDS } from '../../../engine/service/org.ts';
import type { OrgOperation, ReshapeReport } from '../../../engine/application/org-commands.ts';
import type { ImportSummary } from '../../../engine/org/import-summary.ts';
import { HttpError } from '../errors.ts';
import { ID, route, TEXT, type Principal, type Services } from '../route.ts';
import { readUnitFile, readUnitSheet, UnitSheetError, writeUnitSheet } from '../../files/unit-sheet.ts';
import type { Call } from '../../../engine/application/application.ts';

const UNIT_ID = { type: 'string', minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' } as const;
const KIND = { enum: UNIT_KINDS } as const;
const LEVELS = { type: 'array', maxItems: 6, items: { enum: UNIT_KINDS } } as const;
const CONTACT = {
  email: { anyOf: [{ type: 'string', maxLength: 200 }, { type: 'null' }] },
  phone: { anyOf: [{ type: 'string', maxLength: 50 }, { type: 'null' }] },
} as const;
const REASON = TEXT(1000);
/** A new unit's fields, as the single add and the list's `add` take them. */
const NEW_UNIT = {
  id: UNIT_ID,
  parentId: UNIT_ID,
  kind: KIND,
  name: TEXT(300),
  levels: LEVELS,
  email: { type: 'string', maxLength: 200 },
  phone: { type: 'string', maxLength: 50 },
} as const;
const DRY_RUN = { type: 'boolean' } as const;

/** The operations as the bulk route takes them (the single routes build one each). */
const OPERATION = {
  oneOf: [
    {
      type: 'object',
      additionalProperties: false,
      required: ['op', 'id', 'kind', 'name'],
      properties: { op: { const: 'add' }, ...NEW_UNIT },
    },
    {
      type: 'object',
      additionalProperties: false,
      required: ['op', 'id'],
      properties: { op: { const: 'update' }, id: UNIT_ID, name: TEXT(300), kind: KIND, levels: { anyOf: [LEVELS, { type: 'null' }] }, ...CONTACT },
    },
    { type: 'object', additionalProperties: false, required: ['op', 'id', 'parentId'], properties: { op: { const: 'move' }, id: UNIT_ID, parentId: UNIT_ID } },
    { type: 'object', additionalProperties: false, required: ['op', 'id', 'intoId'], properties: { op: { const: 'merge' }, id: UNIT_ID, intoId: UNIT_ID } },
    { type: 'object', additionalProperties: false, required: ['op', 'id'], properties: { op: { const: 'close' }, id: UNIT_ID } },
  ],
} as const;

/**
 * A reshape that met problems changes nothing. Naming a unit outside one's units answers 404 (as
 * everywhere, even in a dry run), lacking the role 403; other problems 422 with the whole report (a
 * dry run answers its report, problems listed).
 */
async function reshape(
  services: Services,
  principal: Principal,
  operations: OrgOperation[],
  options: { reason?: string; dryRun?: boolean },
  call: Call,
): Promise<ReshapeReport> {
  const report = await services.app.reshape(principal, operations, options, call);
  const refusal = report.problems.find((p) => p.code === 'NOT_FOUND') ?? report.problems.find((p) => p.code === 'FORBIDDEN');
  if (refusal)
    throw new HttpError(refusal.code === 'NOT_FOUND' ? 404 : 403, refusal.code as 'NOT_FOUND' | 'FORBIDDEN', refusal.message, {
      ...refusal.params,
      problems: report.problems,
    });
  if (!report.applied && !report.dryRun) {
    const first = report.problems[0]!;
    throw new HttpError(422, 'RESHAPE_REFUSED', `${report.problems.length} problem(s); nothing was changed. First: ${first.code} ${first.message}`, {
      ...report,
    });
  }
  return report;
}

export const orgRoutes = [
  route({
    method: 'post',
    path: '/api/v1/unit-lists',
    answer: 'unitList',
    summary:
      'Read a list of unit codes (a sample: the CSV or XLSX file as the request body, codes in the column headed Mã đơn vị, or the first): the units found among yours, and every code that is not, at its row and column. Changes nothing; launch a campaign with the codes as unitIds',
    tag: 'org',
    errors: [413],
    upload: { types: ['text/csv', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'application/octet-stream'], limit: '20mb' },
    query: { type: 'object', additionalProperties: false, required: ['file'], properties: { file: TEXT(200) } },
    async handle({ services, principal, query, upload }) {
      const file = query.file.replace(/[\\/]/g, '_');
      let table;
      try {
        table = await readUnitSheet(upload!, file);
      } catch (e) {
        if (!(e instanceof UnitSheetError)) throw e;
        const problem = { file, row: 1, column: 1, header: '', code: e.code, message: { vi: e.vi, en: e.message }, params: {} };
        return { file, unitIds: [], units: [], problems: [problem], problemCount: 1 };
      }
      const list = await services.app.unitList(principal, table);
      return { file, ...list, problems: list.problems.slice(0, MAX_LISTED), problemCount: list.problems.length };
    },
  }),
  // Before /org-units/:id, which would take "export" for a unit id.
  route({
    method: 'post',
    path: '/api/v1/org-units/import',
    answer: 'unitImport',
    summary:
      'Import an office’s unit list (the CSV or XLSX file as the request body; columns Mã đơn vị, Tên đơn vị, Loại đơn vị, Mã đơn vị cấp trên, Cấp học, Email, Điện thoại): every problem at its row and column, or what it adds, renames, moves and closes, applied in one transaction unless dryRun. A real run with problems answers 422 with them',
    tag: 'org',
    errors: [413, 422],
    upload: { types: ['text/csv', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'application/octet-stream'], limit: '20mb' },
    query: {
      type: 'object',
      additionalProperties: false,
      required: ['file'],
      properties: { file: TEXT(200), dryRun: { type: 'boolean' }, reason: TEXT(1000) },
    },
    async handle({ services, principal, query, upload }) {
      const file = query.file.replace(/[\\/]/g, '_');
      const read = await readUnitFile(upload!, file);
      const done = read.problems.length
        ? { file, rows: read.rows.length, dryRun: query.dryRun ?? false, problems: read.problems, needsReason: false, summary: undefined, report: undefined }
        : await services.app.importUnits(principal, read, { file, dryRun: query.dryRun ?? false, ...(query.reason ? { reason: query.reason } : {}) });
      const answer = {
        file,
        rows: done.rows,
        dryRun: done.dryRun,
        applied: !done.dryRun && !done.problems.length,
        needsReason: done.needsReason,
        problems: done.problems.slice(0, MAX_LISTED),
        problemCount: done.problems.length,
        summary: done.summary ? listed(done.summary) : null,
        touches: done.report?.touches ?? null,
      };
      if (!done.dryRun && done.problems.length)
        throw new HttpError(422, 'IMPORT_REFUSED', `${done.problems.length} problem(s) in ${file}; nothing was changed`, answer);
      return answer;
    },
  }),
  route({
    method: 'get',
    path: '/api/v1/org-units/export',
    answer: 'file',
    summary: 'The units of your subtree (or of rootId’s) as the unit list an office keeps: CSV or XLSX, the same columns the import reads',
    tag: 'org',
    errors: [404],
    query: { type: 'object', additionalProperties: false, properties: { format: { enum: ['csv', 'xlsx'] }, rootId: UNIT_ID } },
    async handle({ services, principal, query }) {
      const units = await services.app.unitsUnder(principal, query.rootId);
      const format = query.format ?? 'csv';
      const data = await writeUnitSheet(units, format);
      const type = format === 'xlsx' ? 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' : 'text/csv; charset=utf-8';
      return { file: { name: `don-vi${query.rootId ? `-${query.rootId}` : ''}.${format}`, type, data } };
    },
  }),
  route({
    method: 'get',
    path: '/api/v1/org-units',
    answer: 'orgUnits',
    summary: 'Units directly under a unit (default: the units the caller holds roles on), each with its number of children',
    tag: 'org',
    errors: [404],
    query: { type: 'object', additionalProperties: false, properties: { parentId: ID } },
    handle: ({ services, principal, query }) => services.app.orgUnits(principal, query.parentId),
  }),
  route({
    method: 'get',
    path: '/api/v1/org-units/:id',
    answer: 'orgUnit',
    summary: 'One unit, the chain above it, and the units directly under it',
    tag: 'org',
    errors: [404],
    handle: ({ services, principal, params }) => services.app.orgUnit(principal, params.id!),
  }),
  route({
    method: 'post',
    path: '/api/v1/org-units/reshape',
    answer: 'reshape',
    summary:
      'Reshape the tree with a list of operations (add, update, move, merge, close), checked in order: every problem is reported and nothing applies unless all pass (422 RESHAPE_REFUSED with the report). Moving, merging, renaming or closing needs a reason. dryRun answers what would change and what it touches (running instances, open tasks, pending escalations, grants)',
    tag: 'org',
    errors: [422],
    body: {
      type: 'object',
      additionalProperties: false,
      required: ['operations'],
      properties: { operations: { type: 'array', minItems: 1, maxItems: 50_000, items: OPERATION }, reason: REASON, dryRun: DRY_RUN },
    },
    handle: ({ services, principal, body, call }) => reshape(services, principal, body.operations as OrgOperation[], body, call),
  }),
  route({
    method: 'post',
    path: '/api/v1/org-units',
    answer: 'reshape',
    summary: 'Add a unit under a unit you administer',
    tag: 'org',
    status: 201,
    errors: [422],
    body: {
      type: 'object',
      additionalProperties: false,
      required: ['id', 'parentId', 'kind', 'name'],
      properties: { ...NEW_UNIT, dryRun: DRY_RUN },
    },
    handle: ({ services, principal, body: { dryRun, ...unit }, call }) =>
      reshape(services, principal, [{ op: 'add', ...unit }], { ...(dryRun !== undefined ? { dryRun } : {}) }, call),
  }),
  route({
    method: 'patch',
    path: '/api/v1/org-units/:id',
    answer: 'reshape',
    summary: 'Rename a unit, or change its kind, levels or contacts (a new name or kind needs a reason)',
    tag: 'org',
    errors: [404, 422],
    body: {
      type: 'object',
      additionalProperties: false,
      properties: { name: TEXT(300), kind: KIND, levels: { anyOf: [LEVELS, { type: 'null' }] }, ...CONTACT, reason: REASON, dryRun: DRY_RUN },
    },
    handle: ({ services, principal, params, body: { reason, dryRun, ...fields }, call }) =>
      reshape(
        services,
        principal,
        [{ op: 'update', id: params.id!, ...(fields as Omit<Extract<OrgOperation, { op: 'update' }>, 'op' | 'id'>) }],
        { ...(reason ? { reason } : {}), ...(dryRun !== undefined ? { dryRun } : {}) },
        call,
      ),
  }),
  route({
    method: 'post',
    path: '/api/v1/org-units/:id/move',
    answer: 'reshape',
    summary: 'Move a unit (and its subtree) under another parent; its running work follows',
    tag: 'org',
    errors: [404, 422],
    body: { type: 'object', additionalProperties: false, required: ['parentId', 'reason'], properties: { parentId: UNIT_ID, reason: REASON, dryRun: DRY_RUN } },
    handle: ({ services, principal, params, body, call }) =>
      reshape(services, principal, [{ op: 'move', id: params.id!, parentId: body.parentId }], body, call),
  }),
  route({
    method: 'post',
    path: '/api/v1/org-units/:id/merge',
    answer: 'reshape',
    summary: 'Merge a unit into another of its kind: its children, running work, notices and grants pass to the survivor, and it closes',
    tag: 'org',
    errors: [404, 422],
    body: { type: 'object', additionalProperties: false, required: ['intoId', 'reason'], properties: { intoId: UNIT_ID, reason: REASON, dryRun: DRY_RUN } },
    handle: ({ services, principal, params, body, call }) => reshape(services, principal, [{ op: 'merge', id: params.id!, intoId: body.intoId }], body, call),
  }),
  route({
    method: 'post',
    path: '/api/v1/org-units/:id/close',
    answer: 'reshape',
    summary: 'Close a unit and its subtree (refused while work runs there: cancel it or move the units first); grants on them end',
    tag: 'org',
    errors: [404, 422],
    body: { type: 'object', additionalProperties: false, required: ['reason'], properties: { reason: REASON, dryRun: DRY_RUN } },
    handle: ({ services, principal, params, body, call }) => reshape(services, principal, [{ op: 'close', id: params.id! }], body, call),
  }),
];

/** Lists in an import's answer are cut at this many (a country is 45,000 rows); the counts are whole. */
const MAX_LISTED = 500;

function listed(s: ImportSummary) {
  const cut = <T>(xs: T[]) => xs.slice(0, MAX_LISTED);
  return {
    counts: { added: s.added.length, renamed: s.renamed.length, updated: s.updated.length, moved: s.moved.length, closed: s.closed.length },
    added: cut(s.added),
    renamed: cut(s.renamed),
    updated: cut(s.updated),
    moved: cut(s.moved),
    closed: cut(s.closed),
  };
}
