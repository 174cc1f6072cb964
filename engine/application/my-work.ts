// Everything waiting on the caller's units: open tasks, and the active stages whose next step is an
// event (a Phòng's review, a principal's approval) with no open task to show for them — those were
// invisible in "Việc của tôi" while being as overdue as any task. Each item carries the school and
// the office above it (Phòng), for the list's filters.
import { ENGINE_SENT_EVENTS } from '../definition/model.ts';
import type { Text } from '../definition/types.generated.ts';
import type { Instance, OrgUnit, Task } from '../domain.ts';
import type { Engine } from '../service/engine.ts';
import { pathIds } from '../service/roles.ts';
import { covers, ownerUnitOf, scope, type Principal } from './policy.ts';
import { processes, stageTitle, taskRows, workingDaysLeft, type NameLookup } from './views.ts';

/** Enough for any province's open work; reaching it is said in the answer, never silent. */
const MAX_TASKS = 50_000;
const PAGE = 1_000;

type TaskRowView = Awaited<ReturnType<typeof taskRows>>[number];

export type WorkItem = TaskRowView & {
  kind: 'task' | 'stage';
  officeId: string | null;
  officeName: string | null;
  /** A stage item: the events one sends from the instance's page. */
  events: { type: string; title: Text }[];
};

/** The unit above a school that manages it: the nearest Phòng, else its parent (a THPT's Sở). */
function officeOf(unitPath: string, units: Map<string, OrgUnit>): OrgUnit | undefined {
  const above = pathIds(unitPath).slice(0, -1).reverse();
  const office = above.map((id) => units.get(id)).find((u) => u?.kind === 'district-office');
  return office ?? (above[0] ? units.get(above[0]) : undefined);
}

async function runningInstances(engine: Engine, underPaths: string[]): Promise<Instance[]> {
  const out: Instance[] = [];
  if (!underPaths.length) return out;
  for (let afterId: string | undefined; ;) {
    const page = await engine.queries.listInstances({ underPaths, statuses: ['running'] }, { limit: PAGE, ...(afterId ? { afterId } : {}) });
    out.push(...page);
    if (page.length < PAGE) return out;
    afterId = page.at(-1)!.id;
  }
}

/** The caller's open work, unsorted: task items and event-only stage items. */
export async function myWork(engine: Engine, p: Principal, names: NameLookup): Promise<{ items: WorkItem[]; truncated: boolean }> {
  const work = scope(p, 'work');
  if (!work.length) return { items: [], truncated: false };
  const tasks: Task[] = await engine.queries.openTasks(work, { subtree: true, limit: MAX_TASKS });
  const instances = await runningInstances(engine, work);
  const byInstance = new Map(instances.map((i) => [i.id, i]));
  const unitIds = new Set<string>();
  for (const i of instances) for (const id of pathIds(i.unitPath)) unitIds.add(id);
  for (const t of tasks) for (const id of pathIds(t.ownerUnitPath)) unitIds.add(id);
  const units = new Map((await engine.store.getUnits([...unitIds])).map((u) => [u.id, u]));
  // The rows are named from what is read above: the tasks' instances are running, their units on the paths.
  const rows = await taskRows(engine, tasks, names, { instances, units });
  const proc = await processes(engine, instances);
  const withTasks = new Set(tasks.map((t) => `${t.instanceId}/${t.stage}`));
  const chainOf = (path: string) =>
    pathIds(path)
      .reverse()
      .map((id) => units.get(id))
      .filter((u): u is OrgUnit => !!u);

  const items: WorkItem[] = rows.map((row, n) => {
    const path = byInstance.get(row.instanceId)?.unitPath ?? tasks[n]!.ownerUnitPath;
    const office = officeOf(path, units);
    return { ...row, kind: 'task', officeId: office?.id ?? null, officeName: office?.name ?? null, events: [] };
  });

  for (const instance of instances) {
    const compiled = proc(instance.definitionId, instance.definitionVersion);
    if (!compiled) continue;
    const chain = chainOf(instance.unitPath);
    if (!chain.length) continue;
    const office = officeOf(instance.unitPath, units);
    for (const stage of instance.stages) {
      const info = compiled.stages[stage];
      if (!info || withTasks.has(`${instance.id}/${stage}`)) continue;
      const accepts = [...new Set([stage, ...info.ancestors].flatMap((s) => compiled.stages[s]?.accepts ?? []))].filter((e) => !ENGINE_SENT_EVENTS.includes(e));
      if (!accepts.length) continue;
      const owner = ownerUnitOf(compiled, stage, chain);
      if (!covers(p, 'work', owner.path)) continue;
      const entry = instance.state.entries[stage];
      const dueAt = entry?.dueAt;
      items.push({
        id: `${instance.id}#${stage}`,
        instanceId: instance.id,
        task: '',
        title: stageTitle(compiled, stage),
        stage,
        stageTitle: stageTitle(compiled, stage),
        definitionId: instance.definitionId,
        processTitle: compiled.title,
        unitId: instance.orgUnitId,
        unitName: chain[0]!.name,
        ownerUnitId: owner.id,
        ownerUnitName: owner.name,
        status: 'open',
        openedAt: entry?.enteredAt ?? instance.enteredAt,
        dueAt: dueAt ?? null,
        workingDaysLeft: workingDaysLeft(engine, compiled, dueAt),
        kind: 'stage',
        officeId: office?.id ?? null,
        officeName: office?.name ?? null,
        events: accepts.map((type) => ({ type, title: compiled.events[type]?.title ?? { vi: type, en: type } })),
      });
    }
  }
  return { items, truncated: tasks.length >= MAX_TASKS };
}
