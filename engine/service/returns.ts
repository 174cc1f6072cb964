// When a move is a return (trả lại): a reviewer above sends the work back down to a stage the
// definition puts earlier — the Phòng's check back to the school's registration. Going back by one's
// own hand (a renewal, a new year's round) or up the tree (a correction resubmitted) is no return.
// Pure: the change builder sends the notice on it, the task page explains it.
import type { CompiledProcess } from '../definition/compile.ts';
import type { OrgUnit } from '../domain.ts';
import { unitHolding, type UnitChain } from './roles.ts';

/** The unit holding a stage's owner role on this chain (the instance's own unit when none does). */
export function stageOwnerUnit(compiled: CompiledProcess, stage: string, chain: UnitChain): OrgUnit {
  const role = compiled.stages[stage]?.owner;
  const def = role ? compiled.roles[role] : undefined;
  return (def && unitHolding(def, chain)) ?? chain[0]!;
}

/** Whether moving from `from` to `to` returns work: `to` has tasks, comes earlier, and its owner
 * lies below the owner of `from`. */
export function isReturn(compiled: CompiledProcess, from: string, to: string, chain: UnitChain): boolean {
  const order = Object.keys(compiled.stages);
  if (!compiled.stages[to]?.tasks.length) return false;
  const [i, j] = [order.indexOf(from), order.indexOf(to)];
  if (i < 0 || j < 0 || j >= i) return false;
  const above = stageOwnerUnit(compiled, from, chain).path;
  const below = stageOwnerUnit(compiled, to, chain).path;
  return below !== above && below.startsWith(above);
}
