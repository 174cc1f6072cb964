// One campaign: where its units stand — by stage, done, overdue, not started — each count opening
// the list of those instances in place (`#/campaigns/<id>?stage=…`, `?overdue=1`, `?status=done`).
import { get, qs } from '../api.ts';
import { h, replace } from '../dom.ts';
import { formatDate, formatDateTime } from '../format.ts';
import { t, tKey, tx } from '../i18n.ts';
import type { PageCtx } from '../router.ts';
import type { CampaignDetail, InstanceListItem } from '../types.ts';
import { dueCell, errorBox, loading, pageTitle, progressBar, section, statusBadge } from '../widgets.ts';

/** A progress bar with an accessible name and a spoken value ("Hoàn tất: 3 trên 12 đơn vị"). */
export function namedProgress(done: number, total: number, testid: string, what: string): HTMLElement {
  const bar = progressBar(done, total, testid);
  const track = bar.querySelector<HTMLElement>('[role="progressbar"]');
  const text = t('adm_progressName', { what, n: done, t: total });
  track?.setAttribute('aria-label', what);
  track?.setAttribute('aria-valuetext', text);
  return bar;
}

interface ListFilter {
  stage?: string;
  overdue?: boolean;
  status?: 'running' | 'done';
}

function filterOfHash(): ListFilter {
  const query = new URLSearchParams(location.hash.split('?')[1] ?? '');
  const status = query.get('status');
  return {
    ...(query.get('stage') ? { stage: query.get('stage')! } : {}),
    ...(query.get('overdue') === '1' ? { overdue: true } : {}),
    ...(status === 'running' || status === 'done' ? { status } : {}),
  };
}

export async function campaignPage(ctx: PageCtx): Promise<void> {
  const id = ctx.params[0]!;
  replace(ctx.root, loading());
  let detail: CampaignDetail;
  try {
    detail = await get<CampaignDetail>(`/api/v1/campaigns/${encodeURIComponent(id)}`);
  } catch (e) {
    return replace(ctx.root, errorBox(e, 'campaign-error'));
  }
  if (ctx.signal.aborted) return;
  const c = detail.campaign;
  const filter = filterOfHash();
  const link = (q: Record<string, string>, label: string, testid: string) =>
    h('a', { href: `#/campaigns/${encodeURIComponent(id)}${qs(q)}`, 'data-testid': testid }, label);
  const stat = (n: number, label: string, cls: string, testid: string, q?: Record<string, string>) =>
    h('div', { class: `stat ${cls}`, 'data-testid': testid, 'data-count': n }, h('span', { class: 'stat-n' }, n), q ? link(q, label, `${testid}-link`) : label);
  const running = detail.running ?? detail.byStage.reduce((n, s) => n + s.count, 0);
  const listHost = h('div', { 'data-testid': 'campaign-list-host' });
  replace(
    ctx.root,
    h('p', null, h('a', { href: '#/campaigns' }, t('adm_campaignBack'))),
    pageTitle(tx(c.title), statusBadge(c.status)),
    h(
      'p',
      { class: 'subtitle' },
      `${c.rootUnitName} · ${t('version')} ${c.definitionVersion} · ${formatDateTime(c.createdAt)}`,
      c.createdByName ? ` · ${c.createdByName}` : null,
      c.kinds.length ? ` · ${c.kinds.map((k) => tKey('unitKind', k)).join(', ')}` : null,
    ),
    c.reason ? h('p', { class: 'muted' }, c.reason) : null,
    section(
      t('adm_campaignStarted'),
      'campaign-summary',
      namedProgress(c.started, c.total, 'campaign-detail-progress', t('adm_campaignStarted')),
      h(
        'div',
        { class: 'totals' },
        stat(running, t('adm_cRunning'), '', 'campaign-running', { status: 'running' }),
        stat(detail.done, t('adm_cDone'), '', 'campaign-done', { status: 'done' }),
        stat(detail.overdue, t('adm_cOverdue'), detail.overdue ? 'bad' : '', 'campaign-overdue', { overdue: '1' }),
        stat(detail.notStarted ?? Math.max(0, c.total - c.started), t('adm_cNotStarted'), 'warn', 'campaign-not-started'),
      ),
      h('p', { class: 'muted small' }, t('adm_cNotStartedNote')),
      detail.skippedRunning ? h('p', { class: 'alert alert-info', 'data-testid': 'campaign-skipped' }, t('adm_cSkipped', { n: detail.skippedRunning })) : null,
      h(
        'p',
        { class: 'exports' },
        (['csv', 'xlsx'] as const).map((format) =>
          h(
            'a',
            {
              class: 'button',
              href: `/api/v1/campaigns/${encodeURIComponent(c.id)}/export${qs({ format })}`,
              download: '',
              'data-testid': `campaign-export-${format}`,
            },
            t('adm_exportAs', { f: format.toUpperCase() }),
          ),
        ),
      ),
    ),
    section(
      t('adm_byStage'),
      'campaign-by-stage',
      detail.byStage.length
        ? h(
            'div',
            { class: 'table-scroll' },
            h(
              'table',
              { class: 'list', 'data-testid': 'campaign-stages' },
              h(
                'thead',
                null,
                h(
                  'tr',
                  null,
                  [t('adm_colStage'), t('adm_cRunning'), ''].map((x) => h('th', { scope: 'col' }, x)),
                ),
              ),
              h(
                'tbody',
                null,
                [...detail.byStage]
                  .sort((a, b) => b.count - a.count)
                  .map((s) =>
                    h(
                      'tr',
                      { 'data-testid': 'campaign-stage-row', 'data-stage': s.stage },
                      h('td', null, tx(s.title)),
                      h('td', { class: 'progress-cell' }, namedProgress(s.count, c.started, 'campaign-stage-progress', tx(s.title))),
                      h('td', null, link({ stage: s.stage }, t('adm_listAll'), 'campaign-stage-link')),
                    ),
                  ),
              ),
            ),
          )
        : h('p', { class: 'muted' }, t('adm_noStages')),
    ),
    listHost,
  );
  if (filter.stage || filter.overdue || filter.status) {
    const what = filter.stage
      ? tx(detail.byStage.find((s) => s.stage === filter.stage)?.title) || t('adm_colStage')
      : filter.overdue
        ? t('adm_cOverdue')
        : filter.status === 'done'
          ? t('adm_cDone')
          : t('adm_cRunning');
    await instanceList(ctx, listHost, c.id, filter, what);
  }
}

/** The campaign's instances the filter picks, a page at a time. */
async function instanceList(ctx: PageCtx, host: HTMLElement, campaignId: string, filter: ListFilter, what: string): Promise<void> {
  const tbody = h('tbody');
  const more = h('div');
  replace(
    host,
    section(
      t('adm_listOf', { what }),
      'campaign-list',
      h(
        'div',
        { class: 'table-scroll' },
        h(
          'table',
          { class: 'list', 'data-testid': 'campaign-instances' },
          h(
            'thead',
            null,
            h(
              'tr',
              null,
              [t('adm_colUnit'), t('adm_colStage'), t('dueDate'), t('status')].map((x) => h('th', { scope: 'col' }, x)),
            ),
          ),
          tbody,
        ),
      ),
      more,
    ),
  );
  const page = async (after?: string) => {
    const q = {
      campaignId,
      limit: 100,
      ...(filter.stage ? { stage: filter.stage } : {}),
      ...(filter.overdue ? { overdue: 'true' } : {}),
      ...(filter.status ? { status: filter.status } : {}),
      ...(after ? { after } : {}),
    };
    try {
      const { items, next } = await get<{ items: InstanceListItem[]; next?: string }>(`/api/v1/instances${qs(q)}`);
      if (ctx.signal.aborted) return;
      for (const i of items)
        tbody.appendChild(
          h(
            'tr',
            { 'data-testid': 'campaign-instance-row' },
            h('td', null, h('a', { href: `#/instances/${encodeURIComponent(i.id)}` }, i.unitName)),
            h('td', null, i.stageTitles.map((s) => tx(s)).join(', ') || '—'),
            h('td', null, i.status === 'running' ? dueCell(i.dueAt) : formatDate(i.dueAt)),
            h('td', null, statusBadge(i.status)),
          ),
        );
      if (!tbody.children.length) tbody.appendChild(h('tr', null, h('td', { colspan: 4, class: 'muted' }, t('adm_listEmpty'))));
      replace(more, next ? h('button', { type: 'button', 'data-testid': 'campaign-more', onclick: () => void page(next) }, t('adm_listMore')) : null);
    } catch (e) {
      replace(more, errorBox(e, 'campaign-list-error'));
    }
  };
  await page();
}
