// Who may see and do what. A role is granted on an org unit and covers its subtree (a Phòng's
// supervisor sees every school under it). These are pure checks over the grants and materialised
// paths; the store turns the same paths into the WHERE clause of every scoped query.

export const ACCESS_ROLES = ['admin', 'supervisor', 'staff'] as const;
/** Quản trị (edits and publishes processes, launches campaigns), giám sát (watches the board), cán bộ (does the tasks). */
export type AccessRole = (typeof ACCESS_ROLES)[number];

export interface Grant {
  role: AccessRole;
  unitId: string;
  /** The unit's materialised path ("/so/pgd/"); the grant covers every path that starts with it. */
  unitPath: string;
}

/** What each kind of act needs. Reading covers every role; acting on work needs staff or admin. */
export const ABILITY = {
  read: ['admin', 'supervisor', 'staff'],
  work: ['admin', 'staff'],
  watch: ['admin', 'supervisor'],
  administer: ['admin'],
} as const satisfies Record<string, readonly AccessRole[]>;

export type Ability = keyof typeof ABILITY;

/**
 * The subtree roots the grants give for an ability, with roots nested in another dropped, so a
 * query ORs as few ranges as possible. Empty means "nothing".
 */
export function scopeOf(grants: readonly Grant[], ability: Ability): string[] {
  const roles: readonly AccessRole[] = ABILITY[ability];
  const paths = [...new Set(grants.filter((g) => roles.includes(g.role)).map((g) => g.unitPath))].sort((a, b) => a.length - b.length);
  return paths.filter((p, i) => !paths.slice(0, i).some((q) => p.startsWith(q)));
}

/** Whether a unit (by its path) lies in the scope. */
export function within(scope: readonly string[], unitPath: string): boolean {
  return scope.some((p) => unitPath.startsWith(p));
}

export function can(grants: readonly Grant[], ability: Ability, unitPath: string): boolean {
  return within(scopeOf(grants, ability), unitPath);
}

/**
 * The grants a token limited to some units' subtrees carries: each of the user's grants cut down to
 * where it meets those subtrees, role kept (a grant on the Phòng and a token limited to one of its
 * schools: the grant on that school; a grant below a token's unit: the grant as it is). Units that
 * meet no grant add nothing.
 */
export function narrowGrants(grants: readonly Grant[], units: readonly { unitId: string; unitPath: string }[]): Grant[] {
  const out = new Map<string, Grant>();
  for (const g of grants) {
    for (const u of units) {
      const met = u.unitPath.startsWith(g.unitPath)
        ? { role: g.role, unitId: u.unitId, unitPath: u.unitPath }
        : g.unitPath.startsWith(u.unitPath)
          ? g
          : undefined;
      if (met) out.set(`${met.role}@${met.unitId}`, met);
    }
  }
  return [...out.values()].sort((a, b) => a.unitPath.localeCompare(b.unitPath) || a.role.localeCompare(b.role));
}
