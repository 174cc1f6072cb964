// Where a database-bound workload spends its time, statement by statement: knex's query events
// timed and summed by the statement's shape (values and IN-lists folded). A CPU profile shows such
// a workload as "(idle)" — the JS thread waiting while sqlite3 works on its own thread — so this is
// the other half of the evidence for a note.
import type { Knex } from 'knex';
import { performance } from 'node:perf_hooks';

export interface StatementTime {
  sql: string;
  count: number;
  totalMs: number;
}

export interface SqlTimer {
  /** Statements by total time, most first. */
  top(n?: number): StatementTime[];
  totalMs(): number;
  reset(): void;
  stop(): void;
}

/** Starts timing every statement run through `db` (from sent to answered). */
export function timeStatements(db: Knex): SqlTimer {
  const started = new Map<string, number>();
  const bySql = new Map<string, StatementTime>();
  const onQuery = (q: { __knexQueryUid?: string }) => {
    if (q.__knexQueryUid) started.set(q.__knexQueryUid, performance.now());
  };
  const onDone = (_r: unknown, q: { __knexQueryUid?: string; sql?: string }) => {
    const t0 = q.__knexQueryUid ? started.get(q.__knexQueryUid) : undefined;
    if (t0 === undefined) return;
    started.delete(q.__knexQueryUid!);
    const sql = shape(q.sql ?? '?');
    const s = bySql.get(sql) ?? { sql, count: 0, totalMs: 0 };
    s.count++;
    s.totalMs += performance.now() - t0;
    bySql.set(sql, s);
  };
  const onError = (_e: unknown, q: { __knexQueryUid?: string; sql?: string }) => onDone(undefined, q);
  db.on('query', onQuery).on('query-response', onDone).on('query-error', onError);
  return {
    top: (n = 10) => [...bySql.values()].sort((a, b) => b.totalMs - a.totalMs).slice(0, n),
    totalMs: () => [...bySql.values()].reduce((a, s) => a + s.totalMs, 0),
    reset: () => bySql.clear(),
    stop() {
      db.removeListener('query', onQuery);
      db.removeListener('query-response', onDone);
      db.removeListener('query-error', onError);
    },
  };
}

/** The statement without its values: IN-lists and multi-row VALUES folded to one. */
function shape(sql: string): string {
  return sql
    .replace(/\s+/g, ' ')
    .replace(/\$\d+/g, '?')
    .replace(/\((\s*\?\s*,)+\s*\?\s*\)/g, '(?…)')
    .replace(/(\(\?…\)\s*,\s*)+\(\?…\)/g, '(?…)…')
    .replace(/(\(\?(\s*,\s*\?)*\)\s*,\s*)+\(\?(\s*,\s*\?)*\)/g, '(rows…)')
    .replace(/(select \? as [^,]+(, \? as [^ ]+)* union all )+select[^)]*/gi, '(rows…)')
    .trim();
}

/** "40% insert into `tasks` … (×2000, 1.2 s); …" for a note. */
export function describeStatements(t: SqlTimer, wallMs: number, n = 4): string {
  return t
    .top(n)
    .map(
      (s) =>
        `${((s.totalMs / wallMs) * 100).toFixed(0)}% ${s.sql.slice(0, 90)}${s.sql.length > 90 ? '…' : ''} (×${s.count}, ${(s.totalMs / 1000).toFixed(1)} s)`,
    )
    .join('; ');
}
