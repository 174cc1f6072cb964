// The overdue board's summary (issue 17): how many running instances with a deadline lie under each
// unit, counted twice — by the unit one level under it (due_by_unit) and by process and active stages
// (due_by_stage) — at each due moment. A board reads the rows of its root before `until` (a few
// thousand for a Sở, whatever the number of instances) instead of grouping every instance under it:
// at 250,000 instances that GROUP BY took 380–530 ms a request (bench/workloads/board.ts).
//
// Each instance counts once under every unit on its path, the unit itself included. Database
// triggers on `instances` keep the counts in the transaction of every write to an instance —
// the commit (start, advance, finish, cancel, extension, migration), a reshape of the tree
// (unit_path rewritten), a hand-over — so no write path can forget them. SQLite: a row trigger
// that fires only when status, deadline, path, process or stages changed. PostgreSQL: the same row
// triggers for updates and deletes, and a statement trigger over the new rows for inserts, each
// statement's rows netted and applied in key order. A count that drops to zero is deleted, so the
// rows of a root stay those of its open deadlines.
//
// `rebuildDueCounts` counts everything again from `instances`: what migration 016 runs on an
// existing store, and what a bulk loader that bypassed the triggers runs after loading.
import type { Knex } from 'knex';

export const DUE_BY_UNIT = 'due_by_unit';
export const DUE_BY_STAGE = 'due_by_stage';

/** A summary row's key columns (besides ancestor_id and due_at) and where each comes from. */
const SUMMARIES = [
  { table: DUE_BY_UNIT, keys: ['child_id'] },
  { table: DUE_BY_STAGE, keys: ['definition_id', 'stages'] },
] as const;

const isPg = (db: Knex) => db.client.config.client === 'pg';

export async function createDueCountTables(db: Knex): Promise<void> {
  await db.schema.createTable(DUE_BY_UNIT, (t) => {
    t.string('ancestor_id', 64).notNullable();
    t.bigInteger('due_at').notNullable();
    t.string('child_id', 64).notNullable(); // the unit one level under the ancestor on the path; the ancestor for its own
    t.integer('n').notNullable();
    t.primary(['ancestor_id', 'due_at', 'child_id']);
  });
  await db.schema.createTable(DUE_BY_STAGE, (t) => {
    t.string('ancestor_id', 64).notNullable();
    t.bigInteger('due_at').notNullable();
    t.string('definition_id', 64).notNullable();
    t.text('stages').notNullable(); // as instances.stages stores them (JSON)
    t.integer('n').notNullable();
    t.primary(['ancestor_id', 'due_at', 'definition_id', 'stages']);
  });
}

// ---------------------------------------------------------------------------------------------
// SQLite: row triggers. Unit ids are [A-Za-z0-9_-] (engine/service/org.ts), so a path's ids read
// as a JSON array once its slashes become '","'; json_each numbers them (key) in path order.

const sqliteIds = (path: string) => `json_each('["' || replace(trim(${path}, '/'), '/', '","') || '"]')`;
const counted = (r: 'old' | 'new') => `${r}.status = 'running' and ${r}.due_at is not null`;

/** The statements adding `sign` for row `r` (old or new) under each unit of its path. */
function sqliteApply(r: 'old' | 'new', sign: 1 | -1): string[] {
  const upsert = (table: string, columns: string, values: string, from: string, key: string) =>
    `insert into ${table} (ancestor_id, due_at, ${columns}, n) select a.value, ${r}.due_at, ${values}, ${sign} from ${from} where ${counted(r)} ` +
    `on conflict (${key}) do update set n = n + excluded.n;`;
  const out = [
    upsert(
      DUE_BY_UNIT,
      'child_id',
      'coalesce(c.value, a.value)',
      `${sqliteIds(`${r}.unit_path`)} a left join ${sqliteIds(`${r}.unit_path`)} c on c.key = a.key + 1`,
      'ancestor_id, due_at, child_id',
    ),
    upsert(
      DUE_BY_STAGE,
      'definition_id, stages',
      `${r}.definition_id, ${r}.stages`,
      `${sqliteIds(`${r}.unit_path`)} a`,
      'ancestor_id, due_at, definition_id, stages',
    ),
  ];
  if (sign < 0) {
    for (const { table } of SUMMARIES)
      out.push(
        `delete from ${table} where ${counted(r)} and ancestor_id in (select value from ${sqliteIds(`${r}.unit_path`)}) and due_at = ${r}.due_at and n = 0;`,
      );
  }
  return out;
}

const RELEVANT = ['status', 'due_at', 'unit_path', 'definition_id', 'stages'];

const SQLITE_TRIGGERS = {
  due_counts_insert: `create trigger due_counts_insert after insert on instances when ${counted('new')} begin ${sqliteApply('new', 1).join(' ')} end`,
  due_counts_delete: `create trigger due_counts_delete after delete on instances when ${counted('old')} begin ${sqliteApply('old', -1).join(' ')} end`,
  // Increments first: a change that keeps a row's key (a new stage, the same deadline) does not
  // delete the row and write it again.
  due_counts_update:
    `create trigger due_counts_update after update on instances when (${counted('old')} or ${counted('new')}) ` +
    `and (${RELEVANT.map((c) => `old.${c} is not new.${c}`).join(' or ')}) begin ${[...sqliteApply('new', 1), ...sqliteApply('old', -1)].join(' ')} end`,
};

// ---------------------------------------------------------------------------------------------
// PostgreSQL: statement triggers over transition tables.

/** Each (unit on the path, the unit after it) of the rows of `source`, with their sign `d`. */
const pgExpanded = (source: string) =>
  `select a.id as ancestor_id, coalesce(a.next, a.id) as child_id, r.due_at, r.definition_id, r.stages, r.d from (${source}) r ` +
  `cross join lateral (select s.id, lead(s.id) over (order by s.i) as next from unnest(string_to_array(trim(both '/' from r.unit_path), '/')) with ordinality as s(id, i)) a`;

const pgColumns = 'r.unit_path, r.due_at, r.definition_id, r.stages';
const pgCounted = (r: string) => `${r}.status = 'running' and ${r}.due_at is not null`;

/** Adds the netted rows of `source` to both summaries, in key order; then deletes the keys `gone` (rows that lost a count) left at zero. */
function pgApply(source: string, gone: string | undefined): string {
  const out: string[] = [];
  for (const { table, keys } of SUMMARIES) {
    const key = ['ancestor_id', 'due_at', ...keys].join(', ');
    out.push(
      `insert into ${table} (${key}, n) select ${key}, sum(d) from (${pgExpanded(source)}) x group by ${key} having sum(d) <> 0 order by ${key} ` +
        `on conflict (${key}) do update set n = ${table}.n + excluded.n;`,
    );
    if (gone)
      out.push(
        `delete from ${table} t using (select distinct ${key} from (${pgExpanded(gone)}) x) g where ${['ancestor_id', 'due_at', ...keys].map((k) => `t.${k} = g.${k}`).join(' and ')} and t.n = 0;`,
      );
  }
  return out.join('\n');
}

/** One row trigger's side (NEW or OLD) as a source row, when it counts. */
const pgRow = (r: 'new' | 'old', d: number) =>
  `select ${r}.unit_path as unit_path, ${r}.due_at as due_at, ${r}.definition_id as definition_id, ${r}.stages as stages, ${d} as d where ${counted(r)}`;

/**
 * Inserts: one statement trigger over the new rows, set-based (a campaign starts hundreds in one
 * INSERT). Updates and deletes: row triggers whose WHEN PostgreSQL checks before calling anything,
 * so a command's UPDATE that moves only a snapshot and a rev costs nothing (a statement trigger
 * there copied every updated row into its transition tables, and looked).
 */
const PG_TRIGGERS = {
  due_counts_insert: {
    body: pgApply(`select ${pgColumns}, 1 as d from new_rows r where ${pgCounted('r')}`, undefined),
    on: `after insert on instances referencing new table as new_rows for each statement`,
  },
  due_counts_update: {
    body: pgApply(`${pgRow('new', 1)} union all ${pgRow('old', -1)}`, pgRow('old', -1)),
    on:
      `after update on instances for each row when ((${counted('old')} or ${counted('new')}) ` +
      `and (${RELEVANT.map((c) => `old.${c}`).join(', ')}) is distinct from (${RELEVANT.map((c) => `new.${c}`).join(', ')}))`,
  },
  due_counts_delete: { body: pgApply(pgRow('old', -1), pgRow('old', -1)), on: `after delete on instances for each row when (${counted('old')})` },
};

export async function createDueCountTriggers(db: Knex): Promise<void> {
  if (!isPg(db)) {
    for (const sql of Object.values(SQLITE_TRIGGERS)) await db.raw(sql);
    return;
  }
  for (const [name, { body, on }] of Object.entries(PG_TRIGGERS)) {
    await db.raw(`create or replace function ${name}() returns trigger language plpgsql as $body$ begin\n${body}\nreturn null; end $body$`);
    await db.raw(`create trigger ${name} ${on} execute function ${name}()`);
  }
}

export async function dropDueCountTriggers(db: Knex): Promise<void> {
  for (const name of Object.keys(SQLITE_TRIGGERS)) {
    if (isPg(db)) {
      await db.raw(`drop trigger if exists ${name} on instances`);
      await db.raw(`drop function if exists ${name}()`);
    } else await db.raw(`drop trigger if exists ${name}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Counting from scratch

/** Every running instance with a deadline, once under each unit on its path: (ancestor_id, child_id, due_at, definition_id, stages, d = 1). */
function expandedInstances(db: Knex): string {
  if (isPg(db)) return pgExpanded(`select ${pgColumns}, 1 as d from instances r where ${pgCounted('r')}`);
  const ids = sqliteIds('i.unit_path');
  return `select a.value as ancestor_id, coalesce(c.value, a.value) as child_id, i.due_at, i.definition_id, i.stages, 1 as d from instances i, ${ids} a left join ${ids} c on c.key = a.key + 1 where i.status = 'running' and i.due_at is not null`;
}

/** What each summary holds when it is right: counted afresh from `instances` (sorted). */
export async function freshDueCounts(db: Knex): Promise<Record<string, Record<string, unknown>[]>> {
  const out: Record<string, Record<string, unknown>[]> = {};
  for (const { table, keys } of SUMMARIES) {
    const key = ['ancestor_id', 'due_at', ...keys].join(', ');
    out[table] = rowsOf(db, await db.raw(`select ${key}, sum(d) as n from (${expandedInstances(db)}) x group by ${key}`));
  }
  return out;
}

/** What each summary holds now, sorted as {@link freshDueCounts} sorts. */
export async function storedDueCounts(db: Knex): Promise<Record<string, Record<string, unknown>[]>> {
  const out: Record<string, Record<string, unknown>[]> = {};
  for (const { table, keys } of SUMMARIES) {
    const key = ['ancestor_id', 'due_at', ...keys].join(', ');
    out[table] = rowsOf(db, await db.raw(`select ${key}, n from ${table}`));
  }
  return out;
}

/** Counts both summaries again from `instances` (migration 016; a bulk load that went around the triggers). */
export async function rebuildDueCounts(db: Knex): Promise<void> {
  for (const { table, keys } of SUMMARIES) {
    const key = ['ancestor_id', 'due_at', ...keys].join(', ');
    await db.raw(`delete from ${table}`);
    await db.raw(`insert into ${table} (${key}, n) select ${key}, sum(d) from (${expandedInstances(db)}) x group by ${key}`);
  }
}

/** Rows with numbers as numbers, sorted here: the two databases order text by different rules. */
function rowsOf(db: Knex, result: unknown): Record<string, unknown>[] {
  const rows = isPg(db) ? (result as { rows: Record<string, unknown>[] }).rows : (result as Record<string, unknown>[]);
  const key = (r: Record<string, unknown>) => JSON.stringify(Object.entries(r).filter(([k]) => k !== 'n'));
  return rows.map((r) => ({ ...r, due_at: Number(r.due_at), n: Number(r.n) })).sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}
