// One error shape for every answer that is not a success — `{ error: { code, message, details } }` —
// and one table from engine codes to HTTP statuses. Nothing switches on message text.
import type { ErrorRequestHandler } from 'express';
import { CalendarError, type CalendarErrorCode } from '../../engine/calendar/time.ts';
import { EngineError, type EngineErrorCode } from '../../engine/errors.ts';

export type HttpErrorCode =
  | 'VALIDATION_FAILED'
  | 'UNAUTHENTICATED'
  | 'BAD_CREDENTIALS'
  | 'USER_INACTIVE'
  | 'CSRF_TOKEN_INVALID'
  | 'ROUTE_NOT_FOUND'
  | 'RATE_LIMITED'
  | 'PAYLOAD_TOO_LARGE'
  | 'MALFORMED_JSON'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'SERVICE_UNAVAILABLE'
  | 'PASSWORD_CHANGE_REQUIRED'
  | 'IMPORT_REFUSED'
  | 'INTERNAL';

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: HttpErrorCode | EngineErrorCode | CalendarErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

/** 409: the request is fine but the instance's state refuses it; 422: the content is wrong. */
export const ENGINE_STATUS: Record<EngineErrorCode, number> = {
  STAGE_REJECTS_EVENT: 409,
  CONDITION_NOT_MET: 409,
  TASK_NOT_OPEN: 409,
  INSTANCE_NOT_RUNNING: 409,
  NEEDS_MIGRATION: 409,
  REV_CONFLICT: 409,
  DEFINITION_EXISTS: 409,
  LOGIN_TAKEN: 409,
  UNKNOWN_TASK: 422,
  UNKNOWN_ANCHOR: 422,
  UNKNOWN_LIST: 422,
  CHILD_PROCESS_MISSING: 422,
  FORM_INVALID: 422,
  EVENT_DATA_INVALID: 422,
  BAD_DATE: 422,
  NOT_APPLICABLE: 422,
  UNIT_CLOSED: 409,
  RESHAPE_REFUSED: 422,
  DEFINITION_INVALID: 422,
  IDEMPOTENCY_KEY_REUSED: 422,
  INVALID_ARGUMENT: 400,
  NOT_FOUND: 404,
  FORBIDDEN: 403,
  FILE_TYPE_REFUSED: 415,
  FILE_TOO_LARGE: 413,
  FILE_LIMIT_REACHED: 409,
};

export const forbidden = (message: string, details: Record<string, unknown> = {}) => new HttpError(403, 'FORBIDDEN', message, details);
export const notFound = (message: string, details: Record<string, unknown> = {}) => new HttpError(404, 'NOT_FOUND', message, details);

export function toHttpError(e: unknown): HttpError {
  if (e instanceof HttpError) return e;
  if (e instanceof EngineError) return new HttpError(ENGINE_STATUS[e.code] ?? 400, e.code, e.message, e.details);
  // A deadline the installed holiday calendars cannot count (a date past their last year).
  if (e instanceof CalendarError) return new HttpError(422, e.code, e.message, e.details);
  const err = e as { type?: string; status?: number; code?: string; message?: string; limit?: number; length?: number };
  // body-parser's own errors carry a type and a status.
  if (err?.type === 'entity.too.large') {
    const size = typeof err.length === 'number' && err.length > 0 ? `${err.length} bytes` : 'larger than that';
    return new HttpError(413, 'PAYLOAD_TOO_LARGE', `the request body is too large: the limit is ${err.limit} bytes, this one is ${size}`, {
      limit: err.limit,
      ...(typeof err.length === 'number' ? { length: err.length } : {}),
    });
  }
  if (err?.type === 'entity.parse.failed') return new HttpError(400, 'MALFORMED_JSON', `the request body is not valid JSON: ${err.message}`, {});
  if (err?.type === 'encoding.unsupported' || err?.type === 'charset.unsupported')
    return new HttpError(415, 'UNSUPPORTED_MEDIA_TYPE', err.message ?? 'unsupported encoding', {});
  if (isUnavailable(err)) return new HttpError(503, 'SERVICE_UNAVAILABLE', 'the store or the queue cannot be reached; try again shortly', {});
  return new HttpError(500, 'INTERNAL', 'something went wrong on the server; it has been logged', {});
}

/** The store or the queue could not be reached, or dropped the connection mid-request: refused,
 * reset, timed out, the server shutting down or starting (57P01–57P03), the connection lost (class
 * 08), or pg's and ioredis's own words for a connection that broke (they carry no code). */
const UNAVAILABLE_CODES = [
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  '57P01',
  '57P02',
  '57P03',
  '08000',
  '08001',
  '08003',
  '08004',
  '08006',
  'SQLITE_BUSY',
];
const UNAVAILABLE_MESSAGES =
  /Knex: Timeout acquiring a connection|Connection terminated|connection error and is not queryable|Client was closed and is not queryable|Stream isn't writeable|Connection is closed|Redis is unreachable/;

function isUnavailable(err: { code?: string; message?: string } | undefined): boolean {
  return UNAVAILABLE_CODES.includes(err?.code ?? '') || UNAVAILABLE_MESSAGES.test(err?.message ?? '');
}

export function errorBody(e: HttpError): { error: { code: string; message: string; details: Record<string, unknown> } } {
  return { error: { code: e.code, message: e.message, details: e.details } };
}

export function errorHandler(log: (e: unknown) => void): ErrorRequestHandler {
  return (e, _req, res, _next) => {
    const http = toHttpError(e);
    if (http.status >= 500) log(e);
    if (res.headersSent) return void res.end();
    res.status(http.status).json(errorBody(http));
  };
}
