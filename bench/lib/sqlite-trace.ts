// Every call into node-sqlite3, timed: what the connection is asked to do, BEGIN and COMMIT included
// (knex's query events show neither, nor anything sent to the connection past knex, such as a
// change's script). A call is one round trip through node-sqlite3's thread pool; the time from the
// call to its callback is what the JS thread waits for it. One client on one connection sends one
// call at a time, so the sum of those times is how long the connection was busy.
//
//   const trace = traceSqlite();        // patches sqlite3.Database.prototype, process-wide
//   trace.active = true; …; trace.active = false;
//   const stats = trace.stop(events);   // restores the prototype
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';

export interface CallStats {
  /** The call's SQL by its shape (values, IN-lists and row lists folded), prefixed with the method. */
  sql: string;
  perEvent: number;
  msPerEvent: number;
}

export interface SqliteStats {
  /** node-sqlite3 calls (round trips) per event. */
  callsPerEvent: number;
  /** SQL statements per event (a script sent with exec counts each of its statements). */
  statementsPerEvent: number;
  /** Milliseconds per event from each call to its callback. */
  msPerEvent: number;
  /** The calls that took the most time. */
  top: CallStats[];
}

export interface SqliteTrace {
  /** Only calls made while active count. */
  active: boolean;
  /** Stops tracing and sums what was seen over `events` events. */
  stop(events: number): SqliteStats;
}

const METHODS = ['run', 'all', 'get', 'exec', 'each'] as const;

type Db = Record<string, (...args: unknown[]) => unknown>;

/** Starts timing every node-sqlite3 call (from every connection of the process). */
export function traceSqlite(): SqliteTrace {
  const sqlite3 = createRequire(import.meta.url)('sqlite3') as { Database: { prototype: Db } };
  const proto = sqlite3.Database.prototype;
  const originals = new Map(METHODS.map((m) => [m, proto[m]!] as const));
  const bySql = new Map<string, { count: number; statements: number; ms: number }>();
  const trace: SqliteTrace = {
    active: true,
    stop(events) {
      for (const [m, fn] of originals) proto[m] = fn;
      const all = [...bySql.entries()].map(([sql, s]) => ({ sql, perEvent: s.count / events, msPerEvent: s.ms / events, statements: s.statements / events }));
      return {
        callsPerEvent: all.reduce((a, s) => a + s.perEvent, 0),
        statementsPerEvent: all.reduce((a, s) => a + s.statements, 0),
        msPerEvent: all.reduce((a, s) => a + s.msPerEvent, 0),
        top: all
          .sort((a, b) => b.msPerEvent - a.msPerEvent)
          .slice(0, 10)
          .map(({ sql, perEvent, msPerEvent }) => ({ sql, perEvent, msPerEvent })),
      };
    },
  };
  for (const [method, original] of originals) {
    proto[method] = function (this: unknown, ...args: unknown[]) {
      if (!trace.active || typeof args[0] !== 'string') return original.apply(this, args);
      const sql = args[0];
      const cb = args.findLastIndex((a) => typeof a === 'function');
      const t0 = performance.now();
      const done = () => {
        const key = `${method} ${shape(sql)}`;
        const s = bySql.get(key) ?? { count: 0, statements: 0, ms: 0 };
        s.count++;
        s.statements += method === 'exec' ? statementCount(sql) : 1;
        s.ms += performance.now() - t0;
        bySql.set(key, s);
      };
      if (cb < 0) {
        done();
        return original.apply(this, args);
      }
      const callback = args[cb] as (...r: unknown[]) => unknown;
      args[cb] = function (this: unknown, ...r: unknown[]) {
        done();
        return callback.apply(this, r);
      };
      return original.apply(this, args);
    };
  }
  return trace;
}

/** The SQL without its values, short: a script by its statements' first words. */
function shape(sql: string): string {
  const one = (s: string) =>
    s
      .replace(/\s+/g, ' ')
      .replace(/'(?:[^']|'')*'/g, "'…'")
      .replace(/\b\d+(\.\d+)?\b/g, 'n')
      .replace(/\(.*$/, '(…')
      .trim()
      .slice(0, 60);
  const parts = splitStatements(sql);
  if (parts.length <= 1) return one(sql);
  // A script: its statements' kinds, in order, repeats folded.
  const kinds: string[] = [];
  for (const p of parts.map(one)) if (kinds[kinds.length - 1] !== p) kinds.push(p);
  return `script[${kinds.join('; ').slice(0, 200)}]`;
}

function statementCount(sql: string): number {
  return Math.max(1, splitStatements(sql).length);
}

/** Splits on the semicolons outside string literals. */
function splitStatements(sql: string): string[] {
  const out: string[] = [];
  let start = 0;
  let quoted = false;
  for (let i = 0; i < sql.length; i++) {
    const c = sql[i];
    if (c === "'") quoted = !quoted;
    else if (c === ';' && !quoted) {
      if (sql.slice(start, i).trim()) out.push(sql.slice(start, i));
      start = i + 1;
    }
  }
  if (sql.slice(start).trim()) out.push(sql.slice(start));
  return out;
}
