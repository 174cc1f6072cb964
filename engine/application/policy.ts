// Who may do what: the one rule table every entry point goes through (HTTP, CLI, cohort operations,
// campaigns, loaders). Pure functions over the caller's grants, the compiled process and the unit
// chain; the application layer (application.ts) asks them before any command and turns a refusal
// into an error. Stated once, here:
//
//   | act                                   | needs                                                          |
//   |---------------------------------------|----------------------------------------------------------------|
//   | read an instance, its tasks, its board | a role on a unit at or above the instance's unit (`read`)      |
//   | send an event                         | `work` over the owner unit of every active stage that accepts  |
//   |                                       | it — in a parallel stage, that track's stage, not any stage    |
//   | tick an evidence item                 | `work` over the owner of the active stage holding the item     |
//   | set an anchor date                    | `work` over the owner of every stage whose deadline counts     |
//   |                                       | from it (any active stage's owner when no deadline does)       |
//   | complete a task                       | `work` over the unit holding the task (a cohort reassign moves |
//   |                                       | it, even outside the instance's subtree)                       |
//   | cancel an instance                    | `administer` over the instance's unit                          |
//   | cohort extend / reassign / cancel /   | `administer` over the owner unit of the work it touches: the   |
//   | migrate                               | extended stage, each moved task (and the receiving unit), every|
//   |                                       | active stage of a cancelled or migrated instance; the rest is  |
//   |                                       | excluded, and the dry run says why                             |
//   | publish a new process                 | `administer` anywhere; it belongs to the publisher's top unit  |
//   | publish a next version                | `administer` over the unit the process belongs to (the library |
//   |                                       | shipped with Tiến độ belongs to the top of the tree)           |
//   | launch a campaign                     | `administer` over its root unit                                |
//   | watch the board, acknowledge          | `watch` over the unit                                          |
//   | remind (đôn đốc) instances, acknowledge| `watch` over each instance's unit, every id checked before any |
//   | several escalations                   | is written (one outside: 404 for it, nothing written)          |
//   | read the service's metrics            | `administer` over a top unit (the counts cover the whole tree) |
//   | see or manage a user account (list,   | `administer` over the user's home unit; a user with no home    |
//   | edit, deactivate, reset password)     | unit: over every unit the user holds a grant on (`managesUser`)|
//   |                                       | — a user in the caller's units otherwise is refused (403); any |
//   |                                       | other does not exist (404, like a missing one)                 |
//   | give a user a home unit, create one   | `administer` over that unit (`requireAdministered`)            |
//   | grant or remove a role                | `administer` over the grant's unit: 403 naming the unit when   |
//   |                                       | the caller sees it, 404 when it lies outside their units       |
//   | deactivate an account                 | not one's own (`requireNotSelf`)                               |
//   | remove a grant                        | not one's own last administrator grant (`requireKeepsAdmin`)   |
//   | create accounts in bulk               | `administer` over every school they are for                    |
//   | list, download attachments; read a    | `read` over the instance                                       |
//   | stage's comments                      |                                                                |
//   | attach a file to a task / an item     | as completing the task / ticking the item, while it is open    |
//   | remove an attachment                  | its uploader, while its task (its item's stage) is open        |
//   | write a comment on a stage            | `work` over the instance's unit or over the owner unit of any  |
//   |                                       | stage of its process (the reviewing units above)               |
//
// Outside the caller's read scope and not existing get the same answer (NOT_FOUND), with a message
// that names only what the caller sent; inside it, a refusal (FORBIDDEN) names roles and stage
// titles, never a unit the caller cannot see.
import { nameKey } from '../definition/names.ts';
import { scopeOf, within, type Ability, type Grant } from '../access.ts';
import { dueAnchors, type CompiledProcess } from '../definition/compile.ts';
import type { Instance, OrgUnit, Task, User } from '../domain.ts';
import { EngineError } from '../errors.ts';
import { unitHolding, type UnitChain } from '../service/roles.ts';

/** Who is acting: a signed-in person, a token, or the system itself (loaders, the CLI). */
export interface Principal {
  user: Pick<User, 'id' | 'login' | 'name'>;
  grants: readonly Grant[];
}

/** The system: what Tiến độ does by itself or on its operator's command (publishing the library,
 * loading units, the demo, `tiendo simulate`). Its scope is the whole tree. */
export function systemPrincipal(login = 'system', name = 'Hệ thống'): Principal {
  return {
    user: { id: login, login, name },
    grants: ['admin', 'supervisor', 'staff'].map((role) => ({ role: role as Grant['role'], unitId: '', unitPath: '/' })),
  };
}

export function scope(principal: Principal, ability: Ability): string[] {
  return scopeOf(principal.grants, ability);
}

export function covers(principal: Principal, ability: Ability, unitPath: string): boolean {
  return within(scope(principal, ability), unitPath);
}

/** The answer for "outside your units" and for "does not exist": the same, naming only the id asked. */
export function notFound(what: string, details: Record<string, unknown> = {}): EngineError {
  return new EngineError('NOT_FOUND', `no ${what}`, details);
}

export function forbidden(message: string, details: Record<string, unknown> = {}): EngineError {
  return new EngineError('FORBIDDEN', message, details);
}

const NEEDS: Record<Ability, string> = {
  read: 'a role',
  work: 'a staff or administrator role',
  watch: 'a supervisor or administrator role',
  administer: 'an administrator role',
};

/** What an ability needs, in words, for a refusal. */
export function needs(ability: Ability): string {
  return NEEDS[ability];
}

/** Whether the caller manages a user's account: their home unit lies in the caller's administer
 * scope; a user with no home unit, only when every grant of theirs does (and they have one). */
export function managesUser(principal: Principal, homeUnitPath: string | undefined, grants: readonly Pick<Grant, 'unitPath'>[]): boolean {
  const roots = scope(principal, 'administer');
  if (homeUnitPath !== undefined) return within(roots, homeUnitPath);
  return grants.length > 0 && grants.every((g) => within(roots, g.unitPath));
}

/** Whether a user lies in the caller's units at all (home unit, or with none every grant, readable):
 * a refusal there is a 403; any other user does not exist. */
export function seesUser(principal: Principal, homeUnitPath: string | undefined, grants: readonly Pick<Grant, 'unitPath'>[]): boolean {
  const roots = scope(principal, 'read');
  if (homeUnitPath !== undefined) return within(roots, homeUnitPath);
  return grants.length > 0 && grants.every((g) => within(roots, g.unitPath));
}

/** A unit the caller acts on as an administrator (a grant's, a home unit): outside what they can see
 * it does not exist (404); seen but not administered, a refusal naming it (403). */
export function requireAdministered(principal: Principal, unit: Pick<OrgUnit, 'id' | 'name' | 'path'> | undefined, id: string, field: string): void {
  if (!unit || !covers(principal, 'read', unit.path)) throw notFound(`unit "${id}"`, { unitId: id, field });
  if (!covers(principal, 'administer', unit.path))
    throw forbidden(`you do not administer "${unit.name}" (${unit.id}); this needs ${needs('administer')} on it or a unit above it`, {
      ability: 'administer',
      unitId: unit.id,
      unitName: unit.name,
      field,
    });
}

/** One cannot deactivate one's own account (nobody would be left to turn it back on). */
export function requireNotSelf(principal: Principal, userId: string, act: string): void {
  if (principal.user.id === userId) throw forbidden(`you cannot ${act} your own account; ask another administrator`, { reason: 'SELF', field: 'id' });
}

/** One cannot remove one's own last administrator grant (the province would lose its administrator). */
export function requireKeepsAdmin(
  principal: Principal,
  userId: string,
  grants: readonly Pick<Grant, 'role' | 'unitId'>[],
  removing: { role: string; unitId: string },
): void {
  if (principal.user.id !== userId || removing.role !== 'admin') return;
  if (grants.filter((g) => g.role === 'admin' && g.unitId !== removing.unitId).length === 0)
    throw forbidden('you cannot remove your own last administrator grant; ask another administrator', { reason: 'LAST_ADMIN_GRANT', field: 'role' });
}

/** The unit holding a stage's owner role on this instance; the instance's own unit when no unit up
 * the tree holds it (as task rows do, engine/service/change.ts). */
export function ownerUnitOf(compiled: CompiledProcess, stage: string, chain: UnitChain): OrgUnit {
  const role = compiled.stages[stage]?.owner;
  const def = role ? compiled.roles[role] : undefined;
  return (def && unitHolding(def, chain)) ?? chain[0]!;
}

/** A stage the act touches, and whether the caller's scope covers its owner. */
export interface StageCheck {
  stage: string;
  /** The owner's role name (school, district, department…): named in refusals instead of a unit. */
  role: string;
  ownerUnitId: string;
  ownerUnitPath: string;
  covered: boolean;
}

function checkStages(principal: Principal, ability: Ability, compiled: CompiledProcess, chain: UnitChain, stages: readonly string[]): StageCheck[] {
  return [...new Set(stages)].map((stage) => {
    const unit = ownerUnitOf(compiled, stage, chain);
    return {
      stage,
      role: compiled.stages[stage]?.owner ?? 'school',
      ownerUnitId: unit.id,
      ownerUnitPath: unit.path,
      covered: covers(principal, ability, unit.path),
    };
  });
}

/** The active leaf stages that accept an event: each parallel track answers for itself. */
export function stagesAccepting(compiled: CompiledProcess, instance: Pick<Instance, 'stages'>, eventType: string): string[] {
  return instance.stages.filter((s) => compiled.stages[s]?.accepts.includes(eventType));
}

/** The active stages (leaves and the stages enclosing them) whose checklist holds the item. */
export function stagesHoldingEvidence(compiled: CompiledProcess, instance: Pick<Instance, 'stages'>, item: string): string[] {
  const active = new Set(instance.stages.flatMap((s) => [s, ...(compiled.stages[s]?.ancestors ?? [])]));
  return [...active].filter((s) => compiled.stages[s]?.evidence.some((e) => e.id === item));
}

/** The active stages (leaves and the stages enclosing them) that hold the task. */
export function stagesHoldingTask(compiled: CompiledProcess, instance: Pick<Instance, 'stages'>, task: string): string[] {
  const active = new Set(instance.stages.flatMap((s) => [s, ...(compiled.stages[s]?.ancestors ?? [])]));
  return [...active].filter((s) => compiled.stages[s]?.tasks.some((t) => t.id === task));
}

/** Every stage of the process whose deadline counts from the anchor, active or not. */
export function stagesAnchoredOn(compiled: CompiledProcess, anchor: string): string[] {
  return Object.values(compiled.stages)
    .filter((s) => dueAnchors(s.due).includes(anchor))
    .map((s) => s.id);
}

export type StageAct = { kind: 'event'; type: string } | { kind: 'evidence'; item: string } | { kind: 'anchor'; name: string } | { kind: 'task'; task: string };

/**
 * The stages an act on an instance touches, each checked against the caller's work scope. When no
 * stage is named by the act (an event no active stage accepts, an item no stage holds), the active
 * stages stand for it: their owners are the ones the engine's own refusal is for.
 */
export function stagesTouched(principal: Principal, compiled: CompiledProcess, instance: Instance, chain: UnitChain, act: StageAct): StageCheck[] {
  const named = stagesNamed(compiled, instance, act);
  if (act.kind === 'task' && named.length) return checkTask(principal, compiled, chain, named, act.task);
  return checkStages(principal, 'work', compiled, chain, named.length ? named : instance.stages);
}

function stagesNamed(compiled: CompiledProcess, instance: Instance, act: StageAct): string[] {
  switch (act.kind) {
    case 'event':
      return stagesAccepting(compiled, instance, act.type);
    case 'evidence':
      return stagesHoldingEvidence(compiled, instance, act.item);
    case 'anchor':
      return stagesAnchoredOn(compiled, act.name);
    case 'task':
      return stagesHoldingTask(compiled, instance, act.task);
  }
}

/** A task named by its id in the process: its own owner role (a task may be another unit's than its
 * stage's) holds it. */
function checkTask(principal: Principal, compiled: CompiledProcess, chain: UnitChain, stages: string[], task: string): StageCheck[] {
  return stages.map((stage) => {
    const role = compiled.stages[stage]!.tasks.find((t) => t.id === task)!.owner;
    const def = compiled.roles[role];
    const unit = (def && unitHolding(def, chain)) ?? chain[0]!;
    return { stage, role, ownerUnitId: unit.id, ownerUnitPath: unit.path, covered: covers(principal, 'work', unit.path) };
  });
}

/** Throws FORBIDDEN unless the caller may do the act: every stage it touches must be covered (with
 * none named, one of the active stages is enough). */
export function requireStageAct(principal: Principal, compiled: CompiledProcess, instance: Instance, chain: UnitChain, act: StageAct): void {
  if (!instance.stages.length) {
    if (covers(principal, 'work', instance.unitPath)) return;
    throw forbidden(`this needs ${needs('work')} on the unit`, { ability: 'work' });
  }
  const checks = stagesTouched(principal, compiled, instance, chain, act);
  const named = stagesNamed(compiled, instance, act).length > 0;
  const ok = named ? checks.every((c) => c.covered) : checks.some((c) => c.covered);
  if (ok) return;
  const theirs = checks.filter((c) => !c.covered);
  throw forbidden(
    `this is not yours to do: ${theirs.map((c) => `stage "${compiled.stages[c.stage]?.title.vi ?? c.stage}" is held by the ${c.role} role`).join('; ')}; it needs ${needs('work')} on the unit holding it`,
    {
      ability: 'work',
      stages: theirs.map((c) => ({ stage: c.stage, role: c.role })),
      names: Object.fromEntries(
        theirs
          .flatMap((c) => [
            [nameKey('stage', c.stage), compiled.stages[c.stage]?.title],
            [nameKey('role', c.role), compiled.roles[c.role]?.title],
          ])
          .filter(([, title]) => title),
      ),
    },
  );
}

/** Per active stage: whether the caller may act in it (send what it accepts, tick its checklist). */
export function actableStages(principal: Principal, compiled: CompiledProcess, instance: Instance, chain: UnitChain): Set<string> {
  return new Set(
    checkStages(principal, 'work', compiled, chain, instance.stages)
      .filter((c) => c.covered)
      .map((c) => c.stage),
  );
}

/** A task is the caller's to complete when they work over the unit holding it. */
export function mayWorkTask(principal: Principal, task: Pick<Task, 'ownerUnitPath'>): boolean {
  return covers(principal, 'work', task.ownerUnitPath);
}

/** Why a cohort operation leaves an instance alone: work held by a unit outside the caller's
 * administrative scope. Undefined when every stage it touches is the caller's. */
export function cohortExclusion(
  principal: Principal,
  compiled: CompiledProcess,
  instance: Instance,
  chain: UnitChain,
  stages: readonly string[],
): { code: 'OUTSIDE_SCOPE'; message: string; stages: { stage: string; role: string }[] } | undefined {
  const theirs = checkStages(principal, 'administer', compiled, chain, stages).filter((c) => !c.covered);
  if (!theirs.length) return undefined;
  return {
    code: 'OUTSIDE_SCOPE',
    message: `left alone: ${theirs.map((c) => `stage "${compiled.stages[c.stage]?.title.vi ?? c.stage}" is held by the ${c.role} role, above your units`).join('; ')}`,
    stages: theirs.map((c) => ({ stage: c.stage, role: c.role })),
  };
}

/**
 * Who may publish a version of a process. A new process belongs to the unit of the publisher's
 * widest administrator grant; its next versions are for administrators of that unit or above. The
 * library (published by the system, no owner unit) is the top of the tree's: administrators whose
 * grant is on a unit without a parent.
 */
export function mayPublish(principal: Principal, owner: { ownerUnitPath?: string } | undefined): boolean {
  const roots = scope(principal, 'administer');
  if (!roots.length) return false;
  if (!owner) return true;
  if (owner.ownerUnitPath === undefined) return administersTop(principal);
  return within(roots, owner.ownerUnitPath);
}

/** Whether the caller administers a unit at the top of the tree: the library's publishers, and
 * those who may read the service's metrics (their counts cover the whole tree). */
export function administersTop(principal: Principal): boolean {
  return scope(principal, 'administer').some((p) => p.split('/').filter(Boolean).length <= 1);
}

/** The unit a new process belongs to: the publisher's widest administrator grant (the system: none). */
export function publisherUnit(principal: Principal): Grant | undefined {
  return [...principal.grants]
    .filter((g) => g.role === 'admin' && g.unitId)
    .sort((a, b) => a.unitPath.length - b.unitPath.length || a.unitPath.localeCompare(b.unitPath))[0];
}

/** Who may write in a stage's comment thread: who acts on the instance — `work` over its unit, or
 * over the unit holding any stage of its process (the Phòng or Sở reviewing it from above). */
export function mayComment(principal: Principal, compiled: CompiledProcess, instance: Pick<Instance, 'unitPath'>, chain: UnitChain): boolean {
  if (covers(principal, 'work', instance.unitPath)) return true;
  return Object.keys(compiled.stages).some((s) => covers(principal, 'work', ownerUnitOf(compiled, s, chain).path));
}

/** An attachment is removed by whoever sent it, and only by them. */
export function mayRemoveAttachment(principal: Principal, attachment: { uploadedBy: string }): boolean {
  return principal.user.id === attachment.uploadedBy;
}
