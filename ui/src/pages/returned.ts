// Why a task is open again, at the top of its page: returned by the stage after it (who, when, what
// they wrote) or reopened to be corrected (who, when, why).
import { h } from '../dom.ts';
import { formatDateTime } from '../format.ts';
import { t, tx } from '../i18n.ts';
import type { TaskDetail } from '../types.ts';

type Note = NonNullable<TaskDetail['returned']>;

/** A field's value in words: a coded choice by its title, never its code; text and numbers as they are. */
function valueText(f: Note['fields'][number]): string | null {
  if (f.valueTitle) return tx(f.valueTitle);
  if (typeof f.value === 'string') return /^[a-z][a-z0-9_]*$/.test(f.value) ? null : f.value;
  if (typeof f.value === 'number') return String(f.value);
  return null;
}

export function returnedNotice(detail: TaskDetail): HTMLElement | null {
  const note = detail.returned;
  if (!note) return null;
  const fields = note.fields.map((f) => [tx(f.title), valueText(f)] as const).filter((x): x is readonly [string, string] => x[1] !== null);
  const reopened = note.kind === 'reopened';
  return h(
    'section',
    { class: 'alert alert-warning returned', role: 'note', 'data-testid': 'task-returned', 'data-kind': note.kind },
    h('h2', null, reopened ? t('stf_reopenedTitle') : t('stf_returnedTitle')),
    h(
      'p',
      { 'data-testid': 'returned-by' },
      reopened
        ? `${note.byName} · ${formatDateTime(note.at)}`
        : t('stf_returnedBy', { who: note.byName, at: formatDateTime(note.at), stage: tx(note.fromStageTitle ?? detail.stage.title) }),
      note.eventTitle ? h('span', { class: 'muted' }, ` — ${tx(note.eventTitle)}`) : null,
    ),
    note.reason ? h('p', { 'data-testid': 'returned-reason' }, h('strong', null, `${t('stf_reopenReason')}: `), note.reason) : null,
    fields.length
      ? h(
          'dl',
          { class: 'returned-fields', 'data-testid': 'returned-fields' },
          fields.map(([label, value]) => [h('dt', null, label), h('dd', null, value)]),
        )
      : null,
  );
}
