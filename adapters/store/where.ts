// Scoped WHERE clauses shared by the store and its read models: a subtree is a range of
// materialised paths (an index serves it), an empty scope matches nothing, and an instance filter
// is one place.
import type { Knex } from 'knex';
import type { InstanceFilter } from '../../engine/ports.ts';

/** Rows whose path column starts with `path` (which ends with "/"): a range, so an index serves it. */
export function under<Q extends Knex.QueryBuilder>(q: Q, column: string, subtree: string): Q {
  const path = subtree.endsWith('/') ? subtree : subtree + '/';
  const end = path.slice(0, -1) + '0'; // "/" + 1: just past every path that extends this one
  // PostgreSQL: compare in the C collation (code points), as migration 003 indexes it.
  const col = q.client.config.client === 'pg' ? `?? collate "C"` : '??';
  return q.whereRaw(`${col} >= ? and ${col} < ?`, [column, path, column, end]) as Q;
}

/** Rows under any of the paths; no paths, no rows (an empty scope sees nothing, never everything). */
export function underAny<Q extends Knex.QueryBuilder>(q: Q, column: string, paths: readonly string[]): Q {
  if (!paths.length) return q.whereRaw('1 = 0') as Q;
  return q.where((w) => paths.forEach((p) => w.orWhere((o) => under(o, column, p)))) as Q;
}

export function escalationQuery(db: Knex, underPaths: string[], options: { acknowledged?: boolean }): Knex.QueryBuilder {
  const q = underAny(db('escalations'), 'unit_path', underPaths);
  if (options.acknowledged === true) q.whereNotNull('acknowledged_at');
  if (options.acknowledged === false) q.whereNull('acknowledged_at');
  return q;
}

export function likeEscape(text: string): string {
  return text.replace(/[\\%_]/g, (c) => '\\' + c);
}

export function applyFilter(q: Knex.QueryBuilder, f: InstanceFilter): Knex.QueryBuilder {
  if (f.definitionId) q.where('definition_id', f.definitionId);
  if (f.definitionVersion !== undefined) q.where('definition_version', f.definitionVersion);
  if (f.underPath) under(q, 'unit_path', f.underPath);
  if (f.underPaths) underAny(q, 'unit_path', f.underPaths);
  if (f.orgUnitId) q.where('org_unit_id', f.orgUnitId);
  if (f.dueBefore !== undefined) q.where('status', 'running').where('due_at', '<', f.dueBefore);
  if (f.campaignId) q.where('campaign_id', f.campaignId);
  if (f.statuses?.length) q.whereIn('status', f.statuses);
  if (f.ids?.length) q.whereIn('id', f.ids);
  if (f.stages?.length) {
    const stages = f.stages;
    q.where((w) => stages.forEach((s) => w.orWhereRaw(`stages like ? escape '\\'`, [`%${likeEscape(JSON.stringify(s))}%`])));
  }
  return q;
}
