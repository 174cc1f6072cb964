// The read models on knex: what people look at — listings, timelines, the overdue board, inboxes —
// each scoped by materialised paths in its WHERE clause. Nothing here writes, and no command
// decides a change from it (commands load through the Store).
import type { Knex } from 'knex';
import type { ChildAnswer, DueCounts, Footprint, InstanceFilter, Queries } from '../../engine/ports.ts';
import type { Campaign, Escalation, HistoryEntry, InboxItem, Instance, OrgUnit, Task } from '../../engine/domain.ts';
import { DUE_BY_STAGE, DUE_BY_UNIT } from './due-counts.ts';
import { toCampaign, toEscalation, toHistory, toInbox, toInstance, toTask, toUnit } from './rows.ts';
import { applyFilter, escalationQuery, under, underAny } from './where.ts';

export class KnexQueries implements Queries {
  constructor(readonly db: Knex) {}

  async childUnits(parentId: string): Promise<(OrgUnit & { childCount: number })[]> {
    const rows = await this.db('org_units as u')
      .where('u.parent_id', parentId)
      .whereNull('u.closed_at')
      .select('u.*', this.db('org_units as c').count('*').whereRaw('c.parent_id = u.id').whereNull('c.closed_at').as('child_count'))
      .orderBy(['u.name', 'u.id']);
    return rows.map((r: Record<string, unknown>) => ({ ...toUnit(r), childCount: Number(r.child_count) }));
  }

  async footprint(paths: string[]): Promise<Footprint> {
    if (!paths.length) return { units: 0, runningInstances: 0, openTasks: 0, pendingEscalations: 0, grants: 0, sampleInstanceIds: [] };
    const n = async (q: Knex.QueryBuilder) => Number((await q.count({ n: '*' }))[0]!.n);
    const running = () => underAny(this.db('instances'), 'unit_path', paths).whereIn('status', ['running', 'needs_migration']);
    const [units, runningInstances, openTasks, pendingEscalations, grants, sample] = await Promise.all([
      n(underAny(this.db('org_units'), 'path', paths).whereNull('closed_at')),
      n(running()),
      n(underAny(this.db('tasks'), 'owner_unit_path', paths).where('status', 'open')),
      n(underAny(this.db('escalations'), 'unit_path', paths).whereNull('acknowledged_at')),
      n(this.db('grants').whereIn('unit_id', underAny(this.db('org_units'), 'path', paths).select('id'))),
      running().select('id').orderBy('id').limit(50),
    ]);
    return { units, runningInstances, openTasks, pendingEscalations, grants, sampleInstanceIds: sample.map((r: Record<string, unknown>) => String(r.id)) };
  }

  async mergeConflicts(fromId: string, intoId: string): Promise<{ definitionId: string; campaignId?: string; instanceIds: string[] }[]> {
    const rows = await this.db('instances as a')
      .join('instances as b', 'a.definition_id', 'b.definition_id')
      .where('a.org_unit_id', fromId)
      .where('b.org_unit_id', intoId)
      .where((w) =>
        w
          .whereRaw('a.campaign_id = b.campaign_id')
          .orWhere((o) =>
            o
              .whereNull('a.campaign_id')
              .whereNull('b.campaign_id')
              .whereIn('a.status', ['running', 'needs_migration'])
              .whereIn('b.status', ['running', 'needs_migration']),
          ),
      )
      .select('a.definition_id', 'a.campaign_id', 'a.id as a_id', 'b.id as b_id')
      .orderBy('a.id');
    return rows.map((r: Record<string, unknown>) => ({
      definitionId: String(r.definition_id),
      ...(r.campaign_id ? { campaignId: String(r.campaign_id) } : {}),
      instanceIds: [String(r.a_id), String(r.b_id)],
    }));
  }

  async listInstances(filter: InstanceFilter, page: { afterId?: string; limit: number }): Promise<Instance[]> {
    const q = applyFilter(this.db('instances'), filter).orderBy('id').limit(page.limit);
    if (page.afterId) q.where('id', '>', page.afterId);
    return (await q).map(toInstance);
  }

  async countInstances(filter: InstanceFilter): Promise<number> {
    return Number((await applyFilter(this.db('instances'), filter).count({ n: '*' }))[0]!.n);
  }

  async stageCounts(filter: InstanceFilter): Promise<{ definitionId: string; stages: string[]; status: Instance['status']; count: number }[]> {
    const rows = await applyFilter(this.db('instances'), filter)
      .select('definition_id', 'stages', 'status')
      .count({ n: '*' })
      .groupBy('definition_id', 'stages', 'status');
    return rows.map((r: Record<string, any>) => ({ definitionId: r.definition_id, stages: JSON.parse(r.stages), status: r.status, count: Number(r.n) }));
  }

  async listCampaigns(underPaths: string[], limit: number): Promise<Campaign[]> {
    const q = underAny(this.db('campaigns').join('org_units', 'org_units.id', 'campaigns.root_unit_id'), 'org_units.path', underPaths);
    return (
      await q
        .select('campaigns.*')
        .orderBy([{ column: 'campaigns.created_at', order: 'desc' }, { column: 'campaigns.id' }])
        .limit(limit)
    ).map(toCampaign);
  }

  async history(instanceId: string): Promise<HistoryEntry[]> {
    return (await this.db('history').where({ instance_id: instanceId }).orderBy('rev')).map(toHistory);
  }

  async tasksOf(instanceId: string): Promise<Task[]> {
    return (await this.db('tasks').where({ instance_id: instanceId }).orderBy(['opened_at', 'id'])).map(toTask);
  }

  async childAnswers(campaignId: string, tasks: string[]): Promise<ChildAnswer[]> {
    if (!tasks.length) return [];
    const q = this.db('tasks')
      .join('instances', 'instances.id', 'tasks.instance_id')
      .where('instances.campaign_id', campaignId)
      // A cancelled child's answers no longer stand.
      .whereNot('instances.status', 'cancelled')
      .whereIn('tasks.task', tasks)
      .where('tasks.status', 'done');
    const rows = await answerRows(this.db, q);
    // A returned report is answered again in a new stage entry: the latest entry's answer counts.
    const latest = new Map<string, ChildAnswer>();
    const seqs = new Map<string, number>();
    for (const [unitId, instanceId, task, answer, completedAt, stageSeq] of rows) {
      const seq = Number(stageSeq);
      const key = `${instanceId}\u0000${task}`;
      const seen = seqs.get(key);
      if (seen !== undefined && seen > seq) continue;
      seqs.set(key, seq);
      latest.set(key, { unitId, instanceId, task, data: answer ?? {}, completedAt: Number(completedAt ?? 0) });
    }
    return [...latest.values()];
  }

  async escalationsOf(instanceId: string): Promise<Escalation[]> {
    return (await this.db('escalations').where({ instance_id: instanceId }).orderBy(['fired_at', 'id'])).map(toEscalation);
  }

  async escalations(underPaths: string[], options: { unitPath?: string; ids?: string[]; acknowledged?: boolean; limit: number }): Promise<Escalation[]> {
    const q = escalationQuery(this.db, underPaths, options)
      .orderBy([{ column: 'fired_at', order: 'desc' }, { column: 'id' }])
      .limit(options.limit);
    if (options.unitPath) under(q, 'unit_path', options.unitPath);
    if (options.ids) q.whereIn('id', options.ids);
    return (await q).map(toEscalation);
  }

  async countEscalations(underPaths: string[], options: { acknowledged?: boolean }): Promise<number> {
    return Number((await escalationQuery(this.db, underPaths, options).count({ n: '*' }))[0]!.n);
  }

  async getTask(id: string, underPaths?: string[]): Promise<Task | undefined> {
    const q = this.db('tasks').where({ id });
    if (underPaths) underAny(q, 'owner_unit_path', underPaths);
    const row = await q.first();
    return row ? toTask(row) : undefined;
  }

  async openTasks(unitPaths: string[], options: { subtree: boolean; limit: number }): Promise<Task[]> {
    if (!unitPaths.length) return [];
    const q = this.db('tasks').where({ status: 'open' });
    if (options.subtree) underAny(q, 'owner_unit_path', unitPaths);
    else q.whereIn('owner_unit_path', unitPaths);
    return (await q.orderByRaw('case when due_at is null then 1 else 0 end, due_at, id').limit(options.limit)).map(toTask);
  }

  async dueCounts(unitId: string, until: number, bounds: readonly number[]): Promise<DueCounts> {
    // Summed here, in the database: a Sở's rows are thousands (a unit and a due moment each), its
    // board a few dozen lines. Both summaries in one statement: one round trip.
    const sums: string[] = bounds.map((_, k) => (k === 0 ? 'due_at >= ?' : 'due_at < ? and due_at >= ?'));
    sums.push('due_at < ?');
    const sumBindings = bounds.flatMap((b, k) => (k === 0 ? [b] : [bounds[k - 1]!, b]));
    sumBindings.push(bounds.at(-1)!);
    const columns = sums.map((w, k) => `sum(case when ${w} then n else 0 end) as c${k}`).join(', ');
    const read = (table: string, a: string, b: string) =>
      `select ${a} as a, ${b} as b, ${columns} from ${table} where ancestor_id = ? and due_at < ? group by ${a}${b === 'null' ? '' : `, ${b}`}`;
    const sql = `${read(DUE_BY_UNIT, 'child_id', 'null')} union all ${read(DUE_BY_STAGE, 'definition_id', 'stages')}`;
    const result = await this.db.raw(sql, [...sumBindings, unitId, until, ...sumBindings, unitId, until] as Knex.RawBinding[]);
    const rows = (this.db.client.config.client === 'pg' ? result.rows : result) as Record<string, any>[];
    const countsOf = (r: Record<string, any>) => sums.map((_, k) => Number(r[`c${k}`]));
    const out: DueCounts = { byUnit: [], byStage: [] };
    for (const r of rows) {
      if (r.b === null) out.byUnit.push({ unitId: r.a, counts: countsOf(r) });
      else out.byStage.push({ definitionId: r.a, stages: JSON.parse(r.b), counts: countsOf(r) });
    }
    return out;
  }

  async inbox(unitIds: string[], options: { unreadOnly: boolean; limit: number }): Promise<InboxItem[]> {
    if (!unitIds.length) return [];
    const q = this.db('inbox').whereIn('unit_id', unitIds).orderBy('id', 'desc').limit(options.limit);
    if (options.unreadOnly) q.whereNull('read_at');
    return (await q).map(toInbox);
  }

  async countUnread(unitIds: string[]): Promise<number> {
    if (!unitIds.length) return 0;
    return Number((await this.db('inbox').whereIn('unit_id', unitIds).whereNull('read_at').count({ n: '*' }))[0]!.n);
  }
}

type AnswerRow = [
  unitId: string,
  instanceId: string,
  task: string,
  data: Record<string, unknown> | null,
  completedAt: number | string | null,
  stageSeq: number | string,
];

/**
 * A fan-out's answers as [unit, instance, task, data, completed at, stage entry]. On SQLite as one
 * JSON text, each answer's data in it as JSON: a ministry's 50,000 rows, one object each through
 * node-sqlite3 and each data parsed apart, cost about twice the one parse (bench/workloads/fan-out.ts,
 * rollup_read_50k_ms). PostgreSQL's driver reads rows faster than the server builds that text
 * (json_agg was slower there, measured): row by row.
 */
async function answerRows(db: Knex, q: Knex.QueryBuilder): Promise<AnswerRow[]> {
  if (db.client.config.client === 'pg') {
    const rows = await q.select('instances.org_unit_id', 'tasks.instance_id', 'tasks.task', 'tasks.data', 'tasks.completed_at', 'tasks.stage_seq');
    return (rows as Record<string, any>[]).map((r) => [r.org_unit_id, r.instance_id, r.task, r.data ? JSON.parse(r.data) : null, r.completed_at, r.stage_seq]);
  }
  const columns = `instances.org_unit_id, tasks.instance_id, tasks.task, json(nullif(tasks.data, '')), tasks.completed_at, tasks.stage_seq`;
  const [row] = await q.select(db.raw(`json_group_array(json_array(${columns})) as answers`));
  return JSON.parse((row as { answers: string }).answers) as AnswerRow[];
}
