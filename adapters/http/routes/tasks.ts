// Tasks (việc): the open tasks of my units, one task with its form, checklist, legal basis and
// deadline, and completing it with the form's data.
import { route } from '../route.ts';

export const taskRoutes = [
  route({
    method: 'get',
    path: '/api/v1/tasks/mine',
    answer: 'myTasks',
    summary: 'Open tasks held by the units you are staff (or administrator) on, soonest due first',
    tag: 'tasks',
    query: { type: 'object', additionalProperties: false, properties: { limit: { type: 'integer', minimum: 1, maximum: 500, default: 200 } } },
    handle: ({ services, principal, query }) => services.app.myTasks(principal, query.limit ?? 200),
  }),
  route({
    method: 'get',
    path: '/api/v1/tasks/:id',
    answer: 'task',
    summary: 'One task: its form, the stage’s evidence checklist, legal basis and deadline',
    tag: 'tasks',
    errors: [404],
    handle: ({ services, principal, params }) => services.app.task(principal, params.id!),
  }),
  route({
    method: 'post',
    path: '/api/v1/tasks/:id/complete',
    answer: 'instanceSummary',
    summary: 'Complete a task with its form data; the instance advances when its stage allows',
    tag: 'tasks',
    errors: [404, 409, 422],
    body: { type: 'object', additionalProperties: false, required: ['data'], properties: { data: { type: 'object' } } },
    handle: ({ services, principal, params, body, call }) => services.app.completeTask(principal, params.id!, body.data, call),
  }),
];
