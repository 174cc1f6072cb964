// An audit record entry (nhật ký quản trị) as every part of the application layer writes one: who
// acted, on which unit (its path scopes who may read it), what, on what, why, and what changed.
import type { AuditAction, AuditEntry, OrgUnit } from '../domain.ts';
import type { Principal } from './policy.ts';

export function auditEntry(
  p: Principal,
  at: number,
  what: { action: AuditAction; unit?: Pick<OrgUnit, 'id' | 'path'>; unitPath?: string; target: string; reason?: string; details: Record<string, unknown> },
): AuditEntry {
  const reason = what.reason?.trim();
  return {
    at,
    actorId: p.user.id,
    actorLogin: p.user.login,
    actorName: p.user.name,
    ...(what.unit?.id ? { unitId: what.unit.id } : {}),
    unitPath: what.unitPath ?? what.unit?.path ?? '/',
    action: what.action,
    target: what.target,
    ...(reason ? { reason } : {}),
    details: what.details,
  };
}

/** The deepest subtree every path lies under ("/" when they share nothing): where an act over
 * several units is recorded, so the administrators above all of them read it. */
export function commonPath(paths: readonly string[]): string {
  if (!paths.length) return '/';
  let common = paths[0]!;
  for (const p of paths) while (!p.startsWith(common)) common = common.slice(0, common.slice(0, -1).lastIndexOf('/') + 1);
  return common || '/';
}
