// A campaign's pages (issue 17): the units to start are read once and each page is asked again by
// its ids just before it starts, so what changed meanwhile still counts — a unit closed, or one that
// got the process by hand, is passed by as when every page was a scope query; a page's starts share
// their first step (one moment, one kind) but no instance shares its state with another.
import { expect } from 'chai';
import { createCampaign, runCampaign } from '../../engine/service/campaigns.ts';
import type { Runtime } from '../../adapters/runtime.ts';
import type { UnitInput } from '../../engine/service/org.ts';
import { at8, fixture, openTestRuntime, STORES } from '../support/runtime.ts';

const START = at8('2022-03-01');
const DEF = 'test-report';
const SCHOOLS = 9;
const UNITS: UnitInput[] = [
  { id: 'so', kind: 'department', name: 'Sở GDĐT' },
  { id: 'pgd', parentId: 'so', kind: 'district-office', name: 'Phòng GDĐT', levels: ['primary', 'lower-secondary'] },
  ...Array.from({ length: SCHOOLS }, (_, i) => ({
    id: `s${i + 1}`,
    parentId: 'pgd',
    kind: i % 3 ? ('primary' as const) : ('lower-secondary' as const),
    name: `Trường ${i + 1}`,
  })),
];

async function instancesOf(rt: Runtime, campaignId: string) {
  return (await rt.db('instances').where({ campaign_id: campaignId }).orderBy('org_unit_id')) as { id: string; org_unit_id: string; snapshot: string }[];
}

for (const kind of STORES) {
  describe(`campaign pages on ${kind}`, function () {
    let rt: Runtime;
    let close: () => Promise<void>;

    beforeEach(async function () {
      ({ rt, close } = await openTestRuntime(this, kind, START));
      await rt.engine.addUnits(UNITS);
      await rt.engine.catalog.publish(fixture('engine/report.yaml'), 'report.yaml', 'admin');
    });
    afterEach(async () => close?.());

    it('a page passes by a unit closed, or started by hand, after the campaign read its units', async () => {
      const campaign = await createCampaign(rt.engine, { id: 'p1', definitionId: DEF, rootUnitId: 'so' }, { actor: 'admin' });
      // Right after the run's first read (every school still to start): s8 closes, s9 gets the
      // process by hand. Both are in the last page.
      const store = rt.engine.store;
      const unitsUnder = store.unitsUnder.bind(store);
      store.unitsUnder = async (...args) => {
        const units = await unitsUnder(...args);
        store.unitsUnder = unitsUnder;
        expect(units.map((u) => u.id)).to.include.members(['s8', 's9']);
        await rt.engine.reshapeUnits({
          put: [],
          updates: [],
          moves: [],
          merges: [],
          closes: [{ unitId: 's8', path: '/so/pgd/s8/' }],
          at: START,
          actor: 'admin',
          reason: 'sáp nhập',
          audit: [],
        });
        await rt.engine.start({ definitionId: DEF, orgUnitId: 's9' }, { actor: 'admin' });
        return units;
      };
      const seen: number[] = [];
      const run = await runCampaign(rt.engine, campaign.id, { actor: 'admin', batchSize: 3, onProgress: (p) => seen.push(p.campaign.started) });
      expect(store.unitsUnder).to.equal(unitsUnder);
      expect(run).to.include({ created: 7, skippedRunning: 1 });
      expect(run.failed).to.deep.equal([]);
      expect(seen).to.deep.equal([3, 6, 7]);
      expect(run.campaign).to.include({ started: 7, total: 8, status: 'done' });
      expect((await instancesOf(rt, campaign.id)).map((i) => i.org_unit_id)).to.deep.equal(['s1', 's2', 's3', 's4', 's5', 's6', 's7']);
    });

    it("a page's starts of one kind have the same first state as a start by hand, each its own", async () => {
      const campaign = await createCampaign(rt.engine, { id: 'p2', definitionId: DEF, rootUnitId: 'so' }, { actor: 'admin' });
      const run = await runCampaign(rt.engine, campaign.id, { actor: 'admin' });
      expect(run.created).to.equal(SCHOOLS);
      await rt.engine.addUnits([
        { id: 'by-hand-th', parentId: 'pgd', kind: 'primary', name: 'TH' },
        { id: 'by-hand-thcs', parentId: 'pgd', kind: 'lower-secondary', name: 'THCS' },
      ]);
      const byHand = {
        primary: await rt.engine.start({ definitionId: DEF, orgUnitId: 'by-hand-th', campaignId: campaign.id }, { actor: 'admin' }),
        'lower-secondary': await rt.engine.start({ definitionId: DEF, orgUnitId: 'by-hand-thcs', campaignId: campaign.id }, { actor: 'admin' }),
      };
      const rows = await instancesOf(rt, campaign.id);
      const snapshotOf = (id: string) => rows.find((r) => r.id === id)!.snapshot;
      for (const row of rows) {
        const unit = UNITS.find((u) => u.id === row.org_unit_id);
        if (!unit) continue;
        expect(JSON.parse(row.snapshot), row.org_unit_id).to.deep.equal(JSON.parse(snapshotOf(byHand[unit.kind as keyof typeof byHand].id)));
      }
      const [a, b] = await rt.store.loadInstances([rows.find((r) => r.org_unit_id === 's2')!.id, rows.find((r) => r.org_unit_id === 's3')!.id]);
      expect(a!.instance.state).to.deep.equal(b!.instance.state);
      expect(a!.instance.state).to.not.equal(b!.instance.state);
      expect(a!.instance.state.snapshot).to.not.equal(b!.instance.state.snapshot);
    });
  });
}
