// Straight inserts for setting up large stores: multi-row INSERT statements written once per
// table shape and sent through knex.raw (knex's query builder normalises every row, which at a
// million rows costs more than SQLite's own work). Same SQL on SQLite and PostgreSQL.
import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';

/** Inserts the rows (all with the keys of the first) `perStatement` at a time, in the given transaction or connection. */
export async function insertRows(db: Knex | Knex.Transaction, table: string, rows: readonly Record<string, unknown>[], perStatement = 500): Promise<void> {
  if (!rows.length) return;
  const columns = Object.keys(rows[0]!);
  const tuple = `(${columns.map(() => '?').join(', ')})`;
  const head = `insert into "${table}" (${columns.map((c) => `"${c}"`).join(', ')}) values `;
  let full: string | undefined;
  for (let i = 0; i < rows.length; i += perStatement) {
    const part = rows.slice(i, i + perStatement);
    const sql = part.length === perStatement ? (full ??= head + Array(perStatement).fill(tuple).join(', ')) : head + Array(part.length).fill(tuple).join(', ');
    const bindings: unknown[] = [];
    for (const r of part) for (const c of columns) bindings.push(r[c] ?? null);
    await db.raw(sql, bindings as Knex.RawBinding[]);
  }
}

/**
 * Runs `load` with the secondary indexes of the tables dropped, then builds them again from their
 * own CREATE INDEX statements (SQLite): building an index over sorted data once is much faster than
 * growing it row by row in random key order. The schema afterwards is the one the migrations made.
 */
export async function withoutSecondaryIndexes<T>(db: Knex, tables: readonly string[], load: () => Promise<T>): Promise<T> {
  const indexes = (await db('sqlite_master')
    .where({ type: 'index' })
    .whereIn('tbl_name', tables as string[])
    .whereNotNull('sql')
    .select('name', 'sql')) as { name: string; sql: string }[];
  for (const i of indexes) await db.raw(`drop index "${i.name}"`);
  try {
    return await load();
  } finally {
    const started = Date.now();
    for (const i of indexes) await db.raw(i.sql);
    process.stderr.write(`  (${indexes.length} indexes built again in ${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
  }
}

interface SqliteStatement {
  run(params: unknown[], cb: (err: Error | null) => void): void;
  finalize(cb: (err: Error | null) => void): void;
}
interface SqliteConnection {
  exec(sql: string, cb: (err: Error | null) => void): void;
  prepare(sql: string, cb: (err: Error | null) => void): SqliteStatement;
}

/**
 * Bulk loading on SQLite through the driver itself, for setting up a store of millions of rows:
 * the connection taken from knex's pool for the duration, each table's multi-row INSERT prepared
 * once and run again and again, in transactions of the caller's choosing. Nothing else may use the
 * store meanwhile (the pool has one connection).
 */
export async function sqliteBulkLoad<T>(
  db: Knex,
  load: (bulk: { insert(table: string, rows: readonly Record<string, unknown>[]): Promise<void>; exec(sql: string): Promise<void> }) => Promise<T>,
): Promise<T> {
  const conn = (await db.client.acquireConnection()) as SqliteConnection;
  const prepared = new Map<string, SqliteStatement>();
  const call = (f: (cb: (err: Error | null) => void) => void) => new Promise<void>((resolve, reject) => f((err) => (err ? reject(err) : resolve())));
  const PER_STATEMENT = 200;
  const statement = async (table: string, columns: string[], rows: number): Promise<SqliteStatement> => {
    const key = `${table}\u0000${columns.join()}\u0000${rows}`;
    let s = prepared.get(key);
    if (!s) {
      const tuple = `(${columns.map(() => '?').join(', ')})`;
      const sql = `insert into "${table}" (${columns.map((c) => `"${c}"`).join(', ')}) values ${Array(rows).fill(tuple).join(', ')}`;
      let made!: SqliteStatement;
      await call((cb) => (made = conn.prepare(sql, cb)));
      prepared.set(key, (s = made));
    }
    return s;
  };
  try {
    return await load({
      exec: (sql) => call((cb) => conn.exec(sql, cb)),
      async insert(table, rows) {
        if (!rows.length) return;
        const columns = Object.keys(rows[0]!);
        for (let i = 0; i < rows.length; i += PER_STATEMENT) {
          const part = rows.slice(i, i + PER_STATEMENT);
          const s = await statement(table, columns, part.length);
          const params: unknown[] = [];
          for (const r of part) for (const c of columns) params.push(r[c] ?? null);
          await call((cb) => s.run(params, cb));
        }
      },
    });
  } finally {
    for (const s of prepared.values()) await call((cb) => s.finalize(cb)).catch(() => undefined);
    await db.client.releaseConnection(conn);
  }
}

/**
 * `n` random UUIDs (as the engine gives instances), sorted: inserted in this order, the primary
 * keys — and the task and timer ids that begin with them — grow at the end of their B-trees
 * instead of at random places, which is what makes loading millions of rows take seconds, not
 * minutes. The ids are as random as ever; only the order they are written in is chosen.
 */
export function sortedUuids(n: number): string[] {
  return Array.from({ length: n }, () => randomUUID()).sort();
}
