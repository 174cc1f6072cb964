// The supervisor's overdue board: totals (the days-late buckets filter the lists), by unit and by
// stage (a row opens its late list in place, where units are picked and reminded), the escalations
// not yet acknowledged, exports and a printable list. Refreshed every 30 s in place: the scroll
// position, the open lists, the picks and a message being typed stay.
import { get, qs } from '../api.ts';
import type { OverdueList } from '../api.generated.ts';
import { h, replace, table } from '../dom.ts';
import { formatDateTime } from '../format.ts';
import { getLang, t, tx } from '../i18n.ts';
import type { PageCtx } from '../router.ts';
import { grantUnits, session } from '../session.ts';
import type { Board, BoardRow } from '../types.ts';
import { errorBox, pageTitle, section } from '../widgets.ts';
import { AGES, drillPanel, printList, type Age, type Group, type ListContext } from './board-list.ts';
import { loadEscalations, type EscalationState } from './board-escalations.ts';

// kept across redraws of the page (the language toggle), not across reloads
let lastUnit: string | null = null;
// (and for the same person: another signing in on this tab starts closed)
let lastOpen: { user: string; root: string; groups: Group[] } | null = null;

interface BoardState extends ListContext, EscalationState {
  /** The rows whose lists are open, by key, with their panels (kept across refreshes). */
  open: Map<string, { group: Group; panel: ReturnType<typeof drillPanel> }>;
}

interface Parts {
  head: HTMLElement;
  totals: HTMLElement;
  byUnit: HTMLElement;
  byStage: HTMLElement;
  escalations: HTMLElement;
  print: HTMLElement;
}

export async function boardPage(ctx: PageCtx): Promise<void> {
  const units = grantUnits('supervisor', 'admin');
  if (!units.length) return replace(ctx.root, pageTitle(t('boardTitle')), h('p', null, t('notSupervisor')));
  const picker = h('select', { id: 'board-unit', 'data-testid': 'board-unit' });
  const state: BoardState = {
    unitId: units.some((u) => u.unitId === lastUnit) ? lastUnit! : units[0]!.unitId,
    root: () => state.unitId,
    open: new Map(),
    selected: new Map(),
    messages: new Map(),
    ages: new Set<Age>(),
    acknowledged: new Map(),
    picked: new Set(),
    goTo(unitId, name) {
      if (![...picker.options].some((o) => o.value === unitId)) picker.appendChild(h('option', { value: unitId }, name));
      picker.value = unitId;
      picker.dispatchEvent(new Event('change'));
    },
  };
  replace(
    picker,
    units.map((u) => h('option', { value: u.unitId, selected: u.unitId === state.unitId }, u.unitName)),
  );
  if (lastOpen?.root === state.unitId && lastOpen.user === session.user?.login) for (const g of lastOpen.groups) openGroup(state, g);
  const exports = h('span', { class: 'exports no-print' });
  const asOf = h('span', { class: 'muted', 'data-testid': 'board-asof' });
  const parts: Parts = {
    head: h('div', { class: 'print-only print-head' }),
    totals: h('div', { class: 'totals', 'data-testid': 'board-totals' }),
    byUnit: h('div'),
    byStage: h('div'),
    escalations: h('div'),
    print: h('div', { class: 'print-only print-list', 'data-testid': 'print-list' }),
  };
  const error = h('div', { 'aria-live': 'polite' });
  replace(
    ctx.root,
    h(
      'div',
      { class: 'no-print' },
      pageTitle(t('boardTitle'), h('label', { for: 'board-unit', class: 'inline' }, `${t('chooseUnit')}: `, picker), exports),
      h('p', null, asOf),
      error,
    ),
    parts.print,
    h(
      'div',
      { class: 'screen-only' },
      parts.totals,
      section(t('byUnit'), 'board-by-unit', h('p', { class: 'muted' }, t('byUnitHint')), parts.byUnit),
      section(t('escalationsRaised'), 'board-escalations', parts.escalations),
      section(t('byStage'), 'board-by-stage', parts.byStage),
    ),
  );
  let board: Board | undefined;
  const remember = () => (lastOpen = { user: session.user?.login ?? '', root: state.unitId, groups: [...state.open.values()].map((o) => o.group) });
  const draw = () => {
    if (!board) return;
    // the open lists move into the redrawn tables: whoever is typing a message keeps the caret
    const active = document.activeElement;
    const caret = active instanceof HTMLInputElement && active.type === 'text' ? [active.selectionStart, active.selectionEnd] : null;
    drawTotals(state, parts.totals, board, draw);
    drawTables(state, parts, board, (g) => {
      if (state.open.has(g.key)) state.open.delete(g.key);
      else void openGroup(state, g).reload();
      remember();
      draw();
    });
    if (active instanceof HTMLElement && active !== document.activeElement && active.isConnected) {
      active.focus();
      if (caret && active instanceof HTMLInputElement) active.setSelectionRange(caret[0] ?? null, caret[1] ?? null);
    }
  };
  const refresh = async () => {
    const scroll = window.scrollY;
    try {
      const [b, list] = await Promise.all([
        get<Board>(`/api/v1/board${qs({ unitId: state.unitId })}`),
        get<OverdueList>(`/api/v1/board/overdue${qs({ unitId: state.unitId, limit: 2000 })}`),
        loadEscalations(state, parts.escalations),
        ...[...state.open.values()].map((o) => o.panel.reload()),
      ]);
      board = b;
      asOf.textContent = `${t('asOf')} ${formatDateTime(b.asOf)}`;
      draw();
      replace(parts.print, printList(list));
      replace(error);
    } catch (e) {
      if (!ctx.signal.aborted) replace(error, errorBox(e, 'board-error'));
    }
    // a redraw that changed the page's height must not move what the user was reading
    window.scrollTo(window.scrollX, scroll);
  };
  const drawExports = () => {
    const href = (format: string) => `/api/v1/board/export${qs({ unitId: state.unitId, format, lang: getLang() })}`;
    replace(
      exports,
      h('a', { class: 'button', href: href('csv'), download: '', 'data-testid': 'export-csv' }, t('exportCsv')),
      h('a', { class: 'button', href: href('xlsx'), download: '', 'data-testid': 'export-xlsx' }, t('exportXlsx')),
      h('button', { type: 'button', 'data-testid': 'print', title: t('sup_printTitle'), onclick: () => window.print() }, t('sup_print')),
    );
  };
  picker.addEventListener('change', () => {
    state.unitId = lastUnit = picker.value;
    state.open.clear();
    state.selected.clear();
    state.acknowledged.clear();
    state.picked.clear();
    remember();
    drawExports();
    void refresh();
  });
  drawExports();
  await refresh();
  ctx.every(30_000, refresh);
}

function openGroup(state: BoardState, group: Group) {
  const panel = drillPanel(state, group);
  state.open.set(group.key, { group, panel });
  return panel;
}

/** The totals; the days-late buckets are filters (pressed: only those are listed). */
function drawTotals(state: BoardState, target: HTMLElement, board: Board, redraw: () => void): void {
  const totals = board.totals;
  const chip = (a: Age) =>
    h(
      'button',
      {
        type: 'button',
        class: 'stat chip',
        'aria-pressed': String(state.ages.has(a)),
        'data-testid': 'age-filter',
        'data-age': a,
        title: t('sup_filterChipTitle', { a }),
        onclick: () => {
          state.ages.has(a) ? state.ages.delete(a) : state.ages.add(a);
          redraw();
          for (const o of state.open.values()) o.panel.refilter();
        },
      },
      h('span', { class: 'stat-n' }, totals.ages[a] ?? 0),
      t('ageBucket', { a }),
    );
  replace(
    target,
    h('div', { class: 'stat bad', 'data-testid': 'total-overdue' }, h('span', { class: 'stat-n' }, totals.overdue), t('overdue')),
    h('div', { class: 'stat warn', 'data-testid': 'total-soon' }, h('span', { class: 'stat-n' }, totals.dueSoon), t('dueSoon')),
    h(
      'div',
      { class: 'chips', role: 'group', 'aria-labelledby': 'age-filter-label' },
      h('span', { id: 'age-filter-label', class: 'chips-label' }, `${t('sup_filterAges')}:`),
      AGES.map(chip),
      state.ages.size
        ? h(
            'button',
            {
              type: 'button',
              class: 'small link',
              'data-testid': 'age-filter-clear',
              onclick: () => {
                state.ages.clear();
                redraw();
                for (const o of state.open.values()) o.panel.refilter();
              },
            },
            t('sup_filterClear'),
          )
        : null,
    ),
  );
}

function rowCells(r: BoardRow): (string | number | HTMLElement)[] {
  return [
    h('span', { class: r.overdue ? 'num bad' : 'num' }, r.overdue),
    h('span', { class: r.dueSoon ? 'num warn' : 'num' }, r.dueSoon),
    ...AGES.map((a) => r.ages[a] ?? 0),
  ];
}
const rowHeaders = () => [t('overdue'), t('dueSoon'), ...AGES.map((a) => t('ageHeader', { a }))];

/** By unit and by stage: a row (with overdue work) opens its list in a row of its own under it. */
function drawTables(state: BoardState, parts: Parts, board: Board, toggle: (g: Group) => void): void {
  const keep = (r: BoardRow) => !state.ages.size || [...state.ages].some((a) => (r.ages[a] ?? 0) > 0);
  const units = board.byUnit.filter(keep);
  const unitGroups = units.map((r): Group => ({
    key: `u:${r.unitId}`,
    name: r.name,
    unitId: r.unitId,
    ...(r.unitId === board.root.id ? { unitOnly: true } : {}),
  }));
  const stages = board.byStage.filter(keep);
  const stageGroups = stages.map((r): Group => ({
    key: `s:${r.definitionId}:${r.stage}`,
    name: `${tx(r.title)} — ${tx(r.processTitle)}`,
    definitionId: r.definitionId,
    stage: r.stage,
  }));
  const opener = (g: Group, overdue: number, testid: string) =>
    overdue
      ? h(
          'button',
          {
            type: 'button',
            class: 'link',
            'data-testid': testid,
            'aria-expanded': String(state.open.has(g.key)),
            'aria-controls': state.open.get(g.key)?.panel.el.id,
            title: state.open.has(g.key) ? t('sup_hideList') : t('sup_showList'),
          },
          g.name,
        )
      : g.name;
  const unitTable = table(
    'board-units',
    [t('unit'), ...rowHeaders()],
    units.map((r, i) => [opener(unitGroups[i]!, r.overdue, 'board-unit-link'), ...rowCells(r)]),
    (i) => rowAttrs(state, unitGroups[i]!, units[i]!.overdue, 'board-unit-row', toggle),
  );
  replace(
    parts.byUnit,
    units.length
      ? h('div', { class: 'table-scroll board-table by-unit' }, withPanels(state, unitTable, unitGroups))
      : h('p', { class: 'muted' }, t('noOverdue')),
  );
  const stageTable = table(
    'board-stages',
    [t('stage'), t('process'), ...rowHeaders()],
    stages.map((r, i) => [
      opener({ ...stageGroups[i]!, name: tx(r.title) }, r.overdue, 'board-stage-link'),
      tx(r.processTitle) || r.definitionId,
      ...rowCells(r),
    ]),
    (i) => rowAttrs(state, stageGroups[i]!, stages[i]!.overdue, 'board-stage-row', toggle),
  );
  replace(
    parts.byStage,
    stages.length
      ? h('div', { class: 'table-scroll board-table by-stage' }, withPanels(state, stageTable, stageGroups))
      : h('p', { class: 'muted' }, t('none')),
  );
}

function rowAttrs(state: BoardState, g: Group, overdue: number, testid: string, toggle: (g: Group) => void) {
  return {
    class: `${overdue ? 'clickable' : ''}${state.open.has(g.key) ? ' selected' : ''}`,
    'data-testid': testid,
    'data-unit-id': g.unitId,
    'data-group': g.key,
    onclick: overdue ? () => toggle(g) : undefined,
  };
}

/** Puts each open group's panel in a row of its own under the group's row. */
function withPanels(state: BoardState, tbl: HTMLTableElement, groups: Group[]): HTMLTableElement {
  const rows = [...tbl.tBodies[0]!.rows];
  const width = tbl.tHead!.rows[0]!.cells.length;
  groups.forEach((g, i) => {
    const open = state.open.get(g.key);
    if (open) rows[i]!.after(h('tr', { class: 'drill-row' }, h('td', { colspan: width }, open.panel.el)));
  });
  return tbl;
}
