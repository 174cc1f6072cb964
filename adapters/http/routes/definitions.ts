// Process definitions: list and read published versions, check a draft as it is typed (located
// diagnostics and a diagram), preview its impact on running instances, publish it as a new version.
import { calendarRanges } from '../../../engine/calendar/calendar.ts';
import { toMermaid } from '../../../engine/definition/diagram.ts';
import { EngineError } from '../../../engine/errors.ts';
import { summarizeDraft } from '../../drafts/summary.ts';
import { forbidden, HttpError, notFound } from '../errors.ts';
import { MAX_VERSION, route, type Principal, type Services } from '../route.ts';
import { scope } from '../scope.ts';

const SOURCE = { type: 'object', additionalProperties: false, required: ['source'], properties: { source: { type: 'string', maxLength: 1_000_000 }, lang: { enum: ['vi', 'en'] } } } as const;

/** The file name diagnostics carry: the process id when the draft names one. */
function draftFile(source: string): string {
  const id = /^id:\s*([a-z0-9-]{1,64})\s*$/m.exec(source)?.[1];
  return id ? `${id}.yaml` : 'draft.yaml';
}

/** The draft checked off the event loop (adapters/drafts/: at most two in flight per user, 429
 * beyond), or in-process when no pool is wired. */
function checkDraft(services: Services, principal: Principal, source: string, lang?: 'vi' | 'en') {
  const file = draftFile(source);
  if (services.drafts) return services.drafts.check(principal.user.id, source, file, lang);
  return Promise.resolve(summarizeDraft(source, file, calendarRanges(services.engine.catalog.calendars), lang));
}

export const definitionRoutes = [
  route({
    method: 'get',
    path: '/api/v1/definitions',
    summary: 'Published processes, each with its versions',
    tag: 'definitions',
    async handle({ services }) {
      const byId = new Map<string, { id: string; title: unknown; latest: number; versions: { version: number; publishedAt: number; publishedBy?: string }[] }>();
      for (const d of await services.engine.store.listDefinitions()) {
        const entry = byId.get(d.id) ?? { id: d.id, title: d.title, latest: d.version, versions: [] };
        entry.versions.push({ version: d.version, publishedAt: d.publishedAt, ...(d.publishedBy ? { publishedBy: d.publishedBy } : {}) });
        if (d.version >= entry.latest) Object.assign(entry, { latest: d.version, title: d.title });
        byId.set(d.id, entry);
      }
      return { items: [...byId.values()] };
    },
  }),
  route({
    method: 'get',
    path: '/api/v1/definitions/:id/versions/:version',
    summary: 'One published version (or "latest"): its source and its diagram',
    tag: 'definitions',
    errors: [404],
    query: { type: 'object', additionalProperties: false, properties: { lang: { enum: ['vi', 'en'] } } },
    async handle({ services, params, query }) {
      const version = params.version === 'latest' ? undefined : Number(params.version);
      if (version !== undefined && !(Number.isInteger(version) && version > 0 && version <= MAX_VERSION)) {
        throw new HttpError(400, 'VALIDATION_FAILED', `version "${params.version}" is not a version number or "latest"`, { errors: [{ field: 'version', message: 'must be a positive integer or "latest"' }] });
      }
      const def = await services.engine.store.getDefinition(params.id!, version);
      if (!def) throw notFound(version === undefined ? `no process "${params.id}" is published` : `${params.id} version ${version} is not published`, { id: params.id, version });
      const { definition } = services.engine.catalog.check(def.source, `${def.id}.yaml`);
      return { ...def, diagram: definition ? { mermaid: toMermaid(definition, { lang: query.lang ?? 'vi' }) } : null };
    },
  }),
  route({
    method: 'post',
    path: '/api/v1/definitions/validate',
    summary: 'Check a draft: diagnostics with line and column, and a diagram when it is valid. Changes nothing. Checked off the event loop: at most two drafts of one user at a time (429 beyond)',
    tag: 'definitions',
    errors: [429],
    body: SOURCE,
    async handle({ services, principal, body }) {
      const { valid, diagnostics, id, version, mermaid } = await checkDraft(services, principal, body.source, body.lang ?? 'vi');
      return {
        valid,
        diagnostics,
        ...(valid ? { id, version, diagram: { mermaid } } : {}),
      };
    },
  }),
  route({
    method: 'post',
    path: '/api/v1/definitions/impact',
    summary: 'What publishing a draft would meet: running instances of the process in your units, by version and stage, and which stages the draft no longer has',
    tag: 'definitions',
    errors: [422, 429],
    body: SOURCE,
    async handle({ services, principal, body }) {
      const checked = await checkDraft(services, principal, body.source);
      const { diagnostics } = checked;
      const compiled = checked.valid ? { id: checked.id!, version: checked.version!, stages: new Set(checked.stages) } : undefined;
      if (!compiled) throw new EngineError('DEFINITION_INVALID', 'the draft does not validate; fix its errors first', { diagnostics: diagnostics.filter((d) => d.severity === 'error') });
      const counts = await services.engine.store.stageCounts({ definitionId: compiled.id, statuses: ['running', 'needs_migration'], underPaths: scope(principal, 'read') });
      const byVersion = new Map<number, number>();
      const byStage = new Map<string, number>();
      let running = 0;
      for (const c of counts) {
        running += c.count;
        for (const stage of c.stages) byStage.set(stage, (byStage.get(stage) ?? 0) + c.count);
      }
      for (const v of await versionCounts(services, compiled.id, scope(principal, 'read'))) byVersion.set(v.version, v.count);
      return {
        id: compiled.id,
        version: compiled.version,
        running,
        byVersion: [...byVersion].map(([version, count]) => ({ version, count })),
        stages: [...byStage].map(([stage, count]) => ({ stage, count, exists: compiled.stages.has(stage) })).sort((a, b) => Number(a.exists) - Number(b.exists) || b.count - a.count),
      };
    },
  }),
  route({
    method: 'post',
    path: '/api/v1/definitions',
    summary: 'Publish a draft as a new immutable version (administrators)',
    tag: 'definitions',
    status: 201,
    errors: [409, 422],
    body: SOURCE,
    async handle({ services, principal, body, actor, res }) {
      if (!scope(principal, 'administer').length) throw forbidden('publishing a process needs an administrator role', { ability: 'administer' });
      const file = draftFile(body.source);
      const result = await services.engine.catalog.publish(body.source, file, actor);
      if (!result.created) res.locals.status = 200;
      return { ...result, diagnostics: result.diagnostics.map(({ file: _f, ...d }) => d) };
    },
  }),
];

async function versionCounts(services: Services, definitionId: string, underPaths: string[]): Promise<{ version: number; count: number }[]> {
  const out: { version: number; count: number }[] = [];
  for (const d of (await services.engine.store.listDefinitions()).filter((x) => x.id === definitionId)) {
    const count = await services.engine.store.countInstances({ definitionId, definitionVersion: d.version, statuses: ['running', 'needs_migration'], underPaths });
    if (count) out.push({ version: d.version, count });
  }
  return out;
}
