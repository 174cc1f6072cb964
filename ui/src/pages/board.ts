// The supervisor's overdue board: totals, by unit (click a unit for its overdue instances), by stage,
// the escalations not yet acknowledged, exports. Refreshed every 30 s in place: the scroll position
// and the unit being looked at stay.
import { get, post, qs } from '../api.ts';
import { h, replace, table } from '../dom.ts';
import { formatDateTime } from '../format.ts';
import { t, tKey, tx } from '../i18n.ts';
import type { PageCtx } from '../router.ts';
import { grantUnits } from '../session.ts';
import type { Board, BoardRow, Escalation, InstanceListItem } from '../types.ts';
import { dueCell, errorBox, pageTitle, section } from '../widgets.ts';

const AGES = ['1-5', '6-10', '11-20', '>20'] as const;
// kept across redraws of the page (the language toggle), not across reloads
let lastUnit: string | null = null;
let lastDrill: { root: string; unitId: string; name: string } | null = null;

interface BoardState {
  unitId: string;
  /** The unit whose overdue instances are shown, if any. */
  drill: { unitId: string; name: string } | null;
  /** Acknowledged on this page: kept in the list, marked, until the page is left. */
  acknowledged: Map<string, Escalation>;
  /** Makes a unit below the grant units the board's root (a Phòng, a school). */
  goTo(unitId: string, name: string): void;
}

export async function boardPage(ctx: PageCtx): Promise<void> {
  const units = grantUnits('supervisor', 'admin');
  if (!units.length) return replace(ctx.root, pageTitle(t('boardTitle')), h('p', null, t('notSupervisor')));
  const state: BoardState = {
    unitId: units.some((u) => u.unitId === lastUnit) ? lastUnit! : units[0]!.unitId,
    drill: null,
    acknowledged: new Map(),
    goTo(unitId, name) {
      if (![...picker.options].some((o) => o.value === unitId)) picker.appendChild(h('option', { value: unitId }, name));
      picker.value = unitId;
      picker.dispatchEvent(new Event('change'));
    },
  };
  if (lastDrill?.root === state.unitId) state.drill = { unitId: lastDrill.unitId, name: lastDrill.name };
  const picker = h(
    'select',
    { id: 'board-unit', 'data-testid': 'board-unit' },
    units.map((u) => h('option', { value: u.unitId, selected: u.unitId === state.unitId }, u.unitName)),
  );
  const exports = h('span', { class: 'exports' });
  const asOf = h('span', { class: 'muted', 'data-testid': 'board-asof' });
  const parts = {
    totals: h('div', { class: 'totals', 'data-testid': 'board-totals' }),
    byUnit: h('div'),
    drill: h('div'),
    byStage: h('div'),
    escalations: h('div'),
    error: h('div', { 'aria-live': 'polite' }),
  };
  replace(
    ctx.root,
    pageTitle(t('boardTitle'), h('label', { for: 'board-unit', class: 'inline' }, `${t('chooseUnit')}: `, picker), exports),
    h('p', null, asOf),
    parts.error,
    parts.totals,
    section(t('byUnit'), 'board-by-unit', h('p', { class: 'muted' }, t('byUnitHint')), parts.byUnit),
    parts.drill,
    section(t('escalationsRaised'), 'board-escalations', parts.escalations),
    section(t('byStage'), 'board-by-stage', parts.byStage),
  );
  const refresh = async () => {
    const scroll = window.scrollY;
    try {
      await Promise.all([loadBoard(state, parts, asOf, refresh), loadEscalations(state, parts.escalations), loadDrill(state, parts.drill)]);
      replace(parts.error);
    } catch (e) {
      if (!ctx.signal.aborted) replace(parts.error, errorBox(e, 'board-error'));
    }
    // a redraw that changed the page's height must not move what the user was reading
    window.scrollTo(window.scrollX, scroll);
  };
  const drawExports = () => {
    const href = (format: string) => `/api/v1/board/export${qs({ unitId: state.unitId, format })}`;
    replace(
      exports,
      h('a', { class: 'button', href: href('csv'), download: '', 'data-testid': 'export-csv' }, t('exportCsv')),
      ' ',
      h('a', { class: 'button', href: href('xlsx'), download: '', 'data-testid': 'export-xlsx' }, t('exportXlsx')),
    );
  };
  picker.addEventListener('change', () => {
    state.unitId = lastUnit = picker.value;
    state.drill = null;
    state.acknowledged.clear();
    drawExports();
    void refresh();
  });
  drawExports();
  await refresh();
  ctx.every(30_000, refresh);
}

function rowCells(r: BoardRow): (string | number | HTMLElement)[] {
  return [
    h('span', { class: r.overdue ? 'num bad' : 'num' }, r.overdue),
    h('span', { class: r.dueSoon ? 'num warn' : 'num' }, r.dueSoon),
    ...AGES.map((a) => r.ages[a] ?? 0),
  ];
}
const rowHeaders = () => [t('overdue'), t('dueSoon'), ...AGES.map((a) => t('ageHeader', { a }))];

async function loadBoard(
  state: BoardState,
  parts: Record<'totals' | 'byUnit' | 'byStage' | 'drill', HTMLElement>,
  asOf: HTMLElement,
  refresh: () => Promise<void>,
): Promise<void> {
  const board = await get<Board>(`/api/v1/board${qs({ unitId: state.unitId })}`);
  asOf.textContent = `${t('asOf')} ${formatDateTime(board.asOf)}`;
  const totals = board.totals;
  replace(
    parts.totals,
    h('div', { class: 'stat bad', 'data-testid': 'total-overdue' }, h('span', { class: 'stat-n' }, totals.overdue), t('overdue')),
    h('div', { class: 'stat warn', 'data-testid': 'total-soon' }, h('span', { class: 'stat-n' }, totals.dueSoon), t('dueSoon')),
    ...AGES.map((a) => h('div', { class: 'stat' }, h('span', { class: 'stat-n' }, totals.ages[a] ?? 0), t('ageBucket', { a }))),
  );
  const unitTable = table(
    'board-units',
    [t('unit'), ...rowHeaders()],
    board.byUnit.map((r) => [h('button', { type: 'button', class: 'link', 'data-testid': 'board-unit-link' }, r.name), ...rowCells(r)]),
    (i) => {
      const r = board.byUnit[i]!;
      return {
        class: `clickable${state.drill?.unitId === r.unitId ? ' selected' : ''}`,
        'aria-selected': String(state.drill?.unitId === r.unitId),
        'data-testid': 'board-unit-row',
        'data-unit-id': r.unitId,
        onclick: () => {
          state.drill = { unitId: r.unitId, name: r.name };
          lastDrill = { root: state.unitId, ...state.drill };
          void refresh();
        },
      };
    },
  );
  replace(parts.byUnit, board.byUnit.length ? unitTable : h('p', { class: 'muted' }, t('noOverdue')));
  replace(
    parts.byStage,
    board.byStage.length
      ? table(
          'board-stages',
          [t('stage'), t('process'), ...rowHeaders()],
          board.byStage.map((r) => [tx(r.title), tx(r.processTitle) || r.definitionId, ...rowCells(r)]),
        )
      : h('p', { class: 'muted' }, t('none')),
  );
}

async function loadDrill(state: BoardState, target: HTMLElement): Promise<void> {
  const drill = state.drill;
  if (!drill) return replace(target);
  const { items } = await get<{ items: InstanceListItem[] }>(`/api/v1/instances${qs({ unitId: drill.unitId, overdue: 'true', limit: 200 })}`);
  if (state.drill !== drill) return;
  const list = items.length
    ? table(
        'drill-instances',
        [t('unit'), t('process'), t('stage'), t('dueDate')],
        items.map((i) => [
          h('a', { href: `#/instances/${encodeURIComponent(i.id)}`, 'data-testid': 'drill-link' }, i.unitName),
          tx(i.title),
          i.stages.map((s, k) => tx(i.stageTitles?.[k]) || s).join(', '),
          dueCell(i.dueAt),
        ]),
      )
    : h('p', { class: 'muted' }, t('noOverdue'));
  const open = h(
    'button',
    { type: 'button', class: 'small', 'data-testid': 'board-open-unit', onclick: () => state.goTo(drill.unitId, drill.name) },
    t('openBoardOf', { u: drill.name }),
  );
  replace(target, section(t('overdueInstances', { u: drill.name }), 'board-drill', h('p', null, open), list));
}

async function loadEscalations(state: BoardState, target: HTMLElement): Promise<void> {
  const { items } = await get<{ items: Escalation[] }>(`/api/v1/escalations${qs({ unitId: state.unitId, acknowledged: 'false', limit: 100 })}`);
  const all = [...items.filter((e) => !state.acknowledged.has(e.id)), ...state.acknowledged.values()].sort((a, b) => b.firedAt - a.firedAt);
  if (!all.length) return replace(target, h('p', { class: 'muted', 'data-testid': 'no-escalations' }, t('noEscalations')));
  const ack = (e: Escalation) => async (ev: Event) => {
    const button = ev.currentTarget as HTMLButtonElement;
    button.disabled = true;
    try {
      const { escalation } = await post<{ escalation: Escalation }>(`/api/v1/escalations/${encodeURIComponent(e.id)}/acknowledge`);
      state.acknowledged.set(e.id, escalation);
      await loadEscalations(state, target);
    } catch (err) {
      button.disabled = false;
      button.after(errorBox(err));
    }
  };
  replace(
    target,
    table(
      'escalations-table',
      [t('firedAt'), t('kind'), t('unit'), t('stage'), ''],
      all.map((e) => [
        formatDateTime(e.firedAt),
        h('span', { class: `badge kind-${e.kind}` }, tKey('kind', e.kind)),
        h('a', { href: `#/instances/${encodeURIComponent(e.instanceId)}` }, e.unitName),
        tx(e.stageTitle),
        e.acknowledgedAt
          ? h(
              'span',
              { class: 'muted', 'data-testid': 'acknowledged' },
              t('acknowledgedBy', { who: e.acknowledgedByName ?? e.acknowledgedBy ?? '', at: formatDateTime(e.acknowledgedAt) }),
            )
          : h('button', { type: 'button', 'data-testid': 'acknowledge', onclick: ack(e) }, t('acknowledge')),
      ]),
      (i) => ({ 'data-testid': 'escalation-row', 'data-acknowledged': String(Boolean(all[i]!.acknowledgedAt)) }),
    ),
  );
}
