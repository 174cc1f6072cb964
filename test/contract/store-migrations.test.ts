import { expect } from 'chai';
import type { Knex } from 'knex';
import { migrate, openDb, rollbackAll } from '../../adapters/store/db.ts';
import { POSTGRES_URL, requireService } from '../support/services.ts';

const TABLES = [
  'api_tokens',
  'attachments',
  'audit',
  'campaigns',
  'comments',
  'definitions',
  'due_by_stage',
  'due_by_unit',
  'escalations',
  'file_blobs',
  'grants',
  'history',
  'idempotency_keys',
  'inbox',
  'instances',
  'jobs',
  'org_units',
  'outbox',
  'sessions',
  'store_identity',
  'tasks',
  'timers',
  'users',
];

async function tables(db: Knex, dialect: string): Promise<string[]> {
  if (dialect === 'sqlite') {
    const rows = await db.raw("select name from sqlite_master where type = 'table' and name not like 'knex_%' and name not like 'sqlite_%'");
    return (rows as { name: string }[]).map((r) => r.name).sort();
  }
  const rows = await db.raw("select table_name as name from information_schema.tables where table_schema = current_schema() and table_name not like 'knex_%'");
  return (rows.rows as { name: string }[]).map((r) => r.name).sort();
}

for (const dialect of ['sqlite', 'postgres'] as const) {
  describe(`store migrations on ${dialect}`, function () {
    let db: Knex;
    const schema = `t_${process.pid}_${Date.now()}`;
    before(async function () {
      if (dialect === 'postgres') await requireService(this, 'PostgreSQL');
      db = openDb(dialect === 'postgres' ? { databaseUrl: POSTGRES_URL, schema } : { sqliteFile: ':memory:' }).db;
    });
    after(async () => {
      if (!db) return;
      if (dialect === 'postgres') await db.raw(`drop schema if exists "${schema}" cascade`);
      await db.destroy();
    });

    it('creates every table, is idempotent, and rolls back cleanly', async () => {
      expect(await migrate(db)).to.deep.equal([
        '001_core',
        '002_timer_arm',
        '003_subtree_indexes',
        '004_accounts',
        '005_wider_ids',
        '006_campaign_anchors',
        '007_instances_by_unit',
        '008_definition_owner',
        '009_token_scope',
        '010_store_identity',
        '011_province',
        '012_fan_out',
        '013_fan_out_answers',
        '014_attachments_comments',
        '015_campaign_include_running',
        '016_due_counts',
        '017_job_claim_order',
      ]);
      expect(await tables(db, dialect)).to.deep.equal(TABLES);
      expect(await migrate(db), 'a second run applies nothing').to.deep.equal([]);
      await rollbackAll(db);
      expect(await tables(db, dialect)).to.deep.equal([]);
      await migrate(db);
    });

    it("reads a queue's due jobs in claim order from an index, without sorting them all", async function () {
      // The order a worker claims in (sql-queue.ts): with a sort, every claim of a burst of 50,000
      // jobs due at one instant read all that were left.
      if (dialect !== 'sqlite') this.skip();
      const plan = (await db.raw(
        `explain query plan select id from jobs where queue = 'q' and run_at <= 5 and (locked_until is null or locked_until < 5) order by run_at, id limit 256`,
      )) as { detail: string }[];
      const details = plan.map((p) => p.detail).join('; ');
      expect(details).to.include('jobs_queue_run_at_id_index');
      expect(details).not.to.include('TEMP B-TREE');
    });

    it('enforces the rev-unique history and the org-unit foreign keys', async () => {
      const now = Date.now();
      await db('org_units').insert({ id: 'so', kind: 'department', name: 'Sở GDĐT', path: '/so/', depth: 0, created_at: now });
      let failed = false;
      try {
        await db('org_units').insert({ id: 'x', parent_id: 'missing', kind: 'primary', name: 'X', path: '/missing/x/', depth: 1, created_at: now });
      } catch {
        failed = true;
      }
      expect(failed, 'a unit under a missing parent is refused').to.equal(true);
      const row = await db('org_units').where({ id: 'so' }).first();
      expect(Number(row.created_at)).to.equal(now);
    });
  });
}
