// Idempotency-Key on every state-changing POST: read and checked here, hashed with the request
// (method, path, body), and handed to the application layer, which answers a repeat with the first
// answer and refuses the key for another request (engine/service/idempotency.ts).
import { createHash } from 'node:crypto';
import { HttpError } from './errors.ts';

const KEY = /^[\x21-\x7e]{1,200}$/;

export function readKey(header: string | string[] | undefined): string | undefined {
  if (header === undefined) return undefined;
  const key = Array.isArray(header) ? header[0] : header;
  if (!key || !KEY.test(key))
    throw new HttpError(400, 'VALIDATION_FAILED', 'Idempotency-Key must be 1 to 200 visible ASCII characters', {
      errors: [{ field: 'header.Idempotency-Key', message: 'must be 1 to 200 visible ASCII characters' }],
    });
  return key;
}

export function requestHash(method: string, path: string, body: unknown): string {
  return createHash('sha256')
    .update(JSON.stringify([method, path, body ?? null]))
    .digest('hex');
}
