// Who holds a role for an instance: the unit itself, its parent, or the Sở above it. Resolved on the
// unit's chain of ancestors, so an upper-secondary school (directly under the Sở) escalates "district"
// to the Sở, as it does on paper.
import type { Role } from '../definition/types.generated.ts';
import type { OrgUnit, Recipient } from '../domain.ts';

/** The unit and its ancestors, the unit first. */
export type UnitChain = readonly OrgUnit[];

export function unitHolding(role: Role, chain: UnitChain): OrgUnit | undefined {
  switch (role.unit) {
    case 'self':
      return chain[0];
    case 'parent':
      return chain[1];
    case 'department':
      return chain.find((u) => u.kind === 'department');
    case 'ministry':
      return chain.find((u) => u.kind === 'ministry');
  }
}

/** Each role to its unit; roles no unit holds (a school with no Sở above it) are left out. */
export function recipients(roleNames: readonly string[], roles: Readonly<Record<string, Role>>, chain: UnitChain): Recipient[] {
  const out: Recipient[] = [];
  for (const role of roleNames) {
    const unit = roles[role] ? unitHolding(roles[role], chain) : undefined;
    if (unit && !out.some((r) => r.role === role && r.unitId === unit.id)) out.push({ role, unitId: unit.id });
  }
  return out;
}

/** Ids on a path, root first: "/a/b/c/" → [a, b, c]. */
export function pathIds(path: string): string[] {
  return path.split('/').filter(Boolean);
}
