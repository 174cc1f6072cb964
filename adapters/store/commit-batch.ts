// Group commit: the changes that arrive while a commit is in flight are written together, in one
// transaction with one statement per table — the instance updates as a single UPDATE … FROM (VALUES …)
// whose rev check is per row and whose RETURNING says which changes won. A change whose instance
// moved on meanwhile gets REV_CONFLICT (the engine recomputes it); the others commit. On SQLite,
// where a statement's round trip is the cost, k commands then cost a handful of statements, not 5k.
import type { Knex } from 'knex';
import { EngineError } from '../../engine/errors.ts';
import type { Change } from '../../engine/domain.ts';
import { escalationRow, historyRow, inboxRow, instanceRow, instanceUpdate, INSTANCE_UPDATED, outboxRow, taskRow, timerRow } from './rows.ts';
import { viaOutbox, writeTimerJobs } from './timer-jobs.ts';

const ROWS_PER_STATEMENT = 50; // 12 parameters a row: well under SQLite's 32,766

/** Whether a change can share a group: a new instance or an update of one, with nothing unique to
 * insert besides its history and an escalation (no idempotency key). An escalation's id is its
 * timer's, and a timer fires only over the rev it was pending at, so a change whose rev check
 * passes cannot meet its escalation already recorded. Others commit on their own. */
export function groupable(change: Change): boolean {
  return !change.idempotency;
}

/** Commits groupable changes together; answers, per change, undefined or the REV_CONFLICT it met. */
export async function commitGroup(db: Knex, changes: Change[], jobsQueue?: string): Promise<(EngineError | undefined)[]> {
  const results: (EngineError | undefined)[] = changes.map(() => undefined);
  // Two changes to one instance in a group were computed over the same rev: the first may win.
  const seen = new Set<string>();
  const candidates: number[] = [];
  changes.forEach((c, i) => {
    if (seen.has(c.instance.id)) results[i] = conflict(c.instance.id);
    else {
      seen.add(c.instance.id);
      candidates.push(i);
    }
  });
  await db.transaction(async (trx) => {
    const won = new Set<string>();
    const updates = candidates.filter((i) => changes[i]!.expectedRev > 0).map((i) => changes[i]!);
    const starts = candidates.filter((i) => changes[i]!.expectedRev === 0).map((i) => changes[i]!);
    for (let at = 0; at < updates.length; at += ROWS_PER_STATEMENT) {
      for (const id of await updateInstances(trx, updates.slice(at, at + ROWS_PER_STATEMENT))) won.add(id);
    }
    // A new instance whose unit already has one (a racing start) is left out, and reported.
    for (let at = 0; at < starts.length; at += ROWS_PER_STATEMENT) {
      const rows = await trx('instances').insert(starts.slice(at, at + ROWS_PER_STATEMENT).map((c) => instanceRow(c.instance))).onConflict().ignore().returning('id');
      for (const r of rows as { id: string }[]) won.add(r.id);
    }
    const applied = candidates.filter((i) => won.has(changes[i]!.instance.id)).map((i) => changes[i]!);
    for (const i of candidates) if (!won.has(changes[i]!.instance.id)) results[i] = conflict(changes[i]!.instance.id);
    await insertAll(trx, 'history', applied.map((c) => historyRow(c.history)));
    await insertAll(trx, 'tasks', applied.flatMap((c) => c.tasks.map(taskRow)), true);
    await insertAll(trx, 'timers', applied.flatMap((c) => c.timers.map(timerRow)), true);
    await updateTimers(trx, applied.flatMap((c) => c.timerUpdates));
    const messages = applied.flatMap((c) => c.outbox);
    await insertAll(trx, 'outbox', messages.filter((m) => viaOutbox(m, jobsQueue)).map(outboxRow));
    if (jobsQueue !== undefined) await writeTimerJobs(trx, jobsQueue, messages);
    await insertAll(trx, 'escalations', applied.flatMap((c) => (c.escalation ? [escalationRow(c.escalation)] : [])));
    await insertAll(trx, 'inbox', applied.flatMap((c) => c.inbox.map(inboxRow)));
  });
  return results;
}

async function updateInstances(trx: Knex.Transaction, changes: Change[]): Promise<string[]> {
  if (!changes.length) return [];
  const pg = trx.client.config.client === 'pg';
  const columns = ['id', 'expected_rev', ...INSTANCE_UPDATED.map(([c]) => c)];
  const values: unknown[] = [];
  for (const c of changes) {
    const row = instanceUpdate(c.instance);
    values.push(c.instance.id, c.expectedRev, ...INSTANCE_UPDATED.map(([col]) => row[col]));
  }
  const tuple = `(${columns.map(() => '?').join(', ')})`;
  const list = changes.map(() => tuple).join(', ');
  const cast = (col: string, type: string) => (pg ? `v.${col}::${type}` : `v.${col}`);
  const sets = INSTANCE_UPDATED.map(([col, type]) => `${col} = ${cast(col, type)}`).join(', ');
  const sql = pg
    ? `update instances as i set ${sets} from (values ${list}) as v(${columns.join(', ')}) where i.id = v.id and i.rev = ${cast('expected_rev', 'integer')} returning i.id`
    : `with v(${columns.join(', ')}) as (values ${list}) update instances set ${sets} from v where instances.id = v.id and instances.rev = v.expected_rev returning instances.id`;
  const result = await trx.raw(sql, values as Knex.RawBinding[]);
  const rows: { id: string }[] = pg ? result.rows : result;
  return rows.map((r) => r.id);
}

/** Timer status changes, one statement per status (a burst of deadlines fires hundreds at once).
 * An id changed twice keeps its last change, as one statement per change would: a DUE that leaves
 * its stage cancels the stage's pending timers, itself among them, then marks itself fired. */
export async function updateTimers(trx: Knex.Transaction, all: Change['timerUpdates']): Promise<void> {
  const updates = [...new Map(all.map((u) => [u.id, u])).values()];
  for (const status of new Set(updates.map((u) => u.status))) {
    const mine = updates.filter((u) => u.status === status);
    for (let at = 0; at < mine.length; at += 200) {
      const part = mine.slice(at, at + 200);
      // Typed: PostgreSQL reads a CASE of untyped parameters as text, which a bigint column refuses.
      const firedAt = trx.raw(`case id ${part.map(() => 'when ? then cast(? as bigint)').join(' ')} end`, part.flatMap((u) => [u.id, u.firedAt ?? null]));
      await trx('timers').whereIn('id', part.map((u) => u.id)).update({ status, fired_at: firedAt });
    }
  }
}

async function insertAll(trx: Knex.Transaction, table: string, rows: Record<string, unknown>[], merge = false): Promise<void> {
  for (let at = 0; at < rows.length; at += 100) {
    const q = trx(table).insert(rows.slice(at, at + 100));
    await (merge ? q.onConflict('id').merge() : q);
  }
}

function conflict(instanceId: string): EngineError {
  return new EngineError('REV_CONFLICT', `instance ${instanceId} was changed by someone else meanwhile; reload and try again`, { instanceId });
}
