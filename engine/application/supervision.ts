// The supervisor's work on the overdue board beyond the counts: the list of late instances under a
// unit (most late first, with the managing office, the deadline and the working days late), the
// reminders (đôn đốc) sent to a selection of them, and escalations acknowledged several at once.
// The caller (application.ts) has already asked policy.ts for the root unit; each id a command
// names is checked here against the caller's units, all of them before anything is written.
import { localDateOf } from '../calendar/time.ts';
import type { Instance, OrgUnit } from '../domain.ts';
import { EngineError } from '../errors.ts';
import type { InstanceFilter } from '../ports.ts';
import type { Engine } from '../service/engine.ts';
import { reminderChange } from '../service/reminder.ts';
import { pathIds } from '../service/roles.ts';
import { covers, forbidden, needs, notFound, scope, type Principal } from './policy.ts';
import { processes, stageTitle } from './views.ts';

/** The most a list (or an export) carries; the total says how many there are. */
export const OVERDUE_MAX = 10_000;
const PAGE = 1000;
/** Unit kinds that manage schools: a school's "Phòng" is the nearest of them above it. */
const OFFICE_KINDS = new Set(['district-office', 'commune', 'department']);

export interface OverdueQuery {
  definitionId?: string;
  stage?: string;
  /** The unit's own instances, not its subtree's (the board's row for the root unit itself). */
  unitOnly?: boolean;
  limit?: number;
}

/** Running instances under `root` past their deadline, most working days late first. */
export async function overdueList(engine: Engine, root: OrgUnit, q: OverdueQuery) {
  const now = engine.clock.now();
  const filter: InstanceFilter = {
    ...(q.unitOnly ? { orgUnitId: root.id } : { underPath: root.path }),
    dueBefore: now,
    statuses: ['running'],
    ...(q.definitionId ? { definitionId: q.definitionId } : {}),
    ...(q.stage ? { stages: [q.stage] } : {}),
  };
  const found: Instance[] = [];
  for (let afterId: string | undefined; found.length < OVERDUE_MAX;) {
    const page = await engine.queries.listInstances(filter, { limit: PAGE, ...(afterId ? { afterId } : {}) });
    found.push(...page);
    if (page.length < PAGE) break;
    afterId = page.at(-1)!.id;
  }
  const units = new Map((await engine.store.getUnits([...new Set(found.flatMap((i) => pathIds(i.unitPath)))])).map((u) => [u.id, u]));
  const proc = await processes(engine, found);
  const today = localDateOf(now);
  const items = found
    .filter((i) => i.dueAt !== undefined)
    .map((i) => {
      const compiled = proc(i.definitionId, i.definitionVersion);
      const calendar = compiled ? engine.catalog.calendarOf(compiled) : [...engine.catalog.calendars.values()][0]!;
      const office = officeOf(i, units);
      return {
        instanceId: i.id,
        unitId: i.orgUnitId,
        unitName: units.get(i.orgUnitId)?.name ?? i.orgUnitId,
        unitPath: i.unitPath,
        officeId: office?.id ?? null,
        officeName: office?.name ?? null,
        definitionId: i.definitionId,
        processTitle: compiled?.title ?? { vi: i.definitionId, en: i.definitionId },
        stages: i.stages,
        stageTitles: i.stages.map((s) => stageTitle(compiled, s)),
        dueAt: i.dueAt!,
        // as the board counts them: a deadline passed today is one day late
        daysLate: Math.max(1, calendar.workingDaysBetween(localDateOf(i.dueAt!), today)),
      };
    })
    .sort((a, b) => b.daysLate - a.daysLate || a.dueAt - b.dueAt || a.unitName.localeCompare(b.unitName, 'vi'));
  const limit = Math.min(q.limit ?? OVERDUE_MAX, OVERDUE_MAX);
  return { root, asOf: now, total: items.length, items: items.slice(0, limit) };
}

/** The office that manages the instance's unit: the nearest Phòng (or commune, or the Sở) above it. */
function officeOf(i: Instance, units: Map<string, OrgUnit>): OrgUnit | undefined {
  const above = pathIds(i.unitPath).slice(0, -1).reverse();
  return above.map((id) => units.get(id)).find((u) => u && OFFICE_KINDS.has(u.kind));
}

/** The instances a command names, each in the caller's `watch` scope: any other — absent, or
 * outside the caller's units — is refused as absent (404) before anything is written; one the
 * caller only reads (a staff member's) is refused as forbidden (403). */
export async function watchedInstances(engine: Engine, p: Principal, ids: readonly string[]): Promise<Instance[]> {
  const unique = [...new Set(ids)];
  const found = await engine.queries.listInstances({ ids: unique, underPaths: scope(p, 'read') }, { limit: unique.length || 1 });
  const byId = new Map(found.map((i) => [i.id, i]));
  const missing = unique.find((id) => !byId.has(id));
  if (missing) throw notFound(`instance "${missing}"`, { instanceId: missing });
  const unwatched = found.find((i) => !covers(p, 'watch', i.unitPath));
  if (unwatched) throw forbidden(`reminding needs ${needs('watch')} over the instance's unit`, { ability: 'watch', instanceId: unwatched.id });
  return unique.map((id) => byId.get(id)!);
}

export type RemindOutcome = { instanceId: string; sent: true } | { instanceId: string; sent: false; code: string; params: Record<string, unknown> };

/** Sends one reminder to each instance (already checked by {@link watchedInstances}). One that
 * cannot take it (finished meanwhile) is reported, the others are still sent. */
export async function remind(engine: Engine, p: Principal, instances: readonly Instance[], message: string | undefined): Promise<RemindOutcome[]> {
  const grantUnits = new Map((await engine.store.getUnits(p.grants.map((g) => g.unitId))).map((u) => [u.id, u]));
  const unitNames = new Map((await engine.store.getUnits(instances.map((i) => i.orgUnitId))).map((u) => [u.id, u.name]));
  const out: RemindOutcome[] = [];
  // a few at a time: the engine batches loads and commits that arrive together
  for (let k = 0; k < instances.length; k += 50) {
    out.push(
      ...(await Promise.all(
        instances.slice(k, k + 50).map(async (i): Promise<RemindOutcome> => {
          const from = senderOf(p, i, grantUnits);
          try {
            await engine.mutate(i.id, { actor: p.user.login }, async (loaded, at, compiled) => ({
              change: reminderChange(compiled, loaded, {
                actor: p.user.login,
                from,
                unitName: unitNames.get(i.orgUnitId) ?? i.orgUnitId,
                ...(message ? { message } : {}),
                at,
              }),
            }));
            return { instanceId: i.id, sent: true };
          } catch (e) {
            if (!(e instanceof EngineError) || e.code !== 'INSTANCE_NOT_RUNNING') throw e;
            return { instanceId: i.id, sent: false, code: e.code, params: e.details ?? {} };
          }
        }),
      )),
    );
  }
  return out;
}

/** The office a reminder comes from: the caller's highest watching grant over the instance. */
function senderOf(p: Principal, i: Instance, units: Map<string, OrgUnit>): { id: string; name: string } {
  const grant = p.grants
    .filter((g) => (g.role === 'supervisor' || g.role === 'admin') && i.unitPath.startsWith(g.unitPath))
    .sort((a, b) => a.unitPath.length - b.unitPath.length)[0];
  const unit = grant ? units.get(grant.unitId) : undefined;
  return unit ? { id: unit.id, name: unit.name } : { id: '', name: p.user.name };
}
