// Why a `tiendo start|serve|worker` could not start, in words that say what to do — for the failures
// of the machine around it (a store or queue that cannot be reached, a store another process holds).
// Anything else is a bug and keeps its stack.
import type { AppConfig } from '../app.ts';
import { StoreInUseError } from '../store/sqlite-lock.ts';

/** Connection failures of PostgreSQL at start: refused, no such host, timed out, no such database,
 * wrong credentials, still starting. */
const PG_CONNECT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', '3D000', '28P01', '28000', '57P03']);

export function startupProblem(e: unknown, config: AppConfig): string | undefined {
  if (e instanceof StoreInUseError) return e.message;
  const err = e as { code?: string; message?: string } | undefined;
  const message = err?.message ?? String(e);
  if (config.redisUrl && /Redis is unreachable/.test(message)) {
    return `Redis at ${redacted(config.redisUrl)} (REDIS_URL) cannot be reached. Start it, or leave REDIS_URL unset to keep the timers in the store's own job table.`;
  }
  if (config.databaseUrl && PG_CONNECT_CODES.has(err?.code ?? '')) {
    return `PostgreSQL at ${redacted(config.databaseUrl)} (DATABASE_URL) cannot be used: ${message || err?.code}. Check that it runs and that the database and user exist, or leave DATABASE_URL unset for the embedded SQLite store.`;
  }
  return undefined;
}

/** A URL as it may be printed: without its password. */
function redacted(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(an unreadable URL)';
  }
}
