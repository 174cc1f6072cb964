// The shapes people read: records decorated with the titles and names a reader needs (unit names,
// process and stage titles), looked up in batches, never one query per row.
import { localDateOf } from '../calendar/time.ts';
import type { CompiledProcess } from '../definition/compile.ts';
import type { Text } from '../definition/types.generated.ts';
import type { Engine } from '../service/engine.ts';
import type { Escalation, Instance, OrgUnit, Task } from '../domain.ts';
import type { Accounts, Store } from '../ports.ts';
import { SYSTEM_ACTOR } from '../service/change.ts';

/** People are named by their full names wherever the API names one; the records keep logins. */
export type NameLookup = (logins: readonly (string | undefined | null)[]) => Promise<(login: string) => string>;

/** What the engine itself did, by name. */
export const SYSTEM_NAME = 'Hệ thống';

/**
 * Names for logins, looked up in one batch: a user's full name; the system "Hệ thống"; a stand-in of
 * the demo working in a unit ("demo:<unit>") "Cán bộ <unit name>"; any other login (a loader's, a
 * user since renamed away) stays as it is.
 */
export function personNames(accounts: Pick<Accounts, 'usersByLogins'> | undefined, store: Pick<Store, 'getUnits'>): NameLookup {
  return async (logins) => {
    const wanted = [...new Set(logins.filter((l): l is string => !!l && l !== SYSTEM_ACTOR))];
    const users = accounts && wanted.length ? await accounts.usersByLogins(wanted) : [];
    const names = new Map(users.map((u) => [u.login, u.name]));
    const demoUnits = wanted.filter((l) => !names.has(l) && l.startsWith('demo:')).map((l) => l.slice(5));
    const units = demoUnits.length ? new Map((await store.getUnits(demoUnits)).map((u) => [u.id, u.name])) : new Map<string, string>();
    return (login) => {
      if (login === SYSTEM_ACTOR) return SYSTEM_NAME;
      const name = names.get(login);
      if (name) return name;
      const unit = login.startsWith('demo:') ? units.get(login.slice(5)) : undefined;
      return unit ? `Cán bộ ${unit}` : login;
    };
  };
}

const plain = (id: string): Text => ({ vi: id, en: id });

export async function unitNames(engine: Engine, ids: string[]): Promise<Map<string, string>> {
  return new Map((await engine.store.getUnits([...new Set(ids)])).map((u) => [u.id, u.name]));
}

/** Compiled processes by "id@version", each loaded once per call. */
export async function processes(
  engine: Engine,
  refs: { definitionId: string; definitionVersion?: number }[],
): Promise<(id: string, version?: number) => CompiledProcess | undefined> {
  const out = new Map<string, CompiledProcess | undefined>();
  const latest = await engine.catalog.latestOf(refs.filter((r) => r.definitionVersion === undefined).map((r) => r.definitionId));
  for (const r of refs) {
    const key = `${r.definitionId}@${r.definitionVersion ?? ''}`;
    if (out.has(key)) continue;
    out.set(
      key,
      r.definitionVersion === undefined ? latest.get(r.definitionId) : await engine.catalog.get(r.definitionId, r.definitionVersion).catch(() => undefined),
    );
  }
  return (id, version) => out.get(`${id}@${version ?? ''}`);
}

export function stageTitle(compiled: CompiledProcess | undefined, stage: string): Text {
  return compiled?.stages[stage]?.title ?? plain(stage);
}

export async function instanceRows(engine: Engine, instances: Instance[]) {
  const names = await unitNames(
    engine,
    instances.map((i) => i.orgUnitId),
  );
  const proc = await processes(engine, instances);
  const now = engine.clock.now();
  return instances.map((i) => ({
    id: i.id,
    definitionId: i.definitionId,
    definitionVersion: i.definitionVersion,
    title: proc(i.definitionId, i.definitionVersion)?.title ?? plain(i.definitionId),
    orgUnitId: i.orgUnitId,
    unitName: names.get(i.orgUnitId) ?? i.orgUnitId,
    campaignId: i.campaignId ?? null,
    status: i.status,
    stages: i.stages,
    stageTitles: i.stages.map((s) => stageTitle(proc(i.definitionId, i.definitionVersion), s)),
    dueAt: i.dueAt ?? null,
    overdue: i.status === 'running' && i.dueAt !== undefined && i.dueAt < now,
  }));
}

/**
 * Tasks as people read them. `known`: instances and units the caller has read already (the task
 * page its instance, "Việc của tôi" the running instances and the units above them): only what is
 * missing from them is read — each read is a round trip to the store on every page load.
 */
export async function taskRows(engine: Engine, tasks: Task[], people: NameLookup, known: { instances?: Instance[]; units?: Map<string, OrgUnit> } = {}) {
  const nameOf = await people(tasks.map((t) => t.completedBy));
  const byId = new Map((known.instances ?? []).map((i) => [i.id, i]));
  const missing = [...new Set(tasks.map((t) => t.instanceId))].filter((id) => !byId.has(id));
  if (missing.length) for (const i of await engine.queries.listInstances({ ids: missing }, { limit: missing.length })) byId.set(i.id, i);
  const loaded = [...new Set(tasks.map((t) => byId.get(t.instanceId)).filter((i): i is Instance => !!i))];
  const wantedUnits = [...tasks.map((t) => t.ownerUnitId), ...loaded.map((i) => i.orgUnitId)];
  const names = new Map<string, string>();
  for (const id of wantedUnits) {
    const unit = known.units?.get(id);
    if (unit) names.set(id, unit.name);
  }
  const unnamed = wantedUnits.filter((id) => !names.has(id));
  if (unnamed.length) for (const [id, name] of await unitNames(engine, unnamed)) names.set(id, name);
  const proc = await processes(engine, loaded);
  return tasks.map((t) => {
    const i = byId.get(t.instanceId);
    const compiled = i ? proc(i.definitionId, i.definitionVersion) : undefined;
    return {
      id: t.id,
      instanceId: t.instanceId,
      task: t.task,
      title: compiled?.stages[t.stage]?.tasks.find((x) => x.id === t.task)?.title ?? plain(t.task),
      stage: t.stage,
      stageTitle: stageTitle(compiled, t.stage),
      definitionId: i?.definitionId ?? '',
      processTitle: compiled?.title ?? plain(i?.definitionId ?? ''),
      unitId: i?.orgUnitId ?? t.ownerUnitId,
      unitName: names.get(i?.orgUnitId ?? t.ownerUnitId) ?? t.ownerUnitId,
      ownerUnitId: t.ownerUnitId,
      ownerUnitName: names.get(t.ownerUnitId) ?? t.ownerUnitId,
      status: t.status,
      openedAt: t.openedAt,
      dueAt: t.dueAt ?? null,
      workingDaysLeft: t.status === 'open' && compiled ? workingDaysLeft(engine, compiled, t.dueAt) : null,
      ...(t.data ? { data: t.data } : {}),
      ...(t.completedAt !== undefined
        ? { completedAt: t.completedAt, completedBy: t.completedBy ?? null, completedByName: t.completedBy ? nameOf(t.completedBy) : null }
        : {}),
    };
  });
}

export async function escalationRows(engine: Engine, escalations: Escalation[], people: NameLookup) {
  const nameOf = await people(escalations.map((e) => e.acknowledgedBy));
  const instances = await engine.queries.listInstances({ ids: [...new Set(escalations.map((e) => e.instanceId))] }, { limit: escalations.length || 1 });
  const byId = new Map(instances.map((i) => [i.id, i]));
  const names = await unitNames(
    engine,
    instances.map((i) => i.orgUnitId),
  );
  const proc = await processes(engine, instances);
  return escalations.map((e) => {
    const i = byId.get(e.instanceId);
    return {
      id: e.id,
      instanceId: e.instanceId,
      orgUnitId: i?.orgUnitId ?? '',
      unitName: (i && names.get(i.orgUnitId)) ?? '',
      definitionId: i?.definitionId ?? '',
      stage: e.stage,
      stageTitle: stageTitle(i && proc(i.definitionId, i.definitionVersion), e.stage),
      kind: e.kind,
      firedAt: e.firedAt,
      notified: e.notified,
      acknowledgedBy: e.acknowledgedBy ?? null,
      acknowledgedByName: e.acknowledgedBy ? nameOf(e.acknowledgedBy) : null,
      acknowledgedAt: e.acknowledgedAt ?? null,
    };
  });
}

/** Working days from today to a due moment (negative when past), in the process's calendar. */
export function workingDaysLeft(engine: Engine, compiled: CompiledProcess, dueAt: number | undefined): number | null {
  if (dueAt === undefined) return null;
  const calendar = engine.catalog.calendarOf(compiled);
  const today = localDateOf(engine.clock.now());
  const due = localDateOf(dueAt);
  return due >= today ? calendar.workingDaysBetween(today, due) : -calendar.workingDaysBetween(due, today);
}
