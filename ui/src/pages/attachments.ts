// Files attached to a task or a checklist item: the list (each a download link, who sent it and
// when), the upload form where the reader may attach, and removing one's own while its task is open.
// The server decides each file's type by its content; the form only says what it takes.
import { del, get, upload } from '../api.ts';
import type { Attached, Attachment, AttachmentList } from '../api.generated.ts';
import { h, replace, table } from '../dom.ts';
import { formatDateTime } from '../format.ts';
import { t, tx } from '../i18n.ts';
import type { TaskDetail, Timeline } from '../types.ts';
import { errorBox, section, successBox } from '../widgets.ts';

/** Where a file may go: a task row of the instance, or a checklist item, with its title on screen. */
export type AttachTarget = { kind: 'task'; id: string; label: string } | { kind: 'item'; id: string; label: string };

export interface AttachmentsOptions {
  instanceId: string;
  /** Only the files of these (a task page shows its task's and its stage's items'); all when absent. */
  only?: { taskId?: string; items?: string[] };
  /** Where the reader may attach; none: the list alone. */
  targets?: AttachTarget[];
  /** Titles for the "for" column: task row id or item id → title. */
  labels?: Map<string, string>;
}

const ACCEPT = '.pdf,.png,.jpg,.jpeg,.gif,.webp,.docx,.xlsx,.pptx,.odt,.ods,.odp,.doc,.xls,.ppt,.csv,.txt';

const sizeText = (n: number) => (n >= 1048576 ? `${(n / 1048576).toFixed(1)} MB` : n >= 1024 ? `${Math.round(n / 1024)} KB` : `${n} B`);

/** The attachments card: loads its list and redraws itself after an upload or a removal. */
export function attachmentsSection(o: AttachmentsOptions): HTMLElement {
  const messages = h('div', { 'aria-live': 'polite' });
  const body = h('div', null);
  const card = section(t('fil_attachments'), 'attachments', messages, body);
  const load = async () => {
    try {
      const list = await get<AttachmentList>(`/api/v1/instances/${encodeURIComponent(o.instanceId)}/attachments`);
      const shown = list.items.filter(
        (a) =>
          !o.only ||
          (o.only.taskId !== undefined && a.taskId === o.only.taskId) ||
          (a.evidenceItem !== undefined && (o.only.items ?? []).includes(a.evidenceItem)),
      );
      replace(body, listOf(shown, o, messages, load), o.targets?.length ? uploadForm(o, list.maxBytes, messages, load) : null);
    } catch (e) {
      replace(body, errorBox(e, 'attachments-error'));
    }
  };
  void load();
  return card;
}

function listOf(items: Attachment[], o: AttachmentsOptions, messages: HTMLElement, reload: () => Promise<void>): HTMLElement {
  if (!items.length) return h('p', { class: 'muted', 'data-testid': 'attachments-none' }, t('fil_none'));
  const forText = (a: Attachment) => {
    if (a.taskId) return t('fil_task', { t: o.labels?.get(a.taskId) ?? o.labels?.get(a.task ?? '') ?? '' });
    if (a.evidenceItem) return t('fil_item', { t: o.labels?.get(a.evidenceItem) ?? '' });
    return '';
  };
  return table(
    'attachments-table',
    [t('fil_name'), t('fil_for'), t('fil_size'), t('fil_by'), t('fil_at'), ''],
    items.map((a) => [
      h(
        'a',
        {
          href: `/api/v1/attachments/${encodeURIComponent(a.id)}`,
          download: a.name,
          class: 'file-name',
          'data-testid': 'attachment-link',
          'aria-label': t('fil_download', { n: a.name }),
        },
        a.name,
      ),
      forText(a),
      h('span', { class: 'nowrap' }, sizeText(a.size)),
      a.uploadedByName,
      h('span', { class: 'nowrap' }, formatDateTime(a.at)),
      a.canRemove
        ? h(
            'button',
            {
              type: 'button',
              class: 'link',
              'data-testid': 'attachment-remove',
              // Two clicks, no browser dialog: the first asks, in the page's own words.
              onclick: async (ev: Event) => {
                const button = ev.currentTarget as HTMLButtonElement;
                if (button.dataset.armed !== 'true') {
                  button.dataset.armed = 'true';
                  button.textContent = t('fil_removeSure');
                  button.title = t('fil_removeConfirm', { n: a.name });
                  return;
                }
                replace(messages);
                try {
                  await del(`/api/v1/attachments/${encodeURIComponent(a.id)}`);
                  await reload();
                  messages.appendChild(successBox(t('fil_removed', { n: a.name }), 'attachment-removed'));
                } catch (e) {
                  messages.appendChild(errorBox(e, 'attachment-error'));
                }
              },
            },
            t('fil_remove'),
          )
        : '',
    ]),
    (i) => ({ 'data-testid': 'attachment-row', 'data-name': items[i]!.name }),
  );
}

function uploadForm(o: AttachmentsOptions, maxBytes: number, messages: HTMLElement, reload: () => Promise<void>): HTMLElement {
  const mb = Math.round(maxBytes / 1048576);
  const input = h('input', { type: 'file', id: 'attach-file', accept: ACCEPT, 'data-testid': 'attach-file', required: true });
  const chosen = h('span', { class: 'muted', 'data-testid': 'attach-chosen' }, t('fil_noneChosen'));
  input.addEventListener('change', () => (chosen.textContent = input.files?.[0]?.name ?? t('fil_noneChosen')));
  const targets = o.targets!;
  const select = h(
    'select',
    { id: 'attach-target', 'data-testid': 'attach-target' },
    targets.map((x, i) => h('option', { value: String(i) }, x.label)),
  );
  const button = h('button', { type: 'submit', class: 'primary', 'data-testid': 'attach-submit' }, t('fil_attach'));
  const form = h(
    'form',
    { class: 'attach-form', 'data-testid': 'attach-form' },
    // The browser's own file button speaks the browser's language: a label of ours stands for it.
    h('p', { class: 'file-pick' }, input, h('label', { for: 'attach-file', class: 'button' }, t('fil_choose')), ' ', chosen),
    targets.length > 1 ? h('p', null, h('label', { for: 'attach-target' }, t('fil_target')), ' ', select) : null,
    h('p', { class: 'muted', 'data-testid': 'attach-limits' }, t('fil_limits', { mb })),
    button,
  );
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    replace(messages);
    const file = input.files?.[0];
    if (!file) return;
    if (file.size > maxBytes) {
      messages.appendChild(
        h('div', { class: 'alert alert-error', role: 'alert', 'data-testid': 'attachment-error' }, t('fil_tooLargeHere', { n: file.name, mb })),
      );
      return;
    }
    const target = targets[Number(select.value) || 0]!;
    button.disabled = true;
    button.textContent = t('fil_uploading');
    try {
      const where = target.kind === 'task' ? `taskId=${encodeURIComponent(target.id)}` : `item=${encodeURIComponent(target.id)}`;
      const done = await upload<Attached>(
        `/api/v1/instances/${encodeURIComponent(o.instanceId)}/attachments?name=${encodeURIComponent(file.name)}&${where}`,
        await file.arrayBuffer(),
      );
      await reload();
      const kind = done.attachment.name.split('.').pop()?.toUpperCase() ?? '';
      messages.appendChild(
        successBox(done.renamed ? t('fil_renamed', { n: done.attachment.name, k: kind }) : t('fil_attached', { n: done.attachment.name }), 'attachment-added'),
      );
    } catch (e) {
      messages.appendChild(errorBox(e, 'attachment-error'));
      button.disabled = false;
      button.textContent = t('fil_attach');
    }
  });
  return form;
}

/** A task page's card: its task's files and its stage's checklist items', and where the reader may
 * attach (the task, each item) when they may complete it. */
export function taskAttachments(detail: TaskDetail): HTMLElement {
  const { task } = detail;
  const open = task.status === 'open' && detail.canAct !== false;
  const labels = new Map<string, string>([[task.id, tx(task.title)], ...detail.evidence.map((e) => [e.id, tx(e.title)] as const)]);
  return attachmentsSection({
    instanceId: task.instanceId,
    only: { taskId: task.id, items: detail.evidence.map((e) => e.id) },
    labels,
    ...(open
      ? {
          targets: [
            { kind: 'task' as const, id: task.id, label: t('fil_task', { t: tx(task.title) }) },
            ...detail.evidence.map((e) => ({ kind: 'item' as const, id: e.id, label: t('fil_item', { t: tx(e.title) }) })),
          ],
        }
      : {}),
  });
}

/** An instance page's card: every file, and where the reader may attach there — the checklist items
 * of the active stages they act in (a stage whose only work is its checklist has no task page). */
export function instanceFiles(tl: Timeline): AttachmentsOptions {
  const mine = tl.instance.status === 'running' ? tl.stages.filter((s) => s.canAct) : [];
  return {
    instanceId: tl.instance.id,
    labels: new Map([...tl.tasks.map((k) => [k.id, tx(k.title)] as const), ...tl.stages.flatMap((s) => s.evidence.map((e) => [e.id, tx(e.title)] as const))]),
    targets: mine.flatMap((s) => s.evidence.map((e) => ({ kind: 'item' as const, id: e.id, label: t('fil_item', { t: tx(e.title) }) }))),
  };
}
