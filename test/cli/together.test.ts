// Processes started together on a fresh PostgreSQL schema — two `tiendo serve` with the demo on and a
// `tiendo worker` — all come up; the schema, the migrations, the library and the demo are made once.
// Before the start-up lock the second process died on the schema ("duplicate key value violates
// unique constraint pg_namespace_nspname_index").
import { expect } from 'chai';
import knexModule from 'knex';
import { POSTGRES_URL, requireService } from '../support/services.ts';
import { freePort, TiendoProcess } from '../fault/harness.ts';

const knex = (knexModule as unknown as { default?: typeof knexModule }).default ?? knexModule;

describe('tiendo processes starting together on one PostgreSQL', function () {
  this.timeout(180_000);
  const schema = `together_${process.pid}_${Date.now()}`;
  const procs: TiendoProcess[] = [];
  const db = knex({ client: 'pg', connection: POSTGRES_URL });

  before(async function () {
    await requireService(this, 'PostgreSQL');
  });
  after(async () => {
    await Promise.all(procs.map((p) => p.stop()));
    await db.raw(`drop schema if exists "${schema}" cascade`).catch(() => undefined);
    await db.destroy();
  });

  it('all start; the library is published once and the demo seeded once', async () => {
    const env = { DATABASE_URL: POSTGRES_URL, TIENDO_PG_SCHEMA: schema };
    const [a, b] = await Promise.all([freePort(), freePort()]);
    const started = await Promise.allSettled([
      TiendoProcess.start('serve', 'serve-a', { ...env, TIENDO_DEMO: '1', PORT: String(a) }),
      TiendoProcess.start('serve', 'serve-b', { ...env, TIENDO_DEMO: '1', PORT: String(b) }),
      TiendoProcess.start('worker', 'worker', env),
    ]);
    // Those that did start are stopped afterwards, whatever happened to the others.
    for (const s of started) if (s.status === 'fulfilled') procs.push(s.value);
    const failed = started.flatMap((s) => (s.status === 'rejected' ? [(s.reason as Error).message] : []));
    expect(failed, 'processes that did not start').to.deep.equal([]);
    for (const p of procs) expect(p.running, p.tail()).to.equal(true);
    for (const p of procs.slice(0, 2)) expect((await fetch(`${p.url}/api/health`)).status).to.equal(200);
    const count = async (table: string) => Number(((await db.withSchema(schema).from(table).count({ n: '*' })) as { n: string }[])[0]!.n);
    const printed = procs.filter((p) => /Demo accounts/.test(p.output));
    expect(
      printed.map((p) => p.name),
      'the process that seeded the demo says so; the other found it there',
    ).to.have.length(1);
    const users = await count('users');
    expect(users, 'the demo accounts, once').to.equal(printed[0]!.output.match(/^ {2}\S+ +.+ — /gm)!.length);
    const versions = (await db.withSchema(schema).from('definitions').select('id').count({ n: '*' }).groupBy('id')) as { id: string; n: string }[];
    expect(
      versions.filter((v) => Number(v.n) !== 1).map((v) => v.id),
      'each definition published once',
    ).to.deep.equal([]);
    const perUnit = (await db
      .withSchema(schema)
      .from('instances')
      .select('org_unit_id', 'definition_id', 'campaign_id')
      .count({ n: '*' })
      .groupBy('org_unit_id', 'definition_id', 'campaign_id')
      .havingRaw('count(*) > 1')) as unknown[];
    expect(perUnit, 'no demo instance started twice').to.deep.equal([]);
  });
});
