// A stage's comment thread: the back-and-forth of returns and feedback, each comment with its
// author's full name and time, and a box to write in for those who act on the instance. Text is
// shown as text (dom.ts never parses markup).
import { get, post } from '../api.ts';
import type { Commented, CommentThread, InstanceComments } from '../api.generated.ts';
import { h, replace } from '../dom.ts';
import { formatDateTime } from '../format.ts';
import { t, tx } from '../i18n.ts';
import { errorBox, section, successBox } from '../widgets.ts';

let seq = 0;

/** The thread of one stage of an instance; `heading` titles it (the stage's name where several show). */
export function commentThread(instanceId: string, stage: string, heading?: string): HTMLElement {
  const path = `/api/v1/instances/${encodeURIComponent(instanceId)}/stages/${encodeURIComponent(stage)}/comments`;
  const messages = h('div', { 'aria-live': 'polite' });
  const list = h('div', null);
  const box = h('div', { class: 'comments', 'data-testid': 'comments', 'data-stage': stage }, h('h3', null, heading ?? t('fil_comments')), list, messages);
  const load = async () => {
    try {
      const thread = await get<CommentThread>(path);
      replace(list, items(thread), thread.canWrite ? writer(thread.maxLength) : h('p', { class: 'muted small' }, t('fil_commentReadOnly')));
    } catch (e) {
      replace(list, errorBox(e, 'comments-error'));
    }
  };
  const writer = (max: number): HTMLElement => {
    const id = `comment-${++seq}`;
    const area = h('textarea', { id, rows: 3, maxlength: max, 'data-testid': 'comment-text', required: true });
    const left = h('span', { class: 'muted small', 'aria-live': 'polite' }, t('fil_commentLeft', { n: max }));
    area.addEventListener('input', () => (left.textContent = t('fil_commentLeft', { n: max - [...area.value].length })));
    const send = h('button', { type: 'submit', 'data-testid': 'comment-send' }, t('fil_commentSend'));
    const form = h('form', { class: 'comment-form' }, h('label', { for: id }, t('fil_commentLabel')), area, h('div', { class: 'actions' }, send, ' ', left));
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      replace(messages);
      if (!area.value.trim()) return;
      send.disabled = true;
      try {
        await post<Commented>(path, { text: area.value });
        await load();
        messages.appendChild(successBox(t('fil_commentSent'), 'comment-sent'));
      } catch (e) {
        messages.appendChild(errorBox(e, 'comment-error'));
        send.disabled = false;
      }
    });
    return form;
  };
  void load();
  return box;
}

/** The threads of the stages an instance is not in now (a review that sent the dossier back, a
 * finished instance's every stage), read-only; nothing shows when they have no comment. */
export function pastThreads(instanceId: string, activeStages: string[]): HTMLElement {
  const card = section(t('fil_pastComments'), 'past-comments');
  card.hidden = true;
  void get<InstanceComments>(`/api/v1/instances/${encodeURIComponent(instanceId)}/comments`)
    .then((all) => {
      const stages = [...new Set(all.items.map((c) => c.stage))].filter((s) => !activeStages.includes(s));
      for (const s of stages) {
        const thread = { items: all.items.filter((c) => c.stage === s) };
        card.appendChild(
          h('div', { class: 'comments', 'data-testid': 'past-thread', 'data-stage': s }, h('h3', null, tx(all.stageTitles[s]) || s), items(thread)),
        );
      }
      card.hidden = stages.length === 0;
    })
    .catch((e) => {
      card.appendChild(errorBox(e, 'comments-error'));
      card.hidden = false;
    });
  return card;
}

function items(thread: Pick<CommentThread, 'items'>): HTMLElement {
  if (!thread.items.length) return h('p', { class: 'muted', 'data-testid': 'comments-none' }, t('fil_noComments'));
  return h(
    'ol',
    { class: 'plain comment-list' },
    thread.items.map((c) =>
      h(
        'li',
        { class: 'comment', 'data-testid': 'comment' },
        h('p', { class: 'comment-head' }, h('strong', null, c.authorName), h('span', { class: 'muted' }, ` · ${formatDateTime(c.at)}`)),
        h('p', { class: 'comment-text' }, c.text),
      ),
    ),
  );
}
