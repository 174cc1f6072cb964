// The AuditLog port on knex: one row per administrative act, scoped by the path of its unit, read
// newest first. JSON details as text, like every other table.
import type { Knex } from 'knex';
import type { AuditEntry } from '../../engine/domain.ts';
import type { AuditLog } from '../../engine/ports.ts';
import { chunks } from '../queue/index.ts';
import { underAny } from './where.ts';

type Row = Record<string, any>;

export const auditRow = (e: AuditEntry): Row => ({
  at: e.at,
  actor_id: e.actorId,
  actor_login: e.actorLogin,
  actor_name: e.actorName,
  unit_id: e.unitId ?? null,
  unit_path: e.unitPath,
  action: e.action,
  target: e.target.slice(0, 200),
  reason: e.reason ?? null,
  details: e.details ? JSON.stringify(e.details) : null,
});

const toEntry = (r: Row): AuditEntry => ({
  id: Number(r.id),
  at: Number(r.at),
  actorId: r.actor_id,
  actorLogin: r.actor_login,
  actorName: r.actor_name,
  ...(r.unit_id ? { unitId: r.unit_id } : {}),
  unitPath: r.unit_path,
  action: r.action,
  target: r.target,
  ...(r.reason ? { reason: r.reason } : {}),
  ...(r.details ? { details: JSON.parse(r.details) } : {}),
});

/** Appends entries inside a transaction a write already holds (so the record commits with the act). */
export async function appendAudit(trx: Knex | Knex.Transaction, entries: readonly AuditEntry[]): Promise<void> {
  for (const rows of chunks(entries.map(auditRow), 50)) await trx('audit').insert(rows);
}

export class KnexAudit implements AuditLog {
  constructor(private readonly db: Knex) {}

  async record(entries: AuditEntry[]): Promise<void> {
    if (entries.length) await appendAudit(this.db, entries);
  }

  async list(underPaths: string[], q: Parameters<AuditLog['list']>[1]): Promise<AuditEntry[]> {
    if (!underPaths.length) return [];
    const query = underAny(this.db('audit'), 'unit_path', underPaths).orderBy('id', 'desc').limit(q.limit);
    if (q.action?.length) query.whereIn('action', q.action);
    if (q.from !== undefined) query.where('at', '>=', q.from);
    if (q.to !== undefined) query.where('at', '<', q.to);
    if (q.actorId) query.where('actor_id', q.actorId);
    if (q.target) query.where('target', q.target);
    if (q.beforeId !== undefined) query.where('id', '<', q.beforeId);
    return (await query).map(toEntry);
  }
}
