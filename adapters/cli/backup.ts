// `tiendo backup FILE` and `tiendo restore FILE`: keeping the one file an SQLite store is.
//
// Backup runs beside a live server: it does not take the one-process lock (adapters/store/sqlite-lock.ts)
// but opens the store read-only on a connection of its own and runs `VACUUM INTO` (SQLite ≥ 3.27; the
// sqlite3 package bundles 3.52). VACUUM INTO reads the whole database inside one read transaction: under
// WAL that is one snapshot, so the copy holds exactly what was committed when it began, and the server
// keeps writing meanwhile. (The online backup API, `Database#backup`, restarts from the first page each
// time another connection writes, so under steady load it may never finish.)
//
// Restore needs the store stopped: it takes the lock, checks the copy (an SQLite database, integrity
// check ok, migrations all known to this version, a store identity), moves the current store aside as
// tiendo.sqlite.before-restore-<timestamp> (with its -wal and -shm) and puts the copy in place through
// a temporary file in the same folder, fsynced, then renamed.
//
// Attachments kept in the data folder (files/, named by their sha256) are copied beside the copy as
// FILE.files/ after it is taken, and merged back on restore. Named by their content and never changed,
// they are safe to copy while the server runs and to merge: a file is the same bytes wherever it is.
import { closeSync, constants, copyFileSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, readSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import sqlite3 from 'sqlite3';
import { loadConfig } from '../app.ts';
import { MIGRATION_NAMES } from '../store/db.ts';
import { lockSqliteFile, StoreInUseError } from '../store/sqlite-lock.ts';
import { UsageError, type Io } from './main.ts';

/** A small promise face on one sqlite3 connection. */
class Conn {
  private constructor(private readonly db: sqlite3.Database) {}
  static open(file: string, mode: number): Promise<Conn> {
    return new Promise((ok, fail) => {
      const db: sqlite3.Database = new sqlite3.Database(file, mode, (e) => (e ? fail(e) : ok(new Conn(db))));
    });
  }
  all<T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> {
    return new Promise((ok, fail) => this.db.all(sql, params, (e, rows) => (e ? fail(e) : ok(rows as T[]))));
  }
  run(sql: string, params: unknown[] = []): Promise<void> {
    return new Promise((ok, fail) => this.db.run(sql, params, (e) => (e ? fail(e) : ok())));
  }
  close(): Promise<void> {
    return new Promise((ok, fail) => this.db.close((e) => (e ? fail(e) : ok())));
  }
  /**
   * A file nobody writes (a copy; a store under our lock), read-only and immutable: no -wal or -shm is
   * made beside it, and a copy on a read-only medium opens too.
   */
  static look(file: string): Promise<Conn> {
    return Conn.open(`file:${encodeURI(file).replace(/\?/g, '%3f').replace(/#/g, '%23')}?immutable=1`, sqlite3.OPEN_READONLY | sqlite3.OPEN_URI);
  }
}

function parse(args: string[], command: string): { file: string; force: boolean } {
  const force = args.includes('--force');
  const rest = args.filter((a) => a !== '--force');
  const unknown = rest.find((a) => a.startsWith('-'));
  if (unknown) throw new UsageError(`unknown option ${unknown}`);
  if (rest.length !== 1) throw new UsageError(`${command} takes one FILE`);
  return { file: resolve(rest[0]!), force };
}

/** The store file the configuration names (TIENDO_DATA_DIR), or the PostgreSQL URL. */
function storeOf(): { sqlite: string } | { url: string } {
  const config = loadConfig(process.env);
  if (config.databaseUrl) return { url: config.databaseUrl };
  return { sqlite: resolve(join(config.dataDir ?? './data', 'tiendo.sqlite')) };
}

/** What to run on PostgreSQL instead: its own tools, which copy a consistent snapshot of a live database. */
function pgAdvice(url: string, io: Io, command: 'backup' | 'restore'): number {
  let database = 'DATABASE';
  try {
    database = decodeURIComponent(new URL(url).pathname.replace(/^\//, '')) || database;
  } catch {
    // An unusual URL: the placeholder stays.
  }
  io.err(
    `tiendo ${command}: DATABASE_URL is set: the store is PostgreSQL, which tiendo does not copy itself. Use PostgreSQL's own tools:\n` +
      `  backup (while the server runs):  pg_dump -Fc -d "$DATABASE_URL" -f ${database}-$(date +%Y%m%d-%H%M).dump\n` +
      `  restore (server stopped):        pg_restore --clean --if-exists --no-owner -d "$DATABASE_URL" ${database}-YYYYMMDD-HHMM.dump\n` +
      `(database "${database}"${process.env.TIENDO_PG_SCHEMA ? `; add -n ${process.env.TIENDO_PG_SCHEMA} for the schema TIENDO_PG_SCHEMA names` : ''}). Nothing was done.\n`,
  );
  return 2;
}

const mb = (bytes: number) => `${(bytes / 1_048_576).toFixed(2)} MB`;

async function describe(conn: Conn): Promise<{ units: number; instances: number; users: number; storeId: string }> {
  const count = async (table: string) => Number((await conn.all<{ n: number }>(`select count(*) as n from ${table}`))[0]?.n ?? 0);
  const id = (await conn.all<{ id: string }>('select id from store_identity limit 1'))[0]?.id ?? '?';
  return { units: await count('org_units'), instances: await count('instances'), users: await count('users'), storeId: id };
}

export async function backupCommand(args: string[], io: Io): Promise<number> {
  const { file, force } = parse(args, 'backup');
  const store = storeOf();
  if ('url' in store) return pgAdvice(store.url, io, 'backup');
  if (!existsSync(store.sqlite)) {
    io.err(`tiendo backup: there is no store at ${store.sqlite} (TIENDO_DATA_DIR); nothing to copy\n`);
    return 1;
  }
  if (file === store.sqlite) {
    io.err(`tiendo backup: ${file} is the store itself; name another file\n`);
    return 1;
  }
  if (existsSync(file) && !force) {
    io.err(`tiendo backup: ${file} exists; name a new file, or add --force to overwrite it\n`);
    return 1;
  }
  const started = Date.now();
  // Written beside FILE under another name, then renamed: an interrupted backup leaves no half FILE.
  const temp = join(dirname(file), `.${basename(file)}.${process.pid}.partial`);
  rmSync(temp, { force: true });
  const source = await Conn.open(store.sqlite, sqlite3.OPEN_READONLY);
  try {
    await source.run('PRAGMA busy_timeout = 5000');
    await source.run('VACUUM INTO ?', [temp]);
  } catch (e) {
    rmSync(temp, { force: true });
    io.err(`tiendo backup: copying ${store.sqlite} failed: ${(e as Error).message}\n`);
    return 1;
  } finally {
    await source.close();
  }
  const fd = openSync(temp, 'r+');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temp, file);
  const copy = await Conn.look(file);
  let facts: Awaited<ReturnType<typeof describe>>;
  try {
    facts = await describe(copy);
  } finally {
    await copy.close();
  }
  const attached = copyBlobs(filesOf(store.sqlite), `${file}.files`);
  io.out(
    `Wrote ${file}: ${mb(statSync(file).size)}, ${facts.units} units, ${facts.instances} instances, ${facts.users} users; ` +
      `store ${facts.storeId}; in ${((Date.now() - started) / 1000).toFixed(2)} s.\n` +
      (attached ? `Attached files: ${attached} in ${file}.files/ (keep it with the copy).\n` : '') +
      `Put it back with \`tiendo restore ${file}\` (server stopped).\n`,
  );
  return 0;
}

/** Why FILE cannot be restored, or what it holds. */
async function checkCopy(file: string): Promise<{ problem: string } | { facts: Awaited<ReturnType<typeof describe>>; migrations: number }> {
  if (!existsSync(file)) return { problem: `${file} does not exist` };
  if (!statSync(file).isFile()) return { problem: `${file} is not a file` };
  const head = Buffer.alloc(16);
  const fd = openSync(file, 'r');
  try {
    readSync(fd, head, 0, 16, 0);
  } finally {
    closeSync(fd);
  }
  if (head.toString('latin1') !== 'SQLite format 3\0') return { problem: `${file} is not an SQLite database (it does not start with "SQLite format 3")` };
  let conn: Conn;
  try {
    conn = await Conn.look(file);
  } catch (e) {
    return { problem: `${file} does not open as an SQLite database: ${(e as Error).message}` };
  }
  try {
    return await inspect(conn, file);
  } catch (e) {
    return { problem: `${file} is damaged or not a Tiến độ store: ${(e as Error).message}` };
  } finally {
    await conn.close();
  }
}

async function inspect(conn: Conn, file: string): Promise<{ problem: string } | { facts: Awaited<ReturnType<typeof describe>>; migrations: number }> {
  {
    let integrity: string[];
    try {
      integrity = (await conn.all<{ integrity_check: string }>('PRAGMA integrity_check')).map((r) => r.integrity_check);
    } catch (e) {
      return { problem: `${file} is damaged: ${(e as Error).message}` };
    }
    if (integrity.length !== 1 || integrity[0] !== 'ok')
      return { problem: `${file} is damaged: PRAGMA integrity_check says ${integrity.slice(0, 5).join('; ')}${integrity.length > 5 ? '; …' : ''}` };
    const tables = new Set((await conn.all<{ name: string }>("select name from sqlite_master where type = 'table'")).map((r) => r.name));
    if (!tables.has('knex_migrations')) return { problem: `${file} is an SQLite database but not a Tiến độ store: it has no knex_migrations table` };
    if (!tables.has('store_identity')) return { problem: `${file} has no store_identity table: it is not a Tiến độ store of this version (migration 010)` };
    const applied = (await conn.all<{ name: string }>('select name from knex_migrations order by id')).map((r) => r.name);
    const known = new Set(MIGRATION_NAMES);
    const newer = applied.filter((n) => !known.has(n));
    if (newer.length)
      return {
        problem: `${file} comes from a newer Tiến độ: it has migrations this version does not know (${newer.join(', ')}); restore it with that version or a later one`,
      };
    if (!applied.length) return { problem: `${file} has no migrations applied: it is not a Tiến độ store` };
    const ids = await conn.all('select id from store_identity');
    if (ids.length !== 1) return { problem: `${file} has ${ids.length} store identity rows (expected one)` };
    return { facts: await describe(conn), migrations: applied.length };
  }
}

export async function restoreCommand(args: string[], io: Io): Promise<number> {
  const { file, force } = parse(args, 'restore');
  const store = storeOf();
  if ('url' in store) return pgAdvice(store.url, io, 'restore');
  if (file === store.sqlite) {
    io.err(`tiendo restore: ${file} is the store itself\n`);
    return 1;
  }
  mkdirSync(dirname(store.sqlite), { recursive: true });
  let unlock: () => void;
  try {
    unlock = lockSqliteFile(store.sqlite, 'tiendo restore', { exclusive: true });
  } catch (e) {
    if (!(e instanceof StoreInUseError)) throw e;
    io.err(`tiendo restore: a Tiến độ server holds the store: stop it first, then restore. ${e.message}\n`);
    return 1;
  }
  try {
    const checked = await checkCopy(file);
    if ('problem' in checked) {
      io.err(`tiendo restore: ${checked.problem}. Nothing was changed.\n`);
      return 1;
    }
    // A copy of another store (another Sở's, or a store made anew since) is put in place only with
    // --force: jobs and links made for one identity do not belong to the other.
    const currentId = await identityOf(store.sqlite);
    if (currentId && currentId !== checked.facts.storeId && !force) {
      io.err(
        `tiendo restore: ${file} is a copy of store ${checked.facts.storeId}, but the store here is ${currentId}: ` +
          `add --force to replace it with another store's copy. Nothing was changed.\n`,
      );
      return 1;
    }
    const dir = dirname(store.sqlite);
    const temp = join(dir, `.${basename(store.sqlite)}.restore-${process.pid}.partial`);
    rmSync(temp, { force: true });
    copyFileSync(file, temp, constants.COPYFILE_EXCL);
    const fd = openSync(temp, 'r+');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    const aside = `${store.sqlite}.before-restore-${stamp}`;
    const moved: string[] = [];
    try {
      for (const suffix of ['', '-wal', '-shm']) {
        if (existsSync(store.sqlite + suffix)) {
          renameSync(store.sqlite + suffix, aside + suffix);
          moved.push(suffix);
        }
      }
      renameSync(temp, store.sqlite);
    } catch (e) {
      // Put back what was moved: nothing changed.
      for (const suffix of moved) renameSync(aside + suffix, store.sqlite + suffix);
      rmSync(temp, { force: true });
      throw e;
    }
    syncDir(dir);
    const attached = copyBlobs(`${file}.files`, filesOf(store.sqlite));
    const { facts } = checked;
    io.out(
      `Restored ${file} into ${store.sqlite}: ${facts.units} units, ${facts.instances} instances, ${facts.users} users; store ${facts.storeId}` +
        `; ${checked.migrations} of ${MIGRATION_NAMES.length} migrations (the next start runs any missing).\n` +
        (attached ? `Attached files: ${attached} from ${file}.files/ added to ${filesOf(store.sqlite)}.\n` : '') +
        (moved.length ? `The store that was there is kept as ${aside}${moved.length > 1 ? ` (and its ${moved.filter(Boolean).join(', ')})` : ''}.\n` : ''),
    );
    return 0;
  } finally {
    unlock();
  }
}

/** Where the server keeps attachments beside an SQLite store (adapters/app.ts: FolderBlobs). */
function filesOf(sqliteFile: string): string {
  return join(dirname(sqliteFile), 'files');
}

const BLOB = /^[0-9a-f]{64}$/;

/** Copies the attachments under `from` (`ab/<sha256>`) into `to`, leaving what is there; a file half
 * written (`.part`) is not one. Returns how many `from` holds. */
function copyBlobs(from: string, to: string): number {
  if (!existsSync(from)) return 0;
  let count = 0;
  for (const shard of readdirSync(from, { withFileTypes: true })) {
    if (!shard.isDirectory() || !/^[0-9a-f]{2}$/.test(shard.name)) continue;
    for (const name of readdirSync(join(from, shard.name))) {
      if (!BLOB.test(name) || !name.startsWith(shard.name)) continue;
      count++;
      const target = join(to, shard.name, name);
      if (existsSync(target)) continue;
      mkdirSync(join(to, shard.name), { recursive: true });
      copyFileSync(join(from, shard.name, name), target);
    }
  }
  return count;
}

/** The identity of the store at `file`, when it opens and has one. */
async function identityOf(file: string): Promise<string | undefined> {
  if (!existsSync(file)) return undefined;
  try {
    // The lock is held: nobody writes.
    const conn = await Conn.look(file);
    try {
      return (await conn.all<{ id: string }>('select id from store_identity limit 1'))[0]?.id;
    } finally {
      await conn.close();
    }
  } catch {
    return undefined;
  }
}

function syncDir(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Some platforms do not fsync a folder; the rename is done either way.
  }
}
