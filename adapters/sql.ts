// A SQL statement as data: text with `?` placeholders and its values, the same on SQLite and
// PostgreSQL (identifiers double-quoted, as both read them). What the store's commit writes, and what
// the embedded queue's outbox step adds to a change's transaction, so that one executor runs them
// all: statement by statement through knex, or on SQLite as one script (adapters/store/commit.ts).
// Shared by the store and the queue adapters, so neither imports the other.

export interface Statement {
  sql: string;
  bindings: unknown[];
}

/** Rows per multi-row INSERT: well under SQLite's and PostgreSQL's limits on bound values. */
export const ROWS_PER_INSERT = 100;

/** Rows per INSERT where the store takes more (PostgreSQL: 65,535 bound values, a row of ours has at
 * most 17): a statement is a round trip there, and a group commit of 256 starts sent 23 of them. */
export const PG_ROWS_PER_INSERT = 1_000;

const q = (name: string) => `"${name}"`;

/**
 * Multi-row INSERTs of the rows (all with the same columns, the first row's), `ROWS_PER_INSERT` a
 * statement. `merge`: a row whose key is taken overwrites the row there (ON CONFLICT … DO UPDATE);
 * `ignore`: it is left out (ON CONFLICT DO NOTHING); `returning`: the columns of the rows written.
 */
export function insertRows(
  table: string,
  rows: readonly Record<string, unknown>[],
  options: { merge?: string; ignore?: boolean; returning?: string[]; rowsPerInsert?: number } = {},
): Statement[] {
  if (!rows.length) return [];
  const columns = Object.keys(rows[0]!);
  const tuple = `(${columns.map(() => '?').join(', ')})`;
  const out: Statement[] = [];
  const per = options.rowsPerInsert ?? ROWS_PER_INSERT;
  for (let at = 0; at < rows.length; at += per) {
    const part = rows.slice(at, at + per);
    let sql = `insert into ${q(table)} (${columns.map(q).join(', ')}) values ${part.map(() => tuple).join(', ')}`;
    if (options.merge) {
      const set = columns.filter((c) => c !== options.merge).map((c) => `${q(c)} = excluded.${q(c)}`);
      sql += ` on conflict (${q(options.merge)}) do update set ${set.join(', ')}`;
    } else if (options.ignore) sql += ' on conflict do nothing';
    if (options.returning) sql += ` returning ${options.returning.map(q).join(', ')}`;
    out.push({ sql, bindings: part.flatMap((row) => columns.map((c) => row[c])) });
  }
  return out;
}
