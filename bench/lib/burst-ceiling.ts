// The deadline burst's ceiling: every row the burst wrote, written again into a fresh store of the
// same kind (an SQLite file, migrated) as knex batched inserts and updates, PER_TX escalations'
// rows per transaction and at most ROWS rows per statement. Per escalation that is what the burst's
// commits and the queue around them wrote: its history row, the instance's new rev, its timer set
// fired, its escalation row, its inbox notices, its outbox message (inserted, then marked relayed),
// and its job (leased by the worker's claim, then deleted). What those rows refer to (units, the
// definition, the instances, their timers and jobs as they were before the moment) is copied first,
// untimed.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Knex } from 'knex';
import { migrate, openDb } from '../../adapters/store/db.ts';
import { timer } from './measure.ts';

/** Escalations per ceiling transaction; rows per statement. */
export const PER_TX = 250;
const ROWS = 100;

export interface BurstCeiling {
  /** Escalations' rows written per second. */
  perS: number;
  ms: number;
  escalations: number;
  /** Rows written (inserted or updated or deleted) per escalation. */
  rowsPerEscalation: number;
}

type Row = Record<string, unknown>;

/** Copies the burst's rows from `from` (an SQLite store after the burst) into a fresh SQLite file,
 * timed; `queue` is the embedded job table's queue name the burst's jobs had. */
export async function burstCeiling(from: Knex, queue: string): Promise<BurstCeiling> {
  const dir = mkdtempSync(join(tmpdir(), 'tiendo-bench-burst-ceiling-'));
  const { db: to } = openDb({ sqliteFile: join(dir, 'ceiling.sqlite') });
  try {
    await migrate(to);
    const escalations = (await from('escalations').orderBy('id')) as Row[];
    const instanceIds = escalations.map((e) => e.instance_id as string);
    // What the rows refer to, as it stood before the moment: untimed.
    await to.transaction(async (trx) => {
      const units = (await from('org_units').orderBy(['depth', 'id'])) as Row[];
      for (let i = 0; i < units.length; i += ROWS) await trx('org_units').insert(units.slice(i, i + ROWS));
      await trx('definitions').insert(await from('definitions'));
      for (let i = 0; i < instanceIds.length; i += 500) {
        const ids = instanceIds.slice(i, i + 500);
        const instances = ((await from('instances').whereIn('id', ids)) as Row[]).map((r) => ({ ...r, rev: Number(r.rev) - 1 }));
        const timers = ((await from('timers').whereIn('instance_id', ids)) as Row[]).map((r) => ({ ...r, status: 'pending', fired_at: null }));
        const history = ((await from('history').whereIn('instance_id', ids).andWhere('event_type', 'not like', 'escalation.%')) as Row[]).map(
          ({ id: _id, ...rest }) => rest,
        );
        for (let k = 0; k < instances.length; k += ROWS) await trx('instances').insert(instances.slice(k, k + ROWS));
        for (let k = 0; k < timers.length; k += ROWS) await trx('timers').insert(timers.slice(k, k + ROWS));
        for (let k = 0; k < history.length; k += ROWS) await trx('history').insert(history.slice(k, k + ROWS));
        const jobs = timers.map((t) => ({
          id: t.id,
          queue,
          name: 'timer',
          payload: JSON.stringify({ timerId: t.id }),
          run_at: t.fire_at,
          attempts: 0,
        }));
        for (let k = 0; k < jobs.length; k += ROWS) await trx('jobs').insert(jobs.slice(k, k + ROWS));
      }
    });
    await to.raw('PRAGMA wal_checkpoint(TRUNCATE)');

    let ms = 0;
    let rows = 0;
    for (let at = 0; at < escalations.length; at += PER_TX) {
      const part = escalations.slice(at, at + PER_TX);
      const ids = part.map((e) => e.id as string);
      const instances = part.map((e) => e.instance_id as string);
      // The rows to write, read untimed.
      const history = ((await from('history').whereIn('instance_id', instances).andWhere('event_type', 'like', 'escalation.%')) as Row[]).map(
        ({ id: _id, ...rest }) => rest,
      );
      const inbox = ((await from('inbox').whereIn('escalation_id', ids)) as Row[]).map(({ id: _id, ...rest }) => rest);
      const outbox = ((await from('outbox').whereIn('instance_id', instances).andWhere('kind', 'notify')) as Row[]).map(
        ({ id: _id, relayed_at: _r, ...rest }) => rest,
      );
      const fired = (await from('timers').whereIn('id', ids).select('id', 'fired_at')) as { id: string; fired_at: number }[];
      const updated = (await from('instances').whereIn('id', instances).select('id', 'rev', 'updated_at')) as { id: string; rev: number; updated_at: number }[];
      const at0 = Number(part[0]!.fired_at);
      const elapsed = timer();
      // The worker's claim: the jobs leased.
      for (let k = 0; k < ids.length; k += ROWS)
        await to('jobs')
          .whereIn('id', ids.slice(k, k + ROWS))
          .update({ locked_until: at0 + 60_000, locked_by: 'ceiling', attempts: to.raw('attempts + 1') });
      const outboxIds: number[] = [];
      await to.transaction(async (trx) => {
        for (let k = 0; k < history.length; k += ROWS) await trx('history').insert(history.slice(k, k + ROWS));
        // The instances' new rev and time, the timers fired: one batched UPDATE per ROWS rows.
        for (let k = 0; k < updated.length; k += ROWS) {
          const chunk = updated.slice(k, k + ROWS);
          await trx('instances')
            .whereIn(
              'id',
              chunk.map((u) => u.id),
            )
            .update({
              rev: trx.raw(
                `case id ${chunk.map(() => 'when ? then ?').join(' ')} end`,
                chunk.flatMap((u) => [u.id, u.rev]),
              ),
              updated_at: trx.raw(
                `case id ${chunk.map(() => 'when ? then ?').join(' ')} end`,
                chunk.flatMap((u) => [u.id, u.updated_at]),
              ),
            });
        }
        for (let k = 0; k < fired.length; k += ROWS) {
          const chunk = fired.slice(k, k + ROWS);
          await trx('timers')
            .whereIn(
              'id',
              chunk.map((t) => t.id),
            )
            .update({
              status: 'fired',
              fired_at: trx.raw(
                `case id ${chunk.map(() => 'when ? then ?').join(' ')} end`,
                chunk.flatMap((t) => [t.id, t.fired_at]),
              ),
            });
        }
        for (let k = 0; k < outbox.length; k += ROWS) {
          const inserted = (await trx('outbox')
            .insert(outbox.slice(k, k + ROWS))
            .returning('id')) as ({ id: number } | number)[];
          outboxIds.push(...inserted.map((r) => (typeof r === 'number' ? r : r.id)));
        }
        for (let k = 0; k < part.length; k += ROWS) await trx('escalations').insert(part.slice(k, k + ROWS));
        for (let k = 0; k < inbox.length; k += ROWS) await trx('inbox').insert(inbox.slice(k, k + ROWS));
      });
      // After the commit: the relay marks the notices relayed, the worker deletes the jobs done.
      for (let k = 0; k < outboxIds.length; k += ROWS)
        await to('outbox')
          .whereIn('id', outboxIds.slice(k, k + ROWS))
          .update({ relayed_at: at0 });
      for (let k = 0; k < ids.length; k += ROWS)
        await to('jobs')
          .whereIn('id', ids.slice(k, k + ROWS))
          .del();
      ms += elapsed();
      rows += ids.length * 2 + history.length + updated.length + fired.length + outbox.length * 2 + part.length + inbox.length;
    }
    return { perS: escalations.length / (ms / 1000), ms, escalations: escalations.length, rowsPerEscalation: rows / escalations.length };
  } finally {
    await to.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}
