// Pieces the administration pages share: a modal dialog, a unit picker that browses the tree one
// level at a time, the reshape report (what a change will do and touch, its problems) in words, and
// tables that scroll inside their own box on a phone.
import { ApiError, get, qs } from './api.ts';
import { h, replace, type Child } from './dom.ts';
import { t, tKey, tMaybe } from './i18n.ts';
import type { ReshapeProblem, ReshapeReport, UnitRow } from './types.ts';

/** A unit kind in words (Sở GDĐT, THCS…). */
export const kindName = (kind: string | null | undefined): string => (kind ? tKey('unitKind', kind) : '');

/** Lower case without diacritics, đ → d: what a search compares. */
export function fold(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').replace(/[đĐ]/g, 'd').toLowerCase().trim();
}

/**
 * A table in a box of its own that scrolls sideways on a narrow screen (the page does not). It takes
 * the keyboard's focus, so that someone without a mouse can scroll it with the arrow keys.
 */
export function scrollBox(...children: Child[]): HTMLElement {
  return h('div', { class: 'table-scroll', tabindex: '0' }, children);
}

export interface Modal {
  dialog: HTMLDialogElement;
  body: HTMLElement;
  footer: HTMLElement;
  close(): void;
}

/** A modal dialog (the native element: focus stays inside, Esc closes it). */
export function modal(title: string, testid: string, onClose?: () => void): Modal {
  const body = h('div', { class: 'modal-body' });
  const footer = h('div', { class: 'modal-foot' });
  const dialog = h(
    'dialog',
    { class: 'modal', 'data-testid': testid, 'aria-label': title },
    h(
      'div',
      { class: 'modal-head' },
      h('h2', null, title),
      h('button', { type: 'button', class: 'link', 'aria-label': t('close'), 'data-testid': 'modal-close', onclick: () => close() }, '✕'),
    ),
    body,
    footer,
  );
  const close = () => {
    dialog.close();
    dialog.remove();
    onClose?.();
  };
  dialog.addEventListener('cancel', (ev) => {
    ev.preventDefault();
    close();
  });
  document.body.appendChild(dialog);
  dialog.showModal();
  return { dialog, body, footer, close };
}

/** Asks a yes/no question in a dialog; resolves true on "Xác nhận". */
export function confirmDialog(title: string, question: string, testid = 'confirm-dialog'): Promise<boolean> {
  return new Promise((resolve) => {
    let answered = false;
    const m = modal(title, testid, () => {
      if (!answered) resolve(false);
    });
    m.body.appendChild(h('p', null, question));
    m.footer.append(
      h('button', { type: 'button', onclick: () => m.close() }, t('cancel')),
      h(
        'button',
        {
          type: 'button',
          class: 'primary',
          'data-testid': 'confirm-yes',
          onclick: () => {
            answered = true;
            resolve(true);
            m.close();
          },
        },
        t('confirm'),
      ),
    );
  });
}

export interface PickedUnit {
  id: string;
  name: string;
  kind: string;
}

/**
 * A unit chosen by browsing: the caller's units at the top, one level at a time below, filtered by
 * name or code (without diacritics), or a code typed in. `pick` returns it, or null when cancelled.
 */
export function pickUnit(title: string, options: { exclude?: string; testid?: string } = {}): Promise<PickedUnit | null> {
  return new Promise((resolve) => {
    let done = false;
    const m = modal(title, options.testid ?? 'unit-picker', () => {
      if (!done) resolve(null);
    });
    const choose = (u: PickedUnit) => {
      done = true;
      resolve(u);
      m.close();
    };
    const trail = h('nav', { class: 'crumbs', 'aria-label': t('pickUnitTitle') });
    const filter = h('input', { type: 'search', placeholder: t('pickFilter'), 'aria-label': t('pickFilter'), 'data-testid': 'picker-filter' });
    const list = h('ul', { class: 'picker-list', 'data-testid': 'picker-list' });
    const code = h('input', { placeholder: t('unitCode'), 'aria-label': t('pickCode'), 'data-testid': 'picker-code' });
    const codeMessage = h('div');
    const codeForm = h(
      'form',
      { class: 'inline-form' },
      h('label', { class: 'inline' }, t('pickCode')),
      code,
      h('button', { type: 'submit', 'data-testid': 'picker-code-go' }, t('pickThis')),
    );
    codeForm.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      replace(codeMessage);
      try {
        const { unit } = await get<{ unit: UnitRow }>(`/api/v1/org-units/${encodeURIComponent(code.value.trim())}`);
        choose({ id: unit.id, name: unit.name, kind: unit.kind });
      } catch (e) {
        replace(codeMessage, h('p', { class: 'field-error' }, e instanceof ApiError && e.status === 404 ? t('err_NOT_FOUND') : String(e)));
      }
    });
    m.body.append(trail, filter, list, codeForm, codeMessage);
    m.footer.append(h('button', { type: 'button', onclick: () => m.close() }, t('cancel')));
    let items: UnitRow[] = [];
    const draw = () => {
      const q = fold(filter.value);
      const shown = items.filter((u) => !q || fold(u.name).includes(q) || fold(u.id).includes(q));
      replace(
        list,
        shown
          .slice(0, 200)
          .map((u) =>
            h(
              'li',
              { 'data-testid': 'picker-item', 'data-unit-id': u.id },
              h('span', { class: 'picker-name' }, u.name, h('span', { class: 'muted small' }, ` · ${kindName(u.kind)} · ${u.id}`)),
              u.childCount > 0
                ? h(
                    'button',
                    { type: 'button', class: 'small', 'data-testid': 'picker-open', onclick: () => void level(u) },
                    `${t('pickOpen')} (${u.childCount}) ›`,
                  )
                : null,
              u.id === options.exclude || u.closedAt
                ? null
                : h(
                    'button',
                    { type: 'button', class: 'small primary', 'data-testid': 'picker-choose', onclick: () => choose({ id: u.id, name: u.name, kind: u.kind }) },
                    t('pickThis'),
                  ),
            ),
          ),
        shown.length ? null : h('li', { class: 'muted' }, t('none')),
      );
    };
    filter.addEventListener('input', draw);
    const path: UnitRow[] = [];
    const level = async (parent: UnitRow | null) => {
      if (parent) {
        const at = path.findIndex((p) => p.id === parent.id);
        if (at >= 0) path.splice(at + 1);
        else path.push(parent);
      } else path.splice(0);
      replace(
        trail,
        h('button', { type: 'button', class: 'link', onclick: () => void level(null) }, t('pickTop')),
        path.map((p) => [' › ', h('button', { type: 'button', class: 'link', onclick: () => void level(p) }, p.name)]),
      );
      filter.value = '';
      replace(list, h('li', { class: 'muted' }, t('loading')));
      const res = await get<{ items: UnitRow[] }>(`/api/v1/org-units${qs({ parentId: parent?.id })}`);
      items = res.items;
      draw();
      filter.focus();
    };
    void level(null).catch((e) => replace(list, h('li', { class: 'field-error' }, String(e))));
  });
}

/** A button showing the unit chosen, opening the picker. */
export function unitField(
  testid: string,
  initial: PickedUnit | null,
  onChange?: (u: PickedUnit | null) => void,
  exclude?: string,
  emptyText: string = t('chosenNone'),
): { element: HTMLElement; value(): PickedUnit | null; clear(): void } {
  let value = initial;
  const label = h('span', { class: 'unit-chosen', 'data-testid': `${testid}-chosen` });
  const show = () =>
    replace(label, value ? `${value.name} (${[kindName(value.kind), value.id].filter(Boolean).join(' · ')})` : h('span', { class: 'muted' }, emptyText));
  show();
  const button = h(
    'button',
    {
      type: 'button',
      'data-testid': testid,
      onclick: async () => {
        const u = await pickUnit(t('pickUnitTitle'), { ...(exclude ? { exclude } : {}) });
        if (!u) return;
        value = u;
        show();
        onChange?.(u);
      },
    },
    t('chooseUnitBtn'),
  );
  return {
    element: h('div', { class: 'unit-field' }, label, button),
    value: () => value,
    clear: () => {
      value = null;
      show();
    },
  };
}

/** A reshape problem in words, from its code and parameters (the API's message is English). */
export function problemText(p: Pick<ReshapeProblem, 'code' | 'message' | 'params'>): string {
  const params: Record<string, string | number> = {};
  for (const [k, v] of Object.entries(p.params ?? {})) {
    if (typeof v === 'string') params[k] = k.toLowerCase().includes('kind') ? kindName(v) : v;
    else if (typeof v === 'number') params[k] = v;
  }
  params.code = p.code;
  const text = tMaybe(`problem_${p.code}`, params);
  // a parameter the problem did not carry: the shorter wording that needs none
  if (text && /\{\w+\}/.test(text)) return tMaybe(`problem_${p.code}_short`) ?? text.replace(/\{\w+\}/g, '…');
  return text ?? t('problem_other', { code: p.code });
}

/** The problems a refused reshape answers: in a dry run's report, a 422's details, a 404's details. */
export function problemsOf(e: unknown): ReshapeProblem[] | null {
  if (!(e instanceof ApiError)) return null;
  const problems = e.details?.problems as ReshapeProblem[] | undefined;
  return Array.isArray(problems) && problems.length ? problems : null;
}

export function problemList(problems: ReshapeProblem[]): HTMLElement {
  return h(
    'div',
    { class: 'alert alert-error', role: 'alert', 'data-testid': 'reshape-problems' },
    h('strong', null, t('problemsTitle')),
    h(
      'ul',
      null,
      problems.map((p) => h('li', { 'data-testid': 'reshape-problem', 'data-code': p.code }, problemText(p))),
    ),
  );
}

/** What a reshape will do (or did) and what it touches, in a few lines. */
export function reshapeSummary(report: ReshapeReport, names: (id: string) => string = (id) => id): HTMLElement {
  const lines: Child[] = [];
  for (const a of report.added) lines.push(h('li', null, `${t('sumAdd', { n: 1 })}: `, t('addedLine', { u: a.name, k: kindName(a.kind), c: a.id })));
  for (const u of report.updated) lines.push(h('li', null, `${t('sumUpdate', { n: 1 })}: `, changesText(u.changes)));
  for (const mv of report.moved)
    lines.push(h('li', null, `${t('sumMove', { n: mv.units })}: `, t('movedLine', { u: mv.name, n: mv.units, p: names(mv.toParentId) })));
  for (const mg of report.merged) lines.push(h('li', null, `${t('sumMerge', { n: 1 })}: `, t('mergedLine', { u: mg.name, v: mg.intoName })));
  for (const c of report.closed) lines.push(h('li', null, `${t('sumClose', { n: c.units })}: `, t('closedLine', { u: c.name, n: c.units })));
  return h(
    'div',
    { class: 'reshape-summary', 'data-testid': 'reshape-summary' },
    lines.length ? [h('p', null, h('strong', null, report.applied ? t('reshapeDone') : t('willDo'))), h('ul', null, lines)] : h('p', null, t('noChange')),
    touchesBox(report.touches),
  );
}

export function touchesBox(touches: ReshapeReport['touches']): HTMLElement {
  const cell = (n: number, label: string, testid: string) =>
    h('div', { class: `stat${n > 0 ? ' warn' : ''}`, 'data-testid': testid, 'data-n': n }, h('span', { class: 'stat-n' }, n), label);
  return h(
    'div',
    { class: 'touches', 'data-testid': 'reshape-touches' },
    h('h3', null, t('touchesTitle')),
    h(
      'div',
      { class: 'touch-grid' },
      cell(touches.runningInstances, t('touchInstances'), 'touch-instances'),
      cell(touches.openTasks, t('touchTasks'), 'touch-tasks'),
      cell(touches.pendingEscalations, t('touchEscalations'), 'touch-escalations'),
      cell(touches.grants, t('touchGrants'), 'touch-grants'),
    ),
    touches.runningInstances + touches.openTasks > 0 ? h('p', { class: 'muted small' }, t('touchNote')) : null,
  );
}

/** `{ name: { from, to } }` → "tên: A → B". */
export function changesText(changes: Record<string, unknown>): string {
  return Object.entries(changes)
    .map(([field, c]) => {
      const { from, to } = (c ?? {}) as { from?: unknown; to?: unknown };
      const word = tMaybe(`change${field[0]!.toUpperCase()}${field.slice(1)}`) ?? field;
      const show = (v: unknown) =>
        v === null || v === undefined || v === ''
          ? '—'
          : field === 'kind'
            ? kindName(String(v))
            : Array.isArray(v)
              ? v.map((x) => kindName(String(x))).join(', ')
              : String(v);
      return `${word}: ${show(from)} → ${show(to)}`;
    })
    .join('; ');
}
