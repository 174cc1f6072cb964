// The OpenAPI 3.1 document, generated from the route table (the same schemas validate requests).
import { ANSWERS, COMPONENTS } from './answers.ts';
import type { Route } from './route.ts';

const ERROR = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message', 'details'],
      properties: { code: { type: 'string' }, message: { type: 'string' }, details: { type: 'object' } },
    },
  },
};

const STATUS_TEXT: Record<number, string> = {
  400: 'The request is malformed or fails validation (details.errors names each field)',
  401: 'Not signed in',
  403: 'Outside the caller’s scope, or a write without the CSRF token',
  404: 'No such resource',
  409: 'The current state refuses it (stage, revision, version)',
  413: 'Body too large',
  422: 'The content is invalid (form, definition, idempotency key reused)',
  429: 'Too many attempts',
  503: 'Store or queue unreachable',
};

export function openApiDocument(routes: readonly Route[], version: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    const path = r.path.replace(/:([A-Za-z]+)/g, '{$1}');
    const params = [...r.path.matchAll(/:([A-Za-z]+)/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }));
    const query = r.query as { properties?: Record<string, object>; required?: string[] } | undefined;
    for (const [name, schema] of Object.entries(query?.properties ?? {}))
      params.push({ name, in: 'query', required: (query?.required ?? []).includes(name), schema } as never);
    const status = r.status ?? 200;
    const errors = new Set([400, ...(r.public ? [] : [401, 403]), ...(r.errors ?? [])]);
    const op: Record<string, unknown> = {
      summary: r.summary,
      tags: [r.tag],
      operationId: `${r.method}${path.replace(/[{}]/g, '').replace(/[^A-Za-z0-9]+(.)/g, (_, c: string) => c.toUpperCase())}`,
      ...(params.length ? { parameters: params } : {}),
      ...(r.body ? { requestBody: { required: true, content: { 'application/json': { schema: r.body } } } } : {}),
      ...(r.upload
        ? { requestBody: { required: true, content: Object.fromEntries(r.upload.types.map((t) => [t, { schema: { type: 'string', format: 'binary' } }])) } }
        : {}),
      ...(r.public ? { security: [] } : {}),
      responses: {
        [status]: { description: status === 204 ? 'Done' : r.answer === 'redirect' ? 'Redirect' : 'Success', ...answerContent(r) },
        ...Object.fromEntries(
          [...errors]
            .sort()
            .map((s) => [s, { description: STATUS_TEXT[s] ?? 'Error', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } }]),
        ),
      },
    };
    (paths[path] ??= {})[r.method] = op;
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Tiến độ API',
      version,
      description:
        'Processes, instances, tasks and deadlines of education-quality management. Errors: { error: { code, message, details } }. Cookie sessions send X-CSRF-Token on writes; scripts use bearer tokens. Every state-changing POST honours Idempotency-Key.',
    },
    servers: [{ url: '/' }],
    components: {
      schemas: {
        Error: ERROR,
        ...COMPONENTS,
        ...Object.fromEntries(
          Object.values(ANSWERS)
            .filter((a) => 'title' in a)
            .map((a) => [a.title as string, a]),
        ),
      },
      securitySchemes: { session: { type: 'apiKey', in: 'cookie', name: 'tiendo_session' }, bearer: { type: 'http', scheme: 'bearer' } },
    },
    security: [{ session: [] }, { bearer: [] }],
    paths,
  };
}

/** A success's content: the answer's schema (by reference when it is a named component), or a file. */
function answerContent(r: Route): Record<string, unknown> {
  if (!r.answer) return {};
  if (r.answer === 'redirect') return { headers: { Location: { description: 'Where the browser goes next', schema: { type: 'string' } } } };
  if (r.answer === 'file') {
    return {
      content: {
        'text/csv': { schema: { type: 'string' } },
        'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': { schema: { type: 'string', format: 'binary' } },
      },
    };
  }
  const schema = ANSWERS[r.answer] as { title?: string };
  return { content: { 'application/json': { schema: schema.title ? { $ref: `#/components/schemas/${schema.title}` } : schema } } };
}
