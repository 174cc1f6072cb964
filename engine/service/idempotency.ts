// Idempotency-Key, in one place: a command sent again under the same key (per actor) gets the first
// answer; the same key with another request is refused. Engine commands commit the key with their
// change (one transaction), so a twin request racing the first cannot apply twice; when the twin
// committed between this request's look-up and its own attempt, the attempt fails (the task is no
// longer open, the rev moved) and the key, now there, gives the first answer instead of the error.
import { createHash } from 'node:crypto';
import { EngineError } from '../errors.ts';
import type { Store } from '../ports.ts';

export interface IdempotencyKey {
  key: string;
  /** The request's own hash (the HTTP layer's covers method, path and body); default: the command's. */
  hash?: string;
  /** Told when the answer is a remembered one (HTTP says so in Idempotent-Replayed). */
  replayed?: () => void;
}

/** What an engine command receives to commit with its change. */
export interface KeyToCommit {
  scope: string;
  key: string;
  requestHash: string;
}

export function hashOf(value: unknown): string {
  return createHash('sha256')
    .update(JSON.stringify(value ?? null))
    .digest('hex');
}

/**
 * Runs a command once per (scope, key). `run` gets the key to commit with its change when it makes
 * one (engine commands); `committed: false` says the command commits no key itself, so its answer is
 * remembered after it (a campaign launch, an acknowledgement).
 */
export async function once<T>(
  store: Pick<Store, 'getIdempotent' | 'putIdempotent'>,
  scope: string,
  idem: IdempotencyKey | undefined,
  request: unknown,
  run: (key: KeyToCommit | undefined) => Promise<T>,
  options: { committed: boolean; at: () => number },
): Promise<T> {
  if (!idem) return run(undefined);
  const key: KeyToCommit = { scope, key: idem.key, requestHash: idem.hash ?? hashOf(request) };
  const first = await recall<T>(store, key);
  if (first) return replay(idem, first.answer);
  let answer: T;
  try {
    answer = await run(key);
  } catch (e) {
    // The twin may have committed meanwhile: then its answer is this request's too.
    if (e instanceof EngineError) {
      const twin = await recall<T>(store, key).catch(() => undefined);
      if (twin) return replay(idem, twin.answer);
    }
    throw e;
  }
  if (!options.committed) {
    // The work is done: a store that went away since does not turn its answer into an error (a
    // repeat then runs again, and the command's own checks answer it).
    const kept = await store.putIdempotent(key.scope, key.key, key.requestHash, answer ?? null, options.at()).catch(() => true);
    if (!kept) {
      const twin = await recall<T>(store, key);
      if (twin) return replay(idem, twin.answer);
    }
  }
  return answer;
}

function replay<T>(idem: IdempotencyKey, answer: T): T {
  idem.replayed?.();
  return answer;
}

async function recall<T>(store: Pick<Store, 'getIdempotent'>, key: KeyToCommit): Promise<{ answer: T } | undefined> {
  const seen = await store.getIdempotent(key.scope, key.key);
  if (!seen) return undefined;
  if (seen.requestHash !== key.requestHash) {
    throw new EngineError('IDEMPOTENCY_KEY_REUSED', `Idempotency-Key "${key.key}" was already used for a different request`, { key: key.key });
  }
  return { answer: seen.response as T };
}
