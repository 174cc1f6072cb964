// Importing a unit list as a Sở does (`tiendo units import`, the UI's import page): a province's
// 1,500 units, and the country's ~45,000 (--quick: 1,500 and 5,000) read from an XLSX written like the
// ones offices keep, planned against the store and applied through Organisation.reshape in one
// transaction — on SQLite, and on PostgreSQL where reachable. Then the same file again (no changes).
// Targets (issue 14): 1,500 units in seconds; 45,000 on PostgreSQL under two minutes.
import { ManualClock } from '../../engine/ports.ts';
import { Application, systemPrincipal } from '../../engine/application/application.ts';
import { instantAt } from '../../engine/calendar/time.ts';
import { readUnitFile } from '../../adapters/files/unit-sheet.ts';
import { toXlsx } from '../../adapters/export/xlsx.ts';
import { KnexAudit } from '../../adapters/store/audit-store.ts';
import { unitExportTable } from '../../adapters/files/unit-sheet.ts';
import { provinceUnits } from '../lib/province-units.ts';
import { emit, figure, log, openPgRuntime, openSqliteRuntime, parseArgs, pgReachable, skipped, timer, type Figures } from '../lib/measure.ts';

const { quick } = parseArgs();
const SIZES = quick ? [1_500, 5_000] : [1_500, 45_000];
const figures: Figures = {};
const clock = new ManualClock(instantAt('2026-03-02', 8));

for (const store of ['sqlite', 'pg'] as const) {
  if (store === 'pg' && !(await pgReachable())) {
    skipped('PostgreSQL not reachable: the units_import_pg_* figures are left out');
    continue;
  }
  for (const size of SIZES) {
    const bytes = await toXlsx(unitExportTable(provinceUnits(size)));
    const run = store === 'pg' ? await openPgRuntime({ clock }) : await openSqliteRuntime({ clock });
    try {
      const app = new Application({ engine: run.rt.engine, audit: new KnexAudit(run.rt.db) });
      const system = systemPrincipal();
      const took = timer();
      const read = await readUnitFile(bytes, 'donvi.xlsx');
      const readMs = took();
      const done = await app.importUnits(system, read, { file: 'donvi.xlsx' });
      const totalMs = took();
      if (done.problems.length) throw new Error(`import refused: ${done.problems[0]!.code} ${done.problems[0]!.message.en}`);
      const again = timer();
      const second = await app.importUnits(system, await readUnitFile(bytes, 'donvi.xlsx'), { file: 'donvi.xlsx' });
      const againMs = again();
      const stored = await run.rt.store.countUnitsUnder('/', []);
      log(
        `${store} ${size}: read ${readMs.toFixed(0)} ms, imported in ${(totalMs / 1000).toFixed(1)} s (${stored} units stored); again ${(againMs / 1000).toFixed(1)} s, ${second.operations.length} operations`,
      );
      const limit = size <= 1_500 ? 10 : 120;
      figures[`units_import_${store}_${size}_s`] = figure(totalMs / 1000, 's', {
        target: `≤ ${limit}`,
        note: `${size} units from XLSX (read ${(readMs / 1000).toFixed(1)} s) through plan + Organisation.reshape, one transaction on ${store === 'pg' ? 'PostgreSQL' : 'SQLite'}; the same file again: ${(againMs / 1000).toFixed(1)} s, ${second.operations.length} changes`,
      });
    } finally {
      await run.close();
    }
  }
}
emit(figures);
