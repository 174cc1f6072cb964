// Throwaway timing: preview and count of skipped units over N schools, half running the process.
import { openRuntime } from './adapters/runtime.ts';
import { ManualClock } from './engine/ports.ts';
import { createCampaign, runCampaign, previewCampaign, countSkipped } from './engine/service/campaigns.ts';
import { readFileSync } from 'node:fs';
import { instantAt } from './engine/calendar/time.ts';
const N = Number(process.argv[2] ?? 50000);
const clock = new ManualClock(instantAt('2022-03-01', 8));
const rt = await openRuntime({ sqliteFile: ':memory:', clock });
await rt.engine.addUnits([{ id: 'so', kind: 'department', name: 'Sở' }, { id: 'pgd', parentId: 'so', kind: 'district-office', name: 'Phòng', levels: ['primary'] }]);
const units = Array.from({ length: N }, (_, i) => ({ id: `th_${String(i).padStart(6, '0')}`, parentId: 'pgd', kind: 'primary' as const, name: `TH ${i}` }));
for (let i = 0; i < units.length; i += 5000) await rt.engine.addUnits(units.slice(i, i + 5000));
await rt.engine.catalog.publish(readFileSync('test/fixtures/engine/report.yaml', 'utf8'), 'report.yaml', 'admin');
// half the schools run it already (a first campaign over the even ones)
const half = units.filter((_, i) => i % 2 === 0).map((u) => u.id);
let t = Date.now();
for (let i = 0; i < half.length; i += 20000) {
  const c = await createCampaign(rt.engine, { id: `first-${i}`, definitionId: 'test-report', rootUnitId: 'pgd', unitIds: half.slice(i, i + 20000) }, { actor: 'a' });
  await runCampaign(rt.engine, c.id, { actor: 'a' });
}
console.log(`started ${half.length} in ${Date.now() - t} ms`);
t = Date.now();
const p = await previewCampaign(rt.engine, { definitionId: 'test-report', rootUnitId: 'so' });
console.log(`preview over ${N} units: ${Date.now() - t} ms`, { total: p.total, toStart: p.toStart, skipped: p.skippedRunning, listed: p.skipped.length });
t = Date.now();
const c = await createCampaign(rt.engine, { id: 'second', definitionId: 'test-report', rootUnitId: 'so' }, { actor: 'a' });
const run = await runCampaign(rt.engine, c.id, { actor: 'a' });
console.log(`second campaign: created ${run.created}, skipped ${run.skippedRunning}, status ${run.campaign.status} in ${Date.now() - t} ms`);
t = Date.now();
console.log(`countSkipped ${await countSkipped(rt.engine, run.campaign)} in ${Date.now() - t} ms`);
await rt.close();
