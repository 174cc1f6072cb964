// Attachments (tệp đính kèm) of an instance's tasks and checklist items, and each stage's comment
// thread. A file comes as the raw request body, its name in the query; its bytes decide its type.
import { createHash } from 'node:crypto';
import { DEFAULT_MAX_BYTES } from '../../../engine/files/content.ts';
import type { Call } from '../../../engine/application/application.ts';
import { COMMENT_MAX } from '../../../engine/application/files.ts';
import { HttpError } from '../errors.ts';
import { ID, route, TEXT } from '../route.ts';

/** What express takes into memory before the application's own limit (TIENDO_FILE_MAX_MB, at most
 * 100) answers FILE_TOO_LARGE; past it the body is cut off with 413 too. */
const BODY_LIMIT = '101mb';

export const fileRoutes = [
  route({
    method: 'get',
    path: '/api/v1/instances/:id/attachments',
    answer: 'attachments',
    summary: "An instance's attachments (its tasks' and checklist items'), oldest first, with who sent each",
    tag: 'files',
    errors: [404],
    handle: ({ services, principal, params }) => services.app.files.list(principal, params.id!),
  }),
  route({
    method: 'post',
    path: '/api/v1/instances/:id/attachments',
    answer: 'attached',
    status: 201,
    summary: `Attach a file (the request body) to a task (?taskId=) or a checklist item (?item=) of the instance: PDF, PNG, JPEG, GIF, WebP, Word, Excel, PowerPoint, OpenDocument, CSV or text, told by its content (a name whose extension disagrees is given the content's), at most ${DEFAULT_MAX_BYTES / 1048576} MB by default. Who may complete the task (tick the item) may attach to it`,
    tag: 'files',
    errors: [404, 409, 413, 415, 422],
    upload: { types: ['application/octet-stream', 'application/pdf', 'image/*'], limit: BODY_LIMIT },
    query: {
      type: 'object',
      additionalProperties: false,
      required: ['name'],
      properties: { name: TEXT(1000), taskId: TEXT(200), item: ID },
    },
    async handle({ services, principal, params, query, upload, call }) {
      if (!query.taskId === !query.item)
        throw new HttpError(400, 'VALIDATION_FAILED', 'name the task (taskId) or the checklist item (item) the file is for, one of them', {
          errors: [{ field: 'taskId', message: 'give taskId or item' }],
        });
      const target = query.taskId ? { taskId: query.taskId } : { item: query.item! };
      // A repeated Idempotency-Key answers the first upload: the same key with other bytes, or for
      // another task, is refused (the request is the file's digest and where it goes, not the path).
      const sha256 = createHash('sha256').update(upload!).digest('hex');
      return services.app.idempotent(principal, byRequest(call), { attach: params.id, target, name: query.name, sha256 }, () =>
        services.app.files.attach(principal, params.id!, target, query.name, upload!),
      );
    },
  }),
  route({
    method: 'get',
    path: '/api/v1/attachments/:id',
    answer: 'file',
    summary: 'Download an attachment: its bytes as the type they were found to be, under the name it was given',
    tag: 'files',
    errors: [404],
    async handle({ services, principal, params, res }) {
      const file = await services.app.files.download(principal, params.id!);
      // Served as what the bytes are, never guessed again by the browser, and never run as a page.
      res.setHeader('X-Content-Type-Options', 'nosniff');
      res.setHeader('Content-Security-Policy', "default-src 'none'; sandbox");
      return { file };
    },
  }),
  route({
    method: 'delete',
    path: '/api/v1/attachments/:id',
    status: 204,
    summary: 'Remove an attachment: the person who sent it, while its task (its checklist item’s stage) is open; the history keeps that it was',
    tag: 'files',
    errors: [404, 409],
    async handle({ services, principal, params }) {
      await services.app.files.remove(principal, params.id!);
      return undefined;
    },
  }),
  route({
    method: 'get',
    path: '/api/v1/instances/:id/stages/:stage/comments',
    answer: 'comments',
    summary: "A stage's comment thread (the back-and-forth of returns and feedback), oldest first, each author by full name",
    tag: 'files',
    errors: [404],
    handle: ({ services, principal, params }) => services.app.files.comments(principal, params.id!, params.stage!),
  }),
  route({
    method: 'get',
    path: '/api/v1/instances/:id/comments',
    answer: 'allComments',
    summary: "Every stage's comments of an instance, oldest first, with the stages' titles (the threads of stages it has left stay readable)",
    tag: 'files',
    errors: [404],
    handle: ({ services, principal, params }) => services.app.files.allComments(principal, params.id!),
  }),
  route({
    method: 'post',
    path: '/api/v1/instances/:id/stages/:stage/comments',
    answer: 'commented',
    status: 201,
    summary: `Write in a stage's comment thread (at most ${COMMENT_MAX} characters): the unit's staff and those of the units reviewing it`,
    tag: 'files',
    errors: [404, 422],
    body: {
      type: 'object',
      additionalProperties: false,
      required: ['text'],
      properties: { text: { type: 'string', minLength: 1, maxLength: COMMENT_MAX * 2 } },
    },
    handle: ({ services, principal, params, body, call }) =>
      services.app.idempotent(principal, call, { comment: params.id, stage: params.stage, text: body.text }, () =>
        services.app.files.comment(principal, params.id!, params.stage!, body.text),
      ),
  }),
];

/** The key compared against the request the route names (the HTTP hash of an upload sees no body). */
function byRequest(call: Call): Call {
  if (!call.idempotency) return call;
  const { hash: _hash, ...key } = call.idempotency;
  return { idempotency: key };
}
