// One task: its form, the stage's evidence checklist, legal basis and deadline; completing it
// leads to the instance's timeline.
import { ApiError, get, post, uuid } from '../api.ts';
import { h, replace } from '../dom.ts';
import { renderForm } from '../form.ts';
import { formatDate } from '../format.ts';
import { t, tKey, tx } from '../i18n.ts';
import { flash, navigate, type PageCtx } from '../router.ts';
import type { InstanceSummary, TaskDetail } from '../types.ts';
import { errorBox, loading, pageTitle, section, statusBadge, workingDaysText } from '../widgets.ts';
import { taskAttachments } from './attachments.ts';
import { commentThread } from './comments.ts';

export async function taskPage(ctx: PageCtx): Promise<void> {
  const id = ctx.params[0]!;
  replace(ctx.root, loading());
  const detail = await get<TaskDetail>(`/api/v1/tasks/${encodeURIComponent(id)}`);
  if (ctx.signal.aborted) return;
  const { task, stage } = detail;
  replace(
    ctx.root,
    pageTitle(tx(task.title), statusBadge(task.status, 'taskStatus')),
    h('p', { class: 'subtitle' }, `${tx(task.processTitle)} · ${task.unitName} · ${tx(stage.title)}`),
    detail.description ? h('p', { class: 'description', 'data-testid': 'task-description' }, tx(detail.description)) : null,
    h(
      'div',
      { class: 'columns' },
      h(
        'div',
        { class: 'col-main' },
        formSection(detail),
        taskAttachments(detail),
        section(t('fil_comments'), 'task-comments', commentThread(task.instanceId, stage.id, tx(stage.title))),
      ),
      h('div', { class: 'col-side' }, deadlineSection(detail), evidenceSection(detail)),
    ),
    h('p', null, h('a', { href: `#/instances/${encodeURIComponent(task.instanceId)}`, 'data-testid': 'timeline-link' }, t('viewTimeline'))),
  );
}

function formSection(detail: TaskDetail): HTMLElement {
  const { task } = detail;
  const open = task.status === 'open' && detail.canAct !== false;
  const rendered = detail.form && Object.keys(detail.form.properties ?? {}).length ? renderForm(detail.form, task.data ?? detail.prefill ?? {}) : null;
  const message = h('div', { 'aria-live': 'polite' });
  const submit = h('button', { type: 'submit', class: 'primary', 'data-testid': 'task-submit', disabled: !open }, t('complete'));
  const fieldset = h('fieldset', { disabled: !open }, rendered ? rendered.element : h('p', { class: 'muted' }, t('noForm')));
  const form = h(
    'form',
    { 'data-testid': 'task-form', novalidate: false },
    fieldset,
    message,
    open
      ? submit
      : h(
          'p',
          { class: 'muted', 'data-testid': 'task-readonly' },
          task.status === 'open' ? t('viewOnly') : t('taskClosed', { s: tKey('taskStatus', task.status) }),
        ),
  );
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    rendered?.clearErrors();
    replace(message);
    submit.disabled = true;
    try {
      // a fresh key per attempt: a retried request after a network failure is still one completion
      await post<InstanceSummary>(`/api/v1/tasks/${encodeURIComponent(task.id)}/complete`, { data: rendered?.read() ?? {} }, { 'Idempotency-Key': uuid() });
      flash(t('completed', { t: tx(task.title) }));
      navigate(`#/instances/${encodeURIComponent(task.instanceId)}`);
    } catch (e) {
      const errors = e instanceof ApiError && e.status === 422 ? (e.details?.errors ?? []) : [];
      const unplaced = rendered && errors.length ? rendered.showErrors(errors) : errors;
      if (errors.length && unplaced.length < errors.length)
        message.appendChild(h('div', { class: 'alert alert-error', role: 'alert', 'data-testid': 'form-invalid' }, t('formInvalid')));
      // The box words every problem, so one no field can show (a field the form lacks) is not lost.
      if (!errors.length || unplaced.length) message.appendChild(errorBox(e, 'task-error'));
      submit.disabled = false;
    }
  });
  return section(t('taskForm'), 'task-form-card', form);
}

function deadlineSection({ stage }: TaskDetail): HTMLElement {
  const left = stage.workingDaysLeft;
  const urgency = left === undefined || left === null ? 'none' : left < 0 ? 'overdue' : left <= 5 ? 'soon' : 'ok';
  return section(
    t('deadline'),
    'task-deadline',
    h('p', { class: 'big' }, h('span', { class: `due due-${urgency}` }, formatDate(stage.dueAt))),
    left !== undefined && left !== null ? h('p', { 'data-testid': 'working-days-left' }, workingDaysText(left)) : null,
    h('h3', null, t('legalBasis')),
    stage.legalBasis.length
      ? h(
          'ul',
          { class: 'plain', 'data-testid': 'legal-basis' },
          stage.legalBasis.map((l) => h('li', null, l)),
        )
      : h('p', { class: 'muted' }, t('none')),
  );
}

function evidenceSection(detail: TaskDetail): HTMLElement {
  const message = h('div', { 'aria-live': 'polite' });
  if (!detail.evidence.length) return section(t('evidence'), 'evidence', h('p', { class: 'muted' }, t('noEvidence')));
  const items = detail.evidence.map((item) => {
    const box = h('input', {
      type: 'checkbox',
      checked: item.checked,
      disabled: detail.canAct === false,
      'data-testid': `evidence-${item.id}`,
      id: `ev-${item.id}`,
    });
    box.addEventListener('change', async () => {
      box.disabled = true;
      replace(message);
      try {
        await post(`/api/v1/instances/${encodeURIComponent(detail.task.instanceId)}/evidence`, { item: item.id, checked: box.checked });
      } catch (e) {
        box.checked = !box.checked;
        message.appendChild(errorBox(e, 'evidence-error'));
      } finally {
        box.disabled = false;
      }
    });
    return h(
      'li',
      null,
      box,
      h('label', { for: `ev-${item.id}` }, ' ', tx(item.title), item.required ? null : h('span', { class: 'muted' }, ` (${t('optional')})`)),
    );
  });
  return section(t('evidence'), 'evidence', h('ul', { class: 'plain checklist' }, items), message);
}
