// Tasks (việc): the open tasks of my units, one task with its form, checklist, legal basis and
// deadline, and completing it with the form's data.
import { route } from '../route.ts';

export const taskRoutes = [
  route({
    method: 'get',
    path: '/api/v1/tasks/mine',
    answer: 'myTasks',
    summary:
      'Open work of the units you are staff (or administrator) on — tasks, and stages waiting on an event — soonest due first: searched, filtered, paged, with the count of each filter value',
    tag: 'tasks',
    query: {
      type: 'object',
      additionalProperties: false,
      properties: {
        q: { type: 'string', maxLength: 200, description: 'Words to find in the school, office, process, stage or task (diacritics optional)' },
        unitId: { type: 'string', maxLength: 64 },
        officeId: { type: 'string', maxLength: 64, description: 'The Phòng (or the unit above a school)' },
        definitionId: { type: 'string', maxLength: 64 },
        stage: { type: 'string', maxLength: 140, description: '<definitionId>/<stage>' },
        due: { enum: ['overdue', 'soon', 'all'], default: 'all' },
        dueFrom: { type: 'integer', minimum: 0, description: 'Due at or after this instant (ms)' },
        dueBefore: { type: 'integer', minimum: 0, description: 'Due before this instant (ms)' },
        offset: { type: 'integer', minimum: 0, default: 0 },
        limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
      },
    },
    handle: ({ services, principal, query }) => services.app.myTasks(principal, query),
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
  route({
    method: 'post',
    path: '/api/v1/tasks/:id/reopen',
    answer: 'instanceSummary',
    summary: 'Reopen a completed task to correct it, while its stage is still active (for those who may complete it); the reason goes in the history',
    tag: 'tasks',
    errors: [404, 409],
    body: {
      type: 'object',
      additionalProperties: false,
      required: ['reason'],
      properties: { reason: { type: 'string', minLength: 1, maxLength: 2000, pattern: '\\S' } },
    },
    handle: ({ services, principal, params, body, call }) => services.app.reopenTask(principal, params.id!, body.reason, call),
  }),
];
