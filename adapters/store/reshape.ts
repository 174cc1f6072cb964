// The org tree reshaped in one transaction (Store.reshape): set-based statements, so moving a Phòng
// with its 60 schools and their 3,000 instances is a handful of UPDATEs, not a loop. Paths are
// rewritten by prefix (`newPrefix || substr(path, len(oldPrefix) + 1)`, the same on SQLite and
// PostgreSQL); every instance whose unit moves gets a history entry and its rev bumped, so a command
// computed over the old tree meets REV_CONFLICT and is recomputed over the new one.
import type { Knex } from 'knex';
import type { OrgChange } from '../../engine/domain.ts';
import { appendAudit } from './audit-store.ts';
import { chunks } from '../queue/index.ts';
import { unitRow } from './rows.ts';
import { under } from './where.ts';

type Db = Knex | Knex.Transaction;

export async function applyReshape(db: Knex, change: OrgChange): Promise<void> {
  await db.transaction(async (trx) => {
    if (change.put.length) {
      const rows = [...change.put].sort((a, b) => a.depth - b.depth).map(unitRow);
      for (const batch of chunks(rows, 100)) await trx('org_units').insert(batch).onConflict('id').merge();
    }
    for (const u of change.updates) {
      const f = u.fields;
      await trx('org_units')
        .where({ id: u.unitId })
        .update({
          ...(f.name !== undefined ? { name: f.name } : {}),
          ...(f.kind !== undefined ? { kind: f.kind } : {}),
          ...(f.levels !== undefined ? { levels: f.levels === null ? null : JSON.stringify(f.levels) } : {}),
          ...(f.email !== undefined ? { email: f.email } : {}),
          ...(f.phone !== undefined ? { phone: f.phone } : {}),
          updated_at: change.at,
        });
    }
    for (const m of change.moves) {
      await trx('org_units').where({ id: m.unitId }).update({ parent_id: m.parentId, updated_at: change.at });
      await recordOnInstances(trx, change, 'unit.moved', { unitPath: m.fromPath }, { unitId: m.unitId, parentId: m.parentId });
      await rewritePaths(trx, m.fromPath, m.toPath, change.at);
    }
    for (const g of change.merges) {
      await recordOnInstances(trx, change, 'unit.merged', { unitId: g.fromId }, { unitId: g.fromId, intoId: g.intoId });
      await trx('instances').where({ org_unit_id: g.fromId }).update({ org_unit_id: g.intoId, unit_path: g.intoPath, updated_at: change.at });
      await trx('tasks').where({ owner_unit_id: g.fromId }).update({ owner_unit_id: g.intoId, owner_unit_path: g.intoPath });
      await trx('escalations').where({ unit_path: g.fromPath }).update({ unit_path: g.intoPath });
      await trx('inbox').where({ unit_id: g.fromId }).update({ unit_id: g.intoId });
      await trx('users').where({ unit_id: g.fromId }).update({ unit_id: g.intoId });
      // A grant on the merged unit passes to the survivor, unless the person already holds that role there.
      await trx.raw(
        `insert into grants (user_id, role, unit_id)
         select g.user_id, g.role, ? from grants g where g.unit_id = ?
         and not exists (select 1 from grants h where h.user_id = g.user_id and h.role = g.role and h.unit_id = ?)`,
        [g.intoId, g.fromId, g.intoId],
      );
      await trx('grants').where({ unit_id: g.fromId }).delete();
    }
    for (const c of change.closes) {
      await under(trx('org_units'), 'path', c.path).whereNull('closed_at').update({ closed_at: change.at, updated_at: change.at });
      if (c.mergedInto) await trx('org_units').where({ id: c.unitId }).update({ merged_into: c.mergedInto });
      // Nobody works for a unit that is no more; the audit entry lists whose grants ended.
      await trx('grants')
        .whereIn('unit_id', under(trx('org_units'), 'path', c.path).select('id'))
        .delete();
    }
    await appendAudit(trx, change.audit);
  });
}

/** Every path under `from` (the unit itself included) now under `to`: units, instances, tasks, escalations. */
async function rewritePaths(trx: Db, from: string, to: string, at: number): Promise<void> {
  const depthShift = depthOf(to) - depthOf(from);
  const swap = (column: string) => trx.raw(`? || substr(??, ?)`, [to, column, from.length + 1]);
  await under(trx('org_units'), 'path', from).update({ path: swap('path'), depth: trx.raw('depth + ?', [depthShift]), updated_at: at });
  await under(trx('instances'), 'unit_path', from).update({ unit_path: swap('unit_path') });
  await under(trx('tasks'), 'owner_unit_path', from).update({ owner_unit_path: swap('owner_unit_path') });
  await under(trx('escalations'), 'unit_path', from).update({ unit_path: swap('unit_path') });
}

/**
 * One history entry per instance touched (its stages unchanged), its rev bumped: the timeline says
 * the unit moved or merged, with the reason; a command in flight over the old rev is recomputed.
 */
async function recordOnInstances(
  trx: Db,
  change: OrgChange,
  eventType: 'unit.moved' | 'unit.merged',
  which: { unitPath: string } | { unitId: string },
  payload: Record<string, unknown>,
): Promise<void> {
  const select = (q: Knex.QueryBuilder) => ('unitPath' in which ? under(q, 'unit_path', which.unitPath) : q.where('org_unit_id', which.unitId));
  const body = JSON.stringify({ ...payload, reason: change.reason });
  await trx
    .into(trx.raw('history (instance_id, rev, at, actor, event_type, payload, from_stages, to_stages)'))
    .insert(
      select(
        trx('instances').select(
          'id',
          trx.raw('rev + 1'),
          trx.raw('?', [change.at]),
          trx.raw('?', [change.actor]),
          trx.raw('?', [eventType]),
          trx.raw('?', [body]),
          'stages',
          'stages',
        ),
      ),
    );
  await select(trx('instances')).update({ rev: trx.raw('rev + 1'), updated_at: change.at });
}

const depthOf = (path: string) => path.split('/').length - 3;
