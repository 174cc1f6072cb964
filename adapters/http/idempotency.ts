// Idempotency-Key on every state-changing POST: the first answer is remembered per caller and key,
// a repeat gets it again (marked Idempotent-Replayed), the same key with another request is refused.
// Engine commands also pass the key down, so the instance change and its key commit together even
// when two copies of a request race.
import { createHash } from 'node:crypto';
import type { Store } from '../../engine/ports.ts';
import { HttpError } from './errors.ts';

const KEY = /^[\x21-\x7e]{1,200}$/;

export interface Remembered {
  status: number;
  body: unknown;
}

export function readKey(header: string | string[] | undefined): string | undefined {
  if (header === undefined) return undefined;
  const key = Array.isArray(header) ? header[0] : header;
  if (!key || !KEY.test(key)) throw new HttpError(400, 'VALIDATION_FAILED', 'Idempotency-Key must be 1 to 200 visible ASCII characters', { errors: [{ field: 'header.Idempotency-Key', message: 'must be 1 to 200 visible ASCII characters' }] });
  return key;
}

export function requestHash(method: string, path: string, body: unknown): string {
  return createHash('sha256').update(JSON.stringify([method, path, body ?? null])).digest('hex');
}

export async function recall(store: Store, scope: string, key: string, hash: string): Promise<Remembered | undefined> {
  const seen = await store.getIdempotent(scope, key);
  if (!seen) return undefined;
  if (seen.requestHash !== hash) throw new HttpError(422, 'IDEMPOTENCY_KEY_REUSED', `Idempotency-Key "${key}" was already used for a different request`, { key });
  return seen.response as Remembered;
}

/**
 * An engine command this key committed whose answer was never remembered here: the store went away
 * between the commit and the answer (the client got a 503 and sends the request again). The engine
 * keeps the key with the change, under the actor, with this layer's request hash; the answer is
 * the command's. Looked up before the route's own checks, which would refuse the repeat (the task
 * is no longer open). A different request under the key goes on to the engine, which refuses it.
 */
export async function recallCommitted(store: Store, actor: string, key: string, hash: string, status: number): Promise<Remembered | undefined> {
  const seen = await store.getIdempotent(actor, key);
  return seen && seen.requestHash === hash ? { status, body: seen.response } : undefined;
}

export async function remember(store: Store, scope: string, key: string, hash: string, answer: Remembered, at: number): Promise<void> {
  await store.putIdempotent(scope, key, hash, answer, at);
}
