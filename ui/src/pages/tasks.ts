// "Việc của tôi": the open tasks of the caller's units, soonest due first, coloured by deadline.
import { get } from '../api.ts';
import { h, replace } from '../dom.ts';
import { formatDate, urgency } from '../format.ts';
import { t, tx } from '../i18n.ts';
import type { PageCtx } from '../router.ts';
import type { MyTask } from '../types.ts';
import { loading, pageTitle, successBox } from '../widgets.ts';

export function sortByDue(items: MyTask[]): MyTask[] {
  return [...items].sort((a, b) => (a.dueAt ?? Infinity) - (b.dueAt ?? Infinity) || a.openedAt - b.openedAt);
}

export async function tasksPage(ctx: PageCtx): Promise<void> {
  const body = h('div', null, loading());
  const legend = h(
    'ul',
    { class: 'legend' },
    h('li', { class: 'due-overdue' }, t('legendOverdue')),
    h('li', { class: 'due-soon' }, t('legendSoon')),
    h('li', { class: 'due-ok' }, t('legendOk')),
  );
  replace(ctx.root, pageTitle(t('myTasksTitle'), legend), ctx.flash ? successBox(ctx.flash, 'flash') : null, body);
  const { items } = await get<{ items: MyTask[] }>('/api/v1/tasks/mine');
  if (ctx.signal.aborted) return;
  if (!items.length) return replace(body, h('p', { class: 'empty', 'data-testid': 'tasks-empty' }, t('noTasks')));
  const now = Date.now();
  const rows = sortByDue(items).map((task) => {
    const u = urgency(task.dueAt, now);
    return h(
      'tr',
      { class: `row-${u}`, 'data-testid': 'task-row', 'data-task-id': task.id, 'data-urgency': u },
      h('td', null, h('a', { href: `#/tasks/${encodeURIComponent(task.id)}`, 'data-testid': 'task-link' }, tx(task.title))),
      h('td', null, task.unitName),
      h('td', null, tx(task.processTitle)),
      h('td', null, tx(task.stageTitle)),
      h('td', { class: `nowrap due-${u}`, 'data-testid': 'task-due' }, formatDate(task.dueAt)),
    );
  });
  replace(
    body,
    h(
      'table',
      { class: 'list', 'data-testid': 'tasks-table' },
      h(
        'thead',
        null,
        h(
          'tr',
          null,
          [t('task'), t('unit'), t('process'), t('stage'), t('dueDate')].map((c) => h('th', { scope: 'col' }, c)),
        ),
      ),
      h('tbody', null, rows),
    ),
  );
}
