// Opens the SQL store: an SQLite file by default (WAL, busy timeout, foreign keys), PostgreSQL when a
// URL is given. The same migrations run on both.
import knexModule, { type Knex } from 'knex';
import * as core from './migrations/001_core.ts';
import * as timerArm from './migrations/002_timer_arm.ts';
import * as subtree from './migrations/003_subtree_indexes.ts';
import * as accounts from './migrations/004_accounts.ts';
import * as widerIds from './migrations/005_wider_ids.ts';
import * as campaignAnchors from './migrations/006_campaign_anchors.ts';
import * as instancesByUnit from './migrations/007_instances_by_unit.ts';
import * as definitionOwner from './migrations/008_definition_owner.ts';
import * as tokenScope from './migrations/009_token_scope.ts';
import * as storeIdentity from './migrations/010_store_identity.ts';
import * as province from './migrations/011_province.ts';
import * as fanOut from './migrations/012_fan_out.ts';
import * as fanOutAnswers from './migrations/013_fan_out_answers.ts';
import * as attachmentsComments from './migrations/014_attachments_comments.ts';
import * as campaignIncludeRunning from './migrations/015_campaign_include_running.ts';
import * as dueCounts from './migrations/016_due_counts.ts';
import * as jobClaimOrder from './migrations/017_job_claim_order.ts';

const knexFactory = (knexModule as unknown as { default?: typeof knexModule }).default ?? knexModule;

export interface StoreConfig {
  /** postgres://… to use PostgreSQL; otherwise SQLite. */
  databaseUrl?: string;
  /** SQLite file; ':memory:' for a throwaway store. Default ./data/tiendo.sqlite. */
  sqliteFile?: string;
  /** PostgreSQL schema to use (tests give each run its own). Default public. */
  schema?: string;
}

export type Dialect = 'sqlite' | 'postgres';

export function openDb(config: StoreConfig): { db: Knex; dialect: Dialect } {
  if (config.databaseUrl) {
    const schema = config.schema;
    const db = knexFactory({
      client: 'pg',
      connection: config.databaseUrl,
      searchPath: schema ? [schema] : undefined,
      pool: {
        min: 0,
        max: 10,
        // A per-run schema keeps parallel test runs apart; created on first connection. Processes
        // (or connections) starting together all try: IF NOT EXISTS does not hold against a
        // concurrent CREATE, whose loser gets 23505 on pg_namespace (or 42P06) — the schema is there.
        afterCreate: (
          conn: { query: (sql: string, cb: (err: (Error & { code?: string }) | null) => void) => void },
          done: (err: Error | null, conn: unknown) => void,
        ) => {
          if (!schema) return done(null, conn);
          conn.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`, (err) => {
            if (err && err.code !== '23505' && err.code !== '42P06') return done(err, conn);
            conn.query(`SET search_path TO "${schema}"`, (e) => done(e, conn));
          });
        },
      },
    });
    return { db, dialect: 'postgres' };
  }
  const db = knexFactory({
    client: 'sqlite3',
    connection: { filename: config.sqliteFile ?? './data/tiendo.sqlite' },
    useNullAsDefault: true,
    pool: {
      // One connection: SQLite has one writer anyway, and knex's deferred BEGIN would otherwise meet
      // SQLITE_BUSY on the read→write upgrade between pooled connections.
      min: 1,
      max: 1,
      afterCreate: (conn: { exec: (sql: string, cb: (err: Error | null) => void) => void }, done: (err: Error | null, conn: unknown) => void) => {
        // wal_autocheckpoint: a checkpoint (and its fsyncs) every 10,000 WAL pages (40 MB) instead of
        // SQLite's 1,000: a burst of deadlines commits groups of a few hundred escalations whose
        // pages alone filled 1,000, so every commit checkpointed (issue 17: a per-statement replay of
        // the burst's commits spent half its time in COMMIT; 2–3× less with this).
        conn.exec(
          'PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON; PRAGMA wal_autocheckpoint = 10000;',
          (err) => done(err, conn),
        );
      },
    },
  });
  return { db, dialect: 'sqlite' };
}

/** Migrations in order; append new ones, never edit a landed one. */
const MIGRATIONS: Record<string, { up: (k: Knex) => Promise<void>; down: (k: Knex) => Promise<void> }> = {
  '001_core': core,
  '002_timer_arm': timerArm,
  '003_subtree_indexes': subtree,
  '004_accounts': accounts,
  '005_wider_ids': widerIds,
  '006_campaign_anchors': campaignAnchors,
  '007_instances_by_unit': instancesByUnit,
  '008_definition_owner': definitionOwner,
  '009_token_scope': tokenScope,
  '010_store_identity': storeIdentity,
  '011_province': province,
  '012_fan_out': fanOut,
  '013_fan_out_answers': fanOutAnswers,
  '014_attachments_comments': attachmentsComments,
  '015_campaign_include_running': campaignIncludeRunning,
  '016_due_counts': dueCounts,
  '017_job_claim_order': jobClaimOrder,
};

/** The migrations this version knows, in order (their names in knex_migrations). */
export const MIGRATION_NAMES: readonly string[] = Object.keys(MIGRATIONS);

const migrationSource: Knex.MigrationSource<string> = {
  getMigrations: async () => Object.keys(MIGRATIONS),
  getMigrationName: (name) => name,
  getMigration: async (name) => MIGRATIONS[name]!,
};

/**
 * Runs `fn` holding the store's start-up lock: processes starting together on one PostgreSQL schema
 * (`tiendo serve` × 2 and `tiendo worker`, say) migrate, publish the library and seed the demo one
 * after another instead of racing (the second found "Migration table is already locked", or a
 * duplicate key). A session-level advisory lock: a process killed while holding it lets go. SQLite
 * has one process, and needs none.
 */
export async function underStartupLock<T>(db: Knex, fn: () => Promise<T>): Promise<T> {
  if (db.client.config.client !== 'pg') return fn();
  const conn = await db.client.acquireConnection();
  const lock = (verb: 'lock' | 'unlock') => db.raw(`select pg_advisory_${verb}(hashtext('tiendo-startup:' || current_schema()))`).connection(conn);
  try {
    await lock('lock');
    try {
      return await fn();
    } finally {
      await lock('unlock').catch(() => undefined);
    }
  } finally {
    await db.client.releaseConnection(conn);
  }
}

/**
 * Runs `fn` holding the campaign's lease, or does not run it when another process holds it: on one
 * PostgreSQL, several processes with workers resume the campaigns left running at their start, and
 * each campaign is run by one of them at a time. A session-level advisory lock (two keys: the
 * schema's, the campaign's) on a connection held for the run: a process that dies lets go. SQLite
 * has one process, and needs none.
 */
export async function underCampaignLease<T>(db: Knex, campaignId: string, fn: () => Promise<T>): Promise<{ ran: true; value: T } | { ran: false }> {
  if (db.client.config.client !== 'pg') return { ran: true, value: await fn() };
  const conn = await db.client.acquireConnection();
  const keys = `hashtext('tiendo-campaign:' || current_schema()), hashtext(?)`;
  try {
    const got = (await db.raw(`select pg_try_advisory_lock(${keys}) as ok`, [campaignId]).connection(conn)) as { rows: { ok: boolean }[] };
    if (!got.rows[0]?.ok) return { ran: false };
    try {
      return { ran: true, value: await fn() };
    } finally {
      await db
        .raw(`select pg_advisory_unlock(${keys})`, [campaignId])
        .connection(conn)
        .catch(() => undefined);
    }
  } finally {
    await db.client.releaseConnection(conn);
  }
}

/** The id the store was given when it was made (migration 010). */
export async function storeIdOf(db: Knex): Promise<string> {
  const row = (await db('store_identity').first('id')) as { id: string } | undefined;
  if (!row) throw new Error('the store has no identity row (store_identity is empty): was it migrated?');
  return row.id;
}

export async function migrate(db: Knex): Promise<string[]> {
  const [, applied] = (await db.migrate.latest({ migrationSource })) as [number, string[]];
  return applied;
}

export async function rollbackAll(db: Knex): Promise<void> {
  await db.migrate.rollback({ migrationSource }, true);
}
