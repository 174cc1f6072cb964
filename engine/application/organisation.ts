// Reshaping the org tree while work runs (cơ cấu lại tổ chức): the 2025 reform abolished the Phòng,
// merged provinces and communes. Every operation is checked in order over the tree as the earlier
// ones leave it (an overlay; nothing is written), every problem is reported with the operation it
// belongs to, and only a list without problems is applied — in one transaction (Store.reshape), with
// its audit record. A dry run answers the same report without applying it.
import type { OrgUnitKind } from '../definition/types.generated.ts';
import type { AuditEntry, OrgChange, OrgUnit } from '../domain.ts';
import type { Engine } from '../service/engine.ts';
import { isUnitId, placementProblem, UNIT_KINDS } from '../service/org.ts';
import type { OrgOperation, ReshapeProblem, ReshapeReport } from './org-commands.ts';
import { auditEntry, commonPath } from './audit-entry.ts';
import { covers, type Principal } from './policy.ts';

export interface ReshapeOptions {
  /** Required when anything is moved, merged, renamed, re-kinded or closed. */
  reason?: string;
  dryRun?: boolean;
  /** The file the operations came from (`tiendo units import`, the UI's import). */
  file?: string;
}

/** Operations that change what a unit is or where it sits: they need a reason. */
const needsReason = (o: OrgOperation) =>
  o.op === 'move' || o.op === 'merge' || o.op === 'close' || (o.op === 'update' && (o.name !== undefined || o.kind !== undefined));

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const LOCAL: readonly OrgUnitKind[] = ['district-office', 'commune'];

export class Organisation {
  constructor(private readonly engine: Engine) {}

  /**
   * What lies under a unit as the list so far leaves the tree: the store's count, less the subtrees
   * moved out of it earlier in the list, plus those moved into it (the Phòng closed after its schools
   * went to the communes holds nothing by then).
   */
  private async workUnder(plan: Overlay, unit: OrgUnit): Promise<Footprint> {
    const stored = plan.storedPath(unit);
    const { out, into } = plan.movedAcross(stored, unit.path);
    const [here, ...others] = await Promise.all([stored, ...out, ...into].map((path) => this.engine.queries.footprint([path])));
    const sum = { ...here! };
    others.forEach((f, i) => {
      const sign = i < out.length ? -1 : 1;
      for (const k of ['units', 'runningInstances', 'openTasks', 'pendingEscalations', 'grants'] as const) sum[k] += sign * f[k];
    });
    return sum;
  }

  async reshape(p: Principal, operations: readonly OrgOperation[], options: ReshapeOptions = {}): Promise<ReshapeReport> {
    const plan = new Overlay(this.engine);
    // One read for every unit the list names (an import of a country names 45,000), not one each.
    await plan.preload(operations.flatMap((o) => [o.id, ...('parentId' in o && o.parentId ? [o.parentId] : []), ...('intoId' in o ? [o.intoId] : [])]));
    const report: ReshapeReport = {
      dryRun: options.dryRun ?? false,
      applied: false,
      problems: [],
      added: [],
      updated: [],
      moved: [],
      merged: [],
      closed: [],
      touches: { runningInstances: 0, openTasks: 0, pendingEscalations: 0, grants: 0, sampleInstanceIds: [] },
    };
    const reason = options.reason?.trim() ?? '';
    const firstNeeding = operations.findIndex(needsReason);
    if (firstNeeding >= 0 && !reason) {
      const o = operations[firstNeeding]!;
      report.problems.push(problem(firstNeeding, o, 'REASON_REQUIRED', 'moving, merging, renaming or closing a unit needs a reason (lý do)', {}));
    }
    const at = this.engine.clock.now();
    const change: OrgChange = { put: [], updates: [], moves: [], merges: [], closes: [], at, actor: p.user.login, reason, audit: [] };
    const touched: string[] = [];
    const audit = (action: AuditEntry['action'], unit: OrgUnit, details: Record<string, unknown>) =>
      change.audit.push(auditEntry(p, at, { action, unit, target: unit.id, reason, details }));

    for (const [index, o] of operations.entries()) {
      const fail = (code: string, message: string, params: Record<string, unknown> = {}) => void report.problems.push(problem(index, o, code, message, params));
      // A unit the caller may reshape: outside their units it does not exist (as everywhere).
      const reach = async (id: string, what = 'unit'): Promise<OrgUnit | undefined> => {
        const unit = await plan.get(id);
        if (!unit || !covers(p, 'read', unit.path)) return void fail('NOT_FOUND', `no ${what} "${id}"`, { id });
        if (unit.closedAt !== undefined) return void fail('UNIT_CLOSED', `unit "${id}" is closed`, { id });
        if (!covers(p, 'administer', unit.path)) return void fail('FORBIDDEN', `this needs an administrator role on "${unit.name}" or a unit above it`, { id });
        return unit;
      };
      switch (o.op) {
        case 'add': {
          if (!isUnitId(o.id)) {
            fail('BAD_CODE', `"${String(o.id)}" cannot be a unit code: letters, digits, _ and - only, at most 64`, { id: o.id });
            break;
          }
          if (!UNIT_KINDS.includes(o.kind)) {
            fail('UNKNOWN_KIND', `"${String(o.kind)}" is not a unit kind`, { kind: o.kind, allowed: UNIT_KINDS });
            break;
          }
          if (!o.name?.trim()) fail('EMPTY_NAME', 'a unit needs a name', {});
          if (o.email && !EMAIL.test(o.email)) fail('BAD_EMAIL', `"${o.email}" is not an e-mail address`, { email: o.email });
          if (await plan.get(o.id)) {
            fail('DUPLICATE_CODE', `a unit "${o.id}" exists already`, { id: o.id });
            break;
          }
          let parent: OrgUnit | undefined;
          if (o.parentId !== undefined) {
            parent = await reach(o.parentId, 'parent unit');
            if (!parent) break;
          } else if (!covers(p, 'administer', '/')) {
            fail('FORBIDDEN', 'a unit at the top of the tree needs the system (tiendo units import)', {});
            break;
          }
          const placed = placementProblem(o.kind, parent?.kind);
          if (placed) {
            fail(placed.code, `a ${o.kind} cannot sit under ${parent ? `a ${parent.kind}` : 'nothing'}`, {
              kind: o.kind,
              parentKind: parent?.kind ?? null,
              allowed: placed.allowed,
            });
            break;
          }
          if (report.problems.some((x) => x.index === index)) break;
          const unit: OrgUnit = {
            id: o.id,
            ...(parent ? { parentId: parent.id } : {}),
            kind: o.kind,
            name: o.name.trim(),
            path: `${parent?.path ?? '/'}${o.id}/`,
            depth: parent ? parent.depth + 1 : 0,
            ...(o.levels?.length ? { levels: o.levels } : {}),
            ...(o.email ? { email: o.email } : {}),
            ...(o.phone ? { phone: o.phone } : {}),
            createdAt: at,
          };
          plan.add(unit);
          change.put.push(unit);
          report.added.push({ id: unit.id, name: unit.name, ...(unit.parentId ? { parentId: unit.parentId } : {}), kind: unit.kind });
          audit('unit.add', unit, { name: unit.name, kind: unit.kind, parentId: unit.parentId ?? null });
          break;
        }
        case 'update': {
          const unit = await reach(o.id);
          if (!unit) break;
          const changes: Record<string, { from: unknown; to: unknown }> = {};
          const fields: OrgChange['updates'][number]['fields'] = {};
          if (o.name !== undefined && o.name.trim() !== unit.name) {
            if (!o.name.trim()) fail('EMPTY_NAME', 'a unit needs a name', {});
            else ((changes.name = { from: unit.name, to: o.name.trim() }), (fields.name = o.name.trim()));
          }
          if (o.kind !== undefined && o.kind !== unit.kind) {
            const parent = unit.parentId ? await plan.get(unit.parentId) : undefined;
            const placed = UNIT_KINDS.includes(o.kind) ? placementProblem(o.kind, parent?.kind) : { code: 'UNKNOWN_KIND', allowed: UNIT_KINDS };
            const children = await plan.children(unit);
            const orphan = children.find((c) => placementProblem(c.kind, o.kind));
            if (placed) fail(placed.code, `a ${o.kind} cannot sit under ${parent ? `a ${parent.kind}` : 'nothing'}`, { kind: o.kind, allowed: placed.allowed });
            else if (orphan) fail('BAD_PARENT_KIND', `"${orphan.name}" (${orphan.kind}) cannot sit under a ${o.kind}`, { child: orphan.id });
            else ((changes.kind = { from: unit.kind, to: o.kind }), (fields.kind = o.kind));
          }
          if (o.levels !== undefined && JSON.stringify(o.levels ?? []) !== JSON.stringify(unit.levels ?? []))
            ((changes.levels = { from: unit.levels ?? null, to: o.levels }), (fields.levels = o.levels));
          if (o.email !== undefined && (o.email ?? undefined) !== unit.email) {
            if (o.email && !EMAIL.test(o.email)) fail('BAD_EMAIL', `"${o.email}" is not an e-mail address`, { email: o.email });
            else ((changes.email = { from: unit.email ?? null, to: o.email }), (fields.email = o.email));
          }
          if (o.phone !== undefined && (o.phone ?? undefined) !== unit.phone)
            ((changes.phone = { from: unit.phone ?? null, to: o.phone }), (fields.phone = o.phone));
          if (!Object.keys(changes).length || report.problems.some((x) => x.index === index)) break;
          plan.update(unit.id, fields);
          change.updates.push({ unitId: unit.id, fields });
          report.updated.push({ id: unit.id, changes });
          audit('unit.update', unit, { changes });
          break;
        }
        case 'move': {
          const unit = await reach(o.id);
          const parent = await reach(o.parentId, 'parent unit');
          if (!unit || !parent || unit.parentId === parent.id) break;
          if (parent.path.startsWith(unit.path)) {
            fail('CYCLE', `"${unit.name}" cannot move under "${parent.name}", which lies under it`, { id: unit.id, parentId: parent.id });
            break;
          }
          const placed = placementProblem(unit.kind, parent.kind);
          if (placed) {
            fail(placed.code, `a ${unit.kind} cannot sit under a ${parent.kind}`, { kind: unit.kind, parentKind: parent.kind, allowed: placed.allowed });
            break;
          }
          touched.push(plan.storedPath(unit));
          const fromParentId = unit.parentId;
          const move = plan.move(unit, parent);
          change.moves.push(move);
          report.moved.push({ id: unit.id, name: unit.name, ...(fromParentId ? { fromParentId } : {}), toParentId: parent.id, units: await plan.sizeOf(unit) });
          audit(
            'unit.move',
            { ...unit, path: move.toPath },
            { fromParentId: fromParentId ?? null, toParentId: parent.id, fromPath: move.fromPath, toPath: move.toPath },
          );
          break;
        }
        case 'merge': {
          const from = await reach(o.id);
          const into = await reach(o.intoId, 'unit to merge into');
          if (!from || !into) break;
          if (from.id === into.id || into.path.startsWith(from.path)) {
            fail('CYCLE', `"${from.name}" cannot merge into "${into.name}", which lies under it`, { id: from.id, intoId: into.id });
            break;
          }
          if (from.kind !== into.kind && !(LOCAL.includes(from.kind) && LOCAL.includes(into.kind))) {
            fail('MERGE_KIND', `a ${from.kind} merges into a unit of the same kind, not a ${into.kind}`, { kind: from.kind, intoKind: into.kind });
            break;
          }
          const children = await plan.children(from);
          const misplaced = children.filter((c) => placementProblem(c.kind, into.kind));
          if (misplaced.length) {
            fail('BAD_PARENT_KIND', `${misplaced.map((c) => `"${c.name}"`).join(', ')} cannot sit under a ${into.kind}`, {
              children: misplaced.map((c) => c.id),
            });
            break;
          }
          const conflicts = await this.engine.queries.mergeConflicts(from.id, into.id);
          if (conflicts.length) {
            fail(
              'MERGE_CONFLICT',
              `both units run ${conflicts.map((c) => c.definitionId).join(', ')}${conflicts.some((c) => c.campaignId) ? ' in the same campaign' : ''}: cancel one of each pair first`,
              { conflicts },
            );
            break;
          }
          touched.push(plan.storedPath(from));
          for (const child of children) change.moves.push(plan.move(child, into));
          plan.close(from, into.id);
          change.merges.push({ fromId: from.id, fromPath: from.path, intoId: into.id, intoPath: into.path });
          report.merged.push({ id: from.id, name: from.name, intoId: into.id, intoName: into.name });
          audit('unit.merge', from, { intoId: into.id, children: children.map((c) => c.id) });
          break;
        }
        case 'close': {
          const unit = await reach(o.id);
          if (!unit) break;
          const here = await this.workUnder(plan, unit);
          if (here.runningInstances || here.openTasks) {
            fail(
              'UNIT_HAS_RUNNING_WORK',
              `"${unit.name}" has ${here.runningInstances} running instance(s) and ${here.openTasks} open task(s) under it: cancel them or move the units first`,
              { runningInstances: here.runningInstances, openTasks: here.openTasks, sampleInstanceIds: here.sampleInstanceIds.slice(0, 10) },
            );
            break;
          }
          touched.push(plan.storedPath(unit));
          plan.close(unit);
          report.closed.push({ id: unit.id, name: unit.name, units: here.units });
          audit('unit.close', unit, { units: here.units, grantsEnded: here.grants });
          break;
        }
        default:
          fail('UNKNOWN_OPERATION', `"${String((o as { op?: unknown }).op)}" is not an operation`, { allowed: ['add', 'update', 'move', 'merge', 'close'] });
      }
    }

    const footprint = await this.engine.queries.footprint([...new Set(touched)]);
    report.touches = {
      runningInstances: footprint.runningInstances,
      openTasks: footprint.openTasks,
      pendingEscalations: footprint.pendingEscalations,
      grants: footprint.grants,
      sampleInstanceIds: footprint.sampleInstanceIds,
    };
    if (report.problems.length || report.dryRun) return report;
    // Merges and closes name the units where they end up after every move of the list.
    change.merges = await Promise.all(
      change.merges.map(async (m) => ({ ...m, fromPath: (await plan.get(m.fromId))!.path, intoPath: (await plan.get(m.intoId))!.path })),
    );
    change.closes = plan.closed().map((c) => ({ unitId: c.unit.id, path: c.unit.path, ...(c.mergedInto ? { mergedInto: c.mergedInto } : {}) }));
    if (options.file) {
      const top = change.put[0] ?? (operations[0] ? await plan.get(operations[0].id) : undefined);
      change.audit.push(
        auditEntry(p, at, {
          action: 'units.import',
          ...(top ? { unit: top } : {}),
          unitPath: commonPath(change.audit.map((a) => a.unitPath)),
          target: options.file,
          reason,
          details: {
            added: report.added.length,
            updated: report.updated.length,
            moved: report.moved.length,
            merged: report.merged.length,
            closed: report.closed.length,
          },
        }),
      );
    }
    if (!change.put.length && !change.updates.length && !change.moves.length && !change.merges.length && !change.closes.length)
      return { ...report, applied: true };
    await this.engine.reshapeUnits(change);
    return { ...report, applied: true };
  }
}

type Footprint = Awaited<ReturnType<Engine['queries']['footprint']>>;

function problem(index: number, o: OrgOperation, code: string, message: string, params: Record<string, unknown>): ReshapeProblem {
  return { index, code, message, ...(o.source ? { source: o.source } : {}), params };
}

/**
 * The tree as the operations so far leave it, read from the store as needed: units added, updated,
 * moved (their subtrees' paths rewritten, for units read later too) and closed.
 */
class Overlay {
  private readonly units = new Map<string, OrgUnit | null>();
  /** Each unit's path in the store, for the queries that measure what an operation touches. */
  private readonly stored = new Map<string, string>();
  private readonly rewrites: { from: string; to: string }[] = [];
  /** Every unit moved so far, by the path it has in the store. */
  private readonly moved: { unitId: string; storedFrom: string }[] = [];
  private readonly closedPaths: { unit: OrgUnit; mergedInto?: string }[] = [];

  constructor(private readonly engine: Engine) {}

  async get(id: string): Promise<OrgUnit | undefined> {
    if (!this.units.has(id)) {
      const unit = await this.engine.store.getUnit(id);
      this.units.set(id, unit ? this.current(unit) : null);
      if (unit) this.stored.set(id, unit.path);
    }
    return this.units.get(id) ?? undefined;
  }

  async preload(ids: readonly string[]): Promise<void> {
    const missing = [...new Set(ids)].filter((id) => typeof id === 'string' && !this.units.has(id));
    for (let i = 0; i < missing.length; i += 500) {
      const batch = missing.slice(i, i + 500);
      const found = new Map((await this.engine.store.getUnits(batch)).map((u) => [u.id, u]));
      for (const id of batch) {
        const unit = found.get(id);
        this.units.set(id, unit ? this.current(unit) : null);
        if (unit) this.stored.set(id, unit.path);
      }
    }
  }

  storedPath(unit: OrgUnit): string {
    return this.stored.get(unit.id) ?? unit.path;
  }

  add(unit: OrgUnit): void {
    this.units.set(unit.id, unit);
  }

  update(id: string, fields: OrgChange['updates'][number]['fields']): void {
    const unit = this.units.get(id);
    if (!unit) return;
    const next: OrgUnit = { ...unit };
    if (fields.name !== undefined) next.name = fields.name;
    if (fields.kind !== undefined) next.kind = fields.kind;
    if (fields.levels !== undefined) fields.levels === null ? delete next.levels : (next.levels = fields.levels);
    if (fields.email !== undefined) fields.email === null ? delete next.email : (next.email = fields.email);
    if (fields.phone !== undefined) fields.phone === null ? delete next.phone : (next.phone = fields.phone);
    this.units.set(id, next);
  }

  /** The units directly under a unit now: those in the store, less the ones moved away, plus the ones moved or added here. */
  async children(unit: OrgUnit): Promise<OrgUnit[]> {
    const stored = this.stored.has(unit.id) ? await this.engine.queries.childUnits(unit.id) : [];
    for (const c of stored) await this.get(c.id);
    return [...this.units.values()].filter((u): u is OrgUnit => !!u && u.parentId === unit.id && u.closedAt === undefined);
  }

  /** How many open units lie under a unit (itself included), as the store has them. */
  async sizeOf(unit: OrgUnit): Promise<number> {
    return this.engine.store.countUnitsUnder(this.storedPath(unit), []);
  }

  /** The subtrees moved out of a unit (by store path) and into it (by where they are now), outermost only. */
  movedAcross(stored: string, current: string): { out: string[]; into: string[] } {
    const now = (id: string) => this.units.get(id)?.path ?? '';
    const out = this.moved.filter((m) => m.storedFrom.startsWith(stored) && !now(m.unitId).startsWith(current)).map((m) => m.storedFrom);
    const into = this.moved.filter((m) => !m.storedFrom.startsWith(stored) && now(m.unitId).startsWith(current)).map((m) => m.storedFrom);
    const outermost = (paths: string[]) => [...new Set(paths)].filter((p, _, all) => !all.some((q) => q !== p && p.startsWith(q)));
    return { out: outermost(out), into: outermost(into) };
  }

  move(unit: OrgUnit, parent: OrgUnit): OrgChange['moves'][number] {
    this.moved.push({ unitId: unit.id, storedFrom: this.storedPath(unit) });
    const fromPath = unit.path;
    const toPath = `${parent.path}${unit.id}/`;
    this.rewrites.push({ from: fromPath, to: toPath });
    for (const [id, u] of this.units) if (u && u.path.startsWith(fromPath)) this.units.set(id, this.rewrite(u, fromPath, toPath));
    this.units.set(unit.id, { ...this.units.get(unit.id)!, parentId: parent.id });
    return { unitId: unit.id, parentId: parent.id, fromPath, toPath };
  }

  close(unit: OrgUnit, mergedInto?: string): void {
    this.closedPaths.push({ unit, ...(mergedInto ? { mergedInto } : {}) });
    for (const [id, u] of this.units) if (u && u.path.startsWith(unit.path)) this.units.set(id, { ...u, closedAt: 0 });
  }

  /** The closed units where they end up (a later move may have carried one along). */
  closed(): { unit: OrgUnit; mergedInto?: string }[] {
    return this.closedPaths.map((c) => ({ ...c, unit: this.units.get(c.unit.id) ?? c.unit }));
  }

  /** A unit read from the store, as the operations so far have left it. */
  private current(unit: OrgUnit): OrgUnit {
    let u = unit;
    for (const r of this.rewrites) if (u.path.startsWith(r.from)) u = this.rewrite(u, r.from, r.to);
    if (this.closedPaths.some((c) => u.path.startsWith(c.unit.path))) u = { ...u, closedAt: 0 };
    return u;
  }

  private rewrite(u: OrgUnit, from: string, to: string): OrgUnit {
    const path = to + u.path.slice(from.length);
    return { ...u, path, depth: path.split('/').length - 3 };
  }
}
