// The one write path: commits one change or many (those that arrived together) in one transaction.
// Each change commits or is refused on its own — REV_CONFLICT when its instance moved on meanwhile
// (the rev compare-and-set), when its new instance's unit already has one, or when its idempotency
// key is taken — and a refused change writes nothing. A committed change writes its instance, its
// history row, task and timer rows, timer status changes, its escalation, inbox notices and its
// idempotency key, and hands its outbox messages to the outbox step: with the embedded queue in the
// same database, the step's statements write the timer jobs in this very transaction, and what it
// leaves (notices; everything when the queue is elsewhere, BullMQ) becomes outbox rows for the
// relay after the commit.
//
// The statements are planned once (below), then run in one of two ways:
// - SQLite, first: as ONE script, BEGIN to COMMIT, in one call into node-sqlite3 — one round trip
//   through its thread pool instead of one per statement (8–9 for a command that opens tasks and
//   arms timers). The store has the only connection of the only writer process, so nothing can
//   come between the statements; the script assumes every change wins, and a guard after each
//   instance update aborts it when the rev check matched no row. Any error (a conflict, a key taken,
//   a value that cannot be written as a literal) rolls it back, and the changes go the other way.
// - statement by statement in a knex transaction (PostgreSQL; SQLite after a failed script): the
//   rev checks answer which changes won, and only theirs are written.
import type { Knex } from 'knex';
import { EngineError } from '../../engine/errors.ts';
import type { CommitOutcome } from '../../engine/ports.ts';
import type { Change, OutboxMessage } from '../../engine/domain.ts';
import { insertRows, PG_ROWS_PER_INSERT, type Statement } from '../sql.ts';
import { campaignRow, escalationRow, historyRow, inboxRow, instanceRow, instanceUpdate, INSTANCE_UPDATED, outboxRow, taskRow, timerRow } from './rows.ts';

/**
 * Delivers outbox messages inside the committing transaction (the embedded queue's job table, when
 * it is in the store's database): the statements that do it, and the messages left for the relay.
 */
export type OutboxStep = (messages: readonly OutboxMessage[]) => { statements: Statement[]; left: OutboxMessage[] };

const UPDATES_PER_STATEMENT = 50; // 12 values a row: well under SQLite's 32,766
const TIMER_UPDATES_PER_STATEMENT = 200;

export async function commitChanges(db: Knex, changes: readonly Change[], outboxStep?: OutboxStep): Promise<CommitOutcome[]> {
  const outcomes: CommitOutcome[] = changes.map(() => ({ outboxed: 0 }));
  // Two changes to one instance in one call were computed over the same state: the first may win.
  const seen = new Set<string>();
  const candidates: number[] = [];
  changes.forEach((c, i) => {
    if (seen.has(c.instance.id)) outcomes[i] = { error: conflict(c.instance.id) };
    else {
      seen.add(c.instance.id);
      candidates.push(i);
    }
  });
  if (!candidates.length) return outcomes;
  const list = candidates.map((i) => changes[i]!);
  const done = (db.client.config.client === 'sqlite3' ? await asOneScript(db, list, outboxStep) : undefined) ?? (await stepByStep(db, list, outboxStep));
  candidates.forEach((i, k) => (outcomes[i] = done[k]!));
  return outcomes;
}

/** The rows every committed change writes, after its instance (and its key): the same statements
 * on both ways; per change, how many of its messages were left in the outbox for the relay. */
function writes(applied: readonly Change[], outboxStep?: OutboxStep, rowsPerInsert?: number): { statements: Statement[]; outboxed: number[] } {
  const per = rowsPerInsert ? { rowsPerInsert } : {};
  const statements = [
    // Fan-outs first: the children they start later name them.
    ...insertRows(
      'campaigns',
      applied.flatMap((c) => (c.campaigns ?? []).map(campaignRow)),
      per,
    ),
    ...insertRows(
      'history',
      applied.map((c) => historyRow(c.history)),
      per,
    ),
    ...insertRows(
      'tasks',
      applied.flatMap((c) => c.tasks.map(taskRow)),
      { merge: 'id', ...per },
    ),
    ...insertRows(
      'timers',
      applied.flatMap((c) => c.timers.map(timerRow)),
      { merge: 'id', ...per },
    ),
    ...timerUpdates(applied.flatMap((c) => c.timerUpdates)),
  ];
  const messages = applied.flatMap((c) => c.outbox);
  const step = outboxStep && messages.length ? outboxStep(messages) : { statements: [], left: messages };
  statements.push(...step.statements, ...insertRows('outbox', step.left.map(outboxRow), per));
  statements.push(
    ...insertRows(
      'escalations',
      applied.flatMap((c) => (c.escalation ? [escalationRow(c.escalation)] : [])),
      per,
    ),
  );
  statements.push(
    ...insertRows(
      'inbox',
      applied.flatMap((c) => c.inbox.map(inboxRow)),
      per,
    ),
  );
  const left = new Set(step.left);
  return { statements, outboxed: applied.map((c) => c.outbox.filter((m) => left.has(m)).length) };
}

/** Timer status changes, one statement per status (a burst of deadlines fires hundreds at once).
 * An id changed twice keeps its last change, as one statement per change would: a DUE that leaves
 * its stage cancels the stage's pending timers, itself among them, then marks itself fired. */
function timerUpdates(all: Change['timerUpdates']): Statement[] {
  const updates = [...new Map(all.map((u) => [u.id, u])).values()];
  const out: Statement[] = [];
  for (const status of new Set(updates.map((u) => u.status))) {
    const mine = updates.filter((u) => u.status === status);
    for (let at = 0; at < mine.length; at += TIMER_UPDATES_PER_STATEMENT) {
      const part = mine.slice(at, at + TIMER_UPDATES_PER_STATEMENT);
      // Typed: PostgreSQL reads a CASE of untyped parameters as text, which a bigint column refuses.
      out.push({
        sql: `update "timers" set "status" = ?, "fired_at" = case "id" ${part.map(() => 'when ? then cast(? as bigint)').join(' ')} end where "id" in (${part.map(() => '?').join(', ')})`,
        bindings: [status, ...part.flatMap((u) => [u.id, u.firedAt ?? null]), ...part.map((u) => u.id)],
      });
    }
  }
  return out;
}

const idempotencyRow = (c: Change) => {
  const k = c.idempotency!;
  return { scope: k.scope, key: k.key, request_hash: k.requestHash, response: JSON.stringify(k.response), created_at: c.history.at };
};

// ---------------------------------------------------------------------------------------------
// SQLite: one script

/** Commits every change in one call into node-sqlite3, or answers undefined (nothing written) when
 * any of them cannot commit that way: the caller then goes statement by statement. */
async function asOneScript(db: Knex, list: readonly Change[], outboxStep?: OutboxStep): Promise<CommitOutcome[] | undefined> {
  const { statements, outboxed } = writes(list, outboxStep);
  const parts: string[] = ['begin'];
  try {
    const updates = list.filter((c) => c.expectedRev !== 0);
    for (let at = 0; at < updates.length; at += UPDATES_PER_STATEMENT) {
      const part = updates.slice(at, at + UPDATES_PER_STATEMENT);
      parts.push(render(part.length === 1 ? updateInstance(part[0]!) : updateInstances(part, false, false)));
      // The rev checks: a row not updated, and json() of a text that is not JSON aborts the script.
      parts.push(`select json(case when changes() = ${part.length} then '0' else 'rev conflict' end)`);
    }
    // A new instance whose unit already has one breaks the unique key; a key taken, the key's.
    for (const s of insertRows(
      'instances',
      list.filter((c) => c.expectedRev === 0).map((c) => instanceRow(c.instance)),
    ))
      parts.push(render(s));
    for (const s of insertRows('idempotency_keys', list.filter((c) => c.idempotency).map(idempotencyRow))) parts.push(render(s));
    for (const s of statements) parts.push(render(s));
  } catch (e) {
    if (e instanceof Unwritable) return undefined;
    throw e;
  }
  parts.push('commit');
  const conn = (await db.client.acquireConnection()) as SqliteConnection;
  try {
    await exec(conn, parts.join(';\n'));
  } catch {
    // Whatever it met, nothing of it stays: the statement-by-statement way says which change
    // conflicts, or meets the same error and reports it.
    await exec(conn, 'rollback').catch(() => undefined);
    return undefined;
  } finally {
    await db.client.releaseConnection(conn);
  }
  return outboxed.map((n) => ({ outboxed: n }));
}

interface SqliteConnection {
  exec(sql: string, callback: (err: Error | null) => void): void;
}

function exec(conn: SqliteConnection, sql: string): Promise<void> {
  return new Promise((resolve, reject) => conn.exec(sql, (err) => (err ? reject(err) : resolve())));
}

/** A value a script cannot carry as a literal (a NUL in a text: the script is a C string). */
class Unwritable extends Error {}

/** The statement with its values written in, as SQLite reads literals. */
function render(s: Statement): string {
  let i = 0;
  const sql = s.sql.replace(/\?/g, () => literal(s.bindings[i++]));
  if (i !== s.bindings.length) throw new Error(`statement has ${i} placeholders for ${s.bindings.length} values: ${s.sql.slice(0, 80)}`);
  return sql;
}

function literal(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new Unwritable();
    return String(v);
  }
  if (typeof v === 'bigint') return String(v);
  if (typeof v === 'boolean') return v ? '1' : '0';
  if (typeof v === 'string') {
    if (v.includes('\0')) throw new Unwritable();
    return `'${v.replace(/'/g, "''")}'`;
  }
  if (Buffer.isBuffer(v)) return `x'${v.toString('hex')}'`;
  throw new Unwritable();
}

// ---------------------------------------------------------------------------------------------
// Statement by statement

async function stepByStep(db: Knex, list: readonly Change[], outboxStep?: OutboxStep, attempt = 0): Promise<CommitOutcome[]> {
  try {
    return await db.transaction(async (trx) => {
      const out: CommitOutcome[] = list.map(() => ({ outboxed: 0 }));
      const refuse = (k: number) => (out[k] = { error: conflict(list[k]!.instance.id) });
      const pg = trx.client.config.client === 'pg';
      const rowsOf = (result: unknown) => (pg ? (result as { rows: Record<string, unknown>[] }).rows : (result as Record<string, unknown>[]));
      // Keys first: one taken (earlier, or by an earlier change here) refuses its change.
      const keyed = new Map<string, number>();
      list.forEach((c, k) => {
        if (!c.idempotency) return;
        const id = `${c.idempotency.scope}\n${c.idempotency.key}`;
        if (keyed.has(id)) refuse(k);
        else keyed.set(id, k);
      });
      if (keyed.size) {
        const inserted = new Set<string>();
        for (const s of insertRows(
          'idempotency_keys',
          [...keyed.values()].map((k) => idempotencyRow(list[k]!)),
          { ignore: true, returning: ['scope', 'key'] },
        )) {
          for (const r of rowsOf(await trx.raw(s.sql, s.bindings as Knex.RawBinding[]))) inserted.add(`${r.scope}\n${r.key}`);
        }
        for (const [id, k] of keyed) if (!inserted.has(id)) refuse(k);
      }
      // Instances: updates with a rev check per row; new ones unless their unit has one already.
      const won = new Set<string>();
      const alive = list.map((_, k) => k).filter((k) => !out[k]!.error);
      const updates = alive.filter((k) => list[k]!.expectedRev > 0).map((k) => list[k]!);
      for (let at = 0; at < updates.length; at += UPDATES_PER_STATEMENT) {
        const s = updateInstances(updates.slice(at, at + UPDATES_PER_STATEMENT), pg);
        for (const r of rowsOf(await trx.raw(s.sql, s.bindings as Knex.RawBinding[]))) won.add(String(r.id));
      }
      const starts = alive.filter((k) => list[k]!.expectedRev === 0).map((k) => instanceRow(list[k]!.instance));
      const per = pg ? PG_ROWS_PER_INSERT : undefined;
      for (const s of insertRows('instances', starts, { ignore: true, returning: ['id'], ...(per ? { rowsPerInsert: per } : {}) })) {
        for (const r of rowsOf(await trx.raw(s.sql, s.bindings as Knex.RawBinding[]))) won.add(String(r.id));
      }
      const lost = alive.filter((k) => !won.has(list[k]!.instance.id));
      for (const k of lost) refuse(k);
      // A refused change writes nothing: its key goes too.
      const lostKeys = lost.filter((k) => list[k]!.idempotency).map((k) => list[k]!.idempotency!);
      for (const key of lostKeys) await trx('idempotency_keys').where({ scope: key.scope, key: key.key }).del();
      const applied = alive.filter((k) => won.has(list[k]!.instance.id));
      const { statements, outboxed } = writes(
        applied.map((k) => list[k]!),
        outboxStep,
        per,
      );
      for (const s of statements) await trx.raw(s.sql, s.bindings as Knex.RawBinding[]);
      applied.forEach((k, n) => (out[k] = { outboxed: outboxed[n]! }));
      return out;
    });
  } catch (e) {
    // Two writers met in opposite orders on rows they both count (the board's summary rows, kept by
    // triggers: adapters/store/due-counts.ts): the one PostgreSQL chose rolled back whole, and goes again.
    if (isDeadlock(e) && attempt < 3) return stepByStep(db, list, outboxStep, attempt + 1);
    if (!isUniqueViolation(e)) throw e;
    // A row of one change met a unique key (its escalation recorded meanwhile…): that change is
    // refused, alone; the others commit.
    if (list.length === 1) return [{ error: conflict(list[0]!.instance.id) }];
    const out: CommitOutcome[] = [];
    for (const c of list) out.push(...(await stepByStep(db, [c], outboxStep)));
    return out;
  }
}

/** The UPDATE of one instance, over the rev its change was computed from. */
function updateInstance(c: Change): Statement {
  const row = instanceUpdate(c.instance);
  return {
    sql: `update "instances" set ${INSTANCE_UPDATED.map(([col]) => `"${col}" = ?`).join(', ')} where "id" = ? and "rev" = ?`,
    bindings: [...INSTANCE_UPDATED.map(([col]) => row[col]), c.instance.id, c.expectedRev],
  };
}

/** One UPDATE … FROM (VALUES …) of several instances whose rev check is per row; RETURNING says
 * which changes won. */
function updateInstances(changes: readonly Change[], pg: boolean, returning = true): Statement {
  const columns = ['id', 'expected_rev', ...INSTANCE_UPDATED.map(([c]) => c)];
  const bindings: unknown[] = [];
  for (const c of changes) {
    const row = instanceUpdate(c.instance);
    bindings.push(c.instance.id, c.expectedRev, ...INSTANCE_UPDATED.map(([col]) => row[col]));
  }
  const tuple = `(${columns.map(() => '?').join(', ')})`;
  const list = changes.map(() => tuple).join(', ');
  const cast = (col: string, type: string) => (pg ? `v.${col}::${type}` : `v.${col}`);
  const sets = INSTANCE_UPDATED.map(([col, type]) => `${col} = ${cast(col, type)}`).join(', ');
  const sql = pg
    ? `update instances as i set ${sets} from (values ${list}) as v(${columns.join(', ')}) where i.id = v.id and i.rev = ${cast('expected_rev', 'integer')}${returning ? ' returning i.id' : ''}`
    : `with v(${columns.join(', ')}) as (values ${list}) update instances set ${sets} from v where instances.id = v.id and instances.rev = v.expected_rev${returning ? ' returning instances.id' : ''}`;
  return { sql, bindings };
}

function conflict(instanceId: string): EngineError {
  return new EngineError('REV_CONFLICT', `instance ${instanceId} was changed by someone else meanwhile; reload and try again`, { instanceId });
}

function isDeadlock(e: unknown): boolean {
  return (e as { code?: string }).code === '40P01';
}

export function isUniqueViolation(e: unknown): boolean {
  const err = e as { code?: string; message?: string };
  return err.code === '23505' || (err.code === 'SQLITE_CONSTRAINT' && /UNIQUE|PRIMARY KEY/.test(err.message ?? ''));
}
