// The process library: every definition with its versions; each opens in the editor.
import { get } from '../api.ts';
import { h, replace } from '../dom.ts';
import { formatDate } from '../format.ts';
import { t, tx } from '../i18n.ts';
import type { PageCtx } from '../router.ts';
import type { DefinitionListItem } from '../types.ts';
import { linkButton, loading, pageTitle, successBox } from '../widgets.ts';

export async function definitionsPage(ctx: PageCtx): Promise<void> {
  const body = h('div', null, loading());
  replace(
    ctx.root,
    pageTitle(t('definitionsTitle'), linkButton('#/definitions/new', t('newDefinition'), { 'data-testid': 'new-definition' })),
    ctx.flash ? successBox(ctx.flash) : null,
    body,
  );
  const { items } = await get<{ items: DefinitionListItem[] }>('/api/v1/definitions');
  if (ctx.signal.aborted) return;
  if (!items.length) return replace(body, h('p', { class: 'empty' }, t('none')));
  const sorted = [...items].sort((a, b) => tx(a.title).localeCompare(tx(b.title), 'vi'));
  replace(
    body,
    h(
      'table',
      { class: 'list', 'data-testid': 'definitions-table' },
      h(
        'thead',
        null,
        h(
          'tr',
          null,
          [t('process'), t('ed_processId'), t('version'), t('versions')].map((c) => h('th', { scope: 'col' }, c)),
        ),
      ),
      h(
        'tbody',
        null,
        sorted.map((d) =>
          h(
            'tr',
            { 'data-testid': 'definition-row', 'data-definition-id': d.id },
            h('td', null, h('a', { href: `#/definitions/${encodeURIComponent(d.id)}`, 'data-testid': 'definition-link' }, tx(d.title))),
            h('td', null, h('code', null, d.id)),
            h('td', { class: 'num' }, d.latest),
            h(
              'td',
              { class: 'muted' },
              [...d.versions]
                .sort((a, b) => b.version - a.version)
                .slice(0, 5)
                .map((v) => `v${v.version} · ${formatDate(v.publishedAt)}${v.publishedBy ? ` · ${v.publishedByName ?? v.publishedBy}` : ''}`)
                .join(' | '),
            ),
          ),
        ),
      ),
    ),
  );
}
