// "Việc của tôi": the open work of the caller's units — tasks, and stages waiting on an event —
// soonest due first, searched and filtered with a count per filter value, a page at a time. The
// filters live in the address (#/tasks?due=overdue&…), so a filtered list can be bookmarked or linked.
import { get } from '../api.ts';
import type * as Api from '../api.generated.ts';
import { h, replace } from '../dom.ts';
import { formatDate } from '../format.ts';
import { t, tx } from '../i18n.ts';
import type { PageCtx } from '../router.ts';
import { errorBox, loading, pageTitle, successBox } from '../widgets.ts';

export type WorkList = Api.TaskList;
export type WorkItem = Api.WorkItem;

const FILTERS = ['q', 'unitId', 'officeId', 'definitionId', 'stage', 'due', 'dueFrom', 'dueBefore', 'offset'] as const;
type Filters = Partial<Record<(typeof FILTERS)[number], string>>;
export const PAGE_SIZE = 50;

/** How urgent an item is, as the server counted it (working days, the list's own "now"). */
export function itemUrgency(
  item: Pick<WorkItem, 'dueAt' | 'workingDaysLeft'>,
  list: Pick<WorkList, 'asOf' | 'soonWorkingDays'>,
): 'overdue' | 'soon' | 'ok' | 'none' {
  if (item.dueAt === null) return 'none';
  if (item.dueAt < list.asOf) return 'overdue';
  return item.workingDaysLeft !== null && item.workingDaysLeft <= list.soonWorkingDays ? 'soon' : 'ok';
}

/** Where an item is worked on: a task's own page, a stage's instance (its event buttons). */
export function itemHref(item: Pick<WorkItem, 'kind' | 'id' | 'instanceId'>): string {
  return item.kind === 'task' ? `#/tasks/${encodeURIComponent(item.id)}` : `#/instances/${encodeURIComponent(item.instanceId)}`;
}

function readFilters(query: string | undefined): Filters {
  const params = new URLSearchParams(query ?? '');
  const out: Filters = {};
  for (const k of FILTERS) {
    const v = params.get(k);
    if (v) out[k] = v;
  }
  return out;
}

function queryOf(f: Filters): string {
  const params = new URLSearchParams();
  for (const k of FILTERS) if (f[k] && !(k === 'offset' && f[k] === '0') && !(k === 'due' && f[k] === 'all')) params.set(k, f[k]!);
  return params.toString();
}

export async function tasksPage(ctx: PageCtx): Promise<void> {
  let filters = readFilters(ctx.params[0]);
  const body = h('div', null, loading());
  const controls = h('div', { class: 'work-filters' });
  replace(ctx.root, pageTitle(t('myTasksTitle')), ctx.flash ? successBox(ctx.flash, 'flash') : null, controls, body);

  const go = (next: Filters) => {
    filters = next;
    const q = queryOf(next);
    // The address follows the filters without a new history entry per keystroke.
    history.replaceState(null, '', `#/tasks${q ? `?${q}` : ''}`);
    void load();
  };
  let seq = 0;
  const load = async () => {
    const mine = ++seq;
    const q = queryOf({ ...filters });
    let list: WorkList;
    try {
      list = await get<WorkList>(`/api/v1/tasks/mine?limit=${PAGE_SIZE}${q ? `&${q}` : ''}`);
    } catch (e) {
      if (mine === seq && !ctx.signal.aborted) replace(body, errorBox(e));
      return;
    }
    if (ctx.signal.aborted || mine !== seq) return;
    replace(controls, filterBar(list, filters, go));
    replace(body, listView(list, filters, go));
  };
  await load();
}

/** Stages under their process (two processes may name a stage alike); other filters as they come. */
function grouped(name: keyof Filters, facets: Api.Facet[], processes: Api.Facet[]): [string | null, Api.Facet[]][] {
  if (name !== 'stage') return [[null, facets]];
  const byProcess = new Map<string, Api.Facet[]>();
  for (const f of facets) {
    const process = f.id.slice(0, f.id.indexOf('/'));
    byProcess.set(process, [...(byProcess.get(process) ?? []), f]);
  }
  return [...byProcess].map(([id, values]) => [tx(processes.find((p) => p.id === id)?.title ?? id), values]);
}

function facetSelect(
  name: keyof Filters,
  label: string,
  facets: Api.Facet[],
  all: number,
  filters: Filters,
  go: (f: Filters) => void,
  groups: Api.Facet[] = [],
): HTMLElement {
  const current = filters[name] ?? '';
  const select = h(
    'select',
    { id: `f-${name}`, 'data-testid': `filter-${name}` },
    h('option', { value: '' }, t('stf_any', { n: all })),
    grouped(name, facets, groups).map(([label, values]) => {
      const options = values.map((f) => h('option', { value: f.id, selected: f.id === current }, `${tx(f.title)} (${f.count})`));
      return label === null ? options : h('optgroup', { label }, options);
    }),
    // A value chosen that no longer matches anything still shows, counted as none.
    current && !facets.some((f) => f.id === current) ? h('option', { value: current, selected: true }, `${current} (0)`) : null,
  );
  select.addEventListener('change', () => {
    const next: Filters = { ...filters, [name]: select.value, offset: '0' };
    if (name === 'definitionId') delete next.stage;
    go(next);
  });
  return h('label', { class: 'filter', for: `f-${name}` }, h('span', null, label), select);
}

function filterBar(list: WorkList, filters: Filters, go: (f: Filters) => void): HTMLElement {
  const search = h('input', { type: 'search', id: 'f-q', value: filters.q ?? '', 'data-testid': 'filter-q', autocomplete: 'off' });
  const form = h(
    'form',
    { class: 'search', role: 'search' },
    h('label', { for: 'f-q' }, t('stf_search')),
    h('div', { class: 'search-row' }, search, h('button', { type: 'submit', 'data-testid': 'filter-search' }, t('stf_searchButton'))),
  );
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    go({ ...filters, q: search.value.trim(), offset: '0' });
  });
  const due = list.facets.due;
  const dueNow = filters.due ?? 'all';
  const dueButtons = h(
    'div',
    { class: 'due-filter', role: 'group', 'aria-label': t('stf_filterDue') },
    (
      [
        ['all', t('stf_dueAll', { n: due.all }), 'due-all'],
        ['overdue', t('stf_dueOverdue', { n: due.overdue }), 'due-overdue'],
        ['soon', t('stf_dueSoon', { n: due.soon, d: list.soonWorkingDays }), 'due-soon'],
      ] as const
    ).map(([value, text, cls]) =>
      h(
        'button',
        {
          type: 'button',
          class: `chip ${cls}${dueNow === value ? ' active' : ''}`,
          'aria-pressed': String(dueNow === value),
          'data-testid': `filter-due-${value}`,
          onclick: () => go({ ...filters, due: value, offset: '0' }),
        },
        text,
      ),
    ),
  );
  const any = Object.entries(filters).some(([k, v]) => v && k !== 'offset' && !(k === 'due' && v === 'all'));
  return h(
    'div',
    null,
    form,
    dueButtons,
    h(
      'div',
      { class: 'filter-row' },
      facetSelect('unitId', t('stf_filterUnit'), list.facets.units, sum(list.facets.units), filters, go),
      facetSelect('officeId', t('stf_filterOffice'), list.facets.offices, sum(list.facets.offices), filters, go),
      facetSelect('definitionId', t('stf_filterProcess'), list.facets.processes, sum(list.facets.processes), filters, go),
      facetSelect('stage', t('stf_filterStage'), list.facets.stages, sum(list.facets.stages), filters, go, list.facets.processes),
      any ? h('button', { type: 'button', class: 'link', 'data-testid': 'filter-clear', onclick: () => go({}) }, t('stf_clear')) : null,
    ),
  );
}

const sum = (facets: Api.Facet[]) => facets.reduce((n, f) => n + f.count, 0);

/** The bottom pager's test ids end in `-bottom`; only the top one speaks to screen readers. */
function pager(list: WorkList, filters: Filters, go: (f: Filters) => void, where: '' | '-bottom' = ''): HTMLElement {
  const a = list.total ? list.offset + 1 : 0;
  const b = Math.min(list.offset + list.items.length, list.total);
  return h(
    'div',
    { class: 'pager' },
    h('span', { 'data-testid': `tasks-showing${where}`, role: where ? null : 'status' }, t('stf_showing', { a, b, n: list.total })),
    h(
      'button',
      {
        type: 'button',
        'data-testid': `tasks-prev${where}`,
        disabled: list.offset === 0,
        onclick: () => go({ ...filters, offset: String(Math.max(0, list.offset - list.limit)) }),
      },
      t('stf_prev'),
    ),
    h(
      'button',
      {
        type: 'button',
        'data-testid': `tasks-next${where}`,
        disabled: list.offset + list.items.length >= list.total,
        onclick: () => go({ ...filters, offset: String(list.offset + list.limit) }),
      },
      t('stf_next'),
    ),
  );
}

function listView(list: WorkList, filters: Filters, go: (f: Filters) => void): HTMLElement {
  const note = list.truncated ? h('p', { class: 'alert alert-warning', role: 'status' }, t('stf_truncated', { n: list.total })) : null;
  if (!list.total) {
    const anyFilter = Object.keys(filters).some((k) => k !== 'offset' && filters[k as keyof Filters]);
    return h('div', null, note, h('p', { class: 'empty', 'data-testid': 'tasks-empty' }, anyFilter ? t('stf_none') : t('noTasks')));
  }
  const headers = [t('task'), t('unit'), t('process'), t('stage'), t('dueDate')];
  const rows = list.items.map((item) => {
    const u = itemUrgency(item, list);
    const cell = (i: number, ...children: (Node | string | null)[]) => h('td', { 'data-label': headers[i]! }, ...children);
    return h(
      'tr',
      { class: `row-${u}`, 'data-testid': 'task-row', 'data-task-id': item.id, 'data-kind': item.kind, 'data-urgency': u },
      cell(
        0,
        h('a', { href: itemHref(item), 'data-testid': 'task-link' }, tx(item.title)),
        item.kind === 'stage'
          ? h(
              'span',
              { class: 'muted stage-waiting', 'data-testid': 'stage-waiting' },
              ' · ',
              t('stf_stageWaiting', { e: item.events.map((e) => tx(e.title)).join(', ') }),
            )
          : null,
      ),
      cell(1, item.unitName, item.officeName ? h('span', { class: 'muted small-block' }, item.officeName) : null),
      cell(2, tx(item.processTitle)),
      cell(3, tx(item.stageTitle)),
      h('td', { class: `nowrap due-${u}`, 'data-testid': 'task-due', 'data-label': headers[4]! }, formatDate(item.dueAt)),
    );
  });
  return h(
    'div',
    null,
    note,
    pager(list, filters, go),
    h(
      'table',
      { class: 'list stack', 'data-testid': 'tasks-table' },
      h(
        'thead',
        null,
        h(
          'tr',
          null,
          headers.map((c) => h('th', { scope: 'col' }, c)),
        ),
      ),
      h('tbody', null, rows),
    ),
    list.total > list.limit ? pager(list, filters, go, '-bottom') : null,
  );
}
