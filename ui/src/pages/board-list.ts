// The late list behind a row of the overdue board, opened in place under the row: most working days
// late first, each with its office, process, stage, deadline and days late; units picked with
// checkboxes (or all of the group) and reminded (đôn đốc) with an optional message. Also the
// printed list, grouped by Phòng, a page each.
import { get, post, qs, uuid } from '../api.ts';
import type { OverdueItem, OverdueList, Reminded } from '../api.generated.ts';
import { h, replace, table } from '../dom.ts';
import { formatDate, formatDateTime } from '../format.ts';
import { t, tx } from '../i18n.ts';
import { errorBox } from '../widgets.ts';

export const AGES = ['1-5', '6-10', '11-20', '>20'] as const;
export type Age = (typeof AGES)[number];

/** Which bucket of the board a number of working days late falls in. */
export function ageOf(daysLate: number): Age {
  return daysLate <= 5 ? '1-5' : daysLate <= 10 ? '6-10' : daysLate <= 20 ? '11-20' : '>20';
}

/** A row of the board that opens: a unit one level down, or a process stage. */
export interface Group {
  key: string;
  name: string;
  unitId?: string;
  definitionId?: string;
  stage?: string;
  /** The row of the board's unit itself: its own work, not its subtree's. */
  unitOnly?: boolean;
}

/** What the lists share with the page: its unit, the days-late filter, the picks kept across redraws. */
export interface ListContext {
  root(): string;
  ages: Set<Age>;
  selected: Map<string, Set<string>>;
  messages: Map<string, string>;
  /** Makes a unit the board's root (a Phòng's own board). */
  goTo(unitId: string, name: string): void;
}

const LIMIT = 500;
let panels = 0;

/** A panel that keeps its toolbar (the message being typed) across reloads of its list. */
export function drillPanel(ctx: ListContext, group: Group): { el: HTMLElement; reload(): Promise<void>; refilter(): void } {
  const id = `drill-${++panels}`;
  const selected = ctx.selected.get(group.key) ?? new Set<string>();
  ctx.selected.set(group.key, selected);
  let items: OverdueItem[] = [];
  const count = h('p', { class: 'muted small', 'data-testid': 'drill-count' });
  const list = h('div', { class: 'table-scroll' });
  const status = h('div', { 'aria-live': 'polite', 'data-testid': 'remind-status' });
  const all = h('input', { type: 'checkbox', 'data-testid': 'drill-select-all' });
  const message = h('input', {
    type: 'text',
    maxlength: 1000,
    id: `${id}-message`,
    value: ctx.messages.get(group.key) ?? '',
    'data-testid': 'remind-message',
    oninput: () => ctx.messages.set(group.key, message.value),
  });
  const remind = h('button', { type: 'button', class: 'primary', 'data-testid': 'remind', title: t('sup_remindHint') });
  const visible = () => items.filter((i) => !ctx.ages.size || ctx.ages.has(ageOf(i.daysLate)));
  const sync = () => {
    const shown = visible();
    for (const box of list.querySelectorAll<HTMLInputElement>('input[data-instance]')) box.checked = selected.has(box.dataset.instance!);
    all.checked = shown.length > 0 && shown.every((i) => selected.has(i.instanceId));
    all.indeterminate = !all.checked && shown.some((i) => selected.has(i.instanceId));
    remind.textContent = t('sup_remind', { n: selected.size });
    remind.disabled = selected.size === 0;
  };
  all.addEventListener('change', () => {
    for (const i of visible()) all.checked ? selected.add(i.instanceId) : selected.delete(i.instanceId);
    sync();
  });
  remind.addEventListener('click', async () => {
    remind.disabled = true;
    replace(status);
    try {
      const text = message.value.trim();
      const r = await post<Reminded>('/api/v1/board/remind', { instanceIds: [...selected], ...(text ? { message: text } : {}) }, { 'Idempotency-Key': uuid() });
      const names = new Map(items.map((i) => [i.instanceId, i.unitName]));
      const missed = r.items.filter((i) => !i.sent);
      replace(
        status,
        h('p', { class: 'alert alert-success', role: 'status', 'data-testid': 'reminded' }, t('sup_reminded', { n: r.sent })),
        missed.length
          ? h('p', { class: 'alert alert-info' }, t('sup_notReminded', { n: missed.length, list: missed.map((m) => names.get(m.instanceId) ?? '').join(', ') }))
          : null,
      );
      selected.clear();
      sync();
      message.value = '';
      ctx.messages.delete(group.key);
      await reload();
    } catch (e) {
      replace(status, errorBox(e));
      sync();
    }
  });
  const reload = async () => {
    const q = { unitId: group.unitId ?? ctx.root(), definitionId: group.definitionId, stage: group.stage, unitOnly: group.unitOnly, limit: LIMIT };
    try {
      const answer = await get<OverdueList>(`/api/v1/board/overdue${qs(q)}`);
      items = answer.items;
      const present = new Set(items.map((i) => i.instanceId));
      for (const s of [...selected]) if (!present.has(s)) selected.delete(s);
      count.textContent = `${t('sup_listCount', { n: answer.total })}${answer.total > items.length ? ` ${t('sup_listShown', { k: items.length, n: answer.total })}` : ''}`;
      drawList();
    } catch (e) {
      replace(list, errorBox(e));
    }
  };
  const drawList = () => {
    const shown = visible();
    if (!items.length) return replace(list, h('p', { class: 'muted' }, t('noOverdue')));
    if (!shown.length) return replace(list, h('p', { class: 'muted' }, t('sup_filteredOut')));
    const headers = ['', t('sup_school'), t('sup_office'), t('process'), t('stage'), t('sup_deadline'), t('sup_daysLate')];
    replace(
      list,
      labelled(
        table(
          'drill-instances',
          headers,
          shown.map((i) => [
            h('input', {
              type: 'checkbox',
              'data-instance': i.instanceId,
              'data-testid': 'drill-select',
              'aria-label': t('sup_select', { u: i.unitName }),
              onchange: (ev: Event) => {
                (ev.currentTarget as HTMLInputElement).checked ? selected.add(i.instanceId) : selected.delete(i.instanceId);
                sync();
              },
            }),
            h('a', { href: `#/instances/${encodeURIComponent(i.instanceId)}`, 'data-testid': 'drill-link' }, i.unitName),
            i.officeName ?? '',
            tx(i.processTitle),
            i.stageTitles.map((s) => tx(s)).join(', '),
            h('span', { class: 'due due-overdue nowrap' }, formatDate(i.dueAt)),
            h('span', { class: 'num nowrap', 'data-testid': 'days-late', 'data-days': i.daysLate }, t('sup_daysLateN', { n: i.daysLate })),
          ]),
          (k) => ({ 'data-testid': 'drill-row', 'data-instance': shown[k]!.instanceId }),
        ),
        headers,
      ),
    );
    sync();
  };
  const el = h(
    'div',
    { class: 'drill', id, 'data-testid': 'board-drill', 'data-group': group.key },
    h('div', { class: 'drill-head' }, h('strong', null, t('sup_listOf', { u: group.name })), ' ', count),
    group.unitId && !group.unitOnly
      ? h(
          'p',
          { class: 'no-print' },
          h(
            'button',
            { type: 'button', class: 'small', 'data-testid': 'board-open-unit', onclick: () => ctx.goTo(group.unitId!, group.name) },
            t('openBoardOf', { u: group.name }),
          ),
        )
      : null,
    h(
      'div',
      { class: 'remind-bar no-print' },
      h('label', { class: 'check' }, all, t('sup_selectAll')),
      h('label', { class: 'inline remind-message', for: `${id}-message` }, t('sup_message')),
      message,
      remind,
    ),
    status,
    list,
  );
  sync();
  // The days-late filter is applied here, on the list already read: a chip redraws at once, with no
  // moment where the unfiltered list shows under a pressed chip.
  return { el, reload, refilter: () => drawList() };
}

/** Each cell names its column, for a phone where a row is shown as a card (styles.css). */
function labelled(tbl: HTMLTableElement, headers: string[]): HTMLTableElement {
  for (const row of tbl.tBodies[0]!.rows) [...row.cells].forEach((cell, k) => (cell.dataset.label = headers[k]!));
  return tbl;
}

/** The list as printed: a title, the time, a table per office with a page break between them. */
export function printList(list: OverdueList): HTMLElement {
  const groups = new Map<string, OverdueItem[]>();
  for (const i of list.items) {
    const office = i.officeName ?? list.root.name;
    groups.set(office, [...(groups.get(office) ?? []), i]);
  }
  return h(
    'div',
    null,
    h('h1', null, t('sup_listTitle', { u: list.root.name })),
    h('p', null, t('sup_asOfDay', { d: formatDateTime(list.asOf) })),
    [...groups]
      .sort(([a], [b]) => a.localeCompare(b, 'vi'))
      .map(([office, items]) =>
        h(
          'section',
          { class: 'print-group' },
          h('h2', null, t('sup_printGroup', { u: office, n: items.length })),
          table(
            'print-table',
            ['#', t('sup_school'), t('process'), t('stage'), t('sup_deadline'), t('sup_daysLate')],
            items.map((i, k) => [
              k + 1,
              i.unitName,
              tx(i.processTitle),
              i.stageTitles.map((s) => tx(s)).join(', '),
              formatDate(i.dueAt),
              t('sup_daysLateN', { n: i.daysLate }),
            ]),
          ),
        ),
      ),
    list.total > list.items.length ? h('p', null, t('sup_listShown', { k: list.items.length, n: list.total })) : null,
  );
}
