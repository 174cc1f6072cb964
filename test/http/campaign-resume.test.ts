// A campaign cut short by a crash resumes by itself (issue 13): it showed "running 500/1200" until
// someone launched it again. At start a process with workers runs every campaign left running; on
// one PostgreSQL, several such processes take each campaign in turn under a lease (an advisory lock),
// so no unit is started twice and no run trips over another.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { expect } from 'chai';
import { startApp, type App, type AppConfig } from '../../adapters/app.ts';
import { createLogger } from '../../adapters/log.ts';
import { underCampaignLease } from '../../adapters/store/db.ts';
import { waitFor } from '../fault/harness.ts';
import { createCampaign, runCampaign } from '../../engine/service/campaigns.ts';
import { POSTGRES_URL, requireService } from '../support/services.ts';

const SCHOOLS = 1_200;
const UNITS = [
  { id: 'so', kind: 'department' as const, name: 'Sở GDĐT' },
  { id: 'pgd', parentId: 'so', kind: 'district-office' as const, name: 'Phòng GDĐT', levels: ['primary' as const] },
  ...Array.from({ length: SCHOOLS }, (_, i) => ({ id: `th_${i + 1}`, parentId: 'pgd', kind: 'primary' as const, name: `TH số ${i + 1}` })),
];

function captured() {
  const lines: Record<string, any>[] = [];
  const destination = new Writable({
    write(chunk, _enc, done) {
      for (const l of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(l));
      done();
    },
  });
  return { lines, logger: createLogger({ destination }) };
}

/** A campaign for every school, run until its first batch is in and then "crashed": left running. */
async function crashMidCampaign(config: AppConfig): Promise<string> {
  const app = await startApp({ ...config, workers: false });
  try {
    await app.runtime.engine.addUnits(UNITS);
    const campaign = await createCampaign(
      app.runtime.engine,
      { id: 'kdcl-th-2026', definitionId: 'accreditation-primary', rootUnitId: 'so' },
      { actor: 'admin' },
    );
    // Under the campaign's lease, as a launch through the API runs it.
    const crash = underCampaignLease(app.runtime.db, campaign.id, () =>
      runCampaign(app.runtime.engine, campaign.id, {
        actor: 'admin',
        onProgress: () => {
          throw new Error('the process died here');
        },
      }),
    );
    await crash.then(
      () => expect.fail('the run should have been cut short'),
      (e: Error) => expect(e.message).to.equal('the process died here'),
    );
    const left = await app.runtime.engine.store.getCampaign(campaign.id);
    expect(left).to.include({ status: 'running', started: 500 });
    return campaign.id;
  } finally {
    await app.close();
  }
}

async function expectFinishedOnce(app: App, id: string): Promise<void> {
  const campaign = await app.runtime.engine.store.getCampaign(id);
  expect(campaign, 'finished without being launched again').to.include({ status: 'done', started: SCHOOLS, total: SCHOOLS });
  const db = app.runtime.db;
  const twice = (await db('instances')
    .where({ campaign_id: id })
    .select('org_unit_id')
    .count({ n: '*' })
    .groupBy('org_unit_id')
    .havingRaw('count(*) > 1')) as unknown[];
  expect(twice, 'no unit started twice').to.deep.equal([]);
  const units = (await db('instances').where({ campaign_id: id }).countDistinct({ n: 'org_unit_id' }).first()) as { n: unknown };
  expect(Number(units.n), 'every school started').to.equal(SCHOOLS);
}

describe('campaigns resume after a crash (issue 13)', function () {
  this.timeout(120_000);

  it('SQLite: the next start finishes the campaign by itself, each unit started once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tiendo-resume-'));
    const config: AppConfig = { dataDir: dir, api: false, demo: false, log: () => undefined };
    let app: App | undefined;
    try {
      const id = await crashMidCampaign(config);
      const log = captured();
      app = await startApp({ ...config, logger: log.logger });
      await app.settled();
      await expectFinishedOnce(app, id);
      expect(log.lines.find((l) => l.msg === 'campaign run ended')).to.include({
        campaign: id,
        why: 'resumed',
        created: SCHOOLS - 500,
        failed: 0,
        status: 'done',
      });
    } finally {
      await app?.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  describe('on PostgreSQL', () => {
    const schema = `resume_${process.pid}_${Date.now()}`;
    const apps: App[] = [];
    before(async function () {
      await requireService(this, 'PostgreSQL');
    });
    after(async () => {
      const last = apps.at(-1);
      for (const s of [schema, `${schema}_b`]) await last?.runtime.db.raw(`drop schema if exists "${s}" cascade`).catch(() => undefined);
      for (const app of apps.reverse()) await app.close().catch(() => undefined);
    });

    it('two processes starting together: one runs the campaign, the other leaves it alone; each unit started once', async () => {
      const config: AppConfig = { databaseUrl: POSTGRES_URL, pgSchema: schema, api: false, demo: false, log: () => undefined };
      const id = await crashMidCampaign(config);
      const logs = [captured(), captured()];
      apps.push(...(await Promise.all(logs.map((l) => startApp({ ...config, logger: l.logger })))));
      await Promise.all(apps.map((a) => a.settled()));
      await expectFinishedOnce(apps[0]!, id);
      const lines = logs.flatMap((l) => l.lines);
      expect(
        lines.filter((l) => l.level === 'error'),
        'no run tripped over another',
      ).to.deep.equal([]);
      const ended = lines.filter((l) => l.msg === 'campaign run ended');
      expect(ended.map((l) => l.failed)).to.satisfy((f: number[]) => f.every((n) => n === 0));
      expect(
        ended.reduce((sum, l) => sum + l.created, 0),
        'the missing schools, started once between them',
      ).to.equal(SCHOOLS - 500);
    });

    it('a worker already running takes up a campaign another process left when it died', async () => {
      const config: AppConfig = { databaseUrl: POSTGRES_URL, pgSchema: `${schema}_b`, api: false, demo: false, log: () => undefined };
      const log = captured();
      const worker = await startApp({ ...config, logger: log.logger, campaignResumeEveryMs: 300 });
      apps.push(worker);
      const id = await crashMidCampaign(config);
      await waitFor(
        'the running worker to finish the campaign',
        60_000,
        async () => (await worker.runtime.engine.store.getCampaign(id))?.status === 'done',
        200,
      );
      await worker.settled();
      await expectFinishedOnce(worker, id);
      expect(log.lines.filter((l) => l.msg === 'campaign run ended').map((l) => [l.why, l.created, l.failed])).to.deep.equal([['resumed', SCHOOLS - 500, 0]]);
    });
  });
});
