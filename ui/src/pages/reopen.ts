// "Mở lại để sửa": reopening a completed task to correct it, with the reason asked first; the task's
// page then opens with its answers in the form. Used on the task page and the instance's timeline.
import { post, uuid } from '../api.ts';
import { h, replace } from '../dom.ts';
import { t } from '../i18n.ts';
import { flash, navigate } from '../router.ts';
import type { InstanceSummary, Timeline } from '../types.ts';
import { errorBox } from '../widgets.ts';

/** A done task of the stage entry now active, in a stage the caller acts in: the server has the last word. */
export function mayReopenOnTimeline(tl: Timeline, task: Timeline['tasks'][number]): boolean {
  if (task.status !== 'done' || tl.instance.status !== 'running') return false;
  const stage = tl.stages.find((s) => s.id === task.stage);
  if (!stage?.canAct) return false;
  const latest = Math.max(...tl.tasks.filter((k) => k.stage === task.stage).map((k) => k.stageSeq));
  return task.stageSeq === latest;
}

/** The button, and once pressed the reason and the confirmation, in place. */
export function reopenControl(taskId: string, title: string): HTMLElement {
  const box = h('div', { class: 'reopen' });
  const start = h('button', { type: 'button', class: 'small', 'data-testid': 'task-reopen' }, t('stf_reopen'));
  start.addEventListener('click', () =>
    replace(
      box,
      reasonForm(taskId, title, () => replace(box, start)),
    ),
  );
  box.appendChild(start);
  return box;
}

function reasonForm(taskId: string, title: string, cancel: () => void): HTMLElement {
  const id = `reopen-${taskId.replace(/[^A-Za-z0-9_-]/g, '_')}`;
  const reason = h('textarea', { id, rows: 2, maxlength: 2000, 'aria-required': 'true', 'data-testid': 'reopen-reason' });
  const message = h('div', { 'aria-live': 'polite' });
  const confirm = h('button', { type: 'submit', class: 'primary small', 'data-testid': 'reopen-confirm' }, t('stf_reopenConfirm'));
  const form = h(
    'form',
    { class: 'reopen-form', 'data-testid': 'reopen-form' },
    h('label', { for: id }, t('stf_reopenReason')),
    reason,
    message,
    h(
      'div',
      { class: 'actions' },
      confirm,
      h('button', { type: 'button', class: 'small', 'data-testid': 'reopen-cancel', onclick: cancel }, t('stf_reopenCancel')),
    ),
  );
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    replace(message);
    if (!reason.value.trim()) {
      message.appendChild(h('p', { class: 'field-error', role: 'alert' }, t('stf_reasonNeeded')));
      reason.focus();
      return;
    }
    confirm.disabled = true;
    try {
      await post<InstanceSummary>(`/api/v1/tasks/${encodeURIComponent(taskId)}/reopen`, { reason: reason.value.trim() }, { 'Idempotency-Key': uuid() });
      flash(t('stf_reopened', { t: title }));
      navigate(`#/tasks/${encodeURIComponent(taskId)}`);
    } catch (e) {
      message.appendChild(errorBox(e, 'reopen-error'));
      confirm.disabled = false;
    }
  });
  queueMicrotask(() => reason.focus());
  return form;
}
