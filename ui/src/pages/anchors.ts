// An instance's anchor dates (the external evaluation visit, a graduation decision…): each with its
// value and the stages whose deadline counts from it; set or changed by whoever works over those
// stages (the server says so per anchor, and is the judge when the date is sent).
import { post, uuid } from '../api.ts';
import { h, replace } from '../dom.ts';
import { t, tx } from '../i18n.ts';
import type { InstanceSummary, Timeline } from '../types.ts';
import { errorBox, section, successBox } from '../widgets.ts';
import { problem } from './notice.ts';

type Anchor = NonNullable<Timeline['anchors']>[number];

/** dd/mm/yyyy from the anchor's YYYY-MM-DD, as offices write dates. */
export function anchorDate(value: string): string {
  const [y, m, d] = value.split('-');
  return `${d}/${m}/${y}`;
}

/** The section, or nothing when the process has no anchor. `reload` redraws the page after a change. */
export function anchorsSection(tl: Timeline, reload: (flash: string) => Promise<void>): HTMLElement | null {
  const anchors = tl.anchors ?? [];
  if (!anchors.length) return null;
  return section(
    t('adm_anchorsTitle'),
    'anchors',
    anchors.map((a) => anchorRow(tl, a, reload)),
  );
}

function anchorRow(tl: Timeline, a: Anchor, reload: (flash: string) => Promise<void>): HTMLElement {
  const id = `anchor-${a.name}`;
  const message = h('div', { 'aria-live': 'polite' });
  const running = tl.instance.status === 'running';
  const stages = a.stages.map((s) => tx(s.title)).join(', ');
  let editor: HTMLElement | null = null;
  if (running && a.canSet) {
    const input = h('input', { type: 'date', id, value: a.value ?? '', 'data-testid': 'anchor-date' });
    const save = h('button', { type: 'submit', 'data-testid': 'anchor-save' }, t('adm_anchorSet'));
    editor = h('form', { class: 'inline-form', 'data-testid': 'anchor-form' }, h('label', { for: id }, t('adm_anchorDateLabel')), input, save);
    editor.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      replace(message);
      if (!input.value) return replace(message, problem(t('adm_anchorPickDate'), 'anchor-error'));
      save.disabled = true;
      try {
        await post<InstanceSummary>(
          `/api/v1/instances/${encodeURIComponent(tl.instance.id)}/anchors`,
          { name: a.name, date: input.value },
          { 'Idempotency-Key': uuid() },
        );
        await reload(t('adm_anchorSaved', { a: tx(a.title), d: anchorDate(input.value) }));
      } catch (e) {
        replace(message, errorBox(e, 'anchor-error'));
        save.disabled = false;
      }
    });
  }
  return h(
    'div',
    { class: 'stage', 'data-testid': 'anchor', 'data-anchor': a.name },
    h('h3', null, tx(a.title)),
    h('p', { 'data-testid': 'anchor-value' }, a.value ? anchorDate(a.value) : h('span', { class: 'muted' }, t('adm_anchorNotSet'))),
    stages ? h('p', { class: 'muted' }, t('adm_anchorMoves', { s: stages })) : null,
    editor ?? (running ? h('p', { class: 'muted small', 'data-testid': 'anchor-cannot' }, t('adm_anchorCannot')) : null),
    message,
  );
}

/** On each active stage whose deadline counts from an anchor, which date it counts from (after the
 * timeline is drawn: the stage cards are the timeline's). */
export function markAnchoredStages(root: HTMLElement, tl: Timeline): void {
  for (const a of tl.anchors ?? [])
    for (const s of a.stages) {
      const card = root.querySelector(`[data-testid="active-stage"][data-stage="${CSS.escape(s.id)}"]`);
      card
        ?.querySelector('h3')
        ?.after(
          h(
            'p',
            { class: 'muted', 'data-testid': 'stage-anchor' },
            t('adm_stageCountsFrom', { a: tx(a.title), d: a.value ? anchorDate(a.value) : t('adm_anchorNotSet') }),
          ),
        );
    }
}

/** A success line for the page's message area. */
export const anchorFlash = (text: string): HTMLElement => successBox(text, 'anchor-saved');
