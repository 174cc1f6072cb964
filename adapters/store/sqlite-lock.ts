// SQLite takes one writer process: knex opens deferred transactions, and a second process writing the
// same file meets SQLITE_BUSY on the read→write upgrade under load (DESIGN.md). A second Tiến độ
// process on the same file — `tiendo serve` beside `tiendo worker`, or two `npm start`s on other
// ports — is refused when it starts, saying what to do instead, rather than failing later under load.
// The lock is a file beside the store holding the owner's pid; a lock whose process is gone (killed,
// crashed) is taken over.
import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';

export class StoreInUseError extends Error {
  readonly code = 'STORE_IN_USE';
}

interface Holder {
  pid: number;
  command: string;
  since: string;
}

/** Locks held by this process, by lock file: opening the same store twice in one process is fine. */
const held = new Map<string, number>();

/**
 * Takes the one-process lock of an SQLite file for `command` (what this process runs, for the
 * message another one gets); returns its release. Throws StoreInUseError while a live process holds it.
 * `exclusive`: also while this process holds it (`tiendo restore` run in-process beside a server).
 */
export function lockSqliteFile(file: string, command: string, options: { exclusive?: boolean } = {}): () => void {
  const lock = `${file}.lock`;
  const release = () => {
    const n = (held.get(lock) ?? 1) - 1;
    if (n > 0) return void held.set(lock, n);
    held.delete(lock);
    try {
      if (readHolder(lock)?.pid === process.pid) unlinkSync(lock);
    } catch {
      // Already gone: nothing to release.
    }
  };
  if (held.has(lock) && options.exclusive) throw inUse(file, lock, readHolder(lock));
  if (held.has(lock)) {
    held.set(lock, held.get(lock)! + 1);
    return once(release);
  }
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(lock, 'wx');
      try {
        writeSync(fd, JSON.stringify({ pid: process.pid, command, since: new Date().toISOString() } satisfies Holder));
      } finally {
        closeSync(fd);
      }
      held.set(lock, 1);
      return once(release);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    const holder = readHolder(lock);
    if (holder && holder.pid !== process.pid && alive(holder.pid)) throw inUse(file, lock, holder);
    // Its process is gone (or the file is unreadable): the lock is stale.
    try {
      unlinkSync(lock);
    } catch {
      // Another starter removed it first: the next attempt finds out who won.
    }
  }
  throw inUse(file, lock, readHolder(lock));
}

function inUse(file: string, lock: string, holder: Holder | undefined): StoreInUseError {
  const who = holder ? ` (pid ${holder.pid}, \`${holder.command}\`, since ${holder.since})` : '';
  return new StoreInUseError(
    `${file} is in use by another Tiến độ process${who}. SQLite takes one process: run \`tiendo start\` alone (API, UI and workers together), ` +
      `or set DATABASE_URL (PostgreSQL) to run \`tiendo serve\` and \`tiendo worker\` apart. If no such process runs, delete ${lock}.`,
  );
}

function readHolder(lock: string): Holder | undefined {
  try {
    const parsed = JSON.parse(readFileSync(lock, 'utf8')) as Partial<Holder>;
    return typeof parsed.pid === 'number' ? { pid: parsed.pid, command: String(parsed.command ?? '?'), since: String(parsed.since ?? '?') } : undefined;
  } catch {
    return undefined;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists, under another user.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function once(fn: () => void): () => void {
  let done = false;
  return () => {
    if (!done) {
      done = true;
      fn();
    }
  };
}
