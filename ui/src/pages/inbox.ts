// The inbox: notices of reminders and escalations sent to the user's units; mark them read.
import { get, post } from '../api.ts';
import { h, replace } from '../dom.ts';
import { formatDateTime } from '../format.ts';
import { t, tKey, tx } from '../i18n.ts';
import type { PageCtx } from '../router.ts';
import { session } from '../session.ts';
import type { InboxItem } from '../types.ts';
import { errorBox, loading, pageTitle } from '../widgets.ts';

export async function inboxPage(ctx: PageCtx): Promise<void> {
  const body = h('div', null, loading());
  const message = h('div', { 'aria-live': 'polite' });
  const allButton = h('button', { type: 'button', 'data-testid': 'inbox-read-all' }, t('markAllRead'));
  replace(ctx.root, pageTitle(t('inboxTitle'), allButton), message, body);
  const markRead = async (body: { ids?: number[]; all?: boolean }) => {
    replace(message);
    try {
      const { unread } = await post<{ unread: number }>('/api/v1/inbox/read', body);
      session.unreadInbox = unread;
      document.dispatchEvent(new Event('tiendo:inbox'));
      await load();
    } catch (e) {
      replace(message, errorBox(e));
    }
  };
  const load = async () => {
    const { items, unread } = await get<{ items: InboxItem[]; unread: number }>('/api/v1/inbox');
    if (ctx.signal.aborted) return;
    session.unreadInbox = unread;
    document.dispatchEvent(new Event('tiendo:inbox'));
    allButton.disabled = unread === 0;
    if (!items.length) return replace(body, h('p', { class: 'empty', 'data-testid': 'inbox-empty' }, t('inboxEmpty')));
    const sorted = [...items].sort((a, b) => b.createdAt - a.createdAt);
    replace(
      body,
      h(
        'ul',
        { class: 'inbox', 'data-testid': 'inbox-list' },
        sorted.map((n) =>
          h(
            'li',
            { class: n.readAt ? 'read' : 'unread', 'data-testid': 'inbox-item', 'data-read': String(Boolean(n.readAt)) },
            h(
              'div',
              { class: 'inbox-meta' },
              h('span', { class: `badge kind-${n.kind}` }, n.kind === 'returned' ? t('stf_kindReturned') : tKey('kind', n.kind)),
              ' ',
              h('span', { class: 'muted' }, formatDateTime(n.createdAt)),
              n.readAt ? null : h('strong', { class: 'unread-dot' }, ` · ${t('unread')}`),
            ),
            h('p', null, n.instanceId ? h('a', { href: `#/instances/${encodeURIComponent(n.instanceId)}` }, tx(n.message)) : tx(n.message)),
            n.readAt
              ? null
              : h('button', { type: 'button', class: 'small', 'data-testid': 'inbox-read', onclick: () => void markRead({ ids: [n.id] }) }, t('markRead')),
          ),
        ),
      ),
    );
  };
  allButton.addEventListener('click', () => void markRead({ all: true }));
  await load();
}
