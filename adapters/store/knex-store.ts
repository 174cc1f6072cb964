// The Store port on knex: the same code on SQLite and PostgreSQL. A change is one transaction whose
// instance update only matches the rev it was computed over; a unique-key collision (a racing
// start, a reused idempotency key) rolls it back as REV_CONFLICT, for the engine to retry.
import type { Knex } from 'knex';
import { EngineError } from '../../engine/errors.ts';
import { Batcher } from '../../engine/service/batcher.ts';
import type { CommitOutcome, Store, UnitsUnderOptions } from '../../engine/ports.ts';
import type {
  Campaign,
  Change,
  Instance,
  LoadedInstance,
  OrgChange,
  OrgUnit,
  OutboxMessage,
  PublishedDefinition,
  Timer,
  TimerStatus,
  UnitScope,
} from '../../engine/domain.ts';
import { commitChanges, isUniqueViolation, type OutboxStep } from './commit.ts';
import { RecentInstances } from './recent.ts';
import { applyReshape } from './reshape.ts';
import { under } from './where.ts';
import { campaignRow, definitionRow, toCampaign, toDefinition, toInstance, toOutbox, toTask, toTimer, toUnit, unitRow } from './rows.ts';

const TASK_COLUMNS = [
  'id',
  'instance_id',
  'stage',
  'stage_seq',
  'task',
  'owner_role',
  'owner_unit_id',
  'owner_unit_path',
  'status',
  'data',
  'completed_by',
  'completed_at',
  'opened_at',
  'due_at',
];
const TIMER_COLUMNS = ['id', 'instance_id', 'stage', 'stage_seq', 'arm', 'kind', 'step', 'fire_at', 'status', 'fired_at'];

/** A correlated subquery giving an instance's rows of a table as a JSON array text. */
function rowsOf(db: Knex, table: string, columns: string[], where: string): string {
  if (db.client.config.client === 'pg') return `select coalesce(json_agg(x), '[]')::text from ${table} x where x.instance_id = i.id and x.${where}`;
  return `select json_group_array(json_object(${columns.map((c) => `'${c}', x.${c}`).join(', ')})) from ${table} x where x.instance_id = i.id and x.${where}`;
}

/** Rows per multi-row INSERT: well under SQLite's limits on compound selects and variables. */
const CHUNK = 100;
/** Outbox ids marked relayed per UPDATE: one value each, far under either database's limit. */
const RELAYED_PER_STATEMENT = 1_000;

export interface KnexStoreOptions {
  /** Delivers a change's outbox messages inside its transaction: the embedded queue's, when its
   * job table is in this database (the runtime wires it). Without it every message waits in the
   * outbox for the relay. */
  outboxStep?: OutboxStep;
  /** SQLite: how many instances' committed state are kept for the next load (recent.ts). Default
   * 2,000; 0 reads every load from the database. PostgreSQL always reads: other processes write. */
  recentInstances?: number;
}

/** Units added at once past which PostgreSQL's statistics of the tree are refreshed. */
const ANALYZE_AFTER_UNITS = 1_000;

export class KnexStore implements Store {
  /** SQLite only: what this store, the one writer, committed a moment ago (recent.ts). */
  private readonly recent: RecentInstances | undefined;

  constructor(
    readonly db: Knex,
    private readonly options: KnexStoreOptions = {},
  ) {
    const keep = options.recentInstances ?? 2_000;
    this.recent = db.client.config.client === 'sqlite3' && keep > 0 ? new RecentInstances(keep) : undefined;
  }

  /** Drops what is kept of recent commits: the next loads read the database (a test that writes
   * rows behind the store's back, as only another version of the code could). */
  forgetRecent(): void {
    this.recent?.clear();
  }

  async putUnits(units: OrgUnit[]): Promise<void> {
    // Parents first, whatever order they came in, so the foreign key holds inside the batch.
    const sorted = [...units].sort((a, b) => a.depth - b.depth);
    await this.db.transaction(async (trx) => {
      for (const rows of chunks(sorted.map(unitRow))) await trx('org_units').insert(rows).onConflict('id').merge();
    });
    // PostgreSQL plans a campaign's pages of units by the table's statistics: right after a province's
    // units arrive, before autovacuum has looked, a page's lookup walked the whole subtree (81 ms a
    // page against 24 ms, bench/workloads/campaign.ts). SQLite plans by its indexes alone.
    if (units.length >= ANALYZE_AFTER_UNITS && this.db.client.config.client === 'pg') await this.db.raw('analyze org_units');
  }

  async allUnits(): Promise<Map<string, OrgUnit>> {
    const all = new Map<string, OrgUnit>();
    for (let afterId = ''; ;) {
      const page = (await this.db('org_units').where('id', '>', afterId).orderBy('id').limit(5_000)).map(toUnit);
      for (const u of page) all.set(u.id, u);
      if (page.length < 5_000) return all;
      afterId = page[page.length - 1]!.id;
    }
  }

  async reshape(change: OrgChange): Promise<void> {
    // Instances kept from recent commits carry the old paths and revs: they are read again.
    this.forgetRecent();
    try {
      await applyReshape(this.db, change);
    } finally {
      this.forgetRecent();
    }
    if (change.put.length >= ANALYZE_AFTER_UNITS && this.db.client.config.client === 'pg') await this.db.raw('analyze org_units');
  }

  async getUnit(id: string): Promise<OrgUnit | undefined> {
    const row = await this.db('org_units').where({ id }).first();
    return row ? toUnit(row) : undefined;
  }

  /** Small reads asked while one is out share the next (a page's names of units, a write's
   * idempotency check): on the deadline day 64 requests in the server each made them, one hop to
   * SQLite's thread apiece (bench/workloads/rush.ts). Each read starts after the one before it
   * answered, so it sees every commit made before it was asked. */
  private readonly unitReads = new Batcher<string[], OrgUnit[]>(async (asked) => {
    // Each asker gets its units in the order the database gave them, as a read of its own would.
    const found = new Map((await this.readUnits([...new Set(asked.flat())])).map((u, at) => [u.id, { u, at }]));
    return asked.map((ids) =>
      [...new Set(ids)]
        .flatMap((id) => found.get(id) ?? [])
        .sort((a, b) => a.at - b.at)
        .map((f) => f.u),
    );
  });
  private readonly idempotentReads = new Batcher<{ scope: string; key: string }, { requestHash: string; response: unknown } | undefined>(async (asked) => {
    const rows: Record<string, any>[] = await this.db('idempotency_keys')
      .whereIn('scope', [...new Set(asked.map((a) => a.scope))])
      .whereIn('key', [...new Set(asked.map((a) => a.key))]);
    const byKey = new Map(rows.map((r) => [`${r.scope}\u0000${r.key}`, r]));
    return asked.map((a) => {
      const row = byKey.get(`${a.scope}\u0000${a.key}`);
      return row ? { requestHash: row.request_hash, response: JSON.parse(row.response) } : undefined;
    });
  });

  async getUnits(ids: string[]): Promise<OrgUnit[]> {
    // Many ids (a sample's 20,000 codes) go alone; a few join the reads asked with them.
    if (ids.length > 200) return this.readUnits(ids);
    return ids.length ? this.unitReads.submit(ids) : [];
  }

  private async readUnits(ids: string[]): Promise<OrgUnit[]> {
    // A thousand ids a statement: a sample's 20,000 codes stay under SQLite's 32,766 values.
    const out: OrgUnit[] = [];
    for (let at = 0; at < ids.length; at += 1000) out.push(...(await this.db('org_units').whereIn('id', ids.slice(at, at + 1000))).map(toUnit));
    return out;
  }

  async unitsUnder(path: string, options: UnitsUnderOptions): Promise<OrgUnit[]> {
    // A closed unit takes no new work: campaigns pass it by.
    const q = this.withInstances(this.inScope(path, options), options).orderBy('id').limit(options.limit);
    if (options.afterId) q.where('id', '>', options.afterId);
    return (await q).map(toUnit);
  }

  async countUnitsUnder(
    path: string,
    kinds: string[],
    more: Omit<UnitScope, 'kinds'> & Pick<UnitsUnderOptions, 'missingFor' | 'notRunning' | 'running'> = {},
  ): Promise<number> {
    const q = this.withInstances(this.inScope(path, { ...more, kinds }), more).count({ n: '*' });
    return Number((await q)[0]!.n);
  }

  /** Units by the instances they have: none of a campaign's, running (or not) one of a process.
   * Each is a correlated sub-query on instances(org_unit_id, …): one statement however many units. */
  private withInstances(q: Knex.QueryBuilder, options: Pick<UnitsUnderOptions, 'missingFor' | 'notRunning' | 'running'>): Knex.QueryBuilder {
    const ofUnit = (sub: Knex.QueryBuilder) => sub.select(this.db.raw('1')).from('instances').whereRaw('instances.org_unit_id = org_units.id');
    const running = (definitionId: string) => (sub: Knex.QueryBuilder) =>
      ofUnit(sub).andWhere('instances.definition_id', definitionId).whereIn('instances.status', ['running', 'needs_migration']);
    if (options.missingFor) {
      const campaign = options.missingFor;
      q.whereNotExists((sub) => ofUnit(sub).andWhere('instances.campaign_id', campaign));
    }
    if (options.notRunning) q.whereNotExists(running(options.notRunning));
    if (options.running) q.whereExists(running(options.running));
    return q;
  }

  /** Open units under a path that a campaign's scope reaches: of its kinds (and levels), or named. */
  private inScope(path: string, scope: Partial<UnitScope>): Knex.QueryBuilder {
    const q = under(this.db('org_units'), 'path', path).whereNull('closed_at');
    if (scope.depth) {
      // Below the root only: its direct children, or the whole subtree.
      const rootDepth = path.split('/').filter(Boolean).length - 1;
      if (scope.depth === 'children') q.where('depth', rootDepth + 1);
      else q.where('depth', '>', rootDepth);
    }
    const kinds = scope.kinds ?? [];
    const levels = scope.levels ?? [];
    const ids = scope.unitIds ?? [];
    const chosen = (w: Knex.QueryBuilder) => {
      if (kinds.length) w.whereIn('kind', kinds);
      // levels is a JSON list of strings: a level is in it when its quoted form is.
      if (levels.length) w.where((l) => levels.forEach((level) => l.orWhere('levels', 'like', `%${JSON.stringify(level)}%`)));
    };
    if (!ids.length) chosen(q);
    else if (!kinds.length && !levels.length) q.whereIn('id', ids);
    else q.where((w) => w.where(chosen).orWhereIn('id', ids));
    return q;
  }

  async putDefinition(def: PublishedDefinition, compiledConfig: unknown): Promise<void> {
    try {
      await this.db('definitions').insert(definitionRow(def, JSON.stringify(compiledConfig)));
    } catch (e) {
      if (isUniqueViolation(e))
        throw new EngineError('DEFINITION_EXISTS', `${def.id} version ${def.version} is already published`, { id: def.id, version: def.version });
      throw e;
    }
  }

  async getDefinition(id: string, version?: number): Promise<PublishedDefinition | undefined> {
    const q = this.db('definitions').where({ id });
    const row = version === undefined ? await q.orderBy('version', 'desc').first() : await q.andWhere({ version }).first();
    return row ? toDefinition(row) : undefined;
  }

  async listDefinitions(): Promise<Omit<PublishedDefinition, 'source'>[]> {
    const rows = await this.db('definitions')
      .select('id', 'version', 'hash', 'title', 'published_by', 'published_at', 'owner_unit_id')
      .orderBy(['id', 'version']);
    return rows.map((r) => {
      const { source: _s, ...rest } = toDefinition({ ...r, source: '' });
      return rest;
    });
  }

  async loadInstance(id: string): Promise<LoadedInstance | undefined> {
    return (await this.loadInstances([id]))[0];
  }

  async loadInstances(ids: string[]): Promise<(LoadedInstance | undefined)[]> {
    // What this store committed a moment ago needs no reading back (SQLite: recent.ts).
    const held = ids.map((id) => this.recent?.get(id));
    const missing = [...new Set(ids.filter((_, k) => !held[k]))];
    if (!missing.length) return held;
    // One round trip: each instance row carries its task and pending timer rows as JSON arrays
    // (a command's load was three queries of the eight it cost).
    const rows = await this.db('instances as i')
      .whereIn('i.id', missing)
      .select(
        'i.*',
        this.db.raw(`(${rowsOf(this.db, 'tasks', TASK_COLUMNS, "status in ('open', 'done', 'skipped')")}) as tasks_json`),
        this.db.raw(`(${rowsOf(this.db, 'timers', TIMER_COLUMNS, "status = 'pending'")}) as timers_json`),
      );
    const byId = new Map<string, LoadedInstance>();
    for (const row of rows) {
      const instance = toInstance(row);
      const tasks = (JSON.parse(row.tasks_json ?? '[]') as Record<string, unknown>[]).map(toTask);
      const pendingTimers = (JSON.parse(row.timers_json ?? '[]') as Record<string, unknown>[]).map(toTimer);
      if (this.recent) {
        byId.set(instance.id, this.recent.loaded(instance, tasks, pendingTimers));
        continue;
      }
      byId.set(instance.id, {
        instance,
        tasks: tasks
          .filter((t) => instance.state.entries[t.stage]?.seq === t.stageSeq || t.status === 'open')
          .sort((a, b) => a.openedAt - b.openedAt || a.id.localeCompare(b.id)),
        pendingTimers,
      });
    }
    return ids.map((id, k) => held[k] ?? byId.get(id));
  }

  async findInstance(definitionId: string, orgUnitId: string, campaignId?: string): Promise<Instance | undefined> {
    const q = this.db('instances').where({ definition_id: definitionId, org_unit_id: orgUnitId });
    if (campaignId) q.andWhere({ campaign_id: campaignId });
    else q.whereNull('campaign_id');
    const row = await q.orderBy('created_at', 'desc').first();
    return row ? toInstance(row) : undefined;
  }

  async commit(changes: Change[]): Promise<CommitOutcome[]> {
    if (!this.recent) return commitChanges(this.db, changes, this.options.outboxStep);
    let outcomes: CommitOutcome[];
    try {
      outcomes = await commitChanges(this.db, changes, this.options.outboxStep);
    } catch (e) {
      // Committed or not, unknown: the next loads read the database.
      this.recent.forget(changes.map((c) => c.instance.id));
      throw e;
    }
    this.recent.committed(changes, outcomes);
    return outcomes;
  }

  async getTimer(id: string): Promise<Timer | undefined> {
    const row = await this.db('timers').where({ id }).first();
    return row ? toTimer(row) : undefined;
  }

  async getTimers(ids: string[]): Promise<(Timer | undefined)[]> {
    const byId = new Map((await this.db('timers').whereIn('id', [...new Set(ids)])).map((r) => [r.id as string, toTimer(r)]));
    return ids.map((id) => byId.get(id));
  }

  async setTimerStatus(id: string, status: TimerStatus, at: number): Promise<void> {
    const q = this.db('timers').where({ id, status: 'pending' });
    if (!this.recent) {
      await q.update({ status, fired_at: at });
      return;
    }
    // A timer no longer pending is no longer in its instance's load.
    const rows = (await q.update({ status, fired_at: at }, ['instance_id'])) as { instance_id: string }[];
    this.recent.forget(rows.map((r) => r.instance_id));
  }

  async pendingTimers(page: { afterId?: string; limit: number }): Promise<Timer[]> {
    const q = this.db('timers').where({ status: 'pending' }).orderBy('id').limit(page.limit);
    if (page.afterId) q.where('id', '>', page.afterId);
    return (await q).map(toTimer);
  }

  async unrelayed(limit: number): Promise<OutboxMessage[]> {
    return (await this.db('outbox').whereNull('relayed_at').orderBy('id').limit(limit)).map(toOutbox);
  }

  async markRelayed(ids: number[], at: number): Promise<void> {
    // One statement for a relay's page (500): each statement outside a transaction is a commit of
    // its own, and a deadline burst relays thousands of notices (issue 17).
    for (let k = 0; k < ids.length; k += RELAYED_PER_STATEMENT)
      await this.db('outbox')
        .whereIn('id', ids.slice(k, k + RELAYED_PER_STATEMENT))
        .update({ relayed_at: at });
  }

  getIdempotent(scope: string, key: string): Promise<{ requestHash: string; response: unknown } | undefined> {
    return this.idempotentReads.submit({ scope, key });
  }

  async putCampaign(campaign: Campaign): Promise<void> {
    await this.db('campaigns').insert(campaignRow(campaign));
  }

  async openFanOuts(): Promise<string[]> {
    const rows = await this.db('campaigns')
      .join('instances', 'instances.id', 'campaigns.parent_instance_id')
      .where('instances.status', 'running')
      .select('campaigns.id')
      .orderBy('campaigns.created_at');
    return rows.map((r: { id: string }) => r.id);
  }

  async getCampaign(id: string): Promise<Campaign | undefined> {
    const row = await this.db('campaigns').where({ id }).first();
    return row ? toCampaign(row) : undefined;
  }

  async updateCampaign(id: string, fields: Partial<Pick<Campaign, 'status' | 'total' | 'started'>>): Promise<void> {
    await this.db('campaigns').where({ id }).update(fields);
  }

  async acknowledgeEscalation(id: string, by: string, at: number): Promise<boolean> {
    return (await this.db('escalations').where({ id }).whereNull('acknowledged_at').update({ acknowledged_by: by, acknowledged_at: at })) === 1;
  }

  async markRead(unitIds: string[], ids: number[] | 'all', at: number): Promise<void> {
    if (!unitIds.length || (ids !== 'all' && !ids.length)) return;
    const q = this.db('inbox').whereIn('unit_id', unitIds).whereNull('read_at');
    if (ids !== 'all') q.whereIn('id', ids);
    await q.update({ read_at: at });
  }

  async putIdempotent(scope: string, key: string, requestHash: string, response: unknown, at: number): Promise<boolean> {
    try {
      await this.db('idempotency_keys').insert({ scope, key, request_hash: requestHash, response: JSON.stringify(response), created_at: at });
      return true;
    } catch (e) {
      if (isUniqueViolation(e)) return false;
      throw e;
    }
  }

  async close(): Promise<void> {
    await this.db.destroy();
  }
}

function chunks<T>(items: T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += CHUNK) out.push(items.slice(i, i + CHUNK));
  return out;
}
