// A province of any size for the benchmarks: the demo's Bến Tre (adapters/demo/province.ts, ~500
// schools) repeated — its Phòng with their schools, its THPT and centres — under one Sở, each copy's
// ids suffixed ("-2", "-3"…), until there are exactly the schools asked for.
import { generateProvince } from '../../adapters/demo/province.ts';
import type { UnitInput } from '../../engine/service/org.ts';

const NOT_SCHOOLS = new Set(['department', 'district-office', 'commune']);

export function isSchool(u: { kind: string }): boolean {
  return !NOT_SCHOOLS.has(u.kind);
}

/** The Sở, then each copy's units parents first; exactly `schools` schools (the last copy cut short). */
export function scaledProvince(schools: number): UnitInput[] {
  const base = generateProvince();
  const department = base.find((u) => u.kind === 'department')!;
  const rest = base.filter((u) => u !== department);
  const out: UnitInput[] = [department];
  const taken = new Set([department.id]);
  let count = 0;
  for (let copy = 1; count < schools; copy++) {
    const ids = new Map<string, string>([[department.id, department.id]]);
    for (const u of rest) {
      const id = copyId(u.id, copy, taken);
      ids.set(u.id, id);
      if (isSchool(u)) {
        if (count >= schools) continue;
        count++;
      }
      out.push({ ...u, id, ...(u.parentId ? { parentId: ids.get(u.parentId)! } : {}), name: copy === 1 ? u.name : `${u.name} (${copy})` });
    }
  }
  return out;
}

function copyId(id: string, copy: number, taken: Set<string>): string {
  let out = copy === 1 ? id : `${id.slice(0, 64 - `-${copy}`.length)}-${copy}`;
  for (let n = 2; taken.has(out); n++) out = `${id.slice(0, 64 - `-${copy}x${n}`.length)}-${copy}x${n}`;
  taken.add(out);
  return out;
}
