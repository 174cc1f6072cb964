// Tasks (việc): the open tasks of my units, one task with its form, checklist, legal basis and
// deadline, and completing it with the form's data.
import { within } from '../../../engine/access.ts';
import { route } from '../route.ts';
import { outside, scope } from '../scope.ts';
import { notFound } from '../errors.ts';
import { taskRows, stageTitle, workingDaysLeft } from '../views.ts';
import { summary } from '../../../engine/service/engine.ts';
import { EngineError } from '../../../engine/errors.ts';
import type { Services, Principal } from '../route.ts';

async function taskInScope(services: Services, principal: Principal, id: string, ability: 'read' | 'work') {
  const { store } = services.engine;
  const task = await store.getTask(id, scope(principal, ability));
  if (task) return task;
  const any = await store.getTask(id);
  if (!any) throw notFound(`no task "${id}"`, { taskId: id });
  // A task is part of its instance's timeline: whoever reads the instance reads its tasks, whoever
  // owns the stage they are in (a school's instance in a stage the Sở owns stays its Phòng's to see).
  if (ability === 'read' && (await store.countInstances({ ids: [any.instanceId], underPaths: scope(principal, 'read') }))) return any;
  outside(`task "${id}"`, ability);
}

export const taskRoutes = [
  route({
    method: 'get',
    path: '/api/v1/tasks/mine',
    summary: 'Open tasks held by the units you are staff (or administrator) on, soonest due first',
    tag: 'tasks',
    query: { type: 'object', additionalProperties: false, properties: { limit: { type: 'integer', minimum: 1, maximum: 500, default: 200 } } },
    async handle({ services, principal, query }) {
      const tasks = await services.engine.store.openTasks(scope(principal, 'work'), { subtree: true, limit: query.limit ?? 200 });
      return { items: await taskRows(services.engine, tasks) };
    },
  }),
  route({
    method: 'get',
    path: '/api/v1/tasks/:id',
    summary: 'One task: its form, the stage’s evidence checklist, legal basis and deadline',
    tag: 'tasks',
    errors: [404],
    async handle({ services, principal, params }) {
      const { engine } = services;
      const task = await taskInScope(services, principal, params.id!, 'read');
      const loaded = await engine.store.loadInstance(task.instanceId);
      const instance = loaded!.instance;
      const compiled = await engine.catalog.get(instance.definitionId, instance.definitionVersion);
      const stage = compiled.stages[task.stage];
      const info = stage?.tasks.find((t) => t.id === task.task);
      const checked = (instance.state.snapshot as { context?: { evidence?: Record<string, Record<string, boolean>> } } | null)?.context?.evidence?.[task.stage] ?? {};
      const current = instance.state.entries[task.stage]?.seq === task.stageSeq;
      const [row] = await taskRows(engine, [task]);
      return {
        task: row,
        description: info?.description ?? null,
        form: info?.form ?? null,
        evidence: current ? (stage?.evidence ?? []).map((e) => ({ ...e, checked: checked[e.id] === true })) : [],
        stage: {
          id: task.stage,
          title: stageTitle(compiled, task.stage),
          legalBasis: stage?.legalBasis.length ? stage.legalBasis : compiled.legalBasis,
          dueAt: task.dueAt ?? null,
          workingDaysLeft: workingDaysLeft(engine, compiled, task.dueAt),
        },
        instance: summary(instance),
        /** Whether the caller may complete it and tick the checklist. */
        canAct: task.status === 'open' && instance.status === 'running' && within(scope(principal, 'work'), task.ownerUnitPath),
      };
    },
  }),
  route({
    method: 'post',
    path: '/api/v1/tasks/:id/complete',
    summary: 'Complete a task with its form data; the instance advances when its stage allows',
    tag: 'tasks',
    errors: [404, 409, 422],
    body: { type: 'object', additionalProperties: false, required: ['data'], properties: { data: { type: 'object' } } },
    async handle({ services, principal, params, body, actor, idempotencyKey, requestHash }) {
      const task = await taskInScope(services, principal, params.id!, 'work');
      if (task.status !== 'open') throw new EngineError('TASK_NOT_OPEN', `task "${task.task}" is ${task.status}, not open`, { taskId: task.id, status: task.status });
      // Holding the task is enough: a cohort reassign can hand it to a unit outside the instance's
      // subtree (a merged school's work), and that unit's staff are the ones to finish it.
      return services.engine.completeTask(task.instanceId, task.task, body.data, { actor, ...(idempotencyKey ? { idempotencyKey, requestHash } : {}) });
    },
  }),
];
