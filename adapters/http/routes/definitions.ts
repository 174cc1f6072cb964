// Process definitions: list and read published versions, check a draft as it is typed (located
// diagnostics and a diagram), preview its impact on running instances, publish it as a new version.
import { HttpError } from '../errors.ts';
import { MAX_VERSION, route } from '../route.ts';

const SOURCE = {
  type: 'object',
  additionalProperties: false,
  required: ['source'],
  properties: { source: { type: 'string', maxLength: 1_000_000 }, lang: { enum: ['vi', 'en'] } },
} as const;

export const definitionRoutes = [
  route({
    method: 'get',
    path: '/api/v1/definitions',
    answer: 'definitions',
    summary: 'Published processes, each with its versions and whether you may publish the next one',
    tag: 'definitions',
    handle: ({ services, principal }) => services.app.definitions(principal),
  }),
  route({
    method: 'get',
    path: '/api/v1/definitions/:id/versions/:version',
    answer: 'definitionVersion',
    summary: 'One published version (or "latest"): its source and its diagram',
    tag: 'definitions',
    errors: [404],
    query: { type: 'object', additionalProperties: false, properties: { lang: { enum: ['vi', 'en'] } } },
    async handle({ services, principal, params, query }) {
      const version = params.version === 'latest' ? undefined : Number(params.version);
      if (version !== undefined && !(Number.isInteger(version) && version > 0 && version <= MAX_VERSION)) {
        throw new HttpError(400, 'VALIDATION_FAILED', `version "${params.version}" is not a version number or "latest"`, {
          errors: [{ field: 'version', message: 'must be a positive integer or "latest"' }],
        });
      }
      return services.app.definitionVersion(principal, params.id!, version, query.lang ?? 'vi');
    },
  }),
  route({
    method: 'post',
    path: '/api/v1/definitions/validate',
    answer: 'validation',
    summary:
      'Check a draft: diagnostics with line and column, and a diagram when it is valid. Changes nothing. Checked off the event loop: at most two drafts of one user at a time (429 beyond)',
    tag: 'definitions',
    errors: [429],
    body: SOURCE,
    handle: ({ services, principal, body }) => services.app.validateDraft(principal, body.source, body.lang ?? 'vi'),
  }),
  route({
    method: 'post',
    path: '/api/v1/definitions/impact',
    answer: 'impact',
    summary:
      'What publishing a draft would meet: running instances of the process in your units, by version and stage, and which stages the draft no longer has',
    tag: 'definitions',
    errors: [422, 429],
    body: SOURCE,
    handle: ({ services, principal, body }) => services.app.impact(principal, body.source),
  }),
  route({
    method: 'post',
    path: '/api/v1/definitions',
    answer: 'published',
    summary:
      'Publish a draft as a new immutable version (administrators of the unit the process belongs to, or above; a new process belongs to your widest administrator unit)',
    tag: 'definitions',
    status: 201,
    errors: [409, 422],
    body: SOURCE,
    async handle({ services, principal, body, call, res }) {
      const result = await services.app.publish(principal, body.source, call);
      if (!result.created) res.locals.status = 200;
      return result;
    },
  }),
];
