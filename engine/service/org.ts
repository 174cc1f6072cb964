// The org tree: units are added under a parent that exists (or comes earlier in the same batch),
// and each gets its materialised path, so "everything under this unit" is one prefix match.
import type { OrgUnitKind } from '../definition/types.generated.ts';
import { EngineError } from '../errors.ts';
import type { OrgUnit } from '../domain.ts';

export interface UnitInput {
  id: string;
  parentId?: string;
  kind: OrgUnitKind;
  name: string;
  levels?: string[];
}

export const UNIT_KINDS: readonly OrgUnitKind[] = [
  'ministry',
  'department',
  'district-office',
  'commune',
  'preschool',
  'primary',
  'lower-secondary',
  'upper-secondary',
  'multi-level',
  'continuing-education',
];

/** Letters, digits, `_` and `-`: ids go into paths ("/") and timer ids ("."). */
const UNIT_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** Places a batch of units in the tree; `known` looks up parents already stored. */
export function placeUnits(inputs: readonly UnitInput[], known: ReadonlyMap<string, OrgUnit>, at: number): OrgUnit[] {
  const placed = new Map<string, OrgUnit>();
  const pending = [...inputs];
  inputs.forEach((u, i) => checkUnit(u, `units[${i}]`));
  while (pending.length) {
    const before = pending.length;
    for (let i = 0; i < pending.length;) {
      const u = pending[i]!;
      const parent = u.parentId === undefined ? undefined : (placed.get(u.parentId) ?? known.get(u.parentId));
      if (u.parentId !== undefined && !parent) {
        i++;
        continue;
      }
      placed.set(u.id, {
        id: u.id,
        ...(u.parentId ? { parentId: u.parentId } : {}),
        kind: u.kind,
        name: u.name,
        path: `${parent?.path ?? '/'}${u.id}/`,
        depth: parent ? parent.depth + 1 : 0,
        ...(u.levels ? { levels: u.levels } : {}),
        createdAt: at,
      });
      pending.splice(i, 1);
    }
    if (pending.length === before) {
      const u = pending[0]!;
      throw new EngineError('NOT_FOUND', `unit "${u.id}": no parent unit "${u.parentId}"`, { field: 'parentId', id: u.id, parentId: u.parentId });
    }
  }
  return [...placed.values()];
}

function checkUnit(u: UnitInput, where: string): void {
  if (typeof u.id !== 'string' || !UNIT_ID.test(u.id))
    throw new EngineError('INVALID_ARGUMENT', `${where}.id: "${String(u.id)}" is not a unit id (letters, digits, _ and -, at most 64)`, { field: 'id' });
  if (!UNIT_KINDS.includes(u.kind))
    throw new EngineError('INVALID_ARGUMENT', `${where}.kind: "${String(u.kind)}" is not a unit kind; kinds are: ${UNIT_KINDS.join(', ')}`, {
      field: 'kind',
      allowed: UNIT_KINDS,
    });
  if (typeof u.name !== 'string' || !u.name.trim()) throw new EngineError('INVALID_ARGUMENT', `${where}.name is required`, { field: 'name' });
}

/** Schools and centres: the units that do the work, never above another unit. */
export const SCHOOL_KINDS: readonly OrgUnitKind[] = ['preschool', 'primary', 'lower-secondary', 'upper-secondary', 'multi-level', 'continuing-education'];

/** Offices between the Sở and its schools: Phòng GDĐT until 30/6/2025, UBND cấp xã from 1/7/2025. */
const LOCAL_KINDS: readonly OrgUnitKind[] = ['district-office', 'commune'];

/**
 * Which kinds a unit of this kind may sit under (none: at the top). Both shapes of the tree hold:
 * Sở → Phòng → school and, from 1/7/2025, Sở → commune → school, with THPT, GDNN-GDTX and special
 * schools straight under the Sở; a ministry (Bộ) above the Sở where a deployment keeps one.
 */
export function parentKindsOf(kind: OrgUnitKind): readonly (OrgUnitKind | 'none')[] {
  if (kind === 'ministry') return ['none'];
  if (kind === 'department') return ['none', 'ministry'];
  if (LOCAL_KINDS.includes(kind)) return ['department'];
  return ['ministry', 'department', ...LOCAL_KINDS];
}

/** Why a unit of `kind` cannot sit under a unit of `parentKind` (undefined: it can). */
export function placementProblem(kind: OrgUnitKind, parentKind: OrgUnitKind | undefined): { code: string; allowed: readonly string[] } | undefined {
  const allowed = parentKindsOf(kind);
  if (allowed.includes(parentKind ?? 'none')) return undefined;
  const code = parentKind && SCHOOL_KINDS.includes(parentKind) && SCHOOL_KINDS.includes(kind) ? 'SCHOOL_UNDER_SCHOOL' : 'BAD_PARENT_KIND';
  return { code, allowed };
}

/** Whether an id can be a unit id. */
export function isUnitId(id: unknown): id is string {
  return typeof id === 'string' && UNIT_ID.test(id);
}
