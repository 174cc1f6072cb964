// Straight inserts for setting up large stores: multi-row INSERT statements written once per
// table shape and sent through knex.raw (knex's query builder normalises every row, which at a
// million rows costs more than SQLite's own work). Same SQL on SQLite and PostgreSQL.
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
    for (const i of indexes) await db.raw(i.sql);
  }
}
