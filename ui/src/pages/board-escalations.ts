// The escalations not yet acknowledged under the board's unit: each acknowledged on its own or
// several at once (picked with checkboxes). Acknowledged ones stay in the list, marked with who and
// when, until the page is left.
import { get, post, qs, uuid } from '../api.ts';
import type { AcknowledgedMany } from '../api.generated.ts';
import { h, replace, table } from '../dom.ts';
import { formatDateTime } from '../format.ts';
import { t, tKey, tx } from '../i18n.ts';
import type { Escalation } from '../types.ts';
import { errorBox } from '../widgets.ts';

export interface EscalationState {
  unitId: string;
  /** Acknowledged on this page: kept in the list, marked, until the page is left. */
  acknowledged: Map<string, Escalation>;
  picked: Set<string>;
}

export async function loadEscalations(state: EscalationState, target: HTMLElement): Promise<void> {
  const { items } = await get<{ items: Escalation[] }>(`/api/v1/escalations${qs({ unitId: state.unitId, acknowledged: 'false', limit: 100 })}`);
  drawEscalations(state, target, items);
}

function drawEscalations(state: EscalationState, target: HTMLElement, items: Escalation[]): void {
  const all = [...items.filter((e) => !state.acknowledged.has(e.id)), ...state.acknowledged.values()].sort((a, b) => b.firedAt - a.firedAt);
  if (!all.length) return replace(target, h('p', { class: 'muted', 'data-testid': 'no-escalations' }, t('noEscalations')));
  const open = all.filter((e) => !e.acknowledgedAt);
  for (const id of [...state.picked]) if (!open.some((e) => e.id === id)) state.picked.delete(id);
  const status = h('div', { 'aria-live': 'polite' });
  const many = h('button', { type: 'button', class: 'primary', 'data-testid': 'acknowledge-selected', title: t('sup_ackSelectedTitle') });
  const pickAll = h('input', { type: 'checkbox', 'data-testid': 'escalations-select-all', 'aria-label': t('sup_ackSelectAll') });
  const sync = () => {
    for (const box of target.querySelectorAll<HTMLInputElement>('input[data-escalation]')) box.checked = state.picked.has(box.dataset.escalation!);
    pickAll.checked = open.length > 0 && open.every((e) => state.picked.has(e.id));
    pickAll.indeterminate = !pickAll.checked && state.picked.size > 0;
    many.textContent = t('sup_ackSelected', { n: state.picked.size });
    many.disabled = state.picked.size === 0;
  };
  const acknowledge = async (ids: string[], button: HTMLButtonElement) => {
    button.disabled = true;
    try {
      const r = await post<AcknowledgedMany>('/api/v1/escalations/acknowledge', { ids }, { 'Idempotency-Key': uuid() });
      for (const i of r.items) {
        state.acknowledged.set(i.id, i.escalation);
        state.picked.delete(i.id);
      }
      await loadEscalations(state, target);
      if (ids.length > 1)
        target.prepend(h('p', { class: 'alert alert-success', role: 'status', 'data-testid': 'acknowledged-many' }, t('sup_ackDone', { n: ids.length })));
    } catch (err) {
      button.disabled = false;
      replace(status, errorBox(err));
    }
  };
  pickAll.addEventListener('change', () => {
    for (const e of open) pickAll.checked ? state.picked.add(e.id) : state.picked.delete(e.id);
    sync();
  });
  many.addEventListener('click', () => void acknowledge([...state.picked], many));
  const tbl = table(
    'escalations-table',
    ['', t('firedAt'), t('kind'), t('unit'), t('stage'), ''],
    all.map((e) => [
      e.acknowledgedAt
        ? ''
        : h('input', {
            type: 'checkbox',
            'data-escalation': e.id,
            'data-testid': 'escalation-select',
            'aria-label': `${t('sup_ackOne')}: ${e.unitName} — ${tx(e.stageTitle)}`,
            onchange: (ev: Event) => {
              (ev.currentTarget as HTMLInputElement).checked ? state.picked.add(e.id) : state.picked.delete(e.id);
              sync();
            },
          }),
      h('span', { class: 'nowrap' }, formatDateTime(e.firedAt)),
      h('span', { class: `badge kind-${e.kind}` }, tKey('kind', e.kind)),
      h('a', { href: `#/instances/${encodeURIComponent(e.instanceId)}` }, e.unitName),
      tx(e.stageTitle),
      e.acknowledgedAt
        ? h(
            'span',
            { class: 'muted', 'data-testid': 'acknowledged' },
            t('acknowledgedBy', { who: e.acknowledgedByName ?? e.acknowledgedBy ?? '', at: formatDateTime(e.acknowledgedAt) }),
          )
        : h(
            'button',
            {
              type: 'button',
              class: 'small',
              'data-testid': 'acknowledge',
              title: t('sup_ackOneTitle'),
              onclick: (ev: Event) => void acknowledge([e.id], ev.currentTarget as HTMLButtonElement),
            },
            t('sup_ackOne'),
          ),
    ]),
    (i) => ({ 'data-testid': 'escalation-row', 'data-acknowledged': String(Boolean(all[i]!.acknowledgedAt)) }),
  );
  tbl.tHead!.rows[0]!.cells[0]!.append(pickAll);
  replace(target, open.length ? h('div', { class: 'remind-bar no-print' }, many) : null, status, h('div', { class: 'table-scroll' }, tbl));
  sync();
}
