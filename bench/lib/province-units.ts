// A province's unit list as offices send it, of any size, for timing `tiendo units import`: the
// benchmark province (bench/lib/province.ts, the demo's Bến Tre repeated) cut to exactly N units,
// with the contacts an office fills in, rows grouped by Phòng as the Sở's staff keep them, the
// Phòng's rows after their schools' (files are not sorted parents-first). 1,500 units is a
// province; 45,000 is the whole country's schools in one file.
//
//   node --import tsx bench/lib/province-units.ts 45000 /tmp/units.xlsx   writes the file
//   node --import tsx bench/lib/province-units.ts 45000 --measure          times the import's planning
import { writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { toCsv } from '../../adapters/export/csv.ts';
import { toXlsx } from '../../adapters/export/xlsx.ts';
import { readUnitSheet, unitExportTable, type SheetFormat } from '../../adapters/files/unit-sheet.ts';
import type { OrgUnit } from '../../engine/domain.ts';
import { planImport } from '../../engine/org/import-plan.ts';
import { readUnitTable } from '../../engine/org/unit-file.ts';
import { scaledProvince } from './province.ts';

/** Exactly `count` units, parents before children, placed (path, depth) as the store would. */
export function provinceUnits(count: number): OrgUnit[] {
  const inputs = scaledProvince(count).slice(0, count);
  const byId = new Map<string, OrgUnit>();
  return inputs.map((u, i) => {
    const parent = u.parentId ? byId.get(u.parentId) : undefined;
    const unit: OrgUnit = {
      ...u,
      path: `${parent?.path ?? '/'}${u.id}/`,
      depth: parent ? parent.depth + 1 : 0,
      // Most offices give an address and a number; some schools leave them empty.
      ...(i % 5 !== 4 ? { email: `${u.id}@bentre.edu.vn`, phone: `0275 ${String(3_800_000 + i).slice(0, 3)} ${String(i % 10_000).padStart(4, '0')}` } : {}),
      createdAt: 0,
    };
    byId.set(unit.id, unit);
    return unit;
  });
}

/** The file's bytes: the export's columns, rows in the order a Sở's staff keep them — each Phòng's
 * schools, then the Phòng, the Sở's own units last — so most children come before their parents. */
export async function provinceUnitFile(count: number, format: SheetFormat): Promise<Buffer> {
  const units = provinceUnits(count);
  const group = (u: OrgUnit) => (u.depth >= 2 ? u.path.split('/')[2]! : u.depth === 1 ? u.id : '\uffff');
  const order = new Map([...units].sort((a, b) => group(a).localeCompare(group(b)) || b.depth - a.depth).map((u, i) => [u.id, i]));
  const table = unitExportTable(units);
  table.rows.sort((a, b) => order.get(String(a.code))! - order.get(String(b.code))!);
  return format === 'xlsx' ? toXlsx(table) : toCsv(table);
}

async function measure(count: number): Promise<void> {
  for (const format of ['csv', 'xlsx'] as const) {
    const bytes = await provinceUnitFile(count, format);
    const t = performance.now();
    const table = await readUnitSheet(bytes, `province.${format}`);
    const readMs = performance.now() - t;
    const store = new Map(provinceUnits(count).map((u) => [u.id, u]));
    // The best of three: the first run pays for the JIT, and other processes share the machine.
    const best = (fn: () => unknown) => {
      let ms = Infinity;
      for (let i = 0; i < 3; i++) {
        const start = performance.now();
        fn();
        ms = Math.min(ms, performance.now() - start);
      }
      return ms;
    };
    const fresh = planImport(readUnitTable(table).rows, new Map(), table.file);
    const again = planImport(readUnitTable(table).rows, store, table.file);
    const planFreshMs = best(() => planImport(readUnitTable(table).rows, new Map(), table.file));
    const planAgainMs = best(() => planImport(readUnitTable(table).rows, store, table.file));
    const problems = fresh.problems.length + again.problems.length;
    process.stdout.write(
      `${count} units, ${format} (${(bytes.length / 1e6).toFixed(1)} MB): read ${readMs.toFixed(0)} ms; ` +
        `plan into an empty store ${planFreshMs.toFixed(0)} ms (${fresh.operations.length} adds); ` +
        `plan again over the stored units ${planAgainMs.toFixed(0)} ms (${again.operations.length} operations); problems ${problems}\n`,
    );
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const count = Number(process.argv[2] ?? 1_500);
  const target = process.argv[3] ?? '--measure';
  if (!Number.isInteger(count) || count < 1) throw new Error('give the number of units: province-units.ts 45000 FILE.csv|FILE.xlsx|--measure');
  if (target === '--measure') await measure(count);
  else writeFileSync(target, await provinceUnitFile(count, /\.xlsx$/i.test(target) ? 'xlsx' : 'csv'));
}
